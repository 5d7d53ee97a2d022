"""Evidence data against the seed's tables, evidence in advice, and the reports."""

import json
import re
from html.parser import HTMLParser

import pytest

from netadvisor.formats import as_html, as_markdown, as_svg, words

from conftest import BASE_PNET, advise_dict, candidate, run_cli


def trial(library, trial_id):
    return next(t for t in library.evidence.trials if t.id == trial_id)


def endpoint(library, trial_id, name):
    return next(e for e in trial(library, trial_id).endpoints if e.name == name)


def shown(value) -> str:
    """A figure as netadvisor prints it (the source's own digits)."""
    return format(value, "g")


# -- the seed's tables, transcribed: (trial id, endpoint, treatment, control, HR, HR CI) ----------

TABLE_2 = [
    ("promid", "TTP", "14.3", "6.0", "0.34", ("0.20", "0.59")),
    ("promid", "OS", "84.7", "83.7", "0.83", ("0.47", "1.46")),
    ("clarinet", "PFS", "33.4", "18.0", "0.47", ("0.30", "0.73")),
    ("netter1", "PFS", None, "8.4", "0.21", ("0.13", "0.33")),
    ("netter1", "OS", "48.0", "36.3", "0.84", ("0.60", "1.17")),
    ("netter2", "PFS", "22.8", "8.5", "0.276", ("0.182", "0.418")),
    ("radiant3", "PFS", "11.0", "4.6", "0.35", ("0.27", "0.45")),
    ("radiant3", "OS", "44.0", "37.7", "0.94", ("0.7", "1.2")),
    ("radiant4", "PFS", "11.0", "3.9", "0.48", ("0.35", "0.67")),
    ("radiant4", "OS", None, None, "0.64", ("0.40", "1.05")),
    ("sun1111", "PFS", "11.4", "5.5", "0.42", ("0.26", "0.66")),
    ("sun1111", "OS", None, None, "0.41", ("0.19", "0.89")),
]
TABLE_3 = [  # CABINET, NEJM (with median CIs) and the prescribing-information update (footnotes a, b)
    ("cabinet-epnet", "PFS", "8.4", ("7.6", "12.7"), "3.9", ("3.0", "5.7"), "0.38", ("0.25", "0.59")),
    ("cabinet-pnet", "PFS", "13.8", ("9.2", "18.5"), "4.4", ("3.0", "5.9"), "0.23", ("0.12", "0.42")),
    ("cabinet-epnet-label", "PFS", "8.5", None, "4.2", None, "0.40", ("0.26", "0.61")),
    ("cabinet-pnet-label", "PFS", "13.8", None, "3.3", None, "0.22", ("0.12", "0.41")),
]
TABLE_3_ORR = [("cabinet-epnet", "5", "0"), ("cabinet-pnet", "19", "0"), ("cabinet-pnet-label", "18", "0")]
TABLE_3_N = {"cabinet-epnet": (134, 69), "cabinet-pnet": (64, 31)}
TABLE_4 = {  # grade 3/4 adverse events with cabozantinib, percent: (epNET, pNET)
    "any": (62, 65), "fatigue": (13, 11), "diarrhea": (11, 6), "hypertension": (21, 22),
    "mucositis": (4, 8), "palmar-plantar-erythrodysesthesia": (3, 10), "venous-thromboembolism": (0, 11),
}
TABLE_5_SUBGROUPS = [
    ("grade", "1", 16, 28, 10, 13, "0.30", ("0.13", "0.68")),
    ("grade", "2", 18, 38, 12, 28, "0.66", ("0.31", "1.40")),
    ("grade", "3", 3, 3, 3, 4, "0.74", ("0.15", "3.71")),
    ("concurrent SSA", "no", 3, 9, 5, 9, "0.41", ("0.09", "1.76")),
    ("concurrent SSA", "yes", 34, 61, 21, 37, "0.52", ("0.29", "0.92")),
    ("prior everolimus", "no", 16, 27, 12, 21, "0.57", ("0.26", "1.22")),
    ("prior everolimus", "yes", 21, 43, 14, 25, "0.42", ("0.20", "0.85")),
    ("prior ¹⁷⁷Lu-dotatate", "no", 5, 15, 6, 12, "0.19", ("0.05", "0.71")),
    ("prior ¹⁷⁷Lu-dotatate", "yes", 32, 55, 20, 34, "0.58", ("0.33", "1.04")),
    ("functional status", "functional", 19, 33, 12, 20, "0.43", ("0.20", "0.91")),
    ("functional status", "non-functional", 12, 24, 10, 17, "0.42", ("0.18", "1.02")),
    ("functional status", "unknown", 6, 13, 4, 9, "0.81", ("0.23", "2.87")),
]
TABLE_1 = {  # SEER 5-year OS of pNETs, percent: stage -> (overall, G1, G2, G3)
    "localized": ("83.19", "87.28", "79.69", "46.24"),
    "regional": ("67.36", "80.99", "72.49", "38.19"),
    "metastatic": ("28.13", "51.03", "45.16", "12.37"),
}


