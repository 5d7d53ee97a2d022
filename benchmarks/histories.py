"""Synthetic treatment histories with planted deviations, for testing `audit`.

    python benchmarks/histories.py N OUT.jsonl [--seed 1]

Each case grows one line at a time. At every step the history so far is
judged exactly as `replay` will judge it (replay.as_it_stood, then the
advisor), and the next line is either the first antitumour candidate then
(concordant by construction) or a planted deviation of a known kind:

  trial               surufatinib given in a trial
  not-in-guideline    carboplatin-etoposide, which no site group lists
  off-label           interferon alfa recorded as off-label
  toxicity-driven     the drug just stopped for grade 3 toxicity, given again
  patient-preference  after a line stopped by patient choice, a drug the disease progressed on
  excluded            after progression, a drug the disease progressed on earlier

The truth (how many of each were planted) comes back with the cases, so a
test can hold audit's counts to it. Invented data for testing only.
"""

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from netadvisor.cohort.replay import as_it_stood, decision_date
from netadvisor.core import advise_case
from netadvisor.inputs.case_format import parse_case

SITES = ["pancreas", "small-intestine", "lung", "rectum", "colon", "unknown-primary"]
PLANTS = ("trial", "not-in-guideline", "off-label", "toxicity-driven", "patient-preference", "excluded")


def _month(months: int) -> str:
    return f"{months // 12}-{months % 12 + 1:02d}"


def _base(rng: random.Random, index: int) -> dict:
    site = rng.choice(SITES)
    grade = rng.choice([1, 2, 2])
    return {
        "format": "netadvisor-case/1",
        "id": f"history-{index:06d}",
        "as_of": "2025-06-01",
        "patient": {"age": rng.randint(30, 80)},
        "tumor": {"primary_site": site, "differentiation": "well", "grade": grade, "ki67": 2 if grade == 1 else rng.randint(3, 15),
                  "stage": "metastatic", "functional": "nonfunctional", "sstr": "positive", "metastases": ["liver"], "bulky": False},
        "preferences": {"clinical_trial_access": False},
        "history": [],
    }


def _top_candidate(data: dict, library, start: int) -> str | None:
    """The first antitumour candidate when a line starting at month `start` is chosen, as replay sees it."""
    probe = dict(data, history=data["history"] + [{"therapy": "clinical-trial", "start": _month(start)}])
    case = parse_case(probe, source="synthetic", therapy=library.catalogue.therapy_spec(), default_id=data["id"])
    index = len(data["history"])
    when = decision_date(case.history, index)  # the date replay will judge the decision on
    advice = advise_case(as_it_stood(case, index, when, library.catalogue), library)
    return next((c.therapy for c in advice.candidates if c.intent == "antitumor"), None)


def make_history(rng: random.Random, index: int, library, plant_rate: float = 0.25) -> tuple:
    data = _base(rng, index)
    planted: list = []
    months = rng.randint(2014 * 12, 2018 * 12)
    for step in range(rng.randint(1, 5)):
        history = data["history"]
        start = months
        months += rng.randint(3, 24)
        end, stop = _month(months), rng.choices(["progression", "toxicity", "patient-choice"], weights=[80, 10, 10])[0]
        line = {"start": _month(start), "end": end, "stopped": stop}
        if stop == "toxicity":
            line["toxicity"] = [{"event": "other", "grade": 3, "note": "synthetic"}]
        kind = rng.choice(PLANTS) if step and rng.random() < plant_rate else None
        previous = history[-1] if history else None
        planted_lines = {i for i, _ in planted}  # only drugs the guideline offered count as "progressed on"
        earlier_progression = [h["therapy"] for i, h in enumerate(history[:-1]) if h.get("stopped") == "progression" and i not in planted_lines]
        # Set up what each kind needs: how the previous line stopped, and an earlier progression.
        if kind == "toxicity-driven" and len(history) - 1 in planted_lines:
            kind = None  # re-giving a planted off-guideline drug would read as that deviation again
        if kind == "toxicity-driven":
            previous.update(stopped="toxicity", toxicity=[{"event": "other", "grade": 3, "note": "synthetic"}])
        elif kind in ("patient-preference", "excluded") and earlier_progression:
            previous.pop("toxicity", None)
            previous["stopped"] = "patient-choice" if kind == "patient-preference" else "progression"
        elif kind in ("patient-preference", "excluded"):
            kind = None
        progressed = earlier_progression
        if kind == "trial":
            line.update(therapy="surufatinib", setting="trial")
        elif kind == "not-in-guideline":
            line["therapy"] = "carboplatin-etoposide"
        elif kind == "off-label":
            line.update(therapy="interferon-alfa", setting="off-label")
        elif kind == "toxicity-driven":
            line["therapy"] = previous["therapy"]
        elif kind in ("patient-preference", "excluded"):
            line["therapy"] = progressed[0]
        else:
            therapy = _top_candidate(data, library, start)
            if therapy is None:
                break
            line["therapy"] = therapy
        history.append(line)
        if kind:
            planted.append((len(history) - 1, kind))
    data["as_of"] = _month(months) + "-28"  # after the last line ended
    return data, planted


def generate(n: int, library, seed: int = 1, plant_rate: float = 0.25) -> tuple:
    """(cases, planted counts, planted (case id, line, code) list)."""
    rng = random.Random(seed)
    cases, truth = [], []
    for i in range(n):
        data, planted = make_history(rng, i, library, plant_rate)
        cases.append(data)
        truth += [(data["id"], index, code) for index, code in planted]
    return cases, Counter(code for _, _, code in truth), truth


def main() -> int:
    from netadvisor.knowledge.library import load_library

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases, counts, _ = generate(args.n, load_library(), args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case) + "\n")
    print(json.dumps({"cases": len(cases), "planted": dict(counts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
