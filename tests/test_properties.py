"""Invariants over generated cases (hypothesis, derandomized in the default profile)."""

import json

from hypothesis import given
from hypothesis import strategies as st

from netadvisor.base import vocab
from netadvisor.base.errors import InputError
from netadvisor.core import advise_case
from netadvisor.engine.facts import case_facts
from netadvisor.formats import as_json
from netadvisor.inputs.case_format import parse_case
from netadvisor.knowledge.library import load_library

LIBRARY = load_library()
THERAPIES = sorted(LIBRARY.catalogue.therapies)
SPEC = LIBRARY.catalogue.therapy_spec()


def maybe(strategy):
    return st.none() | strategy


toxicity = st.fixed_dictionaries({"event": st.sampled_from(vocab.TOXICITY_EVENTS[:-1])}, optional={"grade": st.integers(1, 5)})
line = st.fixed_dictionaries(
    {"therapy": st.sampled_from(THERAPIES)},
    optional={
        "stopped": st.sampled_from(vocab.STOPPED),
        "toxicity": st.lists(toxicity, max_size=2),
        "setting": st.sampled_from(vocab.SETTING),
    },
)
cases = st.fixed_dictionaries(
    {
        "as_of": st.just("2025-06-01"),
        "tumor": st.fixed_dictionaries(
            {"primary_site": st.sampled_from(vocab.SITES)},
            optional={
                "differentiation": st.sampled_from(vocab.DIFFERENTIATION),
                "grade": st.integers(1, 3),
                "ki67": st.integers(0, 100),
                "functional": st.sampled_from(["nonfunctional"]) | st.lists(st.sampled_from(vocab.FUNCTIONAL[1:]), min_size=1, max_size=2, unique=True),
                "sstr": st.sampled_from(vocab.SSTR),
                "metastases": st.lists(st.sampled_from(vocab.METASTASES), max_size=3, unique=True),
                "bulky": st.booleans(),
                "biomarkers": st.fixed_dictionaries({}, optional={"msi": st.sampled_from(vocab.MSI), "tmb": st.integers(0, 40)}),
            },
        ),
    },
    optional={
        "patient": st.fixed_dictionaries(
            {}, optional={"age": st.integers(0, 100), "comorbidities": st.lists(st.sampled_from(vocab.COMORBIDITIES), max_size=3, unique=True)}
        ),
        "disease": st.fixed_dictionaries({}, optional={"status": st.sampled_from(vocab.DISEASE_STATUS)}),
        "history": st.lists(line, max_size=5),
        "preferences": st.fixed_dictionaries({}, optional={"avoid": st.lists(st.sampled_from(vocab.AVOID), max_size=2, unique=True), "clinical_trial_access": st.booleans()}),
    },
)


def advise(data):
    case = parse_case(data, source="generated.yaml", therapy=SPEC, default_id="generated")
    return case, advise_case(case, LIBRARY)


@given(cases)
def test_partition_and_ranks(data):
    case, advice = advise(data)
    guideline = next(g for g in LIBRARY.guidelines if g.id == "nccn-net")
    group = guideline.group_of(case.site)
    known = guideline.therapies_for(group.id) if group else []
    listed = [c.therapy for c in advice.candidates] + [e.therapy for e in advice.excluded]
    assert sorted(listed) == sorted(known) and len(set(listed)) == len(listed)
    assert [c.rank for c in advice.candidates] == list(range(1, len(advice.candidates) + 1))
    assert all(e.reasons for e in advice.excluded)


@given(cases)
def test_same_case_same_json(data):
    assert as_json.render(advise(data)[1]) == as_json.render(advise(json.loads(json.dumps(data)))[1])


@given(cases)
def test_safety_invariants(data):
    case, advice = advise(data)
    facts = case_facts(case, LIBRARY.pick(None, case.as_of), None)
    history = case.history or ()
    for c in advice.candidates:
        therapy = LIBRARY.catalogue.therapies[c.therapy]
        lines = [h for h in history if h.therapy == c.therapy]
        # stopped for grade >= 3 (or ungraded) toxicity: never offered again
        for h in lines:
            if h.stopped == "toxicity":
                grades = [t.grade for t in h.toxicity]
                assert grades and all(g is not None for g in grades) and max(grades) < 3, (c.therapy, h)
        # progressed on it: never again for tumour control
        if c.intent == "antitumor":
            assert not any(h.stopped == "progression" for h in lines), c.therapy
        # no SSTR-positive result: no PRRT and no SSA for tumour control
        if facts["sstr"] != "positive":
            assert c.therapy != "lu177-dotatate"
            assert not (therapy.cls == "ssa" and c.intent == "antitumor")
        # a labelled limit that is false for this case never yields a candidate
        for rule in therapy.limits:
            if rule.if_false == "exclude":
                assert rule.cond.eval(facts) is not False, (c.therapy, rule.code)
        age = facts["age"]
        if age is not None and age < 12:
            assert c.therapy not in ("lu177-dotatate", "cabozantinib", "everolimus", "sunitinib")
        assert c.recommendation and c.citations
        assert all(t.sources for t in c.toxicities)
    if case.tumor.get("differentiation") == "poor":
        assert not advice.candidates


@given(cases, line)
def test_adding_a_line_never_adds_a_therapy_already_progressed_on(data, extra):
    before = advise(data)[1]
    data = dict(data, history=list(data.get("history", [])) + [extra])
    case, after = advise(data)
    progressed = {h.therapy for h in case.history if h.stopped == "progression"}
    new = {c.therapy for c in after.candidates if c.intent == "antitumor"} - {c.therapy for c in before.candidates}
    assert not (new & progressed)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["tumor", "patient", "history", "as_of", "id", "expect", "preferences", "x"]), json_values))
def test_any_input_gives_advice_or_an_input_error(data):
    try:
        advise(data)
    except InputError as exc:
        assert exc.problems and all(p.file == "generated.yaml" for p in exc.problems)


def _shuffled(value, rng):
    """The same data with every mapping's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@given(cases, st.randoms(use_true_random=False))
def test_key_order_does_not_change_the_advice(data, rng):
    assert as_json.render(advise(data)[1]) == as_json.render(advise(_shuffled(data, rng))[1])
