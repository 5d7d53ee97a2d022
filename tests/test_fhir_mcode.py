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


# -- reading ---------------------------------------------------------------------------------


import copy  # noqa: E402
from datetime import date  # noqa: E402

import yaml  # noqa: E402

from conftest import run_cli  # noqa: E402
from netadvisor.base.errors import InputError  # noqa: E402
from netadvisor.inputs.case_reader import load_case  # noqa: E402
from netadvisor.inputs.fhir.bundle import bundle_to_case  # noqa: E402

TODAY = date(2025, 6, 1)


def fixture(name: str) -> dict:
    return json.loads(next(FIXTURES.glob(f"{name}-*.json")).read_text())


def read(library, data, **kw):
    return bundle_to_case(data, source="b.json", resolve_therapy=library.catalogue.resolve, today=TODAY, **kw)


def refused(library, data, **kw) -> str:
    with pytest.raises(InputError) as err:
        read(library, data, **kw)
    return str(err.value)


def messages(warnings) -> str:
    return "\n".join(str(w) for w in warnings)


def resource(data: dict, rid: str) -> dict:
    return next(e["resource"] for e in data["entry"] if e["resource"].get("id") == rid)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name[:2])
def test_the_fixtures_are_valid_fhir_json(path):
    assert fhir_json_problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize("name, tumor, warned", [
    ("01", {"primary_site": "small-intestine", "differentiation": "well", "grade": 2},
     "SNOMED 1286893008: intermediate histologic grade is read as G2"),
    ("16", {"primary_site": "small-intestine", "differentiation": "well", "grade": 3},
     "SNOMED 1155707008: high histologic grade is read as G3"),
    ("02", {"primary_site": "small-intestine", "differentiation": "well", "stage": "metastatic"}, None),
    ("03", {"primary_site": "small-intestine", "differentiation": "well", "stage": "metastatic"}, None),
    ("04", {"primary_site": "small-intestine", "differentiation": "well", "metastases": ["liver", "bone"]}, None),
    ("05", {"primary_site": "small-intestine", "differentiation": "well", "metastases": ["liver"]}, None),
    ("13", {"primary_site": "small-intestine", "differentiation": "well"}, "not an mCODE PrimaryCancerCondition"),
])
def test_mcode_stu4_encodings_are_read(library, name, tumor, warned):
    case, warnings = read(library, fixture(name))
    assert case["tumor"] == tumor
    assert (warned in messages(warnings)) if warned else warnings == []


def test_a_metastasis_of_another_primary_is_not_the_nets(library):
    case, warnings = read(library, fixture("06"))
    assert case["tumor"] == {"primary_site": "pancreas", "differentiation": "well", "metastases": ["liver"]}  # not the brain
    assert [w.message.split(":")[0] for w in warnings] == ["Condition/nsclc", "Condition/met-brain"]
    assert "a primary cancer other than the neuroendocrine tumour (SNOMED 254637007" in warnings[0].message
    assert "a metastasis of Condition/nsclc, not of the neuroendocrine tumour; left out" in warnings[1].message


def test_observations_about_another_cancer_are_left_out(library):
    case, warnings = read(library, fixture("07"))
    assert case["tumor"] == {"primary_site": "small-intestine", "differentiation": "well", "ki67": 4}  # no G3, no stage IV
    left_out = [w.message for w in warnings if w.path.endswith(".focus")]
    assert [m.split(":")[0] for m in left_out] == ["Observation/ki67-nsclc", "Observation/grade-nsclc", "Observation/stage-nsclc"]
    assert all("about Condition/nsclc, a cancer other than the neuroendocrine tumour; left out" in m for m in left_out)


def test_an_observation_naming_no_cancer_in_a_two_cancer_bundle_is_read_with_a_warning(library):
    data = fixture("07")
    del resource(data, "ki67-nsclc")["focus"]
    case, warnings = read(library, data)
    assert case["tumor"]["ki67"] == 60  # the later one: nothing says it is the lung cancer's
    assert "names no cancer (focus or mcode-related-condition) and the bundle holds another" in messages(warnings)


