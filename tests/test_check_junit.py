"""`netadvisor check --format junit` against the Jenkins xunit plugin's junit-10.xsd (the
strictest JUnit schema CI servers validate against; pytest's own output passes it), and
`check`'s exit code when nothing was checked.

tests/fixtures/junit/junit-10.xsd is the schema, verbatim with its MIT licence header. The
validator below reads it and applies its rules, so no XML-schema library is needed: for each
element, the attributes allowed and required, the child elements allowed, whether text is
allowed (mixed), and the SUREFIRE_TIME pattern of `time`. Order and occurrence counts are not
checked (every content model of the schema that we emit is an unbounded choice or optional).
"""

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CASES, run_cli

XS = "{http://www.w3.org/2001/XMLSchema}"
XSD = Path(__file__).parent / "fixtures" / "junit" / "junit-10.xsd"


def schema_rules(path: Path = XSD) -> dict:
    """element name -> {attributes: {name: (required, pattern)}, children: set, text: bool}."""
    root = ET.parse(path).getroot()
    patterns = {t.get("name"): t.find(f"{XS}restriction/{XS}pattern").get("value") for t in root.iter(f"{XS}simpleType")}
    types = {t.get("name"): t for t in root.findall(f"{XS}complexType")}
    rules = {}
    for element in root.findall(f"{XS}element"):
        body = element.find(f"{XS}complexType")
        if body is None and element.get("type") in types:
            body = types[element.get("type")]
        if body is None:  # a simple type such as xs:string: text only
            rules[element.get("name")] = {"attributes": {}, "children": set(), "text": True}
            continue
        rules[element.get("name")] = {
            "attributes": {a.get("name"): (a.get("use") == "required", patterns.get(a.get("type")))
                           for a in body.findall(f"{XS}attribute")},
            "children": {e.get("ref") or e.get("name") for e in body.iter(f"{XS}element")},
            "text": body.get("mixed") == "true",
        }
    return rules


def schema_errors(xml: str, rules: dict | None = None) -> list:
    """Every way the document breaks the schema (an empty list: valid)."""
    rules = rules or schema_rules()
    try:
        root = ET.fromstring(xml.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    errors = [] if root.tag == "testsuites" else [f"root element <{root.tag}>, expected <testsuites>"]
    for parent in root.iter():
        rule = rules.get(parent.tag)
        if rule is None:
            errors.append(f"<{parent.tag}> is not an element of the schema")
            continue
        for name, value in parent.attrib.items():
            if name not in rule["attributes"]:
                errors.append(f"<{parent.tag}> does not allow the attribute {name}")
            elif (pattern := rule["attributes"][name][1]) and not re.fullmatch(pattern, value):
                errors.append(f"<{parent.tag} {name}='{value}'> does not match {pattern}")
        errors += [f"<{parent.tag}> needs the attribute {name}" for name, (required, _) in rule["attributes"].items()
                   if required and name not in parent.attrib]
        errors += [f"<{parent.tag}> does not allow <{child.tag}>" for child in parent if child.tag not in rule["children"]]
        texts = [parent.text] + [child.tail for child in parent]
        if not rule["text"] and any(t and t.strip() for t in texts):
            errors.append(f"<{parent.tag}> does not allow text")
    return errors


# -- the validator itself ---------------------------------------------------------------------


def test_the_schema_rules_are_read_from_the_xsd():
    rules = schema_rules()
    assert set(rules["testcase"]["attributes"]) == {"name", "time", "classname", "group"}
    assert rules["testsuite"]["attributes"]["name"] == (True, None) and "file" in rules["testsuite"]["attributes"]
    assert rules["testsuites"]["children"] == {"testsuite"}
    assert rules["failure"]["text"] and not rules["testcase"]["text"]


@pytest.mark.parametrize("xml, error", [
    ('<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x" file="a.yaml"/></testsuite></testsuites>',
     "<testcase> does not allow the attribute file"),
    ('<testsuites><testsuite name="a" tests="1" failures="0"/></testsuites>', "<testsuite> needs the attribute errors"),
    ('<testsuites time="1e-3"/>', "<testsuites time='1e-3'> does not match"),
    ('<testsuites><testcase name="x"/></testsuites>', "<testsuites> does not allow <testcase>"),
    ('<testsuites>\ufffe</testsuites>', "not well-formed XML"),
])
def test_the_validator_rejects_what_the_schema_rejects(xml, error):
    assert any(e.startswith(error) for e in schema_errors(xml)), schema_errors(xml)


def test_the_validator_accepts_pytests_own_junit_output(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    report = tmp_path / "report.xml"
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(tmp_path / "test_x.py")],
                   capture_output=True, cwd=tmp_path)
    assert schema_errors(report.read_text()) == []


