"""Package tests: a fresh Keras session and float32 policy per test."""

from __future__ import annotations

import keras
import pytest


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Each test starts with Keras's default name counters and float32 policy."""
    keras.backend.clear_session()
    keras.config.set_dtype_policy("float32")
    yield
    keras.backend.clear_session()
