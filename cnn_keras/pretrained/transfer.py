"""Copying weights between two builds of one network, in particular from a keras.applications
model into ours: what ``build_model(name, weights="imagenet")`` does after loading the
published file into the twin, and what the tests that prove each twin equal do after giving the
twin random weights."""

from __future__ import annotations

from collections.abc import Callable

import keras

# Input preprocessing held in a keras.applications model (EfficientNet's Normalization, with
# the ImageNet mean and variance): not part of our networks, which take preprocessed images
# (``cnn_keras.pretrained.preprocess_input``).
PREPROCESSING_LAYERS = (keras.layers.Normalization,)


def _resnet_name(name: str) -> str:
    """keras.applications' ``conv2_block1_1_conv`` is our ``conv2_block1_1``."""
    return name.removesuffix("_conv")


def _same_name(name: str) -> str:
    return name


def twin_rename(application: str) -> Callable[[str], str] | None:
    """How a layer of ``keras.applications.<application>`` is named in ours: a function of its
    name (ResNet, DenseNet), or ``None`` where the weighted layers pair in order (same graph,
    other names: VGG, Inception, MobileNet, MobileNetV2, EfficientNet)."""
    if application.startswith("ResNet"):
        return _resnet_name
    if application.startswith("DenseNet"):
        return _same_name
    return None


def copy_weights(
    source: keras.Model, target: keras.Model, rename: Callable[[str], str] | None = None
) -> None:
    """Copies the weights of every weighted layer of ``source`` into ``target``.

    With ``rename``, layer ``n`` of ``source`` goes to the layer of ``target`` named
    ``rename(n)``; without it, the weighted layers are paired in order (same graph, other
    names). Each pair must be of one layer type, except a 1x1 ``Conv2D`` classifier on a pooled
    1x1 map (keras.applications' MobileNet ``conv_preds``) into a ``Dense`` (ours), whose
    kernel is the conv's reshaped. Input preprocessing layers of ``source``
    (:data:`PREPROCESSING_LAYERS`) are skipped. Every weighted layer of ``target`` must
    receive weights.

    Raises:
        ValueError: for unequal counts of weighted layers, a layer without a counterpart, a
            pair of different types, or weights of another shape; the message names the layers.
    """
    theirs = [
        layer
        for layer in source.layers
        if layer.weights and not isinstance(layer, PREPROCESSING_LAYERS)
    ]
    ours = [layer for layer in target.layers if layer.weights]
    if rename is None:
        if len(ours) != len(theirs):
            raise ValueError(
                f"{source.name} has {len(theirs)} weighted layers and {target.name} "
                f"{len(ours)}: not the same network (compare their layer tables)."
            )
        pairs = list(zip(theirs, ours, strict=True))
    else:
        names = {layer.name: layer for layer in ours}
        pairs = []
        for layer in theirs:
            if rename(layer.name) not in names:
                raise ValueError(
                    f"{source.name}'s layer {layer.name!r} has no counterpart "
                    f"{rename(layer.name)!r} in {target.name}."
                )
            pairs.append((layer, names[rename(layer.name)]))
        missed = sorted({layer.name for layer in ours} - {mine.name for _, mine in pairs})
        if missed:
            raise ValueError(f"{target.name}'s layers {missed[:5]} receive no weights.")
    for their, mine in pairs:
        _copy_layer(their, mine)


def _copy_layer(their: keras.layers.Layer, mine: keras.layers.Layer) -> None:
    weights = their.get_weights()
    # Ours may subclass theirs (batch_norm.BatchNormalization): the same weights.
    if not isinstance(mine, type(their)):
        if (
            isinstance(their, keras.layers.Conv2D)
            and isinstance(mine, keras.layers.Dense)
            and tuple(their.kernel_size) == (1, 1)
        ):
            weights = [weights[0].reshape(weights[0].shape[-2:]), *weights[1:]]
        else:
            raise ValueError(
                f"Cannot copy {their.name} ({type(their).__name__}) into {mine.name} "
                f"({type(mine).__name__}): not the same kind of layer."
            )
    try:
        mine.set_weights(weights)
    except ValueError as error:
        raise ValueError(f"Copying {their.name} into {mine.name}: {error}") from error


def copy_from_twin(twin: keras.Model, ours: keras.Model, application: str) -> None:
    """Copies a ``keras.applications.<application>`` model's weights into our equal network,
    built with the same ``include_top`` and width (see :func:`twin_rename` for how the layers
    pair).

    Args:
        twin: the keras.applications model (``keras.applications.ResNet50(weights=None)``,
            or one with the published weights loaded).
        ours: ours (``build_model("resnet50")``).
        application: the twin's keras.applications name (``"ResNet50"``; the registry's
            ``get_spec(name).twin``).
    """
    copy_weights(twin, ours, twin_rename(application))
