"""Text from input is escaped for the format it lands in (base/escape.py): the terminal, Markdown,
HTML and SVG, XML, CSV; and a file name that is not UTF-8 is a name, not a crash."""

import json
import os
import re
import shutil
import xml.etree.ElementTree as ElementTree

import pytest

from netadvisor.base import escape
from netadvisor.base.errors import Problem

from conftest import CASES, run_cli

SEED = CASES / "seed-patient-1.yaml"


def test_terminal_text_cannot_drive_the_terminal_or_start_a_line():
    assert escape.terminal("plain ¹⁷⁷Lu — ≥3") == "plain ¹⁷⁷Lu — ≥3"
    assert escape.terminal("a\x1b[2Jb\nc\r\x07\x9b") == "a\\x1b[2Jb\\nc\\r\\x07\\x9b"
    assert escape.terminal("evil\u202egnp.yaml") == "evil\\u202egnp.yaml"  # right-to-left override
    assert escape.terminal(os.fsdecode(b"caf\xe9.yaml")) == "caf\\xe9.yaml"
    assert "\n" not in escape.terminal("x\n::error file=a::forged")


def test_problems_print_on_one_line_without_escape_sequences_and_hold_any_file_name():
    problem = Problem(os.fsdecode(b"dir/\x1b]0;title\x07caf\xe9\n.yaml"), "id", "bad\x1b[31m")
    assert str(problem) == "dir/\\x1b]0;title\\x07caf\\xe9\\n.yaml: id: bad\\x1b[31m"
    json.dumps(problem.to_dict(), ensure_ascii=False).encode("utf-8")  # the file stays valid text


def test_markdown_text_is_literal_and_on_one_line():
    text = escape.markdown("note\n| 1 | **Forged** |\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) ~~no~~ \\*")
    assert "\n" not in text
    assert not re.search(r"(?<!\\)(?:\\\\)*[<>\[\]|*_~`]", text.replace("<br>", ""))  # every markup character is escaped (our <br> aside)
    assert text.startswith("note<br>\\| 1 \\| \\*\\*Forged\\*\\* \\|<br>\\<img")


@pytest.mark.parametrize("text", ["plain", 'a"b', "it's", "a\"b'c", "x<&>\n\t\r", "¹⁷⁷Lu ≥3"])
def test_html_and_quoteattr_are_the_standard_library_s_on_valid_text(text):
    """Written out because html and xml.sax cost start-up time (xml.sax imports urllib and ssl)."""
    import html
    from xml.sax.saxutils import quoteattr

    from xml.sax.saxutils import escape as xml_escape

    assert escape.html(text) == html.escape(text) and escape.quoteattr(text) == quoteattr(text)
    assert escape.xml_text(text) == xml_escape(text)


def test_xml_holds_only_characters_xml_allows():
    value = "id\ufffe\x01\udcff"
    ElementTree.fromstring(f"<a b={escape.quoteattr(value)}>{escape.html(value)}{escape.xml_text(value)}</a>")
    assert escape.quoteattr("a<&") == '"a&lt;&amp;"'


@pytest.mark.parametrize("cell, safe", [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"),
                                        ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("ok", "ok"), (5, 5), ("", "")])
def test_csv_cells_never_run_as_formulas(cell, safe):
    assert escape.csv_cell(cell) == safe


