"""FHIR R4 / mCODE import (netadvisor/inputs/fhir/, docs/fhir.md)."""

import functools
import json
import subprocess
import sys
from datetime import date

import pytest
import yaml
from hypothesis import given, strategies as st

from conftest import CASES, ROOT, run_cli
from netadvisor.base.errors import InputError
from netadvisor.core import advise_case
from netadvisor.formats import as_json
from netadvisor.inputs.case_reader import load_case
from netadvisor.inputs.fhir.bundle import bundle_to_case
from netadvisor.inputs.fhir.codes import LOINC, MCODE, OBSERVATION_BY_LOINC, RXNORM, SNOMED
from netadvisor.knowledge.library import load_library

BUNDLES = CASES / "fhir"
TODAY = date(2025, 6, 1)


# -- helpers --------------------------------------------------------------------------


def concept(*codings, text=None):
    out = {"coding": [{k: v for k, v in zip(("system", "code", "display"), c) if v is not None} for c in codings]} if codings else {}
    return {**out, "text": text} if text else out


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}
PRIMARY = {
    "resourceType": "Condition", "id": "net", "meta": {"profile": [MCODE + "mcode-primary-cancer-condition"]},
    "code": concept(("http://hl7.org/fhir/sid/icd-10-cm", "C25.4", "Malignant neoplasm of endocrine pancreas"), text="Neuroendocrine tumour"),
    "subject": {"reference": "Patient/p1"},
    "bodySite": [concept((SNOMED, "15776009", "Pancreatic structure"))],
}


def bundle(*resources, patient=PATIENT, primary=PRIMARY, **fields):
    entries = [r for r in (patient, primary) if r] + list(resources)
    return {"resourceType": "Bundle", "type": "collection", **fields, "entry": [{"resource": r} for r in entries]}


def mapped(library, data, **kw):
    return bundle_to_case(data, source="b.json", resolve_therapy=library.catalogue.resolve, today=TODAY, **kw)


def refused(library, data) -> str:
    with pytest.raises(InputError) as err:
        mapped(library, data)
    return str(err.value)


def statement(id="ms", name="everolimus", status="stopped", **fields):
    return {"resourceType": "MedicationStatement", "id": id, "status": status,
            "medicationCodeableConcept": {"text": name}, "subject": {"reference": "Patient/p1"}, **fields}


def observation(id, code, **value):
    return {"resourceType": "Observation", "id": id, "status": "final", "code": code, "subject": {"reference": "Patient/p1"}, **value}


