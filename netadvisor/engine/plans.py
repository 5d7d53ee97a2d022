"""Decide once per situation: a recommendation's verdict depends on the case only through
what its rules find, so cases whose rules find the same share one verdict.

The guideline is compiled once per site group (GroupPlan): every rule its
recommendations are judged by (the therapies' label limits and cautions, the
recommendations' requirements, exclusions, cautions and category rules, the guideline's
cautions and ranking factors), each once, and per recommendation a Plan saying which of
them it reads. Per case, each rule is evaluated once; what it finds is only its truth
value when it says nothing, and the values its words show when it speaks (as
Evaluator.worded keys its words). A recommendation's key is what its rules found, with
the patient's wishes. Cases with equal keys get equal verdicts, so a verdict is worked out
for the first and shared by the rest. What the history says (progression, prior toxicity
and exposure) and what the label date says (an approval after the case's date) carry the
case's own dates: they are worked out per case and put first and last, where
Evaluator.evaluate puts them.
"""

from __future__ import annotations

from operator import itemgetter

from ..base.memo import remember
from .eligibility import Evaluator, Verdict, rule_parts, words_key

_GROUPS: dict = {}  # (id(guideline), site group) -> GroupPlan
_VERDICTS: dict = {}  # (plan, the patient's wishes, what its rules found) -> (Verdict, the unknown-fact effects it adds)
# Situations remembered (~1 KiB each), at least 4,096 and 100 per recommendation of the guideline:
# memory grows with the guideline (a five-fold one would clear a fixed memo every few hundred
# cases) and stays flat however large the cohort.
_MIN_VERDICTS, _VERDICTS_PER_RECOMMENDATION = 4096, 100

# How a rule speaks in evaluate: a label limit, a requirement and an exclusion (Evaluator.check
# with polarity and label_limit), a caution, a category rule, a ranking factor.
LIMIT, REQUIREMENT, EXCLUSION, CAUTION, CATEGORY, FACTOR = range(6)
_CHECKS = {LIMIT: (True, True), REQUIREMENT: (True, False), EXCLUSION: (False, False)}


class GroupPlan:
    """Every rule the recommendations of one site group are judged by, each condition once (many
    are shared: a therapy's label limits, the guideline's cautions, and equal conditions written
    in several recommendations, which the compiler makes one Cond), and a Plan per
    recommendation saying which of them it reads."""

    __slots__ = ("guideline", "names", "tests", "plans")

    def __init__(self, ev: Evaluator, group: str):
        self.guideline, self.names = ev.guideline, ev.vocab_names
        self.tests: list = []  # (role, rule, what its words can show: rule_parts)
        self.plans: dict = {}  # id(rec) -> Plan
        places: dict = {}  # (id(rule.cond), role) -> its place in tests
        for rec in ev.guideline.recommendations:
            if rec.site_group == group:
                self.plans[id(rec)] = Plan(ev, rec, ev.catalogue.therapies[rec.therapy], self, places)

    def place(self, places: dict, rule, role: int) -> int:
        key = (id(rule.cond), role)  # what a rule finds depends on its condition alone, and equal conditions are one Cond
        if key not in places:
            places[key] = len(self.tests)
            self.tests.append((role, rule, rule_parts(rule)))
        return places[key]

    def findings(self, facts: dict) -> list:
        """What each rule finds for a case, as finely as its words can tell cases apart."""
        found = []
        add = found.append
        for role, rule, parts in self.tests:
            value = rule.cond.eval(facts) if rule.cond is not None else True
            if role <= EXCLUSION:
                polarity, limit = _CHECKS[role]
                if value is polarity and not (polarity and rule.cond is not None and not limit):
                    add(value)  # unsaid (Evaluator.check)
                else:
                    add(words_key(facts, value, parts, value is not None))
            elif role == CAUTION:
                add(words_key(facts, value, parts, False) if value is not False else False)
            elif role == CATEGORY:
                add(words_key(facts, value, parts, value is True) if value is not False else False)
            else:
                add(value is True)
        return found

    def verdicts(self, ev: Evaluator, therapy, recs) -> list:
        """[ev.evaluate(rec, therapy) for rec in recs] (recommendations of this group): what the
        history says, worked out per case, before what the rules say, worked out once per
        situation (see the module's text). ev.findings must be this plan's (for_case). A verdict
        may be shared with other cases: copy() it before changing it."""
        found, avoid, as_of = ev.findings[1], ev.facts.get("avoid"), ev.case.as_of
        out = []
        for rec in recs:
            plan = self.plans[id(rec)]
            key = (plan, avoid, plan.pick(found))
            known = _VERDICTS.get(key)
            if known is None:
                known = self._evaluate(ev, rec, therapy, key)
            verdict, added = known
            for unknown, times in added:
                ev.unknown_effects.setdefault(unknown, []).extend([therapy.name] * times)
            history = _history(ev, therapy, rec) if ev.history_touches(therapy.id, rec.intent) else None
            label = _label(ev, therapy, plan) if plan.labelled_from is not None and as_of < plan.labelled_from else None
            if history is not None or label is not None:
                verdict = verdict.copy()  # the history's exclusions and cautions first, the label date's last (Evaluator.evaluate)
                if history is not None:
                    verdict.exclusions = history.exclusions + verdict.exclusions
                    verdict.cautions = history.cautions + verdict.cautions
                if label is not None:
                    verdict.cautions = verdict.cautions + label
            out.append(verdict)
        return out

    def _evaluate(self, ev: Evaluator, rec, therapy, key: tuple) -> tuple:
        """(verdict, the unknown-fact effects it adds) for the first case in a situation, remembered."""
        effects, ev.unknown_effects = ev.unknown_effects, {}
        try:
            verdict = ev.evaluate(rec, therapy, history=False, label=False)
            added = tuple((unknown, len(names)) for unknown, names in ev.unknown_effects.items())
        finally:
            ev.unknown_effects = effects
        limit = max(_MIN_VERDICTS, _VERDICTS_PER_RECOMMENDATION * len(ev.guideline.recommendations))
        return remember(_VERDICTS, key, (verdict, added), limit)


