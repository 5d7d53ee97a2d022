"""The eligibility checker: one case and one guideline in, ranked advice out.

For every therapy the guideline knows for the case's site group, the engine
decides candidate or excluded and says why, from the case's own facts:

1. history: progression on the therapy (or on one the catalogue says rules it
   out) excludes it for tumour control; stopping it for severe toxicity
   excludes it for any use;
2. the therapy's label limits and the recommendation's requirements, each
   true (fine), false (excluded, or a caution where the data says off-label is
   acceptable) or unknown (excluded, naming the fact that would settle it,
   unless the data says a caution is enough);
3. cautions that keep a candidate but flag it: label warnings that match the
   patient, prior toxicities of the same class or event, patient preferences.

Candidates are then ranked by the keys the guideline data lists. All medicine
lives in the data; this module only applies it.
"""

from __future__ import annotations

from .advice import (
    Advice,
    Candidate,
    Caution,
    EvidenceFigure,
    Excluded,
    GuidelineStamp,
    Notice,
    Reason,
    ToxicityFigure,
)
from .inputs.case import Case, Range
from .knowledge.conditions import FACTS
from .knowledge.models import Knowledge, Recommendation, Rule, Therapy, display_names

INTENT_ORDER = ("antitumor", "liver-directed", "symptom-control")
# Per-process memos: guideline data never changes while a process runs.
_CITED: dict = {}
_TARGETED: dict = {}
_BY_THERAPY: dict = {}
CATEGORY_ORDER = ("1", "2A", "2B", "3", None)
PREFERENCE_ORDER = ("preferred", "other-recommended", "useful-in-certain-circumstances", None)


# -- facts -------------------------------------------------------------------------


def case_facts(case: Case, knowledge: Knowledge, group_id: str | None) -> dict:
    """The values conditions are evaluated against; None means the case does not say."""
    tumor = case.tumor
    patient = case.data.get("patient", {})
    sstr = tumor.get("sstr")
    sstr_status = sstr.get("status") if isinstance(sstr, dict) else sstr
    biomarkers = tumor.get("biomarkers", {})
    tmb = biomarkers.get("tmb")
    msi = biomarkers.get("msi")
    disease_status = case.data.get("disease", {}).get("status")

    def words(value):
        return frozenset(value) if value is not None else None

    facts = {
        "site": tumor["primary_site"],
        "site_group": group_id,
        "differentiation": tumor.get("differentiation"),
        "histology": tumor.get("histology"),
        "grade": tumor.get("grade"),
        "ki67": tumor.get("ki67"),
        "stage": tumor.get("stage"),
        "resectable": tumor.get("resectable"),
        "functional": words(tumor.get("functional")),
        "sstr": None if sstr_status == "unknown" else sstr_status,
        "sstr_uptake": sstr.get("uptake") if isinstance(sstr, dict) else None,
        "metastases": words(tumor.get("metastases")),
        "bulky": tumor.get("bulky"),
        "symptomatic": tumor.get("symptomatic"),
        "msi": None if msi == "unknown" else msi,
        "tmb": tmb if isinstance(tmb, (int, float)) else None,
        "tmb_call": None if tmb is None else ("numeric" if isinstance(tmb, (int, float)) else tmb),
        "germline": words(tumor.get("germline")),
        "disease_status": disease_status,
        "age": patient.get("age"),
        "sex": patient.get("sex"),
        "ecog": patient.get("ecog"),
        "crcl": patient.get("creatinine_clearance"),
        "egfr": patient.get("egfr"),
        "comorbidities": words(patient.get("comorbidities")),
        "pregnant": patient.get("pregnant"),
        "avoid": words(case.data.get("preferences", {}).get("avoid")),
        "trial_access": case.data.get("preferences", {}).get("clinical_trial_access"),
    }
    history = case.history
    if history is None:
        facts.update(received=None, received_classes=None, progressed_on=None, progressed_on_classes=None,
                     ongoing=None, prior_systemic=None, prior_lines=None)
        return facts
    therapies = knowledge.catalogue.therapies
    classes = knowledge.catalogue.classes
    progressed = [line for line in history if progressed_on(line, disease_status, knowledge)]
    antitumor_lines = [line for line in history if classes[therapies[line.therapy].cls].antitumor]
    facts.update(
        received=frozenset(line.therapy for line in history),
        received_classes=frozenset(therapies[line.therapy].cls for line in history),
        progressed_on=frozenset(line.therapy for line in progressed),
        progressed_on_classes=frozenset(therapies[line.therapy].cls for line in progressed),
        ongoing=frozenset(line.therapy for line in history if line.stopped == "ongoing"),
        prior_systemic=bool(antitumor_lines),
        prior_lines=len(antitumor_lines),
    )
    return facts


