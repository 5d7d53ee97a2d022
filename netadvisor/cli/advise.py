"""`netadvisor advise CASE`: the main job."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UsageError
from ._app import Format, app, console, date_option, guarded

EXPORTS = (".html", ".svg", ".md")


def write_report(result, path: Path) -> None:
    """The report for --export, by the file's suffix, written atomically."""
    from datetime import datetime, timezone

    from ..loading import write_text_atomic

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    suffix = path.suffix.lower()
    if suffix == ".html":
        from ..formats import as_html

        text = as_html.render(result, stamp)
    elif suffix == ".svg":
        from ..formats import as_svg

        text = as_svg.render(result, stamp)
    else:
        from ..formats import as_markdown

        text = as_markdown.render(result, report=True, generated_at=stamp)
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"--export: cannot write {path}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {path}", err=True)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml\n\n"
        "  netadvisor advise cases/seed-patient-2.yaml --format json\n\n"
        "  netadvisor advise case.yaml --as-of 2024-06-01 --show-excluded\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml --evidence --export report.html"
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
    export: Annotated[
        Optional[Path],
        typer.Option("--export", metavar="FILE", help="Also write a self-contained report: FILE.html, FILE.svg or FILE.md."),
    ] = None,
):
    """Advise on one case: candidate next-line therapies, exclusions and cautions, with sources."""
    with guarded():
        from ..core import advise_file

        if export is not None and export.suffix.lower() not in EXPORTS:
            raise UsageError(f"--export: '{export.name}' must end in .html, .svg or .md")
        result = advise_file(case, guideline=guideline, as_of=date_option(as_of))
        if export is not None:
            write_report(result, export)
        if format is Format.json:
            from ..formats import as_json

            sys.stdout.write(as_json.render(result) + "\n")
        elif format is Format.markdown:
            from ..formats import as_markdown

            sys.stdout.write(as_markdown.render(result, show_excluded=True))
        else:
            from ..formats import as_table

            as_table.render(result, console(width, no_color), show_excluded=show_excluded, evidence=evidence)
