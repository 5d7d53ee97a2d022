"""`advise CASE` runs without typer (netadvisor/cli/_quick.py): the same output, messages and
exit codes as typer's way, and typer's way for every command line the shortcut does not read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command

from netadvisor.cli import _quick, app

from conftest import ROOT

# The entry point with the shortcut refused: every command line goes to typer.
TYPER_ONLY = ("import sys, netadvisor.cli as cli, netadvisor.cli._quick as q; q.parse = lambda argv: None; "
              "sys.argv = ['netadvisor', *sys.argv[1:]]; cli.main()")


def _run(args, env=None, input=None, typer_only=False):
    command = [sys.executable, "-c", TYPER_ONLY] if typer_only else [sys.executable, "-m", "netadvisor"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT, timeout=60, input=input,
                          env={**os.environ, **(env or {})})


SEED = "cases/seed-patient-1.yaml"


@pytest.mark.parametrize("args", [
    [SEED],
    [SEED, "--format", "json"],
    [SEED, "-f", "markdown", "--as-of", "2019-06-01"],
    ["cases/seed-patient-2.yaml", "--format=json", "--compare"],
    [SEED, "--width", "80", "-x", "-e", "--no-color"],
    [SEED, "--details", "--width=100", "-g", "asco-2023"],
    [SEED, "--brief", "-b"],
    ["-", "--format", "json"],
    ["cases/no-such-case.yaml"],  # exit 2, the file named
    ["cases"],  # a folder
    [SEED, "--as-of", "2020-13-01"],  # an impossible date
    [SEED, "--guideline", "nccn-nett"],  # did you mean
], ids=lambda args: " ".join(args))
def test_the_shortcut_prints_what_typer_prints(args):
    stdin = (ROOT / SEED).read_text(encoding="utf-8")
    quick, typed = (_run(["advise", *args], {"COLUMNS": "100"}, stdin, typer_only) for typer_only in (False, True))
    assert _quick.parse(["advise", *args]) is not None  # the shortcut did read it
    assert (quick.returncode, quick.stdout, quick.stderr) == (typed.returncode, typed.stdout, typed.stderr)
    assert quick.stdout or quick.returncode == 2


def test_advise_case_imports_no_typer_and_the_rest_does():
    typer = re.compile(r"\|\s+typer$", re.M)  # a line of Python's import-time log
    shortcut = _run(["advise", SEED, "--format", "json"], env={"PYTHONPROFILEIMPORTTIME": "1"})
    flags = _run(["advise", "--site", "ileum", "--format", "json"], env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert shortcut.returncode == 0 and flags.returncode == 0, shortcut.stderr + flags.stderr
    assert not typer.search(shortcut.stderr) and typer.search(flags.stderr)


@pytest.mark.parametrize("argv", [
    ["advise"], ["advise", "--help"], ["advise", SEED, "-h"], ["advise", SEED, "--export", "x.html"],
    ["advise", "--site", "ileum"], ["advise", SEED, "--site", "ileum"], ["advise", SEED, SEED],
    ["advise", SEED, "--format", "yaml"], ["advise", SEED, "--width", "59"], ["advise", SEED, "--width", "1_00"],
    ["advise", SEED, "-fjson"], ["advise", SEED, "--compare=yes"], ["advise", SEED, "--format"],
    ["advise", SEED, "--as-of", "--compare"], ["advise", SEED, "--"], ["advise", SEED, "-b", "-d"],
    ["advise", ""], ["--debug", "advise", SEED], ["batch", SEED],
])
def test_the_shortcut_leaves_other_command_lines_to_typer(argv):
    assert _quick.parse(argv) is None


WORDS = [SEED, "-", "", "cases", "--format", "-f", "json", "table", "markdown", "yaml", "--format=json", "--as-of",
         "2024-01-01", "--as-of=2024-01-01", "--guideline", "-g", "asco-2023", "--width", "80", "59", "--width=120",
         "--compare", "--show-excluded", "-x", "--no-color", "--evidence", "-e", "--details", "-d", "--brief", "-b",
         "--site", "ileum", "--export", "--help", "--", "-xe", "--compare=1"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=8))
def test_what_the_shortcut_reads_typer_reads_the_same_way(words):
    """Whenever the shortcut takes a command line, typer's parser takes it too, with the same
    values for every parameter (and the defaults for those the shortcut never takes)."""
    params = _quick.parse(["advise", *words])
    if params is None:
        return
    command = get_command(app).commands["advise"]
    context = command.make_context("advise", list(words), resilient_parsing=False)
    typed = {name: getattr(value, "value", value) for name, value in context.params.items()}  # an Enum's value
    typed["case"] = Path(typed["case"])  # as typer hands it to the command
    assert {name: typed[name] for name in params} == params
    assert all(value in (None, False, ()) for name, value in typed.items() if name not in params)  # no fact, no --export
