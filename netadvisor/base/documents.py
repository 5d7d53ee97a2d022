"""Safe reading of YAML and JSON documents.

Case files are written by hand and may be hostile. This module reads a file as
bytes under a size limit, refuses what is not plain UTF-8 text, and parses with
a safe loader that also rejects duplicate keys, YAML tags, anchors and aliases
(so alias expansion bombs cannot be built), nesting deeper than MAX_DEPTH,
documents of more than MAX_NODES values and control characters in text.
Numbers must be plain decimals: YAML 1.1 would read `age: 070` as 56. Only
true and false are booleans (YAML 1.2): `bulky: yes` stays text. Dates stay strings: the case parser checks them itself and reports an impossible
date such as 2025-13-45 by field path.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from pathlib import Path

import yaml

from . import yaml_rust
from .errors import InputError, Problem
from .fields import format_path, join_path

CASE_MAX_BYTES = 2 * 1024 * 1024  # a case is a few kB; 2 MiB leaves room for long notes
STDIN = "<stdin>"  # the name of standard input (the path `-`) in records and messages
DATA_MAX_BYTES = 8 * 1024 * 1024  # guideline data files
SUFFIXES = (".yaml", ".yml", ".json")
MAX_DEPTH = 100  # nesting levels; the shipped guideline data needs 10 (libyaml crashes at ~30,000)
MAX_NODES = 100_000  # values in one document, keys included; a full case has a few hundred
MAX_DIGITS = 20  # digits in an integer; no field needs more
_SHORT = 20_000  # characters: too few for MAX_NODES values or a nesting that crashes libyaml


def is_stdin(path) -> bool:
    """The path `-`: standard input (or, for an output, standard output)."""
    return str(path) == "-"


_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader: no duplicate keys, no implicit timestamps, plain decimal numbers.

    Aliases, anchors and tags never reach it: _check_events refuses them first.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if not _PLAIN_INT.fullmatch(text):
            raise yaml.constructor.ConstructorError(
                None, None,
                f"{_short(text)} is not a plain decimal number (YAML reads a leading 0 as octal, "
                "0x as hexadecimal, ':' as base 60 and drops '_'); write it with the digits 0-9 only",
                node.start_mark,
            )
        try:
            return _int(text)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None

    def construct_yaml_bool(self, node):
        """Booleans as YAML 1.2 reads them (editors, the YAML language server, other tools): true
        and false only. YAML 1.1 also reads yes, no, on and off as booleans (`country: NO` is
        false); here they stay text, which a true/false field refuses with a hint."""
        text = self.construct_scalar(node)
        return text.lower() == "true" if text.lower() in ("true", "false") else text

    def construct_yaml_float(self, node):
        text = self.construct_scalar(node)
        if "_" in text or ":" in text:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"{_short(text)} is not a plain decimal number (YAML reads ':' as base 60 and drops '_'); "
                "write it like 12.5",
                node.start_mark,
            )
        return super().construct_yaml_float(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _StrictLoader.construct_yaml_bool)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _int(text: str) -> int:
    """int() for parsers; refuses the absurdly long numbers Python could not even print."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise ValueError(f"{_short(text)} has {len(text.lstrip('+-')):,} digits; no value here has more than {MAX_DIGITS}")
    return int(text)


