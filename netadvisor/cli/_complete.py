"""Shell completion of flag values (TAB after `--site `, `--prior `).

Typer inspects every completion callback each time it builds the command line,
so the callbacks are attached only in the process the shell starts to ask for
completions (it sets COMPLETE_VAR); an ordinary run does not pay for them.
"""

import os

COMPLETE_VAR = "_NETADVISOR_COMPLETE"  # click's name for prog_name "netadvisor"
ACTIVE = COMPLETE_VAR in os.environ


def words(*choices: str):
    """Complete from a vocabulary."""

    def complete(incomplete: str) -> list:
        return [word for word in choices if word.startswith(incomplete.lower())]

    return complete if ACTIVE else None


def _prior(incomplete: str) -> list:
    """--prior: therapy ids; after THERAPY: the stop reasons (shells that keep ':' in a word)."""
    from ..base import vocab
    from ..knowledge.library import load_library

    therapy, colon, stopped = incomplete.partition(":")
    if colon:
        return [f"{therapy}:{word}" for word in vocab.STOPPED if word.startswith(stopped.lower()) and ":" not in stopped]
    return [t for t in load_library().catalogue.therapies if t.startswith(therapy.lower())]


prior = _prior if ACTIVE else None
