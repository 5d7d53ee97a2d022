"""Guideline data is validated on load; broken data is exit 2 naming file, item and key."""

import shutil

import pytest

from netadvisor.base.errors import GuidelineError
from netadvisor.knowledge.library import load_library

from conftest import GUIDELINES, guideline as by_id, run_cli

NCCN = "nccn-net-v4.2024.yaml"


def test_shipped_data_is_valid_and_cited(library):
    older, newer = by_id(library, version="4.2024"), by_id(library, version="3.2025")
    assert (str(older.effective), str(older.until)) == ("2025-01-17", "2025-10-01")
    assert (str(newer.effective), newer.until) == ("2025-10-01", None)
    assert {g.id for g in older.site_groups} == {"pancreas", "gi-unknown", "lung-thymus"}
    assert {g.id for g in newer.site_groups} == {"pancreas", "gi-unknown", "lung-thymus", "wd-g3", "pdnec"}
    for guideline in (older, newer):
        assert guideline.default_category.category == "2A" and guideline.default_category.sources
        for rec in guideline.recommendations:
            assert rec.sources, rec.id
            assert rec.category in (None, "1", "2A", "2B", "3")
    for therapy in library.catalogue.therapies.values():
        for rate in therapy.toxicities:
            assert rate.sources, (therapy.id, rate.event)


def test_catalogue_covers_the_case_format_vocabulary(library):
    vocabulary = """octreotide-lar lanreotide lu177-dotatate everolimus sunitinib cabozantinib surufatinib
    capecitabine-temozolomide temozolomide streptozocin-fluorouracil folfox capeox cisplatin-etoposide
    carboplatin-etoposide pembrolizumab nivolumab-ipilimumab belzutifan telotristat diazoxide interferon-alfa
    bland-embolization chemoembolization radioembolization-y90 ablation resection external-beam-radiation
    clinical-trial""".split()
    assert set(vocabulary) <= set(library.catalogue.therapies)


def test_seed_table_4_figures_are_in_the_catalogue(library):
    cabo = library.catalogue.therapies["cabozantinib"]
    rates = {(r.cohort, r.event): r.percent for r in cabo.toxicities}
    assert rates[("pnet", "hypertension")] == 22 and rates[("epnet", "hypertension")] == 21
    assert rates[("pnet", "venous-thromboembolism")] == 11 and rates[("epnet", "fatigue")] == 13


@pytest.fixture
def broken(tmp_path):
    """A copy of the shipped data with one text replacement applied to the guideline file."""
    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)

    def apply(old: str, new: str, file: str = NCCN):
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return folder

    return apply


def errors_of(folder):
    with pytest.raises(GuidelineError) as info:
        load_library(folder)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ("    category: 2A\n    preference: preferred", "    category: 2C\n    preference: preferred",
         "recommendations[pnet-cabozantinib].category: '2C' is not one of 1, 2A, 2B, 3"),
        ("    therapy: everolimus\n    site_group: pancreas", "    therapy: everolimuss\n    site_group: pancreas",
         "recommendations[pnet-everolimus].therapy: 'everolimuss' is not one of"),
        ("{fact: disease_status, is: progressing}", "{fact: disease_stats, is: progressing}",
         "unknown fact 'disease_stats' (did you mean 'disease_status'?)"),
        ("{fact: sstr, is: positive}", "{fact: sstr, is: positve}", "'positve' is not a value of fact 'sstr'"),
        ("sources: [paulson-2025, nccn-net-4.2024, radiant3-2011]", "sources: [paulson-2025, no-such-source]",
         "recommendations[pnet-everolimus].sources[1]: 'no-such-source' is not one of"),
        ("  - id: pnet-sunitinib\n", "  - id: pnet-everolimus\n", "recommendations[pnet-everolimus]: duplicate recommendation id"),
        ("    basis: guideline\n    category_rules:\n      - code: category-1-progressive",
         "    basis: guideline\n    colour: red\n    category_rules:\n      - code: category-1-progressive",
         "recommendations[pnet-everolimus].colour: unknown field"),
        ("requires: [trial-access]", "requires: [trial-acess]", "'trial-acess' is not one of"),
    ],
)
def test_broken_guideline_names_file_item_and_key(broken, old, new, needle):
    folder = broken(old, new)
    messages = errors_of(folder)
    assert any(needle in m for m in messages), messages
    assert all(m.startswith(str(folder)) for m in messages)


