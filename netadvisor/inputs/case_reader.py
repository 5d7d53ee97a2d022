"""Reading a case file from disk: YAML or JSON through the case format's validation,
or a FHIR bundle (.json) mapped onto the case format first (docs/fhir.md).

The path `-` is standard input (a case piped from another program): one document, YAML
or JSON told apart by its first character, under the same size limit as a file, and
named `<stdin>` in messages.
"""

import sys
from datetime import date
from pathlib import Path

from ..base.documents import CASE_MAX_BYTES, STDIN, decode, format_of, is_stdin, line_finder, load_document, parse_text
from ..base.errors import InputError, Problem
from ..base.escape import file_name
from ..base.fields import Str, is_mapping
from .case import Case
from .case_format import parse_case


def read_stdin(max_bytes: int = CASE_MAX_BYTES) -> tuple[object, str, str]:
    """(data, text, format) of the one document on standard input; raises InputError naming <stdin>."""
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError([Problem(STDIN, "", "nothing piped in: give a case on standard input (`cat case.yaml | netadvisor advise -`)")])
    raw = sys.stdin.buffer.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise InputError([Problem(STDIN, "", f"input is larger than the limit of {max_bytes:,} bytes")])
    text = decode(raw, STDIN)
    if not text.strip():
        raise InputError([Problem(STDIN, "", "standard input is empty: expected a case (YAML or JSON)")])
    fmt = "json" if text.lstrip()[:1] in ("{", "[") else "yaml"
    try:
        return parse_text(text, fmt), text, fmt
    except ValueError as exc:
        raise InputError([Problem(STDIN, "", str(exc))]) from None


_MANY_CASES = "a JSON Lines file holds many cases: `netadvisor batch` and `netadvisor audit` read it"


def load_case(path: Path, therapy: Str, as_of: date | None = None) -> Case:
    """Read a case file from disk (or standard input for `-`); raises InputError naming file and field.

    A .json FHIR Bundle is first mapped onto the case format (docs/fhir.md).
    """
    if is_stdin(path):
        data, text, fmt = read_stdin()
        path, source, stem = Path(STDIN), STDIN, "stdin"
    else:
        data, text = load_document(path, CASE_MAX_BYTES, _MANY_CASES)
        fmt, source, stem = format_of(path), str(path), file_name(path.stem)
    if fmt == "json" and is_mapping(data) and "resourceType" in data:  # FHIR; a case has no such key
        return _load_bundle(path, data, therapy, as_of, source, stem)
    return parse_case(
        data,
        source=source,
        therapy=therapy,
        default_id=stem,
        as_of=as_of,
        locate=line_finder(text, fmt),
    )


def _load_bundle(path: Path, bundle: dict, therapy: Str, as_of: date | None, source: str, stem: str) -> Case:
    from .fhir.bundle import bundle_to_case  # imported only when a bundle is read

    def resolve(name: str) -> str:
        problems: list = []
        therapy_id = therapy.check(name, "", problems)
        if problems:
            raise ValueError(problems[0][1])
        return therapy_id

    data, warnings = bundle_to_case(bundle, source=source, resolve_therapy=resolve, as_of=as_of)
    try:
        case = parse_case(data, source=source, therapy=therapy, default_id=stem, as_of=as_of)
    except InputError as exc:  # its paths are the mapped case's, not the bundle's
        shown = "-" if source == STDIN else path
        hint = Problem(source, "", f"these paths are of the case mapped from the FHIR bundle: `netadvisor convert {shown}` shows it")
        raise InputError(exc.problems + [hint]) from None
    return case._replace(warnings=case.warnings + tuple(("fhir-unmapped", f"{w.path}: {w.message}") for w in warnings))