def write(tmp_path, data, name="bundle.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


MARKED = {"meta": {"profile": [MCODE + "mcode-cancer-related-medication-statement"]}}
PROGRESSION = [concept((SNOMED, "266721009", "No response to treatment"))]


# -- the shipped bundles ---------------------------------------------------------------


def test_bundle_1_maps_field_by_field(library):
    case, warnings = mapped(library, json.loads((BUNDLES / "seed-patient-1.json").read_text()))
    assert case["as_of"] == "2025-02-01"
    assert case["patient"] == {"sex": "female"}  # no birthDate in the bundle: no age
    assert case["tumor"] == {
        "primary_site": "pancreas", "differentiation": "well", "grade": 2, "ki67": "4-6", "stage": "metastatic",
        "functional": ["gastrinoma", "insulinoma"], "sstr": "positive", "metastases": ["liver", "lymph-node"],
        "biomarkers": {"msi": "high", "tmb": "high"}, "germline": ["lynch"],
    }
    assert case["disease"] == {"status": "progressing"}
    history = case["history"]
    assert [line["therapy"] for line in history] == [
        "octreotide LAR", "Lutathera", "surufatinib", "Sandostatin LAR", "capecitabine-temozolomide", "temozolomide",
        "Keytruda", "Afinitor", "diazoxide", "pembrolizumab"]
    assert [line.get("stopped") for line in history] == [
        "progression", "completed", "toxicity", None, "other", "other", "other", "toxicity", "ongoing", "progression"]
    assert history[1]["cycles"] == 4 and (history[1]["start"], history[1]["end"]) == ("2019", "2020-02")
    assert history[2]["toxicity"] == [{"event": "hypertensive-crisis", "grade": 4}]
    assert history[7]["toxicity"] == [{"event": "pneumonitis", "grade": 3}]
    # the prior colon cancer and its resection are not the NET's: named, not used; gastrin is not read
    assert [(w.path, w.message.split(":")[0]) for w in warnings] == [
        ("entry[7].resource.code", "Condition/colon-cancer-1984"),
        ("entry[8].resource.reasonReference", "Procedure/hemicolectomy-1984"),
        ("entry[16].resource.code", "Observation/gastrin-2023"),
        ("entry[29].resource.period", "ResearchSubject/surufatinib-trial"),  # the trial the surufatinib line was given in
    ]
    assert history[2]["setting"] == "trial" and [n for n, line in enumerate(history) if "setting" in line] == [2]


def test_bundle_2_maps_field_by_field(library):
    case, warnings = mapped(library, json.loads((BUNDLES / "seed-patient-2.json").read_text()))
    assert case["patient"] == {"age": 79, "sex": "male"}
    assert case["tumor"] == {
        "primary_site": "lung", "differentiation": "well", "histology": "typical-carcinoid", "grade": 1, "ki67": "<1",
        "stage": "metastatic", "functional": ["carcinoid-syndrome"],
        "sstr": {"status": "positive", "modality": "ga68-dotatate-pet"}, "metastases": ["liver", "bone", "lymph-node"],
    }
    history = case["history"]
    assert [line["therapy"] for line in history] == [
        "octreotide", "everolimus", "lutetium Lu 177 dotatate", "surufatinib", "Bland embolization", "octreotide"]
    assert "start" not in history[1] and history[1]["stopped"] == "progression"
    assert history[4] == {"therapy": "Bland embolization", "start": "2023-06", "end": "2023-08", "stopped": "completed",
                          "toxicity": [{"event": "postembolization-syndrome", "grade": 3}]}
    assert history[5]["stopped"] == "ongoing" and history[5]["dose"] == "60 mg (double dose)"
    assert [str(w) for w in warnings] == [
        "b.json: entry[12].resource.code: Observation/5-hiaa-2023: LOINC 1695-6 '5-Hydroxyindoleacetate [Mass/time] "
        "in 24 hour Urine' is not an observation netadvisor reads; left out",
        "b.json: entry[20].resource.period: ResearchSubject/surufatinib-study: a surufatinib clinical study, not named in the "
        "source: the treatment started within its period (2021-11 to 2023-06) is recorded as given in the trial: surufatinib"]
    assert [n for n, line in enumerate(history) if line.get("setting") == "trial"] == [3]


def test_loinc_codes_pass_their_check_digit():
    def check_digit(number: str) -> int:  # LOINC's mod 10 algorithm
        odd, even = number[::-1][0::2][::-1], number[::-1][1::2][::-1]
        digits = even + str(int(odd) * 2)
        return (10 - sum(map(int, digits)) % 10) % 10

    for code in OBSERVATION_BY_LOINC:
        number, digit = code.split("-")
        assert check_digit(number) == int(digit), code
    assert check_digit("29593") != 6  # the Ki-67 code often quoted as 29593-6 does not exist


# -- what is not mapped is named --------------------------------------------------------


def test_an_unknown_resource_type_is_a_warning_naming_it(library):
    case, warnings = mapped(library, bundle({"resourceType": "Encounter", "id": "visit-3", "status": "finished"}))
    assert case["tumor"] == {"primary_site": "pancreas"}
    assert [str(w) for w in warnings] == [
        "b.json: entry[2].resource: Encounter/visit-3: resource type Encounter is not read by netadvisor; left out"]


def test_an_unknown_observation_code_is_a_warning(library):
    _, warnings = mapped(library, bundle(observation("cga", concept((LOINC, "9811-1", "Chromogranin A")), valueQuantity={"value": 3})))
    assert "Observation/cga: LOINC 9811-1 'Chromogranin A' is not an observation netadvisor reads" in str(warnings[0])


def test_an_adverse_event_with_no_matching_line_is_a_warning(library):
    event = {"resourceType": "AdverseEvent", "id": "ae", "actuality": "actual", "event": concept(text="Pneumonitis"),
             "subject": {"reference": "Patient/p1"}, "suspectEntity": [{"instance": {"reference": "MedicationStatement/gone"}}]}
    case, warnings = mapped(library, bundle(statement(), event))
    assert "toxicity" not in case["history"][0]
    assert warnings[0].path == "entry[3].resource.suspectEntity" and "AdverseEvent/ae" in warnings[0].message


def test_adverse_event_grades_and_words(library):
    def event(id, text, **fields):
        return {"resourceType": "AdverseEvent", "id": id, "actuality": "actual", "event": concept(text=text),
                "subject": {"reference": "Patient/p1"}, "suspectEntity": [{"instance": {"reference": "MedicationStatement/ms"}}], **fields}

    graded = {"extension": [{"url": "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade",
                             "valueCodeableConcept": concept(("http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system", "2", None))}]}
    case, warnings = mapped(library, bundle(statement(), event("a", "Stomatitis", **graded), event("b", "Nasal congestion"),
                                            event("c", "diarrhoea", severity=concept(text="severe"))))
    assert case["history"][0]["toxicity"] == [
        {"event": "stomatitis", "grade": 2}, {"event": "other", "note": "Nasal congestion"}, {"event": "diarrhea"}]
    assert [w.path for w in warnings] == ["entry[4].resource.event", "entry[5].resource.severity"]


# -- the unmappable-medication policy ------------------------------------------------------


def test_a_cancer_treatment_naming_no_catalogue_therapy_fails_the_case(library):
    message = refused(library, bundle(statement(name="lanreotide autogel 120 mg", **MARKED)))
    assert "b.json: entry[2].resource.medicationCodeableConcept: MedicationStatement/ms: 'lanreotide autogel 120 mg'" in message
    assert "marked as cancer treatment" in message


def test_a_treatment_given_for_the_net_counts_as_marked(library):
    message = refused(library, bundle(statement(name="study drug XY-12", reasonReference=[{"reference": "Condition/net"}])))
    assert "marked as cancer treatment" in message


def test_an_unmarked_unknown_medication_is_left_out_with_a_warning(library):
    case, warnings = mapped(library, bundle(statement(name="lisinopril 10 MG Oral Tablet", status="active")))
    assert "history" not in case
    assert "'lisinopril 10 MG Oral Tablet', 'lisinopril': no therapy in the catalogue, and the resource is not marked" in warnings[0].message


def test_codes_and_words_that_disagree_fail_the_case(library):
    med = statement(**MARKED)
    med["medicationCodeableConcept"] = concept((RXNORM, "357977", "sunitinib"), text="Afinitor")
    message = refused(library, bundle(med))
    assert "the names and codes disagree" in message and "sunitinib" in message and "everolimus" in message


def test_a_regimen_is_a_medication_listing_its_ingredients(library):
    med = statement(**MARKED)
    del med["medicationCodeableConcept"]
    med["contained"] = [{"resourceType": "Medication", "id": "m", "ingredient": [
        {"itemCodeableConcept": concept((RXNORM, "2555", "cisplatin"))}, {"itemCodeableConcept": concept(text="Etoposide")}]}]
    med["medicationReference"] = {"reference": "#m"}
    case, _ = mapped(library, bundle(med))
    assert case["history"][0]["therapy"] == "cisplatin-etoposide"


def test_one_drug_of_a_regimen_given_alone_is_refused_when_marked(library):
    med = statement(**MARKED)
    med["medicationCodeableConcept"] = concept(text="etoposide")
    assert "'etoposide': no therapy in the catalogue" in refused(library, bundle(med))


def test_a_treatment_of_another_cancer_is_left_out(library):
    other = {**PRIMARY, "id": "breast", "code": concept(text="Ductal carcinoma of breast"), "bodySite": [concept(text="Left breast")]}
    surgery = {"resourceType": "Procedure", "id": "mastectomy", "status": "completed", "code": concept(text="surgery"),
               "subject": {"reference": "Patient/p1"}, "reasonReference": [{"reference": "Condition/breast"}]}
    case, warnings = mapped(library, bundle(other, surgery))
    assert case["tumor"]["primary_site"] == "pancreas" and "history" not in case
    assert [w.message.split(":")[0] for w in warnings] == ["Condition/breast", "Procedure/mastectomy"]


# -- statuses, reasons and dates ---------------------------------------------------------


@pytest.mark.parametrize("fields, stopped", [
    ({"status": "stopped", "statusReason": PROGRESSION}, "progression"),
    ({"status": "stopped", "statusReason": [concept((SNOMED, "105480006", None))]}, "patient-choice"),
    ({"status": "stopped", "extension": [{"url": MCODE + "mcode-treatment-termination-reason",
                                          "valueCodeableConcept": concept((SNOMED, "407563006", None))}]}, "toxicity"),
    ({"status": "stopped"}, "other"),  # stopped, reason not stated
    ({"status": "active"}, "ongoing"),
    ({"status": "unknown"}, None),
])
def test_status_and_termination_reason(library, fields, stopped):
    case, _ = mapped(library, bundle(statement(**fields)))
    assert case["history"][0].get("stopped") == stopped


def test_an_unknown_termination_reason_is_other_with_a_warning(library):
    case, warnings = mapped(library, bundle(statement(statusReason=[concept((SNOMED, "419620001", "Death"))])))
    assert case["history"][0]["stopped"] == "other"
    assert warnings[0].path == "entry[2].resource.statusReason"


def test_a_medication_not_taken_is_left_out(library):
    case, warnings = mapped(library, bundle(statement(status="not-taken")))
    assert "history" not in case and "not a treatment that was given" in warnings[0].message


def test_lines_out_of_date_order_are_sorted_with_a_warning(library):
    later = statement("b", "sunitinib", effectivePeriod={"start": "2023-01", "end": "2023-06"})
    earlier = statement("a", "everolimus", effectivePeriod={"start": "2021-02", "end": "2022-03"})
    undated = statement("c", "Lutathera")
    case, warnings = mapped(library, bundle(later, undated, earlier))
    assert [line["therapy"] for line in case["history"]] == ["everolimus", "sunitinib", "Lutathera"]
    assert "not in date order" in warnings[0].message


def test_a_year_only_start_does_not_hide_an_order_contradiction(library):
    lines = [statement("a", "everolimus", effectivePeriod={"start": "2020-06"}), statement("b", "sunitinib", effectivePeriod={"start": "2020"}),
             statement("c", "Lutathera", effectivePeriod={"start": "2020-01"})]
    case, warnings = mapped(library, bundle(*lines))
    assert [line["therapy"] for line in case["history"]] == ["sunitinib", "Lutathera", "everolimus"]
    assert "not in date order" in warnings[0].message


def test_a_datetime_keeps_its_date_and_a_bad_date_is_refused(library):
    ok = statement(effectivePeriod={"start": "2024-03-05T10:00:00+01:00"})
    assert mapped(library, bundle(ok))[0]["history"][0]["start"] == "2024-03-05"
    message = refused(library, bundle(statement(effectivePeriod={"start": "2024-13"})))
    assert "entry[2].resource.effectivePeriod.start: MedicationStatement/ms:" in message and "month 13" in message


# -- observations -------------------------------------------------------------------------


KI67 = concept((LOINC, "29593-1", "Cells.Ki-67 nuclear Ag/cells in Tissue by Immune stain"))


@pytest.mark.parametrize("value, ki67", [
    ({"valueQuantity": {"value": 12, "unit": "%"}}, 12),
    ({"valueQuantity": {"value": 3, "comparator": "<", "code": "%"}}, "<3"),
    ({"valueRange": {"low": {"value": 15}, "high": {"value": 20}}}, "15-20"),
    ({"valueString": "4–6%"}, "4–6%"),
])
def test_ki67_forms(library, value, ki67):
    case, _ = mapped(library, bundle(observation("k", KI67, **value)))
    assert case["tumor"]["ki67"] == ki67


def test_an_impossible_ki67_is_refused_by_entry(library):
    message = refused(library, bundle(observation("k", KI67, valueQuantity={"value": 150, "unit": "%"})))
    assert "entry[2].resource.valueQuantity: Observation/k: 150 is out of range" in message


def test_ki67_read_from_words_says_so(library):
    case, warnings = mapped(library, bundle(observation("k", concept(text="Ki67 proliferation index"), valueQuantity={"value": 2, "unit": "%"})))
    assert case["tumor"]["ki67"] == 2 and "not from a LOINC code" in warnings[0].message


def test_the_latest_observation_wins_and_older_ones_are_named(library):
    old = observation("g1", concept((LOINC, "33732-9", None)), effectiveDateTime="2018-05", valueCodeableConcept=concept((SNOMED, "54102005", None)))
    new = observation("g2", concept((LOINC, "33732-9", None)), effectiveDateTime="2022-11", valueString="G2")
    case, warnings = mapped(library, bundle(new, old))
    assert case["tumor"]["grade"] == 2
    assert "Observation/g1: superseded by the later Observation/g2" in warnings[0].message


def test_contradicting_observations_of_one_date_fail_the_case(library):
    a = observation("a", concept((LOINC, "81695-9", None)), effectiveDateTime="2020-01-01", valueCodeableConcept=concept((LOINC, "LA26203-2", None)))
    b = observation("b", concept((LOINC, "81695-9", None)), effectiveDateTime="2020-01-01", valueCodeableConcept=concept(text="MSS"))
    assert "contradicts" in refused(library, bundle(a, b))


@pytest.mark.parametrize("value, words", [
    (concept((LOINC, "LA26202-4", "MSI-L")), "stable"),
    (concept(text="dMMR"), "high"),
])
def test_msi_words(library, value, words):
    case, _ = mapped(library, bundle(observation("m", concept((LOINC, "81695-9", None)), valueCodeableConcept=value)))
    assert case["tumor"]["biomarkers"]["msi"] == words


def test_stage_maps_only_where_it_is_clear(library):
    stage = concept((LOINC, "21908-9", None))
    iv = mapped(library, bundle(observation("s", stage, valueCodeableConcept=concept(("http://cancerstaging.org", "4B", None)))))[0]
    iii, warnings = mapped(library, bundle(observation("s", stage, valueCodeableConcept=concept(text="Stage IIIA"))))
    assert iv["tumor"]["stage"] == "metastatic" and "stage" not in iii["tumor"]
    assert "does not map clearly" in warnings[0].message


def test_sstr_negative_by_octreoscan(library):
    scan = observation("o", concept(text="Octreoscan (In-111 pentetreotide)"), valueCodeableConcept=concept((SNOMED, "260385009", "Negative")))
    assert mapped(library, bundle(scan))[0]["tumor"]["sstr"] == {"status": "negative", "modality": "octreoscan"}


# -- the patient ---------------------------------------------------------------------------


def test_age_from_birth_date_on_the_bundle_date_or_as_of(library):
    data = bundle(patient={**PATIENT, "birthDate": "1960-03-15"}, timestamp="2025-02-01T08:00:00Z")
    assert mapped(library, data)[0]["patient"]["age"] == 64
    assert mapped(library, data, as_of=date(2025, 3, 15))[0]["patient"]["age"] == 65


def test_a_birth_year_that_leaves_the_age_open_is_left_unknown(library):
    case, warnings = mapped(library, bundle(patient={**PATIENT, "birthDate": "1960"}))
    assert "age" not in case["patient"]
    assert "gives an age of 64 or 65 on 2025-06-01; age left unknown" in warnings[0].message


def test_a_bundle_is_one_patient(library):
    other = statement(subject={"reference": "Patient/someone-else"})
    assert "refers to Patient/someone-else, not to the bundle's patient" in refused(library, bundle(other))


# -- primary cancer --------------------------------------------------------------------------


def test_the_primary_site_from_an_icd10_code(library):
    primary = {**PRIMARY, "bodySite": [], "code": concept(("http://hl7.org/fhir/sid/icd-10-cm", "C7A.012", "Malignant carcinoid tumor of the ileum"))}
    assert mapped(library, bundle(primary=primary))[0]["tumor"]["primary_site"] == "small-intestine"


def test_a_primary_without_a_known_site_is_refused(library):
    primary = {**PRIMARY, "bodySite": [concept((SNOMED, "14742008", "Structure of large intestine"))], "code": concept(text="NET")}
    message = refused(library, bundle(primary=primary))
    assert "entry[1].resource.bodySite: Condition/net: a neuroendocrine neoplasm ('NET') but no primary site netadvisor knows" in message


def test_two_neuroendocrine_primaries_are_refused(library):
    second = {**PRIMARY, "id": "net-2", "bodySite": [concept((SNOMED, "34402009", "Rectum"))]}
    assert "more than one neuroendocrine primary cancer" in refused(library, bundle(second))


def test_no_primary_is_refused(library):
    assert "the case needs tumor.primary_site" in refused(library, bundle(primary=None))


# -- netadvisor convert ----------------------------------------------------------------------


def test_convert_prints_the_case_and_warnings_on_stderr(library):
    out = run_cli("convert", BUNDLES / "seed-patient-2.json")
    assert out.returncode == 0
    case = yaml.safe_load(out.stdout)
    assert case == mapped(library, json.loads((BUNDLES / "seed-patient-2.json").read_text()))[0]
    assert out.stderr.startswith("warning: ") and "Observation/5-hiaa-2023" in out.stderr


def test_convert_to_json_round_trips_through_advise(tmp_path):
    out = run_cli("convert", BUNDLES / "seed-patient-1.json", "--to", "json")
    assert out.returncode == 0
    path = tmp_path / "seed-patient-1.json"
    path.write_text(out.stdout)
    mapped_run = run_cli("advise", path, "--format", "json")
    shipped_run = run_cli("advise", CASES / "seed-patient-1.yaml", "--format", "json")
    assert json.loads(mapped_run.stdout)["candidates"] == json.loads(shipped_run.stdout)["candidates"]


@pytest.mark.parametrize("target", [CASES / "seed-patient-1.yaml", "missing.json"])
def test_convert_refuses_what_is_not_a_readable_bundle(target):
    out = run_cli("convert", target)
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr


def test_convert_help_has_examples():
    out = run_cli("convert", "--help")
    assert out.returncode == 0 and "Examples:" in out.stdout and "--to" in out.stdout


# -- bundles as case files: netadvisor advise BUNDLE.json -----------------------------


@pytest.mark.parametrize("n", [1, 2])
def test_bundle_states_the_same_facts_as_the_yaml_case(library, therapy_spec, n):
    fhir = load_case(BUNDLES / f"seed-patient-{n}.json", therapy_spec)
    case = load_case(CASES / f"seed-patient-{n}.yaml", therapy_spec)
    assert fhir.as_of == case.as_of and fhir.as_of_stated
    assert fhir.data["patient"] == case.data["patient"]
    # tumor.symptomatic has no FHIR element netadvisor reads (docs/fhir.md): it stays unknown.
    assert fhir.data["tumor"] == {k: v for k, v in case.data["tumor"].items() if k != "symptomatic"}
    assert fhir.data["disease"] == case.data["disease"]
    # best_response is not mapped; notes are the bundle's own words. The trial line comes from a ResearchSubject.
    same = ("therapy", "start", "end", "setting", "stopped", "toxicity", "cycles", "dose")
    assert [[getattr(line, f) for f in same] for line in fhir.history] == [[getattr(line, f) for f in same] for line in case.history]


@pytest.mark.parametrize("n", [1, 2])
def test_bundle_gives_the_same_advice_as_the_yaml_case(library, therapy_spec, n):
    def advice(path):
        out = json.loads(as_json.render(advise_case(load_case(path, therapy_spec), library)))
        warnings = [w for w in out.pop("warnings") if w["code"] != "fhir-unmapped"]
        del out["case_id"]
        return out, warnings

    assert advice(BUNDLES / f"seed-patient-{n}.json") == advice(CASES / f"seed-patient-{n}.yaml")


def test_advice_shows_what_the_bundle_gave_that_was_not_used(library, therapy_spec):
    advice = advise_case(load_case(BUNDLES / "seed-patient-2.json", therapy_spec), library)
    notices = [n.text for n in advice.warnings if n.code == "fhir-unmapped"]
    assert notices[0] == (
        "entry[12].resource.code: Observation/5-hiaa-2023: LOINC 1695-6 '5-Hydroxyindoleacetate [Mass/time] in 24 hour "
        "Urine' is not an observation netadvisor reads; left out")
    assert len(notices) == 2 and notices[1].startswith("entry[20].resource.period: ResearchSubject/surufatinib-study")


def test_the_yaml_path_does_not_import_the_fhir_module():
    code = ("import sys; from pathlib import Path; from netadvisor.core import advise_file; "
            "advise_file(Path('cases/seed-patient-1.yaml')); print('netadvisor.inputs.fhir' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- malformed bundles: InputError by file and entry path, never a traceback ----------------


@pytest.mark.parametrize("data, expected", [
    ({"resourceType": "Bundle", "entry": {"resource": {}}}, "bundle.json: entry: expected a list of entries, got a mapping"),
    ({"resourceType": "Bundle", "entry": ["Patient/1"]}, "bundle.json: entry[0]: expected an object with a resource"),
    ({"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]}, "bundle.json: entry[0].resource.resourceType: expected"),
    (bundle(observation("k", "Ki-67")), "bundle.json: entry[2].resource.code: Observation/k: expected a CodeableConcept object, got a string"),
    (bundle(statement(effectivePeriod="2020")), "bundle.json: entry[2].resource.effectivePeriod: MedicationStatement/ms: expected an object"),
    (bundle(observation("k", {"coding": "29593-1"})), "bundle.json: entry[2].resource.code.coding: Observation/k: expected a list"),
])
def test_malformed_bundles_are_refused_by_entry_path(tmp_path, therapy_spec, data, expected):
    with pytest.raises(InputError) as err:
        load_case(write(tmp_path, data), therapy_spec)
    assert expected in str(err.value)


def test_a_fhir_resource_that_is_not_a_bundle_is_refused_as_such(tmp_path, therapy_spec):
    path = write(tmp_path, PATIENT)
    with pytest.raises(InputError) as err:
        load_case(path, therapy_spec)
    assert str(err.value) == f"{path}: resourceType: expected a FHIR Bundle (resourceType: Bundle), got a string ('Patient')"


def test_a_json_file_that_is_not_a_bundle_is_read_as_a_case(tmp_path, therapy_spec):
    case = load_case(write(tmp_path, {"tumor": {"primary_site": "lung"}}, "case.json"), therapy_spec)
    assert case.site == "lung" and case.warnings == ()


def test_a_case_error_in_a_mapped_bundle_points_to_convert(tmp_path, therapy_spec):
    data = bundle(statement(effectivePeriod={"start": "2026-01"}), timestamp="2025-02-01")
    with pytest.raises(InputError) as err:
        load_case(write(tmp_path, data), therapy_spec)
    assert "history[0].start: 2026-01 is after the case date" in str(err.value)
    assert "`netadvisor convert" in str(err.value)


def test_advise_on_a_malformed_bundle_exits_2_without_a_traceback(tmp_path):
    path = write(tmp_path, {"resourceType": "Bundle", "entry": [{"resource": []}]})
    out = run_cli("advise", path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{path}: entry[0].resource: expected a resource object, got a list" in out.stderr


# -- robustness: any junk in any field is an InputError or a warning, never a crash ---------


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["2020", "2020-13", "#captem", "Patient/p1", "Condition/net", "MedicationStatement/ms-everolimus", "<1", "%"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["coding", "code", "system", "text", "value", "reference", "start", "end", "url", "valueCodeableConcept", "low", "high"]), inner, max_size=3),
    max_leaves=8,
)
SHIPPED = [json.loads(p.read_text()) for p in sorted(BUNDLES.glob("*.json"))]


def _paths(value, path=()):
    """Every (path) to a value inside a resource, for the fuzzer to replace."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


@functools.cache
def _catalogue():
    return load_library().catalogue


@given(which=st.integers(0, 1), pick=st.integers(0, 10_000), junk=JSON)
def test_junk_anywhere_never_crashes(which, pick, junk):
    data = json.loads(json.dumps(SHIPPED[which]))
    paths = [p for p in _paths(data) if p]
    *parent, last = paths[pick % len(paths)]
    target = data
    for key in parent:
        target = target[key]
    target[last] = junk
    try:
        case, warnings = bundle_to_case(data, source="b.json", resolve_therapy=_catalogue().resolve, today=TODAY)
    except InputError as exc:
        assert exc.problems and all(p.file == "b.json" for p in exc.problems)
    else:
        assert isinstance(case, dict) and all(w.file == "b.json" for w in warnings)
