"""The package's layering rule: imports run one way, from higher layers to lower ones.

ground (config, settings, files, paths, plot style, devices, logs, potential table)
  -> structure -> lammps -> reference -> mlip -> md -> active -> rise -> apps (the command lines)

Function-level imports count too: deferring an import does not change who depends on whom.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vitrify"
LAYERS = ["ground", "structure", "lammps", "reference", "mlip", "md", "active", "rise", "apps"]
APPS = {"cli", "reference_cli"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in LAYERS:
        return top
    return "apps" if top in APPS else "ground"


def imports_of(path: Path) -> list[tuple[int, str]]:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    module = ".".join(rel.parts if rel.name != "__init__" else rel.parts[:-1])
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] if node.module or not node.level else [f"{target}.{a.name}" for a in node.names]
            found += [(node.lineno, t) for t in names if t.startswith("vitrify")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("vitrify")]
    return [(line, t) for line, t in found if t != "vitrify"]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_runs_up_the_layers(path):
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    own = layer_of(".".join(rel.parts))
    upward = [f"line {line}: {target} ({layer_of(target)})" for line, target in imports_of(path)
              if LAYERS.index(layer_of(target)) > LAYERS.index(own)]
    assert not upward, f"{rel} is in layer {own} but imports from above: {upward}"


def test_every_subpackage_has_a_layer():
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages <= set(LAYERS), subpackages - set(LAYERS)
