"""Guideline and therapy data: load the YAML under guidelines/, validate it, and
build the frozen objects the engine reads.

A data folder holds typed documents, each with a top-level `kind`:
  sources    the citation registry every other document points into
  therapies  the therapy catalogue: classes, names and aliases, labels, toxicities
  guideline  one guideline body and version: site groups and recommendations

Everything is checked on load. A problem is reported with the file, the item's
id and the key (`recommendations[pnet-cabozantinib].category: ...`), and
stops the run with exit code 2.
"""

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

from .base import vocab
from .base.dates import PartialDate, parse_full_date
from .base.documents import DATA_MAX_BYTES, decode, parse_text, read_bytes
from .base.errors import GuidelineError, InputError, Problem, UsageError, did_you_mean
from .base.fields import (
    INVALID,
    Bool,
    Custom,
    Field,
    ListOf,
    MapOf,
    Num,
    OneOf,
    Raw,
    Record,
    Str,
    alias_key,
    check_limited,
    format_path,
    is_mapping,
    is_str,
)
from .conditions import Compiler, Cond, Ref

try:  # hashlib's OpenSSL binding costs ~2 ms of start-up; the builtin module does not
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import sha256

ID = r"[a-z0-9]+(?:[-.][a-z0-9]+)*"
ROUTES = ("oral", "intravenous", "intramuscular", "deep-subcutaneous", "subcutaneous", "intra-arterial",
          "procedure", "external-beam", "varies")
SEVERITIES = ("warning", "info")
IF_UNKNOWN = ("exclude", "caution", "ignore")
IF_FALSE = ("exclude", "caution")
BASES = ("guideline", "label", "practice")
# Toxicity words the catalogue may use beyond the case vocabulary.
CATALOGUE_EVENTS = vocab.TOXICITY_EVENTS + ("any", "hematologic", "constipation", "cholelithiasis")


# -- objects the engine reads --------------------------------------------------


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


class SiteGroup(NamedTuple):
    id: str
    name: str
    sites: tuple
    cohort: str  # which trial cohort's figures apply: pnet or epnet


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

    def group_of(self, site: str) -> SiteGroup | None:
        for group in self.site_groups:
            if site in group.sites:
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


class Figure(float):
    """A number as its source prints it: HR 0.40 keeps its trailing zero on screen.

    It is a float everywhere else (comparisons, JSON output). Write a figure as a
    string in the data ("0.40") where the printed form has trailing zeros.
    """

    def __new__(cls, value, text: str):
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self):  # picklable, for batch worker processes
        return (Figure, (float(self), self.text))

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return self.text if spec in ("", "g") else float.__format__(self, spec)


