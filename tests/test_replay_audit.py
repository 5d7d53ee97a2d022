"""replay and audit: the seed patients' decisions, and an audit held to planted truth."""

import csv
import json
import sys

import pytest

from netadvisor.cohort.replay import replay
from netadvisor.inputs.case_reader import load_case

from conftest import CASES, ROOT, make_case, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
import histories  # noqa: E402


def classes(library, stem):
    case = load_case(CASES / f"{stem}.yaml", library.catalogue.therapy_spec())
    return [(d.therapy, d.classification, d.code) for d in replay(case, library)]


def test_seed_patient_1(library):
    assert classes(library, "seed-patient-1") == [
        ("octreotide-lar", "concordant-not-top", None),  # first line: an SSA; lanreotide first (octreotide's glucose warning with insulinoma)
        ("lu177-dotatate", "concordant-not-top", None),  # after SSA progression
        ("surufatinib", "deviation", "trial"),  # "enrolled in a clinical trial evaluating surufatinib"
        ("octreotide-lar", "concordant-not-top", None),  # continued for hormone control
        ("capecitabine-temozolomide", "concordant-not-top", None),
        ("temozolomide", "deviation", "not-in-guideline"),  # single-agent temozolomide is not on the list
        ("pembrolizumab", "concordant-not-top", None),  # MSI-high after prior treatment (label)
        ("everolimus", "concordant-not-top", None),
        ("diazoxide", "concordant", None),  # tied with lanreotide for symptom control on every ranking key
        ("pembrolizumab", "concordant-not-top", None),
    ]


def test_seed_patient_2(library):
    assert classes(library, "seed-patient-2") == [
        ("octreotide-lar", "concordant", None),
        ("everolimus", "not-assessable", "start-not-stated"),  # the seed gives no dates for these two
        ("lu177-dotatate", "not-assessable", "start-not-stated"),
        ("surufatinib", "deviation", "trial"),
        ("bland-embolization", "concordant", None),
        ("octreotide-lar", "concordant", None),
    ]


def test_each_decision_sees_only_the_earlier_lines_as_known_then(library):
    case = make_case(library, {
        "as_of": "2025-06-01",
        "tumor": {"primary_site": "small-intestine", "differentiation": "well", "grade": 2, "ki67": 5,
                  "functional": "nonfunctional", "sstr": "positive", "metastases": ["liver"]},
        "history": [
            {"therapy": "lanreotide", "start": "2020-01", "end": "2022-06", "stopped": "progression"},
            {"therapy": "lu177-dotatate", "start": "2022-07", "end": "2023-03", "stopped": "completed"},
            {"therapy": "everolimus", "start": "2024-01"},
        ],
    })
    decisions = replay(case, library)
    assert [str(d.as_of) for d in decisions] == ["2020-01-01", "2022-07-01", "2024-01-01"]
    assert decisions[0].classification == "concordant"  # SSA first line
    # PRRT after SSA progression; "then" only for a version in force then (NCCN v4.2024 dates from 2025)
    assert decisions[1].detail.startswith("a candidate by nccn-net 4.2024, a version not in force then")
    assert all("guideline-not-in-force" in d.warnings for d in decisions)


def test_a_decision_under_the_version_in_force_says_then(library):
    case = make_case(library, {
        "as_of": "2026-03-01",
        "tumor": {"primary_site": "small-intestine", "differentiation": "well", "grade": 2, "ki67": 5,
                  "functional": "nonfunctional", "sstr": "positive", "metastases": ["liver"]},
        "history": [
            {"therapy": "lanreotide", "start": "2025-02", "end": "2025-11", "stopped": "progression"},
            {"therapy": "lu177-dotatate", "start": "2025-12"},
        ],
    })
    first, second = replay(case, library)
    assert first.guideline == "nccn-net 4.2024" and second.guideline == "nccn-net 3.2025"  # each date's own version
    assert second.detail.startswith("a candidate then: rank 1") and second.category == "1"
    assert "guideline-not-in-force" not in second.warnings


