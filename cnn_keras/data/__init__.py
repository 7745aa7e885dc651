"""Data sets for training: Fashion-MNIST offline, tensorflow-datasets' image sets, a folder.

``fashion_mnist`` (Xiao et al. 2017: 60,000 + 10,000 grayscale 28x28 images of clothes, 10
classes) is what the ``smoke`` and ``cpu`` profiles train on: real images a small net learns in
minutes. Its four original files are read with NumPy (no TensorFlow, no network) from Debian's
package ``dataset-fashion-mnist``, Keras's cache or a folder you name, or downloaded once
(:func:`find_fashion_mnist`). ``digits`` (scikit-learn's 1,797 8x8 digits, given three channels)
also works offline but is too small to learn much from. ``cifar10``, ``cifar100``,
``imagenette`` and ``imagenet2012`` come from tensorflow-datasets once downloaded (ImageNet from a
manual download). A folder ``ROOT/train/<class>/*.png`` (and ``ROOT/test/...``) loads too.

Images keep their own channels (one for Fashion-MNIST, three for the photographs): build the
model with ``input_shape=splits.image_shape``.

Two forms:

- :func:`load` gives ``tf.data`` pipelines: shuffle before batch, parallel map, prefetch,
  optional cache; on TensorFlow's absence it falls back to the second form.
- :func:`load_arrays` / :class:`ArrayDataset` give NumPy arrays in a ``keras.utils.PyDataset``,
  for JAX and PyTorch without TensorFlow.

Images are float32 channels last, in [0, 1], or per-channel standardized with
``normalize=True``; labels are int32 class indices. Augmentation (:data:`AUGMENTATIONS`) is
applied to the training split only, never to the test split.

The package, by what changes together: ``sources`` (the sets' names, Fashion-MNIST's files,
digits, channel statistics), ``tfds_sets`` (tensorflow-datasets and folders), ``augment`` (each
augmentation for ``tf.data`` and for NumPy, side by side), ``splits`` (the arguments both
loaders check, and :class:`Splits`), ``arrays`` (:class:`ArrayDataset`, :func:`load_arrays`)
and ``pipeline`` (:func:`load`). Import the names from ``cnn_keras.data``.
"""

from cnn_keras.data.arrays import ArrayDataset, load_arrays, repeat_labels
from cnn_keras.data.augment import (
    AUGMENTATIONS,
    INCEPTION_AREA,
    INCEPTION_ASPECT,
    PAD,
    augment_numpy,
    default_augment,
    resolve_augment,
)
from cnn_keras.data.pipeline import load
from cnn_keras.data.sources import (
    CHANNEL_STATS,
    DATASET_SHAPES,
    DATASETS,
    DIGITS,
    FASHION_MNIST,
    FASHION_MNIST_5,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DEBIAN_DIR,
    FASHION_MNIST_FILES,
    FASHION_MNIST_KERAS_DIR,
    FASHION_MNIST_URL,
    IMAGENET_STATS,
    OFFLINE_DATASETS,
    TFDS_DATASETS,
    channel_stats,
    check_image_size,
    digits_arrays,
    fashion_mnist_arrays,
    find_fashion_mnist,
    network_reachable,
    read_idx,
    resize_images,
    tensorflow_available,
)
from cnn_keras.data.splits import Splits
from cnn_keras.data.tfds_sets import IMAGE_SIGNATURES, MANUAL_FILES, check_image_folder

__all__ = [
    "AUGMENTATIONS",
    "CHANNEL_STATS",
    "DATASETS",
    "DATASET_SHAPES",
    "DIGITS",
    "FASHION_MNIST",
    "FASHION_MNIST_5",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DEBIAN_DIR",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_KERAS_DIR",
    "FASHION_MNIST_URL",
    "IMAGENET_STATS",
    "IMAGE_SIGNATURES",
    "INCEPTION_AREA",
    "INCEPTION_ASPECT",
    "MANUAL_FILES",
    "OFFLINE_DATASETS",
    "PAD",
    "TFDS_DATASETS",
    "ArrayDataset",
    "Splits",
    "augment_numpy",
    "channel_stats",
    "check_image_folder",
    "check_image_size",
    "default_augment",
    "digits_arrays",
    "fashion_mnist_arrays",
    "find_fashion_mnist",
    "load",
    "load_arrays",
    "network_reachable",
    "read_idx",
    "repeat_labels",
    "resize_images",
    "resolve_augment",
    "tensorflow_available",
]
