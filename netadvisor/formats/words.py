"""Plain-text pieces the human-readable formats (table, markdown) share."""

from __future__ import annotations

import re

from ..base import vocab
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


def hang(body: str, first: str, width: int, more: int = 0) -> str:
    """body wrapped to width after its first-line marker, the lines after it indented under the text
    (and `more` columns further)."""
    import textwrap

    indent = " " * (len(first) + more)
    lines = textwrap.wrap(body, width=max(20, width - len(indent)), break_on_hyphens=False) or [""]
    return "\n".join([first + lines[0], *(indent + line for line in lines[1:])])


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


def timeline(advice: Advice, written: bool = True) -> list:
    """[(when, therapy, outcome, details)] for each history line, oldest first (details: dose and note, or '');
    `written` adds the name as the case wrote it ('Everolimus (Afinitor)')."""
    rows = []
    for line in advice.history:
        outcome = line.stopped or "outcome not stated"
        if line.toxicity:
            outcome += ": " + ", ".join(t.describe() for t in line.toxicity)
        if line.setting and line.setting != "standard":
            outcome += f" [{line.setting}]"
        name = advice.therapy_names.get(line.therapy, line.therapy)
        if written and line.written and line.written != line.therapy and alias_key(line.written) != alias_key(name):
            name += f" ({line.written})"
        rows.append((line.when(), name, outcome, details(line)))
    return rows


def history_summary(advice: Advice) -> str:
    """The history in one sentence for the brief view: how many lines, what progressed, what was stopped
    for toxicity, what is ongoing, and the latest line (when it is none of those)."""
    lines = advice.history
    name = lambda line: advice.therapy_names.get(line.therapy, line.therapy)  # noqa: E731
    parts = [f"{len(lines)} line{'s' if len(lines) != 1 else ''}"]
    progressed = [name(x) for x in lines if x.stopped == "progression"]
    if progressed:
        parts.append("progressed on " + ", ".join(dict.fromkeys(progressed)))
    toxic = [f"{', '.join(t.describe() for t in x.toxicity) or 'toxicity'} on {name(x)}" for x in lines if x.stopped == "toxicity"]
    if toxic:
        parts.append("stopped for " + ", ".join(toxic))
    ongoing = [name(x) for x in lines if x.stopped == "ongoing"]
    if ongoing:
        parts.append("ongoing: " + ", ".join(dict.fromkeys(ongoing)))
    if lines and lines[-1].stopped not in ("progression", "toxicity", "ongoing"):  # else said above
        last = timeline(advice, written=False)[-1]
        parts.append(f"latest: {last[1]} → {last[2]}")
    return " · ".join(parts)


def stamp(advice: Advice) -> str:
    g = advice.guideline
    return f"{g.source} ({g.id} {g.version}, effective {g.effective_shown}) · data sha256:{g.digest[:12]}"


def category(c: Candidate) -> str:
    return c.category or NOT_STATED


def category_preference(c: Candidate) -> str:
    """'1, preferred', '2A' (no preference stated), or 'not stated' (neither)."""
    if c.category and c.preference:
        return f"{c.category}, {preference(c)}"
    if c.preference:
        return f"cat. not stated, {preference(c)}"
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


LISTED = "listed for this site group"  # the headline of a guideline option with no reason of its own


def headline(c: Candidate) -> str:
    """One short reason for the table: a category rule, a symptom-only note, a requirement met, or the basis."""
    shown = [r for r in c.reasons if r.code not in HIDDEN_REASONS and not r.code.startswith("rank-")]
    if shown:
        return shown[0].short or shown[0].text
    if c.basis != "guideline":
        return basis(c).split(":")[0].split(" (")[0]
    return LISTED


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


# The case panel: every deciding fact the case states, in a few short lines.


def _word(value) -> str:
    return str(value).replace("-", " ")


def biology(advice: Advice) -> list:
    """The tumour's biology beyond the case line: histology, gastric type, SSTR uptake, FDG, biomarkers, germline."""
    t = advice.case_facts.get("tumor", {})
    parts = []
    if t.get("histology"):
        parts.append(_word(t["histology"]))
    if t.get("gastric_type"):
        parts.append(f"gastric {t['gastric_type']}")
    sstr = t.get("sstr")
    if isinstance(sstr, dict) and (sstr.get("uptake") or sstr.get("modality")):
        how = f"{sstr['uptake']} SSTR uptake" if sstr.get("uptake") else "SSTR status"
        if sstr.get("modality"):
            how += " on " + vocab.SSTR_MODALITY_NAMES.get(sstr["modality"], _word(sstr["modality"]))
        parts.append(how)
    if t.get("fdg"):
        parts.append(f"FDG-PET {t['fdg']}")
    markers = t.get("biomarkers", {})
    if markers.get("msi"):
        parts.append(f"MSI {markers['msi']}")
    if markers.get("tmb") is not None:
        tmb = markers["tmb"]
        parts.append(f"TMB {tmb:g} mut/Mb" if isinstance(tmb, (int, float)) else f"TMB {tmb}")
    for key, label in (("braf", "BRAF"), ("ntrk", "NTRK"), ("ret", "RET")):
        if markers.get(key):
            parts.append(f"{label} {'V600E' if markers[key] == 'v600e' else _word(markers[key])}")
    if t.get("germline"):
        parts.append("germline " + ", ".join(vocab.GERMLINE_NAMES.get(g, g) for g in t["germline"]))
    return parts


