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
from ..base.fields import Bool, Field, ListOf, MapOf, Nullable, Num, Record, Str
from ..engine.advice import DISCLAIMER, Advice
from ..knowledge.models import BASES, ID, SEVERITIES


class Out(Field):
    """One key of the output: what it is (a spec) and how to get it from the object written."""

    def __init__(self, spec, get, omit_empty: bool = False, omit_none: bool = False):
        super().__init__(spec, required=not (omit_empty or omit_none))
        self.get = attrgetter(get) if isinstance(get, str) else get
        self.omit_empty = omit_empty  # left out when empty, rather than written as []
        self.omit_none = omit_none  # left out when None (a key only some runs write: --compare)


def writer(spec):
    """A function from a value to its JSON data, following the description; None for as-is.

    The description is walked once, here, into nested closures: batch runs write
    thousands of objects, and a generic walk per value cost more than the advice.
    """
    if isinstance(spec, Record):
        parts = [(name, field.get, writer(field.spec), field.omit_empty, field.omit_none) for name, field in spec.fields.items()]

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
    return Record(fields, doc=doc, closed=False)  # the contract: keys may be added


TEXT = Str()
CODE = Str(pattern=r"[a-z0-9-]+")
DATE = Str(pattern=r"\d{4}-\d{2}-\d{2}")
TEXTS = ListOf(TEXT)
SOURCE_ID = Str(pattern=ID)
SOURCE_IDS = ListOf(SOURCE_ID, doc="source ids; the object's `sources` map gives their citations")


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
    facts=Out(ListOf(TEXT, doc="the case fields the reason rests on"), "facts", omit_empty=True),
    unknown=Out(ListOf(TEXT, doc="case fields that were not stated"), "unknown", omit_empty=True),
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
    ci95=Out(Nullable(ListOf(Nullable(Num()), doc="95% CI of the HR; null bound: not estimable")), lambda e: list(e.hr_ci95) if e.hr_ci95 else None),
    p=Out(Nullable(TEXT), "p"),
    n=Out(Nullable(Num(0, integer=True)), "n"),
    treatment_text=Out(Nullable(TEXT, doc="'not reached' where the source gives no number"), "treatment_text"),
    control_text=Out(Nullable(TEXT), "control_text"),
    comparator=Out(Nullable(TEXT), "comparator"),
    population=Out(TEXT, "population"),
    sources=Out(SOURCE_IDS, "sources"),
)