def progressed_on(line, disease_status, knowledge: Knowledge) -> bool:
    """Stopped for progression, or an antitumour therapy still ongoing while the disease progresses."""
    if line.stopped == "progression":
        return True
    if line.stopped != "ongoing" or disease_status != "progressing":
        return False
    catalogue = knowledge.catalogue
    return catalogue.classes[catalogue.therapies[line.therapy].cls].antitumor


def show_fact(name: str, value, names: dict) -> str:
    """'SSTR status: negative', 'Ki-67: 4–6%', 'progressed on: none'."""
    label = FACTS[name].label
    if value is None:
        return f"{label}: not stated"
    if isinstance(value, frozenset):
        shown = ", ".join(sorted(names.get(v, v) for v in value)) or "none"
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, Range):
        shown = str(value)
    elif isinstance(value, float):
        shown = f"{value:g}"
    else:
        shown = str(names.get(value, value))
    return f"{label}: {shown}"


# -- one therapy ---------------------------------------------------------------------


class _Verdict:
    """What evaluating one recommendation found."""

    def __init__(self, rec: Recommendation):
        self.rec = rec
        self.exclusions: list = []
        self.cautions: list = []
        self.reasons: list = []
        self.category = rec.category
        self.factor_total = 0
        self.conflicts = 0

    @property
    def ok(self) -> bool:
        return not self.exclusions


