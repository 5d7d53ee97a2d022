"""The case format (`netadvisor-case/1`): its field specs, and the validation that
turns parsed data into a Case.

The format is the contract in the README. Every field except
tumor.primary_site is optional; a missing field is unknown, never a default
that could change the advice.
"""

import re
from datetime import date
from functools import lru_cache
from typing import Callable

from ..base import vocab
from ..base.dates import FULL_SCHEMA, PARTIAL_SCHEMA, PartialDate, parse_full_date
from ..base.errors import InputError, Problem
from ..base.fields import (
    INVALID,
    Bool,
    Custom,
    Field,
    ListOf,
    MapOf,
    Num,
    OneOf,
    Record,
    Str,
    check_limited,
    forgiving_pattern,
    format_path,
    is_mapping,
    is_number,
    is_str,
)
from .case import KI67_TEXT, Case, Line, Range, Toxicity


# -- the schema ---------------------------------------------------------------


def _ki67(value):
    return Range.parse(value)


def _date(value):
    return _text_date(value) if type(value) is str else PartialDate.parse(value)


def _full_date(value):
    if type(value) is str:
        return _text_full_date(value)
    if isinstance(value, bool) or not isinstance(value, (str, date)):
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")
    return parse_full_date(value)


# A cohort's dates repeat: each text is parsed once (a refusal is not remembered, and raised again).
_text_date = lru_cache(maxsize=4096)(PartialDate.parse)
_text_full_date = lru_cache(maxsize=4096)(parse_full_date)


_NOT_STATED = ("not-stated", "not stated", "none")


def _category(value):
    if value is None:
        return None
    if is_number(value) and value in (1, 3):  # 1, 3 (and 1.0, as for every integer field)
        return str(int(value))
    if isinstance(value, str):
        word = value.strip(" \t").upper()
        if word in vocab.CATEGORIES:
            return word
        if word.lower() in _NOT_STATED:
            return None
    raise ValueError(f"expected a category ({', '.join(vocab.CATEGORIES)} or 'not stated'), got {value!r}")


CATEGORY_SCHEMA = {"anyOf": [
    {"type": "integer", "enum": [1, 3]},
    {"type": "string", "pattern": forgiving_pattern([*vocab.CATEGORIES, *_NOT_STATED], spaces=False)},
    {"type": "null"},
]}


