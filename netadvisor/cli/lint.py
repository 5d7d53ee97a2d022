"""`netadvisor lint [GUIDELINES_DIR]`: check guideline data beyond its schema."""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..base.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ._app import app, formats, guarded

LintFormat = formats("lint")


@app.command(
    epilog=(
        "Examples:\n\n"
        "  netadvisor lint\n\n"
        "  netadvisor lint ./my-guidelines --format github"
    )
)
def lint(
    folder: Annotated[Optional[Path], typer.Argument(metavar="[GUIDELINES_DIR]", help="A guideline data folder (default: the shipped data).")] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="text, json or github (workflow annotations).")] = LintFormat.text,
):
    """Validate guideline data: schema, sources for every rule and figure, site groups, version dates.

    Exit 0 if no errors (warnings are listed), 1 if any error, 2 if the folder cannot be read.
    """
    with guarded():
        from ..base.escape import terminal, workflow_message, workflow_property
        from ..knowledge.library import shipped_dir
        from ..knowledge.lint import lint as run

        target = folder or shipped_dir()
        if not target.is_dir():
            raise UsageError(f"{target}: not a folder of guideline data")
        findings = run(target)
        errors = [f for f in findings if f.severity == "error"]
        if format is LintFormat.json:
            sys.stdout.write(json.dumps({"format": "netadvisor-lint/1", "folder": str(target),
                                         "findings": [f._asdict() for f in findings]}, indent=2) + "\n")
        elif format is LintFormat.github:
            for f in findings:
                kind = "error" if f.severity == "error" else "warning"
                sys.stdout.write(f"::{kind} file={workflow_property(f.file)},title=netadvisor lint {workflow_property(f.code)}::"
                                 f"{workflow_message(f'{f.path}: {f.message}')}\n")
        else:
            for f in findings:
                typer.echo(f"{f.severity}: {f}")
            typer.echo(f"{terminal(str(target))}: {len(errors)} errors, {len(findings) - len(errors)} warnings")
        raise typer.Exit(EXIT_FINDINGS if errors else EXIT_OK)