@pytest.mark.parametrize("name, therapies, stopped", [
    ("08", ["everolimus", "sunitinib"], ["completed", "ongoing"]),
    ("10", ["everolimus", "sunitinib"], ["completed", "ongoing"]),
    ("09", ["Somatuline Depot", "everolimus", "sunitinib"], [None, "other", "ongoing"]),
])
def test_rxnorm_products_and_brands_name_catalogue_therapies(library, name, therapies, stopped):
    case, _ = read(library, fixture(name))
    history = case["history"]
    assert [library.catalogue.resolve(line["therapy"]) for line in history] == [library.catalogue.resolve(t) for t in therapies]
    assert [line.get("stopped") for line in history] == stopped


def test_repeated_administrations_are_one_line(library):
    case, warnings = read(library, fixture("09"))
    lanreotide = case["history"][0]
    assert lanreotide == {"therapy": "Somatuline Depot", "start": "2023-06-01", "dose": "120 mg deep subcutaneous injection every 4 weeks",
                          "note": "3 administrations recorded, 2023-06-01 to 2023-07-27."}
    assert "MedicationAdministration/lanreotide-1, MedicationAdministration/lanreotide-2, MedicationAdministration/lanreotide-3 read as one" \
        in messages(warnings)


def test_another_therapy_between_two_administrations_splits_the_course(library):
    data = fixture("09")
    resource(data, "afinitor")["effectivePeriod"] = {"start": "2023-06-15", "end": "2023-06-20"}
    case, _ = read(library, data)
    assert [line["therapy"] for line in case["history"]][:3] == ["Somatuline Depot", "everolimus", "Somatuline Depot"]


@pytest.mark.parametrize("text, therapy", [
    ("Everolimus 10 MG Oral Tablet", "everolimus"), ("SUNItinib 37.5 MG Oral Capsule", "sunitinib"),
    ("Everolimus Oral Product", "everolimus"), ("Afinitor 10 MG Oral Tablet", "everolimus"),
    ("Somatuline Depot 120 mg deep subcutaneous", "lanreotide"), ("Everolimus 10 MG [Afinitor]", "everolimus"),
    ("Keytruda 100 MG per 4 ML Injection", "pembrolizumab"), ("Cabometyx 40 MG Oral Tablet", "cabozantinib"),
    ("Afinitor Disperz 2 MG Tablet for Oral Suspension", "everolimus"),
])
def test_rxnorm_names_without_codes_are_reduced_to_ingredient_or_brand(library, text, therapy):
    data = fixture("08")
    resource(data, "evero")["medicationCodeableConcept"] = {"text": text}
    case, _ = read(library, data)
    assert library.catalogue.resolve(case["history"][0]["therapy"]) == therapy


def test_an_unknown_product_marked_as_cancer_treatment_still_fails_the_case(library):
    data = fixture("08")
    resource(data, "evero")["medicationCodeableConcept"] = {"text": "Zanubrutinib 80 MG Oral Capsule"}
    assert "'Zanubrutinib 80 MG Oral Capsule', 'Zanubrutinib': no therapy in the catalogue" in refused(library, data)


def test_snomed_procedure_codes_name_catalogue_therapies(library):
    case, warnings = read(library, fixture("17"))
    assert [library.catalogue.resolve(line["therapy"]) for line in case["history"]] == ["ablation", "chemoembolization", "lu177-dotatate"]
    assert "SNOMED 399315003 'Radionuclide therapy (procedure)' names no agent" in messages(warnings)
    data = fixture("17")
    del resource(data, "prrt")["code"]["text"]  # radionuclide therapy, agent not named: refused, not guessed
    assert "Procedure/prrt: 'Radionuclide therapy (procedure)': no therapy in the catalogue" in refused(library, data)


@pytest.mark.parametrize("name, note, stopped", [
    ("11", "Given in a clinical trial: NCT03972488 (NETTER-2) (ResearchSubject/subject, on-study).", None),
    ("12", "Given in a clinical trial: NCT03972488 (ResearchSubject/subject, off-study).", None),
])
def test_a_research_subject_marks_the_lines_of_its_trial(library, name, note, stopped):
    case, _ = read(library, fixture(name))
    (line,) = case["history"]
    assert line["setting"] == "trial" and line["note"] == note and line.get("stopped") == stopped