def case_spec(therapy: Str) -> Record:
    """The case format as a Record; `therapy` checks therapy names against the catalogue."""
    text = Str(max_len=5000)
    when = Custom(_date, PARTIAL_SCHEMA, doc="YYYY, YYYY-MM or YYYY-MM-DD")
    word = lambda choices, aliases=None, doc="": Str(choices=choices, aliases=aliases or {}, doc=doc)  # noqa: E731
    words = lambda choices, aliases=None, doc="": ListOf(word(choices, aliases), allow_scalar=True, unique=True, doc=doc)  # noqa: E731
    sstr_long = Record(
        {
            "status": Field(word(vocab.SSTR), required=True),
            "modality": Field(word(vocab.SSTR_MODALITY)),
            "uptake": Field(word(vocab.SSTR_UPTAKE)),
        },
        doc="the long form: status with the imaging modality and uptake",
    )
    toxicity = Record(
        {
            "event": Field(word(vocab.TOXICITY_EVENTS, vocab.TOXICITY_ALIASES), required=True),
            "grade": Field(Num(1, 5, integer=True, doc="CTCAE grade 1-5")),
            "note": Field(text),
        },
        doc="an adverse event on this therapy",
    )
    line = Record(
        {
            "therapy": Field(therapy, required=True),
            "start": Field(when),
            "end": Field(when),
            "setting": Field(word(vocab.SETTING)),
            "stopped": Field(
                word(vocab.STOPPED, {"progressive-disease": "progression", "pd": "progression"}, doc="why it stopped")
            ),
            "best_response": Field(word(vocab.RESPONSE)),
            "toxicity": Field(ListOf(toxicity)),
            "cycles": Field(Num(1, 1000, integer=True)),
            "dose": Field(text),
            "note": Field(text),
        },
        doc="one line of treatment",
    )
    return Record(
        title="netadvisor case (netadvisor-case/1)",
        doc="One patient at one decision point. Every field except tumor.primary_site is optional; missing means unknown.",
        fields={
            "format": Field(Str(choices=(vocab.CASE_FORMAT,), doc="optional; if present exactly this")),
            "id": Field(Str(max_len=200, pattern=r"[^\n\r\t]+", doc="defaults to the file's stem")),
            "as_of": Field(Custom(_full_date, FULL_SCHEMA, doc="decision date YYYY-MM-DD (default: today)")),
            "patient": Field(
                Record(
                    {
                        "age": Field(Num(0, 120, integer=True, doc="years")),
                        "sex": Field(word(vocab.SEX)),
                        "ecog": Field(Num(0, 4, integer=True, doc="ECOG performance status")),
                        "creatinine_clearance": Field(Num(0, 300, doc="mL/min (Cockcroft-Gault)")),
                        "egfr": Field(Num(0, 300, doc="mL/min/1.73m2")),
                        "comorbidities": Field(words(vocab.COMORBIDITIES, vocab.COMORBIDITY_ALIASES)),
                        "pregnant": Field(Bool()),
                    },
                    doc="the patient",
                )
            ),
            "tumor": Field(
                Record(
                    {
                        "primary_site": Field(word(vocab.SITES, vocab.SITE_ALIASES, doc="the only required fact"), required=True),
                        "differentiation": Field(
                            word(vocab.DIFFERENTIATION, vocab.DIFFERENTIATION_ALIASES, doc="poor = neuroendocrine carcinoma (NEC)")
                        ),
                        "histology": Field(word(vocab.HISTOLOGY, vocab.HISTOLOGY_ALIASES, doc="lung and thymus")),
                        "gastric_type": Field(word(vocab.GASTRIC_TYPES, vocab.GASTRIC_TYPE_ALIASES,
                                                   doc="stomach: type-1 (atrophic gastritis), type-2 (gastrinoma, MEN1), type-3 (sporadic)")),
                        "grade": Field(Num(1, 3, integer=True, doc="WHO grade")),
                        "ki67": Field(
                            OneOf(
                                [(is_number, Custom(_ki67, {"type": "number", "minimum": 0, "maximum": 100})),
                                 (is_str, Custom(_ki67, {"type": "string", "pattern": f"^(?:{KI67_TEXT})$"}))],
                                expected="a percentage (5) or a range ('4-6')",
                                doc="percent; a number, or a range string '4-6'",
                            )
                        ),
                        "stage": Field(word(vocab.STAGES, vocab.STAGE_ALIASES)),
                        "resectable": Field(Bool()),
                        "functional": Field(
                            words(vocab.FUNCTIONAL, vocab.FUNCTIONAL_ALIASES, doc="nonfunctional, or the hormone syndromes")
                        ),
                        "sstr": Field(
                            OneOf(
                                [(is_str, word(vocab.SSTR)), (is_mapping, sstr_long)],
                                expected="positive, negative, unknown or {status: ..., modality: ..., uptake: ...}",
                                doc="somatostatin receptor status; unknown never makes PRRT or an SSA eligible",
                            )
                        ),
                        "fdg": Field(word(vocab.FDG, doc="FDG-PET avidity")),
                        "metastases": Field(words(vocab.METASTASES, vocab.METASTASES_ALIASES)),
                        "burden": Field(
                            word(vocab.BURDEN, vocab.BURDEN_ALIASES, doc="NCCN's tumour burden; bulky: true implies clinically-significant")
                        ),
                        "bulky": Field(Bool(doc="large tumour burden needing a rapid response")),
                        "symptomatic": Field(Bool(doc="tumour-related symptoms")),
                        "biomarkers": Field(
                            Record(
                                {
                                    "msi": Field(word(vocab.MSI, vocab.MSI_ALIASES, doc="dMMR counts as high")),
                                    "tmb": Field(
                                        OneOf(
                                            [(is_number, Num(0, 10_000, doc="mutations/Mb")), (is_str, word(vocab.TMB_WORDS))],
                                            expected="mutations/Mb (a number) or high/low",
                                        )
                                    ),
                                    "braf": Field(word(vocab.BRAF, doc="BRAF V600E")),
                                    "ntrk": Field(word(vocab.FUSION, doc="NTRK gene fusion")),
                                    "ret": Field(word(vocab.FUSION, doc="RET gene fusion")),
                                }
                            )
                        ),
                        "germline": Field(words(vocab.GERMLINE, doc="germline syndromes")),
                    },
                    doc="the tumour; a fact left out is unknown",
                ),
                required=True,
            ),
            "disease": Field(Record({"status": Field(word(vocab.DISEASE_STATUS, vocab.DISEASE_ALIASES))}, doc="the disease now")),
            "history": Field(ListOf(line, doc="prior and current treatment, oldest first")),
            "preferences": Field(
                Record(
                    {
                        "avoid": Field(words(vocab.AVOID)),
                        "clinical_trial_access": Field(Bool()),
                        "notes": Field(text),
                    },
                    doc="the patient's wishes: a caution on a candidate, never a silent exclusion",
                )
            ),
            "expect": Field(
                Record(
                    {
                        "include": Field(ListOf(therapy, allow_scalar=True, unique=True)),
                        "exclude": Field(ListOf(therapy, allow_scalar=True, unique=True)),
                        "top": Field(therapy),
                        "category": Field(
                            MapOf(therapy, Custom(_category, CATEGORY_SCHEMA))
                        ),
                        "bodies": Field(
                            MapOf(
                                Str(pattern=r"[a-z0-9]+(?:[-.][a-z0-9]+)*", doc="a guideline body id (esmo-lung-thymus)"),
                                MapOf(therapy, Str(max_len=200, doc="its level as the body writes it ([IV, B]), 'not stated', 'excluded' or 'not listed'")),
                                doc="with --compare: each body's position on an option for this case",
                            ),
                        ),
                    },
                    doc="read only by `netadvisor check`",
                )
            ),
        },
    )


