"""One module per architecture family; each registers its variants on import.

Importing this package imports every module in it (``import cnn_keras`` does), so the registry
holds every model, whichever module or function a caller imports first.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
