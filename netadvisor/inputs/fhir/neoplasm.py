"""Is a cancer a neuroendocrine neoplasm? Decided by its codes (data/neoplasms.yaml), and by
its words only where no code decides, with a warning.

The order, most specific first: the ICD-O-3 morphology (the Condition's own code, its mCODE
histology-morphology-behavior extension, or a HistologicBehaviorAndType Observation linked to
it); then a NET disorder code (ICD-10-CM C7A/C7B/C25.4, the SNOMED CT NEN disorders listed);
then the words. An ICD-10-CM code of another cancer (C34.1) or a SNOMED code netadvisor does
not list decides nothing by itself: the words may still say neuroendocrine.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .codes import ICD10CM, ICDO3, NEUROENDOCRINE_WORDS, SNOMED
from .reading import Concept
from .terminology import tables

# Words that, next to a neuroendocrine word, say the tumour is not a NET.
NOT_NET_WORDS = r"\b(merkel|neuroendocrine (differentiation|features)|non-small[- ]cell|small[- ]cell lung)\b"


class Verdict(NamedTuple):
    net: bool
    because: str  # the codes or words that decided, for messages
    warning: str | None = None  # decided, but worth saying (mixed tumour, words only)
    small_cell: bool = False  # ICD-O-3 8041: small cell carcinoma
    coded: bool = False  # decided by a code, not by words


def icdo3(code: str) -> tuple | None:
    """('8240', '3') from '8240/3' (also the sender variants 'M8240/3' and '8240-3')."""
    m = re.fullmatch(r"M?(\d{4})[/-](\d)", code.strip())
    return (m[1], m[2]) if m else None


def morphology_verdict(morphology: list) -> Verdict | None:
    """What the ICD-O-3 codes say, or None if there is none."""
    neo = tables().neoplasms["icdo3"]
    net, other, warn, small = [], [], [], False
    for concept in morphology:
        for code in concept.codes(ICDO3):
            parsed = icdo3(code)
            if parsed is None:
                other.append(f"ICD-O-3 {code} (not a morphology code NNNN/B)")
                continue
            histology, behaviour = parsed
            number = int(histology)
            small = small or histology == neo["small_cell"]["code"]
            in_range = any(low <= number <= high for low, high in neo["neuroendocrine_ranges"]) or number in neo["neuroendocrine_carcinoma"]
            if histology in neo["excluded"]:
                other.append(f"ICD-O-3 {code} {neo['excluded'][histology]['display']}")
            elif in_range and behaviour == "3":
                net.append(f"ICD-O-3 {code}")
                if histology in neo["warn"]:
                    warn.append(f"ICD-O-3 {code} is {neo['warn'][histology]['display']}: a mixed tumour or not a NET in current WHO "
                                "terms; advised on as a neuroendocrine neoplasm, check that the guideline's NET options apply")
            elif in_range:
                other.append(f"ICD-O-3 {code} (behaviour /{behaviour}, not malignant /3)")
            else:
                other.append(f"ICD-O-3 {code}")
    if net and other:
        return Verdict(False, f"the morphology codes disagree: {', '.join(net)} but {', '.join(other)}", coded=True)
    if net:
        return Verdict(True, ", ".join(net), "; ".join(warn) or None, small, coded=True)
    if other:
        return Verdict(False, ", ".join(other), small_cell=small, coded=True)
    return None


def disorder_verdict(code: Concept | None) -> Verdict | None:
    """What a NET disorder code says (ICD-10-CM, SNOMED CT), or None."""
    if code is None:
        return None
    neo = tables().neoplasms
    for c in code.codes(ICD10CM):
        if c in neo["icd10cm"]["not_neuroendocrine"]:
            return Verdict(False, f"ICD-10-CM {c} {neo['icd10cm']['not_neuroendocrine'][c]['display']}", coded=True)
        if c in neo["icd10cm"]["neuroendocrine"] or c[:3] in neo["icd10cm"]["neuroendocrine_prefixes"]:
            return Verdict(True, f"ICD-10-CM {c}", coded=True)
    for c in code.codes(SNOMED):
        if c in neo["snomed"]["neuroendocrine_disorders"]:
            return Verdict(True, f"SNOMED {c} {neo['snomed']['neuroendocrine_disorders'][c]['display']}", coded=True)
    return None


def verdict(code: Concept | None, morphology: list, words: bool = True) -> Verdict:
    """Whether the cancer with this code and these morphologies is a neuroendocrine neoplasm."""
    found = morphology_verdict([*morphology, *([code] if code else [])]) or disorder_verdict(code)
    if found is not None:
        return found
    concepts = [c for c in [code, *morphology] if c]
    texts = [w for c in concepts for w in c.words()]
    described = "; ".join(c.describe() for c in concepts) or "no code or words"
    if words and any(re.search(NEUROENDOCRINE_WORDS, t, re.I) for t in texts) and not any(re.search(NOT_NET_WORDS, t, re.I) for t in texts):
        return Verdict(True, described, f"recognised as a neuroendocrine neoplasm from its words ({described}), "
                       "not from a code netadvisor knows (ICD-10-CM C7A/C7B/C25.4, ICD-O-3 NET morphology: docs/fhir.md)")
    return Verdict(False, described)


def is_secondary_code(code: Concept | None) -> bool:
    """A code that names a metastasis (ICD-10-CM C77-C79, C7B; a SNOMED secondary neoplasm listed)."""
    if code is None:
        return False
    neo = tables().neoplasms
    return any(c[:3] in neo["icd10cm"]["secondary_prefixes"] for c in code.codes(ICD10CM)) or any(
        (SNOMED, c) in tables().metastasis_sites for c in code.codes(SNOMED))
