"""A progress counter on standard error, for the commands that run a cohort (batch, check,
audit, diff): shown only when standard error is a terminal, so pipes and files get none."""

from __future__ import annotations

import sys


class Progress:
    """A spinner with a count on stderr (the number of inputs is not known in advance)."""

    def __init__(self, what: str = "cases"):
        from rich.console import Console
        from rich.progress import Progress as Bar, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Bar(SpinnerColumn(), TextColumn(f"{{task.completed}} {what}"), TimeElapsedColumn(),
                       console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task(what, total=None)
        self.bar.start()

    def advance(self):
        self.bar.advance(self.task)

    def stop(self):
        self.bar.stop()


def wanted(quiet: bool = False) -> bool:
    """Progress is for a person at a terminal: off with --quiet, or when stderr is a pipe or a file."""
    return not quiet and sys.stderr.isatty()


def ticking(items, show: bool, what: str = "cases"):
    """The items, counted on stderr as they arrive when `show`."""
    if not show:
        yield from items
        return
    progress = Progress(what)
    try:
        for item in items:
            progress.advance()
            yield item
    finally:
        progress.stop()
