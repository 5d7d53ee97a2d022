"""RxNorm's name grammar: a clinical or branded drug name reduced to the ingredient or brand
that the therapy catalogue is searched by.

RxNorm names are regular (NLM RxNorm Technical Documentation: "the name of a clinical drug
combines its ingredients, strengths, and form"): SCD "Everolimus 10 MG Oral Tablet", SBD
"Afinitor 10 MG Oral Tablet", SCDG "Everolimus Oral Product", SBDC "Everolimus 10 MG [Afinitor]",
quantified "10 ML ipilimumab 5 MG/ML Injection", salt "Nerlynx 40 MG (as neratinib maleate
48.31 MG) Oral Tablet", packs "{84 (cabozantinib 20 MG Oral Capsule) / 28 (...) } Pack".
Senders' own texts follow it too ("Somatuline Depot 120 mg deep subcutaneous").
"""

from __future__ import annotations

import re

_UNIT = r"(?:MG|MCG|G|ML|UNT|MEQ|MMOL|GBQ|MBQ|MCI|%)"
_STRENGTH = re.compile(rf"\b\d+(?:[.,]\d+)?\s*{_UNIT}(?:\s*/\s*{_UNIT}|\s*/\s*(?:HR|ACTUAT))?(?![\w])", re.I)
_LEADING_QUANTITY = re.compile(rf"^\d+(?:\.\d+)?\s*{_UNIT}\s+", re.I)
_SALT = re.compile(r"\(as [^)]*\)", re.I)
_BRAND = re.compile(r"\[([^\[\]]+)\]\s*$")
_PACK = re.compile(r"^\{(.*)\}\s*pack$", re.I | re.S)
# Dose forms and dose-form groups seen in RxNorm names (longest first, so "Oral Tablet" wins over "Tablet").
_FORMS = re.compile(
    r"\b(?:tablet for oral suspension|oral liquid product|injectable product|drug implant product|oral product|"
    r"oral tablet|oral capsule|oral solution|oral suspension|injectable solution|injectable suspension|"
    r"prefilled syringe|injection|pill|daily dose carton pack|pack)\b", re.I)
_PER = re.compile(r"\bper\b", re.I)


def reduced_names(text: str) -> list:
    """The ingredient or brand names a drug name stands for, most specific first (the text
    itself is not included). '/'-joined ingredients come back as one 'a / b' name."""
    text = " ".join(text.split())
    if m := _PACK.match(text):
        return [name for inner in re.findall(r"\(([^()]*)\)", m[1]) for name in [inner, *reduced_names(inner)]]
    names = []
    brand = _BRAND.search(text)
    if brand:
        text = text[: brand.start()].strip()
    text = _LEADING_QUANTITY.sub("", _SALT.sub(" ", text)).strip()
    cuts = [m.start() for m in (_STRENGTH.search(text), _FORMS.search(text), _PER.search(text)) if m]
    head = text[: min(cuts)].strip(" ,;-") if cuts else text
    if head and head != text:
        names.append(head)
    if brand:
        names.append(brand[1].strip())
    return names
