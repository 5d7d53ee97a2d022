"""Checks of guideline data beyond its schema, for maintainers and their CI.

Loading already refuses what would make the engine wrong (unknown ids, bad
conditions, missing sources on recommendations). Lint reports those as
findings instead of stopping, and adds the checks a reviewer would make:
uncited rules and figures, empty site groups, overlapping guideline versions,
names and rules defined but never used; and for every guideline body, that each
level is written in its body's scheme over the statement it grades, and that a
body read only in secondary sources says so.
"""

from pathlib import Path
from typing import NamedTuple

from ..base.errors import GuidelineError
from .library import Library, load_library


class Finding(NamedTuple):
    file: str
    path: str  # item and key, e.g. recommendations[pnet-cabozantinib].sources
    message: str
    severity: str  # error | warning
    code: str

    def __str__(self) -> str:
        """One line for the terminal, whatever the file's name holds."""
        from ..base.escape import terminal

        where = f"{self.file}: {self.path}: " if self.path else f"{self.file}: "
        return terminal(f"{where}{self.message} [{self.code}]")


def lint(folder: Path) -> list:
    """Every finding for a data folder (falling back to the shipped catalogue and sources)."""
    try:
        library = load_library(folder)
    except GuidelineError as exc:
        return [Finding(p.file, p.path, p.message, "error", "invalid") for p in exc.problems]
    return _deep(library)


def _deep(library: Library) -> list:
    findings: list = []
    add = lambda *args: findings.append(Finding(*args))  # noqa: E731
    catalogue = library.catalogue
    therapy_file = library.files.get("therapies", "therapies")
    for t in catalogue.therapies.values():
        where = f"therapies[{t.id}]"
        for kind, rules in (("limits", t.limits), ("cautions", t.cautions)):
            for rule in rules:
                if not rule.sources:
                    add(therapy_file, f"{where}.{kind}[{rule.code}]", "rule without a source", "error", "uncited-rule")
        for i, rate in enumerate(t.toxicities):
            if not rate.sources:
                add(therapy_file, f"{where}.toxicities[{i}]", f"{rate.event} figure without a source", "error", "uncited-figure")
        for i, approval in enumerate(t.approvals):
            if not approval.sources:
                add(therapy_file, f"{where}.approvals[{i}]", "approval date without a source", "error", "uncited-figure")
    cited = {s for t in catalogue.therapies.values() for s in t.sources}
    cited |= {s for t in catalogue.therapies.values() for r in (*t.limits, *t.cautions, *t.toxicities) for s in r.sources}
    cited |= {s for t in catalogue.therapies.values() for a in t.approvals for s in a.sources}
    cited |= {s for t in catalogue.therapies.values() for s in t.indication_sources}
    cited |= {s for r in catalogue.progression_rules for s in r.sources}
    cited |= {s for trial in library.evidence.trials for s in trial.sources}
    cited |= {s for table in library.evidence.survival for s in table.sources}
    bodies = library.bodies
    cited |= {s for scheme in bodies.schemes.values() for s in scheme.sources}
    cited |= {s for body in bodies.not_encoded for s in body.sources}

    by_id: dict = {}
    for g in library.guidelines:
        by_id.setdefault(g.id, []).append(g)
        rules = [*g.scope, *g.notices, *g.cautions, *g.factors, *((g.default_category,) if g.default_category else ())]
        for step in g.steps:
            if not step.sources:
                add(g.file, f"algorithm[{step.id}]", "algorithm step without a source", "error", "uncited-rule")
            cited |= set(step.sources)
        for rec in g.recommendations:
            rules += [*rec.requires, *rec.excluded_if, *rec.category_rules, *rec.cautions]
            if not rec.sources:
                add(g.file, f"recommendations[{rec.id}].sources", "recommendation without a citation", "error", "uncited-recommendation")
            if rec.level and not (rec.quote or rec.carrier_wording):
                add(g.file, f"recommendations[{rec.id}].level", f"level {rec.level} without the statement it grades (quote or carrier_wording)",
                    "error", "level-without-statement")
            cited |= set(rec.sources)
        secondary = [s for s in g.sources if s in library.sources and library.sources[s].reliability == "secondary"]
        if secondary and not g.secondary:
            add(g.file, "secondary", f"read in secondary sources ({', '.join(secondary)}) but not marked `secondary: true`",
                "error", "secondary-not-said")
        for rule in rules:
            if not rule.sources:
                add(g.file, f"rule {rule.code}", "rule without a source", "error", "uncited-rule")
            cited |= set(rule.sources)
        cited |= {s for n in g.not_recommended for s in n.sources} | set(g.sources)
        for group in g.site_groups:
            if not any(r.site_group == group.id for r in g.recommendations):
                add(g.file, f"site_groups[{group.id}]", "site group with no recommendation", "error", "empty-site-group")
        unconditional: set = set()  # (therapy, group, intent) of recommendations that always apply
        for rec in g.recommendations:
            key = (rec.therapy, rec.site_group, rec.intent)
            if key in unconditional:
                add(g.file, f"recommendations[{rec.id}]", f"a second {rec.intent} recommendation of {rec.therapy} for {rec.site_group} after one without requirements; only the first can apply", "error", "shadowed-recommendation")
            if not rec.requires and not rec.excluded_if:
                unconditional.add(key)
            if any(n.therapy == rec.therapy and n.site_group == rec.site_group for n in g.not_recommended):
                add(g.file, f"recommendations[{rec.id}]", f"{rec.therapy} is both recommended and not recommended for {rec.site_group}", "error", "contradiction")
    for gid, versions in by_id.items():
        versions.sort(key=lambda g: g.effective)
        for older, newer in zip(versions, versions[1:]):
            if older.version == newer.version:
                add(newer.file, "version", f"{gid} {newer.version} is defined twice (also in {older.file})", "error", "duplicate-version")
            elif older.effective == newer.effective:
                add(newer.file, "effective", f"{gid} {older.version} and {newer.version} take effect on the same day", "error", "overlapping-dates")
            elif older.until is not None and older.until > newer.effective:
                add(older.file, "until", f"{gid} {older.version} runs until {older.until}, after {newer.version} took effect on {newer.effective}", "error", "overlapping-dates")
    for sid in sorted(set(library.sources) - cited):
        add(library.files.get("sources", "sources"), f"sources[{sid}]", "source that nothing cites", "warning", "unused-source")
    return findings

