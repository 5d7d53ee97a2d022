"""One case, every body: the other guideline bodies in force on the case's date beside the
chosen one (`advise --compare`).

Each body that covers the case's primary site judges the case by its own data, through the
same engine. For every option any of them knows, the comparison says what each body says:
offered for this case, ruled out (and why), not recommended, or not listed; at the body's own
level, as the body writes it. The chosen guideline's advice keeps its candidates and ranks:
options only other bodies list go to `other_options` (offered by one of them) or to
`excluded` (every body that lists them rules them out for this case), never into the ranked
list. A common strength scale (guidelines/bodies.yaml) only orders the other options.
"""

from __future__ import annotations

from typing import NamedTuple

from ..inputs.case import Case
from .advice import Advice, Excluded
from .advise import advise
from .eligibility import Evaluator
from .facts import case_facts
from .ranking import INTENT_ORDER

STATUSES = ("candidate", "excluded", "not-recommended", "not-listed")


class Position(NamedTuple):
    """What one body says about one option, for this case."""

    id: str  # the guideline body
    version: str
    status: str  # candidate | excluded | not-recommended | not-listed
    listed: bool  # the body itself lists the option for the case's site group (basis: guideline)
    level: str | None = None  # the body's own mark, as written; None: not stated
    strength: str | None = None  # the common-scale word (sorting and the summary only)
    basis: str | None = None  # guideline | label | practice | other-guideline
    recommendation: str | None = None
    wording: str | None = None  # the body's own name for the option
    reasons: tuple = ()  # candidate: the conditions that include it; otherwise why not


class Agreement(NamedTuple):
    listed: int  # bodies that list it for the case's site
    offered: int  # bodies that list it and offer it for this case
    bodies: int  # bodies compared
    differs: bool  # the bodies do not all say the same
    text: str


class Option(NamedTuple):
    therapy: str
    name: str
    place: str  # in the chosen guideline's advice: candidate | other-option | excluded
    positions: tuple  # one Position per compared body, in the order of Comparison.bodies
    agreement: Agreement


class Body(NamedTuple):
    id: str
    version: str
    source: str
    short_name: str
    title: str
    effective: str  # as the data writes it (2021)
    in_force_from: object  # date
    scheme: str | None  # the name of its evidence scheme
    scheme_id: str | None
    secondary: bool
    site_group: str | None
    notices: tuple = ()  # its notices that hold for this case
    not_found: tuple = ()
    sources: tuple = ()


class OtherOption(NamedTuple):
    """An option the chosen guideline does not list, offered for this case by another body."""

    therapy: str
    name: str
    guideline: str
    version: str
    short_name: str
    level: str | None
    intent: str
    recommendation: str
    reasons: tuple
    cautions: tuple
    citations: tuple
    guidelines: tuple  # every compared body's Position on it


class Comparison(NamedTuple):
    bodies: tuple  # Body: the chosen guideline first
    options: tuple  # Option: the chosen guideline's candidates in rank order, then the rest
    not_applicable: tuple  # (Body-like short name, why): bodies in force that do not judge this case
    not_encoded: tuple  # (name, text, sources): bodies looked for and not encoded, for this site


