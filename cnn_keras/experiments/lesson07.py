"""Lesson 07, Inception-v4 and Inception-ResNet: do residual connections speed up the
training of an Inception net, and does scaling the residuals down matter?

Every arm is the package's Inception-ResNet-v1 (``inception_resnet_v1``) at its smallest
input (75x75 Fashion-MNIST), an eighth of its widths and two, four and two blocks; the arms
differ only in the blocks' shortcut (``residual=False`` keeps every weight and drops the
addition) and in the residual scale. The recipe is the paper's (RMSProp, epsilon 1.0, the
learning rate decayed by 0.94 every two epochs), at batch 128.
"""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import (
    FINAL_TEST_ACCURACY,
    FINAL_TRAIN_ACCURACY,
    MEAN_TRAIN_ERROR,
    epochs_to_train_error,
)

PAPER = (
    "Szegedy et al., Inception-v4, Inception-ResNet and the Impact of Residual Connections "
    "(AAAI 2017)"
)
SMALL = {"blocks": (2, 4, 2)}
# Both experiments' budget.
BUDGET = {
    "width_multiplier": 0.125,
    "options": SMALL,
    "train_samples": 2000,
    "test_samples": 1000,
    "epochs": 4,
}


def residual_arm(name: str, scale: float) -> Arm:
    """The small Inception-ResNet-v1 with its shortcuts, the residuals scaled by ``scale``."""
    return Arm(
        name,
        "inception_resnet_v1",
        {"options": {"residual_scale": scale}},
        label=f"residual, scale {scale}",
    )


register(
    Experiment(
        name="inception_resnet_residual",
        lesson="07",
        question="Does the same Inception net train faster with residual connections, and "
        "does scaling the residuals down to 0.1 cost anything?",
        claim="Residual connections speed up the training of Inception nets considerably "
        "(Inception-ResNet-v1 trains much faster than Inception-v3 at a similar cost); "
        "scaling the residuals by 0.1 to 0.3 before the addition stabilizes training and "
        "never seemed to harm the final accuracy.",
        source=f"{PAPER}, sections 3.3 and 5, Figures 20, 21 and 22",
        arms=(
            Arm(
                "plain",
                "inception_resnet_v1",
                {"options": {"residual": False, "residual_scale": 0.1}},
                label="no shortcuts",
            ),
            residual_arm("residual", 0.1),
            residual_arm("unscaled", 1.0),
        ),
        budget=BUDGET,
        comparisons=(
            Comparison(MEAN_TRAIN_ERROR, "residual", "plain", expect="lower", central=True),
            Comparison(epochs_to_train_error(0.3), "residual", "plain", expect="lower"),
            Comparison(FINAL_TRAIN_ACCURACY, "residual", "plain", expect="higher"),
            Comparison(FINAL_TEST_ACCURACY, "residual", "unscaled", expect="higher"),
        ),
        seeds=5,
        notes="The paper compares Inception-ResNet-v1 with Inception-v3, two different nets "
        "of similar cost; here the same net with and without its shortcuts, which is the "
        "cleaner test of the shortcut. The paper saw instabilities only past about 1,000 "
        "filters, far above these widths, so the scale is not expected to matter here.",
    )
)

register(
    Experiment(
        name="inception_resnet_scaling",
        lesson="07",
        question="Over five seeds, does scaling the residuals down to 0.1 change how fast or how "
        "well the small Inception-ResNet trains?",
        claim="Scaling the residuals by 0.1 to 0.3 before the addition stabilizes training; "
        "the scaling never seemed to harm the final accuracy.",
        source=f"{PAPER}, section 3.3",
        arms=(
            residual_arm("scaled", 0.1),
            residual_arm("unscaled", 1.0),
        ),
        budget=BUDGET,
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY,
                "scaled",
                "unscaled",
                test="equivalence",
                margin=0.01,
                margin_reason="The paper says the scaling 'never seemed to harm the final "
                "accuracy' and gives no number; 1 point of top-1 is the smallest gain its "
                "tables treat as a difference between two Inception nets.",
                central=True,
            ),
            Comparison(MEAN_TRAIN_ERROR, "scaled", "unscaled", expect="lower"),
        ),
        seeds=5,
        notes="inception_resnet_residual's two residual arms on their own and over five "
        "seeds, since a difference in the scale is expected to be small at these widths (an "
        "eighth of the paper's: the widest block has 112 channels, where the paper saw "
        "instabilities past about 1,000 filters). Its claim is that the scale costs nothing: "
        "a claim of no difference, tested as equivalence within 1 point.",
    )
)