def test_a_trial_with_no_treatment_in_its_period_is_a_line_of_its_own(library):
    data = fixture("11")
    resource(data, "lutetium-1")["effectiveDateTime"] = "2024-02-20"  # before the enrolment
    case, warnings = read(library, data)
    assert case["history"][1] == {"therapy": "clinical-trial", "start": "2024-03-01", "setting": "trial", "stopped": "ongoing",
                                  "note": "Given in a clinical trial: NCT03972488 (NETTER-2) (ResearchSubject/subject, on-study)."}
    assert "setting" not in case["history"][0] and "recorded as a clinical-trial line" in messages(warnings)


def test_a_treatment_given_in_a_study_by_extension_is_a_trial_line(library):
    data = fixture("08")
    resource(data, "suni")["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/workflow-researchStudy",
                                           "valueReference": {"display": "an investigator-initiated study"}}]
    case, _ = read(library, data)
    assert case["history"][1]["setting"] == "trial" and "an investigator-initiated study" in case["history"][1]["note"]


def test_a_candidate_research_subject_is_not_a_trial_line(library):
    data = fixture("11")
    resource(data, "subject")["status"] = "screening"
    case, warnings = read(library, data)
    assert "setting" not in case["history"][0] and "status screening: the patient did not take part" in messages(warnings)


# -- only neuroendocrine neoplasms -------------------------------------------------------------------


def test_a_cancer_that_is_not_a_net_is_refused(library):
    message = refused(library, fixture("14"))
    assert ("entry[1].resource.code: Condition/nsclc: not a neuroendocrine neoplasm (SNOMED 254637007, 'Non-small cell lung "
            "cancer'; SNOMED 35917007 'Adenocarcinoma')") in message


def test_the_lung_adenocarcinoma_with_a_grade_is_refused_not_advised(library, tmp_path):
    data = fixture("14")
    grade = copy.deepcopy(resource(fixture("01"), "grade"))
    grade["subject"] = resource(data, "met-brain")["subject"]
    grade["extension"][0]["valueReference"]["reference"] = next(e["fullUrl"] for e in data["entry"] if e["resource"]["id"] == "nsclc")
    data["entry"].append({"resource": grade})
    path = tmp_path / "nsclc.json"
    path.write_text(json.dumps(data))
    out = run_cli("advise", path)
    assert out.returncode == 2 and "not a neuroendocrine neoplasm" in out.stderr and "Traceback" not in out.stderr


def test_morphology_in_a_behavior_and_type_observation_makes_the_net(library):
    assert "a neuroendocrine neoplasm (ICD-O-3 8249/3) but no primary site netadvisor knows" in refused(library, fixture("15"))
    data = fixture("15")
    resource(data, "cancer")["bodySite"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "15776009", "display": "Pancreatic structure"}]}]
    case, warnings = read(library, data)
    assert case["tumor"] == {"primary_site": "pancreas", "differentiation": "well", "grade": 2}
    assert "grade 2 read from the ICD-O-3 morphology 8249/3" in messages(warnings)


def _with_morphology(code: str, icd10: str = "C7A.012") -> dict:
    data = fixture("01")
    primary = resource(data, "net")
    primary["extension"][0]["valueCodeableConcept"]["coding"][0] = {"system": "http://terminology.hl7.org/CodeSystem/icd-o-3", "code": code}
    primary["code"]["coding"][0] = {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": icd10}
    return data


@pytest.mark.parametrize("code, icd10, expected", [
    ("8247/3", "C7A.012", "not a neuroendocrine neoplasm (ICD-O-3 8247/3 Merkel cell carcinoma)"),
    ("8140/3", "C7A.012", "not a neuroendocrine neoplasm (ICD-O-3 8140/3)"),  # adenocarcinoma: the morphology decides
    ("8240/1", "C17.2", "not a neuroendocrine neoplasm (ICD-O-3 8240/1 (behaviour /1, not malignant /3))"),
    ("8041/3", "C34.1", "small cell lung carcinoma (ICD-O-3 8041/3 at a lung primary) is outside netadvisor's scope"),
])
def test_morphologies_that_are_not_a_net_netadvisor_advises_on_are_refused(library, code, icd10, expected):
    data = _with_morphology(code, icd10)
    if icd10.startswith("C34"):
        resource(data, "net")["bodySite"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "39607008", "display": "Lung structure"}]}]
    assert expected in refused(library, data)


