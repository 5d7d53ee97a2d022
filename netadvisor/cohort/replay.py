"""Replay a patient's history: at each past decision, what did the guideline
offer, and was it followed?

For every line of the history, in order, the case is rebuilt as it stood when
that line started (the earlier lines only, their outcomes as known then),
judged by the guideline and labels in force on that date, and the choice that
was made is classified:

  concordant          the first candidate of its intent (or tied with it on every
                      ranking key but the listing order)
  concordant-not-top  a candidate, ranked lower
  deviation           not a candidate; coded trial, off-label, not-in-guideline,
                      toxicity-driven, patient-preference or excluded
  not-assessable      a fact needed to judge it is missing (named)

With `against` (audit --against all), each decision is also judged by every other
guideline body in force on its date that covers the primary site, the same way.
"""

from datetime import date
from typing import NamedTuple

from ..core import advise_case
from ..engine.advise import advise
from ..inputs.case import Case, Line
from ..knowledge.library import Library

CLASSES = ("concordant", "concordant-not-top", "deviation", "not-assessable")
DEVIATIONS = ("trial", "off-label", "not-in-guideline", "toxicity-driven", "patient-preference", "excluded")
LOCAL_CLASSES = ("surgery", "radiation")  # decisions outside a systemic-therapy guideline


class Decision(NamedTuple):
    index: int  # the history line
    therapy: str
    name: str
    start: str
    as_of: date | None
    site_group: str | None
    guideline: str
    classification: str
    code: str | None  # deviation code, or what made it not assessable
    detail: str  # in words
    rank: int | None = None  # among the candidates of the same intent
    category: str | None = None
    preference: str | None = None
    intent: str | None = None
    top: tuple = ()  # (therapy id, name) of the first candidates at the decision
    reasons: tuple = ()  # why the choice was excluded, when it was
    warnings: tuple = ()  # codes of the advice warnings (guideline-not-in-force, ...)
    bodies: tuple = ()  # with `against`: (id, version, classification) per body judging it, the chosen one first


def decision_date(lines: tuple, index: int) -> date | None:
    """When line `index` was started, as precisely as the record allows.

    A start known only to the month or year is placed at the start of that period,
    unless an earlier line ended within it: then just after that end, since the
    record shows the decision came after it.
    """
    start = lines[index].start
    if start is None:
        return None
    when = start.first_day()
    for line in lines[:index]:
        end = line.end
        if end and start.first_day() <= end.first_day() <= start.last_day():
            when = max(when, end.last_day() if not end.complete else end.first_day())
    return when


def as_it_stood(case: Case, index: int, when: date, catalogue) -> Case:
    """The case at the start of line `index`: the earlier lines only, as known then.

    An earlier line still running on that date becomes ongoing (its end and why it
    stopped were not known yet). The disease status is what the record implies:
    newly diagnosed before any antitumour line, progressing when the last one that
    had ended stopped for progression, otherwise not stated.
    """
    earlier = []
    for line in case.history[:index]:
        if line.end is not None and line.end.first_day() > when:
            line = line._replace(end=None, stopped="ongoing")
        earlier.append(line)
    antitumour = [line for line in earlier if catalogue.classes[catalogue.therapies[line.therapy].cls].antitumor]
    ended = [line for line in antitumour if line.stopped != "ongoing"]
    if not antitumour:
        status = "new-diagnosis"
    elif ended and ended[-1].stopped == "progression":
        status = "progressing"
    else:
        status = None
    data = {key: value for key, value in case.data.items() if key not in ("expect", "disease")}
    if status:
        data["disease"] = {"status": status}
    return case._replace(as_of=when, as_of_stated=True, data=data, history=tuple(earlier), expect=None, warnings=())


def _prior(history: tuple, index: int) -> Line | None:
    return history[index - 1] if index > 0 else None


def replay(case: Case, library: Library, guideline: str | None = None, against: tuple = ()) -> list:
    """One Decision per history line, oldest first; `against`: other body ids to judge each by too."""
    if not case.history:
        return []
    catalogue = library.catalogue
    out = []
    for index, line in enumerate(case.history):
        therapy = catalogue.therapies[line.therapy]
        common = dict(index=index, therapy=line.therapy, name=therapy.name, start=str(line.start or "not stated"))
        when = decision_date(case.history, index)
        if when is None:
            out.append(Decision(**common, as_of=None, site_group=None, guideline="", classification="not-assessable",
                                code="start-not-stated", detail=f"history[{index}].start is not stated: the decision cannot be dated"))
            continue
        then = as_it_stood(case, index, when, catalogue)
        advice = advise_case(then, library, guideline, words=False)  # a classification: no reasons worded
        decision = _classify(common, when, advice, line, case, index, catalogue)
        if against:
            bodies = [(advice.guideline.id, advice.guideline.version, decision.classification)]
            for g in _bodies_in_force(library, against, advice.guideline.id, when, case.site):
                other = _classify(common, when, advise(then, library.knowledge(g), words=False), line, case, index, catalogue)
                # Another body is encoded only as far as its sources go: a choice it does not list is
                # not a deviation from it (its position is not stated), so it is not assessable.
                cls = "not-assessable" if other.code == "not-in-guideline" else other.classification
                bodies.append((g.id, g.version, cls))
            decision = decision._replace(bodies=tuple(bodies))
        out.append(decision)
    return out


