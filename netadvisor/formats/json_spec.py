"""The pieces the `netadvisor-advice/1` description is built from (as_json.py, json_compare.py):
a key of the output (`Out`), the writer that walks a description, and the common value specs.
"""

from __future__ import annotations

from operator import attrgetter

from ..base.fields import Field, ListOf, Nullable, Record, Str
from ..base.memo import per_object
from ..knowledge.models import ID


class Out(Field):
    """One key of the output: what it is (a spec) and how to get it from the object written."""

    def __init__(self, spec, get, omit_empty: bool = False, omit_none: bool = False, shared: bool = False):
        super().__init__(spec, required=not (omit_empty or omit_none))
        self.get = attrgetter(get) if isinstance(get, str) else get
        self.omit_empty = omit_empty  # left out when empty, rather than written as []
        self.omit_none = omit_none  # left out when None (a key only some runs write: --compare)
        self.shared = shared  # the engine hands the same object to many cases (a therapy's toxicities): written once


def writer(spec, wrap=None, wrap_key: dict | None = None):
    """A function from a value to its JSON data, following the description; None for as-is.

    The description is walked once, here, into nested closures: batch runs write
    thousands of objects, and a generic walk per value cost more than the advice.
    `wrap`, if given, is applied to the data of each shared object, once per object
    (JSON Lines: json_lines.fragment, its JSON text written once); `wrap_key` names
    the keys whose shared objects get another function instead (compact.py: an id).
    """
    if isinstance(spec, Record):
        def write_field(name, field):
            write = writer(field.spec, wrap, wrap_key)
            return _shared(write, (wrap_key or {}).get(name, wrap)) if field.shared else write

        parts = [(name, field.get, write_field(name, field), field.omit_empty, field.omit_none)
                 for name, field in spec.fields.items()]

        def record(value):
            out = {}
            for name, get, write, omit_empty, omit_none in parts:
                item = get(value)
                if (omit_empty and not item) or (omit_none and item is None):
                    continue
                out[name] = item if write is None else write(item)
            return out

        return record
    if isinstance(spec, ListOf):
        item = writer(spec.item, wrap, wrap_key)
        item = _shared(item, wrap) if getattr(spec, "shared", False) else item
        return list if item is None else (lambda values: [item(v) for v in values])
    if isinstance(spec, Nullable):
        inner = writer(spec.spec, wrap, wrap_key)
        return None if inner is None else (lambda value: None if value is None else inner(value))
    return None


def _shared(write, wrap=None):
    """write, remembering its data per object (base.memo.per_object). The data is shared by every
    record that holds the object: never change it."""
    if write is None:
        return None
    return per_object(write if wrap is None else (lambda value: wrap(write(value))), 1024)


def write(spec, value):
    """The JSON data for value, following its description."""
    write_value = writer(spec)
    return value if write_value is None else write_value(value)


def _obj(doc: str = "", **fields) -> Record:
    return Record(fields, doc=doc, closed=False, null_is_unknown=False)  # the contract: keys may be added


class _Text(Str):
    """Text the writer produces: no input limit applies to it, and the schema states none."""

    def __init__(self, **options):
        super().__init__(max_len=None, **options)


class _List(ListOf):
    """A list the writer produces: no input limit applies to it, and the schema states none."""

    def __init__(self, item, shared: bool = False, **options):
        super().__init__(item, max_items=None, **options)
        self.shared = shared  # the engine hands the same items to many cases (a rule's reason): each written once


TEXT = _Text()
CODE = _Text(pattern=r"[a-z0-9-]+")
DATE = _Text(pattern=r"\d{4}-\d{2}-\d{2}")
TEXTS = _List(TEXT)
SOURCE_ID = _Text(pattern=ID)
SOURCE_IDS = _List(SOURCE_ID, doc="source ids; the object's `sources` map gives their citations")


class _Word(Str):
    """A vocabulary word as written: always canonical, so the schema needs no forgiving pattern."""

    def json_schema(self):
        return self._schema({"type": "string", "enum": list(self._choices())})


def _words(choices, doc: str = "") -> Str:
    return _Word(choices=choices, doc=doc)
