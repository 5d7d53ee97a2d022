"""The trial evidence and survival figures that apply to a case: the analyses whose
population covers its primary site, and the SEER row for its stage and grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..inputs.case import Case
from ..knowledge.models import Knowledge
from .advice import EvidenceFigure, Notice

if TYPE_CHECKING:
    from .eligibility import Evaluator


def at_line(setting: str | None, facts: dict) -> bool:
    """Whether an analysis's setting fits the line the case is at; a history not stated fits any."""
    prior = facts.get("prior_systemic")
    if setting is None or prior is None:
        return True
    if setting == "first-line":
        return not prior
    if setting == "after-ssa":
        return "ssa" in (facts.get("progressed_on_classes") or ())
    return bool(prior)  # previously-treated


_FIGURES: dict = {}  # (id(evidence), therapy, site, line) -> (evidence, figures): one tuple shared by every case at that line


def trial_evidence(knowledge: Knowledge, ev: "Evaluator", therapy: str, site: str) -> tuple:
    """The primary endpoint of every analysis whose population covers the case's site and line
    (NETTER-2, first line, is not shown after an SSA; NETTER-1, after an SSA, not at first line)."""
    prior = ev.facts.get("prior_systemic")
    line = None if prior is None else (bool(prior), "ssa" in (ev.facts.get("progressed_on_classes") or ()))  # all at_line reads
    key = (id(knowledge.evidence), therapy, site, line)
    found = _FIGURES.get(key)
    if found is None or found[0] is not knowledge.evidence:
        if len(_FIGURES) >= 4096:
            _FIGURES.clear()
        found = _FIGURES[key] = (knowledge.evidence, tuple(_figures(knowledge, ev, therapy, site)))
    return found[1]


def _figures(knowledge: Knowledge, ev: "Evaluator", therapy: str, site: str) -> list:
    out = []
    for trial in knowledge.evidence.for_therapy(therapy, site):
        if not at_line(trial.setting, ev.facts):
            continue
        e = trial.primary()
        if e is None:
            continue
        out.append(
            EvidenceFigure(
                trial.id, trial.trial, trial.analysis, trial.population, e.name, e.unit,
                e.treatment, e.control, e.hr, e.hr_ci95, e.p, trial.n, ev.cite(trial.sources),
                e.treatment_text, e.control_text, trial.comparator, e.treatment_ci95, e.control_ci95,
            )
        )
    return out


def survival_context(knowledge: Knowledge, ev: "Evaluator", case: Case) -> list:
    """SEER 5-year survival for the case's stage and grade, where a table covers its site."""
    stage, grade = case.tumor.get("stage"), case.tumor.get("grade")
    out = []
    for table in knowledge.evidence.survival:
        if case.site not in table.sites:
            continue
        row = table.lookup(stage, grade) or table.lookup(stage, None)
        if row is None:
            continue
        which = f"grade {row[1]}" if row[1] else "all grades (grade not stated)" if grade is None else f"all grades (no row for grade {grade})"
        text = f"{table.title}: {row[2]:g}% for {stage} disease, {which}"
        out.append(Notice(table.id, text, ("tumor.stage", "tumor.grade"), ev.cite(table.sources)))
    return out
