"""cnn-keras: Keras 3 builders for the classic ImageNet CNNs, and the tools that measure them."""

from cnn_keras.registry import build_model, get_spec, list_models, register_model

__all__ = ["build_model", "get_spec", "list_models", "register_model"]
__version__ = "0.1.0"