def compare(advice: Advice, case: Case, library) -> Advice:
    """The advice with every other body in force on case.as_of set beside it."""
    main = next(g for g in library.guidelines_with_id(advice.guideline.id) if g.version == advice.guideline.version)
    judged = [(_with_scheme(main, library), advice)]
    not_applicable = []
    for gid in library.ids():
        if gid == main.id:
            continue
        versions = library.guidelines_with_id(gid)
        in_force = [g for g in versions if g.in_force(case.as_of)]
        covering = [g for g in versions if g.covers(case.site)]
        if not covering:
            continue
        if not in_force:
            first = min(covering, key=lambda g: g.effective)
            if first.effective > case.as_of:
                not_applicable.append((first.short_name, f"not yet in force on {case.as_of} (effective {first.effective_written})"))
            continue
        body = max(in_force, key=lambda g: g.effective)
        if not body.covers(case.site):
            continue
        other = advise(case, library.knowledge(body))
        if other.scope is not None and not other.candidates:
            not_applicable.append((body.short_name, f"outside its scope: {other.scope.text}"))
            continue
        judged.append((_with_scheme(body, library), other))
    bodies = tuple(_body(g, a) for g, a in judged)
    positions = {}  # therapy -> [Position per body]
    names = {}
    for n, (g, a) in enumerate(judged):
        for tid, pos in _positions(g, a, case, library).items():
            positions.setdefault(tid, [None] * len(judged))[n] = pos
        names.update({c.therapy: c.name for c in a.candidates})
        names.update({e.therapy: e.name for e in a.excluded})
    for tid, row in positions.items():
        for n, (g, _) in enumerate(judged):
            if row[n] is None:
                row[n] = Position(g.id, g.version, "not-listed", False)
    main_status = {tid: row[0].status for tid, row in positions.items()}
    others = _other_options(judged, positions, names, library)
    offered_elsewhere = {o.therapy for o in others}
    excluded = [e for e in advice.excluded if e.therapy not in offered_elsewhere]
    known = {e.therapy: i for i, e in enumerate(excluded)}
    for tid, row in positions.items():
        if main_status[tid] != "not-listed" or tid in offered_elsewhere:
            continue
        listing = [(p, g) for p, (g, _) in zip(row[1:], judged[1:]) if p.status in ("excluded", "not-recommended")]
        if not listing:
            continue
        reasons = tuple(r._replace(text=f"{g.short_name}: {r.text}") for p, g in listing for r in p.reasons)
        if tid in known:  # already excluded as not listed (a therapy of the history)
            e = excluded[known[tid]]
            excluded[known[tid]] = e._replace(reasons=e.reasons + reasons)
        else:
            first = listing[0][1]
            recs = tuple(p.recommendation for p, _ in listing if p.recommendation)
            excluded.append(Excluded(tid, names[tid], reasons, recs, first.id))
    candidates = tuple(c._replace(guidelines=tuple(positions[c.therapy])) for c in advice.candidates)
    order = [c.therapy for c in advice.candidates] + [o.therapy for o in others]
    order += [e.therapy for e in excluded if e.therapy in positions and e.therapy not in order]
    order += sorted((t for t in positions if t not in order), key=lambda t: names[t])
    place = {c.therapy: "candidate" for c in advice.candidates} | {t: "other-option" for t in offered_elsewhere}
    options = tuple(
        Option(tid, names[tid], place.get(tid, "excluded"), tuple(positions[tid]), _agreement(positions[tid], bodies))
        for tid in order
    )
    not_encoded = tuple((b.name, b.text, b.sources) for b in library.bodies.not_encoded if case.site in b.sites)
    comparison = Comparison(bodies, options, tuple(not_applicable), not_encoded)
    sources = dict(advice.sources)
    for item in (*others, *excluded):
        for r in item.reasons:
            sources.update({s: library.sources[s].citation for s in r.sources if s in library.sources})
    for body in bodies:
        for note in body.notices:
            sources.update({s: library.sources[s].citation for s in note.sources if s in library.sources})
    return advice._replace(candidates=candidates, excluded=tuple(excluded), other_options=tuple(others),
                           comparison=comparison, sources=sources)


def _with_scheme(g, library):
    """The guideline with its evidence scheme (NCCN's and ASCO's are resolved only for a comparison)."""
    if g.scheme is None and g.scheme_id:
        return g._replace(scheme=library.bodies.schemes.get(g.scheme_id))
    return g


def _body(g, advice: Advice) -> Body:
    notice_codes = {n.code for n in g.notices}
    return Body(
        id=g.id, version=g.version, source=g.source, short_name=g.short_name, title=g.title,
        effective=g.effective_written or str(g.effective), in_force_from=g.effective,
        scheme=g.scheme.name if g.scheme else None, scheme_id=g.scheme.id if g.scheme else None,
        secondary=g.secondary, site_group=advice.site_group_name,
        notices=tuple(w for w in advice.warnings if w.code in notice_codes),
        not_found=g.not_found, sources=g.sources,
    )


def _positions(g, advice: Advice, case: Case, library) -> dict:
    """therapy id -> this body's Position, from its advice for the case."""
    group = advice.summary["site_group"]
    closest = _Closest(g, case, library)
    recs = {}
    for rec in g.recommendations:
        if rec.site_group == group:
            recs.setdefault(rec.therapy, []).append(rec)
    by_id = {rec.id: rec for rec in g.recommendations}
    out = {}
    for c in advice.candidates:
        rec = by_id[c.recommendation]
        listed = rec.basis == "guideline"
        level = _level(g, rec, c.category, c.category_origin) if listed else None
        why = tuple(r for r in c.reasons if r.code.startswith("meets-") or r.code == "category-rule")
        out[c.therapy] = Position(g.id, g.version, "candidate", listed, level, _strength(g, rec, c.category, level),
                                  rec.basis, rec.id, rec.wording, why)
    not_recommended = {n.therapy for n in g.not_recommended if n.site_group == group}
    for e in advice.excluded:
        own = [r for r in recs.get(e.therapy, ()) if r.basis == "guideline"]
        if e.therapy in not_recommended:
            out[e.therapy] = Position(g.id, g.version, "not-recommended", True, reasons=e.reasons)
        elif recs.get(e.therapy):
            rec, why = closest(e.therapy, recs[e.therapy])
            level = _level(g, rec) if rec.basis == "guideline" else None
            out[e.therapy] = Position(g.id, g.version, "excluded", bool(own), level, _strength(g, rec, rec.category, level),
                                      rec.basis, rec.id, rec.wording, tuple(why) or e.reasons)
    return out