@pytest.mark.parametrize("row", TABLE_2, ids=lambda r: f"{r[0]}-{r[1]}")
def test_table_2(library, row):
    trial_id, name, treatment, control, hr, ci = row
    e = endpoint(library, trial_id, name)
    assert (shown(e.treatment) if e.treatment is not None else None) == treatment
    assert (shown(e.control) if e.control is not None else None) == control
    assert shown(e.hr) == hr and tuple(shown(x) for x in e.hr_ci95) == ci


@pytest.mark.parametrize("row", TABLE_3, ids=lambda r: r[0])
def test_table_3_pfs(library, row):
    trial_id, name, t, t_ci, c, c_ci, hr, hr_ci = row
    e = endpoint(library, trial_id, name)
    assert shown(e.treatment) == t and shown(e.control) == c and shown(e.hr) == hr
    assert (tuple(shown(x) for x in e.treatment_ci95) if e.treatment_ci95 else None) == t_ci
    assert (tuple(shown(x) for x in e.control_ci95) if e.control_ci95 else None) == c_ci
    assert tuple(shown(x) for x in e.hr_ci95) == hr_ci


def test_table_3_orr_and_arms(library):
    for trial_id, t, c in TABLE_3_ORR:
        e = endpoint(library, trial_id, "ORR")
        assert (shown(e.treatment), shown(e.control)) == (t, c)
    for trial_id, (n_treatment, n_control) in TABLE_3_N.items():
        arms = {a["role"]: a["n"] for a in trial(library, trial_id).arms}
        assert (arms["treatment"], arms["control"]) == (n_treatment, n_control)


def test_table_4(library):
    cabo = library.catalogue.therapies["cabozantinib"]
    rates = {(r.cohort, r.event): r for r in cabo.toxicities}
    for event, (epnet, pnet) in TABLE_4.items():
        assert rates[("epnet", event)].percent == epnet and rates[("pnet", event)].percent == pnet, event
        assert rates[("pnet", event)].grades == "3-4"


def test_table_5(library):
    gi = trial(library, "cabinet-gi")
    pfs = gi.primary()
    assert (shown(pfs.treatment), shown(pfs.control), shown(pfs.hr)) == ("8.5", "5.6", "0.50")
    assert tuple(shown(x) for x in pfs.treatment_ci95) == ("6.0", "16.7")
    assert tuple(shown(x) for x in pfs.control_ci95) == ("3.9", "11.0")
    assert tuple(shown(x) for x in pfs.hr_ci95) == ("0.28", "0.88")
    rows = [(s["factor"], s["level"], s["treatment_events"], s["treatment_n"], s["control_events"], s["control_n"],
             shown(s["hr"]), tuple(shown(x) for x in s["hr_ci95"])) for s in gi.subgroups]
    assert rows == TABLE_5_SUBGROUPS
    responses = {r["response"]: (r["treatment_n"], r.get("control_n")) for r in gi.responses}
    assert responses == {"partial response": (1, 0), "stable disease": (48, 30), "progressive disease": (6, 12), "not evaluable": (15, 4)}


