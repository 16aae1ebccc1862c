"""The package's shape: layers import only from layers before them (lazy imports included), no
import cycles, and no module, function or return value grown past what a reader can hold."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlederive"

#: module (or package prefix) → layer; a module may import only from its own layer or earlier ones
LAYERS = {
    "mlederive.errors": 1, "mlederive.budget": 1, "mlederive.symbolic": 1, "mlederive.version": 1, "mlederive.textenum": 1,
    "mlederive.output": 1, "mlederive.asciiout": 1, "mlederive.pdf": 1, "mlederive.prose": 1,
    "mlederive.primitives": 1, "mlederive.class_sums": 1, "mlederive.subscripts": 1, "mlederive.special": 1,
    "mlederive.check_functions": 1, "mlederive.quadrature": 1, "mlederive.indicators": 1, "mlederive.limits": 1,
    "mlederive.links": 2, "mlederive.pairing": 2, "mlederive.families": 2, "mlederive.predictors": 2,
    "mlederive.priors": 2, "mlederive.losses": 2, "mlederive.libraries": 2, "mlederive.model": 2,
    "mlederive.moments": 2,
    "mlederive.relations": 3, "mlederive.documents": 3, "mlederive.questions": 3,
    "mlederive.expressions": 4, "mlederive.custom": 4, "mlederive.recipe": 4, "mlederive.arguments": 4,
    "mlederive.verification": 5,
    "mlederive.derivation": 6, "mlederive.mle": 6,
    "mlederive.render": 7,
    "mlederive.exam": 8, "mlederive.grading": 8, "mlederive.codegen": 8, "mlederive.catalog": 8, "mlederive.cli": 8, "mlederive.plot": 8, "mlederive": 8,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best]


def imports(path: Path) -> set[str]:
    """Every mlederive module ``path`` imports, at any depth (function-level imports too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("mlederive")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("mlederive"):
                continue
            for alias in node.names:  # "from . import symbolic" names a module
                sub = "%s.%s" % (target, alias.name)
                out.add(sub if (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists()
                        or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else target)
    return out


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {t for t in imports(path) if t != name} for name, path in MODULES.items()}


def test_every_module_has_a_layer():
    for name in MODULES:
        assert layer(name), name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_only_to_earlier_layers(name):
    later = sorted(t for t in GRAPH[name] if layer(t) > layer(name))
    assert not later, "%s (layer %d) imports %s" % (name, layer(name), ", ".join(
        "%s (layer %d)" % (t, layer(t)) for t in later))


def test_no_import_cycles():
    # a package's __init__ importing its own submodules is how Python packages work: not a cycle
    def edges(name):
        return {t for t in GRAPH.get(name, ()) if t in GRAPH and not (name == t.rpartition(".")[0]
                                                                   and MODULES[name].name == "__init__.py")}

    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges(node)):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_no_module_over_500_lines_no_function_over_80_no_return_of_more_than_four():
    problems = []
    for name, path in MODULES.items():
        source = path.read_text()
        if len(source.splitlines()) > 500:
            problems.append("%s: %d lines" % (name, len(source.splitlines())))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80:
                problems.append("%s.%s: %d lines" % (name, node.name, node.end_lineno - node.lineno + 1))
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) > 4:
                problems.append("%s:%d returns %d values" % (name, node.lineno, len(node.value.elts)))
    assert not problems, problems


def test_every_subpackage_is_installed():
    """pyproject lists packages by hand: a new subpackage missing there installs a broken mlederive."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)
