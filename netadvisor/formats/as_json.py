"""The `netadvisor-advice/1` JSON object (see README, "JSON output")."""

from __future__ import annotations

import json

from .. import __version__
from ..advice import DISCLAIMER, Advice, Reason
from ..vocab import ADVICE_FORMAT


def _reason(r: Reason) -> dict:
    out = {"code": r.code, "text": r.text}
    if r.facts:
        out["facts"] = list(r.facts)
    if r.unknown:
        out["unknown"] = list(r.unknown)
    if r.sources:
        out["sources"] = list(r.sources)
    return out


def _notice(n) -> dict:
    out = {"code": n.code, "text": n.text}
    if n.facts:
        out["facts"] = list(n.facts)
    if n.sources:
        out["sources"] = list(n.sources)
    return out


def _evidence(e) -> dict:
    return {
        "trial": e.trial,
        "analysis": e.analysis,
        "id": e.trial_id,
        "endpoint": e.endpoint,
        "treatment": e.treatment,
        "control": e.control,
        "unit": e.unit,
        "hr": e.hr,
        "ci95": list(e.hr_ci95) if e.hr_ci95 else None,
        "p": e.p,
        "n": e.n,
        "treatment_text": e.treatment_text,
        "control_text": e.control_text,
        "comparator": e.comparator,
        "population": e.population,
        "sources": list(e.sources),
    }


def advice_to_dict(advice: Advice) -> dict:
    g = advice.guideline
    return {
        "format": ADVICE_FORMAT,
        "case_id": advice.case_id,
        "as_of": advice.as_of.isoformat(),
        "guideline": {
            "id": g.id,
            "version": g.version,
            "effective": g.effective.isoformat(),
            "source": g.source,
            "title": g.title,
            "data_sha256": g.digest,
        },
        "netadvisor_version": __version__,
        "disclaimer": DISCLAIMER,
        "summary": advice.summary,
        "scope": {"status": "out-of-scope", **_notice(advice.scope)} if advice.scope else {"status": "in-scope"},
        "candidates": [
            {
                "therapy": c.therapy,
                "name": c.name,
                "rank": c.rank,
                "category": c.category,
                "preference": c.preference,
                "intent": c.intent,
                "recommendation": c.recommendation,
                "basis": c.basis,
                "reasons": [_reason(r) for r in c.reasons],
                "cautions": [
                    {"code": x.code, "severity": x.severity, "text": x.text, "sources": list(x.sources)} for x in c.cautions
                ],
                "toxicities": [
                    {
                        "event": t.event,
                        "grade3plus_percent": t.percent if t.grades in ("3-4", "3+") else None,
                        "percent": t.percent,
                        "grades": t.grades,
                        "source": t.population,
                        "sources": list(t.sources),
                    }
                    for t in c.toxicities
                ],
                "evidence": [_evidence(e) for e in c.evidence],
                "citations": list(c.citations),
            }
            for c in advice.candidates
        ],
        "excluded": [
            {
                "therapy": e.therapy,
                "name": e.name,
                "reasons": [_reason(r) for r in e.reasons],
                "recommendations": list(e.recommendations),
            }
            for e in advice.excluded
        ],
        "warnings": [_notice(w) for w in advice.warnings],
        "context": [_notice(n) for n in advice.context],
        "sources": advice.sources,
    }


def render(advice: Advice) -> str:
    return json.dumps(advice_to_dict(advice), ensure_ascii=False, indent=2)
