"""The typer app and the options its commands share (errors become exit codes in _run)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__
from ._run import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, exit_code, finish, start

app = typer.Typer(
    name="netadvisor",
    help=(
        "Treatment-sequencing decision support for neuroendocrine tumours: reads a case file and "
        "prints the candidate next-line therapies, each explained and cited.\n\n"
        "Decision support for clinicians, not a prescription."
    ),
    epilog=(
        "Examples:\n\n"
        "  netadvisor advise cases/seed-patient-1.yaml\n\n"
        "  netadvisor advise --site pancreas --grade 2 --sstr positive --prior lanreotide:progression\n\n"
        "  netadvisor new my-patient.yaml\n\n"
        "  netadvisor schema case > case.schema.json\n\n"
        "  netadvisor --install-completion    (then TAB completes commands, flags, words and therapy ids)"
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


# Options every command that prints with rich shares.
Paths = Annotated[
    list[Path],
    typer.Argument(metavar="PATH...", help="Case files, folders (searched recursively) or JSON Lines files.", show_default=False),
]
Width = Annotated[Optional[int], typer.Option("--width", min=60, help="Output width in columns (default: the terminal's).")]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set).")]
Guideline = Annotated[
    Optional[str],
    typer.Option("--guideline", "-g", metavar="ID|PATH",
                 help="A shipped guideline id (nccn-net, nccn-net@4.2024, asco-2023) or a guideline file or data folder."),
]


# The --format choices of each command: exactly the formats it writes, the first the default.
FORMATS = {
    "advise": ("table", "json", "markdown"),
    "explain": ("table", "json"),
    "therapies": ("table", "json"),
    "recommendations": ("table", "json"),
    "replay": ("table", "json"),
    "diff": ("table", "json"),
    "audit": ("table", "json", "csv"),
    "check": ("text", "json", "junit", "github"),
    "lint": ("text", "json", "github"),
}


def formats(command: str) -> type[Enum]:
    """The type of a command's --format option: an Enum of FORMATS[command]."""
    return Enum(f"{command.title()}Format", {name: name for name in FORMATS[command]}, type=str)


def _version(value: bool):
    if value:
        typer.echo(f"netadvisor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an internal error.")] = False,
):
    _state["debug"] = debug


@contextmanager
def guarded():
    """Map the project's errors to exit codes in one place (_run.exit_code); never show a traceback for bad input."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except BaseException as exc:
        code = exit_code(exc, _state["debug"])
        if code is None:
            raise
        raise typer.Exit(code) from None


def main():
    """Console-script entry point, after cli.main's shortcut for `advise CASE`: typer parses the
    command line (_run.start and finish: no garbage collector, no interpreter teardown)."""
    start()
    if "--no-color" in sys.argv:
        # Typer prints help and usage errors with a rich console of its own; the
        # environment is the one setting that reaches it.
        os.environ["NO_COLOR"] = "1"
    try:
        app(prog_name="netadvisor")  # also under `python -m netadvisor`: one completion variable
        code = 0
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, str):
            sys.stderr.write(code + "\n")
            code = 1
        code = code or 0
    except Terminated:  # before or after a command's own handling
        code = EXIT_TERMINATED
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    finish(code)


if __name__ == "__main__":
    main()
