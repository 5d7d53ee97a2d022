"""Safe reading of YAML and JSON documents.

Case files are written by hand and may be hostile. This module reads a file as
bytes under a size limit, refuses what is not plain UTF-8 text, and parses it:
JSON with duplicate keys and non-numbers refused; YAML with the strict loader
(base/yaml_read.py: no tags, anchors or aliases, plain decimals, YAML 1.2
booleans, dates as text), or, for most case files, yaml-rs where it is installed
(base/yaml_rust.py), which reads only what the strict loader reads the same way.
Every document is held to the limits of base/values.py: nesting deeper than
MAX_DEPTH, more than MAX_NODES values, control characters in text.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from . import yaml_rust
from .errors import InputError, Problem
from .values import CC, MAX_DEPTH, SHORT, check_values, to_int

CASE_MAX_BYTES = 2 * 1024 * 1024  # a case is a few kB; 2 MiB leaves room for long notes
STDIN = "<stdin>"  # the name of standard input (the path `-`) in records and messages
DATA_MAX_BYTES = 8 * 1024 * 1024  # guideline data files
SUFFIXES = (".yaml", ".yml", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson")  # JSON Lines: one case per line, for the cohort commands
_JSON_DOUBT = re.compile(rf"[\\{CC}\ud800-\udfff]")  # an escape, a control character, a surrogate
_QUOTE_BLANK = re.compile(r'"[ \t\n\r]')  # a blank after a quote: a key's colon may follow it (parse_json_line)


def is_stdin(path) -> bool:
    """The path `-`: standard input (or, for an output, standard output)."""
    return str(path) == "-"


def _json_pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not a number here")


def parse_text(text: str, fmt: str):
    """Parse YAML or JSON text; raises ValueError with a one-line reason."""
    if fmt == "json":
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_no_constant, parse_int=to_int)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
        # A short line (fewer characters than MAX_NODES) with fewer brackets than MAX_DEPTH and no
        # escape, control character or surrogate holds nothing check_values refuses: a batch line skips the walk.
        if len(text) >= SHORT or text.count("[") + text.count("{") >= MAX_DEPTH or _JSON_DOUBT.search(text):
            check_values(data)
        return data
    if len(text) < SHORT:  # yaml-rs, if installed and sure (base/yaml_rust.py); else PyYAML, imported now
        data = yaml_rust.load(text, MAX_DEPTH - 1, _ORJSON.dumps if _ORJSON else None)
        if data is not yaml_rust.NOT_READ:
            return data
    from . import yaml_read

    return yaml_read.parse(text)


def parse_json_line(text: str):
    """parse_text(text, "json") for a line of JSON Lines, by orjson (twice as fast here) where that
    is sure to give the same value: a short line with no escape, control character or surrogate
    and no quote before a blank. Anything else, or anything orjson refuses, goes to parse_text,
    which gives the value or the message.

    Duplicate keys: orjson keeps the last, silently. In such a line every `"` followed by `:`
    closes a key or opens a text starting with a colon, and both stay so when orjson writes the
    value back; each entry a duplicate key dropped takes at least one with it. So the counts
    are equal exactly when no key was dropped. An integer past 64 bits: orjson reads it as a
    float, which it writes back with `e+` (as float.__repr__ writes any float from 1e16 up)."""
    fast = orjson()
    if (fast is not None and len(text) < SHORT and text.count("[") + text.count("{") < MAX_DEPTH
            and (("\\" not in text and "\x7f" not in text) if text.isascii() else not _JSON_DOUBT.search(text))
            and not _QUOTE_BLANK.search(text)):
        try:
            data = fast.loads(text)
        except fast.JSONDecodeError:
            pass
        else:
            back = fast.dumps(data)
            if back.count(b'":') == text.count('":') and b"e+" not in back:
                return data
    return parse_text(text, "json")


def orjson():
    """orjson, imported on first use (only runs that read or write JSON Lines pay its import), or
    None where it is not installed (an environment that skipped the dependency): slower, same values."""
    global _ORJSON
    if _ORJSON is None:
        try:
            import orjson as module
        except ImportError:
            module = False
        _ORJSON = module
    return _ORJSON or None


_ORJSON = None


def decode(raw: bytes, name: str) -> str:
    """Bytes to text, refusing what a text editor would not show as UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, "", "file is UTF-16; save it as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError([Problem(name, "", "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    if b"\x00" in raw:
        raise InputError([Problem(name, "", "file contains NUL bytes; it is not a text file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(name, "", f"file is not valid UTF-8 (byte {exc.start}); save it as UTF-8")]
        ) from None


# Open without blocking (a FIFO) and without leaking the descriptor to a child process.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a regular file of at most max_bytes, with a clear error otherwise."""
    raw = _read_regular(path, max_bytes)
    return raw if raw is not None else _read_or_say_why(path, max_bytes)


def _read_regular(path, max_bytes: int) -> bytes | None:
    """The bytes of a regular file of at most max_bytes, opened and checked on one descriptor
    (batch reads thousands: half the work of stat, then open, then a buffered read); None for
    anything else, which _read_or_say_why then names."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        return None  # it grew past the limit while read
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_or_say_why(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        why = "dangling symbolic link" if os.path.islink(path) else "no such file"
        raise InputError([Problem(name, "", why)]) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError([Problem(name, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem(name, "", "is a directory, not a case file (batch runs folders)")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(name, "", "is not a regular file")])
    if info.st_size > max_bytes:
        raise InputError(
            [Problem(name, "", f"file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes")]
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(name, "", f"cannot read: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:
        raise InputError([Problem(name, "", f"file is larger than the limit of {max_bytes:,} bytes")])
    return raw


def format_of(path: Path, lines_hint: str = "") -> str:
    """'yaml' or 'json' by the file's suffix; `lines_hint` is added to the refusal of a JSON Lines file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        message = f"unsupported file type '{suffix or '(none)'}'; expected .yaml, .yml or .json"
        if lines_hint and suffix in JSONL_SUFFIXES:
            message += f"; {lines_hint}"
        raise InputError([Problem(str(path), "", message)])
    return "json" if suffix == ".json" else "yaml"


def load_document(path: Path, max_bytes: int = CASE_MAX_BYTES, lines_hint: str = "") -> tuple[object, str]:
    """Read and parse one document; returns (data, text)."""
    raw = read_bytes(path, max_bytes)  # first: "is a directory" beats "no .yaml suffix"
    fmt = format_of(path, lines_hint)
    text = decode(raw, str(path))
    try:
        return parse_text(text, fmt), text
    except ValueError as exc:
        raise InputError([Problem(str(path), "", str(exc))]) from None


def line_finder(text: str, fmt: str):
    """A function from a field path to its 1-based line in the text, for error messages: YAML
    only (base/yaml_read.line_finder, which imports PyYAML when first asked), None for JSON."""
    found: list = []

    def line_of(parts: list) -> int | None:
        if fmt != "yaml":
            return None
        if not found:
            from . import yaml_read

            found.append(yaml_read.line_finder(text))
        return found[0](parts)

    return line_of
