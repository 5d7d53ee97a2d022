"""Condition resources: the NET's primary cancer (site, differentiation, histology),
its metastases, hormone syndromes and hereditary syndromes.
"""

from __future__ import annotations

import re

from .codes import (
    DIFFERENTIATION_BY_ICDO3,
    DIFFERENTIATION_WORDS,
    FUNCTIONAL_BY_SNOMED,
    FUNCTIONAL_WORDS,
    GERMLINE_BY_SNOMED,
    GERMLINE_WORDS,
    HISTOLOGY_EXTENSION,
    ICD10CM,
    ICDO3,
    METASTASIS_BY_SNOMED,
    METASTASIS_WORDS,
    NEUROENDOCRINE_WORDS,
    PRIMARY_PROFILE,
    PRIMARY_SITE_WORDS,
    RELATED_PRIMARY_EXTENSION,
    SECONDARY_PROFILE,
    SITE_BY_ICD10,
    SITE_BY_SNOMED,
    SNOMED,
    THORACIC_HISTOLOGY_BY_ICDO3,
    THORACIC_HISTOLOGY_WORDS,
)
from .reading import Concept, Entry, MapperBase, _dig, _extensions, _first_match, _has_profile


class ConditionMapper(MapperBase):
    """Conditions: the primary cancer that is the NET, its metastases, and the syndromes netadvisor reads."""

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


def _quiet_concept(value) -> Concept | None:
    """A concept read without reporting (the full pass reports the same problems)."""
    if not isinstance(value, dict):
        return None
    codings = value.get("coding") if isinstance(value.get("coding"), list) else []
    parts = tuple(tuple(c.get(k) if isinstance(c.get(k), str) else None for k in ("system", "code", "display")) for c in codings if isinstance(c, dict))
    return Concept(parts, value["text"] if isinstance(value.get("text"), str) else None)
