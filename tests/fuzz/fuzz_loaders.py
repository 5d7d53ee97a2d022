"""Fuzz the case loader and the guideline loader.

    python tests/fuzz/fuzz_loaders.py case --runs 100000
    python tests/fuzz/fuzz_loaders.py guideline --seconds 600
    python tests/fuzz/fuzz_loaders.py case --runs 2000 --engine hypothesis

Targets (each takes the fuzzer's bytes):
  case       bytes -> documents.decode -> documents.parse_text -> case_format.parse_case; a
             case that loads is then advised on and rendered as JSON and markdown.
             Allowed outcomes: a Case, InputError, or the ValueError parse_text
             documents (load_document turns it into an InputError).
  guideline  bytes -> one sources, therapies or guideline document -> the builders
             in knowledge/ (library.py: _Reader.add_bytes, _build); a library that builds is
             then used to advise on the shipped cases. Allowed: a Library or
             GuidelineError.

The first byte chooses how the rest is read: as the raw text of a document
(YAML or JSON), or as a list of mutations applied to a shipped case or data
file (replace, delete, insert or transplant a value; the values come from the
words of the shipped files and from a menu of hostile ones), so the fuzzer
gets past the parser into the validators and the engine.

Engines: atheris (libFuzzer, coverage-guided; `pip install atheris`) when it
imports, else hypothesis (random bytes). Any other exception is a finding: it
is printed with its traceback and the input is saved (atheris: ./crash-*;
hypothesis: the falsifying example is printed). The long runs are not part of
the test suite; tests/test_fuzz_smoke.py runs a few hundred inputs of each.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("NETADVISOR_NO_CACHE", "1")  # the guideline parse cache must not fill the disk

# Run as a script with atheris (the default engine when it imports): instrument
# netadvisor, and only it, for coverage guidance (PyYAML's parser is C; instrumenting
# its Python half would halve the speed).
_WANTS_ATHERIS = __name__ == "__main__" and not {"hypothesis", "--engine=hypothesis"} & set(sys.argv)
try:
    import atheris

    _instrumented = atheris.instrument_imports(include=["netadvisor"]) if _WANTS_ATHERIS else None
except ImportError:
    atheris = _instrumented = None

with _instrumented or contextlib.nullcontext():
    import yaml

    from netadvisor.base import vocab
    from netadvisor.base.documents import decode, line_finder, parse_text
    from netadvisor.base.errors import GuidelineError, InputError
    from netadvisor.core import advise_case
    from netadvisor.formats import as_json, as_markdown
    from netadvisor.inputs.case_format import parse_case
    from netadvisor.knowledge.library import _build, _Reader, load_library, shipped_dir

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library()
THERAPY = LIBRARY.catalogue.therapy_spec()
CASE_FILES = sorted((ROOT / "cases").glob("*.yaml"))
CASES = [parse_text(path.read_text(encoding="utf-8"), "yaml") for path in CASE_FILES]
DATA_FILES = {path.name: path.read_bytes() for path in sorted(shipped_dir().glob("*.yaml"))}
DATA = {name: parse_text(raw.decode("utf-8"), "yaml") for name, raw in DATA_FILES.items()}


def _words(value, out: set):
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(key)
            _words(item, out)
    elif isinstance(value, list):
        for item in value:
            _words(item, out)
    elif isinstance(value, str) and len(value) < 60:
        out.add(value)
    return out


# Every short string of the shipped files and vocabularies: mutations that stay
# near valid data get past the validators.
WORDS = sorted(_words([CASES, list(DATA.values())], set()) | {w for v in vars(vocab).values() if isinstance(v, tuple) for w in v})
HOSTILE = [
    None, True, False, 0, -1, 1, 2, 3, 4, 5, 6, 12, 99, 100, 101, 120, 121, 1000, 1001, 10**20, -(10**20), 2**63,
    0.5, 1.5, -0.0, 1e308, float("inf"), float("nan"), "", " ", "\t", "null", "~", "yes", "no", "1", "-1", "1.5", "4-6",
    "6-4", "<1", ">100", "<0", "0-100", "2025-02-30", "2025-13-45", "0000-01-01", "2025", "2025-06", "2101-01-01",
    "1899-12-31", "\x1b[2J", "\ud800", "\u202e", "\x00", "a\nb", "x" * 5001, "x" * 20001, "¹⁷⁷Lu", "İ", "ß", [], {},
    [[]], {"": None}, list(range(1001)), {f"k{i}": i for i in range(200)},
]


def clone(document):
    """A deep copy of a shipped document (plain JSON data), faster than copy.deepcopy."""
    return json.loads(json.dumps(document))


class Draw:
    """Choices read from the fuzzer's bytes; past the end every choice is 0."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0
        self.mutations = 4  # at most, per input: a copy can double a document

    def int(self, n: int) -> int:
        """0 <= result < n."""
        if n <= 1:
            return 0
        width = 1 if n <= 256 else 2 if n <= 65536 else 4
        chunk = self.data[self.pos:self.pos + width].ljust(width, b"\0")
        self.pos += width
        return int.from_bytes(chunk, "little") % n

    def pick(self, items):
        return items[self.int(len(items))]

    def rest(self) -> bytes:
        return self.data[self.pos:]


