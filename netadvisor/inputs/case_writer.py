"""Writing case files: a validated case back to YAML a clinician can keep editing.

Used by `advise --save` and `netadvisor new`. The file gets the editor header
that points at the case schema, the canonical words and therapy ids, the case
format's field order, and its decision date, so reading it back gives the same
advice on any later day.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import yaml

from ..base import vocab
from ..base.dates import PartialDate
from ..base.files import write_text
from ..base.fields import ListOf, OneOf, Record
from .case import Case, Range
from .case_format import case_spec

HEADER = "# yaml-language-server: $schema="


class _Dumper(yaml.SafeDumper):
    # Dates stay bare (as_of: 2025-02-01) as in the shipped cases; netadvisor reads them as text.
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # list items indented under their key


def plain(value, spec=None):
    """Validated case data as plain YAML values, in the order spec lists the fields."""
    if isinstance(value, PartialDate):
        return value.year if value.month is None else str(value)
    if isinstance(value, Range):
        return value.text or value.low
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(spec, OneOf):
        spec = next((option for fits, option in spec.options if fits(value)), None)
    if isinstance(value, dict):
        fields = spec.fields if isinstance(spec, Record) else {}
        keys = [k for k in fields if k in value] + [k for k in value if k not in fields]
        return {k: plain(value[k], fields[k].spec if k in fields else None) for k in keys}
    if isinstance(value, list):
        return [plain(item, spec.item if isinstance(spec, ListOf) else None) for item in value]
    return value


def dump(case: Case, target: Path, therapy) -> str:
    """The YAML text of case, to be written at target (the schema header is relative to it)."""
    data = {"format": vocab.CASE_FORMAT, **case.data, "as_of": case.as_of}
    if case.id != target.stem:
        data["id"] = case.id
    body = yaml.dump(
        plain(data, case_spec(therapy)), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
    )
    return header(target) + body


def write(text: str, target: Path, force: bool, option: str) -> None:
    """Write a new file, atomically; an existing one only with force (named by option in the error)."""
    write_text(target, text, option, replace=force)


# -- the editor header: the case schema, by a path relative to the case file --------------


def schema_file(name: str) -> Path | None:
    """The checked-in copy: inside the installed package, or under docs/schema of a checkout."""
    package = Path(__file__).resolve().parent.parent  # netadvisor/ (this file is netadvisor/inputs/case_writer.py)
    for folder in (package / "json-schemas", package.parent / "docs" / "schema"):
        if (folder / f"{name}.schema.json").is_file():
            return folder / f"{name}.schema.json"
    return None


def header(target: Path) -> str:
    """The editor header for a case file written at target: the case schema by relative path."""
    schema = schema_file("case")
    if schema is None:  # pragma: no cover - an installation without its data files
        return ""
    try:
        where = Path(os.path.relpath(schema, target.resolve().parent)).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        where = schema.as_uri()
    return f"{HEADER}{where}\n"
