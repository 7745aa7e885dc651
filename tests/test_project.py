"""The project's own files: one dependency list, the notebooks' conventions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_installs_this_project_and_nothing_else():
    yaml = pytest.importorskip("yaml")
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    # The pip section installs the project with its extras: pyproject.toml is the only list.
    assert pip_sections == [["-e .[dev]"]]
    conda_packages = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert all(p.split("=")[0] in {"python", "pip"} for p in conda_packages)


def test_pyproject_declares_what_the_code_imports():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("[")[0] for d in project["dependencies"]}
    assert {
        "tensorflow",
        "keras",
        "tensorflow-datasets",
        "importlib_resources",
        "matplotlib",
        "scikit-learn",
        "scikit-image",
        "jupyter",
    } <= names
    dev = {d.split(">")[0].split("[")[0] for d in project["optional-dependencies"]["dev"]}
    assert {"pytest", "nbval", "ruff", "jax"} <= dev


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_checked_notebook_cells_keep_output_and_count(path):
    """nbval skips a checked cell without a stored output or execution count."""
    notebook = json.loads(path.read_text())
    checked = [
        cell
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        and any(
            line.strip() == "# NBVAL_CHECK_OUTPUT" for line in "".join(cell["source"]).split("\n")
        )
    ]
    assert checked, "every notebook checks at least one computed fact"
    for cell in checked:
        assert cell["execution_count"] is not None and cell["outputs"]
        assert not any(output["output_type"] == "error" for output in cell["outputs"])
