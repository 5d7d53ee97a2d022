"""Batch runs and traceability: interruptions, concurrent runs, every input once, the data hash."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import CASES, GUIDELINES, ROOT, ctrl_c_as_at_a_terminal, run_cli


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigint_leaves_no_output_and_exits_130(big, tmp_path, jobs):
    out = tmp_path / "advice.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "netadvisor", "batch", str(big), "--out", str(out), "--jobs", jobs, "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=ctrl_c_as_at_a_terminal,
    )
    deadline = time.time() + 30
    while not list(tmp_path.glob(".advice.jsonl.*.tmp")) and time.time() < deadline:
        time.sleep(0.05)  # wait until it is writing
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists() and os.listdir(tmp_path) == []  # neither the file nor its temporary


def test_concurrent_runs_do_not_interfere(tmp_path):
    outs = [tmp_path / f"run{i}.jsonl" for i in range(3)]
    runs = [
        subprocess.Popen([sys.executable, "-m", "netadvisor", "batch", str(CASES), "--out", str(o), "--jobs", "1", "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        for o in outs
    ]
    assert [r.wait(timeout=120) for r in runs] == [0, 0, 0]
    texts = [o.read_text() for o in outs]
    assert texts[0] == texts[1] == texts[2] and len(texts[0].splitlines()) == len(list(CASES.rglob("*.yaml"))) + len(list(CASES.rglob("*.json")))


def test_every_input_once_whatever_the_mix(tmp_path):
    folder = tmp_path / "mix"
    (folder / "a").mkdir(parents=True)
    shutil.copy(CASES / "seed-patient-1.yaml", folder / "a" / "good.yaml")
    (folder / "a" / "bad.yml").write_text("tumor: [\n")
    (folder / "a" / "binary.json").write_bytes(b"\x00\xff\xfe junk")
    (folder / "a" / "empty.yaml").write_text("")
    (folder / "dangling.yaml").symlink_to(folder / "nowhere.yaml")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    os.mkfifo(folder / "fifo.yaml")
    extract = tmp_path / "x.jsonl"
    extract.write_text('{"tumor": {"primary_site": "lung"}}\n[]\n\n"text"\n')
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", folder, extract, tmp_path / "missing.yaml", "--out", out)
    assert result.returncode == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    labels = [(r["source"]["file"].replace(str(tmp_path) + "/", ""), r["source"]["line"]) for r in records]
    assert sorted(labels) == sorted([
        ("mix/a/bad.yml", None), ("mix/a/binary.json", None), ("mix/a/empty.yaml", None), ("mix/a/good.yaml", None),
        ("mix/dangling.yaml", None), ("mix/fifo.yaml", None), ("x.jsonl", 1), ("x.jsonl", 2), ("x.jsonl", 4), ("missing.yaml", None),
    ])
    good = [r for r in records if r["format"] == "netadvisor-advice/1"]
    assert [r["case_id"] for r in good] == ["seed-patient-1", "x-1"]


def test_the_data_hash_changes_when_one_recommendation_does(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GUIDELINES, folder)
    path = folder / "nccn-net-v4.2024.yaml"
    path.write_text(path.read_text().replace("    category: 2A\n    preference: preferred", "    category: 2B\n    preference: preferred", 1))
    shipped = json.loads(run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json").stdout)
    edited = json.loads(run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json", "--guideline", folder).stdout)
    assert shipped["guideline"]["data_sha256"] != edited["guideline"]["data_sha256"]
    assert shipped["netadvisor_version"] and shipped["guideline"]["version"] == "4.2024"
    untouched = tmp_path / "copy"
    shutil.copytree(GUIDELINES, untouched)
    same = json.loads(run_cli("advise", "cases/seed-patient-1.yaml", "-f", "json", "--guideline", untouched).stdout)
    assert same["guideline"]["data_sha256"] == shipped["guideline"]["data_sha256"]
