"""The `netadvisor-advice/1` JSON object (docs/advice-output.md).

The object is written by walking ADVICE, a description of every key: where its
value comes from and what it may be. `netadvisor schema advice` publishes the
JSON Schema of the same description, so the writer cannot emit a key the schema
does not describe, nor the schema describe a key the writer leaves out; the
tests check the values against it for every shipped case.
"""

from __future__ import annotations

import json
from functools import cache
from operator import attrgetter, itemgetter

from .. import __version__
from ..base import vocab
from ..base.fields import Bool, MapOf, Nullable, Num, Record
from ..engine.advice import DISCLAIMER, Advice
from ..knowledge.models import BASES, SEVERITIES
from .json_spec import CODE, DATE, SOURCE_ID, SOURCE_IDS, TEXT, TEXTS, Out, _List, _obj, _Text, _words, writer


def _as_float(value):
    """An evidence Figure (a float that keeps its printed form) as the float JSON writes: orjson
    then writes it without calling back into Python (faster, and no callback for a signal to land in)."""
    return float(value) if isinstance(value, float) else value


def _number(name: str):
    get = attrgetter(name)
    return lambda item: _as_float(get(item))


REASON = _obj(
    "why a therapy is a candidate, is excluded, or ranks where it does",
    code=Out(CODE, "code"),
    text=Out(TEXT, "text"),
    facts=Out(_List(TEXT, doc="the case fields the reason rests on"), "facts", omit_empty=True),
    unknown=Out(_List(TEXT, doc="case fields that were not stated"), "unknown", omit_empty=True),
    sources=Out(SOURCE_IDS, "sources", omit_empty=True),
)

NOTICE = _obj(
    code=Out(CODE, "code"),
    text=Out(TEXT, "text"),
    facts=Out(TEXTS, "facts", omit_empty=True),
    sources=Out(SOURCE_IDS, "sources", omit_empty=True),
)

EVIDENCE = _obj(
    "one endpoint of one trial analysis whose population covers the case's primary site",
    trial=Out(TEXT, "trial"),
    analysis=Out(TEXT, "analysis"),
    id=Out(CODE, "trial_id"),
    endpoint=Out(TEXT, "endpoint"),
    treatment=Out(Nullable(Num(), doc="median (months) or rate (percent); null: see treatment_text"), _number("treatment")),
    control=Out(Nullable(Num(), doc="null: see control_text, or a single-arm analysis"), _number("control")),
    unit=Out(_words(("months", "percent")), "unit"),
    hr=Out(Nullable(Num(0)), _number("hr")),
    ci95=Out(Nullable(_List(Nullable(Num()), doc="95% CI of the HR; null bound: not estimable")),
             lambda e: [_as_float(bound) for bound in e.hr_ci95] if e.hr_ci95 else None),
    p=Out(Nullable(TEXT), "p"),
    n=Out(Nullable(Num(0, integer=True)), "n"),
    treatment_text=Out(Nullable(TEXT, doc="'not reached' where the source gives no number"), "treatment_text"),
    control_text=Out(Nullable(TEXT), "control_text"),
    comparator=Out(Nullable(TEXT), "comparator"),
    population=Out(TEXT, "population"),
    sources=Out(SOURCE_IDS, "sources"),
)

CANDIDATE = _obj(
    therapy=Out(TEXT, "therapy"),
    name=Out(TEXT, "name"),
    rank=Out(Num(1, integer=True, doc="1 = first to consider"), "rank"),
    category=Out(Nullable(_words(vocab.CATEGORIES), doc="null: no source states one"), "category"),
    category_origin=Out(
        Nullable(_words(("stated", "default"), doc="stated by the source, or NCCN's default (2A unless otherwise indicated)")),
        "category_origin",
    ),
    preference=Out(Nullable(_words(vocab.PREFERENCES), doc="null: no source states one"), "preference"),
    intent=Out(_words(vocab.INTENTS), "intent"),
    recommendation=Out(TEXT, "recommendation"),
    basis=Out(_words(BASES, doc="who places the option"), "basis"),
    reasons=Out(_List(REASON, shared=True), "reasons"),
    cautions=Out(
        _List(
            _obj(
                code=Out(CODE, "code"),
                severity=Out(_words(SEVERITIES), "severity"),
                demotes=Out(Bool(doc="the caution moves the candidate down in the ranking"), "demotes"),
                text=Out(TEXT, "text"),
                sources=Out(SOURCE_IDS, "sources"),
            ),
            shared=True,
        ),
        "cautions",
    ),
    toxicities=Out(
        _List(
            _obj(
                event=Out(TEXT, "event"),
                grade3plus_percent=Out(
                    Nullable(Num(0, 100), doc="percent when the grades are 3 or higher, else null"),
                    lambda t: t.percent if t.grades in ("3-4", "3+") else None,
                ),
                percent=Out(Nullable(Num(0, 100), doc="null: the sources give no figure"), "percent"),
                grades=Out(TEXT, "grades"),
                source=Out(TEXT, "population"),
                sources=Out(SOURCE_IDS, "sources"),
            )
        ),
        "toxicities",
        shared=True,
    ),
    evidence=Out(_List(EVIDENCE, doc="antitumour candidates only"), "evidence", shared=True),
    citations=Out(TEXTS, "citations", shared=True),
)


