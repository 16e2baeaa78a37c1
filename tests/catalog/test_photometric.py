"""Photometric entries: their envelopes, and pixels showing that the envelopes hold what the transforms do."""

from __future__ import annotations

import math
from typing import Any

import albumentations as A
import cv2
import numpy as np
import pytest
from albumentations.augmentations.pixel import functional as fpixel
from support import assert_envelope, envelope, envelope_of, processed_envelope, runs

from safeaug.catalog import get_entry
from safeaug.catalog import photometric as photo
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

NAMES = [
    "AutoContrast",
    "CLAHE",
    "ChannelDropout",
    "ChannelShuffle",
    "ColorJitter",
    "Equalize",
    "FancyPCA",
    "HEStain",
    "HueSaturationValue",
    "Illumination",
    "InvertImg",
    "PlanckianJitter",
    "PlasmaBrightnessContrast",
    "PlasmaShadow",
    "Posterize",
    "RGBShift",
    "RandomBrightnessContrast",
    "RandomGamma",
    "RandomToneCurve",
    "Solarize",
    "ToGray",
    "ToSepia",
]
LUMA = np.array([0.299, 0.587, 0.114])


def assert_affine_within(out: np.ndarray, x: np.ndarray, e: Envelope, tol: float) -> None:
    """``out = c·(x - pivot) + pivot + b``: a level moves by at most B + |c - 1|·|x - pivot|.

    The pivot is zero for a gain and the image mean for a stretch, so anywhere in [0, 1]:
    ``|x - pivot| <= max(x, 1 - x)``.
    """
    slope = max(abs(1.0 - e.contrast_min), abs(e.contrast_max - 1.0))
    assert float((np.abs(out - x) - slope * np.maximum(x, 1 - x)).max()) <= e.brightness + tol


def grey_ramp(dtype: type = np.uint8, levels: int = 256) -> np.ndarray:
    ramp = np.linspace(0, 255, levels).round().astype(np.uint8)
    img = np.repeat(np.tile(ramp[None, :, None], (4, 1, 1)), 3, axis=2)
    return img if dtype == np.uint8 else (img.astype(np.float32) / 255)


def as_float(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float64) / 255 if img.dtype == np.uint8 else img.astype(np.float64)


def luma(img: np.ndarray) -> np.ndarray:
    return as_float(img) @ LUMA


# ----------------------------------------------------------------------------- registry


def test_every_photometric_transform_is_in_the_photometric_family() -> None:
    # Summaries, knobs and the family contract are checked over every entry in test_entries.py.
    assert {get_entry(name).family for name in NAMES} == {"photometric"}  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- envelopes with default arguments

DEFAULT_ENVELOPES = {
    "AutoContrast": Envelope(equalization=True, color=True),
    "CLAHE": Envelope(equalization=True),
    "ChannelDropout": Envelope(color=True, brightness=0.587, contrast_min=0.413),
    "ChannelShuffle": Envelope(color=True),
    # brightness gain (0.8, 1.2) x contrast (0.8, 1.2) is a slope, not a shift; hue (-0.5, 0.5) of a turn is any hue.
    "ColorJitter": Envelope(contrast_min=0.64, contrast_max=1.44, saturation_min=0.8, saturation_max=1.2, hue=180),
    "Equalize": Envelope(equalization=True, color=True),
    "FancyPCA": Envelope(contrast_min=1 - 5 * 0.1 * 0.75, contrast_max=1 + 5 * 0.1 * 0.75, color=True),
    "HueSaturationValue": Envelope(hue=40, saturation_min=0, saturation_max=31, brightness=20 / 255),
    "InvertImg": Envelope(inversion=True),
    "PlasmaBrightnessContrast": Envelope(brightness=0.3, contrast_min=0.7, contrast_max=1.3),
    "PlasmaShadow": Envelope(contrast_min=0.3),
    "Posterize": Envelope(posterize_bits=4),
    "RGBShift": Envelope(brightness=20 / 255, color=True),
    # out = alpha·x + beta with alpha in (0.8, 1.2) (a slope) and beta in (-0.2, 0.2) (a shift).
    "RandomBrightnessContrast": Envelope(brightness=0.2, contrast_min=0.8, contrast_max=1.2),
    "RandomGamma": Envelope(gamma_min=0.8, gamma_max=1.2),
    "Solarize": Envelope(nonmonotone=True),
    "ToGray": Envelope(grayscale=True),
    # Linear gradients at angles that are not multiples of 45° are not normalised: gains 1 ± 3.83 x 0.2.
    "Illumination": Envelope(
        contrast_min=1 - 0.2 - 2 * math.sqrt(2) * 0.2,
        contrast_max=1 + 0.2 + 2 * math.sqrt(2) * 0.2,
    ),
}