def test_broken_therapy_catalogue(broken):
    folder = broken("class: vegfr-tki\n    routes: [oral]\n    indication: >-\n      Adult and paediatric",
                    "class: vegf-tki\n    routes: [oral]\n    indication: >-\n      Adult and paediatric", "therapies.yaml")
    assert any("therapies[cabozantinib].class: 'vegf-tki' is not one of" in m for m in errors_of(folder))


def test_invalid_yaml_in_data(broken):
    folder = broken("kind: guideline\n", "kind: guideline\n  bad: [\n")
    assert any("invalid YAML" in m for m in errors_of(folder))


def test_cli_reports_broken_guideline_with_exit_2(broken):
    folder = broken("    category: 2A\n    preference: preferred", "    category: 9\n    preference: preferred")
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--guideline", folder)
    assert result.returncode == 2
    assert "recommendations[pnet-cabozantinib].category" in result.stderr and "Traceback" not in result.stderr


def test_a_single_guideline_file_can_be_selected(tmp_path):
    path = tmp_path / "my-guideline.yaml"
    path.write_text((GUIDELINES / NCCN).read_text(encoding="utf-8").replace('version: "4.2024"', 'version: "local-test"'))
    result = run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json", "--guideline", path)
    assert result.returncode == 0, result.stderr
    assert '"version": "local-test"' in result.stdout


def test_every_condition_fact_is_documented():
    from netadvisor.knowledge.conditions import FACTS

    doc = (GUIDELINES / "README.md").read_text(encoding="utf-8")
    assert [f for f in FACTS if f"| `{f}` |" not in doc] == []


# -- hostile data: each was a crash (exit 3) before; found by tests/fuzz/fuzz_loaders.py


@pytest.mark.parametrize(
    "old, new, file, needle",
    [
        # an id that is not text reached the vocabularies built from ids: AttributeError in vocab_key
        ("  - {id: ssa, name: somatostatin analogue", "  - {id: 5, name: somatostatin analogue", "therapies.yaml",
         "classes[1].id: expected a string, got a number (5)"),
        ("  - id: octreotide-lar\n", "  - id: null\n", "therapies.yaml", "therapies[1].id: is required"),
        ("  - {id: pancreas, name: pancreatic NET", "  - {id: [pancreas], name: pancreatic NET", NCCN,
         "site_groups[0].id: expected a string, got a list"),
        ("shared_rules:\n  sstr-positive:", "shared_rules:\n  1:", NCCN, "shared_rules.1: expected a string, got a number (1)"),
        # a condition naming a definition or fact with a list or mapping: TypeError (unhashable)
        ("when: {fact: sstr, is: positive}\n    text: SSTR-positive disease",
         "when: {ref: {a: 1}}\n    text: SSTR-positive disease", NCCN, "unknown definition {'a': 1}"),
        ("when: {fact: sstr, is: positive}\n    text: SSTR-positive disease",
         "when: {fact: [sstr], is: positive}\n    text: SSTR-positive disease", NCCN, "unknown fact ['sstr']"),
        # not a crash, but a threshold no value meets: the condition silently never held
        ("{fact: ki67, at_least: 10}", "{fact: ki67, at_least: .nan}", NCCN, ".at_least: expected a number"),
        ("{fact: ki67, at_least: 10}", "{fact: ki67, at_least: -.inf}", NCCN, ".at_least: expected a number"),
    ],
    ids=["class-id-number", "therapy-id-null", "site-group-id-list", "shared-rule-name-number", "ref-mapping", "fact-list",
         "threshold-nan", "threshold-infinite"],
)
def test_hostile_data_is_an_error_not_a_crash(broken, old, new, file, needle):
    messages = errors_of(broken(old, new, file))
    assert any(needle in m for m in messages), messages


