"""The run plan (issue 22): every value of a run decided once, before anything loads; the
multi-output compile that GoogLeNet's auxiliary classifiers train with."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from cnn_keras import data, get_spec, profiles, training
from cnn_keras.plan import RunPlan, plan_run


def test_unset_values_come_from_the_profile_and_the_spec():
    # The profile's data set, epochs, batch and widths, only the width knobs the family takes
    # (AlexNet has hidden FC layers, the CIFAR ResNet none), the input raised to the net's
    # minimum, the recipe's learning rate scaled linearly to the batch.
    smoke = profiles.get_profile("smoke")
    plan = plan_run("alexnet", "smoke")
    spec = get_spec("alexnet")
    assert (plan.dataset, plan.epochs, plan.batch_size) == (
        smoke.dataset,
        smoke.epochs,
        smoke.batch_size,
    )
    assert plan.input_shape == (spec.min_input_size, spec.min_input_size, 1)  # 67 > 32; grey
    assert plan.classes == 10
    assert plan.width == {"width_multiplier": smoke.width_multiplier, "fc_units": smoke.fc_units}
    paper = spec.recipe
    assert plan.recipe.learning_rate == pytest.approx(
        paper.learning_rate * smoke.batch_size / paper.batch_size
    )
    assert plan.recipe.paper == paper.paper and plan.recipe.weight_decay == paper.weight_decay
    assert (plan.train_samples, plan.test_samples) == (smoke.train_samples, smoke.test_samples)
    sources = {setting: source for setting, _, source in plan.rows()}
    assert sources["input"].startswith("the net's minimum")
    assert sources["epochs"] == "profile smoke"
    table = str(plan)
    assert "learning rate" in table and "scaled to batch 32" in table


def test_given_values_win_and_are_checked():
    plan = plan_run(
        "resnet20_cifar",
        "smoke",
        batch_size=np.int64(64),
        learning_rate=0.05,
        width_multiplier=0.5,
        image_size=12,
        train_samples="all",
        label_smoothing=0.1,
        seed=3,
    )
    assert plan.width == {"width_multiplier": 0.5}
    assert (plan.batch_size, plan.recipe.learning_rate, plan.image_size) == (64, 0.05, 12)
    assert (plan.train_samples, plan.recipe.label_smoothing, plan.seed) == (None, 0.1, 3)
    assert {setting: value for setting, value, _ in plan.rows()}["learning rate"] == "0.05"
    # On full the input is the paper's and "auto" is the paper's augmentation for the data.
    full = plan_run("inception_v3", "full", dataset="imagenette")
    assert (full.input_shape, full.augment) == ((299, 299, 3), "inception")
    assert plan_run("resnet20_cifar", "smoke", augment="auto").augment == "cifar"
    assert plan_run("resnet20_cifar", "smoke", augment=None).augment == "none"


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"width_multiplier": 0.001}, r"width_multiplier must be a number in \[0.015625, 16\]"),
        ({"fc_units": 8, "model": "resnet20_cifar"}, r"fc_units=8: resnet20_cifar has no such"),
        ({"options": {"classes": 3}}, r"sets classes, which the plan decides"),
        ({"options": {"bogus": 1}}, r"got an unexpected keyword argument 'bogus'"),
        ({"options": ["batch_norm"]}, r"options must be a dict"),
        ({"image_size": 8}, r"image_size=8 is below vgg11's smallest input, 32"),
        ({"train_samples": 0}, r"train_samples must be an int >= 1"),
        ({"epochs": 1.5}, r"epochs must be an int"),
        ({"batch_size": 0}, r"batch_size must be an int >= 1"),
        ({"learning_rate": -1}, r"learning_rate must be a number > 0"),
        ({"label_smoothing": 1}, r"label_smoothing must be a number in \[0, 1\)"),
        ({"augment": "inceptio"}, r"Unknown augment='inceptio'.*Did you mean 'inception'"),
        ({"dataset": "fashion"}, r"Unknown data set dataset='fashion'"),
        ({"model": "vgg17"}, r"vgg17"),
        ({"profile": "laptop"}, r"Unknown profile 'laptop'"),
        # The builder's own bounds: GoogLeNet's auxiliary heads need 65 pixels.
        ({"model": "googlenet", "options": {"aux_logits": True}}, r"at least 65"),
    ],
)
def test_bad_arguments_are_refused_by_the_plan(kwargs, pattern):
    kwargs = {"profile": "smoke", **kwargs}
    model = kwargs.pop("model", "vgg11")
    with pytest.raises(ValueError, match=pattern):
        plan_run(model, **kwargs)


def test_a_bad_width_fails_before_any_data_loads_or_folder_is_made(tmp_path, monkeypatch):
    # The case: train("vgg11", dataset="digits", width_multiplier=0.001) used to load
    # the data, then fail in the builder, leaving an empty run folder.
    def no_loading(*args, **kwargs):
        raise AssertionError("data.load was called")

    monkeypatch.setattr(data, "load", no_loading)
    output = tmp_path / "run"
    with pytest.raises(ValueError, match=r"width_multiplier.*received width_multiplier=0.001"):
        training.train("vgg11", dataset="digits", width_multiplier=0.001, output_dir=str(output))
    assert not output.exists()


def test_a_plan_builds_its_model_and_is_frozen():
    plan = plan_run("resnet20_cifar", "smoke", options={"shortcuts": True})
    model = plan.build()
    assert model.input_shape == (None, *plan.input_shape)
    assert model.output_shape == (None, plan.classes)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.epochs = 3
    assert isinstance(dataclasses.replace(plan, epochs=3), RunPlan)


def _two_output_model():
    inputs = keras.Input((8, 8, 1))
    features = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs))
    main = keras.layers.Dense(3, activation="softmax", name="predictions")(features)
    aux = keras.layers.Dense(3, activation="softmax", name="aux_predictions")(features)
    return keras.Model(inputs, [main, aux])


@pytest.mark.models
def test_compile_model_weighs_auxiliary_outputs_by_the_recipe():
    # On TensorFlow and (make test-jax) JAX: the total loss is main + weight * aux.
    keras.utils.set_random_seed(0)
    model = _two_output_model()
    recipe = dataclasses.replace(training.recipe_for("googlenet"), aux_loss_weight=0.25)
    training.compile_model(model, recipe)
    images = np.random.default_rng(0).uniform(0, 1, (4, 8, 8, 1)).astype("float32")
    labels = np.array([0, 1, 2, 1])
    logs = model.train_on_batch(images, [labels, labels], return_dict=True)
    main, aux = logs["predictions_loss"], logs["aux_predictions_loss"]
    assert logs["loss"] == pytest.approx(main + 0.25 * aux, rel=1e-4)
    assert "predictions_accuracy" in logs and "aux_predictions_accuracy" not in logs
    with pytest.raises(ValueError, match=r"2 outputs .*weighs none"):
        training.compile_model(_two_output_model(), training.recipe_for("vgg16"))
