"""The therapy catalogue file (kind: therapies): its spec, and the Catalogue built from it."""

from ..base import vocab
from ..base.errors import Problem
from ..base.fields import INVALID, Bool, Custom, Field, ListOf, MapOf, Num, Raw, Record, Str, alias_key
from .conditions import Compiler
from .file_parts import (
    build_condition,
    build_rules,
    id_spec,
    item_ids,
    partial_date,
    rule_fields,
    sources_field,
    text_spec,
)
from .models import ROUTES, Approval, Catalogue, Rule, Therapy, TherapyClass, ToxicityRate

# Toxicity words the catalogue may use beyond the case vocabulary.
CATALOGUE_EVENTS = vocab.TOXICITY_EVENTS + ("any", "hematologic", "constipation", "cholelithiasis")


def therapies_spec(source_ids, class_ids, therapy_ids) -> Record:
    rule = Record(rule_fields(source_ids, intents=Field(ListOf(Str(choices=vocab.INTENTS)))))
    toxicity = Record(
        {
            "event": Field(Str(choices=CATALOGUE_EVENTS), required=True),
            "percent": Field(Num(0, 100)),
            "grades": Field(Str(), required=True),
            "cohort": Field(Str(choices=("pnet", "epnet", "all")), required=True),
            "population": Field(text_spec, required=True),
            "sources": sources_field(source_ids),
        }
    )
    therapy = Record(
        {
            "id": Field(id_spec, required=True),
            "name": Field(Str(), required=True),
            "aliases": Field(ListOf(Str())),
            "class": Field(Str(choices=lambda: class_ids), required=True),
            "routes": Field(ListOf(Str(choices=ROUTES)), required=True),
            "indication": Field(text_spec),
            "indication_sources": sources_field(source_ids),
            "approvals": Field(
                ListOf(
                    Record(
                        {
                            "indication": Field(text_spec, required=True),
                            "date": Field(Custom(partial_date, {"type": "string"}), required=True),
                            "covers": Field(Raw()),
                            "sources": sources_field(source_ids),
                        }
                    )
                )
            ),
            "limits": Field(ListOf(rule)),
            "cautions": Field(ListOf(rule)),
            "toxicities": Field(ListOf(toxicity)),
            "notes": Field(text_spec),
            "sources": sources_field(source_ids),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("therapies",)), required=True),
            "classes": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(id_spec, required=True),
                            "name": Field(Str(), required=True),
                            "antitumor": Field(Bool(), required=True),
                        }
                    )
                ),
                required=True,
            ),
            "therapies": Field(ListOf(therapy), required=True),
            "progression_rules": Field(
                ListOf(
                    Record(
                        {
                            "code": Field(id_spec, required=True),
                            "after": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
                            "excludes": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
                            "text": Field(text_spec, required=True),
                            "sources": sources_field(source_ids),
                        }
                    )
                )
            ),
            "related_events": Field(
                MapOf(Str(), ListOf(Str(choices=CATALOGUE_EVENTS)))
            ),
            "avoid_groups": Field(
                MapOf(
                    Str(choices=vocab.AVOID),
                    Record(
                        {
                            "classes": Field(ListOf(Str(choices=lambda: class_ids))),
                            "therapies": Field(ListOf(Str(choices=lambda: therapy_ids))),
                            "routes": Field(ListOf(Str(choices=ROUTES))),
                        }
                    ),
                )
            ),
        }
    )


def build_catalogue(reader, file, data, source_ids) -> Catalogue | None:
    class_ids: list = []
    therapy_ids: list = []
    if isinstance(data, dict):
        class_ids = item_ids(data.get("classes"))
        therapy_ids = item_ids(data.get("therapies"))
    checked = reader.check(file, therapies_spec(source_ids, class_ids, therapy_ids), data)
    if checked is INVALID:
        return None
    problems = reader.problems
    compiler = Compiler({"therapies": therapy_ids, "classes": class_ids})
    classes = {c["id"]: TherapyClass(c["id"], c["name"], c["antitumor"]) for c in checked["classes"]}
    therapies: dict = {}
    aliases: dict = {}
    for item in checked["therapies"]:
        tid = item["id"]
        where = f"therapies[{tid}]"
        if tid in therapies:
            problems.append(Problem(file, where, "duplicate therapy id"))
        for name in [tid, item["name"], *item.get("aliases", [])]:
            key = alias_key(name)
            if aliases.get(key, tid) != tid:
                problems.append(Problem(file, f"{where}.aliases", f"'{name}' also names '{aliases[key]}'"))
            aliases[key] = tid
        therapies[tid] = Therapy(
            id=tid,
            name=item["name"],
            cls=item["class"],
            routes=tuple(item["routes"]),
            aliases=tuple(item.get("aliases", ())),
            indication=item.get("indication"),
            indication_sources=tuple(item.get("indication_sources", ())),
            approvals=tuple(
                Approval(a["indication"], a["date"], tuple(a.get("sources", ())),
                         build_condition(compiler, a.get("covers"), file, f"{where}.approvals[{i}].covers", problems))
                for i, a in enumerate(item.get("approvals", []))
            ),
            limits=build_rules(item.get("limits"), compiler, file, f"{where}.limits", problems),
            cautions=build_rules(item.get("cautions"), compiler, file, f"{where}.cautions", problems),
            toxicities=tuple(
                ToxicityRate(t["event"], t.get("percent"), t["grades"], t["cohort"], t["population"], tuple(t.get("sources", ())))
                for t in item.get("toxicities", [])
            ),
            notes=item.get("notes"),
            sources=tuple(item.get("sources", ())),
        )
    excludes: dict = {}
    rules = []
    for item in checked.get("progression_rules", []):
        rule = Rule(item["code"], None, item["text"], tuple(item.get("sources", ())), therapies=frozenset(item["after"]))
        rules.append(rule)
        for after in item["after"]:
            for excluded in item["excludes"]:
                if excluded != after:
                    excludes.setdefault(after, {})[excluded] = rule
    return Catalogue(
        classes=classes,
        therapies=therapies,
        progression_rules=tuple(rules),
        progression_excludes=excludes,
        related_events=tuple((name, frozenset(events)) for name, events in checked.get("related_events", {}).items()),
        avoid_groups=checked.get("avoid_groups", {}),
        aliases=aliases,
    )
