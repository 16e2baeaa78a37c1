"""Envelopes of the occlusion, mixing and overlay entries."""

from __future__ import annotations

import warnings
from typing import Any

import albumentations as A
import numpy as np
import pytest
from support import assert_fields, envelope, envelope_of

from safeaug.catalog import get_entry
from safeaug.errors import ConfigError

warnings.filterwarnings("ignore", module="albumentations")

FAMILIES = {
    "CoarseDropout": "occlusion",
    "CoarseDropout3D": "occlusion",
    "ConstrainedCoarseDropout": "occlusion",
    "Erasing": "occlusion",
    "GridDropout": "occlusion",
    "MaskDropout": "occlusion",
    "XYMasking": "occlusion",
    "TimeMasking": "occlusion",
    "FrequencyMasking": "occlusion",
    "RandomGridShuffle": "occlusion",
    "Mosaic": "mixing",
    "FDA": "mixing",
    "HistogramMatching": "mixing",
    "PixelDistributionAdaptation": "mixing",
    "OverlayElements": "overlay",
    "TextImage": "overlay",
    "RandomFog": "overlay",
    "RandomRain": "overlay",
    "RandomSnow": "overlay",
    "RandomSunFlare": "overlay",
    "RandomShadow": "overlay",
    "RandomGravel": "overlay",
    "Spatter": "overlay",
}
FONT = {"font_path": "DejaVuSans.ttf"}
GAIN = 255.0


@pytest.mark.parametrize(("name", "family"), sorted(FAMILIES.items()))
def test_entry_is_registered_in_its_family(name: str, family: str) -> None:
    # Summaries, knobs and the family contract are checked over every entry in test_entries.py.
    entry = get_entry(name)
    assert entry is not None and entry.family == family


DEFAULT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("CoarseDropout", {"occlusion": 2 * 0.2 * 0.2}),
    ("CoarseDropout3D", {"occlusion": 0.2 * 0.2}),
    ("ConstrainedCoarseDropout", {}),  # no mask_indices, no bbox_labels: albumentations applies no holes
    ("Erasing", {"occlusion": 0.33}),
    ("GridDropout", {"occlusion": 0.25}),
    ("MaskDropout", {"occlusion": 1.0}),
    ("TimeMasking", {"occlusion": 1.0}),
    ("FrequencyMasking", {"occlusion": 1.0}),
    ("RandomGridShuffle", {"topology": True}),
    ("Mosaic", {"mixing": True, "resize": True, "crop_unbounded": True}),
    ("FDA", {"mixing": True, "color": True, "brightness": 1.0, "contrast_min": 0.0, "contrast_max": GAIN}),
    (
        "HistogramMatching",
        {"mixing": True, "color": True, "equalization": True, "brightness": 1.0, "contrast_min": 0.0,
         "contrast_max": GAIN},
    ),
    (
        "PixelDistributionAdaptation",
        {"mixing": True, "color": True, "inversion": True, "brightness": 1.0, "contrast_min": 0.0,
         "contrast_max": GAIN},
    ),
    ("OverlayElements", {"overlay": True, "mixing": True, "occlusion": 1.0}),
    ("RandomFog",
     {"overlay": True, "blur": float("inf"), "brightness": 1.0, "contrast_min": 0.0, "saturation_min": 0.0}),
    ("RandomRain", {"overlay": True, "brightness": 0.3, "contrast_min": 0.7}),
    (
        "RandomSnow",
        {"overlay": True, "brightness": 1.0, "contrast_max": 2.5, "nonmonotone": True, "saturation_min": 0.0},
    ),
    ("RandomSunFlare", {"overlay": True, "brightness": 1.0, "contrast_min": 0.0, "saturation_min": 0.0, "color": True}),
    ("RandomShadow", {"overlay": True, "brightness": 0.75 + 2 / 255, "contrast_min": 0.25}),
    ("RandomGravel", {"overlay": True, "occlusion": 0.0144 * 2 * 0.8 * 0.5}),
    ("Spatter", {"overlay": True, "brightness": 0.9 * 0.6 * 238 / 255, "color": True}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), DEFAULT_CASES, ids=[c[0] for c in DEFAULT_CASES])
def test_default_envelope(name: str, expected: dict[str, Any]) -> None:
    assert_fields(envelope(name), expected)


def test_xy_masking_has_no_masks_by_default() -> None:
    assert envelope("XYMasking").is_identity()


def test_text_image_requires_a_font() -> None:
    with pytest.raises(ConfigError, match="font_path"):
        envelope("TextImage")
    assert_fields(envelope("TextImage", **FONT), {"overlay": True})


