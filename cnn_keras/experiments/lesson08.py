"""Lesson 08, ResNeXt, DenseNet and MobileNet: cardinality at matched cost, dense against
residual connections at matched parameters, depthwise separable against full convolutions.

Each arm trains with its family's paper recipe at batch 128 on Fashion-MNIST.
"""

from __future__ import annotations

from cnn_keras.experiments.definition import Arm, Comparison, Experiment, register
from cnn_keras.experiments.metrics import FINAL_TEST_ACCURACY, MACS
from cnn_keras.experiments.nets_b import DENSENET_BC_SMALL, RESNEXT_1X64D, RESNEXT_32X4D

register(
    Experiment(
        name="resnext_cardinality",
        lesson="08",
        question="At the same parameters and multiply-adds, do 32 paths of 4 channels beat "
        "one path of 64?",
        claim="At the complexity of ResNet-50, raising the cardinality from 1 (1x64d) to 32 "
        "(32x4d) lowers the top-1 error from 23.9 % to 22.2 %.",
        source="Xie et al., Aggregated Residual Transformations (CVPR 2017), section 5.1, Table 3",
        arms=(
            Arm("c1_64d", RESNEXT_1X64D, label="ResNeXt-50 1x64d"),
            Arm("c32_4d", RESNEXT_32X4D, label="ResNeXt-50 32x4d"),
        ),
        budget={
            "image_size": 32,
            "width_multiplier": 0.25,
            "train_samples": 2000,
            "test_samples": 1000,
            "epochs": 4,
        },
        comparisons=(Comparison(FINAL_TEST_ACCURACY, "c32_4d", "c1_64d", expect="higher"),),
        notes="Both nets at a quarter of the paper's widths: 1x64d has 1.50 M parameters "
        "and 5.3 M multiply-adds at 32x32, 32x4d 1.47 M and 5.5 M. At that width each of the "
        "32 paths of conv2 is one channel wide (a depthwise conv), of conv5 eight: narrower "
        "paths than the paper's.",
    )
)

register(
    Experiment(
        name="densenet_resnet_params",
        lesson="08",
        question="At the same number of parameters, is a DenseNet more accurate than a ResNet?",
        claim="DenseNets reach the accuracy of ResNets with about a third of the parameters; "
        "DenseNet-BC-100 (0.8 M) has 4.51 % error on C10+ against ResNet-110's (1.7 M) 6.41 %.",
        source="Huang et al., Densely Connected Convolutional Networks (CVPR 2017), section "
        "4.3, Table 2 and Figure 4",
        arms=(
            Arm("resnet", "resnet20_cifar", {"width_multiplier": 0.25}, label="ResNet-20"),
            Arm("densenet", DENSENET_BC_SMALL, {"width_multiplier": 1 / 3}, label="DenseNet-BC"),
        ),
        budget={"image_size": 16, "train_samples": 4000, "test_samples": 1000, "epochs": 6},
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY, "densenet", "resnet", expect="higher", paper_effect=0.019
            ),
        ),
        notes="ResNet-20 at widths 4-8-16 (17,598 parameters) against a DenseNet-BC of three "
        "blocks of five layers at growth rate 4 (17,718), each with its paper's CIFAR recipe; "
        "the DenseNet does 2.5 times the multiply-adds (1.6 M against 0.64 M at 16x16).",
    )
)

register(
    Experiment(
        name="mobilenet_depthwise",
        lesson="08",
        question="How much accuracy do depthwise separable convolutions cost, for how many "
        "fewer multiply-adds?",
        claim="MobileNet with depthwise separable convolutions loses 1.1 points of ImageNet "
        "accuracy (70.6 % against 71.7 %) for 8.6 times fewer multiply-adds (569 M against "
        "4,866 M) and 7 times fewer parameters than the same net of full convolutions.",
        source="Howard et al., MobileNets (arXiv 2017), section 4.1, Table 4",
        arms=(
            Arm("full", "mobilenet", {"options": {"separable": False}}, label="full convs"),
            Arm("separable", "mobilenet", label="depthwise separable"),
        ),
        budget={
            "image_size": 32,
            "width_multiplier": 0.25,
            "train_samples": 3000,
            "test_samples": 1000,
            "epochs": 4,
        },
        comparisons=(
            Comparison(MACS, "separable", "full", expect="lower"),
            Comparison(FINAL_TEST_ACCURACY, "separable", "full", expect="lower"),
        ),
        notes="A quarter of MobileNet's widths at 32x32 (the map is 1x1 from the 12th block): "
        "0.8 M multiply-adds against 6.2 M, a ratio of 7.8 where the paper's is 8.6. The "
        "separable net's accuracy after four epochs varies by several points from seed to "
        "seed (its recipe's RMSProp on 3,000 images), so three seeds cannot pin down a loss "
        "of one point.",
    )
)


def _separable(name: str, width: float) -> Arm:
    return Arm(name, "mobilenet", {"width_multiplier": width}, f"separable, width {width}")


register(
    Experiment(
        name="mobilenet_cost_accuracy",
        lesson="08",
        question="Along MobileNet's width multiplier, what accuracy does each multiply-add buy "
        "with depthwise separable convolutions, against full convolutions?",
        claim="Depthwise separable convolutions cost MobileNet 1.1 points of ImageNet accuracy "
        "for 8.6 times fewer multiply-adds; at the same multiply-adds a wider separable net is "
        "the more accurate (the width multiplier trades accuracy for cost smoothly: 70.6 %, "
        "68.4 %, 63.7 % and 50.6 % at widths 1, 0.75, 0.5 and 0.25).",
        source="Howard et al., MobileNets (arXiv 2017), section 4.1, Tables 4 and 6",
        arms=(
            Arm("full", "mobilenet", {"options": {"separable": False}}, "full convs, width 0.25"),
            _separable("separable", 0.25),
            _separable("separable_070", 0.7),
        ),
        budget={
            "image_size": 32,
            "width_multiplier": 0.25,
            "train_samples": 3000,
            "test_samples": 2000,
            "epochs": 4,
        },
        comparisons=(
            Comparison(
                FINAL_TEST_ACCURACY,
                "separable",
                "full",
                test="non-inferiority",
                margin=0.02,
                margin_reason="The paper's separable MobileNet loses 1.1 points for 8.6 times "
                "fewer multiply-adds, a loss it calls small; 'about a point' is tested as "
                "losing less than 2.",
                paper_effect=-0.011,
                central=True,
            ),
            Comparison(FINAL_TEST_ACCURACY, "separable_070", "full", expect="higher", central=True),
            Comparison(MACS, "separable", "full", expect="lower"),
            Comparison(MACS, "separable_070", "full", expect="lower"),
        ),
        seeds=5,
        notes="The curve of mobilenet_depthwise's separable net at two widths, beside the "
        "full-conv net at a quarter width: 32x32 Fashion-MNIST, MobileNet's RMSProp recipe, 4 "
        "epochs of 3,000 images, 2,000 test images. At width 0.7 the separable net costs 5.7 M "
        "multiply-adds against the full net's 6.2 M (8 % fewer), so the second comparison is "
        "at the same cost or a little less.",
    )
)
