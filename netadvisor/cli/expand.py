"""`netadvisor expand FILE`: the full JSON Lines of a compact batch file (batch --compact)."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, guarded


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor batch registry.jsonl --out advice.jsonl --compact\n\n"
        "  netadvisor expand advice.jsonl --out advice-full.jsonl\n\n"
        "  netadvisor expand advice.jsonl | head -1\n\n"
        "  netadvisor batch - --out - --compact < registry.jsonl | netadvisor expand -"
    )
)
def expand(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by batch --out FILE.jsonl --compact; - for standard input.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Write the full JSON Lines to FILE (default: standard output).")] = None,
):
    """Write a compact batch file back as full JSON Lines, one advice object per case, byte for
    byte what batch writes without --compact."""
    with guarded():
        import io
        from contextlib import nullcontext

        from ..base.documents import STDIN, is_stdin
        from ..base.errors import InputError, Problem, UsageError
        from ..base.files import atomic_write, same_file
        from ..formats.compact import expand as full_lines

        stdin = is_stdin(file)
        name = STDIN if stdin else str(file)
        if stdin and sys.stdin.isatty():
            raise InputError([Problem(STDIN, "", "nothing piped in: `-` reads a compact batch file from standard input")])
        if out is not None and not stdin and same_file(out, file):
            raise UsageError(f"--out: {out} is the file being expanded; writing it would replace it")
        try:
            source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="") if stdin else open(file, encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError([Problem(name, "", f"cannot read: {exc.strerror or exc}")]) from None
        with source, atomic_write(out, "--out", newline="") if out else nullcontext(sys.stdout) as target:
            try:
                for line in full_lines(source):
                    target.write(line)
            except UnicodeDecodeError:
                raise InputError([Problem(name, "", "file is not valid UTF-8 text")]) from None
            except ValueError as exc:
                raise InputError([Problem(name, "", str(exc))]) from None
