"""The limits every document is held to, whichever parser read it, and the walk that enforces
what no parser option does (base/documents.py, yaml_read.py, yaml_rust.py)."""

from __future__ import annotations

import re
import unicodedata

from .fields import format_path, join_path

MAX_DEPTH = 100  # nesting levels; the shipped guideline data needs 10 (libyaml crashes at ~30,000)
MAX_NODES = 100_000  # values in one document, keys included; a full case has a few hundred
MAX_DIGITS = 20  # digits in an integer; no field needs more
SHORT = 20_000  # characters: too few for MAX_NODES values or a nesting that crashes libyaml
CC = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # the control characters (Cc) but tab, LF and CR
CONTROL = re.compile(f"[{CC}]")


def shorten(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def to_int(text: str) -> int:
    """int() for parsers; refuses the absurdly long numbers Python could not even print."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise ValueError(f"{shorten(text)} has {len(text.lstrip('+-')):,} digits; no value here has more than {MAX_DIGITS}")
    return int(text)


def check_values(data) -> None:
    """Refuse what no parser option catches: too many values or levels (JSON),
    control characters and unpaired surrogates (from escapes such as "\\e" or
    "\\u001b"; printed, they would drive the terminal)."""
    nodes = 1
    stack = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value, path)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        nodes += 2 * len(value) if isinstance(value, dict) else len(value)  # keys count, as in YAML
        if nodes > MAX_NODES:
            raise ValueError(f"more than {MAX_NODES:,} values in one file")
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    _check_text(key, path, key=True)
                stack.append((item, join_path(path, key), depth + 1))
        else:
            stack.extend((item, join_path(path, i), depth + 1) for i, item in enumerate(value))


def _check_text(text: str, path, key: bool = False) -> None:
    if text.isprintable():  # the common case, in C
        return
    for char in text:
        if char in "\t\n\r" or char.isprintable():
            continue
        kind = unicodedata.category(char)
        if kind in ("Cc", "Cs"):
            what = "a control character" if kind == "Cc" else "half of a surrogate pair, not a character"
            where = format_path(path) or "top level"
            raise ValueError(
                f"{where}: {'a key contains' if key else 'contains'} U+{ord(char):04X} ({what}); "
                "only printable text, tabs and line breaks are allowed"
            )
