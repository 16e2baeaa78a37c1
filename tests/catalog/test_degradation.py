"""Envelopes of the degradation entries: blur, noise, resolution, compression and sharpening."""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import albumentations as A
import numpy as np
import pytest
from support import assert_fields, envelope, envelope_of

from safeaug.catalog import get_entry
from safeaug.errors import ConfigError

warnings.filterwarnings("ignore", module="albumentations")

NAMES = [
    "AdditiveNoise", "AdvancedBlur", "Blur", "ChromaticAberration", "Defocus", "Downscale", "Emboss",
    "GaussNoise", "GaussianBlur", "GlassBlur", "ISONoise", "ImageCompression", "MedianBlur", "Morphological",
    "MotionBlur", "MultiplicativeNoise", "PixelDropout", "RingingOvershoot", "SaltAndPepper", "Sharpen",
    "ShotNoise", "Superpixels", "UnsharpMask", "ZoomBlur",
]  # fmt: skip


def box(k: int) -> float:
    return math.sqrt((k * k - 1) / 12)


# --------------------------------------------------------------------------- registration
def test_every_degradation_transform_is_in_the_degradation_family() -> None:
    # Summaries, knobs and the family contract are checked over every entry in test_entries.py.
    assert {get_entry(name).family for name in NAMES} == {"degradation"}  # type: ignore[union-attr]


DEFAULT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("AdditiveNoise", {"brightness": 0.1, "color": True}),  # constant mode: RGBShift-like offsets
    ("Blur", {"blur": box(7)}),
    ("MedianBlur", {"blur": box(7)}),
    ("GaussianBlur", {"blur": 3.0}),
    ("Defocus", {"blur": None}),  # computed below from the kernel itself
    ("GlassBlur", {"blur": math.sqrt(2 * 0.7**2 + (0.75 * 4 * math.sqrt(2)) ** 2)}),
    ("ZoomBlur", {"blur": math.inf}),
    ("Morphological", {"blur": box(3)}),
    ("Downscale", {"resolution": 0.25}),
    ("ImageCompression", {"compression": 99.0}),
    ("Superpixels", {"resolution": 0.0}),
    ("GaussNoise", {"noise": 0.44}),
    ("ISONoise", {"noise": 0.5, "brightness": 0.25, "color": True}),
    ("ShotNoise", {"noise": 0.62 * 0.3 ** (1 / 2.2)}),
    ("MultiplicativeNoise", {"contrast_min": 0.9, "contrast_max": 1.1, "brightness": 0.1}),
    ("PixelDropout", {"occlusion": 0.01}),
    ("SaltAndPepper", {"noise": math.sqrt(0.06 * 0.6)}),
    ("Sharpen", {"sharpen": True, "contrast_min": 0.75, "contrast_max": 1.0, "brightness": 0.25}),
    ("Emboss", {"sharpen": True}),
    ("UnsharpMask", {"sharpen": True}),
    ("ChromaticAberration", {"color": True, "nonrigid": True}),
]


def defocus_kernel_sigma(radius: int, alias: float) -> float:
    """Per-axis spread of albumentations' Defocus kernel, built with cv2 as albumentations does."""
    import cv2

    length = np.arange(-max(8, radius), max(8, radius) + 1)
    x, y = np.meshgrid(length, length)
    disk = ((x**2 + y**2) <= radius**2).astype(np.float32)
    disk /= disk.sum()
    kernel = cv2.GaussianBlur(disk, (3, 3) if radius <= 8 else (5, 5), sigmaX=alias).astype(np.float64)
    kernel /= kernel.sum()
    return math.sqrt(float((kernel * x**2).sum()))


@pytest.mark.parametrize(("name", "expected"), DEFAULT_CASES, ids=[c[0] for c in DEFAULT_CASES])
def test_default_envelope(name: str, expected: dict[str, Any]) -> None:
    if name == "Defocus":
        expected = {"blur": defocus_kernel_sigma(10, 0.5)}
    assert_fields(envelope(name), expected)


def motion_kernel_sigma(k: int, directions: tuple[float, ...] = (-1.0, 0.0, 1.0)) -> float:
    """Widest spread of albumentations' own motion kernels over all angles (no random shift)."""
    import random

    from albumentations.augmentations.blur.functional import create_motion_kernel

    best = 0.0
    for angle in np.arange(0.0, 180.0, 0.5):
        for direction in directions:
            kernel = create_motion_kernel(k, float(angle), direction, False, random.Random(0)).astype(np.float64)
            best = max(best, _spread(kernel[..., None])[0])
    return best


