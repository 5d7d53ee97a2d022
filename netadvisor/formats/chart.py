"""The evidence chart for the terminal (and the SVG export): for each candidate's
trial analyses, bars of the primary endpoint on treatment vs control, with the HR.

Each analysis is a block: the therapy, the trial and analysis in full (wrapped, never
cut), then one bar per arm with its median in words beside it. A median "not reached"
is drawn as an open bar (▷) up to its lower 95% CI bound where the source gives one,
to the width of the longest median shown otherwise, and says so, so that the best
result never looks like the worst.
"""

from rich.text import Text

from ..engine.advice import Advice

BAR_WIDTH = 24
NOT_REACHED = "▷"


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


def not_reached(value, text) -> bool:
    return value is None and bool(text) and "not reached" in text.lower()


def arm_bar(value, text, lower, scale: float, width: int) -> tuple:
    """(bar, words) for one arm: a solid bar for a median, an open one for a median not reached."""
    if not_reached(value, text):
        if lower is not None and scale:
            return NOT_REACHED * max(1, round(lower / scale * width)), f"not reached (95% CI from {lower:g})"
        return NOT_REACHED * width, "not reached (lower bound not stated)"
    return bar(value, scale, width=width) if value is not None else "", figure_text(value, text, "months" if scale else "")


def evidence_table(advice: Advice, width: int = 120) -> Text:
    from .words import hang

    pairs = rows(advice)
    text = Text()
    if not pairs:
        text.append("\nNo trial evidence in netadvisor's data for these candidates at this site and line.", style="dim")
        return text
    scale = scales(advice)
    bar_width = max(10, min(BAR_WIDTH, width - 36))
    text.append("\nEvidence: primary endpoint, this therapy █ vs control ░", style="bold")
    text.append(f" ({NOT_REACHED}: median not reached)\n", style="dim")
    last = None
    for c, e in pairs:
        if c.therapy != last:
            text.append(f"{c.name}\n", style="bold")
        last = c.therapy
        label = f"{e.trial}: {e.analysis} · {e.endpoint}" + (f" vs {e.comparator}" if e.comparator else "") + f" · {hr_text(e)}"
        text.append(hang(label, "  ", width, more=2) + "\n")
        for value, words, lower, style, char in ((e.treatment, e.treatment_text, _lower(e, "treatment"), "bold green", "█"),
                                                 (e.control, e.control_text, _lower(e, "control"), "dim", "░")):
            drawn, said = arm_bar(value, words, lower, scale.get(e.unit, 0), bar_width)
            if not not_reached(value, words):
                drawn = drawn.replace("█", char)
                said = figure_text(value, words, e.unit)
            text.append("    ")
            text.append(drawn, style=style)
            text.append(f" {said}\n")
    shown = {c.therapy for c, _ in pairs}
    without = [c.name for c in advice.candidates if c.intent == "antitumor" and c.therapy not in shown]
    if without:
        text.append(hang("No analysis in netadvisor's data for this site and line: " + " · ".join(without), "", width) + "\n", style="dim")
    text.rstrip()
    return text


def _lower(e, arm: str):
    """The lower 95% CI bound of an arm's median, where the figure carries one."""
    ci = getattr(e, f"{arm}_ci95", None)
    return ci[0] if ci else None
