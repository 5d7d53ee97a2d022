"""The command line: one module per command over the core; heavy modules are
imported inside commands so start-up stays fast."""

from . import advise, new, schema  # noqa: F401  (register the commands)
from ._app import app, main

__all__ = ["app", "main"]
