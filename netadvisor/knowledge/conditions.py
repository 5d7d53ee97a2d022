"""Declarative conditions over case facts, with three-valued logic.

Guideline data states when a recommendation applies as small YAML trees:

    {fact: sstr, is: positive}
    {fact: ki67, at_least: 10}
    {fact: progressed_on, includes_any: [octreotide-lar, lanreotide]}
    {any: [...]}  {all: [...]}  {not: {...}}  {ref: netter2-first-line}

A fact the case leaves out is unknown (None), and a condition over it is
unknown rather than false, so the engine can say which fact would settle it.
Nothing here evaluates code from data.
"""

import math
from typing import NamedTuple

from ..base import vocab
from ..base.errors import did_you_mean


class FactDef(NamedTuple):
    label: str
    path: str  # where the case states it
    kind: str  # word | words | number | range | bool
    choices: object = None  # tuple of words, or the name of a vocabulary bound from data


FACTS: dict[str, FactDef] = {
    "site": FactDef("primary site", "tumor.primary_site", "word", vocab.SITES),
    "site_group": FactDef("site group", "tumor.primary_site", "word", "site_groups"),
    "differentiation": FactDef("differentiation", "tumor.differentiation", "word", vocab.DIFFERENTIATION),
    "histology": FactDef("histology", "tumor.histology", "word", vocab.HISTOLOGY),
    "gastric_type": FactDef("gastric NET type", "tumor.gastric_type", "word", vocab.GASTRIC_TYPES),
    "grade": FactDef("WHO grade", "tumor.grade", "number"),
    "ki67": FactDef("Ki-67", "tumor.ki67", "range"),
    "stage": FactDef("stage", "tumor.stage", "word", vocab.STAGES),
    "resectable": FactDef("resectable", "tumor.resectable", "bool"),
    "functional": FactDef("functional status", "tumor.functional", "words", vocab.FUNCTIONAL),
    "sstr": FactDef("SSTR status", "tumor.sstr", "word", ("positive", "negative")),
    "sstr_uptake": FactDef("SSTR uptake", "tumor.sstr.uptake", "word", vocab.SSTR_UPTAKE),
    "metastases": FactDef("metastatic sites", "tumor.metastases", "words", vocab.METASTASES),
    "fdg": FactDef("FDG-PET avidity", "tumor.fdg", "word", vocab.FDG),
    "burden": FactDef("tumour burden", "tumor.burden", "word", vocab.BURDEN),
    "bulky": FactDef("bulky disease", "tumor.bulky", "bool"),
    "symptomatic": FactDef("tumour-related symptoms", "tumor.symptomatic", "bool"),
    "msi": FactDef("MSI status", "tumor.biomarkers.msi", "word", ("high", "stable")),
    "tmb": FactDef("TMB (mutations/Mb)", "tumor.biomarkers.tmb", "number"),
    "tmb_call": FactDef("TMB as reported", "tumor.biomarkers.tmb", "word", ("high", "low", "numeric")),
    "braf": FactDef("BRAF", "tumor.biomarkers.braf", "word", ("v600e", "wild-type")),
    "ntrk": FactDef("NTRK fusion", "tumor.biomarkers.ntrk", "word", ("fusion", "negative")),
    "ret": FactDef("RET fusion", "tumor.biomarkers.ret", "word", ("fusion", "negative")),
    "germline": FactDef("germline syndromes", "tumor.germline", "words", vocab.GERMLINE),
    "disease_status": FactDef("disease status", "disease.status", "word", vocab.DISEASE_STATUS),
    "age": FactDef("age", "patient.age", "number"),
    "sex": FactDef("sex", "patient.sex", "word", vocab.SEX),
    "ecog": FactDef("ECOG performance status", "patient.ecog", "number"),
    "crcl": FactDef("creatinine clearance (mL/min)", "patient.creatinine_clearance", "number"),
    "egfr": FactDef("eGFR (mL/min/1.73m2)", "patient.egfr", "number"),
    "comorbidities": FactDef("comorbidities", "patient.comorbidities", "words", vocab.COMORBIDITIES),
    "pregnant": FactDef("pregnant", "patient.pregnant", "bool"),
    "avoid": FactDef("wishes to avoid", "preferences.avoid", "words", vocab.AVOID),
    "trial_access": FactDef("clinical-trial access", "preferences.clinical_trial_access", "bool"),
    "received": FactDef("therapies received", "history", "words", "therapies"),
    "received_classes": FactDef("therapy classes received", "history", "words", "classes"),
    "progressed_on": FactDef("progressed on", "history", "words", "therapies"),
    "progressed_on_classes": FactDef("progressed on classes", "history", "words", "classes"),
    "ongoing": FactDef("ongoing therapies", "history", "words", "therapies"),
    "prior_systemic": FactDef("prior systemic antitumour therapy", "history", "bool"),
    "prior_lines": FactDef("prior systemic antitumour lines", "history", "number"),
}

