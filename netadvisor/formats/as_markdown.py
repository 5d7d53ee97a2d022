"""Markdown for pasting into clinical notes and tumour-board documents.

Every text that comes from the case or the data goes through md()
(base/escape.markdown): a line break or markup in a note cannot add a table
row, a list, a link or HTML to the notes.
"""

from __future__ import annotations

from ..base.escape import markdown as md
from ..engine.advice import DISCLAIMER, Advice
from . import words


def _cell(lines) -> str:
    """A table cell: each text escaped, several on separate lines."""
    return "<br>".join(md(line) for line in lines) if isinstance(lines, list) else md(str(lines))


def _evidence(advice: Advice) -> list:
    from .chart import figure_text, hr_text, rows

    out = ["**Evidence (primary endpoint):**", "", "| Therapy | Trial / analysis | This therapy | Control | HR (95% CI) |", "|---|---|---|---|---|"]
    for c, e in rows(advice):
        out.append(
            f"| {_cell(c.name)} | {_cell(f'{e.trial}: {e.analysis} ({e.endpoint})')} | "
            f"{_cell(figure_text(e.treatment, e.treatment_text, e.unit))} | {_cell(figure_text(e.control, e.control_text, e.unit))} | "
            f"{_cell(hr_text(e))} |"
        )
    return out + [""]


def render(advice: Advice, show_excluded: bool = True, report: bool = False, generated_at: str = "") -> str:
    """Markdown for notes; `report` adds the evidence table, numbered sources and a generated-at stamp."""
    out = [f"## netadvisor: {md(advice.case_id)} (as of {advice.as_of})", "", f"**Case:** {md(words.tumour_line(advice))}", ""]
    out[2:2] = [f"*{md(advice.guideline.source)} · decision support, not a prescription*", ""]
    for label, text in words.panel_rows(advice):
        out += [f"**{label}:** {md(text)}", ""]
    if words.not_stated(advice):
        out += [f"**Not stated:** {md('; '.join(words.not_stated(advice)))}", ""]
    if advice.step:
        out += [f"**Algorithm step:** {md(advice.step.text)}", ""]
    out += [f"**Context:** {md(note.text)}" for note in advice.context] + ([""] if advice.context else [])
    rows = words.timeline(advice)
    if rows:
        out += ["**History:**", ""] + [
            f"- {md(when)}: {md(therapy)} → {md(outcome)}" + (f" ({md(extra)})" if extra else "") for when, therapy, outcome, extra in rows
        ] + [""]
    if words.wishes(advice):
        out += [f"**Patient's wishes:** {md(words.wishes(advice))}", ""]
    if advice.warnings:  # case-level: before the candidates
        out += ["**Warnings:**", ""] + [f"- {md(w.text)}" for w in advice.warnings] + [""]
    if advice.scope:
        out += [f"> **Out of scope:** {md(advice.scope.text)}", ""]
    if advice.candidates:
        out += [
            "| # | Therapy | Category | Preference | Why | Grade ≥3 toxicities | Cautions for this patient |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in advice.candidates:
            therapy = f"**{md(c.name)}**" + ("" if c.intent == "antitumor" else f" ({md(c.intent)})")
            cautions = [("⚠ " if x.severity == "warning" else "") + x.text for x in c.cautions] or ["none"]
            out.append(
                f"| {c.rank} | {therapy} | {_cell(words.category(c))} | {_cell(words.preference(c))} | "
                f"{_cell([f'Why here: {words.rank_line(c)}', *words.why(c)])} | {_cell(words.toxicity_lines(c))} | {_cell(cautions)} |"
            )
        out.append("")
    if advice.comparison is not None:  # --compare: the other bodies beside the chosen one
        from .as_compare import markdown

        out += markdown(advice)
    if advice.excluded:
        if show_excluded:
            out += ["**Excluded:**", ""] + [f"- **{md(e.name)}**: " + md("; ".join(r.text for r in e.reasons)) for e in advice.excluded] + [""]
        else:
            out += [md(words.exclusion_summary(advice)), ""]
    if report:
        if advice.candidates:
            out += _evidence(advice)
        out += ["**Sources:**", ""] + [f"{i}. {md(c)}" for i, c in enumerate(words.sources(advice), start=1)] + [""]
    out += [f"*Guideline: {md(words.stamp(advice))}*", ""]
    if generated_at:
        out += [f"*Generated {md(generated_at)}*", ""]
    out += [f"**{md(DISCLAIMER)}**", ""]
    return "\n".join(out)