@pytest.mark.parametrize("k", [3, 5, 7, 11])
def test_motion_blur_matches_the_widest_kernel(k: int) -> None:
    env = envelope("MotionBlur", blur_limit=(k, k))
    widest = motion_kernel_sigma(k)
    diagonal = math.sqrt((k * k - 1) / 6)  # a line along the kernel's diagonal caps it
    assert widest <= env.blur == pytest.approx(min(1.03 * widest, diagonal), rel=0.01)
    assert env.translation_px == k // 2  # centroid moved by the one-sided line and the shift


def test_default_motion_blur() -> None:
    env = envelope("MotionBlur")
    assert set(env.differs()) == {"blur", "translation_px"}
    assert env.blur == pytest.approx(1.03 * motion_kernel_sigma(7), rel=0.01)


def test_default_advanced_blur_is_near_a_box_of_seven() -> None:
    # Default kernels are at most 7 taps, sigma <= 1, beta >= 0.5: measured spread 1.99 px; with
    # tap noise in [0.9, 1.1] the bound is 1.99·sqrt(1.1/0.9)·1.02.
    env = envelope("AdvancedBlur")
    assert env.differs() == ["blur"]
    assert 1.99 * math.sqrt(1.1 / 0.9) <= env.blur <= 2.3


def test_default_ringing_overshoot_blurs_and_rings() -> None:
    env = envelope("RingingOvershoot")
    assert env.sharpen
    # Cutoff pi/4 on an ideal low-pass is sigma 1.5; truncated to 7 taps it is a little wider.
    assert 1.5 <= env.blur <= 2.2


