"""The cnn-keras command and the plots."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_keras import analysis, build_model, cli, history, plots

matplotlib.use("Agg")


def test_models_table(capsys):
    assert cli.main(["models", "alexnet", "zfnet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["model", "params", "MACs", "input", "paper"]
    assert set(out[1]) == {"-", " "}  # the one table printer's rule
    assert out[2].startswith("alexnet") and "61.0 M" in out[2] and "227x227x3" in out[2]


def test_summary_table(capsys):
    assert cli.main(["summary", "vgg11", "--input-size", "32", "--skip-inplace"]) == 0
    out = capsys.readouterr().out
    assert "conv5_2" in out and "_relu" not in out and "total" in out


def test_unknown_model_is_an_error(capsys):
    assert cli.main(["summary", "vgg17"]) == 2
    assert "Unknown model name='vgg17'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["models", "--help"], ["summary", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 0
    assert "usage: cnn-keras" in capsys.readouterr().out


def test_plots_draw():
    model = build_model("zfnet", input_shape=(53, 53, 3), fc_units=8, width_multiplier=0.25)
    image = plots.sample_image(53)
    assert image.shape == (53, 53, 3) and 0 <= image.min() and image.max() <= 1
    assert sum(bool(ax.images) for ax in plots.plot_filters(model.get_layer("conv1")).axes) == 24
    assert plots.plot_feature_maps(model, "conv1", image, maps=8).axes
    history = {
        "loss": [2.0, 1.5],
        "val_loss": [2.1, 1.7],
        "accuracy": [0.2, 0.4],
        "val_accuracy": [0.2, 0.3],
    }
    figure = plots.plot_history(history, title="t", where="profile=smoke")
    assert len(figure.axes) == 2 and len(figure.axes[0].lines) == 2
    assert plots.plot_layer_costs(analysis.layer_table(model)).axes
    with pytest.raises(ValueError, match=r"conv layer on RGB or grayscale input.*'conv2'"):
        plots.plot_filters(model.get_layer("conv2"))
    gray = build_model("zfnet", input_shape=(53, 53, 1), fc_units=8, width_multiplier=0.25)
    filters = plots.plot_filters(gray.get_layer("conv1"))
    assert [ax.images[0].get_cmap().name for ax in filters.axes if ax.images][:1] == ["gray"]
    assert plots.plot_feature_maps(gray, "conv1", image[..., :1], maps=4).axes
    # Two saved kernels side by side, one subfigure each.
    side_by_side = plt.figure()
    left, right = side_by_side.subfigures(1, 2)
    kernel = np.zeros((5, 5, 1, 6), "float32")
    plots.plot_kernels(kernel, figure=left, columns=3, title="left")
    plots.plot_kernels(kernel[..., :4], figure=right, columns=3, title="right")
    assert sum(bool(ax.images) for ax in side_by_side.axes) == 10
    with pytest.raises(ValueError, match=r"received 'saved' with kernel shape \(5, 5, 6\)"):
        plots.plot_kernels(kernel[..., 0, :], name="saved")


def test_main_output_logs_takes_the_main_outputs_curves():
    # GoogLeNet-like logs: the loss is the weighted sum; only the main output has an accuracy.
    logs = {
        "loss": [3.0],
        "predictions_loss": [2.0],
        "predictions_accuracy": [0.5],
        "aux_predictions_loss": [3.3],
        "val_loss": [2.9],
        "val_predictions_loss": [1.9],
        "val_predictions_accuracy": [0.6],
        "val_aux_predictions_loss": [3.3],
    }
    assert history.main_output_logs(logs) == {
        "loss": [2.0],
        "accuracy": [0.5],
        "val_loss": [1.9],
        "val_accuracy": [0.6],
    }
    one_output = {"loss": [1.0], "accuracy": [0.7]}
    assert history.main_output_logs(one_output) == one_output
