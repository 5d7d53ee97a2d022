"""Outputs of `netadvisor batch`: JSON Lines, CSV and the summary, all streaming."""

import csv
import io
import json
from collections import Counter

from rich import box
from rich.table import Table
from rich.text import Text

CSV_COLUMNS = ("id", "source", "line", "site", "site_group", "top", "candidates", "excluded", "error")


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def is_error(record: dict) -> bool:
    return record.get("format") == "netadvisor-error/1"


def error_text(record: dict) -> str:
    return "; ".join(
        (f"{p['path']}: " if p["path"] else "") + p["message"] + (f" (line {p['line']})" if p.get("line") else "")
        for p in record["problems"]
    )


def csv_row(record: dict) -> list:
    source = record["source"]
    if is_error(record):
        return ["", source["file"], source["line"] or "", "", "", "", "", "", error_text(record)]
    candidates = "; ".join(f"{c['therapy']} ({c['category'] or 'not stated'})" for c in record["candidates"])
    top = record["candidates"][0]["therapy"] if record["candidates"] else ""
    summary = record["summary"]
    return [record["case_id"], source["file"], source["line"] or "", summary["site"], summary["site_group"] or "",
            top, candidates, len(record["excluded"]), ""]


class JsonlWriter:
    header = ""

    def line(self, record: dict) -> str:
        return dumps(record) + "\n"


class CsvWriter:
    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.header = self._row(CSV_COLUMNS)

    def _row(self, row) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(row)
        return self.buffer.getvalue()

    def line(self, record: dict) -> str:
        return self._row(csv_row(record))


def writer_for(kind: str | None):
    """The writer of an --out suffix ('.jsonl', '.csv'), one per process; None: no file."""
    if kind is None:
        return None
    if kind not in _WRITERS:
        _WRITERS[kind] = CsvWriter() if kind == ".csv" else JsonlWriter()
    return _WRITERS[kind]


_WRITERS: dict = {}


def shape(kind: str | None, record: dict) -> tuple:
    """(summary facts, output line) of a record, computed in the worker process."""
    writer = writer_for(kind)
    return Summary.facts(record), writer.line(record) if writer else ""


class Summary:
    """Counts kept while streaming: constant memory however large the cohort."""

    def __init__(self):
        self.cases = 0
        self.errors: list = []  # every unreadable input is listed; they are few by nature
        self.top: Counter = Counter()
        self.sites: Counter = Counter()
        self.out_of_scope = 0
        self.first_source: dict = {}  # case id -> the input it was first read from
        self.duplicates: list = []  # (case id, first input, this input)

    @staticmethod
    def facts(record: dict) -> tuple:
        """(error, site group, out of scope, top candidate, (case id, input)): all the summary needs of a record."""
        source = record["source"]
        label = f"{source['file']}:{source['line']}" if source["line"] else source["file"]
        if is_error(record):
            return (label, error_text(record)), None, False, None, None
        top = record["candidates"][0]["name"] if record["candidates"] else None
        return None, record["summary"]["site_group"] or "(no site group)", record["scope"]["status"] != "in-scope", top, (record["case_id"], label)

    def add(self, facts: tuple):
        error, site_group, out_of_scope, top, identity = facts
        self.cases += 1
        if error:
            self.errors.append(error)
            return
        case_id, label = identity
        first = self.first_source.setdefault(case_id, label)
        if first != label:
            self.duplicates.append((case_id, first, label))
        self.sites[site_group] += 1
        self.out_of_scope += out_of_scope
        if top:
            self.top[top] += 1

    def renderables(self) -> list:
        ok = self.cases - len(self.errors)
        head = Text(f"{self.cases} cases: {ok} advised, {len(self.errors)} could not be read", style="bold")
        if self.out_of_scope:
            head.append(f", {self.out_of_scope} out of the guideline's scope")
        if self.duplicates:
            head.append(f"; warning: {len(self.duplicates)} case id(s) read from two inputs")
        parts: list = [head]
        if self.top:
            table = Table(box=box.SIMPLE_HEAD, title="Top candidate", title_justify="left")
            table.add_column("therapy")
            table.add_column("cases", justify="right")
            for name, count in self.top.most_common():
                table.add_row(name, str(count))
            parts.append(table)
        if self.sites:
            table = Table(box=box.SIMPLE_HEAD, title="Site groups", title_justify="left")
            table.add_column("site group")
            table.add_column("cases", justify="right")
            for name, count in sorted(self.sites.items()):
                table.add_row(name, str(count))
            parts.append(table)
        if self.duplicates:
            table = Table(box=box.SIMPLE_HEAD, title="Same case id in two inputs (each advised; check which is current)",
                          title_justify="left", title_style="bold yellow")
            for column in ("case id", "first read from", "again in"):
                table.add_column(column)
            for row in self.duplicates:
                table.add_row(*row)
            parts.append(table)
        if self.errors:
            table = Table(box=box.SIMPLE_HEAD, title="Could not be read", title_justify="left", title_style="bold red")
            table.add_column("input", no_wrap=True)
            table.add_column("problem")
            for label, text in self.errors:
                table.add_row(label, text)
            parts.append(table)
        return parts
