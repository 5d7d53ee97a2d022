"""The shape of the package: each folder one layer, imports pointing down only, no import
circle between modules, no module over MAX_LINES lines.

Every module under netadvisor/ is read with ast, never imported. Relative imports are
resolved, and imports inside functions (the lazy ones that keep start-up fast) count
like any other. The last tests run the same checks on a small package written for the
purpose, so a rule that stopped finding anything would show.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "netadvisor"

MAX_LINES = 500  # a module longer than this is split before anything is added to it

# Bottom to top. A module may import modules of its own layer and of the tiers below.
# Layers in one tier are siblings: neither may import the other.
TIERS = (
    ("base",),  # errors, dates, the case vocabulary, field specs, safe document reading
    ("inputs", "knowledge"),  # the case and how it is read | the guideline data as models
    ("engine",),  # one case and the knowledge in, Advice out
    ("core", "formats"),  # the library entry points (core.py) | renderers of advice and reports
    ("cohort",),  # batch, check, replay, audit, diff over many cases
    ("cli",),  # the commands
)
TIER = {layer: n for n, layers in enumerate(TIERS) for layer in layers}
# Modules directly in netadvisor/: the package itself holds only __version__.
TOP_LEVEL = {"netadvisor": "base", "netadvisor.core": "core", "netadvisor.__main__": "cli"}


def modules(root: Path) -> dict:
    """Dotted module name -> file, for every .py file under root (a package folder)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer_of(module: str) -> str | None:
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in TIER else None


def imports(known: dict) -> list:
    """(importer, imported module, file, line) for every import of a package module."""
    top = next(iter(known)).split(".")[0]
    edges = []
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            for target in targets:
                if target.split(".")[0] != top:
                    continue
                while target and target not in known:  # `import pkg.mod.name`: the module that holds it
                    target = target.rpartition(".")[0]
                if target and target != module:
                    edges.append((module, target, path, node.lineno))
    return sorted(set(edges))


def layer_problems(known: dict, edges: list) -> list:
    problems = [f"{path}: {module} is in no layer: put it in a layer's package, or add it to TOP_LEVEL"
                for module, path in known.items() if layer_of(module) is None]
    for importer, imported, path, line in edges:
        mine, theirs = layer_of(importer), layer_of(imported)
        if None in (mine, theirs) or mine == theirs or TIER[theirs] < TIER[mine]:
            continue
        allowed = ", ".join(layer for layers in TIERS[: TIER[mine]] for layer in layers) or "nothing below it"
        kind = "a sibling layer" if TIER[theirs] == TIER[mine] else "a layer above"
        problems.append(
            f"{path}:{line}: {importer} imports {imported}: {mine} may not import {theirs} ({kind}); "
            f"{mine} may import its own modules and {allowed}"
        )
    return problems


def cycles(edges: list) -> list:
    """The import circles: strongly connected components of the module graph (Tarjan)."""
    graph: dict = {}
    for importer, imported, _, _ in edges:
        graph.setdefault(importer, set()).add(imported)
        graph.setdefault(imported, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def circle_in(component: set, edges: list) -> list:
    """One circle through the component, as its edges: the shortest way back to its first module."""
    start = min(component)
    step = {}  # module -> the edge that first reached it
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for edge in edges:
                if edge[0] == module and edge[1] in component and edge[1] not in step:
                    step[edge[1]] = edge
                    following.append(edge[1])
        if start in step:
            break
        frontier = following
    chain, module = [], start
    while True:
        edge = step[module]
        chain.append(edge)
        module = edge[0]
        if module == start:
            return chain[::-1]


def cycle_problems(edges: list) -> list:
    problems = []
    for component in cycles(edges):
        chain = "\n    ".join(f"{path}:{line}: {a} imports {b}" for a, b, path, line in circle_in(component, edges))
        problems.append(f"import circle between {', '.join(sorted(component))}; one way round:\n    {chain}")
    return problems


def size_problems(known: dict) -> list:
    problems = []
    for module, path in known.items():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            problems.append(f"{path}: {count} lines, over MAX_LINES = {MAX_LINES}: split {module}")
    return problems


def docstring_problems(known: dict) -> list:
    return [f"{path}: a package's __init__.py says what lives there and what it may import (no docstring)"
            for path in known.values() if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]


# -- the real package ---------------------------------------------------------------------------

KNOWN = modules(PACKAGE)
EDGES = imports(KNOWN)


RULES = {
    "imports point down the layers": lambda: layer_problems(KNOWN, EDGES),
    "no import circle between modules": lambda: cycle_problems(EDGES),
    "no module over MAX_LINES": lambda: size_problems(KNOWN),
    "every package says what lives there": lambda: docstring_problems(KNOWN),
}


@pytest.mark.parametrize("rule", RULES)
def test_the_package_keeps_the_rule(rule):
    problems = RULES[rule]()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_the_walk_sees_the_package_and_its_lazy_imports():
    assert {"netadvisor.core", "netadvisor.cli.advise", "netadvisor.inputs.fhir.bundle"} <= set(KNOWN)
    # cli/advise.py imports core inside the command function only
    assert any(a == "netadvisor.cli.advise" and b == "netadvisor.core" for a, b, _, _ in EDGES)


# -- the checks themselves, on a package that breaks every rule ------------------------------------


@pytest.fixture
def broken(tmp_path):
    root = tmp_path / "netadvisor"
    files = {
        "__init__.py": '"""The package."""\n',
        "base/__init__.py": "",  # no docstring
        "base/words.py": "def upward():\n    from ..engine import run  # a lazy import counts\n",
        "engine/__init__.py": '"""Engine."""\n',
        "engine/run.py": "from . import helper\n" + "x = 1\n" * (MAX_LINES + 1),
        "engine/helper.py": "from .run import x\n",
        "inputs/__init__.py": '"""Inputs."""\n',
        "inputs/case.py": "import netadvisor.knowledge.models\n",
        "knowledge/__init__.py": '"""Knowledge."""\n',
        "knowledge/models.py": "from ..base import words\n",
        "stray.py": "",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return modules(root)


def test_the_checks_find_what_breaks_the_rules(broken):
    edges = imports(broken)
    layers = "\n".join(layer_problems(broken, edges))
    assert "netadvisor.base.words imports netadvisor.engine.run: base may not import engine (a layer above)" in layers
    assert "words.py:2:" in layers
    assert "netadvisor.inputs.case imports netadvisor.knowledge.models: inputs may not import knowledge (a sibling layer)" in layers
    assert "netadvisor.stray is in no layer" in layers
    assert "knowledge.models imports" not in layers  # knowledge may import base
    assert cycles(edges) == [{"netadvisor.engine.run", "netadvisor.engine.helper"}]
    assert "import circle between netadvisor.engine.helper, netadvisor.engine.run" in cycle_problems(edges)[0]
    assert [p.split(":")[0].rsplit("/", 1)[1] for p in size_problems(broken)] == ["run.py"]
    assert len(docstring_problems(broken)) == 1
