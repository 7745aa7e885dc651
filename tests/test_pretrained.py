"""ImageNet weights in our builders, offline: the published files keras.applications asks for,
the loading path from Keras's cache (a twin's random weights written under the published file
name), local files, the errors, and the class table that makes decode_predictions work offline.

No test downloads anything: the cache is a temporary folder holding files the test wrote, and
a missing file is looked up at a ``file://`` URL that does not exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
from helpers import assert_same_outputs, randomize_weights

import cnn_keras
from cnn_keras import build_model, pretrained
from cnn_keras.pretrained import build as pretrained_build

# keras.applications' md5 hash of imagenet_class_index.json (keras/src/applications/
# imagenet_utils.py), the file its decode_predictions downloads.
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
SMALL_MOBILENET = {"alpha": 0.25, "input_shape": (128, 128, 3)}


def _class_index_json() -> str:
    classes = pretrained.imagenet_classes()
    return json.dumps({str(c.index): [c.wnid, c.name] for c in classes})


def test_the_class_table_is_keras_applications_class_index():
    classes = pretrained.imagenet_classes()
    assert len(classes) == 1000 and len({c.wnid for c in classes}) == 1000
    assert [c.wnid for c in classes] == sorted(c.wnid for c in classes)
    assert classes[281] == (281, "n02123045", "tabby")
    # Byte for byte the JSON keras.applications downloads: the hash it checks matches.
    assert hashlib.md5(_class_index_json().encode()).hexdigest() == CLASS_INDEX_HASH


def test_decode_predictions_offline():
    scores = np.zeros((2, 1000), "float32")
    scores[0, [281, 285, 3]] = (0.7, 0.2, 0.1)
    scores[1, 504] = 1.0
    decoded = pretrained.decode_predictions(scores, top=2)
    assert decoded[0] == [
        ("n02123045", "tabby", pytest.approx(0.7)),
        ("n02124075", "Egyptian_cat", pytest.approx(0.2)),
    ]
    assert decoded[1][0][:2] == ("n03063599", "coffee_mug")
    with pytest.raises(ValueError, match=r"predictions must be \(batch, 1000\).*\(2, 10\)"):
        pretrained.decode_predictions(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"top must be an int in \[1, 1000\].*top=0"):
        pretrained.decode_predictions(scores, top=0)


def test_models_with_weights_are_the_twins():
    assert pretrained.models_with_weights() == [
        "densenet121", "densenet169", "densenet201",
        "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
        "inception_resnet_v2", "inception_v3",
        "mobilenet", "mobilenet_v2", "mobilenet_v2_0.5", "mobilenet_v2_0.75",
        "resnet101", "resnet152", "resnet50", "vgg16", "vgg19",
    ]  # fmt: skip
    assert pretrained.twin_of("mobilenet_v2_0.5") == "MobileNetV2"
    assert pretrained.twin_of("alexnet") is None


def test_preprocessing_is_keras_applications():
    images = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    apps = keras.applications
    for name, theirs in (
        ("vgg16", apps.vgg16.preprocess_input),
        ("resnet50", apps.resnet.preprocess_input),
        ("inception_v3", apps.inception_v3.preprocess_input),
        ("mobilenet_v2", apps.mobilenet_v2.preprocess_input),
        ("densenet121", apps.densenet.preprocess_input),
    ):
        np.testing.assert_allclose(
            pretrained.preprocess_input(name, images), theirs(images.copy()), rtol=1e-6
        )
    assert pretrained.preprocessing_mode("efficientnet_b0") == "torch"
    grey = np.full((40, 60), 255, "uint8")
    assert pretrained.prepare_image("mobilenet", grey).shape == (224, 224, 3)
    np.testing.assert_allclose(pretrained.prepare_image("mobilenet", grey), 1.0)  # "tf": [-1, 1]
    shown = pretrained.prepare_image("vgg16", grey, size=32, preprocess=False)
    assert shown.shape == (32, 32, 3) and np.allclose(shown, 255.0)


def _record_get_file(monkeypatch):
    """keras.applications' get_file calls, recorded instead of made."""
    from keras.src.utils import file_utils

    calls = []

    class Recorded(Exception):
        pass

    def record(fname, origin, **kwargs):
        calls.append(pretrained.WeightsFile(fname, origin, kwargs.get("file_hash")))
        raise Recorded

    monkeypatch.setattr(file_utils, "get_file", record)
    return calls, Recorded