OPS = {
    "word": ("is", "in", "known"),
    "words": ("includes_any", "includes_all", "known"),
    "number": ("is", "at_least", "at_most", "above", "below", "known"),
    "range": ("at_least", "at_most", "above", "below", "known"),
    "bool": ("is", "known"),
}

_OP_WORDS = {"at_least": "≥", "at_most": "≤", "above": ">", "below": "<"}


# Bounds on one condition with its definitions expanded, so that evaluating, listing
# and explaining it stays cheap and shallow: definitions that refer to each other can
# double a condition's size at every level (26 levels of `any: [{ref: prev}, {ref: prev}]`,
# 5 KB of YAML, ran for minutes) or nest it past Python's recursion limit (3,000 refs
# in a chain). The shipped data needs a size of 13 and a depth of 6.
MAX_SIZE = 2_000  # tests and combinations in the expanded tree
MAX_DEPTH = 40  # levels, each ref counting as one


class Cond:
    __slots__ = ()
    size = 1  # tests and combinations once every ref is expanded
    depth = 1

    # eval(facts) -> True | False | None (unknown): each kind sets it when built, a function
    # made for its test (a slot, so evaluating is one plain call per node)

    def leaves(self) -> list:
        raise NotImplementedError

    def facts(self) -> list:
        return [leaf.fact for leaf in self.leaves()]

    def describe(self, names: dict) -> str:
        raise NotImplementedError


class Leaf(Cond):
    """One test of one fact. `eval` is a function made for the test's operator when the
    leaf is built (one call per evaluation, no dispatch on the operator per case)."""

    __slots__ = ("fact", "op", "value", "eval")

    def __init__(self, fact: str, op: str, value):
        self.fact, self.op, self.value = fact, op, value
        self.eval = _leaf_test(fact, op, value)

    def leaves(self):
        return [self]

    def describe(self, names):
        """Plain words; `names` maps a vocabulary ("therapies", ...) to {value: display name}."""
        definition = FACTS[self.fact]
        label, value = definition.label, self.value
        lookup = names.get(definition.choices, {}) if isinstance(definition.choices, str) else {}
        show = lambda v: lookup.get(v, str(v))  # noqa: E731
        if self.op == "known":
            return f"{label} is {'stated' if value else 'not stated'}"
        if self.op == "is":
            if isinstance(value, bool):
                return label if value else f"no {label}"
            return f"{label} is {show(value)}"
        if self.op == "in":
            return f"{label} is " + _or(show(v) for v in sorted(value))
        if self.op == "includes_any":
            if self.fact in ("progressed_on", "received", "progressed_on_classes", "received_classes", "ongoing"):
                return f"{label} " + _or(show(v) for v in sorted(value))
            return f"{label} includes " + _or(show(v) for v in sorted(value))
        if self.op == "includes_all":
            return f"{label} includes " + " and ".join(show(v) for v in sorted(value))
        unit = "%" if self.fact == "ki67" else ""
        return f"{label} {_OP_WORDS[self.op]} {value:g}{unit}"


