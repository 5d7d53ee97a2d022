"""batch, check, lint and diff through the real entry point."""

import csv
import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import CASES, GUIDELINES, run_cli


@pytest.fixture
def cohort(tmp_path):
    """The shipped cases, a broken case deep in a subfolder, and a JSON Lines extract."""
    folder = tmp_path / "cohort"
    shutil.copytree(CASES, folder, ignore=shutil.ignore_patterns("fhir"))
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "sub" / "deeper" / "broken.yaml").write_text("tumor:\n  primary_site: pancreas\n  grade: 7\n")
    (folder / "notes.txt").write_text("not a case")
    extract = tmp_path / "registry.jsonl"
    extract.write_text(
        '{"id": "r1", "tumor": {"primary_site": "lung", "differentiation": "well", "grade": 1, "sstr": "positive"}}\n'
        "\n"
        '{"id": "r2", "tumor": {"primary_site": "colon"}, "patient": {"age": -3}}\n'
        "{not json\n"
    )
    return folder, extract


def test_batch_reports_every_input_once_and_exits_1(cohort, tmp_path):
    folder, extract = cohort
    out = tmp_path / "advice.jsonl"
    result = run_cli("batch", folder, extract, "--out", out, "--jobs", "2")
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    yaml_cases = sorted(p for p in folder.rglob("*.yaml"))
    assert len(lines) == len(yaml_cases) + 3  # every case file and every non-blank JSON line, once
    sources = [(r["source"]["file"], r["source"]["line"]) for r in lines]
    assert len(set(sources)) == len(sources)
    broken = next(r for r in lines if r["source"]["file"].endswith("broken.yaml"))
    assert broken["format"] == "netadvisor-error/1"
    assert broken["problems"][0]["path"] == "tumor.grade" and "out of range" in broken["problems"][0]["message"]
    r2 = next(r for r in lines if r["source"]["line"] == 3)
    assert r2["problems"][0]["path"] == "patient.age" and r2["problems"][0]["file"].endswith("registry.jsonl:3")
    bad_json = next(r for r in lines if r["source"]["line"] == 4)
    assert "invalid JSON" in bad_json["problems"][0]["message"]
    ok = [r for r in lines if r["format"] == "netadvisor-advice/1"]
    assert {r["case_id"] for r in ok} >= {"seed-patient-1", "r1"}
    assert "could not be read" in result.stderr and "sub/deeper/broken.yaml" in result.stderr


def test_batch_order_does_not_depend_on_jobs(cohort, tmp_path):
    folder, _ = cohort
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_cli("batch", folder, "--out", one, "--jobs", "1")
    run_cli("batch", folder, "--out", two, "--jobs", "2")
    assert one.read_text() == two.read_text()


def test_batch_csv(cohort, tmp_path):
    folder, _ = cohort
    out = tmp_path / "advice.csv"
    assert run_cli("batch", folder, "--out", out, "-q").returncode == 1
    rows = list(csv.DictReader(out.open()))
    seed = next(r for r in rows if r["id"] == "seed-patient-1")
    assert seed["top"] == "cabozantinib" and seed["candidates"].startswith("cabozantinib (1); ")
    broken = next(r for r in rows if r["source"].endswith("broken.yaml"))
    assert broken["error"].startswith("tumor.grade: 7 is out of range")


