"""The YAML fast paths (base/yaml_read._fast_yaml, base/yaml_rust.load) against the strict loader: the same value, or
the same refusal with the same message, for generated documents full of tricky scalars, for every
file the project ships, and for the hostile corpus. Likewise JSON text, which skips the walk of
check_values when nothing in it could be refused, and a batch's JSON Lines, which orjson reads
when the line is sure to read the same (documents.parse_json_line).

The fast path only ever accepts; what it doubts goes to the strict loader. So what must hold is
that what it accepts, the strict loader accepts with the same value, down to the types (1, 1.0
and True are equal in Python, and must not be confused here).
"""

import json
import math

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from netadvisor.base import yaml_rust
from netadvisor.base import documents
from netadvisor.base.documents import parse_json_line, parse_text
from netadvisor.base.values import MAX_DEPTH, SHORT, check_values
from netadvisor.base.yaml_read import _DOUBT, _fast_yaml, _strict_yaml

from conftest import ROOT
from test_hostile_inputs import CORPUS

TRICKY = ["yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "null", "Null", "~", "", "070", "0o70", "0x1F",
          "0b101", "1:30", "190:20:30", "6_8", "1_2.5", "+12", "-0", "0", "00", "1e5", "1.25e+1", "12.", ".5", "-.inf",
          ".NaN", ".nan", "1.0e400", "9" * 21, "9" * 20, "-" + "9" * 20, "2025-06-01", "2025-6-1", "2025-06-01 10:00:00",
          "2025-06", "2018", "4-6", "<5", "café", "¹⁷⁷Lu", "=", "<<", "-", "a b", "1.5.2", "0.0", "-1e-3", "+.5",
          "1_000", "0x_1", "3.", "1e", "e1", ".", "—", "😀", "a#b", "x:y", "5%", ">100", "2.5E3", "1E3", "--", "0b",
          "08", "09.5", "1__0", "+", ".inf", "-.5e-2"]
QUOTED = ["'070'", '"yes"', '"a\\tb"', '"a\\eb"', '"\\u001b"', '"\\x7f"', "'it''s'", '"line\\nbreak"', '"\\ud800"', '"ok"',
          '"\\u00e9"', '"\\N"', '"\\_"', '"\\L"', '"\\x85"', "''", '""']
BLOCK_SCALARS = {"|\n  literal\n": "|", ">\n  folded\n": ">"}  # in block style only
KEYS = ["a", "b", "age", "grade", "tumor", "1", "070", "yes", "true", "null", "~", "1.0", "x y", "é", "<<", "=", "0x1",
        "'q'", '"\\e"', "[a]", "{b: 1}", "? c"]


