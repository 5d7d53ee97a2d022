"""Plain-text pieces the human-readable formats (table, markdown) share."""

from __future__ import annotations

from ..base.fields import alias_key
from ..engine.advice import Advice, Candidate

NOT_STATED = "not stated"
HIDDEN_REASONS = ("recommended", "rank")  # shown in their own columns


def case_line(advice: Advice) -> str:
    """'pancreas (pancreatic NET) · well-differentiated · G2 · Ki-67 4–6% · SSTR positive · metastatic'"""
    s = advice.summary
    parts = [f"{s['site']} ({advice.site_group_name})" if advice.site_group_name else s["site"]]
    if s.get("differentiation"):
        parts.append(f"{s['differentiation']}-differentiated" if s["differentiation"] == "well" else "poorly differentiated")
    parts.append(f"G{s['grade']}" if s.get("grade") else "grade not stated")
    if s.get("ki67"):
        low, high = s["ki67"]
        parts.append(f"Ki-67 {low:g}%" if low == high else f"Ki-67 {low:g}–{high:g}%")
    else:
        parts.append("Ki-67 not stated")
    parts.append(f"SSTR {s['sstr']}" if s.get("sstr") else "SSTR not stated")
    if s.get("stage"):
        where = f" ({', '.join(s['metastases'])})" if s.get("metastases") else ""
        parts.append(f"{s['stage']}{where}")
    functional = s.get("functional")
    parts.append(", ".join(functional) if functional else "functional status not stated")
    return " · ".join(parts)


def one_line(text: str) -> str:
    """Free text written on several lines, for a line of a report."""
    return " ".join(text.split())


def details(line) -> str:
    """'dose 120 mg every 4 weeks; note: first line' for a history line, or ''."""
    parts = ([f"dose {one_line(line.dose)}"] if line.dose else []) + ([f"note: {one_line(line.note)}"] if line.note else [])
    return "; ".join(parts)


def wishes(advice: Advice) -> str:
    """The patient's stated preferences in words, free-text notes included ('' when none are stated)."""
    prefs = advice.preferences
    parts = []
    if prefs.get("avoid"):
        parts.append("wishes to avoid " + ", ".join(prefs["avoid"]))
    if prefs.get("clinical_trial_access") is not None:
        parts.append("clinical-trial access" if prefs["clinical_trial_access"] else "no clinical-trial access")
    if prefs.get("notes"):
        parts.append(f"notes: {one_line(prefs['notes'])}")
    return "; ".join(parts)


def timeline(advice: Advice) -> list:
    """[(when, therapy, outcome, details)] for each history line, oldest first (details: dose and note, or '')."""
    rows = []
    for line in advice.history:
        outcome = line.stopped or "outcome not stated"
        if line.toxicity:
            outcome += ": " + ", ".join(t.describe() for t in line.toxicity)
        if line.setting and line.setting != "standard":
            outcome += f" [{line.setting}]"
        name = advice.therapy_names.get(line.therapy, line.therapy)
        if line.written and line.written != line.therapy and alias_key(line.written) != alias_key(name):
            name += f" ({line.written})"
        rows.append((line.when(), name, outcome, details(line)))
    return rows


def stamp(advice: Advice) -> str:
    g = advice.guideline
    return f"{g.source} ({g.id} {g.version}, effective {g.effective_shown}) · data sha256:{g.digest[:12]}"


def category(c: Candidate) -> str:
    return c.category or NOT_STATED


def preference(c: Candidate) -> str:
    return c.preference.replace("-", " ") if c.preference else NOT_STATED


INTENT_SHORT = {"antitumor": "antitumour", "symptom-control": "symptoms", "liver-directed": "liver"}
EVENT_SHORT = {
    "palmar-plantar-erythrodysesthesia": "PPE",
    "venous-thromboembolism": "VTE",
    "myelodysplastic-syndrome": "MDS",
    "hematologic": "haematological",
}


def basis(c: Candidate) -> str:
    return next((r.text for r in c.reasons if r.code == "recommended"), "")


def basis_sources(c: Candidate) -> tuple:
    """The sources of the listing (the recommendation's, and NCCN's default category where it applied)."""
    return next((r.sources for r in c.reasons if r.code == "recommended"), ())


def rank_line(c: Candidate) -> str:
    """Why the candidate sits where it does, in one line ('category 1 · preferred · ...')."""
    return next((r.short for r in c.reasons if r.code == "rank"), "")


def why(c: Candidate) -> list:
    """The case-specific reasons, in full."""
    return [r.text for r in c.reasons if r.code not in HIDDEN_REASONS]


def headline(c: Candidate) -> str:
    """One short reason for the table: a category rule, a symptom-only note, a requirement met, or the basis."""
    shown = [r for r in c.reasons if r.code not in HIDDEN_REASONS and not r.code.startswith("rank-")]
    if shown:
        return shown[0].short or shown[0].text
    if c.basis != "guideline":
        return basis(c).split(":")[0].split(" (")[0]
    return "listed for this site group"


def toxicity_lines(c: Candidate, limit: int = 4) -> list:
    """'hypertension 22%', ...; events the sources name without a figure come last, as one item."""
    shown, unrated = [], []
    for figure in c.toxicities:
        if figure.event == "any":
            continue
        event = EVENT_SHORT.get(figure.event, figure.event.replace("-", " "))
        if figure.percent is None:
            unrated.append(event)
        else:
            grades = "" if figure.grades in ("3-4", "3+") else f" ({figure.grades} grade)"
            shown.append(f"{event} {figure.percent:g}%{grades}")
    if len(shown) > limit:
        shown = shown[:limit] + [f"+{len(shown) - limit} more"]
    if unrated:
        shown.append(f"{', '.join(unrated)}: rate {NOT_STATED}")
    return shown or [NOT_STATED]


def exclusion_summary(advice: Advice) -> str:
    names = ", ".join(e.name for e in advice.excluded)
    count = len(advice.excluded)
    return f"{count} excluded: {names} (--show-excluded gives the reasons)"


def sources(advice: Advice) -> list:
    """Every citation the advice rests on, once each, in order of first use."""
    return list(advice.sources.values())
