"""keras.applications' published ImageNet weight files: which one a model needs, and fetching it
into Keras's cache with Keras's own mechanism (``keras.utils.get_file`` with the published
hash), or a clear error where it cannot.

The URLs, file names and md5 hashes are those keras.applications passes to ``get_file``
(``keras/src/applications/*.py``, Keras 3.15); ``tests/test_pretrained.py`` checks them against
the calls Keras itself makes, so a Keras release that moves a file fails a test here.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import keras

KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
EFFICIENTNET_URL = "https://storage.googleapis.com/keras-applications/"

# keras.applications name: its folder under KERAS_APPLICATIONS_URL and the files' stem.
_STANDARD = {
    "VGG16": ("vgg16", "vgg16"),
    "VGG19": ("vgg19", "vgg19"),
    "ResNet50": ("resnet", "resnet50"),
    "ResNet101": ("resnet", "resnet101"),
    "ResNet152": ("resnet", "resnet152"),
    "InceptionV3": ("inception_v3", "inception_v3"),
    "InceptionResNetV2": ("inception_resnet_v2", "inception_resnet_v2"),
    "DenseNet121": ("densenet", "densenet121"),
    "DenseNet169": ("densenet", "densenet169"),
    "DenseNet201": ("densenet", "densenet201"),
}
# The md5 hashes keras.applications checks, (with the classifier, without). MobileNet and
# MobileNetV2 publish none: their files are taken as they come.
PUBLISHED_HASHES = {
    "VGG16": ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
    "VGG19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6"),
    "ResNet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "ResNet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "ResNet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "InceptionV3": ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63"),
    "InceptionResNetV2": ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4"),
    "DenseNet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "DenseNet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "DenseNet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
    "EfficientNetB0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "EfficientNetB1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "EfficientNetB2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "EfficientNetB3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
}
# The widths and square input sizes MobileNet and MobileNetV2 publish weights for; another
# input size loads the 224 weights (with a warning), as keras.applications does.
MOBILENET_ALPHAS = (0.25, 0.5, 0.75, 1.0)
MOBILENET_SIZES = (128, 160, 192, 224)
MOBILENET_V2_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
MOBILENET_V2_SIZES = (96, 128, 160, 192, 224)
APPLICATIONS = (*_STANDARD, *(f"EfficientNetB{i}" for i in range(4)), "MobileNet", "MobileNetV2")


@dataclasses.dataclass(frozen=True)
class WeightsFile:
    """One published weight file.

    Attributes:
        name: its file name, which is also its name in Keras's cache folder.
        url: where keras.applications downloads it from.
        file_hash: the md5 hash keras.applications checks it against, or ``None`` where it
            publishes none (MobileNet, MobileNetV2).
    """

    name: str
    url: str
    file_hash: str | None


def mobilenet_size(application: str, input_shape) -> int:
    """The input size whose MobileNet weights an input of ``input_shape`` gets: its side if
    square and published (:data:`MOBILENET_SIZES`, :data:`MOBILENET_V2_SIZES`), else 224."""
    sizes = MOBILENET_SIZES if application == "MobileNet" else MOBILENET_V2_SIZES
    rows, columns = tuple(input_shape)[:2]
    return rows if rows == columns and rows in sizes else 224


def weights_file(
    application: str, *, include_top: bool = True, input_shape=(224, 224, 3), alpha: float = 1.0
) -> WeightsFile:
    """The file keras.applications loads for ``keras.applications.<application>(weights=
    "imagenet", include_top=..., input_shape=..., alpha=...)``.

    Args:
        application: one of :data:`APPLICATIONS` (``"ResNet50"``).
        include_top: with the 1000-way classifier, or the file without it (``_notop``).
        input_shape: the input (only MobileNet and MobileNetV2 publish weights per size).
        alpha: MobileNet's and MobileNetV2's width (:data:`MOBILENET_ALPHAS`,
            :data:`MOBILENET_V2_ALPHAS`).

    Raises:
        ValueError: for another application, or an unpublished alpha.
    """
    if application in _STANDARD:
        folder, stem = _STANDARD[application]
        name = f"{stem}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        url = f"{KERAS_APPLICATIONS_URL}{folder}/{name}"
        return WeightsFile(name, url, PUBLISHED_HASHES[application][0 if include_top else 1])
    if application.startswith("EfficientNetB") and application in PUBLISHED_HASHES:
        name = f"{application.lower()}{'.h5' if include_top else '_notop.h5'}"
        return WeightsFile(
            name, EFFICIENTNET_URL + name, PUBLISHED_HASHES[application][0 if include_top else 1]
        )
    if application == "MobileNet":
        _check_alpha(application, alpha, MOBILENET_ALPHAS)
        width = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}[float(alpha)]
        size = mobilenet_size(application, input_shape)
        name = f"mobilenet_{width}_{size}_tf{'' if include_top else '_no_top'}.h5"
        return WeightsFile(name, f"{KERAS_APPLICATIONS_URL}mobilenet/{name}", None)
    if application == "MobileNetV2":
        _check_alpha(application, alpha, MOBILENET_V2_ALPHAS)
        size = mobilenet_size(application, input_shape)
        name = (
            f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{size}"
            f"{'' if include_top else '_no_top'}.h5"
        )
        return WeightsFile(name, f"{KERAS_APPLICATIONS_URL}mobilenet_v2/{name}", None)
    raise ValueError(
        f"application={application!r} publishes no weights here; those that do: "
        f"{', '.join(APPLICATIONS)}."
    )


def _check_alpha(application: str, alpha, published) -> None:
    if alpha not in published:
        raise ValueError(
            f"{application}'s ImageNet weights are published for alpha in "
            f"{', '.join(map(str, published))}; received alpha={alpha!r}."
        )


def weights_folder(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder ``keras.utils.get_file(..., cache_subdir="models")`` keeps weights in:
    ``<cache_dir>/models``, by default ``$KERAS_HOME/models`` (``KERAS_HOME`` as it was when
    Keras was imported; unset, ``~/.keras``), or ``/tmp/.keras/models`` when that folder's
    parent cannot be written."""
    if cache_dir is None:
        try:
            from keras.src.backend.config import keras_home

            cache_dir = keras_home()
        except ImportError:  # a Keras without the private accessor: its documented rule
            cache_dir = os.environ.get("KERAS_HOME", os.path.join("~", ".keras"))
    base = os.path.expanduser(cache_dir)
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp", ".keras")
    return Path(base) / "models"


