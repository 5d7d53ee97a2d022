"""The fuzz targets of tests/fuzz/fuzz_loaders.py stay runnable: a few hundred
derandomized inputs each. The long runs are not part of the suite (README, Development)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz import fuzz_loaders as fuzz


@pytest.mark.parametrize("target", sorted(fuzz.TARGETS))
def test_every_seed_runs(target):
    """The seeds are the shipped files, raw and mutated: the inputs that reach the engine."""
    for seed in fuzz.seeds(target):
        fuzz.TARGETS[target](seed)


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=2048))
def test_case_target(data):
    fuzz.case_target(data)


@settings(max_examples=100)  # each input builds a whole library
@given(st.binary(min_size=1, max_size=512))
def test_guideline_target(data):
    fuzz.guideline_target(data)


def test_a_valid_case_reaches_the_engine(monkeypatch):
    """A target that swallowed every error would find nothing: a crash in the engine must surface."""

    def broken(*args, **kwargs):
        raise KeyError("engine")

    monkeypatch.setattr(fuzz, "advise_case", broken)
    with pytest.raises(KeyError):
        fuzz.case_target(fuzz.seeds("case")[0])
    with pytest.raises(KeyError):
        fuzz.guideline_target(bytes([1, 0]))  # the shipped data, mutated by an empty list of changes


def test_the_script_runs_with_the_hypothesis_engine():
    assert fuzz.main(["case", "--runs", "20", "--engine", "hypothesis"]) == 0