# --------------------------------------------------------------------------- explicit arguments
EXPLICIT_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("CoarseDropout", {"num_holes_range": (1, 4), "hole_height_range": (0.1, 0.25), "hole_width_range": (0.1, 0.2)},
     {"occlusion": 0.2}),
    ("CoarseDropout", {"num_holes_range": (10, 10), "hole_height_range": (0.5, 0.5), "hole_width_range": (0.5, 0.5)},
     {"occlusion": 1.0}),
    # Pixel sizes: the share depends on the image size; the worst case is everything.
    ("CoarseDropout", {"hole_height_range": (8, 16), "hole_width_range": (8, 16)}, {"occlusion": 1.0}),
    # Height in pixels makes albumentations read the width in pixels too: 0.1–0.5 px is zero width.
    ("CoarseDropout", {"hole_height_range": (8, 16), "hole_width_range": (0.1, 0.5)}, {}),
    ("CoarseDropout3D", {"num_holes_range": (2, 2), "hole_height_range": (0.1, 0.3), "hole_width_range": (0.1, 0.3)},
     {"occlusion": 0.18}),
    ("CoarseDropout3D", {"num_holes_range": (0, 0)}, {}),
    ("ConstrainedCoarseDropout", {"mask_indices": [1], "num_holes_range": (2, 2), "hole_height_range": (0.2, 0.5),
                                  "hole_width_range": (0.2, 0.5)}, {"occlusion": 0.5}),
    ("ConstrainedCoarseDropout", {"bbox_labels": [1]}, {"occlusion": 0.01}),
    ("Erasing", {"scale": (0.02, 0.1)}, {"occlusion": 0.1}),
    ("GridDropout", {"ratio": 0.2}, {"occlusion": 0.25}),  # 1-pixel holes in 2-pixel cells
    ("GridDropout", {"ratio": 0.2, "unit_size_range": (10, 20)}, {"occlusion": 0.04}),
    ("GridDropout", {"ratio": 0.8, "holes_number_xy": (4, 4)}, {"occlusion": 0.64}),
    ("XYMasking", {"num_masks_x": 2, "mask_x_length": 10}, {"occlusion": 1.0}),
    ("XYMasking", {"num_masks_x": 0, "mask_x_length": 10}, {}),
    ("XYMasking", {"num_masks_y": (1, 3), "mask_y_length": (0, 0), "mask_x_length": 4}, {}),
    ("RandomGridShuffle", {"grid": (1, 1)}, {}),
    ("RandomGridShuffle", {"grid": (1, 2)}, {"topology": True}),
    ("Mosaic", {"grid_yx": (1, 1), "target_size": (256, 256), "cell_shape": (256, 256)},
     {"resize": True, "crop_unbounded": True}),
    ("FDA", {"beta_limit": (0.0, 0.0)}, {}),
    ("HistogramMatching", {"blend_ratio": (0.2, 0.4)},
     {"mixing": True, "color": True, "equalization": True, "brightness": 0.4 + 1 / 255, "contrast_min": 0.6,
      "contrast_max": 1 + 0.4 * 254}),
    ("HistogramMatching", {"blend_ratio": (0.0, 0.0)}, {}),
    ("PixelDistributionAdaptation", {"blend_ratio": (0.1, 0.5), "transform_type": "standard"},
     {"mixing": True, "color": True, "brightness": 0.5 + 1 / 255, "contrast_min": 0.5,
      "contrast_max": 1 + 0.5 * 254}),
    ("TextImage", {**FONT, "clear_bg": True}, {"overlay": True, "occlusion": 1.0}),
    ("TextImage", {**FONT, "fraction_range": (0.0, 0.0)}, {}),
    ("RandomFog", {"alpha_coef": 0.0}, {"overlay": True, "blur": float("inf")}),
    ("RandomRain", {"brightness_coefficient": 0.9}, {"overlay": True, "brightness": 0.1, "contrast_min": 0.9}),
    ("RandomRain", {"brightness_coefficient": 1.0}, {"overlay": True}),
    # t = 0.1/2 + 1/3; 1.5·t < 1, so lightness rises by at most 0.5·t, RGB by twice that (+ rounding).
    ("RandomSnow", {"brightness_coeff": 1.5, "snow_point_range": (0.1, 0.1)},
     {"overlay": True, "brightness": 2 * 0.5 * (0.05 + 1 / 3) + 0.01, "contrast_max": 1.5, "nonmonotone": True}),
    ("RandomSnow", {"brightness_coeff": 0.5, "snow_point_range": (0.1, 0.1)},
     {"overlay": True, "brightness": 2 * 0.5 * (0.05 + 1 / 3) + 0.01, "contrast_min": 0.5}),
    ("RandomSnow", {"method": "texture"},
     {"overlay": True, "brightness": 1.0, "color": True, "hue": 180.0, "saturation_min": 0.0,
      "saturation_max": GAIN, "contrast_max": 1 + 2.5 * 0.3}),
    ("RandomSunFlare", {"method": "physics_based"},
     {"overlay": True, "brightness": 1.0, "contrast_min": 0.0, "saturation_min": 0.0, "color": True}),
    ("RandomShadow", {"shadow_intensity_range": (1, 1), "num_shadows_limit": (1, 1), "shadow_roi": (0, 0.5, 1, 1)},
     {"overlay": True, "brightness": 1.0, "contrast_min": 0.0, "occlusion": 0.5}),
    ("RandomShadow", {"shadow_intensity_range": (0.2, 0.3), "num_shadows_limit": (1, 3)},
     {"overlay": True, "brightness": 1 - 0.7**3 + 3 / 255, "contrast_min": 0.7**3}),
    ("RandomGravel", {"number_of_patches": 10, "gravel_roi": (0, 0, 1, 1)}, {"overlay": True, "occlusion": 0.144}),
    ("Spatter", {"mode": "mud", "intensity": (0.5, 0.5)},
     {"overlay": True, "brightness": 0.5, "contrast_min": 0.5, "color": True}),
    ("Spatter", {"mode": "rain", "intensity": (0.5, 0.5), "color": (100, 100, 100)},
     {"overlay": True, "brightness": 0.9 * 0.5 * 100 / 255}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "given", "expected"), EXPLICIT_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(EXPLICIT_CASES)]
)
def test_explicit_envelope(name: str, given: dict[str, Any], expected: dict[str, Any]) -> None:
    assert_fields(envelope(name, **given), expected)


