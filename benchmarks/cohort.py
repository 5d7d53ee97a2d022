"""Synthetic NET cohorts: plausible cases for benchmarks and cohort-level tests.

    python benchmarks/cohort.py N OUT_DIR [--jsonl FILE] [--seed 1]

Each case follows a plausible sequence for its site group (SSA first when
SSTR-positive, then PRRT, targeted agents, chemotherapy), with dates, reasons
for stopping and occasional toxicities. Deterministic for a given seed. The
data are invented for load and logic testing; they describe no real patient.
"""

import argparse
import json
import random
import sys
from pathlib import Path

SITES = [("small-intestine", 30), ("pancreas", 25), ("lung", 18), ("rectum", 8), ("colon", 5),
         ("stomach", 4), ("appendix", 3), ("duodenum", 3), ("unknown-primary", 3), ("thymus", 1)]
SEQUENCES = {
    "pancreas": ["lanreotide", "everolimus", "lu177-dotatate", "sunitinib", "capecitabine-temozolomide", "cabozantinib"],
    "gi": ["octreotide-lar", "lu177-dotatate", "everolimus", "cabozantinib", "capecitabine-temozolomide"],
    "lung": ["octreotide-lar", "everolimus", "cabozantinib", "lu177-dotatate"],
}
TOXICITY = {"everolimus": "pneumonitis", "sunitinib": "hypertension", "cabozantinib": "hypertension",
            "lu177-dotatate": "thrombocytopenia", "capecitabine-temozolomide": "neutropenia"}


LAST_MONTH = 2025 * 12 + 4  # 2025-05, the month before every case's as_of (2025-06-01)


def _month(months: int) -> str:
    return f"{months // 12}-{months % 12 + 1:02d}"


def make_case(rng: random.Random, index: int) -> dict:
    site = rng.choices([s for s, _ in SITES], weights=[w for _, w in SITES])[0]
    group = "pancreas" if site == "pancreas" else "lung" if site in ("lung", "thymus") else "gi"
    grade = rng.choices([1, 2, 3], weights=[40, 50, 10])[0]
    ki67 = {1: rng.randint(0, 2), 2: rng.randint(3, 20), 3: rng.randint(21, 50)}[grade]
    sstr = rng.choices(["positive", "negative", "unknown"], weights=[80, 12, 8])[0]
    functional = rng.choices([["nonfunctional"], ["carcinoid-syndrome"], ["insulinoma"], ["gastrinoma"]],
                             weights=[70, 20 if group != "pancreas" else 2, 4 if group == "pancreas" else 0, 4 if group == "pancreas" else 0])[0]
    months = rng.randint(2012 * 12, 2019 * 12)  # a running date, in months since year 0
    history = []
    lines = rng.randint(0, 4)
    for therapy in SEQUENCES[group][:lines]:
        if therapy in ("lanreotide", "octreotide-lar", "lu177-dotatate") and sstr != "positive":
            continue
        if months > LAST_MONTH:  # every line starts on or before the case date
            break
        start, months = months, months + rng.randint(2, 30)
        line = {"therapy": therapy, "start": _month(start), "end": _month(min(months, LAST_MONTH))}
        stopped = rng.choices(["progression", "toxicity", "completed", "patient-choice"], weights=[70, 15, 10, 5])[0]
        line["stopped"] = stopped
        if stopped == "toxicity" and therapy in TOXICITY:
            line["toxicity"] = [{"event": TOXICITY[therapy], "grade": rng.randint(2, 4)}]
        history.append(line)
    return {
        "format": "netadvisor-case/1",
        "id": f"synthetic-{index:06d}",
        "as_of": "2025-06-01",
        "patient": {"age": rng.randint(25, 85), "sex": rng.choice(["female", "male"]),
                    "comorbidities": rng.sample(["hypertension", "diabetes", "kidney-disease", "prior-vte"], rng.randint(0, 2))},
        "tumor": {"primary_site": site, "differentiation": "well", "grade": grade, "ki67": ki67, "stage": "metastatic",
                  "functional": functional, "sstr": sstr, "metastases": ["liver"] + (["bone"] if rng.random() < 0.2 else []),
                  "bulky": rng.random() < 0.2},
        "disease": {"status": "progressing" if history else "new-diagnosis"},
        "history": history,
        "preferences": {"clinical_trial_access": rng.random() < 0.3},
    }


def cases(n: int, seed: int = 1):
    rng = random.Random(seed)
    for i in range(n):
        yield make_case(rng, i)


def write_yaml_files(n: int, folder: Path, seed: int = 1) -> list:
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for case in cases(n, seed):
        path = folder / f"{case['id']}.yaml"
        path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def write_jsonl(n: int, path: Path, seed: int = 1) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for case in cases(n, seed):
            out.write(json.dumps(case) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--jsonl", type=Path, help="also write the cases as one JSON Lines file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_yaml_files(args.n, args.out_dir, args.seed)
    if args.jsonl:
        write_jsonl(args.n, args.jsonl, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
