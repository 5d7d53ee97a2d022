"""`netadvisor check PATH...`: hold every case with an `expect:` block to it."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..base.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
from ._app import Guideline, NoColor, Paths, app, formats, guarded
from ._run import console
from ._progress import ticking, wanted


CheckFormat = formats("check")


def check_task(item, state) -> dict:
    """The outcome of each expectation of one case, with the line of the expect: block."""
    from ..cohort.batch import read_case
    from ..cohort.expectations import check_expectations, needs_comparison
    from ..core import advise_case

    case = read_case(item, state["library"], state["as_of"])
    # what is checked (candidates, ranks, categories, exclusion reasons) needs no candidate reasons worded
    advice = advise_case(case, state["library"], state["guideline"], compare=needs_comparison(case.expect), words=False)
    outcomes = [o._asdict() for o in check_expectations(case.expect, advice)]
    if outcomes and item.text is None and any(not o["ok"] for o in outcomes):
        lines = _expect_lines(Path(item.source))
        for o in outcomes:
            o["line"] = lines.get(o["kind"])
    return {"source": item.where(), "case_id": case.id, "outcomes": outcomes}


def _expect_lines(path: Path) -> dict:
    """Line of each key of the expect: block, so annotations point at it."""
    from ..base.documents import format_of, line_finder

    try:
        line_of = line_finder(path.read_text(encoding="utf-8"), format_of(path))  # composes the text once
        return {key: line_of(["expect", key]) for key in ("include", "exclude", "top", "category", "bodies")}
    except (OSError, UnicodeDecodeError):
        return {}


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor check cases/\n\n"
        "  netadvisor check cases/ --format junit > check.xml\n\n"
        "  netadvisor check cases/ --format github"
    )
)
def check(
    paths: Paths,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="text, json, junit (XML) or github (workflow annotations).")] = CheckFormat.text,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: 1).")] = 1,
    allow_empty: Annotated[bool, typer.Option("--allow-empty", help="Exit 0 even if no case has an expect: block.")] = False,
    guideline: Guideline = None,
    no_color: NoColor = False,
):
    """Check every case's expect: block (include, exclude, top, category, bodies) against its advice.

    Exit 0 if every expectation holds, 1 if any failed or none was found (a wrong path must
    not pass: --allow-empty accepts none), 2 if an input could not be read.
    """
    with guarded():
        from ..cohort import batch as runner
        from ..core import checked_library
        from ..formats import check_out

        from ..formats.batch_out import skipped_text

        checked_library(guideline)
        found = runner.discover(paths)
        records = list(ticking(runner.run(found, check_task, jobs=jobs, guideline=guideline), wanted()))
        if format is CheckFormat.text:
            check_out.text(records, console(None, no_color), skipped_text(found.skipped))
        elif format is CheckFormat.json:
            sys.stdout.write(check_out.as_json(records, dict(found.skipped)))
        else:
            render = {"junit": check_out.junit, "github": check_out.github}[format.value]
            sys.stdout.write(render(records))
        totals = check_out.totals(records)
        empty = totals["expectations"] == 0 and not allow_empty
        if empty and not totals["unreadable"]:
            console(None, no_color, stderr=True).print(
                f"no expectations found in {totals['cases']} case(s): nothing was checked "
                "(add an expect: block, check the path, or pass --allow-empty)", style="bold red")
        raise typer.Exit(EXIT_INPUT if totals["unreadable"] else EXIT_FINDINGS if totals["failed"] or empty else EXIT_OK)
