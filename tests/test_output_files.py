"""Every file netadvisor writes: atomically, keeping the mode of the file it replaces, through
links, with long names; and the user's environment (no folder, a folder at the path, no
permission, a full disk) is exit 2 naming the path and the reason, never "this is a bug"."""

import errno
import io
import os
import stat

import pytest

from netadvisor.base import files
from netadvisor.base.errors import UsageError
from netadvisor.base.files import atomic_write, write_text

from conftest import CASES, run_cli

SAVE = ("advise", "--site", "pancreas", "--sstr", "positive", "--save")


def test_a_replaced_file_keeps_its_mode_and_a_link_is_written_through(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("old")
    target.chmod(0o600)
    write_text(target, "new", "--save")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600  # was 0644 after a rewrite
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    write_text(link, "through", "--save")
    assert link.is_symlink() and target.read_text() == "through"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "link.yaml"]  # no temporary left


def test_a_new_file_gets_the_umask_s_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "new.md", "x", "--export")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640


def test_names_near_name_max(tmp_path):
    name = "é" * 123 + ".md"  # 249 bytes: '.{name}.{random}.tmp' would be too long
    write_text(tmp_path / name, "x", "--export")
    assert (tmp_path / name).read_text() == "x"
    assert len(os.fsencode(files._temporary_name(name))) <= files.NAME_MAX


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "case.yaml"
    target.write_text("the clinician's case")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UsageError, match=r"--save: cannot write .*case.yaml: No space left on device"):
        write_text(target, "new text", "--save")
    assert target.read_text() == "the clinician's case"  # was 0 bytes when written in place
    assert os.listdir(tmp_path) == ["case.yaml"]


def test_an_interrupted_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target, "--out") as out:
            out.write("half")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_without_force_an_existing_file_is_never_replaced(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("mine")
    with pytest.raises(UsageError, match="already exists; add --force"):
        write_text(target, "theirs", "FILE", replace=False)
    # also when the file appears while the text is being written
    with pytest.raises(UsageError, match="already exists; add --force"):
        with atomic_write(tmp_path / "late.yaml", "FILE", replace=False) as out:
            out.write("theirs")
            (tmp_path / "late.yaml").write_text("mine")
    assert target.read_text() == "mine" and (tmp_path / "late.yaml").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["case.yaml", "late.yaml"]


def test_save_with_force_replaces_atomically_and_keeps_the_mode(tmp_path):
    target = tmp_path / "case.yaml"
    target.write_text("old")
    target.chmod(0o600)
    result = run_cli(*SAVE, target, "--force")
    assert result.returncode == 0, result.stderr
    assert "primary_site: pancreas" in target.read_text() and stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("where, reason", [
    ("missing/out.jsonl", "does not exist"),
    ("folder.jsonl", "is a folder"),
])
def test_output_problems_are_the_users_environment_exit_2_before_the_run(tmp_path, where, reason):
    (tmp_path / "folder.jsonl").mkdir()
    out = tmp_path / where
    for args in (("batch", CASES, "--out", out), ("audit", CASES, "--decisions", out),
                 ("advise", CASES / "seed-patient-1.yaml", "--export", out.with_suffix(".md") if "missing" in where else tmp_path / "f.md"),
                 (*SAVE, out.with_suffix(".yaml") if "missing" in where else tmp_path / "f.yaml")):
        if "folder" in where:
            (tmp_path / "f.md").mkdir(exist_ok=True)
            (tmp_path / "f.yaml").mkdir(exist_ok=True)
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert reason in result.stderr and "bug" not in result.stderr, (args, result.stderr)
        assert str(tmp_path) in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_exit_2(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    result = run_cli("batch", CASES, "--out", folder / "out.jsonl")
    assert result.returncode == 2 and "Permission denied" in result.stderr


def test_a_read_only_folder_is_found_before_the_run(tmp_path, monkeypatch):
    """The code path of a folder the runner may not write in (root can, so the refusal is simulated)."""
    real_open = os.open

    def refuse(path, flags, mode=0o777, **kw):
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(UsageError, match=r"--out: cannot write .*out.jsonl: Permission denied"):
        with atomic_write(tmp_path / "out.jsonl", "--out"):
            pytest.fail("the run started")



def test_bytes_to_a_stream_of_another_encoding_keep_a_character_split_between_writes():
    """batch --compact copies its spool in chunks of 1 MiB, which may end inside a character."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="backslashreplace")
    handle, text = files.BytesHandle(stream), "¹⁷⁷Lu · ≥ 2"
    data = text.encode()
    for i in range(len(data)):
        handle.write(data[i:i + 1])
    stream.flush()
    assert stream.buffer.getvalue() == text.encode("ascii", "backslashreplace")
