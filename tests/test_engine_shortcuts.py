"""The engine's shortcuts give what the long way gives: the part of a verdict that a therapy's
recommendations share (worked out once, then reused), and advice decided without its words."""

import sys

from conftest import ROOT, make_case, shipped_cases

from netadvisor.core import advise_case
from netadvisor.engine.eligibility import Evaluator
from netadvisor.engine.facts import case_facts
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


def test_a_shared_part_reused_gives_the_verdict_worked_out_in_full(library):
    for case in _cases(library):
        knowledge = library.pick(None, case.as_of)
        guideline = knowledge.guideline
        facts = case_facts(case, knowledge, None)
        group = guideline.group_of(case.site, facts)
        facts["site_group"] = group.id if group else None
        if group is None:
            continue
        direct, shared = Evaluator(case, knowledge, group, facts), Evaluator(case, knowledge, group, facts)
        for rec in guideline.recommendations:
            if rec.site_group != group.id:
                continue
            therapy = knowledge.catalogue.therapies[rec.therapy]
            want = _verdict(direct.evaluate(rec, therapy))
            for _ in range(2):  # worked out, then reused
                assert _verdict(shared.evaluate(rec, therapy, shared=True)) == want, (case.id, rec.id)
        assert {k: set(v) for k, v in shared.unknown_effects.items()} == {k: set(v) for k, v in direct.unknown_effects.items()}


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