# --------------------------------------------------------------------------- explicit arguments
EXPLICIT_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("Downscale", {"scale_range": (0.25, 0.25)}, {"resolution": 0.25}),
    ("Downscale", {"scale_range": (0.5, 0.9)}, {"resolution": 0.5}),
    ("GaussianBlur", {"sigma_limit": (0.5, 1.0)}, {"blur": 1.0}),
    # An explicit size truncates the Gaussian: 3 taps of sigma 5 are nearly a box of 3.
    ("GaussianBlur", {"sigma_limit": (5, 5), "blur_limit": (3, 3)}, {"blur": 0.8143}),
    # blur_limit=3 means (0, 3): size 0 (derived from sigma) is possible, so sigma itself counts.
    ("GaussianBlur", {"sigma_limit": (5, 5), "blur_limit": 3}, {"blur": 5.0}),
    ("Blur", {"blur_limit": 5}, {"blur": box(5)}),
    ("Blur", {"blur_limit": (3, 6)}, {"blur": box(7)}),  # even sizes are made odd
    ("Blur", {"blur_limit": (9, 5)}, {"blur": box(5)}),  # a reversed pair collapses to its upper end
    ("MedianBlur", {"blur_limit": (3, 3)}, {"blur": box(3)}),
    (
        "MotionBlur",
        {"blur_limit": (3, 3), "allow_shifted": False, "direction_range": (0.0, 0.0)},
        {"blur": math.sqrt(8 / 6)},
    ),
    (
        "MotionBlur",
        {"blur_limit": (9, 9), "allow_shifted": False},
        {"blur": 1.03 * math.sqrt(8), "translation_px": 2.0},
    ),
    ("Defocus", {"radius": (1, 1), "alias_blur": (0.0, 0.0)}, {"blur": math.sqrt(0.4 + 0.5)}),
    ("GlassBlur", {"sigma": 1.0, "max_delta": 2, "iterations": 1, "mode": "exact"}, {"blur": math.sqrt(2 + 9)}),
    ("ZoomBlur", {"max_factor": (1.0, 1.01), "step_factor": (0.02, 0.03)}, {}),  # only zoom 1: no change
    ("Morphological", {"scale": (5, 1), "operation": "erosion"}, {"blur": box(5)}),
    ("ImageCompression", {"quality_range": (40, 90), "compression_type": "webp"}, {"compression": 40.0}),
    ("Superpixels", {"p_replace": (0.0, 0.0)}, {}),
    ("GaussNoise", {"std_range": (0.01, 0.05), "mean_range": (-0.1, 0.02)}, {"noise": 0.05, "brightness": 0.1}),
    (
        "ISONoise",
        {"intensity": (0.1, 0.2), "color_shift": (0.0, 0.0)},
        {"noise": math.sqrt(2) * 0.2**1.5, "brightness": 0.04},
    ),
    ("ShotNoise", {"scale_range": (0.01, 0.01)}, {"noise": 0.62 * 0.01 ** (1 / 2.2)}),
    ("ShotNoise", {"scale_range": (0.5, 5.0)}, {"noise": 0.5}),
    (
        "AdditiveNoise",
        {
            "noise_type": "gaussian",
            "spatial_mode": "per_pixel",
            "noise_params": {"mean_range": (-0.02, 0.01), "std_range": (0.0, 0.04)},
        },
        {"noise": 0.04, "brightness": 0.02},
    ),
    (
        "AdditiveNoise",
        {"noise_type": "uniform", "spatial_mode": "shared", "noise_params": {"ranges": [(-0.1, 0.3)]}},
        {"noise": 0.4 / math.sqrt(12), "brightness": 0.1},
    ),
    (
        "AdditiveNoise",
        {
            "noise_type": "laplace",
            "spatial_mode": "per_pixel",
            "noise_params": {"mean_range": (0, 0), "scale_range": (0.01, 0.02)},
        },
        {"noise": 0.02 * math.sqrt(2)},
    ),
    (
        "AdditiveNoise",
        {
            "noise_type": "beta",
            "spatial_mode": "per_pixel",
            "noise_params": {"alpha_range": (1, 3), "beta_range": (1, 1), "scale_range": (0.1, 0.2)},
        },
        {"noise": 0.2 / math.sqrt(3), "brightness": 0.2 * 0.5},
    ),
    (
        "MultiplicativeNoise",
        {"multiplier": (0.8, 1.0), "elementwise": True},
        {"noise": 0.2 / math.sqrt(12), "contrast_min": 0.8, "brightness": 0.2},
    ),
    (
        "MultiplicativeNoise",
        {"multiplier": (0.9, 1.2), "per_channel": True},
        {"contrast_min": 0.9, "contrast_max": 1.2, "brightness": 0.2, "color": True},
    ),
    ("PixelDropout", {"dropout_prob": 0.2, "per_channel": True}, {"occlusion": 1 - 0.8**3, "color": True}),
    ("SaltAndPepper", {"amount": (0.0, 0.04), "salt_vs_pepper": (1.0, 1.0)}, {"noise": 0.2}),
    (
        "Sharpen",
        {"alpha": (0.5, 0.5), "lightness": (2.0, 2.0)},
        {"sharpen": True, "contrast_min": 1.5, "contrast_max": 1.5, "brightness": 0.5},
    ),
    ("Sharpen", {"method": "gaussian", "alpha": (0.1, 0.3)}, {"sharpen": True}),
    ("Sharpen", {"alpha": (0.0, 0.0)}, {}),
    ("Emboss", {"alpha": (0.0, 0.0)}, {}),
    ("UnsharpMask", {"alpha": (0.0, 0.0)}, {}),
    ("ChromaticAberration", {"primary_distortion_limit": 0, "secondary_distortion_limit": 0}, {}),
]


@pytest.mark.parametrize(
    ("name", "given", "expected"), EXPLICIT_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(EXPLICIT_CASES)]
)
def test_explicit_envelope(name: str, given: dict[str, Any], expected: dict[str, Any]) -> None:
    assert_fields(envelope(name, **given), expected)


def test_advanced_blur_grows_with_kernel_size_and_sigma() -> None:
    small = envelope("AdvancedBlur", blur_limit=(3, 3), sigma_x_limit=(0.2, 0.5), sigma_y_limit=(0.2, 0.5))
    large = envelope("AdvancedBlur", blur_limit=(3, 15), sigma_x_limit=(0.2, 4.0), sigma_y_limit=(0.2, 4.0))
    assert small.blur < box(3) * math.sqrt(2) * 1.2
    assert large.blur > 4.0


def test_advanced_blur_without_a_noise_floor_falls_back_to_the_kernel_support() -> None:
    # noise_limit=1.2 means (0, 1.2): taps can be zeroed, so only the support bounds the spread.
    env = envelope("AdvancedBlur", blur_limit=(7, 7), noise_limit=1.2)
    assert env.blur == pytest.approx(3 * math.sqrt(2) * 1.02)


