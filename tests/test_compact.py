"""batch --compact and netadvisor expand: what cases share written once, and the full lines back byte for byte."""

import json
import sys

import pytest
from conftest import CASES, ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from netadvisor.formats.compact import expand

sys.path.insert(0, str(ROOT / "benchmarks"))
import cohort as synthetic  # noqa: E402


def _batch(*args):
    result = run_cli("batch", *args, "--quiet")
    assert result.returncode in (0, 1), result.stderr
    return result


def test_expand_of_compact_is_the_full_output_byte_for_byte(tmp_path):
    registry = synthetic.write_jsonl(400, tmp_path / "registry.jsonl", seed=3)
    with open(registry, "a", encoding="utf-8") as out:  # an unreadable line keeps its place, as an error record
        out.write('{"tumor": {"primary_site": "pancreas", "sstr": "positiv"}}\n')
    inputs = [registry, CASES]
    full, compact, compact2, expanded = (tmp_path / f"{n}.jsonl" for n in ("full", "compact", "compact2", "expanded"))
    _batch(*inputs, "--jobs", "1", "--out", full)
    _batch(*inputs, "--jobs", "1", "--out", compact, "--compact")
    _batch(*inputs, "--jobs", "2", "--out", compact2, "--compact")
    assert compact.read_bytes() == compact2.read_bytes()  # the same file whatever the number of workers
    result = run_cli("expand", compact, "--out", expanded)
    assert result.returncode == 0, result.stderr
    assert expanded.read_bytes() == full.read_bytes()
    assert run_cli("expand", compact).stdout == full.read_text(encoding="utf-8")
    lines = compact.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    assert head["format"] == "netadvisor-batch-compact/1"
    assert len(lines) == len(full.read_text(encoding="utf-8").splitlines()) + 1
    assert compact.stat().st_size < 0.6 * full.stat().st_size
    first = json.loads(lines[1])
    assert first["guideline"] in head["parts"] and all(f"source:{sid}" in head["parts"] for sid in first["sources"])
    assert all(c[key] in head["parts"] for c in first["candidates"] for key in ("toxicities", "evidence", "citations"))
    assert sum(json.loads(line)["format"] == "netadvisor-error/1" for line in lines[1:]) == 1


def test_expand_refuses_what_is_not_a_compact_file(tmp_path):
    full = tmp_path / "full.jsonl"
    _batch(CASES / "seed-patient-1.yaml", "--out", full)
    result = run_cli("expand", full)
    assert result.returncode == 2 and "not a compact batch file" in result.stderr and "Traceback" not in result.stderr
    broken = tmp_path / "broken.jsonl"
    _batch(CASES / "seed-patient-1.yaml", "--out", broken, "--compact")
    lines = broken.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    head["parts"] = {k: v for k, v in head["parts"].items() if not k.startswith("toxicities-")}
    broken.write_text(json.dumps(head) + "\n" + "\n".join(lines[1:]) + "\n", encoding="utf-8")
    result = run_cli("expand", broken)
    assert result.returncode == 2 and "line 2: refers to 'toxicities-" in result.stderr
    assert run_cli("expand", tmp_path / "missing.jsonl").returncode == 2


