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

from typing import NamedTuple

from ..base.memo import per_object, remember
from ..inputs.case import Case
from ..knowledge.models import Knowledge, Recommendation, Rule
from .advice import Advice, Candidate, Excluded, GuidelineStamp, Notice, Reason, ToxicityFigure
from .eligibility import Evaluator, Verdict
from .evidence import survival_context, trial_evidence
from .facts import case_facts
from .plans import for_case
from .ranking import INTENT_ORDER, rank_key, rank_reason, unique

_GROUP_TABLES: dict = {}  # (id(guideline), site group) -> (guideline, _group_tables)
_NONE = ([], ())  # a therapy with no recommendation for the group
_TOXICITIES: dict = {}  # (id(therapy), cohort) -> (therapy, its ToxicityFigures): the objects live on in it
_LISTED: dict = {}  # (id(rec), id(guideline), group, category, origin, no scheme) -> (rec, guideline, its listing Reason)


class CaseStep(NamedTuple):
    """The algorithm step a case is at, and the options that come first there, in order."""

    id: str
    name: str
    first: tuple  # therapy ids


def advise(case: Case, knowledge: Knowledge, words: bool = True) -> Advice:
    """The advice for a case. Without words (decide only: CSV, check, replay, audit), the
    same candidates, ranks, exclusions and warnings, but no candidate reasons, cautions,
    toxicities, citations or evidence, no context and no source map: the parts those
    outputs never show."""
    guideline = knowledge.guideline
    facts = case_facts(case, knowledge, None)
    group = guideline.group_of(case.site, facts)
    facts["site_group"] = group.id if group else None
    ev = Evaluator(case, knowledge, group, facts)
    warnings = [Notice(code, text) for code, text in knowledge.warnings]
    if not case.as_of_stated:
        warnings.append(Notice("as-of-default", f"the case gives no as_of date; advice is as of {case.as_of}", ("as_of",)))
    warnings.extend(Notice(code, text) for code, text in case.warnings)
    if case.history is None:
        warnings.append(Notice("history-not-stated", "the case states no treatment history: rules about prior therapy treat it as unknown", ("history",)))

    scope, out_of_scope, scope_intents = None, None, frozenset()
    for rule in guideline.scope:
        value = rule.cond.eval(facts) if rule.cond else True
        if value is True or (value is None and rule.if_unknown == "exclude"):
            says, paths, _ = ev.case_says(rule)
            settle = f"; {rule.settle}" if rule.settle else ""
            scope = Notice(rule.code, f"{rule.text} ({says}){settle}", paths, ev.cite(rule.sources))
            out_of_scope = Reason(f"out-of-scope-{rule.code}", f"outside the guideline's scope ({says})", paths)
            scope_intents = rule.intents  # empty: every intent
            break
    for rule in guideline.notices if scope is None else ():
        value = rule.cond.eval(facts) if rule.cond else True
        if value is True:
            warnings.append(Notice(rule.code, rule.text, (), ev.cite(rule.sources)))

    candidates, excluded = [], []
    therapy_ids, by_therapy, not_recommended = _group_tables(guideline, group.id) if group else ((), {}, {})
    plan = for_case(ev) if group else None
    for tid in therapy_ids:
        therapy = knowledge.catalogue.therapies[tid]
        recs, rec_ids = by_therapy.get(tid, _NONE)
        in_scope = recs if out_of_scope is None else [r for r in recs if scope_intents and r.intent not in scope_intents]
        if out_of_scope is not None and not in_scope:
            excluded.append(Excluded(tid, therapy.name, (out_of_scope,), rec_ids))
            continue
        not_listed = not_recommended.get(tid, ())
        if not_listed or not recs:
            reasons = [Reason(n.code, n.text, ("tumor.primary_site",), (), ev.cite(n.sources)) for n in not_listed]
            excluded.append(Excluded(tid, therapy.name, tuple(reasons + _history_exclusions(ev, therapy, group)), rec_ids))
            continue
        verdicts = plan.verdicts(ev, therapy, in_scope)
        eligible = [v for v in verdicts if not v.exclusions]  # v.ok, inlined: the hot path
        if len(eligible) > 1:
            eligible.sort(key=lambda v: (INTENT_ORDER.index(v.rec.intent), v.rec.order))
        if not eligible:
            reasons = unique(r for v in verdicts for r in v.exclusions)
            if len(in_scope) < len(recs):
                reasons.insert(0, out_of_scope)
            excluded.append(Excluded(tid, therapy.name, tuple(reasons), rec_ids))
            continue
        chosen = eligible[0]
        scope_limited = out_of_scope if out_of_scope is not None and len(in_scope) < len(recs) else None
        candidates.append((chosen, therapy, _candidate_reasons(ev, chosen, verdicts, eligible, scope_limited) if words else None))
    excluded.extend(_unlisted_history(ev, case, group, therapy_ids, out_of_scope if not scope_intents else None))

    step, step_notice = _algorithm_step(guideline, group, facts, ev) if group and out_of_scope is None else (None, None)
    if step is None and step_notice is not None:  # the step cannot be told: say what would settle it
        warnings.append(step_notice)
    for i, (verdict, therapy, reasons) in enumerate(candidates if step is not None else ()):
        if verdict.rec.intent == "antitumor":
            verdict = verdict.copy()  # judged verdicts are shared between cases
            verdict.step_rank = step.first.index(therapy.id) if therapy.id in step.first else len(step.first)
            candidates[i] = verdict, therapy, reasons

    order = guideline.rank_order
    listing = order.index("listing") if "listing" in order else len(order)
    ranked = sorted(((rank_key(item[0], order), item) for item in candidates), key=lambda keyed: keyed[0])
    out = []
    cohort = group.cohort_for(case.site) if group else None
    for rank, (key, (verdict, therapy, reasons)) in enumerate(ranked, start=1):
        rec = verdict.rec
        if words:
            reasons.append(rank_reason(rank, verdict, order, step))
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
                reasons=tuple(reasons) if words else (),
                cautions=tuple(unique(verdict.cautions)) if words else (),
                toxicities=_toxicities(therapy, cohort) if words else (),
                citations=ev.citations(rec.sources) if words else (),
                evidence=trial_evidence(knowledge, ev, therapy.id, case.site) if words and rec.intent == "antitumor" else (),
                tier=key[:listing] + key[listing + 1:],  # the key but the listing order
                category_origin=verdict.category_origin,
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
        guideline=_stamp(knowledge),
        summary=_summary(case, group, facts),
        site_group_name=group.name if group else None,
        candidates=tuple(out),
        excluded=tuple(excluded),
        warnings=tuple(warnings),
        scope=scope,
        history=case.history or (),
        therapy_names={line.therapy: ev.names[line.therapy] for line in case.history or ()},
        context=tuple(survival_context(knowledge, ev, case)) if words else (),
        step=step and step_notice._replace(code=step.id),
        preferences=case.data.get("preferences", {}),
        case_facts={key: case.data.get(key, {}) for key in ("patient", "tumor", "disease")},
    )
    if not words:
        return advice
    return advice._replace(sources={sid: knowledge.sources[sid].citation for sid in _source_ids(advice)})


