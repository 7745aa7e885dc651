"""cnn-keras: Keras 3 builders for the classic ImageNet CNNs, and the tools that measure them."""

import os

# Quiet TensorFlow's C++ start-up log lines unless the user asked for them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from cnn_keras.registry import build_model, get_spec, list_models, register_model  # noqa: E402

__all__ = ["build_model", "get_spec", "list_models", "register_model"]
__version__ = "0.1.0"
