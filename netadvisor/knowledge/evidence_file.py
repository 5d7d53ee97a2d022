"""The evidence file (kind: evidence): its spec, and the Evidence built from it."""

from ..base import vocab
from ..base.errors import Problem
from ..base.fields import INVALID, Custom, Field, ListOf, MapOf, Num, Record, Str
from .evidence import SETTINGS, Endpoint, Evidence, Figure, SurvivalTable, Trial
from .file_parts import id_spec, text_spec
from .models import Catalogue

def evidence_spec(source_ids, therapy_ids, set_names) -> Record:
    number = Custom(_figure, {"type": ["number", "string"]})
    ci = ListOf(Custom(_figure_or_none, {"type": ["number", "string", "null"]}), max_items=2)
    site_or_set = Str(choices=list(vocab.SITES) + set_names)  # one list: Str remembers its spellings by identity
    endpoint = Record(
        {
            "name": Field(Str(), required=True),
            "role": Field(Str(choices=("primary", "secondary", "other")), required=True),
            "unit": Field(Str(choices=("months", "percent")), required=True),
            **{f"{arm}{key}": Field(spec) for arm in ("treatment", "control")
               for key, spec in (("", number), ("_text", text_spec), ("_ci95", ci))},
            "hr": Field(number),
            "hr_ci95": Field(ci),
            "p": Field(Str()),
            "note": Field(text_spec),
        }
    )
    count = Num(0, integer=True)
    trial = Record(
        {
            "id": Field(id_spec, required=True),
            "trial": Field(Str(), required=True),
            "analysis": Field(text_spec, required=True),
            "population": Field(text_spec, required=True),
            "design": Field(text_spec),
            "therapies": Field(ListOf(Str(choices=lambda: therapy_ids)), required=True),
            "comparator": Field(Str()),
            "sites": Field(ListOf(site_or_set), required=True),
            "setting": Field(Str(choices=SETTINGS, doc="the line its population was at; left out: any")),
            "n": Field(count),
            "arms": Field(ListOf(Record({"label": Field(text_spec, required=True), "role": Field(Str(choices=("treatment", "control")), required=True), "n": Field(count)}))),
            "endpoints": Field(ListOf(endpoint), required=True),
            "subgroups": Field(ListOf(Record({
                "factor": Field(Str(), required=True), "level": Field(Str(), required=True),
                "treatment_events": Field(count), "treatment_n": Field(count),
                "control_events": Field(count), "control_n": Field(count),
                "hr": Field(number), "hr_ci95": Field(ci),
            }))),
            "responses": Field(ListOf(Record({
                "response": Field(Str(), required=True),
                "treatment_n": Field(count), "treatment_percent": Field(Num(0, 100)),
                "control_n": Field(count), "control_percent": Field(Num(0, 100)),
            }))),
            "notes": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    survival = Record(
        {
            "id": Field(id_spec, required=True),
            "title": Field(text_spec, required=True),
            "measure": Field(Str(), required=True),
            "sites": Field(ListOf(site_or_set), required=True),
            "rows": Field(ListOf(Record({
                "stage": Field(Str(choices=vocab.STAGES), required=True),
                "grade": Field(Num(1, 3, integer=True)),
                "percent": Field(number, required=True),
            })), required=True),
            "notes": Field(text_spec),
            "sources": Field(ListOf(Str(choices=lambda: source_ids)), required=True),
        }
    )
    return Record(
        {
            "kind": Field(Str(choices=("evidence",)), required=True),
            "site_sets": Field(MapOf(id_spec, ListOf(Str(choices=vocab.SITES)))),
            "trials": Field(ListOf(trial), required=True),
            "survival": Field(ListOf(survival)),
        }
    )


def _figure(value):
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return Figure(value, str(value))
    if isinstance(value, str):
        try:
            return Figure(float(value), value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a number (or a number in quotes to keep its trailing zeros), got {value!r}")


def _figure_or_none(value):
    return None if value is None else _figure(value)


def build_evidence(reader, file, data, source_ids, catalogue: Catalogue) -> Evidence:
    set_names = list((data or {}).get("site_sets") or {}) if isinstance(data, dict) and isinstance(data.get("site_sets"), dict) else []
    checked = reader.check(file, evidence_spec(source_ids, list(catalogue.therapies), set_names), data)
    if checked is INVALID:
        return Evidence()
    sets = checked.get("site_sets", {})

    def sites(items) -> frozenset:
        return frozenset(s for item in items for s in sets.get(item, [item]))

    trials = []
    seen: set = set()
    for item in checked["trials"]:
        if item["id"] in seen:
            reader.problems.append(Problem(file, f"trials[{item['id']}]", "duplicate trial id"))
        seen.add(item["id"])
        endpoints = tuple(
            Endpoint(**{k: (tuple(v) if k.endswith("_ci95") else v) for k, v in e.items()}) for e in item["endpoints"]
        )
        trials.append(
            Trial(
                id=item["id"], trial=item["trial"], analysis=item["analysis"], population=item["population"],
                therapies=tuple(item["therapies"]), sites=sites(item["sites"]), endpoints=endpoints,
                sources=tuple(item["sources"]), comparator=item.get("comparator"), design=item.get("design"),
                n=item.get("n"), arms=tuple(item.get("arms", ())), subgroups=tuple(item.get("subgroups", ())),
                responses=tuple(item.get("responses", ())), notes=item.get("notes"), setting=item.get("setting"),
            )
        )
    survival = tuple(
        SurvivalTable(t["id"], t["title"], t["measure"], sites(t["sites"]),
                      tuple((r["stage"], r.get("grade"), r["percent"]) for r in t["rows"]),
                      tuple(t["sources"]), t.get("notes"))
        for t in checked.get("survival", [])
    )
    return Evidence(tuple(trials), survival)
