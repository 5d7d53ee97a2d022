"""Outputs of `netadvisor check`: text, JSON, JUnit XML and GitHub annotations."""

import json

from ..base.escape import quoteattr  # xml.sax.saxutils.quoteattr, on characters XML 1.0 allows
from ..base.escape import terminal
from ..base.escape import workflow_message as _escape_message
from ..base.escape import workflow_property as _escape
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
    """JUnit XML: one testsuite, one testcase per expectation (a case without any is skipped)."""
    t = totals(records)
    cases = []
    for r in records:
        file = r["source"]["file"]
        if is_error(r):
            cases.append(
                f'  <testcase classname={quoteattr(file)} name="read case" file={quoteattr(file)}>'
                f"<error message={quoteattr(error_text(r))}/></testcase>"
            )
            continue
        if not r["outcomes"]:
            cases.append(f'  <testcase classname={quoteattr(r["case_id"])} name="expect" file={quoteattr(file)}><skipped message="no expect: block"/></testcase>')
        for o in r["outcomes"]:
            body = "" if o["ok"] else f"<failure message={quoteattr(_message(o))}/>"
            cases.append(f'  <testcase classname={quoteattr(r["case_id"])} name={quoteattr(_name(o))} file={quoteattr(file)}>{body}</testcase>')
    tests = t["expectations"] + t["unreadable"] + t["without_expectations"]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites><testsuite name="netadvisor check" tests="{tests}" failures="{t["failed"]}" '
        f'errors="{t["unreadable"]}" skipped="{t["without_expectations"]}">\n' + "\n".join(cases) + "\n</testsuite></testsuites>\n"
    )


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

