"""The case model: one validated case (`netadvisor-case/1`) as the frozen values the engine reads.

A Case holds the normalized data and its treatment history as Lines; a Range is
a Ki-67 value (5, '4-6' or '<1'). case_format.py builds them from parsed data.
"""

import re
from datetime import date
from typing import NamedTuple

from ..base.dates import PartialDate
from ..base.fields import is_number


# Ki-67 written as text: a range '4-6' (or '4–6', '4 - 6 %'), or a bound '<1', '≤ 2', '>=20%'.
# The one definition: Range.parse reads it and the case schema's pattern is KI67_TEXT.
_N, _S = r"[0-9]+(?:\.[0-9]+)?", r"[ \t]*"
KI67_TEXT = (rf"{_S}(?:(?P<low>{_N}){_S}%?{_S}[-–]{_S}(?P<high>{_N})|(?P<lt><=|<|≤){_S}(?P<below>{_N})"
             rf"|(?P<gt>>=|>|≥){_S}(?P<above>{_N})){_S}%?{_S}")
_NUMBER_TEXT = rf"{_S}{_N}{_S}%?{_S}"  # '5': a number written as text (both compiled when first used)


class Range(NamedTuple):
    """A closed interval of percentages; Ki-67 may be given as 5, '4-6' or '<1'."""

    low: float
    high: float
    text: str = ""

    @classmethod
    def parse(cls, value) -> "Range":
        if is_number(value):
            if not 0 <= value <= 100:
                raise ValueError(f"{value} is out of range: Ki-67 is a percentage from 0 to 100")
            return cls(value, value)
        if not isinstance(value, str):
            raise ValueError(f"expected a percentage or a range like '4-6', got {value!r}")
        m = re.fullmatch(KI67_TEXT, value)
        if m is None:
            if re.fullmatch(_NUMBER_TEXT, value):
                raise ValueError(f"'{value}' is a number written as text: write ki67: {value.strip(' %')} (no quotes)")
            raise ValueError(f"'{value}' is not a Ki-67 value: expected a percentage (5) or a range ('4-6', '<1')")
        if m["low"] is not None:
            low, high = float(m["low"]), float(m["high"])
        elif m["below"] is not None:
            low, high = 0.0, float(m["below"])
            if m["lt"] == "<" and high == 0:
                raise ValueError(f"'{value}' is not a Ki-67 value: no percentage is below 0")
        else:
            low, high = float(m["above"]), 100.0
            if m["gt"] == ">" and low == 100:
                raise ValueError(f"'{value}' is not a Ki-67 value: no percentage is above 100")
        if not (0 <= low <= high <= 100):
            raise ValueError(f"'{value}' is not a range within 0-100 (low first)")
        return cls(_tidy(low), _tidy(high), value.strip())

    def to_list(self) -> list:
        return [self.low, self.high]

    def __str__(self) -> str:
        if self.text.startswith(("<", "≤", ">", "≥")):
            return self.text.replace(" ", "") + ("" if self.text.endswith("%") else "%")
        if self.low == self.high:
            return f"{self.low:g}%"
        return f"{self.low:g}–{self.high:g}%"


def _tidy(x: float):
    return int(x) if float(x).is_integer() else x


class Toxicity(NamedTuple):
    event: str
    grade: int | None
    note: str | None = None

    def describe(self) -> str:
        grade = f"grade {self.grade}" if self.grade else "grade not stated"
        event = self.note if self.event == "other" and self.note else self.event.replace("-", " ")
        return f"{event} ({grade})"


class Line(NamedTuple):
    """One line of treatment history."""

    index: int
    therapy: str  # catalogue id
    written: str  # as written in the case
    start: PartialDate | None = None
    end: PartialDate | None = None
    setting: str | None = None
    stopped: str | None = None
    best_response: str | None = None
    toxicity: tuple = ()
    cycles: int | None = None
    dose: str | None = None
    note: str | None = None

    @property
    def path(self) -> str:
        return f"history[{self.index}]"

    def when(self) -> str:
        """'2018-06 to 2019-07', '2021-12 onwards', or 'dates not stated'."""
        if self.start and self.end:
            return f"{self.start} to {self.end}"
        if self.start:
            return f"{self.start} onwards" if self.stopped in (None, "ongoing") else f"from {self.start}"
        if self.end:
            return f"until {self.end}"
        return "dates not stated"

    def stop_date(self) -> str:
        """How a stop is dated in reasons: '2024-08', 'started 2013', or 'date not stated'."""
        if self.end:
            return str(self.end)
        return f"started {self.start}" if self.start else "date not stated"


class Case(NamedTuple):
    id: str
    as_of: date
    as_of_stated: bool
    source: str
    data: dict  # the validated, normalized case (canonical words and therapy ids)
    history: tuple | None  # of Line; None when the case does not state a history
    expect: dict | None = None
    warnings: tuple = ()  # (code, text) pairs about how the case was read (FHIR fields not used, ...)

    @property
    def tumor(self) -> dict:
        return self.data.get("tumor", {})

    @property
    def site(self) -> str:
        return self.tumor["primary_site"]