def test_bad_values_are_reported() -> None:
    with pytest.raises(ConfigError):
        envelope("RandomGridShuffle", grid=3)
    with pytest.raises(ConfigError):
        envelope("RandomShadow", shadow_roi=(0, 0.5))
    with pytest.raises(ConfigError):
        envelope("Spatter", mode="ink")
    with pytest.raises(ConfigError):
        envelope("CoarseDropout", num_holes_range="many")


# --------------------------------------------------------------------------- raw vs processed
# --------------------------------------------------------------------------- pixels
def _hidden_share(name: str, given: dict[str, Any], shape: tuple[int, int], runs: int, seed: int = 0) -> list[float]:
    white = np.full((*shape, 3), 255, np.uint8)
    transform = getattr(A, name)(p=1.0, **given)
    transform.set_random_seed(seed)
    return [float((transform(image=white)["image"] == 0).all(axis=-1).mean()) for _ in range(runs)]


def test_coarse_dropout_fractions_on_white() -> None:
    given = {"num_holes_range": (1, 3), "hole_height_range": (0.1, 0.3), "hole_width_range": (0.1, 0.3), "fill": 0}
    shares = _hidden_share("CoarseDropout", given, (100, 100), runs=300)
    bound = envelope("CoarseDropout", **given).occlusion
    assert max(shares) <= bound
    assert max(shares) >= 0.5 * bound


def test_coarse_dropout_in_pixels_can_hide_a_small_image() -> None:
    given = {"hole_height_range": (24, 32), "hole_width_range": (24, 32), "num_holes_range": (1, 1), "fill": 0}
    shares = _hidden_share("CoarseDropout", given, (32, 32), runs=50)
    assert max(shares) > 0.8
    assert envelope("CoarseDropout", **given).occlusion == 1.0


def test_coarse_dropout_pixel_height_with_fractional_width_hides_nothing() -> None:
    given = {"hole_height_range": (8, 16), "hole_width_range": (0.1, 0.5), "num_holes_range": (3, 3), "fill": 0}
    assert max(_hidden_share("CoarseDropout", given, (64, 64), runs=20)) == 0.0
    assert envelope("CoarseDropout", **given).occlusion == 0.0


@pytest.mark.parametrize("side", [24, 33, 100])
def test_grid_dropout_share(side: int) -> None:
    given = {"ratio": 0.2, "fill": 0}
    shares = _hidden_share("GridDropout", given, (side, side), runs=10)
    assert max(shares) <= envelope("GridDropout", **given).occlusion
    if side == 24:
        # 2-pixel cells get 1-pixel holes: far more than ratio² = 0.04.
        assert max(shares) > 0.2


