"""Lesson 04, GoogLeNet: the naive inception module against the one with 1x1 reductions at
the same cost, and the auxiliary classifiers on and off."""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY
from cnn_keras.experiments.nets import INCEPTION_NET

PAPER = "Szegedy et al., Going Deeper with Convolutions (CVPR 2015)"

register(
    Experiment(
        name="inception_reductions",
        lesson="04",
        question="At the same cost, does a net of inception modules with 1x1 reductions reach "
        "a higher test accuracy than one of naive modules?",
        claim="1x1 convolutions before the expensive 3x3 and 5x5 convolutions reduce the "
        "computation, which allows increasing the number of units at each stage "
        "significantly without an uncontrolled blow-up in computational complexity.",
        source=f"{PAPER}, sections 4 and 5, Figure 2",
        arms=(
            Arm("naive", INCEPTION_NET, {"options": {"naive": True}}, "naive modules"),
            Arm("reduced", INCEPTION_NET, {"options": {"naive": False}}, "1x1 reductions"),
        ),
        budget={
            "image_size": 28,
            "width_multiplier": 0.25,
            "train_samples": 3000,
            "test_samples": 1000,
            "epochs": 5,
        },
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "reduced", "naive", expect="higher"),),
        notes="Time is matched through the multiply-accumulates: the reduced modules are "
        "wider (outputs of 48, 64 and 96 channels against 24, 32 and 40 plus every channel "
        "the naive module passes on), chosen so that both nets cost about 4.1 M per 28x28 "
        "image (naive 4.07 M, reduced 4.16 M, 2 % apart: nets.INCEPTION_WIDTHS); the "
        "train_seconds and cpu_seconds columns show the time each arm took: on the committed "
        "run the reduced net took 23.3 CPU seconds a run against 20.5 (14 % more: more and "
        "smaller layers), so at equal time it would have had slightly fewer steps. No batch "
        "norm, GoogLeNet's recipe; without batch norm the naive net trained unsteadily "
        "(one seed of three at 48 %), hence the wide interval.",
    )
)

register(
    Experiment(
        name="googlenet_aux",
        lesson="04",
        question="Do GoogLeNet's two auxiliary classifiers raise its test accuracy?",
        claim="Auxiliary classifiers on inception 4a and 4d, their losses weighted by 0.3, "
        "were meant to fight vanishing gradients and regularize; their effect is small, "
        "about 0.5 % top-1 (the later Inception v3 paper found they help only near the end "
        "of training, as a regularizer).",
        source=f"{PAPER}, section 5; Szegedy et al., Rethinking the Inception Architecture "
        "(CVPR 2016), section 4",
        arms=(
            Arm("no_aux", "googlenet", {"options": {"aux_logits": False}}, "no auxiliary heads"),
            Arm("aux", "googlenet", {"options": {"aux_logits": True}}, "auxiliary heads"),
        ),
        budget={
            "image_size": 65,
            "width_multiplier": 0.125,
            "train_samples": 2000,
            "test_samples": 1000,
            "epochs": 4,
        },
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "aux", "no_aux", expect="higher"),),
        seeds=5,
        notes="A small effect, so five seeds. 65x65 is the smallest input with the heads (their "
        "5x5/3 pool needs a 5x5 map after 4a); both arms use it. The net is an eighth of "
        "the width and keeps its LRN layers and no batch norm, as in the paper; its "
        "accuracy is the main output's.",
    )
)
