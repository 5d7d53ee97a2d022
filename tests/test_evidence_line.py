"""Evidence for the line the patient is at, and a chart that reads at 80 columns."""

import pytest

from netadvisor.engine.evidence import at_line

from conftest import ROOT, run_cli


def _trials(case, library):
    from netadvisor.core import advise_case
    from netadvisor.inputs.case_reader import load_case

    advice = advise_case(load_case(ROOT / case, library.catalogue.therapy_spec()), library)
    return {(c.therapy, e.trial) for c in advice.candidates for e in c.evidence}


@pytest.mark.parametrize("case, shown, hidden", [
    # after octreotide LAR (midgut): NETTER-1, whose population progressed on it
    ("cases/v3-gi-midgut-after-ssa.yaml", {("lu177-dotatate", "NETTER-1")}, set()),
    # first line, pNET, Ki-67 ≥10%: NETTER-2
    ("cases/pnet-netter2-first-line.yaml", {("lu177-dotatate", "NETTER-2")}, {("cabozantinib", "CABINET")}),
    # seed patient 1 had an SSA, PRRT and more: first-line NETTER-2 is not her evidence; CABINET (previously treated) is
    ("cases/seed-patient-1.yaml", {("cabozantinib", "CABINET")}, {("lu177-dotatate", "NETTER-2")}),
])
def test_the_evidence_shown_is_for_the_line_the_patient_is_at(library, case, shown, hidden):
    trials = _trials(case, library)
    assert shown <= trials and not hidden & trials, trials


def test_a_setting_fits_only_its_line_and_an_unstated_history_fits_every_line():
    after_ssa = {"prior_systemic": True, "progressed_on_classes": frozenset({"ssa"})}
    new = {"prior_systemic": False, "progressed_on_classes": frozenset()}
    unknown = {"prior_systemic": None, "progressed_on_classes": None}
    assert at_line("after-ssa", after_ssa) and not at_line("after-ssa", new)
    assert at_line("first-line", new) and not at_line("first-line", after_ssa)
    assert at_line("previously-treated", after_ssa) and not at_line("previously-treated", new)
    assert all(at_line(s, unknown) for s in ("first-line", "after-ssa", "previously-treated", None))


def test_the_chart_at_80_columns_cuts_no_name_or_median_and_marks_not_reached():
    out = run_cli("advise", "cases/v3-gi-midgut-after-ssa.yaml", "--evidence", "--width", "80").stdout
    chart = out[out.index("Evidence: primary endpoint"):]
    flat = " ".join(chart.split())
    for words in ("NETTER-1: primary analysis (PFS) and final overall survival", "HR 0.21 (0.13–0.33)", "8.4 mo",
                  "CABINET: label update (prescribing information, 26 March 2025), epNET cohort", "RADIANT-4", "11.0 mo"):
        assert words in flat, words
    assert "▷" in chart and "not reached" in chart  # the best result is drawn, not left blank
    assert "…" not in chart
    assert max(len(line) for line in out.splitlines()) <= 80
