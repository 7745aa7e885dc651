"""Saved models load after ``import cnn_keras`` alone, in safe mode, with equal outputs.

One model of each family with a custom object, compiled with its paper's recipe (the
optimizers with L2, the label-smoothed loss, the schedules) and given one optimizer step, saved
here; then one fresh process that imports only ``cnn_keras`` loads them all. The step applies
zero gradients: what is saved and loaded is the optimizer's state, and computing real gradients
eagerly took eight minutes on JAX (tracing them, longer). Marked ``models``: `make
test-jax` runs it again on JAX.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from cnn_keras import build_model, training

# name: (builder keywords, what the saved file holds that only cnn_keras defines)
MODELS = {
    "alexnet": ({"width_multiplier": 0.125, "fc_units": 8}, "LocalResponseNormalization"),
    "googlenet": ({"width_multiplier": 0.125, "aux_logits": False}, "LocalResponseNormalization"),
    "resnet20_cifar": ({"width_multiplier": 0.25}, "ZeroPadShortcut"),
    "inception_resnet_v2": ({"width_multiplier": 0.125, "blocks": (1, 1, 1)}, "ScaledResidual"),
    "inception_v3": (
        {"width_multiplier": 0.125, "aux_logits": False},
        "SparseCategoricalCrossentropySmoothed",
    ),
}

# On JAX every eager call compiles each operation for its shapes, in the test and again in the
# fresh process: the Inception nets cost minutes there. JAX loads the cheap ones, which hold
# LRN, the CIFAR shortcut and SGD with L2; TensorFlow loads all five.
if keras.backend.backend() != "tensorflow":
    MODELS = {name: MODELS[name] for name in ("alexnet", "resnet20_cifar")}

LOAD_ALL = """
import json, sys
import numpy as np
import keras
import cnn_keras  # the only import of the package: it must register every custom object

out = {}
for path in sys.argv[1:]:
    model = keras.saving.load_model(path, safe_mode=True)
    inputs = np.load(path + ".npz")
    outputs = keras.ops.convert_to_numpy(model(inputs["x"], training=False))  # eager: no trace
    difference = np.abs(outputs - inputs["y"]).max()
    out[path] = {
        "difference": float(difference),
        "loss": type(model.loss).__name__,
        "optimizer": type(model.optimizer).__name__,
        "optimizer_iterations": int(model.optimizer.iterations),
        "layers": sorted({type(layer).__name__ for layer in model.layers}),
    }
print("RESULT", json.dumps(out))
"""


def test_custom_objects_are_saved_under_the_package_name():
    # A .keras file names each custom object "cnn_keras>Class", whichever module defines it:
    # files saved before the training package was split load as long as these names hold.
    for cls in (
        training.SGDWithL2,
        training.RMSpropWithL2,
        training.SparseCategoricalCrossentropySmoothed,
    ):
        name = f"cnn_keras>{cls.__name__}"
        assert keras.saving.get_registered_name(cls) == name
        assert keras.saving.get_registered_object(name) is cls


@pytest.mark.models
def test_saved_models_load_after_importing_cnn_keras_only(tmp_path):
    rng = np.random.default_rng(0)
    paths = {}
    for name, (kwargs, _) in MODELS.items():
        keras.backend.clear_session()
        size = {"alexnet": 67, "googlenet": 32, "resnet20_cifar": 8}.get(name, 75)
        model = build_model(name, input_shape=(size, size, 3), classes=4, **kwargs)
        training.compile_model(model, training.recipe_for(name), steps_per_epoch=10, epochs=2)
        variables = model.trainable_variables
        model.optimizer.apply([keras.ops.zeros(v.shape, v.dtype) for v in variables], variables)
        x = rng.random((2, size, size, 3), dtype="float32")
        path = os.path.join(tmp_path, f"{name}.keras")
        model.save(path)
        np.savez(path + ".npz", x=x, y=keras.ops.convert_to_numpy(model(x, training=False)))
        paths[name] = path
    env = {**os.environ, "KERAS_BACKEND": keras.backend.backend(), "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run(
        [sys.executable, "-c", LOAD_ALL, *paths.values()], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(s for s in run.stdout.splitlines() if s.startswith("RESULT "))
    loaded = json.loads(line.removeprefix("RESULT "))
    for name, (_, custom) in MODELS.items():
        result = loaded[paths[name]]
        assert result["difference"] < 1e-5, name
        assert result["optimizer_iterations"] == 1, name  # the optimizer's state came back
        held = {*result["layers"], result["loss"], result["optimizer"]}
        assert custom in held, (name, held)
    assert loaded[paths["alexnet"]]["optimizer"] == "SGDWithL2"
    if "inception_v3" in paths:
        assert loaded[paths["inception_v3"]]["optimizer"] == "RMSpropWithL2"
