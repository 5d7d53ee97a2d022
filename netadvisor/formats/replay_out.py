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


def _offered(d: dict) -> Text:
    offered = Text(d["detail"])
    later = "guideline-not-in-force" in d["warnings"]
    if d["top"] and d["classification"] != "concordant":
        offered.append(("\ntop by that later version: " if later else "\ntop then: ") + ", ".join(t["name"] for t in d["top"]), style="dim")
    if later:
        offered.append(f"\njudged by {d['guideline']}, not yet in force on {d['as_of']}", style="dim")
    return offered


WIDE = 110  # below this, each decision's detail is a paragraph under its row, at full width


def render_replay(case_id: str, decisions: list, out: Console) -> None:
    if out.width < WIDE:
        _replay_narrow(case_id, decisions, out)
    else:
        _replay_table(case_id, decisions, out)
    counts: dict = {}
    for d in decisions:
        counts[d["classification"]] = counts.get(d["classification"], 0) + 1
    out.print(", ".join(f"{n} {cls}" for cls, n in counts.items()) or "no history to replay", style="bold")
    out.print("Tumour facts are as the case records them; a fact that changed over time applies to every decision.", style="dim")


def _replay_narrow(case_id: str, decisions: list, out: Console) -> None:
    """One line per decision (number, start, the choice in full, the judgement), its detail hanging below."""
    from .words import hang

    out.print(f"Replay: {terminal(case_id)}", style="bold")
    chosen = max((len(d["name"]) for d in decisions), default=6)
    for d in decisions:
        head = Text(f"{d['decision']:>3}  {d['start']:<11} ")
        head.append(f"{d['name']:<{chosen}}", style="bold")
        head.append("  ")
        head.append_text(_label(d).split("\n")[0] if d["code"] else _label(d))
        if d["code"]:
            head.append(f" ({d['code']})", style="dim")
        out.print(head, soft_wrap=True)
        for i, line in enumerate(_offered(d).split("\n")):
            out.print(Text(hang(line.plain, "     ", out.width, more=2), style=line.style or ("" if i == 0 else "dim")), soft_wrap=True)


def _replay_table(case_id: str, decisions: list, out: Console) -> None:
    table = Table(box=box.SIMPLE_HEAD, title=f"Replay: {terminal(case_id)}", title_justify="left", title_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Started", no_wrap=True)
    # the chosen therapy is what a reader scans for: never wrapped or cut
    table.add_column("Chosen", no_wrap=True, min_width=max((len(d["name"]) for d in decisions), default=6))
    table.add_column("Judged as", no_wrap=True)
    table.add_column("What the guideline offers at the decision date", ratio=5, overflow="fold")
    for d in decisions:
        table.add_row(str(d["decision"]), d["start"], d["name"], _label(d), _offered(d))
    out.print(table)


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
        table = Table(box=None, title=f"By {dimension}", title_justify="left", header_style="bold underline")
        table.add_column(dimension, no_wrap=True, min_width=max((len(str(k)) for k in keys), default=len(dimension)))
        for name in ("total", "assessable", "on guideline", "first choice", "deviations"):  # headers wrap at spaces only
            table.add_column(name, justify="right", min_width=max(len(word) for word in name.split()))
        for key, r in keys.items():
            table.add_row(key, str(r["decisions"]), str(r["assessable"]), _rate(r["on_guideline_rate"]),
                          _rate(r["top_choice_rate"]), str(r["deviation"]))
        out.print(table)
    for title, counts in (("Deviations by code", data["deviations"]), ("Most common off-guideline choices", data["off_guideline_choices"]),
                          ("Not assessable, by missing fact", data["not_assessable"])):
        if counts:
            table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
            table.add_column("code" if "code" in title or "fact" in title else "therapy", no_wrap=True)
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
