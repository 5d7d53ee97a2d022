"""The case loader: one test per kind of bad input, each naming file and field."""

import json

import pytest

from netadvisor.base.errors import InputError
from netadvisor.inputs.case import Range
from netadvisor.inputs.case_reader import load_case

from conftest import BASE_PNET, make_case


def write(tmp_path, text, name="case.yaml", mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path, therapy_spec):
    with pytest.raises(InputError) as info:
        load_case(path, therapy_spec)
    return [str(p) for p in info.value.problems]


MINIMAL = "tumor:\n  primary_site: pancreas\n"


def test_minimal_case_loads_with_everything_unknown(tmp_path, therapy_spec):
    case = load_case(write(tmp_path, MINIMAL), therapy_spec)
    assert case.id == "case"
    assert case.site == "pancreas"
    assert case.history is None  # not stated, as opposed to an empty history
    assert not case.as_of_stated


def test_aliases_brand_names_and_case_are_accepted(tmp_path, therapy_spec):
    text = MINIMAL + "history:\n" + "".join(
        f"  - therapy: {name}\n"
        for name in ["Lutathera", "AFINITOR", "sutent", "Cabometyx", "Somatuline Depot", "Sandostatin LAR",
                     "CAPTEM", "Xermelo", "Keytruda", "¹⁷⁷Lu-dotatate"]
    )
    case = load_case(write(tmp_path, text), therapy_spec)
    assert [line.therapy for line in case.history] == [
        "lu177-dotatate", "everolimus", "sunitinib", "cabozantinib", "lanreotide", "octreotide-lar",
        "capecitabine-temozolomide", "telotristat", "pembrolizumab", "lu177-dotatate",
    ]


def test_vocabulary_words_are_forgiving_about_case_and_spacing(tmp_path, therapy_spec):
    text = "tumor:\n  primary_site: Small Intestine\n  functional: Carcinoid_Syndrome\n  sstr: POSITIVE\n"
    case = load_case(write(tmp_path, text), therapy_spec)
    assert case.tumor["primary_site"] == "small-intestine"
    assert case.tumor["functional"] == ["carcinoid-syndrome"]
    assert case.tumor["sstr"] == "positive"


@pytest.mark.parametrize(
    "value, expected",
    [(5, (5, 5)), ("4-6", (4, 6)), ("4–6%", (4, 6)), ("<1", (0, 1)), (">20", (20, 100)), (12.5, (12.5, 12.5)),
     (">=100", (100, 100)), ("≤0", (0, 0))],
)
def test_ki67_number_or_range(value, expected):
    r = Range.parse(value)
    assert (r.low, r.high) == expected


def test_partial_dates_are_accepted(tmp_path, therapy_spec):
    text = MINIMAL + "as_of: 2025-02-01\nhistory:\n  - {therapy: everolimus, start: 2018, end: 2019-07}\n  - {therapy: lanreotide, start: 2024-03-05}\n"
    case = load_case(write(tmp_path, text), therapy_spec)
    assert str(case.history[0].start) == "2018" and str(case.history[0].end) == "2019-07"
    assert str(case.history[1].start) == "2024-03-05"


def test_json_case_file(tmp_path, therapy_spec):
    path = write(tmp_path, json.dumps(BASE_PNET), name="p.json")
    assert load_case(path, therapy_spec).site == "pancreas"


# -- one test per error kind ------------------------------------------------------


def test_missing_file(tmp_path, therapy_spec):
    assert problems(tmp_path / "nope.yaml", therapy_spec) == [f"{tmp_path / 'nope.yaml'}: no such file"]


def test_directory(tmp_path, therapy_spec):
    (tmp_path / "d.yaml").mkdir()
    assert "is a directory" in problems(tmp_path / "d.yaml", therapy_spec)[0]


def test_unsupported_extension(tmp_path, therapy_spec):
    assert "unsupported file type '.txt'" in problems(write(tmp_path, MINIMAL, "c.txt"), therapy_spec)[0]


def test_invalid_yaml_names_line(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "tumor: [\n"), therapy_spec)[0]
    assert "invalid YAML at line" in msg


def test_duplicate_key(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "tumor:\n  primary_site: pancreas\n  primary_site: lung\n"), therapy_spec)[0]
    assert "duplicate key 'primary_site'" in msg and "line 2" in msg


def test_alias_is_refused(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "a: &x [1]\ntumor:\n  primary_site: pancreas\nb: *x\n"), therapy_spec)[0]
    assert "aliases" in msg


def test_python_tag_is_refused(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "tumor: !!python/object:os.system {}\n"), therapy_spec)[0]
    assert "invalid YAML" in msg


def test_unknown_field_suggests_the_right_one(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "tumor:\n  primary_site: pancreas\n  grde: 2\n"), therapy_spec)[0]
    assert msg.startswith(f"{tmp_path / 'case.yaml'}: tumor.grde: unknown field (did you mean 'grade'?)")
    assert "(line 3)" in msg


