"""Text rendering of `explain`, `therapies` and `recommendations` (JSON prints the dicts)."""

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

_EVENT_SHORT = {"palmar-plantar-erythrodysesthesia": "PPE", "venous-thromboembolism": "VTE", "any": "any event"}


class _Doc:
    """A document of headed sections, with sources collected into numbered references."""

    def __init__(self, width: int = 80):
        self.text = Text()
        self.refs: list = []
        self.width = width

    def ref(self, citations) -> str:
        marks = []
        for c in citations:
            if c not in self.refs:
                self.refs.append(c)
            marks.append(str(self.refs.index(c) + 1))
        return f" [{', '.join(marks)}]" if marks else ""

    def heading(self, title: str):
        self.text.append(f"\n{title}\n", style="bold underline")

    def line(self, body: str, indent: int = 2, style: str = ""):
        """A line of the document; one too long for the terminal wraps under its own text (a hanging indent)."""
        from .words import hang

        self.text.append(hang(body, " " * indent, self.width - 1, more=2) + "\n", style=style)

    def sources(self):
        if self.refs:
            self.heading("Sources")
            for i, c in enumerate(self.refs, start=1):
                self.line(f"[{i}] {c}")


def _value(value, text, ci, unit) -> str:
    if value is None:
        return text or "not stated"
    shown = f"{value:g}{'%' if unit == 'percent' else ''}"
    if ci:
        low, high = ci
        shown += f" ({'NE' if low is None else f'{low:g}'}–{'NE' if high is None else f'{high:g}'})"
    return shown


def endpoint_line(e: dict) -> str:
    """'PFS (primary): 13.8 (9.2–18.5) vs 4.4 (3.0–5.9) months; HR 0.23 (0.12–0.42); p <.001'"""
    unit = e["unit"]
    shown = _value(e.get("treatment"), e.get("treatment_text"), e.get("treatment_ci95"), unit)
    if "control" in e or "control_text" in e:
        shown += " vs " + _value(e.get("control"), e.get("control_text"), e.get("control_ci95"), unit)
    if unit == "months" and (e.get("treatment") is not None or e.get("control") is not None):
        shown += " months"
    parts = [f"{e['name']} ({e['role']}): {shown}" if e["role"] != "other" else f"{e['name']}: {shown}"]
    if e.get("hr") is not None:
        ci = e.get("hr_ci95")
        parts.append(f"HR {e['hr']:g}" + (f" ({ci[0]:g}–{ci[1]:g})" if ci and None not in ci else ""))
    if e.get("p"):
        parts.append(f"p {e['p']}")
    return "; ".join(parts) + (f" — {e['note']}" if e.get("note") else "")


def _trial(doc: _Doc, t: dict):
    n = f", n={t['n']}" if t.get("n") else ""
    doc.line(f"{t['trial']} — {t['analysis']}{n}{doc.ref(t['citations'])}", style="bold")
    doc.line(t["population"], indent=4)
    if t.get("design"):
        doc.line(t["design"], indent=4, style="dim")
    for arm in t["arms"]:
        doc.line(f"{arm['role']}: {arm['label']}" + (f" (n={arm['n']})" if arm.get("n") is not None else ""), indent=4, style="dim")
    for e in t["endpoints"]:
        doc.line(endpoint_line(e), indent=4)
    for s in t["subgroups"]:
        ci = s.get("hr_ci95")
        doc.line(
            f"subgroup {s['factor']} = {s['level']}: events {s.get('treatment_events')}/{s.get('treatment_n')} vs "
            f"{s.get('control_events')}/{s.get('control_n')}, HR {s['hr']:g}" + (f" ({ci[0]:g}–{ci[1]:g})" if ci else ""),
            indent=6,
        )
    for r in t["responses"]:
        doc.line(
            f"{r['response']}: {r.get('treatment_n')} ({r.get('treatment_percent', 0):g}%) vs "
            f"{r.get('control_n')} ({r.get('control_percent', 0):g}%)",
            indent=6,
        )
    if t.get("notes"):
        doc.line(t["notes"], indent=4, style="dim")


ORIGIN = {"stated": "", "default": " (NCCN default: listed without a category)", None: ""}


def _category(p: dict) -> str:
    if p.get("level"):  # a body with its own marks: [II, B], A-1b
        return f"level {p['level']}"
    if p["category"]:
        return f"category {p['category']}{ORIGIN[p['category_origin']]}"
    if p["basis"] != "guideline":
        return "category not stated (outside the guideline's tables)"
    return "category not stated" + ("" if p.get("in_table", True) else " (this version's own listing was not read)")


def _versions(doc: _Doc, versions: list):
    doc.heading("By version")
    for v in versions:
        until = f" to {v['until']}" if v["until"] else ", in force now"
        doc.line(f"{v['source']} (effective {v['effective']}{until})", style="bold")
        for p in v["placements"]:
            tier = (p["preference"] or "tier not stated").replace("-", " ")
            rules = "".join(f"; {r['text']}" for r in p["category_rules"])
            doc.line(f"{p['site_group_name']}, {p['id']} ({p['intent']}): {tier}, {_category(p)}{rules}", indent=4)
        for n in v["not_recommended"]:
            doc.line(f"{n['site_group']}: not offered — {n['text']}", indent=4, style="dim")
        if not v["placements"] and not v["not_recommended"]:
            doc.line("not listed in netadvisor's data for this version", indent=4, style="dim")


