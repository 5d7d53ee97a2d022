"""A self-contained HTML report for a tumour board: case, timeline, candidates,
exclusions, evidence chart (inline SVG), warnings and numbered sources.

No scripts, fonts or images from the network: one file that opens anywhere.
"""

from ..base.escape import html as escape  # html.escape on characters XML and HTML allow
from ..engine.advice import DISCLAIMER, Advice
from . import words
from .chart import arm_bar, figure_text, hr_text, not_reached, rows, scales

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2329;margin:2em auto;max-width:1100px;padding:0 1.5em}
dl.panel{display:grid;grid-template-columns:8.5em 1fr;gap:.25em 1em;margin:.6em 0;padding:.7em 1em;border:1px solid #d8dee4;border-radius:6px}
dl.panel dt{font-weight:700}dl.panel dd{margin:0}.unstated{color:#9a6700}ul.warnings{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5em .9em .5em 2em}
li.main{font-weight:600}.cat{white-space:nowrap}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;border-bottom:2px solid #d8dee4;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#57606a}.disclaimer{background:#fff8c5;border:1px solid #d4a72c;padding:.6em .9em;border-radius:6px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #d8dee4;padding:.35em .5em;vertical-align:top;text-align:left}
th{background:#f6f8fa}ul{margin:0;padding-left:1.1em}.warn{color:#9a6700}.dim{color:#57606a;font-size:.9em}
.rank{font-weight:700;text-align:center}.scope{background:#ffebe9;border:1px solid #cf222e;padding:.6em .9em;border-radius:6px}
sup a{text-decoration:none}ol.sources li{margin-bottom:.3em}svg text{font:12px system-ui,Arial,sans-serif}
@page{margin:12mm 11mm}
@media print{
body{font-size:8.5pt;line-height:1.25;margin:0;max-width:none;padding:0}ol.sources{columns:2;column-gap:2em;font-size:7.5pt}
ol.sources li{margin-bottom:.1em}ul{padding-left:1em}h1{font-size:14pt}h2{font-size:11pt;margin-top:1em;break-after:avoid}
thead{display:table-header-group}tr,li,dl.panel,ul.warnings,.disclaimer,svg,section.keep{break-inside:avoid}
section{break-inside:auto}section+section{break-before:auto}h2+*{break-before:avoid}a{color:inherit;text-decoration:none}
th,td{padding:.2em .35em}.dim{font-size:.85em}
}
"""


class _Refs:
    """Citations numbered in order of first use; marks take source ids or citation texts."""

    def __init__(self, advice: Advice):
        self.items: list = []
        self.texts = advice.sources

    def mark(self, sources) -> str:
        marks = []
        for c in dict.fromkeys(self.texts.get(s, s) for s in sources):
            if c not in self.items:
                self.items.append(c)
            n = self.items.index(c) + 1
            marks.append(f'<a href="#src-{n}">{n}</a>')
        return f"<sup>[{', '.join(marks)}]</sup>" if marks else ""


def _ul(items) -> str:
    items = list(items)
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else '<span class="dim">none</span>'


def _chart(advice: Advice, refs: _Refs) -> str:
    """The evidence as an inline SVG: per analysis, its label in full on one line, then a bar per arm;
    a median not reached is an open bar (to its lower CI bound where the source gives one)."""
    pairs = rows(advice)
    if not pairs:
        return '<p class="dim">No trial evidence in netadvisor\'s data for these candidates at this site and line.</p>'
    scale = scales(advice)
    bar_w, row_h = 560, 62
    height = row_h * len(pairs) + 24
    parts = [f'<svg role="img" aria-label="Evidence chart" width="100%" viewBox="0 0 820 {height}" xmlns="http://www.w3.org/2000/svg">']
    parts.append('<text x="0" y="14" fill="#57606a">primary endpoint: this therapy (dark) vs control (light); open bar: median not reached</text>')
    for i, (c, e) in enumerate(pairs):
        y = 24 + i * row_h
        label = f"{e.trial}: {e.analysis} ({e.endpoint}) · {hr_text(e)}"
        parts.append(f'<text x="0" y="{y + 14}"><tspan font-weight="700">{escape(c.name)}</tspan> · {escape(label)}</text>')
        for j, (value, text, lower, colour) in enumerate(((e.treatment, e.treatment_text, (e.treatment_ci95 or (None,))[0], "#0969da"),
                                                          (e.control, e.control_text, (e.control_ci95 or (None,))[0], "#afb8c1"))):
            top = y + 20 + j * 18
            drawn, said = arm_bar(value, text, lower, scale.get(e.unit, 0), bar_w)
            width = len(drawn) if not_reached(value, text) else (value / scale[e.unit] * bar_w if value is not None and scale.get(e.unit) else 0)
            said = said if not_reached(value, text) else figure_text(value, text, e.unit)
            style = f'fill="none" stroke="{colour}" stroke-dasharray="4 2"' if not_reached(value, text) else f'fill="{colour}"'
            parts.append(f'<rect x="0" y="{top}" width="{width:.1f}" height="14" {style}/>')
            parts.append(f'<text x="{width + 6:.1f}" y="{top + 12}">{escape(said)}</text>')
    parts.append("</svg>")
    cited = refs.mark(tuple(s for _, e in pairs for s in e.sources))
    return "".join(parts) + f'<p class="dim">Figures as their sources report them{cited}.</p>'


def _cohort(advice: Advice) -> str:
    return "pNET" if advice.summary.get("site_group") == "pancreas" else "epNET"


def _panel(advice: Advice, refs: _Refs) -> str:
    """The case as a board reads it: tumour, biology, patient, wishes, history with doses and notes, step, context."""
    rows = [("Tumour", escape(words.tumour_line(advice)))]
    rows += [(label, escape(text)) for label, text in words.panel_rows(advice)]
    if words.wishes(advice):
        rows.append(("Wishes", escape(words.wishes(advice))))
    timeline = words.timeline(advice)
    if not timeline:
        rows.append(("History", '<span class="dim">' + ("not stated" if advice.summary.get("prior_lines") is None else "none") + "</span>"))
    if advice.step:
        rows.append(("Algorithm step", escape(advice.step.text) + refs.mark(advice.step.sources)))
    rows += [("Context", escape(note.text) + refs.mark(note.sources)) for note in advice.context]
    if words.not_stated(advice):
        rows.append(("Not stated", f'<span class="unstated">{escape("; ".join(words.not_stated(advice)))}</span>'))
    panel = '<dl class="panel">' + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows) + "</dl>"
    if timeline:
        history = "".join(
            f'<tr><td class="cat">{escape(w)}</td><td>{escape(t)}</td><td>{escape(o)}</td><td>{escape(d)}</td></tr>' for w, t, o, d in timeline
        )
        panel += ('<table class="history"><colgroup><col style="width:15%"><col style="width:23%"><col style="width:24%"><col></colgroup>'
                  "<thead><tr><th>When</th><th>Therapy</th><th>Outcome</th><th>Dose and notes</th></tr></thead>"
                  f"<tbody>{history}</tbody></table>")
    return panel


def _candidate_row(c, refs: _Refs) -> str:
    main = words.main_caution(c)
    # an unstated fact is named once, in the panel's "Not stated" row, with the candidates it concerns
    ordered = ([main] if main else []) + [x for x in c.cautions if x is not main and not words.is_unknown_caution(x)]
    cautions = [
        (f'<span class="warn">⚠ {escape(x.text)}</span>' if x.severity == "warning" else escape(x.text)) + refs.mark(x.sources)
        for x in ordered
    ]
    # the guideline that lists it is named once, above the table; a listing on another basis says so here
    basis = [] if c.basis == "guideline" else [escape(words.basis(c)) + refs.mark(words.basis_sources(c) or c.citations)]
    reasons = basis + [f"<i>Why here:</i> {escape(words.rank_line(c))}"] + [
        escape(r.text) + refs.mark(r.sources) for r in c.reasons if r.code not in words.HIDDEN_REASONS
    ]
    toxicities = ", ".join(escape(line) for line in words.toxicity_lines(c, limit=6))
    toxicities += refs.mark(tuple(s for t in c.toxicities for s in t.sources)) if c.toxicities else ""
    listed = ('<ul><li class="main">' + "</li><li>".join(cautions) + "</li></ul>") if cautions else '<span class="dim">none</span>'
    return (
        f'<tr><td class="rank">{c.rank}</td><td><b>{escape(c.name)}</b><br><span class="cat">{escape(words.category_preference(c))}</span>'
        f'{refs.mark(words.basis_sources(c) or c.citations) if c.basis == "guideline" else ""}'
        f'<br><span class="dim">{escape(c.recommendation)} · {escape(c.intent)}</span></td>'
        f"<td>{_ul(reasons)}<p class=\"dim\">Toxicities: {toxicities}</p></td>"
        f"<td>{listed}</td></tr>"
    )


def render(advice: Advice, generated_at: str) -> str:
    refs = _Refs(advice)
    g = advice.guideline
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>netadvisor report: {escape(advice.case_id)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>netadvisor report: {escape(advice.case_id)}</h1>",
        f'<p class="meta">Decision as of {advice.as_of} · {escape(g.source)} ({escape(g.id)} {escape(g.version)}, '
        f"effective {escape(g.effective_shown)}) · data sha256 {g.digest[:12]} · generated {escape(generated_at)}</p>",
        f'<p class="disclaimer">{escape(DISCLAIMER)}</p>',
        '<section class="keep"><h2>Patient and tumour</h2>',
        _panel(advice, refs),
        "</section>",
    ]
    if advice.warnings:  # case-level: before the candidates
        out.append('<section class="keep"><h2>Warnings</h2><ul class="warnings">')
        out += [f"<li>{escape(w.text)}{refs.mark(w.sources)}</li>" for w in advice.warnings]
        out.append("</ul></section>")
    if advice.scope:
        out.append(f'<p class="scope"><b>Out of scope:</b> {escape(advice.scope.text)}{refs.mark(advice.scope.sources)}</p>')
    out.append("<section><h2>Candidates</h2>")
    if advice.candidates:
        out.append(f'<p class="dim">Ranked; listed by {escape(advice.guideline.source)} unless a row says otherwise. '
                   f"Toxicity: {_cohort(advice)} cohort, grade ≥3 rates unless marked. "
                   "The first caution of each row is the one that matters most (it moved the candidate down, or warns).</p>")
        out.append('<table><colgroup><col style="width:3%"><col style="width:17%"><col style="width:45%"><col></colgroup>'
                   "<thead><tr><th>#</th><th>Candidate</th><th>Why, and grade ≥3 toxicities</th>"
                   "<th>Cautions for this patient</th></tr></thead><tbody>")
        out += [_candidate_row(c, refs) for c in advice.candidates]
        out.append("</tbody></table>")
    else:
        out.append('<p class="dim">No candidate therapies.</p>')
    out.append("</section>")
    if advice.comparison is not None:  # --compare: the other bodies beside the chosen one
        from .as_compare import html

        out.append(html(advice, refs.mark))
    out.append('<section class="keep"><h2>Evidence</h2>')
    out.append(_chart(advice, refs))
    out.append("</section><section><h2>Excluded</h2>")
    if advice.excluded:
        out.append("<table><thead><tr><th>Therapy</th><th>Why not</th></tr></thead><tbody>")
        for e in advice.excluded:
            reasons = [escape(r.text) + refs.mark(r.sources) for r in e.reasons]
            out.append(f"<tr><td><b>{escape(e.name)}</b></td><td>{_ul(reasons)}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append('<p class="dim">None.</p>')
    out.append("</section><section><h2>Sources</h2><ol class=\"sources\">")
    out += [f'<li id="src-{i}">{escape(c)}</li>' for i, c in enumerate(refs.items, start=1)]
    out.append("</ol></section>")
    out.append(f'<p class="disclaimer">{escape(DISCLAIMER)}</p>')
    out.append(f'<p class="meta">netadvisor · {escape(g.source)} · generated {escape(generated_at)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
