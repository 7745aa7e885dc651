"""The throughput benchmark's pieces on a tiny model (no timing is asserted: only that each
configuration ran and was measured, and that the numbers are where the table reads them)."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))

import torch_twin  # noqa: E402
import train_throughput  # noqa: E402


@pytest.mark.models  # also run on JAX: the ceiling there is the jitted stateless step
def test_measure_model_runs_fit_and_ceiling():
    result = train_throughput.measure_model(
        "resnet20_cifar",
        image_size=32,
        batch_size=8,
        warmup=1,
        steps=1,
        rounds=1,
        width_multiplier=0.25,
    )
    rates = result["images_per_s"]
    assert set(rates) == {"fit", "ceiling"}  # no keras.applications twin for resnet20_cifar
    assert all(rate > 0 for rate in rates.values())
    assert result["fit_over_ceiling"] > 0
    assert result["image_shape"] == [32, 32, 1]  # Fashion-MNIST's files keep one channel
    assert result["data"] in ("fashion_mnist", "synthetic") and result["steps_per_execution"] == 1
    table = train_throughput.format_table([result], [])
    assert f"| {rates['fit']} | {rates['ceiling']} |" in table


def test_batch_timer_leaves_out_the_warmup(monkeypatch):
    """Batches end at 10, 11, 13, 14 and 17 s; with 2 warm-up batches (the first compiles) the
    timed span is from the end of batch 1 to the end of batch 4: 3 steps in 6 s. Counting the
    warm-up would give 4 steps in 7 s; timing from batch 0's start is not possible (no mark)."""
    clock = iter([10.0, 11.0, 13.0, 14.0, 17.0])
    monkeypatch.setattr(train_throughput.time, "perf_counter", lambda: next(clock))
    timer = train_throughput.BatchTimer(warmup=2)
    timer.on_epoch_begin(0)
    for batch in range(5):
        timer.on_train_batch_end(batch, {"loss": 1.0})
    timer.on_epoch_end(0)
    assert timer.rounds == [(3, 6.0)]


def test_measure_model_rejects_bad_steps():
    with pytest.raises(ValueError, match="steps must be an int >= 1; received steps=0"):
        train_throughput.measure_model("resnet20_cifar", image_size=32, batch_size=8, steps=0)


def test_synthetic_files_read_as_fashion_mnist(tmp_path):
    from cnn_keras import data

    folder = train_throughput.write_synthetic_fashion_mnist(str(tmp_path), train=5, test=3)
    images = data.read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))
    labels = data.read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
    assert images.shape[0] == 5 and images.shape[1:3] == (28, 28) and labels.shape == (3,)
    assert labels.max() < 10


