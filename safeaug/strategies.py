"""Hypothesis strategies for your own property tests: random albumentations transforms and pipelines
that a policy admits, and images, masks and keypoints to run them on.

>>> from hypothesis import given  # doctest: +SKIP
>>> import safeaug, safeaug.strategies as sst  # doctest: +SKIP
>>> @given(sst.pipelines("chest_xray"), sst.images())  # doctest: +SKIP
... def test_my_augmentation_keeps_the_rules(pipeline, image): ...

* :func:`transforms` draws any 2D albumentations 2.0.8 transform of safeaug's catalog with arguments
  inside the ranges albumentations accepts (ordered ranges, probabilities in [0, 1], odd kernel sizes,
  ...); every draw is built by albumentations itself. With a policy, only transforms the policy admits
  on their own are drawn.
* :func:`pipelines` nests such transforms in ``Compose``, ``Sequential``, ``OneOf`` and ``SomeOf``, and
  keeps only what the policy admits as a whole: each child is added only if the pipeline stays admitted,
  so hypothesis rarely has to throw a draw away.
* :func:`images`, :func:`masks` and :func:`keypoints` draw inputs: uint8 or float32 ``H×W×C`` arrays of
  at least :data:`MIN_SIDE` pixels per side (the crop sizes drawn here assume that much).

Transforms that are never drawn (``SKIPPED`` lists them with the reason):

* volumes: ``CenterCrop3D``, ``CoarseDropout3D``, ``CubicSymmetry``, ``Pad3D``, ``PadIfNeeded3D``,
  ``RandomCrop3D``, ``ToTensor3D``;
* those that need inputs besides the image: reference images (``FDA``, ``HistogramMatching``,
  ``PixelDistributionAdaptation``, ``Mosaic``), overlay or text metadata (``OverlayElements``,
  ``TextImage``), boxes (``BBoxSafeRandomCrop``, ``RandomSizedBBoxSafeCrop``,
  ``AtLeastOneBBoxRandomCrop``, ``RandomCropNearBBox``), masks (``MaskDropout``,
  ``ConstrainedCoarseDropout``, ``CropNonEmptyMaskIfExists``);
* those that change the representation, not the content (``Normalize``, ``ToFloat``, ``FromFloat``,
  ``ToTensorV2``): their output is not an image in the input's value range; ``ToRGB``, which takes
  one-channel images (those drawn here have three);
* ``Lambda``, whose effect is whatever its function does;
* safeaug's label-aware transforms (``ColorJitterUnlessCaptionNamesColor``, ``HorizontalFlipWithCaption``,
  ``HorizontalFlipWithClassMap``, ``HorizontalFlipWithKeypointSwap``, ``HorizontalFlipWithSteering``),
  which need their labels at call time;
* ``RandAugment`` and ``TrivialAugment`` of :mod:`safeaug.auto`, compositions of a policy's ops, each of
  which is drawn here on its own.

This module needs hypothesis (``pip install "safeaug[test]"``) and albumentations; ``import safeaug``
does not import it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from safeaug.catalog._auto_names import RAND as AUTO_RAND
from safeaug.catalog._auto_names import TRIVIAL as AUTO_TRIVIAL
from safeaug.catalog.label_aware import NAMES as LABEL_AWARE
from safeaug.readers.vocabulary import label_params

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the test extra
    raise ImportError('safeaug.strategies needs hypothesis, a test dependency: pip install "safeaug[test]"') from exc

if TYPE_CHECKING:
    import numpy as np

    from safeaug.policies import PolicyLike

__all__ = [
    "ALWAYS_WARN",
    "MIN_SIDE",
    "NAMES",
    "SKIPPED",
    "images",
    "keypoints",
    "masks",
    "pipelines",
    "transform_kwargs",
    "transforms",
]

MIN_SIDE = 64
"""Images drawn by :func:`images` are at least this many pixels per side; crops drawn here fit in them."""

_SMALLEST = 24  # no pipeline drawn here shrinks an image of MIN_SIDE below this; no transform needs more
_MILD = (1.0, 0.5, 0.25, 0.1)  # how far toward its full range a parameter may go, under a policy

# ------------------------------------------------------------------------------------------ parameter specs
#
# A spec describes one argument: its valid range and its "calm" value (the one closest to doing nothing).
# ``strategy(m)`` draws within the range shrunk toward the calm value by the factor m in [0, 1]; ``calm``
# is the value at m = 0. Policies are met by shrinking toward calm, not by throwing draws away.


class _Spec:
    calm: Any

    def strategy(self, m: float) -> st.SearchStrategy[Any]:
        raise NotImplementedError


def _round(x: float) -> float:
    return round(x, 4)


@dataclass(frozen=True)
class Num(_Spec):
    """A number in ``[lo, hi]``."""

    lo: float
    hi: float
    calm: Any
    ints: bool = False

    def bounds(self, m: float) -> tuple[float, float]:
        return self.calm + m * (self.lo - self.calm), self.calm + m * (self.hi - self.calm)

    def strategy(self, m: float) -> st.SearchStrategy[Any]:
        lo, hi = self.bounds(m)
        if self.ints:
            return st.integers(math.ceil(lo - 1e-9), math.floor(hi + 1e-9))
        return st.floats(lo, hi, allow_nan=False).map(lambda x: min(max(_round(x), lo), hi))


@dataclass(frozen=True)
class Pair(_Spec):
    """An ordered ``(low, high)`` pair inside ``[lo, hi]`` (``low == high`` allowed unless ``strict``)."""

    lo: float
    hi: float
    calm: Any
    ints: bool = False
    odd: bool = False
    strict: bool = False

    def strategy(self, m: float) -> st.SearchStrategy[Any]:
        c_lo, c_hi = self.calm
        lo, hi = c_lo + m * (self.lo - c_lo), c_hi + m * (self.hi - c_hi)
        if self.odd:
            one: st.SearchStrategy[Any] = st.integers(math.ceil((lo - 1) / 2), math.floor((hi - 1) / 2)).map(
                lambda k: 2 * k + 1
            )
        elif self.ints:
            one = st.integers(math.ceil(lo - 1e-9), math.floor(hi + 1e-9))
        else:
            one = st.floats(lo, hi, allow_nan=False).map(lambda x: min(max(_round(x), lo), hi))
        pairs = st.tuples(one, one).map(lambda ab: (min(ab), max(ab)))
        if self.strict:
            pairs = pairs.filter(lambda ab: ab[0] < ab[1]) if hi > lo else st.just(tuple(self.calm))
        return pairs


@dataclass(frozen=True)
class Choice(_Spec):
    """One of ``options``; the first is the calm one."""

    options: tuple[Any, ...]

    @property
    def calm(self) -> Any:
        return self.options[0]

    def strategy(self, m: float) -> st.SearchStrategy[Any]:
        return st.sampled_from(self.options if m > 0 else self.options[:1])


@dataclass(frozen=True)
class Custom(_Spec):
    """A hand-written strategy: ``make(m)``; ``calm`` is its value at m = 0."""

    make: Callable[[float], st.SearchStrategy[Any]]
    calm: Any

    def strategy(self, m: float) -> st.SearchStrategy[Any]:
        return self.make(m) if m > 0 else st.just(self.calm)


def _sym(hi: float, *, ints: bool = False) -> Pair:
    """A signed ``(low, high)`` range inside ``[-hi, hi]``, calm at ``(0, 0)``."""
    return Pair(-hi, hi, (0, 0) if ints else (0.0, 0.0), ints=ints)


BORDERS = Choice((0, 1, 2, 3, 4))  # CONSTANT, REPLICATE, REFLECT, WRAP, REFLECT_101
FLAG = Choice((False, True))
FLAG_ON = Choice((True, False))


def _per_axis(spec: _Spec) -> Custom:
    """A value, or Affine's per-axis ``{"x": ..., "y": ...}`` form."""

    def make(m: float) -> st.SearchStrategy[Any]:
        one = spec.strategy(m)
        return st.one_of(one, st.fixed_dictionaries({"x": one, "y": one}))

    return Custom(make, spec.calm)


