"""Whether one recommendation applies to the case, and why: the history rules, the
therapy's label limits, the recommendation's requirements and exclusions (each
true, false or unknown), its category rules, and the cautions that keep a
candidate but flag it.
"""

from __future__ import annotations

from ..inputs.case import Case
from ..base.memo import remember
from ..knowledge.conditions import FACTS
from ..knowledge.models import Knowledge, Recommendation, Rule, Therapy, display_names
from .advice import Caution, Reason
from .facts import progressed_on, show_fact

# Per-process memos: guideline data never changes while a process runs.
_CITED: dict = {}
_TARGETED: dict = {}
_WORDS: dict = {}  # (id(rule), role) -> _Said: the rule's words per the fact values they show
_NAMES: dict = {}  # (id(catalogue), id(guideline)) -> (catalogue, guideline, display names)
_POLICY = ("netadvisor-policy",)  # the source of what netadvisor itself decides (history rules)
_MAX_WORDS = 4096  # rules, and wordings per rule, remembered (memory stays flat however large the cohort)
_LABEL_WORDS: dict = {}  # (id(therapy), date, the approvals that cover the case) -> (therapy, its cautions: one or none)


class Verdict:
    """What evaluating one recommendation found."""

    def __init__(self, rec: Recommendation):
        self.rec = rec
        self.exclusions: list = []
        self.cautions: list = []
        self.reasons: list = []
        self.category = rec.category
        self.category_origin = "stated" if rec.category else None
        self.factor_total = 0  # ranking factors a guideline states
        self.practice_total = 0  # ranking factors from one author's practice
        self.conflicts = 0
        self.step_rank = 0  # place among the first options of the algorithm's step (after them: their count)
        self.scheme = None  # the guideline's evidence scheme, when it writes levels
        self.level_rank = 0  # the rank of the recommendation's level on the common scale
        self.ranked = None  # (ranking keys, rank_key's key), remembered: a judged verdict is final

    @property
    def ok(self) -> bool:
        return not self.exclusions

    def copy(self) -> "Verdict":
        """A verdict of its own (advise sets its step), sharing the lists, which are final."""
        twin = Verdict.__new__(Verdict)
        twin.__dict__.update(self.__dict__)
        twin.ranked = None  # the copy is made to be changed
        return twin

    @property
    def demotions(self) -> list:
        """The cautions that move this candidate down, once each."""
        seen: dict = {}
        for c in self.cautions:
            if c.demotes:
                seen.setdefault((c.code, c.text), c)
        return list(seen.values())


