"""The code tables kept as data files (inputs/fhir/data/*.yaml), each code with its source:
RxNorm products, neuroendocrine neoplasm codes, metastasis sites, grade and stage values,
procedure codes. Loaded once, with the project's safe loader, when a bundle is first read.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

from ...base.documents import DATA_MAX_BYTES, load_document
from .codes import ICD10CM, ICDO3, LOINC, NCIT, RXNORM, SNOMED

DATA = Path(__file__).parent / "data"
SYSTEMS = {"snomed": SNOMED, "loinc": LOINC, "ncit": NCIT, "icd10cm": ICD10CM, "icdo3": ICDO3, "rxnorm": RXNORM}


class Tables(NamedTuple):
    rxnorm: dict  # RxNorm code -> ingredient name (tried against the catalogue)
    neoplasms: dict  # neoplasms.yaml as read
    metastasis_sites: dict  # (system, code) -> {"site", "display"}
    observation_kinds: dict  # (system, code) -> kind
    grades: dict  # SNOMED code -> {"grade", "display", "warn"?}
    stages: dict  # SNOMED code -> {"stage", ...}
    procedures: dict  # SNOMED code -> {"therapy", "display", "warn"?}
    kind_words: tuple  # leading procedure words that name no agent


def _read(name: str) -> dict:
    data, _ = load_document(DATA / name, DATA_MAX_BYTES)
    return data


@functools.cache
def tables() -> Tables:
    rx = _read("rxnorm.yaml")
    rxnorm: dict = {}
    for name, therapy in rx["therapies"].items():
        items = [therapy.get("ingredient")] + [therapy.get(k) or [] for k in ("precise_ingredients", "brands", "products")]
        for item in [i for group in items for i in (group if isinstance(group, list) else [group])]:
            if isinstance(item, dict) and item.get("code") not in (None, "not found"):
                if rxnorm.setdefault(item["code"], name) != name:
                    raise ValueError(f"rxnorm.yaml: code {item['code']} is listed under {rxnorm[item['code']]} and {name}")
    neo = _read("neoplasms.yaml")
    sites = {(SYSTEMS[system], code): entry for system, codes in neo["metastases"].items() for code, entry in codes.items()}
    obs = _read("observations.yaml")
    kinds = {(SYSTEMS[c["system"]], c["code"]): c["kind"] for c in obs["codes"]}
    proc = _read("procedures.yaml")
    return Tables(rxnorm, neo, sites, kinds, obs["grades"], obs["stages"], proc["snomed"], tuple(proc["kind_words"]))
