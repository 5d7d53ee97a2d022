"""The typer app, shared options and the one place errors become exit codes."""

from __future__ import annotations

import codecs
import errno
import gc
import os
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__
from ..base.errors import EXIT_INPUT, EXIT_INTERNAL, InputError, UsageError

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


EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # the reader of the output went away (| head): 128 + SIGPIPE, as other tools
EXIT_TERMINATED = 143  # SIGTERM: 128 + SIGTERM

# An OSError without a file name and with one of these is a write to stdout that failed:
# the user's environment (a full disk, /dev/full, a quota), not a bug.
_STREAM_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EBADF}


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every `finally` runs (temporary files go)."""


def _terminate(signum, frame):
    raise Terminated()


def _quiet_stdout() -> None:
    """After a broken pipe: send what is left to /dev/null, so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


@contextmanager
def guarded():
    """Map the project's errors to exit codes in one place; never show a traceback for bad input."""
    try:
        yield
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        raise typer.Exit(EXIT_TERMINATED) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except OSError as exc:
        if exc.filename is None and exc.errno in _STREAM_ERRNOS:
            typer.echo(f"netadvisor: cannot write to standard output: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        _internal(exc)
    except Exception as exc:
        _internal(exc)


def _internal(exc: BaseException):
    """An internal error: short message, no traceback unless --debug (call in an except block)."""
    if _state["debug"]:
        raise
    typer.echo(
        f"netadvisor: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug. Run again with --debug for the traceback and report it with the case file.",
        err=True,
    )
    raise typer.Exit(EXIT_INTERNAL) from None


def date_option(value: str | None):
    if value is None:
        return None
    from ..base.dates import parse_full_date

    try:
        return parse_full_date(value)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None


def console(width: int | None, no_color: bool, stderr: bool = False):
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich would exit 1; guarded() makes it a quiet exit 141
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    return _Console(width=width, no_color=no_color or bool(os.environ.get("NO_COLOR")), highlight=False,
                   markup=False, emoji=False, stderr=stderr)


def main():
    """Console-script entry point.

    A run is one short process, so the cyclic garbage collector is switched off
    and the interpreter's teardown is skipped once output is flushed: measured
    on seed-patient-1, these two cost ~20 ms and ~30 ms of a ~150 ms run.
    (Tests call `app` in-process and are unaffected.)
    """
    gc.disable()
    signal.signal(signal.SIGTERM, _terminate)
    codecs.register_error("netadvisor-escape", _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        try:  # text the stream's encoding cannot hold (PYTHONIOENCODING=ascii, a name that is not UTF-8) is escaped
            stream.reconfigure(errors="netadvisor-escape")
        except (AttributeError, ValueError):  # not a text file, or closed
            pass
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
    code = _flush(code)
    os._exit(code)


def _escape_unencodable(error: UnicodeEncodeError):
    """\\uXXXX for each character the output's encoding cannot hold: readable on a terminal,
    and a valid escape inside the JSON strings of --format json (\\xNN would not be)."""
    out = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:  # as JSON writes it: a surrogate pair
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), error.end


def _flush(code: int) -> int:
    """Flush the output; a reader that went away, or a full disk, decides the exit code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or EXIT_BROKEN_PIPE
    except OSError as exc:
        _echo_err(f"netadvisor: cannot write to standard output: {exc.strerror or exc}")
        code = code or EXIT_INPUT
    except ValueError:  # closed
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


def _echo_err(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    main()