def _maybe(name: str):
    return lambda n: getattr(n, name) if n else None


ADVICE = Record(
    title=f"netadvisor advice ({vocab.ADVICE_FORMAT})",
    doc="Candidate next-line therapies for one case, each explained and cited. Decision support, not a prescription.",
    closed=False,
    null_is_unknown=False,
    fields={
        "format": Out(_words((vocab.ADVICE_FORMAT,)), lambda a: vocab.ADVICE_FORMAT),
        "case_id": Out(TEXT, "case_id"),
        "as_of": Out(DATE, lambda a: a.as_of.isoformat()),
        "guideline": Out(
            _obj(
                id=Out(TEXT, "id"),
                version=Out(TEXT, "version"),
                effective=Out(DATE, lambda g: g.effective.isoformat()),
                effective_as_written=Out(TEXT, lambda g: g.effective_written if g.effective_written != g.effective.isoformat() else None,
                                         omit_none=True),
                source=Out(TEXT, "source"),
                title=Out(TEXT, "title"),
                data_sha256=Out(_Text(pattern="[0-9a-f]{64}"), "digest"),
            ),
            "guideline",
            shared=True,
        ),
        "netadvisor_version": Out(TEXT, lambda a: __version__),
        "disclaimer": Out(TEXT, lambda a: DISCLAIMER),
        "summary": Out(
            _obj(
                site=Out(_words(vocab.SITES), itemgetter("site")),
                site_group=Out(Nullable(TEXT), itemgetter("site_group")),
                grade=Out(Nullable(Num(1, 3, integer=True)), itemgetter("grade")),
                ki67=Out(Nullable(_List(Num(0, 100), doc="[low, high] percent")), itemgetter("ki67")),
                functional=Out(Nullable(_List(_words(vocab.FUNCTIONAL))), itemgetter("functional")),
                sstr=Out(Nullable(_words(vocab.SSTR)), itemgetter("sstr")),
                prior_lines=Out(Nullable(Num(0, integer=True, doc="prior systemic antitumour lines")), itemgetter("prior_lines")),
                differentiation=Out(Nullable(_words(vocab.DIFFERENTIATION)), itemgetter("differentiation")),
                stage=Out(Nullable(_words(vocab.STAGES)), itemgetter("stage")),
                metastases=Out(Nullable(_List(_words(vocab.METASTASES))), itemgetter("metastases")),
            ),
            "summary",
        ),
        "scope": Out(
            _obj(
                "in-scope, or why the case is outside the guideline",
                status=Out(_words(("in-scope", "out-of-scope")), lambda n: "out-of-scope" if n else "in-scope"),
                code=Out(CODE, _maybe("code"), omit_empty=True),
                text=Out(TEXT, _maybe("text"), omit_empty=True),
                facts=Out(TEXTS, _maybe("facts"), omit_empty=True),
                sources=Out(SOURCE_IDS, _maybe("sources"), omit_empty=True),
            ),
            "scope",
        ),
        "algorithm_step": Out(
            Nullable(_obj(
                "where the case stands in the guideline's algorithm; its first options rank ahead",
                id=Out(CODE, "code"),
                text=Out(TEXT, "text"),
                facts=Out(TEXTS, "facts", omit_empty=True),
                sources=Out(SOURCE_IDS, "sources", omit_empty=True),
            )),
            "step",
        ),
        "candidates": Out(_List(CANDIDATE, doc="ordered by rank"), "candidates"),
        "excluded": Out(
            _List(
                _obj(
                    therapy=Out(TEXT, "therapy"),
                    name=Out(TEXT, "name"),
                    reasons=Out(_List(REASON, shared=True), "reasons"),
                    recommendations=Out(TEXTS, "recommendations"),
                )
            ),
            "excluded",
        ),
        "warnings": Out(_List(NOTICE), "warnings"),
        "context": Out(_List(NOTICE, doc="what sets the case in context (SEER survival)"), "context"),
        "sources": Out(MapOf(SOURCE_ID, TEXT, doc="source id -> citation, for every id cited above"), "sources"),
    },
)


@cache
def compared_spec() -> Record:
    """ADVICE with the keys `--compare` adds (json_compare.py): described, and imported, only when
    a comparison is written or the schema is published, so a plain run pays nothing for them."""
    from .json_compare import extend

    return extend(ADVICE, CANDIDATE, REASON, NOTICE)


@cache
def _write_compared():
    return writer(compared_spec())


@cache
def _write_fragments():
    from .json_lines import fragment

    return writer(ADVICE, fragment)


_WRITE_ADVICE = writer(ADVICE)


def advice_to_dict(advice: Advice) -> dict:
    if advice.comparison is not None:  # --compare: its keys are described only then
        return _write_compared()(advice)
    return _WRITE_ADVICE(advice)


def advice_to_line(advice: Advice) -> dict:
    """advice_to_dict for json_lines.dumps_line: the parts many cases share are JSON text
    already (json_lines.fragment), written once per part rather than once per case."""
    if advice.comparison is not None:
        return advice_to_dict(advice)
    return _write_fragments()(advice)


def render(advice: Advice) -> str:
    return json.dumps(advice_to_dict(advice), ensure_ascii=False, indent=2)
