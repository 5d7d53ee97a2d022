"""Terminal views of `replay` (a timeline) and `audit` (concordance tables)."""

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..base.escape import terminal
from .batch_out import skipped_text

STYLE = {"concordant": "green", "concordant-not-top": "green", "deviation": "yellow", "not-assessable": "dim"}


def _label(d: dict) -> Text:
    text = Text(d["classification"], style=STYLE[d["classification"]])
    if d["code"]:
        text.append(f"\n{d['code']}", style="dim" if d["classification"] != "deviation" else "bold yellow")
    return text


def render_replay(case_id: str, decisions: list, out: Console) -> None:
    table = Table(box=box.SIMPLE_HEAD, title=f"Replay: {terminal(case_id)}", title_justify="left", title_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Started", no_wrap=True)
    table.add_column("Chosen", ratio=2)
    table.add_column("Judged as", no_wrap=True)
    table.add_column("What the guideline offers at the decision date", ratio=5)
    for d in decisions:
        offered = Text(d["detail"])
        later = "guideline-not-in-force" in d["warnings"]
        if d["top"] and d["classification"] != "concordant":
            offered.append(("\ntop by that later version: " if later else "\ntop then: ") + ", ".join(t["name"] for t in d["top"]), style="dim")
        if later:
            offered.append(f"\njudged by {d['guideline']}, not yet in force on {d['as_of']}", style="dim")
        table.add_row(str(d["decision"]), d["start"], d["name"], _label(d), offered)
    out.print(table)
    counts: dict = {}
    for d in decisions:
        counts[d["classification"]] = counts.get(d["classification"], 0) + 1
    out.print(", ".join(f"{n} {cls}" for cls, n in counts.items()) or "no history to replay", style="bold")
    out.print("Tumour facts are as the case records them; a fact that changed over time applies to every decision.", style="dim")


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def render_audit(data: dict, out: Console) -> None:
    overall = data["overall"]
    out.print(
        f"{data['cases']} cases, {overall['decisions']} decisions: {overall['assessable']} assessable, "
        f"on guideline {_rate(overall['on_guideline_rate'])} (first choice {_rate(overall['top_choice_rate'])}); "
        f"{data['unreadable']} cases unreadable",
        style="bold",
    )
    for dimension, keys in data["by"].items():
        table = Table(box=box.SIMPLE_HEAD, title=f"By {dimension}", title_justify="left")
        for name in (dimension, "decisions", "assessable", "on guideline", "first choice", "deviations"):
            table.add_column(name, justify="left" if name == dimension else "right")
        for key, r in keys.items():
            table.add_row(key, str(r["decisions"]), str(r["assessable"]), _rate(r["on_guideline_rate"]),
                          _rate(r["top_choice_rate"]), str(r["deviation"]))
        out.print(table)
    for title, counts in (("Deviations by code", data["deviations"]), ("Most common off-guideline choices", data["off_guideline_choices"]),
                          ("Not assessable, by missing fact", data["not_assessable"])):
        if counts:
            table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
            table.add_column("code" if "code" in title or "fact" in title else "therapy")
            table.add_column("decisions", justify="right")
            for key, n in list(counts.items())[:15]:
                table.add_row(str(key), str(n))
            out.print(table)
    for d in data.get("duplicates", ()):
        text = f"not counted twice: {terminal(d['skipped'])} has the case id '{terminal(d['case_id'])}' of {terminal(d['kept'])}"
        out.print(Text(text, style="yellow"))
    for record in data["errors"]:
        source = record["source"]
        where = terminal(source["file"]) + (f":{source['line']}" if source["line"] else "")
        out.print(f"could not read {where}: " + terminal("; ".join(p["message"] for p in record["problems"])), style="red")
    if data["unreadable"] > len(data["errors"]):
        out.print(f"... and {data['unreadable'] - len(data['errors']):,} more; by kind of problem:", style="red")
        for kind, n in data["errors_by_kind"].items():
            out.print(f"  {n:,}  {terminal(kind)}", style="red")
    if data["skipped"]:
        out.print(skipped_text(data["skipped"]), style="dim")
