"""The terminal view, in the order a clinician reads it: the case panel (every deciding
fact the case states, and the unstated ones that would change the advice), the
case-level warnings, the ranked candidates with each one's most important caution in
words, one line of detail per candidate, then exclusions and the guideline footer.

Three views: `brief` (the panel, warnings and table only, one screen), the default
screen, and `details` (each candidate's full reasons, toxicities and every caution).
What applies to every candidate (the guideline, the toxicity cohort, "grade ≥3") is
said once, in the panel's border and the table's title, not per row.

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

BRIEF, SCREEN, DETAILS = "brief", "screen", "details"
LABEL = 11  # the case panel's label column: "Not stated "


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


def _cohort(advice: Advice) -> str:
    return "pNET" if advice.summary.get("site_group") == "pancreas" else "epNET"


def _stamp_line(advice: Advice, width: int) -> str | None:
    """What the panel's lower border says: the guideline, and that this is decision support (None: too long)."""
    for line in (f"{advice.guideline.source} · decision support, not a prescription", f"{advice.guideline.source} · not a prescription"):
        if cell_len(line) <= width - 6:
            return line
    return None


def _history(text: Text, advice: Advice, inner: int, view: str) -> None:
    rows = words.timeline(advice, written=view == DETAILS)
    if not rows:
        _para(text, "not stated" if advice.summary.get("prior_lines") is None else "none", "", inner, label="History".ljust(LABEL))
        return
    if view == BRIEF:  # one sentence: progressions, toxicities, what is ongoing, the latest line
        _para(text, terminal(words.history_summary(advice)), "", inner, label="History".ljust(LABEL))
        return
    column = max(len(when) for when, *_ in rows) + 2
    for i, (when, therapy, outcome, extra) in enumerate(rows):
        # Continuation lines hang under the therapy, so the dates column stays clear.
        label = ("History" if i == 0 else "").ljust(LABEL)
        _para(text, terminal(f"{therapy} → {outcome}"), f"{when:<{column}}", inner, label=label)
        if extra and view == DETAILS:
            _para(text, terminal(extra), " " * column, inner, style="dim", label=" " * LABEL)


def _header(advice: Advice, width: int, view: str = SCREEN) -> Panel:
    inner = width - 4
    text = Text()
    facts = words.panel_rows(advice)
    if view == BRIEF:  # biology on the tumour line, patient and disease on one line
        tumour = " · ".join([words.tumour_line(advice), *words.biology(advice)])
        _para(text, terminal(tumour), "", inner, label="Tumour".ljust(LABEL))
        if words.patient(advice):
            _para(text, terminal(" · ".join(words.patient(advice))), "", inner, label="Patient".ljust(LABEL))
    else:
        _para(text, terminal(words.tumour_line(advice)), "", inner, label="Tumour".ljust(LABEL))
        for label, line in facts:
            _para(text, terminal(line), "", inner, label=label.ljust(LABEL))
    if words.wishes(advice):
        _para(text, terminal(words.wishes(advice)), "", inner, label="Wishes".ljust(LABEL))
    _history(text, advice, inner, view)
    if advice.step:
        step = advice.step.text if view == DETAILS else words.without_case_facts(advice.step.text)
        _para(text, step, "", inner, label="Step".ljust(LABEL))
    if view == DETAILS:
        for note in advice.context:
            _para(text, note.text, "", inner, label="Context".ljust(LABEL))
    unknown = words.not_stated(advice, named=view == DETAILS)
    if unknown:
        _para(text, terminal(" · ".join(unknown)), "", inner, label="Not stated ", style="yellow")
    text.rstrip()
    # Titles as Text: rich reads a str title as markup (a case id 'p[/]1' would stop the run) and emoji codes
    stamp = _stamp_line(advice, width)
    return Panel(_prewrapped(text, inner), title=Text(f"netadvisor · {terminal(advice.case_id)} · as of {advice.as_of}"),
                 title_align="left", subtitle=stamp and Text(stamp), subtitle_align="right", box=box.ROUNDED)


def _warnings(advice: Advice, width: int, view: str) -> Text:
    """The case-level warnings, right under the panel (in brief, each one's first clause)."""
    text = Text()
    if _stamp_line(advice, width) is None:  # the panel's border could not hold it
        _para(text, f"{advice.guideline.source} · decision support, not a prescription", "", width, style="dim")
    for w in advice.warnings:
        body = words.first_clause(w.text) if view == BRIEF else w.text
        _para(text, body, "! ", width, style="yellow")
    text.rstrip()
    return _prewrapped(text, width)


def _caution_cell(c, width: int, brief: bool = False) -> Text:
    """The single most important caution in words, with how many more there are: two lines
    for one that moved the candidate down or warns, one line for a note (and in brief)."""
    main = words.main_caution(c)
    if main is None:
        return Text("none", style="dim")
    warn = main.severity == "warning"
    more = len(c.cautions) - 1
    tail = f" (+{more})" if more and not brief else ""
    room = (2 * width if (warn or main.demotes) and not brief else width) - 2 - len(tail)
    cell = Text("⚠ " if warn else "· ", style="yellow bold" if warn else "")
    cell.append(words.short_caution(main, max(20, room)), style="yellow" if warn else "")
    cell.append(tail, style="dim")
    return cell


