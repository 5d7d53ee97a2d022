"""A case's `expect:` block checked against its advice (used by tests and `check`)."""

from typing import NamedTuple

from ..engine.advice import Advice


class Outcome(NamedTuple):
    kind: str  # include | exclude | top | category
    therapy: str
    expected: str
    found: str
    ok: bool


def check_expectations(expect: dict | None, advice: Advice) -> list:
    """One Outcome per expectation, each saying what was found instead."""
    if not expect:
        return []
    candidates = {c.therapy: c for c in advice.candidates}
    excluded = {e.therapy: e for e in advice.excluded}

    def found(therapy: str) -> str:
        if therapy in candidates:
            c = candidates[therapy]
            return f"candidate, rank {c.rank}, category {c.category or 'not stated'}"
        if therapy in excluded:
            return "excluded: " + "; ".join(r.text for r in excluded[therapy].reasons)
        return "not among the therapies the guideline knows for this site group"

    out = []
    for therapy in expect.get("include", []):
        out.append(Outcome("include", therapy, "a candidate", found(therapy), therapy in candidates))
    for therapy in expect.get("exclude", []):
        out.append(Outcome("exclude", therapy, "not a candidate", found(therapy), therapy not in candidates))
    if "top" in expect:
        therapy = expect["top"]
        top = advice.candidates[0].therapy if advice.candidates else None
        shown = f"top is {top}" if top else "no candidates"
        out.append(Outcome("top", therapy, "ranked first", shown, top == therapy))
    for therapy, category in expect.get("category", {}).items():
        want = f"category {category or 'not stated'}"
        c = candidates.get(therapy)
        ok = c is not None and c.category == category
        out.append(Outcome("category", therapy, want, found(therapy), ok))
    return out
