"""`netadvisor advise CASE`: the main job."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import Format, app, console, date_option, guarded


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml\n\n"
        "  netadvisor advise cases/seed-patient-2.yaml --format json\n\n"
        "  netadvisor advise case.yaml --as-of 2024-06-01 --show-excluded"
    )
)
def advise(
    case: Annotated[Path, typer.Argument(metavar="CASE", help="Case file (.yaml, .yml or .json).", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", metavar="DATE", help="Decide as of this date (YYYY-MM-DD) instead of the case's as_of.")
    ] = None,
    guideline: Annotated[
        Optional[str],
        typer.Option("--guideline", "-g", metavar="ID|PATH", help="Shipped guideline id (nccn-net, nccn-net@4.2024) or a guideline file or data folder."),
    ] = None,
    show_excluded: Annotated[bool, typer.Option("--show-excluded", "-x", help="List every excluded therapy with its reasons.")] = False,
    width: Annotated[Optional[int], typer.Option("--width", min=60, help="Table width in columns (default: the terminal's).")] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set).")] = False,
    evidence: Annotated[bool, typer.Option("--evidence", "-e", help="Add the evidence chart: primary endpoint on treatment vs control, with HR.")] = False,
):
    """Advise on one case: candidate next-line therapies, exclusions and cautions, with sources."""
    with guarded():
        from ..core import advise_file

        result = advise_file(case, guideline=guideline, as_of=date_option(as_of))
        if format is Format.json:
            from ..formats import as_json

            sys.stdout.write(as_json.render(result) + "\n")
        elif format is Format.markdown:
            from ..formats import as_markdown

            sys.stdout.write(as_markdown.render(result, show_excluded=True))
        else:
            from ..formats import as_table

            as_table.render(result, console(width, no_color), show_excluded=show_excluded, evidence=evidence)