def disease(advice: Advice) -> list:
    """Disease status, burden, bulk, symptoms and resectability, as stated."""
    t = advice.case_facts.get("tumor", {})
    status = advice.case_facts.get("disease", {}).get("status")
    parts = [_word(status)] if status else []
    if t.get("burden"):
        parts.append(f"{_word(t['burden'])} burden")
    for key, yes, no in (("bulky", "bulky", "not bulky"), ("symptomatic", "symptomatic", "asymptomatic"),
                         ("resectable", "resectable", "unresectable")):
        if t.get(key) is not None:
            parts.append(yes if t[key] else no)
    return parts


def patient(advice: Advice) -> list:
    """Age, sex, ECOG, renal function, comorbidities and pregnancy, as stated."""
    p = advice.case_facts.get("patient", {})
    parts = []
    if p.get("age") is not None:
        parts.append(f"age {p['age']}")
    if p.get("sex"):
        parts.append(p["sex"])
    if p.get("ecog") is not None:
        parts.append(f"ECOG {p['ecog']}")
    if p.get("creatinine_clearance") is not None:
        parts.append(f"CrCl {p['creatinine_clearance']:g} mL/min")
    if p.get("egfr") is not None:
        parts.append(f"eGFR {p['egfr']:g} mL/min/1.73m²")
    if p.get("comorbidities"):
        parts.append(", ".join(_word(c) for c in p["comorbidities"]))
    if p.get("pregnant") is not None:
        parts.append("pregnant" if p["pregnant"] else "not pregnant")
    return parts


def tumour_line(advice: Advice) -> str:
    """The case line and the disease now: '... · gastrinoma, insulinoma · progressing'."""
    return " · ".join([case_line(advice), *disease(advice)])


def panel_rows(advice: Advice) -> list:
    """[(label, text)] of the case panel after the tumour line (which ends with the disease: tumour_line),
    each only when the case states something."""
    rows = []
    if biology(advice):
        rows.append(("Biology", " · ".join(biology(advice))))
    who = patient(advice)
    if who:
        rows.append(("Patient", " · ".join(who)))
    return rows


# Facts not stated that would change the advice, said once for the case rather than per candidate.
_UNKNOWN = " — not stated: "


def _unknown_label(caution) -> str | None:
    """The fact a caution says is not stated ('age'), or None for a caution about a stated fact."""
    if _UNKNOWN in caution.text:
        label = caution.text.split(_UNKNOWN, 1)[1]
        return label.split(" (", 1)[0].split(";", 1)[0].strip()
    if caution.code.endswith("-not-stated"):
        return caution.text.split(" not stated", 1)[0]
    return None


def not_stated(advice: Advice, named: bool = True) -> list:
    """['age (Cabozantinib, Sunitinib)', 'SSTR status', ...]: each unstated fact that changes the advice, once,
    with the candidates whose cautions turn on it (the warnings name what an unknown fact excludes)."""
    facts: dict = {}
    for c in advice.candidates:
        for x in c.cautions:
            label = _unknown_label(x)
            if label:
                facts.setdefault(label, []).append(c.name)
    for w in advice.warnings:
        if w.code in ("unknown-fact", "algorithm-step-unknown"):  # the warning says what it changes
            for path in w.facts:
                facts.setdefault(_fact_label(path), [])
    return [f"{label} ({', '.join(dict.fromkeys(names))})" if names and named else label for label, names in facts.items()]


def _fact_label(path: str) -> str:
    """'SSTR status' for 'tumor.sstr': the condition language's name of a case field."""
    from ..knowledge.conditions import FACTS

    return next((f.label for f in FACTS.values() if f.path == path), path)


def is_unknown_caution(caution) -> bool:
    return _unknown_label(caution) is not None


def main_caution(c: Candidate):
    """The caution that matters most for a row: one that moved the candidate down, then a warning, then a note;
    a note about an unstated fact last (the case panel names those once). None when there is none."""
    ranked = sorted(c.cautions, key=lambda x: (not x.demotes, x.severity != "warning", is_unknown_caution(x)))
    return ranked[0] if ranked else None


def short_caution(caution, limit: int = 60) -> str:
    """A caution in a few words: its first clause, cut at a comma or a space (never inside a word) with '…'."""
    label = _unknown_label(caution)
    if label:
        return f"{label} not stated"
    text = first_clause(without_case_facts(caution.text))
    if len(text) > limit:  # asides without a figure or a date go first: '(labelled sites)'
        text = re.sub(r" \([^()0-9]*\)", "", text)
    if len(text) <= limit:
        return text
    cut = text.rfind(", ", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    if text[:cut].count("(") > text[:cut].count(")"):  # never inside a parenthesis
        cut = text.rfind(" (", 0, cut)
    return text[:cut].rstrip(",:") + "…"


def without_case_facts(text: str) -> str:
    """A reason or caution without its '(case: ...)' part: the case panel shows those facts."""
    start = text.find(" (case: ")
    while start >= 0:
        depth, end = 0, start + 1
        for end in range(start + 1, len(text)):
            depth += (text[end] == "(") - (text[end] == ")")
            if depth == 0:
                break
        text = text[:start] + text[end + 1:]
        start = text.find(" (case: ")
    return text


def first_clause(text: str) -> str:
    """Text up to its first '; ' or ' — ' outside parentheses."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and (text.startswith("; ", i) or text.startswith(" — ", i)):
            return text[:i]
    return text
