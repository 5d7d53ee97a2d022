"""FHIR R4 / mCODE import: a Bundle (parsed JSON) in, a `netadvisor-case/1` dict out.

`bundle_to_case` maps the resources netadvisor understands onto the case format
and returns the case dict with a list of warnings (Problems). The dict then goes
through `parse_case` like any YAML case, so the case contract stays the single
gate. docs/fhir.md lists what maps from where and every code accepted.

Plain dict mapping, not the `fhir.resources` library: a bundle is already
parsed JSON, and netadvisor reads a few dozen fields of it. The library (R4B
models on pydantic) costs ~150-170 ms to import and ~37 MB installed (measured with
fhir.resources 8.3 / pydantic 2.14), would be a fourth runtime dependency, and
would report schema errors in its own words instead of by entry and field. This
module uses only the standard library and is imported only when a bundle is read.

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

import re
from datetime import date, timedelta
from typing import Callable, NamedTuple

from ..base import vocab
from ..base.dates import PartialDate
from ..base.errors import InputError, Problem
from ..base.fields import _type_name, alias_key, vocab_key
from .case import Range  # the case format's own Ki-67 rules

# -- code systems and profiles -------------------------------------------------------

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"

PRIMARY_PROFILE = "mcode-primary-cancer-condition"
SECONDARY_PROFILE = "mcode-secondary-cancer-condition"
HISTOLOGY_EXTENSION = MCODE + "mcode-histology-morphology-behavior"
RELATED_PRIMARY_EXTENSION = MCODE + "mcode-related-primary-cancer-condition"
# mCODE STU2 carried the reason in this extension; STU3+ use statusReason. Both are read.
TERMINATION_EXTENSION = MCODE + "mcode-treatment-termination-reason"
# Profiles that mark a medication or procedure as cancer treatment (mCODE STU1-4).
TREATMENT_PROFILES = (
    "mcode-cancer-related-medication-statement", "mcode-cancer-related-medication-request",
    "mcode-cancer-related-medication-administration", "mcode-cancer-related-surgical-procedure",
    "mcode-radiotherapy-course-summary",
)
# CTCAE grade extensions: HL7 Adverse Event Clinical Research IG (R4 backport and R5) and
# the draft CTCAE IG that mCODE examples use.
GRADE_EXTENSIONS = (
    "http://hl7.org/fhir/uv/ae-research-backport-ig/StructureDefinition/ae-grade",
    "http://hl7.org/fhir/uv/ae-research-ig/StructureDefinition/ae-grade",
    "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade",
    MCODE + "ctcae-grade",
)

# -- code tables (each code checked against the source named; see docs/fhir.md) -------

# Observation.code (LOINC) -> what it reports. 29593-1 is "Cells.Ki-67 nuclear Ag/cells in
# Tissue by Immune stain" (the often-quoted 29593-6 fails the LOINC check digit).
OBSERVATION_BY_LOINC = {
    "29593-1": "ki67",
    "33732-9": "grade",  # Histology grade [Identifier] in Cancer specimen (mCODE HistologicGrade)
    "81695-9": "msi",  # Microsatellite instability [Interpretation] in Cancer specimen Qualitative
    "94076-7": "tmb",  # Mutations/Megabase [# Ratio] in Tumor (Genomics Reporting TMB profile)
    "21908-9": "stage", "21902-2": "stage", "21914-7": "stage",  # stage group clinical/pathological/other
    "97509-4": "disease",  # mCODE CancerDiseaseStatus
    "89247-1": "ecog",  # ECOG Performance Status score
    "30525-0": "age",  # Age
}
# Where no code is given (or none exists, as for SSTR imaging), the Observation's own
# words decide. Each pattern names one test unambiguously.
OBSERVATION_BY_TEXT = (
    ("ki67", re.compile(r"\bki[- ]?67\b", re.I)),
    ("grade", re.compile(r"\b(histologic(al)?|tumou?r|who)\s+grade\b", re.I)),
    ("msi", re.compile(r"\bmicrosatellite\b|\bmsi\b", re.I)),
    ("mmr", re.compile(r"\bmismatch[- ]repair\b|\bmmr\b", re.I)),
    ("tmb", re.compile(r"\btumou?r mutation(al)? burden\b|\btmb\b", re.I)),
    ("sstr", re.compile(r"\bsomatostatin receptor\b|\bsstr\d?\b|\bdotata(te|toc)\b|\boctreoscan\b|\bpentetreotide\b", re.I)),
)
CODED_TEXT_KINDS = {"ki67", "grade", "msi", "tmb"}  # these have a LOINC code; reading text is worth a warning

GRADE_BY_SNOMED = {
    "54102005": 1, "1663004": 2, "61026006": 3,  # G1 / G2 / G3 grade (finding)
    "1155708003": 1, "1286893008": 2, "1155707008": 3,  # low / intermediate / high histologic grade (mCODE)
}
MSI_BY_LOINC_ANSWER = {
    "LA26203-2": "high",  # MSI-H
    "LA14122-8": "stable",  # Stable
    "LA26202-4": "stable",  # MSI-L: managed as microsatellite stable
}
POSITIVE_NEGATIVE = {"10828004": "positive", "260373001": "positive", "260385009": "negative", "260415000": "negative"}
DISEASE_BY_SNOMED = {"271299001": "progressing", "359746009": "stable"}  # condition worsened / stable
STOPPED_BY_SNOMED = {  # mCODE TreatmentTerminationReasonVS
    "266721009": "progression",  # No response to treatment
    "407563006": "toxicity",  # Treatment not tolerated
    "182992009": "completed",  # Treatment completed
    "105480006": "patient-choice",  # Refusal of treatment by patient
    "160932005": "other",  # Financial problem
    "184081006": "other",  # Patient has moved away
    "309846006": "other",  # Treatment not available
    "399307001": "other",  # Lost to follow-up
}
GRADE_BY_NCIT = {"C41338": 1, "C41339": 2, "C41340": 3, "C41337": 4, "C48275": 5, "C75533": 0}

# Body sites (SNOMED CT body structures, as in mCODE's TG263 body-site value set).
SITE_BY_SNOMED = {
    "15776009": "pancreas", "64163001": "pancreas", "73239005": "pancreas",  # pancreas; head; tail
    "38848004": "duodenum", "69695003": "stomach",
    "30315005": "small-intestine", "21306003": "small-intestine", "34516001": "small-intestine",  # small intestine; jejunum; ileum
    "66754008": "appendix",
    "71854001": "colon", "32713005": "colon", "9040008": "colon", "485005": "colon", "32622004": "colon", "60184004": "colon",
    "34402009": "rectum",
    "39607008": "lung", "31094006": "lung", "955009": "lung", "102297006": "lung",  # lung; lobe; bronchus; main bronchus
    "9875009": "thymus",
}
# ICD-10-CM malignant carcinoid tumours (C7A.0x) and the endocrine pancreas. Codes for an
# unspecified part (C7A.019 small intestine, C7A.029 large intestine, C7A.094-096 fore/mid/
# hindgut, C7A.00) are left out on purpose: they do not name a primary site of the case format.
SITE_BY_ICD10 = {
    "C25.4": "pancreas", "C7A.010": "duodenum", "C7A.011": "small-intestine", "C7A.012": "small-intestine",
    "C7A.020": "appendix", "C7A.021": "colon", "C7A.022": "colon", "C7A.023": "colon", "C7A.024": "colon",
    "C7A.025": "colon", "C7A.026": "rectum", "C7A.090": "lung", "C7A.091": "thymus", "C7A.092": "stomach",
    "C7A.093": "other", "C7A.098": "other",
}
METASTASIS_BY_SNOMED = {
    "10200004": "liver", "59441001": "lymph-node", "62683002": "lymph-node", "119186007": "bone",
    "85710004": "bone", "39607008": "lung", "118762006": "peritoneum", "12738006": "brain",
}
# ICD-O-3 morphology. 8246/3 (neuroendocrine carcinoma, NOS) is left out: older reports use
# it for well-differentiated tumours too (seed patient 2's biopsy did), so it decides nothing.
DIFFERENTIATION_BY_ICDO3 = {
    "8240/3": "well", "8249/3": "well", "8241/3": "well", "8150/3": "well", "8151/3": "well",
    "8152/3": "well", "8153/3": "well", "8155/3": "well", "8156/3": "well",
    "8013/3": "poor", "8041/3": "poor",
}
THORACIC_HISTOLOGY_BY_ICDO3 = {"8240/3": "typical-carcinoid", "8249/3": "atypical-carcinoid"}
FUNCTIONAL_BY_SNOMED = {"35868009": "carcinoid-syndrome"}
GERMLINE_BY_SNOMED = {"315058005": "lynch"}  # Hereditary nonpolyposis colon cancer
# RxNorm ingredients (checked against CPIC's drug table); other RxNorm codes fall back to
# their display, and every name goes through the catalogue's own aliases.
INGREDIENT_BY_RXNORM = {
    "194000": "capecitabine", "357977": "sunitinib", "4492": "fluorouracil", "32592": "oxaliplatin",
    "6313": "leucovorin", "2555": "cisplatin", "40048": "carboplatin", "4179": "etoposide",
}
# A Medication listing these ingredients is the regimen the catalogue names.
REGIMENS = {
    frozenset({"capecitabine", "temozolomide"}): "capecitabine-temozolomide",
    frozenset({"streptozocin", "fluorouracil"}): "streptozocin-fluorouracil",
    frozenset({"fluorouracil", "leucovorin", "oxaliplatin"}): "folfox",
    frozenset({"capecitabine", "oxaliplatin"}): "capeox",
    frozenset({"cisplatin", "etoposide"}): "cisplatin-etoposide",
    frozenset({"carboplatin", "etoposide"}): "carboplatin-etoposide",
    frozenset({"nivolumab", "ipilimumab"}): "nivolumab-ipilimumab",
}

# -- word patterns (documented in docs/fhir.md; first match wins) -------------------------

PRIMARY_SITE_WORDS = (
    ("unknown-primary", r"\bunknown primary\b"),
    ("pancreas", r"\bpancrea"),
    ("duodenum", r"\bduoden"),
    ("stomach", r"\b(stomach|gastric)\b"),
    ("appendix", r"\bappend(ix|iceal)\b"),
    ("rectum", r"\brect(um|al)\b"),
    ("colon", r"\b(colon|colonic|c(a)?ecum|c(a)?ecal)\b"),
    ("small-intestine", r"\b(small (intestine|bowel)|jejun(um|al)|ile(um|al))\b"),
    ("lung", r"\b(lung|pulmonary|bronch(us|ial|opulmonary))\b"),
    ("thymus", r"\bthym(us|ic)\b"),
)
METASTASIS_WORDS = (
    ("liver", r"\b(liver|hepatic)\b"),
    ("lymph-node", r"\b(lymph nodes?|nodal)\b"),
    ("bone", r"\b(bones?|osseous|skeletal)\b"),
    ("lung", r"\b(lungs?|pulmonary)\b"),
    ("peritoneum", r"\bperitone(um|al)\b"),
    ("brain", r"\b(brain|cerebral)\b"),
)
FUNCTIONAL_WORDS = (
    ("carcinoid-syndrome", r"\bcarcinoid syndrome\b"),
    ("gastrinoma", r"\b(gastrinoma|zollinger[- ]ellison)\b"),
    ("insulinoma", r"\binsulinoma\b"),
    ("glucagonoma", r"\bglucagonoma\b"),
    ("vipoma", r"\b(vipoma|verner[- ]morrison)\b"),
    ("somatostatinoma", r"\bsomatostatinoma\b"),
    ("acth", r"\bectopic acth\b"),
)
GERMLINE_WORDS = (
    ("lynch", r"\b(lynch|hnpcc|hereditary non-?polyposis|muir[- ]torre)\b"),
    ("men1", r"\b(men1|men-1|multiple endocrine neoplasia,? type (1|i))\b"),
    ("vhl", r"\b(vhl|von hippel[- ]lindau)\b"),
    ("nf1", r"\b(nf1|neurofibromatosis,? type (1|i))\b"),
    ("tsc", r"\btuberous sclerosis\b"),
)
DIFFERENTIATION_WORDS = (
    ("well", r"\bwell[- ]differentiated\b|\bcarcinoid\b"),
    ("poor", r"\bpoorly[- ]differentiated\b|\b(small|large)[- ]cell\b[\w\s]*\bcarcinoma\b"),
)
THORACIC_HISTOLOGY_WORDS = (
    ("atypical-carcinoid", r"\batypical carcinoid\b"),
    ("typical-carcinoid", r"\btypical carcinoid\b"),
)
SSTR_MODALITY_WORDS = (
    ("ga68-dotatoc-pet", r"\bdotatoc\b"),
    ("cu64-dotatate-pet", r"\b(cu|copper)[- ]?64\b"),
    ("ga68-dotatate-pet", r"\bdotatate\b"),
    ("octreoscan", r"\b(octreoscan|pentetreotide|in(dium)?[- ]?111)\b"),
    ("immunohistochemistry", r"\b(immunohistochemi\w*|ihc)\b"),
)
# Values given as words must be a whole value (spacing and case aside), so that
# "not progressing" or "MSI not high" can never read as a finding.
STOPPED_VALUES = {
    **{w: w for w in vocab.STOPPED if w != "ongoing"}, "progressive-disease": "progression", "disease-progression": "progression",
    "pd": "progression", "no-response-to-treatment": "progression", "treatment-not-tolerated": "toxicity",
    "intolerance": "toxicity", "treatment-completed": "completed", "refusal-of-treatment-by-patient": "patient-choice",
}
MSI_VALUES = {
    **vocab.MSI_ALIASES, "high": "high", "stable": "stable", "msi-l": "stable", "msi-low": "stable", "microsatellite-stable": "stable",
    "deficient": "high", "mmr-deficient": "high", "proficient": "stable", "mmr-proficient": "stable", "intact": "stable",
}
DISEASE_VALUES = {
    **{w: w for w in vocab.DISEASE_STATUS}, **vocab.DISEASE_ALIASES, "progressive-disease": "progressing",
    "disease-progression": "progressing", "stable-disease": "stable",
}
NEUROENDOCRINE_WORDS = r"\b(neuroendocrine|carcinoid|net|nec|insulinoma|gastrinoma|glucagonoma|vipoma|somatostatinoma)\b"

# Which statuses mean the treatment was never given, and what a status without a
# termination reason says about why it ended (per resource type, from the R4 definitions).
NOT_GIVEN = {"entered-in-error", "not-taken", "intended", "cancelled", "draft", "not-done", "preparation"}
STATUS_STOPPED = {
    "MedicationStatement": {"active": "ongoing", "stopped": "other", "completed": "other"},  # completed: "no longer being taken"
    "MedicationRequest": {"active": "ongoing", "stopped": "other", "completed": "completed"},
    "MedicationAdministration": {"in-progress": "ongoing", "stopped": "other"},
    "Procedure": {"in-progress": "ongoing", "stopped": "other", "completed": "completed"},
}
REQUEST_INTENTS_GIVEN = {"order", "original-order", "reflex-order", "filler-order", "instance-order"}
LINE_TYPES = tuple(STATUS_STOPPED)


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


class _Mapper:
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
        m = re.fullmatch(r"(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?", value) if isinstance(value, str) else None
        try:
            if not m:
                raise ValueError(f"expected a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime), got {_type_name(value)}")
            PartialDate.parse(m[1])
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

    # -- the run --------------------------------------------------------------------------

    def run(self, bundle, as_of: date | None, today: date) -> dict:
        entries = self.entries(bundle)
        if entries is None or self.errors:  # a broken bundle: report its structure only
            return {}
        stamp, stamp_date = self.when(None, bundle.get("timestamp"), "timestamp"), None
        if stamp and PartialDate.parse(stamp).complete:  # when the bundle was assembled: the facts are as of then
            stamp_date = PartialDate.parse(stamp).first_day()
        elif stamp:
            self.warn(None, "timestamp", f"'{stamp}' is not a full date, so it cannot be the case's as_of date")
        self.index(entries)
        self.find_primary(entries)
        for entry in entries:
            handler = HANDLERS.get(entry.type)
            if handler is None:
                self.warn(entry, "", f"resource type {entry.type} is not read by netadvisor; left out")
            else:
                handler(self, entry)
        for entry in entries:  # adverse events attach to lines, so they come last
            if entry.type == "AdverseEvent":
                self.adverse_event(entry)
            elif entry.type == "Medication" and entry.label not in self.used_medications:
                self.warn(entry, "", "no medication resource in the bundle refers to it; left out")
        return self.assemble(stamp_date, as_of or stamp_date or today)

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
            entries.append(entry)
            if isinstance(item.get("fullUrl"), str):
                self.by_ref[item["fullUrl"]] = entry
        return entries

    def index(self, entries: list):
        for entry in entries:
            if isinstance(entry.resource.get("id"), str):
                self.by_ref[entry.label] = entry
        patients = [e for e in entries if e.type == "Patient"]
        if len(patients) > 1:
            self.error(patients[1], "", f"the bundle holds more than one Patient ({', '.join(p.label for p in patients)}); a case is one patient")
        if patients:
            self.patient_refs = {k for k, e in self.by_ref.items() if e is patients[0]}

    def keys_of(self, entry: Entry) -> set:
        return {k for k, e in self.by_ref.items() if e is entry}

    def check_subject(self, entry: Entry):
        """Every resource must be about the bundle's one patient."""
        for name in ("subject", "patient"):
            ref = self.reference(entry, entry.resource.get(name), name)
            if ref and self.patient_refs and (ref.startswith("Patient/") or ref in self.by_ref) and ref not in self.patient_refs:
                self.error(entry, f"{name}.reference", f"refers to {ref}, not to the bundle's patient; a case is one patient")

    # -- conditions ---------------------------------------------------------------------

    def find_primary(self, entries: list):
        """The NET's primary Condition: the mCODE primary cancer that is neuroendocrine."""
        cancers = [e for e in entries if e.type == "Condition" and (_has_profile(e.resource, PRIMARY_PROFILE) or self._net_code(e))]
        nets = [e for e in cancers if self._is_net(e)] if len(cancers) > 1 else cancers
        if len(nets) == 1:
            self.primary = nets[0]
            for other in cancers:
                if other is not nets[0]:
                    self.other_primaries |= self.keys_of(other)
        elif len(nets) > 1:
            self.error(nets[1], "", f"more than one neuroendocrine primary cancer ({', '.join(e.label for e in nets)}); a case is one tumour")
        elif cancers:
            self.error(cancers[0], "", f"{len(cancers)} primary cancer Conditions and none is recognisably neuroendocrine; keep only the NET's")
        else:
            self.error(None, "entry", "no primary cancer Condition (mCODE PrimaryCancerCondition): the case needs tumor.primary_site")
        # before any treatment is read: a treatment given for a metastasis is cancer treatment
        for e in entries:
            if e.type == "Condition" and _has_profile(e.resource, SECONDARY_PROFILE) and not self._of_other_primary(e):
                self.secondaries |= self.keys_of(e)

    def _net_code(self, entry: Entry) -> bool:
        code = _quiet_concept(entry.resource.get("code"))
        return bool(code and any(c in SITE_BY_ICD10 or c.startswith("C7A") for c in code.codes(ICD10CM)))

    def _is_net(self, entry: Entry) -> bool:
        """An ICD-10-CM NET code, an ICD-O-3 neuroendocrine morphology, or neuroendocrine words."""
        histology = [x.get("valueCodeableConcept") for _, x in _extensions(entry.resource, HISTOLOGY_EXTENSION)]
        concepts = [c for c in map(_quiet_concept, [entry.resource.get("code"), *histology]) if c]
        return (self._net_code(entry)
                or any(code in DIFFERENTIATION_BY_ICDO3 or code == "8246/3" for c in concepts for code in c.codes(ICDO3))
                or any(re.search(NEUROENDOCRINE_WORDS, w, re.I) for c in concepts for w in c.words()))

    def condition(self, entry: Entry):
        self.check_subject(entry)
        res = entry.resource
        status = self.concept(entry, res.get("verificationStatus"), "verificationStatus")
        if status and {"refuted", "entered-in-error"} & {c for _, c, _ in status.codings}:
            self.warn(entry, "verificationStatus", "refuted or entered in error; left out")
            return
        code = self.concept(entry, res.get("code"), "code")
        if entry is self.primary:
            self.primary_condition(entry, code)
        elif self.keys_of(entry) & self.other_primaries:
            self.warn(entry, "code", f"a primary cancer other than the neuroendocrine tumour ({code.describe() if code else 'no code'}); left out")
        elif _has_profile(res, SECONDARY_PROFILE):
            if foreign := self._of_other_primary(entry):
                self.warn(entry, "extension", f"a metastasis of {foreign}, not of the neuroendocrine tumour; left out")
            else:
                self.secondary_condition(entry)
        elif not code:
            self.warn(entry, "code", "a Condition with no code; left out")
        elif word := self.word_of(code, FUNCTIONAL_BY_SNOMED, FUNCTIONAL_WORDS):
            self.add_word("functional", word)
        elif word := self.word_of(code, GERMLINE_BY_SNOMED, GERMLINE_WORDS):
            self.add_word("germline", word)
        else:
            self.warn(entry, "code", f"{code.describe()} is not a cancer, hormone syndrome or hereditary syndrome netadvisor reads; left out")

    def primary_condition(self, entry: Entry, code: Concept | None):
        res = entry.resource
        sites = self.concepts(entry, res, "bodySite")
        histology = [c for i, x in _extensions(res, HISTOLOGY_EXTENSION)
                     if (c := self.concept(entry, x.get("valueCodeableConcept"), f"extension[{i}].valueCodeableConcept"))]
        coded = {SITE_BY_SNOMED[c] for s in sites for c in s.codes(SNOMED) if c in SITE_BY_SNOMED}
        coded |= {SITE_BY_ICD10[c] for c in (code.codes(ICD10CM) if code else []) if c in SITE_BY_ICD10}
        site = None
        if len(coded) > 1:
            self.error(entry, "bodySite", f"the codes name more than one primary site ({', '.join(sorted(coded))})")
        elif coded:
            site = coded.pop()
        else:  # no code netadvisor knows: the words of the body site, then of the diagnosis
            for field, concepts in (("bodySite", sites), ("code", [code] if code else [])):
                found = {w for c in concepts for text in c.words() if (w := _first_match(text, PRIMARY_SITE_WORDS))}
                if len(found) > 1:
                    self.error(entry, field, f"the words name more than one primary site ({', '.join(sorted(found))})")
                    return
                if found:
                    site = found.pop()
                    break
        if site is None:
            described = "; ".join(c.describe() for c in sites) or (code.describe() if code else "nothing")
            self.error(entry, "bodySite", f"no primary site netadvisor knows in {described}: tumor.primary_site is required (codes accepted: docs/fhir.md)")
            return
        self.tumor["primary_site"] = site
        morphology = histology + ([code] if code else [])
        diff = {DIFFERENTIATION_BY_ICDO3[c] for m in morphology for c in m.codes(ICDO3) if c in DIFFERENTIATION_BY_ICDO3}
        if code and "C7A.1" in code.codes(ICD10CM):  # malignant poorly differentiated neuroendocrine tumours
            diff.add("poor")
        if not diff:
            diff = {w for m in morphology for text in m.words() if (w := _first_match(text, DIFFERENTIATION_WORDS))}
        if len(diff) == 1:
            self.tumor["differentiation"] = diff.pop()
        elif diff:
            self.warn(entry, "code", "the morphology reads both well and poorly differentiated; differentiation left unknown")
        if site in ("lung", "thymus"):
            kinds = {THORACIC_HISTOLOGY_BY_ICDO3[c] for m in morphology for c in m.codes(ICDO3) if c in THORACIC_HISTOLOGY_BY_ICDO3}
            kinds = kinds or {w for m in morphology for text in m.words() if (w := _first_match(text, THORACIC_HISTOLOGY_WORDS))}
            if len(kinds) == 1:
                self.tumor["histology"] = kinds.pop()

    def _of_other_primary(self, entry: Entry) -> str | None:
        """The other primary cancer a metastasis names as its own (mCODE related-primary extension)."""
        related = [_dig(x, "valueReference", "reference") for _, x in _extensions(entry.resource, RELATED_PRIMARY_EXTENSION)]
        return next((r for r in related if r in self.other_primaries), None)

    def secondary_condition(self, entry: Entry):
        sites = self.concepts(entry, entry.resource, "bodySite")
        found = set()
        for s in sites:
            words = {METASTASIS_BY_SNOMED[c] for c in s.codes(SNOMED) if c in METASTASIS_BY_SNOMED}
            words = words or {w for text in s.words() if (w := _first_match(text, METASTASIS_WORDS))}
            found |= words
            if not words:
                self.warn(entry, "bodySite", f"metastasis site {s.describe()} is not one netadvisor names; recorded as 'other'")
                found.add("other")
        if not sites:
            self.warn(entry, "bodySite", "a metastasis with no body site; recorded as 'other'")
            found.add("other")
        for word in sorted(found):
            self.add_word("metastases", word)

    def word_of(self, concept: Concept, by_snomed: dict, words: tuple) -> str | None:
        for code in concept.codes(SNOMED):
            if code in by_snomed:
                return by_snomed[code]
        return next((w for text in concept.words() if (w := _first_match(text, words))), None)

    def add_word(self, field: str, word: str):
        values = self.tumor.setdefault(field, [])
        if word not in values:
            values.append(word)

    # -- patient and observations -----------------------------------------------------------

    def patient_resource(self, entry: Entry):
        res = entry.resource
        gender = self.get(entry, res, "gender", str)
        if gender in vocab.SEX:
            self.patient["sex"] = gender
        elif gender and gender != "unknown":
            self.warn(entry, "gender", f"'{gender}' is not female, male or other; sex left unknown")
        born = self.when(entry, res.get("birthDate"), "birthDate")
        if born:
            self.observed.setdefault("age", []).append(_Observed(None, ("born", PartialDate.parse(born)), entry, "birthDate"))

    def observation(self, entry: Entry):
        self.check_subject(entry)
        res = entry.resource
        status = self.get(entry, res, "status", str)
        if status in ("entered-in-error", "cancelled"):
            self.warn(entry, "status", f"status {status}; left out")
            return
        code = self.concept(entry, res.get("code"), "code")
        kind = next((OBSERVATION_BY_LOINC[c] for c in (code.codes(LOINC) if code else []) if c in OBSERVATION_BY_LOINC), None)
        if kind is None and code:
            kind = next((k for k, pattern in OBSERVATION_BY_TEXT for text in code.words() if pattern.search(text)), None)
            if kind in CODED_TEXT_KINDS:
                self.warn(entry, "code", f"read as {kind} from its words ({code.describe()}), not from a LOINC code")
        if kind is None:
            self.warn(entry, "code", f"{code.describe() if code else 'no code'} is not an observation netadvisor reads; left out")
            return
        start, _ = self.period(entry, res, "effective")
        when = PartialDate.parse(start).first_day() if start else None
        value = OBSERVATION_VALUES[kind](self, entry, res)
        if value is None:
            return
        field = {"mmr": "msi"}.get(kind, kind)
        if kind == "age":
            if not start:
                self.warn(entry, "effectiveDateTime", "an age with no date it was recorded; left out")
                return
            value = ("aged", value, PartialDate.parse(start))
        self.observed.setdefault(field, []).append(_Observed(when, value, entry, _value_field(res)))

    def value_concept(self, entry: Entry, res: dict) -> Concept | None:
        if "valueCodeableConcept" in res:
            return self.concept(entry, res["valueCodeableConcept"], "valueCodeableConcept")
        text = self.get(entry, res, "valueString", str)
        return Concept((), text) if text else None

    def unmapped_value(self, entry: Entry, res: dict, what: str):
        field = _value_field(res) or "value[x]"
        self.warn(entry, field, f"{what}: the value {_show_value(res)} is not one netadvisor reads; left unknown")

    def ki67_value(self, entry: Entry, res: dict):
        value = None
        if (q := self.get(entry, res, "valueQuantity", dict)) is not None:
            number, unit = self.get(entry, q, "value", (int, float), "valueQuantity.value"), q.get("code") or q.get("unit")
            if number is None or unit not in (None, "%"):
                self.unmapped_value(entry, res, "Ki-67 must be a percentage")
                return None
            comparator = self.get(entry, q, "comparator", str, "valueQuantity.comparator")
            value = f"{comparator}{number:g}" if comparator else number
        elif (r := self.get(entry, res, "valueRange", dict)) is not None:
            low = (self.get(entry, r, "low", dict, "valueRange.low") or {}).get("value")
            high = (self.get(entry, r, "high", dict, "valueRange.high") or {}).get("value")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
                self.unmapped_value(entry, res, "a Ki-67 range needs low and high values")
                return None
            value = f"{low:g}-{high:g}"
        elif (text := self.get(entry, res, "valueString", str)) is not None:
            value = text
        else:
            self.unmapped_value(entry, res, "Ki-67")
            return None
        try:
            Range.parse(value)
        except ValueError as exc:
            self.error(entry, _value_field(res), str(exc))
            return None
        return value

    def grade_value(self, entry: Entry, res: dict):
        if _int(res.get("valueInteger")) in (1, 2, 3):
            return res["valueInteger"]
        concept = self.value_concept(entry, res)
        if concept:
            for code in concept.codes(SNOMED):
                if code in GRADE_BY_SNOMED:
                    return GRADE_BY_SNOMED[code]
            for text in concept.words():
                if m := re.fullmatch(r"\s*(?:who\s+)?(?:g|grade\s*)?([123])\s*", text, re.I):
                    return int(m[1])
        self.unmapped_value(entry, res, "tumour grade (1, 2 or 3)")
        return None

    def msi_value(self, entry: Entry, res: dict):
        concept = self.value_concept(entry, res)
        if concept:
            for code in concept.codes(LOINC):
                if code in MSI_BY_LOINC_ANSWER:
                    return MSI_BY_LOINC_ANSWER[code]
            if word := _whole_value(concept, MSI_VALUES):
                return word
        self.unmapped_value(entry, res, "MSI (high or stable) / MMR (deficient or proficient)")
        return None

    def tmb_value(self, entry: Entry, res: dict):
        if (q := self.get(entry, res, "valueQuantity", dict)) is not None:
            number = self.get(entry, q, "value", (int, float), "valueQuantity.value")
            if number is not None and 0 <= number <= 10_000:
                return number
        concept = self.value_concept(entry, res)
        for text in concept.words() if concept else []:
            if vocab_key(text) in vocab.TMB_WORDS:
                return vocab_key(text)
        self.unmapped_value(entry, res, "TMB (mutations/Mb, or high/low)")
        return None

    def sstr_value(self, entry: Entry, res: dict):
        concept = self.value_concept(entry, res)
        status = None
        if concept:
            status = next((POSITIVE_NEGATIVE[c] for c in concept.codes(SNOMED) if c in POSITIVE_NEGATIVE), None)
            status = status or _whole_value(concept, {"positive": "positive", "negative": "negative"})
        if status is None:
            self.unmapped_value(entry, res, "SSTR status (positive or negative)")
            return None
        code = self.concept(entry, res.get("code"), "code")
        method = self.concept(entry, res.get("method"), "method")
        texts = [_plain(t) for c in (code, method) if c for t in c.words()]
        modality = next((w for t in texts if (w := _first_match(t, SSTR_MODALITY_WORDS))), None)
        return {"status": status, "modality": modality} if modality else status

    def stage_value(self, entry: Entry, res: dict):
        concept = self.value_concept(entry, res)
        texts = [c for _, c, _ in concept.codings if c] + concept.words() if concept else []
        for text in texts:
            if re.fullmatch(r"\s*(?:stage\s*)?(?:iv|4)[a-d]?\s*", text, re.I):
                return "metastatic"
            word = vocab.STAGE_ALIASES.get(vocab_key(text), vocab_key(text))
            if word in vocab.STAGES:
                return word
        self.warn(entry, _value_field(res) or "value[x]",
                  f"stage {_show_value(res)} does not map clearly onto localized, regional, locally-advanced or metastatic (only stage IV does); left unknown")
        return None

    def disease_value(self, entry: Entry, res: dict):
        concept = self.value_concept(entry, res)
        if concept:
            status = next((DISEASE_BY_SNOMED[c] for c in concept.codes(SNOMED) if c in DISEASE_BY_SNOMED), None)
            if status := status or _whole_value(concept, DISEASE_VALUES):
                return status
        self.unmapped_value(entry, res, "disease status (only worsened/progressing and stable map)")
        return None

    def ecog_value(self, entry: Entry, res: dict):
        value = _int(res.get("valueInteger"))
        concept = self.value_concept(entry, res)
        if value is None and concept:
            value = next((int(t) for t in [c for _, c, _ in concept.codings if c] + concept.words() if re.fullmatch(r"[0-4]", t.strip())), None)
        if value is not None and 0 <= value <= 4:
            return value
        self.unmapped_value(entry, res, "ECOG (0-4)")
        return None

    def age_value(self, entry: Entry, res: dict):
        q = self.get(entry, res, "valueQuantity", dict) or {}
        number, unit = _int(q.get("value")), q.get("code") or q.get("unit")
        if number is not None and 0 <= number <= 120 and unit in ("a", "yr", "year", "years"):
            return number
        self.unmapped_value(entry, res, "an age in whole years (unit 'a')")
        return None

    # -- treatment lines ----------------------------------------------------------------

    def treatment(self, entry: Entry):
        self.check_subject(entry)
        res, kind = entry.resource, entry.type
        status = self.get(entry, res, "status", str)
        if status in NOT_GIVEN:
            self.warn(entry, "status", f"status {status}: not a treatment that was given; left out")
            return
        intent = self.get(entry, res, "intent", str)
        if kind == "MedicationRequest" and intent and intent not in REQUEST_INTENTS_GIVEN:
            self.warn(entry, "intent", f"intent {intent}: not an order that was given; left out")
            return
        reasons = [self.reference(entry, r, f"reasonReference[{i}]") for i, r in enumerate(self.get(entry, res, "reasonReference", list) or [])]
        if foreign := [r for r in reasons if r in self.other_primaries]:
            self.warn(entry, "reasonReference", f"treats {foreign[0]}, a cancer other than the neuroendocrine tumour; left out")
            return
        marked = any(_has_profile(res, p) for p in TREATMENT_PROFILES) or any(
            r in self.secondaries or (self.primary and r in self.keys_of(self.primary)) for r in reasons)
        errors = len(self.errors)
        field, therapy, tried = self.therapy_of(entry)
        if therapy is None:
            if len(self.errors) == errors:  # not already reported (a conflict, a missing Medication)
                names = ", ".join(f"'{n}'" for n in tried) or "no name or code"
                if marked:
                    self.error(entry, field, f"{names}: no therapy in the catalogue. The resource is marked as cancer treatment, "
                               "so leaving it out could change the advice: name it with a catalogue therapy or brand name "
                               "(`netadvisor therapies`), or give a regimen as a Medication listing its ingredients")
                else:
                    self.warn(entry, field, f"{names}: no therapy in the catalogue, and the resource is not marked as cancer treatment; left out")
            return
        line = {"therapy": therapy}
        start, end = self.line_period(entry)
        line.update({k: v for k, v in (("start", start), ("end", end)) if v})
        if stopped := self.stopped(entry, status, bool(end)):
            line["stopped"] = stopped
        if kind != "Procedure":
            self.dosage(entry, line)
        if note := self.notes(entry, res):
            line["note"] = note
        self.line_of.update(dict.fromkeys(self.keys_of(entry), len(self.lines)))
        self.lines.append((entry, line))

    def therapy_of(self, entry: Entry) -> tuple:
        """(field, catalogue name or None, names tried) for the medication or procedure."""
        res = entry.resource
        if entry.type == "Procedure":
            return "code", *self.resolve_names(entry, "code", [self.concept(entry, res.get("code"), "code")], ())
        if "medicationReference" in res:
            ref = self.reference(entry, res["medicationReference"], "medicationReference")
            medication = self.medication(entry, ref)
            if medication is None:
                if ref:
                    self.error(entry, "medicationReference", f"{ref} is not a Medication in the bundle or contained in the resource")
                return "medicationReference", None, []
            code = self.concept(medication, medication.resource.get("code"), "code")
            ingredients = [self.concept(medication, i.get("itemCodeableConcept"), f"ingredient[{n}].itemCodeableConcept")
                           for n, i in enumerate(self.items(medication, medication.resource, "ingredient", dict))]
            return "medicationReference", *self.resolve_names(entry, "medicationReference", [code], [c for c in ingredients if c])
        concept = self.concept(entry, res.get("medicationCodeableConcept"), "medicationCodeableConcept")
        return "medicationCodeableConcept", *self.resolve_names(entry, "medicationCodeableConcept", [concept], ())

    def medication(self, entry: Entry, ref: str | None) -> Entry | None:
        if not ref:
            return None
        if ref.startswith("#"):
            for i, item in enumerate(self.get(entry, entry.resource, "contained", list) or []):
                if isinstance(item, dict) and item.get("id") == ref[1:] and item.get("resourceType") == "Medication":
                    return Entry(entry.index, item, f"{entry.path}.contained[{i}]")
            return None
        found = self.by_ref.get(ref)
        if found is not None and found.type == "Medication":
            self.used_medications.add(found.label)
            return found
        return None

    def resolve_names(self, entry: Entry, field: str, concepts: list, ingredients) -> tuple:
        """The catalogue name the codes and words agree on; several that disagree are an error."""
        names = []  # candidate names, codes first
        for c in filter(None, concepts):
            names += [INGREDIENT_BY_RXNORM[code] for code in c.codes(RXNORM) if code in INGREDIENT_BY_RXNORM]
            names += c.words()
        parts = {_ingredient(c) for c in ingredients}
        if len(parts) > 1 and None not in parts:
            regimen = REGIMENS.get(frozenset(parts))
            names.append(regimen or " + ".join(sorted(parts)))
        elif len(parts) == 1 and None not in parts:
            names.append(parts.pop())
        found: dict = {}
        for name in dict.fromkeys(names):
            try:
                found.setdefault(self.resolve_therapy(name), name)
            except ValueError:
                continue
        if len(found) > 1:
            self.error(entry, field, "the names and codes disagree: " + ", ".join(f"'{n}' is {t}" for t, n in found.items()))
            return None, names
        return next(iter(found.values()), None), list(dict.fromkeys(names))

    def line_period(self, entry: Entry) -> tuple:
        res = entry.resource
        if entry.type == "Procedure":
            return self.period(entry, res, "performed")
        if entry.type == "MedicationRequest":  # the course, if the order gives it; else when it was written
            where = "dosageInstruction[0].timing.repeat.boundsPeriod"
            bounds = _dig(res, "dosageInstruction", 0, "timing", "repeat", "boundsPeriod") or {}
            start, end = (self.when(entry, bounds.get(k), f"{where}.{k}") for k in ("start", "end"))
            return start or self.when(entry, res.get("authoredOn"), "authoredOn"), end
        return self.period(entry, res, "effective")

    def stopped(self, entry: Entry, status: str | None, has_end: bool) -> str | None:
        res = entry.resource
        given = res.get("statusReason")  # a list on statements and administrations, one concept elsewhere
        reasons = self.concepts(entry, res, "statusReason") if isinstance(given, list) else \
            [c for c in [self.concept(entry, given, "statusReason")] if c]
        reasons += [c for i, x in _extensions(res, TERMINATION_EXTENSION)
                    if (c := self.concept(entry, x.get("valueCodeableConcept"), f"extension[{i}].valueCodeableConcept"))]
        for reason in reasons:
            word = next((STOPPED_BY_SNOMED[c] for c in reason.codes(SNOMED) if c in STOPPED_BY_SNOMED), None)
            word = word or _whole_value(reason, STOPPED_VALUES)
            if word:
                return word
            self.warn(entry, "statusReason", f"termination reason {reason.describe()} is not one netadvisor names; recorded as 'other'")
            return "other"
        word = STATUS_STOPPED[entry.type].get(status)
        if word == "ongoing" and has_end:
            self.warn(entry, "status", f"status {status} but an end date is given; whether and why it stopped is left unknown")
            return None
        if status == "on-hold":
            self.warn(entry, "status", "on hold: neither ongoing nor stopped; left unknown")
        return word

    def dosage(self, entry: Entry, line: dict):
        """dose from the first dosage's text; cycles from its timing's repeat count."""
        if entry.type == "MedicationAdministration":  # one dosage object, not a list
            key, dosage = "dosage", self.get(entry, entry.resource, "dosage", dict)
        else:
            key = "dosageInstruction" if entry.type == "MedicationRequest" else "dosage"
            dosage = next(iter(self.items(entry, entry.resource, key, dict)), None)
            key += "[0]"
        if not dosage:
            return
        if text := self.get(entry, dosage, "text", str, f"{key}.text"):
            line["dose"] = text.strip()
        if (count := _int(_dig(dosage, "timing", "repeat", "count"))) and count >= 1:
            line["cycles"] = count

    # -- adverse events -----------------------------------------------------------------

    def adverse_event(self, entry: Entry):
        res = entry.resource
        if self.get(entry, res, "actuality", str) == "potential":
            self.warn(entry, "actuality", "a potential adverse event, not one that happened; left out")
            return
        event = self.concept(entry, res.get("event"), "event")
        if event is None:
            self.warn(entry, "event", "an adverse event with no event; left out")
            return
        grade = self.ae_grade(entry)
        if grade == 0:
            self.warn(entry, "extension", "CTCAE grade 0: the event did not occur; left out")
            return
        targets = []
        for i, suspect in enumerate(self.items(entry, res, "suspectEntity", dict)):
            ref = self.reference(entry, suspect.get("instance"), f"suspectEntity[{i}].instance")
            if ref in self.line_of:
                targets.append(self.line_of[ref])
            elif ref in self.by_ref and self.by_ref[ref].type == "Medication":
                targets += [n for n, (e, _) in enumerate(self.lines) if _dig(e.resource, "medicationReference", "reference") == ref]
        if not targets:
            self.warn(entry, "suspectEntity", f"{event.describe()}: no treatment line in the bundle matches its suspect entity; left out")
            return
        word = next((w for t in event.words() if (w := _toxicity_word(t))), None)
        toxicity = {"event": word or "other"}
        if word is None:
            toxicity["note"] = event.text or event.describe()
            self.warn(entry, "event", f"{event.describe()} is not a toxicity word of the case format; recorded as 'other' with a note")
        if grade is not None:
            toxicity["grade"] = grade
        for n in dict.fromkeys(targets):
            self.lines[n][1].setdefault("toxicity", []).append(dict(toxicity))

    def ae_grade(self, entry: Entry) -> int | None:
        for i, ext in _extensions(entry.resource, *GRADE_EXTENSIONS):
            where = f"extension[{i}]"
            if (grade := _int(ext.get("valueInteger"))) is not None and 0 <= grade <= 5:
                return grade
            concept = self.concept(entry, ext.get("valueCodeableConcept"), f"{where}.valueCodeableConcept")
            for _, code, _ in concept.codings if concept else ():
                if code in GRADE_BY_NCIT:
                    return GRADE_BY_NCIT[code]
                if code and re.fullmatch(r"[0-5]", code):
                    return int(code)
            self.warn(entry, where, f"CTCAE grade {concept.describe() if concept else '(no value)'} not understood; grade left unknown")
        if "severity" in entry.resource:
            self.warn(entry, "severity", "severity (mild/moderate/severe) is not a CTCAE grade; grade left unknown")
        return None

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

    def age(self, on: date) -> int | None:
        found = self.observed.get("age")
        if not found:
            return None
        born = [o for o in found if o.value[0] == "born"]
        chosen = born[0] if born else max(found, key=lambda o: o.value[2].first_day())
        for other in found:
            if other is not chosen:
                self.warn(other.entry, other.field, f"not used: the age comes from {chosen.entry.label} ({chosen.field})")
        if chosen.value[0] == "born":
            oldest, youngest = chosen.value[1].first_day(), chosen.value[1].last_day()
        else:  # aged `years` on a date: born at most `years` and more than `years + 1` years before
            _, years, recorded = chosen.value
            youngest = _years_before(recorded.first_day(), years)
            oldest = _years_before(recorded.last_day(), years + 1) + timedelta(days=1)
        low, high = _age(youngest, on), _age(oldest, on)
        if low != high:
            self.warn(chosen.entry, chosen.field, f"gives an age of {low} or {high} on {on}; age left unknown")
            return None
        if not 0 <= low <= 120:
            self.error(chosen.entry, chosen.field, f"gives an age of {low} on {on}, outside 0-120")
            return None
        return low

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


