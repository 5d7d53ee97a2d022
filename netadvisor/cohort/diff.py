"""What changes for a case between two runs: two guideline bodies or versions,
or two decision dates. The comparison works on advice objects (JSON dicts)."""

import re
from datetime import date
from typing import NamedTuple

from ..base.dates import parse_full_date
from ..base.errors import UsageError


class Side(NamedTuple):
    """One side of a diff: a guideline (id, id@version or path) and/or a decision date."""

    label: str
    guideline: str | None = None
    as_of: date | None = None

    @classmethod
    def parse(cls, text: str, option: str) -> "Side":
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text.strip()):
            try:
                return cls(text, as_of=parse_full_date(text))
            except ValueError as exc:
                raise UsageError(f"{option}: {exc}") from None
        return cls(text, guideline=text)


def compare(before: dict, after: dict) -> dict:
    """The differences between two advice objects for the same case."""
    old = {c["therapy"]: c for c in before["candidates"]}
    new = {c["therapy"]: c for c in after["candidates"]}
    changes = []
    if (before["guideline"]["id"], before["guideline"]["version"]) != (after["guideline"]["id"], after["guideline"]["version"]):
        changes.append({"kind": "guideline", "from": _gl(before), "to": _gl(after)})
    for therapy in old.keys() - new.keys():
        excluded = next((e for e in after["excluded"] if e["therapy"] == therapy), None)
        if excluded:
            why = "; ".join(r["text"] for r in excluded["reasons"])
        elif after["scope"]["status"] != "in-scope":
            why = f"out of scope: {after['scope']['text']}"
        else:
            why = "not among this guideline's options for the site group"
        changes.append({"kind": "removed", "therapy": therapy, "from": f"rank {old[therapy]['rank']}", "to": why})
    for therapy in new.keys() - old.keys():
        changes.append({"kind": "added", "therapy": therapy, "from": "not a candidate", "to": f"rank {new[therapy]['rank']}"})
    for therapy in old.keys() & new.keys():
        a, b = old[therapy], new[therapy]
        for key in ("category", "preference", "rank", "intent"):
            if a[key] != b[key]:
                changes.append({"kind": key, "therapy": therapy, "from": a[key], "to": b[key]})
        a_cautions = {x["code"]: x["text"] for x in a["cautions"]}
        b_cautions = {x["code"]: x["text"] for x in b["cautions"]}
        for code in a_cautions.keys() - b_cautions.keys():
            changes.append({"kind": "caution-removed", "therapy": therapy, "from": a_cautions[code], "to": None})
        for code in b_cautions.keys() - a_cautions.keys():
            changes.append({"kind": "caution-added", "therapy": therapy, "from": None, "to": b_cautions[code]})
    order = {"guideline": 0, "added": 1, "removed": 2, "category": 3, "preference": 4, "intent": 5, "rank": 6}
    changes.sort(key=lambda c: (order.get(c["kind"], 7), c.get("therapy") or ""))
    return {"case_id": after["case_id"], "source": after.get("source"), "changes": changes}


def _gl(advice: dict) -> str:
    g = advice["guideline"]
    return f"{g['id']} {g['version']}"


def describe(change: dict) -> str:
    kind, therapy = change["kind"], change.get("therapy")
    if kind == "guideline":
        return f"guideline {change['from']} → {change['to']}"
    if kind == "added":
        return f"+ {therapy}: now a candidate ({change['to']})"
    if kind == "removed":
        return f"- {therapy}: no longer a candidate ({change['to']})"
    if kind == "caution-added":
        return f"{therapy}: new caution: {change['to']}"
    if kind == "caution-removed":
        return f"{therapy}: caution gone: {change['from']}"
    return f"{therapy}: {kind} {change['from'] or 'not stated'} → {change['to'] or 'not stated'}"
