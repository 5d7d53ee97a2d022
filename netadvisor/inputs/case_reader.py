"""Reading a case file from disk: YAML or JSON through the case format's validation,
or a FHIR bundle (.json) mapped onto the case format first (docs/fhir.md).
"""

from datetime import date
from pathlib import Path

from ..base.documents import CASE_MAX_BYTES, format_of, line_finder, load_document
from ..base.errors import InputError, Problem
from ..base.escape import file_name
from ..base.fields import Str, is_mapping
from .case import Case
from .case_format import parse_case


def load_case(path: Path, therapy: Str, as_of: date | None = None) -> Case:
    """Read a case file from disk; raises InputError naming file and field.

    A .json FHIR Bundle is first mapped onto the case format (docs/fhir.md).
    """
    data, text = load_document(path, CASE_MAX_BYTES)
    fmt = format_of(path)
    if fmt == "json" and is_mapping(data) and "resourceType" in data:  # FHIR; a case has no such key
        return _load_bundle(path, data, therapy, as_of)
    return parse_case(
        data,
        source=str(path),
        therapy=therapy,
        default_id=file_name(path.stem),
        as_of=as_of,
        locate=line_finder(text, fmt),
    )


def _load_bundle(path: Path, bundle: dict, therapy: Str, as_of: date | None) -> Case:
    from .fhir.bundle import bundle_to_case  # imported only when a bundle is read

    def resolve(name: str) -> str:
        problems: list = []
        therapy_id = therapy.check(name, "", problems)
        if problems:
            raise ValueError(problems[0][1])
        return therapy_id

    data, warnings = bundle_to_case(bundle, source=str(path), resolve_therapy=resolve, as_of=as_of)
    try:
        case = parse_case(data, source=str(path), therapy=therapy, default_id=file_name(path.stem), as_of=as_of)
    except InputError as exc:  # its paths are the mapped case's, not the bundle's
        hint = Problem(str(path), "", f"these paths are of the case mapped from the FHIR bundle: `netadvisor convert {path}` shows it")
        raise InputError(exc.problems + [hint]) from None
    return case._replace(warnings=case.warnings + tuple(("fhir-unmapped", f"{w.path}: {w.message}") for w in warnings))
