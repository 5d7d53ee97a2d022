"""Trial participation: ResearchSubject (FHIR R4 core; mCODE defines no profile of its own) and
the R4 core extension workflow-researchStudy on a treatment, as `setting: trial` on the lines.

A line is the trial's when its resource carries the extension, or when it certainly started
within a ResearchSubject's period: on or after the period's start, and before the period's end
at the precision both are given (a line started "2021-12" is not certainly before an end of
"2021-12"). A trial with no line inside its period becomes a line of its own (the catalogue's
clinical trial), so the participation is never lost.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from ...base.dates import PartialDate
from .codes import RESEARCH_STUDY_EXTENSION
from .reading import Entry, MapperBase, _dig, _extensions

# R4 ResearchSubject.status values that mean the patient was enrolled (took part).
TOOK_PART = {"on-study", "on-study-intervention", "on-study-observation", "follow-up", "off-study"}
STILL_ON = {"on-study", "on-study-intervention", "on-study-observation"}


class Trial(NamedTuple):
    entry: Entry
    status: str
    start: str
    end: str | None
    study: str  # "NCT03972488 (NETTER-2)", or what the bundle says of it


class TrialMapper(MapperBase):
    def research_subject(self, entry: Entry):
        res = entry.resource
        individual = self.reference(entry, res.get("individual"), "individual")
        if individual and self.patient_refs and individual not in self.patient_refs and (
                individual.startswith("Patient/") or individual in self.by_ref):
            self.error(entry, "individual.reference", f"refers to {individual}, not to the bundle's patient; a case is one patient")
            return
        status = self.get(entry, res, "status", str)
        if status not in TOOK_PART:
            self.warn(entry, "status", f"status {status or '(none)'}: the patient did not take part in the trial (yet); left out")
            return
        span = self.get(entry, res, "period", dict) or {}
        start, end = (self.when(entry, span.get(k), f"period.{k}") for k in ("start", "end"))
        study = self.study_name(entry, res.get("study"), "study")
        if not start:
            self.warn(entry, "period", f"{study}: no period start, so which treatment was given in the trial cannot be told; left out")
            return
        self.trials.append(Trial(entry, status, start, end, study))

    def study_name(self, entry: Entry, value, where: str) -> str:
        """A study as the line's note names it: its identifiers and title, from the ResearchStudy
        referred to, the reference's logical identifier, or its display."""
        if not isinstance(value, dict):
            if value is not None:
                self.reference(entry, value, where)  # reports the wrong type
            return "a clinical trial"
        ref = self.get(entry, value, "reference", str, f"{where}.reference")
        study = self.by_ref.get(ref) if ref else None
        names = []
        if study is not None and study.type == "ResearchStudy":
            self.used_studies.add(study.label)
            names += [i.get("value") for i in study.resource.get("identifier", []) if isinstance(i, dict)] \
                if isinstance(study.resource.get("identifier"), list) else []
            title = study.resource.get("title")
            return " ".join(n for n in names if isinstance(n, str)) + (f" ({title})" if isinstance(title, str) else "") or study.label
        identifier = _dig(value, "identifier", "value")
        display = value.get("display")
        text = " ".join(t for t in (identifier, f"({display})" if isinstance(display, str) and identifier else display) if isinstance(t, str))
        return text or (ref or "a clinical trial")

    def study_extension(self, entry: Entry) -> str | None:
        """The study a treatment resource says it was given in (workflow-researchStudy)."""
        found = _extensions(entry.resource, RESEARCH_STUDY_EXTENSION)
        return next((self.study_name(entry, x.get("valueReference"), f"extension[{i}].valueReference") for i, x in found), None)

    def apply_trials(self):
        """Mark the lines given in each trial; a trial with none becomes a line of its own."""
        for trial in self.trials:
            begins = PartialDate.parse(trial.start).first_day()
            ends = PartialDate.parse(trial.end).first_day() if trial.end else date.max
            inside = [n for n, (_, line) in enumerate(self.lines)
                      if "start" in line and begins <= PartialDate.parse(line["start"]).first_day()
                      and PartialDate.parse(line["start"]).last_day() < ends]
            note = f"Given in a clinical trial: {trial.study} ({trial.entry.label}, {trial.status})."
            span = f"{trial.start} to {trial.end or 'now'}"
            if inside:
                for n in inside:
                    _mark(self.lines[n][1], note)
                names = ", ".join(self.lines[n][1]["therapy"] for n in inside)
                self.warn(trial.entry, "period", f"{trial.study}: the treatment started within its period ({span}) is recorded "
                          f"as given in the trial: {names}")
                continue
            try:
                therapy = self.resolve_therapy("clinical-trial")
            except ValueError:
                self.warn(trial.entry, "", f"{trial.study}: no treatment in the bundle started within its period ({span}), and the "
                          "catalogue has no clinical-trial therapy to record it as; left out")
                continue
            line = {"therapy": therapy, "start": trial.start, **({"end": trial.end} if trial.end else {}), "setting": "trial"}
            if trial.status in STILL_ON and not trial.end:
                line["stopped"] = "ongoing"
            line["note"] = note
            self.warn(trial.entry, "", f"{trial.study}: no treatment in the bundle started within its period ({span}); "
                      "recorded as a clinical-trial line")
            self.lines.append((trial.entry, line))


def _mark(line: dict, note: str):
    """setting: trial after the dates, as a hand-written case puts it; the note added to."""
    note = f"{line['note']} {note}" if line.get("note") else note
    items = [(k, v) for k, v in line.items() if k not in ("setting", "note")]
    at = next((n for n, (k, _) in enumerate(items) if k not in ("therapy", "start", "end")), len(items))
    items[at:at] = [("setting", "trial")]
    line.clear()
    line.update(items, note=note)
