"""Test setup for the whole repository: quiet TensorFlow, the smoke profile, nbval's stderr."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CNN_KERAS_PROFILE", "smoke")


def pytest_collectstart(collector):
    """nbval: never compare stderr (TensorFlow's log lines and warnings vary by run)."""
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = collector.skip_compare + ("stderr",)
