"""The command line: one module per command over the core; heavy modules are
imported inside commands so start-up stays fast.

Typer builds the options of every registered command on every run, so the
console entry point registers only the command being run (every command for
help, shell completion and words it does not know). `from netadvisor.cli
import app` gets the app with every command.

`advise CASE` with output options, the main job, runs without typer (_quick).

The top layer: it may import every other one (tests/test_architecture.py).
"""

import sys
from importlib import import_module

from . import _complete

# command -> the module that registers it
COMMANDS = {
    "advise": "advise", "batch": "batch", "check": "check", "convert": "convert", "diff": "diff",
    "explain": "explain", "therapies": "explain", "recommendations": "explain", "lint": "lint",
    "new": "new", "schema": "schema", "replay": "replay", "audit": "replay", "expand": "expand",
}


def register(names=tuple(COMMANDS)):
    for module in dict.fromkeys(COMMANDS[name] for name in names):
        import_module(f"{__name__}.{module}")
    return import_module(f"{__name__}._app").app


def main():
    try:
        if sys.argv[1:2] == ["advise"] and not _complete.ACTIVE:
            from . import _quick

            _quick.main(sys.argv[1:])  # ends the process, unless typer is needed to read the command line
        words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
        only = words[:1] if words and words[0] in COMMANDS and not _complete.ACTIVE else tuple(COMMANDS)
        register(only)
        app = import_module(f"{__name__}._app")
    except KeyboardInterrupt:  # Ctrl-C while typer and the command load: no traceback, the usual exit code
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    app.main()


def __getattr__(name):
    if name == "app":
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
