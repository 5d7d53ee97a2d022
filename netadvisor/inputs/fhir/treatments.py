"""Medication and Procedure resources as treatment lines: the catalogue therapy they
name (codes, words, a Medication's ingredients), dates, why they stopped, dose and cycles.
"""

from __future__ import annotations

import re

from ...base.dates import PartialDate
from .codes import (
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
from .rxnorm import reduced_names
from .terminology import tables
from .trials import _mark


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
        if study := self.study_extension(entry):
            _mark(line, f"Given in a clinical trial: {study}.")
        self.line_of.update(dict.fromkeys(self.keys_of(entry), len(self.lines)))
        self.lines.append((entry, line))

    def group_administrations(self):
        """Repeated MedicationAdministrations of one therapy (a lanreotide injection every 4
        weeks) are one line, from the first; a line of another therapy starting between two of
        them splits the course. Each group is named in a warning."""
        def day(line):
            return PartialDate.parse(line["start"]).first_day() if "start" in line else None

        def therapy(line):
            return self.resolve_therapy(line["therapy"])

        given = [n for n, (e, line) in enumerate(self.lines) if e.type == "MedicationAdministration" and day(line)]
        head_of: dict = {}  # line index -> the index of the first administration of its course
        for n in sorted(given, key=lambda n: day(self.lines[n][1])):
            line = self.lines[n][1]
            prev = max((m for m in head_of if therapy(self.lines[m][1]) == therapy(line)), key=lambda m: day(self.lines[m][1]), default=None)
            if prev is not None and not any(
                    therapy(other) != therapy(line) and day(other) and day(self.lines[prev][1]) < day(other) <= day(line)
                    for _, other in self.lines):
                head_of[n] = head_of[prev]
            else:
                head_of[n] = n
        courses: dict = {}
        for n, head in head_of.items():
            courses.setdefault(head, []).append(n)
        merged = {n: head for head, members in courses.items() if len(members) > 1 for n in members if n != head}
        if not merged:
            return
        for head, members in courses.items():
            if len(members) < 2:
                continue
            members.sort(key=lambda n: day(self.lines[n][1]))
            first, last = self.lines[members[0]][1], self.lines[members[-1]][1]
            course = dict(first)
            if last.get("stopped"):
                course["stopped"] = last["stopped"]
            elif "stopped" in course:
                del course["stopped"]
            span = f"{len(members)} administrations recorded, {first['start']} to {last['start']}."
            course["note"] = f"{first['note']} {span}" if first.get("note") else span
            self.lines[head] = (self.lines[head][0], course)
            self.warn(self.lines[head][0], "", f"{span[:-1]}: {', '.join(self.lines[n][0].label for n in members)} read as one "
                      f"{first['therapy']} line (no end date: the last administration does not say the course ended)")
        keep = [n for n in range(len(self.lines)) if n not in merged]
        index = {old: new for new, old in enumerate(keep)}
        self.line_of = {ref: index[merged.get(n, n)] for ref, n in self.line_of.items()}
        self.lines = [self.lines[n] for n in keep]

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
        """The catalogue name the codes and words agree on; several that disagree are an error.

        Tried in order: RxNorm codes (data/rxnorm.yaml), SNOMED procedure codes
        (data/procedures.yaml), the words, then what RxNorm's name grammar leaves of them
        ("Everolimus 10 MG Oral Tablet" -> "Everolimus"), or for a procedure the words without
        a leading kind of treatment ("PRRT lutetium Lu 177 dotatate" -> "lutetium Lu 177 dotatate").
        """
        terms = tables()
        names, notes = [], {}  # candidate names, codes first; name -> warning if it is the one used
        for c in filter(None, concepts):
            names += [terms.rxnorm[code] for code in c.codes(RXNORM) if code in terms.rxnorm]
            for code in c.codes(SNOMED) if entry.type == "Procedure" else ():
                known = terms.procedures.get(code)
                if known and known["therapy"]:
                    names.append(known["therapy"])
                    if known.get("warn"):
                        notes[known["therapy"]] = f"SNOMED {code}: {known['warn']}"
                elif known:
                    notes[None] = f"SNOMED {code} '{known['display']}' names no agent: the therapy is read from its words"
            words = c.words()
            names += words
            for w in words:
                if entry.type == "Procedure":
                    names += [rest for kind in terms.kind_words if (rest := _after_kind(w, kind))]
                else:
                    names += [_regimen_of(n) if " / " in n else n for n in reduced_names(w)]
        parts = {_ingredient(c) for c in ingredients}
        if len(parts) > 1 and None not in parts:
            regimen = REGIMENS.get(frozenset(parts))
            names.append(regimen or " + ".join(sorted(parts)))
        elif len(parts) == 1 and None not in parts:
            names.append(parts.pop())
        found: dict = {}
        for name in dict.fromkeys(n for n in names if n):
            try:
                found.setdefault(self.resolve_therapy(name), name)
            except ValueError:
                continue
        if len(found) > 1:
            self.error(entry, field, "the names and codes disagree: " + ", ".join(f"'{n}' is {t}" for t, n in found.items()))
            return None, names
        chosen = next(iter(found.values()), None)
        if chosen is not None and (note := notes.get(chosen) or notes.get(None)):
            self.warn(entry, field, note)
        return chosen, list(dict.fromkeys(n for n in names if n))

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


def _after_kind(words: str, kind: str) -> str | None:
    """The words after a leading kind of treatment ("PRRT ..."), if they start with it."""
    m = re.match(rf"\s*{re.escape(kind)}\b[\s:,-]*(?:with\s+)?(.+)", words, re.I)
    rest = m[1].strip() if m else None
    return None if rest is None or re.fullmatch(r"\(.*\)", rest) else rest  # "(procedure)": SNOMED's semantic tag


def _regimen_of(name: str) -> str | None:
    """'capecitabine / temozolomide' (a multi-ingredient RxNorm name) as the regimen it makes."""
    return REGIMENS.get(frozenset(part.strip().lower() for part in name.split(" / ")))


def _ingredient(concept: Concept) -> str | None:
    """An ingredient's plain name, from its RxNorm code or its words."""
    rxnorm = tables().rxnorm
    for code in concept.codes(RXNORM):
        if code in rxnorm:
            return rxnorm[code]
    return next((w.strip().lower() for w in concept.words() if re.fullmatch(r"[a-z][a-z -]*", w.strip().lower())), None)
