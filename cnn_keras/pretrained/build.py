"""``build_model(name, weights=...)``: our network with ImageNet-trained weights (the twin's
published file, copied into our layer names) or with weights from a local file."""

from __future__ import annotations

import inspect
import os
import warnings
from pathlib import Path
from typing import Any

import keras

from cnn_keras.models.mobilenet_v2 import mobilenet_v2
from cnn_keras.pretrained.files import (
    MOBILENET_V2_ALPHAS,
    fetch_weights,
    mobilenet_size,
    weights_file,
)
from cnn_keras.pretrained.transfer import copy_from_twin
from cnn_keras.registry import HEAD_KEYWORDS, ModelSpec, get_spec, list_models

# Keywords that leave the weights' shapes alone: the head's, and the dropout rates.
FREE_KEYWORDS = HEAD_KEYWORDS | {"dropout", "drop_connect_rate"}


def twin_of(name: str) -> str | None:
    """The keras.applications model whose published weights fit the registered model ``name``
    (its spec's ``twin``; for ``mobilenet_v2_0.5`` and ``_0.75``, ``MobileNetV2`` at that
    width, which keras.applications publishes too), or ``None``."""
    spec = get_spec(name)
    if spec.twin is not None:
        return spec.twin
    if spec.builder is mobilenet_v2 and spec.preset.get("alpha") in MOBILENET_V2_ALPHAS:
        return "MobileNetV2"
    return None


def models_with_weights() -> list[str]:
    """The registered models ``weights="imagenet"`` works for, sorted."""
    return [name for name in list_models() if twin_of(name) is not None]


def build_pretrained(
    name: str,
    weights: str | os.PathLike,
    /,
    *,
    cache_dir: str | os.PathLike | None = None,
    **kwargs: Any,
) -> keras.Model:
    """``build_model(name, weights=weights, **kwargs)``: our network with trained weights.

    Args:
        name: a registered model.
        weights: ``"imagenet"``: keras.applications' published ImageNet weights of the twin
            (``get_spec(name).twin``), downloaded once into Keras's cache and checked against
            the published hash, then copied into our layer names. Or a path: a ``.keras`` or
            ``.weights.h5`` file saved from this model (``model.save``,
            ``model.save_weights``), loaded as it is; or a keras.applications weight file
            (another ``.h5``, such as ``resnet50_weights_tf_dim_ordering_tf_kernels.h5``
            downloaded by hand), loaded into the twin and copied as for ``"imagenet"``.
        cache_dir: where ``"imagenet"`` weights are cached (in its ``models`` folder); default
            Keras's, ``$KERAS_HOME`` or ``~/.keras``.
        **kwargs: the builder's keywords. With ImageNet weights, as in keras.applications:
            ``include_top=True`` needs ``classes=1000``, ``classifier_activation`` ``"softmax"``
            or ``None``, and the published input shape (299 for the Inceptions, 224 and up for
            EfficientNet; MobileNet: 128, 160, 192 or 224); ``include_top=False`` takes any
            input of at least the minimum size, with 3 channels, and ignores ``classes``. Keywords
            that change the network (``width_multiplier``, ``fc_units`` ...) are refused.

    Returns:
        The model, whose outputs equal keras.applications' for the same preprocessed images
        (:func:`cnn_keras.pretrained.preprocess_input`).

    Raises:
        ValueError: for a model without a twin (listing those with weights), a keyword the
            weights do not fit, or ``weights`` neither ``"imagenet"`` nor a path.
        FileNotFoundError: when the published file is not cached and cannot be downloaded, or
            the path does not exist; the message says where to put the file.
    """
    spec = get_spec(name)
    if isinstance(weights, str) and weights == "imagenet":
        application = require_twin(name)
        twin_keywords = _check_imagenet_keywords(spec, application, kwargs)
        include_top = kwargs.get("include_top", True)
        file = weights_file(
            application,
            include_top=include_top,
            input_shape=tuple(kwargs.get("input_shape") or spec.input_shape),
            alpha=twin_keywords.get("alpha", 1.0),
        )
        path = fetch_weights(file, cache_dir=cache_dir, model=name)
        return _from_twin_file(spec, application, path, twin_keywords, kwargs)
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(
            f"weights must be None, 'imagenet' or a path to a .keras, .weights.h5 or "
            f"keras.applications .h5 file; received weights={weights!r}."
        )
    path = Path(weights).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"weights={os.fspath(weights)!r}: no such file.")
    if path.suffix == ".keras" or path.name.endswith(".weights.h5"):
        model = spec.build(**kwargs)
        model.load_weights(path)
        return model
    if path.suffix == ".h5":
        application = require_twin(name)
        twin_keywords = _check_imagenet_keywords(spec, application, kwargs, published=False)
        return _from_twin_file(spec, application, path, twin_keywords, kwargs)
    raise ValueError(
        f"weights={os.fspath(weights)!r}: a weights file ends in .keras or .weights.h5 (saved "
        "from this model) or .h5 (a keras.applications file)."
    )


