"""The rendered terminal views at 80 and 120 columns, colour off, against stored snapshots.

Set NETADVISOR_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change,
then review the diff.
"""

import io
import os
import re
from pathlib import Path

import pytest
from rich.console import Console

from netadvisor.core import advise_case
from netadvisor.formats import as_markdown, as_table
from netadvisor.inputs.case_reader import load_case

from conftest import CASES

SNAPSHOTS = Path(__file__).parent / "snapshots"
# The seed patients, a case with the patient's own facts (age, renal function, comorbidities)
# and a v3.2025 case with an algorithm step, biology and a pathway warning.
SNAPSHOT_CASES = ("seed-patient-1", "seed-patient-2", "pnet-renal-impairment", "v3-wdg3-unfavourable")


def _stable(text: str) -> str:
    # The data hash changes with every data edit; the snapshot is about layout and wording.
    return re.sub(r"sha256:[0-9a-f]{12}", "sha256:<digest>", text)


def _check(name: str, text: str):
    path = SNAPSHOTS / name
    text = _stable(text)
    if os.environ.get("NETADVISOR_UPDATE_SNAPSHOTS") or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with NETADVISOR_UPDATE_SNAPSHOTS=1 if intended"


def _advice(library, stem):
    return advise_case(load_case(CASES / f"{stem}.yaml", library.catalogue.therapy_spec()), library)


def _render(advice, width: int, **kw) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    as_table.render(advice, console, **kw)
    return buffer.getvalue()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("stem", SNAPSHOT_CASES)
def test_table_snapshot(library, stem, width):
    _check(f"{stem}.table-{width}.txt", _render(_advice(library, stem), width))


@pytest.mark.parametrize("view", [as_table.BRIEF, as_table.DETAILS])
def test_brief_and_details_snapshots(library, view):
    _check(f"seed-patient-1.{view}-80.txt", _render(_advice(library, "seed-patient-1"), 80, view=view, show_excluded=view == as_table.DETAILS))


def test_markdown_snapshot(library):
    _check("seed-patient-2.md", as_markdown.render(_advice(library, "seed-patient-2")))


def test_prewrapped_text_falls_back_to_rich_wrapping_when_a_line_is_too_wide():
    """_para wraps by characters; a line of wide characters would be cropped if rich did not wrap it again."""
    from rich.text import Text

    assert as_table._prewrapped(Text("short line\nanother"), 20).no_wrap is True
    assert as_table._prewrapped(Text("短い行" * 5), 20).no_wrap is False  # 15 characters, 30 cells
