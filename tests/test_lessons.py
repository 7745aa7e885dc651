"""What a student meets in a lesson (issues 19, 20 and 22): no hidden cell and no assert in the
way, no exercise answered before it is asked, exercises that are not all arithmetic, the math
in LaTeX and the blocks as schematics, every run built from a run plan without branching on the
profile's name, and each lesson's claims shown from its committed experiments.

Each test runs per lesson (``-k 05_resnet``), so a lesson can be checked alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lessons 08 and 09 were rewritten (branch nb08) but not executed: their experiments' results
# are not committed yet, so the committed notebooks are still the earlier ones, which these
# checks do not describe (issues 19, 20 and 22 stay open for them).
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ids = [path.name for path in LESSONS]


def _cells(path: Path) -> list[dict]:
    found = json.loads(path.read_text())["cells"]
    for cell in found:
        cell["text"] = "".join(cell["source"])
        cell["shown"] = cell["text"] if cell["cell_type"] == "markdown" else _outputs(cell)
    return found


def _outputs(cell: dict) -> str:
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append("".join(output["text"]))
        texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def _code(path: Path) -> str:
    return "\n".join(cell["text"] for cell in _cells(path) if cell["cell_type"] == "code")


def _number(path: Path) -> str:
    return path.name[:2]


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_no_assert_and_no_hidden_cell(path):
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        assert "check" not in cell["metadata"].get("tags", []), cell["text"][:200]
        assert not cell["metadata"].get("jupyter", {}).get("source_hidden"), cell["text"][:200]
        assert not re.search(r"^\s*assert\b|\.testing\.assert", cell["text"], re.M), cell["text"][
            :200
        ]


def _exercise_cell(cells: list[dict], key: str) -> int:
    """The index of the first cell that asks exercise ``key``."""
    pattern = re.compile(rf"(\*\*{re.escape(key)}\b|^#+ *{re.escape(key)}\b|\"{re.escape(key)}\")")
    for index, cell in enumerate(cells):
        if pattern.search(cell["text"]):
            return index
    raise AssertionError(f"exercise {key} is never asked")


def _whole(text: str, rendering: str) -> bool:
    """``rendering`` stands alone in ``text``: not part of a longer number, nor of a model's name
    (``DenseNet-169``, ``resnet152``), nor a time Keras prints per step (``144ms/step``)."""
    return re.search(rf"(?<![\w.,-]){re.escape(rendering)}(?![\d]|[mu]?s/step)", text) is not None


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_no_answer_is_printed_before_its_exercise(path):
    from cnn_keras import exercises

    cells = _cells(path)
    leaks = []
    for entry in exercises.exercises_for(_number(path)):
        renderings = [
            r for r in exercises.answer_renderings(entry.key) if sum(c.isdigit() for c in r) >= 3
        ]
        if not renderings:
            continue
        asked = _exercise_cell(cells, entry.key)
        for index, cell in enumerate(cells[:asked]):
            shown = [r for r in renderings if _whole(cell["shown"], r)]
            if shown:
                leaks.append(f"{entry.key}: cell {index} shows {shown[0]!r}")
    assert not leaks, "answers shown before their exercise:\n" + "\n".join(leaks)


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_exercises_are_not_all_arithmetic(path):
    from cnn_keras import exercises

    code = _code(path)
    kinds = [
        entry.kind
        for entry in exercises.exercises_for(_number(path))
        if re.search(rf"exercises\.\w+\(\s*\"{re.escape(entry.key)}\"", code)
    ]
    assert sum(kind != "answer" for kind in kinds) >= 2, kinds


# Where each lesson introduces its key formulas (issue 20): some LaTeX in its markdown.
MATH_LESSONS = ("00", "01", "03", "04", "05", "06", "07", "08", "11", "12")
# The schematics (figures/concepts) each lesson shows beside its blocks' code.
SCHEMATICS = {
    "04": ("inception_naive", "inception_bottleneck"),
    "05": ("residual_basic", "residual_bottleneck"),
    "06": ("factorized_convs",),
    "08": ("grouped_conv", "dense_block", "depthwise_separable"),
    "11": ("se_block", "inverted_residual"),
}


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_the_math_and_the_pictures(path):
    number = _number(path)
    markdown = "\n".join(c["text"] for c in _cells(path) if c["cell_type"] == "markdown")
    if number in MATH_LESSONS:
        assert re.search(r"\$[^$\n]+\$", markdown), "state the key formulas in LaTeX"
    text = "\n".join(c["text"] for c in _cells(path))
    for schematic in SCHEMATICS.get(number, ()):
        assert f"concepts/{schematic}.png" in text, f"show figures/concepts/{schematic}.png"


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_runs_come_from_a_plan_without_branching_on_the_profile(path):
    code = _code(path)
    branches = re.findall(
        r"(?:\bif\b[^\n]*profile\.name|profile\.name\s*(?:==|!=|\bin\b)|get\(profile\.name)", code
    )
    assert not branches, branches
    if re.search(r"training\.(?:fit|run|train)\(|\.fit\(", code):
        assert "plan_run(" in code, "build the run from cnn_keras.plan.plan_run"


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_kernelspec_is_set(path):
    metadata = json.loads(path.read_text())["metadata"]
    assert metadata.get("kernelspec", {}).get("name"), "a kernelspec in the metadata"


# The lessons whose claims are experiments (issue 19): at least two each, plotted as bands with
# a computed verdict; 09 draws the measured chart.
EXPERIMENT_LESSONS = ("01", "02", "03", "04", "05", "06", "07", "08", "11")
# Lessons that do not show two experiments yet, and why (issue 19 stays open for them); the test
# fails once one of them does, so that it leaves this list.
PENDING_LESSONS: dict[str, str] = {}


@pytest.mark.parametrize("path", LESSONS, ids=ids)
def test_lessons_show_their_experiments(path):
    from cnn_keras import experiments

    number = _number(path)
    code = _code(path)
    shown = set(re.findall(r"experiments\.load\(\s*\"(\w+)\"", code))
    if number in PENDING_LESSONS:
        assert len(shown) < 2, f"lesson {number} shows two experiments now: drop it from PENDING"
    elif number in EXPERIMENT_LESSONS:
        assert len(shown) >= 2, f"lesson {number} loads {sorted(shown)}"
        assert "experiments.plot(" in code and "experiments.verdict(" in code
    for name in shown:
        experiments.get_experiment(name)  # a registered experiment, results committed
        assert (ROOT / "data" / "experiments" / f"{name}.csv").exists(), name
