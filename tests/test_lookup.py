"""Quick lookup: `advise` from fact flags gives what the equivalent case file gives."""

import json

import pytest

from netadvisor.base.documents import load_document
from netadvisor.base.errors import InputError
from netadvisor.inputs.lookup import lookup_case, parse_prior

from conftest import CASES, run_cli

# Seed patient 1 (cases/seed-patient-1.yaml), every fact and every history line, as flags.
SEED_1 = [
    "--as-of", "2025-02-01", "--sex", "female",
    "--site", "pancreas", "--differentiation", "well", "--grade", "2", "--ki67", "4-6", "--stage", "metastatic",
    "--functional", "gastrinoma", "--functional", "insulinoma", "--sstr", "positive",
    "--metastases", "liver,lymph-node", "--msi", "high", "--tmb", "high", "--germline", "lynch",
    "--status", "progressing",
    "--prior", "octreotide-lar@2018..2019-07:progression",
    "--prior", "Lutathera@2019..2020-02:completed",
    "--prior", "surufatinib@2021-09..2021-12:toxicity:hypertensive-crisis:4",
    "--prior", "Sandostatin LAR@2021-12",
    "--prior", "CAPTEM@2022-06..2022-10:other",
    "--prior", "temozolomide@2022-10:other",
    "--prior", "Keytruda@2024-04..2024-07:other",
    "--prior", "Afinitor:toxicity:pneumonitis:3@2024-07..2024-08",  # @DATES may also come last
    "--prior", "diazoxide@2024:ongoing",
    "--prior", "pembrolizumab@2024-12..2025-02:progression",
]


