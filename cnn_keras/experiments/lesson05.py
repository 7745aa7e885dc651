"""Lesson 05, ResNet: plain against residual nets at 20 and 56 layers (the degradation problem).

The paper's CIFAR-10 nets (``resnet_cifar``) at a quarter of their widths (4, 8 and 16
filters) on 16x16 Fashion-MNIST, with its recipe (SGD, learning rate 0.1 at batch 128, divided
by 10 at 50 % and 75 % of the run, weight decay 1e-4).
"""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY, FINAL_TRAIN_ACCURACY

register(
    Experiment(
        name="resnet_plain_residual",
        lesson="05",
        question="Does a deeper plain net train worse, and do shortcuts let the depth pay?",
        claim="The 56-layer plain net has a higher training error than the 20-layer one "
        "(degradation); with identity shortcuts the 56-layer net trains better than the "
        "plain one and reaches a lower test error than the 20-layer residual net.",
        source="He et al., Deep Residual Learning (CVPR 2016), section 4.2, Figure 6 and "
        "Table 6 (ResNet-20 8.75 %, ResNet-56 6.97 % test error on CIFAR-10)",
        arms=(
            Arm("plain20", "plain20_cifar", label="plain-20"),
            Arm("plain56", "plain56_cifar", label="plain-56"),
            Arm("resnet20", "resnet20_cifar", label="ResNet-20"),
            Arm("resnet56", "resnet56_cifar", label="ResNet-56"),
        ),
        budget={
            "image_size": 16,
            "width_multiplier": 0.25,
            "train_samples": 1500,
            "test_samples": 500,
            "batch_size": 64,
            "epochs": 5,
        },
        comparisons=(
            Comparison(FINAL_TRAIN_ACCURACY, "plain56", "plain20", expect="lower", central=True),
            Comparison(FINAL_TRAIN_ACCURACY, "resnet56", "plain56", expect="higher", central=True),
            Comparison(
                FINAL_TEST_ACCURACY, "resnet56", "resnet20", expect="higher", paper_effect=0.0178
            ),
        ),
        seeds=8,
        notes="The paper trained 64k iterations of batch 128 on 50k images; here 5 epochs of "
        "1,500 images in batches of 64 (120 iterations, the learning rate scaled to 0.05) at a "
        "quarter of the width: what keeps a 56-layer run near 20 s on two cores. At this "
        "budget the 56-layer nets are far from converged.",
    )
)

register(
    Experiment(
        name="resnet_depth_budget",
        lesson="05",
        question="Given four times the data and twice the epochs, does the residual 56-layer "
        "net pass the 20-layer one, and after how many epochs?",
        claim="With identity shortcuts the deeper net is the more accurate one: ResNet-56 "
        "has 6.97 % test error on CIFAR-10 against ResNet-20's 8.75 %.",
        source="He et al., Deep Residual Learning (CVPR 2016), section 4.2, Table 6",
        arms=(
            Arm("resnet20", "resnet20_cifar", label="ResNet-20"),
            Arm("resnet56", "resnet56_cifar", label="ResNet-56"),
        ),
        budget={
            "image_size": 16,
            "width_multiplier": 0.25,
            "train_samples": 6000,
            "test_samples": 1000,
            "epochs": 10,
        },
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY, "resnet56", "resnet20", expect="higher", paper_effect=0.0178
            ),
        ),
        notes="resnet_plain_residual's residual arms on a larger budget: 6,000 images for 10 "
        "epochs in batches of 128 (470 steps, the paper's learning rate 0.1 divided by 10 at "
        "half and three quarters of the run) against 1,500 for 5. The per-epoch test "
        "accuracy shows when, if ever, the 56-layer curve passes the 20-layer one. The paper "
        "trained 64,000 steps on 50,000 images: even this budget is a hundredth of its.",
    )
)
