"""The one classifier head every builder ends with, and the checks on its arguments."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

POOLINGS = (None, "avg", "max")


def check_head_args(*, include_top: bool, pooling: str | None, classes: int) -> None:
    """Raises ``ValueError`` for a ``pooling`` or ``classes`` that no head can take.

    Builders call it before building anything, so a bad argument fails at once.
    """
    if pooling not in POOLINGS:
        raise ValueError(
            f"pooling must be one of None, 'avg' or 'max'; received pooling={pooling!r}."
        )
    if include_top and (isinstance(classes, bool) or not isinstance(classes, int) or classes < 1):
        raise ValueError(
            f"classes must be an int >= 1 (1000 for ImageNet); received classes={classes!r}."
        )


def classifier_head(
    x: keras.KerasTensor,
    *,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | None,
    flatten: bool = False,
    hidden: Sequence[tuple[str, int]] = (),
    dropout: float = 0.0,
    classifier_name: str = "predictions",
) -> keras.KerasTensor:
    """The end of every network: pooling or flattening, hidden FC layers, the classifier.

    With ``include_top=False`` the features are returned as they are (``pooling=None``) or
    globally pooled (``"avg"``, ``"max"``). With ``include_top=True`` the features are flattened
    (``flatten=True``: AlexNet, ZFNet, VGG) or globally average-pooled (all later nets), pass
    through the ``hidden`` fully connected ReLU layers, and end in a ``classes``-way ``Dense``.
    Dropout, when ``dropout > 0``, sits before every ``Dense`` but a first hidden one: that is
    dropout on FC6 and FC7 for AlexNet and VGG, and before the classifier for GoogLeNet.

    Args:
        x: the last feature map.
        include_top: add the classifier.
        pooling: ``None``, ``"avg"`` or ``"max"``; used only when ``include_top=False``.
        classes: classifier outputs.
        classifier_activation: the classifier's activation (``"softmax"``, or ``None`` for
            logits). The classifier computes in float32 under mixed precision.
        flatten: flatten instead of global average pooling.
        hidden: ``(name, units)`` of each hidden FC layer (``[("fc6", 4096), ("fc7", 4096)]``).
        dropout: the dropout rate.
        classifier_name: the classifier layer's name.
    """
    check_head_args(include_top=include_top, pooling=pooling, classes=classes)
    if not include_top:
        if pooling == "avg":
            return layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if pooling == "max":
            return layers.GlobalMaxPooling2D(name="max_pool")(x)
        return x
    if flatten:
        x = layers.Flatten(name="flatten")(x)
    else:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    for index, (layer_name, units) in enumerate(hidden):
        if dropout and index > 0:
            x = layers.Dropout(dropout, name=f"{layer_name}_dropout")(x)
        x = layers.Dense(units, activation="relu", name=layer_name)(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{classifier_name}_dropout")(x)
    return layers.Dense(
        classes, activation=classifier_activation, dtype="float32", name=classifier_name
    )(x)
