"""Live MONAI objects read through their attributes give the envelope their constructor arguments give, and the
adapter runs them on the probe's H x W x C images."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

pytest.importorskip("monai")

import monai.transforms as mt
import torch

import safeaug.catalog.monai  # noqa: F401  (registers the entries)
from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.effects import Envelope
from safeaug.libraries._monai_table import SIGNATURES
from safeaug.libraries.monai import COMPOSITIONS, IDENTITY_REASONS, UNKNOWN_REASONS, adapter, read_live

torch.set_num_threads(1)

# Arguments for every catalogued class (array form; the dictionary form gets keys="image" as well).
CASES: dict[str, dict[str, Any]] = {
    "Flip": {"spatial_axis": 1},
    "RandFlip": {"prob": 0.4, "spatial_axis": [0, 1]},
    "RandAxisFlip": {"prob": 0.3},
    "Rotate90": {"k": 3},
    "RandRotate90": {"prob": 0.5, "max_k": 1},
    "RandRotate": {"range_x": 0.3, "prob": 0.5, "padding_mode": "reflection", "keep_size": False},
    "Rotate": {"angle": 0.4, "padding_mode": "zeros"},
    "RandZoom": {"min_zoom": 0.7, "max_zoom": 1.3, "prob": 0.5, "padding_mode": "reflect"},
    "Zoom": {"zoom": 1.2},
    "RandAffine": {
        "prob": 0.5,
        "rotate_range": 0.2,
        "shear_range": (0.1, 0.05),
        "translate_range": (4, 6),
        "scale_range": (0.1, 0.2),
    },
    "Affine": {"rotate_params": 0.2, "scale_params": (1.1, 0.9), "image_only": True},
    "Rand2DElastic": {"spacing": (10, 10), "magnitude_range": (1, 2), "prob": 0.5, "rotate_range": 0.1},
    "Rand3DElastic": {"sigma_range": (4, 6), "magnitude_range": (1, 2), "prob": 0.5},
    "RandGridDistortion": {"distort_limit": 0.2, "prob": 0.5},
    "GridDistortion": {"num_cells": 2, "distort_steps": [(1.0, 1.1, 0.9), (1.0, 1.0, 1.2)]},
    "RandSmoothDeform": {"spatial_size": (32, 32), "rand_size": (4, 4), "def_range": 0.2, "prob": 0.5},
    "Resize": {"spatial_size": (32, 32)},
    "SpatialPad": {"spatial_size": (80, 80), "mode": "reflect"},
    "BorderPad": {"spatial_border": 2},
    "DivisiblePad": {"k": 16},
    "ResizeWithPadOrCrop": {"spatial_size": (40, 40)},
    "RandSpatialCrop": {"roi_size": (32, 32)},
    "CenterSpatialCrop": {"roi_size": (32, 32)},
    "RandScaleCrop": {"roi_scale": 0.7},
    "CenterScaleCrop": {"roi_scale": 0.6},
    "CropForeground": {"margin": 2},
    "RandShiftIntensity": {"offsets": 0.1, "prob": 0.5},
    "ShiftIntensity": {"offset": 0.05},
    "RandStdShiftIntensity": {"factors": 0.2, "prob": 0.5},
    "StdShiftIntensity": {"factor": 0.1},
    "RandScaleIntensity": {"factors": 0.2, "prob": 0.5},
    "RandScaleIntensityFixedMean": {"factors": 0.3, "prob": 0.5},
    "ScaleIntensityFixedMean": {"factor": 0.2},
    "RandAdjustContrast": {"gamma": (0.7, 1.5), "prob": 0.5},
    "AdjustContrast": {"gamma": 1.4},
    "RandHistogramShift": {"num_control_points": 5, "prob": 0.5},
    "RandBiasField": {"coeff_range": (0.0, 0.05), "prob": 0.5},
    "RandGaussianNoise": {"std": 0.05, "prob": 0.5},
    "RandRicianNoise": {"std": 0.05, "prob": 0.5},
    "RandGaussianSmooth": {"sigma_x": (0.5, 1.0), "sigma_y": (0.5, 2.0), "prob": 0.5},
    "GaussianSmooth": {"sigma": 1.5},
    "MedianSmooth": {"radius": 2},
    "RandGaussianSharpen": {"prob": 0.5},
    "GaussianSharpen": {},
    "RandGibbsNoise": {"alpha": (0.1, 0.4), "prob": 0.5},
    "GibbsNoise": {"alpha": 0.3},
    "RandKSpaceSpikeNoise": {"prob": 0.5},
    "KSpaceSpikeNoise": {"loc": (0, 4, 4)},
    "RandSimulateLowResolution": {"zoom_range": (0.6, 1.0), "prob": 0.5},
    "RandCoarseDropout": {"holes": 2, "spatial_size": 4, "prob": 0.5},
    "RandCoarseShuffle": {"holes": 2, "spatial_size": 4, "prob": 0.5},
    "RandSmoothFieldAdjustContrast": {"spatial_size": (32, 32), "rand_size": (4, 4), "prob": 0.5},
    "RandSmoothFieldAdjustIntensity": {"spatial_size": (32, 32), "rand_size": (4, 4), "prob": 0.5},
    "ScaleIntensity": {"minv": 1.0, "maxv": 0.0},
    "NormalizeIntensity": {"divisor": -2.0},
    "ScaleIntensityRange": {"a_min": -1000, "a_max": 1000, "b_min": 0.0, "b_max": 1.0},
    "ScaleIntensityRangePercentiles": {"lower": 5, "upper": 95, "b_min": 0.0, "b_max": 1.0},
}
# Classes with an entry whose arguments are not exercised above (constant entries), or whose constructor
# needs objects a config cannot hold.
CONSTANT = {
    "Spacing",
    "SpatialResample",
    "ResampleToMatch",
    "RandSpatialCropSamples",
    "SpatialCrop",
    "RandCropByPosNegLabel",
    "RandCropByLabelClasses",
    "RandWeightedCrop",
    "Crop",
    "RandCropd",
}


# Judged by the entry of the torchvision class they wrap (tests/libraries/test_monai_pipelines.py).
DELEGATED = {"TorchVision", "RandTorchVision"}


def configured(name: str, kwargs: dict[str, Any]) -> Envelope:
    entry = get_entry(name)
    assert entry is not None, name
    return entry.envelope(Params(name, kwargs, defaults_for(name)))


def live(obj: Any) -> Envelope:
    found = read_live(obj)
    assert found is not None
    return configured(found.name, dict(found.params))


def test_every_catalogued_class_has_a_case() -> None:
    catalogued = set()
    for name in SIGNATURES:
        short = name.rsplit(".", 1)[1]
        if name in IDENTITY_REASONS or name in UNKNOWN_REASONS or name in COMPOSITIONS or get_entry(name) is None:
            continue
        catalogued.add(short[:-1] if short.endswith("d") and f"monai.transforms.{short[:-1]}" in SIGNATURES else short)
    assert catalogued - set(CASES) - CONSTANT - DELEGATED == set()


@pytest.mark.parametrize("cls", sorted(CASES))
def test_a_live_object_reads_as_its_arguments(cls: str) -> None:
    kwargs = CASES[cls]
    dict_extra = {"keys": "image", **({"source_key": "image"} if cls == "CropForeground" else {})}
    for name, extra in ((cls, {}), (cls + "d", dict_extra)):
        if f"monai.transforms.{name}" not in SIGNATURES:
            continue
        args = {**extra, **kwargs}
        if name.endswith("d") and "image_only" in args:
            del args["image_only"]
        obj = getattr(mt, name)(**args)
        expected = configured(f"monai.transforms.{name}", args)
        assert live(obj) == expected, name
        reading = read_live(obj)
        assert reading is not None
        assert reading.p == (float(args["prob"]) if "prob" in args else None) or (
            "prob" not in args and reading.p is not None  # a default prob of 0.1 read from the object
        )


def test_a_changed_attribute_is_what_is_judged() -> None:
    flip = mt.RandFlipd(keys="image", prob=0.5, spatial_axis=0)
    assert live(flip).rotation == 180.0
    flip.flipper.spatial_axis = 1  # changed after construction: the object now mirrors left-right only
    assert live(flip) == Envelope(mirror=True)
    turn = mt.RandRotated(keys="image", range_x=0.1)
    turn.rand_rotate.range_x = (-1.0, 1.0)
    assert live(turn).rotation == pytest.approx(math.degrees(1.0))


def test_compositions_read_their_children_and_draws() -> None:
    some = read_live(mt.SomeOf([mt.RandFlip(), mt.RandRotate90(), mt.RandZoom()], num_transforms=(1, 2)))
    assert some is not None and some.children is not None and len(some.children) == 3
    assert some.params["n"] == 2
    everything = read_live(mt.RandomOrder([mt.RandFlip(), mt.RandRotate90(), mt.RandZoom()]))
    assert everything is not None and everything.params["n"] == 3
    default = read_live(mt.SomeOf([mt.RandFlip(), mt.RandRotate90()]))
    assert default is not None and default.params["n"] == 2  # num_transforms=None: all of them
    one = read_live(mt.OneOf([mt.RandFlip(), mt.RandRotate90()], weights=[1, 3]))
    assert one is not None and one.params["weights"] == (0.25, 0.75)
    assert all(type(w) is float for w in one.params["weights"])
    assert read_live(object()) is None


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_the_adapter_runs_array_and_dictionary_transforms(dtype: type) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (24, 32, 3)).astype(np.uint8)
    if dtype is np.float32:
        image = image.astype(np.float32) / 255
    for obj in (mt.Flip(spatial_axis=1), mt.Flipd(keys=["image", "label"], spatial_axis=1)):
        run = adapter(obj)
        assert run is not None
        out = run.from_output(obj(run.to_input(image)))
        assert out.dtype == image.dtype and out.shape == image.shape
        assert np.array_equal(out, image[:, ::-1])


def test_the_adapter_seeds_alike() -> None:
    obj = mt.RandGaussianNoise(prob=1.0, std=0.1)
    run = adapter(obj)
    assert run is not None
    image = np.full((16, 16, 1), 0.5, np.float32)
    run.seed(3)
    a = run.from_output(obj(run.to_input(image)))
    run.seed(3)
    b = run.from_output(obj(run.to_input(image)))
    run.seed(4)
    c = run.from_output(obj(run.to_input(image)))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert adapter(object()) is None


class _MirrorD(mt.MapTransform):
    """A user's dictionary transform with no catalog entry: it mirrors left and right."""

    def __call__(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: torch.flip(torch.as_tensor(v), dims=[-1]) if k in self.keys else v for k, v in data.items()}


class _DimD(mt.MapTransform):
    """A user's dictionary transform with no catalog entry: it darkens a little."""

    def __call__(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: torch.as_tensor(v) * 0.97 if k in self.keys else v for k, v in data.items()}


def test_wrap_refuses_from_the_catalog_and_probes_a_users_monai_transform() -> None:
    import safeaug

    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(mt.Compose([mt.RandFlipd(keys="image", prob=0.5, spatial_axis=1)]), "chest_xray", seeds=2)
    assert {f.code for f in caught.value.report.findings} == {"SA101"}
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(mt.Compose([_MirrorD(keys="image"), mt.RandRotated(keys="image", range_x=0.05)]), "chest_xray")
    assert "SA101" in {f.code for f in caught.value.report.findings}  # the mirror was seen on the probe's tensors
    wrapped = safeaug.wrap(mt.Compose([_DimD(keys="image"), mt.RandRotated(keys="image", range_x=0.05)]), "chest_xray")
    assert {f.code for f in wrapped.report.findings} == {"SA408"}  # described by probing, admitted
    out = wrapped({"image": torch.ones((1, 16, 16))})
    assert tuple(out["image"].shape) == (1, 16, 16)
