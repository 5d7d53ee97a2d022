"""netadvisor's speed targets, measured in one run, as ratios against floors measured in the same run.

    python benchmarks/bench.py [--small] [--rounds 3] [--markdown] [--instructions]

Run it with the python of a virtual environment that has netadvisor installed. It
generates synthetic cohorts and histories (benchmarks/cohort.py, histories.py) in a
temporary folder and reports every figure of the speed issue:

  - JSON Lines -> full JSON Lines, compact JSON Lines and CSV, one core (cases/s)
  - YAML files -> JSON Lines and CSV, one core, against a bare CSafeLoader loop over the same files
  - a guideline with 5x the recommendations, time per case against the shipped one
  - audit of 10,000 histories on two cores, and the peak memory of audit --decisions
  - advise start-up (JSON and table) against `import typer, rich.console, rich.table, yaml`
  - batch --jobs 2 against --jobs 1, and peak memory at 100,000 cases against 10,000

Times are CPU seconds (user + system) of the measured process and its workers, not wall
clock: the build machine is shared, and another process's load changes the wall clock of
a run but hardly its CPU time. Each comparison interleaves its commands round by round
(floor, subject, floor, subject, ...) and takes the median of each. --small uses cohorts a
tenth the size, for a quick look: there start-up and the engine's warm-up weigh on every figure
but start-up's own, so only start-up gets a verdict. --markdown also prints the README's Speed table.

CPU time still moves with a shared machine's load (by 30-50% within a day, floors included).
--instructions counts instructions instead (valgrind's callgrind, every process of a command):
the same count on a loaded machine as on an idle one, so a ratio to a floor is reproducible.
It runs a tenth-size cohort once (callgrind is ~50x slower) and measures what instructions can
tell (throughput against its floors, the 5x guideline, start-up); a rate in cases per second
gets no verdict there, and wall clock, workers and memory are left to the CPU-time run.
Uses only the standard library, PyYAML and the netadvisor command (and valgrind for --instructions).
"""

import argparse
import json
import os
import re
import resource
import shutil
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

BARE_YAML = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob('*.yaml')):
    yaml.load(path.read_bytes().decode('utf-8'), Loader=yaml.CSafeLoader)
"""
BARE_JSONL = """
import json, sys
with open(sys.argv[1], encoding='utf-8') as lines:
    for line in lines:
        json.loads(line)
"""
IMPORTS = [PYTHON, "-c", "import typer, rich.console, rich.table, yaml"]


def cpu(command: list) -> tuple:
    """(CPU seconds, wall seconds, peak KiB) of a command and its children, output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(map(str, command))}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def tree_cpu(command: list) -> tuple:
    """(CPU seconds, wall seconds) of a command with every process it starts (worker pools)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {' '.join(map(str, command))}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def instructions(command: list) -> tuple:
    """(billions of instructions, 0.0): callgrind's count for a command and every process it starts."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=yes", *command],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"failed ({result.returncode}): {' '.join(map(str, command))}")
    return sum(map(int, re.findall(r"Collected : (\d+)", result.stderr))) / 1e9, 0.0


def interleaved(commands: dict, rounds: int, measure=cpu) -> dict:
    """name -> median CPU seconds, the commands run in turn, the order rotated every round."""
    names = list(commands)
    times: dict = {name: [] for name in names}
    walls: dict = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            result = measure(commands[name])
            times[name].append(result[0])
            walls[name].append(result[1])
    return {name: statistics.median(t) for name, t in times.items()} | {
        f"{name} wall": statistics.median(w) for name, w in walls.items()}


def batch(inputs, out: Path, *extra) -> list:
    return [NETADVISOR, "batch", *map(str, inputs), "--jobs", "1", "--quiet", "--out", str(out), *extra]


def supports_compact() -> bool:
    result = subprocess.run([NETADVISOR, "batch", "--help"], capture_output=True, text=True)
    return "--compact" in result.stdout


