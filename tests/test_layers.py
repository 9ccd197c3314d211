"""The packages import one way, as the README's layout table says, and no two modules import each other.

Every ``import`` is read from the source (those inside functions too), so a lazy import that
closes a circle counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: package -> the packages of ours it may import (the README's table); the data flow runs downward
ALLOWED = {
    "atomic_files": set(),
    "limits": set(),
    "digits": {"atomic_files"},
    "encoding": set(),
    "neuron_models": set(),
    "backends": set(),
    "weights": {"atomic_files", "encoding", "neuron_models"},
    "networks": {"encoding", "neuron_models", "weights", "backends"},
    "readout": {"atomic_files", "neuron_models", "weights", "networks"},
    "trainer": {"atomic_files", "digits", "encoding", "neuron_models", "weights", "networks", "readout"},
    "plasticity": {"atomic_files", "encoding", "neuron_models", "backends", "weights", "readout"},
    "web": {"limits", "digits", "readout", "weights"},
    "sweep": {"atomic_files", "limits", "digits", "encoding", "neuron_models", "backends", "weights", "networks",
              "readout", "plasticity"},
    "cli": {"atomic_files", "limits", "digits", "encoding", "neuron_models", "backends", "weights", "networks", "readout",
            "trainer", "plasticity", "sweep", "web"},
}


def modules() -> dict[str, Path]:
    """Dotted module name (under snn_mnist) -> file."""
    found = {"atomic_files": ROOT / "atomic_files.py", "limits": ROOT / "limits.py"}
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else ():
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that ``name`` imports, resolved to the longest known module name."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
                candidates = [module] + [f"{module}.{a.name}" for a in node.names]
                candidates = [f"snn_mnist.{c}" for c in candidates]
            else:
                candidates = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for c in candidates:
            if c and c.startswith("snn_mnist."):
                c = c.removeprefix("snn_mnist.")
                while c and c not in known:
                    c = c.rpartition(".")[0]
                if c and c != name:
                    targets.add(c)
    return targets


GRAPH = {name: imports(name, path, set(modules())) for name, path in modules().items()}


def test_packages_import_only_what_the_layout_allows():
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if (top := target.split(".")[0]) != name.split(".")[0] and top not in ALLOWED[name.split(".")[0]]
    )
    assert wrong == []


def test_no_module_outside_cli_imports_cli():
    assert sorted(n for n, t in GRAPH.items() if not n.startswith("cli") and any(x.startswith("cli") for x in t)) == []


def test_no_two_modules_import_each_other_even_lazily():
    def is_package_of(a: str, b: str) -> bool:  # a package's __init__ importing its own submodules is no circle
        return b.startswith(a + ".")

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in GRAPH.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen and not is_package_of(nxt, start):
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    circles = sorted(
        f"{a} -> {b}" for a, targets in GRAPH.items() for b in targets
        if not is_package_of(a, b) and not is_package_of(b, a) and reaches(b, a, {b})
    )
    assert circles == []
