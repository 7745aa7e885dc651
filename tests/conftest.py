"""Shared test setup: quiet TensorFlow logs, a fresh Keras session per test, nbval's stderr."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CNN_KERAS_PROFILE", "smoke")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Each test starts with Keras's default name counters and float32 policy."""
    keras.backend.clear_session()
    keras.config.set_dtype_policy("float32")
    yield
    keras.backend.clear_session()


def pytest_collectstart(collector):
    """nbval: never compare stderr (TensorFlow's log lines and warnings vary by run)."""
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = collector.skip_compare + ("stderr",)