POSITION = _obj(
    "what one guideline body says about the option for this case (--compare)",
    id=Out(TEXT, "id"),
    version=Out(TEXT, "version"),
    level=Out(Nullable(TEXT, doc="the body's own mark as its source prints it ([II, B], A-1b, category 1, preferred); null: not stated"), "level"),
    listed=Out(Bool(doc="the body itself lists the option for the case's site (false: not listed, or placed by label, practice or another body)"), "listed"),
    status=Out(_words(("candidate", "excluded", "not-recommended", "not-listed"), doc="offered for this case, ruled out for it, named but not recommended, or not listed"), "status"),
    strength=Out(Nullable(CODE, doc="netadvisor's common scale (guidelines/bodies.yaml), for sorting only; never the body's word"), "strength"),
    recommendation=Out(Nullable(TEXT), "recommendation"),
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
    reasons=Out(ListOf(REASON), "reasons"),
    cautions=Out(
        ListOf(
            _obj(
                code=Out(CODE, "code"),
                severity=Out(_words(SEVERITIES), "severity"),
                demotes=Out(Bool(doc="the caution moves the candidate down in the ranking"), "demotes"),
                text=Out(TEXT, "text"),
                sources=Out(SOURCE_IDS, "sources"),
            )
        ),
        "cautions",
    ),
    toxicities=Out(
        ListOf(
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
    evidence=Out(ListOf(EVIDENCE, doc="antitumour candidates only"), "evidence"),
    citations=Out(TEXTS, "citations"),
    guidelines=Out(ListOf(POSITION, doc="with --compare: each body in force, the chosen one first"), "guidelines", omit_empty=True),
)


OTHER_OPTION = _obj(
    "an option only other bodies list, offered for this case by one of them; never ranked",
    therapy=Out(TEXT, "therapy"),
    name=Out(TEXT, "name"),
    guideline=Out(_obj(id=Out(TEXT, "guideline"), version=Out(TEXT, "version")), lambda o: o),
    level=Out(Nullable(TEXT, doc="that body's own mark; null: not stated"), "level"),
    intent=Out(_words(vocab.INTENTS), "intent"),
    recommendation=Out(TEXT, "recommendation"),
    reasons=Out(ListOf(REASON), "reasons"),
    cautions=Out(
        ListOf(_obj(code=Out(CODE, "code"), severity=Out(_words(SEVERITIES), "severity"), text=Out(TEXT, "text"),
                    sources=Out(SOURCE_IDS, "sources"))),
        "cautions",
    ),
    citations=Out(TEXTS, "citations"),
    guidelines=Out(ListOf(POSITION), "guidelines"),
)

COMPARISON = _obj(
    "with --compare: every guideline body in force on as_of that covers the case, side by side",
    bodies=Out(
        ListOf(
            _obj(
                id=Out(TEXT, "id"),
                version=Out(TEXT, "version"),
                source=Out(TEXT, "source"),
                short_name=Out(TEXT, "short_name"),
                title=Out(TEXT, "title"),
                effective=Out(TEXT, "effective"),
                in_force_from=Out(DATE, lambda b: b.in_force_from.isoformat()),
                evidence_scheme=Out(Nullable(_obj(id=Out(TEXT, "scheme_id"), name=Out(TEXT, "scheme"))),
                                    lambda b: b if b.scheme else None),
                secondary=Out(Bool(doc="read only in secondary sources"), "secondary"),
                site_group=Out(Nullable(TEXT), "site_group"),
                notices=Out(ListOf(NOTICE), "notices"),
                not_found=Out(TEXTS, "not_found"),
                sources=Out(SOURCE_IDS, "sources"),
            ),
            doc="the chosen guideline first",
        ),
        "bodies",
    ),
    options=Out(
        ListOf(
            _obj(
                therapy=Out(TEXT, "therapy"),
                name=Out(TEXT, "name"),
                place=Out(_words(("candidate", "other-option", "excluded")), "place"),
                agreement=Out(
                    _obj(
                        listed=Out(Num(0, integer=True, doc="bodies that list it for the case's site"), "listed"),
                        offered=Out(Num(0, integer=True, doc="of those, bodies that offer it for this case"), "offered"),
                        bodies=Out(Num(1, integer=True), "bodies"),
                        differs=Out(Bool(doc="the bodies do not all say the same"), "differs"),
                        text=Out(TEXT, "text"),
                    ),
                    "agreement",
                ),
                positions=Out(ListOf(_obj(
                    id=Out(TEXT, "id"),
                    version=Out(TEXT, "version"),
                    status=Out(_words(("candidate", "excluded", "not-recommended", "not-listed")), "status"),
                    listed=Out(Bool(), "listed"),
                    level=Out(Nullable(TEXT), "level"),
                    strength=Out(Nullable(CODE), "strength"),
                    basis=Out(Nullable(_words(BASES)), "basis"),
                    recommendation=Out(Nullable(TEXT), "recommendation"),
                    wording=Out(Nullable(TEXT, doc="the body's own name for the option"), "wording"),
                    reasons=Out(ListOf(REASON), "reasons"),
                )), "positions"),
            ),
            doc="the chosen guideline's candidates in rank order, then other options, then the rest",
        ),
        "options",
    ),
    not_applicable=Out(ListOf(_obj(body=Out(TEXT, itemgetter(0)), why=Out(TEXT, itemgetter(1)))), "not_applicable"),
    not_encoded=Out(ListOf(_obj(name=Out(TEXT, itemgetter(0)), text=Out(TEXT, itemgetter(1)), sources=Out(SOURCE_IDS, itemgetter(2)))),
                    "not_encoded"),
)


def _maybe(name: str):
    return lambda n: getattr(n, name) if n else None


ADVICE = Record(
    title="netadvisor advice (netadvisor-advice/1)",
    doc="Candidate next-line therapies for one case, each explained and cited. Decision support, not a prescription.",
    closed=False,
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
                data_sha256=Out(Str(pattern="[0-9a-f]{64}"), "digest"),
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
                ki67=Out(Nullable(ListOf(Num(0, 100), doc="[low, high] percent")), itemgetter("ki67")),
                functional=Out(Nullable(ListOf(_words(vocab.FUNCTIONAL))), itemgetter("functional")),
                sstr=Out(Nullable(_words(vocab.SSTR)), itemgetter("sstr")),
                prior_lines=Out(Nullable(Num(0, integer=True, doc="prior systemic antitumour lines")), itemgetter("prior_lines")),
                differentiation=Out(Nullable(_words(vocab.DIFFERENTIATION)), itemgetter("differentiation")),
                stage=Out(Nullable(_words(vocab.STAGES)), itemgetter("stage")),
                metastases=Out(Nullable(ListOf(_words(vocab.METASTASES))), itemgetter("metastases")),
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
        "candidates": Out(ListOf(CANDIDATE, doc="ordered by rank"), "candidates"),
        "excluded": Out(
            ListOf(
                _obj(
                    therapy=Out(TEXT, "therapy"),
                    name=Out(TEXT, "name"),
                    reasons=Out(ListOf(REASON), "reasons"),
                    recommendations=Out(TEXTS, "recommendations"),
                    guideline=Out(TEXT, "guideline", omit_none=True),
                )
            ),
            "excluded",
        ),
        "other_options": Out(
            ListOf(OTHER_OPTION, doc="with --compare: options the chosen guideline does not list, offered by another body"),
            lambda a: a.other_options if a.comparison is not None else None,
            omit_none=True,
        ),
        "comparison": Out(COMPARISON, "comparison", omit_none=True),
        "warnings": Out(ListOf(NOTICE), "warnings"),
        "context": Out(ListOf(NOTICE, doc="what sets the case in context (SEER survival)"), "context"),
        "sources": Out(MapOf(SOURCE_ID, TEXT, doc="source id -> citation, for every id cited above"), "sources"),
    },
)


_WRITE_ADVICE = writer(ADVICE)


def advice_to_dict(advice: Advice) -> dict:
    return _WRITE_ADVICE(advice)


def render(advice: Advice) -> str:
    return json.dumps(advice_to_dict(advice), ensure_ascii=False, indent=2)