class Evaluator:
    def __init__(self, case: Case, knowledge: Knowledge, group, facts: dict):
        self.case = case
        self.kb = knowledge
        self.guideline = knowledge.guideline
        self.catalogue = knowledge.catalogue
        self.group = group
        self.facts = facts
        # display names by the vocabulary a fact's values come from (conditions.FACTS)
        self.vocab_names = display_names(self.catalogue, self.guideline)
        self.names = self.vocab_names["therapies"]
        self.class_names = self.vocab_names["classes"]
        self.history = case.history or ()
        self.unknown_effects: dict = {}  # (fact paths, settle) -> [therapy names]

    # facts and rules

    def cite(self, ids) -> tuple:
        """Source ids, once each; the advice carries one id -> citation map for all of them."""
        return ids if isinstance(ids, tuple) else tuple(dict.fromkeys(ids))  # data tuples are already unique

    def citations(self, ids) -> tuple:
        """Full citation texts (a candidate's `citations`, per the advice contract)."""
        ids = tuple(ids)
        cited = _CITED.get(ids)
        if cited is None:
            cited = _CITED[ids] = tuple(self.kb.sources[i].citation for i in ids)
        return cited

    def targeted(self, therapy: Therapy, group: str, intent: str) -> tuple:
        """The guideline's cautions and ranking factors that touch this therapy (memoized)."""
        key = (id(self.guideline), therapy.id, group, intent)
        found = _TARGETED.get(key)
        if found is None:
            found = _TARGETED[key] = (
                tuple(r for r in self.guideline.cautions if r.targets(therapy, group, intent)),
                tuple(r for r in self.guideline.factors if r.targets(therapy, group, intent)),
            )
        return found

    def case_says(self, rule: Rule, only_unknown: bool = False) -> tuple[str, tuple, tuple]:
        """('case: SSTR status: negative', fact paths, unknown paths) for a rule's facts."""
        if rule.cond is None:
            return "", (), ()
        leaves = rule.cond.leaves()
        paths = tuple(dict.fromkeys(FACTS[leaf.fact].path for leaf in leaves))
        unknown = tuple(dict.fromkeys(FACTS[leaf.fact].path for leaf in leaves if self.facts.get(leaf.fact) is None))
        if only_unknown:
            shown = {}
            for leaf in leaves:  # one label per case field
                fact = FACTS[leaf.fact]
                if self.facts.get(leaf.fact) is None:
                    shown.setdefault(fact.path, f"{fact.label} ({fact.path})")
            return "not stated: " + ", ".join(shown.values()), paths, unknown
        return "case: " + "; ".join(dict.fromkeys(self.show_leaf(leaf) for leaf in leaves)), paths, unknown

    def show_leaf(self, leaf) -> str:
        """A fact as the leaf saw it; for set tests only the members that matter."""
        value = self.facts.get(leaf.fact)
        if isinstance(value, frozenset) and leaf.op in ("includes_any", "includes_all"):
            hit = value & leaf.value
            label = FACTS[leaf.fact].label
            if hit:
                names = self.vocab_names.get(FACTS[leaf.fact].choices, {})
                return f"{label}: " + ", ".join(sorted(names.get(v, v) for v in hit))
        if leaf.fact == "site_group" and value is None:
            return f"primary site: {self.facts['site']}, in no site group"
        return show_fact(leaf.fact, value, self.vocab_names.get(FACTS[leaf.fact].choices, {}))

    def check(self, rule: Rule, verdict: _Verdict, therapy: Therapy, polarity: bool = True, label_limit: bool = False):
        """Apply a requirement (polarity True) or an exclusion (False) to a verdict."""
        value = rule.cond.eval(self.facts) if rule.cond is not None else True
        if value is None:
            says, paths, unknown = self.case_says(rule, only_unknown=True)
            settle = f"; {rule.settle}" if rule.settle else ""
            text = f"{_needs(rule, polarity)} — {says}{settle}"
            if rule.if_unknown == "exclude":
                verdict.exclusions.append(Reason("unknown-fact", text, paths, unknown, self.cite(rule.sources)))
                if rule.settle:
                    self.unknown_effects.setdefault((unknown, rule.settle), []).append(therapy.name)
            elif rule.if_unknown == "caution":
                verdict.cautions.append(Caution(rule.code, "info", text, self.cite(rule.sources)))
            return
        if value is polarity:
            if polarity and rule.cond is not None and not label_limit:  # a label limit that holds goes unsaid
                says, paths, _ = self.case_says(rule)
                verdict.reasons.append(Reason(f"meets-{rule.code}", f"{rule.text} ({says})", paths, short=rule.text))
            return
        says, paths, _ = self.case_says(rule)
        text = f"{_needs(rule, polarity)} ({says})"
        if rule.if_false == "caution":
            verdict.cautions.append(Caution(rule.code, rule.severity, f"off-label: {text}", self.cite(rule.sources)))
        else:
            verdict.exclusions.append(Reason(rule.code, text, paths, (), self.cite(rule.sources)))

    def caution_rule(self, rule: Rule, verdict: _Verdict):
        value = rule.cond.eval(self.facts) if rule.cond is not None else True
        if value is True:
            verdict.cautions.append(Caution(rule.code, rule.severity, rule.text, self.cite(rule.sources)))
        elif value is None and rule.if_unknown == "caution":
            says, _, _ = self.case_says(rule, only_unknown=True)
            verdict.cautions.append(Caution(rule.code, rule.severity, f"{rule.text} ({says})", self.cite(rule.sources)))

    # history

    def lines_of(self, therapy_id: str) -> list:
        return [line for line in self.history if line.therapy == therapy_id]

    def history_rules(self, therapy: Therapy, intent: str, verdict: _Verdict):
        severe = self.guideline.severe_toxicity_grade
        policy = self.cite(["netadvisor-policy"])
        status = self.facts.get("disease_status")
        for line in self.lines_of(therapy.id):
            grades = [t.grade for t in line.toxicity if t.grade is not None]
            worst = max(line.toxicity, key=lambda t: t.grade or 0) if line.toxicity else None
            if line.stopped == "toxicity":
                if not line.toxicity or (worst.grade is not None and worst.grade >= severe):
                    what = worst.describe() if worst else "toxicity of a grade not stated"
                    verdict.exclusions.append(
                        Reason("prior-severe-toxicity", f"stopped for {what} ({line.stop_date()})",
                               (f"{line.path}.stopped", f"{line.path}.toxicity"), (), policy)
                    )
                    continue
                if worst.grade is None:
                    verdict.exclusions.append(
                        Reason("prior-toxicity-grade-unknown",
                               f"stopped for {worst.event} of a grade not stated ({line.stop_date()}); grade ≥{severe} excludes it",
                               (f"{line.path}.toxicity",), (f"{line.path}.toxicity",), policy)
                    )
                    continue
                verdict.cautions.append(
                    Caution("prior-toxicity", "warning", f"stopped for {worst.describe()} on it before ({line.stop_date()})", policy)
                )
            elif line.toxicity:
                listed = "; ".join(t.describe() for t in line.toxicity)
                level = "warning" if any(g >= severe for g in grades) or len(grades) < len(line.toxicity) else "info"
                verdict.cautions.append(Caution("prior-toxicity", level, f"{listed} on it before ({line.when()})", policy))
            if intent == "antitumor" and progressed_on(line, status, self.kb):
                if line.stopped == "ongoing":
                    text = f"the disease is progressing on {therapy.name}, ongoing since {line.start or 'a date not stated'}"
                    verdict.exclusions.append(Reason("progressing-on-current", text, (f"{line.path}.stopped", "disease.status"), (), policy))
                else:
                    text = f"progressed on {therapy.name} ({line.stop_date()})"
                    verdict.exclusions.append(Reason("progressed-on", text, (f"{line.path}.stopped",), (), policy))
        if intent == "antitumor":
            reported = set()
            for line in reversed(self.history):  # the latest progression on each related therapy
                rule = self.catalogue.progression_excludes.get(line.therapy, {}).get(therapy.id)
                if rule and line.therapy not in reported and progressed_on(line, status, self.kb):
                    reported.add(line.therapy)
                    other = self.names[line.therapy]
                    if line.stopped == "ongoing":
                        what = f"the disease is progressing on {other} (ongoing since {line.start or 'a date not stated'})"
                    else:
                        what = f"progressed on {other} ({line.stop_date()})"
                    verdict.exclusions.append(
                        Reason("progressed-on-related", f"{what}: {rule.text}",
                               (f"{line.path}.stopped",), (), self.cite(rule.sources))
                    )
        if verdict.exclusions:
            return
        for line in self.lines_of(therapy.id):
            if line.stopped == "ongoing":
                text = f"currently receiving it (since {line.start or 'a date not stated'})"
            else:
                text = f"received before ({line.when()}; stopped: {line.stopped or 'reason not stated'})"
            verdict.cautions.append(Caution("prior-exposure", "info", text, policy))
        self.related_toxicity(therapy, verdict)

    def related_toxicity(self, therapy: Therapy, verdict: _Verdict):
        """A prior toxicity of the same class or the same adverse event, with this therapy's own rate."""
        rates = therapy.toxicities_for(self.group.cohort)
        for line in self.history:
            if line.therapy == therapy.id:
                continue
            other = self.catalogue.therapies[line.therapy]
            same_class = other.cls == therapy.cls
            for tox in line.toxicity:
                related = self.catalogue.related(tox.event)
                own = [r for r in rates if r.event in related]
                if not (same_class or own):
                    continue
                link = f", a {self.class_names[other.cls]} like {therapy.name}" if same_class else ""
                text = f"{tox.describe()} on {other.name} ({line.stop_date()}){link}"
                if own:
                    text += "; " + "; ".join(f"{therapy.name}: {_rate(r)}" for r in own)
                severity = "warning" if tox.grade is None or tox.grade >= self.guideline.severe_toxicity_grade else "info"
                sources = self.cite(s for r in own for s in r.sources) or self.cite(["netadvisor-policy"])
                verdict.cautions.append(Caution("related-prior-toxicity", severity, text, sources))

    def preference_conflicts(self, therapy: Therapy, verdict: _Verdict):
        for word in sorted(self.facts.get("avoid") or ()):
            group = self.catalogue.avoid_groups.get(word, {})
            if (
                therapy.cls in group.get("classes", ())
                or therapy.id in group.get("therapies", ())
                or set(therapy.routes) & set(group.get("routes", ()))
            ):
                verdict.conflicts += 1
                verdict.cautions.append(
                    Caution("patient-preference", "info", f"the patient wishes to avoid {word}", self.cite(["paulson-2025"]))
                )

    def label_date(self, therapy: Therapy, verdict: _Verdict):
        """Was the use labelled on the case's date? Only approvals that cover the case count."""
        relevant = [a for a in therapy.approvals if a.covers is None or a.covers.eval(self.facts) is not False]
        as_of = self.case.as_of
        if not relevant or any(a.date.last_day() <= as_of for a in relevant):
            return
        sources = self.cite(s for a in relevant for s in a.sources)
        which = "; ".join(f"{a.indication} ({a.date})" for a in relevant)
        if any(a.date.first_day() <= as_of for a in relevant):
            verdict.cautions.append(Caution("label-date-uncertain", "info", f"FDA approval known only to {which}: whether it was labelled on {as_of} cannot be told", sources))
        else:
            verdict.cautions.append(Caution("off-label-at-date", "warning", f"off-label on {as_of}: FDA approval came later — {which}", sources))

    # a recommendation

    def evaluate(self, rec: Recommendation, therapy: Therapy) -> _Verdict:
        verdict = _Verdict(rec)
        self.history_rules(therapy, rec.intent, verdict)
        for rule in therapy.limits:
            self.check(rule, verdict, therapy, label_limit=True)
        for rule in rec.requires:
            self.check(rule, verdict, therapy)
        for rule in rec.excluded_if:
            self.check(rule, verdict, therapy, polarity=False)
        for rule in therapy.cautions:
            if not rule.intents or rec.intent in rule.intents:
                self.caution_rule(rule, verdict)
        for rule in rec.cautions:
            self.caution_rule(rule, verdict)
        cautions, factors = self.targeted(therapy, rec.site_group, rec.intent)
        for rule in cautions:
            self.caution_rule(rule, verdict)
        self.preference_conflicts(therapy, verdict)
        self.label_date(therapy, verdict)
        for rule in rec.category_rules:
            value = rule.cond.eval(self.facts) if rule.cond else True
            if value is True:
                says, paths, _ = self.case_says(rule)
                verdict.category = rule.category
                verdict.reasons.insert(0, Reason("category-rule", f"{rule.text} ({says})", paths, (), self.cite(rule.sources), rule.text))
                break
            if value is None:
                says, _, unknown = self.case_says(rule, only_unknown=True)
                verdict.reasons.append(
                    Reason("category-rule-unknown", f"{rule.text} — cannot be applied, {says}", (), unknown)
                )
        for rule in factors:
            if (rule.cond.eval(self.facts) if rule.cond else True) is True:
                verdict.factor_total += rule.effect
                sign = "ranks it earlier" if rule.effect > 0 else "ranks it later"
                verdict.reasons.append(Reason(f"rank-{rule.code}", f"{rule.text} ({sign})", (), (), self.cite(rule.sources), rule.text))
        return verdict

    def listing_reason(self, rec: Recommendation, category: str | None) -> Reason:
        g = self.guideline
        if rec.basis == "label":
            text = f"FDA label, not the guideline: {g.source} states no position in netadvisor's sources"
        elif rec.basis == "practice":
            text = "reported practice (Paulson 2025), not a guideline recommendation"
        else:
            text = f"{g.source} lists it for {self.group.name}"
        details = [f"category {category}" if category else "category not stated",
                   rec.preference.replace("-", " ") if rec.preference else "preference not stated"]
        if rec.intent != "antitumor":
            details.insert(0, rec.intent.replace("-", " "))
        return Reason("recommended", f"{text} ({', '.join(details)})", (), (), self.cite(rec.sources))


