"""The loader and the published case schema accept and refuse the same documents.

The schema is generated from the loader's own field specs (base/fields.py) and date and
Ki-67 forms (base/dates.py, inputs/case.py); this holds them to each other over one
corpus: the shipped cases, the hostile corpus of test_hostile_inputs, and variations of a
case with every field set. A document the schema refuses, the loader refuses. A document
the loader refuses, the schema refuses too, except for the checks JSON Schema cannot
state, which are listed in SEMANTIC (and in docs/case-format.md). Documents that are not
read at all (not UTF-8, too large, YAML tags, ...) have no data for a schema to judge.
"""

import json
import re
from datetime import date

import jsonschema
import pytest

from netadvisor.base.documents import load_document, parse_text
from netadvisor.base.errors import InputError
from netadvisor.formats import json_schemas
from netadvisor.inputs.case_format import parse_case
from netadvisor.knowledge.library import load_library

from conftest import shipped_cases
from test_hostile_inputs import CORPUS, FULL, replaced

LIBRARY = load_library()
THERAPY = LIBRARY.catalogue.therapy_spec()
SCHEMA = jsonschema.Draft202012Validator(json_schemas.case_schema(LIBRARY.catalogue), format_checker=jsonschema.FormatChecker())

# What only the loader can check: (field path pattern, message pattern).
SEMANTIC = [
    (r"history\[\d+\]\.therapy|expect\.(include|exclude)(\[\d+\])?|expect\.top|expect\.category\..*",
     r"unknown therapy|is not a therapy|not one of|did you mean"),  # names are checked against the catalogue
    (r".*", r"has no day \d+"),  # 2025-02-30 in a partial date (a full date's schema checks it: format: date)
    (r".*", r"is after the case date as_of|is before the start|stopped is 'ongoing'|together with a hormone syndrome"),
    (r"tumor\.burden", r"while bulky is true"),  # two fields that contradict each other
    (r".*", r"is listed twice"),  # two spellings of one word
    (r"tumor\.ki67", r"is not a range within 0-100|no percentage is (below 0|above 100)"),
    (r"", r"stopped after 100 problems"),
]


def semantic(problem) -> bool:
    return any(re.fullmatch(path, problem.path) and re.search(message, problem.message) for path, message in SEMANTIC)


def loader_refusals(data):
    """None if the loader accepts data, else its problems."""
    try:
        parse_case(data, source="case.yaml", therapy=THERAPY, default_id="case", today=date(2025, 6, 1))
    except InputError as exc:
        return exc.problems
    return None


def assert_agree(data, name):
    problems = loader_refusals(data)
    valid = SCHEMA.is_valid(data)
    if problems is None:
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in SCHEMA.iter_errors(data)]
        assert valid, f"{name}: the loader accepts what the schema refuses: {errors[:3]}"
    elif valid:
        unexplained = [str(p) for p in problems if not semantic(p)]
        assert not unexplained, f"{name}: the schema accepts what the loader refuses: {unexplained[:3]}"


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_shipped_cases(path):
    data, _ = load_document(path)
    assert_agree(data, path.name)


def test_the_hostile_corpus(tmp_path):
    checked = 0
    for name, hostile in CORPUS.items():
        try:
            data = parse_text(hostile.content.decode("utf-8"), "json" if hostile.suffix == ".json" else "yaml")
        except (UnicodeDecodeError, ValueError, InputError):
            continue  # not a document: nothing for a schema to judge
        assert_agree(data, name)
        checked += 1
    assert checked > 100


VALUES = [
    None, True, False, "yes", "no", "on", "off", 0, 1, 1.0, 2.5, -1, 101, 5000, "", " ", "x", "x" * 201, "x" * 5001,
    [], {}, ["liver"], ["liver", "Liver"], "2025-2-1", "2025-02-01", " 2025-02-01 ", "2025-02-30", "2025-13-01", "2018", 2018,
    1899, "1899", 2101, "4-6", "4 - 6 %", "5", "<1", "≤ 2", "<0", "1 0", "٥", "6-4", "Small Intestine", "small_intestine",
    "PANCREAS", "pancreass", "dMMR", "not stated", "None", "2a", " 2B ", "3", 3, 2, "lanreotide", "Somatuline Depot", "x-ray",
    "Progressive Disease", "netadvisor-case/1", "NETADVISOR-CASE/1",
]


