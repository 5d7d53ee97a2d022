import atexit
import os
import signal
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from netadvisor.core import advise_case
from netadvisor.inputs.case_format import parse_case
from netadvisor.knowledge.library import load_library

# The suite's own parse cache (inherited by every netadvisor it starts): a run of the tests
# neither reads nor changes the user's ~/.cache/netadvisor.
if "NETADVISOR_CACHE_DIR" not in os.environ:
    os.environ["NETADVISOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="netadvisor-test-cache-")
    atexit.register(shutil.rmtree, os.environ["NETADVISOR_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
# Every `python -m netadvisor` a test starts runs this checkout's code, whatever its working
# folder and whichever netadvisor the environment has installed (a second worktree, a stale venv).
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
GUIDELINES = ROOT / "guidelines"

# Property tests are derandomized so CI is repeatable; more examples locally with
# HYPOTHESIS_PROFILE=deep.
settings.register_profile("default", derandomize=True, max_examples=150, deadline=None)
settings.register_profile("deep", derandomize=False, max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def therapy_spec(library):
    return library.catalogue.therapy_spec()


def guideline(library, gid: str = "nccn-net", version: str | None = None):
    """A shipped guideline by id and version; without a version, the newest."""
    matches = [g for g in library.guidelines if g.id == gid and version in (None, g.version)]
    return max(matches, key=lambda g: g.effective)


def group_therapies(library, advice) -> list:
    """Every therapy the guideline the advice used knows for the case's site group."""
    g = guideline(library, advice.guideline.id, advice.guideline.version)
    group = advice.summary["site_group"]
    return g.therapies_for(group) if group else []


def history_therapies(case) -> set:
    return {line.therapy for line in case.history or ()}


def shipped_cases() -> list:
    return sorted(CASES.glob("*.yaml"))


def make_case(library, data: dict, today: date = date(2025, 6, 1)):
    """A case from a dict, as a file would give it."""
    return parse_case(data, source="test.yaml", therapy=library.catalogue.therapy_spec(), default_id="test", today=today)


def advise_dict(library, data: dict):
    return advise_case(make_case(library, data), library)


def ctrl_c_as_at_a_terminal():
    """preexec_fn for a run a test interrupts with SIGINT: the signal handled as at a terminal.
    A shell without job control starts a background job (the suite, say) with SIGINT ignored,
    its children inherit that, and Python then leaves Ctrl-C ignored, as it should there."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args, cwd=None, input=None, env=None):
    """Run the real entry point (`python -m netadvisor`) and return the completed process.

    `env` adds to (or, with a None value, removes from) the environment the CLI sees.
    """
    env = {k: v for k, v in {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-m", "netadvisor", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or ROOT, env=env, input=input, timeout=60,
    )


def candidate(advice, therapy):
    return next((c for c in advice.candidates if c.therapy == therapy), None)


def excluded(advice, therapy):
    return next((e for e in advice.excluded if e.therapy == therapy), None)


BASE_PNET = {
    "as_of": "2025-06-01",
    "patient": {"age": 60},
    "tumor": {
        "primary_site": "pancreas", "differentiation": "well", "grade": 2, "ki67": 5,
        "stage": "metastatic", "functional": "nonfunctional", "sstr": "positive", "metastases": ["liver"],
    },
    "disease": {"status": "progressing"},
    "history": [],
}


@pytest.fixture(scope="session")
def big(tmp_path_factory):
    """20,000 synthetic cases as JSON Lines, written once per run: long enough to stop a batch in
    the middle (stopped runs take a second or two). Read only."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import cohort

    path = tmp_path_factory.mktemp("big") / "cohort.jsonl"
    cohort.write_jsonl(20_000, path)
    return path
