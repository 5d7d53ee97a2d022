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
lives in the data; this package only applies it: facts.py reads the case,
eligibility.py judges one recommendation, evidence.py picks the trial figures,
ranking.py orders the candidates, and advise() here puts the Advice together.
"""

from __future__ import annotations

from ..inputs.case import Case
from ..knowledge.models import Knowledge, Recommendation
from .advice import Advice, Candidate, Excluded, GuidelineStamp, Notice, Reason, ToxicityFigure
from .eligibility import Evaluator, Verdict
from .evidence import survival_context, trial_evidence
from .facts import case_facts
from .ranking import INTENT_ORDER, rank_key, rank_reason, unique

_BY_THERAPY: dict = {}


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
            probe = Verdict(Recommendation(f"{group.id}-{tid}", tid, group.id, "antitumor", None, None, "guideline"))
            ev.history_rules(therapy, "antitumor", probe)
            excluded.append(Excluded(tid, therapy.name, tuple(reasons + probe.exclusions), rec_ids))
            continue
        verdicts = [ev.evaluate(rec, therapy) for rec in recs]
        eligible = sorted((v for v in verdicts if v.ok), key=lambda v: (INTENT_ORDER.index(v.rec.intent), v.rec.order))
        if not eligible:
            reasons = unique(r for v in verdicts for r in v.exclusions)
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

    ranked = sorted(candidates, key=lambda item: rank_key(item[0], guideline.rank_order))
    out = []
    for rank, (verdict, therapy, reasons) in enumerate(ranked, start=1):
        rec = verdict.rec
        reasons.append(rank_reason(rank, verdict))
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
                cautions=tuple(unique(verdict.cautions)),
                toxicities=tuple(ToxicityFigure(r.event, r.percent, r.grades, r.population, ev.cite(r.sources)) for r in rates),
                citations=ev.citations(rec.sources),
                evidence=tuple(trial_evidence(knowledge, ev, therapy.id, case.site)) if rec.intent == "antitumor" else (),
                tier=rank_key(verdict, tuple(k for k in guideline.rank_order if k != "listing")),
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
        context=tuple(survival_context(knowledge, ev, case)),
        preferences=case.data.get("preferences", {}),
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
