"""A guideline file (kind: guideline): its spec, and the Guideline built from it."""

from ..base import vocab
from ..base.errors import Problem
from ..base.fields import (
    INVALID,
    Bool,
    Custom,
    Field,
    ListOf,
    MapOf,
    Num,
    OneOf,
    Raw,
    Record,
    Str,
    is_mapping,
    is_str,
)
from .conditions import Compiler
from .file_parts import build_condition, build_rules, full_date, id_spec, item_ids, partial_date, rule_fields, sources_field, text_spec
from .models import BASES, Catalogue, Exclusion, Guideline, Recommendation, Rule, SiteGroup, Step

# The keys candidates may be sorted by; the guideline data lists the ones it uses, in order.
RANK_KEYS = (
    "intent", "preference-conflicts", "step", "category", "level", "preference", "demotions", "factors", "practice",
    "warnings", "listing",
)


def guideline_spec(source_ids, therapy_ids, class_ids, group_ids, shared_ids, scheme_ids=()) -> Record:
    targets = {
        "therapies": Field(ListOf(Str(choices=lambda: therapy_ids))),
        "classes": Field(ListOf(Str(choices=lambda: class_ids))),
        "site_groups": Field(ListOf(Str(choices=lambda: group_ids))),
        "intents": Field(ListOf(Str(choices=vocab.INTENTS))),
    }
    rule = Record(rule_fields(source_ids))
    rule_or_name = OneOf(
        [(is_str, Str(choices=lambda: shared_ids)), (is_mapping, rule)],
        expected="a rule or the name of one of shared_rules",
    )
    category_rule = Record(rule_fields(source_ids, category=Field(Str(choices=vocab.CATEGORIES), required=True)))
    targeted_rule = Record(rule_fields(source_ids, **targets))
    factor = Record(
        rule_fields(
            source_ids,
            effect=Field(Num(-3, 3, integer=True), required=True),
            basis=Field(Str(choices=("guideline", "practice"), doc="practice: one author's reported practice")),
            **targets,
        )
    )
    first_option = OneOf(
        [(is_str, Str(choices=lambda: therapy_ids)),
         (is_mapping, Record({"therapy": Field(Str(choices=lambda: therapy_ids), required=True), "when": Field(Raw())}))],
        expected="a therapy id or {therapy: ..., when: ...}",
    )
    step = Record(
        {
            "id": Field(id_spec, required=True),
            "name": Field(text_spec, required=True),
            "site_groups": Field(ListOf(Str(choices=lambda: group_ids)), required=True),
            "when": Field(Raw()),
            "first": Field(ListOf(first_option), required=True),
            "text": Field(text_spec, required=True),
            "quote": Field(text_spec),
            "settle": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    recommendation = Record(
        {
            "id": Field(id_spec, required=True),
            "therapy": Field(Str(choices=lambda: therapy_ids), required=True),
            "site_group": Field(Str(choices=lambda: group_ids), required=True),
            "intent": Field(Str(choices=vocab.INTENTS), required=True),
            "category": Field(Str(choices=vocab.CATEGORIES)),
            "preference": Field(Str(choices=vocab.PREFERENCES)),
            "basis": Field(Str(choices=BASES), required=True),
            "in_table": Field(Bool(doc="false: placed from another summary, so the version's default category does not apply")),
            "requires": Field(ListOf(rule_or_name)),
            "excluded_if": Field(ListOf(rule_or_name)),
            "category_rules": Field(ListOf(category_rule)),
            "cautions": Field(ListOf(rule_or_name)),
            "notes": Field(text_spec),
            "quote": Field(text_spec),
            "level": Field(Str(doc="the body's own mark, as its source prints it, in the form of its evidence_scheme")),
            "wording": Field(Str(max_len=500, doc="the body's own name for the option, where netadvisor maps it onto a therapy")),
            "carrier_wording": Field(text_spec),
            "translation": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("guideline",)), required=True),
            "id": Field(id_spec, required=True),
            "version": Field(Str(), required=True),
            "title": Field(Str(), required=True),
            "source": Field(Str(), required=True),
            "short_name": Field(Str(max_len=40, doc="a column heading when bodies are compared (default: source)")),
            "effective": Field(Custom(partial_date, {"type": "string"}, doc="YYYY-MM-DD, or YYYY-MM or YYYY: in force from the period's last day"), required=True),
            "until": Field(Custom(full_date, {"type": "string"})),
            "evidence_scheme": Field(Str(choices=list(scheme_ids))),
            "secondary": Field(Bool(doc="read only in secondary sources: reviews, transcriptions, aggregators")),
            "not_found": Field(ListOf(text_spec)),
            "not_encoded": Field(ListOf(text_spec)),
            "notes": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
            "site_groups": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(id_spec, required=True),
                            "name": Field(Str(), required=True),
                            "sites": Field(ListOf(Str(choices=vocab.SITES)), required=True),
                            "cohort": Field(Str(choices=("pnet", "epnet"), doc="left out: by the primary site")),
                            "when": Field(Raw(doc="a pathway: the group applies only when this holds")),
                        }
                    )
                ),
                required=True,
            ),
            "definitions": Field(MapOf(id_spec, Record({"text": Field(text_spec, required=True), "when": Field(Raw(), required=True)}))),
            "shared_rules": Field(MapOf(id_spec, rule)),
            "policy": Field(
                Record(
                    {
                        "severe_toxicity_grade": Field(Num(1, 5, integer=True), required=True),
                        "demote_related_toxicity_grade": Field(Num(1, 5, integer=True)),
                    }
                ),
                required=True,
            ),
            "default_category": Field(
                Record(
                    {
                        "category": Field(Str(choices=vocab.CATEGORIES), required=True),
                        "text": Field(text_spec, required=True),
                        "quote": Field(text_spec),
                        "sources": sources_field(source_ids),
                    }
                )
            ),
            "algorithm": Field(ListOf(step)),
            "scope": Field(ListOf(Record(rule_fields(source_ids, intents=targets["intents"])))),
            "notices": Field(ListOf(rule)),
            "cautions": Field(ListOf(targeted_rule)),
            "ranking": Field(
                Record(
                    {
                        "order": Field(ListOf(Str(choices=RANK_KEYS)), required=True),
                        "factors": Field(ListOf(factor)),
                    }
                ),
                required=True,
            ),
            "recommendations": Field(ListOf(recommendation), required=True),
            "not_recommended": Field(
                ListOf(
                    Record(
                        {
                            "therapy": Field(Str(choices=lambda: therapy_ids), required=True),
                            "site_group": Field(Str(choices=lambda: group_ids), required=True),
                            "code": Field(id_spec, required=True),
                            "text": Field(text_spec, required=True),
                            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
                        }
                    )
                )
            ),
        }
    )


