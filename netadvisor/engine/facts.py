"""The facts of a case that guideline conditions are evaluated against, and how a
fact is shown in a reason ('SSTR status: negative').
"""

from __future__ import annotations

from ..inputs.case import Case, Range
from ..knowledge.conditions import FACTS
from ..knowledge.models import Knowledge


def case_facts(case: Case, knowledge: Knowledge, group_id: str | None) -> dict:
    """The values conditions are evaluated against; None means the case does not say."""
    tumor = case.tumor
    patient = case.data.get("patient", {})
    sstr = tumor.get("sstr")
    sstr_status = sstr.get("status") if isinstance(sstr, dict) else sstr
    biomarkers = tumor.get("biomarkers", {})
    tmb = biomarkers.get("tmb")
    msi = biomarkers.get("msi")
    disease_status = case.data.get("disease", {}).get("status")

    def words(value):
        return frozenset(value) if value is not None else None

    facts = {
        "site": tumor["primary_site"],
        "site_group": group_id,
        "differentiation": tumor.get("differentiation"),
        "histology": tumor.get("histology"),
        "gastric_type": tumor.get("gastric_type"),
        "grade": tumor.get("grade"),
        "ki67": tumor.get("ki67"),
        "stage": tumor.get("stage"),
        "resectable": tumor.get("resectable"),
        "functional": words(tumor.get("functional")),
        "sstr": None if sstr_status == "unknown" else sstr_status,
        "sstr_uptake": sstr.get("uptake") if isinstance(sstr, dict) else None,
        "metastases": words(tumor.get("metastases")),
        "fdg": tumor.get("fdg"),
        "burden": "clinically-significant" if tumor.get("bulky") is True else tumor.get("burden"),
        "bulky": tumor.get("bulky"),
        "symptomatic": tumor.get("symptomatic"),
        "msi": _known(msi),
        "tmb": tmb if isinstance(tmb, (int, float)) else None,
        "tmb_call": None if tmb is None else ("numeric" if isinstance(tmb, (int, float)) else tmb),
        "braf": _known(biomarkers.get("braf")),
        "ntrk": _known(biomarkers.get("ntrk")),
        "ret": _known(biomarkers.get("ret")),
        "germline": words(tumor.get("germline")),
        "disease_status": disease_status,
        "age": patient.get("age"),
        "sex": patient.get("sex"),
        "ecog": patient.get("ecog"),
        "crcl": patient.get("creatinine_clearance"),
        "egfr": patient.get("egfr"),
        "comorbidities": words(patient.get("comorbidities")),
        "pregnant": patient.get("pregnant"),
        "avoid": words(case.data.get("preferences", {}).get("avoid")),
        "trial_access": case.data.get("preferences", {}).get("clinical_trial_access"),
    }
    history = case.history
    if history is None:
        facts.update(received=None, received_classes=None, progressed_on=None, progressed_on_classes=None,
                     ongoing=None, prior_systemic=None, prior_lines=None)
        return facts
    therapies = knowledge.catalogue.therapies
    classes = knowledge.catalogue.classes
    progressed = [line for line in history if progressed_on(line, disease_status, knowledge)]
    antitumor_lines = [line for line in history if classes[therapies[line.therapy].cls].antitumor]
    facts.update(
        received=frozenset(line.therapy for line in history),
        received_classes=frozenset(therapies[line.therapy].cls for line in history),
        progressed_on=frozenset(line.therapy for line in progressed),
        progressed_on_classes=frozenset(therapies[line.therapy].cls for line in progressed),
        ongoing=frozenset(line.therapy for line in history if line.stopped == "ongoing"),
        prior_systemic=bool(antitumor_lines),
        prior_lines=len(antitumor_lines),
    )
    return facts


def _known(word):
    """'unknown' written in the case is the same as leaving the fact out."""
    return None if word == "unknown" else word


def progressed_on(line, disease_status, knowledge: Knowledge) -> bool:
    """Stopped for progression, or an antitumour therapy still ongoing while the disease progresses."""
    if line.stopped == "progression":
        return True
    if line.stopped != "ongoing" or disease_status != "progressing":
        return False
    catalogue = knowledge.catalogue
    return catalogue.classes[catalogue.therapies[line.therapy].cls].antitumor


def show_fact(name: str, value, names: dict) -> str:
    """'SSTR status: negative', 'Ki-67: 4–6%', 'progressed on: none'."""
    label = FACTS[name].label
    if value is None:
        return f"{label}: not stated"
    if isinstance(value, frozenset):
        shown = ", ".join(sorted(names.get(v, v) for v in value)) or "none"
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, Range):
        shown = str(value)
    elif isinstance(value, float):
        shown = f"{value:g}"
    else:
        shown = str(names.get(value, value))
    return f"{label}: {shown}"
