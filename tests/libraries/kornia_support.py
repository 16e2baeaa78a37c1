"""Helpers for the Kornia tests: argument strategies per class, running a class on probe images and on
coordinate maps, and the envelope the catalog gives a live object."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from hypothesis import strategies as st

from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.coordmap import CoordReading, coordinate_maps, read_maps
from safeaug.effects import Envelope
from safeaug.libraries import library

K = "kornia.augmentation."
importlib.import_module(library("kornia").catalog)  # registers the entries


def _f(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 4))


def _pair(lo: float, hi: float) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(_f(lo, hi), _f(lo, hi)).map(lambda t: (min(t), max(t)))


def _odd(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo // 2, hi // 2).map(lambda k: 2 * k + 1)


_PAD = st.sampled_from(["zeros", "border", "reflection"])
_SIDE = st.integers(24, 64)

# Arguments drawn for every Kornia class whose entry is checked on pixels (the class runs on 1 x 3 x 64 x 64).
STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    K + "RandomHorizontalFlip": st.just({}),
    K + "RandomVerticalFlip": st.just({}),
    K + "RandomRotation": st.fixed_dictionaries({"degrees": st.one_of(_f(0, 180), _pair(-180, 180))}),
    K + "RandomRotation90": st.fixed_dictionaries(
        {"times": st.tuples(st.integers(-3, 3), st.integers(-3, 3)).map(lambda t: (min(t), max(t)))}
    ),
    K + "RandomAffine": st.fixed_dictionaries(
        {"degrees": st.one_of(_f(0, 45), _pair(-45, 45))},
        optional={
            "translate": st.tuples(_f(0, 0.3), _f(0, 0.3)),
            "scale": st.one_of(_pair(0.6, 1.5), st.tuples(_pair(0.6, 1.5), _pair(0.6, 1.5)).map(lambda t: t[0] + t[1])),
            "shear": st.one_of(
                _f(0, 30), _pair(-30, 30), st.tuples(_pair(-30, 30), _pair(-30, 30)).map(lambda t: t[0] + t[1])
            ),
            "padding_mode": _PAD,
        },
    ),
    K + "RandomShear": st.fixed_dictionaries(
        {"shear": st.one_of(_f(0, 30), st.tuples(_pair(-30, 30), _pair(-30, 30)).map(lambda t: t[0] + t[1]))},
        optional={"padding_mode": _PAD},
    ),
    K + "RandomTranslate": st.fixed_dictionaries({"translate_x": _pair(-0.3, 0.3), "translate_y": _pair(-0.3, 0.3)}),
    K + "RandomPerspective": st.fixed_dictionaries({"distortion_scale": _f(0.0, 0.9)}),
    K + "RandomElasticTransform": st.fixed_dictionaries(
        {"alpha": _pair(0.0, 2.0), "sigma": _pair(4.0, 32.0), "kernel_size": st.just((33, 33))}
    ),
    # scale=0 keeps no distribution, and Kornia 0.9.0 then refuses masks (NotImplementedError): drawn from 0.01
    K + "RandomThinPlateSpline": st.fixed_dictionaries({"scale": _f(0.01, 0.4)}),
    K + "RandomCrop": st.fixed_dictionaries(
        {"size": st.tuples(_SIDE, _SIDE)},
        optional={"padding": st.integers(0, 8), "padding_mode": st.sampled_from(["constant", "reflect", "replicate"])},
    ),
    K + "CenterCrop": st.fixed_dictionaries({"size": st.tuples(_SIDE, _SIDE)}),
    K + "RandomResizedCrop": st.fixed_dictionaries(
        {"size": st.tuples(_SIDE, _SIDE), "scale": _pair(0.2, 1.0), "ratio": _pair(0.5, 2.0)}
    ),
    K + "Resize": st.fixed_dictionaries({"size": st.one_of(_SIDE, st.tuples(_SIDE, _SIDE))}),
    K + "LongestMaxSize": st.fixed_dictionaries({"max_size": _SIDE}),
    K + "SmallestMaxSize": st.fixed_dictionaries({"max_size": _SIDE}),
    K + "PadTo": st.fixed_dictionaries(
        {"size": st.tuples(st.integers(64, 96), st.integers(64, 96))},
        optional={"pad_mode": st.sampled_from(["constant", "reflect", "replicate"])},
    ),
    K + "RandomBrightness": st.fixed_dictionaries({"brightness": st.one_of(_f(0, 0.5), _pair(0.5, 1.5))}),
    K + "RandomContrast": st.fixed_dictionaries({"contrast": st.one_of(_f(0, 0.5), _pair(0.5, 1.5))}),
    K + "RandomGamma": st.fixed_dictionaries({"gamma": _pair(0.5, 2.0), "gain": _pair(0.7, 1.3)}),
    K + "RandomHue": st.fixed_dictionaries({"hue": _pair(-0.5, 0.5)}),
    K + "RandomSaturation": st.fixed_dictionaries({"saturation": _pair(0.0, 2.0)}),
    K + "ColorJitter": st.fixed_dictionaries(
        {"brightness": _f(0, 0.4), "contrast": _f(0, 0.4), "saturation": _f(0, 0.4), "hue": _f(0, 0.3)}
    ),
    K + "ColorJiggle": st.fixed_dictionaries(
        {"brightness": _f(0, 0.4), "contrast": _f(0, 0.4), "saturation": _f(0, 0.4), "hue": _f(0, 0.3)}
    ),
    K + "RandomGrayscale": st.just({}),
    K + "RandomInvert": st.just({}),
    K + "RandomEqualize": st.just({}),
    K + "RandomAutoContrast": st.just({}),
    K + "RandomClahe": st.fixed_dictionaries({"clip_limit": _pair(1.0, 40.0)}),
    K + "RandomPosterize": st.fixed_dictionaries({"bits": st.integers(1, 8)}),
    K + "RandomSolarize": st.fixed_dictionaries({"thresholds": _f(0.0, 0.5), "additions": _f(0.0, 0.5)}),
    K + "RandomRGBShift": st.fixed_dictionaries(
        {"r_shift_limit": _f(0, 0.5), "g_shift_limit": _f(0, 0.5), "b_shift_limit": _f(0, 0.5)}
    ),
    K + "RandomChannelShuffle": st.just({}),
    K + "RandomChannelDropout": st.fixed_dictionaries({"num_drop_channels": st.integers(1, 2), "fill_value": _f(0, 1)}),
    K + "RandomPlanckianJitter": st.fixed_dictionaries({"mode": st.sampled_from(["blackbody", "CIED"])}),
    K + "RandomPlasmaBrightness": st.fixed_dictionaries({"intensity": _pair(0.0, 1.0)}),
    K + "RandomPlasmaContrast": st.just({}),
    K + "RandomPlasmaShadow": st.fixed_dictionaries(
        {"shade_intensity": _pair(-1.0, 0.0), "shade_quantity": _pair(0.0, 1.0)}
    ),
    K + "RandomGaussianIllumination": st.fixed_dictionaries({"gain": _pair(0.0, 0.5)}),
    K + "RandomLinearIllumination": st.fixed_dictionaries({"gain": _pair(0.0, 0.5)}),
    K + "RandomLinearCornerIllumination": st.fixed_dictionaries({"gain": _pair(0.0, 0.5)}),
    K + "RandomGaussianBlur": st.fixed_dictionaries({"kernel_size": _odd(3, 15), "sigma": _pair(0.1, 3.0)}),
    K + "RandomBoxBlur": st.fixed_dictionaries({"kernel_size": st.tuples(_odd(3, 9), _odd(3, 9))}),
    K + "RandomMedianBlur": st.fixed_dictionaries({"kernel_size": st.tuples(_odd(3, 7), _odd(3, 7))}),
    K + "RandomMotionBlur": st.fixed_dictionaries(
        {"kernel_size": _odd(3, 11), "angle": _f(0, 90), "direction": _pair(-1.0, 1.0)}
    ),
    K + "RandomSharpness": st.fixed_dictionaries({"sharpness": _f(0, 1.0)}),
    K + "RandomGaussianNoise": st.fixed_dictionaries({"mean": _f(-0.1, 0.1), "std": _f(0, 0.2)}),
    K + "RandomSaltAndPepperNoise": st.fixed_dictionaries(
        {"amount": _pair(0.0, 0.1), "salt_vs_pepper": _pair(0.2, 0.8)}
    ),
    K + "RandomJPEG": st.fixed_dictionaries({"jpeg_quality": st.one_of(_f(0, 49), _pair(1, 100))}),
    K + "RandomErasing": st.fixed_dictionaries({"scale": _pair(0.02, 0.4), "ratio": _pair(0.3, 3.3)}),
    K + "RandomRain": st.just({}),
    K + "RandomSnow": st.just({}),
}

# Catalogued classes that are not run on pixels here, and why.
NOT_ON_PIXELS: dict[str, str] = {
    K + "RandomMixUpV2": "mixes images of a batch: mixing is a flag no probe of one image measures",
    K + "RandomCutMixV2": "mixes images of a batch: mixing is a flag no probe of one image measures",
    K + "PatchMix": "mixes images of a batch: mixing is a flag no probe of one image measures",
    K + "RandomMosaic": "mixes images of a batch: mixing is a flag no probe of one image measures",
    K + "RandomTransplantation": "needs a label mask and a batch to take regions from",
    K + "RandomJigsaw": "a tile shuffle: topology is a flag the probe does not measure",
    K + "Normalize": "deterministic preprocessing (fixed statistics), not judged as an augmentation",
    K + "Denormalize": "deterministic preprocessing (fixed statistics), not judged as an augmentation",
    K + "RandomHorizontalFlip3D": "runs on volumes",
    K + "RandomVerticalFlip3D": "runs on volumes",
    K + "RandomDepthicalFlip3D": "runs on volumes",
    K + "RandomCrop3D": "runs on volumes",
    K + "CenterCrop3D": "runs on volumes",
    K + "RandomEqualize3D": "runs on volumes",
    K + "RandomMotionBlur3D": "runs on volumes",
    K + "RandomTransplantation3D": "runs on volumes",
    **dict.fromkeys(
        (f"kornia.augmentation.auto.{c}" for c in ("RandAugment", "TrivialAugment", "AutoAugment")),
        "policies, checked in test_auto_augment_policies_stay_inside_their_envelope",
    ),
}


def build(name: str, kwargs: dict[str, Any]) -> Any:
    """The Kornia object, forced to run (``p=1``) where it has a probability."""
    module, _, cls = name.rpartition(".")
    klass = getattr(importlib.import_module(module), cls)
    args = dict(kwargs)
    signature = dict(library("kornia").signatures[name])
    if "p" in signature:
        args["p"] = 1.0
    return klass(**args)


def live_envelope(obj: Any) -> Envelope:
    """The catalog's envelope of a live Kornia object, read as safeaug reads it (through ``read_live``)."""
    lib = library("kornia")
    assert lib.read_live is not None
    live = lib.read_live(obj)
    assert live is not None, type(obj)
    entry = get_entry(live.name)
    assert entry is not None, live.name
    return entry.envelope(Params(live.name, live.params, defaults_for(live.name)))


