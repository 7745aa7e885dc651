"""Lesson 12's ImageNet part with its switch on, offline: the notebook's own cells (tagged
``imagenet``) run with ``USE_IMAGENET_WEIGHTS = True`` on MobileNetV2, whose published file
is stood in for by its keras.applications twin with random weights, written into a temporary
cache under the published name (as tests/test_pretrained.py does). The committed run has the
switch off; this is the path a reader with the weights takes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import matplotlib
import numpy as np
import pytest
from helpers import randomize_weights

from cnn_keras import pretrained
from cnn_keras.pretrained import build as pretrained_build
from cnn_keras.pretrained import files

matplotlib.use("Agg")

LESSON = Path(__file__).resolve().parent.parent / "notebooks" / "12_what_the_nets_learned.ipynb"


def _code_cells() -> list[dict]:
    cells = json.loads(LESSON.read_text())["cells"]
    return [
        {"text": "".join(cell["source"]), "tags": cell["metadata"].get("tags", [])}
        for cell in cells
        if cell["cell_type"] == "code"
    ]


@pytest.mark.slow
def test_the_imagenet_cells_run_with_the_weights_present(tmp_path, monkeypatch, capsys):
    file = pretrained.weights_file("MobileNetV2")
    twin = keras.applications.MobileNetV2(weights=None)  # 224x224, alpha 1, with the top
    randomize_weights(twin, seed=0)
    os.makedirs(tmp_path / "models")
    twin.save(tmp_path / "models" / file.name)

    def fetch(weights, cache_dir=None, model=""):  # Keras's cache, moved to tmp_path
        return files.fetch_weights(weights, cache_dir=tmp_path, model=model)

    monkeypatch.setattr(pretrained_build, "fetch_weights", fetch)
    monkeypatch.setattr(pretrained, "weights_folder", lambda cache_dir=None: tmp_path / "models")
    monkeypatch.setenv("CNN_KERAS_FIGURE_DIR", str(tmp_path / "figures"))

    cells = _code_cells()
    imagenet = [cell["text"] for cell in cells if "imagenet" in cell["tags"]]
    assert len(imagenet) == 4 and "USE_IMAGENET_WEIGHTS = False" in imagenet[0]
    namespace: dict = {}
    exec(cells[0]["text"], namespace)  # the lesson's imports and profile
    # What the lesson's earlier cells leave behind that this part uses: our conv1 and the run.
    namespace.update(
        conv1_kernel=np.random.default_rng(0).normal(size=(7, 7, 1, 24)).astype("float32"),
        trained_for="no training (a test)",
        where="a test",
    )
    exec(imagenet[0], namespace)
    namespace["USE_IMAGENET_WEIGHTS"] = True
    namespace["IMAGENET_MODELS"] = {"mobilenet_v2": namespace["IMAGENET_MODELS"]["mobilenet_v2"]}
    namespace["weight_files"] = {"mobilenet_v2": namespace["weight_files"]["mobilenet_v2"]}
    capsys.readouterr()
    for text in imagenet[1:]:
        exec(text, namespace)
    printed = capsys.readouterr().out

    model = namespace["imagenet"]["mobilenet_v2"]
    image = namespace["inputs"]["mobilenet_v2"][:1]
    expected = keras.ops.convert_to_numpy(twin(image))
    np.testing.assert_allclose(model.predict(image, verbose=0), expected, rtol=1e-4, atol=1e-5)
    top5 = [line for line in printed.splitlines() if line.startswith("mobilenet_v2 ")]
    assert [line.split()[1] for line in top5] == list(namespace["PHOTOS"])
    assert all(line.count("%") == 5 for line in top5)
    saved = sorted(path.name for path in (tmp_path / "figures").iterdir())
    assert saved == ["12_first_layers.png", "12_imagenet_grad_cam_mobilenet_v2.png"]