def require_twin(name: str) -> str:
    """:func:`twin_of` ``name``, which must have one.

    Raises:
        ValueError: for a model without published weights, listing those with.
    """
    application = twin_of(name)
    if application is None:
        raise ValueError(
            f"{name!r} has no published ImageNet weights: keras.applications has no equal "
            f"network. Models with weights='imagenet': {', '.join(models_with_weights())}."
        )
    return application


def _check_imagenet_keywords(
    spec: ModelSpec, application: str, kwargs: dict[str, Any], *, published: bool = True
) -> dict[str, Any]:
    """Refuses what keras.applications refuses with ImageNet weights; returns the keywords
    that select the twin's variant (MobileNet's ``alpha``)."""
    selected = {**_defaults(spec.builder), **spec.preset}
    twin_keywords: dict[str, Any] = {}
    if application in ("MobileNet", "MobileNetV2"):
        twin_keywords["alpha"] = kwargs.get("alpha", selected.get("alpha", 1.0))
    free = FREE_KEYWORDS | ({"alpha"} if application == "MobileNet" else set())
    for key, value in kwargs.items():
        if key not in free and key in selected and value != selected[key]:
            raise ValueError(
                f"{key}={value!r} changes the network {spec.name!r} that the ImageNet weights "
                f"were trained for ({selected[key]!r}); with weights, give only "
                f"{', '.join(sorted(free))}."
            )
    include_top = kwargs.get("include_top", True)
    input_shape = tuple(kwargs.get("input_shape") or spec.input_shape)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(
            f"The ImageNet weights take RGB images: input_shape must end in 3 channels; "
            f"received input_shape={input_shape!r}."
        )
    if not include_top:
        if published and application in ("MobileNet", "MobileNetV2"):
            size = mobilenet_size(application, input_shape)
            if size != input_shape[0] or input_shape[0] != input_shape[1]:
                warnings.warn(
                    f"{application} publishes weights for square inputs of "
                    f"128 to 224 pixels; input_shape={input_shape} gets the {size}x{size} "
                    "weights (as keras.applications does).",
                    stacklevel=4,
                )
        return twin_keywords
    classes = kwargs.get("classes", selected.get("classes", 1000))
    if classes != 1000:
        raise ValueError(
            "With weights='imagenet' and include_top=True the classifier is ImageNet's: "
            f"classes must be 1000; received classes={classes!r}. For your own classes, "
            "build with include_top=False (and pooling='avg') and add a classifier."
        )
    activation = kwargs.get("classifier_activation", "softmax")
    if activation not in ("softmax", None):
        raise ValueError(
            "With weights='imagenet' and include_top=True, classifier_activation must be "
            f"'softmax' or None (logits); received classifier_activation={activation!r}."
        )
    if application in ("MobileNet", "MobileNetV2"):
        size = mobilenet_size(application, input_shape)
    else:
        size = spec.input_size
    if input_shape != (size, size, 3):
        raise ValueError(
            f"With weights='imagenet' and include_top=True, input_shape must be "
            f"{(size, size, 3)}, the published network's (as keras.applications requires); "
            f"received input_shape={input_shape!r}. Other sizes: include_top=False."
        )
    return twin_keywords


def _defaults(builder) -> dict[str, Any]:
    return {
        key: parameter.default
        for key, parameter in inspect.signature(builder).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def _from_twin_file(
    spec: ModelSpec,
    application: str,
    path: Path,
    twin_keywords: dict[str, Any],
    kwargs: dict[str, Any],
) -> keras.Model:
    ours = spec.build(**kwargs)
    head = {
        key: kwargs[key]
        for key in ("include_top", "pooling", "classes", "classifier_activation")
        if key in kwargs
    }
    twin = getattr(keras.applications, application)(
        weights=None, input_shape=tuple(ours.input_shape[1:]), **head, **twin_keywords
    )
    try:
        twin.load_weights(os.fspath(path))
    except (ValueError, OSError, KeyError) as error:
        raise ValueError(
            f"{path} does not hold keras.applications.{application}'s weights for "
            f"include_top={head.get('include_top', True)} ({error}). The published files "
            "without the classifier end in _notop.h5 or _no_top.h5."
        ) from error
    copy_from_twin(twin, ours, application)
    return ours