@pytest.mark.parametrize("name", sorted(DEFAULT_ENVELOPES))
def test_default_envelopes(name: str) -> None:
    assert_envelope(envelope(name), DEFAULT_ENVELOPES[name])


def test_default_envelopes_of_computed_entries() -> None:
    sepia = envelope("ToSepia")
    assert (sepia.color, sepia.grayscale) == (True, True)
    assert sepia.contrast_max == pytest.approx(0.299 * 1.351 + 0.587 * 1.203 + 0.114 * 0.937)
    assert sepia.brightness == pytest.approx(0.1606, abs=1e-3)
    planck = envelope("PlanckianJitter")
    assert planck.color and planck.brightness == pytest.approx(0.1137, abs=1e-3)  # white turns yellow at 3000 K
    assert (planck.contrast_min, planck.contrast_max) == pytest.approx((0.982, 1.088), abs=1e-3)
    he = envelope("HEStain")
    assert he.color and not he.equalization
    # Scale 0.7-1.3 times each preset's per-channel exponents (0.43-1.37): see test_he_stain_channel_exponents.
    assert (he.gamma_min, he.gamma_max) == pytest.approx((0.7 * 0.4338, 1.3 * 1.3655), abs=1e-3)
    assert 0.3 < he.brightness < 0.4
    curve = envelope("RandomToneCurve")
    assert not curve.nonmonotone and not curve.color
    assert curve.contrast_min == 0.0  # at 5 sigma the low control point reaches 0: flat shadows
    assert curve.contrast_max == pytest.approx(2.25)
    assert curve.brightness == pytest.approx(0.282, abs=1e-3)


# ----------------------------------------------------------------------------- envelopes with explicit arguments

