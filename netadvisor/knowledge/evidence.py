"""Trial evidence and survival tables (guidelines/evidence.yaml) as frozen values;
figures keep the form their source prints them in.
"""

from typing import NamedTuple


class Figure(float):
    """A number as its source prints it: HR 0.40 keeps its trailing zero on screen.

    It is a float everywhere else (comparisons, JSON output). Write a figure as a
    string in the data ("0.40") where the printed form has trailing zeros.
    """

    def __new__(cls, value, text: str):
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self):  # picklable, for batch worker processes
        return (Figure, (float(self), self.text))

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return self.text if spec in ("", "g") else float.__format__(self, spec)


class Endpoint(NamedTuple):
    name: str  # PFS, OS, TTP, ORR, ...
    role: str  # primary | secondary | other
    unit: str  # months | percent
    treatment: float | None = None
    treatment_text: str | None = None  # "not reached" where the source gives no number
    treatment_ci95: tuple | None = None
    control: float | None = None
    control_text: str | None = None
    control_ci95: tuple | None = None
    hr: float | None = None
    hr_ci95: tuple | None = None
    p: str | None = None
    note: str | None = None


# The line of treatment an analysis's population was at, as its population says.
SETTINGS = ("first-line", "after-ssa", "previously-treated")


class Trial(NamedTuple):
    """One analysis of one trial: a cohort, a data cut or one source's figures."""

    id: str
    trial: str
    analysis: str
    population: str
    therapies: tuple
    sites: frozenset  # primary sites the analysis population covers
    endpoints: tuple
    sources: tuple
    comparator: str | None = None
    design: str | None = None
    n: int | None = None
    arms: tuple = ()  # dicts: label, role, n
    subgroups: tuple = ()  # dicts: factor, level, events/n per arm, hr, hr_ci95
    responses: tuple = ()  # dicts: response, n and percent per arm
    notes: str | None = None
    setting: str | None = None  # the line its population was at (SETTINGS); None: any

    def primary(self) -> "Endpoint | None":
        return next((e for e in self.endpoints if e.role == "primary"), None)


class SurvivalTable(NamedTuple):
    id: str
    title: str
    measure: str
    sites: frozenset
    rows: tuple  # (stage, grade or None, percent)
    sources: tuple
    notes: str | None = None

    def lookup(self, stage: str | None, grade: int | None) -> tuple | None:
        for row in self.rows:
            if row[0] == stage and row[1] == grade:
                return row
        return None


class Evidence(NamedTuple):
    trials: tuple = ()
    survival: tuple = ()

    def for_therapy(self, therapy: str, site: str | None = None) -> list:
        """Analyses of a therapy, those covering `site` (if given) first in file order."""
        return [t for t in self.trials if therapy in t.therapies and (site is None or site in t.sites)]
