"""Condition resources: the NET's primary cancer (site, differentiation, histology),
its metastases, hormone syndromes and hereditary syndromes.
"""

from __future__ import annotations

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
    PRIMARY_PROFILE,
    PRIMARY_SITE_WORDS,
    LOINC,
    RELATED_PRIMARY_EXTENSIONS,
    SECONDARY_PROFILE,
    SITE_BY_ICD10,
    SITE_BY_SNOMED,
    SNOMED,
    THORACIC_HISTOLOGY_BY_ICDO3,
    THORACIC_HISTOLOGY_WORDS,
)
from .neoplasm import is_secondary_code, morphology_verdict, verdict
from .reading import Concept, Entry, MapperBase, _dig, _extensions, _first_match, _has_profile
from .terminology import tables

_NOT_GIVEN = {"refuted", "entered-in-error"}


class ConditionMapper(MapperBase):
    """Conditions: the primary cancer that is the NET, its metastases, and the syndromes netadvisor reads."""

    def find_primary(self, entries: list):
        """The NET's primary Condition: the primary cancer that is a neuroendocrine neoplasm.

        A primary cancer is a Condition with the mCODE primary-cancer profile, or any Condition
        (a plain US Core one) whose code or morphology names a neuroendocrine neoplasm. A NET
        among other cancers is the tumour (the others are named in warnings); no NET among
        them fails the case: netadvisor advises on neuroendocrine neoplasms only.
        """
        conditions = [e for e in entries if e.type == "Condition" and not _not_given(e)]
        self.morphology = self.linked_morphology(entries, conditions)
        cancers, verdicts = [], {}
        for e in conditions:
            if self._is_secondary(e):
                continue
            profiled = _has_profile(e.resource, PRIMARY_PROFILE)
            found = verdict(_quiet_concept(e.resource.get("code")), self.morphology_of(e), words=profiled)
            if profiled or found.net:
                cancers.append(e)
                verdicts[e.label] = found
        nets = [e for e in cancers if verdicts[e.label].net]
        if len(nets) > 1:
            self.error(nets[1], "", f"more than one neuroendocrine primary cancer ({', '.join(e.label for e in nets)}); a case is one tumour")
        elif nets:
            self.primary, self.verdict = nets[0], verdicts[nets[0].label]
            for other in cancers:
                if other is not nets[0]:
                    self.other_primaries |= self.keys_of(other)
        elif cancers:
            for e in cancers:
                self.error(e, "code", f"not a neuroendocrine neoplasm ({verdicts[e.label].because}): netadvisor advises on "
                           "neuroendocrine tumours only (codes accepted: docs/fhir.md)")
        else:
            seen = [e.label for e in conditions]
            self.error(None, "entry", "no primary cancer Condition (an mCODE PrimaryCancerCondition, or a Condition coded as a "
                       "neuroendocrine neoplasm): the case needs tumor.primary_site"
                       + (f"; the Conditions in the bundle ({', '.join(seen)}) are none" if seen else ""))
        # before any treatment or observation is read: which metastases are the NET's
        for e in conditions:
            if self._is_secondary(e):
                if self._of_other_cancer(e):
                    self.other_primaries |= self.keys_of(e)
                else:
                    self.secondaries |= self.keys_of(e)

    def linked_morphology(self, entries: list, conditions: list) -> dict:
        """ICD-O-3 morphology from HistologicBehaviorAndType Observations (LOINC 31206-6), by the
        Condition they name (focus or mcode-related-condition), read before the tumour is chosen."""
        found: dict = {}
        primaries = [c for c in conditions if _has_profile(c.resource, PRIMARY_PROFILE)]
        for e in entries:
            code = _quiet_concept(e.resource.get("code")) if e.type == "Observation" else None
            if not code or "31206-6" not in code.codes(LOINC) or e.resource.get("status") in ("entered-in-error", "cancelled"):
                continue
            value = _quiet_concept(e.resource.get("valueCodeableConcept"))
            targets = [t for _, t in self.about(e) if t is not None and t.type == "Condition"]
            if not targets and len(primaries) == 1:
                targets = primaries
            for target in targets if value else ():
                found.setdefault(target.label, []).append(value)
                self.used_observations.add(id(e.resource))
        return found

    def morphology_of(self, entry: Entry) -> list:
        return [c for _, x in _extensions(entry.resource, HISTOLOGY_EXTENSION) if (c := _quiet_concept(x.get("valueCodeableConcept")))] \
            + self.morphology.get(entry.label, [])

    def _is_secondary(self, entry: Entry) -> bool:
        return _has_profile(entry.resource, SECONDARY_PROFILE) or is_secondary_code(_quiet_concept(entry.resource.get("code")))

    def _related_primary(self, entry: Entry) -> list:
        """The primary cancers a metastasis names as its own: (reference, Entry or None)."""
        refs = [_dig(x, "valueReference", "reference") for _, x in _extensions(entry.resource, *RELATED_PRIMARY_EXTENSIONS)]
        return [(r, self.by_ref.get(r)) for r in refs if isinstance(r, str)]

    def _of_other_cancer(self, entry: Entry) -> str | None:
        """Why a metastasis is not the NET's: it names another primary, or its codes name another cancer."""
        primary_keys = self.keys_of(self.primary) if self.primary else set()
        related = self._related_primary(entry)
        if any(r in primary_keys for r, _ in related):
            return None
        if other := next((t.label if t else r for r, t in related if r in self.other_primaries), None):
            return f"a metastasis of {other}"
        code = _quiet_concept(entry.resource.get("code"))
        morphology = morphology_verdict(self.morphology_of(entry) + ([code] if code else []))
        if morphology and not morphology.net:
            return f"a metastasis of a cancer that is not neuroendocrine ({morphology.because})"
        merkel = tables().neoplasms["icd10cm"]["not_neuroendocrine"]
        if code and (c := next((c for c in code.codes(ICD10CM) if c in merkel), None)):
            return f"a metastasis of another cancer (ICD-10-CM {c} {merkel[c]['display']})"
        return None

    def condition(self, entry: Entry):
        self.check_subject(entry)
        res = entry.resource
        status = self.concept(entry, res.get("verificationStatus"), "verificationStatus")
        if status and _NOT_GIVEN & {c for _, c, _ in status.codings}:
            self.warn(entry, "verificationStatus", "refuted or entered in error; left out")
            return
        code = self.concept(entry, res.get("code"), "code")
        if entry is self.primary:
            self.primary_condition(entry, code)
        elif self._is_secondary(entry):
            if foreign := self._of_other_cancer(entry):
                self.warn(entry, "extension", f"{foreign}, not of the neuroendocrine tumour; left out")
            else:
                self.secondary_condition(entry, code)
        elif self.keys_of(entry) & self.other_primaries:
            self.warn(entry, "code", f"a primary cancer other than the neuroendocrine tumour ({code.describe() if code else 'no code'}): "
                      "advised on the neuroendocrine tumour only; this cancer and what belongs to it are left out")
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
        if not _has_profile(res, PRIMARY_PROFILE):
            self.warn(entry, "meta.profile", f"not an mCODE PrimaryCancerCondition: read as the primary cancer by its code "
                      f"({self.verdict.because}); grade, stage and metastases come only from the resources that state them")
        if self.verdict.warning:
            self.warn(entry, "code", self.verdict.warning)
        sites = self.concepts(entry, res, "bodySite")
        histology = [c for i, x in _extensions(res, HISTOLOGY_EXTENSION)
                     if (c := self.concept(entry, x.get("valueCodeableConcept"), f"extension[{i}].valueCodeableConcept"))]
        histology += self.morphology.get(entry.label, [])
        disorders = tables().neoplasms["snomed"]["neuroendocrine_disorders"]
        coded = {SITE_BY_SNOMED[c] for s in sites for c in s.codes(SNOMED) if c in SITE_BY_SNOMED}
        coded |= {SITE_BY_ICD10[c] for c in (code.codes(ICD10CM) if code else []) if c in SITE_BY_ICD10}
        coded |= {disorders[c]["site"] for c in (code.codes(SNOMED) if code else []) if c in disorders}
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
            self.error(entry, "bodySite", f"a neuroendocrine neoplasm ({self.verdict.because}) but no primary site netadvisor knows in "
                       f"{described}: tumor.primary_site is required (codes accepted: docs/fhir.md)")
            return
        self.tumor["primary_site"] = site
        if self.verdict.small_cell and site == "lung":
            self.error(entry, "code", f"small cell lung carcinoma ({self.verdict.because} at a lung primary) is outside netadvisor's "
                       "scope: it is treated by its own guideline (small cell lung cancer), not as a neuroendocrine tumour")
            return
        morphology = histology + ([code] if code else [])
        if any(c == tables().neoplasms["icdo3"]["grade_2"]["code"] for m in morphology for c in m.codes(ICDO3)):
            self.morphology_grade = (2, entry)
        self.stage_summary(entry)
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

    def stage_summary(self, entry: Entry):
        """Condition.stage.summary (an AJCC stage group, SNOMED): used when no stage Observation
        gives the stage; the Observations its stage.assessment names are the tumour's."""
        stages = tables().stages
        for i, stage in enumerate(self.items(entry, entry.resource, "stage", dict)):
            for n, a in enumerate(self.items(entry, stage, "assessment", dict, f"stage[{i}].assessment")):
                if ref := self.reference(entry, a, f"stage[{i}].assessment[{n}]"):
                    self.assessments.add(ref)
            summary = self.concept(entry, stage.get("summary"), f"stage[{i}].summary")
            if summary is None:
                continue
            known = next((stages[c] for c in summary.codes(SNOMED) if c in stages), None)
            if known and known["stage"]:
                self.summary_stage = (known["stage"], entry, f"stage[{i}].summary")
            else:
                self.warn(entry, f"stage[{i}].summary", f"stage {summary.describe()} does not map clearly onto localized, regional, "
                          "locally-advanced or metastatic (only stage IV does); left unknown")

    def secondary_condition(self, entry: Entry, code: Concept | None):
        """The site of a metastasis: its bodySite (codes, then words), else its code (a secondary-
        cancer code names the site: SNOMED 94381002 liver, ICD-10-CM C7B.02), else the code's words."""
        related = self._related_primary(entry)
        if related and not any(r in self.keys_of(self.primary) for r, _ in related):
            self.warn(entry, "extension", f"names {related[0][0]} as its primary, which is not a Condition in the bundle; "
                      "attributed to the neuroendocrine tumour")
        elif not related and self.other_primaries:
            self.warn(entry, "code", "names no primary cancer (condition-related extension) and the bundle holds another cancer; "
                      "attributed to the neuroendocrine tumour")
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
            found = self.metastasis_code_site(entry, code)
        for word in sorted(found):
            self.add_word("metastases", word)

    def metastasis_code_site(self, entry: Entry, code: Concept | None) -> set:
        known = tables().metastasis_sites
        coded = [known[(system, c)] for system, c, _ in (code.codings if code else ()) if (system, c) in known]
        sites = {k["site"] for k in coded}
        if "unspecified" in sites:
            sites.discard("unspecified")
            if not sites:
                self.warn(entry, "code", f"{code.describe()}: the metastasis site is not specified; recorded as 'other'")
                return {"other"}
        if sites:
            return sites
        words = {w for text in (code.words() if code else []) if (w := _first_match(text, METASTASIS_WORDS))}
        if words:
            self.warn(entry, "code", f"metastasis site read from the words of {code.describe()}, not from a code netadvisor knows")
            return words
        self.warn(entry, "bodySite", f"a metastasis with no body site and no site netadvisor knows in its code "
                  f"({code.describe() if code else 'no code'}); recorded as 'other'")
        return {"other"}

    def word_of(self, concept: Concept, by_snomed: dict, words: tuple) -> str | None:
        for code in concept.codes(SNOMED):
            if code in by_snomed:
                return by_snomed[code]
        return next((w for text in concept.words() if (w := _first_match(text, words))), None)

    def add_word(self, field: str, word: str):
        values = self.tumor.setdefault(field, [])
        if word not in values:
            values.append(word)


def _not_given(entry: Entry) -> bool:
    status = _quiet_concept(entry.resource.get("verificationStatus"))
    return bool(status and _NOT_GIVEN & {c for _, c, _ in status.codings})


def _quiet_concept(value) -> Concept | None:
    """A concept read without reporting (the full pass reports the same problems)."""
    if not isinstance(value, dict):
        return None
    codings = value.get("coding") if isinstance(value.get("coding"), list) else []
    parts = tuple(tuple(c.get(k) if isinstance(c.get(k), str) else None for k in ("system", "code", "display")) for c in codings if isinstance(c, dict))
    return Concept(parts, value["text"] if isinstance(value.get("text"), str) else None)
