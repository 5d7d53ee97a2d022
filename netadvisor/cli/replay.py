"""`netadvisor replay CASE` and `netadvisor audit PATH...`."""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..base.errors import EXIT_FINDINGS, EXIT_OK
from ._app import NoColor, Paths, Width, app, formats, guarded
from ._run import console
from ._progress import ticking, wanted

Format, AuditFormat = formats("replay"), formats("audit")

_GUIDELINE = typer.Option("--guideline", "-g", metavar="ID|PATH",
                          help="Judge every decision by this guideline (default: the one in force on each decision's date).")


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor replay cases/seed-patient-1.yaml\n\n"
        "  netadvisor replay cases/seed-patient-2.yaml --format json"
    )
)
def replay(
    case: Annotated[Path, typer.Argument(metavar="CASE", help="A case file with a dated treatment history, or - for standard input.", show_default=False)],
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json (one object per decision).")] = Format.table,
    guideline: Annotated[Optional[str], _GUIDELINE] = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """At each past decision, what did the guideline offer, and was it followed?

    Each history line is judged as the case stood when it started: earlier lines only, the
    guideline and labels in force then.
    """
    with guarded():
        from ..cohort.audit import decision_dict
        from ..cohort.replay import replay as run
        from ..core import checked_library
        from ..inputs.case_reader import load_case

        library = checked_library(guideline)
        loaded = load_case(case, library.catalogue.therapy_spec())
        decisions = [decision_dict(d) for d in run(loaded, library, guideline)]
        if format is Format.json:
            sys.stdout.write(json.dumps({"format": "netadvisor-replay/1", "case_id": loaded.id, "decisions": decisions},
                                        ensure_ascii=False, indent=2) + "\n")
        else:
            from ..formats.replay_out import render_replay

            render_replay(loaded.id, decisions, console(width, no_color))


def audit_task(item, state, against: tuple = ()) -> dict:
    from ..cohort.audit import decision_dict
    from ..cohort.batch import read_case
    from ..cohort.replay import replay as run

    case = read_case(item, state["library"])
    decisions = [decision_dict(d) for d in run(case, state["library"], state["guideline"], against)]
    return {"case_id": case.id, "source": item.where(), "decisions": decisions}


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor audit cases/\n\n"
        "  netadvisor audit registry.jsonl --jobs 2 --decisions decisions.csv\n\n"
        "  netadvisor audit cases/ --format json\n\n"
        "  netadvisor audit cases/ --against all --decisions decisions.csv"
    )
)
def audit(
    paths: Paths,
    format: Annotated[AuditFormat, typer.Option("--format", "-f", help="table, json or csv (the summary tables).")] = AuditFormat.table,
    decisions: Annotated[Optional[Path], typer.Option("--decisions", metavar="FILE", help="Also write one CSV row per decision.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).")] = None,
    guideline: Annotated[Optional[str], _GUIDELINE] = None,
    against: Annotated[
        Optional[str],
        typer.Option("--against", metavar="all|ID,...",
                     help="Also judge each decision by these guideline bodies (all: every other body), where in force on its date."),
    ] = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """Replay every case of a cohort and report concordance with the guideline.

    Exit 1 if any case could not be read, 0 otherwise.
    """
    with guarded():
        from contextlib import nullcontext

        from ..base.escape import terminal
        from ..base.files import atomic_write
        from ..cohort import batch as runner
        from ..cohort.audit import CSV_COLUMNS, Audit, csv_rows
        from ..cohort.discover import refuse_output_among_inputs
        from ..core import checked_library

        from functools import partial

        bodies = _against(checked_library(guideline), against)
        if decisions is not None:
            refuse_output_among_inputs(decisions, paths, "--decisions")
        summary = Audit()
        found = runner.discover(paths)
        task = partial(audit_task, against=bodies) if bodies else audit_task
        rows = 0
        # opened before the run: a folder that is missing or read-only stops it at once
        with atomic_write(decisions, "--decisions", newline="") if decisions else nullcontext() as out:
            if out:
                out.write(_csv([CSV_COLUMNS + bodies]))
            for record in ticking(runner.run(found, task, jobs=jobs or runner.default_jobs(), guideline=guideline), wanted()):
                if not summary.add(record):
                    d = summary.duplicates[-1]
                    typer.echo(f"warning: {terminal(d['skipped'])}: case id '{terminal(d['case_id'])}' was already read "
                               f"from {terminal(d['kept'])}; counted once (the first)", err=True)
                elif out and "decisions" in record:
                    lines = csv_rows(record, bodies)
                    rows += len(lines)
                    out.write(_csv(lines))
        summary.skipped = dict(found.skipped)
        if decisions:
            typer.echo(f"wrote {terminal(str(decisions))} ({rows} decisions)", err=True)
        data = summary.to_dict()
        if format is AuditFormat.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        elif format is AuditFormat.csv:
            sys.stdout.write(_csv(_summary_rows(data)))
        else:
            from ..formats.replay_out import render_audit

            render_audit(data, console(width, no_color))
        raise typer.Exit(EXIT_FINDINGS if summary.errors else EXIT_OK)


def _against(library, value: str | None) -> tuple:
    """--against all|ID,...: the guideline body ids to judge each decision by as well."""
    if not value:
        return ()
    from ..base.errors import UsageError

    known = library.ids()
    wanted = known if value.strip() == "all" else [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in known]
    if unknown or not wanted:
        raise UsageError(f"--against: unknown guideline body {', '.join(unknown) or repr(value)}; known: all, {', '.join(known)}")
    return tuple(wanted)


def _csv(rows) -> str:
    from ..formats.batch_out import csv_text

    return csv_text(rows)


def _summary_rows(data: dict) -> list:
    columns = ("decisions", "assessable", "concordant", "concordant_not_top", "deviation", "not_assessable", "on_guideline_rate", "top_choice_rate")
    rows = [("dimension", "key", *columns), ("overall", "all", *(data["overall"][c] for c in columns))]
    for dimension, keys in data["by"].items():
        rows += [(dimension, key, *(r[c] for c in columns)) for key, r in keys.items()]
    rows += [("deviation", code, n, "", "", "", n, "", "", "") for code, n in data["deviations"].items()]
    return [[("" if v is None else v) for v in row] for row in rows]