OBSERVATION_VALUES = {
    "ki67": _Mapper.ki67_value, "grade": _Mapper.grade_value, "msi": _Mapper.msi_value, "mmr": _Mapper.msi_value,
    "tmb": _Mapper.tmb_value, "sstr": _Mapper.sstr_value, "stage": _Mapper.stage_value,
    "disease": _Mapper.disease_value, "ecog": _Mapper.ecog_value, "age": _Mapper.age_value,
}
HANDLERS = {
    "Patient": _Mapper.patient_resource, "Condition": _Mapper.condition, "Observation": _Mapper.observation,
    "AdverseEvent": lambda self, entry: self.check_subject(entry),  # mapped after the lines exist
    "Medication": lambda self, entry: None,  # read through the resources that refer to it
    **dict.fromkeys(LINE_TYPES, _Mapper.treatment),
}


# -- small helpers ------------------------------------------------------------------------


def _has_profile(resource: dict, name: str) -> bool:
    profiles = _dig(resource, "meta", "profile")
    return isinstance(profiles, list) and any(isinstance(p, str) and p.split("|")[0] == MCODE + name for p in profiles)


def _extensions(resource: dict, *urls: str) -> list:
    """(index, extension) for each extension with one of these urls."""
    found = resource.get("extension")
    return [(i, x) for i, x in enumerate(found) if isinstance(x, dict) and x.get("url") in urls] if isinstance(found, list) else []


