"""The `netadvisor-advice/1` JSON object (docs/advice-output.md).

The object is written by walking ADVICE, a description of every key: where its
value comes from and what it may be. `netadvisor schema advice` publishes the
JSON Schema of the same description, so the writer cannot emit a key the schema
does not describe, nor the schema describe a key the writer leaves out; the
tests check the values against it for every shipped case.
"""

from __future__ import annotations

import json
from operator import attrgetter, itemgetter

from .. import __version__
from ..base import vocab
from ..base.fields import Field, ListOf, MapOf, Nullable, Num, Record, Str
from ..engine.advice import DISCLAIMER, Advice
from ..knowledge.models import BASES, ID, SEVERITIES


class Out(Field):
    """One key of the output: what it is (a spec) and how to get it from the object written."""

    def __init__(self, spec, get, omit_empty: bool = False):
        super().__init__(spec, required=not omit_empty)
        self.get = attrgetter(get) if isinstance(get, str) else get
        self.omit_empty = omit_empty  # left out when empty, rather than written as []


def writer(spec):
    """A function from a value to its JSON data, following the description; None for as-is.

    The description is walked once, here, into nested closures: batch runs write
    thousands of objects, and a generic walk per value cost more than the advice.
    """
    if isinstance(spec, Record):
        parts = [(name, field.get, writer(field.spec), field.omit_empty) for name, field in spec.fields.items()]

        def record(value):
            out = {}
            for name, get, write, omit_empty in parts:
                item = get(value)
                if omit_empty and not item:
                    continue
                out[name] = item if write is None else write(item)
            return out

        return record
    if isinstance(spec, ListOf):
        item = writer(spec.item)
        return list if item is None else (lambda values: [item(v) for v in values])
    if isinstance(spec, Nullable):
        inner = writer(spec.spec)
        return None if inner is None else (lambda value: None if value is None else inner(value))
    return None


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

    def __init__(self, item, **options):
        super().__init__(item, max_items=None, **options)


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
    treatment=Out(Nullable(Num(), doc="median (months) or rate (percent); null: see treatment_text"), "treatment"),
    control=Out(Nullable(Num(), doc="null: see control_text, or a single-arm analysis"), "control"),
    unit=Out(_words(("months", "percent")), "unit"),
    hr=Out(Nullable(Num(0)), "hr"),
    ci95=Out(Nullable(_List(Nullable(Num()), doc="95% CI of the HR; null bound: not estimable")), lambda e: list(e.hr_ci95) if e.hr_ci95 else None),
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
    preference=Out(Nullable(_words(vocab.PREFERENCES), doc="null: no source states one"), "preference"),
    intent=Out(_words(vocab.INTENTS), "intent"),
    recommendation=Out(TEXT, "recommendation"),
    basis=Out(_words(BASES, doc="who places the option"), "basis"),
    reasons=Out(_List(REASON), "reasons"),
    cautions=Out(
        _List(
            _obj(
                code=Out(CODE, "code"),
                severity=Out(_words(SEVERITIES), "severity"),
                text=Out(TEXT, "text"),
                sources=Out(SOURCE_IDS, "sources"),
            )
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
    ),
    evidence=Out(_List(EVIDENCE, doc="antitumour candidates only"), "evidence"),
    citations=Out(TEXTS, "citations"),
)


def _maybe(name: str):
    return lambda n: getattr(n, name) if n else None


ADVICE = Record(
    title="netadvisor advice (netadvisor-advice/1)",
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
                source=Out(TEXT, "source"),
                title=Out(TEXT, "title"),
                data_sha256=Out(_Text(pattern="[0-9a-f]{64}"), "digest"),
            ),
            "guideline",
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
        "candidates": Out(_List(CANDIDATE, doc="ordered by rank"), "candidates"),
        "excluded": Out(
            _List(
                _obj(
                    therapy=Out(TEXT, "therapy"),
                    name=Out(TEXT, "name"),
                    reasons=Out(_List(REASON), "reasons"),
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


_WRITE_ADVICE = writer(ADVICE)


def advice_to_dict(advice: Advice) -> dict:
    return _WRITE_ADVICE(advice)


def render(advice: Advice) -> str:
    return json.dumps(advice_to_dict(advice), ensure_ascii=False, indent=2)