def typed(value):
    """A value with its types spelled out: equal only if the same to the last type (NaN equal to NaN)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def outcome(parse, text):
    try:
        return ("ok", typed(parse(text)))
    except ValueError as exc:
        return ("refused", str(exc))


def same(text: str) -> bool:
    """Asserts the fast paths agree with the strict loader; True if yaml-rs read the text."""
    fast = _fast_yaml(text)
    rust = yaml_rust.load(text, MAX_DEPTH - 1) if len(text) < SHORT else yaml_rust.NOT_READ  # as _fast_yaml asks it
    checked_in_c = yaml_rust.load(text, MAX_DEPTH - 1, orjson.dumps) if len(text) < SHORT else yaml_rust.NOT_READ
    strict = outcome(_strict_yaml, text)
    if fast is not _DOUBT:
        assert strict == ("ok", typed(fast)), text
    if rust is not yaml_rust.NOT_READ:
        assert strict == ("ok", typed(rust)), text
    if checked_in_c is not yaml_rust.NOT_READ:
        assert strict == ("ok", typed(checked_in_c)), text
    assert outcome(lambda t: parse_text(t, "yaml"), text) == strict, text
    return rust is not yaml_rust.NOT_READ


scalars = st.one_of(st.sampled_from(TRICKY), st.sampled_from(QUOTED), st.sampled_from(sorted(BLOCK_SCALARS)),
                    st.text(alphabet="ab \t\u00e9\u2028\x85\\\"'#:-", max_size=6).map(lambda s: json.dumps(s)))
keys = st.sampled_from(KEYS)
values = st.recursive(
    scalars.map(lambda s: ("s", s)),
    lambda inner: st.one_of(st.lists(st.tuples(keys, inner), max_size=4).map(lambda kv: ("m", kv)),
                            st.lists(inner, max_size=4).map(lambda items: ("l", items))),
    max_leaves=12,
)


def flow(v) -> str:
    kind, x = v
    if kind == "s":
        return '"block"' if x in BLOCK_SCALARS else x
    if kind == "m":
        return "{" + ", ".join(f"{k}: {flow(val)}" for k, val in x) + "}"
    return "[" + ", ".join(flow(val) for val in x) + "]"


def block(v, indent="") -> list:
    kind, x = v
    if kind == "m":
        lines = []
        for k, val in x:
            if val[0] == "s" and val[1] in BLOCK_SCALARS:
                lines.append(f"{indent}{k}: {BLOCK_SCALARS[val[1]]}")
                lines.append(f"{indent}  {val[1].split()[1]}")
            elif val[0] == "s" or not val[1]:
                lines.append(f"{indent}{k}: {flow(val)}")
            else:
                lines.append(f"{indent}{k}:")
                lines.extend(block(val, indent + "  "))
        return lines or [indent + "{}"]
    if kind == "l":
        lines = []
        for val in x:
            if val[0] == "s" or not val[1]:
                lines.append(f"{indent}- {flow(val)}")
            else:
                sub = block(val, indent + "  ")
                lines.append(f"{indent}- {sub[0].lstrip()}")
                lines.extend(sub[1:])
        return lines or [indent + "[]"]
    return [indent + flow(v)]


@settings(max_examples=600)
@given(st.lists(st.tuples(keys, values), min_size=1, max_size=5), st.booleans(), st.booleans())
def test_generated_documents_read_the_same(items, as_block, comment):
    doc = ("m", items)
    text = ("\n".join(block(doc)) if as_block else flow(doc)) + "\n"
    same(("# a comment\n" if comment else "") + text)


@given(st.sampled_from(TRICKY + QUOTED))
def test_every_tricky_scalar_reads_the_same_as_a_value_a_key_and_an_item(token):
    for text in (f"v: {token}\n", f"{token}: 1\n" if "\n" not in token else "x: 1\n", f"- {token}\n", f"[{token}]\n",
                 f"{{{token}: 1}}\n", f"{{a: {token}}}\n", f"[a, {token}]\n"):
        same(text)


def test_every_shipped_file_reads_the_same():
    files = [*ROOT.glob("cases/**/*.yaml"), *ROOT.glob("guidelines/*.yaml"), *ROOT.glob("docs/**/*.yaml")]
    assert len(files) > 60
    read = sum(same(path.read_text(encoding="utf-8")) for path in files)
    assert read > 50  # yaml-rs read nearly every case file (not the guideline files: longer than SHORT)


SAFE = ["word", "two words", "12", "-3", "+4", "0", "2.5", "0.5", "12.", "2025-06-01", "2025-06", "4-6", "yes", "No",
        "true", "False", "null", "~", "", "café", "😀", "—", "a#b", "x:y", "5%", "-", "--", "1.5.2", "'it''s'", '"ok"',
        "'070'", '"1e5"', ">100", "|", "a - b", "a: b", "|\n", ">\n"]


@settings(max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "age", "tumor", "x y", "é", "'q'"]),
                          st.recursive(st.sampled_from(SAFE).map(lambda s: ("s", s)),
                                       lambda inner: st.one_of(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), inner), max_size=3).map(lambda kv: ("m", kv)),
                                                               st.lists(inner, max_size=3).map(lambda items: ("l", items))),
                                       max_leaves=8)),
                min_size=1, max_size=5), st.booleans())
def test_documents_yaml_rs_reads_read_the_same(items, as_block):
    """Documents of scalars yaml-rs may read (the tricky ones above mostly send a text to the
    strict loader): what it reads, the strict loader reads the same, or refuses as parse_text does."""
    doc = ("m", items)
    same(("\n".join(block(doc)) if as_block else flow(doc)) + "\n")


def test_block_scalars_read_the_same_empty_or_not():
    """yaml-rs 0.1.6 reads an empty block scalar as a line break, libyaml as '' (found by the deep profile);
    a '>' in prose is no block scalar."""
    for text in ("a: |\n", "- >\n", "a:\n  - |\n", "a: |-\n", "a: |+\n", "a: >2\n", "a: |\n  x\n", "a: >\n  x\n  y\n",
                 "- |\n  x\nb: 1\n", "a:  >100 x\n", "a:  |x\n", "a:  %x\n", "n: Ki-67 >20% x\n", "a: x > y\n"):
        same(text)


def test_without_yaml_rs_every_shipped_file_reads_the_same(monkeypatch):
    monkeypatch.setattr(yaml_rust, "_loaded", [None, None])  # as if yaml-rs were not installed
    for path in ROOT.glob("cases/**/*.yaml"):
        assert not same(path.read_text(encoding="utf-8"))


def test_the_hostile_corpus_reads_the_same():
    checked = 0
    for hostile in CORPUS.values():
        if hostile.suffix not in (".yaml", ".yml"):
            continue
        try:
            text = hostile.content.decode("utf-8")
        except UnicodeDecodeError:
            continue
        same(text)
        checked += 1
    assert checked > 150


def full_json_check(text: str):
    """parse_text's JSON reading with the walk of check_values always taken."""
    data = parse_text(text, "json")
    check_values(data)
    return data


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(st.characters(codec=None), max_size=5),
              st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\u2028", "\t", "é", "\\"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4)),
    max_leaves=15,
)


