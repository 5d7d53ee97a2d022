"""The engine's shortcuts give what the long way gives: a verdict decided once per situation
and copied to every case in the same one (engine/plans.py), and advice decided without its words."""

import sys

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


def test_a_verdict_decided_once_per_situation_is_the_verdict_worked_out_in_full(library):
    """Every recommendation of every case's site group, twice over (the second time from the
    memo, filled by every case before): the same exclusions, cautions, reasons, ranking facts
    and ranking key as the long way, in the same order, and the same unknown-fact effects."""
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
    assert 0 < len(plans._VERDICTS) < len(cases) * 10  # situations were shared, not one per evaluation


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