@pytest.mark.parametrize("code, warned", [("8243/3", "Goblet cell carcinoid"), ("8154/3", "MiNEN"), ("8244/3", "Mixed adenoneuroendocrine")])
def test_mixed_or_goblet_cell_tumours_are_read_with_a_warning(library, code, warned):
    case, warnings = read(library, _with_morphology(code))
    assert case["tumor"]["primary_site"] == "small-intestine" and warned in messages(warnings)


def test_an_extrapulmonary_small_cell_carcinoma_is_a_poorly_differentiated_nec(library):
    data = _with_morphology("8041/3", "C7A.1")
    resource(data, "net")["bodySite"] = [{"coding": [{"system": "http://snomed.info/sct", "code": "15776009", "display": "Pancreatic structure"}]}]
    case, _ = read(library, data)
    assert case["tumor"]["differentiation"] == "poor"  # the guideline then says: outside its scope (NEC)


def test_a_net_coded_only_in_snomed_or_icdo3_on_a_plain_condition_is_the_primary(library):
    data = fixture("13")
    resource(data, "net")["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": "1186869002",
                                                 "display": "Neuroendocrine carcinoma of pancreas (disorder)"}]}
    case, warnings = read(library, data)
    assert case["tumor"]["primary_site"] == "pancreas" and "not an mCODE PrimaryCancerCondition" in messages(warnings)


def test_a_net_known_only_by_its_words_is_read_with_a_warning(library):
    data = fixture("01")
    primary = resource(data, "net")
    del primary["extension"]
    primary["code"] = {"text": "Well-differentiated neuroendocrine tumour of the ileum"}
    case, warnings = read(library, data)
    assert case["tumor"]["primary_site"] == "small-intestine"
    assert "recognised as a neuroendocrine neoplasm from its words" in messages(warnings)
    primary["code"] = {"text": "Adenocarcinoma with neuroendocrine differentiation of the ileum"}
    assert "not a neuroendocrine neoplasm" in refused(library, data)