# (application, keywords of both keras.applications and weights_file): cheap inputs without the
# classifier for each file family, and MobileNet's size and width rules; the deep variants of a
# family (whose file names follow the same rule) are slow.
NO_TOP = [
    ("VGG16", {"input_shape": (32, 32, 3)}),
    ("VGG19", {"input_shape": (32, 32, 3)}),
    ("ResNet50", {"input_shape": (32, 32, 3)}),
    pytest.param("ResNet101", {"input_shape": (32, 32, 3)}, marks=pytest.mark.slow),
    pytest.param("ResNet152", {"input_shape": (32, 32, 3)}, marks=pytest.mark.slow),
    ("InceptionV3", {"input_shape": (75, 75, 3)}),
    pytest.param("InceptionResNetV2", {"input_shape": (75, 75, 3)}, marks=pytest.mark.slow),
    ("DenseNet121", {"input_shape": (32, 32, 3)}),
    pytest.param("DenseNet169", {"input_shape": (32, 32, 3)}, marks=pytest.mark.slow),
    pytest.param("DenseNet201", {"input_shape": (32, 32, 3)}, marks=pytest.mark.slow),
    ("EfficientNetB0", {"input_shape": (32, 32, 3)}),
    ("EfficientNetB3", {"input_shape": (32, 32, 3)}),
    ("MobileNet", {"input_shape": (128, 128, 3), "alpha": 0.25}),
    ("MobileNet", {"input_shape": (200, 200, 3), "alpha": 0.75}),  # 224's weights
    ("MobileNetV2", {"input_shape": (96, 96, 3), "alpha": 0.5}),
]


@pytest.mark.parametrize(("application", "keywords"), NO_TOP, ids=str)
def test_weights_file_is_what_keras_applications_fetches(monkeypatch, application, keywords):
    calls, recorded = _record_get_file(monkeypatch)
    with pytest.raises(recorded), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MobileNet at 200: "the 224 weights"
        getattr(keras.applications, application)(weights="imagenet", include_top=False, **keywords)
    assert calls == [pretrained.weights_file(application, include_top=False, **keywords)]


@pytest.mark.slow
@pytest.mark.parametrize("application", pretrained.APPLICATIONS)
def test_weights_file_with_top_is_what_keras_applications_fetches(monkeypatch, application):
    calls, recorded = _record_get_file(monkeypatch)
    with pytest.raises(recorded):
        getattr(keras.applications, application)(weights="imagenet")  # its default input
    assert calls == [pretrained.weights_file(application, include_top=True)]


def _write_twin_file(folder, application, keywords, name, seed=0) -> keras.Model:
    """A keras.applications model with random weights, saved (legacy .h5, the published files'
    format) in ``folder/models`` under the published file's name ``name``."""
    twin = getattr(keras.applications, application)(weights=None, **keywords)
    randomize_weights(twin, seed=seed)
    os.makedirs(folder / "models", exist_ok=True)
    twin.save(folder / "models" / name)
    return twin


def test_imagenet_weights_come_from_the_cache_into_our_layers(tmp_path):
    # MobileNet at alpha 0.25 on 128x128: the cheapest published file, with its classifier
    # (a 1x1 conv in keras.applications, a Dense in ours). keras.applications publishes no
    # hash for MobileNet files, so the twin's own weights pass as the published file.
    file = pretrained.weights_file("MobileNet", include_top=True, **SMALL_MOBILENET)
    assert file.name == "mobilenet_2_5_128_tf.h5" and file.file_hash is None
    twin = _write_twin_file(tmp_path, "MobileNet", SMALL_MOBILENET, file.name)
    ours = pretrained.build_pretrained(
        "mobilenet", "imagenet", cache_dir=tmp_path, **SMALL_MOBILENET
    )
    assert ours.name == "mobilenet"
    assert_same_outputs(ours, twin)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "application"),
    [
        ("densenet121", "DenseNet121"),
        ("resnet50", "ResNet50"),
        ("efficientnet_b0", "EfficientNetB0"),
    ],
)
def test_hashed_weights_are_checked_and_copied(tmp_path, monkeypatch, name, application):
    """The families with renamed layers (ResNet, DenseNet) or preprocessing layers to skip
    (EfficientNet), without the classifier at 64x64. Their files have published hashes, which
    a file the test wrote cannot match: the test publishes its file's own hash instead."""
    keywords = {"include_top": False, "input_shape": (64, 64, 3)}
    file = pretrained.weights_file(application, include_top=False)
    twin = _write_twin_file(tmp_path, application, keywords, file.name, seed=1)
    digest = hashlib.md5((tmp_path / "models" / file.name).read_bytes()).hexdigest()
    monkeypatch.setitem(pretrained.PUBLISHED_HASHES, application, ("unused", digest))
    ours = pretrained.build_pretrained(name, "imagenet", cache_dir=tmp_path, **keywords)
    if application.startswith("EfficientNet"):  # ours takes the preprocessed images
        twin = keras.Model(twin.get_layer("stem_conv_pad").input, twin.output)
    assert_same_outputs(ours, twin, atol=1e-4)


