"""`netadvisor diff --from A --to B PATH...`: what changes for a cohort."""

import json
import sys
from collections import Counter
from typing import Annotated, Optional

import typer

from ..base.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
from ._app import NoColor, Paths, Width, app, formats, guarded
from ._run import console
from ._progress import ticking, wanted

Format = formats("diff")


def diff_task(item, state) -> dict:
    """Advise on one case under both sides and compare."""
    from ..cohort.batch import read_case
    from ..cohort.diff import compare
    from ..core import advise_case
    from ..formats.as_json import advice_to_dict

    sides = []
    for side, library in zip(state["sides"], state["libraries"]):
        case = read_case(item, library, side.as_of)
        sides.append(advice_to_dict(advise_case(case, library, side.guideline)))
    result = compare(*sides)
    result["source"] = item.where()
    return result


def _libraries(state_sides):
    from ..core import library_for

    return [library_for(side.guideline) for side in state_sides]


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor diff --from nccn-net --to asco-2023 cases/\n\n"
        "  netadvisor diff --from 2024-06-01 --to 2025-04-01 cases/seed-patient-1.yaml cases/seed-patient-2.yaml\n\n"
        "  netadvisor diff --from nccn-net --to ./my-guidelines/ cases/ --format json"
    )
)
def diff(
    paths: Paths,
    from_: Annotated[str, typer.Option("--from", metavar="GUIDELINE|DATE", help="Before: a guideline id, id@version, file or folder, or a date YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", metavar="GUIDELINE|DATE", help="After: as --from.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="table (text) or json.")] = Format.table,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: 1).")] = 1,
    width: Width = None,
    no_color: NoColor = False,
):
    """Re-run a cohort under two guideline bodies or versions, or two dates, and list what changed.

    Exit 0 if nothing changed, 1 if anything did, 2 if an input could not be read.
    """
    with guarded():
        from ..cohort import batch as runner
        from ..cohort.diff import Side, describe
        from ..core import checked_library
        from ..base.escape import terminal
        from ..formats.batch_out import error_text, is_error, skipped_text
        from ..formats.words import hang

        sides = (Side.parse(from_, "--from"), Side.parse(to, "--to"))
        for side in sides:  # bad data, path or id: exit 2 before any work
            checked_library(side.guideline)
        found = runner.discover(paths)
        results = list(ticking(runner.run(found, _Bound(sides), jobs=jobs), wanted()))
        errors = [r for r in results if is_error(r)]
        changed = [r for r in results if not is_error(r) and r["changes"]]
        kinds = Counter(c["kind"] for r in changed for c in r["changes"])
        summary = {"cases": len(results), "changed": len(changed), "unreadable": len(errors), "changes": dict(sorted(kinds.items())),
                   "skipped": dict(found.skipped)}
        if format is Format.json:
            sys.stdout.write(json.dumps({"format": "netadvisor-diff/1", "from": from_, "to": to, "summary": summary, "cases": results},
                                        ensure_ascii=False, indent=2) + "\n")
        else:
            out = console(width, no_color)
            out.print(f"diff {from_} → {to}", style="bold")
            for r in results:
                label = terminal(r["source"]["file"]) + (f":{r['source']['line']}" if r["source"]["line"] else "")
                if is_error(r):
                    out.print(f"ERROR {label}: {terminal(error_text(r))}", style="bold red", soft_wrap=True)
                elif r["changes"]:
                    out.print(f"{terminal(r['case_id'])} ({label})", style="bold", soft_wrap=True)
                    for change in r["changes"]:  # a long change wraps under its own text
                        out.print(hang(describe(change), "  ", out.width, more=2), soft_wrap=True)
            detail = ", ".join(f"{n} {k}" for k, n in summary["changes"].items()) or "none"
            out.print(f"{summary['changed']} of {summary['cases']} cases changed ({detail}); {summary['unreadable']} unreadable", style="bold")
            if found.skipped:
                out.print(skipped_text(found.skipped), style="dim")
        raise typer.Exit(EXIT_INPUT if errors else EXIT_FINDINGS if changed else EXIT_OK)


class _Bound:
    """A picklable task carrying both sides (worker processes load their own libraries)."""

    def __init__(self, sides):
        self.sides = sides

    def __call__(self, item, state):
        if "libraries" not in state:
            state["libraries"] = _libraries(self.sides)
        return diff_task(item, dict(state, sides=self.sides))
