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


def test_xml_holds_only_characters_xml_allows():
    value = "id\ufffe\x01\udcff"
    ElementTree.fromstring(f"<a b={escape.quoteattr(value)}>{escape.html(value)}</a>")
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