CATEGORY = 13  # "2A, preferred"


def _candidates(advice: Advice, width: int, view: str) -> Table:
    table = Table(box=None, pad_edge=False, expand=True, header_style="bold underline")
    names = [c.name if c.intent == "antitumor" else f"{c.name} ({words.INTENT_SHORT[c.intent]})" for c in advice.candidates]
    longest = max(cell_len(n) for n in names)
    plain = max(cell_len(c.name) for c in advice.candidates)
    # The therapy is the row's identifier: its name is never cut (a "(symptoms)" after it may wrap below it).
    room = 24 if view == BRIEF else 44  # what the caution column keeps before a "(symptoms)" wraps
    therapy = longest if width - longest >= room + CATEGORY else max(plain, min(longest, 16))
    caution = width - therapy - CATEGORY - 9  # the rest, less the rank and the padding between four columns
    table.add_column("#", justify="right", no_wrap=True, width=2)
    table.add_column("Candidate", width=therapy, overflow="fold")
    table.add_column("Category", width=CATEGORY)
    table.add_column("Main caution (⚠ warning, · note)" if caution >= 34 else "Main caution", ratio=1)
    for c, name in zip(advice.candidates, names):
        table.add_row(str(c.rank), Text(name, style="bold"), words.category_preference(c), _caution_cell(c, caution, view == BRIEF))
    return table


def _lines(advice: Advice, width: int) -> Text:
    """One line of detail per candidate: why, toxicities, the other cautions in a few words each."""
    text = Text()
    text.append("\nDetails", style="bold")
    text.append(f" · toxicity: {_cohort(advice)} cohort, grade ≥3 unless marked · --details: every reason "
                "and caution in full\n", style="dim")
    main = {c.therapy: words.main_caution(c) for c in advice.candidates}
    for c in advice.candidates:
        why = words.headline(c) if c.basis == "guideline" else words.first_clause(words.basis(c))
        parts = [words.rank_line(c) if why == words.LISTED else why]
        tox = words.toxicity_lines(c, limit=3)
        if tox != [words.NOT_STATED]:
            parts.append("toxicity: " + ", ".join(tox))
        others = [x for x in c.cautions if x is not main[c.therapy] and not words.is_unknown_caution(x)]
        parts += [("⚠ " if x.severity == "warning" else "") + words.short_caution(x) for x in others]
        _para(text, " · ".join(parts), f"{c.rank:>2}. {c.name}: ", width)
    return _prewrapped(text, width)


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
        _para(text, f"toxicities: {tox}", "   ", width, style="dim")
        for x in c.cautions:
            warn = x.severity == "warning"
            _para(text, x.text, "   ⚠ " if warn else "   · ", width, style="yellow" if warn else "")
    return _prewrapped(text, width)


def _excluded(advice: Advice, width: int) -> Text:
    text = Text("\nExcluded\n", style="bold")
    for e in advice.excluded:
        _para(text, f"{e.name}: " + "; ".join(r.text for r in e.reasons), "   ✗ ", width)
    return _prewrapped(text, width)


def render(advice: Advice, console: Console, show_excluded: bool = False, evidence: bool = False, view: str = SCREEN) -> None:
    width = console.width
    parts: list = [_header(advice, width, view)]
    notes = _warnings(advice, width, view)
    if notes.plain:
        parts.append(notes)
    if advice.scope:
        parts.append(Panel(Text(advice.scope.text), title="Out of scope", title_align="left", border_style="red"))
    if advice.candidates:
        parts.append(_candidates(advice, width, view))
        if view == DETAILS:
            parts.append(_details(advice, width))
        elif view == SCREEN:
            parts.append(_lines(advice, width))
            if advice.context:
                context = Text()
                for note in advice.context:
                    _para(context, note.text, "", width, label="Context ")
                context.rstrip()
                parts.append(_prewrapped(context, width))
        if evidence:
            from .chart import evidence_table

            parts.append(evidence_table(advice, width))
    elif not advice.scope:
        parts.append(Text("No candidate therapies: every option the guideline lists is excluded (below).", style="bold"))
    # brief ends with the table, unless asked for more (--show-excluded, --compare), or there is no
    # candidate and the exclusions are the answer
    if view == BRIEF and advice.candidates and not show_excluded and advice.comparison is None:
        console.print(Group(*parts))
        return
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
    _para(tail, f"Guideline: {words.stamp(advice)}", "", width, style="dim")
    _para(tail, DISCLAIMER, "", width, style="bold")
    tail.rstrip()
    parts.append(_prewrapped(tail, width))
    console.print(Group(*parts))
