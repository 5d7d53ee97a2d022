"""The comparison of guideline bodies (`advise --compare`) for the terminal, markdown and HTML:
the options other bodies list below the candidates, never ranked with them; a table with one
row per option and one column per body in force; and what each body's sources could not give.

Every level is the body's own mark, as its source prints it. "not listed" means netadvisor's
sources do not state the body's position, never that the body advises against the option.
"""

from __future__ import annotations

import textwrap
from html import escape

from ..engine.advice import Advice

BASIS_WORDS = {
    "label": "FDA label only",
    "practice": "reported practice",
    "other-guideline": "placed from another body",
}
LEGEND = (
    "Levels are each body's own marks, as its sources print them. ✓ offered for this case, ✗ ruled out for it "
    "(or named and not recommended), — not listed: its position is not stated in netadvisor's sources, which is "
    "not a recommendation against it."
)


def cell(p) -> tuple[str, str]:
    """(headline, condition) of one body's position: '✓ [II, B]', and what includes or excludes it."""
    if p.status == "not-listed":
        return "— not listed", ""
    if p.status == "not-recommended":
        return "✗ not recommended here", p.reasons[0].text if p.reasons else ""
    if not p.listed and p.basis in BASIS_WORDS:
        level = f"{BASIS_WORDS[p.basis]}; the body's position not stated"
    else:
        level = p.level or "level not stated"
    if p.status == "candidate":
        return f"✓ {level}", "; ".join(r.short or r.text for r in p.reasons)
    return f"✗ {level}", p.reasons[0].text if p.reasons else ""


def agreement(o) -> str:
    a = o.agreement
    return f"{a.listed} of {a.bodies} list it · {a.offered} offer it" + (" · they differ" if a.differs else "")


def also_listed(advice: Advice) -> list:
    """'Interferon alfa: also listed by ESMO 2021 [IV, B] — <what includes it>' for each other option."""
    out = []
    for o in advice.other_options:
        why = "; ".join(r.short or r.text for r in o.reasons if r.code != "recommended")
        out.append(f"{o.name}: also listed by {o.short_name} {o.level or '(level not stated)'}" + (f" — {why}" if why else ""))
    return out


def body_lines(advice: Advice) -> list:
    """One line per compared body, then its notices and what its sources did not give."""
    comparison = advice.comparison
    out = []
    for n, b in enumerate(comparison.bodies):
        parts = [f"effective {b.effective}"]
        if b.scheme:
            parts.append(b.scheme)
        if b.secondary:
            parts.append("read in secondary sources only")
        out.append(f"{b.short_name}: {b.source} ({'; '.join(parts)})")
        if n:  # the chosen guideline's notices are the advice's warnings already
            out += [f"{b.short_name}: {note.text}" for note in b.notices]
        if b.not_found:
            out.append(f"{b.short_name}, not found in netadvisor's sources: " + "; ".join(b.not_found))
    out += [f"Not compared: {name}: {why}" for name, why in comparison.not_applicable]
    out += [f"Not encoded: {name}: {text}" for name, text, _ in comparison.not_encoded]
    return out


# -- terminal ------------------------------------------------------------------------------


def table_parts(advice: Advice, width: int) -> list:
    """Rich renderables: the other options, the comparison table, the bodies and the legend."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    parts = []
    comparison = advice.comparison
    main = comparison.bodies[0].short_name
    if advice.other_options:
        text = Text(f"\nAlso listed by other bodies (not ranked: {main} does not list them)\n", style="bold")
        for line in also_listed(advice):
            wrapped = textwrap.wrap(line, width=max(20, width - 5), break_on_hyphens=False)
            text.append("   + " + "\n     ".join(wrapped) + "\n")
        parts.append(text)
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=f"Guideline bodies in force on {advice.as_of}",
                  title_justify="left", title_style="bold")
    table.add_column("Option", ratio=2)
    for b in comparison.bodies:
        table.add_column(b.short_name, ratio=3)
    table.add_column("Agreement", ratio=2)
    ranks = {c.therapy: c.rank for c in advice.candidates}
    for o in comparison.options:
        name = Text(o.name, style="bold")
        name.append(f"\nrank {ranks[o.therapy]}" if o.therapy in ranks else f"\n{o.place.replace('-', ' ')}", style="dim")
        cells = []
        for p in o.positions:
            head, why = cell(p)
            text = Text(head, style="green" if head.startswith("✓") else "yellow" if head.startswith("✗") else "dim")
            if why:
                text.append("\n" + why, style="dim")
            cells.append(text)
        table.add_row(name, *cells, Text(agreement(o), style="bold" if o.agreement.differs else "dim"))
    parts.append(table)
    notes = Text()
    for line in body_lines(advice) + [LEGEND]:
        notes.append(line + "\n", style="dim")
    notes.rstrip()
    parts.append(notes)
    return parts


# -- markdown ----------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def markdown(advice: Advice) -> list:
    comparison = advice.comparison
    out = []
    if advice.other_options:
        main = comparison.bodies[0].short_name
        out += [f"**Also listed by other bodies** (not ranked: {main} does not list them):", ""]
        out += [f"- {line}" for line in also_listed(advice)] + [""]
    out += [f"**Guideline bodies in force on {advice.as_of}:**", ""]
    out.append("| Option | " + " | ".join(_md(b.short_name) for b in comparison.bodies) + " | Agreement |")
    out.append("|---" * (len(comparison.bodies) + 2) + "|")
    for o in comparison.options:
        cells = []
        for p in o.positions:
            head, why = cell(p)
            cells.append(_md(head) + (f"<br>*{_md(why)}*" if why else ""))
        out.append(f"| **{_md(o.name)}** ({o.place.replace('-', ' ')}) | " + " | ".join(cells) + f" | {_md(agreement(o))} |")
    out += [""] + [f"- {line}" for line in body_lines(advice)] + ["", f"*{LEGEND}*", ""]
    return out


# -- HTML ---------------------------------------------------------------------------------


def html(advice: Advice, mark) -> str:
    """The comparison section; `mark(source ids)` numbers the citations of the report."""
    comparison = advice.comparison
    out = []
    if advice.other_options:
        main = escape(comparison.bodies[0].short_name)
        out.append(f"<h2>Also listed by other bodies</h2><p class=\"dim\">Not ranked: {main} does not list them.</p><ul>")
        for o, line in zip(advice.other_options, also_listed(advice)):
            out.append(f"<li>{escape(line)}{mark(tuple(s for r in o.reasons for s in r.sources))}</li>")
        out.append("</ul>")
    out.append(f"<h2>Guideline bodies in force on {advice.as_of}</h2><table><tr><th>Option</th>")
    out += [f"<th>{escape(b.short_name)}{mark(b.sources[:1])}</th>" for b in comparison.bodies]
    out.append("<th>Agreement</th></tr>")
    for o in comparison.options:
        cells = []
        for p in o.positions:
            head, why = cell(p)
            sources = tuple(s for r in p.reasons[:1] for s in r.sources)
            cells.append(f"<td>{escape(head)}" + (f'<br><span class="dim">{escape(why)}</span>' if why else "") + f"{mark(sources)}</td>")
        out.append(f"<tr><td><b>{escape(o.name)}</b><br><span class=\"dim\">{escape(o.place.replace('-', ' '))}</span></td>"
                   + "".join(cells) + f"<td>{escape(agreement(o))}</td></tr>")
    out.append("</table><ul>" + "".join(f'<li class="dim">{escape(line)}</li>' for line in body_lines(advice)) + "</ul>")
    out.append(f'<p class="dim">{escape(LEGEND)}</p>')
    return "\n".join(out)
