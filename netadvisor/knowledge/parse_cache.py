"""The parse cache: guideline YAML parsed once, kept as JSON under ~/.cache/netadvisor
(NETADVISOR_CACHE_DIR moves it, NETADVISOR_NO_CACHE=1 turns it off) and read back in ~1 ms;
and the SHA-256 of the data files that every output is stamped with (sha256_cached).

The cache may only ever be a faster way to the same result, so nothing read from it
is taken on trust:
- an entry is named by a digest of the parser version and the source file's bytes,
  and begins with a MAC (keyed BLAKE2b), under a random key kept in the folder
  (`key`, mode 0600), of that name and the entry's body. An entry that was edited,
  truncated, copied from another source or not written by netadvisor fails the
  check: it is a miss, the source is parsed and the entry written anew;
- entries are opened without following links and without blocking, and only a
  regular file of the runner's own of at most ENTRY_MAX_BYTES is read;
- the folder must belong to the runner and is made private (0700); a folder that
  belongs to someone else is not used;
- entries and the key are written by the one atomic writer (base/files.py): an
  unpredictable temporary name opened exclusively, mode 0600, renamed into place.
A cache problem is never an error and never a message: the source is parsed
instead. (The key guards against corruption, stale and foreign entries and other
users; a program running as the same user could read it, as it could edit the
guideline files themselves.)
"""

import json
import os
import stat
from pathlib import Path

from ..base.documents import DATA_MAX_BYTES, decode, parse_text

try:  # hashlib's OpenSSL binding costs ~2 ms of start-up; the builtin modules do not
    from _blake2 import blake2b
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b, sha256

_PARSER_VERSION = b"netadvisor-yaml-4"  # change when the strict loader refuses or reads anything differently
ENTRY_MAX_BYTES = 4 * DATA_MAX_BYTES  # JSON of the largest data file allowed, with room for \u escapes
_KEY_BYTES = 32
_MAC_HEX = 64
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def cache_dir() -> Path | None:
    """The cache folder, made private; None when the cache is off or the folder is not the runner's."""
    if os.environ.get("NETADVISOR_NO_CACHE"):
        return None
    base = os.environ.get("NETADVISOR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "netadvisor"
    )
    folder = Path(base)
    try:
        try:
            info = os.stat(folder)
        except FileNotFoundError:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.stat(folder)
        if not stat.S_ISDIR(info.st_mode) or not _own(info):
            return None
        if stat.S_IMODE(info.st_mode) & 0o077:  # made by an older netadvisor under the umask
            os.chmod(folder, 0o700)
    except OSError:
        return None
    return folder


def _own(info) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _read(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of the runner's own, of at most limit bytes; else None."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _own(info) or info.st_size > limit:
            return None
        with open(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
        return raw if len(raw) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _write(path: Path, data: bytes, replace: bool = True) -> None:
    from ..base.errors import UsageError
    from ..base.files import atomic_write

    try:
        with atomic_write(path, "cache", replace=replace, mode=0o600, newline="", follow_links=False) as out:
            out.write(data.decode("utf-8"))
    except UsageError:
        pass


_KEYS: dict = {}  # folder -> its key, read once per process


def _key(folder: Path) -> bytes | None:
    if folder not in _KEYS:
        _KEYS[folder] = _read_key(folder)
    return _KEYS[folder]


def _read_key(folder: Path) -> bytes | None:
    """The folder's MAC key, made on first use (a malformed one is replaced, which turns every entry into a miss)."""
    path = folder / "key"
    raw = _read(path, 2 * _KEY_BYTES)
    if raw is not None and len(raw) == 2 * _KEY_BYTES:
        try:
            return bytes.fromhex(raw.decode("ascii"))
        except ValueError:
            pass
    _write(path, os.urandom(_KEY_BYTES).hex().encode(), replace=raw is not None)
    raw = _read(path, 2 * _KEY_BYTES)  # ours, or the one a concurrent run made first
    try:
        return bytes.fromhex(raw.decode("ascii")) if raw is not None and len(raw) == 2 * _KEY_BYTES else None
    except ValueError:
        return None


def mac(key: bytes, message: bytes) -> bytes:
    """Keyed BLAKE2b (a MAC by design, RFC 7693) as hex: a third of SHA-256's cost here."""
    return blake2b(message, key=key, digest_size=32).hexdigest().encode("ascii")


def entry_name(raw: bytes) -> str:
    """The entry of a source file: a digest of the parser version and the file's bytes."""
    return blake2b(_PARSER_VERSION + raw, digest_size=32).hexdigest()


def _load(folder: Path, name: str, key: bytes):
    """The cached document of `name`, or None (a miss) unless the entry proves to be netadvisor's own."""
    raw = _read(folder / f"{name}.json", ENTRY_MAX_BYTES)
    if raw is None:
        return None
    tag, sep, body = raw[:_MAC_HEX], raw[_MAC_HEX:_MAC_HEX + 1], raw[_MAC_HEX + 1:]
    if sep != b"\n" or not _equal(tag, mac(key, name.encode("ascii") + b"\0" + body)):
        return None
    try:
        return (json.loads(body),)
    except (ValueError, RecursionError):  # pragma: no cover - a verified entry is netadvisor's own JSON
        return None


def _equal(a: bytes, b: bytes) -> bool:
    """Comparison in constant time (hmac.compare_digest without importing hmac)."""
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0


def _store(folder: Path, name: str, key: bytes, data) -> None:
    try:
        body = json.dumps(data).encode("ascii")
        if json.loads(body) != data:  # only plain data that survives the round trip
            return
    except (TypeError, ValueError, RecursionError):
        return
    if len(body) + _MAC_HEX + 1 > ENTRY_MAX_BYTES:
        return
    _write(folder / f"{name}.json", mac(key, name.encode("ascii") + b"\0" + body) + b"\n" + body)


def parse_cached(raw: bytes, name: str):
    """Parse guideline YAML, reusing a verified earlier parse of the same bytes.

    YAML parsing is most of the start-up cost of a run; the parsed document is
    plain data (the strict loader makes no dates or objects), so it is kept as
    JSON and read back in ~1 ms. Validation still runs on every load, and the
    result is the same as parsing the source, whatever the cache holds.
    """
    folder = cache_dir()
    key = _key(folder) if folder is not None else None
    entry = entry_name(raw) if key is not None else None
    if entry is not None:
        cached = _load(folder, entry, key)
        if cached is not None:
            return cached[0]
    data = parse_text(decode(raw, name), "yaml")
    if entry is not None:
        _store(folder, entry, key, data)
    return data


_DIGEST_VERSION = b"netadvisor-sha256-1"


def sha256_cached(data: bytes) -> str:
    """hashlib.sha256(data).hexdigest(), reusing a verified earlier digest of the same bytes.

    Every run stamps its output with a SHA-256 over the whole data folder (~280 KiB), and
    Python's own SHA-256 takes ~50 instructions a byte: a seventh of `advise --format json`.
    The entry is named by BLAKE2b of the bytes (a third of the cost) and checked like a parsed
    document's, so a wrong, stale or foreign entry is a miss and the digest is worked out."""
    folder = cache_dir()
    key = _key(folder) if folder is not None else None
    if key is None:
        return sha256(data).hexdigest()
    entry = "sha256-" + blake2b(_DIGEST_VERSION + data, digest_size=32).hexdigest()
    cached = _load(folder, entry, key)
    if cached is not None and isinstance(cached[0], str) and len(cached[0]) == 64:
        return cached[0]
    digest = sha256(data).hexdigest()
    _store(folder, entry, key, digest)
    return digest
