"""The published JSON Schemas: generated from the code's models, checked in, and true of every shipped file."""

import copy
import json

import jsonschema
import pytest

from netadvisor.base.documents import load_document
from netadvisor.core import advise_case
from netadvisor.formats import json_schemas as schemas
from netadvisor.formats import as_json
from netadvisor.inputs.case_reader import load_case

from conftest import CASES, ROOT, run_cli, shipped_cases

CHECKED_IN = ROOT / "docs" / "schema"


@pytest.fixture(scope="module")
def case_schema(library):
    schema = schemas.case_schema(library.catalogue)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def advice_schema():
    schema = schemas.advice_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_every_shipped_case_and_its_advice_are_valid(library, case_schema, advice_schema, path):
    data, _ = load_document(path)
    case_schema.validate(data)
    advice = advise_case(load_case(path, library.catalogue.therapy_spec()), library)
    advice_schema.validate(json.loads(as_json.render(advice)))
    compared = advise_case(load_case(path, library.catalogue.therapy_spec()), library, compare=True)
    advice_schema.validate(json.loads(as_json.render(compared)))


@pytest.mark.parametrize("name", schemas.NAMES)
def test_checked_in_schemas_equal_the_generated_ones(library, name):
    generated = schemas.render(schemas.generate(name, library.catalogue))
    checked_in = (CHECKED_IN / f"{name}.schema.json").read_text(encoding="utf-8")
    assert checked_in == generated, f"run: netadvisor schema {name} > docs/schema/{name}.schema.json"


@pytest.mark.parametrize("name", schemas.NAMES)
def test_schema_command_prints_the_schema(library, name):
    result = run_cli("schema", name)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == schemas.generate(name, library.catalogue)
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_command_rejects_an_unknown_document():
    result = run_cli("schema", "cases")
    assert result.returncode == 2 and "'cases' is not one of 'case', 'advice'" in result.stderr


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_shipped_cases_point_editors_at_the_checked_in_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/schema/case.schema.json"
    assert (path.parent / first.split("=", 1)[1]).resolve() == (CHECKED_IN / "case.schema.json").resolve()


def test_forgiving_spellings_stay_valid_and_mistakes_do_not(case_schema):
    good = {"tumor": {"primary_site": "Small Intestine", "functional": "Non_Functional", "biomarkers": {"msi": "dMMR"},
                      "sstr": {"status": "POSITIVE"}}, "history": [{"therapy": "Somatuline Depot", "start": 2021}]}
    case_schema.validate(good)
    for path, bad in [
        (("tumor", "primary_site"), "pancreass"),
        (("tumor", "grade"), 4),
        (("tumor", "ki67"), "about five"),
        (("as_of",), "2025-02-30"),
        (("tumor", "colour"), "red"),
    ]:
        data = copy.deepcopy(good)
        *parents, key = path
        (data[parents[0]] if parents else data)[key] = bad
        assert not case_schema.is_valid(data), (path, bad)
    assert not case_schema.is_valid({"patient": {"age": 60}})  # tumor.primary_site is required


def test_the_advice_schema_is_the_writer_s_description(library, advice_schema):
    # with --compare, so the keys only a comparison writes are there too
    data = json.loads(as_json.render(advise_case(load_case(CASES / "seed-patient-1.yaml", library.catalogue.therapy_spec()), library, compare=True)))
    candidate = schemas.advice_schema()["properties"]["candidates"]["items"]
    assert list(candidate["properties"]) == list(data["candidates"][0])  # every key written is described, in order
    assert set(candidate["required"]) <= set(data["candidates"][0])
    for key, bad in [("category", "4"), ("rank", 0), ("intent", "cure")]:
        broken = copy.deepcopy(data)
        broken["candidates"][0][key] = bad
        assert not advice_schema.is_valid(broken), key
