"""One JSON value as one line of JSON Lines (batch, --compact, expand)."""

import json

from ..base.documents import orjson


def dumps(record: dict) -> str:
    """One compact JSON line, without its newline (see dumps_line)."""
    return dumps_line(record)[:-1].decode()


def dumps_line(record: dict) -> bytes:
    """One line of JSON Lines as UTF-8, newline included: byte for byte what json.dumps(record,
    ensure_ascii=False, separators=(",", ":")) + "\n" encodes to, by orjson (8x faster on an advice
    object). Its bytes go to the file as they are: decoding and encoding again cost twice its work
    on a 17 KiB line. A value orjson refuses and json writes (an int past 64 bits, a non-text key)
    goes through json, so the line is the same either way; so does every line where orjson is not
    installed."""
    fast = orjson()
    if fast is not None:
        written = _written(fast, record, fast.OPT_APPEND_NEWLINE)
        if written is not None:
            return written
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_unfragment) + "\n").encode()


def fragment(data):
    """data as an orjson.Fragment, its JSON text written now: for a part that many records share
    (a therapy's toxicities, a rule's reason), which dumps_line then copies instead of writing it
    again (a batch case's line: -40% of orjson's work). data itself where orjson is missing or
    refuses it."""
    fast = orjson()
    written = _written(fast, data, 0) if fast is not None else None
    return data if written is None else fast.Fragment(written)


def _written(fast, value, option: int) -> bytes | None:
    """orjson's JSON text of value, or None where it refuses the value."""
    try:
        return fast.dumps(value, default=_plain, option=option)
    except TypeError as exc:
        # orjson wraps whatever _plain raises in a TypeError. Ctrl-C or SIGTERM arriving while
        # _plain runs is not a refused value: raise it, or the run would go on as if unsignalled.
        if exc.__cause__ is not None and not isinstance(exc.__cause__, Exception):
            raise exc.__cause__ from None
        return None


def _unfragment(value):
    """json's hook, for a record orjson refused: a fragment is written as the value of its JSON
    text, which json writes as it writes the data the text was made from (floats by their repr)."""
    fast = orjson()
    if fast is not None and type(value) is fast.Fragment:
        return json.loads(fast.dumps(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _plain(value):
    """orjson's hook for what it does not write itself: a float subclass (evidence Figures keep their
    printed form) is written as json writes it, float.__repr__."""
    if isinstance(value, float):
        return float(value)
    raise TypeError(type(value).__name__)
