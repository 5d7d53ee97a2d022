"""One case, every body (`advise --compare`): each body's position at its own level, from its
own data; the chosen guideline's advice unchanged; the four situations of the issue."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netadvisor.base import vocab
from netadvisor.cohort.expectations import check_expectations, position_words
from netadvisor.core import advise_case
from netadvisor.inputs.case_format import parse_case
from netadvisor.inputs.case_reader import load_case

from conftest import CASES, run_cli, shipped_cases
from test_properties import LIBRARY, SPEC, cases


def compared(library, stem: str):
    return advise_case(load_case(CASES / f"{stem}.yaml", library.catalogue.therapy_spec()), library, compare=True)


def position(advice, therapy: str, body: str):
    option = next(o for o in advice.comparison.options if o.therapy == therapy)
    return next(p for p in option.positions if p.id == body)


# -- the four situations of the issue --------------------------------------------------------


def test_lung_atypical_carcinoid_progressing_on_ssa(library):
    advice = compared(library, "v3-lung-atypical-after-ssa")
    assert [b.id for b in advice.comparison.bodies] == ["nccn-net", "esmo-lung-thymus"]
    assert position(advice, "everolimus", "nccn-net").level == "category 1"
    assert position(advice, "everolimus", "esmo-lung-thymus").level == "[II, B]"
    prrt = position(advice, "lu177-dotatate", "esmo-lung-thymus")
    assert prrt.status == "candidate" and prrt.level == "[IV, B]" and prrt.wording == "PRRT"
    assert any("mainly third line" in r.text for r in prrt.reasons)
    # NCCN places PRRT for lung from ESMO: its own position is not stated, so it does not count as listing it
    nccn_prrt = position(advice, "lu177-dotatate", "nccn-net")
    assert nccn_prrt.status == "candidate" and not nccn_prrt.listed and nccn_prrt.level is None
    # IFN-alpha: only ESMO lists it, offered below the candidates, never ranked
    assert [o.therapy for o in advice.other_options] == ["interferon-alfa"]
    assert advice.other_options[0].level == "[IV, B]" and advice.other_options[0].guideline == "esmo-lung-thymus"
    assert "interferon-alfa" not in {c.therapy for c in advice.candidates}
    # temozolomide-based chemotherapy comes after everolimus: ESMO rules it out here, so it is excluded
    temozolomide = next(e for e in advice.excluded if e.therapy == "temozolomide")
    assert temozolomide.guideline == "esmo-lung-thymus"
    assert temozolomide.reasons[0].text.startswith("ESMO 2021: requires disease refractory to everolimus, or intolerance of it")


def test_thymic_carcinoid_progressing_on_ssa(library):
    advice = compared(library, "v3-thymus-after-ssa")
    assert position(advice, "everolimus", "esmo-lung-thymus").level == "[II, B]"
    assert position(advice, "lu177-dotatate", "esmo-lung-thymus").level == "[IV, B]"
    # the dacarbazine/temozolomide sentence names lung carcinoids only
    tmz = position(advice, "temozolomide", "esmo-lung-thymus")
    assert tmz.status == "excluded" and "lung carcinoid" in tmz.reasons[0].text
    assert position(advice, "cabozantinib", "esmo-lung-thymus").status == "not-listed"


def test_sstr_negative_small_intestine_net(library):
    advice = compared(library, "v3-si-sstr-negative")
    ids = [b.id for b in advice.comparison.bodies]
    assert ids[0] == "nccn-net" and {"enets-small-intestine", "esmo-gep", "asco-2023"} <= set(ids)
    assert position(advice, "everolimus", "enets-small-intestine").level == "A-1b"
    assert position(advice, "everolimus", "nccn-net").level == "category 1, preferred"
    others = {o.therapy: o for o in advice.other_options}
    assert others["interferon-alfa"].level == "A-2b" and others["lenvatinib"].level == "C-2b"
    assert position(advice, "lu177-dotatate", "esmo-gep").status == "excluded"
    # the ENETS notice on false-negative SSTR imaging is carried with the body
    enets = next(b for b in advice.comparison.bodies if b.id == "enets-small-intestine")
    assert any(n.code == "sst-false-negative" for n in enets.notices)


def test_midgut_net_progressing_on_standard_dose_ssa(library):
    advice = compared(library, "v3-gi-midgut-after-ssa")
    assert position(advice, "lu177-dotatate", "nccn-net").level == "category 1, preferred"
    assert position(advice, "lu177-dotatate", "enets-small-intestine").level == "A-1b"
    assert position(advice, "lu177-dotatate", "esmo-gep").level is None  # no ESMO 2020 mark was seen
    assert position(advice, "lanreotide-high-dose", "enets-small-intestine").level == "B-2"
    agreement = next(o for o in advice.comparison.options if o.therapy == "lu177-dotatate").agreement
    assert (agreement.listed, agreement.offered) == (4, 4) and not agreement.differs


def test_heterogeneous_uptake_is_where_enets_and_nccn_differ(library):
    advice = compared(library, "v3-si-heterogeneous-after-ssa")
    option = next(o for o in advice.comparison.options if o.therapy == "lu177-dotatate")
    assert option.agreement.differs and "ENETS 2024 rules it out for this case" in option.agreement.text
    assert "homogeneous" in position(advice, "lu177-dotatate", "enets-small-intestine").reasons[0].text


# -- honesty -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", shipped_cases(), ids=lambda p: p.stem)
def test_no_level_without_its_source(library, path):
    """Every level shown is the data's own, on a recommendation that cites its sources and the
    statement it grades; NCCN's is its category and tier; a level never appears on an option a
    body does not itself list."""
    advice = advise_case(load_case(path, library.catalogue.therapy_spec()), library, compare=True)
    bodies = {b.id: b for b in advice.comparison.bodies}
    for option in advice.comparison.options:
        for p in option.positions:
            if p.level is None:
                continue
            assert p.listed, (option.therapy, p.id)
            g = next(g for g in library.guidelines_with_id(p.id) if g.version == p.version)
            rec = next(r for r in g.recommendations if r.id == p.recommendation)
            assert rec.sources and rec.therapy == option.therapy
            scheme = g.scheme or library.bodies.schemes[g.scheme_id]
            if scheme.from_category:
                assert re.fullmatch(r"(category (1|2A|2B|3)( \(default\))?)?(, )?[a-z -]*", p.level), p.level
            else:
                assert p.level == rec.level and (rec.quote or rec.carrier_wording), (rec.id, p.level)
                assert scheme.grade_of(p.level) is not None
            assert bodies[p.id].secondary == g.secondary


def test_a_year_only_effective_date_is_in_force_from_the_year_s_end(library):
    esmo = library.guidelines_with_id("esmo-lung-thymus")[0]
    assert esmo.effective_written == "2021" and str(esmo.effective) == "2021-12-31"
    case = load_case(CASES / "v3-lung-atypical-after-ssa.yaml", library.catalogue.therapy_spec(), as_of=__import__("datetime").date(2021, 6, 1))
    advice = advise_case(case, library, compare=True)
    assert [b.id for b in advice.comparison.bodies] == ["nccn-net"]
    assert any(name == "ESMO 2021" and "not yet in force" in why for name, why in advice.comparison.not_applicable)


def test_a_body_not_encoded_is_named_for_its_site(library):
    advice = compared(library, "v3-pnet-after-ssa")
    assert any("ENETS 2023" in name and "not encoded" in text for name, text, _ in advice.comparison.not_encoded)


# -- the chosen guideline's advice does not change ---------------------------------------------

extra = st.fixed_dictionaries(
    {}, optional={"gastric_type": st.sampled_from(vocab.GASTRIC_TYPES), "histology": st.sampled_from(vocab.HISTOLOGY),
                  "uptake": st.sampled_from(vocab.SSTR_UPTAKE)}
)


def _merge(pair):
    data, more = pair
    data = json.loads(json.dumps(data))
    tumor = data["tumor"]
    uptake = more.pop("uptake", None)
    if uptake and tumor.get("sstr") in ("positive", "negative"):
        tumor["sstr"] = {"status": tumor["sstr"], "uptake": uptake}
    tumor.update(more)
    return data


@given(st.tuples(cases, extra).map(_merge))
def test_compare_never_changes_the_candidates_or_their_ranks(data):
    case = parse_case(data, source="generated.yaml", therapy=SPEC, default_id="generated")
    plain = advise_case(case, LIBRARY)
    both = advise_case(case, LIBRARY, compare=True)
    assert [c._replace(guidelines=()) for c in both.candidates] == list(plain.candidates)
    assert all(c.guidelines and c.guidelines[0].id == plain.guideline.id for c in both.candidates)
    # every option appears once: a candidate, another body's option, or excluded
    listed = [c.therapy for c in both.candidates] + [o.therapy for o in both.other_options] + [e.therapy for e in both.excluded]
    assert len(listed) == len(set(listed))
    plain_excluded = {e.therapy for e in plain.excluded}
    moved = plain_excluded - {e.therapy for e in both.excluded}
    for o in both.other_options:  # never one the chosen guideline lists; always offered by another body
        assert o.guidelines[0].status == "not-listed" and o.guideline != plain.guideline.id
        assert any(p.id == o.guideline and p.status == "candidate" and p.listed for p in o.guidelines)
    assert moved <= {o.therapy for o in both.other_options}  # only a history therapy no body ruled out moves
    for e in both.excluded:
        assert e.reasons


# -- expectations and the command line -----------------------------------------------------------


def test_a_body_expectation_that_fails_says_what_was_found(library):
    advice = compared(library, "v3-thymus-after-ssa")
    outcomes = check_expectations({"bodies": {"esmo-lung-thymus": {"everolimus": "[I, A]", "sunitinib": "not listed"},
                                              "enets-small-intestine": {"everolimus": "A-1b"}}}, advice)
    assert [o.ok for o in outcomes] == [False, True, False]
    assert outcomes[0].found == "esmo-lung-thymus: [II, B]"
    assert "not among the bodies compared" in outcomes[2].found
    assert position_words(position(advice, "everolimus", "nccn-net")) == "category 2A (default)"


def test_cli_compare_table_markdown_and_json(tmp_path):
    table = run_cli("advise", "cases/v3-lung-atypical-after-ssa.yaml", "--compare", "--width", "160")
    assert table.returncode == 0, table.stderr
    assert "Also listed by other bodies" in table.stdout and "also listed by ESMO 2021 [IV, B]" in table.stdout
    assert "Guideline bodies in force on 2026-03-01" in table.stdout and "read in secondary sources only" in table.stdout
    markdown = run_cli("advise", "cases/v3-thymus-after-ssa.yaml", "--compare", "-f", "markdown")
    assert "| Option | NCCN v3.2025 | ESMO 2021 | Agreement |" in markdown.stdout
    data = json.loads(run_cli("advise", "cases/v3-thymus-after-ssa.yaml", "--compare", "-f", "json").stdout)
    assert data["candidates"][0]["guidelines"][0] == {
        "id": "nccn-net", "version": "3.2025", "level": "category 2A (default)", "listed": True, "status": "candidate",
        "strength": "moderate", "recommendation": "lung-cabozantinib",
    }
    assert [(o["therapy"], o["guideline"], o["level"]) for o in data["other_options"]] == [
        ("interferon-alfa", {"id": "esmo-lung-thymus", "version": "2021"}, "[IV, B]")]
    assert data["comparison"]["bodies"][1]["effective"] == "2021" and data["comparison"]["bodies"][1]["secondary"] is True
    html = tmp_path / "report.html"
    assert run_cli("advise", "cases/v3-thymus-after-ssa.yaml", "--compare", "--export", html).returncode == 0
    assert "Guideline bodies in force on 2026-03-01" in html.read_text(encoding="utf-8")


def test_without_compare_the_json_is_as_before():
    data = json.loads(run_cli("advise", "cases/v3-thymus-after-ssa.yaml", "-f", "json").stdout)
    assert "other_options" not in data and "comparison" not in data
    assert all("guidelines" not in c for c in data["candidates"]) and all("guideline" not in e for e in data["excluded"])


def test_a_body_chosen_alone_ranks_by_its_own_level():
    data = json.loads(run_cli("advise", "cases/v3-lung-atypical-after-ssa.yaml", "-g", "esmo-lung-thymus", "-f", "json").stdout)
    assert data["guideline"]["id"] == "esmo-lung-thymus"
    # [II, B] before the two [IV, B] options; the rank line says the level
    assert data["candidates"][0]["therapy"] == "everolimus"
    assert {c["therapy"] for c in data["candidates"][1:]} == {"lu177-dotatate", "interferon-alfa"}
    assert "([II, B])" in data["candidates"][0]["reasons"][0]["text"]
    assert "[IV, B]" in next(r["text"] for r in data["candidates"][1]["reasons"] if r["code"] == "rank")


def test_check_runs_the_comparison_for_body_expectations(tmp_path):
    case = (CASES / "v3-thymus-after-ssa.yaml").read_text(encoding="utf-8").replace('everolimus: "[II, B]"', 'everolimus: "[I, A]"')
    path = tmp_path / "case.yaml"
    path.write_text(case, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 1
    assert "esmo-lung-thymus: [I, A]" in result.stdout and "esmo-lung-thymus: [II, B]" in result.stdout


# -- audit --against all ---------------------------------------------------------------------------


def test_audit_against_all_says_which_bodies_each_decision_was_concordant_with(tmp_path):
    csv_path = tmp_path / "decisions.csv"
    result = run_cli("audit", "cases/v3-lung-after-temozolomide.yaml", "--against", "all", "-f", "json", "-j", "1",
                     "--decisions", csv_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    header, *rows = csv_path.read_text().splitlines()
    assert header.endswith(",asco-2023,enets-colorectal,enets-gastroduodenal,enets-small-intestine,esmo-gep,esmo-lung-thymus,nccn-net")
    # temozolomide after an SSA and everolimus (2023-10): ESMO 2021 lists it as the first chemotherapy
    # line; the NCCN lung options as reported do not list it
    temozolomide = rows[2].split(",")
    assert temozolomide[4] == "temozolomide" and temozolomide[-2] in ("concordant", "concordant-not-top")
    # the first-line SSA: ESMO's statement was not found, so the choice is not assessable against ESMO
    assert rows[0].split(",")[-2] == "not-assessable"
    assert data["by"]["body"]["esmo-lung-thymus"]["assessable"] == 2
    assert set(data["by"]["body"]) == {"nccn-net", "esmo-lung-thymus"}


def test_audit_against_names_the_bodies_it_knows():
    result = run_cli("audit", "cases/", "--against", "esmo-lung-thym")
    assert result.returncode == 2 and "unknown guideline body esmo-lung-thym" in result.stderr


def test_replay_against_a_body_gives_each_decision_s_bodies(library):
    from netadvisor.cohort.audit import decision_dict
    from netadvisor.cohort.replay import replay

    case = load_case(CASES / "v3-lung-after-temozolomide.yaml", library.catalogue.therapy_spec())
    decisions = [decision_dict(d) for d in replay(case, library, against=tuple(library.ids()))]
    third = decisions[2]
    assert third["therapy"] == "temozolomide" and third["concordant_with"] == ["esmo-lung-thymus"]
    assert [b["id"] for b in third["bodies"]] == ["nccn-net", "esmo-lung-thymus"]
    assert all("bodies" not in d for d in (decision_dict(x) for x in replay(case, library)))


# -- lint checks every body -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ('level: "[II, B]"', 'level: "[2, B]"', "'[2, B]' is not written as ESMO levels of evidence"),
        ('    quote: "Everolimus is recommended either as first line in case of AC', '    notes_: "Everolimus is recommended either',
         "unknown field"),
        ("secondary: true\n", "", "not marked `secondary: true`"),
    ],
)
def test_lint_checks_every_body(tmp_path, old, new, needle):
    import shutil

    from conftest import GUIDELINES

    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)
    path = folder / "esmo-lung-thymus-2021.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli("lint", folder)
    assert result.returncode == 1 and needle in result.stdout, result.stdout


def test_lint_asks_a_level_for_the_statement_it_grades(tmp_path):
    import shutil

    from conftest import GUIDELINES

    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)
    path = folder / "esmo-lung-thymus-2021.yaml"
    text = path.read_text(encoding="utf-8")
    old = '    quote: "Everolimus is recommended either as first line in case of AC or, second-line post-SSA, in patients with TC and or progressive advanced LCs and ThCs"\n'
    assert old in text
    path.write_text(text.replace(old, ""), encoding="utf-8")
    result = run_cli("lint", folder)
    assert result.returncode == 1
    assert "recommendations[esmo-lt-everolimus].level: level [II, B] without the statement it grades" in result.stdout