def _needs(rule: Rule, polarity: bool) -> str:
    """Requirement texts are noun phrases ('SSTR-positive disease')."""
    return f"requires {rule.text}" if polarity else f"excluded when {rule.text}"


def _rate(rate) -> str:
    event = rate.event.replace("-", " ")
    if rate.percent is None:
        return f"{event} (rate not stated; {rate.population})"
    return f"grade {rate.grades} {event} {rate.percent:g}% ({rate.population})"


# -- the whole case ----------------------------------------------------------------------


def advise(case: Case, knowledge: Knowledge) -> Advice:
    guideline = knowledge.guideline
    group = guideline.group_of(case.site)
    facts = case_facts(case, knowledge, group.id if group else None)
    ev = Evaluator(case, knowledge, group, facts)
    warnings = [Notice(code, text) for code, text in knowledge.warnings]
    if not case.as_of_stated:
        warnings.append(Notice("as-of-default", f"the case gives no as_of date; advice is as of {case.as_of}", ("as_of",)))
    warnings.extend(Notice(code, text) for code, text in case.warnings)
    if case.history is None:
        warnings.append(Notice("history-not-stated", "the case states no treatment history: rules about prior therapy treat it as unknown", ("history",)))

    scope, out_of_scope = None, None
    for rule in guideline.scope:
        value = rule.cond.eval(facts) if rule.cond else True
        if value is True or (value is None and rule.if_unknown == "exclude"):
            says, paths, _ = ev.case_says(rule)
            settle = f"; {rule.settle}" if rule.settle else ""
            scope = Notice(rule.code, f"{rule.text} ({says}){settle}", paths, ev.cite(rule.sources))
            out_of_scope = Reason(f"out-of-scope-{rule.code}", f"outside the guideline's scope ({says})", paths)
            break
    for rule in guideline.notices if scope is None else ():
        value = rule.cond.eval(facts) if rule.cond else True
        if value is True:
            warnings.append(Notice(rule.code, rule.text, (), ev.cite(rule.sources)))

    candidates, excluded = [], []
    therapy_ids = guideline.therapies_for(group.id) if group else []
    by_therapy = _recommendations_by_therapy(guideline, group.id) if group else {}
    for tid in therapy_ids:
        therapy = knowledge.catalogue.therapies[tid]
        recs = by_therapy.get(tid, [])
        rec_ids = tuple(r.id for r in recs)
        if out_of_scope is not None:
            excluded.append(Excluded(tid, therapy.name, (out_of_scope,), rec_ids))
            continue
        not_listed = [n for n in guideline.not_recommended if n.therapy == tid and n.site_group == group.id]
        if not_listed or not recs:
            reasons = [Reason(n.code, n.text, ("tumor.primary_site",), (), ev.cite(n.sources)) for n in not_listed]
            probe = _Verdict(Recommendation(f"{group.id}-{tid}", tid, group.id, "antitumor", None, None, "guideline"))
            ev.history_rules(therapy, "antitumor", probe)
            excluded.append(Excluded(tid, therapy.name, tuple(reasons + probe.exclusions), rec_ids))
            continue
        verdicts = [ev.evaluate(rec, therapy) for rec in recs]
        eligible = sorted((v for v in verdicts if v.ok), key=lambda v: (INTENT_ORDER.index(v.rec.intent), v.rec.order))
        if not eligible:
            reasons = _unique(r for v in verdicts for r in v.exclusions)
            excluded.append(Excluded(tid, therapy.name, tuple(reasons), rec_ids))
            continue
        chosen = eligible[0]
        reasons = [ev.listing_reason(chosen.rec, chosen.category)] + chosen.reasons
        for other in verdicts:
            if other is not chosen and not other.ok and other.rec.intent == "antitumor":
                reasons.append(
                    Reason("not-for-tumour-control", "not for tumour control: " + "; ".join(r.text for r in other.exclusions),
                           short="symptom control only: " + other.exclusions[0].text)
                )
        candidates.append((chosen, therapy, reasons))

    ranked = sorted(candidates, key=lambda item: _rank_key(item[0], guideline.rank_order))
    out = []
    for rank, (verdict, therapy, reasons) in enumerate(ranked, start=1):
        rec = verdict.rec
        reasons.append(_rank_reason(rank, verdict))
        rates = sorted(therapy.toxicities_for(group.cohort), key=lambda r: (r.percent is None, -(r.percent or 0)))
        out.append(
            Candidate(
                therapy=therapy.id,
                name=therapy.name,
                rank=rank,
                category=verdict.category,
                preference=rec.preference,
                intent=rec.intent,
                recommendation=rec.id,
                basis=rec.basis,
                reasons=tuple(reasons),
                cautions=tuple(_unique(verdict.cautions)),
                toxicities=tuple(ToxicityFigure(r.event, r.percent, r.grades, r.population, ev.cite(r.sources)) for r in rates),
                citations=ev.citations(rec.sources),
                evidence=tuple(_evidence(knowledge, ev, therapy.id, case.site)) if rec.intent == "antitumor" else (),
                tier=_rank_key(verdict, tuple(k for k in guideline.rank_order if k != "listing")),
            )
        )

    for (unknown, settle), names in ev.unknown_effects.items():
        labels = ", ".join(unknown)
        warnings.append(
            Notice("unknown-fact", f"{labels} not stated: {_join(names)} excluded until it is known — {settle}", unknown)
        )
    advice = Advice(
        case_id=case.id,
        case_source=case.source,
        as_of=case.as_of,
        guideline=GuidelineStamp(guideline.id, guideline.version, guideline.effective, guideline.source, guideline.title, knowledge.digest),
        summary=_summary(case, group, facts),
        site_group_name=group.name if group else None,
        candidates=tuple(out),
        excluded=tuple(excluded),
        warnings=tuple(warnings),
        scope=scope,
        history=case.history or (),
        therapy_names={line.therapy: ev.names[line.therapy] for line in case.history or ()},
        context=tuple(_survival_context(knowledge, ev, case)),
    )
    return advice._replace(sources={sid: knowledge.sources[sid].citation for sid in _source_ids(advice)})