def five_fold_guideline(tmp: Path) -> Path:
    """The shipped data with every recommendation of the guideline the cohort uses written five
    times (the copies with their own ids): 5x the rules to evaluate, the same advice."""
    import yaml

    folder = tmp / "guidelines-5x"
    shutil.copytree(ROOT / "guidelines", folder)
    path = folder / "nccn-net-v4.2024.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    recs = data["recommendations"]
    data["recommendations"] = [dict(r, id=f"{r['id']}-copy{n}") if n else r for r in recs for n in range(5)]
    for key in ("effective", "until"):  # keep dates as the data writes them (strings)
        if key in data:
            data[key] = str(data[key])
    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # the copies share their rules: written out each time
            return True

    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="cohorts a tenth the size")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison (median)")
    parser.add_argument("--markdown", action="store_true", help="also print the README's Speed table")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: jsonl,yaml,5x,audit,startup,jobs,memory")
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead of CPU time")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    scale = 10 if args.small or args.instructions else 1
    n_cases, n_large, n_hist = 10_000 // scale, 100_000 // scale, 10_000 // scale
    rounds, measure, unit = args.rounds, cpu, "s CPU"
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (e.g. apt install valgrind)")
        rounds, measure, unit = 1, instructions, "G instructions"  # a count does not vary: one round
        skip |= {"audit", "jobs", "memory"}  # wall clock and memory: the CPU-time run
    results = []

    def report(name, value, target, ok, detail, sized=True):
        if sized and args.small:  # a tenth-size cohort: start-up and warm-up weigh on the figure, so no verdict
            ok = None
        results.append({"measure": name, "value": value, "target": target, "met": ok, "detail": detail})
        mark = "    " if ok is None else "MET " if ok else "MISS"
        print(f"{mark} {name}: {value} (target {target}) — {detail}", flush=True)

    # Bytecode, as a regular install has it (PYTHONDONTWRITEBYTECODE or an editable install may leave none):
    # otherwise every process compiles netadvisor's modules and start-up measures the compiler.
    import compileall

    import netadvisor

    compileall.compile_dir(str(Path(netadvisor.__file__).parent), quiet=1)
    compact = supports_compact()
    with tempfile.TemporaryDirectory(prefix="netadvisor-bench-") as tmp:
        tmp = Path(tmp)
        os.environ.setdefault("NETADVISOR_CACHE_DIR", str(tmp / "cache"))
        subprocess.run([NETADVISOR, "advise", str(ROOT / "cases" / "seed-patient-1.yaml")], capture_output=True)  # fill the cache

        jsonl = cohort.write_jsonl(n_cases, tmp / "cohort.jsonl")
        if "jsonl" not in skip:
            commands = {"floor": [PYTHON, "-c", BARE_JSONL, str(jsonl)], "full": batch([jsonl], tmp / "full.jsonl"),
                        "csv": batch([jsonl], tmp / "out.csv")}
            if compact:
                commands["compact"] = batch([jsonl], tmp / "compact.jsonl", "--compact")
            t = interleaved(commands, rounds, measure)
            for name, target in (("full", 4_000), ("compact", 10_000), ("csv", 8_000)):
                if name not in t:
                    report(f"JSON Lines -> {name}, one core", "not available", f">= {target:,} cases/s", False, "no --compact yet")
                    continue
                rate = n_cases / t[name]
                value, met = (f"{t[name] / n_cases * 1e3:.2f}M instructions per case", None) if args.instructions else (
                    f"{rate:,.0f} cases/s", rate >= target)
                report(f"JSON Lines -> {'full JSON Lines' if name == 'full' else name}, {n_cases:,} cases, one core",
                       value, f">= {target:,} cases/s", met,
                       f"{t[name]:.2f} {unit}, {t[name] / t['floor']:.1f}x a bare json.loads loop ({t['floor']:.2f} {unit})")

        folder = tmp / "yaml"
        if "yaml" not in skip:
            cohort.write_yaml_files(n_cases, folder)
            t = interleaved({"floor": [PYTHON, "-c", BARE_YAML, str(folder)], "jsonl": batch([folder], tmp / "y.jsonl"),
                             "csv": batch([folder], tmp / "y.csv")}, rounds, measure)
            for name, target in (("jsonl", 1.6), ("csv", 1.5)):
                ratio = t[name] / t["floor"]
                report(f"YAML files -> {name.upper() if name == 'csv' else 'JSON Lines'}, {n_cases:,} files, one core",
                       f"{ratio:.2f}x", f"<= {target}x a bare CSafeLoader loop", ratio <= target,
                       f"{t[name]:.2f} vs {t['floor']:.2f} {unit}" + ("" if args.instructions else f" ({n_cases / t[name]:,.0f} cases/s)"))

        if "5x" not in skip:
            few = cohort.write_jsonl(2_000 // scale, tmp / "few.jsonl")
            empty = tmp / "empty.jsonl"
            empty.write_text("")
            same = tmp / "guidelines-1x"
            shutil.copytree(ROOT / "guidelines", same)
            five = five_fold_guideline(tmp)
            for folder_ in (same, five):  # fill the parse cache: otherwise the first command measured also parses the data
                subprocess.run(batch([empty], tmp / "warm.jsonl", "--guideline", str(folder_)), capture_output=True)
            t = interleaved({f"{g} {n}": batch([inputs], tmp / f"g{g}{n}.jsonl", "--guideline", str(folder_))
                             for g, folder_ in (("1x", same), ("5x", five)) for n, inputs in (("n", few), ("0", empty))}, rounds, measure)
            per = {g: (t[f"{g} n"] - t[f"{g} 0"]) / (2_000 // scale) for g in ("1x", "5x")}
            ratio = per["5x"] / per["1x"]
            each = "{:,.2f}M instructions".format if args.instructions else "{:,.0f} µs CPU".format
            small = 1e3 if args.instructions else 1e6  # G instructions -> M, s -> µs
            report(f"a guideline with 5x the recommendations, {2_000 // scale:,} cases", f"{ratio:.2f}x per case", "<= 1.3x",
                   ratio <= 1.3, f"{each(per['5x'] * small)} vs {each(per['1x'] * small)} per case (start-up taken out)")

        if "audit" not in skip:
            histories = tmp / "histories.jsonl"
            subprocess.run([PYTHON, str(ROOT / "benchmarks" / "histories.py"), str(n_hist), str(histories)],
                           check=True, capture_output=True)
            command = [NETADVISOR, "audit", str(histories), "--jobs", "2", "--format", "json",
                       "--decisions", str(tmp / "decisions.csv")]
            t = interleaved({"audit": command}, rounds, measure=tree_cpu)
            report(f"audit of {n_hist:,} histories, two cores", f"{t['audit wall']:.1f} s wall", "<= 3 s",
                   t["audit wall"] <= 3,
                   f"{t['audit']:.1f} s CPU over both cores; wall clock on a shared machine")
            if "memory" not in skip:
                bigger = tmp / "histories10.jsonl"
                with open(histories, encoding="utf-8") as src, open(bigger, "w", encoding="utf-8") as out:
                    lines = src.readlines()
                    for copy in range(10):
                        for line in lines:
                            out.write(line.replace('"id": "history-', f'"id": "copy{copy}-history-'))
                one_core = [NETADVISOR, "audit", "--jobs", "1", "--format", "json", "--decisions"]
                small = cpu([*one_core, str(tmp / "d1.csv"), str(histories)])[2]
                large = cpu([*one_core, str(tmp / "d10.csv"), str(bigger)])[2]
                report(f"audit --decisions peak memory, {10 * n_hist:,} vs {n_hist:,} histories", f"{large / small:.2f}x",
                       "<= 1.2x (flat)", large / small <= 1.2, f"{large / 1024:.0f} MiB vs {small / 1024:.0f} MiB")

        if "startup" not in skip:
            case = str(ROOT / "cases" / "seed-patient-1.yaml")
            t = interleaved({"imports": IMPORTS, "json": [NETADVISOR, "advise", case, "--format", "json"],
                             "table": [NETADVISOR, "advise", case]}, rounds if args.instructions else 7 * rounds, measure)
            each = "{:.0f}M instructions".format if args.instructions else "{:.0f} ms CPU".format
            for name, target in (("json", 0.8), ("table", 1.0)):
                ratio = t[name] / t["imports"]
                report(f"advise start-up, --format {name}", f"{ratio:.2f}x", f"<= {target}x the import floor", ratio <= target,
                       f"{each(t[name] * 1000)} vs {each(t['imports'] * 1000)} (import typer, rich.console, rich.table, yaml)",
                       sized=False)

        if "jobs" not in skip and "yaml" not in skip:
            t = interleaved({"one": batch([folder], tmp / "j1.jsonl"),
                             "two": [NETADVISOR, "batch", str(folder), "--jobs", "2", "--quiet", "--out", str(tmp / "j2.jsonl")]},
                            rounds, measure=tree_cpu)
            speedup = t["one wall"] / t["two wall"]
            report("batch --jobs 2 vs --jobs 1 (wall clock)", f"{speedup:.2f}x faster", ">= 1.7x", speedup >= 1.7,
                   f"{t['two wall']:.1f} s vs {t['one wall']:.1f} s; {t['two']:.1f} s vs {t['one']:.1f} s CPU")

        if "memory" not in skip:
            large = cohort.write_jsonl(n_large, tmp / "large.jsonl")
            small = cpu(batch([jsonl], tmp / "s.jsonl"))[2]
            big = cpu(batch([large], tmp / "l.jsonl"))[2]
            report(f"batch peak memory, {n_large:,} vs {n_cases:,} cases", f"{big / small:.2f}x", "<= 1.2x (flat)",
                   big / small <= 1.2, f"{big / 1024:.0f} MiB vs {small / 1024:.0f} MiB")

    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    print(json.dumps({"python": sys.version.split()[0], "orjson": installed("orjson"), "yaml-rs": installed("yaml-rs"),
                      "rounds": rounds, "unit": unit, "results": results}, indent=2))
    if args.markdown:
        print("\n| measure | target | measured |\n|---|---|---|")
        for r in results:
            verdict = "" if r["met"] is None else ": met" if r["met"] else ": missed"
            print(f"| {r['measure']} | {r['target']} | {r['value']} ({r['detail']}){verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
