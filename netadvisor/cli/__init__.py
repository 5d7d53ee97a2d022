"""The command line: one module per command over the core; heavy modules are
imported inside commands so start-up stays fast."""

from . import advise, batch, check, convert, diff, explain, lint  # noqa: F401  (registers the commands)
from ._app import app, main

__all__ = ["app", "main"]
