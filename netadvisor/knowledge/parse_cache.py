"""The parse cache: guideline YAML parsed once, kept as JSON under ~/.cache/netadvisor
by a key of the parser version and the file's bytes (nothing else), read back in ~1 ms.
"""

import json
import os
from pathlib import Path

from ..base.documents import decode, parse_text

try:  # hashlib's OpenSSL binding costs ~2 ms of start-up; the builtin module does not
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import sha256

_PARSER_VERSION = b"netadvisor-yaml-2"  # change when the strict loader refuses or reads anything differently


def _cache_dir() -> Path | None:
    if os.environ.get("NETADVISOR_NO_CACHE"):
        return None
    base = os.environ.get("NETADVISOR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "netadvisor"
    )
    return Path(base)


def parse_cached(raw: bytes, name: str):
    """Parse guideline YAML, reusing an earlier parse of the same bytes.

    YAML parsing is most of the start-up cost of a run; the parsed document is
    plain data (the strict loader makes no dates or objects), so it is kept as
    JSON under a name derived from the file's content and read back in ~1 ms.
    Validation still runs on every load. Any cache problem just means a re-parse.
    """
    folder = _cache_dir()
    entry = folder / (sha256(_PARSER_VERSION + raw).hexdigest() + ".json") if folder else None
    if entry is not None:
        try:
            return json.loads(entry.read_bytes())
        except (OSError, ValueError):
            pass
    data = parse_text(decode(raw, name), "yaml")
    if entry is not None:
        try:
            text = json.dumps(data)
            if json.loads(text) == data:  # only plain data that survives the round trip
                folder.mkdir(parents=True, exist_ok=True)
                tmp = entry.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, entry)
        except (OSError, TypeError, ValueError):
            pass
    return data
