"""Bad inputs, one row each: the call, the exception, and what its message must say (the
argument's name and the value received), as keras's own argument-validation tests do; then
edge inputs that must work.

Every row of the first table fails before any layer is built, so the table costs nothing; the
few rows that build a model use the smallest input and widths and carry the ``models`` marker,
so they run on JAX too.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_keras import analysis, build_model, data
from cnn_keras.checks import check_choice, check_float, check_int, check_keywords
from cnn_keras.models.resnet import resnet
from cnn_keras.models.vgg import vgg


class _Subclassed(keras.Model):
    """A model with no graph of layers to walk."""

    def __init__(self):
        super().__init__(name="subclassed")
        self.dense = keras.layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def _free_size_model() -> keras.Model:
    inputs = keras.Input((None, None, 3), name="input")
    return keras.Model(inputs, keras.layers.Conv2D(2, 3, name="conv")(inputs))


BAD = [
    # build_model: keywords, presets, names
    (
        lambda: build_model("vgg16", width_multipler=0.5),
        r"unexpected keyword argument 'width_multipler'\. Did you mean 'width_multiplier'\?"
        r".*accepts: .*fc_units",
    ),
    (
        lambda: build_model("vgg16", alpha=0.5),
        r"'alpha'\. build_model\('vgg16'\) takes width_multiplier= for that",
    ),
    (
        lambda: build_model("vgg16", config="A"),
        r"config='A' changes what 'vgg16' is.*config='D'.*build_model\('vgg11'\)",
    ),
    (
        lambda: build_model("resnet50", depth=18),
        r"depth=18 changes what 'resnet50' is.*build_model\('resnet18'\)",
    ),
    (lambda: build_model("vgg16", name=5), r"name must be a non-empty string.*name=5"),
    (lambda: build_model("resnet5"), r"Unknown model name='resnet5'\. Did you mean"),
    # the head
    (
        lambda: build_model("vgg16", classifier_activation="softmaxx"),
        r"classifier_activation must be None.*'softmaxx'\. Did you mean 'softmax'\?",
    ),
    (lambda: build_model("vgg16", dropout=1.5), r"dropout must be a number in \[0, 1\).*=1\.5"),
    (lambda: build_model("googlenet", dropout=-0.1), r"dropout must be .*dropout=-0\.1"),
    (lambda: build_model("vgg16", include_top="no"), r"include_top must be True or False.*'no'"),
    (lambda: build_model("vgg16", classes=10.0), r"classes must be an int >= 1.*classes=10\.0"),
    (lambda: build_model("resnet18", classes=True), r"classes must be an int.*classes=True"),
    (
        lambda: build_model("resnet18", pooling="mean"),
        r"pooling must be one of None, 'avg' or 'max'; received pooling='mean'",
    ),
    # input shapes
    (
        lambda: build_model("vgg16", input_shape=(32.9, 32, 3)),
        r"input_shape must be \(height, width, channels\).*input_shape=\(32\.9, 32, 3\)",
    ),
    (
        lambda: build_model("vgg16", input_shape=(None, None, 3)),
        r"input_shape=\(None, None, 3\) has a free height or width.*include_top=False",
    ),
    (
        lambda: build_model("resnet18", input_shape=(4096, 4096, 3)),
        r"input_shape=\(4096, 4096, 3\) is too large.*at most 1024",
    ),
    # widths: nan, inf, collapsed to one channel, beyond memory
    (
        lambda: build_model("vgg16", width_multiplier=float("nan")),
        r"width_multiplier must be a number in \[0\.015625, 16\].*width_multiplier=nan",
    ),
    (
        lambda: build_model("resnet18", width_multiplier=float("inf")),
        r"width_multiplier must be .*width_multiplier=inf",
    ),
    (
        lambda: build_model("vgg16", width_multiplier=0.001),
        r"below 1/64 the narrowest layer, 64 filters wide.*width_multiplier=0\.001",
    ),
    (
        lambda: build_model("googlenet", width_multiplier=0.05),
        r"\[0\.0625, 16\].*below 1/16.*width_multiplier=0\.05",
    ),
    (lambda: build_model("resnet18", width_multiplier=100), r"16\].*width_multiplier=100"),
    (lambda: build_model("mobilenet", alpha=0.01), r"alpha must be a number in \[0\.03125, 16\]"),
    (lambda: build_model("alexnet", fc_units=10**6), r"fc_units must be an int in \[1, 65536\]"),
    (lambda: build_model("alexnet", groups=2.0), r"groups must be an int >= 1.*groups=2\.0"),
    (lambda: build_model("googlenet", aux_logits="yes"), r"aux_logits must be True or False"),
    # the family builders, where the presets' keywords are free
    (lambda: vgg(config="C"), r"config must be one of 'A', 'B', 'D' or 'E'.*config='C'"),
    (lambda: resnet(depth=42), r"depth must be one of 18, 34, 50, 101 or 152.*depth=42"),
    (lambda: resnet(depth=50.0), r"depth must be an int.*depth=50\.0"),
    # analysis
    (lambda: analysis.count_macs(None), r"count_macs needs a functional .*received model=None"),
    (
        lambda: analysis.count_macs(keras.layers.Dense(3)),
        r"count_macs needs a functional .*received model=<Dense",
    ),
    (
        lambda: analysis.count_macs(_Subclassed()),
        r"count_macs needs a functional .*received model=<_Subclassed",
    ),
    (
        lambda: analysis.weight_layer_depth(_Subclassed()),
        r"weight_layer_depth needs a functional .*subclassed",
    ),
    (
        lambda: analysis.count_macs(_free_size_model()),
        r"count_macs needs fixed input sizes: .*input 'input' has shape \(None, None, None, 3\)",
    ),
    (
        lambda: analysis.layer_table(_free_size_model()),
        r"layer_table needs fixed input sizes",
    ),
    (lambda: analysis.conv_params(-1, 3, 3), r"filters must be an int >= 1.*filters=-1"),
    (lambda: analysis.conv_params(8, 3.0, 3), r"kernel_size must be an int.*kernel_size=3\.0"),
    (
        lambda: analysis.activation_memory(None, bytes_per_value=0),
        r"bytes_per_value must be an int in \[1, 8\].*bytes_per_value=0",
    ),
    (lambda: analysis.conv_output_size(8, 3, 1.5), r"stride must be an int.*stride=1\.5"),
    # data.load: every argument before any file is read
    (
        lambda: data.load("fashion_mnst", image_size=32),
        r"Unknown data set name='fashion_mnst'.*Did you mean 'fashion_mnist'\?",
    ),
    (
        lambda: data.load(image_size=4096),
        r"image_size must be an int in \[8, 1024\].*abort inside XLA.*image_size=4096",
    ),
    (lambda: data.load(image_size=32.0), r"image_size must be an int.*image_size=32\.0"),
    (lambda: data.load(image_size=32, batch_size=0), r"batch_size must be an int >= 1.*=0"),
    (lambda: data.load(image_size=32, train_samples=-1), r"train_samples must be .*=-1"),
    (lambda: data.load(image_size=32, test_samples=2.5), r"test_samples must be .*=2\.5"),
    (lambda: data.load(image_size=32, seed=-1), r"seed must be an int >= 0.*seed=-1"),
    (lambda: data.load(image_size=32, normalize="yes"), r"normalize must be True or False"),
    (lambda: data.load(image_size=32, augment="cifr"), r"augment='cifr'.*Did you mean 'cifar'"),
    (lambda: data.load(image_size=32, shuffle_buffer=0), r"shuffle_buffer must be .*=0"),
    (lambda: data.load_arrays(image_size=True), r"image_size must be an int.*image_size=True"),
    # the checks themselves
    (lambda: check_int("n", np.float64(3)), r"n must be an int; received n=np\.float64\(3\.0\)"),
    (lambda: check_float("x", "0.5"), r"x must be a finite number; received x='0\.5'"),
    (lambda: check_choice("kind", [1], ("a", "b")), r"kind must be one of 'a' or 'b'"),
    (
        lambda: check_keywords("f()", {"alhpa": 1}, {"alpha", "beta"}),
        r"f\(\) got an unexpected keyword argument 'alhpa'\. Did you mean 'alpha'\?",
    ),
]


@pytest.mark.parametrize(("call", "pattern"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_names_the_argument_and_value(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# --- edge inputs that must work ---------------------------------------------------------------


def test_numpy_scalars_pass_as_python_numbers():
    assert check_int("n", np.int64(10), minimum=1) == 10
    assert type(check_int("n", np.uint8(3))) is int
    assert check_float("x", np.float32(0.5), maximum=1) == 0.5
    assert check_choice("pool", None, (None, "avg")) is None


@pytest.mark.models
def test_name_numpy_ints_and_a_preset_repeated_are_accepted():
    model = build_model(
        "resnet20_cifar",
        name="mine",
        classes=np.int64(7),
        input_shape=(np.int64(8), np.int32(8), 3),
        width_multiplier=np.float32(0.25),
        depth=20,  # the preset's own value: not a change
    )
    assert model.name == "mine" and model.output_shape == (None, 7)
    assert model.get_layer("conv1").filters == 4


@pytest.mark.models
def test_free_spatial_sizes_without_the_top():
    model = build_model(
        "vgg11",
        include_top=False,
        pooling="avg",
        input_shape=(None, None, 1),
        width_multiplier=1 / 64,
    )
    assert model.input_shape == (None, None, None, 1) and model.output_shape == (None, 8)
    assert keras.ops.convert_to_numpy(model(np.zeros((1, 40, 48, 1), "float32"))).shape == (1, 8)


@pytest.mark.models
def test_macs_of_conv1d_conv3d_and_transposed_conv_by_hand():
    one = keras.Input((10, 4))
    conv1d = keras.layers.Conv1D(6, 3, name="c1")(one)  # 8 positions
    three = keras.Input((4, 4, 4, 3))
    conv3d = keras.layers.Conv3D(2, 3, padding="same", name="c3")(three)
    two = keras.Input((4, 4, 2))
    up = keras.layers.Conv2DTranspose(5, 3, strides=2, padding="same", name="t2")(two)
    assert analysis.count_macs(keras.Model(one, conv1d)) == 8 * 6 * 3 * 4
    assert analysis.count_macs(keras.Model(three, conv3d)) == 4 * 4 * 4 * 2 * 27 * 3
    # every one of the 4*4*2 input values meets 3*3*5 weights (the output is 8x8x5)
    assert analysis.count_macs(keras.Model(two, up)) == 4 * 4 * 2 * 9 * 5
    assert up.shape == (None, 8, 8, 5)


# --- folder data sets ---------------------------------------------------------------------------


def _folder(root, classes=("cat", "dog"), per_class=2):
    from PIL import Image

    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for label in classes:
            (root / split / label).mkdir(parents=True)
            for i in range(per_class):
                pixels = rng.integers(0, 256, (9, 9, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(root / split / label / f"{i}.png")
    return root


def test_folder_with_one_class_is_refused(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    root = _folder(tmp_path, classes=("cat",))
    with pytest.raises(ValueError, match=r"has 1 class folder\(s\) \['cat'\].*at least two"):
        data.load(str(root), image_size=8)


def test_corrupt_image_is_named(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    root = _folder(tmp_path)
    (root / "train" / "dog" / "broken.png").write_bytes(b"not an image at all")
    with pytest.raises(ValueError, match=r"broken\.png is not a PNG image.*Replace or remove"):
        data.load(str(root), image_size=8)


def test_load_arrays_reads_a_folder_with_imagenet_statistics(tmp_path):
    pytest.importorskip("tensorflow_datasets")
    root = _folder(tmp_path)
    splits = data.load_arrays(str(root), image_size=8, batch_size=np.int64(2), normalize=True)
    assert splits.num_classes == 2 and splits.image_shape == (8, 8, 3)
    assert (splits.mean, splits.std) == data.IMAGENET_STATS
    images, labels = splits.train[0]
    assert images.shape == (2, 8, 8, 3) and labels.dtype.name == "int32"
