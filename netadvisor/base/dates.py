"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as clinicians write them."""

import calendar
import re
from datetime import date
from typing import NamedTuple

_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


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
        text = str(value).strip()
        match = _DATE.fullmatch(text)
        if not match:
            raise ValueError(f"'{text}' is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
        if not 1900 <= year <= 2100:
            raise ValueError(f"'{text}': year {year} is out of range 1900-2100")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' is not a date: month {month} is not 1-12")
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"'{text}' is not a date: {year}-{month:02d} has no day {day}")
        return cls(year, month, day)

    @property
    def complete(self) -> bool:
        return self.day is not None

    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_full_date(value) -> date:
    """A complete calendar date (as_of, --as-of)."""
    parsed = PartialDate.parse(value)
    if not parsed.complete:
        raise ValueError(f"'{value}' is not a full date: expected YYYY-MM-DD")
    return parsed.first_day()