def test_table_1(library):
    table = library.evidence.survival[0]
    for stage, values in TABLE_1.items():
        got = tuple(shown(table.lookup(stage, grade)[2]) for grade in (None, 1, 2, 3))
        assert got == values, stage


def test_every_figure_has_a_source(library):
    for t in library.evidence.trials:
        assert t.sources and t.endpoints, t.id
    for table in library.evidence.survival:
        assert table.sources


# -- evidence in advice ---------------------------------------------------------------------------


def test_pancreatic_case_gets_pnet_cohort_and_radiant3(library):
    data = dict(BASE_PNET, history=[{"therapy": "lanreotide", "stopped": "progression"}])
    advice = advise_dict(library, data)
    assert [e.trial_id for e in candidate(advice, "cabozantinib").evidence] == ["cabinet-pnet", "cabinet-pnet-label"]
    assert [e.trial_id for e in candidate(advice, "everolimus").evidence] == ["radiant3"]
    assert candidate(advice, "everolimus").toxicities[0].event == "pneumonitis"
    assert candidate(advice, "everolimus").toxicities[0].percent == 2.5  # RADIANT-3 (pNET) rate


def test_gi_and_lung_cases_get_epnet_cohort_and_radiant4(library):
    for site in ("small-intestine", "lung"):
        data = dict(BASE_PNET, tumor=dict(BASE_PNET["tumor"], primary_site=site), history=[{"therapy": "octreotide-lar", "stopped": "progression"}])
        advice = advise_dict(library, data)
        assert candidate(advice, "cabozantinib").evidence[0].trial_id == "cabinet-epnet", site
        assert [e.trial_id for e in candidate(advice, "everolimus").evidence] == ["radiant4"], site
        rates = {t.event: t.percent for t in candidate(advice, "cabozantinib").toxicities}
        assert rates["hypertension"] == 21  # epNET cohort


def test_seer_context_for_a_pancreatic_case(library):
    advice = advise_dict(library, BASE_PNET)  # metastatic, grade 2
    assert [n.text for n in advice.context] == ["5-year overall survival of pancreatic NETs (SEER): 45.16% for metastatic disease, grade 2"]
    gi = advise_dict(library, dict(BASE_PNET, tumor=dict(BASE_PNET["tumor"], primary_site="colon")))
    assert gi.context == ()


def test_marrow_toxicity_after_prrt_is_quoted_against_the_candidate(library):
    data = dict(BASE_PNET, history=[
        {"therapy": "octreotide-lar", "stopped": "progression"},
        {"therapy": "lu177-dotatate", "end": "2023-05", "stopped": "completed", "toxicity": [{"event": "thrombocytopenia", "grade": 3}]},
    ])
    advice = advise_dict(library, data)
    text = next(x.text for x in candidate(advice, "everolimus").cautions if x.code == "related-prior-toxicity")
    assert text.startswith("thrombocytopenia (grade 3) on ¹⁷⁷Lu-dotatate (2023-05)")
    prrt_again = candidate(advice, "lu177-dotatate")
    assert any(x.code == "prior-toxicity" and "thrombocytopenia (grade 3)" in x.text for x in prrt_again.cautions)


# -- explain, therapies, recommendations -----------------------------------------------------------


def test_explain_cabozantinib_shows_both_cohorts_exactly_and_table_4():
    result = run_cli("explain", "cabozantinib", "--width", "200")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "PFS (primary): 13.8 (9.2–18.5) vs 4.4 (3.0–5.9) months; HR 0.23 (0.12–0.42)" in out
    assert "PFS (primary): 8.4 (7.6–12.7) vs 3.9 (3.0–5.7) months; HR 0.38 (0.25–0.59)" in out
    assert "PFS (primary): 13.8 vs 3.3 months; HR 0.22 (0.12–0.41)" in out
    assert "PFS (primary): 8.5 vs 4.2 months; HR 0.40 (0.26–0.61)" in out
    for line in ("pNET cohort: hypertension 22%", "epNET cohort: hypertension 21%", "pNET cohort: VTE 11%", "epNET cohort: fatigue 13%"):
        assert line in out, line
    assert "category 1 when therapies received Everolimus, ¹⁷⁷Lu-dotatate or Sunitinib" in out
    assert "Sources" in out and "Chan JA, et al." in out


