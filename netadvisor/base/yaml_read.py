"""YAML read by PyYAML (libyaml): the strict loader, which every refusal and its message comes
from, its fast path, and the line of a field for error messages.

The strict loader is a safe loader that also rejects duplicate keys, YAML tags, anchors and
aliases (so alias expansion bombs cannot be built), nesting deeper than MAX_DEPTH and
documents of more than MAX_NODES values. Numbers must be plain decimals: YAML 1.1 would read
`age: 070` as 56. Only true and false are booleans (YAML 1.2): `bulky: yes` stays text. Dates
stay strings: the case parser checks them itself and reports an impossible date such as
2025-13-45 by field path.

Imported only when a document needs it (documents.parse_text): importing PyYAML costs more
than reading a case, and yaml-rs (base/yaml_rust.py), where installed, reads most case files.
"""

from __future__ import annotations

import re

import yaml

from .values import CONTROL, MAX_DEPTH, MAX_DIGITS, MAX_NODES, SHORT, check_values, shorten, to_int


def parse(text: str):
    """The value of YAML text; raises ValueError with a one-line reason."""
    data = _fast_yaml(text)
    return data if data is not _DOUBT else _strict_yaml(text)


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
                f"{shorten(text)} is not a plain decimal number (YAML reads a leading 0 as octal, "
                "0x as hexadecimal, ':' as base 60 and drops '_'); write it with the digits 0-9 only",
                node.start_mark,
            )
        try:
            return to_int(text)
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
                f"{shorten(text)} is not a plain decimal number (YAML reads ':' as base 60 and drops '_'); "
                "write it like 12.5",
                node.start_mark,
            )
        return super().construct_yaml_float(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _StrictLoader.construct_yaml_bool)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


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
            why = f"YAML tags such as {shorten(tag)} are not allowed; write plain values"
        elif nodes > MAX_NODES:
            why = f"more than {MAX_NODES:,} values in one file"
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                why = f"nested more than {MAX_DEPTH} levels deep"
        if why:
            raise yaml.composer.ComposerError(None, None, why, event.start_mark)


def _strict_yaml(text: str):
    """The strict loader: every refusal and its message comes from here."""
    try:
        # Tags, anchors and aliases need '!', '&' or '*'; a short text cannot nest deep
        # enough to crash libyaml (check_values enforces MAX_DEPTH after) nor hold
        # MAX_NODES values. Most case files skip the event pass (a third of parse time).
        if len(text) >= SHORT or "!" in text or "&" in text or "*" in text:
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
    check_values(data)
    return data


def line_finder(text: str):
    """A function from a field path to its 1-based line in the YAML text, for error messages
    (documents.line_finder).

    Only used on the error path, so it re-composes the text instead of making
    every successful load carry positions; it does so once, on first use, and
    indexes each mapping it looks into: a file with thousands of problems must
    not be re-read for each one.
    """
    root: list = []  # the composed document, once composed
    keys: dict = {}  # id(mapping node) -> {key: (key node, value node)}

    def line_of(parts: list) -> int | None:
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
# and parse asks _strict_yaml, which accepts or refuses with its own message.
# tests/test_yaml_fast_path.py holds the two to the same value or the same refusal.

_DOUBT = object()
_RESOLVERS = _StrictLoader.yaml_implicit_resolvers  # {first character: [(tag, pattern)]}, no timestamps
_WILD = _RESOLVERS.get(None, [])
_FIRST = {first: resolvers + _WILD for first, resolvers in _RESOLVERS.items() if first is not None}
_TAG = "tag:yaml.org,2002:"


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
    if len(text) >= SHORT or "!" in text or "&" in text or "*" in text:
        return _DOUBT
    try:
        loader = yaml.CBaseLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        data = _build(root)
    except (_Doubt, yaml.YAMLError, RecursionError, ValueError):
        return _DOUBT
    if "\\" in text or CONTROL.search(text):  # only an escape or a raw control character puts one in a string
        try:
            check_values(data)
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
