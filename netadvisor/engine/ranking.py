"""The order of the candidates: the ranking keys the guideline data lists, and the
reason that tells each candidate how it was ranked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .advice import Reason

if TYPE_CHECKING:
    from .eligibility import Verdict

INTENT_ORDER = ("antitumor", "liver-directed", "symptom-control")
CATEGORY_ORDER = ("1", "2A", "2B", "3", None)
PREFERENCE_ORDER = ("preferred", "other-recommended", "useful-in-certain-circumstances", None)


def rank_key(verdict: Verdict, order: tuple) -> tuple:
    rec = verdict.rec
    values = {
        "intent": INTENT_ORDER.index(rec.intent),
        "category": CATEGORY_ORDER.index(verdict.category),
        "preference": PREFERENCE_ORDER.index(rec.preference),
        "factors": -verdict.factor_total,
        "preference-conflicts": verdict.conflicts,
        "warnings": sum(1 for c in unique(verdict.cautions) if c.severity == "warning"),
        "listing": rec.order,
    }
    return tuple(values[key] for key in order)


def rank_reason(rank: int, verdict: Verdict) -> Reason:
    rec = verdict.rec
    warnings = sum(1 for c in unique(verdict.cautions) if c.severity == "warning")
    parts = [
        rec.intent.replace("-", " "),
        f"category {verdict.category or 'not stated'}",
        (rec.preference or "preference not stated").replace("-", " "),
    ]
    if verdict.factor_total:
        parts.append(f"ranking factors {verdict.factor_total:+d}")
    if verdict.conflicts:
        parts.append(f"{verdict.conflicts} patient-preference conflict{'s' if verdict.conflicts > 1 else ''}")
    parts.append(f"{warnings} warning caution{'s' if warnings != 1 else ''}")
    return Reason("rank", f"rank {rank}: " + ", ".join(parts))


def unique(items) -> list:
    seen, out = set(), []
    for item in items:
        key = (item.code, item.text)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