EXPLICIT = [
    (A.HueSaturationValue(hue_shift_limit=10, sat_shift_limit=0, val_shift_limit=0), Envelope(hue=20)),
    (A.HueSaturationValue(hue_shift_limit=(-10.5, 3), sat_shift_limit=0, val_shift_limit=0), Envelope(hue=22)),
    (A.HueSaturationValue(hue_shift_limit=100, sat_shift_limit=0, val_shift_limit=0), Envelope(hue=180)),
    (
        A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=(10, 20), val_shift_limit=(-51, 0)),
        Envelope(saturation_min=0, saturation_max=21, brightness=0.2),  # V - 51 greys out pixels with V <= 51
    ),
    (
        A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=(-255, 0), val_shift_limit=0),
        Envelope(saturation_min=0, grayscale=True),
    ),
    (A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1), Envelope(hue=36)),
    (A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=(-0.05, 0.02)), Envelope(hue=18)),
    # uint8 adds -9.36 OpenCV units and truncates to -10: 20°, not the 18.72° of float32.
    (A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=(-0.052, 0.02)), Envelope(hue=20)),
    (
        A.ColorJitter(brightness=0.5, contrast=0, saturation=1.0, hue=0),
        Envelope(contrast_min=0.5, contrast_max=1.5, saturation_min=0, saturation_max=2, grayscale=True),
    ),
    (A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0), Envelope(brightness=0.1)),
    (A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=(-0.5, 0)), Envelope(contrast_min=0.5)),
    (
        A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=(-3, 0)),
        Envelope(brightness=0.1, contrast_min=0.0, contrast_max=2.0, inversion=True),
    ),
    # ensure_safe_range: negative beta becomes 0 and alpha drops to 1 - beta, so nothing brightens past white.
    (
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, ensure_safe_range=True),
        Envelope(brightness=0.2, contrast_min=0.8),
    ),
    (A.RandomGamma(gamma_limit=20), Envelope(gamma_min=0.01, gamma_max=0.2)),
    (A.RandomGamma(gamma_limit=(90, 150)), Envelope(gamma_min=0.9, gamma_max=1.5)),
    (A.CLAHE(clip_limit=(2, 8), tile_grid_size=(4, 4)), Envelope(equalization=True)),
    (A.Equalize(by_channels=False), Envelope(equalization=True)),
    (A.AutoContrast(cutoff=5, method="pil"), Envelope(equalization=True, color=True)),
    (A.Posterize(num_bits=(2, 6)), Envelope(posterize_bits=2)),
    (A.Posterize(num_bits=[(3, 3), (5, 5), (4, 6)]), Envelope(posterize_bits=3, color=True)),
    (A.Solarize(threshold_range=(1.0, 1.0)), Envelope(nonmonotone=True)),  # 255 still flips to 0
    (A.Solarize(threshold_range=(0.0, 0.0)), Envelope(inversion=True)),
    (A.Solarize(threshold_range=(0.0, 0.4)), Envelope(inversion=True, nonmonotone=True)),
    (
        A.RGBShift(r_shift_limit=(-51, 0), g_shift_limit=0, b_shift_limit=0),
        Envelope(brightness=0.299 * 0.2, color=True),
    ),
    # |limit| <= 1 is a fraction of full scale even for uint8: 1 means ±255.
    (A.RGBShift(r_shift_limit=1, g_shift_limit=1, b_shift_limit=1), Envelope(brightness=1.0, color=True)),
    (A.RGBShift(r_shift_limit=0, g_shift_limit=0, b_shift_limit=0), Envelope()),
    (A.PlasmaShadow(shadow_intensity_range=(0.1, 0.25)), Envelope(contrast_min=0.75)),
    (A.PlasmaBrightnessContrast(brightness_range=(-0.1, 0.05), contrast_range=(0, 0)), Envelope(brightness=0.1)),
    (
        A.PlasmaBrightnessContrast(brightness_range=(0, 0), contrast_range=(-0.2, 0.1)),
        Envelope(contrast_min=0.8, contrast_max=1.1),
    ),
    (A.Illumination(mode="corner", intensity_range=(0.05, 0.1), effect_type="darken"), Envelope(contrast_max=1.1)),
    (A.Illumination(mode="gaussian", intensity_range=(0.05, 0.1), effect_type="darken"), Envelope(contrast_min=0.9)),
    (
        A.Illumination(mode="linear", intensity_range=(0.1, 0.1), angle_range=(90, 90)),
        Envelope(contrast_min=0.9, contrast_max=1.1),
    ),
    (
        A.Illumination(mode="linear", intensity_range=(0.1, 0.1), angle_range=(180, 270), effect_type="brighten"),
        Envelope(contrast_min=1 - 0.1 - 2 * math.sqrt(2) * 0.1, contrast_max=0.9),
    ),
    (A.FancyPCA(alpha=0.02), Envelope(contrast_min=1 - 0.075, contrast_max=1 + 0.075, color=True)),
    (A.FancyPCA(alpha=0.0), Envelope()),
    (A.FancyPCA(alpha=0.5), Envelope(contrast_min=0.0, contrast_max=1 + 5 * 0.5 * 0.75, inversion=True, color=True)),
    (A.ChannelDropout(channel_drop_range=(1, 2), fill=255), Envelope(color=True, brightness=0.886, contrast_min=0.114)),
    (A.ChannelDropout(fill=128), Envelope(color=True, brightness=0.587 * (128 / 255), contrast_min=0.413)),
    (A.ToGray(method="max"), Envelope(grayscale=True)),
    (A.ToGray(method="from_lab"), Envelope(grayscale=True, brightness=0.04, contrast_min=0.69, contrast_max=1.31)),
    (A.ToGray(method="pca"), Envelope(grayscale=True, inversion=True, equalization=True)),
    (A.RandomToneCurve(scale=0.0), Envelope(brightness=6 / 255 + 0.000_5, contrast_min=0.75, contrast_max=1.125)),
]


@pytest.mark.parametrize(("transform", "expected"), EXPLICIT, ids=lambda v: type(v).__name__)
def test_explicit_envelopes(transform: Any, expected: Envelope) -> None:
    got = processed_envelope(transform)
    if isinstance(transform, A.RandomToneCurve):  # a computed curve: compare loosely
        assert got.brightness == pytest.approx(expected.brightness, abs=1e-3)
        assert (got.contrast_min, got.contrast_max) == pytest.approx((expected.contrast_min, expected.contrast_max))
        return
    assert_envelope(got, expected)


def test_planckian_at_one_temperature() -> None:
    r, b = 0.4979 / 0.4584, 0.4468 / 0.4584  # 6000 K black body: R and B gains, G kept
    white = 0.299 * (1 - 1 / r) + 0.114 * (b / r - 1 / r)  # a grey level of 1/r: red just reaches white
    expected = Envelope(color=True, brightness=white, contrast_max=0.299 * r + 0.587 + 0.114 * b)
    assert_envelope(processed_envelope(A.PlanckianJitter(temperature_limit=(6000, 6000))), expected)
    assert expected.brightness == pytest.approx(0.0211, abs=1e-4)