def test_grid_dropout_with_unit_size_stays_near_ratio_squared() -> None:
    given = {"ratio": 0.2, "unit_size_range": (10, 20), "fill": 0}
    shares = _hidden_share("GridDropout", given, (120, 120), runs=10)
    assert 0.02 < max(shares) <= envelope("GridDropout", **given).occlusion


def test_erasing_share() -> None:
    given = {"scale": (0.1, 0.25), "fill": 0}
    shares = _hidden_share("Erasing", given, (80, 80), runs=100)
    bound = envelope("Erasing", **given).occlusion
    assert 0.9 * bound <= max(shares) <= bound + 0.01  # sides are rounded to whole pixels


def test_xy_masking_stripe_can_cover_the_image() -> None:
    given = {"num_masks_x": (1, 1), "mask_x_length": (16, 32), "fill": 0}
    shares = _hidden_share("XYMasking", given, (32, 32), runs=100)
    assert max(shares) > 0.9
    assert envelope("XYMasking", **given).occlusion == 1.0


def test_coarse_dropout_3d_per_slice() -> None:
    given = {"num_holes_range": (2, 2), "hole_depth_range": (0.5, 0.5), "hole_height_range": (0.3, 0.3),
             "hole_width_range": (0.3, 0.3), "fill": 0}  # fmt: skip
    transform = A.CoarseDropout3D(p=1.0, **given)
    transform.set_random_seed(0)
    bound = envelope("CoarseDropout3D", **given).occlusion
    for _ in range(30):
        volume = transform(volume=np.full((10, 40, 40), 255, np.uint8))["volume"]
        assert (volume == 0).mean(axis=(1, 2)).max() <= bound + 1e-9


def test_random_shadow_of_full_intensity_stays_in_its_roi() -> None:
    given = {"shadow_intensity_range": (1.0, 1.0), "num_shadows_limit": (3, 3), "shadow_roi": (0, 0.5, 1, 1)}
    shares = _hidden_share("RandomShadow", given, (64, 64), runs=30)
    assert 0.1 < max(shares) <= envelope("RandomShadow", **given).occlusion


def _max_change(name: str, given: dict[str, Any], image: np.ndarray, runs: int = 10) -> float:
    transform = getattr(A, name)(p=1.0, **given)
    transform.set_random_seed(0)
    worst = 0.0
    for _ in range(runs):
        out = transform(image=image)["image"].astype(np.float64)
        worst = max(worst, float(np.abs(out - image.astype(np.float64)).max()) / 255.0)
    return worst


RGB = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
WHITE = np.full((64, 64, 3), 255, np.uint8)


@pytest.mark.parametrize(
    ("name", "given", "image"),
    [
        ("RandomRain", {"brightness_coefficient": 0.8, "drop_color": (0, 0, 0)}, WHITE),
        ("RandomSnow", {"brightness_coeff": 2.5}, RGB),
        ("RandomSnow", {"brightness_coeff": 1.5, "snow_point_range": (0.3, 0.3)}, RGB),
        ("RandomSnow", {"brightness_coeff": 0.5, "snow_point_range": (0.3, 0.3)}, RGB),
        ("Spatter", {"mode": "mud", "intensity": (0.8, 0.8), "cutout_threshold": (0.3, 0.3)}, RGB),
        ("Spatter", {"mode": "rain", "intensity": (0.8, 0.8), "cutout_threshold": (0.3, 0.3)}, RGB),
        ("RandomShadow", {"shadow_intensity_range": (0.4, 0.4), "num_shadows_limit": (2, 2)}, WHITE),
        ("HistogramMatching", {"blend_ratio": (0.3, 0.3)}, RGB),
    ],
    ids=["rain", "snow-2.5", "snow-1.5", "snow-0.5", "mud", "spatter-rain", "shadow", "histogram"],
)
def test_largest_pixel_change_stays_within_brightness(name: str, given: dict[str, Any], image: np.ndarray) -> None:
    extra = {}
    if name == "HistogramMatching":
        extra = {"hm_metadata": [np.zeros_like(image), np.full_like(image, 255)]}
    transform = getattr(A, name)(p=1.0, **given)
    transform.set_random_seed(0)
    bound = envelope(name, **given).brightness
    worst = 0.0
    for _ in range(10):
        out = transform(image=image, **extra)["image"].astype(np.float64)
        worst = max(worst, float(np.abs(out - image.astype(np.float64)).max()) / 255.0)
    assert worst <= bound + 1e-9
    assert worst >= 0.6 * bound  # the bound is not far beyond what happens


