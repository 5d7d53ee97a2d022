"""An SVG picture of the terminal report (rich's recorder), with no web fonts."""

import io
import re

from rich.console import CONSOLE_SVG_FORMAT, Console
from rich.text import Text

from ..base.escape import xml_chars
from ..engine.advice import Advice
from . import as_table, words

# rich's template fetches Fira Code from a CDN; a report must open offline, so the
# @font-face rules go and the monospace fallback in the template is used.
SVG_FORMAT = re.sub(r"\s*@font-face \{\{.*?\}\}", "", CONSOLE_SVG_FORMAT, flags=re.S)


def render(advice: Advice, generated_at: str, width: int = 120) -> str:
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      markup=False, emoji=False, highlight=False)
    as_table.render(advice, console, show_excluded=True, evidence=True, view=as_table.DETAILS)
    text = Text("\nSources\n", style="bold")
    for i, citation in enumerate(words.sources(advice), start=1):
        text.append(f"  [{i}] {citation}\n")
    text.append(f"\ngenerated {generated_at}", style="dim")
    console.print(text)
    # rich escapes markup; what XML 1.0 cannot hold at all (U+FFFE in a case id) is taken out here
    return xml_chars(console.export_svg(title=f"netadvisor · {advice.case_id}", code_format=SVG_FORMAT))