def test_planckian_narrow_range_is_milder() -> None:
    narrow = envelope("PlanckianJitter", temperature_limit=(5500, 6500))
    wide = envelope("PlanckianJitter")
    assert narrow.color and narrow.brightness < wide.brightness / 2
    assert envelope("PlanckianJitter", mode="cied").brightness < wide.brightness  # starts at 4000 K


def test_he_stain_variants() -> None:
    preset = envelope(
        "HEStain", method="preset", preset="light", intensity_scale_range=(1, 1), intensity_shift_range=(0, 0)
    )
    assert preset.color and preset.brightness < 0.06  # only the projection onto the stain plane
    # ... which still gives each channel its own exponent ("light": 1.036, 1.166, 0.634), and no gain.
    assert (preset.gamma_min, preset.gamma_max) == pytest.approx((0.6343, 1.1664), abs=1e-3)
    assert (preset.contrast_min, preset.contrast_max) == (1, 1)
    assert preset.brightness == pytest.approx(0.0194, abs=1e-3)
    shifted = processed_envelope(
        A.HEStain(method="preset", intensity_scale_range=(1, 1), intensity_shift_range=(-0.1, 0.1))
    )
    # "standard": the largest sum of the two stain vectors is 0.70 + 0.99 (green), so gains exp(±0.169).
    assert (shifted.contrast_min, shifted.contrast_max) == pytest.approx((math.exp(-0.169), math.exp(0.169)))
    fitted = envelope("HEStain", method="macenko")
    assert fitted.equalization and fitted.brightness == 1.0


def test_color_jitter_gain_and_stretch_shift_levels_beyond_their_slope() -> None:
    # Regression: brightness 0.73 and contrast 1.4 make a slope of 1.02, which implies a shift of 0.02 about
    # the mean, but every level moves by b·(1 - c)·mean = -0.29·mean (-0.146 on a ramp of mean 0.5).
    kwargs: dict[str, Any] = {"brightness": (0.7271, 0.7271), "contrast": (1.399, 1.399), "saturation": 1, "hue": 0}
    e = envelope("ColorJitter", **kwargs)
    image = grey_ramp()
    x = as_float(image)[0, :, 0]
    out = luma(next(runs(A.ColorJitter(**kwargs, p=1), image, n=1)))[0]
    inner = (out > 0.01) & (out < 0.99)
    slope, shift = np.polyfit(x[inner], out[inner], 1)
    assert slope == pytest.approx(0.7271 * 1.399, abs=0.01)
    assert abs(shift) == pytest.approx(0.7271 * 0.399 * float(x.mean()), abs=0.01)
    implied = max(1 - e.contrast_min, e.contrast_max - 1)
    assert abs(shift) > implied + 0.1  # what the slope alone allows falls short
    assert abs(shift) <= e.brightness + implied
    # Defaults: a stretch of 0.8-1.2 with a gain of 0.8-1.2 stays within what its slope range implies.
    assert envelope("ColorJitter").brightness == 0.0


def test_he_stain_channel_exponents() -> None:
    # Regression: the entry had gamma_max = the largest concentration scale (1.2381 here), but a grey level v
    # comes out as v ** (s · p_k) per channel, p_k from the projection onto the stain plane: with "ruifrok"
    # green follows v ** 1.44 and the probe read the luma map as a gamma of 1.37.
    kwargs: dict[str, Any] = {
        "method": "preset",
        "preset": "ruifrok",
        "intensity_scale_range": (1.2381, 1.2381),
        "intensity_shift_range": (0.0, 0.0),
        "augment_background": True,  # every pixel is scaled (no tissue mask)
    }
    e = envelope("HEStain", **kwargs)
    image = grey_ramp(np.float32)
    x = as_float(image)[0, :, 0]
    out = as_float(next(runs(A.HEStain(**kwargs, p=1), image, n=1)))[0]
    use = (x > 0.05) & (x < 0.95)
    exponents = [float(np.polyfit(np.log(x[use]), np.log(np.clip(out[use, k], 1e-6, None)), 1)[0]) for k in range(3)]
    assert max(exponents) == pytest.approx(1.2381 * 1.163, abs=0.01)  # green
    assert max(exponents) > 1.2381 + 0.1  # well past the scale itself
    assert e.gamma_min <= min(exponents) + 1e-3 and max(exponents) <= e.gamma_max + 1e-3
    # Background left alone is re-projected at scale 1: its exponents count too.
    kept = envelope("HEStain", **{**kwargs, "intensity_scale_range": (1.2, 1.3), "augment_background": False})
    assert kept.gamma_min == pytest.approx(0.434, abs=1e-3)


