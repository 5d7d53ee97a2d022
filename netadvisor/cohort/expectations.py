"""A case's `expect:` block checked against its advice (used by tests and `check`)."""

from typing import NamedTuple

from ..engine.advice import Advice


class Outcome(NamedTuple):
    kind: str  # include | exclude | top | category | bodies
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
    for body, wanted in expect.get("bodies", {}).items():
        out += [_body_outcome(advice, body, therapy, want) for therapy, want in wanted.items()]
    return out


def needs_comparison(expect: dict | None) -> bool:
    """Whether checking these expectations needs every body beside the chosen one (--compare)."""
    return bool(expect and expect.get("bodies"))


def position_words(p) -> str:
    """A body's position as `expect.bodies` writes it: its level, 'not stated', 'excluded' or 'not listed'."""
    if p.status == "candidate":
        return p.level if p.listed and p.level else "not stated"
    return "not listed" if p.status == "not-listed" else "excluded"


def _body_outcome(advice: Advice, body: str, therapy: str, want: str) -> Outcome:
    """`expect.bodies`: what one body says about one option for this case."""
    comparison = advice.comparison
    expected = f"{body}: {want}"
    if comparison is None:
        return Outcome("bodies", therapy, expected, "no comparison (run with --compare)", False)
    column = next((n for n, b in enumerate(comparison.bodies) if b.id == body), None)
    if column is None:
        compared = ", ".join(b.id for b in comparison.bodies)
        return Outcome("bodies", therapy, expected, f"{body} is not among the bodies compared for this case ({compared})", False)
    option = next((o for o in comparison.options if o.therapy == therapy), None)
    found = position_words(option.positions[column]) if option else "not listed"
    return Outcome("bodies", therapy, expected, f"{body}: {found}", found == want.strip())
