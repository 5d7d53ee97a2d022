"""Many cases at once: find the inputs, advise on each in worker processes, and
hand back one record per input, in input order, streaming.

An input that cannot be read becomes an error record naming file (and line,
for JSON Lines), field path and message; it never stops the run and never
disappears. `batch`, `check`, `diff` and `audit` share this machinery.
"""

import gc
import os
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..base.documents import parse_json_line
from ..base.errors import InputError, Problem
from ..base.escape import file_name
from ..inputs.case_format import parse_case
from ..inputs.case_reader import load_case
from .discover import Input, discover  # noqa: F401 - the runner's inputs, for the commands

# -- running -------------------------------------------------------------------------

_WORKER: dict = {}


def _setup(guideline: str | None, as_of: date | None, task: Callable, shape: Callable | None = None):
    """Per process: load the data once and keep the garbage collector on (runs are long)."""
    from ..core import library_for

    gc.enable()
    gc.set_threshold(20_000, 20, 20)
    _WORKER.update(library=library_for(guideline), guideline=guideline, as_of=as_of, task=task, shape=shape)


def read_case(item: Input, library, as_of: date | None = None):
    """The Case of an input; raises InputError."""
    if item.problem is not None:
        raise InputError([item.problem])
    spec = library.catalogue.therapy_spec()
    if item.text is None:
        return load_case(Path(item.source), spec, as_of=as_of)
    label = item.label
    try:
        data = parse_json_line(item.text)
    except ValueError as exc:
        raise InputError([Problem(label, "", str(exc))]) from None
    default_id = f"{_stem(item.source)}-{item.line}"
    return parse_case(data, source=label, therapy=spec, default_id=default_id, as_of=as_of)


@lru_cache(maxsize=64)
def _stem(source: str) -> str:
    """A JSON Lines file's name, for its lines' default ids (once per file, not per line)."""
    return file_name(Path(source).stem)


def _run_one(item: Input):
    try:
        record = _WORKER["task"](item, _WORKER)
    except InputError as exc:
        record = error_record(item, exc.problems)
    except Exception as exc:  # a bug must not lose the case or stop the run
        record = error_record(item, [Problem(item.label, "", f"internal error: {type(exc).__name__}: {exc}")], internal=True)
    shape = _WORKER["shape"]
    return record if shape is None else shape(record)


def error_record(item: Input, problems: list, internal: bool = False) -> dict:
    return {
        "format": "netadvisor-error/1",
        "source": item.where(),
        "internal": internal,
        "problems": [p.to_dict() for p in problems],
    }


def run(items: Iterable[Input], task: Callable, *, jobs: int = 1, guideline: str | None = None,
        as_of: date | None = None, chunksize: int = 32, shape: Callable | None = None) -> Iterator:
    """task(item, worker_state) for every input, results in input order, streamed.

    With jobs > 1 the work is spread over that many processes (cohort/pool.py);
    results still come back in input order so output files are reproducible, and
    the inputs of a worker that dies become error records. `shape`, applied
    in the worker, turns each record (or error record) into what the caller
    needs: sending a line of text back is far cheaper than a whole record.
    """
    if jobs <= 1:
        _setup(guideline, as_of, task, shape)
        for item in items:
            yield _run_one(item)
        return
    from .pool import imap

    yield from imap(items, jobs=jobs, setup=_setup, setup_args=(guideline, as_of, task, shape), run_one=_run_one,
                    lost=partial(_lost, shape), chunksize=chunksize)


def _lost(shape: Callable | None, item: Input, why: str):
    """The record of an input whose worker process died (or could not start) before it was done."""
    message = why if why.startswith("internal error") else f"{why} before this case was done; run it again"
    record = error_record(item, [Problem(item.label, "", message)], internal=True)
    return record if shape is None else shape(record)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# -- the batch task: advice per case -------------------------------------------------------


def advise_task(item: Input, state: dict, compact: bool = False) -> dict:
    """Advice for one input as the JSON object of the advice contract, plus where it came from;
    the parts many cases share are JSON text already (as_json.advice_to_line), for dumps_line.
    With compact, the record of a compact line (formats.compact.compact_record)."""
    from ..core import advise_case
    from ..formats.as_json import advice_to_line

    case = read_case(item, state["library"], state["as_of"])
    advice = advise_case(case, state["library"], state["guideline"])
    if compact:
        from ..formats.compact import compact_record

        record = compact_record(advice)
    else:
        record = advice_to_line(advice)
    record["source"] = item.where()
    return record


def decide_task(item: Input, state: dict) -> dict:
    """What batch's CSV rows and summary read of one input (formats.batch_out: csv_row,
    Summary.facts), from advice decided without its words: the same rows, for a fraction
    of the work of advise_task."""
    from ..core import advise_case

    case = read_case(item, state["library"], state["as_of"])
    advice = advise_case(case, state["library"], state["guideline"], words=False)
    return {
        "case_id": advice.case_id,
        "source": item.where(),
        "summary": advice.summary,
        "scope": {"status": "out-of-scope" if advice.scope else "in-scope"},
        "candidates": [{"therapy": c.therapy, "name": c.name, "category": c.category} for c in advice.candidates],
        "excluded": [e.therapy for e in advice.excluded],
    }