def _figure(value):
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return Figure(value, str(value))
    if isinstance(value, str):
        try:
            return Figure(float(value), value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a number (or a number in quotes to keep its trailing zeros), got {value!r}")


class Endpoint(NamedTuple):
    name: str  # PFS, OS, TTP, ORR, ...
    role: str  # primary | secondary | other
    unit: str  # months | percent
    treatment: float | None = None
    treatment_text: str | None = None  # "not reached" where the source gives no number
    treatment_ci95: tuple | None = None
    control: float | None = None
    control_text: str | None = None
    control_ci95: tuple | None = None
    hr: float | None = None
    hr_ci95: tuple | None = None
    p: str | None = None
    note: str | None = None


class Trial(NamedTuple):
    """One analysis of one trial: a cohort, a data cut or one source's figures."""

    id: str
    trial: str
    analysis: str
    population: str
    therapies: tuple
    sites: frozenset  # primary sites the analysis population covers
    endpoints: tuple
    sources: tuple
    comparator: str | None = None
    design: str | None = None
    n: int | None = None
    arms: tuple = ()  # dicts: label, role, n
    subgroups: tuple = ()  # dicts: factor, level, events/n per arm, hr, hr_ci95
    responses: tuple = ()  # dicts: response, n and percent per arm
    notes: str | None = None

    def primary(self) -> "Endpoint | None":
        return next((e for e in self.endpoints if e.role == "primary"), None)


class SurvivalTable(NamedTuple):
    id: str
    title: str
    measure: str
    sites: frozenset
    rows: tuple  # (stage, grade or None, percent)
    sources: tuple
    notes: str | None = None

    def lookup(self, stage: str | None, grade: int | None) -> tuple | None:
        for row in self.rows:
            if row[0] == stage and row[1] == grade:
                return row
        return None


class Evidence(NamedTuple):
    trials: tuple = ()
    survival: tuple = ()

    def for_therapy(self, therapy: str, site: str | None = None) -> list:
        """Analyses of a therapy, those covering `site` (if given) first in file order."""
        return [t for t in self.trials if therapy in t.therapies and (site is None or site in t.sites)]


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


# -- schemas of the data files -------------------------------------------------

_text = Str(max_len=20_000)
_id = Str(pattern=ID)


def _date(value):
    return parse_full_date(value)


def _partial(value):
    return PartialDate.parse(value)


def _sources_field(source_ids):
    return Field(ListOf(Str(choices=lambda: source_ids)), required=False)


def _rule_fields(source_ids, **extra) -> dict:
    return {
        "code": Field(_id, required=True),
        "when": Field(Raw()),
        "text": Field(_text, required=True),
        "severity": Field(Str(choices=SEVERITIES)),
        "if_unknown": Field(Str(choices=IF_UNKNOWN)),
        "if_false": Field(Str(choices=IF_FALSE)),
        "settle": Field(_text),
        "quote": Field(_text),
        "sources": _sources_field(source_ids),
        **extra,
    }


SOURCES_SPEC = Record(
    {
        "kind": Field(Str(choices=("sources",)), required=True),
        "sources": Field(
            MapOf(
                _id,
                Record(
                    {
                        "citation": Field(_text, required=True),
                        "kind": Field(Str(choices=("guideline", "label", "trial", "review", "registry", "expert", "policy")), required=True),
                        "reliability": Field(Str(choices=("primary", "secondary")), required=True),
                        "url": Field(_text),
                        "note": Field(_text),
                    }
                ),
            ),
            required=True,
        ),
    }
)


def therapies_spec(source_ids, class_ids, therapy_ids) -> Record:
    rule = Record(_rule_fields(source_ids, intents=Field(ListOf(Str(choices=vocab.INTENTS)))))
    toxicity = Record(
        {
            "event": Field(Str(choices=CATALOGUE_EVENTS), required=True),
            "percent": Field(Num(0, 100)),
            "grades": Field(Str(), required=True),
            "cohort": Field(Str(choices=("pnet", "epnet", "all")), required=True),
            "population": Field(_text, required=True),
            "sources": _sources_field(source_ids),
        }
    )
    therapy = Record(
        {
            "id": Field(_id, required=True),
            "name": Field(Str(), required=True),
            "aliases": Field(ListOf(Str())),
            "class": Field(Str(choices=lambda: class_ids), required=True),
            "routes": Field(ListOf(Str(choices=ROUTES)), required=True),
            "indication": Field(_text),
            "indication_sources": _sources_field(source_ids),
            "approvals": Field(
                ListOf(
                    Record(
                        {
                            "indication": Field(_text, required=True),
                            "date": Field(Custom(_partial, {"type": "string"}), required=True),
                            "covers": Field(Raw()),
                            "sources": _sources_field(source_ids),
                        }
                    )
                )
            ),
            "limits": Field(ListOf(rule)),
            "cautions": Field(ListOf(rule)),
            "toxicities": Field(ListOf(toxicity)),
            "notes": Field(_text),
            "sources": _sources_field(source_ids),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("therapies",)), required=True),
            "classes": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(_id, required=True),
                            "name": Field(Str(), required=True),
                            "antitumor": Field(Bool(), required=True),
                        }
                    )
                ),
                required=True,
            ),
            "therapies": Field(ListOf(therapy), required=True),
            "progression_rules": Field(
                ListOf(
                    Record(
                        {
                            "code": Field(_id, required=True),
                            "after": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
                            "excludes": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
                            "text": Field(_text, required=True),
                            "sources": _sources_field(source_ids),
                        }
                    )
                )
            ),
            "related_events": Field(
                MapOf(Str(), ListOf(Str(choices=CATALOGUE_EVENTS)))
            ),
            "avoid_groups": Field(
                MapOf(
                    Str(choices=vocab.AVOID),
                    Record(
                        {
                            "classes": Field(ListOf(Str(choices=lambda: class_ids))),
                            "therapies": Field(ListOf(Str(choices=lambda: therapy_ids))),
                            "routes": Field(ListOf(Str(choices=ROUTES))),
                        }
                    ),
                )
            ),
        }
    )


