"""The CLI through its real entry point (python -m netadvisor): output and exit codes."""

import json

from typer.testing import CliRunner

from netadvisor import __version__
from netadvisor.cli import app

from conftest import run_cli


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"netadvisor {__version__}"


def test_table_output():
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--width", "120")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Candidate" in out and "Cabozantinib" in out
    assert "NCCN Neuroendocrine and Adrenal Tumors v4.2024" in out
    assert "Decision support for clinicians, not a prescription" in out
    assert "excluded: Everolimus, Pembrolizumab" in out


def test_show_excluded_lists_reasons():
    out = run_cli("advise", "cases/seed-patient-1.yaml", "--show-excluded", "--width", "120").stdout
    assert "✗ Everolimus: stopped for pneumonitis (grade 3) (2024-08)" in out


def test_markdown_output():
    result = run_cli("advise", "cases/seed-patient-2.yaml", "--format", "markdown")
    assert result.returncode == 0
    assert result.stdout.startswith("## netadvisor: seed-patient-2")
    assert "| 1 | **Cabozantinib** | 1 |" in result.stdout
    assert "not a prescription" in result.stdout


def test_as_of_overrides_the_case_date():
    data = json.loads(run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json", "--as-of", "2025-04-01").stdout)
    assert data["as_of"] == "2025-04-01"


def test_unreadable_case_is_exit_2_with_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tumor:\n  primary_site: pancreas\n  sstr: positiv\n")
    result = run_cli("advise", bad)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{bad}: tumor.sstr: 'positiv' is not one of positive, negative, unknown (did you mean 'positive'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_case_file_is_exit_2():
    result = run_cli("advise", "no-such-case.yaml")
    assert result.returncode == 2 and "no-such-case.yaml: no such file" in result.stderr


def test_a_json_lines_file_given_as_one_case_names_the_commands_that_read_it(tmp_path):
    registry = tmp_path / "registry.jsonl"
    registry.write_text('{"tumor": {"primary_site": "pancreas"}}\n')
    for command in ("advise", "replay"):
        result = run_cli(command, registry)
        assert result.returncode == 2 and result.stdout == "", command
        assert "unsupported file type '.jsonl'" in result.stderr, command
        assert "`netadvisor batch` and `netadvisor audit` read it" in result.stderr, command
    result = run_cli("convert", registry)  # a FHIR bulk export is NDJSON too, and batch does not read it
    assert result.returncode == 2 and "unsupported file type '.jsonl'" in result.stderr and "batch" not in result.stderr


def test_bad_arguments_are_exit_2():
    assert run_cli("advise", "cases/seed-patient-1.yaml", "--as-of", "2025-02-31").returncode == 2
    assert run_cli("advise", "cases/seed-patient-1.yaml", "--format", "xml").returncode == 2
    assert run_cli("advise").returncode == 2


def test_unknown_guideline_id_suggests():
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--guideline", "nccn-nett")
    assert result.returncode == 2
    assert "unknown guideline 'nccn-nett' (did you mean 'nccn-net'?)" in result.stderr


def test_guideline_pinned_by_id_and_version():
    result = run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json", "--guideline", "nccn-net@4.2024")
    assert json.loads(result.stdout)["guideline"]["version"] == "4.2024"


def test_help_has_examples():
    result = run_cli("advise", "--help")
    assert result.returncode == 0 and "netadvisor advise cases/seed-patient-1.yaml" in result.stdout


def test_internal_error_is_exit_3_without_traceback(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("netadvisor.core.advise_file", boom)
    result = CliRunner().invoke(app, ["advise", "cases/seed-patient-1.yaml"])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: simulated bug" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