def test_wrong_vocabulary_word_names_path_and_suggests(tmp_path, therapy_spec):
    text = MINIMAL + "history:\n  - therapy: everolimus\n    stopped: progresion\n"
    msg = problems(write(tmp_path, text), therapy_spec)[0]
    assert "history[0].stopped: 'progresion' is not one of progression, toxicity, completed" in msg
    assert "(did you mean 'progression'?)" in msg


def test_unknown_therapy_suggests_ids(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, MINIMAL + "history:\n  - therapy: everolimos\n"), therapy_spec)[0]
    assert "history[0].therapy: unknown therapy 'everolimos' (did you mean 'everolimus'?)" in msg


def test_missing_primary_site(tmp_path, therapy_spec):
    assert problems(write(tmp_path, "tumor: {grade: 2}\n"), therapy_spec) == [
        f"{tmp_path / 'case.yaml'}: tumor.primary_site: is required (line 1)"
    ]


@pytest.mark.parametrize(
    "snippet, needle",
    [
        ("patient: {age: '68'}", "patient.age: expected an integer from 0 to 120, got a string ('68')"),
        ("patient: {age: -1}", "patient.age: -1 is out of range"),
        ("patient: {age: true}", "patient.age: expected an integer"),
        ("tumor2: 1", "unknown field"),
        ("as_of: 2025-13-45", "as_of: '2025-13-45' is not a date: month 13 is not 1-12"),
        ("as_of: 2025-02-30", "has no day 30"),
        ("patient: {sex: 1}", "patient.sex: expected one of female, male, other, got a number (1)"),
    ],
)
def test_wrong_types_and_impossible_values(tmp_path, therapy_spec, snippet, needle):
    text = MINIMAL + snippet + "\n"
    assert any(needle in m for m in problems(write(tmp_path, text), therapy_spec))


@pytest.mark.parametrize(
    "value, needle",
    [("150", "is a number written as text"), ("abc", "is not a Ki-67 value"), (101, "out of range"), ("6-4", "low first")],
)
def test_bad_ki67(tmp_path, therapy_spec, value, needle):
    text = f"tumor:\n  primary_site: pancreas\n  ki67: {json.dumps(value)}\n"
    assert needle in problems(write(tmp_path, text), therapy_spec)[0]


def test_end_before_start_and_dates_after_as_of(tmp_path, therapy_spec):
    text = MINIMAL + "as_of: 2025-01-01\nhistory:\n  - {therapy: everolimus, start: 2024-05, end: 2024-02}\n  - {therapy: lanreotide, start: 2026-01}\n"
    msgs = problems(write(tmp_path, text), therapy_spec)
    assert any("history[0].end: 2024-02 is before the start 2024-05" in m for m in msgs)
    assert any("history[1].start: 2026-01 is after the case date as_of 2025-01-01" in m for m in msgs)


def test_every_problem_is_reported_at_once(tmp_path, therapy_spec):
    text = "tumor:\n  primary_site: pancreass\n  grade: 7\npatient: {sex: robot}\n"
    msgs = problems(write(tmp_path, text), therapy_spec)
    assert len(msgs) == 3


def test_contradictory_functional_status(tmp_path, therapy_spec):
    text = "tumor:\n  primary_site: pancreas\n  functional: [nonfunctional, insulinoma]\n"
    assert "lists 'nonfunctional' together with a hormone syndrome" in problems(write(tmp_path, text), therapy_spec)[0]


def test_ongoing_with_end_date(tmp_path, therapy_spec):
    text = MINIMAL + "history:\n  - {therapy: lanreotide, start: 2020, end: 2021, stopped: ongoing}\n"
    assert "stopped is 'ongoing'" in problems(write(tmp_path, text), therapy_spec)[0]


@pytest.mark.parametrize(
    "raw, needle",
    [
        (b"\xef\xbb\xbf" + MINIMAL.encode(), "byte-order mark"),
        (MINIMAL.encode("utf-16"), "UTF-16"),
        (b"tumor:\n  primary_site: pan\x00creas\n", "NUL"),
        (b"tumor:\n  primary_site: \xff\xfe\xfa\n", "not valid UTF-8"),
    ],
)
def test_encodings(tmp_path, therapy_spec, raw, needle):
    assert needle in problems(write(tmp_path, raw, mode="wb"), therapy_spec)[0]


def test_size_limit(tmp_path, therapy_spec):
    path = write(tmp_path, MINIMAL + "# " + "x" * (3 * 1024 * 1024) + "\n")
    assert "the limit is" in problems(path, therapy_spec)[0]


def test_json_duplicate_key(tmp_path, therapy_spec):
    path = write(tmp_path, '{"tumor": {"primary_site": "pancreas", "primary_site": "lung"}}', name="c.json")
    assert "duplicate key 'primary_site'" in problems(path, therapy_spec)[0]


def test_list_where_mapping_belongs(tmp_path, therapy_spec):
    msg = problems(write(tmp_path, "- tumor\n"), therapy_spec)[0]
    assert "expected a mapping at the top of the file, got a list" in msg


def test_format_marker_must_match(library):
    with pytest.raises(InputError) as info:
        make_case(library, dict(BASE_PNET, format="netadvisor-case/2"))
    assert "format: 'netadvisor-case/2' is not one of netadvisor-case/1" in str(info.value)