def _source_ids(advice: Advice) -> list:
    """Every source id the advice cites, once each, in order of first use."""
    items = [*advice.context, *advice.warnings, *((advice.scope,) if advice.scope else ())]
    for c in advice.candidates:
        items += [*c.reasons, *c.cautions, *c.toxicities, *c.evidence]
    for e in advice.excluded:
        items += e.reasons
    return list(dict.fromkeys(sid for item in items for sid in item.sources))


def _recommendations_by_therapy(guideline, group: str) -> dict:
    """therapy id -> its recommendations for a site group, in listing order (memoized)."""
    key = (id(guideline), group)
    found = _BY_THERAPY.get(key)
    if found is None:
        found = _BY_THERAPY[key] = {}
        for rec in guideline.recommendations:
            if rec.site_group == group:
                found.setdefault(rec.therapy, []).append(rec)
    return found


def _evidence(knowledge: Knowledge, ev: "Evaluator", therapy: str, site: str) -> list:
    """The primary endpoint of every analysis whose population covers the case's site."""
    out = []
    for trial in knowledge.evidence.for_therapy(therapy, site):
        e = trial.primary()
        if e is None:
            continue
        out.append(
            EvidenceFigure(
                trial.id, trial.trial, trial.analysis, trial.population, e.name, e.unit,
                e.treatment, e.control, e.hr, e.hr_ci95, e.p, trial.n, ev.cite(trial.sources),
                e.treatment_text, e.control_text, trial.comparator,
            )
        )
    return out