def test_random_rain_scales_contrast_by_its_coefficient() -> None:
    ramp = np.tile(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], (64, 1, 3))
    out = A.RandomRain(p=1.0, brightness_coefficient=0.5, drop_color=(0, 0, 0))(image=ramp)["image"]
    ratio = np.ptp(out[..., 0].astype(float)) / np.ptp(ramp[..., 0].astype(float))
    assert ratio == pytest.approx(envelope("RandomRain", brightness_coefficient=0.5).contrast_min, abs=0.01)


def test_random_snow_bleach_is_not_monotone() -> None:
    # Lightness just below the threshold is brightened past lightness just above it.
    grey = np.array([[[115, 115, 115], [130, 130, 130]]], np.uint8)
    out = A.RandomSnow(p=1.0, brightness_coeff=2.0, snow_point_range=(0.3, 0.3))(image=grey)["image"]
    assert out[0, 0, 0] > out[0, 1, 0]
    assert envelope("RandomSnow", brightness_coeff=2.0).nonmonotone


def test_random_gravel_changes_a_small_share() -> None:
    grey = np.full((200, 200, 3), 128, np.uint8)
    given = {"number_of_patches": 20}
    transform = A.RandomGravel(p=1.0, **given)
    transform.set_random_seed(0)
    # Away from the gravel the RGB→HLS→RGB round trip moves pixels by a level or two; count real changes.
    shares = [float((np.abs(transform(image=grey)["image"].astype(int) - 128) > 3).any(-1).mean()) for _ in range(10)]
    assert 0.0 < max(shares) <= envelope("RandomGravel", **given).occlusion


def test_random_fog_blurs_even_without_fog() -> None:
    checker = (np.indices((90, 90)).sum(axis=0) % 2 * 255).astype(np.uint8)[..., None].repeat(3, axis=-1)
    out = A.RandomFog(p=1.0, alpha_coef=0.0)(image=checker)["image"]
    assert out.std() < 0.2 * checker.std()
    assert envelope("RandomFog", alpha_coef=0.0).blur == float("inf")


def test_histogram_matching_to_a_flat_reference_lowers_contrast() -> None:
    given = {"blend_ratio": (0.5, 0.5)}
    out = A.HistogramMatching(p=1.0, **given)(image=RGB, hm_metadata=[np.full_like(RGB, 100)])["image"]
    ratio = out.astype(float).std() / RGB.astype(float).std()
    assert ratio == pytest.approx(envelope("HistogramMatching", **given).contrast_min, abs=0.02)


def test_pixel_distribution_adaptation_pca_can_invert() -> None:
    rng = np.random.default_rng(0)
    inverted = False
    for _ in range(100):
        images = []
        for _ in range(2):
            base = rng.random((48, 48, 1)) * rng.normal(size=(1, 1, 3)) + rng.random((48, 48, 3)) * rng.random()
            base = (base - base.min()) / (np.ptp(base) + 1e-9)
            images.append((base * 255).astype(np.uint8))
        out = A.PixelDistributionAdaptation(p=1.0, blend_ratio=(1.0, 1.0))(image=images[0], pda_metadata=[images[1]])
        lum_in = images[0].astype(float).mean(-1).ravel()
        lum_out = out["image"].astype(float).mean(-1).ravel()
        if lum_out.std() > 0 and np.corrcoef(lum_in, lum_out)[0, 1] < -0.3:
            inverted = True
            break
    assert inverted
    assert envelope("PixelDistributionAdaptation").inversion
    assert not envelope("PixelDistributionAdaptation", transform_type="standard").inversion


def test_random_grid_shuffle_keeps_pixels_and_moves_them() -> None:
    img = np.arange(36 * 36, dtype=np.uint16).reshape(36, 36, 1)
    transform = A.RandomGridShuffle(p=1.0, grid=(3, 3))
    transform.set_random_seed(0)
    out = transform(image=img)["image"]
    assert sorted(out.ravel()) == sorted(img.ravel())
    assert not np.array_equal(out, img)


def test_snow_bleach_whitens_colours_away() -> None:
    # Regression (found by the soundness test): lightness pushed to white has no colour left.
    env = envelope_of(A.RandomSnow(snow_point_range=(0.9, 1.0), brightness_coeff=1.9, method="bleach"))
    assert env.saturation_min == 0.0
    mild = envelope_of(A.RandomSnow(snow_point_range=(0.0, 0.1), brightness_coeff=1.5, method="bleach"))
    assert mild.saturation_min == 1.0  # 1.5 · 0.38 < 1: nothing reaches white
