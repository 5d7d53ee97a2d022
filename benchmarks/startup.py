"""Whole-process start-up of `netadvisor advise` against the bare imports it needs.

    python benchmarks/startup.py [CASE ...] [--runs 10]

Runs each command --runs times (after one warm-up run, which also fills the
parse cache) and prints the medians and the ratio. Target (issue 2): the table
run at most 1.3x the baseline `python -c "import typer, rich.console, rich.table, yaml"`.
Uses the `netadvisor` next to the running interpreter, so run it with the
virtual environment's python.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(command: list, runs: int) -> float:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=[str(ROOT / "cases" / "seed-patient-1.yaml")])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("netadvisor"))
    base = median_seconds([sys.executable, "-c", "import typer, rich.console, rich.table, yaml"], args.runs)
    print(f"baseline  import typer, rich.console, rich.table, yaml   {base * 1000:6.1f} ms")
    worst = 0.0
    for case in args.cases:
        for fmt in ("table", "json"):
            t = median_seconds([exe, "advise", case, "--format", fmt], args.runs)
            worst = max(worst, t / base) if fmt == "table" else worst
            print(f"advise    {Path(case).name} --format {fmt:<8}        {t * 1000:6.1f} ms  {t / base:4.2f}x")
    print(f"worst table run: {worst:.2f}x baseline (target <= 1.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