def fetch_weights(
    file: WeightsFile, *, cache_dir: str | os.PathLike | None = None, model: str = ""
) -> Path:
    """The local path of ``file``, downloaded into :func:`weights_folder` with
    ``keras.utils.get_file`` and checked against its published hash, unless it is already
    there and matches (then nothing is downloaded).

    Args:
        file: from :func:`weights_file`.
        cache_dir: the cache folder (its ``models`` subfolder holds the file); default Keras's,
            ``$KERAS_HOME`` or ``~/.keras``.
        model: the model the file is for, named in the error message.

    Raises:
        FileNotFoundError: when the file is not there (or does not match its hash) and cannot
            be downloaded (offline); the message names the file, the folder it is looked for
            in, the URL, and how to put it there by hand.
    """
    folder = weights_folder(cache_dir)
    existed = (folder / file.name).is_file()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # get_file warns of a bad hash, then raises below
            path = keras.utils.get_file(
                file.name,
                file.url,
                cache_subdir="models",
                file_hash=file.file_hash,
                cache_dir=None if cache_dir is None else os.fspath(cache_dir),
            )
    except Exception as error:  # get_file raises a bare Exception for a failed download
        raise FileNotFoundError(
            _missing(file, folder, existed, error, model, default=cache_dir is None)
        ) from error
    return Path(path)


def _missing(
    file: WeightsFile, folder: Path, existed: bool, error: Exception, model: str, default: bool
) -> str:
    whose = f" of {model!r}" if model else ""
    where = (
        f"{folder} (Keras's cache: $KERAS_HOME/models, default ~/.keras/models; set KERAS_HOME "
        "before importing Keras to use another folder)"
        if default
        else f"{folder} (the cache_dir given, and its models folder)"
    )
    if existed:
        found = (
            f"A file of that name in {where} did not match the published md5 hash, so Keras "
            "removed it and tried to download it again, which failed"
        )
    else:
        found = f"It is not in {where}, and downloading it failed"
    checked = (
        f" Keras checks its md5 hash, {file.file_hash}."
        if file.file_hash
        else " (keras.applications publishes no hash for it.)"
    )
    return (
        f"The ImageNet weights{whose} are keras.applications' file {file.name}. {found}: "
        f"{error}. To get it: download {file.url} where there is network access and put it in "
        f"{folder} under that name, or pass its path as weights=.{checked}"
    )
