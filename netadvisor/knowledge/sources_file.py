"""The sources file (kind: sources): the citation registry every other file cites."""

from ..base.fields import INVALID, Field, MapOf, Record, Str
from .file_parts import id_spec, text_spec
from .models import Source

# aggregator: a site that quotes guidelines' sentences (drlex.ai); manufacturer: a drug maker's page;
# bibliographic: a record of a paper (its title, authors, DOI), not its content.
KINDS = ("guideline", "label", "trial", "review", "registry", "expert", "policy", "aggregator", "manufacturer", "bibliographic")

SOURCES_SPEC = Record(
    {
        "kind": Field(Str(choices=("sources",)), required=True),
        "sources": Field(
            MapOf(
                id_spec,
                Record(
                    {
                        "citation": Field(text_spec, required=True),
                        "kind": Field(Str(choices=KINDS), required=True),
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