def test_expand_names_the_line_of_a_file_cut_short_or_edited(tmp_path):
    compact = tmp_path / "compact.jsonl"
    _batch(CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml", "--out", compact, "--compact")
    text = compact.read_text(encoding="utf-8")
    head = text.splitlines()[0]
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[:-300], encoding="utf-8")  # a run stopped mid-line: the decoder alone would say "line 1"
    result = run_cli("expand", cut)
    assert result.returncode == 2 and "line 3: not JSON" in result.stderr and "cut short" in result.stderr, result.stderr
    cut.write_text(text[: len(head) // 2], encoding="utf-8")
    result = run_cli("expand", cut)
    assert result.returncode == 2 and "not a compact batch file: line 1: not JSON" in result.stderr, result.stderr
    for line, says in (("[" * 100_000, "line 2: nested too deeply"),
                       ('{"format": "netadvisor-advice/1", "guideline": {}, "candidates": [], "x": NaN}', "line 2: not JSON (NaN"),
                       ('{"format": "netadvisor-advice/1"}', "line 2: an advice record not as batch --compact writes one (it has no 'guideline')"),
                       ('{"format": "netadvisor-advice/1", "guideline": {}, "candidates": [5]}', "line 2: an advice record not as batch")):
        edited = tmp_path / "edited.jsonl"
        edited.write_text(head + "\n" + line + "\n", encoding="utf-8")
        result = run_cli("expand", edited)
        assert result.returncode == 2 and says in result.stderr and "internal error" not in result.stderr, result.stderr


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_compact_file_cut_anywhere_expands_to_a_prefix_or_names_a_line(compact_and_full, data):
    """Whatever point a compact file is cut at, expand gives the first full lines, or refuses naming a
    line: never a wrong line, never another exception."""
    compact, full = compact_and_full
    prefix = compact[: data.draw(st.integers(0, len(compact)))]
    out = []
    try:
        for line in expand(prefix.splitlines(keepends=True)):
            out.append(line)
    except ValueError as exc:  # the header (line 1), or the line after the last one expanded
        assert str(exc).startswith("not a compact batch file") or str(exc).startswith(f"line {len(out) + 2}:"), exc
    assert full.startswith("".join(out))


@pytest.fixture(scope="module")
def compact_and_full(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cut")
    _batch(CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml", "--out", tmp / "c.jsonl", "--compact")
    _batch(CASES / "seed-patient-1.yaml", CASES / "seed-patient-2.yaml", "--out", tmp / "f.jsonl")
    return (tmp / "c.jsonl").read_text(encoding="utf-8"), (tmp / "f.jsonl").read_text(encoding="utf-8")


def test_compact_needs_a_json_lines_output(tmp_path):
    for args in (("--compact",), ("--out", tmp_path / "a.csv", "--compact")):
        result = run_cli("batch", CASES / "seed-patient-1.yaml", *args)
        assert result.returncode == 2 and "--compact: give --out FILE.jsonl" in result.stderr


def test_compact_through_a_pipe_expands_to_the_full_lines(tmp_path):
    """`batch - --out - --compact | netadvisor expand -`: the registry in, the full lines out."""
    registry = synthetic.write_jsonl(40, tmp_path / "registry.jsonl", seed=5).read_text(encoding="utf-8")
    full = run_cli("batch", "-", "--out", "-", "--quiet", "--jobs", "1", input=registry)
    compact = run_cli("batch", "-", "--out", "-", "--compact", "--quiet", "--jobs", "1", input=registry)
    assert compact.returncode == 0, compact.stderr
    assert compact.stdout.startswith('{"format":"netadvisor-batch-compact/1"')
    expanded = run_cli("expand", "-", input=compact.stdout)
    assert expanded.returncode == 0, expanded.stderr
    assert expanded.stdout == full.stdout and full.stdout.count("\n") == 40
    broken = run_cli("expand", "-", input="not json\n")
    assert broken.returncode == 2 and "<stdin>" in broken.stderr and "Traceback" not in broken.stderr


def test_parts_go_out_with_the_next_line_whatever_it_is(monkeypatch):
    """A worker whose case fails after its record was built still hands on the parts it marked as
    handed on: the next line carries them, an error record's too, or later lines would refer to
    parts the file never holds."""
    from netadvisor.core import advise_file
    from netadvisor.formats import compact

    for name in ("_SENT", "_CITED"):
        monkeypatch.setattr(compact, name, set())
    monkeypatch.setattr(compact, "_NEW", [])
    compact._write_compact.cache_clear()  # its memo would skip objects an earlier test wrote
    record = compact.compact_record(advise_file(CASES / "seed-patient-1.yaml"))
    error = {"format": "netadvisor-error/1", "source": {"file": "x.yaml", "line": None}, "internal": True, "problems": []}
    line = compact.compact_line(error)
    parts = [json.loads(part) for part in line.splitlines()[:-1]]
    assert json.loads(line.splitlines()[-1]) == error
    assert {p["part"] for p in parts} == {record["guideline"], *(f"source:{s}" for s in record["sources"]),
                                          *(c[k] for c in record["candidates"] for k in compact.CANDIDATE_PARTS)}
    assert compact.compact_line(error) == compact.compact_line(error) == json.dumps(error, separators=(",", ":")).encode() + b"\n"
