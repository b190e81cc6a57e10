"""The layout rule of docs/architecture.md, enforced: lower layers never import higher ones,
and no module imports another module's private names.

Layers, lowest first: the private top-level modules (``_types``, ``_validation``,
``_threads``), ``core``, ``models``, then ``empirical`` and ``laws`` (siblings), ``sweeps``,
then the output layers ``plots``, ``figures``, ``cli``. A few imports inside functions cross
upwards on purpose (a result's ``.plot()`` draws with ``plots``; the sweep report renders with
``plots``); they are listed in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "scalinglab"

RANK = {
    "_types": 0,
    "_validation": 0,
    "_threads": 0,
    "core": 1,
    "models": 2,
    "empirical": 3,
    "laws": 3,
    "sweeps": 4,
    "plots": 5,
    "figures": 6,
    "cli": 7,
}

# (importing layer, imported layer): why the upward import is fine
ALLOWED = {
    ("models", "plots"): "Simulation/Prediction.plot() imports plots.results inside the method",
    ("sweeps", "plots"): "the HTML report renders its figures (imported inside build_report)",
}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "scalinglab" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANK else None


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, [], node.lineno


def _module_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _module_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports_and_no_private_names(path):
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0].removesuffix(".py")
    if own not in RANK:
        return  # __init__.py / __main__.py of the package itself: the notebook API and entry
    problems = []
    for module, names, line in _imports(path):
        layer = _layer(module)
        if layer is None:
            continue
        if RANK[layer] > RANK[own] and (own, layer) not in ALLOWED:
            problems.append(f"line {line}: {own} imports {module} (a higher layer)")
        same_module = module == "scalinglab." + ".".join(rel.with_suffix("").parts)
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        if private and not same_module:
            problems.append(f"line {line}: imports private {private} from {module}")
    assert not problems, "\n".join(problems)