def test_a_file_without_the_published_hash_is_refused(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "fake.h5").write_bytes(b"not the weights")
    missing = pretrained.WeightsFile("fake.h5", "file:///nonexistent/fake.h5", "0" * 32)
    with pytest.raises(FileNotFoundError, match=r"did not match the published md5 hash"):
        pretrained.fetch_weights(missing, cache_dir=tmp_path)
    (tmp_path / "models" / "fake.h5").write_bytes(b"not the weights")
    digest = hashlib.md5(b"not the weights").hexdigest()
    matching = pretrained.WeightsFile("fake.h5", "file:///nonexistent/fake.h5", digest)
    assert pretrained.fetch_weights(matching, cache_dir=tmp_path) == tmp_path / "models/fake.h5"


def test_offline_without_the_file_the_error_says_how_to_get_it(tmp_path, monkeypatch):
    published = pretrained.weights_file("MobileNet", include_top=False, **SMALL_MOBILENET)

    def unreachable(*args, **kwargs):
        file = pretrained.weights_file(*args, **kwargs)
        return pretrained.WeightsFile(file.name, "file:///nonexistent/" + file.name, None)

    monkeypatch.setattr(pretrained_build, "weights_file", unreachable)
    with pytest.raises(FileNotFoundError) as caught:
        pretrained.build_pretrained(
            "mobilenet", "imagenet", cache_dir=tmp_path, include_top=False, **SMALL_MOBILENET
        )
    message = str(caught.value)
    for part in (
        "'mobilenet'",
        published.name,  # the file
        str(tmp_path / "models"),  # where it is looked for
        "file:///nonexistent/" + published.name,  # where to download it
        "put it in",
        "weights=",
    ):
        assert part in message, (part, message)
    default = pretrained.weights_folder()
    assert default.name == "models"  # $KERAS_HOME/models or ~/.keras/models


def test_what_keras_applications_refuses_with_imagenet_weights():
    def build(name="mobilenet", **kwargs):
        return build_model(name, weights="imagenet", **kwargs)

    with pytest.raises(ValueError, match=r"'alexnet' has no published.*: densenet121, .*vgg19"):
        build("alexnet")
    with pytest.raises(ValueError, match=r"classes must be 1000; received classes=10"):
        build(classes=10)
    with pytest.raises(ValueError, match=r"input_shape must be \(299, 299, 3\).*\(224, 224, 3\)"):
        build("inception_v3", input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match=r"input_shape must be \(224, 224, 3\).*\(100, 100, 3\)"):
        build(input_shape=(100, 100, 3))  # MobileNet: 128, 160, 192 or 224
    with pytest.raises(ValueError, match=r"classifier_activation must be 'softmax' or None"):
        build(classifier_activation="sigmoid")
    with pytest.raises(ValueError, match=r"width_multiplier=0.5 changes the network 'vgg16'"):
        build("vgg16", include_top=False, width_multiplier=0.5)
    with pytest.raises(ValueError, match=r"published for alpha in 0.25, 0.5, 0.75, 1.0.*0.3"):
        build(alpha=0.3)
    with pytest.raises(ValueError, match=r"must end in 3 channels"):
        build(include_top=False, input_shape=(64, 64, 1))
    with pytest.raises(ValueError, match=r"weights must be None, 'imagenet' or a path"):
        build_model("mobilenet", weights=1)
    with pytest.raises(FileNotFoundError, match=r"no such file"):
        build_model("mobilenet", weights="/nonexistent/mobilenet.weights.h5")


