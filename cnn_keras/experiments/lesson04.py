"""Lesson 04, GoogLeNet: the naive inception module against the one with 1x1 reductions at
the same cost; the auxiliary classifier on and off.

GoogLeNet itself with ``aux_logits=True`` (at least 65x65) does not fit here: on the shared
2-core CPU its first epoch at 65x65, an eighth of its width, on 2,000 images took about two
minutes and ended at chance. The auxiliary classifier is therefore tried on the small inception
net of the first experiment (GoogLeNet's own head, after the second of its three modules).
"""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY
from cnn_keras.experiments.nets import INCEPTION_BN_NET, INCEPTION_NET

PAPER = "Szegedy et al., Going Deeper with Convolutions (CVPR 2015)"
# Both experiments' budget: the small inception net at 28x28, a quarter of its widths.
BUDGET = {
    "image_size": 28,
    "width_multiplier": 0.25,
    "train_samples": 3000,
    "test_samples": 1000,
    "epochs": 5,
}

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
        budget=BUDGET,
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "reduced", "naive", expect="higher"),),
        seeds=5,
        notes="Time is matched through the multiply-accumulates: the reduced modules are "
        "wider (outputs of 48, 64 and 96 channels against 24, 32 and 40 plus every channel "
        "the naive module passes on), chosen so that both nets cost about 4.1 M per 28x28 "
        "image (naive 4.07 M, reduced 4.16 M, 2 % apart: nets.INCEPTION_WIDTHS); the "
        "train_seconds and cpu_seconds columns show the time each arm took: on the committed "
        "run the reduced net took 23.5 CPU seconds a run against 21.0 (12 % more: more and "
        "smaller layers), so at equal time it would have had slightly fewer steps. No batch "
        "norm, GoogLeNet's recipe. Five seeds: the reduced net led by 7.6 points on average "
        "but without batch norm both trained unsteadily (54 % to 71 %), and the interval "
        "includes 0.",
    )
)

register(
    Experiment(
        name="inception_reductions_bn",
        lesson="04",
        question="With batch norm, at the same multiply-accumulates, are inception modules with "
        "1x1 reductions more accurate than naive ones?",
        claim="1x1 convolutions before the expensive 3x3 and 5x5 convolutions reduce the "
        "computation, which allows increasing the number of units at each stage "
        "significantly without an uncontrolled blow-up in computational complexity.",
        source=f"{PAPER}, sections 4 and 5, Figure 2",
        arms=(
            Arm("naive", INCEPTION_BN_NET, {"options": {"naive": True}}, "naive modules"),
            Arm("reduced", INCEPTION_BN_NET, {"options": {"naive": False}}, "1x1 reductions"),
        ),
        budget={**BUDGET, "train_samples": 4000, "test_samples": 2000, "epochs": 6},
        comparisons=(
            Comparison(FINAL_TEST_ACCURACY, "reduced", "naive", expect="higher", central=True),
        ),
        seeds=5,
        notes="inception_reductions' two nets with batch norm after every conv and He et "
        "al.'s CIFAR recipe, so that both train steadily (without batch norm the seeds "
        "ranged from 54 % to 71 %) and the comparison is between trained nets: 6 epochs of "
        "4,000 images, the test accuracy on 2,000 test images, five seeds. The two cost "
        "the same to 2 % (the reduced net slightly more), so the claim is tested as "
        "'more accurate at the same cost'.",
    )
)

register(
    Experiment(
        name="inception_aux_heads",
        lesson="04",
        question="Does an auxiliary classifier on an intermediate module raise the test accuracy?",
        claim="The auxiliary classifiers were meant to fight vanishing gradients and "
        "regularize; later control experiments showed their effect is relatively minor "
        "(around 0.5 %), and Inception v3's authors found they do not speed up early "
        "training, acting as a regularizer near its end.",
        source=f"{PAPER}, sections 5 and 6; Szegedy et al., Rethinking the Inception "
        "Architecture (CVPR 2016), section 4",
        arms=(
            Arm("without", INCEPTION_NET, label="main classifier only"),
            Arm("with_aux", INCEPTION_NET, {"options": {"aux_logits": True}}, "with auxiliary"),
        ),
        budget=BUDGET,
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY, "with_aux", "without", expect="higher", paper_effect=0.005
            ),
        ),
        seeds=5,
        notes="The net of inception_reductions with 1x1 reductions; the auxiliary classifier "
        "reads the second module's 14x14 output (GoogLeNet's head at the net's quarter "
        "width: a 5x5 average pool of stride 3, a 1x1 conv of 32, an FC layer of 256 with "
        "dropout 0.7), its loss weighed 0.3 (GoogLeNet's recipe); the test accuracy is the "
        "main classifier's. Only 3 modules deep, the net has little gradient to lose, and "
        "the paper's 0.5 % is below the spread of five seeds at this scale.",
    )
)