def _placement(doc: _Doc, p: dict):
    category = _category(p)
    preference = (p["preference"] or "not stated").replace("-", " ")
    doc.line(f"{p['site_group_name']} — {p['id']}: {p['intent']}, {category}, preference {preference}, "
             f"basis {p['basis']}{doc.ref(p['citations'])}", style="bold")
    for r in p["category_rules"]:
        doc.line(f"category {r['category']} when {r['when']}{doc.ref(r['citations'])}", indent=4)
    for r in p["requires"]:
        doc.line(f"requires {r['text']}" + (f" ({r['when']})" if "when" in r else "") + f"; unknown: {r['if_unknown']}{doc.ref(r['citations'])}", indent=4)
    for r in p["excluded_if"]:
        doc.line(f"excluded when {r['text']}{doc.ref(r['citations'])}", indent=4)
    if p.get("notes"):
        doc.line(p["notes"], indent=4, style="dim")
    if p.get("quote"):
        doc.line(f"“{p['quote']}”", indent=4, style="italic")
    if p.get("translation"):
        doc.line(f"as a secondary source paraphrases it, in netadvisor's translation: {p['translation']}", indent=4, style="dim")


def render_explain(report: dict, console: Console):
    doc = _Doc(console.width)
    if report["kind"] == "therapy":
        doc.text.append(f"{report['name']} ({report['id']})", style="bold")
        doc.text.append(f" — {report['class_name']}, {', '.join(report['routes'])}\n")
        if report["aliases"]:
            doc.line("also called: " + ", ".join(report["aliases"]), indent=0, style="dim")
        g = report["guideline"]
        doc.heading(f"Where {g['source']} places it")
        for p in report["placements"]:
            _placement(doc, p)
        for n in report["not_recommended"]:
            doc.line(f"{n['site_group_name']}: not recommended — {n['text']}{doc.ref(n['citations'])}", style="bold")
        if not report["placements"] and not report["not_recommended"]:
            doc.line("not placed by this guideline in netadvisor's data", style="dim")
        _versions(doc, report["versions"])
        label = report["label"]
        doc.heading("FDA label")
        doc.line(f"indication: {label['indication'] or 'not stated in netadvisor sources'}{doc.ref(label['citations'])}")
        for a in label["approvals"]:
            doc.line(f"approved {a['date']}: {a['indication']}{doc.ref(a['citations'])}")
        for r in label["limits"]:
            doc.line(f"limit: {r['text']} — {r['if_false']}; unknown: {r['if_unknown']}{doc.ref(r['citations'])}")
        for r in label["cautions"]:
            doc.line(f"caution: {r['text']}" + (f" (when {r['when']})" if "when" in r else "") + doc.ref(r["citations"]))
        doc.heading("Trials")
        for t in report["trials"]:
            _trial(doc, t)
        for t in report["comparator_in"]:
            doc.line(f"as comparator in {t['trial']}:", style="dim")
            _trial(doc, t)
        if not report["trials"] and not report["comparator_in"]:
            doc.line("no trial figures in netadvisor's data", style="dim")
        doc.heading("Key toxicities")
        for cohort in ("pnet", "epnet", "all"):
            rates = [r for r in report["toxicities"] if r["cohort"] == cohort]
            if rates:
                label = {"pnet": "pNET cohort", "epnet": "epNET cohort", "all": "all cohorts"}[cohort]
                for r in rates:
                    value = f"{r['percent']:g}%" if r["percent"] is not None else "rate not stated"
                    event = _EVENT_SHORT.get(r["event"], r["event"].replace("-", " "))
                    doc.line(f"{label}: {event} {value} (grade {r['grades']}; {r['population']}){doc.ref(r['citations'])}")
        if not report["toxicities"]:
            doc.line("none stated in netadvisor's sources", style="dim")
        if report.get("notes"):
            doc.heading("Notes")
            doc.line(report["notes"])
    else:
        doc.text.append(f"{report['id']}", style="bold")
        doc.text.append(f" — {report['name']} for {report['site_group_name']} ({report['guideline']})\n")
        doc.heading("Recommendation")
        _placement(doc, report)
        for r in report["label_limits"]:
            doc.line(f"label limit: {r['text']} — {r['if_false']}{doc.ref(r['citations'])}", indent=4)
        doc.heading("Trials for this site group")
        for t in report["trials"]:
            _trial(doc, t)
        if not report["trials"]:
            doc.line("no trial figures for this site group and intent", style="dim")
    doc.sources()
    console.print(doc.text)


def _id_column(table: Table, name: str, values) -> None:
    """The column a reader looks things up by: never wrapped, never cut; the other columns give way."""
    table.add_column(name, no_wrap=True, min_width=max((len(v) for v in values), default=len(name)))


def render_therapies(rows: list, console: Console):
    table = Table(box=box.SIMPLE_HEAD, title="Therapy catalogue", title_justify="left")
    _id_column(table, "id", [r["id"] for r in rows])
    for name in ("name, class, routes", "site groups", "FDA approvals (NET)"):
        table.add_column(name, overflow="fold", min_width=12)
    for r in rows:
        table.add_row(r["id"], f"{r['name']} · {r['class']} · {', '.join(r['routes'])}", ", ".join(r["site_groups"]) or "—",
                      "\n".join(r["approved"]) or "—")
    console.print(table)


def render_recommendations(rows: list, console: Console):
    table = Table(box=box.SIMPLE_HEAD, title="Recommendations", title_justify="left", show_lines=True)
    _id_column(table, "id", [r["id"] for r in rows])
    for name in ("site group, intent", "category, preference", "conditions"):
        table.add_column(name, overflow="fold", min_width=10 if name != "conditions" else 14)
    for r in rows:
        conditions = [f"requires {x['text']}" for x in r["requires"]]
        conditions += [f"category {x['category']} when {x['when']}" for x in r["category_rules"]]
        table.add_row(r["id"], f"{r['site_group']}, {r['intent']}",
                      f"{r['category'] or 'not stated'}, {(r['preference'] or 'not stated').replace('-', ' ')}", "\n".join(conditions) or "—")
    console.print(table)
