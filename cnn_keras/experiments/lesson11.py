"""Lesson 11, after 2017: squeeze-and-excitation, and wide against deep residual nets.

Both on 16x16 Fashion-MNIST with the papers' CIFAR recipes.
"""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import CPU_SECONDS, FINAL_TEST_ACCURACY

register(
    Experiment(
        name="senet_se_resnet20",
        lesson="11",
        question="Do squeeze-and-excitation blocks raise a ResNet's test accuracy?",
        claim="SE blocks lower the error of every ResNet they are added to, at a small cost "
        "in parameters (CIFAR-10: ResNet-110 6.37 % against SE-ResNet-110 5.21 %).",
        source="Hu et al., Squeeze-and-Excitation Networks (CVPR 2018; TPAMI 2019), section "
        "6.1 and the CIFAR table",
        arms=(
            Arm("plain_resnet", "resnet20_cifar", label="ResNet-20"),
            Arm("se_resnet", "resnet20_cifar", {"options": {"se_ratio": 4}}, label="SE-ResNet-20"),
        ),
        budget={
            "image_size": 16,
            "width_multiplier": 0.5,
            "train_samples": 2000,
            "test_samples": 2000,
            "epochs": 5,
        },
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY,
                "se_resnet",
                "plain_resnet",
                paper_effect=0.0116,
                central=True,
            ),
        ),
        seeds=8,
        notes="Reduction ratio 4 rather than the paper's 16: at half width the blocks have 8 "
        "to 32 channels, and 16 would squeeze the first stage to one unit.",
    )
)

register(
    Experiment(
        name="wrn_wide_deep",
        lesson="11",
        question="At about the same number of parameters, does a wide shallow residual net "
        "match a deep thin one, in less time?",
        claim="A 16-layer wide residual net matches or beats a far deeper thin one of similar "
        "parameter count, and trains several times faster.",
        source="Zagoruyko and Komodakis, Wide Residual Networks (BMVC 2016), sections 4 and "
        "5, Table 4",
        arms=(
            # WRN-40 at widths 8-16-32 (k = 0.5): 142,660 parameters
            Arm("deep", "wrn40_4_cifar", {"width_multiplier": 0.125}, label="WRN-40, k=0.5"),
            # WRN-16 at widths 14-28-56 (k = 0.875): 133,482 parameters
            Arm("wide", "wrn16_4_cifar", {"width_multiplier": 0.21875}, label="WRN-16, k=0.875"),
        ),
        budget={
            "image_size": 16,
            "train_samples": 1500,
            "test_samples": 2000,
            "epochs": 5,
        },
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY,
                "wide",
                "deep",
                test="non-inferiority",
                margin=0.01,
                margin_reason="The paper's claim is that the wide net 'matches or beats' the deep "
                "one (WRN-16-8 4.81 % against the thin ResNet-1001's 4.92 % error on CIFAR-10): "
                "losing no more than 1 point of accuracy is matching it.",
                central=True,
            ),
            Comparison(CPU_SECONDS, "wide", "deep", expect="lower", central=True),
        ),
        seeds=5,
        notes="The wide arm has 6 % fewer parameters than the deep one. Time is compared in "
        "CPU seconds (the process's, over the whole run: tracing, data and training), which "
        "a machine shared with other work inflates far less than wall time.",
    )
)
