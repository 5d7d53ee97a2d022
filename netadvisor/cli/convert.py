"""`netadvisor convert BUNDLE`: show the case a FHIR bundle maps to, for review."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ._app import app, guarded


class Target(str, Enum):
    yaml = "yaml"
    json = "json"


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor convert cases/fhir/seed-patient-1.json\n\n"
        "  netadvisor convert bundle.json --to json\n\n"
        "  netadvisor convert bundle.json > case.yaml   (then review and edit case.yaml)"
    )
)
def convert(
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE", help="FHIR R4 Bundle (.json), or - for standard input.", show_default=False)],
    to: Annotated[Target, typer.Option("--to", "-t", help="Case file format to print.")] = Target.yaml,
):
    """Print the netadvisor case a FHIR R4 / mCODE bundle maps to; what is not mapped goes to stderr.

    The case is checked like any case file before it is printed. docs/fhir.md lists what maps from where.
    """
    with guarded():
        from ..base.documents import CASE_MAX_BYTES, load_document
        from ..base.errors import InputError, Problem
        from ..inputs.case_format import parse_case
        from ..inputs.fhir.bundle import bundle_to_case, is_bundle
        from ..knowledge.library import load_library

        from ..base.documents import STDIN, is_stdin
        from ..inputs.case_reader import read_stdin

        if is_stdin(bundle):
            data, name, stem = read_stdin(CASE_MAX_BYTES)[0], STDIN, "stdin"
        else:
            data, name, stem = load_document(bundle, CASE_MAX_BYTES)[0], str(bundle), bundle.stem
        if not is_bundle(data):
            raise InputError([Problem(name, "resourceType", "not a FHIR Bundle: `convert` reads bundles (resourceType: Bundle)")])
        catalogue = load_library().catalogue
        case, warnings = bundle_to_case(data, source=name, resolve_therapy=catalogue.resolve)
        parse_case(case, source=name, therapy=catalogue.therapy_spec(), default_id=stem)
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
        if to is Target.json:
            import json

            sys.stdout.write(json.dumps(case, indent=2, ensure_ascii=False) + "\n")
        else:
            import yaml

            sys.stdout.write(f"# Mapped from the FHIR bundle {name} by `netadvisor convert`: review before use.\n")
            sys.stdout.write(yaml.safe_dump(case, sort_keys=False, allow_unicode=True, width=100))
