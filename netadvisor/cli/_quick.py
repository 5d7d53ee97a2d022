"""`netadvisor advise CASE`, the main job, without typer.

Importing typer and building a command's options took ~150M of the 527M instructions of
`advise --format json` (measured).
cli.main hands `advise` command lines here first. One this module reads in full (a case
file and the output options, each value one typer would take) runs at once, through the
code the typer command runs (show, _run); any other (fact flags, --export, --help, a value
typer would refuse, anything unknown) returns to typer, which parses it and words its
errors. tests/test_advise_shortcut.py holds the two ways to the same output and exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import _run

FORMATS = ("table", "json", "markdown")  # _app.FORMATS["advise"]
_FLAGS = {  # flag -> parameter
    "--compare": "compare", "--show-excluded": "show_excluded", "-x": "show_excluded", "--no-color": "no_color",
    "--evidence": "evidence", "-e": "evidence", "--details": "details", "-d": "details", "--brief": "brief", "-b": "brief",
}
_VALUES = {"--format": "format", "-f": "format", "--as-of": "as_of", "--guideline": "guideline", "-g": "guideline", "--width": "width"}


def parse(argv: list) -> dict | None:
    """The parameters of `advise CASE [OPTIONS]`, as the typer command gets them; None for
    any other command line."""
    if argv[:1] != ["advise"]:
        return None
    params: dict = {"case": None, "format": "table", "as_of": None, "guideline": None, "width": None,
                    **dict.fromkeys(_FLAGS.values(), False)}
    words = iter(argv[1:])
    for word in words:
        if word in _FLAGS:
            params[_FLAGS[word]] = True
            continue
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", None)
        if name in _VALUES:
            value = value if equals else next(words, None)
            if value is None or value[:1] == "-" or (name in ("--format", "-f") and value not in FORMATS):
                return None
            if name == "--width":
                if not (value.isascii() and value.isdigit() and int(value) >= 60):  # typer: an integer, at least 60
                    return None
                value = int(value)
            params[_VALUES[name]] = value
        elif word and (word == "-" or word[:1] != "-") and params["case"] is None:
            params["case"] = Path(word)
        else:  # an option of typer's (facts, --export, --help), a second CASE, '--'
            return None
    if params["case"] is None or (params["brief"] and params["details"]):  # typer says what is missing or wrong
        return None
    return params


def main(argv: list) -> None:
    """Run an `advise CASE` command line and end the process; return if it is not one parse reads."""
    params = parse(argv)
    if params is None:
        return
    _run.start()
    try:
        code = advise(**params)
    except BaseException as exc:
        code = _run.exit_code(exc)
        if code is None:
            raise
    _run.finish(code)


def advise(case: Path, format: str, as_of, guideline, width, no_color, show_excluded, evidence, details, brief, compare) -> int:
    """The advise command for a case file, as the typer command runs it."""
    from ..core import advise_file

    result = advise_file(case, guideline=guideline, as_of=_run.date_option(as_of), compare=compare)
    show(result, format, width, no_color, show_excluded, evidence, details, brief)
    return 0


def show(result, format: str, width, no_color, show_excluded, evidence, details, brief) -> None:
    """Advice on standard output in a --format."""
    if format == "json":
        from ..formats import as_json

        sys.stdout.write(as_json.render(result) + "\n")
    elif format == "markdown":
        from ..formats import as_markdown

        sys.stdout.write(as_markdown.render(result, show_excluded=True))
    else:
        from ..formats import as_table

        view = as_table.BRIEF if brief else as_table.DETAILS if details else as_table.SCREEN
        as_table.render(result, _run.console(width, no_color), show_excluded=show_excluded, evidence=evidence, view=view)
