"""The inputs of a run over many cases: files, folders searched recursively, and
JSON Lines files (`-`: JSON Lines on standard input), each case one Input; and the
check that an output is none of them.

Nothing given is passed over in silence. A folder that cannot be read, a line
that is too long or not UTF-8, a file that is missing: each is an Input that
already carries its problem, and becomes an error record. What a folder holds
that is not read as a case (hidden files, JSON Lines files, files of other
types, links to folders) is counted by kind for the run's summary.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from ..base.documents import CASE_MAX_BYTES, JSONL_SUFFIXES, STDIN, SUFFIXES, decode, is_stdin
from ..base.errors import InputError, Problem, UsageError
from ..base.escape import file_name
from ..base.files import same_file

_SKIP_CHUNK = 1024 * 1024  # bytes read at a time past the end of a line that is too long

# What a folder held that was not read, by kind (the summary's words)
HIDDEN, JSONL, OTHER, FOLDER_LINK = "hidden file", "JSON Lines file", "file of another type", "link to a folder"


class Input(NamedTuple):
    """One case to read: a file, or one line of a JSON Lines file (then `text` holds it)."""

    source: str
    line: int | None = None
    text: str | None = None
    problem: Problem | None = None  # already known to be unreadable (missing file, bad line)

    @property
    def label(self) -> str:
        """file or file:line, as text every output can hold (see where())."""
        name = file_name(self.source)
        return f"{name}:{self.line}" if self.line else name

    def where(self) -> dict:
        """The `source` of the input's record. A name that is not UTF-8 shows its bytes as \\xNN:
        `source` stays the path to open, and this is what reports name."""
        return {"file": file_name(self.source), "line": self.line}


class Discovery:
    """Every input under the given paths, in a stable order, found as it is iterated.

    Folders are searched recursively for case files in sorted order, without
    recursion (a folder nested thousands deep is fine) and without following
    links to folders (a link loop cannot trap the walk). `skipped` counts what
    the folders held that is not read; it is complete once iteration ends.
    """

    def __init__(self, paths: Iterable):
        self.paths = list(paths)
        self.skipped: Counter = Counter()

    def __iter__(self) -> Iterator[Input]:
        for raw in self.paths:
            path = Path(raw)
            if is_stdin(raw):
                yield from _stdin_lines()
            elif path.is_dir():
                yield from self._walk(str(path))
            elif path.suffix.lower() in JSONL_SUFFIXES and path.is_file():
                yield from _lines(path)
            else:
                yield Input(str(path))  # reading reports a missing, odd or unreadable file

    def _walk(self, top: str) -> Iterator[Input]:
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                yield Input(folder, problem=Problem(folder, "", f"cannot read this folder: {exc.strerror or exc}"))
                continue
            folders = []
            for entry in entries:
                kind = self._kind(entry)
                if kind == "folder":
                    folders.append(entry.path)
                elif kind == "case":
                    yield Input(entry.path)
                else:
                    self.skipped[kind] += 1
            stack.extend(reversed(folders))  # the first folder is searched next: depth first, in sorted order

    @staticmethod
    def _kind(entry) -> str:
        try:
            if entry.is_dir(follow_symlinks=False):
                return "folder"
            if entry.is_symlink() and entry.is_dir():
                return FOLDER_LINK
        except OSError:
            pass  # reading it will say what is wrong
        name = entry.name
        suffix = os.path.splitext(name)[1].lower()
        if name.startswith("."):
            return HIDDEN
        if suffix in SUFFIXES:
            return "case"
        return JSONL if suffix in JSONL_SUFFIXES else OTHER


def discover(paths: Iterable) -> Discovery:
    return Discovery(paths)


def _lines(path: Path) -> Iterator[Input]:
    """One Input per non-blank line of a JSON Lines file (see _read_lines)."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield Input(str(path), problem=Problem(str(path), "", f"cannot read: {exc.strerror or exc}"))
        return
    with handle:
        yield from _read_lines(handle, str(path))


def _stdin_lines() -> Iterator[Input]:
    """`-`: JSON Lines on standard input, one case per line (a case piped from another program)."""
    if sys.stdin is None or sys.stdin.isatty():
        yield Input(STDIN, problem=Problem(STDIN, "", "nothing piped in: `-` reads JSON Lines (one case per line) from standard input"))
        return
    yield from _read_lines(sys.stdin.buffer, STDIN)


def _read_lines(handle, path: str) -> Iterator[Input]:
    """One Input per non-blank line; a line too long or not UTF-8 is an error input.

    A line is read up to the size limit only: the rest of a longer one is read
    past in chunks, so a 400 MB line costs no more memory than a short one.
    """
    number = 0
    while True:
        try:
            raw = handle.readline(CASE_MAX_BYTES + 1)
        except OSError as exc:
            yield Input(path, number + 1, problem=Problem(f"{path}:{number + 1}", "", f"cannot read: {exc.strerror or exc}"))
            return
        if not raw:
            return
        number += 1
        if len(raw) > CASE_MAX_BYTES and not raw.endswith(b"\n"):
            size = len(raw) + _skip_line(handle)
            yield Input(path, number, problem=Problem(f"{path}:{number}", "", f"line is {size:,} bytes; the limit is {CASE_MAX_BYTES:,}"))
            continue
        if not raw.strip():
            continue
        try:
            yield Input(path, number, decode(raw, f"{path}:{number}"))
        except InputError as exc:
            yield Input(path, number, problem=exc.problems[0])


def _skip_line(handle) -> int:
    """Read past the rest of the current line; the number of bytes it had."""
    skipped = 0
    while True:
        chunk = handle.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def refuse_output_among_inputs(output, paths: Iterable, option: str) -> None:
    """An output file may not be one of the inputs (through links too), nor a case file a folder input would read."""
    output = Path(output)
    real = Path(os.path.realpath(output))
    would_be_read = real.suffix.lower() in SUFFIXES and not real.name.startswith(".")
    for raw in paths:
        path = Path(raw)
        if same_file(output, path) or real == Path(os.path.realpath(path)):
            raise UsageError(f"{option}: {output} is also an input ({raw}); writing it would replace that input")
        if would_be_read and path.is_dir() and real.is_relative_to(os.path.realpath(path)):
            raise UsageError(f"{option}: {output} is inside the input folder {raw}, where it would be read as a case")