def guideline_spec(source_ids, therapy_ids, class_ids, group_ids, shared_ids) -> Record:
    targets = {
        "therapies": Field(ListOf(Str(choices=lambda: therapy_ids))),
        "classes": Field(ListOf(Str(choices=lambda: class_ids))),
        "site_groups": Field(ListOf(Str(choices=lambda: group_ids))),
        "intents": Field(ListOf(Str(choices=vocab.INTENTS))),
    }
    rule = Record(_rule_fields(source_ids))
    rule_or_name = OneOf(
        [(is_str, Str(choices=lambda: shared_ids)), (is_mapping, rule)],
        expected="a rule or the name of one of shared_rules",
    )
    category_rule = Record(_rule_fields(source_ids, category=Field(Str(choices=vocab.CATEGORIES), required=True)))
    targeted_rule = Record(_rule_fields(source_ids, **targets))
    factor = Record(_rule_fields(source_ids, effect=Field(Num(-3, 3, integer=True), required=True), **targets))
    recommendation = Record(
        {
            "id": Field(_id, required=True),
            "therapy": Field(Str(choices=lambda: therapy_ids), required=True),
            "site_group": Field(Str(choices=lambda: group_ids), required=True),
            "intent": Field(Str(choices=vocab.INTENTS), required=True),
            "category": Field(Str(choices=vocab.CATEGORIES)),
            "preference": Field(Str(choices=vocab.PREFERENCES)),
            "basis": Field(Str(choices=BASES), required=True),
            "requires": Field(ListOf(rule_or_name)),
            "excluded_if": Field(ListOf(rule_or_name)),
            "category_rules": Field(ListOf(category_rule)),
            "cautions": Field(ListOf(rule_or_name)),
            "notes": Field(_text),
            "quote": Field(_text),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("guideline",)), required=True),
            "id": Field(_id, required=True),
            "version": Field(Str(), required=True),
            "title": Field(Str(), required=True),
            "source": Field(Str(), required=True),
            "effective": Field(Custom(_date, {"type": "string"}), required=True),
            "until": Field(Custom(_date, {"type": "string"})),
            "notes": Field(_text),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
            "site_groups": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(_id, required=True),
                            "name": Field(Str(), required=True),
                            "sites": Field(ListOf(Str(choices=vocab.SITES)), required=True),
                            "cohort": Field(Str(choices=("pnet", "epnet")), required=True),
                        }
                    )
                ),
                required=True,
            ),
            "definitions": Field(MapOf(_id, Record({"text": Field(_text, required=True), "when": Field(Raw(), required=True)}))),
            "shared_rules": Field(MapOf(_id, rule)),
            "policy": Field(Record({"severe_toxicity_grade": Field(Num(1, 5, integer=True), required=True)}), required=True),
            "scope": Field(ListOf(rule)),
            "notices": Field(ListOf(rule)),
            "cautions": Field(ListOf(targeted_rule)),
            "ranking": Field(
                Record(
                    {
                        "order": Field(ListOf(Str(choices=RANK_KEYS)), required=True),
                        "factors": Field(ListOf(factor)),
                    }
                ),
                required=True,
            ),
            "recommendations": Field(ListOf(recommendation), required=True),
            "not_recommended": Field(
                ListOf(
                    Record(
                        {
                            "therapy": Field(Str(choices=lambda: therapy_ids), required=True),
                            "site_group": Field(Str(choices=lambda: group_ids), required=True),
                            "code": Field(_id, required=True),
                            "text": Field(_text, required=True),
                            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
                        }
                    )
                )
            ),
        }
    )