def build_guideline(reader, file, data, source_ids, catalogue: Catalogue, library=None) -> Guideline | None:
    """The Guideline of a document; `library` gives the evidence schemes (scheme_ids(), scheme(id)),
    built only if this guideline writes or ranks by levels."""
    group_ids: list = []
    shared_ids: list = []
    if isinstance(data, dict):
        group_ids = item_ids(data.get("site_groups"))
        shared = data.get("shared_rules")
        shared_ids = [name for name in shared if isinstance(name, str)] if isinstance(shared, dict) else []
    spec = guideline_spec(source_ids, list(catalogue.therapies), list(catalogue.classes), group_ids, shared_ids,
                          library.scheme_ids() if library else [])
    checked = reader.check(file, spec, data)
    if checked is INVALID:
        return None
    problems = reader.problems
    vocabularies = {"therapies": list(catalogue.therapies), "classes": list(catalogue.classes), "site_groups": group_ids}
    compiler = Compiler(vocabularies)
    for name, item in checked.get("definitions", {}).items():
        raw: list = []
        compiler.define(name, item["when"], item["text"], f"definitions[{name}].when", raw)
        problems.extend(Problem(file, p, m) for p, m in raw)
    shared = {
        name: build_rules([item], compiler, file, "shared_rules", problems)[0]
        for name, item in checked.get("shared_rules", {}).items()
    }
    seen_groups: set = set()
    for group in checked["site_groups"]:
        if group.get("when") is not None:  # pathways overlap the site groups by design
            continue
        overlap = seen_groups & set(group["sites"])
        if overlap:
            problems.append(Problem(file, f"site_groups[{group['id']}].sites", f"{', '.join(sorted(overlap))} already in another group"))
        seen_groups |= set(group["sites"])
    scheme_id = checked.get("evidence_scheme")
    leveled = any(item.get("level") is not None for item in checked["recommendations"]) or "level" in checked["ranking"]["order"]
    scheme = library.scheme(scheme_id) if scheme_id and leveled and library else None
    recommendations = []
    seen_ids: set = set()
    for order, item in enumerate(checked["recommendations"]):
        where = f"recommendations[{item['id']}]"
        if item["id"] in seen_ids:
            problems.append(Problem(file, where, "duplicate recommendation id"))
        seen_ids.add(item["id"])
        if not item["sources"]:
            problems.append(Problem(file, f"{where}.sources", "a recommendation needs at least one source"))
        if item.get("level") is not None:
            from .bodies_file import level_problems  # only where a body writes levels

            problems.extend(Problem(file, f"{where}.level", m) for m in level_problems(item["level"], scheme))
        recommendations.append(
            Recommendation(
                id=item["id"],
                therapy=item["therapy"],
                site_group=item["site_group"],
                intent=item["intent"],
                category=item.get("category"),
                preference=item.get("preference"),
                basis=item["basis"],
                requires=build_rules(item.get("requires"), compiler, file, f"{where}.requires", problems, shared),
                excluded_if=build_rules(item.get("excluded_if"), compiler, file, f"{where}.excluded_if", problems, shared),
                category_rules=build_rules(item.get("category_rules"), compiler, file, f"{where}.category_rules", problems),
                cautions=build_rules(item.get("cautions"), compiler, file, f"{where}.cautions", problems, shared),
                notes=item.get("notes"),
                sources=tuple(item["sources"]),
                quote=item.get("quote"),
                order=order,
                in_table=item.get("in_table", True),
                level=item.get("level"),
                wording=item.get("wording"),
                translation=item.get("translation"),
                carrier_wording=item.get("carrier_wording"),
            )
        )
    default = checked.get("default_category")
    return Guideline(
        id=checked["id"],
        version=checked["version"],
        title=checked["title"],
        source=checked["source"],
        effective=checked["effective"].last_day(),
        until=checked.get("until"),
        site_groups=tuple(
            SiteGroup(g["id"], g["name"], tuple(g["sites"]), g.get("cohort"),
                      build_condition(compiler, g.get("when"), file, f"site_groups[{g['id']}].when", problems))
            for g in checked["site_groups"]
        ),
        scope=build_rules(checked.get("scope"), compiler, file, "scope", problems),
        notices=build_rules(checked.get("notices"), compiler, file, "notices", problems, severity="info"),
        recommendations=tuple(recommendations),
        not_recommended=tuple(
            Exclusion(n["therapy"], n["site_group"], n["code"], n["text"], tuple(n["sources"]))
            for n in checked.get("not_recommended", [])
        ),
        cautions=build_rules(checked.get("cautions"), compiler, file, "cautions", problems),
        factors=build_rules(checked["ranking"].get("factors"), compiler, file, "ranking.factors", problems),
        rank_order=tuple(checked["ranking"]["order"]),
        severe_toxicity_grade=checked["policy"]["severe_toxicity_grade"],
        sources=tuple(checked["sources"]),
        notes=checked.get("notes"),
        file=file,
        default_category=default and Rule(
            "nccn-default-category", None, default["text"], tuple(default.get("sources", ())),
            quote=default.get("quote"), category=default["category"],
        ),
        steps=_steps(checked.get("algorithm", []), compiler, file, problems),
        demote_toxicity_grade=checked["policy"].get("demote_related_toxicity_grade"),
        effective_written=str(checked["effective"]),
        short_name=checked.get("short_name") or checked["source"],
        scheme_id=scheme_id,
        scheme=scheme,
        secondary=checked.get("secondary", False),
        not_found=tuple(checked.get("not_found", ())),
        not_encoded=tuple(checked.get("not_encoded", ())),
    )


def _steps(items, compiler, file, problems) -> tuple:
    out = []
    for item in items:
        where = f"algorithm[{item['id']}]"
        first = tuple(
            (entry, None) if isinstance(entry, str)
            else (entry["therapy"], build_condition(compiler, entry.get("when"), file, f"{where}.first[{i}].when", problems))
            for i, entry in enumerate(item["first"])
        )
        out.append(
            Step(
                id=item["id"], name=item["name"], site_groups=frozenset(item["site_groups"]),
                cond=build_condition(compiler, item.get("when"), file, f"{where}.when", problems),
                first=first, text=item["text"], sources=tuple(item["sources"]),
                quote=item.get("quote"), settle=item.get("settle"),
            )
        )
    return tuple(out)