@pytest.mark.parametrize("kind", ["kind: [guideline]", "kind: {a: 1}"])
def test_a_kind_that_is_not_a_word(broken, kind):
    """Regression: a list or mapping as `kind` was looked up in a dict: TypeError."""
    folder = broken("kind: guideline\n", kind + "\n")
    assert any("kind: expected one of sources, therapies, guideline, evidence, bodies, got" in m for m in errors_of(folder))


def test_a_data_file_that_is_not_utf8_is_listed_with_the_other_problems(broken):
    folder = broken("    category: 2A\n    preference: preferred", "    category: 9\n    preference: preferred")
    (folder / "extra.yaml").write_bytes("kind: guideline\n".encode("utf-16"))
    messages = errors_of(folder)
    assert any(m.startswith(f"{folder / 'extra.yaml'}: file is UTF-16") for m in messages), messages


def test_a_flood_of_problems_in_a_data_file_is_cut_short(tmp_path):
    """Like a case file: 49,000 unknown fields gave 49,000 lines, each with a "did you mean" search."""
    folder = tmp_path / "data"
    folder.mkdir()
    flood = ", ".join(f"k{i}: 1" for i in range(49_000))
    (folder / "guideline.yaml").write_text(f"kind: guideline\npolicy: {{{flood}}}\n")
    messages = errors_of(folder)
    assert len(messages) == 101
    assert messages[0].startswith(f"{folder / 'guideline.yaml'}: policy.k0: unknown field")
    assert messages[-1] == f"{folder / 'guideline.yaml'}: stopped after 100 problems; correct these and check again"


def bomb(levels: int, fan_out: int = 2) -> str:
    """Definitions that each refer to the one before twice: 2**levels tests once expanded."""
    lines = ["definitions:", "  d0: {text: d0, when: {fact: sstr, is: positive}}"]
    for n in range(1, levels + 1):
        refs = ", ".join(f"{{ref: d{n - 1}}}" for _ in range(fan_out))
        lines.append(f"  d{n}: {{text: d{n}, when: {{any: [{refs}]}}}}")
    return "\n".join(lines) + "\n"


def chain(length: int) -> str:
    lines = ["definitions:", "  d0: {text: d0, when: {fact: sstr, is: positive}}"]
    lines += [f"  d{n}: {{text: d{n}, when: {{not: {{ref: d{n - 1}}}}}}}" for n in range(1, length + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("definitions, last, needle", [
    (bomb(26), "d26", "definitions[d10].when: the condition, with the definitions it refers to expanded, "
                      "has 2,047 parts, 21 levels deep; the limit is 2,000 parts and 40 levels"),
    (chain(3_000), "d3000", "definitions[d20].when: the condition, with the definitions it refers to expanded, "
                            "has 21 parts, 41 levels deep; the limit is 2,000 parts and 40 levels"),
])
def test_a_condition_bomb_is_a_data_error_naming_file_and_key(broken, definitions, last, needle):
    """~5 KB of definitions ran `advise` past 120 s (and lint called the file clean); 3,000 refs in
    a chain were exit 3 (RecursionError)."""
    import time

    broken("definitions:\n", definitions)
    folder = broken("shared_rules:\n", f"shared_rules:\n  bomb:\n    code: bomb\n    when: {{ref: {last}}}\n"
                                        "    text: a bomb\n    sources: [paulson-2025]\n")
    started = time.perf_counter()
    messages = errors_of(folder)
    assert time.perf_counter() - started < 10
    assert messages == [f"{folder / NCCN}: {needle}"]  # refs to the refused definition add nothing
    result = run_cli("advise", "cases/seed-patient-1.yaml", "--guideline", folder)
    assert result.returncode == 2 and needle in result.stderr, result.stderr[-500:]
    result = run_cli("lint", folder)
    assert result.returncode == 1 and needle in result.stdout + result.stderr
