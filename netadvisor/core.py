"""The library entry points the CLI (and other programs) call: plain values in, results out."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from .base.escape import file_name, terminal
from .engine.advice import Advice
from .engine.advise import advise
from .inputs.case import Case
from .inputs.case_reader import load_case
from .knowledge.library import Library, load_library


def is_path(guideline: str | None) -> bool:
    """--guideline takes a shipped id (nccn-net, nccn-net@4.2024) or a file or folder."""
    return bool(guideline) and (Path(guideline).exists() or "/" in guideline or guideline.endswith((".yaml", ".yml")))


def library_for(guideline: str | None) -> Library:
    return load_library(guideline if is_path(guideline) else None)


def checked_library(guideline: str | None) -> Library:
    """library_for, also refusing an unknown guideline id up front (exit 2 before any work)."""
    from datetime import date

    library = library_for(guideline)
    if guideline and not is_path(guideline):
        library.pick(guideline, date.today())
    return library


def pick_latest(library: Library, guideline: str | None = None):
    """The guideline to describe when there is no case date: the one named, else the newest."""
    from datetime import date

    return library.pick(None if is_path(guideline) else guideline, date.today()).guideline


def advise_case(case: Case, library: Library, guideline: str | None = None, compare: bool = False,
                words: bool = True) -> Advice:
    """Advice for a parsed case under the guideline in force on its date (or the one named);
    with compare, every other body in force on that date set beside it (engine/compare.py).
    Without words, decide only (engine.advise.advise): for outputs that show no reasons."""
    knowledge = library.pick(None if is_path(guideline) else guideline, case.as_of)
    advice = advise(case, knowledge, words or compare)
    if compare:
        from .engine.compare import compare as beside

        advice = beside(advice, case, library)
    return advice


def advise_file(path: Path, guideline: str | None = None, as_of: date | None = None, compare: bool = False) -> Advice:
    """Read a case file and advise on it; raises InputError or GuidelineError (exit 2)."""
    library = library_for(guideline)
    case = load_case(path, library.catalogue.therapy_spec(), as_of=as_of)
    return advise_case(case, library, guideline, compare)


def advise_flags(params: dict, guideline: str | None = None, save: Path | None = None, force: bool = False,
                 compare: bool = False):
    """Advice for the case the fact flags describe (a quick lookup); with save, also write it as a case file."""
    from .inputs.lookup import lookup_case

    library = library_for(guideline)
    therapy = library.catalogue.therapy_spec()
    case = lookup_case(params, therapy, default_id=file_name(save.stem) if save else "lookup")
    if save:
        from .inputs import case_writer

        case_writer.write(case_writer.dump(case, save, therapy), save, force, "--save")
        sys.stderr.write(f"netadvisor: saved the case to {terminal(str(save))}\n")
    return advise_case(case, library, guideline, compare)
