"""cnn-keras: Keras 3 builders for the classic ImageNet CNNs, and the tools that measure them.

Importing the package registers every model (it imports each module of :mod:`cnn_keras.models`)
and registers with Keras (package ``"cnn_keras"``) every custom object a saved model can hold:
the layers of :mod:`cnn_keras.layers` (local response normalization, the zero-padding shortcut,
the scaled residual), and from :mod:`cnn_keras.training` the label-smoothed loss and the
optimizers with the papers' L2 weight decay. So ``import cnn_keras`` then
``keras.saving.load_model(path)`` (safe mode included) loads any ``.keras`` file the package
wrote. Without the import, Keras fails with "Could not locate class 'cnn_keras>...'": the class
name after ``cnn_keras>`` says which package to import.
"""

import os

# Quiet TensorFlow's C++ start-up log lines unless the user asked for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# layers and training register the custom objects; models, every model; pretrained, how
# build_model(weights=...) builds.
from cnn_keras import layers, models, pretrained, training  # noqa: E402, F401
from cnn_keras.registry import build_model, get_spec, list_models, register_model  # noqa: E402

__all__ = ["build_model", "get_spec", "list_models", "register_model"]
__version__ = "0.1.0"
