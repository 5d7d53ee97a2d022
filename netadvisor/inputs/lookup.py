"""Quick lookup: `netadvisor advise --site pancreas --grade 2 ...` without a case file.

The flags build the same dict a case file would give, and that dict goes
through the same validation (`parse_case`), so advice and error messages match
a file's; only the place an error points at changes, from a field path to the
flag (`--sstr: ...`, `--prior[2]: stopped: ...`).

A treatment line is one `--prior` value:

    THERAPY[:STOPPED[:EVENT[:GRADE]]...][@START..END]

    --prior lanreotide:progression
    --prior everolimus@2024-07..2024-08:toxicity:pneumonitis:3
    --prior diazoxide@2024:ongoing          (a start only: @START; an end only: @..END)

The @DATES part may stand anywhere after the therapy; dates are YYYY, YYYY-MM
or YYYY-MM-DD. Setting, best response, cycles, dose and notes do not change the
advice and have no flag: `--save` the lookup and add them to the file.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from ..base.errors import InputError, Problem
from .case import Case
from .case_format import parse_case


class Flag(NamedTuple):
    option: str  # as typed on the command line
    path: str  # where a case file states the fact
    kind: str = "word"  # word | words | number | percent | bool | text | prior


# In case-file order, so a saved lookup reads like a hand-written case.
FLAGS = {
    "case_id": Flag("--id", "id", "text"),
    "as_of": Flag("--as-of", "as_of", "text"),
    "age": Flag("--age", "patient.age", "number"),
    "sex": Flag("--sex", "patient.sex"),
    "ecog": Flag("--ecog", "patient.ecog", "number"),
    "crcl": Flag("--crcl", "patient.creatinine_clearance", "number"),
    "egfr": Flag("--egfr", "patient.egfr", "number"),
    "comorbidity": Flag("--comorbidity", "patient.comorbidities", "words"),
    "pregnant": Flag("--pregnant", "patient.pregnant", "bool"),
    "site": Flag("--site", "tumor.primary_site"),
    "differentiation": Flag("--differentiation", "tumor.differentiation"),
    "histology": Flag("--histology", "tumor.histology"),
    "grade": Flag("--grade", "tumor.grade", "number"),
    "ki67": Flag("--ki67", "tumor.ki67", "percent"),
    "stage": Flag("--stage", "tumor.stage"),
    "resectable": Flag("--resectable", "tumor.resectable", "bool"),
    "functional": Flag("--functional", "tumor.functional", "words"),
    "sstr": Flag("--sstr", "tumor.sstr"),
    "sstr_uptake": Flag("--sstr-uptake", "tumor.sstr.uptake"),
    "fdg": Flag("--fdg", "tumor.fdg"),
    "metastases": Flag("--metastases", "tumor.metastases", "words"),
    "burden": Flag("--burden", "tumor.burden"),
    "bulky": Flag("--bulky", "tumor.bulky", "bool"),
    "symptomatic": Flag("--symptomatic", "tumor.symptomatic", "bool"),
    "msi": Flag("--msi", "tumor.biomarkers.msi"),
    "tmb": Flag("--tmb", "tumor.biomarkers.tmb", "number"),
    "braf": Flag("--braf", "tumor.biomarkers.braf"),
    "ntrk": Flag("--ntrk", "tumor.biomarkers.ntrk"),
    "ret": Flag("--ret", "tumor.biomarkers.ret"),
    "germline": Flag("--germline", "tumor.germline", "words"),
    "status": Flag("--status", "disease.status"),
    "prior": Flag("--prior", "history", "prior"),
    "no_prior": Flag("--no-prior", "history", "none"),
    "avoid": Flag("--avoid", "preferences.avoid", "words"),
    "trial_access": Flag("--trial-access", "preferences.clinical_trial_access", "bool"),
}

SOURCE = "command-line flags"


_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")


def number(text: str):
    """'8' -> 8, '4.5' -> 4.5; anything else stays text for the case validation to judge.

    Only the ASCII digits, as in a case file: int() would also read '٣' (Arabic-Indic) or
    '1_0', and str.isdigit() accepts '³', which int() then refuses.
    """
    stripped = text.strip()
    if _INT.fullmatch(stripped):
        return int(stripped) if len(stripped.lstrip("+-")) <= 20 else text
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    return text


def from_text(kind: str, value):
    """Typed text (a flag's value, a wizard answer) as the value a case file would hold."""
    if kind == "words":  # repeatable, and commas work too: --metastases liver,bone
        items = [value] if isinstance(value, str) else value
        return [word.strip() for item in items for word in item.split(",") if word.strip()]
    if kind == "number":
        return number(value)
    if kind == "percent":  # --ki67 8% is 8, and 4-6 stays a range
        return number(value.strip().removesuffix("%"))
    return value


def parse_prior(text: str, option: str) -> dict:
    """One --prior value as a history line (see the module docstring)."""
    if text.count("@") > 1:
        raise InputError([Problem(option, "", f"'{text}' has more than one @DATES part")])
    line: dict = {}
    if match := re.search(r"@([^:]*)", text):
        text = text[: match.start()] + text[match.end():]
        start, _, end = match[1].strip().partition("..")
        if ".." in end:
            raise InputError([Problem(option, "", f"'@{match[1]}' is not START..END")])
        line.update(start=start, end=end)
    therapy, _, rest = (part.strip() for part in text.partition(":"))
    stopped, _, events = rest.partition(":")
    line.update(therapy=therapy, stopped=stopped.strip())
    toxicity: list = []
    for token in filter(None, (t.strip() for t in events.split(":"))):
        if _INT.fullmatch(token) and toxicity and "grade" not in toxicity[-1]:
            toxicity[-1]["grade"] = int(token)
        elif token.isnumeric():  # '³', '٣': a grade, but not written with the digits 0-9
            raise InputError([Problem(option, "", f"'{token}' is not a CTCAE grade: write it with the digits 0-9")])
        else:
            toxicity.append({"event": token})
    line["toxicity"] = toxicity
    order = ("therapy", "start", "end", "stopped", "toxicity")  # the case format's order
    return {key: line[key] for key in order if line.get(key)}


def case_data(params: dict) -> dict:
    """The case dict the flags describe (values as typed; validation comes later)."""
    data: dict = {}
    for name, flag in FLAGS.items():
        value = params.get(name)
        # --no-prior left out is False, not a value; the uptake joins --sstr below
        if value in (None, [], ()) or (flag.kind == "none" and not value) or name == "sstr_uptake":
            continue
        if flag.kind == "none":  # --no-prior: a stated empty history, not an unknown one
            if params.get("prior"):
                raise InputError([Problem("--no-prior", "", "contradicts --prior: give one or the other")])
            data["history"] = []
            continue
        if flag.kind == "prior":
            value = [parse_prior(text, f"--prior[{i}]") for i, text in enumerate(value, 1)]
        else:
            value = from_text(flag.kind, value)
        *parents, key = flag.path.split(".")
        place = data
        for parent in parents:
            place = place.setdefault(parent, {})
        place[key] = value
    if params.get("sstr_uptake") is not None:
        tumor = data.setdefault("tumor", {})
        if "sstr" not in tumor:
            raise InputError([Problem("--sstr-uptake", "", "needs --sstr (positive, negative or unknown) as well")])
        tumor["sstr"] = {"status": tumor["sstr"], "uptake": params["sstr_uptake"]}
    return data


def _flag_problem(problem: Problem) -> Problem:
    """A case-file problem restated against the flag that supplied the value."""
    if match := re.fullmatch(r"history\[(\d+)\]\.?(?:toxicity\[\d+\]\.)?(.*)", problem.path):
        return Problem(f"--prior[{int(match[1]) + 1}]", match[2], problem.message)
    path = problem.path
    matches = [f for f in FLAGS.values() if path == f.path or path.startswith((f.path + ".", f.path + "["))]
    if matches:
        return Problem(max(matches, key=lambda f: len(f.path)).option, "", problem.message)
    # A missing section ("tumor: is required"): the first flag that fills it (--site).
    option = next((f.option for f in FLAGS.values() if f.path.startswith(path + ".")), None)
    return Problem(option, "", problem.message) if option else problem


def lookup_case(params: dict, therapy, default_id: str = "lookup", today: date | None = None) -> Case:
    """Validate the fact flags as a case; raises InputError naming the flags."""
    data = case_data(params)
    try:
        return parse_case(data, source=SOURCE, therapy=therapy, default_id=default_id, today=today)
    except InputError as exc:
        raise InputError([_flag_problem(p) for p in exc.problems]) from None
