"""What batch, check, audit and diff read: every input path given is reported (a folder that
cannot be read is an error record), what folders hold that is not read is counted, outputs
never replace inputs, and hostile cohorts (deep folders, huge lines, a million bad lines,
names that are not UTF-8) stay bounded."""

import errno
import json
import os
import shutil
import tracemalloc

import pytest

from netadvisor.base.documents import CASE_MAX_BYTES
from netadvisor.cohort import discover as found
from netadvisor.cohort.discover import Discovery

from conftest import CASES, run_cli

SEED = CASES / "seed-patient-1.yaml"


@pytest.fixture
def tree(tmp_path):
    """A folder with a good case, an unreadable sub-folder and things that are not read."""
    root = tmp_path / "cohort"
    (root / "locked").mkdir(parents=True)
    (root / "open").mkdir()
    shutil.copy(SEED, root / "open" / "good.yaml")
    shutil.copy(SEED, root / "locked" / "hidden-by-permissions.yaml")
    shutil.copy(SEED, root / ".hidden.yaml")
    (root / "registry.jsonl").write_text("{}\n")
    (root / "README.md").write_text("notes")
    (root / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    return root


def test_a_folder_that_cannot_be_read_is_an_input_with_its_problem(tree, monkeypatch):
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(found.os, "scandir", scandir)
    discovery = Discovery([tree])
    items = list(discovery)
    assert [(os.path.relpath(i.source, tree), i.problem.message if i.problem else None) for i in items] == [
        ("locked", "cannot read this folder: Permission denied"),
        ("open/good.yaml", None),
    ]
    assert dict(discovery.skipped) == {found.HIDDEN: 1, found.JSONL: 1, found.OTHER: 1, found.FOLDER_LINK: 1}


def unreadable(tmp_path):
    """A folder no one can list, root included: its path is longer than PATH_MAX."""
    root = tmp_path / "deep"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(17):  # 17 x 256 bytes > 4,096
            os.mkdir("d" * 255, dir_fd=fd)
            inner = os.open("d" * 255, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    return root


@pytest.mark.parametrize("command, code", [("batch", 1), ("check", 2), ("audit", 1), ("diff", 2)])
def test_no_command_passes_over_a_folder_it_cannot_read(tmp_path, command, code):
    root = unreadable(tmp_path)
    shutil.copy(SEED, root / "good.yaml")
    (root / ".swap.yaml").write_text("x")
    extra = ("--from", "2024-06-01", "--to", "2025-06-01") if command == "diff" else ()
    result = run_cli(command, root, *extra)
    said = " ".join((result.stdout + result.stderr).split())  # as one line, however the report wrapped it
    assert result.returncode == code, said[-2000:]  # exit 0 used to let CI pass with cases missing
    assert "cannot read this folder: File name too long" in said and "1 hidden file" in said


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder whatever its mode")
def test_a_folder_without_permissions(tree):
    (tree / "locked").chmod(0)
    try:
        result = run_cli("batch", tree)
    finally:
        (tree / "locked").chmod(0o755)
    assert result.returncode == 1 and "Permission denied" in result.stdout


def test_batch_summary_counts_what_folders_held_that_was_not_read(tree, tmp_path):
    (tree / "locked" / "hidden-by-permissions.yaml").unlink()
    out = tmp_path / "advice.jsonl"
    result = run_cli("batch", tree, "--out", out)
    assert result.returncode == 0, result.stderr
    assert ("not read in the folders: 1 JSON Lines file, 1 file of another type, 1 hidden file, 1 link to a folder"
            in result.stderr)
    data = json.loads(run_cli("check", tree, "-f", "json").stdout)
    assert data["skipped"] == {"JSON Lines file": 1, "file of another type": 1, "hidden file": 1, "link to a folder": 1}


def test_a_folder_nested_1200_deep(tmp_path):
    folders = [str(tmp_path)]
    for _ in range(1200):
        folders.append(os.path.join(folders[-1], "d"))
        os.mkdir(folders[-1])
    shutil.copy(SEED, os.path.join(folders[-1], "deep.yaml"))
    try:
        result = run_cli("batch", tmp_path / "d", "--out", tmp_path / "out.jsonl")
        assert result.returncode == 0, result.stderr[-500:]  # os.walk recursed: RecursionError, exit 3
        assert json.loads((tmp_path / "out.jsonl").read_text())["case_id"] == "seed-patient-1"
    finally:  # shutil.rmtree recurses too: pytest could not clean this up
        os.remove(os.path.join(folders[-1], "deep.yaml"))
        for folder in reversed(folders[1:]):
            os.rmdir(folder)


def test_a_line_far_over_the_limit_is_not_read_whole(tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as handle:
        handle.write(b'{"tumor": {"primary_site": "lung"}}\n')
        handle.write(b"x" * (12 * CASE_MAX_BYTES) + b"\n")
        handle.write(b'{"tumor": {"primary_site": "lung"}}\n')
    tracemalloc.start()
    try:
        items = list(Discovery([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(i.line, i.problem.message if i.problem else "ok") for i in items] == [
        (1, "ok"), (2, f"line is {12 * CASE_MAX_BYTES + 1:,} bytes; the limit is {CASE_MAX_BYTES:,}"), (3, "ok")]
    assert peak < 3 * CASE_MAX_BYTES  # the whole line was 24 MiB


def test_a_flood_of_bad_lines_gives_a_bounded_summary(tmp_path):
    """1,000,000 bad lines printed a 2-million-line table (412 s, 2.4 GB); 20,000 here."""
    path = tmp_path / "bad.jsonl"
    kinds = ["{", "[]", '{"tumor": {"primary_site": "pancreass"}}', '"text"']
    path.write_text("".join(kinds[i % 4] + "\n" for i in range(20_000)))
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", path, "--out", out, "-j", "1")
    assert result.returncode == 1
    assert len(out.read_text().splitlines()) == 20_000  # every input is still in the output
    lines = result.stderr.splitlines()
    assert len(lines) < 80, len(lines)
    assert "20000 cases: 0 advised, 20000 could not be read" in result.stderr
    assert "the first 20 of 20,000" in result.stderr and "by kind of problem" in result.stderr
    assert "5,000" in result.stderr  # each kind counted


def test_the_audit_report_of_a_flood_is_bounded(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("{\n" * 2_000)
    data = json.loads(run_cli("audit", path, "-f", "json", "-j", "1").stdout)
    assert data["unreadable"] == 2_000 and len(data["errors"]) == 20
    assert data["errors_by_kind"] == {"invalid JSON at line N, column N: Expecting property name enclosed in double quotes": 2_000}


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, link):
    registry = tmp_path / "reg.jsonl"
    registry.write_text('{"tumor": {"primary_site": "lung"}}\n')
    out = registry
    if link == "symlink":
        out = tmp_path / "link.jsonl"
        out.symlink_to(registry)
    elif link == "hardlink":
        out = tmp_path / "hard.jsonl"
        os.link(registry, out)
    result = run_cli("batch", registry, "--out", out)
    assert result.returncode == 2 and "is also an input" in result.stderr, result.stderr
    assert registry.read_text() == '{"tumor": {"primary_site": "lung"}}\n'  # the registry used to become advice
    result = run_cli("audit", registry, "--decisions", out)
    assert result.returncode == 2 and "is also an input" in result.stderr


def test_an_output_a_folder_input_would_read_is_refused(tmp_path):
    shutil.copy(SEED, tmp_path / "a.yaml")
    result = run_cli("audit", tmp_path, "--decisions", tmp_path / "sub" / "decisions.json")
    assert result.returncode == 2 and "inside the input folder" in result.stderr
    assert run_cli("audit", tmp_path, "--decisions", tmp_path / "decisions.csv").returncode == 0


def test_a_cohort_with_names_that_are_not_utf8(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    for raw in (b"\x1b[2Jred.yaml", b"new\nline.yaml"):
        shutil.copy(SEED, os.path.join(os.fsencode(folder), raw))
    (folder / os.fsdecode(b"caf\xe9.yaml")).write_text("tumor: {primary_site: pancreas}\n")  # no id: the name gives it
    (folder / os.fsdecode(b"bad\xff.yaml")).write_text("tumor: {primary_site: pancreass}\n")
    out = tmp_path / "out.jsonl"
    result = run_cli("batch", folder, "--out", out, "-j", "2")
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
    assert sorted(r["source"]["file"].rsplit("/", 1)[1] for r in records) == [
        "\x1b[2Jred.yaml", "bad\\xff.yaml", "caf\\xe9.yaml", "new\nline.yaml"]
    assert "caf\\xe9" in [r.get("case_id") for r in records]
    for command in (("batch", folder), ("check", folder), ("audit", folder), ("diff", "--from", "2024-06-01", "--to", "2025-06-01", folder)):
        result = run_cli(*command)
        assert result.returncode in (1, 2), (command, result.stderr)
        assert "\x1b" not in result.stdout + result.stderr and "internal error" not in result.stderr, command
        assert not any(line.startswith("line.yaml") for line in (result.stdout + result.stderr).splitlines()), command
