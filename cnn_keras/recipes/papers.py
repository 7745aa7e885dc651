"""The papers' recipes, one per paper under a short key (each :class:`~cnn_keras.registry.Family`
names its own): every number with its source in a comment, and ``notes=`` where a number is not
the paper's."""

from __future__ import annotations

import dataclasses

from cnn_keras.recipes.recipe import Recipe

_SGD = {"optimizer": "sgd", "momentum": 0.9}

RECIPES = {
    # Section 5: SGD, batch 128, momentum 0.9, weight decay 0.0005, lr 0.01 divided by 10 when
    # the validation error stopped improving (three times), about 90 epochs.
    "alexnet": Recipe("Krizhevsky et al. 2012, section 5", "sgd", 0.01, 0.9, 5e-4, 128, 90),
    # Section 3: AlexNet's recipe, on one GPU.
    "zfnet": Recipe("Zeiler and Fergus 2013, section 3", "sgd", 0.01, 0.9, 5e-4, 128, 70),
    # Section 3.1: batch 256, momentum 0.9, L2 5e-4, lr 0.01 divided by 10 on plateau (3 times),
    # 74 epochs.
    "vgg": Recipe("Simonyan and Zisserman 2014, section 3.1", "sgd", 0.01, 0.9, 5e-4, 256, 74),
    # Section 6: asynchronous SGD, momentum 0.9, "decreasing the learning rate by 4% every 8
    # epochs". The paper gives no initial rate, batch or weight decay: those are BVLC Caffe's
    # bvlc_googlenet quick solver (lr 0.01, batch 32, weight decay 2e-4, 2.4M iterations ~ 60
    # epochs). Section 5 weighs the two auxiliary classifiers' losses: "during training, their
    # loss gets added to the total loss of the network with a discount weight (the losses of
    # the auxiliary classifiers were weighted by 0.3)".
    "googlenet": Recipe(
        "Szegedy et al. 2015, section 6",
        learning_rate=0.01,
        weight_decay=2e-4,
        batch_size=32,
        epochs=60,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.96,
        decay_every=8,
        aux_loss_weight=0.3,
        notes="initial lr, batch and weight decay from BVLC Caffe's solver (not in the paper)",
        **_SGD,
    ),
    # Section 3.4: SGD, batch 256, lr 0.1 divided by 10 when the error plateaus, weight decay
    # 0.0001, momentum 0.9, up to 60e4 iterations (~120 epochs). The lecture's slide says weight
    # decay 1e-5: the paper says 1e-4, used here.
    "resnet": Recipe(
        "He et al. 2015, section 3.4",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=120,
        plateau_factor=0.1,
        notes="the lecture's slide gives weight decay 1e-5; the paper 1e-4",
        **_SGD,
    ),
    # Section 4.2: batch 128, lr 0.1 divided by 10 at 32k and 48k iterations, stop at 64k
    # (45k/5k train/val split: 64k x 128 / 45k ~ 182 epochs; 32k ~ 91, 48k ~ 136.5), weight decay
    # 0.0001, momentum 0.9. Same slide difference on weight decay as ResNet.
    "resnet_cifar": Recipe(
        "He et al. 2015, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=128,
        epochs=182,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(91, 136.5),
        decay_rate=0.1,
        notes="32k and 48k of 64k iterations; the lecture's slide gives weight decay 1e-5",
        **_SGD,
    ),
    # Section 3.2: "Inception-v2" recipe: RMSProp with decay 0.9 and epsilon 1.0, lr 0.045
    # decayed every two epochs by 0.94, gradient clipping at 2.0, batch 32, 100 epochs, label
    # smoothing 0.1 (section 7). Weight decay is not given: 4e-5 is TF-slim's; so is the
    # auxiliary classifier's loss weight, 0.4 (the paper gives none).
    "inception_v3": Recipe(
        "Szegedy et al. 2015 (Rethinking the Inception architecture), sections 7-8",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.0,
        weight_decay=4e-5,
        batch_size=32,
        epochs=100,
        plateau_factor=None,
        label_smoothing=0.1,
        schedule="exponential",
        decay_rate=0.94,
        decay_every=2,
        rho=0.9,
        epsilon=1.0,
        clipnorm=2.0,
        aux_loss_weight=0.4,
        notes="weight decay 4e-5 and the auxiliary loss weight 0.4 are TF-slim's",
    ),
    # Section 3: RMSProp with decay 0.9 and epsilon 1.0, lr 0.045 decayed every two epochs by
    # 0.94. Batch, epochs and weight decay are not given: Inception v3's are used.
    "inception_v4": Recipe(
        "Szegedy et al. 2016 (Inception-v4), section 4",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.0,
        weight_decay=4e-5,
        batch_size=32,
        epochs=100,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.94,
        decay_every=2,
        rho=0.9,
        epsilon=1.0,
        notes="batch, epochs and weight decay not in the paper (Inception v3's)",
    ),
    # Section 3, ImageNet: SGD with Nesterov momentum 0.9 (no dampening), batch 256, 90 epochs,
    # lr 0.1 divided by 10 at epochs 30 and 60, weight decay 1e-4.
    "densenet": Recipe(
        "Huang et al. 2017, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=90,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60),
        nesterov=True,
        **_SGD,
    ),
    # Section 4.2, CIFAR: batch 64, 300 epochs, lr 0.1 divided by 10 at 50% and 75% of them.
    "densenet_cifar": Recipe(
        "Huang et al. 2017, section 4.2",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=64,
        epochs=300,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(150, 225),
        nesterov=True,
        **_SGD,
    ),
    # Section 4: RMSProp, asynchronous, little regularization, "very little or no weight decay"
    # on the depthwise filters. No numbers given: MobileNetV2's (Sandler et al. 2018, section
    # 6.1: RMSProp decay and momentum 0.9, lr 0.045 x 0.98 every epoch, weight decay 4e-5,
    # batch 96).
    "mobilenet": Recipe(
        "Howard et al. 2017, section 4",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.9,
        weight_decay=4e-5,
        batch_size=96,
        epochs=120,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.98,
        decay_every=1,
        rho=0.9,
        epsilon=1.0,
        notes="numbers from the MobileNetV2 paper; v1 gives none",
    ),
    # Section 5.1: SGD, batch 256, weight decay 1e-4, momentum 0.9, lr 0.1 divided by 10 three
    # times with fb.resnet.torch's schedule (epochs 30, 60, 80 of 90).
    "resnext": Recipe(
        "Xie et al. 2017, section 5.1",
        learning_rate=0.1,
        weight_decay=1e-4,
        batch_size=256,
        epochs=90,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60, 80),
        **_SGD,
    ),
    # The SENet paper, section 5.1 (arXiv v4): synchronous SGD with momentum 0.9, batch 1024,
    # lr 0.6 divided by 10 every 30 epochs, 100 epochs from scratch with He et al.'s
    # initialization. Augmentation: "inception" crops (random size and aspect ratio, to 224x224)
    # and horizontal flips, mean RGB subtraction. The paper gives no weight decay: ResNet's 1e-4.
    "senet": Recipe(
        "Hu et al. 2017 (Squeeze-and-Excitation Networks), section 5.1",
        optimizer="sgd",
        learning_rate=0.6,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=1024,
        epochs=100,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(30, 60, 90),
        decay_rate=0.1,
        notes="weight decay not in the paper: ResNet's 1e-4",
    ),
    # Section 4.1: mini-batches of 128, and the learning rate divided by 10 when the training
    # accuracy stops improving, twice (the final rate is 1 % of the initial one); "the same
    # hyper-parameters as Goodfellow et al." (maxout: momentum). The paper gives no initial rate,
    # weight decay or epoch count: see notes. Augmentation: "cifar" (translations and flips, the
    # 8.81 % result); the paper also used global contrast normalization and ZCA whitening.
    "nin_cifar": Recipe(
        "Lin et al. 2013, section 4.1",
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=128,
        epochs=120,
        plateau_factor=0.1,
        notes=(
            "initial lr 0.1, weight decay 1e-4 and 120 epochs are not in the paper (it gives "
            "none): assumed, as the CIFAR ResNets' recipe; the paper plateaus on training accuracy"
        ),
    ),
    # ImageNet (section 5, Table 5): "the same hyper-parameters and implementation as" the
    # ResNet paper: batch 256, lr 0.1 divided by 10 on a plateau, weight decay 1e-4, momentum 0.9,
    # up to 60e4 iterations (~120 epochs). Augmentation: "alexnet"-style random crops and flips
    # with scale jittering (shorter side in [256, 480]).
    "preact_resnet": Recipe(
        "He et al. 2016 (Identity Mappings), section 5; He et al. 2015, section 3.4",
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=256,
        epochs=120,
        plateau_factor=0.1,
    ),
    # CIFAR (appendix): "the same as [ResNet]": batch 128, lr 0.1 divided by 10 at 32k and 48k
    # iterations, stop at 64k (~91, ~136.5 of ~182 epochs on 45k images), weight decay 1e-4,
    # momentum 0.9; ResNet-1001's 4.62 % used batch 64. Augmentation: "cifar" (4-pixel padding,
    # random 32x32 crops, horizontal flips).
    "preact_resnet_cifar": Recipe(
        "He et al. 2016 (Identity Mappings), appendix",
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.9,
        weight_decay=1e-4,
        batch_size=128,
        epochs=182,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(91, 136.5),
        decay_rate=0.1,
        notes="the paper warms ResNet-164 up at lr 0.01 for about 400 iterations; not modelled",
    ),
    # Section 4: SGD with Nesterov momentum 0.9 (dampening 0), weight decay 5e-4, batch 128,
    # lr 0.1 multiplied by 0.2 at epochs 60, 120 and 160, 200 epochs in all. Augmentation:
    # "cifar" (horizontal flips, random crops of the image padded by 4 pixels, the padding
    # filled with reflections), inputs normalized by mean and standard deviation.
    "wide_resnet_cifar": Recipe(
        "Zagoruyko and Komodakis 2016, section 4",
        optimizer="sgd",
        learning_rate=0.1,
        momentum=0.9,
        weight_decay=5e-4,
        batch_size=128,
        epochs=200,
        plateau_factor=None,
        schedule="step",
        decay_epochs=(60, 120, 160),
        decay_rate=0.2,
        nesterov=True,
    ),
    # Section 6.1: RMSProp with decay and momentum 0.9, weight decay 4e-5, initial learning rate
    # 0.045 decayed by 0.98 per epoch, batch 96 (16 asynchronous GPU workers), batch norm after
    # every layer. The paper gives no epoch count: 120 is the MobileNet (v1) recipe's. Epsilon 1.0
    # is TF-slim's train_image_classifier default for RMSProp (not in the paper). The authors'
    # TF-slim README also trains with label smoothing 0.1 and an exponential moving average of the
    # weights (0.9999). Augmentation:
    # "inception" crops and flips (TF-slim's inception preprocessing, which the paper's TensorFlow
    # models were trained with).
    "mobilenet_v2": Recipe(
        "Sandler et al. 2018, section 6.1",
        optimizer="rmsprop",
        learning_rate=0.045,
        momentum=0.9,
        weight_decay=4e-5,
        batch_size=96,
        epochs=120,
        plateau_factor=None,
        schedule="exponential",
        decay_rate=0.98,
        decay_every=1,
        rho=0.9,
        epsilon=1.0,
        notes="epochs (120) not in the paper: MobileNet's; epsilon 1.0 is TF-slim's",
    ),
    # Section 5.2: RMSProp with decay 0.9 and momentum 0.9, batch norm momentum 0.99, weight decay
    # 1e-5, initial learning rate 0.256 decayed by 0.97 every 2.4 epochs, swish, AutoAugment,
    # stochastic depth (survival 0.8), dropout 0.2 (B0) to 0.5 (B7). Not in the paper, from the
    # authors' TPU code (tensorflow/tpu, models/official/efficientnet): the learning rate is 0.016
    # per 256 images (their default batch 2048 trains at 0.128; the paper's 0.256 is batch 4096),
    # 350 epochs, RMSProp epsilon 1e-3, label smoothing 0.1, a 5-epoch warm-up and an exponential
    # moving average of the weights (0.9999), for which Recipe has no field. Augmentation:
    # "inception" crops and flips, then AutoAugment (which the package does not implement).
    "efficientnet": Recipe(
        "Tan and Le 2019, section 5.2",
        optimizer="rmsprop",
        learning_rate=0.256,
        momentum=0.9,
        weight_decay=1e-5,
        batch_size=4096,
        epochs=350,
        plateau_factor=None,
        label_smoothing=0.1,
        schedule="exponential",
        decay_rate=0.97,
        decay_every=2.4,
        rho=0.9,
        epsilon=1e-3,
        bn_momentum=0.99,
        notes=(
            "batch 4096, 350 epochs, epsilon 1e-3, label smoothing 0.1 from the authors' TPU code; "
            "no warm-up and no AutoAugment here"
        ),
    ),
}
# The same papers' recipes for the variants in other families.
RECIPES["inception_resnet"] = dataclasses.replace(
    RECIPES["inception_v4"], paper="Szegedy et al. 2016 (Inception-ResNet), section 4"
)
