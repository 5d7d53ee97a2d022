"""`netadvisor schema case|advice`: the JSON Schemas of the case file and the advice output."""

import sys
from typing import Annotated, Literal

import typer

from ._app import app, guarded


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor schema case > case.schema.json\n\n"
        "  netadvisor schema advice\n\n"
        "  In a case file, for editor completion and checks (path relative to the file):\n\n"
        "  # yaml-language-server: $schema=../docs/schema/case.schema.json"
    )
)
def schema(
    document: Annotated[Literal["case", "advice"], typer.Argument(metavar="case|advice", help="Which schema: the case file or the advice JSON.", show_default=False)],
):
    """Print the JSON Schema (draft 2020-12) of the case file or of `advise --format json`."""
    with guarded():
        from ..formats import json_schemas

        catalogue = None
        if document == "case":  # therapy names come from the catalogue
            from ..knowledge.library import load_library

            catalogue = load_library().catalogue
        sys.stdout.write(json_schemas.render(json_schemas.generate(document, catalogue)))
