"""What every resource reader shares: Concept and Entry, the mapper's state,
problems reported by entry and field, FHIR values read safely, and small helpers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from ...base.dates import PartialDate
from ...base.errors import Problem
from ...base.fields import _type_name, vocab_key
from .codes import ICD10CM, ICDO3, LOINC, MCODE, NCIT, RELATED_CONDITION_EXTENSION, RXNORM, SNOMED


class Concept(NamedTuple):
    """A CodeableConcept reduced to what matching needs."""

    codings: tuple  # of (system, code, display)
    text: str | None

    def codes(self, system: str) -> list:
        return [code for sys, code, _ in self.codings if sys == system and code]

    def words(self) -> list:
        """The human words: text first, then each coding's display."""
        return [w for w in [self.text, *(d for _, _, d in self.codings)] if w]

    def describe(self) -> str:
        coded = [f"{_system_name(s)} {c}" + (f" '{d}'" if d else "") for s, c, d in self.codings if c]
        if self.text:
            coded.append(f"'{self.text}'")
        return ", ".join(coded) or "(no code or text)"


class Entry(NamedTuple):
    index: int
    resource: dict
    at: str = ""  # the path of a contained resource; else the entry's own

    @property
    def type(self) -> str:
        return self.resource["resourceType"]

    @property
    def label(self) -> str:
        rid = self.resource.get("id")
        return f"{self.type}/{rid}" if isinstance(rid, str) else self.type

    @property
    def path(self) -> str:
        return self.at or f"entry[{self.index}].resource"


class _Observed(NamedTuple):
    """One candidate value for a case field, from one dated resource."""

    when: date | None
    value: object
    entry: Entry
    field: str


class MapperBase:
    """The state of one bundle's mapping; each resource kind's reader builds on it (bundle.py)."""

    def __init__(self, source: str, resolve_therapy):
        self.source = source
        self.resolve_therapy = resolve_therapy
        self.errors: list = []
        self.warnings: list = []
        self.observed: dict = {}  # case field -> [_Observed]
        self.tumor: dict = {}
        self.patient: dict = {}
        self.lines: list = []  # (entry, line dict)
        self.line_of: dict = {}  # reference key -> index into self.lines
        self.by_ref: dict = {}  # "Type/id" and fullUrl -> Entry
        self.patient_refs: set = set()
        self.primary: Entry | None = None
        self.other_primaries: set = set()  # reference keys of primary cancers that are not the NET
        self.secondaries: set = set()  # reference keys of the NET's metastases
        self.used_medications: set = set()
        self.verdict = None  # why the primary is a neuroendocrine neoplasm (neoplasm.Verdict)
        self.morphology: dict = {}  # Condition label -> ICD-O-3 concepts from linked Observations
        self.used_observations: set = set()  # id() of Observations read before their turn (morphology)
        self.assessments: set = set()  # references in the primary's stage.assessment: the tumour's
        self.summary_stage = None  # (stage, entry, field) from Condition.stage.summary
        self.morphology_grade = None  # (grade, entry) from ICD-O-3 8249/3
        self.trials: list = []  # trials.Trial
        self.used_studies: set = set()  # labels of ResearchStudy resources a ResearchSubject names

    # -- reporting ----------------------------------------------------------------------

    def error(self, entry: Entry | None, field: str, message: str):
        self.errors.append(self._problem(entry, field, message))

    def warn(self, entry: Entry | None, field: str, message: str):
        self.warnings.append(self._problem(entry, field, message))

    def _problem(self, entry, field, message) -> Problem:
        if entry is None:
            return Problem(self.source, field, message)
        path = f"{entry.path}.{field}" if field else entry.path
        return Problem(self.source, path, f"{entry.label}: {message}")

    # -- reading values safely ------------------------------------------------------------

    def get(self, entry: Entry, obj: dict, name: str, kind: type | tuple, where: str | None = None):
        """obj[name] if it has the JSON type expected, else None (and an error naming the field)."""
        value = obj.get(name)
        if value is None:
            return None
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float, (int, float)))
        if not ok:
            expected = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}.get(kind, "a number")
            self.error(entry, where or name, f"expected {expected}, got {_type_name(value)}")
            return None
        return value

    def items(self, entry: Entry, obj: dict, name: str, kind: type, where: str | None = None) -> list:
        """A list field whose items must all be of one kind; bad items are reported and skipped."""
        where = where or name
        out = []
        for i, item in enumerate(self.get(entry, obj, name, list, where) or []):
            if isinstance(item, kind) and not isinstance(item, bool):
                out.append(item)
            else:
                self.error(entry, f"{where}[{i}]", f"expected {'an object' if kind is dict else 'a string'}, got {_type_name(item)}")
        return out

    def concept(self, entry: Entry, value, where: str) -> Concept | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(entry, where, f"expected a CodeableConcept object, got {_type_name(value)}")
            return None
        codings = []
        for i, coding in enumerate(self.items(entry, value, "coding", dict, f"{where}.coding")):
            parts = [self.get(entry, coding, key, str, f"{where}.coding[{i}].{key}") for key in ("system", "code", "display")]
            codings.append(tuple(p.strip() if p else p for p in parts))
        text = self.get(entry, value, "text", str, f"{where}.text")
        return Concept(tuple(codings), text.strip() if text else None)

    def concepts(self, entry: Entry, obj: dict, name: str) -> list:
        return [c for i, v in enumerate(self.get(entry, obj, name, list) or []) if (c := self.concept(entry, v, f"{name}[{i}]"))]

    def reference(self, entry: Entry, value, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(entry, where, f"expected a Reference object, got {_type_name(value)}")
            return None
        return self.get(entry, value, "reference", str, f"{where}.reference")

    def when(self, entry: Entry, value, where: str) -> str | None:
        """A FHIR date or dateTime as the case format's YYYY, YYYY-MM or YYYY-MM-DD."""
        if value is None:
            return None
        m = re.fullmatch(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))?)?",
                         value) if isinstance(value, str) else None
        try:
            if not m:
                raise ValueError(f"expected a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime), got {_type_name(value)}")
            PartialDate.parse(m[1])
            if m[2] is not None:  # FHIR dateTime: hh 00-23, mm 00-59, ss 00-60 (a leap second), zone up to 14:00
                hour, minute, second, zone_h, zone_m = (int(g) if g else 0 for g in (m[2], m[3], m[4], m[6], m[7]))
                if len(m[1]) != 10 or hour > 23 or minute > 59 or second > 60 or zone_h > 14 or zone_m > 59:
                    raise ValueError(f"'{value}' is not a possible FHIR dateTime (a time needs a full date; hours 00-23, "
                                     "minutes 00-59, seconds 00-60, time zone -14:00 to +14:00)")
        except ValueError as exc:
            self.error(entry, where, str(exc))
            return None
        return m[1]

    def period(self, entry: Entry, obj: dict, prefix: str) -> tuple:
        """(start, end) from <prefix>DateTime or <prefix>Period."""
        single = self.when(entry, obj.get(f"{prefix}DateTime"), f"{prefix}DateTime")
        span = self.get(entry, obj, f"{prefix}Period", dict) or {}
        start = self.when(entry, span.get("start"), f"{prefix}Period.start")
        end = self.when(entry, span.get("end"), f"{prefix}Period.end")
        return (single or start), end

    def notes(self, entry: Entry, obj: dict) -> str | None:
        texts = [self.get(entry, n, "text", str, f"note[{i}].text") for i, n in enumerate(self.items(entry, obj, "note", dict))]
        return " ".join(t.strip() for t in texts if t) or None

    # -- references -----------------------------------------------------------------------

    def keys_of(self, entry: Entry | None) -> set:
        return {k for k, e in self.by_ref.items() if e is entry} if entry is not None else set()

    def about(self, entry: Entry) -> list:
        """The resources an Observation says it is about: (reference, Entry or None) for each
        `focus` and each mCODE related-condition extension (a code there names no resource)."""
        res = entry.resource
        refs = [_dig(f, "reference") for f in res.get("focus", [])] if isinstance(res.get("focus"), list) else []
        refs += [_dig(x, "valueReference", "reference") for _, x in _extensions(res, RELATED_CONDITION_EXTENSION)]
        return [(r, self.by_ref.get(r)) for r in refs if isinstance(r, str)]

    def check_subject(self, entry: Entry):
        """Every resource must be about the bundle's one patient."""
        for name in ("subject", "patient"):
            ref = self.reference(entry, entry.resource.get(name), name)
            if ref and self.patient_refs and (ref.startswith("Patient/") or ref in self.by_ref) and ref not in self.patient_refs:
                self.error(entry, f"{name}.reference", f"refers to {ref}, not to the bundle's patient; a case is one patient")