def test_tone_curve_per_channel_is_a_colour_change() -> None:
    assert envelope("RandomToneCurve", per_channel=True).color
    assert envelope("RandomToneCurve", scale=0.3).brightness > envelope("RandomToneCurve").brightness


@pytest.mark.parametrize("limit", [0.2, (0.1, 0.3), (-0.4, -0.1)])
def test_brightness_by_mean_never_shifts_more_than_by_max(limit: Any) -> None:
    # beta = limit * mean(image) and the mean is at most the maximum value.
    for contrast in (0, 0.2):
        args = {"brightness_limit": limit, "contrast_limit": contrast}
        by_max = envelope("RandomBrightnessContrast", **args)
        by_mean = envelope("RandomBrightnessContrast", **args, brightness_by_max=False)
        assert 0 < by_mean.brightness <= by_max.brightness


# ----------------------------------------------------------------------------- raw arguments == processed arguments

# ----------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("RandomGamma", {"gamma_limit": "wide"}),
        ("RandomBrightnessContrast", {"brightness_limit": (0.1, 0.2, 0.3)}),
        ("RandomBrightnessContrast", {"brightness_by_max": "yes"}),
        ("ColorJitter", {"hue": None}),
        ("HueSaturationValue", {"hue_shift_limit": True}),
        ("Solarize", {"threshold_range": 0.5}),  # albumentations only takes a pair here
        ("PlasmaShadow", {"shadow_intensity_range": 0.5}),
        ("ChannelDropout", {"channel_drop_range": 2}),
        ("ToGray", {"method": "luminosity"}),
        ("Illumination", {"mode": "spot"}),
        ("HEStain", {"method": "preset", "preset": "purple"}),
        ("FancyPCA", {"alpha": "0.1"}),
        ("RandomToneCurve", {"per_channel": 1}),
        ("Posterize", {"num_bits": "4"}),
    ],
)
def test_bad_arguments_are_config_errors(name: str, raw: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        envelope(name, **raw)


# ----------------------------------------------------------------------------- knob examples fit their bounds


def test_tone_curve_knob_says_when_nothing_fits() -> None:
    entry = get_entry("RandomToneCurve")
    assert entry is not None and entry.knobs["contrast"].example is not None
    assert "no scale fits" in entry.knobs["contrast"].example((0.9, 1.1))


# ----------------------------------------------------------------------------- copied tables match albumentations


def test_copied_tables_match_albumentations() -> None:
    for mode, table in fpixel.PLANCKIAN_COEFFS.items():
        assert {k: tuple(v) for k, v in table.items()} == photo._PLANCKIAN[mode]
    assert set(fpixel.STAIN_MATRICES) == set(photo._STAINS)
    for name, matrix in fpixel.STAIN_MATRICES.items():
        assert np.allclose(matrix, np.array(photo._STAINS[name]))
    assert np.allclose(A.ToSepia().sepia_transformation_matrix.sum(axis=1), [1.351, 1.203, 0.937])


# ----------------------------------------------------------------------------- pixels stay inside the envelopes


def test_random_gamma_pixels() -> None:
    e = envelope("RandomGamma", gamma_limit=(80, 120))
    x = np.linspace(0.05, 0.95, 64, dtype=np.float32)
    image = np.repeat(x[None, :, None], 3, axis=2)
    gammas = []
    for out in runs(A.RandomGamma(gamma_limit=(80, 120), p=1), image, n=60):
        gammas.append(float(np.median(np.log(out[0, :, 0]) / np.log(x))))
    assert e.gamma_min - 1e-4 <= min(gammas) and max(gammas) <= e.gamma_max + 1e-4
    assert min(gammas) < 0.85 and max(gammas) > 1.15  # the envelope is not wider than the transform


def _colour_patches(dtype: type) -> np.ndarray:
    hues = np.arange(0, 360, 15, dtype=np.float32)
    hsv = np.stack([hues, np.ones_like(hues), np.ones_like(hues)], axis=-1)[None]
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)  # float32 RGB in [0, 1]
    return (rgb * 255).round().astype(np.uint8) if dtype == np.uint8 else rgb