class Evaluator:
    def __init__(self, case: Case, knowledge: Knowledge, group, facts: dict):
        self.case = case
        self.kb = knowledge
        self.guideline = knowledge.guideline
        self.catalogue = knowledge.catalogue
        self.group = group
        self.facts = facts
        # display names by the vocabulary a fact's values come from (conditions.FACTS)
        self.vocab_names = _names(self.catalogue, self.guideline)
        self.names = self.vocab_names["therapies"]
        self.class_names = self.vocab_names["classes"]
        self.history = case.history or ()
        self.received = frozenset(line.therapy for line in self.history)
        self.related = frozenset(t for r in self.received for t in self.catalogue.progression_excludes.get(r, ()))
        self.toxicity = any(line.toxicity for line in self.history)
        self.unknown_effects: dict = {}  # (fact paths, settle) -> [therapy names]
        self.histories: dict = {}  # (therapy id, intent) -> what the history says of it (plans.judge)
        self.findings = None  # (the site group's plan, what each of its rules finds) (plans.judge)
        self.labels: dict = {}  # therapy id -> what its label date says on the case's date (plans.judge)

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

    def check(self, rule: Rule, verdict: Verdict, therapy: Therapy, polarity: bool = True, label_limit: bool = False):
        """Apply a requirement (polarity True) or an exclusion (False) to a verdict."""
        value = rule.cond.eval(self.facts) if rule.cond is not None else True
        if value is polarity and not (polarity and rule.cond is not None and not label_limit):
            return  # an exclusion that does not apply, or a label limit that holds: unsaid
        kind, item = self.worded(rule, (polarity, label_limit), value, value is not None, self._check_words)
        if kind is not None:
            getattr(verdict, kind).append(item)
        if kind == "exclusions" and value is None and rule.settle:
            self.unknown_effects.setdefault((item.unknown, rule.settle), []).append(therapy.name)

    def _check_words(self, rule: Rule, role: tuple, value) -> tuple:
        """(the verdict's list, the item it gets) for a requirement or exclusion that says something."""
        polarity, _ = role
        if value is None:
            says, paths, unknown = self.case_says(rule, only_unknown=True)
            settle = f"; {rule.settle}" if rule.settle else ""
            text = f"{_needs(rule, polarity)} — {says}{settle}"
            if rule.if_unknown == "exclude":
                return "exclusions", Reason("unknown-fact", text, paths, unknown, self.cite(rule.sources))
            if rule.if_unknown == "caution":
                return "cautions", Caution(rule.code, "info", text, self.cite(rule.sources), rule.demotes)
            return None, None
        says, paths, _ = self.case_says(rule)
        if value is polarity:
            return "reasons", Reason(f"meets-{rule.code}", f"{rule.text} ({says})", paths, short=rule.text)
        text = f"{_needs(rule, polarity)} ({says})"
        if rule.if_false == "caution":
            return "cautions", Caution(rule.code, rule.severity, f"off-label: {text}", self.cite(rule.sources), rule.demotes)
        return "exclusions", Reason(rule.code, text, paths, (), self.cite(rule.sources))

    def caution_rule(self, rule: Rule, verdict: Verdict):
        value = rule.cond.eval(self.facts) if rule.cond is not None else True
        if value is True or (value is None and rule.if_unknown == "caution"):
            verdict.cautions.append(self.worded(rule, "caution", value, False, self._caution_words))

    def _caution_words(self, rule: Rule, role: str, value) -> Caution:
        if value is True:
            return Caution(rule.code, rule.severity, rule.text, self.cite(rule.sources), rule.demotes)
        says, _, _ = self.case_says(rule, only_unknown=True)
        settle = f"; {rule.settle}" if rule.settle else ""
        return Caution(rule.code, rule.severity, f"{rule.text} ({says}){settle}", self.cite(rule.sources))

    def _category_words(self, rule: Rule, role: str, value) -> Reason:
        if value is True:
            says, paths, _ = self.case_says(rule)
            return Reason("category-rule", f"{rule.text} ({says})", paths, (), self.cite(rule.sources), rule.text)
        says, _, unknown = self.case_says(rule, only_unknown=True)
        return Reason("category-rule-unknown", f"{rule.text} — cannot be applied, {says}", (), unknown)

    def worded(self, rule: Rule, role, value, shows_values: bool, word):
        """word(rule, role, value): what a rule says of the case in its role, worded once per the
        fact values the words show (all of them when shows_values, else only which are unknown)
        and reused for every case that gives the same ones."""
        said = _WORDS.get((id(rule), role))
        if said is None or said.rule is not rule or said.names is not self.vocab_names:
            said = remember(_WORDS, (id(rule), role), _Said(rule, self.vocab_names), _MAX_WORDS)
        key = words_key(self.facts, value, said.parts, shows_values)
        found = said.words.get(key)
        if found is None:
            found = remember(said.words, key, word(rule, role, value), _MAX_WORDS)
        return found

    # history

    def lines_of(self, therapy_id: str) -> list:
        return [line for line in self.history if line.therapy == therapy_id] if therapy_id in self.received else []

    def history_touches(self, therapy_id: str, intent: str) -> bool:
        """Whether any history rule can speak of the therapy: received, any prior toxicity, or
        progression on a therapy that rules it out (for tumour control)."""
        return therapy_id in self.received or self.toxicity or (intent == "antitumor" and therapy_id in self.related)

    def history_rules(self, therapy: Therapy, intent: str, verdict: Verdict):
        if not self.history_touches(therapy.id, intent):
            return  # no rule of the history applies
        severe = self.guideline.severe_toxicity_grade
        policy = _POLICY
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
        if intent == "antitumor" and therapy.id in self.related:
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

    def related_toxicity(self, therapy: Therapy, verdict: Verdict):
        """A prior toxicity of the same class or the same adverse event, with this therapy's own rate."""
        if not self.toxicity:
            return
        cohort = self.group.cohort_for(self.case.site) if self.group else "all"
        demote_grade = self.guideline.demote_toxicity_grade
        for line in self.history:
            if line.therapy == therapy.id:
                continue
            other = self.catalogue.therapies[line.therapy]
            same_class = other.cls == therapy.cls
            for tox in line.toxicity:
                own = self.catalogue.related_rates(therapy, cohort, tox.event)
                if not (same_class or own):
                    continue
                link = f", a {self.class_names[other.cls]} like {therapy.name}" if same_class else ""
                text = f"{tox.describe()} on {other.name} ({line.stop_date()}){link}"
                if own:
                    text += "; " + "; ".join(f"{therapy.name}: {_rate(r)}" for r in own)
                severity = "warning" if tox.grade is None or tox.grade >= self.guideline.severe_toxicity_grade else "info"
                sources = self.cite(s for r in own for s in r.sources) or _POLICY
                # A grade this high (or not stated) in the same class moves the candidate down, not only flags it.
                demotes = same_class and demote_grade is not None and (tox.grade is None or tox.grade >= demote_grade)
                verdict.cautions.append(Caution("related-prior-toxicity", severity, text, sources, demotes))

    def preference_conflicts(self, therapy: Therapy, verdict: Verdict):
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

    def label_date(self, therapy: Therapy, verdict: Verdict):
        """Was the use labelled on the case's date? Only approvals that cover the case count. The words
        depend on the date and on which approvals count alone, so are worked out once for each: replay
        and audit judge thousands of decisions on a few hundred dates (a start known to the month)."""
        relevant = tuple(i for i, a in enumerate(therapy.approvals) if a.covers is None or a.covers.eval(self.facts) is not False)
        key = (id(therapy), self.case.as_of, relevant)
        said = _LABEL_WORDS.get(key)
        if said is None or said[0] is not therapy:
            said = remember(_LABEL_WORDS, key, (therapy, _label_words(self, [therapy.approvals[i] for i in relevant])), _MAX_WORDS)
        verdict.cautions.extend(said[1])

    # a recommendation

    def evaluate(self, rec: Recommendation, therapy: Therapy, history: bool = True, label: bool = True) -> Verdict:
        """The history, the therapy's label limits, the recommendation's requirements and
        exclusions, then the cautions, in that order (the label date's last); category and ranking
        factors. plans.judge works out the history's and the label date's part per case (history,
        label False) and the rest once per situation."""
        verdict = Verdict(rec)
        if history:
            self.history_rules(therapy, rec.intent, verdict)
        for rule in therapy.limits:
            self.check(rule, verdict, therapy, label_limit=True)
        for rule in rec.requires:
            self.check(rule, verdict, therapy)
        for rule in rec.excluded_if:
            self.check(rule, verdict, therapy, polarity=False)
        self._therapy_cautions(therapy, rec, verdict)
        for rule in rec.cautions:
            self.caution_rule(rule, verdict)
        factors = self._late(therapy, rec, verdict, label)
        for rule in rec.category_rules:
            value = rule.cond.eval(self.facts) if rule.cond else True
            if value is True:
                verdict.category, verdict.category_origin = rule.category, "stated"
                verdict.reasons.insert(0, self.worded(rule, "category", value, True, self._category_words))
                break
            if value is None:
                verdict.reasons.append(self.worded(rule, "category", value, False, self._category_words))
        scheme = self.guideline.scheme
        if scheme is not None and scheme.patterns:
            verdict.scheme, verdict.level_rank = scheme, scheme.rank(scheme.grade_of(rec.level))
        default = self.guideline.default_category
        if verdict.category is None and default and rec.basis == "guideline" and rec.in_table:
            verdict.category, verdict.category_origin = default.category, "default"
        self._factors(factors, verdict)
        return verdict

    def _therapy_cautions(self, therapy: Therapy, rec: Recommendation, verdict: Verdict):
        for rule in therapy.cautions:
            if not rule.intents or rec.intent in rule.intents:
                self.caution_rule(rule, verdict)

    def _late(self, therapy: Therapy, rec: Recommendation, verdict: Verdict, label: bool = True) -> tuple:
        """The guideline's cautions for the therapy, the patient's wishes, the label date;
        returns the guideline's ranking factors for it (for _factors)."""
        cautions, factors = self.targeted(therapy, rec.site_group, rec.intent)
        for rule in cautions:
            self.caution_rule(rule, verdict)
        self.preference_conflicts(therapy, verdict)
        if label:
            self.label_date(therapy, verdict)
        return factors

    def _factors(self, factors: tuple, verdict: Verdict):
        """The ranking factors that hold: totals and reasons."""
        for rule in factors:
            if (rule.cond.eval(self.facts) if rule.cond else True) is True:
                if rule.basis == "practice":
                    verdict.practice_total += rule.effect
                else:
                    verdict.factor_total += rule.effect
                verdict.reasons.append(self.worded(rule, "factor", True, False, self._factor_words))

    def _factor_words(self, rule: Rule, role: str, value) -> Reason:
        sign = "ranks it earlier" if rule.effect > 0 else "ranks it later"
        return Reason(f"rank-{rule.code}", f"{rule.text} ({sign})", (), (), self.cite(rule.sources), rule.text)

    def listing_reason(self, verdict: Verdict) -> Reason:
        rec, g = verdict.rec, self.guideline
        sources = rec.sources
        if rec.basis == "label":
            text = f"FDA label, not the guideline: {g.source} states no position in netadvisor's sources"
        elif rec.basis == "practice":
            text = "reported practice (Paulson 2025), not a guideline recommendation"
        elif rec.basis == "other-guideline":
            text = f"{g.source}'s position is not stated in netadvisor's sources; another guideline body lists it"
            if rec.notes:
                text += f" — {rec.notes}"
        else:
            text = f"{g.source} lists it for {self.group.name}"
            if rec.wording:
                text += f" (as {rec.wording})"
        if verdict.scheme is not None:  # a body with its own marks: [II, B], A-1b
            details = [rec.level or "level not stated"]
        else:
            details = [category_words(verdict.category, verdict.category_origin, rec),
                       rec.preference.replace("-", " ") if rec.preference else "preference not stated"]
        if verdict.category_origin == "default":
            sources = tuple(dict.fromkeys((*sources, *g.default_category.sources)))
        if rec.intent != "antitumor":
            details.insert(0, rec.intent.replace("-", " "))
        return Reason("recommended", f"{text} ({', '.join(details)})", (), (), self.cite(sources))


