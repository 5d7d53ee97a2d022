"""The published JSON Schemas (draft 2020-12): the case file and the advice output.

Both are generated from what the code runs on: the case schema from
`case_spec()`, the validator of case files; the advice schema from ADVICE, the
description the JSON writer walks. Copies are checked in under docs/schema/
(a test keeps them equal to the generated ones) and ship inside the package,
so a case file's `# yaml-language-server: $schema=...` header can point at one
by a relative path that works offline (inputs/case_writer.py writes that
header). The `$id`s are names, not addresses: nothing is fetched from the network.
"""

from __future__ import annotations

import json

DRAFT = "https://json-schema.org/draft/2020-12/schema"
NAMES = ("case", "advice")


def case_schema(catalogue) -> dict:
    from ..base import vocab
    from ..inputs.case_format import case_spec

    body = case_spec(catalogue.therapy_spec()).json_schema()
    body["description"] += (
        " Words are matched ignoring case, spaces and underscores; this schema lists the canonical"
        " spellings and the accepted aliases. Therapy names are checked against the catalogue."
    )
    return {"$schema": DRAFT, "$id": f"urn:netadvisor:{vocab.CASE_FORMAT}", **body}


def advice_schema() -> dict:
    from ..base import vocab
    from .as_json import compared_spec  # every key, those only --compare writes included

    return {"$schema": DRAFT, "$id": f"urn:netadvisor:{vocab.ADVICE_FORMAT}", **compared_spec().json_schema()}


def generate(name: str, catalogue=None) -> dict:
    return case_schema(catalogue) if name == "case" else advice_schema()


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
