"""The training-time augmentations, each written twice side by side: for ``tf.data`` (stateless
random ops) and for NumPy (no TensorFlow). Both take the image as stored, crop (Inception) on
it, resize it to the network's size, then pad and crop, or enlarge and crop, and flip: keep
the two in step."""

from __future__ import annotations

import math

import numpy as np

from cnn_keras.checks import check_choice, suggestion
from cnn_keras.data.sources import DIGITS, resize_images

# The training-time augmentations, by the paper that used them.
AUGMENTATIONS = {
    "none": "no augmentation",
    "flip": "random horizontal flips",
    # Digits must not be mirrored: a shift only.
    "shift": "zero-pad 4 pixels and crop back at random (no flip)",
    # He et al. 2015, section 4.2: "4 pixels are padded on each side, and a 32x32 crop is
    # randomly sampled from the padded image or its horizontal flip".
    "cifar": "zero-pad 4 pixels, random crop back, random horizontal flip (ResNet, CIFAR)",
    # Krizhevsky et al. 2012, section 4.1: 224x224 patches of the 256x256 image, and their
    # reflections. At image_size s the image is resized to s*256/224 and cropped back to s.
    "alexnet": "resize to 8/7 of the size, random crop, random horizontal flip (AlexNet)",
    # Szegedy et al. 2015 (GoogLeNet), section 6: patches of 8%-100% of the image's area with
    # aspect ratio in [3/4, 4/3], resized, and flips.
    "inception": "random crop of 8%-100% of the area, aspect 3/4-4/3, resized, flip (Inception)",
}
INCEPTION_AREA = (0.08, 1.0)
INCEPTION_ASPECT = (3 / 4, 4 / 3)
PAD = 4


def default_augment(name: str, imagenet: str = "alexnet") -> str:
    """The paper's augmentation for data set ``name``: the CIFAR one for the small-image sets,
    shifts for digits, and on ImageNet-like data (ImageNet, Imagenette, a folder) ``imagenet``,
    the augmentation of the model's paper (``spec.family.augment``: Inception's crops for the
    Inception family, GoogLeNet and the MobileNets; AlexNet's for the others). The run plan
    (:func:`cnn_keras.plan.plan_run`) passes the model's; the data layer knows no model.

    Raises:
        ValueError: if ``imagenet`` is not a key of :data:`AUGMENTATIONS`.
    """
    check_choice("imagenet", imagenet, AUGMENTATIONS)
    if name in ("cifar10", "cifar100", "fashion_mnist", "fashion_mnist_5"):
        return "cifar"
    if name == DIGITS:
        return "shift"
    return imagenet


def resolve_augment(augment: str | None, name: str) -> str:
    """The key of :data:`AUGMENTATIONS` that ``augment`` (``"auto"``, ``None`` or a key) means
    for data set ``name`` (``"auto"``: :func:`default_augment` with AlexNet's on ImageNet-like
    data); ``ValueError`` for anything else."""
    if augment in (None, False):
        return "none"
    if augment == "auto":
        return default_augment(name)
    if not isinstance(augment, str) or augment not in AUGMENTATIONS:
        raise ValueError(
            f"Unknown augment={augment!r}; use 'auto', None or one of {', '.join(AUGMENTATIONS)}."
            + suggestion(augment, AUGMENTATIONS)
        )
    return augment


# ---------------------------------------------------------------------------------------------
# tf.data


def _tf_resize(image, size: int):
    import tensorflow as tf

    image = tf.cast(image, tf.float32) / 255.0 if image.dtype == tf.uint8 else image
    return tf.image.resize(image, (size, size))


