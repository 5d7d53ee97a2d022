"""The engine's shortcuts give what the long way gives: a verdict decided once per situation
and copied to every case in the same one (engine/plans.py), and advice decided without its words."""

import sys

import pytest
from conftest import ROOT, make_case, shipped_cases

from netadvisor.core import advise_case
from netadvisor.engine import plans
from netadvisor.engine.eligibility import Evaluator
from netadvisor.engine.facts import case_facts
from netadvisor.engine.ranking import _KEYS, rank_key
from netadvisor.inputs.case_reader import load_case

sys.path.insert(0, str(ROOT / "benchmarks"))
import cohort as synthetic  # noqa: E402


def _verdict(v) -> tuple:
    return (list(v.exclusions), list(v.cautions), list(v.reasons), v.category, v.category_origin,
            v.factor_total, v.practice_total, v.conflicts, v.scheme, v.level_rank)


def _cases(library):
    spec = library.catalogue.therapy_spec()
    yield from (load_case(path, spec) for path in shipped_cases())
    yield from (make_case(library, data) for data in synthetic.cases(150, seed=5))


@pytest.mark.parametrize("small_memo", [False, True], ids=["memo", "memo-cleared-often"])
def test_a_verdict_decided_once_per_situation_is_the_verdict_worked_out_in_full(library, monkeypatch, small_memo):
    """Every recommendation of every case's site group, twice over (the second time from the
    memo, filled by every case before): the same exclusions, cautions, reasons, ranking facts
    and ranking key as the long way, in the same order, and the same unknown-fact effects.
    With a memo of one situation per recommendation, it is cleared every few cases and never
    holds more."""
    if small_memo:
        monkeypatch.setattr(plans, "_MIN_VERDICTS", 1)
        monkeypatch.setattr(plans, "_VERDICTS_PER_RECOMMENDATION", 1)
    plans._VERDICTS.clear()
    cases = list(_cases(library))
    for case in cases + cases:
        knowledge = library.pick(None, case.as_of)
        guideline = knowledge.guideline
        facts = case_facts(case, knowledge, None)
        group = guideline.group_of(case.site, facts)
        facts["site_group"] = group.id if group else None
        if group is None:
            continue
        direct, judged = Evaluator(case, knowledge, group, facts), Evaluator(case, knowledge, group, facts)
        for rec in guideline.recommendations:
            if rec.site_group != group.id:
                continue
            therapy = knowledge.catalogue.therapies[rec.therapy]
            verdict, worked_out = plans.judge(judged, rec, therapy), direct.evaluate(rec, therapy)
            assert _verdict(verdict) == _verdict(worked_out), (case.id, rec.id)
            # the key remembered on a shared verdict (filled by an earlier case) is the key worked out afresh
            assert rank_key(verdict, guideline.rank_order) == tuple(_KEYS[k](worked_out) for k in guideline.rank_order), (case.id, rec.id)
        assert judged.unknown_effects == direct.unknown_effects, case.id
        if small_memo:
            assert len(plans._VERDICTS) <= len(guideline.recommendations)
    assert 0 < len(plans._VERDICTS) < len(cases) * 10  # situations were shared, not one per evaluation
    plans._VERDICTS.clear()  # made under a limit of this test's


def test_words_remembered_per_rule_are_the_words_worked_out_afresh(library, monkeypatch):
    """Evaluator.worded words a rule once per words_key and hands those words to every case with
    the same key (a set shown only as far as the rule tests it, 'progressed on: octreotide LAR'):
    for every rule of every case, twice over, the remembered words are the ones worked out anew.
    (A key coarser than the words would pass the verdict tests above, which share the memo.)"""
    original = Evaluator.worded
    checked = []

    def both(self, rule, role, value, shows_values, word):
        remembered = original(self, rule, role, value, shows_values, word)
        assert remembered == word(rule, role, value), (self.case.id, rule.code, role)
        checked.append(rule.code)
        return remembered

    monkeypatch.setattr(Evaluator, "worded", both)
    cases = list(_cases(library)) + [make_case(library, data) for data in synthetic.cases(400, seed=9)]
    for case in cases + cases:
        advise_case(case, library)
    assert len(checked) > len(cases)