# -- netadvisor check --format junit ------------------------------------------------------------


@pytest.fixture
def cohort(tmp_path):
    """A passing case, a failing case, a case without expectations and an unreadable one."""
    shutil.copy(CASES / "seed-patient-1.yaml", tmp_path / "a-pass.yaml")
    (tmp_path / "b-fail.yaml").write_text(
        (CASES / "seed-patient-1.yaml").read_text().replace("id: seed-patient-1", "id: failing")
        .replace("category: {cabozantinib: \"1\"}", "category: {cabozantinib: 2B}"))
    (tmp_path / "c-none.yaml").write_text("tumor: {primary_site: pancreas}\n")
    (tmp_path / "d-broken.yaml").write_text("tumor: {primary_site: pancreas, grade: 7}\n")
    return tmp_path


def test_junit_output_passes_the_schema_and_keeps_the_file(cohort):
    out = run_cli("check", cohort, "--format", "junit")
    assert out.returncode == 2  # an unreadable case
    assert schema_errors(out.stdout) == []
    root = ET.fromstring(out.stdout)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"seed-patient-1", "failing", "c-none", str(cohort / "d-broken.yaml")}
    assert all(s.get("file") == s.find("properties/property[@name='file']").get("value") for s in suites.values())
    assert suites["failing"].get("file") == str(cohort / "b-fail.yaml")
    failure = suites["failing"].find("testcase/failure")
    assert failure.text.startswith(f"{cohort / 'b-fail.yaml'}:") and "expected cabozantinib category 2B" in failure.get("message")
    assert suites["c-none"].find("testcase/skipped") is not None and suites["c-none"].get("skipped") == "1"
    assert suites[str(cohort / "d-broken.yaml")].find("testcase/error").get("type") == "unreadable"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (str(sum(int(s.get("tests")) for s in suites.values())), "1", "1")


@pytest.mark.parametrize("odd", ["\x01", "\ufffe", "\x1b[31m"])
def test_junit_output_passes_the_schema_with_odd_characters_in_ids_and_paths(tmp_path, odd):
    (tmp_path / f"case{odd}.yaml").write_text(
        (CASES / "seed-patient-1.yaml").read_text().replace("id: seed-patient-1", f'id: "seed{odd if odd == chr(0xfffe) else ""}"'))
    (tmp_path / f"broken{odd}.yaml").write_text("tumor: {primary_site: pancreas, grade: 7}\n")
    out = run_cli("check", tmp_path, "--format", "junit")
    assert schema_errors(out.stdout) == []


# -- nothing checked is not a pass ------------------------------------------------------------------


def test_check_with_no_expectations_is_exit_1_unless_allowed(tmp_path):
    (tmp_path / "case.yaml").write_text("tumor: {primary_site: pancreas}\n")
    out = run_cli("check", tmp_path)
    assert out.returncode == 1 and "no expectations found" in out.stderr
    assert run_cli("check", tmp_path, "--allow-empty").returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    junit = run_cli("check", empty, "--format", "junit")
    assert junit.returncode == 1 and schema_errors(junit.stdout) == [] and "no expectations found" in junit.stderr
