"""Plain YAML read by yaml-rs, a YAML 1.2 parser written in Rust, where it is installed
(`pip install 'netadvisor[fast]'`): a synthetic case file in 51 µs against 173 µs for the
strict loader's fast path, with equal values; and where it reads a case file, PyYAML is not
even imported (~120M instructions, a third of `advise --format json`).

It only ever accepts. YAML 1.2 reads some plain scalars otherwise than the strict loader (YAML
1.1, plain decimals only, no timestamps: 007, 0x1f, 1e5, -.5, 1_000, 1:30, .inf), and yaml-rs
takes tags, anchors and merge keys in its stride; a text that may hold any of these (or an
escape, a tab, an explicit key, a document marker, a character YAML 1.1 reads as a line break
or refuses), a key that is not text, or nesting near the limit gives NOT_READ, as does any
text yaml-rs refuses: documents.py then asks PyYAML (yaml_read.py), and every refusal and its
message comes from the strict loader. tests/test_yaml_fast_path.py holds the two to the same
value.
"""

from __future__ import annotations

import re

from .values import CC, MAX_DIGITS

NOT_READ = object()

_loaded: list = []  # [yaml_rs.loads, _patterns()], or [None, None] where yaml-rs is not installed


# Plain scalars YAML 1.1 and 1.2 read apart, each found from a character that is rare in case
# files (a regular expression of alternatives is three times slower here): (the characters one
# starts with, the pattern). Each is compiled the first time a text holds one of its characters
# (~0.7M instructions a pattern, at start-up: a file without '>' or '|' needs one or two fewer).
_PLAIN = (
    ("=", r"=(?<![^\s\[\]{},]=)(?![^\s,:\[\]{}])"),  # '=' alone (YAML 1.1's value key; '$schema=' in a comment is fine)
    (">|", r"[>|][-+0-9]*[ \t]*(?:#.*)?$"),  # a block scalar's header (yaml-rs reads an empty one as a line break, libyaml as '')
    (">|%@`", r"[>|%@`](?<=[:\[,{-][>|%@`])|[>|%@`](?<=[:\[,{-] [>|%@`])"),  # what libyaml refuses to start a scalar with
    ("0", r"0(?<![\w.]0)(?<![\w.][-+]0)\w"),  # 007, 0x1f, 0o17, 0b1: a number with a leading zero
    ("_", r"_(?<=[0-9]_)"),  # 1_000
    (":", r":(?<=[0-9]:)[0-9]"),  # 1:30
    (".", r"\.(?:(?<=[-+]\.)|[iInN][nNaA][fFnN])"),  # -.5, .inf, .nan
)
# 1e5, 1.5e3: read as a float by YAML 1.2 and as text by 1.1 (a literal first: a fast scan)
_EXPONENT = (("e", r"e(?<=[0-9.]e)[-+]?[0-9]"), ("E", r"E(?<=[0-9.]E)[-+]?[0-9]"))
_COMPILED: dict = {}  # pattern -> its search


def _search(pattern: str, text: str):
    search = _COMPILED.get(pattern)
    if search is None:
        search = _COMPILED[pattern] = re.compile(pattern, re.MULTILINE).search
    return search(text)


def _patterns():
    """What needs the strict loader whatever else the text holds. Compiled when yaml-rs is first used."""
    return (
        re.compile(rf"[!&*?\\\t<{CC}]"),  # tags, anchors, aliases, explicit keys, escapes, tabs, '<<', control characters
        re.compile("[\u2028\u2029\ufeff\ufffe\uffff]"),  # line breaks to YAML 1.1 and not to 1.2; what 1.1 refuses
    )


_DIGITS = 10 ** MAX_DIGITS  # the strict loader refuses an integer of more digits


def load(text: str, max_depth: int, write=None):
    """The value of text, nested less than max_depth levels, or NOT_READ. For texts too short to
    hold more values than a document may (values.SHORT). `write`: orjson.dumps where a run has
    orjson loaded (its import costs more than many files' checks), to check the value in C."""
    if not _loaded:
        try:
            from yaml_rs import loads
        except ImportError:
            loads = None
        _loaded[:] = [loads, _patterns() if loads else None]
    loads, patterns = _loaded
    if loads is None:
        return NOT_READ
    special, wide = patterns
    if special.search(text) or (not text.isascii() and wide.search(text)):
        return NOT_READ
    if text.startswith(("---", "...", "%")) or "\n---" in text or "\n..." in text or "\n%" in text:
        return NOT_READ  # documents and directives
    if _found(_PLAIN, text):
        return NOT_READ
    try:
        data = loads(text, parse_datetime=False)
    except BaseException as exc:  # a refusal, or a Rust panic (pyo3 raises those as BaseException)
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
            return NOT_READ
        raise
    if type(data) is not dict and type(data) is not list:
        return NOT_READ  # a document that is one value: not a case file; the strict loader says what it is
    floats = _checked_in_c(data, write, max_depth) if write is not None else None
    if floats is None:
        floats = _walk(data, max_depth)
    if floats is NOT_READ or (floats and _found(_EXPONENT, text)):
        return NOT_READ
    return data


def _found(patterns: tuple, text: str) -> bool:
    """Whether any of (leads, pattern) finds something in text, asking only those whose leads it holds."""
    for leads, pattern in patterns:
        if any(map(text.__contains__, leads)) and _search(pattern, text):
            return True
    return False


def _walk(data, max_depth: int):
    """Whether the value holds a float, or NOT_READ for a key that is not text, an integer of
    more digits than the strict loader takes, or nesting of max_depth levels."""
    floats = False
    todo = [(data, 0)]
    while todo:
        value, depth = todo.pop()
        if depth >= max_depth:
            return NOT_READ
        if isinstance(value, dict):
            if not all(type(key) is str for key in value):
                return NOT_READ
            value = value.values()
        for item in value:
            kind = type(item)
            if kind is dict or kind is list:
                todo.append((item, depth + 1))
            elif kind is float:
                floats = True
            elif kind is int and not -_DIGITS < item < _DIGITS:
                return NOT_READ
    return floats


def _checked_in_c(data, write, max_depth: int):
    """_walk's answer by orjson (~9K instructions a case file; the walk ~70K), or None (then
    _walk) where brackets might nest too deep. orjson refuses a key that is not text and an
    integer past 64 bits (every integer of more digits is one); each list and mapping is one '['
    or '{' in what it writes. Whether the value holds a float it does not tell: True, so the
    text is searched for exponents."""
    try:
        written = write(data)
    except TypeError:  # orjson.JSONEncodeError
        return NOT_READ
    return True if written.count(b"[") + written.count(b"{") < max_depth else None
