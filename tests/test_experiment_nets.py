"""The experiments of lessons 02-04: their nets (what each arm changes, and only that), the
filter measures of lesson 02, the five-class Fashion-MNIST and the linear probe of lesson 03.
The committed results are checked by tests/test_experiments.py."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_keras import analysis, data
from cnn_keras.experiments import (
    FINAL_TEST_ACCURACY,
    Arm,
    Comparison,
    Experiment,
    get_experiment,
    nets,
    run,
)
from cnn_keras.experiments.lesson02 import spectrum_shares
from cnn_keras.experiments.lesson03 import probe_accuracies
from cnn_keras.plan import plan_run
from cnn_keras.registry import Family, ModelSpec


def _params(spec, **kwargs):
    return analysis.count_params(spec.build(classes=10, **kwargs)).total


def test_stacked_blocks_have_the_papers_weights_per_block():
    # Three stages of 16 -> 16 convs: 25 C^2 + C against 2 (9 C^2 + C), 49 C^2 + C against
    # 3 (9 C^2 + C), the rest of the net shared.
    shape = {"input_shape": (28, 28, 1), "width_multiplier": 0.125}
    c = 16
    params = {b: _params(nets.STACKED_NET, block=b, **shape) for b in nets.BLOCKS}
    assert params["5x5"] - params["3x3x2"] == 3 * ((25 * c * c + c) - 2 * (9 * c * c + c))
    assert params["7x7"] - params["3x3x3"] == 3 * ((49 * c * c + c) - 3 * (9 * c * c + c))


def test_conv1_arms_differ_only_in_conv1():
    models = {
        arm: nets.CONV1_NET.build(conv1=arm, input_shape=(64, 64, 1), classes=10)
        for arm in nets.CONV1
    }
    names = [[layer.name for layer in m.layers] for m in models.values()]
    assert names[0] == names[1]
    conv1 = {arm: m.get_layer("conv1") for arm, m in models.items()}
    assert conv1["alexnet"].kernel_size == (11, 11) and conv1["alexnet"].strides == (4, 4)
    assert conv1["zfnet"].kernel_size == (7, 7) and conv1["zfnet"].strides == (2, 2)
    for name in ("conv2", "conv3", "predictions"):
        shapes = {tuple(m.get_layer(name).kernel.shape) for m in models.values()}
        assert len(shapes) == 1


def test_inception_arms_cost_the_same_within_3_percent():
    macs = [
        analysis.count_macs(
            nets.INCEPTION_NET.build(
                naive=naive, input_shape=(28, 28, 1), classes=10, width_multiplier=0.25
            )
        )
        for naive in (True, False)
    ]
    assert abs(macs[0] - macs[1]) / macs[0] < 0.03


def test_inception_net_with_aux_logits_has_googlenets_head_as_a_second_output():
    model = nets.INCEPTION_NET.build(
        aux_logits=True, input_shape=(28, 28, 1), classes=10, width_multiplier=0.25
    )
    assert model.output_names == ["predictions", "aux_predictions"]
    assert model.get_layer("aux_avg_pool").output.shape[1:3] == (4, 4)  # 5x5/3 on 14x14
    assert model.get_layer("aux_conv").output.shape[-1] == 32  # GoogLeNet's 128 at 0.25
    plain = nets.INCEPTION_NET.build(input_shape=(28, 28, 1), classes=10, width_multiplier=0.25)
    main = keras.Model(model.inputs, model.outputs[0])
    assert analysis.count_params(main).total == analysis.count_params(plain).total
    with pytest.raises(ValueError, match="aux_logits"):
        nets.INCEPTION_NET.build(aux_logits=True, include_top=False, input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match="input_shape"):
        nets.INCEPTION_NET.build(aux_logits=True, input_shape=(16, 16, 1))


def test_experiment_nets_refuse_bad_options():
    with pytest.raises(ValueError, match="conv1"):
        nets.CONV1_NET.build(conv1="vgg", input_shape=(64, 64, 1))
    with pytest.raises(ValueError, match="block"):
        nets.STACKED_NET.build(block="9x9", input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match="pooling"):
        nets.PIXELS_NET.build(include_top=False, pooling="avg", input_shape=(28, 28, 1))


def test_spectrum_shares_put_a_checkerboard_high_and_a_flat_filter_low():
    checker = np.indices((7, 7)).sum(axis=0) % 2 * 2.0 - 1.0
    flat = np.ones((7, 7))
    kernels = np.stack([checker, flat], axis=-1)[:, :, None, :]  # (7, 7, 1, 2)
    high, low = spectrum_shares(kernels, 0.25)
    assert high > 0.9 and low < 0.1


def test_five_class_fashion_mnist_plans_five_classes_and_loads_only_them():
    plan = plan_run("vgg11", "smoke", dataset="fashion_mnist_5", image_size=32)
    assert plan.classes == 5
    splits = data.load_arrays("fashion_mnist_5", image_size=28, train_samples=512, augment=None)
    labels = np.asarray(splits.train.y)
    assert splits.num_classes == 5 and set(labels.tolist()) <= set(range(5))


def test_linear_probe_on_pixels_learns_the_unseen_classes_from_more_labels():
    experiment = get_experiment("vgg_fc7_probe")
    plan = experiment.plan("pixels", "smoke", seed=0)
    accuracies = probe_accuracies(plan.build(), plan)
    assert list(accuracies) == [1, 5, 20, 100]
    assert 0.2 < accuracies[1] < accuracies[100] <= 1.0  # above chance, better with labels


def _two_headed(*, input_shape=None, classes=10, width_multiplier=1.0, name="two_headed", **head):
    """A net with an auxiliary output, as GoogLeNet's with ``aux_logits=True``."""
    import keras

    from cnn_keras.layers import image_input

    inputs = image_input(input_shape, TWO_HEADED.family, model_name=name)
    x = keras.layers.Flatten(name="flat")(inputs)
    main = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    aux = keras.layers.Dense(classes, activation="softmax", name="aux1_predictions")(x)
    return keras.Model(inputs, [main, aux], name=name)


TWO_HEADED = ModelSpec(
    "two_headed", _two_headed, {}, Family("two heads", "a test", 8, 8, recipe="googlenet")
)


def test_runner_reads_the_main_output_of_a_net_with_auxiliary_heads(tmp_path):
    experiment = Experiment(
        name="aux_heads",
        lesson="04",
        question="Does the runner read the main output?",
        claim="It does.",
        source="a test",
        arms=(Arm("flat", nets.PIXELS_NET), Arm("heads", TWO_HEADED)),
        budget={"image_size": 8, "epochs": 1, "train_samples": 64, "test_samples": 64},
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "heads", "flat"),),
        seeds=1,
    )
    results = run(
        experiment, profile="smoke", output=tmp_path / "a.csv", runs_dir=str(tmp_path), report=None
    )
    heads = results.run("heads", 0)
    assert np.isfinite(heads["test_accuracy"]).all() and np.isfinite(heads["train_loss"]).all()
