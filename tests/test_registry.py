"""The registry: the Family a variant is registered with is the one its builder uses, and
``import cnn_keras`` registers every model."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

from cnn_keras import build_model, get_spec, list_models
from cnn_keras.models.resnet import RESNET, SENET
from cnn_keras.models.resnext import RESNEXT, resnext
from cnn_keras.registry import Family, ModelSpec, register_model

# A family whose sizes differ from ResNet's (224, at least 32) and ResNeXt's (the same).
ODD_SIZES = Family("Odd", paper="nobody (2099)", input_size=48, min_input_size=40, recipe="resnet")


def test_resnext_variants_are_registered_with_their_own_family():
    assert get_spec("resnext50_32x4d").family is RESNEXT
    assert get_spec("se_resnext50_32x4d").family is SENET
    assert get_spec("resnet50").family is RESNET
    assert get_spec("se_resnext50_32x4d").family.name == "SENet"


def test_the_builder_takes_its_sizes_from_the_registered_family():
    spec = ModelSpec(
        name="odd_resnext50",
        builder=resnext,
        preset={"depth": 50, "cardinality": 32, "bottleneck_width": 4},
        family=ODD_SIZES,
    )
    model = spec.build(width_multiplier=0.25, include_top=False, pooling="avg")
    assert model.input_shape == (None, 48, 48, 3)  # ODD_SIZES's default, not ResNeXt's 224
    # 36 is above ResNeXt's minimum (32) and below the registered family's (40).
    with pytest.raises(ValueError, match=r"input_shape=.*too small.*at least 40"):
        spec.build(input_shape=(36, 36, 3), width_multiplier=0.25)
    # Called directly, the builder uses its module's family.
    with pytest.raises(ValueError, match=r"input_shape=.*too small.*at least 32"):
        resnext(input_shape=(31, 31, 3), width_multiplier=0.25)


def test_every_registered_builder_is_handed_its_spec_family():
    """Each spec's build passes exactly its Family (a stand-in builder returns what it gets)."""

    def received(*, family=None, name="x", **kwargs):
        return family, name

    for name in list_models():
        spec = get_spec(name)
        assert dataclasses.replace(spec, builder=received).build() == (spec.family, name)


def test_family_is_not_a_build_argument():
    with pytest.raises(ValueError, match=r"takes its family from the registry \(VGG\)"):
        build_model("vgg11", family=ODD_SIZES)


def test_register_model_needs_a_family_and_a_builder_that_takes_it():
    def no_family(*, name="x"):
        return name

    with pytest.raises(ValueError, match="takes no family= keyword"):
        register_model("no_family_test", no_family, ODD_SIZES)
    with pytest.raises(ValueError, match="family must be a cnn_keras.registry.Family"):
        register_model("no_family_test", resnext, "ResNeXt")
    assert "no_family_test" not in list_models()


def test_a_builder_refuses_a_family_that_is_not_one():
    with pytest.raises(ValueError, match=r"family must be .*received family='ResNeXt'"):
        resnext(family="ResNeXt")


def test_import_cnn_keras_registers_every_model():
    """In a fresh interpreter, ``import cnn_keras`` alone imports every module of
    ``cnn_keras/models`` (so every variant is registered before anyone asks)."""
    script = textwrap.dedent(
        """
        import pathlib, sys
        import cnn_keras
        from cnn_keras import registry

        folder = pathlib.Path(cnn_keras.__file__).parent / "models"
        files = {f"cnn_keras.models.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__"}
        missing = sorted(files - set(sys.modules))
        assert not missing, f"not imported by import cnn_keras: {missing}"
        registered = len(registry._REGISTRY)
        assert registered == len(cnn_keras.list_models()), registered
        print(registered)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) == len(list_models())
