"""The terminal view: case panel, a one-line-per-candidate table, then each
candidate's reasons and cautions in full, the exclusions and the guideline footer.

Long explanations sit in full-width paragraphs under the table rather than in
narrow wrapped cells: easier to read, and several times faster to render.
"""

from __future__ import annotations

import textwrap

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..base.escape import terminal
from ..engine.advice import DISCLAIMER, Advice
from . import words


def _para(text: Text, body: str, first: str, width: int, style: str = "", label: str = "") -> None:
    """Append body wrapped to width with a hanging indent under its first-line marker (after an optional bold label)."""
    indent = " " * (len(label) + len(first))
    lines = textwrap.wrap(body, width=max(20, width - len(indent)), break_on_hyphens=False) or [""]
    text.append(label, style="bold")
    text.append(first, style=style)
    text.append(lines[0] + "\n", style=style)
    for line in lines[1:]:
        text.append(indent + line + "\n", style=style)


def _prewrapped(text: Text, width: int) -> Text:
    """Text that _para has wrapped needs no second wrap by rich (a third of render time);
    a line that is still too wide (wide characters, an unwrapped heading) gets one."""
    text.no_wrap = all(cell_len(line) <= width for line in text.plain.split("\n"))
    return text


def _header(advice: Advice, width: int) -> Panel:
    inner = width - 4
    text = Text()
    _para(text, words.case_line(advice), "", inner, label="Case     ")
    rows = words.timeline(advice)
    if not rows:
        _para(text, "not stated" if advice.summary.get("prior_lines") is None else "none", "", inner, label="History  ")
    for i, (when, therapy, outcome, extra) in enumerate(rows):
        # Continuation lines hang under the therapy, so the dates column stays clear.
        _para(text, f"{therapy} → {outcome}", f"{when:<20} ", inner, label="History  " if i == 0 else "         ")
        if extra:
            _para(text, terminal(extra), " " * 21, inner, style="dim", label="         ")
    if words.wishes(advice):
        _para(text, terminal(words.wishes(advice)), "", inner, label="Wishes   ")
    if advice.step:
        _para(text, advice.step.text, "", inner, label="Step     ")
    for note in advice.context:
        _para(text, note.text, "", inner, label="Context  ")
    text.rstrip()
    return Panel(_prewrapped(text, inner), title=f"netadvisor · {terminal(advice.case_id)} · as of {advice.as_of}", title_align="left",
                 box=box.ROUNDED)


WIDE = 110  # below this the table keeps its short columns; the details carry the rest


def _cohort(advice: Advice) -> str:
    return "pNET" if advice.summary.get("site_group") == "pancreas" else "epNET"


def _candidates(advice: Advice, width: int) -> Table:
    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, expand=wide, title="Candidates", title_justify="left", title_style="bold")
    table.add_column("#", justify="right", no_wrap=True)
    longest_word = max((len(w) for c in advice.candidates for w in c.name.split()), default=10)
    # Narrow terminals fold a long therapy name and wrap "not stated" rather than lose the Cautions column.
    table.add_column("Therapy", min_width=min(26 if wide else 16, longest_word), max_width=26 if wide else 34, overflow="fold")
    table.add_column("Cat.", min_width=6 if wide else 4, max_width=10)
    table.add_column("Preference", min_width=9 if wide else 5, max_width=10)
    if wide:
        table.add_column("Why (headline)", ratio=4)
        table.add_column(f"Grade ≥3 tox. ({_cohort(advice)})", ratio=3)
    table.add_column("Cautions", no_wrap=True, min_width=8)
    for c in advice.candidates:
        name = c.name if c.intent == "antitumor" else f"{c.name} ({words.INTENT_SHORT[c.intent]})"
        warnings = sum(1 for x in c.cautions if x.severity == "warning")
        notes = len(c.cautions) - warnings
        flags = Text()
        if warnings:
            flags.append(f"⚠ {warnings}", style="yellow bold")
        if notes:
            flags.append((" " if warnings else "") + f"· {notes}")
        cells = [str(c.rank), Text(name, style="bold"), words.category(c), words.preference(c)]
        if wide:
            cells += [words.headline(c), ", ".join(words.toxicity_lines(c, limit=3))]
        table.add_row(*cells, flags or Text("none", style="dim"))
    return table


def _details(advice: Advice, width: int) -> Text:
    text = Text()
    for c in advice.candidates:
        text.append(f"\n{c.rank}. {c.name}", style="bold")
        text.append(f"  {c.recommendation}\n", style="dim")
        _para(text, words.basis(c), "   ", width, style="dim")
        _para(text, f"why here: {words.rank_line(c)}", "   ", width, style="dim")
        for reason in words.why(c):
            _para(text, reason, "   + ", width)
        tox = ", ".join(words.toxicity_lines(c, limit=8))
        _para(text, f"toxicities ({_cohort(advice)} cohort; rates are grade ≥3 unless marked): {tox}", "   ", width, style="dim")
        for x in c.cautions:
            warn = x.severity == "warning"
            _para(text, x.text, "   ⚠ " if warn else "   · ", width, style="yellow" if warn else "")
    return _prewrapped(text, width)


def _excluded(advice: Advice, width: int) -> Text:
    text = Text("\nExcluded\n", style="bold")
    for e in advice.excluded:
        _para(text, f"{e.name}: " + "; ".join(r.text for r in e.reasons), "   ✗ ", width)
    return _prewrapped(text, width)


def render(advice: Advice, console: Console, show_excluded: bool = False, evidence: bool = False) -> None:
    width = console.width
    parts: list = [_header(advice, width)]
    if advice.scope:
        parts.append(Panel(Text(advice.scope.text), title="Out of scope", title_align="left", border_style="red"))
    if advice.candidates:
        parts += [_candidates(advice, width), _details(advice, width)]
        if evidence:
            from .chart import evidence_table

            parts.append(evidence_table(advice))
    elif not advice.scope:
        parts.append(Text("No candidate therapies: every option the guideline lists is excluded (below).", style="bold"))
    if advice.comparison is not None:  # --compare: the other bodies beside the chosen one
        from .as_compare import table_parts

        parts += table_parts(advice, width)
    tail = Text()
    if advice.excluded:
        if advice.scope and not show_excluded and not advice.candidates:
            _para(tail, f"All {len(advice.excluded)} options of the site group are excluded as out of scope (--show-excluded lists them).", "", width, style="dim")
        elif show_excluded or not advice.candidates:
            parts.append(_excluded(advice, width))
        else:
            _para(tail, words.exclusion_summary(advice), "", width, style="dim")
    for w in advice.warnings:
        _para(tail, w.text, "! ", width, style="yellow")
    _para(tail, f"Guideline: {words.stamp(advice)}", "", width, style="dim")
    _para(tail, DISCLAIMER, "", width, style="bold")
    tail.rstrip()
    parts.append(_prewrapped(tail, width))
    console.print(Group(*parts))
