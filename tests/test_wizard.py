"""`netadvisor new` driven through the real entry point with answers piped on stdin."""

import json

from netadvisor.base.documents import load_document

from conftest import run_cli

# One answer per question, in order; "" is Enter (unknown / skip / done).
ANSWERS = [
    "midgut-1",            # case id
    "2025-06-01",          # decision date
    "small intestin",      # primary site: a typo, re-asked with "did you mean"
    "Ileum",               # ... an alias, any case
    "well",                # differentiation
    "2",                   # WHO grade
    "8%",                  # Ki-67
    "metastatic",          # stage
    "liver, Lymph Node",   # metastatic sites
    "nonfunctional",       # functional status
    "positive",            # SSTR status
    "",                    # SSTR uptake: not known
    "maybe",               # bulky? not yes/no: re-asked
    "yes",                 # bulky
    "",                    # symptomatic: not known
    "",                    # resectable
    "",                    # MSI
    "",                    # TMB
    "",                    # germline
    "progressing",         # disease status
    "yes",                 # any prior treatment?
    "Somatuline Depot",    # line 1: a brand name
    "2022-03",             # started
    "2025-04",             # ended
    "progression",         # why stopped
    "",                    # toxicity: none
    "afinitor",            # line 2
    "2025-04",             # started
    "2025-03",             # ended before it started: re-asked
    "2025-05",             # ended
    "toxicity",            # why stopped
    "pneumonits",          # toxicity: a typo, re-asked
    "pneumonitis",
    "3",                   # CTCAE grade
    "",                    # no more toxicity
    "",                    # line 3: done
    "61",                  # age
    "female",              # sex
    "no",                  # pregnant
    "1",                   # ECOG
    "",                    # creatinine clearance
    "",                    # eGFR
    "hypertension",        # comorbidities
    "radiation",           # wishes to avoid
    "yes",                 # clinical trial access
]

EXPECTED = {
    "format": "netadvisor-case/1",
    "id": "midgut-1",
    "as_of": "2025-06-01",
    "patient": {"age": 61, "sex": "female", "ecog": 1, "comorbidities": ["hypertension"], "pregnant": False},
    "tumor": {
        "primary_site": "small-intestine", "differentiation": "well", "grade": 2, "ki67": 8, "stage": "metastatic",
        "functional": ["nonfunctional"], "sstr": "positive", "metastases": ["liver", "lymph-node"], "bulky": True,
    },
    "disease": {"status": "progressing"},
    "history": [
        {"therapy": "lanreotide", "start": "2022-03", "end": "2025-04", "stopped": "progression"},
        {"therapy": "everolimus", "start": "2025-04", "end": "2025-05", "stopped": "toxicity",
         "toxicity": [{"event": "pneumonitis", "grade": 3}]},
    ],
    "preferences": {"avoid": ["radiation"], "clinical_trial_access": True},
}


def new(*args, answers, cwd=None):
    return run_cli("new", *args, input="".join(a + "\n" for a in answers), cwd=cwd)


def test_scripted_answers_write_the_expected_case_and_advise_accepts_it(tmp_path):
    target = tmp_path / "midgut.yaml"
    result = new(target, answers=ANSWERS + ["n"])  # last: do not run advise now
    assert result.returncode == 0, result.stderr
    for shown in ("'small intestin' is not one of pancreas", "(did you mean 'small-intestine'?)", "answer yes or no",
                  "2025-03 is before the start 2025-04", "(did you mean 'pneumonitis'?)", f"Wrote {target}"):
        assert shown in result.stdout  # each mistake in the script was caught as it was typed
    data, text = load_document(target)
    assert data == EXPECTED
    assert text.startswith("# yaml-language-server: $schema=")
    advice = run_cli("advise", target, "--format", "json")
    assert advice.returncode == 0, advice.stderr
    assert json.loads(advice.stdout)["case_id"] == "midgut-1"


def test_it_offers_to_advise_and_names_the_file_from_the_id(tmp_path):
    result = new(answers=ANSWERS + ["", "y"], cwd=tmp_path)  # "": the default file name
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "midgut-1.yaml").is_file()
    assert "Candidate" in result.stdout and "Main caution" in result.stdout and "Decision support for clinicians" in result.stdout


def test_an_existing_file_is_replaced_only_when_confirmed(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("keep me\n")
    result = new(target, answers=ANSWERS + ["n", str(tmp_path / "other.yaml"), "n"])
    assert result.returncode == 0, result.stderr
    assert "exists. Replace it?" in result.stdout
    assert target.read_text() == "keep me\n"
    assert load_document(tmp_path / "other.yaml")[0] == EXPECTED
    result = new(target, answers=ANSWERS + ["y", "n"])
    assert result.returncode == 0 and load_document(target)[0] == EXPECTED


def test_unknown_facts_stay_out_of_the_case(tmp_path):
    answers = ["", "2025-06-01", "pancreas"] + [""] * 25  # Enter to every question after the site
    target = tmp_path / "bare.yaml"
    result = new(target, answers=answers + ["n"])
    assert result.returncode == 0, result.stderr
    assert "Main caution" not in result.stdout  # the last answer was the "n" to running advise
    assert load_document(target)[0] == {"format": "netadvisor-case/1", "id": "bare", "as_of": "2025-06-01",
                                        "tumor": {"primary_site": "pancreas"}}


def test_burden_is_asked_when_the_disease_is_not_bulky(tmp_path):
    """NCCN's burden decides the algorithm's step; bulky disease is a clinically significant burden already."""
    at = ANSWERS.index("yes")  # the bulky answer
    answers = ANSWERS[:at] + ["no", "clinically significant"] + ANSWERS[at + 1:]
    target = tmp_path / "burden.yaml"
    result = new(target, answers=answers + ["n"])
    assert result.returncode == 0, result.stderr
    assert "Tumour burden" in result.stdout
    tumor = load_document(target)[0]["tumor"]
    assert tumor["bulky"] is False and tumor["burden"] == "clinically-significant"


def test_answers_that_end_early_write_nothing(tmp_path):
    target = tmp_path / "early.yaml"
    result = new(target, answers=ANSWERS[:10])
    assert result.returncode == 2
    assert "the answers ended before the case was finished; nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and not target.exists()
