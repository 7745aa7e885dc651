"""Package tests: a fresh Keras session and float32 policy per test."""

from __future__ import annotations

import keras
import pytest


@pytest.fixture(autouse=True)
def _fresh_keras_session(request):
    """Each test starts with Keras's default name counters and float32 policy.

    The garbage collection that ``clear_session`` runs by default costs a quarter of a CPU
    second with TensorFlow loaded: only the tests that build large models (marked ``models``
    or ``slow``) pay it, after they ran; Python's own collector covers the rest."""
    keras.backend.clear_session(free_memory=False)
    keras.config.set_dtype_policy("float32")
    yield
    heavy = any(request.node.get_closest_marker(mark) for mark in ("models", "slow"))
    keras.backend.clear_session(free_memory=heavy)