def _survival_context(knowledge: Knowledge, ev: "Evaluator", case: Case) -> list:
    """SEER 5-year survival for the case's stage and grade, where a table covers its site."""
    stage, grade = case.tumor.get("stage"), case.tumor.get("grade")
    out = []
    for table in knowledge.evidence.survival:
        if case.site not in table.sites:
            continue
        row = table.lookup(stage, grade) or table.lookup(stage, None)
        if row is None:
            continue
        which = f"grade {row[1]}" if row[1] else "all grades (grade not stated)" if grade is None else f"all grades (no row for grade {grade})"
        text = f"{table.title}: {row[2]:g}% for {stage} disease, {which}"
        out.append(Notice(table.id, text, ("tumor.stage", "tumor.grade"), ev.cite(table.sources)))
    return out


def _rank_key(verdict: _Verdict, order: tuple) -> tuple:
    rec = verdict.rec
    values = {
        "intent": INTENT_ORDER.index(rec.intent),
        "category": CATEGORY_ORDER.index(verdict.category),
        "preference": PREFERENCE_ORDER.index(rec.preference),
        "factors": -verdict.factor_total,
        "preference-conflicts": verdict.conflicts,
        "warnings": sum(1 for c in _unique(verdict.cautions) if c.severity == "warning"),
        "listing": rec.order,
    }
    return tuple(values[key] for key in order)


def _rank_reason(rank: int, verdict: _Verdict) -> Reason:
    rec = verdict.rec
    warnings = sum(1 for c in _unique(verdict.cautions) if c.severity == "warning")
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


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        key = (item.code, item.text)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _join(names) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _summary(case: Case, group, facts: dict) -> dict:
    tumor = case.tumor
    ki67 = tumor.get("ki67")
    return {
        "site": case.site,
        "site_group": group.id if group else None,
        "grade": tumor.get("grade"),
        "ki67": ki67.to_list() if ki67 else None,
        "functional": sorted(tumor["functional"]) if tumor.get("functional") else None,
        "sstr": facts["sstr"] or ("unknown" if "sstr" in tumor else None),
        "prior_lines": facts["prior_lines"],
        "differentiation": tumor.get("differentiation"),
        "stage": tumor.get("stage"),
        "metastases": sorted(tumor["metastases"]) if tumor.get("metastases") else None,
    }