def _quiet_concept(value) -> Concept | None:
    """A concept read without reporting (the full pass reports the same problems)."""
    if not isinstance(value, dict):
        return None
    codings = value.get("coding") if isinstance(value.get("coding"), list) else []
    parts = tuple(tuple(c.get(k) if isinstance(c.get(k), str) else None for k in ("system", "code", "display")) for c in codings if isinstance(c, dict))
    return Concept(parts, value["text"] if isinstance(value.get("text"), str) else None)


def _first_match(text: str, table: tuple) -> str | None:
    return next((word for word, pattern in table if re.search(pattern, _plain(text), re.I)), None)


def _whole_value(concept: Concept, table: dict) -> str | None:
    return next((table[vocab_key(w)] for w in concept.words() if vocab_key(w) in table), None)


def _plain(text: str) -> str:
    """Superscript digits as plain digits ('⁶⁸Ga' -> '68Ga'), dashes as hyphens."""
    return text.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹–—", "0123456789--"))


def _ingredient(concept: Concept) -> str | None:
    """An ingredient's plain name, from its RxNorm code or its words."""
    for code in concept.codes(RXNORM):
        if code in INGREDIENT_BY_RXNORM:
            return INGREDIENT_BY_RXNORM[code]
    return next((w.strip().lower() for w in concept.words() if re.fullmatch(r"[a-z][a-z -]*", w.strip().lower())), None)


def _toxicity_word(text: str) -> str | None:
    key = alias_key(text)
    for word in vocab.TOXICITY_EVENTS:
        if word != "other" and alias_key(word) == key:
            return word
    return next((word for alias, word in vocab.TOXICITY_ALIASES.items() if alias_key(alias) == key), None)


def _value_field(res: dict) -> str:
    return next((k for k in res if k.startswith("value")), "")


def _show_value(res: dict) -> str:
    field = _value_field(res)
    return _show(res[field]) if field else "(none)"


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


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
