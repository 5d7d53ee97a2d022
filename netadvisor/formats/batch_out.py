"""Outputs of `netadvisor batch`: JSON Lines, CSV and the summary, all streaming."""

import csv
import io
import re
from collections import Counter
from contextlib import contextmanager

from rich import box
from rich.table import Table
from rich.text import Text

from ..base.escape import csv_cell, terminal
from ..base.files import BytesHandle
from .json_lines import dumps_line

CSV_COLUMNS = ("id", "source", "line", "site", "site_group", "top", "candidates", "excluded", "error")


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


class _Writer:
    header = ""

    @contextmanager
    def open(self, out):
        """The handle the lines go to, the header written first."""
        if self.header:
            out.write(self.header)
        yield out


class JsonlWriter(_Writer):
    def line(self, record: dict) -> bytes:
        return dumps_line(record)

    @contextmanager
    def open(self, out):
        yield BytesHandle(out)


def csv_text(rows) -> str:
    """CSV lines for rows (batch --out FILE.csv, audit's tables and --decisions): every text cell
    through csv_cell, so that no cell from the input runs as a spreadsheet formula."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


class CsvWriter(_Writer):
    def __init__(self):
        self.header = csv_text([CSV_COLUMNS])
        self._buffer = io.StringIO()  # one buffer and csv writer for every row: making them is most of a row's work
        self._rows = csv.writer(self._buffer, lineterminator="\n")

    def line(self, record: dict) -> str:
        """csv_text([csv_row(record)])"""
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._rows.writerow([csv_cell(v) for v in csv_row(record)])
        return buffer.getvalue()


def writer_for(kind: str | None):
    """The writer of an --out suffix ('.jsonl', '.csv') or of 'compact' (--compact), one per process; None: no file."""
    if kind is None:
        return None
    if kind not in _WRITERS:
        if kind == "compact":
            from .compact import CompactWriter

            _WRITERS[kind] = CompactWriter()
        else:
            _WRITERS[kind] = CsvWriter() if kind == ".csv" else JsonlWriter()
    return _WRITERS[kind]


_WRITERS: dict = {}


def shape(kind: str | None, record: dict) -> tuple:
    """(summary facts, output line) of a record, computed in the worker process."""
    writer = writer_for(kind)
    return Summary.facts(record), writer.line(record) if writer else ""


SAMPLE = 20  # unreadable inputs listed one by one; past that they are counted by kind
MAX_KINDS = 100  # kinds of problem told apart; the rest are counted together


def problem_kind(record: dict) -> str:
    """The first problem of an error record with its particulars taken out: what kind of mistake it is.

    'invalid JSON at line 1, column 7: Expecting value' -> 'invalid JSON at line N, column N: Expecting value'
    """
    first = record["problems"][0] if record["problems"] else {"path": "", "message": "unreadable"}
    text = (f"{first['path']}: " if first["path"] else "") + first["message"]
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return re.sub(r"\d+(?:[,.]\d+)*", "N", text)[:200]


class Unreadable:
    """The inputs that could not be read, in bounded memory: a count, the first SAMPLE of them
    (input and problems), and counts by kind of problem."""

    def __init__(self):
        self.count = 0
        self.sample: list = []
        self.kinds: Counter = Counter()

    def add(self, label: str, text: str, kind: str, record: dict | None = None) -> None:
        self.count += 1
        if len(self.sample) < SAMPLE:
            self.sample.append(record if record is not None else (label, text))
        if kind not in self.kinds and len(self.kinds) >= MAX_KINDS:
            kind = "(other kinds)"
        self.kinds[kind] += 1

    def __len__(self) -> int:
        return self.count

    def tables(self) -> list:
        if not self.count:
            return []
        title = "Could not be read" + (f" (the first {SAMPLE} of {self.count:,})" if self.count > SAMPLE else "")
        table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", title_style="bold red")
        table.add_column("input", no_wrap=True, max_width=80)
        table.add_column("problem", min_width=30)
        for label, text in self.sample:
            table.add_row(_middle(terminal(label), 80), terminal(text))
        if self.count <= SAMPLE:
            return [table]
        kinds = Table(box=box.SIMPLE_HEAD, title="Could not be read, by kind of problem", title_justify="left", title_style="bold red")
        kinds.add_column("problem")
        kinds.add_column("inputs", justify="right")
        for kind, n in self.kinds.most_common():
            kinds.add_row(terminal(kind), f"{n:,}")
        return [table, kinds]


def _middle(text: str, width: int) -> str:
    """A long path shortened in the middle, keeping its start and its file name (the output file has it whole)."""
    if len(text) <= width:
        return text
    tail = width * 2 // 3
    return text[: width - tail - 1] + "…" + text[-tail:]


SKIPPED_WORDS = {"hidden file": "hidden files", "JSON Lines file": "JSON Lines files (give them by name to read them)",
                 "file of another type": "files of other types", "link to a folder": "links to folders (not followed)"}


def skipped_text(skipped: dict) -> str:
    """'not read in the folders: 2 hidden files, 1 JSON Lines file (...)', or '' when nothing was skipped."""
    if not skipped:
        return ""
    parts = [f"{n:,} {kind if n == 1 else SKIPPED_WORDS.get(kind, kind)}" for kind, n in sorted(skipped.items())]
    return "not read in the folders: " + ", ".join(parts)


class FirstSeen:
    """case id -> the input it was first read from, to tell a case read twice (batch, audit).

    The first IN_MEMORY ids are held in a dict; the rest in a temporary SQLite database on
    disk (its page cache is bounded), so memory stays flat however large the registry. Where
    no temporary file can be made, the dict goes on growing: slower to fill memory, never wrong."""

    IN_MEMORY = 4096

    def __init__(self):
        self.ids: dict = {}
        self.db = None  # sqlite3 connection once past IN_MEMORY; False where it could not be made

    def setdefault(self, case_id: str, label: str) -> str:
        """The input case_id was first read from: label, the first time it is seen."""
        first = self.ids.get(case_id)
        if first is not None:
            return first
        if not self.db and (len(self.ids) < self.IN_MEMORY or not self._spill()):
            self.ids[case_id] = label
            return label
        if self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (case_id, label)).rowcount == 1:
            return label
        return self.db.execute("SELECT label FROM seen WHERE id = ?", (case_id,)).fetchone()[0]

    def _spill(self) -> bool:
        if self.db is None:
            import sqlite3

            try:
                self.db = sqlite3.connect("")  # "": a private database in a temporary file, deleted on close
                self.db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, label TEXT NOT NULL)")
                self.db.execute("PRAGMA cache_size = -1024")  # KiB of pages held in memory
            except sqlite3.Error:
                self.db = False
        return bool(self.db)


class Summary:
    """Counts kept while streaming: bounded memory however large the cohort, and however broken."""

    def __init__(self):
        self.cases = 0
        self.errors = Unreadable()
        self.top: Counter = Counter()
        self.sites: Counter = Counter()
        self.out_of_scope = 0
        self.first_source = FirstSeen()  # case id -> the input it was first read from
        self.duplicates: list = []  # (case id, first input, this input): the first SAMPLE of them
        self.duplicate_count = 0
        self.skipped: dict = {}  # what the folders held that was not read, by kind (cohort/discover.py)

    @staticmethod
    def facts(record: dict) -> tuple:
        """(error, site group, out of scope, top candidate, (case id, input)): all the summary needs of a record."""
        source = record["source"]
        label = f"{source['file']}:{source['line']}" if source["line"] else source["file"]
        if is_error(record):
            return (label, error_text(record), problem_kind(record)), None, False, None, None
        top = record["candidates"][0]["name"] if record["candidates"] else None
        return None, record["summary"]["site_group"] or "(no site group)", record["scope"]["status"] != "in-scope", top, (record["case_id"], label)

    def add(self, facts: tuple):
        error, site_group, out_of_scope, top, identity = facts
        self.cases += 1
        if error:
            self.errors.add(*error)
            return
        case_id, label = identity
        first = self.first_source.setdefault(case_id, label)
        if first != label:
            self.duplicate_count += 1
            if len(self.duplicates) < SAMPLE:
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
            head.append(f"; warning: {self.duplicate_count} case id(s) read from two inputs")
        parts: list = [head]
        if self.skipped:
            parts.append(Text(skipped_text(self.skipped)))
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
                table.add_row(*map(terminal, row))
            parts.append(table)
        return parts + self.errors.tables()
