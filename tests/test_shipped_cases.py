"""Every shipped case: its expectations hold, the partition rule holds, and
together the cases exercise every recommendation of the guideline."""

import pytest

from netadvisor.cohort.expectations import check_expectations, needs_comparison
from netadvisor.core import advise_case
from netadvisor.inputs.case_reader import load_case

from conftest import candidate, excluded, group_therapies, history_therapies, shipped_cases


@pytest.fixture(scope="module")
def advised(library):
    spec = library.catalogue.therapy_spec()
    out = {}
    for path in shipped_cases():
        case = load_case(path, spec)
        out[path.stem] = (case, advise_case(case, library, compare=needs_comparison(case.expect)))
    return out


@pytest.fixture(scope="module")
def advised_asco(library):
    spec = library.catalogue.therapy_spec()
    return {path.stem: advise_case(load_case(path, spec), library, "asco-2023") for path in shipped_cases()}


def test_there_are_enough_cases():
    assert len(shipped_cases()) >= 14


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_expectations_hold(advised, path):
    case, advice = advised[path.stem]
    assert case.expect, f"{path.name} has no expect: block"
    failures = [o for o in check_expectations(case.expect, advice) if not o.ok]
    assert not failures, failures


def assert_partition(library, case, advice):
    """Every therapy of the site group and of the history appears exactly once, candidate or excluded;
    with --compare, every option of another body too, in other_options or excluded."""
    known = set(group_therapies(library, advice)) | history_therapies(case)
    if advice.comparison is not None:
        known |= {o.therapy for o in advice.comparison.options}
    listed = [c.therapy for c in advice.candidates] + [o.therapy for o in advice.other_options] + [e.therapy for e in advice.excluded]
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == known
    assert [c.rank for c in advice.candidates] == list(range(1, len(advice.candidates) + 1))
    for e in advice.excluded:
        assert e.reasons, e.therapy
    for c in advice.candidates:
        assert c.recommendation and c.citations


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_every_therapy_of_the_site_group_appears_exactly_once(library, advised, path):
    case, advice = advised[path.stem]
    assert_partition(library, case, advice)


NCCN_VERSIONS = ("nccn-net@4.2024", "nccn-net@3.2025")


@pytest.mark.parametrize("version", NCCN_VERSIONS)
@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_every_case_under_both_nccn_versions(library, path, version):
    """Each shipped case is judged by both shipped NCCN versions: the partition holds, every
    candidate's category says where it came from, and the case's own expectations hold under
    the version in force on its date."""
    case = load_case(path, library.catalogue.therapy_spec())
    advice = advise_case(case, library, version, compare=needs_comparison(case.expect))
    assert f"{advice.guideline.id}@{advice.guideline.version}" == version
    assert_partition(library, case, advice)
    for c in advice.candidates:
        assert (c.category is None) == (c.category_origin is None), c.therapy
        if c.category_origin == "default":
            assert c.category == "2A" and c.basis == "guideline", c.therapy
    in_force = advise_case(case, library)
    if f"{in_force.guideline.id}@{in_force.guideline.version}" == version:
        assert not [o for o in check_expectations(case.expect, advice) if not o.ok]


def test_every_recommendation_is_exercised_by_a_shipped_case(library, advised, advised_asco):
    """Every recommendation of every body is a candidate for some shipped case judged by that body
    (alone, as `--guideline ID` judges it; --compare runs the same engine for each body)."""
    spec = library.catalogue.therapy_spec()
    loaded = [load_case(path, spec) for path in shipped_cases()]
    for gid in library.ids():
        if gid == "nccn-net":
            results = [a for _, a in advised.values()]
        elif gid == "asco-2023":
            results = list(advised_asco.values())
        else:
            results = [advise_case(case, library, gid) for case in loaded]
        chosen = {c.recommendation for advice in results for c in advice.candidates}
        missing = [r.id for g in library.guidelines_with_id(gid) for r in g.recommendations if r.id not in chosen]
        assert not missing, f"{gid}: no shipped case makes these recommendations a candidate: {missing}"


def test_seed_patient_1(advised):
    _, advice = advised["seed-patient-1"]
    cabo = candidate(advice, "cabozantinib")
    assert cabo.category == "1"
    assert any("hypertensive crisis" in x.text and x.severity == "warning" for x in cabo.cautions)
    assert excluded(advice, "everolimus").reasons[0].code == "prior-severe-toxicity"
    assert "pneumonitis" in excluded(advice, "everolimus").reasons[0].text
    assert excluded(advice, "pembrolizumab").reasons[0].code == "progressed-on"


def test_seed_patient_2(advised):
    _, advice = advised["seed-patient-2"]
    assert candidate(advice, "cabozantinib").category == "1"
    assert "progressed-on" in [r.code for r in excluded(advice, "everolimus").reasons]
    assert "progressed-on" in [r.code for r in excluded(advice, "lu177-dotatate").reasons]
