"""Full-format outputs byte for byte: clinical decision support must not change by accident.

Every output that carries advice is compared with digests frozen from a reference run
(tests/golden/outputs.json): `advise --format json` (plain and --compare) and `replay
--format json` for every shipped case, `batch` JSON Lines and CSV for the shipped cases and
for a synthetic cohort (benchmarks/cohort.py, fixed seed), `check --format json`, and `audit
--format json` with its --decisions CSV over synthetic histories (benchmarks/histories.py).
The guideline data's digest is blanked first, so a data edit changes only what it changes.

After an intended change of wording or layout, rewrite the digests with
NETADVISOR_UPDATE_SNAPSHOTS=1, review which outputs changed, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

import pytest

from netadvisor.cli.replay import audit_task  # noqa: F401 - the audit path must stay importable
from netadvisor.cohort.audit import decision_dict
from netadvisor.cohort.replay import replay
from netadvisor.core import advise_case
from netadvisor.formats import as_json
from netadvisor.inputs.case_reader import load_case

from conftest import CASES, ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
import cohort as synthetic  # noqa: E402
import histories as synthetic_histories  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "outputs.json"
COHORT = 300  # synthetic cases (seed 1): every site group, history shape and toxicity of the generator
HISTORIES = 60  # synthetic histories (seed 1) for audit
_DIGEST = re.compile(r'("data_sha256": ?)"[0-9a-f]{64}"')


_PLACES: dict = {}  # where this run keeps its files -> a fixed name


def _digest(text: str) -> str:
    for place, name in _PLACES.items():
        text = text.replace(place, name)
    return hashlib.sha256(_DIGEST.sub(r'\1"<digest>"', text).encode()).hexdigest()[:20]


def _lines(text: str) -> list:
    return [_digest(line) for line in text.splitlines()]


def shipped_cases() -> list:
    return sorted(CASES.glob("*.yaml")) + sorted((CASES / "fhir").glob("*.json"))


@pytest.fixture(scope="module")
def outputs(library, tmp_path_factory) -> dict:
    """name -> digest (or list of per-line digests) of every output compared."""
    tmp = tmp_path_factory.mktemp("identity")
    _PLACES.update({str(tmp): "<tmp>", str(ROOT): "<root>"})
    out: dict = {}
    spec = library.catalogue.therapy_spec()
    for path in shipped_cases():
        name = path.relative_to(CASES).as_posix()
        case = load_case(path, spec)
        out[f"advise {name}"] = _digest(as_json.render(advise_case(case, library)) + "\n")
        out[f"advise --compare {name}"] = _digest(as_json.render(advise_case(case, library, compare=True)) + "\n")
        decisions = [decision_dict(d) for d in replay(case, library)]
        out[f"replay {name}"] = _digest(json.dumps({"format": "netadvisor-replay/1", "case_id": case.id, "decisions": decisions},
                                                   ensure_ascii=False, indent=2) + "\n")
    cohort = synthetic.write_jsonl(COHORT, tmp / "cohort.jsonl", seed=1)
    for label, inputs in (("cases", [CASES]), ("cohort", [cohort])):
        for suffix in (".jsonl", ".csv"):
            target = tmp / f"{label}-advice{suffix}"
            result = run_cli("batch", *inputs, "--jobs", "2", "--quiet", "--out", target)
            assert result.returncode == 0, result.stderr
            out[f"batch {label} {suffix}"] = _lines(target.read_text(encoding="utf-8"))
    result = run_cli("check", CASES, "--format", "json")
    assert result.returncode == 0, result.stderr
    out["check cases --format json"] = _digest(result.stdout)
    cases, _, _ = synthetic_histories.generate(HISTORIES, library, seed=1)
    history_file = tmp / "histories.jsonl"
    history_file.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    for extra in ((), ("--against", "all")):
        decisions = tmp / "decisions.csv"
        result = run_cli("audit", history_file, CASES, "--format", "json", "--jobs", "2", "--decisions", decisions, *extra)
        assert result.returncode == 0, result.stderr
        label = " ".join(("audit", *extra))
        out[f"{label} --format json"] = _digest(result.stdout)
        out[f"{label} --decisions"] = _lines(decisions.read_text(encoding="utf-8"))
    return out


def test_full_outputs_are_byte_identical_to_the_reference(outputs):
    if os.environ.get("NETADVISOR_UPDATE_SNAPSHOTS") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(outputs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(outputs) == sorted(golden), "the set of outputs compared changed"
    changed = []
    for name, want in golden.items():
        have = outputs[name]
        if isinstance(want, list):
            if len(have) != len(want):
                changed.append(f"{name}: {len(have)} lines, was {len(want)}")
            else:
                changed += [f"{name}: line {i + 1}" for i, (a, b) in enumerate(zip(have, want)) if a != b][:5]
        elif have != want:
            changed.append(name)
    assert not changed, "outputs changed (NETADVISOR_UPDATE_SNAPSHOTS=1 if intended):\n" + "\n".join(changed[:40])


def test_batch_lines_are_what_json_dumps_writes(library):
    """batch writes its lines with orjson, as UTF-8 bytes: byte for byte json.dumps, Figures and odd values included."""
    from netadvisor.formats.json_lines import dumps, dumps_line
    from netadvisor.knowledge.evidence import Figure

    def reference(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    spec = library.catalogue.therapy_spec()
    for path in shipped_cases():
        record = as_json.advice_to_dict(advise_case(load_case(path, spec), library, compare=path.stem.startswith("v3-")))
        assert dumps_line(record) == (reference(record) + "\n").encode(), path.name
        assert dumps(record) == reference(record), path.name
    odd = {"big": 2**70, "figure": Figure(0.4, "0.40"), "text": "é\u2028</script>\x1b\x7f", 1: "key", "nested": [1.5e-3, -0.0, 1e16]}
    assert dumps_line(odd) == (reference(odd) + "\n").encode()
    assert dumps(odd) == reference(odd)


def test_lines_with_shared_parts_written_once_are_the_same(library):
    """batch hands dumps_line its shared parts as JSON text already (advice_to_line): the same
    bytes, also where orjson refuses the record and json writes it, fragments and all."""
    import orjson

    from netadvisor.formats.json_lines import dumps_line, fragment
    from netadvisor.knowledge.evidence import Figure

    spec = library.catalogue.therapy_spec()
    for path in shipped_cases():
        advice = advise_case(load_case(path, spec), library, compare=path.stem.startswith("v3-"))
        line = as_json.advice_to_line(advice)
        assert dumps_line(line) == dumps_line(as_json.advice_to_dict(advice)), path.name
    assert any(type(c["toxicities"]) is orjson.Fragment for c in line["candidates"])
    part = {"figure": Figure(0.4, "0.40"), "text": "é\u2028\x7f", "nested": [1.5e-3, -0.0, 1e16]}
    for record in ({"big": 2**70, "part": fragment(part)}, {"part": [fragment(part), fragment([part])]}):
        plain = {"big": 2**70, "part": part} if "big" in record else {"part": [part, [part]]}
        assert dumps_line(record) == (json.dumps(plain, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def test_without_orjson_the_lines_are_the_same(monkeypatch):
    """Where orjson is not installed, json writes the same bytes."""
    from netadvisor.base import documents
    from netadvisor.formats import json_lines
    from netadvisor.knowledge.evidence import Figure

    odd = {"figure": Figure(0.4, "0.40"), "text": "é\u2028</script>\x1b\x7f", "nested": [1.5e-3, -0.0, 1e16]}
    fast = json_lines.dumps_line(odd)
    monkeypatch.setattr(documents, "_ORJSON", False)
    assert documents.orjson() is None
    assert json_lines.dumps_line(odd) == fast and json_lines.dumps(odd) == fast[:-1].decode()
    assert json_lines.fragment(odd) is odd
