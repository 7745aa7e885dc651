"""The package's layers point one way (issue 22): a module imports only from layers below its
own (or from its own subpackage), read from the source with ``ast``, imports inside functions
included, ``if TYPE_CHECKING:`` blocks left out (they never run)."""

from __future__ import annotations

import ast
from pathlib import Path

import cnn_keras

PACKAGE = Path(cnn_keras.__file__).parent

# Each top-level module or subpackage of cnn_keras, by layer: 0 knows nothing of the package,
# the models sit on the registry, the run plan on the models, data and profiles, training on the
# plan, and the faces (comparison, experiments, exercises, the command line) on everything.
LAYERS = {
    "checks": 0,
    "text_table": 0,
    "machine": 0,
    "tables": 0,
    "history": 0,
    "recipes": 1,
    "data": 1,  # takes an augmentation, never a model name
    "profiles": 1,  # knows machines, not models
    "heads": 1,
    "registry": 2,  # Family, ModelSpec: what the builders are handed
    "batch_norm": 2,  # a Keras layer, faster on TensorFlow
    "layers": 3,  # model pieces
    "attention": 4,
    "models": 5,
    "analysis": 6,
    "pretrained": 6,
    "plan": 6,
    "plots": 7,
    "interpret_plots": 8,
    "concepts": 7,
    "training": 8,
    "compare": 9,
    "experiments": 9,
    "exercises": 10,
    "cli": 11,
}


def _unit(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _runtime_nodes(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imported_units(tree: ast.AST) -> set[str]:
    units = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = node.module.split(".")
            if names[0] != "cnn_keras":
                continue
            if len(names) > 1:
                units.add(names[1])
            else:  # from cnn_keras import data, build_model
                units.update(alias.name for alias in node.names if alias.name in LAYERS)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "cnn_keras" and len(names) > 1:
                    units.add(names[1])
    return units


def test_every_module_has_a_layer():
    units = {_unit(path) for path in PACKAGE.rglob("*.py")} - {"__init__"}
    missing = sorted(units - set(LAYERS))
    assert not missing, f"give {missing} a layer in LAYERS (tests/test_import_graph.py)"


def test_imports_point_down_only():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        unit = _unit(path)
        if unit == "__init__":
            continue  # the package's face imports what it exports
        for target in _imported_units(ast.parse(path.read_text())):
            if target != unit and LAYERS.get(target, -1) >= LAYERS[unit]:
                upward.append(f"{path.relative_to(PACKAGE.parent)} imports {target}")
    assert not upward, "imports that run sideways or upward:\n" + "\n".join(upward)


def test_the_check_sees_a_violation():
    # The reader works: an import inside a function counts, a TYPE_CHECKING one does not.
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cnn_keras.registry import Family\n"
        "def f():\n    from cnn_keras import plots, build_model\n"
        "import cnn_keras.training.fitting\n"
    )
    assert _imported_units(ast.parse(source)) == {"plots", "training"}
