"""A guideline file (kind: guideline): its spec, and the Guideline built from it."""

from ..base import vocab
from ..base.errors import Problem
from ..base.fields import (
    INVALID,
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
from .file_parts import build_rules, full_date, id_spec, item_ids, rule_fields, text_spec
from .models import BASES, Catalogue, Exclusion, Guideline, Recommendation, SiteGroup

# The steps candidates are sorted by, in the order the guideline data lists them.
RANK_KEYS = ("intent", "category", "preference", "factors", "preference-conflicts", "warnings", "listing")


def guideline_spec(source_ids, therapy_ids, class_ids, group_ids, shared_ids) -> Record:
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
    factor = Record(rule_fields(source_ids, effect=Field(Num(-3, 3, integer=True), required=True), **targets))
    recommendation = Record(
        {
            "id": Field(id_spec, required=True),
            "therapy": Field(Str(choices=lambda: therapy_ids), required=True),
            "site_group": Field(Str(choices=lambda: group_ids), required=True),
            "intent": Field(Str(choices=vocab.INTENTS), required=True),
            "category": Field(Str(choices=vocab.CATEGORIES)),
            "preference": Field(Str(choices=vocab.PREFERENCES)),
            "basis": Field(Str(choices=BASES), required=True),
            "requires": Field(ListOf(rule_or_name)),
            "excluded_if": Field(ListOf(rule_or_name)),
            "category_rules": Field(ListOf(category_rule)),
            "cautions": Field(ListOf(rule_or_name)),
            "notes": Field(text_spec),
            "quote": Field(text_spec),
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
            "effective": Field(Custom(full_date, {"type": "string"}), required=True),
            "until": Field(Custom(full_date, {"type": "string"})),
            "notes": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
            "site_groups": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(id_spec, required=True),
                            "name": Field(Str(), required=True),
                            "sites": Field(ListOf(Str(choices=vocab.SITES)), required=True),
                            "cohort": Field(Str(choices=("pnet", "epnet")), required=True),
                        }
                    )
                ),
                required=True,
            ),
            "definitions": Field(MapOf(id_spec, Record({"text": Field(text_spec, required=True), "when": Field(Raw(), required=True)}))),
            "shared_rules": Field(MapOf(id_spec, rule)),
            "policy": Field(Record({"severe_toxicity_grade": Field(Num(1, 5, integer=True), required=True)}), required=True),
            "scope": Field(ListOf(rule)),
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


def build_guideline(reader, file, data, source_ids, catalogue: Catalogue) -> Guideline | None:
    group_ids: list = []
    shared_ids: list = []
    if isinstance(data, dict):
        group_ids = item_ids(data.get("site_groups"))
        shared = data.get("shared_rules")
        shared_ids = [name for name in shared if isinstance(name, str)] if isinstance(shared, dict) else []
    spec = guideline_spec(source_ids, list(catalogue.therapies), list(catalogue.classes), group_ids, shared_ids)
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
        overlap = seen_groups & set(group["sites"])
        if overlap:
            problems.append(Problem(file, f"site_groups[{group['id']}].sites", f"{', '.join(sorted(overlap))} already in another group"))
        seen_groups |= set(group["sites"])
    recommendations = []
    seen_ids: set = set()
    for order, item in enumerate(checked["recommendations"]):
        where = f"recommendations[{item['id']}]"
        if item["id"] in seen_ids:
            problems.append(Problem(file, where, "duplicate recommendation id"))
        seen_ids.add(item["id"])
        if not item["sources"]:
            problems.append(Problem(file, f"{where}.sources", "a recommendation needs at least one source"))
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
            )
        )
    return Guideline(
        id=checked["id"],
        version=checked["version"],
        title=checked["title"],
        source=checked["source"],
        effective=checked["effective"],
        until=checked.get("until"),
        site_groups=tuple(SiteGroup(g["id"], g["name"], tuple(g["sites"]), g["cohort"]) for g in checked["site_groups"]),
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
    )
