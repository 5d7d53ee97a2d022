"""Observation resources: Ki-67, grade, MSI/MMR, TMB, SSTR status, stage, disease
status, ECOG and age, by LOINC code or, where none is given, by their words.
"""

from __future__ import annotations

import re

from ...base import vocab
from ...base.dates import PartialDate
from ...base.fields import vocab_key
from ..case import Range  # the case format's own Ki-67 rules
from .codes import (
    CODED_TEXT_KINDS,
    DISEASE_BY_SNOMED,
    DISEASE_VALUES,
    LOINC,
    MSI_BY_LOINC_ANSWER,
    MSI_VALUES,
    OBSERVATION_BY_LOINC,
    OBSERVATION_BY_TEXT,
    POSITIVE_NEGATIVE,
    SNOMED,
    SSTR_MODALITY_WORDS,
)
from .reading import Concept, Entry, MapperBase, _first_match, _int, _Observed, _plain, _show, _whole_value
from .terminology import tables

# Facts of one cancer: in a bundle with another cancer, the Observation must say whose they are.
TUMOUR_KINDS = {"ki67", "grade", "msi", "mmr", "tmb", "sstr", "stage", "disease"}


class ObservationMapper(MapperBase):
    """Observations, each kept as a dated candidate value; bundle.py keeps the latest of each."""

    def observation(self, entry: Entry):
        self.check_subject(entry)
        res = entry.resource
        status = self.get(entry, res, "status", str)
        if status in ("entered-in-error", "cancelled"):
            self.warn(entry, "status", f"status {status}; left out")
            return
        code = self.concept(entry, res.get("code"), "code")
        kind = next((OBSERVATION_BY_LOINC[c] for c in (code.codes(LOINC) if code else []) if c in OBSERVATION_BY_LOINC), None)
        kinds = tables().observation_kinds
        kind = kind or next((kinds[(system, c)] for system, c, _ in (code.codings if code else ()) if (system, c) in kinds), None)
        if kind == "morphology":
            if id(res) not in self.used_observations:
                self.warn(entry, "extension", "an ICD-O-3 morphology that names no Condition (focus or mcode-related-condition); left out")
            return
        if kind == "panel":
            self.warn(entry, "hasMember", "a tumour morphology panel: its members are read as Observations of their own; left out")
            return
        if kind in TUMOUR_KINDS and not self.of_the_tumour(entry):
            return
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

    def of_the_tumour(self, entry: Entry) -> bool:
        """Whether an Observation is about the NET: its focus or related condition is the NET or
        one of its metastases (or the NET's stage.assessment names it). One about another cancer
        is left out; one that names no cancer is the NET's, with a warning if there is another."""
        named = self.about(entry)
        tumour = self.keys_of(self.primary) | self.secondaries
        if not named:
            if self.other_primaries and not self.keys_of(entry) & self.assessments:
                others = sorted(k for k in self.other_primaries if "/" in k and not k.startswith(("http", "urn")))
                self.warn(entry, "focus", f"names no cancer (focus or mcode-related-condition) and the bundle holds another "
                          f"({', '.join(others) or 'a second primary cancer'}); read as the neuroendocrine tumour's")
            return True
        if any(ref in tumour for ref, _ in named):
            return True
        foreign = next(((ref, target) for ref, target in named if ref in self.other_primaries), None)
        if foreign:
            self.warn(entry, "focus", f"about {foreign[1].label if foreign[1] else foreign[0]}, a cancer other than the "
                      "neuroendocrine tumour; left out")
            return False
        if self.other_primaries:
            self.warn(entry, "focus", f"about {named[0][0]}, which is not a cancer Condition in the bundle, and the bundle holds "
                      "more than one cancer: whose it is cannot be told; left out")
            return False
        return True

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
        grades = tables().grades
        if concept:
            for code in concept.codes(SNOMED):
                if code in grades:
                    known = grades[code]
                    if known["grade"] is None:
                        self.warn(entry, "valueCodeableConcept", f"grade SNOMED {code} '{known['display']}' is not a WHO NET grade 1-3; left unknown")
                        return None
                    if known.get("warn"):
                        self.warn(entry, "valueCodeableConcept", f"SNOMED {code}: {known['warn']}")
                    return known["grade"]
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
        stages = tables().stages
        known = next((stages[c] for c in concept.codes(SNOMED) if c in stages), None) if concept else None
        if known and known["stage"]:
            return known["stage"]
        texts = [c for _, c, _ in concept.codings if c] + concept.words() if concept and not known else []
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


OBSERVATION_VALUES = {
    "ki67": ObservationMapper.ki67_value, "grade": ObservationMapper.grade_value, "msi": ObservationMapper.msi_value, "mmr": ObservationMapper.msi_value,
    "tmb": ObservationMapper.tmb_value, "sstr": ObservationMapper.sstr_value, "stage": ObservationMapper.stage_value,
    "disease": ObservationMapper.disease_value, "ecog": ObservationMapper.ecog_value, "age": ObservationMapper.age_value,
}


def _value_field(res: dict) -> str:
    return next((k for k in res if k.startswith("value")), "")


def _show_value(res: dict) -> str:
    field = _value_field(res)
    return _show(res[field]) if field else "(none)"
