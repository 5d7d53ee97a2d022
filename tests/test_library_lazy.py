"""The shipped data is read a body at a time: `advise` parses and builds only the guideline
version it uses, chosen by the top lines of each file; the choice is the one a full build makes."""

from datetime import date, timedelta

import pytest

from netadvisor.knowledge.library import Library, Unparsed, _head, load_library, read_folder

from conftest import GUIDELINES, run_cli


def test_the_top_lines_of_every_shipped_guideline_say_what_its_document_says():
    reader = read_folder(GUIDELINES)  # parsed in full
    for file, data in reader.documents["guideline"]:
        head = _head((GUIDELINES / file.rsplit("/", 1)[-1]).read_bytes())
        assert head["kind"] == "guideline" and head["id"] == data["id"], file
        assert head["version"] == data["version"] and head["effective"] == str(data["effective"]), file
        assert head.get("until") == data.get("until"), file


def test_a_plain_run_builds_only_the_version_it_uses():
    reader = read_folder(GUIDELINES, lazy=True)
    assert all(isinstance(data, Unparsed) for _, data in reader.documents["guideline"])
    fresh = load_library(GUIDELINES)  # a folder given explicitly: validated whole
    library = Library(reader.documents["guideline"], fresh.catalogue, fresh.sources, fresh.digest, GUIDELINES,
                      fresh.evidence, fresh.files, reader.documents["bodies"])
    knowledge = library.pick(None, date(2026, 3, 1))
    assert (knowledge.guideline.id, knowledge.guideline.version) == ("nccn-net", "3.2025")
    assert len(library._built) == 1
    assert sum(isinstance(data, Unparsed) for _, data in library.documents) == len(library.documents) - 1


@pytest.mark.parametrize("wanted", [None, "nccn-net", "nccn-net@4.2024", "asco-2023", "esmo-lung-thymus", "enets-small-intestine"])
def test_the_version_chosen_from_the_top_lines_is_the_one_a_full_build_chooses(wanted):
    lazy, whole = load_library(), load_library(GUIDELINES)
    day = date(2019, 1, 1)
    while day < date(2027, 1, 1):
        a, b = lazy.pick(wanted, day), whole.pick(wanted, day)
        assert (a.guideline.id, a.guideline.version, a.warnings) == (b.guideline.id, b.guideline.version, b.warnings), day
        day += timedelta(days=91)


def test_a_folder_given_is_validated_whole_even_for_a_case_a_broken_body_does_not_judge(tmp_path):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)
    path = folder / "esmo-lung-thymus-2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('level: "[II, B]"', 'level: "[II, b]"'), encoding="utf-8")
    result = run_cli("advise", "cases/v3-lung-atypical-after-ssa.yaml", "--guideline", folder)
    assert result.returncode == 2 and "recommendations[esmo-lt-everolimus].level" in result.stderr