def test_explain_by_alias_and_by_recommendation_and_json():
    assert "¹⁷⁷Lu-dotatate (lu177-dotatate)" in run_cli("explain", "Lutathera").stdout
    rec = json.loads(run_cli("explain", "pnet-lu177-dotatate", "--format", "json").stdout)
    assert rec["kind"] == "recommendation" and rec["site_group"] == "pancreas"
    assert [t["id"] for t in rec["trials"]] == ["netter2"]
    data = json.loads(run_cli("explain", "everolimus", "-f", "json").stdout)
    assert {t["id"] for t in data["trials"]} == {"radiant3", "radiant4"}
    assert [t["id"] for t in data["comparator_in"]] == ["compete"]


def test_explain_unknown_id_is_exit_2_with_suggestion():
    result = run_cli("explain", "cabozantinb")
    assert result.returncode == 2 and "did you mean 'cabozantinib'?" in result.stderr


def test_therapies_and_recommendations(library):
    rows = json.loads(run_cli("therapies", "--format", "json").stdout)
    assert {r["id"] for r in rows} == set(library.catalogue.therapies)
    recs = json.loads(run_cli("recommendations", "--site", "pancreas", "-f", "json").stdout)
    newest = max((g for g in library.guidelines if g.id == "nccn-net"), key=lambda g: g.effective)
    assert {r["site_group"] for r in recs} == {"pancreas"}
    assert len(recs) == sum(1 for r in newest.recommendations if r.site_group == "pancreas")
    assert json.loads(run_cli("recommendations", "--site", "ileum", "-f", "json").stdout)[0]["site_group"] == "gi-unknown"
    bad = run_cli("recommendations", "--site", "pancrea")
    assert bad.returncode == 2 and "did you mean 'pancreas'?" in bad.stderr
    assert "pnet-cabozantinib" in run_cli("recommendations", "--width", "160").stdout


# -- reports ----------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.urls = [], []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.urls.append(value)


def _seed_1(library):
    from netadvisor.core import advise_case
    from netadvisor.inputs.case_reader import load_case
    from conftest import CASES

    return advise_case(load_case(CASES / "seed-patient-1.yaml", library.catalogue.therapy_spec()), library)


def test_html_report_is_self_contained_and_complete(library):
    advice = _seed_1(library)
    page = as_html.render(advice, "2026-01-01 00:00 UTC")
    parser = _Collector()
    parser.feed(page)
    text = " ".join(parser.text)
    assert parser.urls == []  # no network resources
    for c in advice.candidates:
        assert c.name in text and c.recommendation in text
    for e in advice.excluded:
        assert e.name in text
    for citation in words.sources(advice):
        assert citation in text, citation
    assert "<svg" in page and "CABINET" in text  # the evidence chart
    assert "nccn-net 4.2024" in text and "generated 2026-01-01 00:00 UTC" in text
    assert "not a prescription" in text


def test_svg_and_markdown_reports(library):
    advice = _seed_1(library)
    svg = as_svg.render(advice, "2026-01-01")
    assert svg.startswith("<svg") and "@font-face" not in svg and "cdnjs" not in svg
    md = as_markdown.render(advice, report=True, generated_at="2026-01-01")
    assert "**Sources:**" in md and "**Evidence (primary endpoint):**" in md and "*Generated 2026-01-01*" in md


def test_export_through_the_cli(tmp_path):
    target = tmp_path / "p1.html"
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--export", target, "-f", "json")
    assert result.returncode == 0 and target.exists() and f"wrote {target}" in result.stderr
    json.loads(result.stdout)  # stdout still carries the requested format
    assert run_cli("advise", "cases/seed-patient-1.yaml", "--export", tmp_path / "p1.pdf").returncode == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_evidence_chart_in_the_terminal():
    out = run_cli("advise", "cases/seed-patient-1.yaml", "--evidence", "--width", "140").stdout
    assert "Evidence: primary endpoint" in out
    assert re.search(r"█+ 13\.8 mo", out) and "HR 0.23 (0.12–0.42)" in out
