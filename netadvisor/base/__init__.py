"""The primitives every layer shares: errors and exit codes, partial dates, the case vocabulary,
declarative field specs (fields.py) and safe YAML/JSON document reading (documents.py).
Imports nothing from netadvisor outside this package; the bottom layer (tests/test_architecture.py).
"""
