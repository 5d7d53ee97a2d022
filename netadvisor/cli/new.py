"""`netadvisor new [FILE]`: write a case file by answering questions (netadvisor/wizard.py)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import NoColor, Width, app, console, guarded


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor new                      (asks for everything, then for a file name)\n\n"
        "  netadvisor new cases/my-patient.yaml\n\n"
        "  netadvisor new my-patient.yaml < answers.txt    (one answer per line, as typed)"
    )
)
def new(
    file: Annotated[
        Optional[Path], typer.Argument(metavar="[FILE]", help="Where to write the case (default: asked; the case id + .yaml).", show_default=False)
    ] = None,
    width: Width = None,
    no_color: NoColor = False,
):
    """Write a case file by answering questions, each checked as you type; then advise on it."""
    with guarded():
        from ..knowledge import load_library
        from ..wizard import run

        run(file, console(width, no_color), load_library())