def test_ringing_overshoot_lower_cutoff_blurs_more() -> None:
    sharp = envelope("RingingOvershoot", blur_limit=(15, 15), cutoff=(1.5, 3.0)).blur
    soft = envelope("RingingOvershoot", blur_limit=(15, 15), cutoff=(0.3, 3.0)).blur
    assert sharp < 1.0 < soft


def test_defocus_spread_is_monotone_in_the_radius() -> None:
    # The entry evaluates the kernel at the largest radius only.
    values = [envelope("Defocus", radius=(1, r), alias_blur=(0.1, 0.5)).blur for r in range(1, 80)]
    assert all(b >= a for a, b in itertools.pairwise(values))
    assert values[-1] == pytest.approx(79 / 2, rel=0.01)  # a uniform disk has sigma r/2


@pytest.mark.parametrize(("radius", "alias"), [(1, 0.0), (3, 0.1), (8, 0.5), (9, 0.5), (10, 0.5), (15, 2.0), (40, 1.0)])
def test_defocus_matches_the_kernel_albumentations_builds(radius: int, alias: float) -> None:
    env = envelope("Defocus", radius=(radius, radius), alias_blur=(alias, alias))
    assert env.blur == pytest.approx(defocus_kernel_sigma(radius, alias), rel=1e-3)


def test_noise_type_is_checked() -> None:
    with pytest.raises(ConfigError):
        envelope("AdditiveNoise", noise_type="pink")
    with pytest.raises(ConfigError):
        envelope("GaussNoise", std_range="loud")


# --------------------------------------------------------------------------- raw vs processed
# One case per range parameter: a bare number wherever albumentations accepts one, otherwise the
# list a YAML file would hold.
# --------------------------------------------------------------------------- pixels
def _dot(size: int = 63) -> np.ndarray:
    img = np.zeros((size, size, 1), np.float32)
    img[size // 2, size // 2] = 1.0
    return img


def _spread(out: np.ndarray) -> tuple[float, float, float]:
    """Widest standard deviation and centroid offset (x, y) of a blurred dot."""
    k = out[..., 0].astype(np.float64)
    k = k / k.sum()
    c = out.shape[0] // 2
    ys, xs = np.mgrid[0 : out.shape[0], 0 : out.shape[1]] - c
    mx, my = (k * xs).sum(), (k * ys).sum()
    cxx = (k * (xs - mx) ** 2).sum()
    cyy = (k * (ys - my) ** 2).sum()
    cxy = (k * (xs - mx) * (ys - my)).sum()
    widest = (cxx + cyy) / 2 + math.sqrt(((cxx - cyy) / 2) ** 2 + cxy**2)
    return math.sqrt(widest), abs(mx), abs(my)


BLUR_PIXEL_CASES: list[tuple[str, dict[str, Any], float]] = [
    # name, arguments, the least share of the bound that some run must reach (tightness)
    ("Blur", {"blur_limit": (3, 9)}, 0.99),
    ("GaussianBlur", {"sigma_limit": (0.5, 2.0)}, 0.9),
    ("GaussianBlur", {"sigma_limit": (3, 3), "blur_limit": (5, 5)}, 0.99),
    ("MotionBlur", {"blur_limit": (3, 9)}, 0.8),
    ("MotionBlur", {"blur_limit": (3, 3)}, 0.95),
    ("Defocus", {"radius": (3, 6), "alias_blur": (0.1, 0.5)}, 0.9),
    ("AdvancedBlur", {}, 0.6),
    (
        "AdvancedBlur",
        {"blur_limit": (9, 9), "sigma_x_limit": (2, 3), "sigma_y_limit": (0.2, 0.5), "beta_limit": (0.5, 2)},
        0.75,
    ),
]


@pytest.mark.parametrize(
    ("name", "given", "tight"), BLUR_PIXEL_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(BLUR_PIXEL_CASES)]
)
def test_blur_of_a_dot_stays_within_the_envelope(name: str, given: dict[str, Any], tight: float) -> None:
    env = envelope(name, **given)
    transform = getattr(A, name)(p=1.0, **given)
    transform.set_random_seed(0)
    spreads = []
    for _ in range(150):
        sigma, dx, dy = _spread(transform(image=_dot())["image"])
        spreads.append(sigma)
        assert sigma <= env.blur + 0.02
        # tap noise (AdvancedBlur) moves the centroid by a fraction of a pixel; not reported
        assert max(dx, dy) <= env.translation_px + 0.15
    assert max(spreads) >= tight * env.blur  # and not far beyond what happens


