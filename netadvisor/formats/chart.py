"""The evidence chart for the terminal (and the SVG export): for each candidate's
trial analyses, bars of the primary endpoint on treatment vs control, with the HR."""

from rich import box
from rich.table import Table
from rich.text import Text

from ..engine.advice import Advice

BAR_WIDTH = 24


def bar(value: float, scale: float, char: str = "█", width: int = BAR_WIDTH) -> str:
    """value as a bar of at most `width` cells; any value above zero gets at least one."""
    if not scale or value <= 0:
        return ""
    return char * max(1, round(value / scale * width))


def figure_text(value, text, unit: str) -> str:
    if value is None:
        return text or "not stated"
    return f"{value:g} {'mo' if unit == 'months' else '%'}"


def hr_text(e) -> str:
    if e.hr is None:
        return "HR not stated"
    if e.hr_ci95 and None not in e.hr_ci95:
        return f"HR {e.hr:g} ({e.hr_ci95[0]:g}–{e.hr_ci95[1]:g})"
    return f"HR {e.hr:g} (CI not stated)"


def rows(advice: Advice) -> list:
    """(candidate, figure) for every candidate's evidence, in rank order."""
    return [(c, e) for c in advice.candidates for e in c.evidence]


def scales(advice: Advice) -> dict:
    """Largest value per unit, so bars of one unit share a scale."""
    out: dict = {}
    for _, e in rows(advice):
        for value in (e.treatment, e.control):
            if value is not None:
                out[e.unit] = max(out.get(e.unit, 0), value)
    return out


def evidence_table(advice: Advice, width: int = 120) -> Table | Text:
    pairs = rows(advice)
    if not pairs:
        return Text("No trial evidence in netadvisor's data for these candidates.", style="dim")
    scale = scales(advice)
    table = Table(
        box=box.SIMPLE_HEAD, title="Evidence: primary endpoint, this therapy (█) vs control (░)",
        title_justify="left", title_style="bold", expand=True,
    )
    table.add_column("Therapy", no_wrap=True)
    table.add_column("Trial / analysis", ratio=2)
    table.add_column("Median or rate", ratio=3, no_wrap=True)
    table.add_column("HR (95% CI)", no_wrap=True)
    last = None
    for c, e in pairs:
        bars = Text()
        for value, text, style, char in ((e.treatment, e.treatment_text, "bold green", "█"), (e.control, e.control_text, "dim", "░")):
            drawn = bar(value, scale.get(e.unit, 0), char) if value is not None else ""
            bars.append(drawn, style=style)
            bars.append(f" {figure_text(value, text, e.unit)}\n")
        bars.rstrip()
        label = f"{e.trial}: {e.analysis}\n{e.endpoint}" + (f" vs {e.comparator}" if e.comparator else "")
        table.add_row(c.name if c.therapy != last else "", label, bars, hr_text(e))
        last = c.therapy
    return table
