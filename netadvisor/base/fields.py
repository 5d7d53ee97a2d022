"""Declarative field specs: validate parsed data and describe it as JSON Schema.

Case files and guideline data are both checked with these specs. `check`
returns the normalized value, or INVALID after recording problems as
(field path, message) pairs, so one pass reports every problem in a file.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Callable

from .errors import did_you_mean
from .memo import per_object

INVALID = object()  # a value that failed its check; the problem is already recorded

Problems = list  # of (path, message)


MAX_PROBLEMS = 100  # reported per file; the check stops there


class TooManyProblems(Exception):
    """Raised by ProblemList past its limit, ending the check."""


class ProblemList(list):
    """A problem list that ends the check after `limit` problems.

    Every problem costs a message and a "did you mean" search; a hostile file
    with 50,000 unknown keys would cost seconds and bury the first mistakes.
    """

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def append(self, item) -> None:
        if len(self) >= self.limit:
            raise TooManyProblems
        super().append(item)


def check_limited(spec, data) -> tuple:
    """(checked value or INVALID, problems): spec.check stopped after MAX_PROBLEMS, saying so."""
    problems = ProblemList(MAX_PROBLEMS)
    try:
        return spec.check(data, "", problems), problems
    except TooManyProblems:
        problems.extend([("", f"stopped after {MAX_PROBLEMS} problems; correct these and check again")])
        return INVALID, problems


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ('{value}')" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def join_path(path, key: str | int):
    """A child path, kept as (parent, key) and spelled out only if a problem is reported."""
    return (path, key)


def format_path(path) -> str:
    """(('', 'history'), 3), 'stopped') -> 'history[3].stopped'; a plain string passes through."""
    keys = []
    while isinstance(path, tuple):
        path, key = path
        keys.append(key)
    out = path or ""
    for key in reversed(keys):
        out = f"{out}[{key}]" if isinstance(key, int) else (f"{out}.{key}" if out else str(key))
    return out


_SPACES = re.compile(r"[\s_]+").sub
_NOT_ALNUM = re.compile(r"[^0-9a-z]+").sub


def vocab_key(text: str) -> str:
    """Forgiving spelling for vocabulary words: case, spaces and underscores."""
    return _SPACES("-", text.strip().lower())


def alias_key(name: str) -> str:
    """Names match ignoring case, spacing, punctuation and superscripts (¹⁷⁷Lu)."""
    return _NOT_ALNUM("", unicodedata.normalize("NFKC", name).casefold())


def _spelling_keys(choices) -> dict:
    canon = {vocab_key(c): c for c in choices}
    canon.update((c, c) for c in choices)
    return canon


_spellings = per_object(_spelling_keys, 256)  # per vocabulary, shared by the Str specs that read it


class Spec:
    doc: str = ""
    title: str = ""

    def check(self, value: Any, path: str, problems: Problems) -> Any:  # pragma: no cover
        raise NotImplementedError

    def json_schema(self) -> dict:  # pragma: no cover
        raise NotImplementedError

    def _schema(self, schema: dict) -> dict:
        """Title and description first: they are what an editor shows on hover."""
        words = {"title": self.title, "description": self.doc}
        return {**{k: v for k, v in words.items() if v}, **schema}


class Str(Spec):
    """A string; with `choices`, one word of a vocabulary (forgiving spelling).

    `choices` may be a callable so vocabularies defined by data (therapy ids)
    can be bound after the data is loaded. `aliases` maps other spellings onto
    a choice (dMMR -> high).
    """

    def __init__(self, choices: Any = None, aliases: dict | None = None, pattern: str | None = None,
                 max_len: int | None = 10_000, doc: str = ""):
        self.choices, self.aliases, self.pattern = choices, aliases or {}, pattern
        self.max_len, self.doc = max_len, doc
        self._memo = None
        self._fullmatch = re.compile(pattern).fullmatch if pattern else None

    def _choices(self):
        return self.choices() if callable(self.choices) else self.choices

    def check(self, value, path, problems):
        if not isinstance(value, str):
            problems.append((path, f"expected {self._expected()}, got {_type_name(value)}"))
            return INVALID
        if self.max_len is not None and len(value) > self.max_len:
            problems.append((path, f"text is {len(value):,} characters; the limit is {self.max_len:,}"))
            return INVALID
        choices = self.choices() if callable(self.choices) else self.choices  # _choices(), inlined: the hot path
        if choices is None:
            if self._fullmatch is not None and self._fullmatch(value) is None:
                problems.append((path, f"'{value}' does not match the form {self.pattern}"))
                return INVALID
            return value
        memo = self._memo
        canon = memo[1] if memo is not None and memo[0] is choices else self._canonical(choices)
        if value in canon:  # already canonical: the common case
            return canon[value]
        key = vocab_key(value)
        if key in canon:
            return canon[key]
        if key in self.aliases:
            return self.aliases[key]
        problems.append(
            (path, f"'{value}' is not one of {', '.join(choices)}{did_you_mean(key, list(choices) + list(self.aliases))}")
        )
        return INVALID

    def _canonical(self, choices) -> dict:
        """Spelling key -> word; memoized for fixed vocabularies (the hot path of batch runs), and
        shared by the specs that read the same vocabulary (a guideline's source ids: dozens of specs)."""
        if self._memo is not None and self._memo[0] is choices:
            return self._memo[1]
        canon = _spellings(choices)
        self._memo = (choices, canon)
        return canon

    def _expected(self) -> str:
        return "one of " + ", ".join(self._choices()) if self._choices() is not None else "a string"

    def json_schema(self):
        choices = self._choices()
        if choices is None:
            schema: dict = {"type": "string"}
            if self.max_len is not None:
                schema["maxLength"] = self.max_len
            if self.pattern:
                schema["pattern"] = f"^(?:{self.pattern})$"
            return self._schema(schema)
        # The enum is for editors to offer; the pattern keeps every spelling check()
        # accepts valid (dMMR, Small Intestine), as JSON Schema has no case-insensitive enum.
        words = list(choices) + [a for a in self.aliases if a not in choices]
        return self._schema({"type": "string", "anyOf": [{"enum": words}, {"pattern": forgiving_pattern(words)}]})


def forgiving_pattern(words, spaces: bool = True) -> str:
    """A regular expression matching what vocab_key() maps onto one of words: any case,
    surrounding blanks, and (with spaces) blanks or underscores for each hyphen."""

    def spell(word: str) -> str:
        out = ""
        for char in word:
            if char == "-" and spaces:
                out += r"(?:-|[\s_]+)"
            elif char.isalpha():
                out += f"[{char.lower()}{char.upper()}]"
            elif char == " ":
                out += " "
            else:
                out += re.escape(char)
        return out

    blank = r"\s*" if spaces else r"[ \t]*"
    return rf"^{blank}(?:" + "|".join(spell(w) for w in words) + rf"){blank}$"


class Num(Spec):
    """A number (integer with integer=True) within [minimum, maximum]."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None, integer: bool = False, doc: str = ""):
        self.minimum, self.maximum, self.integer, self.doc = minimum, maximum, integer, doc

    def check(self, value, path, problems):
        kind = "an integer" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append((path, f"expected {kind}{self._bounds()}, got {_type_name(value)}"))
            return INVALID
        if self.integer and isinstance(value, float):
            if not value.is_integer():
                problems.append((path, f"expected {kind}{self._bounds()}, got {value}"))
                return INVALID
            value = int(value)
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((path, f"expected {kind}{self._bounds()}, got {value}"))
            return INVALID
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            problems.append((path, f"{value} is out of range: expected {kind}{self._bounds()}"))
            return INVALID
        return value

    def _bounds(self) -> str:
        lo, hi = self.minimum, self.maximum
        fmt = lambda x: f"{x:g}"  # noqa: E731
        if lo is not None and hi is not None:
            return f" from {fmt(lo)} to {fmt(hi)}"
        if lo is not None:
            return f" of at least {fmt(lo)}"
        if hi is not None:
            return f" of at most {fmt(hi)}"
        return ""

    def json_schema(self):
        schema: dict = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return self._schema(schema)


class Bool(Spec):
    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, value, path, problems):
        if not isinstance(value, bool):
            hint = ""
            if isinstance(value, str) and value.strip().lower() in _YAML11_BOOLEANS:
                word = "true" if value.strip().lower() in ("yes", "y", "on") else "false"
                hint = f" (YAML 1.2, which editors use, reads '{value}' as text: write {word})"
            problems.append((path, f"expected true or false, got {_type_name(value)}{hint}"))
            return INVALID
        return value

    def json_schema(self):
        return self._schema({"type": "boolean"})


_YAML11_BOOLEANS = ("yes", "no", "on", "off", "y", "n")


class Custom(Spec):
    """A value checked by a function that returns the parsed value or raises ValueError."""

    def __init__(self, parse: Callable[[Any], Any], schema: dict, doc: str = ""):
        self.parse, self.schema, self.doc = parse, schema, doc

    def check(self, value, path, problems):
        try:
            return self.parse(value)
        except ValueError as exc:
            problems.append((path, str(exc)))
            return INVALID

    def json_schema(self):
        return self._schema(dict(self.schema))


class ListOf(Spec):
    """A list of items; with allow_scalar a single item may stand for a one-item list."""

    def __init__(self, item: Spec, allow_scalar: bool = False, unique: bool = False, max_items: int | None = 1000, doc: str = ""):
        self.item, self.allow_scalar, self.unique, self.max_items, self.doc = item, allow_scalar, unique, max_items, doc

    def check(self, value, path, problems):
        if self.allow_scalar and not isinstance(value, (list, dict)) and value is not None:
            value = [value]
        if not isinstance(value, list):
            problems.append((path, f"expected a list, got {_type_name(value)}"))
            return INVALID
        if self.max_items is not None and len(value) > self.max_items:
            problems.append((path, f"{len(value):,} items; the limit is {self.max_items:,}"))
            return INVALID
        out = []
        check, unique = self.item.check, self.unique
        for index, item in enumerate(value):
            checked = check(item, (path, index), problems)  # (path, index): join_path, inlined
            if checked is INVALID:
                continue
            if unique and checked in out:
                problems.append((join_path(path, index), f"'{checked}' is listed twice"))
                continue
            out.append(checked)
        return out if len(out) == len(value) else INVALID

    def json_schema(self):
        schema: dict = {"type": "array", "items": self.item.json_schema()}
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if self.unique:
            schema["uniqueItems"] = True
        if self.allow_scalar:
            return self._schema({"anyOf": [self.item.json_schema(), schema]})
        return self._schema(schema)


class OneOf(Spec):
    """The first alternative whose type fits; its problems are the ones reported."""

    def __init__(self, options: list, expected: str, doc: str = ""):
        self.options, self.expected, self.doc = options, expected, doc  # options: [(predicate, Spec)]

    def check(self, value, path, problems):
        for fits, spec in self.options:
            if fits(value):
                return spec.check(value, path, problems)
        problems.append((path, f"expected {self.expected}, got {_type_name(value)}"))
        return INVALID

    def json_schema(self):
        return self._schema({"anyOf": [spec.json_schema() for _, spec in self.options]})


class Nullable(Spec):
    """A value of `spec`, or null (written output: a category no source states)."""

    def __init__(self, spec: Spec, doc: str = ""):
        self.spec, self.doc = spec, doc

    def check(self, value, path, problems):
        return None if value is None else self.spec.check(value, path, problems)

    def json_schema(self):
        return self._schema({"anyOf": [self.spec.json_schema(), {"type": "null"}]})


class Field:
    def __init__(self, spec: Spec, required: bool = False):
        self.spec, self.required = spec, required


class Record(Spec):
    """A mapping with known keys: unknown keys are errors, with a suggestion.

    `closed=False` only loosens the JSON Schema (more keys allowed): for output
    whose contract says keys may be added. With `null_is_unknown` (input) an
    optional field written as null is the same as leaving it out; output
    descriptions set it False, and null is then only what Nullable allows.
    """

    def __init__(self, fields: dict, doc: str = "", title: str = "", closed: bool = True, null_is_unknown: bool = True):
        self.fields, self.doc, self.title, self.closed = fields, doc, title, closed  # fields: name -> Field
        self.null_is_unknown = null_is_unknown
        # the hot path of batch runs, per key: its spec's check, and whether null may stand for leaving it out
        self._checks = {name: (f.spec.check, null_is_unknown and not f.required) for name, f in fields.items()}
        self._required = tuple(name for name, f in fields.items() if f.required)

    def check(self, value, path, problems):
        if not isinstance(value, dict):
            where = "here" if format_path(path) else "at the top of the file"
            problems.append((path, f"expected a mapping {where}, got {_type_name(value)}"))
            return INVALID
        out = {}
        ok = True
        checks = self._checks
        for key, item in value.items():
            found = checks.get(key)  # None for every key that is not a field name, text or not
            if found is None:
                ok = False
                if not isinstance(key, str):
                    problems.append((path, f"key {key!r} must be a word, not {_type_name(key)}"))
                    continue
                known = ", ".join(self.fields)
                problems.append(
                    (join_path(path, key), f"unknown field{did_you_mean(key, self.fields)}; known fields: {known}")
                )
                continue
            check, null_means_unknown = found
            if item is None and null_means_unknown:
                continue  # an explicit null is the same as leaving the field out: unknown
            checked = check(item, (path, key), problems)  # (path, key): join_path, inlined
            if checked is INVALID:
                ok = False
            else:
                out[key] = checked
        for key in self._required:
            if value.get(key) is None:
                problems.append((join_path(path, key), "is required"))
                ok = False
        return out if ok else INVALID

    def json_schema(self):
        properties = {name: f.spec.json_schema() for name, f in self.fields.items()}
        if self.null_is_unknown:  # what check() accepts: an optional field may be null
            properties = {name: p if self.fields[name].required else _or_null(p) for name, p in properties.items()}
        schema: dict = {"type": "object", "properties": properties}
        if self.closed:
            schema["additionalProperties"] = False
        required = [name for name, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        return self._schema(schema)


def _or_null(schema: dict) -> dict:
    """schema, or null; title and description stay on top, where editors look for them."""
    words = {k: schema[k] for k in ("title", "description") if k in schema}
    rest = {k: v for k, v in schema.items() if k not in words}
    return {**words, "anyOf": [rest, {"type": "null"}]}


class MapOf(Spec):
    """A mapping from keys (checked by key spec) to values of one spec."""

    def __init__(self, key: Spec, value: Spec, doc: str = ""):
        self.key, self.value, self.doc = key, value, doc

    def check(self, value, path, problems):
        if not isinstance(value, dict):
            problems.append((path, f"expected a mapping, got {_type_name(value)}"))
            return INVALID
        out = {}
        ok = True
        for key, item in value.items():
            k = self.key.check(key, join_path(path, str(key)), problems)
            v = self.value.check(item, join_path(path, str(key)), problems)
            if k is INVALID or v is INVALID:
                ok = False
            else:
                out[k] = v
        return out if ok else INVALID

    def json_schema(self):
        return self._schema({"type": "object", "additionalProperties": self.value.json_schema()})


def is_str(v) -> bool:
    return isinstance(v, str)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_mapping(v) -> bool:
    return isinstance(v, dict)


class Raw(Spec):
    """Any value; checked later by a dedicated pass (guideline conditions)."""

    def __init__(self, doc: str = ""):
        self.doc = doc

    def check(self, value, path, problems):
        return value

    def json_schema(self):
        return self._schema({})
