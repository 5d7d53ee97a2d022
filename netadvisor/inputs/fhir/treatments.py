"""Medication and Procedure resources as treatment lines: the catalogue therapy they
name (codes, words, a Medication's ingredients), dates, why they stopped, dose and cycles.
"""

from __future__ import annotations

import re

from .codes import (
    INGREDIENT_BY_RXNORM,
    NOT_GIVEN,
    REGIMENS,
    REQUEST_INTENTS_GIVEN,
    RXNORM,
    SNOMED,
    STATUS_STOPPED,
    STOPPED_BY_SNOMED,
    STOPPED_VALUES,
    TERMINATION_EXTENSION,
    TREATMENT_PROFILES,
)
from .reading import Concept, Entry, MapperBase, _dig, _extensions, _has_profile, _int, _whole_value


class TreatmentMapper(MapperBase):
    """MedicationStatement, MedicationRequest, MedicationAdministration and Procedure as history lines."""

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


def _ingredient(concept: Concept) -> str | None:
    """An ingredient's plain name, from its RxNorm code or its words."""
    for code in concept.codes(RXNORM):
        if code in INGREDIENT_BY_RXNORM:
            return INGREDIENT_BY_RXNORM[code]
    return next((w.strip().lower() for w in concept.words() if re.fullmatch(r"[a-z][a-z -]*", w.strip().lower())), None)