def test_batch_all_good_is_exit_0_and_summary_on_stdout():
    result = run_cli("batch", CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml")
    assert result.returncode == 0
    assert "2 cases: 2 advised, 0 could not be read" in result.stdout
    assert "Cabozantinib" in result.stdout


def test_batch_bad_out_suffix_and_bad_guideline():
    assert run_cli("batch", CASES, "--out", "x.txt").returncode == 2
    assert run_cli("batch", CASES, "--guideline", "nope").returncode == 2


def test_batch_survives_a_symlink_loop(tmp_path):
    (tmp_path / "a").mkdir()
    shutil.copy(CASES / "seed-patient-1.yaml", tmp_path / "a" / "p.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    result = run_cli("batch", tmp_path, "--out", tmp_path / "o.jsonl")
    assert result.returncode == 0 and len((tmp_path / "o.jsonl").read_text().splitlines()) == 1


# -- check ------------------------------------------------------------------------------------


def test_check_passes_on_the_shipped_cases():
    result = run_cli("check", CASES)
    assert result.returncode == 0, result.stdout
    assert " 0 failed, 0 unreadable" in result.stdout


def test_check_fails_when_an_expectation_is_edited_to_be_wrong(tmp_path):
    case = tmp_path / "p1.yaml"
    case.write_text((CASES / "seed-patient-1.yaml").read_text().replace("category: {cabozantinib: \"1\"}", "category: {cabozantinib: 2B}"))
    result = run_cli("check", case)
    assert result.returncode == 1
    assert "expected cabozantinib category 2B; found: candidate, rank 1, category 1" in result.stdout
    junit = run_cli("check", case, "--format", "junit")
    root = ET.fromstring(junit.stdout)  # valid XML
    suite = root.find("testsuite")
    assert suite.get("failures") == "1"
    failed = [tc for tc in suite.iter("testcase") if tc.find("failure") is not None]
    assert [tc.get("classname") for tc in failed] == ["seed-patient-1"] and suite.get("file") == str(case)
    github = run_cli("check", case, "--format", "github").stdout
    assert github.startswith(f"::error file={case},line=") and "category cabozantinib" in github
    data = json.loads(run_cli("check", case, "--format", "json").stdout)
    assert data["totals"]["failed"] == 1


def test_check_unreadable_input_is_exit_2(cohort):
    folder, _ = cohort
    result = run_cli("check", folder / "sub")
    assert result.returncode == 2 and "broken.yaml" in result.stdout


# -- lint -------------------------------------------------------------------------------------


def test_lint_passes_on_the_shipped_data():
    result = run_cli("lint")
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stdout


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)
    return folder


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "file, old, new, needle",
    [
        ("nccn-net-v4.2024.yaml", "    therapy: everolimus\n    site_group: pancreas", "    therapy: everolimux\n    site_group: pancreas", "'everolimux' is not one of"),
        ("nccn-net-v4.2024.yaml", "  - id: pnet-sunitinib\n", "  - id: pnet-everolimus\n", "duplicate recommendation id"),
        ("nccn-net-v4.2024.yaml", "{fact: disease_status, is: progressing}", "{fact: disease_stage, is: progressing}", "unknown fact 'disease_stage'"),
        ("nccn-net-v4.2024.yaml", "{fact: sstr, is: positive}", "{fact: sstr, is: positif}", "'positif' is not a value of fact 'sstr'"),
        ("nccn-net-v4.2024.yaml", "    quote: everolimus (category 1 for progressive disease)\n    sources: [paulson-2025, nccn-net-4.2024, radiant3-2011]",
         "    quote: everolimus (category 1 for progressive disease)\n    sources: []", "recommendation needs at least one source"),
        ("therapies.yaml", '{event: hypertension, percent: 22, grades: "3-4", cohort: pnet, population: "CABINET pNET cohort, cabozantinib (n=63)", sources: [paulson-2025, cabinet-2025]}',
         '{event: hypertension, percent: 22, grades: "3-4", cohort: pnet, population: "CABINET pNET cohort, cabozantinib (n=63)"}', "hypertension figure without a source"),
        ("therapies.yaml", "        if_unknown: caution\n        sources: [label-somatuline]\n",
         "        if_unknown: caution\n", "rule without a source"),
        # PRRT after SSA progression without its requirement would always apply: first-line PRRT never could
        ("nccn-net-v3.2025.yaml", "    requires: [ssa-progression]  # SSTR-positive: a label limit of the therapy\n    category_rules:",
         "    category_rules:", "recommendations[gi-lu177-dotatate-first-line]: a second antitumor recommendation"),
    ],
)
def test_lint_finds_each_kind_of_error(data, file, old, new, needle):
    edit(data / file, old, new)
    result = run_cli("lint", data)
    assert result.returncode == 1
    assert needle in result.stdout and str(data) in result.stdout