def value(draw: Draw, root, depth: int = 0):
    """A value to put into a document."""
    kind = draw.int(8)
    if kind < 3:
        return draw.pick(WORDS)
    if kind < 5:
        return copy.deepcopy(draw.pick(HOSTILE))
    if kind == 5 and depth < 3:  # a small container of values
        if draw.int(2):
            return [value(draw, root, depth + 1) for _ in range(draw.int(4))]
        return {draw.pick(WORDS): value(draw, root, depth + 1) for _ in range(draw.int(4))}
    if kind == 6:  # a copy of another part of the document
        return copy.deepcopy(pick_node(draw, root)[2])
    leaf = draw.pick(WORDS) if draw.int(2) else {"fact": draw.pick(WORDS), draw.pick(WORDS): draw.pick(WORDS)}
    out = leaf
    for _ in range(draw.pick([2, 30, 49, 50, 51, 99])):  # the loaders refuse more than 100 levels
        out = draw.pick([[out], {"not": out}, {"all": [out]}, {"any": [out, leaf]}])
    return out


def pick_node(draw: Draw, root):
    """(container, key, value) somewhere in root, walking down while the bytes say so."""
    container, key, node = None, None, root
    while isinstance(node, (dict, list)) and node and draw.int(4):
        keys = list(node) if isinstance(node, dict) else range(len(node))
        container, key = node, draw.pick(list(keys))
        node = node[key]
    return container, key, node


def mutate(draw: Draw, root):
    """Apply up to 4 mutations; returns the new root."""
    for _ in range(draw.int(5)):
        if draw.mutations == 0:
            break
        draw.mutations -= 1
        container, key, node = pick_node(draw, root)
        op = draw.int(5)
        if container is None:
            if op == 0:
                root = value(draw, root)
            continue
        if op == 0:
            container[key] = value(draw, root)
        elif op == 1:
            del container[key]
        elif op == 2 and isinstance(container, dict):
            container[draw.pick(WORDS)] = value(draw, root)
        elif op == 2:
            container.insert(key, value(draw, root))
        elif op == 3 and isinstance(node, (dict, list)):  # recurse: mutate inside this part
            container[key] = mutate(draw, node)
        else:
            container[key] = copy.deepcopy(pick_node(draw, root)[2])
    return root


def to_bytes(draw: Draw, data) -> tuple[bytes, str]:
    """The mutated document as the bytes of a YAML or JSON file (None: cannot be written)."""
    try:
        if draw.int(2):
            text, fmt = json.dumps(data), "json"
        else:
            dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the C emitter: ten times faster
            text = yaml.dump(data, Dumper=dumper, allow_unicode=bool(draw.int(2)), default_flow_style=bool(draw.int(2)))
            fmt = "yaml"
    except (yaml.YAMLError, RecursionError, ValueError):
        return None, "json"
    return text.encode("utf-8", "surrogatepass"), fmt


# -- the targets ---------------------------------------------------------------------


def case_target(data: bytes) -> None:
    """Raises only on a finding."""
    draw = Draw(data)
    mode = draw.int(4)
    if mode < 2:  # raw bytes as a YAML (0) or JSON (1) file
        raw, fmt = draw.rest(), ("yaml", "json")[mode]
    else:
        try:
            raw, fmt = to_bytes(draw, mutate(draw, clone(draw.pick(CASES))))
        except RecursionError:  # the harness's own copying of a deep mutation
            return
        if raw is None:
            return
    try:
        text = decode(raw, "fuzz.case")
        try:
            parsed = parse_text(text, fmt)
        except ValueError:
            return  # load_document's InputError: "FILE: invalid YAML at line ..."
        case = parse_case(parsed, source="fuzz.case", therapy=THERAPY, default_id="fuzz", locate=line_finder(text, fmt))
    except InputError as exc:
        assert exc.problems and all(p.file == "fuzz.case" for p in exc.problems), exc.problems
        assert all("\n" not in str(p) for p in exc.problems), exc.problems
        return
    advice = advise_case(case, LIBRARY)
    as_json.render(advice)
    as_markdown.render(advice)


