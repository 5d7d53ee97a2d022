"""Outputs of `netadvisor check`: text, JSON, JUnit XML and GitHub annotations."""

import json

from ..base.escape import quoteattr  # xml.sax.saxutils.quoteattr, on characters XML 1.0 allows
from ..base.escape import terminal
from ..base.escape import workflow_message as _escape_message
from ..base.escape import workflow_property as _escape
from ..base.escape import xml_text
from .batch_out import error_text, is_error


def _name(o: dict) -> str:
    return f"{o['kind']} {o['therapy']}"


def _message(o: dict) -> str:
    return f"expected {o['therapy']} {o['expected']}; found: {o['found']}"


def totals(records: list) -> dict:
    outcomes = [o for r in records if not is_error(r) for o in r["outcomes"]]
    return {
        "cases": len(records),
        "unreadable": sum(1 for r in records if is_error(r)),
        "without_expectations": sum(1 for r in records if not is_error(r) and not r["outcomes"]),
        "expectations": len(outcomes),
        "failed": sum(1 for o in outcomes if not o["ok"]),
    }


def text(records: list, out, skipped: str = "") -> None:
    """One line per case, never wrapped (a wrapped line could begin with text from the input,
    such as a GitHub `::error` command), names and ids escaped for the terminal."""

    def line(text: str, style: str = "") -> None:
        out.print(text, style=style, soft_wrap=True)

    for r in records:
        if is_error(r):
            line(f"ERROR {terminal(r['source']['file'])}: {terminal(error_text(r))}", "bold red")
            continue
        failed = [o for o in r["outcomes"] if not o["ok"]]
        case_id = terminal(r["case_id"])
        if not r["outcomes"]:
            line(f"skip  {case_id} ({terminal(r['source']['file'])}): no expect: block", "dim")
            continue
        mark, style = ("FAIL", "bold red") if failed else ("ok  ", "green")
        line(f"{mark}  {case_id} ({len(r['outcomes']) - len(failed)}/{len(r['outcomes'])})", style)
        for o in failed:
            line(f"      ✗ {terminal(_message(o))}")
    t = totals(records)
    line(
        f"{t['cases']} cases, {t['expectations']} expectations: {t['failed']} failed, "
        f"{t['unreadable']} unreadable, {t['without_expectations']} without expectations",
        "bold",
    )
    if skipped:
        line(skipped, "dim")


def as_json(records: list, skipped: dict | None = None) -> str:
    """skipped: what the folders held that was not read, by kind (cohort/discover.py)."""
    data = {"format": "netadvisor-check/1", "totals": totals(records), "skipped": skipped or {}, "cases": records}
    return json.dumps(data, ensure_ascii=False, indent=2)


def junit(records: list) -> str:
    """JUnit XML that Jenkins' xunit plugin (junit-10.xsd) accepts and GitHub/GitLab reporters read.

    One <testsuite> per input, carrying its file (`file` on <testsuite> and a `file`
    property: junit-10.xsd allows neither `file` nor `line` on <testcase>); one <testcase>
    per expectation, named by kind and therapy, its classname the case id. A failure's
    text starts with `file:line`, where reporters without a file column look for it.
    tests/test_check_junit.py validates the shape against the schema's rules.
    """
    t = totals(records)
    suites = [_junit_suite(r) for r in records]
    tests = t["expectations"] + t["unreadable"] + t["without_expectations"]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="netadvisor check" tests="{tests}" failures="{t["failed"]}" errors="{t["unreadable"]}">\n'
        + "".join(suites) + "</testsuites>\n"
    )


def _junit_suite(r: dict) -> str:
    file = r["source"]["file"]
    where = f"{file}:{r['source']['line']}" if r["source"].get("line") else file
    if is_error(r):
        name, counts = where, (1, 0, 1, 0)
        cases = [_testcase(where, "read case", f'<error type="unreadable" message={quoteattr(error_text(r))}>'
                                                f"{xml_text(where + ': ' + error_text(r))}</error>")]
    elif not r["outcomes"]:
        name, counts = r["case_id"], (1, 0, 0, 1)
        cases = [_testcase(r["case_id"], "expect", '<skipped message="no expect: block"/>')]
    else:
        name = r["case_id"]
        failed = [o for o in r["outcomes"] if not o["ok"]]
        counts = (len(r["outcomes"]), len(failed), 0, 0)
        cases = []
        for o in r["outcomes"]:
            body = ""
            if not o["ok"]:
                at = f"{file}:{o['line']}" if o.get("line") else where
                body = f'<failure type="expectation" message={quoteattr(_message(o))}>{xml_text(at + ": " + _message(o))}</failure>'
            cases.append(_testcase(r["case_id"], _name(o), body))
    tests, failures, errors, skipped = counts
    return (
        f"  <testsuite name={quoteattr(name)} tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" "
        f"skipped=\"{skipped}\" file={quoteattr(file)}>\n"
        f"    <properties><property name=\"file\" value={quoteattr(file)}/></properties>\n"
        + "".join(cases) + "  </testsuite>\n"
    )


def _testcase(classname: str, name: str, body: str) -> str:
    return f"    <testcase classname={quoteattr(classname)} name={quoteattr(name)}>{body}</testcase>\n"


def github(records: list) -> str:
    lines = []
    for r in records:
        file = r["source"]["file"]
        if is_error(r):
            for p in r["problems"]:
                where = f"file={_escape(file)}" + (f",line={p['line']}" if p.get("line") else "")
                lines.append(f"::error {where},title=netadvisor: unreadable case::{_escape_message(p['path'] + ': ' if p['path'] else '')}{_escape_message(p['message'])}")
            continue
        for o in r["outcomes"]:
            if not o["ok"]:
                where = f"file={_escape(file)}" + (f",line={o['line']}" if o.get("line") else "")
                lines.append(f"::error {where},title=netadvisor check {_escape(_name(o))}::{_escape_message(_message(o))}")
    t = totals(records)
    lines.append(f"netadvisor check: {t['expectations']} expectations, {t['failed']} failed, {t['unreadable']} unreadable")
    return "\n".join(lines) + "\n"

