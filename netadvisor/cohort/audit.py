"""Concordance of a cohort's past decisions with the guideline (from replay).

Counts are kept while the decisions stream past, so memory does not grow with
the cohort; only the per-decision CSV (if asked for) sees every decision.
"""

from collections import Counter, defaultdict

from ..formats.batch_out import FirstSeen, Unreadable, problem_kind

ASSESSABLE = ("concordant", "concordant-not-top", "deviation")
CSV_COLUMNS = ("case_id", "source", "line", "decision", "therapy", "start", "as_of", "year", "site_group",
               "guideline", "classification", "code", "rank", "category", "intent", "detail")


def decision_dict(d) -> dict:
    """A replay Decision as plain data (JSON, CSV)."""
    out = {
        "decision": d.index + 1,
        "history_index": d.index,
        "therapy": d.therapy,
        "name": d.name,
        "start": d.start,
        "as_of": d.as_of.isoformat() if d.as_of else None,
        "site_group": d.site_group,
        "guideline": d.guideline,
        "classification": d.classification,
        "code": d.code,
        "detail": d.detail,
        "rank": d.rank,
        "category": d.category,
        "preference": d.preference,
        "intent": d.intent,
        "top": [{"therapy": t, "name": n} for t, n in d.top],
        "excluded_because": list(d.reasons),
        "warnings": list(d.warnings),
    }
    if d.bodies:  # audit --against: every body in force that judged the decision
        out["bodies"] = [{"id": gid, "version": version, "classification": cls} for gid, version, cls in d.bodies]
        out["concordant_with"] = [gid for gid, _, cls in d.bodies if cls in ("concordant", "concordant-not-top")]
    return out


def csv_rows(record: dict, bodies: tuple = ()) -> list:
    """One row per decision; with `bodies` (audit --against), a column per body id: its classification."""
    source = record["source"]
    return [
        [record["case_id"], source["file"], source["line"] or "", d["decision"], d["therapy"], d["start"], d["as_of"] or "",
         d["as_of"][:4] if d["as_of"] else "", d["site_group"] or "", d["guideline"], d["classification"], d["code"] or "",
         d["rank"] or "", d["category"] or "", d["intent"] or "", d["detail"]]
        + [next((b["classification"] for b in d.get("bodies", ()) if b["id"] == gid), "") for gid in bodies]
        for d in record["decisions"]
    ]


def source_label(record: dict) -> str:
    source = record["source"]
    return f"{source['file']}:{source['line']}" if source.get("line") else source["file"]


class Audit:
    def __init__(self):
        self.cases = 0
        self.errors = Unreadable()  # a count, the first few records and counts by kind: bounded memory
        self.skipped: dict = {}  # what the folders held that was not read, by kind (cohort/discover.py)
        self.first_source = FirstSeen()  # case id -> the input it was first read from
        self.duplicates: list = []  # {"case_id", "kept", "skipped"}: the same case again, counted once
        self.classes: Counter = Counter()
        self.by: dict = defaultdict(lambda: defaultdict(Counter))  # dimension -> key -> classification counts
        self.deviations: Counter = Counter()
        self.off_guideline: Counter = Counter()
        self.not_assessable: Counter = Counter()

    def add(self, record: dict):
        """Count one replayed case; a case id already counted (cases/x.yaml and its FHIR
        bundle cases/fhir/x.json) is skipped and listed in `duplicates`. Returns False then."""
        if record.get("format") == "netadvisor-error/1":
            self.cases += 1
            self.errors.add("", "", problem_kind(record), record)
            return True
        first = self.first_source.setdefault(record["case_id"], source_label(record))
        if first != source_label(record):
            self.duplicates.append({"case_id": record["case_id"], "kept": first, "skipped": source_label(record)})
            return False
        self.cases += 1
        for d in record["decisions"]:
            cls = d["classification"]
            self.classes[cls] += 1
            keys = {
                "line": str(d["decision"]),
                "site group": d["site_group"] or "(none)",
                "therapy": d["name"],
                "year": d["as_of"][:4] if d["as_of"] else "(no date)",
            }
            for dimension, key in keys.items():
                self.by[dimension][key][cls] += 1
            for body in d.get("bodies", ()):  # audit --against: concordance with each body in force
                self.by["body"][body["id"]][body["classification"]] += 1
            if cls == "deviation":
                self.deviations[d["code"]] += 1
                self.off_guideline[d["name"]] += 1
            elif cls == "not-assessable":
                self.not_assessable[d["code"]] += 1
        return True

    @staticmethod
    def rates(counts: Counter) -> dict:
        assessable = sum(counts[c] for c in ASSESSABLE)
        on = counts["concordant"] + counts["concordant-not-top"]
        return {
            "decisions": sum(counts.values()),
            "assessable": assessable,
            "concordant": counts["concordant"],
            "concordant_not_top": counts["concordant-not-top"],
            "deviation": counts["deviation"],
            "not_assessable": counts["not-assessable"],
            "on_guideline_rate": round(on / assessable, 4) if assessable else None,
            "top_choice_rate": round(counts["concordant"] / assessable, 4) if assessable else None,
        }

    def to_dict(self) -> dict:
        return {
            "format": "netadvisor-audit/1",
            "cases": self.cases,
            "unreadable": len(self.errors),
            "skipped": self.skipped,
            "overall": self.rates(self.classes),
            "by": {dim: {key: self.rates(c) for key, c in sorted(keys.items(), key=_order)} for dim, keys in self.by.items()},
            "deviations": dict(self.deviations.most_common()),
            "off_guideline_choices": dict(self.off_guideline.most_common()),
            "not_assessable": dict(self.not_assessable.most_common()),
            "duplicates": self.duplicates,
            "errors": self.errors.sample,  # the first SAMPLE error records
            "errors_by_kind": dict(self.errors.kinds.most_common()),
        }


def _order(item):
    key = item[0]
    return (0, int(key)) if key.isascii() and key.isdigit() else (1, key)