def guideline_target(data: bytes) -> None:
    """Raises only on a finding."""
    draw = Draw(data)
    mode = draw.int(4)
    name = draw.pick(sorted(DATA_FILES))
    reader = _Reader()
    for other in sorted(DATA_FILES):
        if other != name:  # the builders do not change the data they read
            reader.documents[DATA[other]["kind"]].append((other, DATA[other]))
    if mode == 0:  # raw bytes as the file
        raw = draw.rest()
    else:
        try:
            raw, _ = to_bytes(draw, mutate(draw, clone(DATA[name])))
        except RecursionError:  # the harness's own copying of a deep mutation
            return
        if raw is None:
            return
    reader.add_bytes(name, raw)
    try:
        library = _build(reader, Path("fuzz"))
    except GuidelineError as exc:
        assert exc.problems, "a GuidelineError without problems"
        return
    try:  # data that validates must not break the engine
        case = parse_case(draw.pick(CASES), source="case.yaml", therapy=library.catalogue.therapy_spec(), default_id="case")
    except InputError:
        return  # the case names a therapy this catalogue does not have
    as_json.render(advise_case(case, library))


TARGETS = {"case": case_target, "guideline": guideline_target}


def seeds(target: str) -> list:
    """Inputs that reach deep: each shipped file read raw, and a few mutations of each."""
    if target == "case":
        out = [bytes([0]) + path.read_bytes() for path in CASE_FILES]
        out += [bytes([1]) + json.dumps(case).encode() for case in CASES]
        out += [bytes([2, i]) for i in range(len(CASES))]
    else:
        names = sorted(DATA_FILES)
        out = [bytes([0, i]) + DATA_FILES[name] for i, name in enumerate(names)]
        out += [bytes([1, i, k]) for i in range(len(names)) for k in range(8)]
    return out


# -- engines ------------------------------------------------------------------------


class Counter:
    def __init__(self, target, every: int):
        self.target, self.every, self.count, self.start = target, every, 0, time.monotonic()

    def __call__(self, data: bytes):
        self.count += 1
        if self.count % self.every == 0:
            print(f"#{self.count} inputs, {time.monotonic() - self.start:.0f} s", file=sys.stderr, flush=True)
        self.target(data)


def run_atheris(target: str, runs: int | None, seconds: int | None, extra: list) -> None:
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    for i, seed in enumerate(seeds(target)):
        (corpus / f"seed-{i}").write_bytes(seed)
    args = [sys.argv[0], str(corpus), "-max_len=65536", "-rss_limit_mb=4096", "-print_final_stats=1", *extra]
    if runs:
        args.append(f"-runs={runs}")
    if seconds:
        args.append(f"-max_total_time={seconds}")
    print(f"atheris: {target}, seed corpus in {corpus}", file=sys.stderr)
    counter = Counter(TARGETS[target], 10_000)
    atheris.Setup(args, counter)
    atheris.Fuzz()  # libFuzzer prints "Done N runs in S second(s)" and exits


def run_hypothesis(target: str, runs: int, seconds: int | None) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    counter = Counter(TARGETS[target], 1_000)
    start = time.monotonic()

    @settings(max_examples=runs, derandomize=False, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(seeds(target)) | st.binary(min_size=1, max_size=4096))
    def fuzz(data):
        if seconds and time.monotonic() - start > seconds:
            return
        counter(data)

    try:
        fuzz()
    except Exception as exc:  # the finding, shrunk by hypothesis; its notes hold the input
        traceback.print_exception(exc)
        print(f"FINDING after {counter.count} inputs: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"Done {counter.count} inputs in {time.monotonic() - start:.0f} s: no finding", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=sorted(TARGETS))
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--runs", type=int, help="number of inputs")
    budget.add_argument("--seconds", type=int, help="time budget")
    parser.add_argument("--engine", choices=["atheris", "hypothesis"], help="default: atheris if it imports")
    args, extra = parser.parse_known_args(argv)  # the rest goes to libFuzzer (-seed=1, -jobs=2, ...)
    engine = args.engine
    if engine is None:
        engine = "atheris" if atheris else "hypothesis"
    if engine == "atheris" and not _instrumented:
        parser.error("atheris does not import (pip install atheris), or this module was imported, not run")
    if engine == "atheris":
        run_atheris(args.target, args.runs, args.seconds, extra)
        return 0
    return run_hypothesis(args.target, args.runs or 10**9, args.seconds)


if __name__ == "__main__":
    sys.exit(main())
