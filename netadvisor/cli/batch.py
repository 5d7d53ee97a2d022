"""`netadvisor batch PATH...`: advise on a cohort, streaming, in parallel."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..base.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ._app import Guideline, NoColor, Paths, Width, app, guarded
from ._run import console, date_option
from ._progress import Progress as _progress, wanted

OUTPUTS = (".jsonl", ".csv")


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor batch cases/\n\n"
        "  netadvisor batch cases/ registry.jsonl --out advice.jsonl --jobs 2\n\n"
        "  netadvisor batch cases/ --out advice.csv --quiet"
    )
)
def batch(
    paths: Paths,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Write FILE.jsonl (one advice object per case) or FILE.csv (one row per case); - writes JSON Lines to standard output.")] = None,
    compact: Annotated[bool, typer.Option("--compact", help="With --out FILE.jsonl (or -): write what cases share once, in the first line (netadvisor expand restores the full lines).")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Judge every case as of this date.")] = None,
    guideline: Guideline = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    width: Width = None,
    no_color: NoColor = False,
):
    """Advise on many cases: every input is reported once, a broken case as an error record.

    Exit 1 if any case could not be read, 0 otherwise.
    """
    with guarded():
        from functools import partial

        from ..base.documents import is_stdin
        from ..base.escape import terminal
        from ..cohort import batch as runner
        from ..cohort.discover import refuse_output_among_inputs
        from ..core import checked_library
        from ..formats.batch_out import Summary, shape, writer_for

        to_stdout = out is not None and is_stdin(out)  # `-`: JSON Lines for the next program in a pipe
        kind = ".jsonl" if to_stdout else out.suffix.lower() if out is not None else None
        if kind is not None and kind not in OUTPUTS:
            raise UsageError(f"--out: '{out.name}' must end in .jsonl or .csv")
        if compact:
            if kind != ".jsonl":
                raise UsageError("--compact: give --out FILE.jsonl (the compact format is JSON Lines)")
            kind = "compact"
        checked_library(guideline)  # invalid data or an unknown id stops here, before any work (exit 2)
        if out is not None and not to_stdout:
            refuse_output_among_inputs(out, paths, "--out")
        summary = Summary()
        found = runner.discover(paths)
        # CSV rows and the summary show no reasons: decided without words (same rows, less work);
        # every other output gets the full advice
        task = runner.decide_task if kind in (".csv", None) else partial(runner.advise_task, compact=kind == "compact")
        results = runner.run(found, task, jobs=jobs or runner.default_jobs(),
                             guideline=guideline, as_of=date_option(as_of), shape=partial(shape, kind))
        show_progress = wanted(quiet)
        code = write_stream(results, None if to_stdout else out, writer_for(kind), summary, show_progress, to_stdout)
        summary.skipped = found.skipped
        summary_console = console(width, no_color, stderr=out is not None)  # data to stdout, talk to stderr
        for part in summary.renderables():
            summary_console.print(part)
        if out is not None and not to_stdout:
            typer.echo(f"wrote {terminal(str(out))}", err=True)
        raise typer.Exit(code)


def write_stream(results, out: Path | None, writer, summary, show_progress: bool, to_stdout: bool = False) -> int:
    """Consume the (summary facts, output line) results: feed the summary, write the output file atomically.

    The output file is opened (as a temporary file beside it) before the first
    case is run, so a folder that is missing or read-only stops the run at once,
    and renamed into place at the end: an interrupted run (Ctrl-C: exit 130,
    SIGTERM: 143) leaves no half-written file at `out` and the old one intact.
    """
    from contextlib import nullcontext

    from ..base.files import atomic_write

    progress = None
    target = atomic_write(out, "--out", newline="") if out else nullcontext(sys.stdout if to_stdout else None)
    with target as file, writer.open(file) if file else nullcontext() as handle:
        progress = _progress() if show_progress else None
        try:
            for facts, line in results:
                summary.add(facts)
                if handle:
                    handle.write(line)
                if progress:
                    progress.advance()
        finally:
            if progress:
                progress.stop()
    return EXIT_FINDINGS if summary.errors else EXIT_OK
