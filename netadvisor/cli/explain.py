"""`netadvisor explain ID`, `netadvisor therapies`, `netadvisor recommendations`."""

import json
import sys
from typing import Annotated, Optional

import typer

from ._app import Guideline, NoColor, Width, app, formats, guarded
from ._run import console

ExplainFormat, TherapiesFormat, RecommendationsFormat = formats("explain"), formats("therapies"), formats("recommendations")


def _explainer(guideline: str | None):
    from ..core import library_for, pick_latest
    from ..knowledge.explain import Explainer

    library = library_for(guideline)
    return Explainer(library, pick_latest(library, guideline))


def _emit(data, fmt, text_renderer, width, no_color):
    if fmt.value == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        text_renderer(data, console(width, no_color))


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor explain cabozantinib\n\n"
        "  netadvisor explain Lutathera --format json\n\n"
        "  netadvisor explain pnet-lu177-dotatate"
    )
)
def explain(
    query: Annotated[str, typer.Argument(metavar="ID", help="A therapy id, name or brand name, or a recommendation id.")],
    format: Annotated[ExplainFormat, typer.Option("--format", "-f", help="table (text) or json.")] = ExplainFormat.table,
    guideline: Guideline = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """Explain a therapy or a recommendation: placement, conditions, label, trials, toxicities, sources."""
    with guarded():
        from ..formats.as_explain import render_explain

        _emit(_explainer(guideline).explain(query), format, render_explain, width, no_color)


@app.command(epilog="Examples:\n\n  netadvisor therapies\n\n  netadvisor therapies --format json")
def therapies(
    format: Annotated[TherapiesFormat, typer.Option("--format", "-f", help="table (text) or json.")] = TherapiesFormat.table,
    guideline: Guideline = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """List the therapy catalogue: ids, classes, routes, site groups and NET approvals."""
    with guarded():
        from ..formats.as_explain import render_therapies

        _emit(_explainer(guideline).therapies(), format, render_therapies, width, no_color)


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor recommendations --site pancreas\n\n"
        "  netadvisor recommendations --site lung-thymus --format json"
    )
)
def recommendations(
    site: Annotated[Optional[str], typer.Option("--site", "-s", metavar="GROUP", help="A site group (pancreas, gi-unknown, lung-thymus) or a primary site.")] = None,
    format: Annotated[RecommendationsFormat, typer.Option("--format", "-f", help="table (text) or json.")] = RecommendationsFormat.table,
    guideline: Guideline = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """List the guideline's recommendations with their categories and conditions."""
    with guarded():
        from ..formats.as_explain import render_recommendations

        _emit(_explainer(guideline).recommendations(site), format, render_recommendations, width, no_color)