def _leaf_test(fact: str, op: str, want):
    """facts -> True | False | None (the fact is not stated), for one operator."""
    if op == "known":
        return lambda facts: (facts.get(fact) is not None) == want
    if op == "is":
        def test(facts):
            have = facts.get(fact)
            return None if have is None else have == want
    elif op == "in":
        def test(facts):
            have = facts.get(fact)
            return None if have is None else have in want
    elif op == "includes_any":
        def test(facts):
            have = facts.get(fact)
            return None if have is None else not want.isdisjoint(have)
    elif op == "includes_all":
        def test(facts):
            have = facts.get(fact)
            return None if have is None else want <= have
    elif op in _BOUNDS:
        settles = _BOUNDS[op]

        def test(facts):
            have = facts.get(fact)
            if have is None:
                return None
            low, high = (have.low, have.high) if isinstance(have, tuple) else (have, have)  # a Ki-67 range
            return settles(low, high, want)
    else:
        raise AssertionError(op)
    return test


# op -> (low, high, threshold) -> True | False | None: a range settles a bound only when all of it is on one side
_BOUNDS = {
    "at_least": lambda low, high, want: True if low >= want else False if high < want else None,
    "at_most": lambda low, high, want: True if high <= want else False if low > want else None,
    "above": lambda low, high, want: True if low > want else False if high <= want else None,
    "below": lambda low, high, want: True if high < want else False if low >= want else None,
}


