"""`advise --format json` against the netadvisor-advice/1 contract."""

import json
from pathlib import Path

import jsonschema
import pytest

from netadvisor.formats import as_json

from conftest import advise_dict, run_cli, shipped_cases, BASE_PNET

SCHEMA = json.loads((Path(__file__).parent / "contract" / "advice.schema.json").read_text())


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_every_shipped_case_gives_valid_json(library, path):
    from netadvisor.core import advise_case
    from netadvisor.inputs.case_reader import load_case

    advice = advise_case(load_case(path, library.catalogue.therapy_spec()), library)
    data = json.loads(as_json.render(advice))
    jsonschema.validate(data, SCHEMA)
    assert [c["rank"] for c in data["candidates"]] == sorted(c["rank"] for c in data["candidates"])
    cited = set()
    for c in data["candidates"]:
        for figure in c["toxicities"] + c["evidence"]:
            assert figure["sources"], (c["therapy"], figure)  # every figure names its source
        for item in c["reasons"] + c["cautions"] + c["toxicities"] + c["evidence"]:
            cited |= set(item.get("sources", ()))
    for item in data["warnings"] + data["context"] + [data["scope"]] + [r for e in data["excluded"] for r in e["reasons"]]:
        cited |= set(item.get("sources", ()))
    assert cited == set(data["sources"])  # every id resolves, and the map holds nothing else
    assert all(text for text in data["sources"].values())


def test_cli_prints_exactly_one_json_object_on_stdout():
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on stdout
    jsonschema.validate(data, SCHEMA)
    assert data["case_id"] == "seed-patient-1"
    assert data["guideline"] == {
        "id": "nccn-net", "version": "4.2024", "effective": "2025-01-17",
        "source": "NCCN Neuroendocrine and Adrenal Tumors v4.2024",
        "title": data["guideline"]["title"], "data_sha256": data["guideline"]["data_sha256"],
    }
    assert "not a prescription" in data["disclaimer"]


def test_same_case_same_bytes(library):
    assert as_json.render(advise_dict(library, BASE_PNET)) == as_json.render(advise_dict(library, BASE_PNET))
