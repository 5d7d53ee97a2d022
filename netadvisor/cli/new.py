"""`netadvisor new [FILE]`: write a case file by answering questions (netadvisor/inputs/wizard.py)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import NoColor, Width, app, guarded
from ._run import console


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
        from ..inputs.wizard import run
        from ..knowledge.library import load_library

        out = console(width, no_color)
        written = run(file, out, load_library())
        if written is not None:  # the user asked for the advice on the new case
            from ..core import advise_file
            from ..formats import as_table

            as_table.render(advise_file(written), out)