class Plan:
    """The rules one recommendation of one therapy is judged by: their places in the group's."""

    __slots__ = ("rec", "therapy", "places", "pick", "labelled_from")

    def __init__(self, ev: Evaluator, rec, therapy, group: GroupPlan, places: dict):
        self.rec, self.therapy = rec, therapy
        targeted_cautions, factors = ev.targeted(therapy, rec.site_group, rec.intent)
        rules = [(rule, LIMIT) for rule in therapy.limits]
        rules += [(rule, REQUIREMENT) for rule in rec.requires]
        rules += [(rule, EXCLUSION) for rule in rec.excluded_if]
        rules += [(rule, CAUTION) for rule in therapy.cautions if not rule.intents or rec.intent in rule.intents]
        rules += [(rule, CAUTION) for rule in (*rec.cautions, *targeted_cautions)]
        rules += [(rule, CATEGORY) for rule in rec.category_rules]  # all of them: a finer key than needed, never a coarser
        rules += [(rule, FACTOR) for rule in factors]
        self.places = tuple(group.place(places, rule, role) for rule, role in rules)
        # what the rules it reads found, of what the group's found (one item: that item; none: ())
        self.pick = itemgetter(*self.places) if self.places else _nothing
        # on or after the last day of every approval, label_date says nothing, whatever the date
        self.labelled_from = max((a.date.last_day() for a in therapy.approvals), default=None)


def _nothing(found: list) -> tuple:
    return ()


def for_case(ev: Evaluator) -> GroupPlan:
    """The plan of the case's site group, with what its rules find for the case (worked out once per case)."""
    group_key = (id(ev.guideline), ev.group.id)
    group = _GROUPS.get(group_key)
    if group is None or group.guideline is not ev.guideline or group.names is not ev.vocab_names:
        group = remember(_GROUPS, group_key, GroupPlan(ev, ev.group.id), 64)
    if ev.findings is None or ev.findings[0] is not group:
        ev.findings = (group, group.findings(ev.facts))
    return group


def judge(ev: Evaluator, rec, therapy) -> Verdict:
    """ev.evaluate(rec, therapy) for a recommendation of the case's site group (GroupPlan.verdicts)."""
    return for_case(ev).verdicts(ev, therapy, (rec,))[0]


def _history(ev: Evaluator, therapy, rec) -> Verdict | None:
    """What the case's history says of a therapy for an intent (once per case), or None when
    it says nothing; the caller has checked that the history touches the therapy."""
    key = (therapy.id, rec.intent)
    found = ev.histories.get(key)
    if found is None:
        found = ev.histories[key] = Verdict(rec)
        ev.history_rules(therapy, rec.intent, found)
    return found if found.exclusions or found.cautions else None


def _label(ev: Evaluator, therapy, plan: Plan) -> list | None:
    """What the therapy's label date says on the case's date (once per case), or None: the
    words carry the date, and replay and audit judge each decision on its own date. The caller
    has checked that the case's date is before the last day of an approval."""
    found = ev.labels.get(therapy.id)
    if found is None:
        scratch = Verdict(plan.rec)
        ev.label_date(therapy, scratch)
        found = ev.labels[therapy.id] = scratch.cautions
    return found or None