def test_motion_blur_can_shift_the_image() -> None:
    env = envelope("MotionBlur", blur_limit=(9, 9))
    transform = A.MotionBlur(p=1.0, blur_limit=(9, 9))
    transform.set_random_seed(1)
    shifts = [max(_spread(transform(image=_dot())["image"])[1:]) for _ in range(200)]
    assert 1.5 < max(shifts) <= env.translation_px


def test_morphological_erases_thin_lines_like_its_window() -> None:
    img = np.full((32, 32, 1), 255, np.uint8)
    img[:, 15:17] = 0  # a dark line two pixels wide
    out = A.Morphological(p=1.0, scale=(5, 5), operation="dilation")(image=img)["image"]
    assert out[:, 15:17].min() == 255  # gone
    assert envelope("Morphological", scale=(5, 5)).blur == pytest.approx(box(5))


def _change_std(name: str, given: dict[str, Any], image: np.ndarray, runs: int = 8) -> float:
    transform = getattr(A, name)(p=1.0, **given)
    transform.set_random_seed(0)
    worst = 0.0
    for _ in range(runs):
        out = transform(image=image)["image"].astype(np.float64)
        diff = (out - image.astype(np.float64)) / (255.0 if image.dtype == np.uint8 else 1.0)
        worst = max(worst, float(diff.std()))
    return worst


def test_gauss_noise_on_flat_grey() -> None:
    grey = np.full((128, 128, 3), 128, np.uint8)
    env = envelope("GaussNoise")
    measured = _change_std("GaussNoise", {}, grey, runs=20)
    # std is drawn from (0.2, 0.44) of full scale; clipping at 0 and 255 only lowers it.
    assert 0.25 < measured <= env.noise


@pytest.mark.parametrize("level", [0.01, 0.05, 0.2, 0.6])
def test_shot_noise_on_flat_images(level: float) -> None:
    given = {"scale_range": (0.05, 0.05)}
    flat = np.full((96, 96, 3), level, np.float32)
    assert _change_std("ShotNoise", given, flat) <= envelope("ShotNoise", **given).noise


def test_shot_noise_bound_is_tight_at_its_worst_level() -> None:
    given = {"scale_range": (0.05, 0.05)}
    # The worst level is where x^2.2 is about the scale (a few photons).
    worst = max(_change_std("ShotNoise", given, np.full((96, 96, 3), x, np.float32)) for x in (0.15, 0.2, 0.25))
    assert worst >= 0.9 * envelope("ShotNoise", **given).noise


def test_iso_noise_on_a_high_contrast_image() -> None:
    given = {"intensity": (0.3, 0.3), "color_shift": (0.01, 0.01)}
    img = np.zeros((96, 96, 3), np.uint8)
    img[:, 48:] = 255  # lightness std 0.5, the worst case
    transform = A.ISONoise(p=1.0, **given)
    transform.set_random_seed(0)
    env = envelope("ISONoise", **given)
    dark = np.stack([transform(image=img)["image"][:, :48].astype(np.float64) / 255 for _ in range(10)])
    assert dark.std() <= env.noise
    assert dark.mean() <= env.brightness


def test_salt_and_pepper_rms_change() -> None:
    given = {"amount": (0.05, 0.05), "salt_vs_pepper": (0.5, 0.5)}
    grey = np.full((128, 128, 3), 0, np.uint8)  # black: every salt pixel jumps by full scale
    transform = A.SaltAndPepper(p=1.0, **given)
    transform.set_random_seed(0)
    out = transform(image=grey)["image"].astype(np.float64) / 255
    rms = math.sqrt(float((out**2).mean()))
    env = envelope("SaltAndPepper", **given)
    assert 0.9 * env.noise * math.sqrt(0.5) <= rms <= env.noise


def test_multiplicative_noise_elementwise_on_white() -> None:
    given = {"multiplier": (0.8, 1.0), "elementwise": True}
    white = np.ones((96, 96, 3), np.float32)
    measured = _change_std("MultiplicativeNoise", given, white)
    bound = envelope("MultiplicativeNoise", **given).noise
    assert 0.95 * bound <= measured <= 1.02 * bound  # the bound is the exact std; 2% sampling slack


