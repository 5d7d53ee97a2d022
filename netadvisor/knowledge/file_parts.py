"""What the data files' specs and builders share: text, id, date and source-list
fields, and rules (their fields, and the Rule objects built from them with their
conditions compiled).
"""

from ..base.dates import PartialDate, parse_full_date
from ..base.errors import Problem
from ..base.fields import Bool, Field, ListOf, Raw, Str
from .models import ID, IF_FALSE, IF_UNKNOWN, SEVERITIES, Rule

text_spec = Str(max_len=20_000)
id_spec = Str(pattern=ID)


def full_date(value):
    return parse_full_date(value)


def partial_date(value):
    return PartialDate.parse(value)


def sources_field(source_ids):
    return Field(ListOf(Str(choices=lambda: source_ids)), required=False)


def rule_fields(source_ids, **extra) -> dict:
    return {
        "code": Field(id_spec, required=True),
        "when": Field(Raw()),
        "text": Field(text_spec, required=True),
        "severity": Field(Str(choices=SEVERITIES)),
        "if_unknown": Field(Str(choices=IF_UNKNOWN)),
        "if_false": Field(Str(choices=IF_FALSE)),
        "settle": Field(text_spec),
        "quote": Field(text_spec),
        "demotes": Field(Bool()),
        "sources": sources_field(source_ids),
        **extra,
    }


def build_rules(items, compiler, file, where, problems, shared=None, **defaults) -> tuple:
    out = []
    for i, item in enumerate(items or []):
        if isinstance(item, str):  # the name of a shared rule
            out.append(shared[item])
            continue
        cond = None
        if item.get("when") is not None:
            raw: list = []
            cond = compiler.compile(item["when"], f"{where}[{item.get('code', i)}].when", raw)
            problems.extend(Problem(file, p, m) for p, m in raw)
        out.append(
            Rule(
                code=item["code"],
                cond=cond,
                text=item["text"],
                sources=tuple(item.get("sources", ())),
                severity=item.get("severity", defaults.get("severity", "warning")),
                if_unknown=item.get("if_unknown", defaults.get("if_unknown", "exclude")),
                if_false=item.get("if_false", "exclude"),
                settle=item.get("settle"),
                quote=item.get("quote"),
                category=item.get("category"),
                effect=item.get("effect", 0),
                therapies=frozenset(item.get("therapies", ())),
                classes=frozenset(item.get("classes", ())),
                site_groups=frozenset(item.get("site_groups", ())),
                intents=frozenset(item.get("intents", ())),
                demotes=item.get("demotes", False),
                basis=item.get("basis", "guideline"),
            )
        )
    return tuple(out)


def build_condition(compiler, data, file, where, problems):
    if data is None:
        return None
    raw: list = []
    cond = compiler.compile(data, where, raw)
    problems.extend(Problem(file, p, m) for p, m in raw)
    return cond


def item_ids(items) -> list:
    """The ids of a list of items, before validation: only the ones that are text
    (the rest are reported by the validation these ids are for)."""
    if not isinstance(items, list):
        return []
    return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)]
