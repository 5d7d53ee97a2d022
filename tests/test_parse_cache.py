"""The parse cache is only ever a faster way to the same result: whatever it holds (missing,
stale, corrupted, tampered, oversized, links, another user's folder), the advice is the one
netadvisor gives with NETADVISOR_NO_CACHE=1."""

import json
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netadvisor.base.errors import UsageError
from netadvisor.base.files import atomic_write
from netadvisor.core import advise_case
from netadvisor.formats import as_json
from netadvisor.inputs.case_format import parse_case
from netadvisor.knowledge import parse_cache
from netadvisor.knowledge.library import load_library

from conftest import CASES, GUIDELINES, run_cli
from test_properties import cases

NCCN = "nccn-net-v4.2024.yaml"


def entry_of(cache: Path, source: Path) -> Path:
    return cache / f"{parse_cache.entry_name(source.read_bytes())}.json"


def advise_json(cache: Path | None, *args) -> str:
    env = {"NETADVISOR_NO_CACHE": "1"} if cache is None else {"NETADVISOR_CACHE_DIR": str(cache), "NETADVISOR_NO_CACHE": None}
    result = run_cli("advise", CASES / "seed-patient-1.yaml", "-f", "json", *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def uncached():
    return advise_json(None)


@pytest.fixture
def cache(tmp_path):
    folder = tmp_path / "cache"
    advise_json(folder)  # fills it
    assert entry_of(folder, GUIDELINES / NCCN).is_file()
    return folder


def test_a_tampered_entry_is_a_miss_and_is_rebuilt(cache, uncached):
    """The attack: cabozantinib's category-1 rule edited to category 3 in the cached parse."""
    entry = entry_of(cache, GUIDELINES / NCCN)
    raw = entry.read_bytes()
    tag, body = raw.split(b"\n", 1)
    data = json.loads(body)
    rules = [r for rec in data["recommendations"] for r in rec.get("category_rules", []) if r.get("category") == "1"]
    assert rules, "the seed data has a category-1 rule to tamper with"
    for rule in rules:
        rule["category"] = "3"
    forged = json.dumps(data).encode()
    for tampered in (tag + b"\n" + forged,  # the old MAC on a new body
                     parse_cache.blake2b(forged, digest_size=32).hexdigest().encode() + b"\n" + forged,  # a digest anyone can compute
                     forged):  # no MAC at all (an entry of an older netadvisor)
        entry.write_bytes(tampered)
        assert advise_json(cache) == uncached
        assert entry.read_bytes() == raw  # rebuilt from the source


def test_an_entry_of_the_wrong_shape_is_a_miss_not_an_error_in_the_shipped_file(cache, uncached):
    entry = entry_of(cache, GUIDELINES / NCCN)
    for junk in (b"[]", b"{}", b'"text"', b"\x00\xff" * 100, b""):
        entry.write_bytes(junk)
        assert advise_json(cache) == uncached


def test_an_entry_copied_from_another_source_is_a_miss(cache, uncached):
    """A verified entry of another file, put under this file's name (a stale or foreign entry)."""
    mine, other = entry_of(cache, GUIDELINES / NCCN), entry_of(cache, GUIDELINES / "sources.yaml")
    shutil.copy(other, mine)
    assert advise_json(cache) == uncached


def test_an_oversized_entry_is_not_read(cache, uncached):
    entry = entry_of(cache, GUIDELINES / NCCN)
    with open(entry, "r+b") as handle:
        handle.truncate(1024**3)  # 1 GiB, sparse: costs no disk
    started = time.perf_counter()
    assert advise_json(cache) == uncached
    assert time.perf_counter() - started < 10  # reading it whole took 9.5 s and 1.3 GB
    assert entry.stat().st_size < parse_cache.ENTRY_MAX_BYTES  # rebuilt


def test_links_and_odd_files_in_the_cache_are_misses_and_are_never_written_through(cache, uncached, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    entry = entry_of(cache, GUIDELINES / NCCN)
    entry.unlink()
    entry.symlink_to(victim)
    assert advise_json(cache) == uncached
    assert victim.read_text() == "precious" and not entry.is_symlink()
    entry.unlink()
    os.mkfifo(entry)  # would block a plain open()
    assert advise_json(cache) == uncached
    entry.unlink()
    entry.mkdir()
    assert advise_json(cache) == uncached


def test_the_cache_folder_is_private_and_its_files_are_the_runner_s_only(cache, monkeypatch):
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for path in cache.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    cache.chmod(0o777)  # as an older netadvisor left it under a loose umask
    monkeypatch.setenv("NETADVISOR_CACHE_DIR", str(cache))
    monkeypatch.delenv("NETADVISOR_NO_CACHE", raising=False)  # tests/fuzz sets it for the rest of the run
    assert parse_cache.cache_dir() == cache
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="making a folder that belongs to another user needs root")
def test_a_cache_folder_of_another_user_is_not_used(tmp_path, uncached):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chown(shared, 12345, 12345)
    assert advise_json(shared) == uncached
    assert list(shared.iterdir()) == []


def test_the_temporary_file_is_unpredictable_and_never_follows_a_planted_link(tmp_path, monkeypatch):
    """The attack: another user plants a link at the temporary name, and the run writes through it."""
    from netadvisor.base import files

    names = {files._temporary_name("x.json") for _ in range(50)}
    assert len(names) == 50  # 48 random bits each
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / ".x.json.planted.tmp").symlink_to(victim)
    monkeypatch.setattr(files, "_temporary_name", lambda name: ".x.json.planted.tmp")  # as if guessed right
    with pytest.raises(UsageError, match="cannot write"):
        with atomic_write(tmp_path / "x.json", "cache") as out:
            out.write("overwritten")
    assert victim.read_text() == "precious" and not (tmp_path / "x.json").exists()


