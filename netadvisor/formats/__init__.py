"""Renderers: one module per output format of advice (as_table, as_json, as_markdown, as_html,
as_svg), the other commands' reports (*_out.py, as_explain) and the JSON Schemas (json_schemas).
May import netadvisor.engine, knowledge, inputs and base; only cohort/ and cli/ import it.
"""

FORMATS = ("table", "json", "markdown")
