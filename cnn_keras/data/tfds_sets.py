"""The sets read through TensorFlow: tensorflow-datasets' (CIFAR, Imagenette, ImageNet) and a
folder of images, each checked before it is read, and a missing set explained."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cnn_keras.data.sources import TFDS_DATASETS, network_reachable

# Sets whose files cannot be downloaded by a script: the user puts them in manual_dir.
MANUAL_FILES = {"imagenet2012": "ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar"}

# The files tensorflow-datasets' ImageFolder reads, by the bytes they start with.
IMAGE_SIGNATURES = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}


def check_image_folder(root: str, splits: Sequence[str]) -> None:
    """Raises ``ValueError`` for a folder data set that cannot train a classifier: fewer than
    two class folders, or an image file that is not what its name says (an empty, truncated
    at the header or mislabelled file), named, rather than failing inside TensorFlow at the
    first batch. Reads the first bytes of each file only.

    Args:
        root: the folder holding ``<split>/<class>/<image>``.
        splits: the split folders to check (``train`` and ``test``).
    """
    classes = set()
    for split in splits:
        split_dir = Path(root, split)
        for class_dir in sorted(p for p in split_dir.iterdir() if p.is_dir()):
            classes.add(class_dir.name)
            for path in sorted(class_dir.iterdir()):
                signature = IMAGE_SIGNATURES.get(path.suffix.lower())
                if signature is None:
                    continue  # not read by ImageFolder
                with open(path, "rb") as file:
                    head = file.read(len(signature))
                if head != signature:
                    raise ValueError(
                        f"{path} is not a {path.suffix.lower()[1:].upper()} image (it starts "
                        f"with {head!r}, not {signature!r}): the folder data set name={root!r} "
                        "cannot be read. Replace or remove the file."
                    )
    if len(classes) < 2:
        raise ValueError(
            f"The folder data set name={root!r} has {len(classes)} class folder(s) "
            f"{sorted(classes)} in {', '.join(splits)}: a classifier needs at least two "
            "(train/<class>/<image> with one folder per class)."
        )


def _missing_message(name: str, where: str, manual_dir: str | None) -> str:
    if name in MANUAL_FILES:
        manual = manual_dir or os.path.join(where, "downloads", "manual")
        how = (
            f"It cannot be downloaded by a script: get {MANUAL_FILES[name]} from "
            f"https://image-net.org, put them in {manual} (or pass manual_dir=, CLI "
            "--manual-dir), and load again with download=True (CLI --download) to prepare it."
        )
    else:
        how = (
            "Download it once with network access: pass download=True (CLI --download), or run "
            f"python -c \"import tensorflow_datasets as tfds; tfds.builder('{name}')"
            '.download_and_prepare()" (or set TFDS_DATA_DIR to a prepared copy).'
        )
    return (
        f"The data set {name!r} is not prepared in {where} (tried tensorflow-datasets with "
        f"download=False). {how} With no network, use the offline data set 'fashion_mnist'."
    )


def _folder_splits(root: str):
    import tensorflow_datasets as tfds

    builder = tfds.ImageFolder(root)
    splits = set(builder.info.splits)
    test_split = next((s for s in ("test", "validation", "val") if s in splits), None)
    if "train" not in splits or test_split is None:
        raise ValueError(
            f"The folder name={root!r} must hold train/ and test/ (or val/) subfolders of "
            f"class folders; found splits {sorted(splits)}."
        )
    check_image_folder(root, ("train", test_split))
    train, test = (
        builder.as_dataset(split=s, as_supervised=True, shuffle_files=s == "train")
        for s in ("train", test_split)
    )
    features = builder.info.features
    return train, test, features["label"].num_classes, features["image"].shape[-1]


def tfds_splits(name: str, *, data_dir: str | None, download: bool, manual_dir: str | None):
    """``(train, test, num_classes, channels)`` of a tensorflow-datasets set or a folder:
    ``tf.data`` datasets of images as stored (uint8) and int labels."""
    if os.path.isdir(name):
        return _folder_splits(name)
    import tensorflow_datasets as tfds

    where = data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
    not_found = (tfds.core.DatasetNotFoundError, AssertionError)  # tfds raises either

    def read():
        # download=False: offline, tfds would otherwise retry downloads for minutes.
        return tfds.load(
            name,
            split=["train", TFDS_DATASETS[name]],
            as_supervised=True,
            with_info=True,
            shuffle_files=True,
            download=False,
            data_dir=data_dir,
        )

    try:
        (train, test), info = read()
    except not_found as error:
        if not download:
            raise FileNotFoundError(_missing_message(name, where, manual_dir)) from error
        if name not in MANUAL_FILES and not network_reachable():
            raise ConnectionError(
                f"Cannot download {name!r}: the network is unreachable (tried "
                "storage.googleapis.com:443 for 3 s). " + _missing_message(name, where, manual_dir)
            ) from error
        config = tfds.download.DownloadConfig(manual_dir=manual_dir)
        try:
            tfds.builder(name, data_dir=data_dir).download_and_prepare(download_config=config)
        except not_found as manual_error:  # the manual files are missing
            raise FileNotFoundError(_missing_message(name, where, manual_dir)) from manual_error
        (train, test), info = read()
    return train, test, info.features["label"].num_classes, info.features["image"].shape[-1]
