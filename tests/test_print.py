"""The HTML report on paper: a print stylesheet, the patient panel, and (where Debian's
chromium is installed) seed patient 1 printed to PDF on A4 and Letter in at most 4 pages."""

import importlib.util
import shutil

import pytest

from conftest import CASES, ROOT, run_cli


def _script():
    spec = importlib.util.spec_from_file_location("print_check", ROOT / "scripts" / "print_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_has_a_print_stylesheet_and_the_patient_panel(tmp_path):
    out = tmp_path / "board.html"
    assert run_cli("advise", CASES / "seed-patient-1.yaml", "--export", out).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "@media print" in html and "@page" in html and "break-inside:avoid" in html
    assert "thead{display:table-header-group}" in html  # a long table repeats its header on each page
    for fact in ("MSI high", "germline Lynch", "female", "Not stated", "Dose and notes", "pseudoprogression"):
        assert fact in html, fact
    # warnings come before the candidates, as on the terminal
    assert html.index("<h2>Warnings</h2>") < html.index("<h2>Candidates</h2>")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (apt-get install chromium)")
def test_seed_patient_1_prints_on_at_most_4_pages():
    counts = _script().check([CASES / "seed-patient-1.yaml"], max_pages=4)
    assert counts and all(1 <= n <= 4 for n in counts.values()), counts
