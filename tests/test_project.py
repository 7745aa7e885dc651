"""The project's own files: one dependency list, the notebooks' conventions."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_installs_this_project_and_nothing_else():
    yaml = pytest.importorskip("yaml")
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    # The pip section installs the project with its extras: pyproject.toml is the only list.
    assert pip_sections == [["-e .[dev,lab]"]]
    conda_packages = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert all(p.split("=")[0] in {"python", "pip"} for p in conda_packages)


# Top-level modules whose distribution is named otherwise.
DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "tensorflow_datasets": "tensorflow-datasets",
}
# Declared dependencies that no module of cnn_keras imports, and why each is declared.
NOT_IMPORTED = {
    "importlib-resources": "tensorflow-datasets imports it without depending on it",
    "pydot": "keras.utils.plot_model draws model diagrams with it (notebooks, tools/)",
    "tensorboard": "keras.callbacks.TensorBoard, which training.fit adds, writes with it",
}
# Keras backends the package imports only when Keras runs on them, inside a function: not
# dependencies of the package (JAX is in the dev extra for make test-jax).
BACKENDS = {"jax", "torch"}


def _imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """``(top-level module, at module level)`` for every absolute import in ``tree``."""
    found = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], top))
            inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, top and not inner)

    visit(tree, True)
    return found


def _distribution(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_pyproject_declares_what_the_code_imports():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_distribution(d) for d in project["dependencies"]}
    dev = {_distribution(d) for d in project["optional-dependencies"]["dev"]}
    imported: dict[str, set[str]] = {}  # distribution -> the files that import it
    for path in sorted((ROOT / "cnn_keras").rglob("*.py")):
        for module, top in _imports(ast.parse(path.read_text(), filename=str(path))):
            if module in sys.stdlib_module_names or module in ("cnn_keras", "__future__"):
                continue
            where = str(path.relative_to(ROOT))
            if module in BACKENDS:
                assert not top, f"{where} imports the optional backend {module} at module level"
                continue
            imported.setdefault(DISTRIBUTIONS.get(module, module).replace("_", "-"), set())
            imported[DISTRIBUTIONS.get(module, module).replace("_", "-")].add(where)
    undeclared = {name: sorted(files) for name, files in imported.items() if name not in declared}
    assert undeclared == {}, "imported but not in pyproject's dependencies"
    unused = declared - set(imported) - set(NOT_IMPORTED)
    assert unused == set(), "declared but imported by nothing (or say why in NOT_IMPORTED)"
    assert set(NOT_IMPORTED) <= declared  # a reason for a dependency that is gone goes too
    assert {"tensorflow", "keras", "numpy"} <= set(imported)  # the parse found the imports
    assert {"pytest", "pytest-xdist", "nbval", "ruff", "jax"} <= dev  # make test's tools
    # Jupyter is make lab's and make run's, not the package's: pip install on Colab skips it.
    assert "jupyter" not in declared
    assert [_distribution(d) for d in project["optional-dependencies"]["lab"]] == ["jupyter"]


def test_package_files_stay_short():
    # A file over 400 lines holds more than one thing that changes (issue 12): split it.
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for path in (ROOT / "cnn_keras").rglob("*.py")
    }
    assert {path: n for path, n in lengths.items() if n > 400} == {}


def test_no_code_matches_on_a_family_name():
    # A model's recipe, augmentation and sizes come from its spec, never from its family's
    # display name (which charts and tables show, and may change).
    pattern = re.compile(r"in family\b|\"[A-Za-z]+ \(CIFAR\)\"")
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for folder in ("cnn_keras", "notebooks")
        for path in (ROOT / folder).rglob("*.py*")
        if path.suffix in (".py", ".ipynb")
        for line in path.read_text().splitlines()
        if pattern.search(line)
    ]
    assert found == []


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
CHECK_TAG = "nbval-check-output"


def cells(path: Path, kind: str | None = None) -> list[dict]:
    found = json.loads(path.read_text())["cells"]
    for cell in found:
        cell["text"] = "".join(cell["source"])
    return [cell for cell in found if kind is None or cell["cell_type"] == kind]


def exercise_keys(path: Path) -> list[str]:
    """The exercise keys a notebook's code calls ``exercises.check``, ``is_right``,
    ``check_block``, ``predict`` or ``explain`` with, in order."""
    code = "\n".join(cell["text"] for cell in cells(path, "code"))
    pattern = r"exercises\.(?:check|is_right|check_block|predict|explain)\(\s*\"(\d\d\.\d+)\""
    calls = re.findall(pattern, code)
    return list(dict.fromkeys(calls))


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_checked_notebook_cells_keep_output_and_count(path):
    """nbval skips a checked cell without a stored output or execution count."""
    checked = [c for c in cells(path, "code") if CHECK_TAG in c["metadata"].get("tags", [])]
    assert checked, "every notebook checks at least one computed fact"
    for cell in checked:
        assert cell["execution_count"] is not None and cell["outputs"]
        assert not any(output["output_type"] == "error" for output in cell["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_checks_stay_out_of_the_readers_way(path):
    """Markers are tags; asserts sit in their own cells, tagged ``check`` and collapsed."""
    for cell in cells(path, "code"):
        assert "NBVAL_" not in cell["text"], cell["text"][:200]
        if "check" in cell["metadata"].get("tags", []):
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
        else:
            assert not re.search(r"^\s*assert\b|\.testing\.assert", cell["text"], re.M), cell[
                "text"
            ][:300]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reads_as_a_lesson(path):
    """Objectives first; takeaways, exercises and the way onward at the end."""
    markdown = cells(path, "markdown")
    opening = markdown[0]["text"]
    for part in ("**You will learn**", "**Before this**", "**Run time**"):
        assert part in opening, f"the first cell names {part}"
    headings = [line for cell in markdown for line in cell["text"].splitlines()]
    assert "## Takeaways" in headings and "## Exercises" in headings
    number = int(path.name[:2])
    following = [p for p in NOTEBOOKS if int(p.name[:2]) == number + 1]
    if following:
        assert f"]({following[0].name})" in markdown[-1]["text"], "the last cell links onward"


def test_notebook_00_maps_the_suite():
    text = "\n".join(cell["text"] for cell in cells(NOTEBOOKS[0], "markdown"))
    for path in NOTEBOOKS[1:]:
        assert f"]({path.name})" in text


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    text = "\n".join(cell["text"] for cell in cells(path, "markdown"))
    for target in re.findall(r"\]\(([^)#:]+?\.(?:ipynb|png|md|csv))\)", text):
        assert (path.parent / target).exists(), target


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_registered_and_solved(path):
    """3 to 6 exercises a student checks with ``exercises.check``; a solutions notebook for
    teachers works every one of them."""
    from cnn_keras import exercises

    number = path.name[:2]
    keys = exercise_keys(path)
    registered = exercises.exercises_for(number)
    answers = [e.key for e in registered if e.kind == "answer"]
    # Until the lessons call the new kinds (check_block, predict, explain), only the answer
    # exercises must all be there; then this becomes keys == [e.key for e in registered].
    assert [key for key in keys if key in answers] == answers
    assert set(keys) <= {e.key for e in registered}
    assert 3 <= len(answers) <= 6
    solved = [p for p in SOLUTIONS if p.name.startswith(number)]
    assert len(solved) == 1, f"notebooks/solutions/{number}_..._solutions.ipynb"
    assert exercise_keys(solved[0]) == keys
