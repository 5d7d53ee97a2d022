"""Hostile case files: a corpus, generated here, that the loader must refuse cleanly.

Refused cleanly means: an InputError (exit code 2 from the command line) whose
every message starts with the file's name, one line per problem, no traceback,
and quickly. Most entries run in-process through `load_case`; a representative
subset runs the real entry point. The time bound is deliberately generous: the
files are refused in milliseconds, and the bound is there to catch hangs and
quadratic blow-ups, not to time the machine.
"""

import codecs
import json
import os
import random
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from netadvisor.base import documents as loading
from netadvisor.base import fields as schema
from netadvisor.base.errors import InputError
from netadvisor.base.escape import terminal
from netadvisor.base.fields import Bool, Custom, ListOf, MapOf, Num, OneOf, Record, Str
from netadvisor.inputs import case_format as case_module
from netadvisor.inputs.case_format import case_spec
from netadvisor.inputs.case_reader import load_case
from netadvisor.knowledge.library import load_library

from conftest import run_cli

THERAPY = load_library().catalogue.therapy_spec()
SLOW = 5.0  # seconds, in-process; every entry is refused in well under a tenth of that
SLOW_CLI = 20.0  # seconds for a whole `python -m netadvisor` run

# A valid case with every field of the format set: the corpus mutates it. The
# schema walk below checks that it really covers every field.
FULL = {
    "format": "netadvisor-case/1",
    "id": "hostile",
    "as_of": "2025-06-01",
    "patient": {
        "age": 61, "sex": "female", "ecog": 1, "creatinine_clearance": 80, "egfr": 75,
        "comorbidities": ["hypertension"], "pregnant": False,
    },
    "tumor": {
        "primary_site": "pancreas", "differentiation": "well", "histology": "typical-carcinoid", "gastric_type": "type-3", "grade": 2,
        "ki67": "4-6", "stage": "metastatic", "resectable": False, "functional": ["insulinoma"],
        "sstr": {"status": "positive", "modality": "ga68-dotatate-pet", "uptake": "strong"},
        "fdg": "negative", "metastases": ["liver"], "burden": "low", "bulky": False, "symptomatic": True,
        "biomarkers": {"msi": "stable", "tmb": 3, "braf": "wild-type", "ntrk": "negative", "ret": "negative"},
        "germline": ["men1"],
    },
    "disease": {"status": "progressing"},
    "history": [
        {
            "therapy": "lanreotide", "start": "2022-03", "end": "2024-04", "setting": "standard",
            "stopped": "progression", "best_response": "sd",
            "toxicity": [{"event": "diarrhea", "grade": 1, "note": "mild"}],
            "cycles": 20, "dose": "120 mg every 4 weeks", "note": "first line",
        }
    ],
    "preferences": {"avoid": ["radiation"], "clinical_trial_access": True, "notes": "prefers oral"},
    "expect": {"include": ["everolimus"], "exclude": ["lanreotide"], "top": "everolimus", "category": {"everolimus": "2A"},
               "bodies": {"esmo-gep": {"lu177-dotatate": "not stated"}}},
}
MINIMAL = {"tumor": {"primary_site": "pancreas"}}


# -- writing documents, duplicate keys included --------------------------------


class Pairs(list):
    """A mapping written as (key, value) pairs, so that a key can repeat."""


def pairs(value):
    return list(value) if isinstance(value, Pairs) else list(value.items()) if isinstance(value, dict) else None


def to_json(value) -> str:
    if (items := pairs(value)) is not None:
        return "{" + ", ".join(f"{json.dumps(k)}: {to_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def to_yaml(value) -> str:
    """Block-style YAML; scalars are written as JSON scalars, which YAML reads the same."""
    return "\n".join(_yaml_lines(value, "")) + "\n"


def _yaml_lines(value, indent):
    items = pairs(value)
    if items is None and not isinstance(value, list):
        yield indent + to_json(value)
        return
    for key, item in items if items is not None else [(None, v) for v in value]:
        nested = (pairs(item) or (isinstance(item, list) and item)) and list(_yaml_lines(item, indent + "  "))
        head = f"{indent}{key}:" if key is not None else f"{indent}-"
        if not nested:
            yield f"{head} {to_json(item) if pairs(item) is None else '{}'}"
        elif key is None:  # a list item: its first line goes after the dash
            yield f"{head} {nested[0].lstrip()}"
            yield from nested[1:]
        else:
            yield head
            yield from nested


def at(data, parts):
    for part in parts:
        data = data[part]
    return data


def replaced(parts, value, base=FULL):
    """A deep copy of base with the value at parts replaced."""
    data = json.loads(json.dumps(base))
    if not parts:
        return value
    at(data, parts[:-1])[parts[-1]] = value
    return data


def spelled(parts) -> str:
    """('history', 0, 'stopped') -> 'history[0].stopped', as messages spell a field."""
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else part)
    return out