def _hue_shift_degrees(before: np.ndarray, after: np.ndarray) -> float:
    h0 = cv2.cvtColor(as_float(before).astype(np.float32), cv2.COLOR_RGB2HSV)[..., 0]
    h1 = cv2.cvtColor(as_float(after).astype(np.float32), cv2.COLOR_RGB2HSV)[..., 0]
    d = np.abs((h1 - h0 + 180) % 360 - 180)
    return float(d.max())


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("limit", [10, (-10.5, 10.5), (-3, 25)])
def test_hue_saturation_value_hue_in_degrees(dtype: type, limit: Any) -> None:
    e = envelope("HueSaturationValue", hue_shift_limit=limit, sat_shift_limit=0, val_shift_limit=0)
    image = _colour_patches(dtype)
    t = A.HueSaturationValue(hue_shift_limit=limit, sat_shift_limit=0, val_shift_limit=0, p=1)
    worst = max(_hue_shift_degrees(image, out) for out in runs(t, image, n=60))
    # OpenCV keeps 8-bit hue in 2° steps, so the round trip itself rounds by up to 1° (plus 8-bit RGB).
    assert worst <= e.hue + 1.2
    assert worst >= e.hue - 4.0  # and the envelope is tight: float32 is not shifted in "percent"


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_color_jitter_hue_in_degrees(dtype: type) -> None:
    kwargs = {"brightness": 0, "contrast": 0, "saturation": 0, "hue": (-0.05, 0.05)}
    e = envelope("ColorJitter", **kwargs)
    image = _colour_patches(dtype)
    worst = max(_hue_shift_degrees(image, out) for out in runs(A.ColorJitter(**kwargs, p=1), image, n=60))
    assert worst <= e.hue + 1.2
    assert worst >= 16.0


def test_hue_saturation_value_greys_out_pale_colours() -> None:
    hsv = np.array([[[0, 25, 200], [60, 25, 200]]], dtype=np.uint8)  # pale red and pale blue
    image = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    t = A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=(-30, -30), val_shift_limit=0, p=1)
    out = next(runs(t, image, n=1))
    assert np.all(out.max(axis=-1) - out.min(axis=-1) <= 1)  # grey: saturation factor 0
    assert envelope("HueSaturationValue", sat_shift_limit=(-30, -30)).saturation_min == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"brightness_by_max": False},
        {"ensure_safe_range": True},
        {"brightness_limit": (0.1, 0.3), "contrast_limit": (0.2, 0.5)},
        {"brightness_limit": 0.1, "contrast_limit": (-3, 0)},
    ],
)
def test_random_brightness_contrast_pixels(kwargs: dict[str, Any]) -> None:
    e = envelope("RandomBrightnessContrast", **kwargs)
    image = grey_ramp()
    t = A.RandomBrightnessContrast(**kwargs, p=1)
    for out in runs(t, image, n=60):
        assert_affine_within(as_float(out), as_float(image), e, 1 / 255)
    # flat images (what by-mean scales with) stay inside too
    for level in (30, 128, 250):
        flat = np.full((4, 4, 3), level, np.uint8)
        for out in runs(t, flat, n=20):
            assert_affine_within(as_float(out), as_float(flat), e, 1 / 255)


def test_random_brightness_contrast_gain_is_contrast() -> None:
    e = envelope("RandomBrightnessContrast", brightness_limit=0, contrast_limit=(-0.4, -0.2))
    x = np.linspace(0, 1, 64, dtype=np.float32)
    image = np.repeat(x[None, :, None], 3, axis=2)
    t = A.RandomBrightnessContrast(brightness_limit=0, contrast_limit=(-0.4, -0.2), p=1)
    for out in runs(t, image):
        slope = np.polyfit(x, out[0, :, 0], 1)[0]
        assert e.contrast_min - 1e-4 <= slope <= e.contrast_max + 1e-4
        # a gain about zero: black stays black, so the mean of a bright image falls
        assert out[0, 0, 0] == 0.0


def test_illumination_linear_gains_reach_beyond_intensity() -> None:
    e = envelope("Illumination")
    image = np.full((32, 32, 3), 0.5, np.float32)
    gains = np.concatenate([(out / 0.5).ravel() for out in runs(A.Illumination(p=1), image, n=80)])
    assert e.contrast_min - 1e-4 <= gains.min() and gains.max() <= e.contrast_max + 1e-4
    assert gains.min() < 0.7  # with intensity <= 0.2 a normalised gradient would stop at 0.8
    white = np.ones((32, 32, 3), np.float32)
    for out in runs(A.Illumination(p=1), white, n=40):
        assert_affine_within(out, white, e, 1e-4)


@pytest.mark.parametrize("mode", ["corner", "gaussian"])
def test_illumination_other_modes(mode: str) -> None:
    e = envelope("Illumination", mode=mode)
    image = np.full((32, 32, 3), 0.5, np.float32)
    for out in runs(A.Illumination(mode=mode, p=1), image):
        gain = out / 0.5
        assert e.contrast_min - 1e-4 <= gain.min() and gain.max() <= e.contrast_max + 1e-4
        assert_affine_within(out, image, e, 1e-4)


