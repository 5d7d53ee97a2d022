"""Decide once per situation: a recommendation's verdict depends on the case only through
the values its rules read, so cases that give the same values share one verdict.

A Plan, compiled once per recommendation and therapy, lists every rule evaluate()
applies (the therapy's label limits and cautions, the recommendation's requirements,
exclusions, cautions and category rules, the guideline's cautions and ranking factors
for it, its approvals) with how each one speaks. A case's key is what each rule
found: only the truth value of a rule that says nothing, and the values a rule's
words show when it speaks (as Evaluator.worded keys its words). Cases with equal
keys get equal verdicts, so the verdict is worked out for the first and copied for
the rest. What the history says (progression, prior toxicity and exposure, in
words that carry the history's own dates) is worked out per case and put first, as
Evaluator.evaluate puts it.
"""

from __future__ import annotations

from ..base.memo import remember
from .eligibility import Evaluator, Verdict, rule_facts

_PLANS: dict = {}  # (id(rec), id(therapy), id(guideline)) -> Plan
_VERDICTS: dict = {}  # (plan, what each rule found) -> (Verdict, the unknown-fact effects it adds)
_MAX_VERDICTS = 16_384  # situations remembered: memory stays flat however large the cohort


class Plan:
    """The rules one recommendation of one therapy is judged by, in a fixed order."""

    __slots__ = ("rec", "therapy", "guideline", "names", "checks", "cautions", "categories", "factors",
                 "approvals", "labelled_from")

    def __init__(self, ev: Evaluator, rec, therapy):
        self.rec, self.therapy, self.guideline, self.names = rec, therapy, ev.guideline, ev.vocab_names
        checks = [(rule, True, True) for rule in therapy.limits]
        checks += [(rule, True, False) for rule in rec.requires]
        checks += [(rule, False, False) for rule in rec.excluded_if]
        targeted_cautions, factors = ev.targeted(therapy, rec.site_group, rec.intent)
        cautions = [rule for rule in therapy.cautions if not rule.intents or rec.intent in rule.intents]
        cautions += [*rec.cautions, *targeted_cautions]
        self.checks = tuple((rule, polarity, limit, rule_facts(rule)) for rule, polarity, limit in checks)
        self.cautions = tuple((rule, rule_facts(rule)) for rule in cautions)
        self.categories = tuple((rule, rule_facts(rule)) for rule in rec.category_rules)
        self.factors = tuple(rule.cond for rule in factors)
        self.approvals = tuple(a.covers for a in therapy.approvals)
        # on or after the last day of every approval, label_date says nothing, whatever the date
        self.labelled_from = max((a.date.last_day() for a in therapy.approvals), default=None)

    def key(self, ev: Evaluator) -> tuple:
        """What each rule finds for the case, as finely as the verdict's words can tell it apart."""
        facts = ev.facts
        found = [self, facts.get("avoid")]
        add = found.append
        for rule, polarity, limit, names in self.checks:
            value = rule.cond.eval(facts) if rule.cond is not None else True
            if value is polarity and not (polarity and rule.cond is not None and not limit):
                add(value)  # unsaid (Evaluator.check)
            else:
                add(_shown(facts, value, names, value is not None))
        for rule, names in self.cautions:
            value = rule.cond.eval(facts) if rule.cond is not None else True
            add(_shown(facts, value, names, False) if value is not False else False)
        for rule, names in self.categories:
            value = rule.cond.eval(facts) if rule.cond is not None else True
            add(_shown(facts, value, names, value is True) if value is not False else False)
            if value is True:
                break  # Evaluator.evaluate stops at the first category rule that holds
        for cond in self.factors:
            add(cond is None or cond.eval(facts) is True)
        if self.labelled_from is not None and ev.case.as_of < self.labelled_from:
            add(ev.case.as_of)
            for covers in self.approvals:
                add(covers is None or covers.eval(facts) is not False)
        return tuple(found)


def _shown(facts: dict, value, names: tuple, shows_values: bool) -> tuple:
    """Evaluator.worded's key: the fact values the words show, or only which are unknown."""
    if shows_values:
        values = [facts.get(name) for name in names]
        return (value, *values, *map(type, values))  # 1, 1.0 and True are equal, and shown apart
    return (value, *[facts.get(name) is None for name in names])


def judge(ev: Evaluator, rec, therapy) -> Verdict:
    """ev.evaluate(rec, therapy): what the history says, worked out per case, before what the
    rules say, worked out once per situation (see the module's text)."""
    plan_key = (id(rec), id(therapy), id(ev.guideline))
    plan = _PLANS.get(plan_key)
    if plan is None or plan.rec is not rec or plan.therapy is not therapy or plan.guideline is not ev.guideline \
            or plan.names is not ev.vocab_names:
        plan = remember(_PLANS, plan_key, Plan(ev, rec, therapy))
    key = plan.key(ev)
    found = _VERDICTS.get(key)
    if found is None:
        effects, ev.unknown_effects = ev.unknown_effects, {}
        try:
            verdict = ev.evaluate(rec, therapy, history=False)
            added = tuple((unknown, len(names)) for unknown, names in ev.unknown_effects.items())
        finally:
            ev.unknown_effects = effects
        found = remember(_VERDICTS, key, (verdict, added), _MAX_VERDICTS)
    verdict, added = found
    for unknown, count in added:
        ev.unknown_effects.setdefault(unknown, []).extend([therapy.name] * count)
    verdict = verdict.copy()
    history = _history(ev, therapy, rec)
    if history is not None:  # the history's exclusions and cautions come first (Evaluator.evaluate)
        verdict.exclusions = history.exclusions + verdict.exclusions
        verdict.cautions = history.cautions + verdict.cautions
    return verdict


def _history(ev: Evaluator, therapy, rec) -> Verdict | None:
    """What the case's history says of a therapy for an intent (once per case), or None
    when it does not touch the therapy."""
    if not (therapy.id in ev.received or ev.toxicity or (rec.intent == "antitumor" and therapy.id in ev.related)):
        return None
    key = (therapy.id, rec.intent)
    found = ev.histories.get(key)
    if found is None:
        found = ev.histories[key] = Verdict(rec)
        ev.history_rules(therapy, rec.intent, found)
    return found if found.exclusions or found.cautions else None
