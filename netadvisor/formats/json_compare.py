"""The keys `advise --compare` adds to the `netadvisor-advice/1` object (docs/advice-output.md):
each candidate's `guidelines`, `excluded[].guideline`, `other_options` and `comparison`.

Imported only when a comparison is written or the advice schema is published (as_json.compared_spec).
"""

from __future__ import annotations

from operator import itemgetter

from ..base import vocab
from ..base.fields import Bool, Nullable, Num, Record
from ..knowledge.models import BASES, SEVERITIES
from .json_spec import CODE, DATE, SOURCE_IDS, TEXT, TEXTS, Out, _List, _obj, _words


def _with(record: Record, after: str | None = None, **fields) -> Record:
    """The record with these fields added (after the field `after`, else at the end) or replaced in place."""
    items = list(record.fields.items())
    at = next((i + 1 for i, (name, _) in enumerate(items) if name == after), len(items))
    merged = dict(items[:at] + list(fields.items()) + items[at:])
    merged.update(fields)
    return Record(merged, doc=record.doc, title=record.title, closed=record.closed)


def extend(advice: Record, candidate: Record, reason: Record, notice: Record) -> Record:
    """The advice description with the keys `--compare` adds."""
    position = _obj(
        "what one guideline body says about the option for this case (--compare)",
        id=Out(TEXT, "id"),
        version=Out(TEXT, "version"),
        level=Out(Nullable(TEXT, doc="the body's own mark as its source prints it ([II, B], A-1b, category 1, preferred); null: not stated"), "level"),
        listed=Out(Bool(doc="the body itself lists the option for the case's site (false: not listed, or placed by label, practice or another body)"), "listed"),
        status=Out(_words(("candidate", "excluded", "not-recommended", "not-listed"), doc="offered for this case, ruled out for it, named but not recommended, or not listed"), "status"),
        strength=Out(Nullable(CODE, doc="netadvisor's common scale (guidelines/bodies.yaml), for sorting only; never the body's word"), "strength"),
        recommendation=Out(Nullable(TEXT), "recommendation"),
    )

    other_option = _obj(
        "an option only other bodies list, offered for this case by one of them; never ranked",
        therapy=Out(TEXT, "therapy"),
        name=Out(TEXT, "name"),
        guideline=Out(_obj(id=Out(TEXT, "guideline"), version=Out(TEXT, "version")), lambda o: o),
        level=Out(Nullable(TEXT, doc="that body's own mark; null: not stated"), "level"),
        intent=Out(_words(vocab.INTENTS), "intent"),
        recommendation=Out(TEXT, "recommendation"),
        reasons=Out(_List(reason), "reasons"),
        cautions=Out(
            _List(_obj(code=Out(CODE, "code"), severity=Out(_words(SEVERITIES), "severity"), text=Out(TEXT, "text"),
                        sources=Out(SOURCE_IDS, "sources"))),
            "cautions",
        ),
        citations=Out(TEXTS, "citations"),
        guidelines=Out(_List(position), "guidelines"),
    )

    comparison = _obj(
        "with --compare: every guideline body in force on as_of that covers the case, side by side",
        bodies=Out(
            _List(
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
                    notices=Out(_List(notice), "notices"),
                    not_found=Out(TEXTS, "not_found"),
                    sources=Out(SOURCE_IDS, "sources"),
                ),
                doc="the chosen guideline first",
            ),
            "bodies",
        ),
        options=Out(
            _List(
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
                    positions=Out(_List(_obj(
                        id=Out(TEXT, "id"),
                        version=Out(TEXT, "version"),
                        status=Out(_words(("candidate", "excluded", "not-recommended", "not-listed")), "status"),
                        listed=Out(Bool(), "listed"),
                        level=Out(Nullable(TEXT), "level"),
                        strength=Out(Nullable(CODE), "strength"),
                        basis=Out(Nullable(_words(BASES)), "basis"),
                        recommendation=Out(Nullable(TEXT), "recommendation"),
                        wording=Out(Nullable(TEXT, doc="the body's own name for the option"), "wording"),
                        reasons=Out(_List(reason), "reasons"),
                    )), "positions"),
                ),
                doc="the chosen guideline's candidates in rank order, then other options, then the rest",
            ),
            "options",
        ),
        not_applicable=Out(_List(_obj(body=Out(TEXT, itemgetter(0)), why=Out(TEXT, itemgetter(1)))), "not_applicable"),
        not_encoded=Out(_List(_obj(name=Out(TEXT, itemgetter(0)), text=Out(TEXT, itemgetter(1)), sources=Out(SOURCE_IDS, itemgetter(2)))),
                        "not_encoded"),
    )
    excluded = advice.fields["excluded"].spec.item
    guidelines = Out(_List(position, doc="with --compare: each body in force, the chosen one first"), "guidelines", omit_empty=True)
    return _with(
        _with(
            advice,
            candidates=Out(_List(_with(candidate, guidelines=guidelines), doc="ordered by rank"), "candidates"),
            excluded=Out(_List(_with(excluded, guideline=Out(TEXT, "guideline", omit_none=True))), "excluded"),
        ),
        after="excluded",
        other_options=Out(
            _List(other_option, doc="with --compare: options the chosen guideline does not list, offered by another body"),
            lambda a: a.other_options if a.comparison is not None else None,
            omit_none=True,
        ),
        comparison=Out(comparison, "comparison", omit_none=True),
    )
