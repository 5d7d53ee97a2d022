"""The sources file (kind: sources): the citation registry every other file cites."""

from ..base.fields import INVALID, Field, MapOf, Record, Str
from .file_parts import id_spec, text_spec
from .models import Source

SOURCES_SPEC = Record(
    {
        "kind": Field(Str(choices=("sources",)), required=True),
        "sources": Field(
            MapOf(
                id_spec,
                Record(
                    {
                        "citation": Field(text_spec, required=True),
                        "kind": Field(Str(choices=("guideline", "label", "trial", "review", "registry", "expert", "policy")), required=True),
                        "reliability": Field(Str(choices=("primary", "secondary")), required=True),
                        "url": Field(text_spec),
                        "note": Field(text_spec),
                    }
                ),
            ),
            required=True,
        ),
    }
)


def build_sources(reader, file, data) -> dict:
    checked = reader.check(file, SOURCES_SPEC, data)
    if checked is INVALID:
        return {}
    return {sid: Source(sid, **item) for sid, item in checked["sources"].items()}