def test_the_data_digest_is_sha256_over_every_file_and_a_forged_cached_one_is_a_miss(tmp_path):
    """What an output is stamped with: SHA-256 over each data file's name and bytes, in file order.
    A cached digest is used only when the MAC proves netadvisor wrote it for these very bytes."""
    import hashlib

    data = tmp_path / "data"
    shutil.copytree(GUIDELINES, data)
    files = sorted(data.glob("*.yaml")) + sorted(data.glob("*.yml"))
    expected = hashlib.sha256(b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in files)).hexdigest()
    cache = tmp_path / "cache"
    env = {"NETADVISOR_CACHE_DIR": str(cache), "NETADVISOR_NO_CACHE": None}

    def stamped() -> str:
        result = run_cli("advise", CASES / "seed-patient-1.yaml", "-f", "json", "--guideline", data, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["guideline"]["data_sha256"]

    assert stamped() == expected  # worked out, and stored
    (entry,) = cache.glob("sha256-*.json")
    tag, body = entry.read_bytes().split(b"\n", 1)
    assert json.loads(body) == expected
    assert stamped() == expected  # read back
    forged = json.dumps("0" * 64).encode()
    for tampered in (tag + b"\n" + forged, parse_cache.blake2b(forged, digest_size=32).hexdigest().encode() + b"\n" + forged, forged):
        entry.write_bytes(tampered)
        assert stamped() == expected
        assert json.loads(entry.read_bytes().split(b"\n", 1)[1]) == expected  # rebuilt
    (data / "therapies.yaml").write_bytes((data / "therapies.yaml").read_bytes() + b"\n# an edit\n")
    assert stamped() != expected  # another entry: any edit changes the digest


def test_the_mac_is_keyed_blake2b():
    import hashlib

    for key, message in ((b"k" * 32, b""), (os.urandom(32), os.urandom(1000))):
        assert parse_cache.mac(key, message) == hashlib.blake2b(message, key=key, digest_size=32).hexdigest().encode()


# -- the property: any cache state, the same advice ---------------------------------------

STATES = ("missing", "stale", "corrupted", "tampered", "truncated", "oversized", "folder", "link", "fifo", "foreign-mac")
FILES = sorted(p.name for p in GUIDELINES.glob("*.yaml"))
DATA = Path(tempfile.mkdtemp(prefix="netadvisor-cache-property-")) / "data"
shutil.copytree(GUIDELINES, DATA)
REFERENCE = None


def reference():
    global REFERENCE
    if REFERENCE is None:
        saved = os.environ.get("NETADVISOR_NO_CACHE")
        os.environ["NETADVISOR_NO_CACHE"] = "1"
        try:
            REFERENCE = load_library(DATA)
        finally:
            os.environ.pop("NETADVISOR_NO_CACHE") if saved is None else os.environ.update(NETADVISOR_NO_CACHE=saved)
    return REFERENCE


def entries_of(cache: Path) -> list:
    """Every entry of a full cache of DATA: each file's parse, then the data digest."""
    return [entry_of(cache, DATA / name) for name in FILES] + sorted(cache.glob("sha256-*.json"))


def spoil(entry: Path, other: Path, state: str, rng) -> None:
    raw = entry.read_bytes() if entry.is_file() else b""
    if entry.exists() or entry.is_symlink():
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    if state == "missing":
        return
    if state == "stale":
        entry.write_bytes(other.read_bytes() if other.is_file() else b"{}")
    elif state == "corrupted":
        entry.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))))
    elif state == "tampered":
        tag, _, body = raw.partition(b"\n")
        forged = body.replace(b'"category": "1"', b'"category": "3"').replace(b"2A", b"2B")
        if body.startswith(b'"'):  # the digest: another one
            forged = b'"' + (b"0" if body[1:2] != b"0" else b"1") + body[2:]
        entry.write_bytes(tag + b"\n" + forged)
    elif state == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif state == "oversized":
        entry.write_bytes(raw)
        with open(entry, "r+b") as handle:
            handle.truncate(parse_cache.ENTRY_MAX_BYTES + 1)
    elif state == "folder":
        entry.mkdir()
    elif state == "link":
        entry.symlink_to(other)
    elif state == "fifo":
        os.mkfifo(entry)
    elif state == "foreign-mac":  # a valid entry under another key
        body = raw.partition(b"\n")[2]
        entry.write_bytes(parse_cache.mac(os.urandom(32), entry.stem.encode() + b"\0" + body) + b"\n" + body)


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(case=cases, states=st.lists(st.sampled_from(STATES), min_size=len(FILES) + 1, max_size=len(FILES) + 1), seed=st.integers(0, 2**16))
def test_any_cache_state_gives_the_advice_of_no_cache(case, states, seed):
    import random

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "cache"
        saved = {name: os.environ.pop(name, None) for name in ("NETADVISOR_CACHE_DIR", "NETADVISOR_NO_CACHE")}
        os.environ["NETADVISOR_CACHE_DIR"] = str(cache)
        try:
            load_library(DATA)  # a full, valid cache
            entries = entries_of(cache)
            assert len(entries) == len(FILES) + 1 and all(e.is_file() for e in entries)
            assert len(list(cache.glob("*.json"))) == len(entries)
            for i, state in enumerate(states):
                spoil(entries[i], entries[(i + 1) % len(entries)], state, rng)
            cached = load_library(DATA)
        finally:
            os.environ.pop("NETADVISOR_CACHE_DIR")
            os.environ.update({name: value for name, value in saved.items() if value is not None})
    plain = reference()
    parsed = parse_case(case, source="case.yaml", therapy=plain.catalogue.therapy_spec(), default_id="case")
    assert cached.digest == plain.digest
    assert as_json.render(advise_case(parsed, cached)) == as_json.render(advise_case(parsed, plain))
