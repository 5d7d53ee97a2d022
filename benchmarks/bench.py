"""netadvisor's speed targets, measured in one run on this machine.

    python benchmarks/bench.py [--small]

Run it with the python of a virtual environment that has netadvisor installed
(a regular `pip install .`: editable installs without bytecode start slower).
It generates synthetic cohorts (benchmarks/cohort.py) in a temporary folder and
reports, with the targets of issue 4:

  1. `advise` whole-process time vs `python -c "import typer, rich.console, rich.table, yaml"` (<= 1.3x)
  2. `batch --jobs 1` over 10,000 YAML files vs a bare CSafeLoader loop over them (<= 1.5x)
  3. `batch --jobs 2` vs `--jobs 1` on the same cohort (>= 1.7x faster)
  4. JSON Lines input, 100,000 cases, one core (>= 10,000 cases/s)
  5. peak memory at 100,000 cases vs 10,000 (<= 1.2x)

--small uses cohorts a tenth the size, for a quick look. Uses only the
standard library, PyYAML and the netadvisor command.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cohort  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NETADVISOR = str(Path(PYTHON).with_name("netadvisor"))


def wall(command: list, runs: int = 1) -> float:
    """Median wall-clock seconds of a command (after one warm-up run when runs > 1)."""
    if runs > 1:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_kib(command: list) -> int:
    """Peak resident memory of a command, through a fresh wrapper process."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", probe, *command], capture_output=True, text=True)
    return int(out.stdout.strip())


BARE_LOOP = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob('*.yaml')):
    yaml.load(path.read_bytes().decode('utf-8'), Loader=yaml.CSafeLoader)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="cohorts a tenth the size")
    args = parser.parse_args()
    scale = 10 if args.small else 1
    n_yaml, n_small, n_large = 10_000 // scale, 10_000 // scale, 100_000 // scale
    results = []

    def report(name, value, target, ok, detail):
        results.append({"measure": name, "value": value, "target": target, "met": ok, "detail": detail})
        print(f"{'MET ' if ok else 'MISS'} {name}: {value} (target {target}) — {detail}", flush=True)

    with tempfile.TemporaryDirectory(prefix="netadvisor-bench-") as tmp:
        tmp = Path(tmp)
        case = ROOT / "cases" / "seed-patient-1.yaml"
        base = wall([PYTHON, "-c", "import typer, rich.console, rich.table, yaml"], runs=10)
        advise = wall([NETADVISOR, "advise", str(case)], runs=10)
        report("advise start-up", f"{advise / base:.2f}x", "<= 1.30x", advise / base <= 1.3,
               f"advise {advise * 1000:.0f} ms vs imports {base * 1000:.0f} ms (median of 10)")

        folder = tmp / "yaml"
        cohort.write_yaml_files(n_yaml, folder)
        bare = wall([PYTHON, "-c", BARE_LOOP, str(folder)])
        one = wall([NETADVISOR, "batch", str(folder), "--jobs", "1", "--quiet", "--out", str(tmp / "one.jsonl")])
        report(f"batch --jobs 1, {n_yaml:,} YAML files", f"{one / bare:.2f}x", "<= 1.50x", one / bare <= 1.5,
               f"batch {one:.1f} s vs bare CSafeLoader loop {bare:.1f} s")
        two = wall([NETADVISOR, "batch", str(folder), "--jobs", "2", "--quiet", "--out", str(tmp / "two.jsonl")])
        report("batch --jobs 2 vs --jobs 1", f"{one / two:.2f}x faster", ">= 1.70x", one / two >= 1.7,
               f"{two:.1f} s vs {one:.1f} s")

        small, large = tmp / "small.jsonl", tmp / "large.jsonl"
        cohort.write_jsonl(n_small, small)
        cohort.write_jsonl(n_large, large)
        seconds = wall([NETADVISOR, "batch", str(large), "--jobs", "1", "--quiet", "--out", str(tmp / "large-out.jsonl")])
        rate = n_large / seconds
        report(f"JSON Lines, {n_large:,} cases, one core", f"{rate:,.0f} cases/s", ">= 10,000 cases/s", rate >= 10_000,
               f"{seconds:.1f} s")
        mem_small = peak_kib([NETADVISOR, "batch", str(small), "--jobs", "1", "--quiet", "--out", str(tmp / "s.jsonl")])
        mem_large = peak_kib([NETADVISOR, "batch", str(large), "--jobs", "1", "--quiet", "--out", str(tmp / "l.jsonl")])
        report("peak memory, 100,000 vs 10,000 cases" if not args.small else "peak memory, large vs small cohort",
               f"{mem_large / mem_small:.2f}x", "<= 1.20x", mem_large / mem_small <= 1.2,
               f"{mem_large / 1024:.0f} MiB vs {mem_small / 1024:.0f} MiB")
    print(json.dumps({"python": sys.version.split()[0], "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