def evidence_spec(source_ids, therapy_ids, set_names) -> Record:
    number = Custom(_figure, {"type": ["number", "string"]})
    ci = ListOf(Custom(_figure_or_none, {"type": ["number", "string", "null"]}), max_items=2)
    site_or_set = Str(choices=lambda: list(vocab.SITES) + set_names)
    endpoint = Record(
        {
            "name": Field(Str(), required=True),
            "role": Field(Str(choices=("primary", "secondary", "other")), required=True),
            "unit": Field(Str(choices=("months", "percent")), required=True),
            **{f"{arm}{key}": Field(spec) for arm in ("treatment", "control")
               for key, spec in (("", number), ("_text", _text), ("_ci95", ci))},
            "hr": Field(number),
            "hr_ci95": Field(ci),
            "p": Field(Str()),
            "note": Field(_text),
        }
    )
    count = Num(0, integer=True)
    trial = Record(
        {
            "id": Field(_id, required=True),
            "trial": Field(Str(), required=True),
            "analysis": Field(_text, required=True),
            "population": Field(_text, required=True),
            "design": Field(_text),
            "therapies": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
            "comparator": Field(Str()),
            "sites": Field(ListOf(site_or_set), required=True),
            "n": Field(count),
            "arms": Field(ListOf(Record({"label": Field(_text, required=True), "role": Field(Str(choices=("treatment", "control")), required=True), "n": Field(count)}))),
            "endpoints": Field(ListOf(endpoint), required=True),
            "subgroups": Field(ListOf(Record({
                "factor": Field(Str(), required=True), "level": Field(Str(), required=True),
                "treatment_events": Field(count), "treatment_n": Field(count),
                "control_events": Field(count), "control_n": Field(count),
                "hr": Field(number), "hr_ci95": Field(ci),
            }))),
            "responses": Field(ListOf(Record({
                "response": Field(Str(), required=True),
                "treatment_n": Field(count), "treatment_percent": Field(Num(0, 100)),
                "control_n": Field(count), "control_percent": Field(Num(0, 100)),
            }))),
            "notes": Field(_text),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    survival = Record(
        {
            "id": Field(_id, required=True),
            "title": Field(_text, required=True),
            "measure": Field(Str(), required=True),
            "sites": Field(ListOf(site_or_set), required=True),
            "rows": Field(ListOf(Record({
                "stage": Field(Str(choices=vocab.STAGES), required=True),
                "grade": Field(Num(1, 3, integer=True)),
                "percent": Field(number, required=True),
            })), required=True),
            "notes": Field(_text),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("evidence",)), required=True),
            "site_sets": Field(MapOf(_id, ListOf(Str(choices=vocab.SITES)))),
            "trials": Field(ListOf(trial), required=True),
            "survival": Field(ListOf(survival)),
        }
    )


def _figure_or_none(value):
    return None if value is None else _figure(value)


# The steps candidates are sorted by, in the order the guideline data lists them.
RANK_KEYS = ("intent", "category", "preference", "factors", "preference-conflicts", "warnings", "listing")


# -- loading ---------------------------------------------------------------------


