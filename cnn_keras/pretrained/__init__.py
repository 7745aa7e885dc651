"""ImageNet-trained weights in our own networks, and ImageNet's class names offline.

Half of the registered ImageNet networks have a keras.applications twin whose weights give the
same outputs after a copy (``tests/test_*``: "equals keras.applications"). So
``cnn_keras.build_model("resnet50", weights="imagenet")`` builds ours, loads keras.applications'
published file into the twin (fetched once into Keras's cache by ``keras.utils.get_file``,
checked against the published hash), and copies the weights into our layer names::

    import cnn_keras
    from cnn_keras import pretrained
    from skimage import data

    model = cnn_keras.build_model("resnet50", weights="imagenet")
    image = pretrained.prepare_image("resnet50", data.chelsea())  # crop, resize, preprocess
    pretrained.decode_predictions(model.predict(image[None]), top=3)
    # one list per image of (wnid, name, probability), most likely first

Offline, without the file in the cache, ``weights="imagenet"`` raises a ``FileNotFoundError``
that names the file, the folder (``$KERAS_HOME/models``, default ``~/.keras/models``) and the
URL to fetch it from elsewhere. A model without a twin raises a ``ValueError`` listing
:func:`models_with_weights`.

Modules: :mod:`~cnn_keras.pretrained.files` (which published file, and fetching it),
:mod:`~cnn_keras.pretrained.transfer` (the weight copy the twin tests share),
:mod:`~cnn_keras.pretrained.build` (``build_model``'s ``weights=``),
:mod:`~cnn_keras.pretrained.imagenet` (class names, preprocessing).
"""

from cnn_keras.pretrained.build import FREE_KEYWORDS as FREE_KEYWORDS
from cnn_keras.pretrained.build import build_pretrained as build_pretrained
from cnn_keras.pretrained.build import models_with_weights as models_with_weights
from cnn_keras.pretrained.build import require_twin as require_twin
from cnn_keras.pretrained.build import twin_of as twin_of
from cnn_keras.pretrained.files import APPLICATIONS as APPLICATIONS
from cnn_keras.pretrained.files import PUBLISHED_HASHES as PUBLISHED_HASHES
from cnn_keras.pretrained.files import WeightsFile as WeightsFile
from cnn_keras.pretrained.files import fetch_weights as fetch_weights
from cnn_keras.pretrained.files import weights_file as weights_file
from cnn_keras.pretrained.files import weights_folder as weights_folder
from cnn_keras.pretrained.imagenet import PREPROCESSING as PREPROCESSING
from cnn_keras.pretrained.imagenet import ImageNetClass as ImageNetClass
from cnn_keras.pretrained.imagenet import decode_predictions as decode_predictions
from cnn_keras.pretrained.imagenet import imagenet_classes as imagenet_classes
from cnn_keras.pretrained.imagenet import prepare_image as prepare_image
from cnn_keras.pretrained.imagenet import preprocess_input as preprocess_input
from cnn_keras.pretrained.imagenet import preprocessing_mode as preprocessing_mode
from cnn_keras.pretrained.transfer import copy_from_twin as copy_from_twin
from cnn_keras.pretrained.transfer import copy_weights as copy_weights
from cnn_keras.pretrained.transfer import twin_rename as twin_rename
from cnn_keras.registry import install_pretrained_builder  # noqa: E402

install_pretrained_builder(build_pretrained)
