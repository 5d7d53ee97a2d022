"""AdverseEvent resources: a toxicity with its CTCAE grade, attached to the treatment
lines it names as suspect.
"""

from __future__ import annotations

import re

from ...base import vocab
from ...base.fields import alias_key
from .codes import GRADE_BY_NCIT, GRADE_EXTENSIONS
from .reading import Entry, MapperBase, _dig, _extensions, _int


class AdverseEventMapper(MapperBase):
    """AdverseEvents, read after every treatment line exists."""

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


def _toxicity_word(text: str) -> str | None:
    key = alias_key(text)
    for word in vocab.TOXICITY_EVENTS:
        if word != "other" and alias_key(word) == key:
            return word
    return next((word for alias, word in vocab.TOXICITY_ALIASES.items() if alias_key(alias) == key), None)