def test_additive_noise_constant_offset_stays_within_brightness() -> None:
    given = {"noise_type": "uniform", "spatial_mode": "constant", "noise_params": {"ranges": [(-0.2, 0.2)]}}
    grey = np.full((16, 16, 3), 0.5, np.float32)
    transform = A.AdditiveNoise(p=1.0, **given)
    transform.set_random_seed(0)
    for _ in range(20):
        shift = np.abs(transform(image=grey)["image"] - grey).max()
        assert shift <= envelope("AdditiveNoise", **given).brightness + 1e-6


def test_pixel_dropout_share_of_zeroed_pixels() -> None:
    white = np.full((128, 128, 3), 255, np.uint8)
    env = envelope("PixelDropout", dropout_prob=0.1)
    transform = A.PixelDropout(p=1.0, dropout_prob=0.1, drop_value=0)
    transform.set_random_seed(0)
    share = float((transform(image=white)["image"] == 0).all(axis=-1).mean())
    assert abs(share - env.occlusion) < 0.01


def test_sharpen_kernel_darkens_flat_areas_within_brightness() -> None:
    given = {"alpha": (0.5, 0.5), "lightness": (0.5, 0.5)}
    white = np.ones((16, 16, 3), np.float32)
    out = A.Sharpen(p=1.0, **given)(image=white)["image"]
    env = envelope("Sharpen", **given)
    assert float(np.abs(1.0 - out).max()) == pytest.approx(env.brightness, abs=1e-4)
    assert float(out.mean()) == pytest.approx(env.contrast_min, abs=1e-4)


def test_superpixels_resamples_the_whole_image() -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
    transform = A.Superpixels(p=1.0, p_replace=(0.1, 0.1), n_segments=(50, 50), max_size=64)
    transform.set_random_seed(0)
    out = transform(image=img)["image"]
    # Far more than the replaced tenth changes: the whole image went through 64 px.
    assert (out != img).any(axis=-1).mean() > 0.9
    assert envelope("Superpixels", p_replace=(0.1, 0.1), max_size=64).resolution == 0.0


def test_downscale_loses_detail_at_the_reported_factor() -> None:
    img = np.zeros((64, 64, 1), np.uint8)
    img[::2] = 255  # one-pixel stripes: gone at half resolution
    out = A.Downscale(p=1.0, scale_range=(0.5, 0.5))(image=img)["image"]
    assert envelope("Downscale", scale_range=(0.5, 0.5)).resolution == 0.5
    assert len(np.unique(out[:, 0])) == 1


def test_pixel_dropout_per_channel_touches_about_three_times_as_many_pixels() -> None:
    # Regression (found by the soundness test): with per_channel each channel drops on its own, so a pixel
    # loses some channel with probability 1 - (1 - p)³ (0.45 at p = 0.18), not p.
    t = A.PixelDropout(dropout_prob=0.18, per_channel=True, drop_value=0, p=1)
    image = np.full((128, 128, 3), 200, np.uint8)
    t.set_random_seed(0)
    touched = (t(image=image)["image"] != 200).any(axis=2).mean()
    env = envelope_of(t)
    assert touched > 0.3 and touched <= env.occlusion + 0.02


def test_gaussian_blur_with_sigma_zero_whitens_every_pixel_and_is_refused_under_every_policy() -> None:
    import safeaug

    rng = np.random.default_rng(0)
    image = (rng.random((32, 32, 3)) * 255).astype(np.uint8)
    for kwargs in ({"sigma_limit": 0}, {"sigma_limit": (0, 0), "blur_limit": (3, 7)}):
        out = A.Compose([A.GaussianBlur(p=1, **kwargs)], seed=0)(image=image)["image"]
        assert (out == 255).all()  # the truth on pixels: 2.0.8 builds a NaN kernel
        report = safeaug.validate(A.Compose([A.GaussianBlur(p=0.5, **kwargs)]), "natural")
        assert "SA410" in report.codes() and not report.ok
        described = envelope("GaussianBlur", **kwargs)
        assert described.destroys and described.contrast_min == 0.0 and described.occlusion == 1.0
    # a range that starts at 0 draws 0 with probability nil: an ordinary blur
    assert not envelope("GaussianBlur", sigma_limit=(0, 0.5)).destroys
