"""What every run shares, without typer: the process set-up and teardown, the one place
errors become exit codes and messages, the rich console, --as-of.

Typer is imported by _app, for the commands it parses; `advise CASE`, the main job, can run
without it (_quick), and both map errors and flush output here, so the two agree.
"""

from __future__ import annotations

import codecs
import errno
import gc
import os
import signal
import sys

from ..base.errors import EXIT_INPUT, EXIT_INTERNAL, InputError, UsageError

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


def start() -> None:
    """Set up a command-line run.

    A run is one short process, so the cyclic garbage collector is switched off
    and the interpreter's teardown is skipped once output is flushed (finish):
    measured on seed-patient-1, these two cost ~20 ms and ~30 ms of a ~150 ms run.
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


def finish(code: int):
    """Flush the output and end the process with code (or the code a failed flush decides)."""
    os._exit(_flush(code))


def exit_code(exc: BaseException, debug: bool = False) -> int | None:
    """The exit code for an error a command raised, its message written to standard error;
    None for what is not ours to handle. An internal error is re-raised under --debug
    (call in an except block)."""
    if isinstance(exc, InputError):
        for problem in exc.problems:
            _echo_err(str(problem))
        return EXIT_INPUT
    if isinstance(exc, KeyboardInterrupt):
        _echo_err("interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED
    if isinstance(exc, BrokenPipeError):
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    if isinstance(exc, OSError) and exc.filename is None and exc.errno in _STREAM_ERRNOS:
        _echo_err(f"netadvisor: cannot write to standard output: {exc.strerror or exc}")
        return EXIT_INPUT
    if not isinstance(exc, Exception):
        return None
    if debug:
        raise exc
    from ..base.escape import terminal

    _echo_err(
        f"netadvisor: internal error: {terminal(f'{type(exc).__name__}: {exc}')}\n"
        "This is a bug. Run again with --debug for the traceback and report it with the case file."
    )
    return EXIT_INTERNAL


def _quiet_stdout() -> None:
    """After a broken pipe: send what is left to /dev/null, so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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
        def on_broken_pipe(self) -> None:  # rich would exit 1; exit_code makes it a quiet exit 141
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    return _Console(width=width, no_color=no_color or bool(os.environ.get("NO_COLOR")), highlight=False,
                   markup=False, emoji=False, stderr=stderr)


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