@settings(max_examples=500)
@given(json_values, st.booleans(), st.integers(0, 3))
def test_json_without_the_walk_reads_the_same(value, ascii_only, nesting):
    """Escaped or raw, a control character or surrogate anywhere (keys too) is refused as the walk
    refuses it; deep nesting too (wrapped in up to MAX_DEPTH + 1 levels)."""
    wrapped = value
    for _ in range([0, MAX_DEPTH - 2, MAX_DEPTH, MAX_DEPTH + 1][nesting]):
        wrapped = [wrapped]
    text = json.dumps(wrapped, ensure_ascii=ascii_only)
    assert outcome(lambda t: parse_text(t, "json"), text) == outcome(full_json_check, text), text


# Pieces of hand-written JSON Lines: keys that repeat, blanks where a key's colon may follow, texts
# that start with a colon, integers past 64 bits, numbers Python's json reads and orjson does not.
LINE_KEYS = ['"a"', '"b"', '"a" ', '":a"', '":"', '"a b"', '"é"', '""', '"a\\u0062"', '"\\""']
LINE_VALUES = ["1", "-0", "0.1", "1e400", "-1e-400", "1.0000000000000000000001", "18446744073709551615", "9" * 19,
               "-9223372036854775809", "123456789012345678", "NaN", "true", "null", '":"', '": x"', '" :"', '"\\t"',
               '"a\\u0000"', "[]", "{}", '"\t"', "[1,2 ]", '"😀"', '"a\x7fb"', '"\x85"', '"\ud800"', "1e16", '"e+"']


def line_object(draw_pairs, separator):
    return "{" + ",".join(f"{key}{separator}{value}" for key, value in draw_pairs) + "}"


line_values = st.recursive(st.sampled_from(LINE_VALUES),
                           lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda items: "[" + ",".join(items) + "]"),
                                                   st.lists(st.tuples(st.sampled_from(LINE_KEYS), inner), max_size=4)
                                                   .map(lambda pairs: line_object(pairs, ":"))),
                           max_leaves=10)


@settings(max_examples=1500)
@given(st.lists(st.tuples(st.sampled_from(LINE_KEYS), line_values), min_size=1, max_size=6),
       st.sampled_from([":", ": ", " :", "\t: "]))
def test_json_lines_read_by_orjson_read_the_same(pairs, separator):
    """A duplicate key anywhere is refused, with parse_text's message, blanks or not around the
    colon; every value parse_json_line gives is parse_text's, down to the types (an integer past
    64 bits stays an int: orjson would read it as a float)."""
    text = line_object(pairs, separator)
    assert outcome(parse_json_line, text) == outcome(lambda t: parse_text(t, "json"), text), text


def test_batch_lines_go_by_orjson(monkeypatch):
    """The shipped cases as JSON Lines are read by orjson (so the test above tests the path batch
    takes); a duplicate key behind a blank before its colon is not, and is refused."""
    read = []
    fast = documents.orjson()

    class Spy:
        JSONDecodeError = fast.JSONDecodeError
        dumps = staticmethod(fast.dumps)

        @staticmethod
        def loads(text):
            read.append(text)
            return fast.loads(text)

    monkeypatch.setattr(documents, "orjson", lambda: Spy)
    lines = [json.dumps(parse_text(path.read_text(encoding="utf-8"), "yaml"), ensure_ascii=False)
             for path in sorted(ROOT.glob("cases/*.yaml"))]
    for text in lines:
        assert outcome(parse_json_line, text) == ("ok", typed(json.loads(text)))
    assert read == lines
    tricky = '{"a":1, "a" :2}'
    assert outcome(parse_json_line, tricky) == ("refused", "duplicate key 'a'")
    assert read == lines
