"""The experiments of lessons 06-09: the calibration numbers on hand-made predictions, the nets
made for them (their one difference, counted), the builder switches they use, and the timing
measure."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_keras import analysis, experiments
from cnn_keras.experiments import nets_b
from cnn_keras.experiments.lesson06 import CALIBRATION_COLUMNS, calibration
from cnn_keras.experiments.lesson09 import seconds_per_image
from cnn_keras.models.inception_resnet import inception_resnet
from cnn_keras.models.mobilenet import mobilenet
from cnn_keras.plan import plan_run


def test_calibration_of_hand_made_predictions():
    # Four images at confidence 0.95, three right: bin 9 has accuracy 0.75, gap 0.2; four at
    # 0.55, two right: bin 5, gap 0.05. ECE = 0.5 * 0.2 + 0.5 * 0.05.
    def row(confidence, label):
        p = np.full(10, (1 - confidence) / 9)
        p[label] = confidence
        return p

    probabilities = np.stack([row(0.95, 0)] * 4 + [row(0.55, 1)] * 4)
    labels = np.array([0, 0, 0, 3, 1, 1, 2, 2])
    values = calibration(probabilities, labels)
    assert values["ece"] == pytest.approx(0.5 * 0.2 + 0.5 * 0.05)
    assert values["bin9_count"] == 4 and values["bin9_accuracy"] == pytest.approx(0.75)
    assert values["bin5_confidence"] == pytest.approx(0.55) and values["bin5_accuracy"] == 0.5
    assert values["bin1_count"] == 0 and np.isnan(values["bin1_accuracy"])
    assert set(values) == set(CALIBRATION_COLUMNS)
    right = np.log([0.95] * 3 + [0.05 / 9] + [0.55] * 2 + [0.45 / 9] * 2)
    assert values["nll"] == pytest.approx(-right.mean())
    perfect = calibration(np.eye(10)[[1, 2]], [1, 2])
    assert perfect["ece"] == 0 and perfect["nll"] == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="probabilities"):
        calibration(np.ones((3, 10)) / 10, [0, 1])


def test_factorized_pair_has_two_sevenths_of_the_7x7_weights():
    full = nets_b.SEVEN_BY_SEVEN.build(input_shape=(28, 28, 1), classes=10)
    factorized = nets_b.FACTORIZED.build(input_shape=(28, 28, 1), classes=10)
    c = nets_b.MIDDLE_FILTERS
    assert full.get_layer("mid2_7x7").count_params() == 49 * c * c
    kernels = [factorized.get_layer(f"mid2_{k}").count_params() for k in ("1x7", "7x1")]
    assert kernels == [7 * c * c, 7 * c * c]
    assert analysis.count_macs(factorized) < analysis.count_macs(full) / 2


def test_mobilenet_full_convolutions_switch():
    kwargs = {"input_shape": (32, 32, 1), "classes": 10, "width_multiplier": 0.25}
    separable, full = mobilenet(**kwargs), mobilenet(separable=False, **kwargs)
    assert full.get_layer("conv_full_13").kernel.shape == (3, 3, 256, 256)
    assert 7 < analysis.count_macs(full) / analysis.count_macs(separable) < 9
    with pytest.raises(ValueError, match="separable"):
        mobilenet(separable="no", **kwargs)


def test_inception_resnet_without_shortcuts_keeps_every_weight():
    kwargs = {"config": "v1", "input_shape": (75, 75, 1), "classes": 10, "blocks": (1, 1, 1)}
    kwargs["width_multiplier"] = 1 / 16
    residual = inception_resnet(**kwargs)
    plain = inception_resnet(residual=False, **kwargs)
    assert residual.count_params() == plain.count_params()
    names = [layer.name for layer in plain.layers]
    assert not any("scaled_residual" in name for name in names) and "block35_1_relu" in names
    with pytest.raises(ValueError, match="residual"):
        inception_resnet(residual=1, **kwargs)


def test_lesson_nets_match_as_their_notes_say():
    resnext = experiments.get_experiment("resnext_cardinality")
    built = [resnext.plan(arm.name).build() for arm in resnext.arms]
    params = [analysis.count_params(model).total for model in built]
    assert abs(params[0] - params[1]) / params[0] < 0.03  # matched cost
    dense = experiments.get_experiment("densenet_resnet_params")
    params = [analysis.count_params(dense.plan(a.name).build()).total for a in dense.arms]
    assert abs(params[0] - params[1]) / params[0] < 0.05  # matched parameters


def test_seconds_per_image_is_a_small_positive_time():
    plan = plan_run(nets_b.FACTORIZED, "smoke", image_size=28)
    seconds = seconds_per_image(plan.build(), plan)
    assert 0 < seconds < 1
