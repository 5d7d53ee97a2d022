"""`batch --compact`: JSON Lines for registries, each part that many cases share written once.

A full advice line repeats, for every case, what is the same for every case with the same
therapy: each candidate's toxicity figures, trial evidence and citations, the guideline
stamp, and the citation text of every source cited (about 6 KiB of a 17 KiB line). The
compact file holds them once:

  line 1   {"format": "netadvisor-batch-compact/1", "parts": {ID: VALUE, ...}}
  then     one line per input, as in the full file, where each shared value is replaced by
           its ID (a string: "toxicities-3f9a…"), and `sources` is the list of the source ids
           cited (their citations are the parts "source:ID"); error records are unchanged

An ID is the kind of value and a digest of its JSON text (a source's: its id), so it names
the same value in every run, whatever the number of worker processes. `netadvisor expand` writes the full
JSON Lines back, byte for byte (tests/test_compact.py).
"""

from __future__ import annotations

import hashlib
import tempfile
from contextlib import contextmanager
from functools import cache

from ..base import vocab
from ..base.files import BytesHandle
from ..base.memo import remember
from .json_lines import dumps, dumps_line, fragment
from .json_spec import writer

FORMAT = "netadvisor-batch-compact/1"
CANDIDATE_PARTS = ("toxicities", "evidence", "citations")  # keys of a candidate written once per value
RECORD_PARTS = ("guideline",)  # keys of the advice object written once per value
_PART = b'{"part":'  # how a worker hands the parent a part it has not handed it before

_IDS: dict = {}  # JSON text of a part (UTF-8) -> its ID (per process)
_SENT: set = set()  # IDs this process has handed on, or will with its next line
_CITED: set = set()  # the same of the sources' ids (their parts: "source:ID")
_NEW: list = []  # the part lines the next line carries (compact_line)


def part_id(kind: str, text: bytes) -> str:
    found = _IDS.get(text)
    if found is None:
        found = remember(_IDS, text, f"{kind}-{hashlib.sha256(text).hexdigest()[:16]}", 100_000)
    return found


def compact_record(advice) -> dict:
    """The record of an advice's compact line: advice_to_line's, each part replaced by its ID and
    `sources` by the ids cited. The parts new to this process go out with the next compact_line."""
    record = _write_compact()(advice)
    sources = record["sources"]
    for sid in [sid for sid in sources if sid not in _CITED]:
        _CITED.add(sid)
        _NEW.append(b'%s"source:%s","value":%s}\n' % (_PART, sid.encode(), _json(sources[sid])))
    record["sources"] = list(sources)
    return record


def compact_line(record: dict) -> bytes:
    """A record's line (UTF-8, as batch writes JSON Lines), preceded by the parts this process has
    not handed on yet: those of compact_record's records since the last line, whatever this one is."""
    line = dumps_line(record)
    if not _NEW:
        return line
    line = b"".join(_NEW) + line
    _NEW.clear()
    return line


@cache
def _write_compact():
    """as_json's writer of advice_to_line, writing each part as its ID: once per object the engine
    shares, as that writer writes each one's JSON text once (its keys are names no other shared
    value of the advice has)."""
    from .as_json import ADVICE

    return writer(ADVICE, fragment, {key: _referrer(key) for key in (*RECORD_PARTS, *CANDIDATE_PARTS)})


def _referrer(kind: str):
    def refer(data) -> str:
        text = _json(data)
        ident = part_id(kind, text)
        if ident not in _SENT:
            _SENT.add(ident)
            _NEW.append(b'%s"%s","value":%s}\n' % (_PART, ident.encode(), text))
        return ident

    return refer


def _json(value) -> bytes:
    return dumps_line(value)[:-1]


class CompactWriter:
    """The parent's side: parts are gathered as lines arrive, case lines wait in a temporary
    file, and the whole is written when the run is complete (first the parts, then the lines)."""

    header = ""

    def line(self, record: dict) -> bytes:  # in the worker
        return compact_line(record)

    @contextmanager
    def open(self, out):
        out = BytesHandle(out)
        parts: dict = {}
        with tempfile.TemporaryFile() as spool:
            yield _Spool(spool, parts)
            out.write(_first_record(parts))
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                out.write(chunk)


def _first_record(parts: dict) -> bytes:
    """The first line, from the parts' JSON texts as the workers wrote them, in the order of their IDs."""
    inner = b",".join(b'"%s":%s' % (ident, parts[ident]) for ident in sorted(parts))
    return b'{"format":"%s","parts":{%s}}\n' % (FORMAT.encode(), inner)


class _Spool:
    """Takes the worker's lines: part lines go to the parts, the rest to the temporary file."""

    def __init__(self, spool, parts: dict):
        self.spool, self.parts = spool, parts

    def write(self, data: bytes) -> None:
        while data.startswith(_PART):
            line, _, data = data.partition(b"\n")
            ident, _, value = line[len(_PART) + 1:].partition(b'","value":')
            self.parts.setdefault(ident, value[:-1])
        self.spool.write(data)


def _not_json(constant: str):
    raise ValueError(f"not JSON ({constant}, which batch never writes)")


def expand(lines):
    """The full JSON Lines of a compact file's lines (an iterable of text lines), one by one.

    Raises ValueError, naming the line, when the first line is not a compact file's, a line is
    not JSON or not an advice record as batch writes one, or refers to a part the file does not hold."""
    import json

    def parse(line: str, number: int):
        try:
            return json.loads(line, parse_constant=_not_json)
        except json.JSONDecodeError as exc:  # most often a run stopped mid-line: say which line, not the decoder's "line 1"
            cut = "; the file may be cut short" if not line.endswith("\n") else ""
            raise ValueError(f"line {number}: not JSON ({exc.msg}, column {exc.colno}){cut}") from None
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        except RecursionError:
            raise ValueError(f"line {number}: nested too deeply to read") from None

    first = next(iter_lines := iter(lines), None)
    try:
        head = parse(first, 1) if first is not None else None
    except ValueError as exc:
        raise ValueError(f"not a compact batch file: {exc}") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT or not isinstance(head.get("parts"), dict):
        raise ValueError(f"not a compact batch file: its first line is not a {FORMAT} record")
    parts = head["parts"]

    def resolve(value, number: int):
        if not isinstance(value, str):
            return value
        if value not in parts:
            raise ValueError(f"line {number}: refers to {value!r}, which the file's first line does not hold")
        return parts[value]

    for number, line in enumerate(iter_lines, start=2):
        record = parse(line, number)
        if isinstance(record, dict) and record.get("format") == vocab.ADVICE_FORMAT:
            try:
                for key in RECORD_PARTS:
                    record[key] = resolve(record[key], number)
                if isinstance(record.get("sources"), list):
                    record["sources"] = {sid: resolve(f"source:{sid}", number) for sid in record["sources"]}
                for candidate in record["candidates"]:
                    for key in CANDIDATE_PARTS:
                        candidate[key] = resolve(candidate[key], number)
            except (KeyError, TypeError) as exc:  # a line batch did not write: edited, or another tool's
                missing = f"it has no {exc}" if isinstance(exc, KeyError) else str(exc)
                raise ValueError(f"line {number}: an advice record not as batch --compact writes one ({missing})") from None
            yield dumps(record) + "\n"
        else:
            yield line if line.endswith("\n") else line + "\n"