def _tf_train_transform(augment: str, size: int):
    """``(image (any size, uint8 or float in [0, 1]), seed) -> float32 size x size x channels``.

    Stateless random ops driven by ``seed`` (two integers, new for every image and every
    epoch, see :func:`cnn_keras.data.pipeline.load`): stateful ones (``tf.image.random_crop``)
    repeat the same crops every epoch once a global seed is set and the Keras session cleared.
    """
    import tensorflow as tf

    def transform(image, seed):
        box_seed, crop_seed, flip_seed = tf.unstack(
            tf.random.experimental.stateless_split(seed, num=3)
        )
        if augment == "inception":
            # The crop is taken on the image as stored (full resolution), then resized.
            begin, crop_size, _ = tf.image.stateless_sample_distorted_bounding_box(
                tf.shape(image),
                bounding_boxes=tf.constant([0.0, 0.0, 1.0, 1.0], shape=(1, 1, 4)),
                seed=box_seed,
                area_range=INCEPTION_AREA,
                aspect_ratio_range=INCEPTION_ASPECT,
                max_attempts=10,
                use_image_if_no_bounding_boxes=True,
            )
            image = tf.slice(image, begin, crop_size)
        image = _tf_resize(image, size)
        crop = tf.concat([[size, size], tf.shape(image)[-1:]], axis=0)
        if augment in ("cifar", "shift"):
            image = tf.image.pad_to_bounding_box(image, PAD, PAD, size + 2 * PAD, size + 2 * PAD)
            image = tf.image.stateless_random_crop(image, crop, seed=crop_seed)
        elif augment == "alexnet":
            big = round(size * 8 / 7)
            image = tf.image.stateless_random_crop(
                tf.image.resize(image, (big, big)), crop, seed=crop_seed
            )
        if augment not in ("none", "shift"):
            image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
        return image

    return transform


def _tf_test_transform(name: str, size: int):
    """Evaluation: resize; ImageNet-like sets take the central 87.5% first (224 of 256)."""
    import tensorflow as tf

    central = name in ("imagenette", "imagenet2012")

    def transform(image):
        if central:
            image = tf.image.central_crop(image, 0.875)
        return _tf_resize(image, size)

    return transform


# ---------------------------------------------------------------------------------------------
# NumPy: the same steps in the same order, no TensorFlow.


def _np_resize(image: np.ndarray, size: int) -> np.ndarray:
    """One image (uint8 or float in [0, 1]) as float32 in [0, 1] at ``size`` x ``size``."""
    if image.shape[:2] == (size, size) and image.dtype == np.float32:
        return image
    return resize_images(image[None], size)[0]


def _np_inception_box(rng: np.random.Generator, height: int, width: int):
    """A random box of 8%-100% of the area with aspect 3/4-4/3 (else the whole image)."""
    for _ in range(10):
        area = height * width * rng.uniform(*INCEPTION_AREA)
        aspect = math.exp(rng.uniform(math.log(INCEPTION_ASPECT[0]), math.log(INCEPTION_ASPECT[1])))
        w = round(math.sqrt(area * aspect))
        h = round(math.sqrt(area / aspect))
        if 0 < w <= width and 0 < h <= height:
            return rng.integers(0, height - h + 1), rng.integers(0, width - w + 1), h, w
    return 0, 0, height, width


def _np_train_transform(image: np.ndarray, augment: str, rng: np.random.Generator, size: int):
    """One image as stored -> float32 ``size`` x ``size`` x channels: :func:`_tf_train_transform`
    with random numbers from ``rng``."""
    if augment == "inception":
        # The crop is taken on the image as stored (full resolution), then resized.
        top, left, height, width = _np_inception_box(rng, *image.shape[:2])
        image = image[top : top + height, left : left + width]
    image = _np_resize(image, size)
    if augment in ("cifar", "shift"):
        padded = np.pad(image, ((PAD, PAD), (PAD, PAD), (0, 0)))
        top, left = rng.integers(0, 2 * PAD + 1, size=2)
        image = padded[top : top + size, left : left + size]
    elif augment == "alexnet":
        big = round(size * 8 / 7)
        image = _np_resize(image, big)
        top, left = rng.integers(0, big - size + 1, size=2)
        image = image[top : top + size, left : left + size]
    if augment not in ("none", "shift") and rng.random() < 0.5:
        image = image[:, ::-1]
    return image


def augment_numpy(
    images: np.ndarray, augment: str, rng: np.random.Generator, size: int | None = None
) -> np.ndarray:
    """Applies ``augment`` (a key of :data:`AUGMENTATIONS`) to a batch of NumPy images
    ``(n, h, w, c)`` (uint8, or float in [0, 1]) with random numbers from ``rng``.

    Returns float32 images ``(n, size, size, c)`` (``size=None``: the input's height): stored
    larger, an image is cropped (Inception) before it is resized, as in ``tf.data``.
    """
    size = images.shape[1] if size is None else size
    if augment == "none":
        same = images.shape[1:3] == (size, size) and images.dtype == np.float32
        return images if same else resize_images(images, size)
    out = np.empty((len(images), size, size, images.shape[-1]), "float32")
    for i, image in enumerate(images):
        out[i] = _np_train_transform(image, augment, rng, size)
    return out