def test_label_words_remembered_are_the_words_worked_out_afresh(library, monkeypatch):
    """Evaluator.label_date words what a therapy's label date says once per date and set of
    approvals that cover the case (replay and audit judge many decisions on one date): for cases
    on dates before, between and after the approvals, the remembered words are the ones worked
    out anew, and both kinds (uncertain, off-label) come up."""
    from datetime import date

    from netadvisor.engine import eligibility

    original = Evaluator.label_date
    said = []

    def both(self, therapy, verdict):
        before = len(verdict.cautions)
        original(self, therapy, verdict)
        remembered = verdict.cautions[before:]
        kept = dict(eligibility._LABEL_WORDS)
        eligibility._LABEL_WORDS.clear()
        fresh = eligibility.Verdict(verdict.rec)
        original(self, therapy, fresh)
        eligibility._LABEL_WORDS.update(kept)
        assert remembered == fresh.cautions, (self.case.id, self.case.as_of, therapy.id)
        said.extend(c.code for c in remembered)

    monkeypatch.setattr(Evaluator, "label_date", both)
    cases = list(_cases(library))
    for when in (date(2012, 6, 1), date(2018, 1, 1), date(2018, 1, 31), date(2024, 1, 15), date(2025, 3, 1)):
        for case in cases + cases:
            advise_case(case._replace(as_of=when), library)
    assert {"off-label-at-date", "label-date-uncertain"} <= set(said)


def test_rank_lines_remembered_are_the_lines_worked_out_afresh(library, monkeypatch):
    """rank_reason words a candidate's rank once per everything it reads: for every candidate of
    the shipped and synthetic cases, twice over, the remembered line is the one worded anew, and
    lines that name a step, a demotion, a level and a category default all come up."""
    from netadvisor.engine import advise as engine, ranking

    original = ranking.rank_reason
    said = []

    def both(rank, verdict, order, step=None):
        remembered = original(rank, verdict, order, step)
        fresh = ranking._rank_reason(rank, verdict, order,
                                     step.name if step is not None and verdict.rec.intent == "antitumor"
                                     and verdict.step_rank < len(step.first) else None, verdict.demotions)
        assert remembered == fresh, (verdict.rec.id, rank)
        said.append(remembered.text)
        return remembered

    monkeypatch.setattr(engine, "rank_reason", both)
    cases = list(_cases(library))
    for case in cases + cases:
        advise_case(case, library)
    for words in ("first at this step", "moved down within its category", "(NCCN default)", "category 1"):
        assert any(words in text for text in said), words


def test_advice_decided_without_words_decides_the_same(library):
    for case in _cases(library):
        full, bare = advise_case(case, library), advise_case(case, library, words=False)
        decided = [(c.therapy, c.name, c.rank, c.category, c.preference, c.intent, c.recommendation, c.tier, c.category_origin)
                   for c in full.candidates]
        assert decided == [(c.therapy, c.name, c.rank, c.category, c.preference, c.intent, c.recommendation, c.tier,
                            c.category_origin) for c in bare.candidates]
        assert (full.excluded, full.warnings, full.scope, full.summary, full.step) == (bare.excluded, bare.warnings, bare.scope,
                                                                                       bare.summary, bare.step)
        assert all(not (c.reasons or c.cautions or c.toxicities or c.citations or c.evidence) for c in bare.candidates)


def test_equal_conditions_are_evaluated_once_per_case(library, tmp_path):
    """A guideline with every recommendation written five times (benchmarks/bench.py, the 5x
    guideline): the copies' conditions are compiled to the same objects, so each site group
    evaluates as many rules per case as the shipped guideline, and judges as it does."""
    import bench
    from netadvisor.knowledge.library import load_library

    five = load_library(bench.five_fold_guideline(tmp_path))
    for case in list(_cases(library))[:40]:
        plain, copied = library.pick(None, case.as_of), five.pick(None, case.as_of)
        facts = case_facts(case, plain, None)
        group = plain.guideline.group_of(case.site, facts)
        if group is None:
            continue
        facts["site_group"] = group.id
        judged = Evaluator(case, copied, group, dict(facts))
        sizes = []
        for knowledge in (plain, copied):
            ev = Evaluator(case, knowledge, group, dict(facts))
            sizes.append(len(plans.GroupPlan(ev, group.id).tests))
        assert sizes[0] == sizes[1], case.id
        for rec in copied.guideline.recommendations:
            if rec.site_group == group.id:
                therapy = copied.catalogue.therapies[rec.therapy]
                direct = Evaluator(case, copied, group, dict(facts)).evaluate(rec, therapy)
                assert _verdict(plans.judge(judged, rec, therapy)) == _verdict(direct), (case.id, rec.id)
