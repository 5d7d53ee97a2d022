"""Commands over many cases: batch running (shared by check, diff and audit), expect: checks,
history replay and audit, and diffs between two runs. May import netadvisor.core, formats, engine,
knowledge, inputs and base; only the command line (netadvisor.cli) imports it.
"""