def test_plasma_shadow_pixels() -> None:
    e = envelope("PlasmaShadow")
    white = np.ones((64, 64, 3), np.float32)
    darkest = max(float((white - out).max()) for out in runs(A.PlasmaShadow(p=1), white))
    assert darkest <= (1 - e.contrast_min) + 1e-4  # a local gain down to contrast_min
    assert darkest > 0.5


def test_plasma_brightness_contrast_pixels() -> None:
    e = envelope("PlasmaBrightnessContrast")
    for level in (0.2, 0.5, 0.8):
        flat = np.full((64, 64, 3), level, np.float32)
        for out in runs(A.PlasmaBrightnessContrast(p=1), flat, n=20):
            assert_affine_within(out, flat, e, 1e-4)


def test_random_tone_curve_pixels() -> None:
    e = envelope("RandomToneCurve", scale=0.1, per_channel=True)
    image = grey_ramp()
    t = A.RandomToneCurve(scale=0.1, per_channel=True, p=1)
    for out in runs(t, image, n=80):
        assert float(np.abs(as_float(out) - as_float(image)).max()) <= e.brightness + 0.5 / 255
        assert np.all(np.diff(out[0].astype(int), axis=0) >= 0)  # monotone: never solarises


def test_solarize_flips_the_brightest_value_even_at_threshold_one() -> None:
    out = A.Solarize(threshold_range=(1.0, 1.0), p=1)(image=np.array([[[254, 255, 0]]], np.uint8))["image"]
    assert out.tolist() == [[[254, 0, 0]]]
    assert envelope("Solarize", threshold_range=(1.0, 1.0)).nonmonotone


def test_to_sepia_pixels() -> None:
    e = envelope("ToSepia")
    image = grey_ramp()
    shift = np.abs(luma(A.ToSepia(p=1)(image=image)["image"]) - luma(image)).max()
    assert e.brightness - 2 / 255 <= shift <= e.brightness + 1 / 255


def test_planckian_jitter_pixels() -> None:
    e = envelope("PlanckianJitter")
    image = grey_ramp(np.float32)
    shifts = [float(np.abs(luma(out) - luma(image)).max()) for out in runs(A.PlanckianJitter(p=1), image, n=80)]
    assert max(shifts) <= e.brightness + 1e-3
    assert max(shifts) > 0.05


def test_channel_dropout_pixels() -> None:
    e = envelope("ChannelDropout")
    white = np.full((4, 4, 3), 255, np.uint8)
    shifts = [float(np.abs(luma(out) - 1.0).max()) for out in runs(A.ChannelDropout(p=1), white)]
    assert max(shifts) == pytest.approx(e.brightness, abs=1e-6)  # dropping green from white


def test_he_stain_pixels() -> None:
    for kwargs in ({}, {"augment_background": True}, {"method": "preset", "preset": "e_heavy"}):
        e = envelope("HEStain", **kwargs)
        image = grey_ramp(np.float32)
        t = A.HEStain(**kwargs, p=1)
        worst = max(float(np.abs(luma(out) - luma(image)).max()) for out in runs(t, image, n=40))
        assert worst <= e.brightness + 2e-3


def test_to_gray_from_lab_pixels() -> None:
    e = envelope("ToGray", method="from_lab")
    image = grey_ramp()
    out = as_float(A.ToGray(method="from_lab", p=1)(image=image)["image"])[0, :, 0]
    x = as_float(image)[0, :, 0]
    assert np.abs(out - x).max() <= e.brightness
    slopes = (out[32:] - out[:-32]) / (x[32:] - x[:-32])  # over 32 levels, past 8-bit rounding
    assert e.contrast_min <= slopes.min() and slopes.max() <= e.contrast_max


def test_fancy_pca_pixels_on_a_black_and_white_image() -> None:
    e = envelope("FancyPCA", alpha=0.1)
    image = np.zeros((16, 16, 3), np.float32)
    image[:, 8:] = 1.0  # the largest possible variance: eigenvalue 0.75
    ratios = []
    for out in runs(A.FancyPCA(alpha=0.1, p=1), image, n=200):
        ratios.append(float((out[0, 8:] - out[0, :8]).mean()))  # the black/white step, scaled (then clipped)
    assert e.contrast_min - 1e-4 <= min(ratios)
    assert min(ratios) < 0.95  # it does change contrast on such an image


