"""The bodies file (kind: bodies): how each guideline body grades its recommendations,
netadvisor's common strength scale, and the bodies looked for but not encoded."""

import re

from ..base import vocab
from ..base.errors import Problem
from ..base.fields import INVALID, Bool, Field, ListOf, MapOf, Num, Record, Str
from .file_parts import id_spec, text_spec
from .bodies import Bodies, EvidenceScheme, UnencodedBody


def bodies_spec(source_ids) -> Record:
    sources = Field(ListOf(Str(choices=lambda: source_ids)), required=True)
    return Record(
        {
            "kind": Field(Str(choices=("bodies",)), required=True),
            "scale": Field(
                ListOf(Record({"id": Field(id_spec, required=True), "rank": Field(Num(0, 9, integer=True), required=True),
                               "text": Field(text_spec, required=True)})),
                required=True,
            ),
            "not_stated_ranks_with": Field(Str(doc="the scale word a level no source states ranks with"), required=True),
            "schemes": Field(
                ListOf(
                    Record(
                        {
                            "id": Field(id_spec, required=True),
                            "name": Field(text_spec, required=True),
                            "written_as": Field(text_spec),
                            "patterns": Field(ListOf(Str(doc="a regular expression with a named group `grade`"))),
                            "from_category": Field(Bool(doc="the level is the recommendation's category and preference (NCCN)")),
                            "strength": Field(MapOf(Str(), Str(doc="a word of the scale"))),
                            "grades": Field(MapOf(Str(), text_spec)),
                            "levels": Field(MapOf(Str(), text_spec)),
                            "caveat": Field(text_spec),
                            "sources": sources,
                        }
                    )
                ),
                required=True,
            ),
            "not_encoded": Field(
                ListOf(
                    Record(
                        {
                            "name": Field(text_spec, required=True),
                            "sites": Field(ListOf(Str(choices=vocab.SITES)), required=True),
                            "text": Field(text_spec, required=True),
                            "sources": sources,
                        }
                    )
                )
            ),
        }
    )


def build_bodies(reader, file, data, source_ids) -> Bodies:
    checked = reader.check(file, bodies_spec(source_ids), data)
    if checked is INVALID:
        return Bodies()
    problems = reader.problems
    scale = {item["id"]: item["rank"] for item in checked["scale"]}
    unstated = checked["not_stated_ranks_with"]
    if unstated not in scale:
        problems.append(Problem(file, "not_stated_ranks_with", f"'{unstated}' is not a word of the scale ({', '.join(scale)})"))
    schemes = {}
    for item in checked["schemes"]:
        where = f"schemes[{item['id']}]"
        patterns = []
        for i, text in enumerate(item.get("patterns", ())):
            try:
                pattern = re.compile(text)
            except re.error as exc:
                problems.append(Problem(file, f"{where}.patterns[{i}]", f"not a regular expression: {exc}"))
                continue
            if "grade" not in pattern.groupindex:
                problems.append(Problem(file, f"{where}.patterns[{i}]", "needs a named group (?P<grade>...)"))
                continue
            patterns.append(pattern)
        for grade, word in item.get("strength", {}).items():
            if word not in scale:
                problems.append(Problem(file, f"{where}.strength.{grade}", f"'{word}' is not a word of the scale ({', '.join(scale)})"))
        schemes[item["id"]] = EvidenceScheme(
            id=item["id"], name=item["name"], patterns=tuple(patterns), strength_of=dict(item.get("strength", {})),
            written_as=item.get("written_as"), from_category=item.get("from_category", False),
            grades=dict(item.get("grades", {})), levels=dict(item.get("levels", {})), caveat=item.get("caveat"),
            sources=tuple(item["sources"]), scale=scale, unstated=unstated,
        )
    return Bodies(
        scale=scale,
        unstated=unstated,
        scale_text={item["id"]: item["text"] for item in checked["scale"]},
        schemes=schemes,
        not_encoded=tuple(UnencodedBody(n["name"], tuple(n["sites"]), n["text"], tuple(n["sources"]))
                          for n in checked.get("not_encoded", ())),
    )


def level_problems(level: str, scheme) -> list:
    """A level is written in the form of the guideline's evidence scheme, or not at all."""
    if scheme is None:
        return ["a level needs the guideline's evidence_scheme (the body's own grading)"]
    if scheme.from_category:
        return [f"{scheme.name}: the level is the recommendation's category and preference; write those instead"]
    if scheme.grade_of(level) is None:
        form = f" ({scheme.written_as})" if scheme.written_as else ""
        return [f"'{level}' is not written as {scheme.name}{form}"]
    return []
