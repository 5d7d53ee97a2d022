"""Options every command shares: shell completion, colour, width, and the Examples in each --help."""

import os
import re
import subprocess
import sys

import pytest

from netadvisor.cli import app

from conftest import ROOT, run_cli

COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9]")  # an SGR foreground colour (bold alone is allowed by NO_COLOR)
COMMANDS = [command.name or command.callback.__name__ for command in app.registered_commands]


def complete(words: str, shell: str = "bash") -> list:
    """What the shell would offer for the last word of `words` (as the installed script asks)."""
    env = {"_NETADVISOR_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
    result = run_cli(env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_prior_completes_therapy_ids(library):
    assert complete("netadvisor advise --prior everol") == ["everolimus"]
    assert set(complete("netadvisor advise --prior c")) == {t for t in library.catalogue.therapies if t.startswith("c")}
    assert "capecitabine" in complete("netadvisor advise --prior c")


def test_fact_flags_complete_their_words_and_commands_complete():
    assert complete("netadvisor advise --sstr p") == ["positive"]
    assert complete("netadvisor advise --site small") == ["small-intestine"]
    assert "schema" in complete("netadvisor sch")


def test_stop_reasons_complete_where_the_shell_keeps_colons():
    assert "lanreotide\\\\:progression" in " ".join(complete("netadvisor advise --prior lanreotide:pro", shell="zsh"))


def test_show_completion_prints_a_script():
    # Typer's switch for naming the shell instead of detecting it (tests run without one).
    result = run_cli("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert result.returncode == 0 and "_NETADVISOR_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_has_examples(command):
    result = run_cli(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "Examples:" in result.stdout and f"netadvisor {command}".strip() in result.stdout


def test_colour_is_off_with_no_color_flag_or_environment():
    forced = {"FORCE_COLOR": "1", "NO_COLOR": None}
    assert COLOUR.search(run_cli("advise", "cases/seed-patient-1.yaml", env=forced).stdout)  # the test can fail
    assert not COLOUR.search(run_cli("advise", "cases/seed-patient-1.yaml", "--no-color", env=forced).stdout)
    assert not COLOUR.search(run_cli("advise", "cases/seed-patient-1.yaml", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout)
    # typer's own rich output (usage errors) too
    assert COLOUR.search(run_cli("advise", "--format", "xml", env=forced).stderr)
    assert not COLOUR.search(run_cli("advise", "--format", "xml", "--no-color", env=forced).stderr)


def test_the_wizard_honours_no_color_too(tmp_path):
    forced = {"FORCE_COLOR": "1", "NO_COLOR": None}
    answers = "".join(a + "\n" for a in ["", "2025-06-01", "pancreass"])  # a mistake is shown in red, then input ends
    assert COLOUR.search(run_cli("new", tmp_path / "x.yaml", input=answers, env=forced).stdout)
    assert not COLOUR.search(run_cli("new", tmp_path / "x.yaml", "--no-color", input=answers, env=forced).stdout)


def test_width_sets_the_table_width():
    out = run_cli("advise", "cases/seed-patient-1.yaml", "--width", "90").stdout
    assert max(len(line) for line in out.splitlines()) == 90


def test_every_width_keeps_the_main_caution_and_the_details_lines():
    """The table has the same four columns at every width; toxicities and reasons sit in the lines below it."""
    for width in ("80", "120"):
        out = run_cli("advise", "cases/seed-patient-1.yaml", "--width", width).stdout
        assert "Main caution" in out and "hypertensive crisis (grade 4)" in out
        assert "hypertension 22%" in out and "category 1 after prior everolimus" in out


@pytest.mark.parametrize("width", [60, 70, 80, 100, 110, 130])
def test_the_cautions_column_survives_every_width(width):
    """Rich drops a column that does not fit; the patient's cautions must never be the one, nor a therapy's name."""
    out = run_cli("advise", "cases/seed-patient-1.yaml", "--width", str(width)).stdout
    table = out[out.index(" #  Candidate"):]
    assert "Main caution" in table and "⚠ hypertensive" in table
    for name in ("Cabozantinib", "Capecitabine-temozolomide", "Y-90 radioembolization", "Octreotide LAR"):
        assert name in table  # never folded or cut
    assert max(len(line) for line in out.splitlines()) <= width


def test_the_entry_point_builds_only_the_command_being_run():
    """Typer builds every registered command's options per run; an advise run should not pay for the others."""
    probe = (
        "import sys; import netadvisor.cli as cli, netadvisor.cli._app as a; sys.argv = ['netadvisor', *sys.argv[1:]]; "
        "a.main = lambda: print(' '.join(sorted(c.callback.__name__ for c in a.app.registered_commands))); cli.main()"
    )

    def registered(*args, **env):
        return subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                              env={**os.environ, **env}).stdout.split()

    assert registered("--debug", "advise", "case.yaml", "--format", "json") == ["advise"]
    assert registered("schema", "case") == ["schema"]
    assert registered("--help") == sorted(COMMANDS)
    assert registered("advice") == sorted(COMMANDS)  # so typer can say: did you mean 'advise'?
    assert registered("advise", _NETADVISOR_COMPLETE="complete_bash") == sorted(COMMANDS)


@pytest.mark.parametrize("args", [["batch", "cases"], ["advise", "cases/seed-patient-1.yaml"]])
def test_ctrl_c_while_the_command_loads_exits_130_without_a_traceback(args):
    """A SIGINT while typer and the command's modules load (the first ~0.1 s of a run) printed
    a KeyboardInterrupt traceback and exited -2."""
    probe = ("import sys, netadvisor.cli as cli; sys.argv = ['netadvisor', *sys.argv[1:]]\n"
             "def interrupted(*args): raise KeyboardInterrupt\n"
             "cli.register = interrupted\n"
             "import netadvisor.cli._quick as q; q.parse = interrupted\n"
             "cli.main()")
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stderr) == (130, "interrupted\n")


def test_each_command_offers_exactly_the_formats_it_writes():
    """--format markdown was accepted and ignored by five commands: now it is refused, naming the choices."""
    from netadvisor.cli._app import FORMATS

    for args in (["explain", "cabozantinib"], ["therapies"], ["recommendations"], ["replay", "cases/seed-patient-2.yaml"],
                 ["diff", "--from", "nccn-net", "--to", "asco-2023", "cases/seed-patient-1.yaml"]):
        assert "markdown" not in FORMATS[args[0]]
        result = run_cli(*args, "--format", "markdown")
        assert result.returncode == 2 and "markdown" in result.stderr, args
    table = run_cli("advise", "cases/seed-patient-1.yaml").stdout
    markdown = run_cli("advise", "cases/seed-patient-1.yaml", "--format", "markdown").stdout
    assert markdown.startswith("## netadvisor") and markdown != table
    help_text = run_cli("explain", "--help").stdout
    assert "table" in help_text and "json" in help_text and "markdown" not in help_text


@pytest.mark.parametrize("args, ids", [
    (["therapies"], ["octreotide-lar-high-dose", "lanreotide-high-dose", "capecitabine-temozolomide"]),
    (["recommendations", "--site", "pancreas"], ["pnet-cabozantinib", "pnet-capecitabine-temozolomide"]),
    (["replay", "cases/seed-patient-1.yaml"], ["Capecitabine-temozolomide", "Octreotide LAR"]),
    (["audit", "cases/seed-patient-1.yaml"], ["pancreas"]),
])
def test_identifier_columns_are_never_cut_at_80_columns(args, ids):
    out = run_cli(*args, "--width", "80").stdout
    for identifier in ids:
        assert identifier in out, identifier
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_explain_and_diff_keep_a_hanging_indent_when_a_line_wraps():
    lines = run_cli("explain", "cabozantinib", "--width", "80").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  pancreatic NET — pnet-cabozantinib"))
    assert lines[at + 1].startswith("    ") and lines[at + 1].strip()  # the continuation hangs under the text
    out = run_cli("diff", "--from", "2024-06-01", "--to", "2025-04-01", "cases/seed-patient-1.yaml", "--width", "60").stdout.splitlines()
    changes = [line for line in out if line.startswith("  ")]
    assert changes and all(line.startswith("  ") for line in changes)
    assert any(line.startswith("    ") for line in changes)  # at least one change wrapped, under its own text