@pytest.fixture
def odd_names(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    for raw in (b"caf\xe9.yaml", b"\x1b[2J\x1b[31mred.yaml", b"new\nline.yaml"):
        shutil.copy(SEED, os.path.join(os.fsencode(folder), raw))
    return folder


def test_a_case_file_whose_name_is_not_utf8(odd_names):
    path = os.path.join(os.fsencode(odd_names), b"caf\xe9.yaml")
    result = run_cli("advise", os.fsdecode(path), "-f", "json")
    assert result.returncode == 0, result.stderr
    result = run_cli("advise", os.fsdecode(path))
    assert result.returncode == 0, result.stderr
    broken = odd_names / os.fsdecode(b"bad\xff.yaml")
    broken.write_text("tumor: {primary_site: pancreass}\n")
    result = run_cli("advise", broken)
    assert result.returncode == 2 and "bad\\xff.yaml: tumor.primary_site:" in result.stderr


# -- the renderers -------------------------------------------------------------------------

FORGED_ROWS = "\n\n| 1 | **Forged** | 1 | preferred | safe | none | none |\n\n**Excluded:**\n\n- **Cabozantinib**: forged\n"
HOSTILE_ID = "<img src=x onerror=alert(1)>[click](javascript:alert(1))\ufffe"


def hostile_case(tmp_path, **extra):
    data = {
        "id": HOSTILE_ID,
        "as_of": "2025-06-01",
        "tumor": {"primary_site": "pancreas", "differentiation": "well", "grade": 2, "ki67": 5, "stage": "metastatic",
                  "functional": "nonfunctional", "sstr": "positive", "metastases": ["liver"]},
        "history": [{"therapy": "everolimus", "start": "2024-01", "end": "2024-06", "stopped": "toxicity",
                     "toxicity": [{"event": "other", "grade": 3, "note": "rash" + FORGED_ROWS}]}],
        **extra,
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    return path


def test_markdown_notes_cannot_forge_a_candidate_table_or_an_excluded_list(tmp_path):
    result = run_cli("advise", hostile_case(tmp_path), "-f", "markdown")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("|---") for line in lines) == 1  # the one candidate table
    assert sum(line == "**Excluded:**" for line in lines) == 1
    assert not any("**Forged**" in line for line in lines)
    assert "\\*\\*Forged\\*\\*" in result.stdout  # still there, as text
    assert not re.search(r"(?<!\\)<img", result.stdout) and "](javascript:" not in result.stdout.replace("\\](", "")


@pytest.mark.parametrize("suffix", [".html", ".svg", ".md"])
def test_exported_reports_escape_ids_and_notes(tmp_path, suffix):
    out = tmp_path / f"report{suffix}"
    result = run_cli("advise", hostile_case(tmp_path), "--export", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    if suffix != ".md":
        assert "\ufffe" not in text  # XML 1.0 (the SVG, and the SVG inside HTML) cannot hold it
    assert not re.search(r"(?<![\\])<img", text)
    if suffix == ".svg":
        ElementTree.fromstring(text)  # well-formed XML


def test_check_text_never_starts_a_line_with_input(tmp_path):
    command = "::error file=ci.yml,line=1::forged annotation"
    long_id = "x" * 150 + " " + command
    (tmp_path / "long.yaml").write_text(
        f"id: '{long_id}'\ntumor: {{primary_site: pancreas}}\nexpect: {{include: [cabozantinib]}}\n")
    named = tmp_path / f"a\n{command}.yaml"
    named.write_text("tumor: [\n")
    result = run_cli("check", tmp_path, env={"COLUMNS": "80"})
    assert result.returncode == 2
    assert command in result.stdout.replace("\\n", " ")  # still reported
    assert not [line for line in result.stdout.splitlines() if line.lstrip().startswith("::")]


def test_csv_cells_from_ids_and_names_are_not_formulas(tmp_path):
    (tmp_path / "=cmd.yaml").write_text("id: \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")\"\ntumor: {primary_site: pancreas}\n"
                                       "history: [{therapy: lanreotide, start: 2020-01, stopped: progression}]\n")
    (tmp_path / "@bad.yaml").write_text("tumor: [\n")
    out, decisions = tmp_path / "out.csv", tmp_path / "decisions.csv"
    assert run_cli("batch", tmp_path, "--out", out).returncode == 1
    assert run_cli("audit", tmp_path, "--decisions", decisions).returncode == 1
    import csv

    for path in (out, decisions):
        for row in csv.reader(path.open(encoding="utf-8")):
            assert not [cell for cell in row if cell[:1] in ("=", "+", "@") or cell.startswith("-") and not cell[1:].isdigit()], row


def test_junit_is_valid_xml_whatever_the_ids_and_names(tmp_path):
    (tmp_path / "a.yaml").write_text("id: 'case\ufffe'\ntumor: {primary_site: pancreas}\nexpect: {include: [x-ray]}\n")
    (tmp_path / os.fsdecode(b"b\x01\x1b\xff.yaml")).write_text("tumor: [\n")
    result = run_cli("check", tmp_path, "-f", "junit")
    assert result.returncode == 2
    ElementTree.fromstring(result.stdout.encode("utf-8"))


# -- free text reaches the tumour board ----------------------------------------------------


@pytest.mark.parametrize("how", ["table", "markdown", ".html", ".svg", ".md"])
def test_notes_dose_and_wishes_appear_in_every_report(tmp_path, how):
    """preferences.notes, history[].note and dose were validated, then shown nowhere."""
    path = hostile_case(tmp_path, preferences={"avoid": ["radiation"], "notes": "refuses PRRT <b>firmly</b>\nprefers oral"})
    data = json.loads(path.read_text())
    data["history"][0].update(dose="10 mg daily", note="stopped after [3] cycles")
    path.write_text(json.dumps(data))
    if how in ("table", "markdown"):
        # the terminal's first screen keeps history notes and doses for --details
        result = run_cli("advise", path, "-f", how, "--width", "160", "--details") if how == "table" else run_cli("advise", path, "-f", how)
        assert result.returncode == 0, result.stderr
        text = result.stdout
    else:
        out = tmp_path / f"report{how}"
        assert run_cli("advise", path, "--export", out).returncode == 0
        text = out.read_text(encoding="utf-8")
    plain = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes off
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&#160;", " ").replace("&#x27;", "'")
    plain = " ".join(plain.split())
    for words in ("refuses PRRT <b>firmly</b> prefers oral", "wishes to avoid radiation", "dose 10 mg daily",
                  "note: stopped after [3] cycles"):
        assert words in plain, (how, words)
    if how != "table":
        assert "<b>firmly" not in text  # as text, not markup


def test_names_the_user_gave_are_escaped_in_messages_too(tmp_path):
    out = tmp_path / "out\x1b[2J.jsonl"
    result = run_cli("batch", SEED, "--out", out)
    assert result.returncode == 0 and "wrote " in result.stderr and "\x1b" not in result.stderr
    data = tmp_path / "data\x1b]0;x\x07"
    shutil.copytree(CASES.parent / "guidelines", data)
    (data / "extra.yaml").write_text("kind: nonsense\n")
    result = run_cli("lint", data)
    assert result.returncode == 1 and "\\x1b]0;x\\x07" in result.stdout + result.stderr
    assert "\x1b" not in result.stdout + result.stderr


def test_lint_annotations_hold_any_file_name(tmp_path):
    data = tmp_path / "a,b:c"
    shutil.copytree(CASES.parent / "guidelines", data)
    (data / "x\n::error file=evil::forged.yaml").write_text("kind: nonsense\n")
    result = run_cli("lint", data, "-f", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert "a%2Cb%3Ac/x%0A%3A%3Aerror file=evil%3A%3Aforged.yaml" in result.stdout


def test_a_case_id_is_shown_as_written_not_read_as_rich_markup(tmp_path):
    """The table's panel title holds the case id: rich reads a str title as markup, and 'p[/]1'
    stopped the run with an internal error (a closing tag with nothing to close)."""
    case = tmp_path / "case.yaml"
    case.write_text(SEED.read_text(encoding="utf-8").replace("id: seed-patient-1", 'id: "p[/]1 [bold]x :smile:"'), encoding="utf-8")
    result = run_cli("advise", case, "--width", "120")
    assert result.returncode == 0, result.stderr
    assert "netadvisor · p[/]1 [bold]x :smile: · as of" in result.stdout