def _stamp_of(knowledge: Knowledge) -> GuidelineStamp:
    g = knowledge.guideline
    return GuidelineStamp(g.id, g.version, g.effective, g.source, g.title, knowledge.digest, g.effective_written)


_stamp = per_object(_stamp_of, 64)  # one stamp per guideline body, for all its cases: writers write it once


def _candidate_reasons(ev: Evaluator, chosen: Verdict, verdicts: list, eligible: list, scope_limited: Reason | None) -> list:
    """Why a therapy is a candidate: its listing, what its recommendation met, and what its
    other recommendations say (the rank reason comes last, once it is ranked)."""
    reasons = [_listing_reason(ev, chosen)] + chosen.reasons
    for other in verdicts:
        if chosen.rec.intent != "antitumor" and not other.ok and other.rec.intent == "antitumor":
            reasons.append(
                Reason("not-for-tumour-control", "not for tumour control: " + "; ".join(r.text for r in other.exclusions),
                       short="symptom control only: " + other.exclusions[0].text)
            )
    also = [v for v in eligible if v.rec.intent != chosen.rec.intent]
    if also:  # e.g. everolimus for tumour control that also steadies an insulinoma's glucose
        other = also[0].rec
        reasons.append(Reason("also-for", f"also for {other.intent.replace('-', ' ')} ({other.id})", (), (), ev.cite(other.sources)))
    if scope_limited is not None:
        reasons.append(Reason("scope-limited", f"{scope_limited.text}: offered for {chosen.rec.intent.replace('-', ' ')} only", scope_limited.facts))
    return reasons


def _listing_reason(ev: Evaluator, verdict: Verdict) -> Reason:
    """ev.listing_reason, memoized: the same object for every case it fits, so writers write it once."""
    key = (id(verdict.rec), id(ev.guideline), ev.group.id, verdict.category, verdict.category_origin, verdict.scheme is None)
    found = _LISTED.get(key)
    if found is None or found[0] is not verdict.rec or found[1] is not ev.guideline:
        found = remember(_LISTED, key, (verdict.rec, ev.guideline, ev.listing_reason(verdict)))
    return found[2]