def mapping_paths(data, parts=()):
    if isinstance(data, dict):
        yield parts
        for key, value in data.items():
            yield from mapping_paths(value, parts + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from mapping_paths(value, parts + (index,))


def list_paths(data, parts=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from list_paths(value, parts + (key,))
    elif isinstance(data, list):
        yield parts
        for index, value in enumerate(data):
            yield from list_paths(value, parts + (index,))


# -- the corpus ------------------------------------------------------------------


class Hostile(NamedTuple):
    name: str
    content: bytes
    suffix: str = ".yaml"
    needle: str | None = None  # a part of some message: refused for the right reason


def both_formats(name, data, needle=None):
    """The same document as YAML and as JSON."""
    yield Hostile(name, to_yaml(data).encode(), ".yaml", needle)
    yield Hostile(name + "-json", to_json(data).encode(), ".json", needle)


def aliases():
    lol = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):  # the billion laughs: 9**10 strings if expanded
        lol.append(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]")
    yield Hostile("billion-laughs", ("tumor: {primary_site: pancreas}\n" + "\n".join(lol) + "\n").encode(), needle="alias")
    yield Hostile("alias-into-tumor", b"base: &t {primary_site: pancreas}\ntumor: *t\n", needle="alias")
    yield Hostile("alias-in-list", b"tumor: {primary_site: pancreas, metastases: [&m liver, *m]}\n", needle="alias")
    yield Hostile("alias-as-key", b"tumor: {&k primary_site: pancreas, *k : lung}\n", needle="alias")
    yield Hostile("recursive-alias", b"tumor: &t {primary_site: pancreas, self: *t}\n", needle="alias")
    yield Hostile("merge-key", b"base: &b {primary_site: lung}\ntumor:\n  <<: *b\n  primary_site: pancreas\n", needle="alias")
    yield Hostile("inline-merge-key", b"tumor:\n  <<: {primary_site: lung}\n  primary_site: pancreas\n")


def python_tags():
    for tag in ("!!python/object:os.system {}", "!!python/object/apply:os.system ['true']", "!!python/name:os.system ''",
                "!!python/module:os ''", "!!python/tuple [1, 2]", "!!python/object/new:dict {}"):
        yield Hostile(f"tag-{tag.split()[0][2:].replace('/', '-').replace(':', '-')}", f"tumor: {tag}\n".encode(),
                      needle=f"YAML tags such as '{tag.split()[0]}' are not allowed")
    yield Hostile("tag-top-level", b"!!python/object:os.system\ntumor: {primary_site: pancreas}\n", needle="YAML tags")


DEEP = "nested more than 100 levels deep"


def nesting():
    depth = 10_000
    for fmt in ("yaml", "json"):
        suffix = "." + fmt
        key = '"a"' if fmt == "json" else "a"
        lists = "[" * depth + "]" * depth
        maps = f"{{{key}: " * depth + "1" + "}" * depth
        for kind, deep in (("lists", lists), ("mappings", maps)):
            # under an unknown field, and under a field the schema descends into
            yield Hostile(f"deep-{kind}-{fmt}", f'{{{key}: {deep}}}'.encode(), suffix, needle=DEEP)
            tumor = f'{{"tumor": {{"primary_site": "pancreas", "biomarkers": {{"tmb": {deep}}}}}}}'
            yield Hostile(f"deep-{kind}-in-tumor-{fmt}", tumor.encode(), suffix, needle=DEEP)
    yield Hostile("deep-block-lists-yaml", ("tumor:\n  metastases:\n    " + "- " * depth + "liver\n").encode(), needle=DEEP)


def sizes():
    yield Hostile("over-the-limit", b"tumor: {primary_site: pancreas}\n# " + b"x" * loading.CASE_MAX_BYTES + b"\n", needle="the limit is")
    yield Hostile("one-byte-over", b"tumor: {primary_site: pancreas}\n#".ljust(loading.CASE_MAX_BYTES + 1, b"x"), needle="the limit is")


def duplicate_keys():
    for parts in mapping_paths(FULL):
        mapping = at(FULL, parts)
        first = next(iter(mapping))
        for same in (True, False):
            value = mapping[first] if same else None
            dup = Pairs(list(mapping.items()) + [(first, value)])
            data = replaced(parts, dup)
            what = "same" if same else "other"
            for item in both_formats(f"duplicate-{what}-{spelled(parts) or 'top'}", data):
                yield item._replace(needle=f"duplicate key '{first}'")


def wrong_containers():
    for parts in mapping_paths(FULL):
        for label, value in (("list", [1]), ("number", 5), ("text", "x"), ("boolean", True)):
            needle = f"{spelled(parts)}: " if parts else "expected a mapping at the top of the file"
            yield from both_formats(f"{label}-for-mapping-{spelled(parts) or 'top'}", replaced(parts, value), needle)
    for parts in list_paths(FULL):
        yield from both_formats(f"mapping-for-list-{spelled(parts)}", replaced(parts, {"a": 1}), f"{spelled(parts)}: expected a list")
    yield from both_formats("null-tumor", replaced(("tumor",), None), "tumor: is required")


def encodings():
    text = to_yaml(MINIMAL)
    yield Hostile("utf16-le-bom", codecs.BOM_UTF16_LE + text.encode("utf-16-le"), needle="UTF-16")
    yield Hostile("utf16-be-bom", codecs.BOM_UTF16_BE + text.encode("utf-16-be"), needle="UTF-16")
    yield Hostile("utf16-le-no-bom", text.encode("utf-16-le"), needle="NUL")
    yield Hostile("utf16-be-no-bom-json", to_json(MINIMAL).encode("utf-16-be"), ".json", needle="NUL")
    yield Hostile("utf32-le-bom", codecs.BOM_UTF32_LE + text.encode("utf-32-le"))
    yield Hostile("utf8-bom", codecs.BOM_UTF8 + text.encode(), needle="byte-order mark")
    yield Hostile("utf8-bom-json", codecs.BOM_UTF8 + to_json(MINIMAL).encode(), ".json", needle="byte-order mark")
    yield Hostile("latin-1", "tumor: {primary_site: pancreas}\nid: café\n".encode("latin-1"), needle="not valid UTF-8")
    for label, junk in (("lone-continuation", b"\x80"), ("overlong-slash", b"\xc0\xaf"), ("encoded-surrogate", b"\xed\xa0\x80"),
                        ("beyond-unicode", b"\xf5\x80\x80\x80"), ("ff", b"\xff"), ("truncated", b"\xe2\x82")):
        yield Hostile(f"invalid-utf8-{label}", b"tumor: {primary_site: pancreas}\nid: x" + junk + b"\n", needle="not valid UTF-8")
        yield Hostile(f"invalid-utf8-{label}-json", b'{"tumor": {"primary_site": "pancreas"}, "id": "x' + junk + b'"}', ".json", needle="not valid UTF-8")
    raw = text.encode()
    for where in (0, len(raw) // 2, len(raw)):
        yield Hostile(f"nul-at-{where}", raw[:where] + b"\x00" + raw[where:], needle="NUL")
    for char in (b"\x01", b"\x07", b"\x1b", b"\x7f", "\u0080".encode(), "\u009b".encode()):
        yield Hostile(f"raw-control-{char.hex()}", b"tumor: {primary_site: pancreas}\nid: a" + char + b"b\n")
    for char in (b"\x01", b"\x07", b"\x1b"):  # JSON text may not hold these (it may hold DEL and C1)
        yield Hostile(f"raw-control-{char.hex()}-json", b'{"tumor": {"primary_site": "pancreas"}, "id": "a' + char + b'b"}', ".json")


def binary_junk():
    yield Hostile("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    yield Hostile("elf", b"\x7fELF\x02\x01\x01" + bytes(64))
    yield Hostile("gzip", b"\x1f\x8b\x08\x00" + bytes(range(200, 256)))
    yield Hostile("zip-json", b"PK\x03\x04" + bytes(range(40)), ".json")
    for seed in range(12):  # random bytes: nearly always NUL bytes or invalid UTF-8
        rng = random.Random(seed)
        suffix = ".json" if seed % 2 else ".yaml"
        yield Hostile(f"random-bytes-{seed}", rng.randbytes(rng.choice([1, 17, 512, 4096, 100_000])), suffix)


def empty_documents():
    for name, text in (("empty", ""), ("spaces", "   \n\n  \n"), ("tab", "\t\n"), ("comment", "# a case?\n"),
                       ("null", "null\n"), ("tilde", "~\n"), ("document-marker", "---\n"), ("end-marker", "...\n"),
                       ("empty-list", "[]\n"), ("empty-string", '""\n'), ("number", "42\n"),
                       ("two-documents", "---\ntumor: {primary_site: pancreas}\n---\ntumor: {primary_site: lung}\n")):
        yield Hostile(f"only-{name}", text.encode())
    for name, text in (("empty", ""), ("spaces", "  \n"), ("null", "null"), ("list", "[]"), ("string", '"tumor"'),
                       ("number", "1"), ("two-objects", '{"tumor": {"primary_site": "pancreas"}} {}'),
                       ("trailing-comma", '{"tumor": {"primary_site": "pancreas",}}'), ("single-quotes", "{'tumor': 1}"),
                       ("comment", '// case\n{"tumor": {"primary_site": "pancreas"}}')):
        yield Hostile(f"only-{name}-json", text.encode(), ".json")


def json_numbers():
    for literal in ("NaN", "Infinity", "-Infinity"):
        yield Hostile(f"json-{literal}", f'{{"tumor": {{"primary_site": "pancreas", "ki67": {literal}}}}}'.encode(), ".json", literal)
    for name, number in (("huge-float", "1e400"), ("huge-negative-float", "-1e400"), ("long-mantissa", "1" + "0" * 400 + ".5"),
                         ("big-int", "9" * 20)):
        yield Hostile(f"json-{name}", f'{{"tumor": {{"primary_site": "pancreas"}}, "patient": {{"age": {number}}}}}'.encode(), ".json", "patient.age")


def problem_floods():
    """Thousands of mistakes in one file. Regression: each reported problem looked up
    its line by parsing the whole file again, so 3,000 unknown fields took 36 s."""
    keys = [f"unknown{i}" for i in range(5000)]
    yield Hostile("flood-of-unknown-fields", ("tumor:\n  primary_site: pancreas\n" + "".join(f"  {k}: 1\n" for k in keys)).encode(),
                  needle="tumor.unknown0: unknown field")
    items = "".join(f"  - {{therapy: everolimus, {k}: 1}}\n" for k in keys[:1000])
    yield Hostile("flood-of-bad-history-lines", ("tumor: {primary_site: pancreas}\nhistory:\n" + items).encode(),
                  needle="history[99].unknown99: unknown field")


def structure_limits():
    """Regressions: libyaml's composer recursed in C, so nesting to the size limit
    crashed the interpreter (segmentation fault at ~30,000 levels), and a 2 MiB
    list of tiny values took seconds to build before the 1,000-item limit refused it."""
    yield Hostile("nested-to-the-size-limit", b"[" * (loading.CASE_MAX_BYTES - 1), needle=DEEP)
    yield Hostile("nested-to-the-size-limit-json", b"[" * (loading.CASE_MAX_BYTES - 1), ".json")
    yield Hostile("block-mappings-150-deep", "".join(" " * i + "a:\n" for i in range(150)).encode() + b" " * 150 + b"1\n",
                  needle=DEEP)
    many = b"1, " * ((loading.CASE_MAX_BYTES - 100) // 3)
    yield Hostile("wide-list-yaml", b"tumor: {primary_site: pancreas}\nhistory: [" + many + b"1]\n", needle="more than 100,000 values")
    pairs = b"".join(b"k%d: 1, " % i for i in range(200_000))[: loading.CASE_MAX_BYTES - 100]
    yield Hostile("wide-mapping-yaml", b"tumor: {primary_site: pancreas}\nx: {" + pairs.rsplit(b",", 1)[0] + b"}\n",
                  needle="more than 100,000 values")


def yaml_tags():
    """Regressions: only the Python tags were refused; !!timestamp made a datetime,
    and !!int "", !!bool maybe and !!timestamp x crashed the loader with an IndexError,
    KeyError or AttributeError (exit code 3). No tag is needed in a case file."""
    for tag in ('!!timestamp 2025-01-01 10:00:00', '!!timestamp x', '!!binary aGVsbG8=', '!!set {a}', '!!omap [a: 1]',
                '!!pairs [a: 1]', '!!int ""', '!!int "070"', '!!float ""', '!!bool maybe', '!!str 5', '!!null x',
                '!!map {}', '!!seq []', '!local x', '! 5', '!<tag:example.com,2000:x> y'):
        label = "".join(c if c.isalnum() else "-" for c in tag).strip("-")
        yield Hostile(f"tag-{label}", f"tumor: {{primary_site: pancreas}}\nas_of: {tag}\n".encode(), needle="YAML tags")
    yield Hostile("tag-on-a-key", b"tumor: {!!str primary_site: pancreas}\n", needle="YAML tags")
    yield Hostile("tag-on-the-document", b"--- !!map\ntumor: {primary_site: pancreas}\n", needle="YAML tags")
    yield Hostile("anchor-without-alias", b"tumor: &t {primary_site: pancreas}\n", needle="anchors and aliases")


def numbers_in_disguise():
    """Regressions: YAML 1.1 read `age: 070` as 56 (octal), `0x20` as 32, `1:01` as 61
    (base 60) and `6_8` as 68, all silently; a long hexadecimal or base-60 number
    crashed the loader (Python refuses to print ints of over 4,300 digits: exit 3),
    and a long decimal gave Python's advice to call sys.set_int_max_str_digits()."""
    tumor = "tumor: {primary_site: pancreas}\n"
    for name, snippet in (("octal", "patient: {age: 070}"), ("hexadecimal", "patient: {age: 0x20}"),
                          ("binary", "patient: {age: 0b111101}"), ("base-60", "patient: {age: 1:01}"),
                          ("underscore", "patient: {age: 6_8}"), ("negative-underscore", "patient: {age: -0_1}"),
                          ("octal-grade", "grade: 02"), ("hexadecimal-cycles", "history: [{therapy: everolimus, cycles: 0x0A}]"),
                          ("underscore-float", "ki67: 1_2.5"), ("base-60-float", "ki67: 0:30.5"),
                          ("underscore-clearance", "patient: {creatinine_clearance: 6_0.0}"), ("octal-key", "070: 1")):
        text = tumor.replace("}", f", {snippet}}}") if snippet.startswith(("grade", "ki67")) else tumor + snippet + "\n"
        yield Hostile(f"number-{name}", text.encode(), needle="is not a plain decimal number")
    for name, written in (("hexadecimal", "0x" + "f" * 5000), ("base-60", "1" + ":1" * 20_000), ("decimal", "9" * 5000)):
        yield Hostile(f"number-long-{name}", f"{tumor}patient: {{age: {written}}}\n".encode())
    for digits in (21, 5000):
        yield Hostile(f"number-{digits}-digits-json", b'{"tumor": {"primary_site": "pancreas"}, "patient": {"age": ' + b"9" * digits + b"}}",
                      ".json", needle=f"has {digits:,} digits; no value here has more than 20")


def control_characters():
    """Regressions: escapes ("\\e", "\\u001b") put control characters into the case,
    and the case id is printed as the title of the advice: a file could drive the
    clinician's terminal (clear it, retitle it, hide text). An unpaired surrogate
    ("\\ud800") in JSON made every output format fail with UnicodeEncodeError (exit 3)."""
    for label, escape in (("escape", "\\e[2J"), ("bell", "\\a"), ("nul", "\\0"), ("osc-title", "\\e]0;pwned\\x07"),
                          ("csi-c1", "\\x9b31m"), ("del", "\\x7f"), ("backspace", "\\b")):
        for field in ("id", "notes"):
            text = f'tumor: {{primary_site: pancreas}}\npreferences: {{notes: "a{escape}b"}}\n' if field == "notes" \
                else f'tumor: {{primary_site: pancreas}}\nid: "a{escape}b"\n'
            yield Hostile(f"control-{label}-in-{field}", text.encode(), needle="(a control character)")
    yield Hostile("control-in-a-key", b'tumor: {primary_site: pancreas, "gr\\x08ade": 2}\n', needle="a key contains U+0008")
    yield Hostile("control-in-a-therapy", b'tumor: {primary_site: pancreas}\nhistory: [{therapy: "everolimus\\e[8m"}]\n',
                  needle="history[0].therapy: contains U+001B")
    for label, escape in (("escape", "\\u001b"), ("nul", "\\u0000"), ("form-feed", "\\f"), ("del", "\\u007f"),
                          ("next-line", "\\u0085"), ("high-surrogate", "\\ud800"), ("low-surrogate", "\\udc00"),
                          ("reversed-pair", "\\ude00\\ud83d")):
        yield Hostile(f"control-{label}-json", f'{{"tumor": {{"primary_site": "pancreas"}}, "id": "a{escape}b"}}'.encode(), ".json",
                      needle="id: contains U+")
    yield Hostile("surrogate-in-a-key-json", b'{"tumor": {"primary_site": "pancreas", "\\ud800": 1}}', ".json",
                  needle="tumor: a key contains U+D800")
    for char in (b"\x7f", "\u0080".encode(), "\u009b".encode()):  # JSON text may hold these raw
        yield Hostile(f"raw-control-{char.hex()}-json", b'{"tumor": {"primary_site": "pancreas"}, "id": "a' + char + b'b"}', ".json",
                      needle="id: contains U+")
    yield Hostile("json-150-deep", b'{"tumor": {"primary_site": "pancreas"}, "x": ' + b"[" * 150 + b"]" * 150 + b"}", ".json",
                  needle=DEEP)
    yield Hostile("wide-list-json", b'{"tumor": {"primary_site": "pancreas"}, "history": [' + b"1," * 700_000 + b"1]}", ".json",
                  needle="more than 100,000 values")


def line_breaks_in_messages():
    """Regression: a message quoting text with a line break took two lines, so the
    second looked like a separate problem without a file name."""
    yield Hostile("line-break-in-a-word", b'tumor: {primary_site: "pan\\ncreas"}\n', needle="tumor.primary_site: 'pan\\ncreas'")
    yield Hostile("line-break-in-a-key", b'tumor: {primary_site: pancreas, "gr\\r\\nade": 2}\n', needle="tumor.gr\\r\\nade: unknown")
    yield Hostile("line-break-in-a-therapy-json", b'{"tumor": {"primary_site": "pancreas"}, "history": [{"therapy": "no\\nsuch"}]}',
                  ".json", needle="unknown therapy 'no\\nsuch'")


# Every hostile file, by name. Each builder above is one kind of attack.
BUILDERS = (aliases, python_tags, nesting, sizes, duplicate_keys, wrong_containers, encodings, binary_junk,
            empty_documents, json_numbers, problem_floods, structure_limits, yaml_tags,
            numbers_in_disguise, control_characters, line_breaks_in_messages)
CORPUS = {h.name: h for builder in BUILDERS for h in builder()}


def refused(path: Path, needle: str | None = None) -> list:
    """Load path in-process; it must be refused cleanly and quickly. Returns the messages."""
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_case(path, THERAPY)
    elapsed = time.perf_counter() - start
    assert elapsed < SLOW, f"{path.name} took {elapsed:.1f}s to refuse"
    lines = [str(problem) for problem in info.value.problems]
    assert lines
    for line in lines:
        assert line.startswith(f"{terminal(str(path))}: "), line  # the name as the terminal may show it
        assert "\n" not in line and "\r" not in line, line
    if needle:
        assert any(needle in line for line in lines), lines
    return lines


def write(tmp_path, hostile: Hostile) -> Path:
    path = tmp_path / (hostile.name + hostile.suffix)
    path.write_bytes(hostile.content)
    return path


def test_the_corpus_is_large_and_names_are_unique():
    assert len(CORPUS) == sum(1 for builder in BUILDERS for _ in builder())
    assert len(CORPUS) > 250


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused(tmp_path, name):
    hostile = CORPUS[name]
    refused(write(tmp_path, hostile), hostile.needle)


def test_the_unmutated_case_loads_as_yaml_and_json(tmp_path):
    """The corpus mutates FULL: it must itself be valid, or every refusal proves nothing."""
    for suffix, text in ((".yaml", to_yaml(FULL)), (".json", to_json(FULL))):
        path = tmp_path / ("full" + suffix)
        path.write_text(text, encoding="utf-8")
        case = load_case(path, THERAPY)
        assert case.tumor["sstr"]["status"] == "positive" and case.history[0].toxicity[0].grade == 1


def test_lines_are_still_found_in_a_flood_of_problems(tmp_path):
    lines = refused(write(tmp_path, CORPUS["flood-of-unknown-fields"]))
    assert lines[0].split(": ")[1] == "tumor.unknown0" and lines[0].endswith("(line 3)")
    assert lines[99].split(": ")[1] == "tumor.unknown99" and lines[99].endswith("(line 102)")
    assert len(lines) == 101


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_yaml_and_json_share_the_structure_limits(fmt):
    assert loading.parse_text("[" * 100 + "]" * 100, fmt) == json.loads("[" * 100 + "]" * 100)
    with pytest.raises(ValueError, match="nested more than 100 levels deep"):
        loading.parse_text("[" * 101 + "]" * 101, fmt)
    wide = "[" + "0, " * 99_999 + "0]"  # 100,000 values, and the list itself
    with pytest.raises(ValueError, match="more than 100,000 values in one file"):
        loading.parse_text(wide, fmt)
    assert len(loading.parse_text(wide.replace("0, ", "", 1), fmt)) == 99_999


def test_plain_numbers_are_still_read(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("tumor: {primary_site: pancreas, grade: 2, ki67: 1.25e+1}\npatient: {age: 0, egfr: 60.}\n")
    case = load_case(path, THERAPY)
    assert (case.tumor["grade"], case.tumor["ki67"].low, case.data["patient"]) == (2, 12.5, {"age": 0, "egfr": 60.0})


def test_text_may_hold_tabs_line_breaks_and_any_printable_character(tmp_path):
    path = tmp_path / "case.json"
    notes = "line one\r\nline two\tindented: ¹⁷⁷Lu, naïve, 😀, \u202eright-to-left"
    path.write_text(json.dumps({"tumor": {"primary_site": "pancreas"}, "preferences": {"notes": notes}}), encoding="utf-8")
    assert load_case(path, THERAPY).data["preferences"]["notes"] == notes


def test_a_flood_of_problems_is_cut_short(tmp_path):
    """Regression: 40,000 unknown fields gave 40,000 messages, each with its own
    "did you mean" search (1.5 s); the first 100 are what a person can use."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"tumor": dict({"primary_site": "pancreas"}, **{f"x{i}": 1 for i in range(40_000)})}))
    lines = refused(path)
    assert len(lines) == schema.MAX_PROBLEMS + 1 == 101
    assert lines[0].startswith(f"{path}: tumor.x0: unknown field")
    assert lines[-1] == f"{path}: stopped after 100 problems; correct these and check again"


def test_a_file_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "padded.yaml"
    path.write_bytes(to_yaml(MINIMAL).encode() + b"#".ljust(loading.CASE_MAX_BYTES - len(to_yaml(MINIMAL)), b"x"))
    assert path.stat().st_size == loading.CASE_MAX_BYTES
    assert load_case(path, THERAPY).site == "pancreas"


def test_a_50_mb_file_is_refused_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(loading, "open", no_open, raising=False)
    lines = refused(path, "the limit is 2,097,152 bytes")
    assert lines == [f"{path}: file is 52,428,800 bytes; the limit is 2,097,152 bytes"]


# -- every field of the format, from the schema ------------------------------------


def leaves(spec, parts=()):
    """(field path, spec) for every value of the case format; lists are walked through item 0."""
    if isinstance(spec, Record):
        for name, field in spec.fields.items():
            yield from leaves(field.spec, parts + (name,))
    elif isinstance(spec, ListOf) and isinstance(spec.item, Record):
        yield from leaves(spec.item, parts + (0,))
    elif isinstance(spec, OneOf) and any(isinstance(option, Record) for _, option in spec.options):
        for _, option in spec.options:  # sstr: the word, and the long form's fields
            if isinstance(option, Record):
                yield from leaves(option, parts)
    elif isinstance(spec, (Str, Num, Bool, Custom, ListOf, MapOf, OneOf)):
        yield parts, spec
    else:
        raise AssertionError(f"{spelled(parts)}: the corpus does not know {type(spec).__name__}; teach it")


LEAVES = list(leaves(case_spec(THERAPY)))


def is_number_field(spec) -> bool:
    """A field whose value may be a number: a number written as text is refused there."""
    if isinstance(spec, Num):
        return True
    return isinstance(spec, OneOf) and any(isinstance(option, (Num, Custom)) and fits(1) for fits, option in spec.options)


def test_the_full_case_sets_every_field_of_the_format():
    assert len(LEAVES) > 40
    missing = []
    for parts, _ in LEAVES:
        try:
            at(FULL, parts)
        except (KeyError, IndexError):
            missing.append(spelled(parts))
    assert not missing, f"add these fields to FULL: {missing}"


def field_mutations():
    """Numbers written as text and text written as numbers, in every field."""
    for parts, spec in LEAVES:
        valid = at(FULL, parts)
        name = spelled(parts)
        if isinstance(valid, bool):
            yield name, "true-as-text", "true"
            yield name, "true-as-number", 1
        elif isinstance(valid, (int, float)) or is_number_field(spec):
            number = valid if isinstance(valid, (int, float)) else 5
            yield name, "number-as-text", str(number)
            yield name, "number-as-padded-text", f" {number} "
            yield name, "number-as-percent-text", f"{number}%"
        if isinstance(valid, str) and not is_number_field(spec):
            yield name, "text-as-number", 5
            yield name, "text-as-float", 2.5
        if isinstance(valid, list):
            yield name, "number-in-list", [5]
            yield name, "bare-number-for-list", 5
        if isinstance(valid, dict):  # expect.category
            yield name, "number-for-category", {"everolimus": 5}


MUTATIONS = list(field_mutations())


def test_every_field_gets_a_type_mutation():
    assert {name for name, _, _ in MUTATIONS} == {spelled(parts) for parts, _ in LEAVES}


@pytest.mark.parametrize("field, label, value", MUTATIONS, ids=[f"{f}-{label}" for f, label, _ in MUTATIONS])
def test_wrong_type_in_every_field_is_refused(tmp_path, field, label, value):
    parts = next(parts for parts, _ in LEAVES if spelled(parts) == field)
    path = tmp_path / "case.yaml"
    path.write_text(to_yaml(replaced(parts, value)), encoding="utf-8")
    lines = refused(path)
    assert any(line.startswith(f"{path}: {field}") for line in lines), lines


def impossible_values():
    """Out-of-range numbers from each field's bounds, and impossible dates."""
    for parts, spec in LEAVES:
        name = spelled(parts)
        if isinstance(spec, Num):
            if spec.minimum is not None:
                yield name, spec.minimum - 1
            if spec.maximum is not None:
                yield name, spec.maximum + 1
            if spec.integer:
                yield name, (spec.minimum or 0) + 1.5
        elif isinstance(spec, Custom) and spec.parse in (case_module._date, case_module._full_date):
            for date in ("2025-13-45", "2025-02-30", "0000-01-01", "2023-02-29", "2025-00-10", "2025-04-31",
                         "1899-12-31", "2101-01-01", "25-01-01", "2025/01/01", "01-02-2025", "2025-01-01T00:00", "", "20250101"):
                yield name, date
    for ki67 in (-1, 101, 100.5, -0.5, "5-101", "6-4", "-1-5", "101", "abc", "4--6", "<-1", ">100", "> 100 %", "<0", "<0.0", ">150"):
        yield "tumor.ki67", ki67
    yield "tumor.biomarkers.tmb", -1
    yield "history[0].toxicity[0].grade", 6  # the brief's examples, whatever the bounds become
    yield "tumor.grade", 0
    yield "tumor.grade", 4
    yield "patient.age", 121
    yield "patient.age", -1


IMPOSSIBLE = list(impossible_values())


def test_the_named_limits_are_in_the_generated_list():
    for expected in (("patient.age", -1), ("patient.age", 121), ("tumor.grade", 0), ("tumor.grade", 4),
                     ("history[0].toxicity[0].grade", 6), ("tumor.ki67", 101), ("as_of", "2025-02-30")):
        assert expected in IMPOSSIBLE


@pytest.mark.parametrize("field, value", IMPOSSIBLE, ids=[f"{f}={v!r}" for f, v in IMPOSSIBLE])
def test_impossible_value_is_refused(tmp_path, field, value):
    parts = next(parts for parts, _ in LEAVES if spelled(parts) == field)
    path = tmp_path / "case.json"
    path.write_text(to_json(replaced(parts, value)), encoding="utf-8")
    lines = refused(path)
    assert any(line.startswith(f"{path}: {field}: ") for line in lines), lines


# -- what the case path points at ---------------------------------------------------


def test_a_directory(tmp_path):
    (tmp_path / "case.yaml").mkdir()
    refused(tmp_path / "case.yaml", "is a directory")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "case.yaml")  # opening it for reading would wait for a writer
    refused(tmp_path / "case.yaml", "is not a regular file")


def test_a_device(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    refused(tmp_path / "zero.yaml", "is not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode, so chmod 000 cannot make it unreadable")
def test_an_unreadable_file(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(to_yaml(MINIMAL))
    path.chmod(0)
    refused(path, "cannot read: Permission denied")


def test_a_dangling_symlink(tmp_path):
    (tmp_path / "case.yaml").symlink_to(tmp_path / "gone.yaml")
    refused(tmp_path / "case.yaml", "dangling symbolic link")


def test_a_symlink_loop(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    refused(tmp_path / "a.yaml", "cannot read: Too many levels of symbolic links")


def test_a_missing_folder(tmp_path):
    refused(tmp_path / "no" / "such" / "case.yaml", "no such file")


def test_a_name_too_long(tmp_path):
    refused(tmp_path / ("x" * 300 + ".yaml"), "cannot read: File name too long")


def test_a_path_with_a_nul_byte(tmp_path):
    """Regression: os.stat raised ValueError, which escaped load_case (the command
    line cannot pass such a path; a program calling the library can)."""
    refused(tmp_path / "case\0.yaml", "cannot read: embedded null byte")


def test_a_file_without_a_known_suffix(tmp_path):
    path = tmp_path / "case.yaml.exe"
    path.write_text(to_yaml(MINIMAL))
    refused(path, "unsupported file type '.exe'")


def test_a_file_name_with_a_line_break(tmp_path):
    path = tmp_path / "two\nlines.yaml"
    path.write_text("tumor: {primary_site: pancreass}\n")
    with pytest.raises(InputError) as info:
        load_case(path, THERAPY)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/two\\nlines.yaml: tumor.primary_site: 'pancreass' is not one of pancreas, duodenum, stomach, "
        "small-intestine, appendix, colon, rectum, lung, thymus, unknown-primary, other (did you mean 'pancreas'?) (line 1)"
    ]
    cli_refuses(path, name_in_stderr=f"{tmp_path}/two\\nlines.yaml")


# -- the real entry point, for a representative subset --------------------------------

CLI_SUBSET = (
    "billion-laughs", "tag-python-object-apply-os.system", "deep-lists-json", "deep-mappings-yaml",
    "duplicate-other-history[0].toxicity[0]-json", "list-for-mapping-tumor", "number-for-mapping-history[0]",
    "utf16-le-bom", "invalid-utf8-overlong-slash", "nul-at-0", "random-bytes-3", "only-empty", "only-null",
    "json-NaN", "over-the-limit", "control-high-surrogate-json", "control-osc-title-in-id",
)


def cli_refuses(path: Path, *, name_in_stderr: str | None = None):
    start = time.perf_counter()
    result = run_cli("advise", path)
    elapsed = time.perf_counter() - start
    assert elapsed < SLOW_CLI, f"{path.name}: the command took {elapsed:.1f}s"
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"{name_in_stderr or path}: ") for line in lines), lines
    return lines


def test_the_cli_subset_exists():
    assert set(CLI_SUBSET) <= set(CORPUS)


@pytest.mark.parametrize("name", CLI_SUBSET)
def test_hostile_file_through_the_command_line(tmp_path, name):
    cli_refuses(write(tmp_path, CORPUS[name]))


@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling", "loop", "sparse-50mb"])
def test_hostile_path_through_the_command_line(tmp_path, kind):
    path = tmp_path / "case.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "gone.yaml")
    elif kind == "loop":
        path.symlink_to(tmp_path / "other.yaml")
        (tmp_path / "other.yaml").symlink_to(path)
    else:
        with open(path, "wb") as handle:
            handle.truncate(50 * 1024 * 1024)
    cli_refuses(path)


def test_a_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "case.yaml"
    path.write_text(f"tumor: !!python/object/apply:os.system ['touch {marker}']\n")
    cli_refuses(path)
    assert not marker.exists()
