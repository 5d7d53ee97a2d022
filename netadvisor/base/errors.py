"""Input problems and the exit codes every command shares.

Bad input is a value (a list of Problems), never a traceback. Commands turn the
outcome into one of these exit codes in one place (the CLI).
"""

from typing import NamedTuple

EXIT_OK = 0  # success; for `check`: every expectation held
EXIT_FINDINGS = 1  # a check failed, or a batch had an unreadable case
EXIT_INPUT = 2  # bad arguments, unreadable case, invalid guideline data
EXIT_INTERNAL = 3  # a bug: short message and a bug-report hint


class _Problem(NamedTuple):
    file: str
    path: str  # field path such as history[3].stopped; "" for the whole file
    message: str
    line: int | None = None


class Problem(_Problem):
    """One thing wrong with one input: where it is and what was expected.

    The file is kept as valid text (a name that is not UTF-8 shows its bytes as
    \\xNN), so every output can hold it.
    """

    __slots__ = ()

    def __new__(cls, file: str, path: str, message: str, line: int | None = None):
        from .escape import file_name  # on the error path only: start-up does not pay for it

        return super().__new__(cls, file_name(file), path, message, line)

    def __str__(self) -> str:
        """One line for the terminal, even when the message or the name holds line breaks or escape sequences."""
        from .escape import terminal

        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        line = f" (line {self.line})" if self.line else ""
        return terminal(f"{where}{self.message}{line}")

    def to_dict(self) -> dict:
        return {"file": self.file, "path": self.path, "message": self.message, "line": self.line}


class InputError(Exception):
    """A case file (or flags standing in for one) that cannot be read."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class GuidelineError(InputError):
    """Guideline or therapy data that fails validation: also exit 2."""


class UsageError(InputError):
    """A bad command-line argument (unknown guideline id, bad date, ...)."""

    def __init__(self, message: str):
        super().__init__([Problem("netadvisor", "", message)])

    def __str__(self) -> str:
        return self.problems[0].message


def did_you_mean(word: str, choices, n: int = 1) -> str:
    """' (did you mean 'x'?)' when a close choice exists, else ''."""
    import difflib  # only needed on the error path

    close = difflib.get_close_matches(str(word).lower(), [str(c) for c in choices], n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"