FLAT_GREY = [
    A.ColorJitter(),
    A.ColorJitter(brightness=0.5, hue=0.2),
    A.HueSaturationValue(),
    A.RGBShift(),
    A.ToSepia(),
    A.PlanckianJitter(),
    A.PlanckianJitter(mode="cied"),
    A.ChannelDropout(),
    A.ChannelDropout(fill=255),
    A.RandomToneCurve(),
    A.RandomToneCurve(scale=0.3),
    A.FancyPCA(alpha=1.0),
    A.PlasmaShadow(),
    A.PlasmaBrightnessContrast(),
    A.Illumination(),
    A.RandomBrightnessContrast(),
    A.HEStain(),
    A.ToGray(),
    A.ToGray(method="from_lab"),
    A.ChannelShuffle(),
]


@pytest.mark.parametrize("transform", FLAT_GREY, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("level", [0, 40, 128, 200, 255])
def test_flat_grey_regions_move_within_the_brightness_bound(transform: Any, level: int) -> None:
    """Flat grey regions move as ``contrast · x + brightness`` allows, for uint8 and float32 alike."""
    e = processed_envelope(transform)
    transform.p = 1.0
    dtypes: tuple[type, ...] = (np.uint8, np.float32)
    if isinstance(transform, A.ChannelDropout) and transform.fill > 1:
        dtypes = (np.uint8,)  # fill is in pixel units: 255 written into a float32 image is 255, unclipped
    for dtype in dtypes:
        flat = np.full((32, 32, 3), level, np.uint8)
        image = flat if dtype == np.uint8 else flat.astype(np.float32) / 255
        for out in runs(transform, image, n=25):
            # out = c·(x - pivot) + pivot + b, the pivot anywhere in [0, 1] (see assert_affine_within).
            slack = max(abs(1.0 - e.contrast_min), abs(e.contrast_max - 1.0)) * max(level, 255 - level) / 255
            assert float(np.abs(luma(out) - level / 255).max()) <= e.brightness + slack + 1.5 / 255


def test_a_value_shift_scales_chroma_like_a_saturation_shift() -> None:
    # Regression (found by the soundness test): HSV keeps S and moves V, and a pixel's chroma is S·V, so
    # val_shift_limit=(10, 60) raised the probe patches' chroma by 1.3 while the entry said 1.0.
    env = envelope_of(A.HueSaturationValue(hue_shift_limit=0, sat_shift_limit=(-2, 0), val_shift_limit=(10, 60)))
    assert env.saturation_max == 61 and env.saturation_min == 0
    image = np.zeros((4, 4, 3), np.uint8)
    image[..., 0] = 60  # a dark red: chroma 60
    t = A.HueSaturationValue(hue_shift_limit=(0, 0), sat_shift_limit=(0, 0), val_shift_limit=(60, 60), p=1)
    out = t(image=image)["image"].astype(int)
    chroma = (out.max(axis=2) - out.min(axis=2)).max()
    assert 1.0 < chroma / 60 <= env.saturation_max


@pytest.mark.parametrize(
    ("given", "gain", "shift"),
    [
        # AlbumentationsX's default model: gain (1 + b) * c, offset (1 + b) * (1 - c) * mean
        ({}, (0.8 * 0.8, 1.2 * 1.2), 1.2 * 0.2),
        ({"brightness_limit": (0.3, 0.3), "contrast_limit": (0.4, 0.4)}, (1.3 * 1.4, 1.3 * 1.4), 1.3 * 0.4),
        ({"brightness_by_max": False}, (0.8 * 0.8, 1.2 * 1.2), 1.2 * 0.2),
        # written out, the legacy model: 2.0.8's reading
        ({"brightness_by_max": True}, (0.8, 1.2), 0.2),
    ],
)
def test_random_brightness_contrast_is_read_in_the_model_albumentationsx_runs(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, Any], gain: tuple[float, float], shift: float
) -> None:
    from safeaug import _installed

    monkeypatch.setattr(_installed, "installed_line", lambda: _installed.Installed("X", "AlbumentationsX 2.5.1", True))
    e = envelope("RandomBrightnessContrast", **given)
    assert (e.contrast_min, e.contrast_max) == pytest.approx(gain)
    assert e.brightness == pytest.approx(shift)
    monkeypatch.undo()
    if "brightness_by_max" not in given:  # 2.0.8 itself: brightness adds, the gain is the contrast alone
        assert envelope("RandomBrightnessContrast", **given).contrast_max == pytest.approx(
            1.0 + (given.get("contrast_limit") or (0.2, 0.2))[1]
        )