# -- small helpers ------------------------------------------------------------------------


def _has_profile(resource: dict, name: str) -> bool:
    profiles = _dig(resource, "meta", "profile")
    return isinstance(profiles, list) and any(isinstance(p, str) and p.split("|")[0] == MCODE + name for p in profiles)


def _extensions(resource: dict, *urls: str) -> list:
    """(index, extension) for each extension with one of these urls."""
    found = resource.get("extension")
    return [(i, x) for i, x in enumerate(found) if isinstance(x, dict) and x.get("url") in urls] if isinstance(found, list) else []


def _first_match(text: str, table: tuple) -> str | None:
    return next((word for word, pattern in table if re.search(pattern, _plain(text), re.I)), None)


def _whole_value(concept: Concept, table: dict) -> str | None:
    return next((table[vocab_key(w)] for w in concept.words() if vocab_key(w) in table), None)


def _plain(text: str) -> str:
    """Superscript digits as plain digits ('⁶⁸Ga' -> '68Ga'), dashes as hyphens."""
    return text.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹–—", "0123456789--"))


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _system_name(system: str | None) -> str:
    names = {SNOMED: "SNOMED", LOINC: "LOINC", RXNORM: "RxNorm", ICD10CM: "ICD-10-CM", ICDO3: "ICD-O-3", NCIT: "NCIt"}
    return names.get(system, system or "(no system)")


def _dig(value, *keys):
    """value[k1][k2]... through objects and lists; None where the shape does not fit."""
    for key in keys:
        if isinstance(key, str):
            value = value.get(key) if isinstance(value, dict) else None
        else:
            value = value[key] if isinstance(value, list) and len(value) > key else None
    return value


def _int(value) -> int | None:
    """A JSON integer (true and false are not numbers here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
