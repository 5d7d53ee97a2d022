"""The objects the engine reads: sources, therapies and their catalogue, rules,
recommendations, site groups, guidelines, and the Knowledge one advice run uses.

Frozen values, built from the data files by the builders (*_file.py) and picked
by library.py; trial evidence is in evidence.py.
"""

from datetime import date
from typing import NamedTuple

from ..base.dates import PartialDate
from ..base.errors import did_you_mean
from ..base.fields import INVALID, Str, alias_key
from ..base.memo import remember
from .conditions import Cond
from .evidence import Evidence

ID = r"[a-z0-9]+(?:[-.][a-z0-9]+)*"
ROUTES = ("oral", "intravenous", "intramuscular", "deep-subcutaneous", "subcutaneous", "intra-arterial",
          "procedure", "external-beam", "varies", "none")
SEVERITIES = ("warning", "info")
IF_UNKNOWN = ("exclude", "caution", "ignore")
IF_FALSE = ("exclude", "caution")
# Who places an option: this guideline's text, an FDA label only, a reported practice, or
# another guideline body (where this one's position is not stated in the sources).
BASES = ("guideline", "label", "practice", "other-guideline")


class Source(NamedTuple):
    id: str
    citation: str
    kind: str
    reliability: str
    url: str | None = None
    note: str | None = None


class Rule(NamedTuple):
    """A conditional statement from the data, with its words and sources.

    The list a rule sits in gives it its meaning: a requirement, an exclusion,
    a caution, a category rule, a scope rule, a notice or a ranking factor.
    """

    code: str
    cond: Cond | None  # None: always holds
    text: str
    sources: tuple = ()
    severity: str = "warning"
    if_unknown: str = "exclude"
    if_false: str = "exclude"  # requirements and limits: exclude, or only caution (off-label)
    settle: str | None = None  # what would settle an unknown fact ("obtain SSTR PET")
    quote: str | None = None
    category: str | None = None  # category rules
    effect: int = 0  # ranking factors: +1 earlier, -1 later
    therapies: frozenset = frozenset()  # guideline-level rules: which therapies they touch
    classes: frozenset = frozenset()
    site_groups: frozenset = frozenset()
    intents: frozenset = frozenset()
    demotes: bool = False  # cautions: move the candidate down, not only annotate it
    basis: str = "guideline"  # ranking factors: a guideline's statement, or one author's practice

    def targets(self, therapy: "Therapy", site_group: str | None, intent: str | None) -> bool:
        if (self.therapies or self.classes) and therapy.id not in self.therapies and therapy.cls not in self.classes:
            return False
        if self.site_groups and site_group not in self.site_groups:
            return False
        if self.intents and intent not in self.intents:
            return False
        return True


class ToxicityRate(NamedTuple):
    event: str
    percent: float | None  # None: the sources give no figure
    grades: str
    cohort: str  # pnet | epnet | all
    population: str
    sources: tuple


class Approval(NamedTuple):
    indication: str
    date: PartialDate
    sources: tuple
    covers: Cond | None = None  # which cases the approval labels; None: every NET case


class TherapyClass(NamedTuple):
    id: str
    name: str
    antitumor: bool  # counts as a prior systemic antitumour line


class Therapy(NamedTuple):
    id: str
    name: str
    cls: str
    routes: tuple
    aliases: tuple = ()
    indication: str | None = None  # FDA-labelled NET indication, in words
    indication_sources: tuple = ()
    approvals: tuple = ()
    limits: tuple = ()  # Rules that must hold wherever the therapy is offered
    cautions: tuple = ()
    toxicities: tuple = ()
    notes: str | None = None
    sources: tuple = ()

    def toxicities_for(self, cohort: str) -> list:
        """Rates for a cohort (pnet/epnet); an event without one falls back to 'all'."""
        chosen: dict = {}
        for rate in self.toxicities:
            if rate.cohort == cohort or (rate.cohort == "all" and rate.event not in chosen):
                chosen[rate.event] = rate
        return list(chosen.values())