def as_callable(obj: Any) -> Any:
    """``obj`` as a function of a numpy image, through the library's adapter (seeded per call by the probe)."""
    lib = library("kornia")
    assert lib.adapter is not None
    adapter = lib.adapter(obj)
    assert adapter is not None

    def run(image: np.ndarray) -> np.ndarray:
        adapter.seed(int(np.random.randint(0, 2**31 - 1)))  # the probe seeds numpy per run
        return adapter.from_output(obj(adapter.to_input(image)))  # type: ignore[no-any-return]

    run.__qualname__ = type(obj).__name__
    return run


def coord_reading(obj: Any, shape: tuple[int, int], seed: int) -> tuple[CoordReading, bool]:
    """Where each output pixel came from: the coordinate maps sent through ``obj`` as a mask (nearest), and
    whether they went through as a mask (exact) or, where Kornia moves no masks, as the image (interpolated)."""
    import kornia.augmentation as KA
    import torch

    h, w = shape
    xs, ys = coordinate_maps(shape)
    mask = torch.from_numpy(np.stack([xs, ys]))[None]
    image = torch.full((1, 3, h, w), 0.5)
    torch.manual_seed(seed)
    seq = KA.AugmentationSequential(obj, data_keys=["input", "mask"])
    exact = True
    try:
        _out, out_mask = seq(image, mask)
    except NotImplementedError:
        exact = False
        # Kornia 0.9.0 moves no masks for some warps (RandomThinPlateSpline): the maps go through as the image
        # itself, interpolated (read_maps rounds each value to the nearest input pixel).
        torch.manual_seed(seed)
        out_mask = obj(torch.cat([mask, torch.zeros(1, 1, h, w)], dim=1))[:, :2]
    m = out_mask[0].numpy()
    return read_maps(m[0], m[1], shape), exact
