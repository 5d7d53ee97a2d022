"""The command line: one module per command over the core; heavy modules are
imported inside commands so start-up stays fast.

Typer builds the options of every registered command on every run, so the
console entry point registers only the command being run (every command for
help, shell completion and words it does not know). `from netadvisor.cli
import app` gets the app with every command.
"""

import sys
from importlib import import_module

from . import _app, _complete

COMMANDS = ("advise", "new", "schema")


def register(names=COMMANDS):
    for name in names:
        import_module(f"{__name__}.{name}")
    return _app.app


def main():
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    only = words[:1] if words and words[0] in COMMANDS and not _complete.ACTIVE else COMMANDS
    register(only)
    _app.main()


def __getattr__(name):
    if name == "app":
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