def test_without_the_classifier_classes_is_ignored_as_in_keras_applications(tmp_path):
    keywords = {"include_top": False, "classes": 10, "pooling": "avg", **SMALL_MOBILENET}
    file = pretrained.weights_file("MobileNet", include_top=False, **SMALL_MOBILENET)
    twin = _write_twin_file(
        tmp_path, "MobileNet", {k: v for k, v in keywords.items() if k != "classes"}, file.name
    )
    ours = pretrained.build_pretrained("mobilenet", "imagenet", cache_dir=tmp_path, **keywords)
    assert ours.output_shape == (None, 256)
    assert_same_outputs(ours, twin)


def test_weights_from_a_local_file(tmp_path):
    keywords = {"include_top": False, "alpha": 0.25, "input_shape": (32, 32, 3)}
    saved = build_model("mobilenet", **keywords)
    randomize_weights(saved, seed=2)
    saved.save_weights(tmp_path / "mine.weights.h5")
    saved.save(tmp_path / "mine.keras")
    for path in ("mine.weights.h5", "mine.keras"):
        assert_same_outputs(build_model("mobilenet", weights=tmp_path / path, **keywords), saved)
    # A keras.applications file downloaded by hand: loaded into the twin, copied into ours.
    twin = _write_twin_file(tmp_path, "MobileNet", keywords, "by_hand.h5", seed=3)
    ours = build_model("mobilenet", weights=str(tmp_path / "models" / "by_hand.h5"), **keywords)
    assert_same_outputs(ours, twin)


CHILD = textwrap.dedent(
    """
    import json, sys
    import keras, numpy as np
    import cnn_keras
    from cnn_keras import pretrained
    scores = np.random.default_rng(0).dirichlet(np.ones(1000), size=3)
    theirs = keras.applications.imagenet_utils.decode_predictions(scores, top=5)
    mine = pretrained.decode_predictions(scores, top=5)
    same = [[(w, n) for w, n, _ in row] for row in theirs] == [
        [(w, n) for w, n, _ in row] for row in mine]
    model = cnn_keras.build_model("mobilenet", weights="imagenet", alpha=0.25,
                                  input_shape=(128, 128, 3))
    x = np.load(sys.argv[1])
    print("RESULT", json.dumps({"same": same, "outputs": keras.ops.convert_to_numpy(
        model(x)).tolist(), "backend": keras.backend.backend()}))
    """
)


def test_build_model_reads_keras_home_and_keras_decodes_like_us(tmp_path):
    """The user's route, in a child process (Keras reads ``KERAS_HOME`` when it is imported)
    on this run's backend (on JAX a first build compiles each initializer shape: a minute and
    more on a CPU). ``KERAS_HOME`` names the cache, where the MobileNet file and
    keras.applications' class index (written from our table, and accepted by Keras's hash
    check) lie; ``build_model(..., weights="imagenet")`` loads the weights, and Keras's own
    decode_predictions names the classes as ours does."""
    file = pretrained.weights_file("MobileNet", include_top=True, **SMALL_MOBILENET)
    twin = _write_twin_file(tmp_path, "MobileNet", SMALL_MOBILENET, file.name, seed=4)
    (tmp_path / "models" / "imagenet_class_index.json").write_text(_class_index_json())
    images = np.random.default_rng(1).uniform(-1, 1, (2, 128, 128, 3)).astype("float32")
    np.save(tmp_path / "images.npy", images)
    root = os.path.dirname(os.path.dirname(os.path.abspath(cnn_keras.__file__)))
    backend = keras.backend.backend()
    env = {**os.environ, "KERAS_HOME": str(tmp_path), "KERAS_BACKEND": backend, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "images.npy")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(s for s in done.stdout.splitlines() if s.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["same"] and result["backend"] == backend
    expected = keras.ops.convert_to_numpy(twin(images))
    np.testing.assert_allclose(result["outputs"], expected, rtol=1e-4, atol=1e-5)