def _affine_scale(m: float) -> st.SearchStrategy[Any]:
    """Affine's scale: factors 0.5-2 per axis; a negative factor is a mirror (only at full strength)."""
    mags = Pair(0.5, 2.0, (1.0, 1.0)).strategy(m)
    signed = st.tuples(mags, st.booleans() if m >= 1.0 else st.just(False))
    value = signed.map(lambda ab: (-ab[0][1], -ab[0][0]) if ab[1] else ab[0])
    return st.one_of(value, st.fixed_dictionaries({"x": value, "y": value}))


def _crop_and_pad_percent(m: float) -> st.SearchStrategy[Any]:
    """A number, a range, or four of either (one per side); albumentations refuses a mix of the two."""
    one = Num(-0.3, 0.3, 0.0).strategy(m)
    pair = Pair(-0.3, 0.3, (0.0, 0.0)).strategy(m)
    return st.one_of(one, pair, st.lists(one, min_size=4, max_size=4), st.lists(pair, min_size=4, max_size=4))


def _posterize_bits(m: float) -> st.SearchStrategy[Any]:
    pair = Pair(1, 7, (7, 7), ints=True).strategy(m)
    return st.one_of(Num(1, 7, 7, ints=True).strategy(m), pair, st.lists(pair, min_size=3, max_size=3))


def _additive_noise_params(m: float) -> st.SearchStrategy[Any]:
    """``(noise_type, noise_params)``: each law with its own parameters."""
    small = Pair(0.0, 0.3, (0.0, 0.0))
    return st.one_of(
        st.tuples(
            st.just("uniform"),
            st.fixed_dictionaries(
                {"ranges": st.one_of([st.lists(_sym(0.3).strategy(m), min_size=n, max_size=n) for n in (1, 3)])}
            ),
        ),
        st.tuples(
            st.just("gaussian"),
            st.fixed_dictionaries({"mean_range": _sym(0.1).strategy(m), "std_range": small.strategy(m)}),
        ),
        st.tuples(
            st.just("laplace"),
            st.fixed_dictionaries({"mean_range": _sym(0.1).strategy(m), "scale_range": small.strategy(m)}),
        ),
        st.tuples(
            st.just("beta"),
            st.fixed_dictionaries(
                {
                    "alpha_range": Pair(0.5, 3.0, (1.0, 1.0)).strategy(m),
                    "beta_range": Pair(0.5, 3.0, (1.0, 1.0)).strategy(m),
                    "scale_range": small.strategy(m),
                }
            ),
        ),
    )


_ADDITIVE = Custom(_additive_noise_params, ("uniform", {"ranges": [(0.0, 0.0)]}))


