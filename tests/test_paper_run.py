"""Notebook 10's GPU path: the ResNet paper's CIFAR-10 run, planned on ``full`` and started on
tensorflow-datasets' mock data (no download, one step)."""

from __future__ import annotations

import math

import pytest

from cnn_keras import training
from cnn_keras.plan import plan_run

# He et al. 2015, section 4.2: 64k iterations of batch 128; all 50k CIFAR-10 images here.
PAPER_EPOCHS = math.ceil(64_000 / math.ceil(50_000 / 128))


def test_full_plans_the_papers_cifar10_run():
    plan = plan_run("resnet20_cifar", "full", dataset="cifar10", epochs=PAPER_EPOCHS)
    assert plan.dataset == "cifar10" and plan.input_shape == (32, 32, 3) and plan.classes == 10
    assert plan.width == {"width_multiplier": 1.0}
    assert (plan.train_samples, plan.test_samples) == (None, None)  # every image
    assert plan.augment == "cifar"  # pad 4, random crop, flip (section 4.2)
    assert plan.epochs == PAPER_EPOCHS == 164
    recipe = plan.recipe
    assert (recipe.optimizer, recipe.batch_size, recipe.learning_rate) == ("sgd", 128, 0.1)
    assert (recipe.momentum, recipe.weight_decay) == (0.9, 1e-4)
    assert plan.build().count_params() > 0.27e6  # the paper's widths: 0.27 M parameters


def test_the_papers_run_starts_on_mock_cifar10(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    plan = plan_run("resnet20_cifar", "full", dataset="cifar10", epochs=1)
    with tfds.testing.mock_data(num_examples=8):  # one step of 8 images
        result = training.run(plan, tmp_path / "run", verbose=0)
    assert result["status"] == "completed" and result["epochs_completed"] == 1
    assert result["dataset"] == "cifar10" and result["augment"] == "cifar"
    assert (tmp_path / "run" / "log.csv").exists()