class _Said:
    """A rule's words per the fact values they show, for the vocabulary names they were worded with."""

    __slots__ = ("rule", "names", "parts", "words")

    def __init__(self, rule: Rule, names: dict):
        self.rule, self.names, self.words, self.parts = rule, names, {}, rule_parts(rule)


_SET_TESTS = ("includes_any", "includes_all")


def rule_parts(rule: Rule) -> tuple:
    """What a rule's words can show (case_says, show_leaf), once each: per leaf, its fact and, for
    a set test, the members it tests (of a set the words show only those, when it has any)."""
    if rule.cond is None:
        return ()
    parts = dict.fromkeys((leaf.fact, leaf.value if leaf.op in _SET_TESTS else None) for leaf in rule.cond.leaves())
    if ("site_group", None) in parts:  # 'in no site group' is worded with the site
        parts[("site", None)] = None
    return tuple(parts)


def words_key(facts: dict, value, parts: tuple, shows_values: bool) -> tuple:
    """What tells a rule's words for one case from its words for another: its value and what its
    words show of the facts (rule_parts) when shows_values, else only which facts are unknown.
    Equal keys, equal words (Evaluator.worded); plans.py keys situations by it too."""
    if not shows_values:
        return (value, *[facts.get(fact) is None for fact, _ in parts])
    values = []
    for fact, tested in parts:
        have = facts.get(fact)
        if tested is not None and type(have) is frozenset:
            hit = have & tested
            if hit:  # show_leaf shows the members tested, not the whole set
                have = hit
        values.append(have)
    return (value, *values, *map(type, values))  # 1, 1.0 and True are equal, and shown apart