def test_a_merkel_cell_metastasis_is_not_the_nets(library):
    data = fixture("05")
    resource(data, "met-liver")["code"]["coding"][0] = {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C7B.1"}
    case, warnings = read(library, data)
    assert "metastases" not in case["tumor"] and "C7B.1 Secondary Merkel cell carcinoma" in messages(warnings)


# -- bad or odd input (moved here from the security issue) ---------------------------------------------


def test_a_ki67_inside_contained_is_read(library):
    data = fixture("01")
    report = {"resourceType": "DiagnosticReport", "id": "path", "status": "final", "code": {"text": "Pathology report"},
              "contained": [{"resourceType": "Observation", "id": "ki67", "status": "final",
                             "code": {"coding": [{"system": "http://loinc.org", "code": "29593-1"}]},
                             "valueQuantity": {"value": 3, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}}],
              "result": [{"reference": "#ki67"}]}
    data["entry"].append({"resource": report})
    case, warnings = read(library, data)
    assert case["tumor"]["ki67"] == 3
    assert "resource type DiagnosticReport is not read by netadvisor; left out (the Observations it contains are read)" in messages(warnings)


def test_the_same_resource_twice_is_one_line(library):
    data = fixture("08")
    data["entry"].append(copy.deepcopy(data["entry"][2]))
    case, warnings = read(library, data)
    assert [line["therapy"] for line in case["history"]] == ["everolimus", "sunitinib"]
    assert "the same resource as entry[2].resource again; read once" in messages(warnings)
    changed = copy.deepcopy(data["entry"][2])
    changed["resource"]["status"] = "active"
    data["entry"][-1] = changed
    assert "entry[2].resource is also MedicationRequest/evero but differs" in refused(library, data)


@pytest.mark.parametrize("stamp", ["2025-03-01T25:00:00Z", "2025-03-01T10:61:00Z", "2025-03-01T10:00:00+15:00", "2025-03T10:00:00Z"])
def test_impossible_times_are_refused(library, stamp):
    data = fixture("01")
    data["timestamp"] = stamp
    assert f"timestamp: '{stamp}' is not a possible FHIR dateTime" in refused(library, data)


def test_a_timestamp_in_the_future_does_not_become_as_of(library):
    data = fixture("01")
    data["timestamp"] = "2099-01-01T00:00:00Z"
    assert "timestamp: 2099-01-01T00:00:00Z is after today (2025-06-01)" in refused(library, data)
    case, warnings = read(library, data, as_of=date(2025, 3, 1))
    assert "as_of" not in case and "not used (--as-of 2025-03-01 given)" in messages(warnings)


def test_nulls_in_a_bundle_are_named_once(library):
    data = fixture("01")
    resource(data, "grade")["category"][0]["coding"][0]["display"] = None
    resource(data, "net")["note"] = []
    _, warnings = read(library, data)
    nulls = [w for w in warnings if "null or empty" in w.message]
    assert len(nulls) == 1 and nulls[0].message.startswith("2 null or empty value(s)")


# -- the shipped bundles round-trip through convert -------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED_BUNDLES, ids=lambda p: p.name)
def test_convert_output_is_the_yaml_seed_case(tmp_path, therapy_spec, path):
    out = run_cli("convert", path)
    assert out.returncode == 0, out.stderr
    converted = tmp_path / f"{path.stem}.yaml"
    converted.write_text(out.stdout)
    assert fhir_json_problems(yaml.safe_load(out.stdout)) == []  # convert writes no null or empty value either
    mapped, seed = load_case(converted, therapy_spec), load_case(CASES / f"{path.stem}.yaml", therapy_spec)
    assert mapped.id == seed.id and mapped.as_of == seed.as_of
    assert mapped.data["tumor"] == {k: v for k, v in seed.data["tumor"].items() if k != "symptomatic"}  # no FHIR element
    same = ("therapy", "start", "end", "setting", "stopped", "toxicity", "cycles", "dose")
    assert [[getattr(line, f) for f in same] for line in mapped.history] == [[getattr(line, f) for f in same] for line in seed.history]


# -- the code tables ship with their sources ---------------------------------------------------------


DATA = Path(__file__).resolve().parent.parent / "netadvisor" / "inputs" / "fhir" / "data"


def _entries(value, path=""):
    """Every mapping in a document that carries a `source`, or should (it has a code or a display)."""
    if isinstance(value, dict):
        if "source" in value or "display" in value or "code" in value:
            yield path, value
        for key, item in value.items():
            if key != "sources":
                yield from _entries(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _entries(item, f"{path}[{i}]")


@pytest.mark.parametrize("name", ["rxnorm.yaml", "neoplasms.yaml", "observations.yaml", "procedures.yaml"])
def test_every_shipped_code_names_a_source_that_is_listed(name):
    data = yaml.safe_load((DATA / name).read_text())
    for path, entry in _entries(data):
        if entry.get("code") == "not found":
            continue
        assert entry.get("source") in data["sources"], f"{name}{path}: source {entry.get('source')!r}"


def test_every_rxnorm_code_names_one_ingredient():
    from netadvisor.inputs.fhir.terminology import tables

    rxnorm = tables().rxnorm  # the loader refuses a code listed under two ingredients
    assert rxnorm["845507"] == rxnorm["845512"] == rxnorm["1163786"] == "everolimus"
    assert rxnorm["1541890"] == rxnorm["357977"] == "sunitinib" and "224945" not in rxnorm  # topical Efudex left out


@pytest.mark.parametrize("n", [1, 2])
def test_the_trial_line_survives_in_the_bundle_replay(n):
    def decisions(path):
        out = run_cli("replay", path, "--format", "json")
        assert out.returncode == 0, out.stderr
        return [(d["therapy"], d["classification"], d["code"]) for d in json.loads(out.stdout)["decisions"]]

    from_bundle = decisions(CASES / "fhir" / f"seed-patient-{n}.json")
    assert from_bundle == decisions(CASES / f"seed-patient-{n}.yaml")
    assert ("surufatinib", "deviation", "trial") in from_bundle