def shipped_dir() -> Path:
    """The guideline data: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "guidelines", here.parent / "guidelines"):
        if candidate.is_dir():
            return candidate
    raise GuidelineError([Problem(str(here), "", "the shipped guideline data is missing from this installation")])


_PARSER_VERSION = b"netadvisor-yaml-2"  # change when the strict loader refuses or reads anything differently


def _cache_dir() -> Path | None:
    if os.environ.get("NETADVISOR_NO_CACHE"):
        return None
    base = os.environ.get("NETADVISOR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "netadvisor"
    )
    return Path(base)


def parse_cached(raw: bytes, name: str):
    """Parse guideline YAML, reusing an earlier parse of the same bytes.

    YAML parsing is most of the start-up cost of a run; the parsed document is
    plain data (the strict loader makes no dates or objects), so it is kept as
    JSON under a name derived from the file's content and read back in ~1 ms.
    Validation still runs on every load. Any cache problem just means a re-parse.
    """
    folder = _cache_dir()
    entry = folder / (sha256(_PARSER_VERSION + raw).hexdigest() + ".json") if folder else None
    if entry is not None:
        try:
            return json.loads(entry.read_bytes())
        except (OSError, ValueError):
            pass
    data = parse_text(decode(raw, name), "yaml")
    if entry is not None:
        try:
            text = json.dumps(data)
            if json.loads(text) == data:  # only plain data that survives the round trip
                folder.mkdir(parents=True, exist_ok=True)
                tmp = entry.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, entry)
        except (OSError, TypeError, ValueError):
            pass
    return data


class _Reader:
    """Collects documents by kind and every problem found in them."""

    def __init__(self):
        self.documents: dict = {"sources": [], "therapies": [], "guideline": [], "evidence": []}
        self.problems: list = []
        self.hash = sha256()

    def add_file(self, path: Path):
        self.add_bytes(str(path), read_bytes(path, DATA_MAX_BYTES))

    def add_bytes(self, name: str, raw: bytes):
        """One document, as read from the file `name`."""
        self.hash.update(Path(name).name.encode() + b"\0" + raw)
        try:
            data = parse_cached(raw, name)
        except ValueError as exc:
            self.problems.append(Problem(name, "", str(exc)))
            return
        except InputError as exc:  # not UTF-8 text
            self.problems.extend(exc.problems)
            return
        kind = data.get("kind") if isinstance(data, dict) else None
        if not isinstance(kind, str) or kind not in self.documents:
            self.problems.append(
                Problem(name, "kind", f"expected one of {', '.join(self.documents)}, got {kind!r}")
            )
            return
        self.documents[kind].append((name, data))

    def check(self, file: str, spec, data, label_items=None):
        checked, raw = check_limited(spec, data)
        for path, message in raw:
            self.problems.append(Problem(file, _name_items(format_path(path), data), message))
        return checked


def _name_items(path: str, data) -> str:
    """recommendations[3].category -> recommendations[pnet-cabozantinib].category"""

    def repl(match):
        key, index = match.group(1), int(match.group(2))
        items = data.get(key) if isinstance(data, dict) else None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            ident = items[index].get("id") or items[index].get("therapy")
            if isinstance(ident, str):
                return f"{key}[{ident}]"
        return match.group(0)

    return re.sub(r"^(\w+)\[(\d+)\]", repl, path)


def read_folder(folder: Path, fallback: Path | None = None) -> _Reader:
    reader = _Reader()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    for path in files:
        reader.add_file(path)
    if fallback is not None:
        for kind in ("sources", "therapies", "evidence"):
            if not reader.documents[kind]:
                for path in sorted(fallback.glob("*.yaml")):
                    if _kind_of(path) == kind:
                        reader.add_file(path)
    return reader


def _kind_of(path: Path) -> str | None:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("kind:"):
                return line.split(":", 1)[1].strip()
    return None


def _one(reader: _Reader, kind: str, folder: Path):
    docs = reader.documents[kind]
    if len(docs) != 1:
        where = ", ".join(f for f, _ in docs) or str(folder)
        reader.problems.append(Problem(where, "kind", f"expected exactly one '{kind}' document, found {len(docs)}"))
        return None, None
    return docs[0]


def build_sources(reader, file, data) -> dict:
    checked = reader.check(file, SOURCES_SPEC, data)
    if checked is INVALID:
        return {}
    return {sid: Source(sid, **item) for sid, item in checked["sources"].items()}


def _rules(items, compiler, file, where, problems, shared=None, **defaults) -> tuple:
    out = []
    for i, item in enumerate(items or []):
        if isinstance(item, str):  # the name of a shared rule
            out.append(shared[item])
            continue
        cond = None
        if item.get("when") is not None:
            raw: list = []
            cond = compiler.compile(item["when"], f"{where}[{item.get('code', i)}].when", raw)
            problems.extend(Problem(file, p, m) for p, m in raw)
        out.append(
            Rule(
                code=item["code"],
                cond=cond,
                text=item["text"],
                sources=tuple(item.get("sources", ())),
                severity=item.get("severity", defaults.get("severity", "warning")),
                if_unknown=item.get("if_unknown", defaults.get("if_unknown", "exclude")),
                if_false=item.get("if_false", "exclude"),
                settle=item.get("settle"),
                quote=item.get("quote"),
                category=item.get("category"),
                effect=item.get("effect", 0),
                therapies=frozenset(item.get("therapies", ())),
                classes=frozenset(item.get("classes", ())),
                site_groups=frozenset(item.get("site_groups", ())),
                intents=frozenset(item.get("intents", ())),
            )
        )
    return tuple(out)


def _condition(compiler, data, file, where, problems):
    if data is None:
        return None
    raw: list = []
    cond = compiler.compile(data, where, raw)
    problems.extend(Problem(file, p, m) for p, m in raw)
    return cond


def _ids(items) -> list:
    """The ids of a list of items, before validation: only the ones that are text
    (the rest are reported by the validation these ids are for)."""
    if not isinstance(items, list):
        return []
    return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]


def build_catalogue(reader, file, data, source_ids) -> Catalogue | None:
    class_ids: list = []
    therapy_ids: list = []
    if isinstance(data, dict):
        class_ids = _ids(data.get("classes"))
        therapy_ids = _ids(data.get("therapies"))
    checked = reader.check(file, therapies_spec(source_ids, class_ids, therapy_ids), data)
    if checked is INVALID:
        return None
    problems = reader.problems
    compiler = Compiler({"therapies": therapy_ids, "classes": class_ids})
    classes = {c["id"]: TherapyClass(c["id"], c["name"], c["antitumor"]) for c in checked["classes"]}
    therapies: dict = {}
    aliases: dict = {}
    for item in checked["therapies"]:
        tid = item["id"]
        where = f"therapies[{tid}]"
        if tid in therapies:
            problems.append(Problem(file, where, "duplicate therapy id"))
        for name in [tid, item["name"], *item.get("aliases", [])]:
            key = alias_key(name)
            if aliases.get(key, tid) != tid:
                problems.append(Problem(file, f"{where}.aliases", f"'{name}' also names '{aliases[key]}'"))
            aliases[key] = tid
        therapies[tid] = Therapy(
            id=tid,
            name=item["name"],
            cls=item["class"],
            routes=tuple(item["routes"]),
            aliases=tuple(item.get("aliases", ())),
            indication=item.get("indication"),
            indication_sources=tuple(item.get("indication_sources", ())),
            approvals=tuple(
                Approval(a["indication"], a["date"], tuple(a.get("sources", ())),
                         _condition(compiler, a.get("covers"), file, f"{where}.approvals[{i}].covers", problems))
                for i, a in enumerate(item.get("approvals", []))
            ),
            limits=_rules(item.get("limits"), compiler, file, f"{where}.limits", problems),
            cautions=_rules(item.get("cautions"), compiler, file, f"{where}.cautions", problems),
            toxicities=tuple(
                ToxicityRate(t["event"], t.get("percent"), t["grades"], t["cohort"], t["population"], tuple(t.get("sources", ())))
                for t in item.get("toxicities", [])
            ),
            notes=item.get("notes"),
            sources=tuple(item.get("sources", ())),
        )
    excludes: dict = {}
    rules = []
    for item in checked.get("progression_rules", []):
        rule = Rule(item["code"], None, item["text"], tuple(item.get("sources", ())), therapies=frozenset(item["after"]))
        rules.append(rule)
        for after in item["after"]:
            for excluded in item["excludes"]:
                if excluded != after:
                    excludes.setdefault(after, {})[excluded] = rule
    return Catalogue(
        classes=classes,
        therapies=therapies,
        progression_rules=tuple(rules),
        progression_excludes=excludes,
        related_events=tuple((name, frozenset(events)) for name, events in checked.get("related_events", {}).items()),
        avoid_groups=checked.get("avoid_groups", {}),
        aliases=aliases,
    )


def build_guideline(reader, file, data, source_ids, catalogue: Catalogue) -> Guideline | None:
    group_ids: list = []
    shared_ids: list = []
    if isinstance(data, dict):
        group_ids = _ids(data.get("site_groups"))
        shared = data.get("shared_rules")
        shared_ids = [name for name in shared if isinstance(name, str)] if isinstance(shared, dict) else []
    spec = guideline_spec(source_ids, list(catalogue.therapies), list(catalogue.classes), group_ids, shared_ids)
    checked = reader.check(file, spec, data)
    if checked is INVALID:
        return None
    problems = reader.problems
    vocabularies = {"therapies": list(catalogue.therapies), "classes": list(catalogue.classes), "site_groups": group_ids}
    compiler = Compiler(vocabularies)
    for name, item in checked.get("definitions", {}).items():
        raw: list = []
        cond = compiler.compile(item["when"], f"definitions[{name}].when", raw)
        problems.extend(Problem(file, p, m) for p, m in raw)
        if cond is not None:
            compiler.definitions[name] = Ref(name, cond, item["text"])
    shared = {
        name: _rules([item], compiler, file, "shared_rules", problems)[0]
        for name, item in checked.get("shared_rules", {}).items()
    }
    seen_groups: set = set()
    for group in checked["site_groups"]:
        overlap = seen_groups & set(group["sites"])
        if overlap:
            problems.append(Problem(file, f"site_groups[{group['id']}].sites", f"{', '.join(sorted(overlap))} already in another group"))
        seen_groups |= set(group["sites"])
    recommendations = []
    seen_ids: set = set()
    for order, item in enumerate(checked["recommendations"]):
        where = f"recommendations[{item['id']}]"
        if item["id"] in seen_ids:
            problems.append(Problem(file, where, "duplicate recommendation id"))
        seen_ids.add(item["id"])
        if not item["sources"]:
            problems.append(Problem(file, f"{where}.sources", "a recommendation needs at least one source"))
        recommendations.append(
            Recommendation(
                id=item["id"],
                therapy=item["therapy"],
                site_group=item["site_group"],
                intent=item["intent"],
                category=item.get("category"),
                preference=item.get("preference"),
                basis=item["basis"],
                requires=_rules(item.get("requires"), compiler, file, f"{where}.requires", problems, shared),
                excluded_if=_rules(item.get("excluded_if"), compiler, file, f"{where}.excluded_if", problems, shared),
                category_rules=_rules(item.get("category_rules"), compiler, file, f"{where}.category_rules", problems),
                cautions=_rules(item.get("cautions"), compiler, file, f"{where}.cautions", problems, shared),
                notes=item.get("notes"),
                sources=tuple(item["sources"]),
                quote=item.get("quote"),
                order=order,
            )
        )
    return Guideline(
        id=checked["id"],
        version=checked["version"],
        title=checked["title"],
        source=checked["source"],
        effective=checked["effective"],
        until=checked.get("until"),
        site_groups=tuple(SiteGroup(g["id"], g["name"], tuple(g["sites"]), g["cohort"]) for g in checked["site_groups"]),
        scope=_rules(checked.get("scope"), compiler, file, "scope", problems),
        notices=_rules(checked.get("notices"), compiler, file, "notices", problems, severity="info"),
        recommendations=tuple(recommendations),
        not_recommended=tuple(
            Exclusion(n["therapy"], n["site_group"], n["code"], n["text"], tuple(n["sources"]))
            for n in checked.get("not_recommended", [])
        ),
        cautions=_rules(checked.get("cautions"), compiler, file, "cautions", problems),
        factors=_rules(checked["ranking"].get("factors"), compiler, file, "ranking.factors", problems),
        rank_order=tuple(checked["ranking"]["order"]),
        severe_toxicity_grade=checked["policy"]["severe_toxicity_grade"],
        sources=tuple(checked["sources"]),
        notes=checked.get("notes"),
        file=file,
    )


def build_evidence(reader, file, data, source_ids, catalogue: Catalogue) -> Evidence:
    set_names = list((data or {}).get("site_sets") or {}) if isinstance(data, dict) and isinstance(data.get("site_sets"), dict) else []
    checked = reader.check(file, evidence_spec(source_ids, list(catalogue.therapies), set_names), data)
    if checked is INVALID:
        return Evidence()
    sets = checked.get("site_sets", {})

    def sites(items) -> frozenset:
        return frozenset(s for item in items for s in sets.get(item, [item]))

    trials = []
    seen: set = set()
    for item in checked["trials"]:
        if item["id"] in seen:
            reader.problems.append(Problem(file, f"trials[{item['id']}]", "duplicate trial id"))
        seen.add(item["id"])
        endpoints = tuple(
            Endpoint(**{k: (tuple(v) if k.endswith("_ci95") else v) for k, v in e.items()}) for e in item["endpoints"]
        )
        trials.append(
            Trial(
                id=item["id"], trial=item["trial"], analysis=item["analysis"], population=item["population"],
                therapies=tuple(item["therapies"]), sites=sites(item["sites"]), endpoints=endpoints,
                sources=tuple(item["sources"]), comparator=item.get("comparator"), design=item.get("design"),
                n=item.get("n"), arms=tuple(item.get("arms", ())), subgroups=tuple(item.get("subgroups", ())),
                responses=tuple(item.get("responses", ())), notes=item.get("notes"),
            )
        )
    survival = tuple(
        SurvivalTable(t["id"], t["title"], t["measure"], sites(t["sites"]),
                      tuple((r["stage"], r.get("grade"), r["percent"]) for r in t["rows"]),
                      tuple(t["sources"]), t.get("notes"))
        for t in checked.get("survival", [])
    )
    return Evidence(tuple(trials), survival)


class Library(NamedTuple):
    """Every guideline in a data folder, with the shared catalogue and sources."""

    guidelines: list
    catalogue: Catalogue
    sources: dict
    digest: str
    folder: Path
    evidence: Evidence = Evidence()
    files: dict = {}  # document kind -> the file it came from (sources, therapies, evidence)

    def pick(self, wanted: str | None, as_of: date) -> Knowledge:
        """The guideline `wanted` (an id, or id@version), or the one in force on as_of."""
        warnings = []
        if wanted:
            gid, _, version = wanted.partition("@")
            matches = [g for g in self.guidelines if g.id == gid and (not version or g.version == version)]
            if not matches:
                known = sorted({g.id for g in self.guidelines} | {f"{g.id}@{g.version}" for g in self.guidelines})
                raise UsageError(f"unknown guideline '{wanted}'{did_you_mean(wanted, known)}; shipped: {', '.join(known)}")
            pool = matches
        else:
            default = [g for g in self.guidelines if g.id == "nccn-net"] or self.guidelines
            pool = default
        in_force = [g for g in pool if g.in_force(as_of)]
        if in_force:
            chosen = max(in_force, key=lambda g: g.effective)
        else:
            chosen = min(pool, key=lambda g: abs((g.effective - as_of).days))
            warnings.append(
                (
                    "guideline-not-in-force",
                    f"no shipped version of {chosen.id} was in force on {as_of}; used {chosen.source} "
                    f"(effective {chosen.effective})",
                )
            )
        return Knowledge(chosen, self.catalogue, self.sources, self.digest, tuple(warnings), self.evidence)


_CACHE: dict = {}


def load_library(location: str | Path | None = None) -> Library:
    """Load and validate a data folder (default: the shipped one), or one guideline file."""
    shipped = shipped_dir()
    if location is None:
        folder, reader = shipped, None
    else:
        path = Path(location)
        if path.is_dir():
            folder, reader = path, read_folder(path, fallback=shipped)
        elif path.is_file():
            folder = path.parent
            reader = read_folder(shipped)
            reader.documents["guideline"] = []
            reader.add_file(path)
        else:
            raise UsageError(f"--guideline '{location}' is neither a shipped guideline id nor an existing file or folder")
    key = str(folder) if reader is None else None
    if key and key in _CACHE:
        return _CACHE[key]
    if reader is None:
        reader = read_folder(shipped)
    library = _build(reader, folder)
    if key:
        _CACHE[key] = library
    return library


def _build(reader: _Reader, folder: Path) -> Library:
    if reader.problems:
        raise GuidelineError(reader.problems)
    sfile, sdata = _one(reader, "sources", folder)
    tfile, tdata = _one(reader, "therapies", folder)
    if reader.problems:
        raise GuidelineError(reader.problems)
    sources = build_sources(reader, sfile, sdata)
    catalogue = build_catalogue(reader, tfile, tdata, list(sources))
    guidelines = []
    evidence = Evidence()
    if catalogue is not None:
        for efile, edata in reader.documents["evidence"][:1]:
            evidence = build_evidence(reader, efile, edata, list(sources), catalogue)
        if len(reader.documents["evidence"]) > 1:
            reader.problems.append(Problem(str(folder), "kind", "more than one 'evidence' document"))
        for gfile, gdata in reader.documents["guideline"]:
            guideline = build_guideline(reader, gfile, gdata, list(sources), catalogue)
            if guideline is not None:
                guidelines.append(guideline)
    if not reader.documents["guideline"]:
        reader.problems.append(Problem(str(folder), "", "no guideline document (kind: guideline) found"))
    if reader.problems:
        raise GuidelineError(reader.problems)
    files = {kind: docs[0][0] for kind, docs in reader.documents.items() if docs and kind != "guideline"}
    return Library(guidelines, catalogue, sources, reader.hash.hexdigest(), folder, evidence, files)


def load_knowledge(guideline: str | None, as_of: date) -> Knowledge:
    """--guideline ID|PATH (or nothing) to the Knowledge an advice run uses."""
    if guideline and (Path(guideline).exists() or "/" in guideline or guideline.endswith((".yaml", ".yml"))):
        return load_library(guideline).pick(None, as_of)
    return load_library().pick(guideline, as_of)
