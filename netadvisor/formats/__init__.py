"""Renderers of advice: one module per output format, all reading the same Advice."""

FORMATS = ("table", "json", "markdown")
