"""The one classifier head every builder ends with, the checks on its arguments, and
:func:`application_model`, the tail every builder ends with."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from cnn_keras.checks import check_bool, check_choice, check_float, check_int, suggestion

POOLINGS = (None, "avg", "max")
# Keras's activation functions by name, for the suggestion on a misspelt one.
ACTIVATIONS = tuple(
    name
    for name in dir(keras.activations)
    if not name.startswith("_") and name not in ("get", "serialize", "deserialize")
)


def check_activation(name: str, value) -> None:
    """Raises ``ValueError`` unless ``value`` is ``None``, a callable, or a name Keras knows."""
    if value is None or callable(value):
        return
    try:
        keras.activations.get(value)
    except (ValueError, TypeError):
        pass
    else:
        return
    raise ValueError(
        f"{name} must be None (logits), 'softmax' or another Keras activation name; received "
        f"{name}={value!r}." + suggestion(value, ACTIVATIONS)
    )


def check_head_args(
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | None = "softmax",
    dropout: float = 0.0,
) -> None:
    """Raises ``ValueError`` for a head argument that no head can take: ``include_top`` not a
    bool, ``pooling`` not None/"avg"/"max", ``classes`` not an int >= 1, an activation Keras
    does not know, or ``dropout`` outside [0, 1).

    Builders call it before building anything, so a bad argument fails at once, with their
    arguments of the same names in this order.
    """
    check_bool("include_top", include_top)
    check_choice("pooling", pooling, POOLINGS)
    check_int("classes", classes, minimum=1, hint="1000 for ImageNet")
    check_activation("classifier_activation", classifier_activation)
    check_float("dropout", dropout, minimum=0, maximum=1, max_inclusive=False)


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
    check_head_args(include_top, pooling, classes, classifier_activation, dropout)
    classes = int(classes)
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


def application_model(
    inputs: keras.KerasTensor,
    features: keras.KerasTensor,
    include_top: bool,
    pooling: str | None,
    classes: int,
    classifier_activation: str | None,
    *,
    name: str,
    aux_outputs: Sequence[keras.KerasTensor] = (),
    **head,
) -> keras.Model:
    """The end of every builder: the keras.applications head on ``features`` (see
    :func:`classifier_head`, which checks the head arguments), as a ``keras.Model`` named
    ``name`` from ``inputs``.

    Args:
        inputs: the model's input (:func:`cnn_keras.layers.image_input`).
        features: the last feature map.
        include_top, pooling, classes, classifier_activation: the keras.applications
            keywords, as the builder received them (in :func:`check_head_args`'s order).
        name: the model's name.
        aux_outputs: auxiliary classifiers' outputs (GoogLeNet, Inception v3): the model then
            outputs ``[main, *aux_outputs]``.
        **head: the rest of :func:`classifier_head`'s options (``flatten``, ``hidden``,
            ``dropout``, ``classifier_name``).
    """
    outputs = classifier_head(
        features,
        include_top=include_top,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        **head,
    )
    if aux_outputs:
        outputs = [outputs, *aux_outputs]
    return keras.Model(inputs, outputs, name=name)