def advise_json(*args):
    result = run_cli("advise", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def errors(*args) -> list:
    result = run_cli("advise", *args)
    assert result.returncode == 2, result.stdout
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_seed_patient_1_from_flags_equals_the_case_file():
    from_file = advise_json(CASES / "seed-patient-1.yaml")
    from_flags = advise_json(*SEED_1)
    assert from_flags["case_id"] == "lookup"
    assert {**from_flags, "case_id": "seed-patient-1"} == from_file


def test_save_round_trips(tmp_path):
    target = tmp_path / "seed-1.yaml"
    result = run_cli("advise", *SEED_1, "--save", target, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert f"saved the case to {target}" in result.stderr
    text = target.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert json.loads(result.stdout) == advise_json(target)  # case_id too: both are the file's stem
    data, _ = load_document(target)
    assert data["as_of"] == "2025-02-01"  # the lookup's date is kept, so the file advises the same later
    assert [line["therapy"] for line in data["history"]][:4] == ["octreotide-lar", "lu177-dotatate", "surufatinib", "octreotide-lar"]
    assert data["history"][7] == {
        "therapy": "everolimus", "start": "2024-07", "end": "2024-08", "stopped": "toxicity",
        "toxicity": [{"event": "pneumonitis", "grade": 3}],
    }


def test_save_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("keep me\n")
    assert f"--save: {target} already exists; add --force to replace it" in errors("--site", "pancreas", "--save", target)[0]
    assert target.read_text() == "keep me\n"
    result = run_cli("advise", "--site", "pancreas", "--save", target, "--force")
    assert result.returncode == 0, result.stderr
    assert load_document(target)[0]["tumor"] == {"primary_site": "pancreas"}


def test_errors_name_the_flag():
    lines = errors(
        "--site", "pancreas", "--sstr", "positiv", "--grade", "4",
        "--prior", "lanreotide:progression", "--prior", "everolimus:toxicty:pneumonitis:7",
    )
    assert lines == [
        "--grade: 4 is out of range: expected an integer from 1 to 3",
        "--sstr: 'positiv' is not one of positive, negative, unknown (did you mean 'positive'?)",
        "--prior[2]: stopped: 'toxicty' is not one of progression, toxicity, completed, patient-choice, other, ongoing"
        " (did you mean 'toxicity'?)",
        "--prior[2]: grade: 7 is out of range: expected an integer from 1 to 5",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sstr", "positive"], "--site: is required"),
        (["--site", "pancreas", "--sstr-uptake", "strong"], "--sstr-uptake: needs --sstr (positive, negative or unknown) as well"),
        (["--site", "pancreas", "--prior", "everolimus@2024..2025..2026"], "--prior[1]: '@2024..2025..2026' is not START..END"),
        (["--site", "pancreas", "--prior", "everolimus@2024-09..2024-03"], "--prior[1]: end: 2024-03 is before the start 2024-09"),
        (["--site", "pancreas", "--prior", "evrolimus"], "--prior[1]: therapy: unknown therapy 'evrolimus' (did you mean 'everolimus'?"),
        (["--site", "pancreas", "--functional", "nonfunctional,gastrinoma"], "--functional: lists 'nonfunctional' together"),
        (["--site", "pancreas", "--as-of", "2025-02-30"], "--as-of: '2025-02-30' is not a date"),
        (["--site", "pancreas", "--age", "sixty"], "--age: expected an integer from 0 to 120, got a string ('sixty')"),
        (["--site", "pancreas", "--metastases", "livr"], "--metastases: 'livr' is not one of liver"),
        (["--site", "pancrea"], "--site: 'pancrea' is not one of pancreas"),
    ],
)
def test_each_error_names_its_flag(args, message):
    assert any(line.startswith(message) for line in errors(*args)), errors(*args)


def test_case_and_fact_flags_together_is_a_usage_error():
    lines = errors(CASES / "seed-patient-1.yaml", "--sstr", "negative", "--no-bulky")
    assert lines == ["netadvisor: give either a CASE file or fact flags, not both (got a CASE and --sstr, --bulky/--no-bulky)"]


def test_no_case_and_no_facts_is_a_usage_error():
    assert "give a CASE file, or describe the case with flags" in errors()[0]


def test_as_of_still_goes_with_a_case_file():
    assert advise_json(CASES / "seed-patient-1.yaml", "--as-of", "2025-03-01")["as_of"] == "2025-03-01"


def test_flag_values_are_forgiving_like_the_file_format(library):
    params = {
        "site": "Small Intestine", "sstr": "POSITIVE", "ki67": "8%", "msi": "dMMR", "tmb": "12",
        "prior": ["Somatuline Depot:Progression", "Afinitor:toxicity:Pneumonitis:3"], "bulky": True,
    }
    case = lookup_case(params, library.catalogue.therapy_spec())
    tumor = case.tumor
    assert (tumor["primary_site"], tumor["sstr"], tumor["bulky"]) == ("small-intestine", "positive", True)
    assert (tumor["ki67"].low, tumor["ki67"].high) == (8, 8)
    assert tumor["biomarkers"] == {"msi": "high", "tmb": 12}
    assert [(line.therapy, line.stopped) for line in case.history] == [("lanreotide", "progression"), ("everolimus", "toxicity")]


@pytest.mark.parametrize(
    "text, line",
    [
        ("lanreotide", {"therapy": "lanreotide"}),
        ("lanreotide:progression", {"therapy": "lanreotide", "stopped": "progression"}),
        ("x@2024-03..2024-09:toxicity", {"therapy": "x", "start": "2024-03", "end": "2024-09", "stopped": "toxicity"}),
        ("x:toxicity@2024-03..2024-09", {"therapy": "x", "start": "2024-03", "end": "2024-09", "stopped": "toxicity"}),
        ("x@2024", {"therapy": "x", "start": "2024"}),
        ("x@..2019-07", {"therapy": "x", "end": "2019-07"}),
        ("x:toxicity:pneumonitis:3:rash:2", {"therapy": "x", "stopped": "toxicity",
                                             "toxicity": [{"event": "pneumonitis", "grade": 3}, {"event": "rash", "grade": 2}]}),
        ("x:completed:postembolization-syndrome", {"therapy": "x", "stopped": "completed",
                                                   "toxicity": [{"event": "postembolization-syndrome"}]}),
        ("x::rash:2", {"therapy": "x", "toxicity": [{"event": "rash", "grade": 2}]}),
        (" Sandostatin LAR : ongoing ", {"therapy": "Sandostatin LAR", "stopped": "ongoing"}),
    ],
)
def test_prior_syntax(text, line):
    assert parse_prior(text, "--prior[1]") == line


def test_prior_with_two_date_parts_is_refused():
    with pytest.raises(InputError) as info:
        parse_prior("x@2020@2021", "--prior[3]")
    assert str(info.value.problems[0]) == "--prior[3]: 'x@2020@2021' has more than one @DATES part"


def test_no_prior_states_an_empty_history_and_burden_sets_the_algorithm_step():
    """Newly diagnosed G1 midgut NET, low burden: NCCN NET-9 puts observation (or an SSA) first.
    Without --no-prior the history is unknown, and nothing that needs it can be judged."""
    facts = ["--as-of", "2026-03-01", "--site", "ileum", "--differentiation", "well", "--grade", "1", "--ki67", "2",
             "--sstr", "positive", "--stage", "metastatic", "--metastases", "liver", "--functional", "nonfunctional",
             "--status", "new-diagnosis", "--burden", "low", "--asymptomatic"]
    known = advise_json(*facts, "--no-prior")
    assert known["candidates"][0]["therapy"] == "observation"
    assert known["summary"]["prior_lines"] == 0
    assert known["algorithm_step"]["id"] == "low-burden"
    unknown = advise_json(*facts)
    assert unknown["summary"]["prior_lines"] is None
    assert any(w["code"] == "history-not-stated" for w in unknown["warnings"])


def test_no_prior_and_prior_together_are_a_usage_error():
    assert errors("--site", "pancreas", "--no-prior", "--prior", "lanreotide") == [
        "--no-prior: contradicts --prior: give one or the other"
    ]


@pytest.mark.parametrize("flags, message", [
    (("--prior", "everolimus:toxicity:pneumonitis:³"), "--prior[1]: '³' is not a CTCAE grade: write it with the digits 0-9"),
    (("--prior", "everolimus:toxicity:pneumonitis:٣"), "--prior[1]: '٣' is not a CTCAE grade: write it with the digits 0-9"),
    (("--age", "٦٠"), "--age: expected an integer from 0 to 120, got a string ('٦٠')"),
    (("--age", "1_0"), "--age: expected an integer from 0 to 120, got a string ('1_0')"),
])
def test_numbers_are_written_with_the_ascii_digits(flags, message):
    """'³' passed str.isdigit() and then failed int(): exit 3; int() read '٦٠' as 60 and '1_0' as 10."""
    result = run_cli("advise", "--site", "ileum", *flags)
    assert result.returncode == 2 and result.stderr.strip() == message, result.stderr