def _names(catalogue, guideline) -> dict:
    found = _NAMES.get((id(catalogue), id(guideline)))
    if found is None or found[0] is not catalogue or found[1] is not guideline:
        found = remember(_NAMES, (id(catalogue), id(guideline)), (catalogue, guideline, display_names(catalogue, guideline)), 64)
    return found[2]


def category_words(category: str | None, origin: str | None, rec: Recommendation) -> str:
    """'category 1', 'category 2A (NCCN default: listed without a category)', 'category not stated (...)'."""
    if category and origin == "default":
        return f"category {category} (NCCN default: listed without a category)"
    if category:
        return f"category {category}"
    if rec.basis != "guideline":
        return "category not stated (outside the guideline's tables)"
    if not rec.in_table:
        return "category not stated (this version's own listing was not read)"
    return "category not stated"


def _needs(rule: Rule, polarity: bool) -> str:
    """Requirement texts are noun phrases ('SSTR-positive disease')."""
    return f"requires {rule.text}" if polarity else f"excluded when {rule.text}"


def _rate(rate) -> str:
    event = rate.event.replace("-", " ")
    if rate.percent is None:
        return f"{event} (rate not stated; {rate.population})"
    return f"grade {rate.grades} {event} {rate.percent:g}% ({rate.population})"


def _label_words(ev: Evaluator, relevant: list) -> tuple:
    """What the label date says on the case's date of a use the approvals `relevant` cover: a caution or nothing."""
    as_of = ev.case.as_of
    if not relevant or any(a.date.last_day() <= as_of for a in relevant):
        return ()
    sources, which = ev.cite(s for a in relevant for s in a.sources), "; ".join(f"{a.indication} ({a.date})" for a in relevant)
    if any(a.date.first_day() <= as_of for a in relevant):
        return (Caution("label-date-uncertain", "info", f"FDA approval known only to {which}: whether it was labelled on {as_of} cannot be told", sources),)
    return (Caution("off-label-at-date", "warning", f"off-label on {as_of}: FDA approval came later — {which}", sources),)
