"""Markdown for pasting into clinical notes and tumour-board documents."""

from __future__ import annotations

from ..engine.advice import DISCLAIMER, Advice
from . import words


def _cell(lines) -> str:
    text = "<br>".join(lines) if isinstance(lines, list) else str(lines)
    return text.replace("|", "\\|").replace("\n", "<br>")


def _evidence(advice: Advice) -> list:
    from .chart import figure_text, hr_text, rows

    out = ["**Evidence (primary endpoint):**", "", "| Therapy | Trial / analysis | This therapy | Control | HR (95% CI) |", "|---|---|---|---|---|"]
    for c, e in rows(advice):
        out.append(
            f"| {_cell(c.name)} | {_cell(f'{e.trial}: {e.analysis} ({e.endpoint})')} | "
            f"{figure_text(e.treatment, e.treatment_text, e.unit)} | {figure_text(e.control, e.control_text, e.unit)} | {hr_text(e)} |"
        )
    return out + [""]


def render(advice: Advice, show_excluded: bool = True, report: bool = False, generated_at: str = "") -> str:
    """Markdown for notes; `report` adds the evidence table, numbered sources and a generated-at stamp."""
    out = [f"## netadvisor: {advice.case_id} (as of {advice.as_of})", "", f"**Case:** {words.case_line(advice)}", ""]
    if advice.step:
        out += [f"**Algorithm step:** {advice.step.text}", ""]
    out += [f"**Context:** {note.text}" for note in advice.context] + ([""] if advice.context else [])
    rows = words.timeline(advice)
    if rows:
        out += ["**History:**", ""] + [f"- {when}: {therapy} → {outcome}" for when, therapy, outcome in rows] + [""]
    if advice.scope:
        out += [f"> **Out of scope:** {advice.scope.text}", ""]
    if advice.candidates:
        out += [
            "| # | Therapy | Category | Preference | Why | Grade ≥3 toxicities | Cautions for this patient |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in advice.candidates:
            therapy = f"**{c.name}**" + ("" if c.intent == "antitumor" else f" ({c.intent})")
            cautions = [("⚠ " if x.severity == "warning" else "") + x.text for x in c.cautions] or ["none"]
            out.append(
                f"| {c.rank} | {_cell(therapy)} | {words.category(c)} | {words.preference(c)} | "
                f"{_cell([f'*Why here:* {words.rank_line(c)}', *words.why(c)])} | {_cell(words.toxicity_lines(c))} | {_cell(cautions)} |"
            )
        out.append("")
    if advice.comparison is not None:  # --compare: the other bodies beside the chosen one
        from .as_compare import markdown

        out += markdown(advice)
    if advice.excluded:
        if show_excluded:
            out += ["**Excluded:**", ""] + [f"- **{e.name}**: " + "; ".join(r.text for r in e.reasons) for e in advice.excluded] + [""]
        else:
            out += [words.exclusion_summary(advice), ""]
    if advice.warnings:
        out += ["**Warnings:**", ""] + [f"- {w.text}" for w in advice.warnings] + [""]
    if report:
        if advice.candidates:
            out += _evidence(advice)
        out += ["**Sources:**", ""] + [f"{i}. {c}" for i, c in enumerate(words.sources(advice), start=1)] + [""]
    out += [f"*Guideline: {words.stamp(advice)}*", ""]
    if generated_at:
        out += [f"*Generated {generated_at}*", ""]
    out += [f"**{DISCLAIMER}**", ""]
    return "\n".join(out)