def _bodies_in_force(library: Library, ids: tuple, chosen: str, when: date, site: str) -> list:
    """For each body id but the chosen one: its version in force on `when`, if it covers the site."""
    out = []
    for gid in ids:
        if gid == chosen:
            continue
        versions = [g for g in library.guidelines_with_id(gid) if g.in_force(when) and g.covers(site)]
        if versions:
            out.append(max(versions, key=lambda g: g.effective))
    return out


def _classify(common: dict, when: date, advice, line: Line, case: Case, index: int, catalogue) -> Decision:
    g = advice.guideline
    base = dict(common, as_of=when, site_group=advice.summary["site_group"], guideline=f"{g.id} {g.version}",
                warnings=tuple(w.code for w in advice.warnings if w.code in ("guideline-not-in-force", "unknown-fact")))
    therapy = catalogue.therapies[line.therapy]
    chosen = next((c for c in advice.candidates if c.therapy == line.therapy), None)
    excluded = next((e for e in advice.excluded if e.therapy == line.therapy), None)
    # "then" only for a version that was in force on the decision date; a later one is named.
    then = f" by {g.id} {g.version}, a version not in force then" if "guideline-not-in-force" in base["warnings"] else " then"
    if advice.scope is not None:
        return Decision(**base, classification="not-assessable", code=f"out-of-scope-{advice.scope.code}",
                        detail=f"outside the guideline{then}: {advice.scope.text}")
    if chosen is not None:
        same_intent = [c for c in advice.candidates if c.intent == chosen.intent]
        rank = same_intent.index(chosen) + 1
        top = tuple((c.therapy, c.name) for c in same_intent[:3])
        tied = rank > 1 and chosen.tier == same_intent[0].tier  # only the listing order put another first
        cls = "concordant" if rank == 1 or tied else "concordant-not-top"
        detail = f"a candidate{then}: rank {rank} of {len(same_intent)} {chosen.intent} options, category {chosen.category or 'not stated'}"
        if tied:
            detail += f", tied with {same_intent[0].name} on every ranking key"
        if line.setting == "trial":
            detail += " (given in a trial)"
        return Decision(**base, classification=cls, code=None, detail=detail, rank=rank, category=chosen.category,
                        preference=chosen.preference, intent=chosen.intent, top=top)
    top = tuple((c.therapy, c.name) for c in advice.candidates if c.intent == "antitumor")[:3]
    reasons = tuple(r.text for r in excluded.reasons) if excluded else ()
    codes = [r.code for r in excluded.reasons] if excluded else []
    prior = _prior(case.history, index)
    if all(code == "unknown-fact" for code in codes) and codes:
        missing = sorted({u for r in excluded.reasons for u in r.unknown})
        return Decision(**base, classification="not-assessable", code="facts-not-stated",
                        detail=f"excluded only for want of facts not stated: {', '.join(missing)}", top=top, reasons=reasons)
    if therapy.cls in LOCAL_CLASSES and excluded is None:
        return Decision(**base, classification="not-assessable", code="local-therapy",
                        detail=f"{therapy.name} is local therapy, outside this guideline's options", top=top)
    code, why = _deviation(line, therapy, excluded, codes, prior, case, then)
    return Decision(**base, classification="deviation", code=code, detail=why, top=top, reasons=reasons)


def _deviation(line, therapy, excluded, codes, prior, case, then: str) -> tuple:
    """The most specific reason the record gives for a choice the guideline did not offer."""
    if line.setting == "trial" or therapy.id == "clinical-trial":
        return "trial", f"{therapy.name} given in a clinical trial"
    if line.setting == "off-label":
        return "off-label", "the record marks the use as off-label"
    if excluded is None or not excluded.recommendations:  # unknown to the site group, or named as not recommended
        return "not-in-guideline", f"{therapy.name} is not among the guideline's options for this site group"
    if any(code.startswith("label-") for code in codes):
        label = next(r.text for r in excluded.reasons if r.code.startswith("label-"))
        return "off-label", f"outside the label: {label}"
    if prior is not None and prior.stopped == "toxicity":
        return "toxicity-driven", f"chosen after {prior.therapy} was stopped for toxicity"
    avoided = set(case.data.get("preferences", {}).get("avoid", ()))
    if (prior is not None and prior.stopped == "patient-choice") or avoided:
        return "patient-preference", "chosen after a patient's choice" if prior and prior.stopped == "patient-choice" else f"the patient wishes to avoid {', '.join(sorted(avoided))}"
    return "excluded", f"the guideline excluded it{then}: " + "; ".join(r.text for r in excluded.reasons)
