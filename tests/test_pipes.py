"""Pipes: `-` as standard input (advise, replay, convert: one document; batch, check: JSON Lines),
`batch --out -` for JSON Lines on standard output, and progress on stderr only at a terminal."""

import json
import os
import pty
import subprocess
import sys

import pytest

from conftest import CASES, ROOT, run_cli

SEED1 = CASES / "seed-patient-1.yaml"


def test_advise_reads_a_yaml_or_json_case_from_standard_input():
    from_file = run_cli("advise", SEED1, "-f", "json").stdout
    piped = run_cli("advise", "-", "-f", "json", input=SEED1.read_text(encoding="utf-8"))
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["candidates"] == json.loads(from_file)["candidates"]
    assert json.loads(piped.stdout)["case_id"] == "seed-patient-1"  # the id the case states
    bundle = run_cli("advise", "-", "--brief", input=(CASES / "fhir" / "seed-patient-2.json").read_text(encoding="utf-8"))
    assert bundle.returncode == 0 and "Candidate" in bundle.stdout  # JSON, told from its first character, a FHIR bundle too


@pytest.mark.parametrize("text, message", [
    ("", "standard input is empty"),
    ("tumor: [\n", "<stdin>: invalid YAML at line 2"),
    ('{"tumor": {"primary_site": "pancreass"}}', "<stdin>: tumor.primary_site: 'pancreass'"),
])
def test_bad_standard_input_is_a_clear_error_naming_stdin(text, message):
    result = run_cli("advise", "-", input=text)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_standard_input_has_the_file_size_limit():
    result = run_cli("advise", "-", input="# " + "x" * (2 * 1024 * 1024) + "\n")
    assert result.returncode == 2 and "<stdin>: input is larger than the limit" in result.stderr


def test_replay_and_convert_read_standard_input():
    replay = run_cli("replay", "-", "-f", "json", input=(CASES / "seed-patient-2.yaml").read_text(encoding="utf-8"))
    assert replay.returncode == 0 and json.loads(replay.stdout)["case_id"] == "seed-patient-2"
    converted = run_cli("convert", "-", input=(CASES / "fhir" / "seed-patient-1.json").read_text(encoding="utf-8"))
    assert converted.returncode == 0 and "primary_site: pancreas" in converted.stdout and "<stdin>" in converted.stdout


def test_batch_and_check_read_json_lines_from_standard_input(tmp_path):
    import yaml

    lines = [json.dumps(yaml.safe_load((CASES / f"{stem}.yaml").read_text(encoding="utf-8")), default=str)
             for stem in ("seed-patient-1", "seed-patient-2")]
    stream = "\n".join(lines + ["not json"]) + "\n"
    batch = run_cli("batch", "-", "--out", "-", input=stream)
    records = [json.loads(line) for line in batch.stdout.splitlines()]
    assert batch.returncode == 1  # the third line is not JSON: an error record, named by its line
    assert [r.get("case_id") for r in records[:2]] == ["seed-patient-1", "seed-patient-2"]
    assert records[2]["format"] == "netadvisor-error/1" and records[2]["source"] == {"file": "<stdin>", "line": 3}
    check = run_cli("check", "-", input="\n".join(lines) + "\n")
    assert check.returncode == 0, check.stdout + check.stderr


def test_batch_out_dash_writes_the_same_json_lines_as_a_file(tmp_path):
    out = tmp_path / "advice.jsonl"
    assert run_cli("batch", SEED1, CASES / "seed-patient-2.yaml", "--out", out).returncode == 0
    piped = run_cli("batch", SEED1, CASES / "seed-patient-2.yaml", "--out", "-")
    assert piped.returncode == 0
    assert piped.stdout == out.read_text(encoding="utf-8")
    assert "2 cases: 2 advised" in piped.stderr  # the summary goes to stderr, out of the data's way


def _with_stderr_on_a_terminal(*args) -> str:
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe); what the terminal received."""
    leader, follower = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    process = subprocess.Popen([sys.executable, "-m", "netadvisor", *map(str, args)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("args", [
    ("check", CASES),
    ("audit", CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml", "--jobs", "1"),
    ("diff", "--from", "2024-06-01", "--to", "2025-04-01", CASES / "seed-patient-1.yaml"),
])
def test_cohort_commands_show_progress_on_a_terminal_and_not_in_a_pipe(args):
    assert " cases" in _with_stderr_on_a_terminal(*args)  # the counter ("12 cases")
    piped = run_cli(*args)
    assert "⠋" not in piped.stderr and "\r" not in piped.stderr
