"""What a clinician sees first, through the real entry point: the patient, the warnings and
the ranked candidates with each one's decisive caution, within 40 lines at 80 columns;
--brief within 24."""

import pytest

from conftest import run_cli

SEED1 = "cases/seed-patient-1.yaml"


def _lines(*args, width=80):
    result = run_cli("advise", *args, "--width", str(width))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# What a tumour board needs of seed patient 1: the tumour and its biology, the patient, every
# line of the history with its outcome, what is not stated, the case-level warning, the
# guideline version and that this is decision support, and every candidate with its decisive caution.
BOARD_NEEDS = [
    "pancreas", "G2", "Ki-67 4–6%", "SSTR positive", "metastatic (liver, lymph-node)", "gastrinoma, insulinoma",
    "progressing", "MSI high", "TMB high", "germline Lynch", "female",
    "Octreotide LAR → progression", "¹⁷⁷Lu-dotatate → completed", "hypertensive crisis", "Everolimus → toxicity: pneumonitis",
    "Pembrolizumab → progression", "Not stated age",
    "no data guide the sequencing", "NCCN Neuroendocrine and Adrenal Tumors v4.2024", "not a prescription",
    "1 Cabozantinib", "⚠ hypertensive crisis (grade 4) on", "2 Sunitinib", "3 ¹⁷⁷Lu-dotatate",
    "Capecitabine-temozolomide", "Clinical trial", "Bland embolization", "Y-90 radioembolization", "Lanreotide (symptoms)",
    "Diazoxide (symptoms)", "10 Octreotide LAR (symptoms)",
]


def _flat(lines) -> str:
    """The lines as one text: panel borders out, wrapped words joined."""
    return " ".join(" ".join(line.replace("│", " ") for line in lines).split())


def test_seed_patient_1_puts_everything_a_board_needs_in_the_first_40_lines_at_80_columns():
    first = _flat(_lines(SEED1)[:40])
    missing = [need for need in BOARD_NEEDS if need not in first]
    assert not missing, missing


def test_brief_fits_24_lines_and_keeps_the_decision():
    lines = _lines(SEED1, "--brief")
    assert len(lines) <= 24, len(lines)
    text = _flat(lines)
    for need in ("G2", "MSI high", "female", "stopped for hypertensive crisis (grade 4) on Surufatinib", "Not stated age",
                 "v4.2024", "not a prescription", "1 Cabozantinib", "⚠ hypertensive crisis", "10 Octreotide LAR"):
        assert need in text, need


def test_case_level_warnings_come_before_the_candidates():
    text = "\n".join(_lines("cases/gi-wd-g3.yaml"))
    assert text.index("! well-differentiated grade 3 NET") < text.index(" #  Candidate")


def test_the_main_caution_is_the_one_that_moved_the_candidate_down():
    """Cabozantinib's three cautions: the grade 4 crisis on a VEGFR TKI (demoting) wins over the later off-label warning."""
    lines = _lines(SEED1, width=120)
    at = next(i for i, line in enumerate(lines) if line.startswith(" 1  Cabozantinib"))
    row = _flat(lines[at:at + 2])
    assert "⚠ hypertensive crisis (grade 4) on Surufatinib" in row and "(+2)" in row


def test_an_unstated_fact_is_said_once_not_per_candidate():
    text = "\n".join(_lines(SEED1, width=120))
    assert text.count("requires a patient aged 12 years or older") == 0
    assert "Not stated age" in text
    details = "\n".join(_lines(SEED1, "--details", width=120))
    assert details.count("not stated: age (patient.age)") == 4  # --details keeps every caution in full


def test_what_applies_to_every_candidate_is_said_once():
    text = "\n".join(_lines(SEED1))
    assert text.count("rates are grade ≥3") + text.count("grade ≥3 unless marked") == 1
    assert text.count("lists it for pancreatic NET") == 0


@pytest.mark.parametrize("case", ["cases/pnet-renal-impairment.yaml", "cases/v3-pnet-vhl.yaml", "cases/v3-wdg3-unfavourable.yaml"])
def test_the_panel_shows_the_patient_facts_the_case_states(case):
    import yaml

    data = yaml.safe_load(open(case, encoding="utf-8"))
    text = _flat(_lines(case, width=120))
    patient = data.get("patient", {})
    if "age" in patient:
        assert f"age {patient['age']}" in text
    if "creatinine_clearance" in patient:
        assert f"CrCl {patient['creatinine_clearance']:g} mL/min" in text
    for word in patient.get("comorbidities", []):
        assert word.replace("-", " ") in text
    for syndrome in data["tumor"].get("germline", []):
        assert syndrome.upper() in text.upper()


def test_brief_and_details_together_are_a_usage_error():
    result = run_cli("advise", SEED1, "--brief", "--details")
    assert result.returncode == 2 and "not both" in result.stderr


def test_brief_keeps_what_was_asked_for_and_the_exclusions_when_they_are_the_answer():
    plain = _lines("--brief", SEED1)
    assert not any(line.startswith("Excluded") for line in plain)
    asked = _lines("--brief", "--show-excluded", SEED1)
    assert "Excluded" in asked and any("Everolimus: " in line for line in asked)  # stopped for pneumonitis
    assert asked[: len(plain)] == plain
    # No candidate: what excluded the options is the answer, and brief says it
    none = "\n".join(_lines("--brief", "cases/differentiation-unknown-g3.yaml"))
    assert "options of the site group are excluded" in none and "not a prescription" in none