def _or(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class _Combination(Cond):
    """all/any with Kleene logic: `decisive` is the value one item can settle the whole with."""

    __slots__ = ("items", "size", "depth", "eval")
    decisive = False

    def __init__(self, items: tuple):
        self.items = items
        size = depth = 0
        for item in items:  # a loop: cheaper than two generators, and every node of the data passes here
            size += item.size
            depth = item.depth if item.depth > depth else depth
        self.size, self.depth = 1 + size, 1 + depth
        self.eval = _combined(tuple(item.eval for item in items), self.decisive)

    def leaves(self):
        return [leaf for item in self.items for leaf in item.leaves()]


def _combined(tests: tuple, decisive: bool):
    """facts -> the Kleene all (decisive False) or any (True) of tests."""
    if len(tests) == 1:
        return tests[0]
    whole = not decisive

    def test(facts):
        result = whole
        for item in tests:
            value = item(facts)
            if value is decisive:
                return value
            if value is None:
                result = None
        return result

    return test


class AllOf(_Combination):
    decisive = False

    def describe(self, names):
        return "; ".join(item.describe(names) for item in self.items)


class AnyOf(_Combination):
    decisive = True

    def describe(self, names):
        return "either " + ", or ".join(f"({item.describe(names)})" for item in self.items)


class Not(Cond):
    __slots__ = ("item", "size", "depth", "eval")

    def __init__(self, item: Cond):
        self.item = item
        self.size, self.depth = 1 + item.size, 1 + item.depth
        inner = item.eval
        self.eval = lambda facts: None if (value := inner(facts)) is None else not value

    def leaves(self):
        return self.item.leaves()

    def describe(self, names):
        return f"not ({self.item.describe(names)})"


class Ref(Cond):
    """A named definition from the guideline, kept by name for explanations; evaluating it
    is evaluating the definition (the same function)."""

    __slots__ = ("name", "item", "text", "size", "depth", "eval")

    def __init__(self, name: str, item: Cond, text: str):
        self.name, self.item, self.text = name, item, text
        self.size, self.depth = item.size, 1 + item.depth
        self.eval = item.eval

    def leaves(self):
        return self.item.leaves()

    def describe(self, names):
        return self.text or self.item.describe(names)


class Compiler:
    """Turns condition data into Cond trees, recording problems with their key path.

    vocabularies: names bound from data ("therapies", "classes", "site_groups")
    definitions: named conditions (already compiled) that `ref:` may use
    """

    def __init__(self, vocabularies: dict, definitions: dict | None = None):
        self.vocabularies = vocabularies
        self.definitions = definitions if definitions is not None else {}
        self.failed: set = set()  # definitions with problems already reported: a ref to one adds none
        self.built: dict = {}  # what a condition says -> its Cond: equal conditions are one object (evaluated once per case)

    def define(self, name: str, data, text: str, path: str, problems: list) -> None:
        """Compile a named definition for later `ref:`s (each may only refer to those before it)."""
        cond = self.compile(data, path, problems)
        if cond is None:
            self.failed.add(name)
        else:
            self.definitions[name] = Ref(name, cond, text)

    def compile(self, data, path: str, problems: list) -> Cond | None:
        """The Cond of data, or None after recording problems; refuses a condition over MAX_SIZE or MAX_DEPTH."""
        cond = self._compile(data, path, problems)
        if cond is not None and (cond.size > MAX_SIZE or cond.depth > MAX_DEPTH):
            problems.append((path, f"the condition, with the definitions it refers to expanded, has {cond.size:,} parts, "
                                   f"{cond.depth} levels deep; the limit is {MAX_SIZE:,} parts and {MAX_DEPTH} levels"))
            return None
        return cond

    def _compile(self, data, path: str, problems: list) -> Cond | None:
        if not isinstance(data, dict):
            problems.append((path, "a condition must be a mapping such as {fact: sstr, is: positive}"))
            return None
        keys = set(data)
        for combinator, cls in (("all", AllOf), ("any", AnyOf)):
            if combinator in keys:
                if keys != {combinator} or not isinstance(data[combinator], list) or not data[combinator]:
                    problems.append((path, f"'{combinator}' takes a non-empty list of conditions and nothing else"))
                    return None
                items = [self.compile(item, f"{path}.{combinator}[{i}]", problems) for i, item in enumerate(data[combinator])]
                return None if None in items else self._once((cls, *map(id, items)), cls, tuple(items))
        if "not" in keys:
            if keys != {"not"}:
                problems.append((path, "'not' takes one condition and nothing else"))
                return None
            item = self.compile(data["not"], f"{path}.not", problems)
            return None if item is None else self._once((Not, id(item)), Not, item)
        if "ref" in keys:
            name = data["ref"]
            if keys == {"ref"} and isinstance(name, str) and name in self.failed:
                return None
            if keys != {"ref"} or not isinstance(name, str) or name not in self.definitions:
                problems.append((path, f"unknown definition {name!r}{did_you_mean(str(name), self.definitions)}"))
                return None
            return self.definitions[name]
        return self._leaf(data, path, problems)

    def _once(self, key: tuple, kind, *args) -> Cond:
        """kind(*args), or the Cond already built for an equal condition. Keys hold the ids of
        parts built here, which `built` keeps alive; a float's repr keeps 0.0 and -0.0 apart."""
        found = self.built.get(key)
        if found is None:
            found = self.built[key] = kind(*args)
        return found

    def _leaf(self, data, path, problems):
        fact = data.get("fact")
        if not isinstance(fact, str) or fact not in FACTS:
            problems.append((f"{path}.fact", f"unknown fact {fact!r}{did_you_mean(str(fact), FACTS)}"))
            return None
        definition = FACTS[fact]
        ops = [k for k in data if k != "fact"]
        allowed = OPS[definition.kind]
        if len(ops) != 1 or ops[0] not in allowed:
            problems.append((path, f"fact '{fact}' takes exactly one of: {', '.join(allowed)}"))
            return None
        op = ops[0]
        value = data[op]
        where = f"{path}.{op}"
        if op == "known" or definition.kind == "bool":
            if not isinstance(value, bool):
                problems.append((where, "expected true or false"))
                return None
            return self._once((fact, op, value), Leaf, fact, op, value)
        if definition.kind in ("number", "range"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.append((where, "expected a number"))
                return None
            return self._once((fact, op, type(value), repr(value)), Leaf, fact, op, value)
        choices = definition.choices
        if isinstance(choices, str):
            choices = self.vocabularies.get(choices, ())
        values = value if isinstance(value, list) else [value]
        if op in ("in", "includes_any", "includes_all") and not isinstance(value, list):
            problems.append((where, "expected a list"))
            return None
        if op == "is" and isinstance(value, list):
            problems.append((where, "expected one word; use 'in' for a list"))
            return None
        bad = [v for v in values if v not in choices]
        for v in bad:
            problems.append((where, f"{v!r} is not a value of fact '{fact}'{did_you_mean(str(v), choices)}"))
        if bad:
            return None
        value = frozenset(values) if isinstance(value, list) else value
        return self._once((fact, op, value), Leaf, fact, op, value)
