"""The order of the candidates: the ranking keys the guideline data lists, and the
reason that tells each candidate, in one line, why it sits where it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.memo import remember
from .advice import Reason

if TYPE_CHECKING:
    from .eligibility import Verdict

INTENT_ORDER = ("antitumor", "liver-directed", "symptom-control")
# An option whose category no source gives ranks with 2A, never below a stated 2B or 3:
# an unknown category is not evidence of a weaker recommendation.
CATEGORY_RANK = {"1": 0, "2A": 1, None: 1, "2B": 2, "3": 3}
PREFERENCE_ORDER = ("preferred", "other-recommended", "useful-in-certain-circumstances", None)


def rank_key(verdict: Verdict, order: tuple) -> tuple:
    """The verdict's place in the guideline's order (its ranking keys), remembered on the verdict:
    a judged verdict is shared by every case in its situation and never changed (copies forget it)."""
    known = verdict.ranked
    if known is None or known[0] is not order:
        known = verdict.ranked = (order, tuple(_KEYS[key](verdict) for key in order))
    return known[1]


_KEYS = {
    "intent": lambda v: INTENT_ORDER.index(v.rec.intent),
    "preference-conflicts": lambda v: v.conflicts,
    "step": lambda v: v.step_rank,
    "category": lambda v: CATEGORY_RANK[v.category],
    "level": lambda v: -v.level_rank,
    "preference": lambda v: PREFERENCE_ORDER.index(v.rec.preference),
    "demotions": lambda v: len(v.demotions),
    "factors": lambda v: -v.factor_total,
    "practice": lambda v: -v.practice_total,
    "warnings": lambda v: sum(1 for c in unique(v.cautions) if c.severity == "warning"),
    "listing": lambda v: v.rec.order,
}


def rank_reason(rank: int, verdict: Verdict, order: tuple, step=None) -> Reason:
    """'rank 2: first at this step of the algorithm · category 1 · preferred · moved down within its category: ...'

    The parts follow the guideline's ranking keys, so the line reads in the order
    the candidates were sorted; `short` is the same without the rank. Remembered by all it reads:
    a guideline ranks thousands of cases with a few hundred such lines."""
    rec = verdict.rec
    at_step = step.name if step is not None and rec.intent == "antitumor" and verdict.step_rank < len(step.first) else None
    demotions = verdict.demotions if verdict.cautions else ()
    key = (rank, id(order), id(rec), id(verdict.scheme), at_step, verdict.conflicts, verdict.category, verdict.category_origin,
           tuple(c.text for c in demotions), verdict.factor_total, verdict.practice_total)
    found = _RANK_WORDS.get(key)
    if found is not None and found[0] is order and found[1] is rec and found[2] is verdict.scheme:
        return found[3]
    reason = _rank_reason(rank, verdict, order, at_step, demotions)
    return remember(_RANK_WORDS, key, (order, rec, verdict.scheme, reason), 4096)[3]


def _rank_reason(rank: int, verdict: Verdict, order: tuple, at_step: str | None, demotions: list) -> Reason:
    rec = verdict.rec
    parts = []
    for key in order:
        if key == "preference-conflicts" and verdict.conflicts:
            parts.append("below options that meet the patient's wishes (conflicts with what the patient wishes to avoid)")
        elif key == "step" and at_step is not None:
            parts.append(f"first at this step of the algorithm ({at_step})")
        elif key == "category":
            origin = " (NCCN default)" if verdict.category_origin == "default" else ""
            parts.append(f"category {verdict.category}{origin}" if verdict.category else "category not stated (ranked with 2A)")
        elif key == "level":
            scheme = verdict.scheme
            unstated = f" (ranked with {scheme.unstated})" if scheme and scheme.unstated else ""
            parts.append(rec.level if rec.level else f"level not stated{unstated}")
        elif key == "preference" and rec.preference:
            parts.append(rec.preference.replace("-", " "))
        elif key == "demotions" and demotions:
            parts.append("moved down within its category: " + "; ".join(_short(c.text) for c in demotions))
        elif key == "factors" and verdict.factor_total:
            parts.append(f"guideline ranking statements {verdict.factor_total:+d}")
        elif key == "practice" and verdict.practice_total:
            parts.append(f"reported practice {verdict.practice_total:+d}")
    short = " · ".join(parts) or rec.intent.replace("-", " ")
    found = _RANKS.get((rank, short))
    return found if found is not None else remember(_RANKS, (rank, short), Reason("rank", f"rank {rank}: {short}", short=short))


_RANKS: dict = {}  # (rank, short) -> its Reason: one object for every case, so writers can write it once
_RANK_WORDS: dict = {}  # what rank_reason reads -> (order, rec, scheme, its Reason)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def unique(items) -> list:
    seen, out = set(), []
    for item in items:
        key = (item.code, item.text)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
