"""FHIR bundles as senders write them: current mCODE (STU4) encodings, RxNorm products,
trial context, non-NET cancers (docs/fhir.md). The bundles in tests/fixtures/fhir/ were
written from the mCODE implementation guide's structures, not from netadvisor's output;
tests/fixtures/fhir/README.md gives the reading each one must have.
"""

import json
from pathlib import Path

import pytest

from conftest import CASES

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
SHIPPED_BUNDLES = sorted((CASES / "fhir").glob("*.json"))


def fhir_json_problems(value, path="") -> list:
    """Where a JSON document breaks FHIR's JSON rules on values: no null, no empty string,
    object or array, no string of whitespace only (R4 'JSON representation' and 'string')."""
    found = []
    if value is None:
        found.append(f"{path}: null")
    elif isinstance(value, str) and not value.strip():
        found.append(f"{path}: empty or whitespace-only string")
    elif isinstance(value, (dict, list)) and not value:
        found.append(f"{path}: empty {'object' if isinstance(value, dict) else 'array'}")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += fhir_json_problems(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += fhir_json_problems(item, f"{path}[{i}]")
    return found


@pytest.mark.parametrize("path", SHIPPED_BUNDLES, ids=lambda p: p.name)
def test_shipped_bundles_have_no_nulls_or_empty_values(path):
    assert fhir_json_problems(json.loads(path.read_text())) == []


def test_the_null_check_finds_what_fhir_forbids():
    bad = {"a": None, "b": "", "c": [], "d": {}, "e": [{"display": " "}], "f": [1, "x", {"g": True}]}
    assert fhir_json_problems(bad) == ["a: null", "b: empty or whitespace-only string", "c: empty array",
                                       "d: empty object", "e[0].display: empty or whitespace-only string"]