def _algorithm_step(guideline, group, facts: dict, ev: Evaluator) -> tuple:
    """(CaseStep, Notice) for the first step of the group's algorithm whose condition
    holds; (None, Notice) when a step's condition cannot be told; (None, None) when
    the guideline has no step for the case."""
    for step in guideline.steps:
        if group.id not in step.site_groups:
            continue
        value = step.cond.eval(facts) if step.cond is not None else True
        if value is False:
            continue
        rule = Rule(step.id, step.cond, step.text, step.sources, settle=step.settle)
        if value is None:
            says, paths, unknown = ev.case_says(rule, only_unknown=True)
            settle = f" — {step.settle}" if step.settle else ""
            text = f"where the case stands in the guideline's algorithm cannot be told ({says}){settle}; options are ordered by category and tier"
            return None, Notice("algorithm-step-unknown", text, unknown, ev.cite(step.sources))
        first = tuple(dict.fromkeys(tid for tid, cond in step.first if cond is None or cond.eval(facts) is True))
        says, paths, _ = ev.case_says(rule)
        shown = f" ({says})" if says else ""
        return CaseStep(step.id, step.name, first), Notice("algorithm-step", f"{step.text}{shown}", paths, ev.cite(step.sources))
    return None, None


def _history_exclusions(ev: Evaluator, therapy, group) -> list:
    """What the history alone says against a therapy (progression, severe toxicity)."""
    probe = Verdict(Recommendation(f"{group.id if group else 'none'}-{therapy.id}", therapy.id, "", "antitumor", None, None, "guideline"))
    ev.history_rules(therapy, "antitumor", probe)
    return probe.exclusions


def _unlisted_history(ev: Evaluator, case: Case, group, listed, out_of_scope) -> list:
    """Every therapy of the history is accounted for: one the guideline does not list for
    the case's group is excluded as such, with what the history says against it."""
    out = []
    for tid in dict.fromkeys(line.therapy for line in case.history or ()):
        if tid in listed:
            continue
        therapy = ev.catalogue.therapies[tid]
        where = f"for {group.name}" if group else "for this primary site"
        reasons = [out_of_scope] if out_of_scope is not None else []
        reasons.append(
            Reason("not-listed", f"not among the options {ev.guideline.source} lists {where} in netadvisor's sources (its position is not stated)",
                   ("history",), (), ev.cite(ev.guideline.sources))
        )
        out.append(Excluded(tid, therapy.name, tuple(reasons + _history_exclusions(ev, therapy, group))))
    return out


def _source_ids(advice: Advice) -> list:
    """Every source id the advice cites, once each, in order of first use."""
    items = [*advice.context, *advice.warnings, *((advice.scope,) if advice.scope else ())]
    for c in advice.candidates:
        items += [*c.reasons, *c.cautions, *c.toxicities, *c.evidence]
    for e in advice.excluded:
        items += e.reasons
    return list(dict.fromkeys(sid for item in items for sid in item.sources))


def _toxicities(therapy, cohort: str) -> tuple:
    """A therapy's toxicity figures for a cohort, the most frequent first (memoized)."""
    key = (id(therapy), cohort)
    found = _TOXICITIES.get(key)
    if found is None or found[0] is not therapy:
        rates = sorted(therapy.toxicities_for(cohort), key=lambda r: (r.percent is None, -(r.percent or 0)))
        figures = tuple(ToxicityFigure(r.event, r.percent, r.grades, r.population, tuple(dict.fromkeys(r.sources))) for r in rates)
        found = _TOXICITIES[key] = (therapy, figures)
    return found[1]


def _group_tables(guideline, group: str) -> tuple:
    """(guideline.therapies_for(group), {therapy id: (its recommendations for the group in listing
    order, their ids)}, {therapy id: what the guideline names for the group but does not
    recommend there}), memoized: they cost a walk over every recommendation."""
    key = (id(guideline), group)
    found = _GROUP_TABLES.get(key)
    if found is None or found[0] is not guideline:
        recs: dict = {}
        for rec in guideline.recommendations:
            if rec.site_group == group:
                recs.setdefault(rec.therapy, []).append(rec)
        listed: dict = {}
        for item in guideline.not_recommended:
            if item.site_group == group:
                listed.setdefault(item.therapy, []).append(item)
        by_therapy = {tid: (items, tuple(r.id for r in items)) for tid, items in recs.items()}
        found = _GROUP_TABLES[key] = (guideline, (tuple(guideline.therapies_for(group)), by_therapy, listed))
    return found[1]


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