class Recommendation(NamedTuple):
    id: str
    therapy: str
    site_group: str
    intent: str
    category: str | None
    preference: str | None
    basis: str
    requires: tuple = ()
    excluded_if: tuple = ()
    category_rules: tuple = ()
    cautions: tuple = ()
    notes: str | None = None
    sources: tuple = ()
    quote: str | None = None
    order: int = 0
    in_table: bool = True  # this version's own table is known to list it (so NCCN's default category applies)
    level: str | None = None  # the body's own mark ([II, B], A-1b), as its source prints it
    wording: str | None = None  # the body's own name for the option, where netadvisor maps it onto a therapy
    translation: str | None = None  # netadvisor's English rendering of a carrier's non-English words
    carrier_wording: str | None = None  # the words of a secondary source that reports the statement


class SiteGroup(NamedTuple):
    id: str
    name: str
    sites: tuple
    cohort: str | None  # which trial cohort's figures apply: pnet or epnet; None: by the primary site
    when: Cond | None = None  # a pathway (WD G3, PDNEC) that applies only when this holds

    def cohort_for(self, site: str) -> str:
        return self.cohort or ("pnet" if site == "pancreas" else "epnet")


class Step(NamedTuple):
    """A point of the guideline's algorithm; its `first` options rank ahead of the rest."""

    id: str
    name: str
    site_groups: frozenset
    cond: Cond | None  # None: always (the last step of a pathway)
    first: tuple  # (therapy id, Cond | None): first in this order, where the condition holds
    text: str
    sources: tuple
    quote: str | None = None
    settle: str | None = None


class Exclusion(NamedTuple):
    """A therapy a guideline names for a site group but does not recommend there."""

    therapy: str
    site_group: str
    code: str
    text: str
    sources: tuple


class Guideline(NamedTuple):
    id: str
    version: str
    title: str
    source: str
    effective: date
    until: date | None
    site_groups: tuple
    scope: tuple
    notices: tuple
    recommendations: tuple
    not_recommended: tuple
    cautions: tuple
    factors: tuple
    rank_order: tuple
    severe_toxicity_grade: int
    sources: tuple
    notes: str | None
    file: str
    default_category: Rule | None = None  # NCCN: category 2A unless otherwise indicated
    steps: tuple = ()
    demote_toxicity_grade: int | None = None  # a same-class prior toxicity of this grade moves a candidate down
    effective_written: str = ""  # as the data writes it (2021: a year only; in force from its last day)
    short_name: str = ""  # a column heading when bodies are compared (ESMO 2021)
    scheme_id: str | None = None  # its evidence scheme (guidelines/bodies.yaml)
    scheme: object = None  # the EvidenceScheme, resolved on load where levels are written or ranked
    secondary: bool = False  # read only in secondary sources (reviews, transcriptions, aggregators)
    not_found: tuple = ()  # what was looked for in the sources and not found
    not_encoded: tuple = ()  # what was read but is not encoded, and why

    def covers(self, site: str) -> bool:
        return any(site in g.sites for g in self.site_groups)

    def group_of(self, site: str, facts: dict | None = None) -> SiteGroup | None:
        """The first pathway whose condition holds for the case, else the site's group.

        A pathway whose condition is unknown is passed over: the scope rules say
        what cannot be told (differentiation not stated, say)."""
        for group in self.site_groups:
            if site in group.sites and (group.when is None or (facts is not None and group.when.eval(facts) is True)):
                return group
        return None

    def therapies_for(self, group: str) -> list:
        """Every therapy the guideline knows for a site group, in listing order."""
        seen: dict = {}
        for rec in self.recommendations:
            if rec.site_group == group:
                seen.setdefault(rec.therapy, None)
        for item in self.not_recommended:
            if item.site_group == group:
                seen.setdefault(item.therapy, None)
        return list(seen)

    def in_force(self, when: date) -> bool:
        return self.effective <= when and (self.until is None or when < self.until)