def _check_events(text: str) -> None:
    """Refuse tags, anchors, deep nesting and huge documents before anything is built.

    libyaml's composer recurses in C (a file nested 30,000 deep crashes the
    interpreter) and building a 2 MiB document of tiny values takes seconds;
    the event stream is flat and cheap, and this stops at the first excess.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        nodes += 1
        why = None
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            why = "YAML anchors and aliases (&name, *name) are not allowed"
        elif event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            why = f"YAML tags such as {_short(tag)} are not allowed; write plain values"
        elif nodes > MAX_NODES:
            why = f"more than {MAX_NODES:,} values in one file"
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                why = f"nested more than {MAX_DEPTH} levels deep"
        if why:
            raise yaml.composer.ComposerError(None, None, why, event.start_mark)


def _check_values(data) -> None:
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


def _json_pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def _no_constant(name):
    raise ValueError(f"{name} is not a number here")


def parse_text(text: str, fmt: str):
    """Parse YAML or JSON text; raises ValueError with a one-line reason."""
    if fmt == "json":
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_no_constant, parse_int=_int)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
        # A short line (fewer characters than MAX_NODES) with fewer brackets than MAX_DEPTH and no
        # escape, control character or surrogate holds nothing _check_values refuses: a batch line skips the walk.
        if len(text) >= _SHORT or text.count("[") + text.count("{") >= MAX_DEPTH or _JSON_DOUBT.search(text):
            _check_values(data)
        return data
    data = _fast_yaml(text)
    return data if data is not _DOUBT else _strict_yaml(text)


def _strict_yaml(text: str):
    """The strict loader: every refusal and its message comes from here."""
    try:
        # Tags, anchors and aliases need '!', '&' or '*'; a short text cannot nest deep
        # enough to crash libyaml (_check_values enforces MAX_DEPTH after) nor hold
        # MAX_NODES values. Most case files skip the event pass (a third of parse time).
        if len(text) >= _SHORT or "!" in text or "&" in text or "*" in text:
            _check_events(text)
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in what:  # libyaml >= 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels itself
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
        raise ValueError(f"invalid YAML at {where}{what}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    _check_values(data)
    return data


def decode(raw: bytes, name: str) -> str:
    """Bytes to text, refusing what a text editor would not show as UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(name, "", "file is UTF-16; save it as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError([Problem(name, "", "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    if b"\x00" in raw:
        raise InputError([Problem(name, "", "file contains NUL bytes; it is not a text file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(name, "", f"file is not valid UTF-8 (byte {exc.start}); save it as UTF-8")]
        ) from None


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a regular file of at most max_bytes, with a clear error otherwise."""
    name = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        why = "dangling symbolic link" if os.path.islink(path) else "no such file"
        raise InputError([Problem(name, "", why)]) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError([Problem(name, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Problem(name, "", "is a directory, not a case file (batch runs folders)")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([Problem(name, "", "is not a regular file")])
    if info.st_size > max_bytes:
        raise InputError(
            [Problem(name, "", f"file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes")]
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(name, "", f"cannot read: {exc.strerror or exc}")]) from None
    if len(raw) > max_bytes:
        raise InputError([Problem(name, "", f"file is larger than the limit of {max_bytes:,} bytes")])
    return raw


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            [Problem(str(path), "", f"unsupported file type '{suffix or '(none)'}'; expected .yaml, .yml or .json")]
        )
    return "json" if suffix == ".json" else "yaml"


def load_document(path: Path, max_bytes: int = CASE_MAX_BYTES) -> tuple[object, str]:
    """Read and parse one document; returns (data, text)."""
    raw = read_bytes(path, max_bytes)  # first: "is a directory" beats "no .yaml suffix"
    fmt = format_of(path)
    text = decode(raw, str(path))
    try:
        return parse_text(text, fmt), text
    except ValueError as exc:
        raise InputError([Problem(str(path), "", str(exc))]) from None


def line_finder(text: str, fmt: str):
    """A function from a field path to its 1-based line in YAML text, for error messages.

    Only used on the error path, so it re-composes the text instead of making
    every successful load carry positions; it does so once, on first use, and
    indexes each mapping it looks into: a file with thousands of problems must
    not be re-read for each one.
    """
    root: list = []  # the composed document, once composed
    keys: dict = {}  # id(mapping node) -> {key: (key node, value node)}

    def line_of(parts: list) -> int | None:
        if fmt != "yaml":
            return None
        if not root:
            try:
                root.append(yaml.compose(text, Loader=_Base))
            except (yaml.YAMLError, RecursionError):
                root.append(None)
        node, line = root[0], None
        for part in parts:
            if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            elif isinstance(part, str) and isinstance(node, yaml.MappingNode):
                if id(node) not in keys:
                    index: dict = {}
                    for k, v in node.value:
                        if isinstance(k, yaml.ScalarNode):
                            index.setdefault(k.value, (k, v))
                    keys[id(node)] = index
                if part not in keys[id(node)]:
                    break
                key_node, node = keys[id(node)][part]
                line = key_node.start_mark.line + 1
            else:
                break
        return line

    return line_of


# -- the fast path: the same values as _strict_yaml, in half the time ----------------------
#
# libyaml composes the node tree with no Python resolver (CBaseLoader), and one Python walk
# resolves each plain scalar with _StrictLoader's own resolver table and builds the value. It
# only ever accepts: anything unusual (a refusal of any kind, a non-scalar or repeated key, '<<'
# or '=', a number that is not a plain decimal, nesting or size near the limits) returns _DOUBT,
# and parse_text asks _strict_yaml, which accepts or refuses with its own message.
# tests/test_yaml_fast_path.py holds the two to the same value or the same refusal.

_DOUBT = object()
_RESOLVERS = _StrictLoader.yaml_implicit_resolvers  # {first character: [(tag, pattern)]}, no timestamps
_WILD = _RESOLVERS.get(None, [])
_FIRST = {first: resolvers + _WILD for first, resolvers in _RESOLVERS.items() if first is not None}
_TAG = "tag:yaml.org,2002:"
_CC = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # the control characters (Cc) but tab, LF and CR
_CONTROL = re.compile(f"[{_CC}]")
_JSON_DOUBT = re.compile(rf"[\\{_CC}\ud800-\udfff]")  # an escape, a control character, a surrogate


class _Doubt(Exception):
    """Leave this document to the strict loader."""


def _scalar(node):
    value = node.value
    if node.style:  # quoted, literal or folded: text as written (libyaml gives plain scalars no style)
        return value
    for tag, pattern in _FIRST.get(value[:1], _WILD):  # BaseResolver.resolve, in its order
        if pattern.match(value):
            break
    else:
        return value
    if tag == _TAG + "int":
        if len(value) > MAX_DIGITS or not _PLAIN_INT.fullmatch(value):
            raise _Doubt
        return int(value)
    if tag == _TAG + "float":
        if "_" in value or ":" in value:
            raise _Doubt
        return _float(value)
    if tag == _TAG + "bool":  # YAML 1.2 booleans, as construct_yaml_bool
        lower = value.lower()
        return lower == "true" if lower in ("true", "false") else value
    if tag == _TAG + "null":
        return None
    raise _Doubt  # '<<' (merge) and '=' (value): the strict loader refuses them


def _float(value: str) -> float:
    """SafeConstructor.construct_yaml_float on a plain decimal, infinity or NaN."""
    value = value.lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    return sign * float(value)



def _fast_yaml(text: str):
    """The value of short, plain YAML text, or _DOUBT (tags, anchors and aliases need '!', '&' or '*')."""
    if len(text) >= _SHORT or "!" in text or "&" in text or "*" in text:
        return _DOUBT
    data = yaml_rust.load(text, MAX_DEPTH - 1)  # yaml-rs, if installed and sure (base/yaml_rust.py)
    if data is not yaml_rust.NOT_READ:
        return data
    try:
        loader = yaml.CBaseLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        data = _build(root)
    except (_Doubt, yaml.YAMLError, RecursionError, ValueError):
        return _DOUBT
    if "\\" in text or _CONTROL.search(text):  # only an escape or a raw control character puts one in a string
        try:
            _check_values(data)
        except ValueError:
            return _DOUBT
    return data


def _build(root):
    if root is None:
        return None
    if isinstance(root, yaml.ScalarNode):
        return _scalar(root)
    nodes = 1
    out = {} if isinstance(root, yaml.MappingNode) else []
    todo = [(root, out, 0)]
    while todo:
        node, target, depth = todo.pop()
        if depth >= MAX_DEPTH - 1:
            raise _Doubt
        children = node.value
        if isinstance(node, yaml.MappingNode):
            nodes += 2 * len(children)
            for key_node, value_node in children:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Doubt
                key = _scalar(key_node)
                if key in target:
                    raise _Doubt
                target[key] = _child(value_node, todo, depth)
        else:
            nodes += len(children)
            target.extend(_child(item, todo, depth) for item in children)
        if nodes > MAX_NODES // 2:
            raise _Doubt
    return out


def _child(node, todo: list, depth: int):
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    child = {} if isinstance(node, yaml.MappingNode) else []
    todo.append((node, child, depth + 1))
    return child