def test_torch_twin_skips_cleanly_without_torch(monkeypatch, capsys):
    monkeypatch.setattr(torch_twin, "torch_available", lambda: False)
    assert torch_twin.main(["resnet50"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "torch twin skipped: torch is not installed."


@pytest.mark.skipif(not torch_twin.torch_available(), reason="torch is not installed")
def test_torch_resnet20_has_our_resnet20s_parameters():
    from cnn_keras import build_model
    from cnn_keras.analysis import count_params

    ours = count_params(build_model("resnet20_cifar", input_shape=(32, 32, 1), classes=10))
    twin = torch_twin.resnet20_option_a(channels=1, classes=10)
    # Option A shortcuts have no parameters in either; about 0.27M (He et al. 2015, table 6).
    assert sum(p.numel() for p in twin.parameters()) == ours.trainable


def test_compile_model_passes_steps_per_execution_and_jit_compile():
    import keras

    from cnn_keras import training

    recipe = training.recipe_for("resnet20_cifar")
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    training.compile_model(model, recipe, steps_per_execution=4, jit_compile=False)
    assert model.steps_per_execution == 4 and model.jit_compile is False
    training.compile_model(model, recipe)  # "auto": one step per call
    assert model.steps_per_execution == 1
    with pytest.raises(ValueError, match=r"steps_per_execution must be an int >= 1 \(or 'auto'\)"):
        training.compile_model(model, recipe, steps_per_execution=0)
    with pytest.raises(ValueError, match="received jit_compile='yes'"):
        training.compile_model(model, recipe, jit_compile="yes")


import cpu_vs_torch  # noqa: E402


def test_cpu_benchmark_reads_its_paths_and_nets():
    assert cpu_vs_torch.parse_paths("jax:float32, torch:mixed_bfloat16") == [
        ("jax", "float32"),
        ("torch", "mixed_bfloat16"),
    ]
    with pytest.raises(ValueError, match=r"received 'jax:float16' in paths='jax:float16'"):
        cpu_vs_torch.parse_paths("jax:float16")
    with pytest.raises(ValueError, match="names 'torch:float32' twice"):
        cpu_vs_torch.parse_paths("torch:float32,torch:float32")
    with pytest.raises(ValueError, match="names must be among .* received 'vgg19'"):
        cpu_vs_torch.parse_nets(["vgg19"])
    assert cpu_vs_torch.parse_nets([]) == list(cpu_vs_torch.NETS)
    assert cpu_vs_torch.rotated([1, 2, 3], 4) == [2, 3, 1]


def test_cpu_benchmark_ratios_pair_each_round_with_torch_at_its_precision():
    def record(round_, backend, precision, rate):
        return {
            "round": round_,
            "net": "vgg16",
            "backend": backend,
            "precision": precision,
            "images_per_s": rate,
        }

    records = [
        record(1, "torch", "float32", 100.0),
        record(1, "jax", "float32", 50.0),
        record(1, "torch", "mixed_bfloat16", 400.0),
        record(1, "jax", "mixed_bfloat16", 100.0),
        record(2, "torch", "float32", 200.0),  # a loaded round: both sides slower
        record(2, "jax", "float32", 120.0),
        record(3, "torch", "float32", 100.0),
        record(3, "jax", "float32", 70.0),
    ]
    rows = {(r["backend"], r["precision"]): r for r in cpu_vs_torch.ratios(records)}
    jax32 = rows[("jax", "float32")]
    assert jax32["ratio_rounds"] == [0.5, 0.6, 0.7] and jax32["ratio_to_torch"] == 0.6
    assert jax32["ratio_spread"] == pytest.approx(0.4) and jax32["rounds"] == 3
    assert jax32["images_per_s"] == 70.0 and jax32["images_per_s_spread"] == pytest.approx(1.4)
    assert rows[("jax", "mixed_bfloat16")]["ratio_to_torch"] == 0.25  # against bf16 autocast
    assert rows[("torch", "float32")]["ratio_to_torch"] is None
    table = cpu_vs_torch.format_table(cpu_vs_torch.ratios(records))
    assert "| vgg16 | jax float32 | 70.0 | 0.60 | 0.50 0.60 0.70 | 40% |" in table


@pytest.mark.skipif(not torch_twin.torch_available(), reason="torch is not installed")
def test_torch_sequential_twin_has_our_alexnets_and_mobilenets_parameters():
    from cnn_keras import build_model

    size, kwargs = cpu_vs_torch.NETS["alexnet"]
    ours = build_model("alexnet", input_shape=(size, size, 1), classes=10, **kwargs)
    twin = torch_twin.sequential_twin(ours)
    assert sum(p.numel() for p in twin.parameters()) == ours.count_params()
    size, kwargs = cpu_vs_torch.NETS["mobilenet"]  # depthwise convs, zero padding, relu6
    ours = build_model("mobilenet", input_shape=(size, size, 1), classes=10, **kwargs)
    twin = torch_twin.sequential_twin(ours)
    trainable = sum(int(np.prod(w.shape)) for w in ours.trainable_weights)
    assert sum(p.numel() for p in twin.parameters()) == trainable
    import torch

    assert tuple(twin(torch.zeros(2, 1, size, size)).shape) == (2, 10)
    with pytest.raises(ValueError, match=r"sequential_twin: layer \w+ \(\w+\) has no twin here"):
        torch_twin.sequential_twin(build_model("resnet20_cifar", input_shape=(32, 32, 1)))
