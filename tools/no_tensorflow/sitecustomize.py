"""Put this folder on PYTHONPATH to run as if TensorFlow were not installed.

``import tensorflow`` then raises ImportError and ``importlib.util.find_spec("tensorflow")``
raises ValueError, in this process and in the Jupyter kernels it starts: ``make
test-notebooks-jax`` runs notebooks on JAX this way, to show they need no TensorFlow.
"""

import sys

sys.modules["tensorflow"] = None