class _Closest:
    """Of a body's statements on an option that all fail for the case, the one closest to applying
    (fewest unmet conditions; then the strongest level, then listing order): its level and its
    reasons are the ones shown."""

    def __init__(self, g, case: Case, library):
        self.g = _with_scheme(g, library)
        knowledge = library.knowledge(g)
        facts = case_facts(case, knowledge, None)
        group = g.group_of(case.site, facts)
        facts["site_group"] = group.id if group else None
        self.ev = Evaluator(case, knowledge, group, facts)
        self.therapies = knowledge.catalogue.therapies

    def __call__(self, therapy: str, recs: list) -> tuple:
        verdicts = [self.ev.evaluate(rec, self.therapies[therapy]) for rec in recs]
        strength = lambda rec: _rank(self.g, _strength(self.g, rec, rec.category, _level(self.g, rec)))  # noqa: E731
        best = min(verdicts, key=lambda v: (len(v.exclusions) or 99, -strength(v.rec), v.rec.order))
        return best.rec, best.exclusions


def _level(g, rec, category=None, origin=None) -> str | None:
    """The body's own mark for a recommendation: NCCN's category and tier, or the level as written."""
    scheme = g.scheme
    if scheme is None or not scheme.from_category:
        return rec.level
    if category is None:
        category = rec.category
        origin = "stated" if category else None
        if category is None and g.default_category and rec.basis == "guideline" and rec.in_table:
            category, origin = g.default_category.category, "default"
    parts = []
    if category:
        parts.append(f"category {category}" + (" (default)" if origin == "default" else ""))
    if rec.preference:
        parts.append(rec.preference.replace("-", " "))
    return ", ".join(parts) or None


def _strength(g, rec, category, level) -> str | None:
    scheme = g.scheme
    if scheme is None or rec.basis != "guideline":
        return None
    if scheme.from_category:
        if category is None and g.default_category and rec.in_table:
            category = g.default_category.category
        return scheme.strength(category)
    return scheme.strength(scheme.grade_of(level))


def _rank(g, strength: str | None) -> int:
    return g.scheme.rank(None) if strength is None and g.scheme else (g.scheme.scale.get(strength, 0) if g.scheme else 0)


def _other_options(judged: list, positions: dict, names: dict, library) -> list:
    """Options the chosen guideline does not list and another body offers: by the strongest offer."""
    out = []
    for tid, row in positions.items():
        if row[0].status != "not-listed":
            continue
        offers = [(n, p) for n, p in enumerate(row) if n and p.status == "candidate" and p.listed]
        if not offers:
            continue
        n, p = max(offers, key=lambda item: (_rank(judged[item[0]][0], item[1].strength), -item[0]))
        g, body_advice = judged[n]
        c = next(c for c in body_advice.candidates if c.therapy == tid)
        reasons = tuple(r for r in c.reasons if r.code != "rank")
        out.append(OtherOption(tid, c.name, g.id, g.version, g.short_name, p.level, c.intent, c.recommendation,
                               reasons, c.cautions, c.citations, tuple(row)))
    scale = library.bodies.scale
    out.sort(key=lambda o: (INTENT_ORDER.index(o.intent), -scale.get(_strength_of(o), 0), o.name))
    return out


def _strength_of(option: OtherOption) -> str | None:
    return next((p.strength for p in option.guidelines if p.id == option.guideline), None)


def _agreement(row: list, bodies: tuple) -> Agreement:
    """How many bodies list the option and offer it for this case, and where they differ."""
    short = {b.id: b.short_name for b in bodies}
    listed = [p for p in row if p.listed]
    offered = [p for p in listed if p.status == "candidate"]
    ruled_out = [p for p in listed if p.status in ("excluded", "not-recommended")]
    silent = [p for p in row if not p.listed]
    parts = [f"{len(listed)} of {len(row)} bodies list it"]
    if offered:
        parts.append("offered for this case by " + ", ".join(f"{short[p.id]} ({p.level or 'level not stated'})" for p in offered))
    for p in ruled_out:
        why = p.reasons[0].text if p.reasons else p.status
        verb = "does not recommend it here" if p.status == "not-recommended" else "rules it out for this case"
        parts.append(f"{short[p.id]} {verb}: {why}")
    if silent:
        parts.append("position not stated by " + ", ".join(short[p.id] + _placed(p) for p in silent))
    differs = len({p.status for p in listed}) > 1  # silence is not disagreement; marks of two schemes do not compare
    return Agreement(len(listed), len(offered), len(row), differs, "; ".join(parts))


def _placed(p: Position) -> str:
    """How netadvisor places an option a body's own text does not list."""
    how = {"label": "on its FDA label", "practice": "as reported practice", "other-guideline": "as another body places it"}
    if p.status in ("candidate", "excluded") and p.basis in how:
        return f" (netadvisor lists it {how[p.basis]})"
    return ""