class Catalogue(NamedTuple):
    classes: dict
    therapies: dict
    progression_rules: tuple  # Rules whose `therapies` are the 'after' set; `classes` unused
    progression_excludes: dict  # therapy id progressed on -> {excluded id: Rule}
    related_events: tuple  # (name, frozenset of events)
    avoid_groups: dict  # avoid word -> {"classes", "therapies", "routes"}
    aliases: dict  # normalized name -> therapy id

    def resolve(self, name: str) -> str:
        """A therapy id from an id, display name or alias; ValueError with a suggestion."""
        key = alias_key(name)
        if key in self.aliases:
            return self.aliases[key]
        suggestion = did_you_mean(key, list(self.therapies) + [alias_key(a) for t in self.therapies.values() for a in t.aliases])
        for t in self.therapies.values():  # show ids, not squashed aliases
            for alias in t.aliases:
                suggestion = suggestion.replace(f"'{alias_key(alias)}'", f"'{t.id}'")
        raise ValueError(f"unknown therapy '{name}'{suggestion}; `netadvisor therapies` lists the catalogue")

    def therapy_spec(self) -> Str:
        """The case-file spec of a therapy name, bound to this catalogue (one per catalogue)."""
        spec = _THERAPY_SPECS.get(id(self))
        if spec is None or spec.catalogue is not self:
            spec = _THERAPY_SPECS[id(self)] = _TherapyName(self)
        return spec

    def related(self, event: str) -> frozenset:
        for _, events in self.related_events:
            if event in events:
                return events
        return frozenset([event])

    def related_rates(self, therapy: Therapy, cohort: str, event: str) -> tuple:
        """The therapy's rates for the cohort (toxicities_for) of the events related to `event`,
        remembered: asked for every prior toxicity and candidate therapy of every case."""
        key = (id(self), id(therapy), cohort, event)
        found = _RELATED_RATES.get(key)
        if found is None or found[0] is not self or found[1] is not therapy:
            related = self.related(event)
            rates = tuple(r for r in therapy.toxicities_for(cohort) if r.event in related)
            found = remember(_RELATED_RATES, key, (self, therapy, rates))
        return found[2]


_RELATED_RATES: dict = {}  # (id(catalogue), id(therapy), cohort, event) -> (catalogue, therapy, rates)


_THERAPY_SPECS: dict = {}


class _TherapyName(Str):
    def __init__(self, catalogue: Catalogue):
        super().__init__(doc="therapy id or a known alias/brand name (case-insensitive)")
        self.catalogue = catalogue

    def check(self, value, path, problems):
        if not isinstance(value, str):
            problems.append((path, f"expected a therapy name, got {value!r}"))
            return INVALID
        try:
            return self.catalogue.resolve(value)
        except ValueError as exc:
            problems.append((path, str(exc)))
            return INVALID

    def json_schema(self):
        # Not an enum: names match ignoring case and punctuation, which an enum cannot say.
        therapies = self.catalogue.therapies.values()
        return self._schema(
            {"type": "string", "minLength": 1, "examples": [t.id for t in therapies] + [a for t in therapies for a in t.aliases]}
        )


class Knowledge(NamedTuple):
    guideline: Guideline
    catalogue: Catalogue
    sources: dict
    digest: str  # sha256 over the data files used: any edit changes it
    warnings: tuple = ()  # (code, text) about the choice of guideline
    evidence: Evidence = Evidence()

    def cite(self, ids) -> list:
        return [self.sources[i].citation for i in ids]


def display_names(catalogue: "Catalogue", guideline: "Guideline | None" = None) -> dict:
    """{vocabulary: {value: display name}} for the vocabularies facts draw on."""
    return {
        "therapies": {tid: t.name for tid, t in catalogue.therapies.items()},
        "classes": {cid: c.name for cid, c in catalogue.classes.items()},
        "site_groups": {g.id: g.name for g in guideline.site_groups} if guideline else {},
    }
