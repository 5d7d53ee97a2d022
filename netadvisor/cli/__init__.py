"""The command line: one module per command over the core; heavy modules are
imported inside commands so start-up stays fast."""

from . import advise  # noqa: F401  (registers the command)
from . import convert  # noqa: F401  (registers the command)
from ._app import app, main

__all__ = ["app", "main"]
