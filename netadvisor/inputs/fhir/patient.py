"""The Patient resource (sex, birth date) and the age on the decision date, from the
birth date or from an Observation of the age.
"""

from __future__ import annotations

from datetime import date, timedelta

from ...base import vocab
from ...base.dates import PartialDate
from .reading import Entry, MapperBase, _Observed


class PatientMapper(MapperBase):
    """The Patient resource, and the age computed from whichever resource states it."""

    def patient_resource(self, entry: Entry):
        res = entry.resource
        gender = self.get(entry, res, "gender", str)
        if gender in vocab.SEX:
            self.patient["sex"] = gender
        elif gender and gender != "unknown":
            self.warn(entry, "gender", f"'{gender}' is not female, male or other; sex left unknown")
        born = self.when(entry, res.get("birthDate"), "birthDate")
        if born:
            self.observed.setdefault("age", []).append(_Observed(None, ("born", PartialDate.parse(born)), entry, "birthDate"))

    def age(self, on: date) -> int | None:
        found = self.observed.get("age")
        if not found:
            return None
        born = [o for o in found if o.value[0] == "born"]
        chosen = born[0] if born else max(found, key=lambda o: o.value[2].first_day())
        for other in found:
            if other is not chosen:
                self.warn(other.entry, other.field, f"not used: the age comes from {chosen.entry.label} ({chosen.field})")
        if chosen.value[0] == "born":
            oldest, youngest = chosen.value[1].first_day(), chosen.value[1].last_day()
        else:  # aged `years` on a date: born at most `years` and more than `years + 1` years before
            _, years, recorded = chosen.value
            youngest = _years_before(recorded.first_day(), years)
            oldest = _years_before(recorded.last_day(), years + 1) + timedelta(days=1)
        low, high = _age(youngest, on), _age(oldest, on)
        if low != high:
            self.warn(chosen.entry, chosen.field, f"gives an age of {low} or {high} on {on}; age left unknown")
            return None
        if not 0 <= low <= 120:
            self.error(chosen.entry, chosen.field, f"gives an age of {low} on {on}, outside 0-120")
            return None
        return low


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
