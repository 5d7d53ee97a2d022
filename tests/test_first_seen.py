"""Telling a case read twice, in flat memory: the ids past the first few thousand go to disk."""

from netadvisor.cohort.audit import Audit
from netadvisor.formats.batch_out import FirstSeen, Summary


def test_first_input_is_remembered_across_the_spill(monkeypatch):
    monkeypatch.setattr(FirstSeen, "IN_MEMORY", 3)
    seen = FirstSeen()
    labels = {f"case-{n}": f"a.jsonl:{n}" for n in range(10)}
    for case_id, label in labels.items():
        assert seen.setdefault(case_id, label) == label
    assert len(seen.ids) == 3 and seen.db
    for case_id, label in labels.items():  # held in memory and held on disk alike
        assert seen.setdefault(case_id, "b.jsonl:1") == label


def test_without_a_temporary_database_the_ids_stay_in_memory(monkeypatch):
    monkeypatch.setattr(FirstSeen, "IN_MEMORY", 2)
    seen = FirstSeen()
    seen.db = False  # as where no temporary file could be made
    for n in range(5):
        seen.setdefault(f"case-{n}", f"a.jsonl:{n}")
    assert len(seen.ids) == 5
    assert seen.setdefault("case-4", "b.jsonl:1") == "a.jsonl:4"


def _record(case_id: str, line: int) -> dict:
    return {"case_id": case_id, "source": {"file": "a.jsonl", "line": line}, "decisions": [],
            "candidates": [], "summary": {"site_group": None}, "scope": {"status": "in-scope"}}


def test_batch_and_audit_count_a_duplicate_past_the_spill(monkeypatch):
    monkeypatch.setattr(FirstSeen, "IN_MEMORY", 2)
    summary, audit = Summary(), Audit()
    for n in range(6):
        summary.add(Summary.facts(_record(f"case-{n}", n + 1)))
        assert audit.add(_record(f"case-{n}", n + 1))
    summary.add(Summary.facts(_record("case-5", 99)))
    assert not audit.add(_record("case-5", 99))
    assert summary.duplicate_count == 1 and summary.duplicates == [("case-5", "a.jsonl:6", "a.jsonl:99")]
    assert audit.duplicates == [{"case_id": "case-5", "kept": "a.jsonl:6", "skipped": "a.jsonl:99"}]
    assert summary.cases == 7 and audit.cases == 6