def leaf_paths(data, parts=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaf_paths(value, parts + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from leaf_paths(value, parts + (index,))
    if parts:
        yield parts


@pytest.mark.parametrize("parts", sorted(set(leaf_paths(FULL)), key=str), ids=lambda p: ".".join(map(str, p)))
def test_variations_of_every_field(parts):
    for value in VALUES:
        assert_agree(replaced(parts, value), f"{'.'.join(map(str, parts))} = {value!r}"[:120])


@pytest.mark.parametrize("text", ["symptomatic: no", "bulky: yes", "bulky: On", "resectable: off", "sstr: null", "sstr: ~",
                                  "bulky: true", "bulky: False", "sstr: no"])
def test_yaml_words_as_a_yaml_1_2_editor_reads_them(text):
    """The loader reads only true/false as booleans, as YAML 1.2 tools (the editors that use the
    schema) do: YAML 1.1 made `bulky: yes` true for the loader and text for the schema."""
    data = parse_text(f"tumor:\n  primary_site: pancreas\n  {text}\n", "yaml")
    value = data["tumor"][text.split(":")[0]]
    word = text.split(": ")[1]
    assert value == {"true": True, "false": False}.get(word.lower(), None if word in ("null", "~") else word)
    assert_agree(data, text)


def test_the_reported_disagreements_now_agree():
    for tumor_field, value in (("symptomatic", "no"), ("bulky", "yes")):
        problems = loader_refusals({"tumor": {"primary_site": "pancreas", tumor_field: value}})
        assert problems and f"reads '{value}' as text: write" in problems[0].message
    assert loader_refusals({"tumor": {"primary_site": "pancreas", "sstr": None}}) is None
    assert SCHEMA.is_valid({"tumor": {"primary_site": "pancreas", "sstr": None}})
    problems = loader_refusals({"as_of": "2025-2-1", "tumor": {"primary_site": "pancreas"}})
    assert problems and "two digits for month and day (2025-02-01)" in problems[0].message
    assert not SCHEMA.is_valid({"as_of": "2025-2-1", "tumor": {"primary_site": "pancreas"}})


def test_the_checked_in_schema_is_the_one_tested():
    from conftest import ROOT

    assert json.loads((ROOT / "docs/schema/case.schema.json").read_text()) == json_schemas.case_schema(LIBRARY.catalogue)


def test_the_date_parsers_accept_exactly_what_the_schema_patterns_match():
    from netadvisor.base import dates

    samples = {f"{y}{m}{d}" for y in ("1899", "1900", "2025", "2100", "2101", "025", "20251")
               for m in ("", "-1", "-01", "-12", "-13", "-001", "-0", "-")
               for d in ("", "-1", "-01", "-28", "-29", "-31", "-32", "-00", "-001")}
    samples |= {f"{blank}{s}" for s in samples for blank in (" ", "\t")} | {"2025-02-01 ", "٢٠٢٥", "2025/02/01", "20250201", "2025-02-01\n"}
    for text in samples:
        for pattern, parse in ((f"[ \\t]*{dates.PARTIAL}[ \\t]*", dates.PartialDate.parse), (dates.FULL, dates.parse_full_date)):
            try:
                parse(text)
                accepted = True
            except ValueError as exc:
                accepted = False
                if "has no day" in str(exc):  # a real calendar is the parser's alone
                    continue
            assert accepted == bool(re.fullmatch(pattern, text)), (text, pattern)


def test_a_partial_date_ends_on_its_month_s_last_day_and_is_written_the_same_in_every_year():
    """PartialDate works out month lengths itself (no weekday, as calendar.monthrange does): Feb 29 in
    leap years only (2000 yes, 1900 and 2100 no), and the day check agrees."""
    import calendar

    from netadvisor.base.dates import PartialDate

    for year in range(1900, 2101):
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            assert PartialDate(year, month).last_day().day == last
            assert str(PartialDate(year, month)) == str(PartialDate(year, month)) == f"{year}-{month:02d}"  # written once, remembered
            assert str(PartialDate(year, month, last)) == f"{year}-{month:02d}-{last:02d}"
            assert PartialDate.parse(f"{year}-{month:02d}-{last:02d}").day == last
            with pytest.raises(ValueError, match="has no day"):
                PartialDate.parse(f"{year}-{month:02d}-{last + 1:02d}")
        assert PartialDate(year).last_day().day == 31 and str(PartialDate(year)) == str(year)
