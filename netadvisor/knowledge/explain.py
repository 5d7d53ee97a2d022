"""What netadvisor knows about a therapy or a recommendation, as plain data.

`netadvisor explain`, `therapies` and `recommendations` render these dicts as
text or JSON; everything comes from the same data the engine applies.
"""

from ..base import vocab
from ..base.errors import UsageError, did_you_mean
from ..base.fields import alias_key, vocab_key
from .evidence import Trial
from .library import Library
from .models import Guideline, Recommendation, Rule, display_names

RULE_EFFECT = {"exclude": "otherwise excluded", "caution": "otherwise a caution (off-label)"}


def listed_category(guideline: Guideline, rec: Recommendation) -> tuple:
    """(category, origin) as the version lists the option, before any case's category rule:
    stated, NCCN's default 2A, or not stated (None, None)."""
    if rec.category:
        return rec.category, "stated"
    default = guideline.default_category
    if default and rec.basis == "guideline" and rec.in_table:
        return default.category, "default"
    return None, None


class Explainer:
    def __init__(self, library: Library, guideline: Guideline):
        self.library = library
        self.guideline = guideline
        self.catalogue = library.catalogue
        self.names = display_names(self.catalogue, guideline)
        self.groups = {g.id: g for g in guideline.site_groups}

    def cite(self, ids) -> list:
        return [self.library.sources[i].citation for i in ids]

    def find(self, query: str) -> tuple:
        """('therapy', id) or ('recommendation', Recommendation), else a UsageError with suggestions."""
        by_id = {r.id: r for r in self.guideline.recommendations}
        if query in by_id:
            return "recommendation", by_id[query]
        try:
            return "therapy", self.catalogue.resolve(query)
        except ValueError:
            known = list(self.catalogue.therapies) + list(by_id)
            raise UsageError(
                f"unknown therapy or recommendation '{query}'{did_you_mean(query, known)}; "
                "`netadvisor therapies` and `netadvisor recommendations` list them"
            ) from None

    # -- pieces ------------------------------------------------------------------

    def rule(self, rule: Rule, *, requirement: bool = False) -> dict:
        out = {"code": rule.code, "text": rule.text}
        if rule.cond is not None:
            out["when"] = rule.cond.describe(self.names)
        if requirement:
            out["if_false"] = RULE_EFFECT[rule.if_false]
            out["if_unknown"] = {"exclude": "excluded until known", "caution": "a caution", "ignore": "ignored"}[rule.if_unknown]
        if rule.settle:
            out["settle"] = rule.settle
        if rule.category:
            out["category"] = rule.category
        out["citations"] = self.cite(rule.sources)
        return out

    def trial(self, trial: Trial) -> dict:
        return {
            "id": trial.id,
            "trial": trial.trial,
            "analysis": trial.analysis,
            "population": trial.population,
            "design": trial.design,
            "n": trial.n,
            "comparator": trial.comparator,
            "arms": [dict(a) for a in trial.arms],
            "endpoints": [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in e._asdict().items() if v is not None}
                for e in trial.endpoints
            ],
            "subgroups": [dict(s) for s in trial.subgroups],
            "responses": [dict(r) for r in trial.responses],
            "sites": sorted(trial.sites),
            "notes": trial.notes,
            "citations": self.cite(trial.sources),
        }

    def recommendation(self, rec: Recommendation) -> dict:
        therapy = self.catalogue.therapies[rec.therapy]
        return {
            "id": rec.id,
            "therapy": rec.therapy,
            "name": therapy.name,
            "guideline": f"{self.guideline.id} {self.guideline.version}",
            "site_group": rec.site_group,
            "site_group_name": self.groups[rec.site_group].name,
            "sites": list(self.groups[rec.site_group].sites),
            "intent": rec.intent,
            "category": listed_category(self.guideline, rec)[0],
            "category_origin": listed_category(self.guideline, rec)[1],
            "preference": rec.preference,
            "basis": rec.basis,
            "in_table": rec.in_table,
            "requires": [self.rule(r, requirement=True) for r in rec.requires],
            "label_limits": [self.rule(r, requirement=True) for r in therapy.limits],
            "excluded_if": [self.rule(r) for r in rec.excluded_if],
            "category_rules": [self.rule(r) for r in rec.category_rules],
            "cautions": [self.rule(r) for r in rec.cautions],
            "notes": rec.notes,
            "quote": rec.quote,
            "level": rec.level,
            "wording": rec.wording,
            "carrier_wording": rec.carrier_wording,
            "translation": rec.translation,
            "citations": self.cite(rec.sources),
        }

    # -- reports -------------------------------------------------------------------

    def therapy(self, therapy_id: str) -> dict:
        t = self.catalogue.therapies[therapy_id]
        recs = [r for r in self.guideline.recommendations if r.therapy == therapy_id]
        return {
            "kind": "therapy",
            "id": t.id,
            "name": t.name,
            "aliases": list(t.aliases),
            "class": t.cls,
            "class_name": self.catalogue.classes[t.cls].name,
            "routes": list(t.routes),
            "guideline": {"id": self.guideline.id, "version": self.guideline.version, "source": self.guideline.source},
            "placements": [self.recommendation(r) for r in recs],
            "not_recommended": [
                {"site_group": n.site_group, "site_group_name": self.groups[n.site_group].name, "code": n.code,
                 "text": n.text, "citations": self.cite(n.sources)}
                for n in self.guideline.not_recommended if n.therapy == therapy_id
            ],
            "label": {
                "indication": t.indication,
                "citations": self.cite(t.indication_sources),
                "approvals": [
                    {"indication": a.indication, "date": str(a.date), "citations": self.cite(a.sources)} for a in t.approvals
                ],
                "limits": [self.rule(r, requirement=True) for r in t.limits],
                "cautions": [self.rule(r) for r in t.cautions],
            },
            "versions": self.versions(therapy_id),
            "trials": [self.trial(tr) for tr in self.library.evidence.for_therapy(therapy_id)],
            "comparator_in": [
                self.trial(tr) for tr in self.library.evidence.trials
                if tr.comparator and self.catalogue.aliases.get(alias_key(tr.comparator)) == therapy_id
            ],
            "toxicities": [
                {"event": r.event, "percent": r.percent, "grades": r.grades, "cohort": r.cohort,
                 "population": r.population, "citations": self.cite(r.sources)}
                for r in t.toxicities
            ],
            "notes": t.notes,
            "citations": self.cite(t.sources),
        }

    def versions(self, therapy_id: str) -> list:
        """Every shipped version of this guideline, oldest first: where it lists the therapy, with its
        tier and its category and where the category comes from (and the category rules)."""
        out = []
        for g in sorted((g for g in self.library.guidelines if g.id == self.guideline.id), key=lambda g: g.effective):
            groups = {group.id: group.name for group in g.site_groups}
            rows = []
            for rec in g.recommendations:
                if rec.therapy != therapy_id:
                    continue
                category, origin = listed_category(g, rec)
                rows.append({
                    "id": rec.id, "site_group": rec.site_group, "site_group_name": groups[rec.site_group],
                    "intent": rec.intent, "preference": rec.preference, "category": category, "category_origin": origin,
                    "basis": rec.basis, "in_table": rec.in_table, "category_rules": [{"category": r.category, "text": r.text} for r in rec.category_rules],
                })
            out.append({
                "version": g.version, "effective": str(g.effective), "until": str(g.until) if g.until else None,
                "source": g.source, "placements": rows,
                "not_recommended": [{"site_group": n.site_group, "text": n.text} for n in g.not_recommended if n.therapy == therapy_id],
            })
        return out

    def recommendation_report(self, rec: Recommendation) -> dict:
        out = {"kind": "recommendation", **self.recommendation(rec)}
        site_trials = [
            tr for tr in self.library.evidence.for_therapy(rec.therapy)
            if tr.sites & set(self.groups[rec.site_group].sites)
        ]
        out["trials"] = [self.trial(tr) for tr in site_trials] if rec.intent == "antitumor" else []
        return out

    def explain(self, query: str) -> dict:
        kind, found = self.find(query)
        return self.therapy(found) if kind == "therapy" else self.recommendation_report(found)

    def therapies(self) -> list:
        out = []
        for t in self.catalogue.therapies.values():
            groups = sorted({r.site_group for r in self.guideline.recommendations if r.therapy == t.id})
            out.append({
                "id": t.id, "name": t.name, "class": t.cls, "routes": list(t.routes), "aliases": list(t.aliases),
                "site_groups": groups,
                "approved": [f"{a.date}: {a.indication}" for a in t.approvals],
            })
        return out

    def recommendations(self, site: str | None = None) -> list:
        group = self.site_group(site) if site else None
        return [self.recommendation(r) for r in self.guideline.recommendations if group is None or r.site_group == group]

    def site_group(self, word: str) -> str:
        """A site group id from a group id or a primary site (spelled as in case files)."""
        word = vocab.SITE_ALIASES.get(vocab_key(word), vocab_key(word))
        if word in self.groups:
            return word
        for group in self.guideline.site_groups:  # the site's own group, not a pathway (wd-g3, pdnec)
            if word in group.sites and group.when is None:
                return group.id
        choices = list(self.groups) + [s for g in self.guideline.site_groups for s in g.sites]
        raise UsageError(f"--site: unknown site group or primary site '{word}'{did_you_mean(word, choices)}; "
                         f"site groups: {', '.join(self.groups)}")
