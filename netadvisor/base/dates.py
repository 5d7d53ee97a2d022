"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as clinicians write them, and full dates.

The forms are defined once, here: PARTIAL and FULL are the regular expressions
of the JSON Schema (PARTIAL_SCHEMA, FULL_SCHEMA), and the parsers accept exactly
what they match (a test holds them to it; the parsers check the parts one by
one to say what is wrong, and compile no pattern of their own at start-up).
That a day exists in its month (no 2025-02-30) is the parser's alone, and for
full dates also the schema's `format: date`.
"""

import re
from datetime import date
from typing import NamedTuple

from .memo import remember

_YEAR = r"(19[0-9]{2}|20[0-9]{2}|2100)"
_MONTH, _DAY = r"(0?[1-9]|1[0-2])", r"(0?[1-9]|[12][0-9]|3[01])"
PARTIAL = rf"{_YEAR}(?:-{_MONTH}(?:-{_DAY})?)?"  # 2018, 2018-06, 2018-6-1
FULL = r"(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"  # 2018-06-01, as ISO 8601 writes it
_SPACE = r"[ \t]*"  # around the date in quoted text

PARTIAL_SCHEMA = {
    "anyOf": [{"type": "string", "pattern": f"^{_SPACE}{PARTIAL}{_SPACE}$"}, {"type": "integer", "minimum": 1900, "maximum": 2100}]
}
FULL_SCHEMA = {"type": "string", "format": "date", "pattern": f"^{FULL}$"}

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")  # the parts, to say what is wrong


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without the weekday it works out too (engines ask it
    per line), and without importing calendar, which imports locale (~6M instructions of start-up)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


class PartialDate(NamedTuple):
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value) -> "PartialDate":
        """From 2018, '2018', '2018-06' or '2018-06-01'; ValueError says what is wrong."""
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError(f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got {value!r}")
        text = str(value).strip(" \t")
        match = _DATE.fullmatch(text)
        if not match:
            raise ValueError(f"'{text}' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        if not 1900 <= year <= 2100:
            raise ValueError(f"'{text}': year {year} is out of range 1900-2100")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' is not a date: month {month} is not 1-12")
        if day is not None and not 1 <= day <= _days_in(year, month):
            raise ValueError(f"'{text}' is not a date: {year}-{month:02d} has no day {day}")
        return cls(year, month, day)  # exactly what PARTIAL matches, and a real day (tests/test_schema_agreement.py)

    @property
    def complete(self) -> bool:
        return self.day is not None

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        month = self.month or 12
        return date(self.year, month, self.day or _days_in(self.year, month))

    def __str__(self) -> str:
        text = _WRITTEN.get(self)  # a cohort's dates repeat, and each is written many times (history words, output)
        if text is None:
            text = remember(_WRITTEN, self, _written(self))
        return text


_WRITTEN: dict = {}  # PartialDate -> its text


def _written(when: PartialDate) -> str:
    if when.month is None:
        return f"{when.year:04d}"
    if when.day is None:
        return f"{when.year:04d}-{when.month:02d}"
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"


def parse_full_date(value) -> date:
    """A complete calendar date written as ISO 8601 does, YYYY-MM-DD (as_of, --as-of)."""
    parsed = PartialDate.parse(value)
    if not parsed.complete:
        raise ValueError(f"'{value}' is not a full date: expected YYYY-MM-DD")
    text = str(value)
    if len(text) != 10 or text[4] != "-" or text[7] != "-":  # a one-digit month or day, or blanks: not FULL
        raise ValueError(f"'{value}' is not a full date: expected YYYY-MM-DD, two digits for month and day ({parsed})")
    return parsed.first_day()