def test_lint_empty_site_group_and_overlapping_versions(data):
    edit(data / "nccn-net-v4.2024.yaml", "  - {id: lung-thymus, name: lung or thymic NET, sites: [lung, thymus], cohort: epnet}",
         "  - {id: lung-thymus, name: lung or thymic NET, sites: [lung, thymus], cohort: epnet}\n  - {id: other, name: other NET, sites: [other], cohort: epnet}")
    second = (data / "nccn-net-v4.2024.yaml").read_text().replace('version: "4.2024"', 'version: "5.2024"')
    (data / "nccn-net-copy.yaml").write_text(second)
    out = run_cli("lint", data).stdout
    assert "site_groups[other]: site group with no recommendation" in out
    assert "take effect on the same day" in out


def test_lint_unknown_evidence_source(data):
    edit(data / "evidence.yaml", "    sources: [e2211-2023]", "    sources: [e2211]")
    assert "'e2211' is not one of" in run_cli("lint", data).stdout


def test_lint_missing_folder_is_exit_2(tmp_path):
    assert run_cli("lint", tmp_path / "nope").returncode == 2


# -- diff -------------------------------------------------------------------------------------


def test_diff_dates_show_the_cabozantinib_label_appearing():
    result = run_cli("diff", "--from", "2024-06-01", "--to", "2025-04-01", CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["summary"]["changed"] == 2
    for case in data["cases"]:
        gone = [c for c in case["changes"] if c["kind"] == "caution-removed" and c["therapy"] == "cabozantinib"]
        assert gone and "off-label on 2024-06-01" in gone[0]["from"] and "2025-03-26" in gone[0]["from"]


def test_diff_nccn_vs_asco_lists_each_difference():
    result = run_cli("diff", "--from", "nccn-net", "--to", "asco-2023", CASES, "--format", "json")
    assert result.returncode == 1
    cases = {c["case_id"]: c for c in json.loads(result.stdout)["cases"]}
    p1 = {(c["kind"], c.get("therapy")) for c in cases["seed-patient-1"]["changes"]}
    assert ("guideline", None) in p1
    assert ("removed", "cabozantinib") in p1  # ASCO 2023 predates CABINET
    assert ("category", "sunitinib") in p1  # NCCN category 1; ASCO states none
    lung = cases["seed-patient-2"]["changes"]
    assert any(c["kind"] == "removed" and c["to"].startswith("out of scope") for c in lung)


def test_diff_same_side_is_exit_0():
    assert run_cli("diff", "--from", "nccn-net", "--to", "nccn-net", CASES / "seed-patient-1.yaml").returncode == 0


def test_diff_bad_side_is_exit_2():
    assert run_cli("diff", "--from", "nccn-nett", "--to", "asco-2023", CASES).returncode == 2
    assert run_cli("diff", "--from", "2025-02-30", "--to", "asco-2023", CASES).returncode == 2


def test_batch_warns_about_a_case_id_read_from_two_files(tmp_path):
    (tmp_path / "p1.yaml").write_text((CASES / "seed-patient-1.yaml").read_text())
    (tmp_path / "copy.yaml").write_text((CASES / "seed-patient-1.yaml").read_text())
    out = tmp_path / "advice.jsonl"
    result = run_cli("batch", tmp_path, "--out", out, "-q", "--width", "200")
    assert result.returncode == 0 and len(out.read_text().splitlines()) == 2  # both advised
    assert "warning: 1 case id(s) read from two inputs" in result.stderr
    assert f"seed-patient-1   {tmp_path / 'copy.yaml'}   {tmp_path / 'p1.yaml'}" in result.stderr
