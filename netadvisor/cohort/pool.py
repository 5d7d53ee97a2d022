"""Worker processes for runs over many cases: results in input order, and no hang.

multiprocessing.Pool waits forever for the results of a worker that was killed
(kill -9, the kernel's OOM killer, a crash in C code). Here each worker holds at
most one chunk of inputs at a time, and the parent waits on the workers' pipes
and on their process sentinels together: a worker that dies with a chunk turns
that chunk into error records, a new worker takes its place, and the run goes on.

- A worker gets a chunk only while it waits for one, so neither side can block
  the other with a full pipe.
- At most WINDOW chunks per worker are ahead of the first unfinished one, so
  results held back for ordering stay few however large the run.
- Workers ignore SIGINT (Ctrl-C to the whole process group is the parent's to
  handle) and die on SIGTERM without a word; the parent stops them on any exit
  (Ctrl-C, SIGTERM, an error, the consumer stopping), and a worker whose parent
  is gone stops on its own.
"""

from __future__ import annotations

import os
import signal
from itertools import islice
from typing import Callable, Iterable, Iterator, NamedTuple

WINDOW = 4  # chunks per worker that may be dispatched ahead of the oldest unfinished one
_PARENT_CHECK = 1.0  # seconds between a waiting worker's checks that its parent still runs


class SetupFailed(NamedTuple):
    """What a worker whose set-up failed answers for each item it is given."""

    message: str


def _worker(conn, setup: Callable, setup_args: tuple, run_one: Callable, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        setup(*setup_args)
        failed = None
    except Exception as exc:  # reported with every case this worker is given, not as a dead worker
        failed = SetupFailed(f"internal error: {type(exc).__name__}: {exc}")
    try:
        while True:
            while not conn.poll(_PARENT_CHECK):
                if os.getppid() != parent:
                    return
            message = conn.recv()
            if message is None:
                return
            seq, items = message
            conn.send((seq, [run_one(item) if failed is None else failed for item in items]))
    except (EOFError, OSError):  # the parent is gone
        return


class _Slot:
    """One worker process and the chunk it holds."""

    def __init__(self, context, setup, setup_args, run_one):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, setup, setup_args, run_one, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.chunk = None  # (seq, items) while the worker has it

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.terminate()


def imap(items: Iterable, *, jobs: int, setup: Callable, setup_args: tuple, run_one: Callable,
         lost: Callable, chunksize: int = 32) -> Iterator:
    """run_one(item) for every item in worker processes (set up by setup(*setup_args)), in input order.

    lost(item, why) is the result of an item whose worker died before finishing it,
    or whose worker could not be set up.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    source = iter(items)
    slots = [_Slot(context, setup, setup_args, run_one) for _ in range(jobs)]
    done: dict = {}  # seq -> results, waiting for the ones before them
    next_out = next_seq = 0
    exhausted = False
    try:
        while True:
            for i, slot in enumerate(slots):  # feed every idle worker, within the window
                if slot.chunk is None and not exhausted and next_seq < next_out + WINDOW * jobs:
                    chunk = list(islice(source, chunksize))
                    if not chunk:
                        exhausted = True
                        break
                    if not slot.process.is_alive():  # died while idle: its successor takes the chunk
                        slot.stop()
                        slot.process.join(timeout=2)
                        slots[i] = slot = _Slot(context, setup, setup_args, run_one)
                    slot.chunk = (next_seq, chunk)
                    next_seq += 1
                    try:
                        slot.conn.send(slot.chunk)
                    except OSError:  # it died while idle: found below by its sentinel
                        pass
            while next_out in done:
                for result in done.pop(next_out):
                    yield result
                next_out += 1
            busy = [slot for slot in slots if slot.chunk is not None]
            if not busy:
                if exhausted:
                    return
                continue
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy])
            for i, slot in enumerate(slots):
                if slot.chunk is None:
                    continue
                if slot.conn in ready or slot.process.sentinel in ready:
                    seq, chunk = slot.chunk
                    results = _receive(slot)
                    if results is None:  # the worker died with the chunk
                        why = _death(slot.process)
                        results = [lost(item, why) for item in chunk]
                        slot.stop()
                        slots[i] = _Slot(context, setup, setup_args, run_one)
                    else:
                        results = [lost(item, r.message) if isinstance(r, SetupFailed) else r for item, r in zip(chunk, results)]
                        slot.chunk = None
                    done[seq] = results
    finally:
        for slot in slots:
            slot.stop()
        for slot in slots:
            slot.process.join(timeout=2)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=2)


def _receive(slot: _Slot):
    """The chunk's results if the worker sent them (even just before dying), else None."""
    try:
        if slot.conn.poll():
            seq, results = slot.conn.recv()
            return results
    except Exception:  # EOF, or a message cut short by the worker's death: the chunk is lost
        pass
    return None


def _death(process) -> str:
    process.join(timeout=2)
    code = process.exitcode
    if code is None:
        return "the worker process stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process was killed ({name})"
    return f"the worker process exited with code {code}"