def _xy_masking(m: float) -> st.SearchStrategy[Any]:
    # albumentations needs at least one kind of stripe with a positive length.
    axis = st.tuples(Pair(0, 3, (0, 0), ints=True).strategy(m), Num(0, _SMALLEST // 2, 0, ints=True).strategy(m))
    return st.tuples(axis, axis).filter(lambda xy: any(n[1] > 0 and length > 0 for n, length in xy))


def _he_stain_method(m: float) -> st.SearchStrategy[Any]:
    """``(method, preset)``: a preset is named only with ``method="preset"``."""
    presets = ("standard", "ruifrok", "macenko", "high_contrast", "h_heavy", "e_heavy", "dark", "light")
    return st.one_of(
        st.tuples(st.just("preset"), st.sampled_from(presets)),
        st.tuples(st.sampled_from(("random_preset", "vahadane", "macenko")), st.none()),
    )


def _planckian_limits(m: float) -> st.SearchStrategy[Any]:
    """Temperatures in 4000-15000 K (valid in both modes) around the white point, 6000 K."""
    return st.tuples(Num(4000, 6000, 6000, ints=True).strategy(m), Num(6000, 15000, 6000, ints=True).strategy(m))


# Arguments per transform. Ranges are those albumentations 2.0.8 validates, narrowed where a wider value
# only makes a test slower (kernel sizes) or the image unrecognisable without testing anything new.
SPECS: dict[str, dict[str, _Spec]] = {
    # -------------------------------------------------------------- symmetries
    "NoOp": {},
    "HorizontalFlip": {},
    "VerticalFlip": {},
    "Transpose": {},
    "D4": {},
    "RandomRotate90": {},
    "SquareSymmetry": {},  # D4's subclass for square images
    "TimeReverse": {},  # HorizontalFlip's subclass for spectrograms
    # -------------------------------------------------------------- rotations and affine maps
    "Rotate": {
        "limit": _sym(180.0),
        "border_mode": BORDERS,
        "crop_border": FLAG,
        "rotate_method": Choice(("largest_box", "ellipse")),
    },
    "SafeRotate": {"limit": _sym(180.0), "border_mode": BORDERS},
    "ShiftScaleRotate": {
        "shift_limit": _sym(0.3),
        "scale_limit": Pair(-0.5, 0.5, (0.0, 0.0)),
        "rotate_limit": _sym(180.0),
        "border_mode": BORDERS,
    },
    "Affine": {
        "scale": Custom(_affine_scale, (1.0, 1.0)),
        "rotate": _sym(180.0),
        "shear": _per_axis(_sym(30.0)),
        "translate_percent": _per_axis(_sym(0.3)),
        "fit_output": FLAG,
        "border_mode": BORDERS,
    },
    "Perspective": {
        "scale": Pair(0.0, 0.3, (0.0, 0.0)),
        "keep_size": FLAG_ON,
        "fit_output": FLAG,
        "border_mode": BORDERS,
    },
    # -------------------------------------------------------------- warps
    "ElasticTransform": {
        "alpha": Num(0.0, 200.0, 0.0),
        "sigma": Num(5.0, 60.0, 50.0),
        "approximate": FLAG,
        "border_mode": BORDERS,
    },
    "GridDistortion": {"num_steps": Num(1, 10, 5, ints=True), "distort_limit": _sym(0.9), "border_mode": BORDERS},
    "OpticalDistortion": {"distort_limit": _sym(0.5), "mode": Choice(("camera", "fisheye")), "border_mode": BORDERS},
    "ThinPlateSpline": {
        "scale_range": Pair(0.0, 0.5, (0.0, 0.0)),
        "num_control_points": Num(2, 6, 4, ints=True),
        "border_mode": BORDERS,
    },
    "PiecewiseAffine": {
        "scale": Pair(0.01, 0.1, (0.01, 0.01)),  # scale 0 crashes albumentations 2.0.8 (no displacement map)
        "nb_rows": Pair(2, 6, (4, 4), ints=True),
        "nb_cols": Pair(2, 6, (4, 4), ints=True),
        "border_mode": BORDERS,
    },
    "GridElasticDeform": {
        "num_grid_xy": Custom(lambda m: st.tuples(st.integers(2, 8), st.integers(2, 8)), (4, 4)),
        "magnitude": Num(1, 20, 1, ints=True),
    },
    # -------------------------------------------------------------- scales, crops, pads
    "RandomScale": {"scale_limit": Pair(-0.5, 1.0, (0.0, 0.0))},
    "Resize": {"height": Num(_SMALLEST, 96, MIN_SIDE, ints=True), "width": Num(_SMALLEST, 96, MIN_SIDE, ints=True)},
    "LongestMaxSize": {"max_size": Num(4 * _SMALLEST, 128, 4 * _SMALLEST, ints=True)},
    "SmallestMaxSize": {"max_size": Num(_SMALLEST, 96, MIN_SIDE, ints=True)},
    "RandomResizedCrop": {
        "size": Custom(lambda m: st.tuples(*[st.integers(_SMALLEST, 96)] * 2), (MIN_SIDE, MIN_SIDE)),
        "scale": Pair(0.05, 1.0, (1.0, 1.0)),
        "ratio": Pair(0.5, 2.0, (1.0, 1.0)),
    },
    "RandomSizedCrop": {
        # the crop must fit the input, which may have shrunk to _SMALLEST inside a pipeline
        "min_max_height": Pair(8, _SMALLEST, (_SMALLEST, _SMALLEST), ints=True),
        "size": Custom(lambda m: st.tuples(*[st.integers(_SMALLEST, 96)] * 2), (MIN_SIDE, MIN_SIDE)),
        "w2h_ratio": Num(0.5, 1.0, 1.0),
    },
    # Crops pad when the input is smaller than the crop: inside a pipeline the input may have shrunk.
    "RandomCrop": {
        "height": Num(_SMALLEST, MIN_SIDE, MIN_SIDE, ints=True),
        "width": Num(_SMALLEST, MIN_SIDE, MIN_SIDE, ints=True),
        "pad_if_needed": FLAG_ON,
    },
    "CenterCrop": {
        "height": Num(_SMALLEST, MIN_SIDE, MIN_SIDE, ints=True),
        "width": Num(_SMALLEST, MIN_SIDE, MIN_SIDE, ints=True),
        "pad_if_needed": FLAG_ON,
    },
    "Crop": {
        "x_min": Num(0, MIN_SIDE - _SMALLEST, 0, ints=True),
        "y_min": Num(0, MIN_SIDE - _SMALLEST, 0, ints=True),
        "x_max": Num(MIN_SIDE, MIN_SIDE, MIN_SIDE, ints=True),
        "y_max": Num(MIN_SIDE, MIN_SIDE, MIN_SIDE, ints=True),
        "pad_if_needed": FLAG_ON,
    },
    "RandomCropFromBorders": {
        "crop_left": Num(0.0, 0.3, 0.0),
        "crop_right": Num(0.0, 0.3, 0.0),
        "crop_top": Num(0.0, 0.3, 0.0),
        "crop_bottom": Num(0.0, 0.3, 0.0),
    },
    "CropAndPad": {
        "percent": Custom(_crop_and_pad_percent, 0.0),
        "keep_size": FLAG_ON,
        "sample_independently": FLAG_ON,
        "border_mode": BORDERS,
    },
    "Pad": {"padding": Num(0, 16, 0, ints=True), "border_mode": BORDERS},
    "PadIfNeeded": {
        "min_height": Num(16, 128, MIN_SIDE, ints=True),
        "min_width": Num(16, 128, MIN_SIDE, ints=True),
        "border_mode": BORDERS,
    },
    # -------------------------------------------------------------- intensity and colour
    "RandomBrightnessContrast": {
        "brightness_limit": _sym(0.5),
        "contrast_limit": _sym(0.5),
        "brightness_by_max": FLAG_ON,
        "ensure_safe_range": FLAG,
    },
    "RandomGamma": {"gamma_limit": Pair(50.0, 150.0, (100.0, 100.0))},
    "RandomToneCurve": {"scale": Num(0.0, 0.3, 0.0), "per_channel": FLAG},
    "HueSaturationValue": {
        "hue_shift_limit": _sym(40.0),
        "sat_shift_limit": _sym(60.0),
        "val_shift_limit": _sym(60.0),
    },
    "ColorJitter": {
        "brightness": Pair(0.5, 1.5, (1.0, 1.0)),
        "contrast": Pair(0.5, 1.5, (1.0, 1.0)),
        "saturation": Pair(0.0, 2.0, (1.0, 1.0)),
        "hue": _sym(0.5),
    },
    "CLAHE": {
        "clip_limit": Pair(1.0, 8.0, (1.0, 1.0)),
        "tile_grid_size": Custom(lambda m: st.tuples(st.integers(2, 16), st.integers(2, 16)), (8, 8)),
    },
    "Equalize": {"mode": Choice(("cv", "pil")), "by_channels": FLAG_ON},
    "AutoContrast": {"cutoff": Num(0.0, 20.0, 0.0), "method": Choice(("cdf", "pil"))},
    "InvertImg": {},
    "Solarize": {"threshold_range": Pair(0.0, 1.0, (1.0, 1.0))},
    "Posterize": {"num_bits": Custom(_posterize_bits, 7)},
    "ToGray": {
        "num_output_channels": Choice((3,)),  # one channel out would break every colour transform after it
        "method": Choice(("weighted_average", "from_lab", "desaturation", "average", "max", "pca")),
    },
    "ToSepia": {},
    "ChannelShuffle": {},
    "ChannelDropout": {"channel_drop_range": Pair(1, 2, (1, 1), ints=True), "fill": Num(0, 255, 0, ints=True)},
    "RGBShift": {"r_shift_limit": _sym(40.0), "g_shift_limit": _sym(40.0), "b_shift_limit": _sym(40.0)},
    "FancyPCA": {"alpha": Num(0.0, 1.0, 0.0)},
    "PlanckianJitter": {
        "mode": Choice(("blackbody", "cied")),
        "temperature_limit": Custom(_planckian_limits, (6000, 6000)),
        "sampling_method": Choice(("uniform", "gaussian")),
    },
    "PlasmaBrightnessContrast": {
        "brightness_range": _sym(0.5),
        "contrast_range": _sym(0.5),
        "roughness": Num(1.0, 5.0, 3.0),
        "plasma_size": Choice((64, 128, 256)),
    },
    "PlasmaShadow": {"shadow_intensity_range": Pair(0.0, 1.0, (0.0, 0.0)), "roughness": Num(1.0, 5.0, 3.0)},
    "Illumination": {
        "mode": Choice(("linear", "corner", "gaussian")),
        "intensity_range": Pair(0.01, 0.2, (0.01, 0.01)),
        "effect_type": Choice(("both", "brighten", "darken")),
        "angle_range": Pair(0.0, 360.0, (0.0, 0.0)),
    },
    "HEStain": {
        "stain": Custom(_he_stain_method, ("preset", "standard")),
        "intensity_scale_range": Pair(0.5, 1.5, (1.0, 1.0)),
        "intensity_shift_range": _sym(0.3),
        "augment_background": FLAG,
    },
    # -------------------------------------------------------------- blur, noise, resolution, compression
    "Blur": {"blur_limit": Pair(3, 11, (3, 3), odd=True)},
    "MedianBlur": {"blur_limit": Pair(3, 11, (3, 3), odd=True)},
    "GaussianBlur": {"blur_limit": Choice((0, (3, 3), (3, 7), (5, 9))), "sigma_limit": Pair(0.1, 3.0, (0.1, 0.1))},
    "MotionBlur": {
        "blur_limit": Pair(3, 11, (3, 3), odd=True),
        "angle_range": Pair(0.0, 360.0, (0.0, 0.0)),
        "direction_range": _sym(1.0),
        "allow_shifted": FLAG,
    },
    "AdvancedBlur": {
        "blur_limit": Pair(3, 11, (3, 3), odd=True),
        "sigma_x_limit": Pair(0.2, 2.0, (0.2, 0.2)),
        "sigma_y_limit": Pair(0.2, 2.0, (0.2, 0.2)),
        "rotate_limit": _sym(90.0, ints=True),
        # albumentations wants 1 strictly inside the range
        "beta_limit": Custom(
            lambda m: st.tuples(Num(0.5, 0.99, 0.99).strategy(m), Num(1.01, 4.0, 1.01).strategy(m)), (0.99, 1.01)
        ),
        "noise_limit": Pair(0.8, 1.2, (1.0, 1.0)),
    },
    "Defocus": {"radius": Pair(1, 8, (1, 1), ints=True), "alias_blur": Pair(0.1, 0.5, (0.1, 0.1))},
    "ZoomBlur": {"max_factor": Pair(1.0, 1.5, (1.0, 1.0)), "step_factor": Pair(0.01, 0.05, (0.01, 0.01))},
    "GlassBlur": {
        "sigma": Num(0.1, 1.5, 0.1),
        "max_delta": Num(1, 4, 1, ints=True),
        "iterations": Num(1, 3, 1, ints=True),
        "mode": Choice(("fast", "exact")),
    },
    "RingingOvershoot": {"blur_limit": Pair(7, 15, (7, 7), odd=True), "cutoff": Pair(0.5, 3.0, (3.0, 3.0))},
    "Morphological": {
        "scale": Pair(1, 5, (1, 1), ints=True),
        "operation": Choice(("dilation", "erosion")),
    },
    "GaussNoise": {
        "std_range": Pair(0.0, 0.3, (0.0, 0.0)),
        "mean_range": _sym(0.1),
        "per_channel": FLAG_ON,
        "noise_scale_factor": Num(0.25, 1.0, 1.0),
    },
    "ISONoise": {"color_shift": Pair(0.0, 0.1, (0.0, 0.0)), "intensity": Pair(0.0, 0.5, (0.0, 0.0))},
    "ShotNoise": {"scale_range": Pair(0.001, 0.5, (0.001, 0.001))},
    "MultiplicativeNoise": {
        "multiplier": Pair(0.5, 1.5, (1.0, 1.0)),
        "per_channel": FLAG,
        "elementwise": FLAG,
    },
    "AdditiveNoise": {"noise": _ADDITIVE, "spatial_mode": Choice(("constant", "per_pixel", "shared"))},
    "SaltAndPepper": {"amount": Pair(0.0, 0.2, (0.0, 0.0)), "salt_vs_pepper": Pair(0.0, 1.0, (0.5, 0.5))},
    "PixelDropout": {"dropout_prob": Num(0.0, 0.3, 0.0), "per_channel": FLAG, "drop_value": Num(0, 255, 0, ints=True)},
    "Downscale": {"scale_range": Pair(0.1, 0.99, (0.99, 0.99))},
    "ImageCompression": {
        "compression_type": Choice(("jpeg", "webp")),
        "quality_range": Pair(1, 100, (100, 100), ints=True),
    },
    "Superpixels": {
        "p_replace": Pair(0.0, 0.5, (0.0, 0.0)),
        "n_segments": Pair(16, 64, (64, 64), ints=True),  # more segments only make the test slower
        "max_size": Choice((64, 32)),
    },
    "Sharpen": {
        "alpha": Pair(0.0, 1.0, (0.0, 0.0)),
        "lightness": Pair(0.5, 1.5, (1.0, 1.0)),
        "method": Choice(("kernel", "gaussian")),
    },
    "Emboss": {"alpha": Pair(0.0, 1.0, (0.0, 0.0)), "strength": Pair(0.0, 1.0, (0.0, 0.0))},
    "UnsharpMask": {
        "blur_limit": Pair(3, 9, (3, 3), odd=True),
        "sigma_limit": Pair(0.0, 2.0, (0.0, 0.0)),
        "alpha": Pair(0.0, 1.0, (0.0, 0.0)),
        "threshold": Num(0, 50, 10, ints=True),
    },
    "ChromaticAberration": {
        "primary_distortion_limit": _sym(0.5),
        "secondary_distortion_limit": _sym(0.5),
        "mode": Choice(("green_purple", "red_blue", "random")),
    },
    # -------------------------------------------------------------- occlusion and layout
    "CoarseDropout": {
        "num_holes_range": Pair(1, 8, (1, 1), ints=True),
        "hole_height_range": Pair(0.05, 0.5, (0.05, 0.05)),
        "hole_width_range": Pair(0.05, 0.5, (0.05, 0.05)),
        "fill": Choice((0, "random", "random_uniform", "inpaint_telea")),
    },
    # Larger areas with extreme ratios crash albumentations 2.0.8 when no rectangle fits ("apply() missing
    # 1 required positional argument: 'seed'"), so the area stays at or below 0.2 and the ratio in 0.5-2.
    "Erasing": {"scale": Pair(0.01, 0.2, (0.01, 0.01), strict=True), "ratio": Pair(0.5, 2.0, (1.0, 1.0))},
    "GridDropout": {"ratio": Num(0.05, 0.9, 0.05), "random_offset": FLAG_ON},
    "XYMasking": {"masks": Custom(_xy_masking, ((0, 0), (1, 1)))},
    "TimeMasking": {"time_mask_param": Num(1, _SMALLEST // 2, 1, ints=True)},
    "FrequencyMasking": {"freq_mask_param": Num(1, _SMALLEST // 2, 1, ints=True)},
    "RandomGridShuffle": {"grid": Custom(lambda m: st.tuples(st.integers(1, 4), st.integers(1, 4)), (1, 1))},
    # -------------------------------------------------------------- weather and light
    "RandomFog": {"fog_coef_range": Pair(0.0, 1.0, (0.0, 0.0)), "alpha_coef": Num(0.0, 0.5, 0.0)},
    "RandomRain": {
        "slant_range": _sym(20.0),
        "brightness_coefficient": Num(0.3, 1.0, 1.0),
        "rain_type": Choice(("default", "drizzle", "heavy", "torrential")),
    },
    "RandomSnow": {
        "snow_point_range": Pair(0.0, 1.0, (0.0, 0.0)),
        "brightness_coeff": Num(0.1, 3.0, 1.0),
        "method": Choice(("bleach", "texture")),
    },
    "RandomSunFlare": {
        "src_radius": Num(2, 100, 2, ints=True),
        "num_flare_circles_range": Pair(1, 10, (1, 1), ints=True),
        "method": Choice(("overlay", "physics_based")),
    },
    "RandomShadow": {
        "num_shadows_limit": Pair(1, 3, (1, 1), ints=True),
        "shadow_intensity_range": Pair(0.0, 1.0, (0.0, 0.0)),
        "shadow_dimension": Num(3, 6, 3, ints=True),
    },
    "RandomGravel": {"number_of_patches": Num(1, 5, 1, ints=True)},
    "Spatter": {
        "mode": Choice(("rain", "mud")),
        "intensity": Pair(0.0, 1.0, (0.0, 0.0)),
        "mean": Pair(0.5, 0.7, (0.65, 0.65)),
        "cutout_threshold": Pair(0.6, 0.75, (0.68, 0.68)),
    },
}

# Arguments that the specs draw together and albumentations takes apart.
_UNPACK: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "AdditiveNoise": lambda kw: {
        "spatial_mode": kw["spatial_mode"],
        "noise_type": kw["noise"][0],
        "noise_params": kw["noise"][1],
    },
    "HEStain": lambda kw: {
        **{k: v for k, v in kw.items() if k != "stain"},
        "method": kw["stain"][0],
        "preset": kw["stain"][1],
    },
    "XYMasking": lambda kw: {
        "num_masks_x": kw["masks"][0][0],
        "mask_x_length": kw["masks"][0][1],
        "num_masks_y": kw["masks"][1][0],
        "mask_y_length": kw.pop("masks")[1][1],
    },
}

SKIPPED: dict[str, str] = {
    **dict.fromkeys(
        LABEL_AWARE,
        "a label-aware transform of safeaug.labels: it needs its labels (caption, steering, class labels) at "
        "call time; tests/test_labels.py checks that its image is exactly HorizontalFlip's or ColorJitter's",
    ),
    **dict.fromkeys(
        ["CenterCrop3D", "CoarseDropout3D", "CubicSymmetry", "Pad3D", "PadIfNeeded3D", "RandomCrop3D", "ToTensor3D"],
        "works on volumes, not 2D images",
    ),
    **dict.fromkeys(
        ["FDA", "HistogramMatching", "PixelDistributionAdaptation", "Mosaic"],
        "mixes in other images, which must be passed as reference images or metadata",
    ),
    "OverlayElements": "pastes elements passed as metadata at call time",
    "TextImage": "draws text passed as metadata with a font file",
    **dict.fromkeys(
        ["BBoxSafeRandomCrop", "RandomSizedBBoxSafeCrop", "AtLeastOneBBoxRandomCrop", "RandomCropNearBBox"],
        "needs bounding boxes",
    ),
    **dict.fromkeys(
        ["MaskDropout", "ConstrainedCoarseDropout", "CropNonEmptyMaskIfExists"],
        "acts on the objects of a mask passed at call time",
    ),
    **dict.fromkeys(
        ["Normalize", "ToFloat", "FromFloat", "ToTensorV2"],
        "changes the representation (value range, dtype or layout), not what the image shows",
    ),
    "Lambda": "runs an arbitrary function",
    "ToRGB": "takes one-channel images; the images drawn here have three",
    **dict.fromkeys(
        (*AUTO_RAND, *AUTO_TRIVIAL),
        "a composition of the policy's op space (safeaug.auto), every one of whose ops is drawn here on its own; "
        "tests/test_auto_properties.py checks its samples on pixels",
    ),
}

# albumentations warns on every construction of these, whatever the arguments (advice, not a problem).
ALWAYS_WARN = frozenset({"FrequencyMasking", "PiecewiseAffine", "ShiftScaleRotate", "TimeMasking", "TimeReverse"})

NAMES: tuple[str, ...] = tuple(sorted(SPECS))
"""Transforms :func:`transforms` may draw."""

# ------------------------------------------------------------------------------------------ transforms


def _albumentations() -> Any:
    import albumentations

    return albumentations


def _kwargs(name: str, spec: Mapping[str, _Spec], m: float) -> st.SearchStrategy[dict[str, Any]]:
    fixed = st.fixed_dictionaries({key: s.strategy(m) for key, s in spec.items()})
    unpack = _UNPACK.get(name)
    return fixed.map(unpack) if unpack is not None else fixed


def _calm_kwargs(name: str) -> dict[str, Any]:
    kwargs = {key: s.calm for key, s in SPECS[name].items()}
    unpack = _UNPACK.get(name)
    return unpack(kwargs) if unpack is not None else kwargs


def build(name: str, kwargs: Mapping[str, Any], p: float = 1.0) -> Any:
    """The albumentations transform ``name`` built with ``kwargs`` (warnings about defaults silenced)."""
    cls = getattr(_albumentations(), name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(**kwargs, p=p)


def _policy_id(policy: PolicyLike) -> Any:
    from safeaug.policies import load_policy

    return load_policy(policy)


def _admits(policy: Any, pipeline: Any) -> bool:
    import safeaug

    return safeaug.validate(pipeline, policy).ok


@cache
def _candidates(policy: Any) -> tuple[str, ...]:
    """Names whose calmest form the policy admits (the others can never be drawn under it)."""
    return tuple(name for name in NAMES if _admits(policy, [build(name, _calm_kwargs(name))]))


probabilities = st.sampled_from((1.0, 0.5))


def transform_kwargs(
    policy: PolicyLike | None = None, names: Sequence[str] | None = None
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """``(name, kwargs)`` of a transform :func:`transforms` would draw, before it is built (``p`` aside)."""
    chosen = tuple(names) if names is not None else NAMES
    unknown = [n for n in chosen if n not in SPECS]
    if unknown:
        raise ValueError(f"no strategy for {', '.join(unknown)}; known: {', '.join(NAMES)}")
    if policy is None:
        return st.sampled_from(chosen).flatmap(lambda name: _kwargs(name, SPECS[name], 1.0).map(lambda kw: (name, kw)))
    resolved = _policy_id(policy)
    allowed = tuple(n for n in chosen if n in _candidates(resolved))
    if not allowed:
        raise ValueError(f"policy `{resolved.id}` admits none of {', '.join(chosen)}, even in their mildest form")
    return _admitted(resolved, allowed)


def transforms(
    policy: PolicyLike | None = None,
    *,
    names: Sequence[str] | None = None,
    p: st.SearchStrategy[float] = probabilities,
) -> st.SearchStrategy[Any]:
    """A random albumentations transform of the catalog (one of ``names``, default :data:`NAMES`) with
    arguments within their valid ranges; with ``policy``, only ones the policy admits on their own.

    Raises ``ValueError`` when the policy admits none of ``names`` in any form.
    """
    return st.tuples(transform_kwargs(policy, names), p).map(lambda nkp: build(nkp[0][0], nkp[0][1], nkp[1]))


@st.composite
def _admitted(draw: st.DrawFn, policy: Any, names: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(names))
    for m in (draw(st.sampled_from(_MILD)), 0.1):
        kwargs = draw(_kwargs(name, SPECS[name], m))
        if _admits(policy, [build(name, kwargs)]):
            return name, kwargs
    return name, _calm_kwargs(name)  # admitted: that is how `name` became a candidate


# ------------------------------------------------------------------------------------------ pipelines


def _leaf_size(t: Any, side: float) -> float:
    """The smallest side ``t`` can leave of an image whose sides are at least ``side`` (a lower bound)."""
    name = type(t).__name__
    if name in ("Resize", "RandomCrop", "CenterCrop"):
        return float(min(t.height, t.width))
    if name in ("RandomResizedCrop", "RandomSizedCrop"):
        return float(min(t.size))
    if name == "Crop":
        return float(min(t.x_max - t.x_min, t.y_max - t.y_min))
    if name == "SmallestMaxSize":
        return float(t.max_size)
    if name == "LongestMaxSize":
        return float(t.max_size) / 4.0  # sides drawn here differ by at most 4x (Resize draws 24 to 96 px)
    factor = 1.0
    if name == "RandomScale":
        factor = 1.0 + min(t.scale_limit)
    elif name == "RandomCropFromBorders":
        factor = min(1.0 - t.crop_left - t.crop_right, 1.0 - t.crop_top - t.crop_bottom)
    elif name == "CropAndPad" and not t.keep_size:
        values = t.percent if isinstance(t.percent, (list, tuple)) else [t.percent]
        flat = [v for item in values for v in (item if isinstance(item, (list, tuple)) else [item])]
        factor = 1.0 + 2.0 * min(0.0, *flat)  # negative percentages crop, positive ones pad
    elif name == "Rotate" and t.crop_border:
        factor = 0.5
    elif name == "Perspective" and not t.keep_size:
        factor = 1.0 - 2.0 * max(t.scale)
    elif name == "Affine" and t.fit_output:
        scales = t.scale.values() if isinstance(t.scale, dict) else [t.scale]
        factor = min(abs(v) for pair in scales for v in pair)
    return side * max(0.0, factor)


def _smallest_side(t: Any, side: float) -> float:
    """A lower bound on the smallest side of what ``t`` outputs, for inputs at least ``side`` wide."""
    A = _albumentations()
    if not isinstance(t, A.BaseCompose):
        out = _leaf_size(t, side)
    else:
        kids = list(t.transforms)
        if isinstance(t, A.OneOf):
            out = min((_smallest_side(k, side) for k in kids), default=side)
        elif isinstance(t, A.SomeOf):
            out = _any_order(kids, side)
        else:
            out = side
            for k in kids:
                out = _smallest_side(k, out)
    # A transform that may be skipped may also leave its input as it was (a resize to 25 px skipped
    # after one to 24 px leaves 24 px).
    return out if getattr(t, "p", 1.0) >= 1.0 else min(side, out)


def _any_order(kids: Sequence[Any], side: float) -> float:
    """A lower bound on the smallest side left by any subset of ``kids`` in any order (``SomeOf``): every
    reset first, then every shrink."""
    resets = [_smallest_side(k, math.inf) for k in kids]
    start = min([side, *(r for r in resets if r < math.inf)])
    for k in kids:
        start = min(start, _smallest_side(k, start))
    return start


def _window(t: Any) -> float:
    """The side an input must have for ``t`` to run: a fixed-size crop that does not pad needs its window
    (``Crop`` needs ``x_max`` and ``y_max`` pixels; ``CenterCrop``/``RandomCrop`` their height and width)."""
    name = type(t).__name__
    if getattr(t, "pad_if_needed", True):
        return 0.0
    if name == "Crop":
        return float(max(t.x_max, t.y_max))
    if name in ("CenterCrop", "RandomCrop"):
        return float(max(t.height, t.width))
    return 0.0


def _fits(t: Any, side: float) -> bool:
    """True when every crop in ``t`` gets an input it fits in, for inputs at least ``side`` wide.

    Uses the same lower bounds as :func:`_smallest_side`: a crop after a shrinking resize or crop is kept
    only when its window still fits, or when it pads."""
    A = _albumentations()
    if not isinstance(t, A.BaseCompose):
        return _window(t) <= side
    kids = list(t.transforms)
    if isinstance(t, A.OneOf):
        return all(_fits(k, side) for k in kids)
    if isinstance(t, A.SomeOf):  # any subset in any order: each child may come after all the others
        return all(_fits(k, _any_order([*kids[:i], *kids[i + 1 :]], side)) for i, k in enumerate(kids))
    for k in kids:
        if not _fits(k, side):
            return False
        side = _smallest_side(k, side)
    return True


@st.composite
def _tree(draw: st.DrawFn, policy: Any, depth: int, leaves: st.SearchStrategy[Any]) -> Any:
    """A composition whose children are added one at a time, each only if the policy still admits it."""
    A = _albumentations()
    kind = draw(st.sampled_from(("Compose", "Sequential", "OneOf", "SomeOf")))
    children: list[Any] = []

    def make(kids: list[Any]) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "SomeOf":
                return A.SomeOf(kids, n=n, replace=False, p=1.0)
            return getattr(A, kind)(kids, p=1.0)

    n = draw(st.integers(1, 3))
    for _ in range(draw(st.integers(1, 4))):
        nested = depth > 0 and draw(st.integers(0, 3)) == 0
        child = draw(_tree(policy, depth - 1, leaves)) if nested else draw(leaves)
        if kind == "OneOf" and child.p <= 0:
            continue
        candidate = make([*children, child])
        if (
            _smallest_side(candidate, MIN_SIDE) >= _SMALLEST
            and _fits(candidate, MIN_SIDE)
            and _admits(policy, candidate)
        ):
            children.append(child)
    if not children:  # every draw was refused together: a lone leaf, which the policy admits on its own
        children.append(draw(leaves))
    return make(children)


def pipelines(
    policy: PolicyLike,
    *,
    max_depth: int = 2,
    names: Sequence[str] | None = None,
) -> st.SearchStrategy[Any]:
    """A random albumentations pipeline (``Compose``, ``Sequential``, ``OneOf``, ``SomeOf``, nested up to
    ``max_depth`` levels below the root) of transforms from ``names`` that ``policy`` admits as a whole:
    ``safeaug.validate(pipeline, policy).ok`` holds for every draw.

    The root is a ``Compose`` that takes keypoints in ``"xy"`` format (kept when they leave the image), so
    ``pipeline(image=..., mask=..., keypoints=...)`` works; no pipeline shrinks an image of
    :data:`MIN_SIDE` pixels below 24 pixels per side, and no fixed-size crop that does not pad gets an input
    smaller than its window.
    """
    resolved = _policy_id(policy)
    leaves = transforms(resolved, names=names)
    A = _albumentations()

    def root(tree: Any) -> Any:
        kids = list(tree.transforms) if type(tree) is A.Compose else [tree]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points = label_params("KeypointParams", format="xy", remove_invisible=False)
            return A.Compose(kids, p=1.0, keypoint_params=points)

    return _tree(resolved, max_depth, leaves).map(root)


# ------------------------------------------------------------------------------------------ inputs


def _render(seed: int, height: int, width: int, channels: int, dtype: str) -> np.ndarray:
    """A picture with structure: smooth gradients, a few solid shapes and light noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    base = np.stack([(rng.uniform() * xx + rng.uniform() * yy + rng.uniform(0, 0.3)) for _ in range(channels)], -1)
    for _ in range(int(rng.integers(1, 5))):
        y0, x0 = int(rng.integers(0, height - 4)), int(rng.integers(0, width - 4))
        h, w = int(rng.integers(4, height // 2)), int(rng.integers(4, width // 2))
        base[y0 : y0 + h, x0 : x0 + w] = rng.uniform(0, 1, channels)
    base = np.clip(base / max(1.0, float(base.max())) + rng.normal(0, 0.02, base.shape), 0, 1)
    out: np.ndarray = (base * 255).round().astype(np.uint8) if dtype == "uint8" else base.astype(np.float32)
    return out


def images(
    *,
    dtypes: Sequence[str] = ("uint8", "float32"),
    channels: Sequence[int] = (3,),
    min_side: int = MIN_SIDE,
    max_side: int = 96,
) -> st.SearchStrategy[np.ndarray]:
    """``H×W×C`` images of ``dtypes`` (uint8 in 0-255, float32 in 0-1) with structure to transform."""
    if min_side < 8 or max_side < min_side:
        raise ValueError(f"need 8 <= min_side <= max_side, got {min_side} and {max_side}")
    side = st.integers(min_side, max_side)
    return st.builds(
        _render, st.integers(0, 2**32 - 1), side, side, st.sampled_from(tuple(channels)), st.sampled_from(tuple(dtypes))
    )


def masks(height: int, width: int, *, classes: int = 3) -> st.SearchStrategy[np.ndarray]:
    """``H×W`` uint8 label masks of up to ``classes`` labels (0 is background), as rectangles."""

    def render(seed: int) -> np.ndarray:
        import numpy as np

        rng = np.random.default_rng(seed)
        out = np.zeros((height, width), np.uint8)
        for label in range(1, classes):
            y0, x0 = int(rng.integers(0, height // 2)), int(rng.integers(0, width // 2))
            out[y0 : y0 + int(rng.integers(2, height // 2)), x0 : x0 + int(rng.integers(2, width // 2))] = label
        return out

    return st.integers(0, 2**32 - 1).map(render)


def keypoints(height: int, width: int, *, min_size: int = 1, max_size: int = 8) -> st.SearchStrategy[np.ndarray]:
    """``N×2`` float32 ``(x, y)`` keypoints inside a ``height × width`` image (albumentations' "xy" format)."""

    def stack(points: list[tuple[float, float]]) -> np.ndarray:
        import numpy as np

        return np.array(points, dtype=np.float32).reshape(-1, 2)

    point = st.tuples(st.floats(0, width - 1), st.floats(0, height - 1)).map(
        lambda xy: (round(xy[0], 2), round(xy[1], 2))
    )
    return st.lists(point, min_size=min_size, max_size=max_size).map(stack)