def test_missing_facts_make_a_decision_not_assessable(library):
    case = make_case(library, {
        "tumor": {"primary_site": "small-intestine", "differentiation": "well", "grade": 2},  # SSTR not stated
        "history": [{"therapy": "octreotide-lar", "start": "2021", "stopped": "progression"}],
    })
    [decision] = replay(case, library)
    assert decision.classification == "not-assessable" and decision.code == "facts-not-stated"
    assert "tumor.sstr" in decision.detail


def test_replay_cli():
    table = run_cli("replay", "cases/seed-patient-1.yaml", "--width", "140")
    assert table.returncode == 0 and "Replay: seed-patient-1" in table.stdout and "trial" in table.stdout
    data = json.loads(run_cli("replay", "cases/seed-patient-2.yaml", "--format", "json").stdout)
    assert [d["classification"] for d in data["decisions"]][:2] == ["concordant", "not-assessable"]
    assert run_cli("replay", "nope.yaml").returncode == 2


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, library):
    cases, planted, truth = histories.generate(120, library, seed=7)
    path = tmp_path_factory.mktemp("audit") / "histories.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    return path, planted, truth


def test_audit_counts_equal_the_planted_truth(cohort):
    path, planted, truth = cohort
    assert set(planted) == set(histories.PLANTS)  # every kind of deviation is exercised
    result = run_cli("audit", path, "--format", "json", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["deviations"] == dict(planted)
    overall = data["overall"]
    assert overall["deviation"] == sum(planted.values())
    assert overall["concordant"] == overall["decisions"] - sum(planted.values())  # everything else was the top choice
    assert overall["not_assessable"] == 0 and data["unreadable"] == 0


def test_audit_decisions_csv_matches_the_truth_line_by_line(cohort, tmp_path):
    path, _, truth = cohort
    out = tmp_path / "decisions.csv"
    assert run_cli("audit", path, "--decisions", out, "--format", "csv").returncode == 0
    rows = list(csv.DictReader(out.open()))
    found = {(r["case_id"], int(r["decision"]) - 1, r["code"]) for r in rows if r["classification"] == "deviation"}
    assert found == set(truth)


def test_audit_reports_unreadable_cases_as_values(tmp_path):
    (tmp_path / "bad.yaml").write_text("tumor: {primary_site: nowhere}\n")
    (tmp_path / "p1.yaml").write_text((CASES / "seed-patient-1.yaml").read_text())
    result = run_cli("audit", tmp_path, "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["cases"] == 2 and data["unreadable"] == 1
    assert data["errors"][0]["problems"][0]["path"] == "tumor.primary_site"
    assert data["by"]["line"]["3"]["deviation"] == 1  # surufatinib in a trial


def test_audit_table():
    out = run_cli("audit", CASES, "--width", "120").stdout
    assert "on guideline" in out and "Deviations by code" in out and "By site group" in out


def test_audit_counts_a_case_read_from_two_files_once(tmp_path):
    (tmp_path / "p1.yaml").write_text((CASES / "seed-patient-1.yaml").read_text())
    (tmp_path / "fhir").mkdir()
    (tmp_path / "fhir" / "seed-patient-1.json").write_text((CASES / "fhir" / "seed-patient-1.json").read_text())
    alone = json.loads(run_cli("audit", tmp_path / "p1.yaml", "--format", "json").stdout)
    result = run_cli("audit", tmp_path, "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["cases"] == 1 and data["overall"] == alone["overall"]
    assert data["duplicates"] == [{"case_id": "seed-patient-1", "kept": str(tmp_path / "p1.yaml"),
                                   "skipped": str(tmp_path / "fhir" / "seed-patient-1.json")}]
    assert f"case id 'seed-patient-1' was already read from {tmp_path / 'p1.yaml'}" in result.stderr
    assert "not counted twice" in run_cli("audit", tmp_path, "--width", "200").stdout