def _cross_checks(data: dict, as_of: date, as_of_overridden: bool = False) -> tuple[list, list]:
    """Contradictions no single field shows: (problems, warnings).

    History dated after the case's own as_of is an error; after an --as-of given
    on the command line it is allowed with a warning (diff and what-if runs judge
    the case as written by the rules of another date).
    """
    warnings = []
    problems = []
    tumor = data.get("tumor", {})
    functional = tumor.get("functional", [])
    if "nonfunctional" in functional and len(functional) > 1:
        problems.append(("tumor.functional", "lists 'nonfunctional' together with a hormone syndrome"))
    if tumor.get("bulky") is True and tumor.get("burden") == "low":
        problems.append(("tumor.burden", "is 'low' while bulky is true (bulky disease is a clinically significant burden)"))
    for index, line in enumerate(data.get("history", [])):
        path = f"history[{index}]"
        start, end = line.get("start"), line.get("end")
        if start and end and end.last_day() < start.first_day():
            problems.append((f"{path}.end", f"{end} is before the start {start}"))
        for key in ("start", "end"):
            when = line.get(key)
            if when and when.first_day() > as_of:
                if as_of_overridden:
                    warnings.append(f"{path}.{key} {when}")
                else:
                    problems.append((f"{path}.{key}", f"{when} is after the case date as_of {as_of}"))
        if line.get("stopped") == "ongoing" and end:
            problems.append((f"{path}.end", f"an end date ({end}) is given but stopped is 'ongoing'"))
    if warnings:
        text = f"history dated after --as-of {as_of} ({', '.join(warnings)}): the case is judged as written"
        return problems, [("history-after-as-of", text)]
    return problems, []


_SPECS: dict = {}


def parse_case(
    data,
    *,
    source: str,
    therapy: Str,
    default_id: str,
    today: date | None = None,
    as_of: date | None = None,
    locate: Callable[[list], int | None] | None = None,
) -> Case:
    """Validate parsed case data; raises InputError listing every problem.

    `as_of` (from --as-of) overrides the case's own date; `today` is the default.
    """
    spec = _SPECS.get(therapy)
    if spec is None:  # one spec per therapy spec (per catalogue): building it per case would dominate batch runs
        spec = _SPECS[therapy] = case_spec(therapy)
    warnings: list = []
    checked, raw_problems = check_limited(spec, data)
    if checked is not INVALID:
        stated = "as_of" in checked or as_of is not None
        overridden = as_of is not None
        as_of = as_of or checked.get("as_of") or today or date.today()
        problems, warnings = _cross_checks(checked, as_of, overridden)
        raw_problems.extend(problems)
    if raw_problems:
        raise InputError([_problem(source, path, message, locate) for path, message in raw_problems])
    history = None
    if "history" in checked:
        history = tuple(
            Line(
                index=i,
                therapy=item["therapy"],
                written=_written(data["history"][i]),
                start=item.get("start"),
                end=item.get("end"),
                setting=item.get("setting"),
                stopped=item.get("stopped"),
                best_response=item.get("best_response"),
                toxicity=tuple(Toxicity(t["event"], t.get("grade"), t.get("note")) for t in item.get("toxicity", [])),
                cycles=item.get("cycles"),
                dose=item.get("dose"),
                note=item.get("note"),
            )
            for i, item in enumerate(checked["history"])
        )
    return Case(
        id=checked.get("id", default_id),
        as_of=as_of,
        as_of_stated=stated,
        source=source,
        data=checked,
        history=history,
        expect=checked.get("expect"),
        warnings=tuple(warnings),
    )


def _written(raw_line) -> str:
    value = raw_line.get("therapy") if isinstance(raw_line, dict) else None
    return value if isinstance(value, str) else ""


def _problem(source, path, message, locate) -> Problem:
    path = format_path(path)
    line = locate(_path_parts(path)) if locate and path else None
    return Problem(source, path, message, line)


def _path_parts(path: str) -> list:
    parts: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts
