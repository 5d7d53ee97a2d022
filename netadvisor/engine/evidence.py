"""The trial evidence and survival figures that apply to a case: the analyses whose
population covers its primary site, and the SEER row for its stage and grade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.memo import remember
from ..inputs.case import Case
from ..knowledge.models import Knowledge
from .advice import EvidenceFigure, Notice

if TYPE_CHECKING:
    from .eligibility import Evaluator


def line_of(facts: dict) -> tuple | None:
    """(treated before, progressed on an SSA): all an analysis's setting is judged by; None when
    the history is not stated."""
    prior = facts.get("prior_systemic")
    return None if prior is None else (bool(prior), "ssa" in (facts.get("progressed_on_classes") or ()))


def at_line(setting: str | None, facts: dict) -> bool:
    """Whether an analysis's setting fits the line the case is at; a history not stated fits any."""
    return _fits(setting, line_of(facts))


def _fits(setting: str | None, line: tuple | None) -> bool:
    if setting is None or line is None:
        return True
    treated, after_ssa = line
    if setting == "first-line":
        return not treated
    if setting == "after-ssa":
        return after_ssa
    return treated  # previously-treated


_FIGURES: dict = {}  # (id(evidence), therapy, site, line) -> (evidence, figures): one tuple shared by every case at that line


def trial_evidence(knowledge: Knowledge, ev: "Evaluator", therapy: str, site: str) -> tuple:
    """The primary endpoint of every analysis whose population covers the case's site and line
    (NETTER-2, first line, is not shown after an SSA; NETTER-1, after an SSA, not at first line)."""
    line = line_of(ev.facts)
    key = (id(knowledge.evidence), therapy, site, line)
    found = _FIGURES.get(key)
    if found is None or found[0] is not knowledge.evidence:
        found = remember(_FIGURES, key, (knowledge.evidence, tuple(_figures(knowledge, ev, therapy, site, line))))
    return found[1]


def _figures(knowledge: Knowledge, ev: "Evaluator", therapy: str, site: str, line: tuple | None) -> list:
    out = []
    for trial in knowledge.evidence.for_therapy(therapy, site):
        if not _fits(trial.setting, line):
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
