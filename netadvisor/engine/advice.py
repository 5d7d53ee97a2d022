"""The result of advising on one case: frozen values that formatters render."""

from datetime import date
from typing import NamedTuple

DISCLAIMER = (
    "Decision support for clinicians, not a prescription: check every option against the "
    "full guideline, the current label and the patient."
)


class Reason(NamedTuple):
    """Why a therapy is a candidate, is excluded, or ranks where it does."""

    code: str
    text: str
    facts: tuple = ()  # case field paths the reason rests on
    unknown: tuple = ()  # case field paths that were not stated
    sources: tuple = ()  # source ids (Advice.sources has their citations)
    short: str = ""  # the rule's own words, without the case's facts (table headlines)


class Caution(NamedTuple):
    code: str
    severity: str  # warning | info
    text: str
    sources: tuple = ()
    demotes: bool = False  # moves the candidate down (a relative ineffectiveness, a prior grade 4 harm, ...)


class ToxicityFigure(NamedTuple):
    event: str
    percent: float | None  # None: the sources state no figure
    grades: str
    population: str
    sources: tuple


class EvidenceFigure(NamedTuple):
    """One endpoint of one trial analysis, as its source reports it."""

    trial_id: str
    trial: str
    analysis: str
    population: str
    endpoint: str
    unit: str
    treatment: float | None
    control: float | None
    hr: float | None
    hr_ci95: tuple | None
    p: str | None
    n: int | None
    sources: tuple
    treatment_text: str | None = None
    control_text: str | None = None
    comparator: str | None = None
    treatment_ci95: tuple | None = None  # 95% CI of each arm's median, where the source gives it (the chart's "not reached")
    control_ci95: tuple | None = None


class Candidate(NamedTuple):
    therapy: str
    name: str
    rank: int
    category: str | None
    preference: str | None
    intent: str
    recommendation: str
    basis: str
    reasons: tuple
    cautions: tuple
    toxicities: tuple
    citations: tuple
    evidence: tuple = ()
    tier: tuple = ()  # the ranking key without the listing order: equal tiers are tied
    category_origin: str | None = None  # stated (by the source) | default (NCCN: 2A unless indicated) | None
    guidelines: tuple = ()  # with --compare: each body's Position on it (engine/compare.py)


class Excluded(NamedTuple):
    therapy: str
    name: str
    reasons: tuple
    recommendations: tuple = ()
    guideline: str | None = None  # with --compare: the other body that lists it (the chosen one does not)


class Notice(NamedTuple):
    code: str
    text: str
    facts: tuple = ()
    sources: tuple = ()


class GuidelineStamp(NamedTuple):
    id: str
    version: str
    effective: date  # the day it is taken to be in force from
    source: str
    title: str
    digest: str
    effective_written: str = ""  # as the data writes it: "2021" when only the year is known

    @property
    def effective_shown(self) -> str:
        """The effective date as its source gives it ('2021'), else the day."""
        return self.effective_written or str(self.effective)


class Advice(NamedTuple):
    case_id: str
    case_source: str
    as_of: date
    guideline: GuidelineStamp
    summary: dict
    site_group_name: str | None
    candidates: tuple
    excluded: tuple
    warnings: tuple
    scope: Notice | None  # set when the case is outside the guideline's scope
    history: tuple = ()  # the case's Lines, for timelines
    therapy_names: dict = {}  # id -> display name, for timelines
    context: tuple = ()  # Notices that set the case in context (SEER survival)
    sources: dict = {}  # source id -> citation, for every id the items above cite
    step: Notice | None = None  # where the case stands in the guideline's algorithm (code: the step's id)
    other_options: tuple = ()  # with --compare: options only other bodies list, offered by one of them
    comparison: object = None  # with --compare: engine.compare.Comparison
    preferences: dict = {}  # the case's preferences as validated (avoid, clinical_trial_access, notes), for reports
    case_facts: dict = {}  # the case's patient, tumor and disease sections as validated, for the reports' case panel
