"""FHIR R4 / mCODE import: a Bundle (parsed JSON) in, a `netadvisor-case/1` dict out.

`bundle_to_case` maps the resources netadvisor understands onto the case format
and returns the case dict with a list of warnings (Problems). The dict then goes
through `parse_case` like any YAML case, so the case contract stays the single
gate. docs/fhir.md lists what maps from where and every code accepted.

The bundle is walked here; each resource kind is read by its own module
(conditions, patient, observations, treatments, adverse_events), the code
systems and tables are data in codes.py.

Plain dict mapping, not the `fhir.resources` library: a bundle is already
parsed JSON, and netadvisor reads a few dozen fields of it. The library (R4B
models on pydantic) costs ~150-170 ms to import and ~37 MB installed (measured with
fhir.resources 8.3 / pydantic 2.14), would be a fourth runtime dependency, and
would report schema errors in its own words instead of by entry and field. This
package uses only the standard library and is imported only when a bundle is read.

Honesty rules, as for hand-written cases:
- a fact the bundle does not give stays unknown; nothing is inferred from what
  is absent (no birthDate means no age; no termination reason, no reason);
- everything in the bundle that is not used becomes a warning naming the entry,
  the resource (type/id) and the field; nothing is dropped silently;
- a therapy marked as cancer treatment that names no catalogue therapy stops the
  case with an error: leaving a prior line out could change the advice
  (categories that depend on prior everolimus, "progressed on" exclusions).
  Unmarked medications that name no catalogue therapy (an antihypertensive, a
  proton-pump inhibitor) are left out with a warning.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from ...base import vocab
from ...base.dates import PartialDate
from ...base.errors import InputError
from ...base.fields import _type_name
from .adverse_events import AdverseEventMapper
from .codes import LINE_TYPES
from .conditions import ConditionMapper
from .observations import ObservationMapper
from .patient import PatientMapper
from .reading import Entry, _show
from .treatments import TreatmentMapper
from .trials import TrialMapper


def bundle_to_case(
    bundle,
    *,
    source: str,
    resolve_therapy: Callable[[str], str],
    as_of: date | None = None,
    today: date | None = None,
) -> tuple[dict, list]:
    """Map a FHIR R4 Bundle onto a case dict; returns (case, warnings).

    `resolve_therapy(name) -> id` raises ValueError for a name the catalogue does not
    know. `as_of` (from --as-of) sets the date the patient's age is computed for;
    otherwise the bundle's timestamp, otherwise `today`. Raises InputError for a
    malformed bundle or a fact that cannot be mapped safely.
    """
    mapper = _Mapper(source, resolve_therapy)
    case = mapper.run(bundle, as_of, today or date.today())
    if mapper.errors:
        raise InputError(mapper.errors)
    return case, mapper.warnings


def is_bundle(data) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


class _Mapper(ConditionMapper, PatientMapper, ObservationMapper, TreatmentMapper, TrialMapper, AdverseEventMapper):
    """The whole mapping: walk the bundle, hand each resource to its kind's reader, assemble the case."""

    def run(self, bundle, as_of: date | None, today: date) -> dict:
        entries = self.entries(bundle)
        if entries is None or self.errors:  # a broken bundle: report its structure only
            return {}
        if nulls := _nulls(bundle):
            self.warn(None, nulls[0], f"{len(nulls)} null or empty value(s), which FHIR JSON forbids (first here); read as absent")
        stamp_date = self.stamp(bundle, as_of, today)
        self.index(entries)
        self.find_primary(entries)
        for entry in entries + self.contained(entries):
            handler = HANDLERS.get(entry.type)
            if handler is None:
                self.warn(entry, "", f"resource type {entry.type} is not read by netadvisor; left out"
                          + (" (the Observations it contains are read)" if _contains(entry, "Observation") else ""))
            else:
                handler(self, entry)
        self.group_administrations()
        self.apply_trials()
        for entry in entries:  # adverse events attach to lines, so they come last
            if entry.type == "AdverseEvent":
                self.adverse_event(entry)
            elif entry.type == "Medication" and entry.label not in self.used_medications:
                self.warn(entry, "", "no medication resource in the bundle refers to it; left out")
            elif entry.type == "ResearchStudy" and entry.label not in self.used_studies:
                self.warn(entry, "", "no ResearchSubject in the bundle names this study; left out")
        return self.assemble(stamp_date, as_of or stamp_date or today)

    def stamp(self, bundle: dict, as_of: date | None, today: date) -> date | None:
        """Bundle.timestamp's date: when the bundle was assembled, so the facts are as of then.
        A timestamp after today cannot be right: refused, or only warned about under --as-of."""
        stamp = self.when(None, bundle.get("timestamp"), "timestamp")
        if not stamp:
            return None
        if not PartialDate.parse(stamp).complete:
            self.warn(None, "timestamp", f"'{stamp}' is not a full date, so it cannot be the case's as_of date")
            return None
        day = PartialDate.parse(stamp).first_day()
        if day > today + timedelta(days=1):  # a day's grace for time zones
            if as_of is None:
                self.error(None, "timestamp", f"{bundle['timestamp']} is after today ({today}): a bundle cannot have been assembled "
                           "in the future, so it cannot date the case; correct the timestamp, or give --as-of")
            else:
                self.warn(None, "timestamp", f"{bundle['timestamp']} is after today ({today}); not used (--as-of {as_of} given)")
            return None
        return day

    def contained(self, entries: list) -> list:
        """Contained Observations (a pathology report's Ki-67), read like entries of their own;
        contained Medications are read through the references to them; anything else is named."""
        found = []
        for entry in entries:
            for i, item in enumerate(entry.resource.get("contained") or [] if isinstance(entry.resource.get("contained"), list) else []):
                if not isinstance(item, dict) or not isinstance(item.get("resourceType"), str):
                    self.error(entry, f"contained[{i}]", "expected a resource object with a resourceType")
                elif item["resourceType"] == "Observation":
                    found.append(Entry(entry.index, item, f"{entry.path}.contained[{i}]"))
                elif item["resourceType"] != "Medication":
                    self.warn(entry, f"contained[{i}]", f"a contained {item['resourceType']} is not read by netadvisor; left out")
        return found

    def entries(self, bundle) -> list | None:
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            self.error(None, "resourceType", f"expected a FHIR Bundle (resourceType: Bundle), got {_type_name(bundle.get('resourceType') if isinstance(bundle, dict) else bundle)}")
            return None
        raw = bundle.get("entry", [])
        if not isinstance(raw, list):
            self.error(None, "entry", f"expected a list of entries, got {_type_name(raw)}")
            return None
        entries = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                self.error(None, f"entry[{i}]", f"expected an object with a resource, got {_type_name(item)}")
                continue
            resource = item.get("resource")
            if resource is None:
                self.warn(None, f"entry[{i}]", "the entry holds no resource; nothing to map")
                continue
            if not isinstance(resource, dict):
                self.error(None, f"entry[{i}].resource", f"expected a resource object, got {_type_name(resource)}")
                continue
            if not isinstance(resource.get("resourceType"), str):
                self.error(None, f"entry[{i}].resource.resourceType", f"expected the resource's type as a string, got {_type_name(resource.get('resourceType'))}")
                continue
            if "id" in resource and not isinstance(resource["id"], str):
                self.error(None, f"entry[{i}].resource.id", f"expected a string, got {_type_name(resource['id'])}")
                continue
            entry = Entry(i, resource)
            keys = [k for k in (item.get("fullUrl"), entry.label if "id" in resource else None) if isinstance(k, str)]
            if twin := next((self.by_ref[k] for k in keys if k in self.by_ref), None):
                if twin.resource == resource:
                    self.warn(entry, "", f"the same resource as {twin.path} again; read once")
                else:
                    self.error(entry, "", f"{twin.path} is also {entry.label} but differs: which one is current cannot be told")
                continue
            entries.append(entry)
            self.by_ref.update(dict.fromkeys(keys, entry))
        return entries

    def index(self, entries: list):
        patients = [e for e in entries if e.type == "Patient"]
        if len(patients) > 1:
            self.error(patients[1], "", f"the bundle holds more than one Patient ({', '.join(p.label for p in patients)}); a case is one patient")
        if patients:
            self.patient_refs = {k for k, e in self.by_ref.items() if e is patients[0]}

    # -- the case -------------------------------------------------------------------------

    def latest(self, field: str):
        """The most recent observation of a field; the older ones are named as superseded."""
        found = self.observed.get(field)
        if not found:
            return None
        ordered = sorted(found, key=lambda o: o.when or date.min)
        last = ordered[-1]
        for other in ordered[:-1]:
            if other.value != last.value and (other.when or date.min) == (last.when or date.min):
                self.error(last.entry, last.field, f"{_show(last.value)} contradicts {other.entry.label} ({_show(other.value)}) of the same date")
            else:
                self.warn(other.entry, other.field, f"superseded by the later {last.entry.label}; not used")
        return last.value

    def assemble(self, stamp: date | None, on: date) -> dict:
        case: dict = {"format": vocab.CASE_FORMAT}
        if stamp:
            case["as_of"] = stamp.isoformat()
        if (age := self.age(on)) is not None:
            self.patient = {"age": age, **self.patient}
        if (ecog := self.latest("ecog")) is not None:
            self.patient["ecog"] = ecog
        if self.patient:
            case["patient"] = self.patient
        tumor = {k: self.tumor[k] for k in ("primary_site", "differentiation", "histology") if k in self.tumor}
        for field in ("grade", "ki67", "stage"):
            if (value := self.latest(field)) is not None:
                tumor[field] = value
        if "stage" not in tumor and self.summary_stage:  # Condition.stage.summary: mCODE allows it as a copy of the stage group
            tumor["stage"] = self.summary_stage[0]
        if "grade" not in tumor and self.morphology_grade:
            tumor["grade"], entry = self.morphology_grade
            self.warn(entry, "extension", "grade 2 read from the ICD-O-3 morphology 8249/3 (neuroendocrine tumour, grade 2): "
                      "no grade Observation gives it")
        if "functional" in self.tumor:
            tumor["functional"] = self.tumor["functional"]
        if (sstr := self.latest("sstr")) is not None:
            tumor["sstr"] = sstr
        if "metastases" in self.tumor:
            tumor["metastases"] = self.tumor["metastases"]
        biomarkers = {k: v for k in ("msi", "tmb") if (v := self.latest(k)) is not None}
        if biomarkers:
            tumor["biomarkers"] = biomarkers
        if "germline" in self.tumor:
            tumor["germline"] = self.tumor["germline"]
        case["tumor"] = tumor
        if (status := self.latest("disease")) is not None:
            case["disease"] = {"status": status}
        if self.lines:
            case["history"] = [line for _, line in self.oldest_first()]
        return case

    def oldest_first(self) -> list:
        """The bundle's order, unless two start dates contradict it: then by start date."""
        starts = [PartialDate.parse(line["start"]) for _, line in self.lines if "start" in line]
        if all(a.first_day() <= b.last_day() for n, a in enumerate(starts) for b in starts[n + 1:]):
            return self.lines
        self.warn(None, "entry", "the treatment resources are not in date order; history sorted oldest first by start date")
        keyed, last = [], date.min
        for n, (entry, line) in enumerate(self.lines):  # a line without a start stays after the one before it
            if "start" in line:
                last = PartialDate.parse(line["start"]).first_day()
            keyed.append(((last, n), (entry, line)))
        return [item for _, item in sorted(keyed, key=lambda k: k[0])]


def _nulls(value, path: str = "") -> list:
    """The paths of the null and empty values in a document (FHIR JSON allows none)."""
    if value is None or value == "" or value == [] or value == {}:
        return [path]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [p for key, item in items for p in _nulls(item, f"{path}.{key}" if isinstance(key, str) and path else
                                                     key if isinstance(key, str) else f"{path}[{key}]")]


def _contains(entry: Entry, kind: str) -> bool:
    found = entry.resource.get("contained")
    return isinstance(found, list) and any(isinstance(c, dict) and c.get("resourceType") == kind for c in found)


HANDLERS = {
    "ResearchSubject": _Mapper.research_subject, "ResearchStudy": lambda self, entry: None,  # read through the subjects naming it
    "Patient": _Mapper.patient_resource, "Condition": _Mapper.condition, "Observation": _Mapper.observation,
    "AdverseEvent": lambda self, entry: self.check_subject(entry),  # mapped after the lines exist
    "Medication": lambda self, entry: None,  # read through the resources that refer to it
    **dict.fromkeys(LINE_TYPES, _Mapper.treatment),
}
