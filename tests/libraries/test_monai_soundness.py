"""MONAI entries are sound on pixels: what each transform really does stays inside the envelope its entry gives.

Geometry is measured on coordinate maps (each pixel holds its own column and row, 0 is border fill) sent
through the real MONAI transform as a two-channel image with nearest interpolation and zero padding;
intensities on ramps and flat images in [0, 1]. Arguments are drawn by hypothesis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("monai")

import monai.transforms as mt
import torch

import safeaug.catalog.monai  # noqa: F401  (registers the entries)
from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.coordmap import CoordReading, coordinate_maps, read_maps
from safeaug.effects import Envelope
from safeaug.libraries.monai import read_live

torch.set_num_threads(1)

SHAPE = (40, 56)  # rows, columns: not square, so that the roles of the two axes show
SEEDS = 6


def envelope_of(obj: Any) -> Envelope:
    """The envelope the catalog gives a live MONAI object, read as safeaug reads it."""
    live = read_live(obj)
    assert live is not None and live.children is None
    entry = get_entry(live.name)
    assert entry is not None, live.name
    return entry.envelope(Params(live.name, live.params, defaults_for(live.name)))


def run_maps(obj: Any, seed: int, key: str | None = None) -> CoordReading:
    xs, ys = coordinate_maps(SHAPE)
    data = torch.from_numpy(np.stack([xs, ys]))
    if hasattr(obj, "set_random_state"):
        obj.set_random_state(seed=seed)
    out = obj({key: data})[key] if key else obj(data)
    arr = np.asarray(out[0] if isinstance(out, list) else out, dtype=np.float64)
    return read_maps(arr[0], arr[1], SHAPE)


def outside(reading: CoordReading, env: Envelope) -> list[str]:
    """What the measured geometry does beyond the envelope (empty when it is inside)."""
    problems = []
    if reading.collapsed:
        return [] if env.scale_min == 0.0 else ["collapsed"]
    if reading.mirror and not env.mirror:
        problems.append("mirror")
    if reading.turn > env.rotation + 1.5:
        problems.append(f"turn {reading.turn:.1f} > {env.rotation:.1f}")
    big, small = reading.zoom
    if big > env.scale_max * 1.04 + 0.02 or small < env.scale_min * 0.96 - 0.02:
        problems.append(f"zoom {reading.zoom} outside [{env.scale_min:.3f}, {env.scale_max:.3f}]")
    # Nearest-neighbour resampling of a turned 40x56 map reads a little shear that is not there (it shrinks with
    # the image: about 0.6 deg at 40x56 and 0.03 deg at 160x224 over 40 draws of a 0.5 rad turn); one rare draw
    # reads 2.1 deg.
    if reading.shear > env.shear + 2.5:
        problems.append(f"shear {reading.shear:.1f} > {env.shear:.1f}")
    # A turn or a shear about the centre cuts corners only (bounded by rotation and shear, not counted in
    # crop_min), and a shift in pixels loses a share that depends on the input size.
    counts_all = not (env.crop_unbounded or env.rotation or env.shear or env.translation_px)
    if counts_all and reading.kept < env.crop_min - 0.04:
        problems.append(f"kept {reading.kept:.3f} < {env.crop_min:.3f}")
    return problems


def assert_geometry_inside(obj: Any, key: str | None = None) -> None:
    env = envelope_of(obj)
    for seed in range(SEEDS):
        reading = run_maps(obj, seed, key)
        assert outside(reading, env) == [], (seed, reading, env)


# --------------------------------------------------------------------------- geometry
axes = st.one_of(
    st.none(),
    st.sampled_from([0, 1]),
    st.lists(st.sampled_from([0, 1]), min_size=1, max_size=2, unique=True),
)
radians = st.floats(0.0, math.pi, allow_nan=False)


@given(axis=axes)
def test_flips(axis: Any) -> None:
    assert_geometry_inside(mt.Flip(spatial_axis=axis))
    assert_geometry_inside(mt.RandFlip(prob=1.0, spatial_axis=axis))
    assert_geometry_inside(mt.RandFlipd(keys="label", prob=1.0, spatial_axis=axis), key="label")


def test_each_flip_axis_is_what_the_catalog_says() -> None:
    """Channel first, axis 1 is left-right (a mirror), axis 0 upside down, both a half turn."""
    left_right = run_maps(mt.Flip(spatial_axis=1), 0)
    assert left_right.mirror and left_right.turn < 1
    assert envelope_of(mt.Flip(spatial_axis=1)).rotation == 0.0
    both = run_maps(mt.Flip(spatial_axis=None), 0)
    assert not both.mirror and abs(both.turn - 180) < 1
    for seed in range(SEEDS):
        assert_geometry_inside(mt.RandAxisFlip(prob=1.0))
        assert run_maps(mt.RandAxisFlip(prob=1.0), seed).mirror


@given(k=st.integers(-5, 5), max_k=st.integers(1, 4))
def test_quarter_turns(k: int, max_k: int) -> None:
    assert_geometry_inside(mt.Rotate90(k=k))
    assert_geometry_inside(mt.RandRotate90(prob=1.0, max_k=max_k))
    assert_geometry_inside(mt.RandRotate90d(keys="label", prob=1.0, max_k=max_k), key="label")


@given(lo=st.floats(-math.pi, math.pi), hi=st.floats(-math.pi, math.pi), keep=st.booleans())
def test_random_rotations_in_radians(lo: float, hi: float, keep: bool) -> None:
    rng = (min(lo, hi), max(lo, hi))
    t = mt.RandRotate(range_x=rng, prob=1.0, keep_size=keep, mode="nearest", padding_mode="zeros")
    assert_geometry_inside(t)
    td = mt.RandRotated(keys="label", range_x=rng[1], prob=1.0, mode="nearest", padding_mode="zeros")
    assert_geometry_inside(td, key="label")


@given(angle=st.floats(-math.pi, math.pi))
def test_fixed_rotation(angle: float) -> None:
    assert_geometry_inside(mt.Rotate(angle=angle, mode="nearest", padding_mode="zeros"))


zooms = st.floats(0.5, 2.0)


@given(a=zooms, b=zooms, keep=st.booleans())
def test_zooms(a: float, b: float, keep: bool) -> None:
    lo, hi = min(a, b), max(a, b)
    assert_geometry_inside(
        mt.RandZoom(prob=1.0, min_zoom=lo, max_zoom=hi, mode="nearest", padding_mode="constant", keep_size=keep)
    )
    assert_geometry_inside(mt.Zoom(zoom=a, mode="nearest", padding_mode="constant"))
    assert_geometry_inside(
        mt.RandZoomd(
            keys="label", prob=1.0, min_zoom=(lo, lo), max_zoom=(hi, hi), mode="nearest", padding_mode="constant"
        ),
        key="label",
    )


ranges = st.one_of(
    st.none(),
    st.floats(0.0, 1.0),
    st.tuples(st.floats(0.0, 0.6), st.floats(0.0, 0.6)),
)


@given(
    rotate=st.one_of(st.none(), st.floats(0.0, 1.2)),
    shear=st.one_of(st.none(), st.floats(0.0, 0.6), st.tuples(st.floats(0.0, 0.6), st.floats(0.0, 0.6))),
    scale=st.one_of(st.none(), st.floats(0.0, 0.6), st.tuples(st.floats(-0.5, 0.6), st.floats(-0.5, 0.6))),
    translate=st.one_of(st.none(), st.tuples(st.floats(0, 8), st.floats(0, 8))),
)
def test_random_affine(rotate: Any, shear: Any, scale: Any, translate: Any) -> None:
    kwargs = {"rotate_range": rotate, "shear_range": shear, "scale_range": scale, "translate_range": translate}
    assert_geometry_inside(mt.RandAffine(prob=1.0, mode="nearest", padding_mode="zeros", **kwargs))
    assert_geometry_inside(
        mt.RandAffined(keys="label", prob=1.0, mode="nearest", padding_mode="zeros", **kwargs), key="label"
    )


@given(
    rotate=st.floats(-1.5, 1.5),
    shear=st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)),
    scale=st.tuples(st.floats(0.6, 1.6), st.floats(0.6, 1.6)),
)
def test_fixed_affine(rotate: float, shear: tuple[float, float], scale: tuple[float, float]) -> None:
    t = mt.Affine(
        rotate_params=rotate,
        shear_params=shear,
        scale_params=scale,
        mode="nearest",
        padding_mode="zeros",
        image_only=True,
    )
    assert_geometry_inside(t)


def test_a_negative_scale_mirrors_and_the_catalog_says_so() -> None:
    t = mt.RandAffine(prob=1.0, scale_range=((-2.0, -2.0), (0.0, 0.0)), mode="nearest", padding_mode="zeros")
    assert run_maps(t, 0).mirror
    assert envelope_of(t).mirror
    assert_geometry_inside(t)


@given(share=st.floats(0.3, 1.0), random_center=st.booleans())
def test_scale_crops(share: float, random_center: bool) -> None:
    assert_geometry_inside(mt.RandScaleCrop(roi_scale=share, random_center=random_center))
    assert_geometry_inside(mt.CenterScaleCrop(roi_scale=share))


@given(magnitude=st.floats(0.0, 3.0), rotate=st.floats(0.0, 0.5))
def test_elastic_keeps_its_affine_part(magnitude: float, rotate: float) -> None:
    t = mt.Rand2DElastic(
        spacing=(10, 10),
        magnitude_range=(0.0, magnitude),
        rotate_range=rotate,
        prob=1.0,
        mode="nearest",
        padding_mode="zeros",
    )
    env = envelope_of(t)
    assert env.nonrigid == (magnitude > 0)
    for seed in range(3):
        reading = run_maps(t, seed)
        assert reading.turn <= env.rotation + 3.0 and (not reading.mirror or env.mirror)


# --------------------------------------------------------------------------- reflected borders
def border_content(obj: Any, seed: int) -> bool:
    """Whether the output shows input content copied from inside the image where a zero fill would be empty:
    run once with zero padding and once with the transform's own mode, the same draw."""
    import copy

    zero = copy.deepcopy(obj)
    for t in [zero, *vars(zero).values()]:
        for name in ("padding_mode",):
            if hasattr(t, name):
                setattr(t, name, "zeros")
        inner = getattr(t, "rand_affine", None) or getattr(t, "rand_rotate", None)
        if inner is not None and hasattr(inner, "padding_mode"):
            inner.padding_mode = "zeros"
    xs, ys = coordinate_maps(SHAPE)
    data = torch.from_numpy(np.stack([xs, ys]))
    zero.set_random_state(seed=seed)
    obj.set_random_state(seed=seed)
    a = np.asarray(zero(data))
    b = np.asarray(obj(data))
    fill = a[0] == 0
    if not fill.any():
        return False
    h, w = SHAPE
    bx, by = b[0][fill], b[1][fill]
    interior = (bx > 1.5) & (bx < w - 0.5) & (by > 1.5) & (by < h - 0.5)
    return bool(interior.mean() > 0.2)


@pytest.mark.parametrize("mode", ["reflection", "border", "zeros"])
def test_reflective_padding_is_mirrored_border_content(mode: str) -> None:
    t = mt.RandAffine(prob=1.0, rotate_range=0.6, scale_range=(0.4, 0.4), mode="nearest", padding_mode=mode)
    env = envelope_of(t)
    seen = any(border_content(t, seed) for seed in range(SEEDS))
    assert seen == (mode == "reflection")
    assert env.reflect_border == (mode == "reflection")


def test_an_affine_output_grid_of_its_own_size_is_padded_with_its_mode() -> None:
    grown = mt.RandAffine(prob=1.0, spatial_size=(60, 80), mode="nearest", padding_mode="reflection")
    assert border_content(grown, 0)  # no turn, no zoom: the larger grid alone shows mirrored content
    env = envelope_of(grown)
    assert env.reflect_border and env.crop_unbounded and env.canvas_growth == math.inf
    assert not envelope_of(mt.RandAffine(prob=1.0, padding_mode="reflection")).reflect_border


def test_monai_affine_reflects_by_default() -> None:
    assert envelope_of(mt.RandAffined(keys="image", prob=0.5, rotate_range=0.3)).reflect_border
    assert not envelope_of(
        mt.RandAffined(keys="image", prob=0.5, rotate_range=0.3, padding_mode="zeros")
    ).reflect_border


# --------------------------------------------------------------------------- intensities
def ramp() -> torch.Tensor:
    return torch.linspace(0.0, 1.0, SHAPE[1]).repeat(1, SHAPE[0], 1).float()


def applied(obj: Any, seed: int, image: torch.Tensor) -> np.ndarray:
    obj.set_random_state(seed=seed)
    return np.asarray(obj(image.clone()), dtype=np.float64)


@given(lo=st.floats(-0.5, 0.5), hi=st.floats(-0.5, 0.5))
def test_shift_intensity(lo: float, hi: float) -> None:
    t = mt.RandShiftIntensity(offsets=(min(lo, hi), max(lo, hi)), prob=1.0)
    env = envelope_of(t)
    for seed in range(SEEDS):
        diff = applied(t, seed, ramp()) - ramp().numpy()
        assert np.abs(diff).max() <= env.brightness + 1e-5


@given(f=st.floats(0.0, 1.5))
def test_scale_intensity_gain(f: float) -> None:
    t = mt.RandScaleIntensity(factors=f, prob=1.0)
    env = envelope_of(t)
    x = ramp().numpy()
    for seed in range(SEEDS):
        out = applied(t, seed, ramp())
        gain = out[0, 0, -1] / x[0, 0, -1]
        assert env.contrast_min - 1e-5 <= abs(gain) <= env.contrast_max + 1e-5
        assert gain >= 0 or env.inversion
        assert np.abs(out - x).max() <= env.brightness + 1e-5


@given(a=st.floats(0.6, 4.0), b=st.floats(0.6, 4.0))
def test_gamma(a: float, b: float) -> None:
    t = mt.RandAdjustContrast(prob=1.0, gamma=(min(a, b), max(a, b)))
    env = envelope_of(t)
    x = ramp().numpy()
    mid = SHAPE[1] // 2
    for seed in range(SEEDS):
        out = applied(t, seed, ramp())
        g = math.log(out[0, 0, mid]) / math.log(x[0, 0, mid])
        assert env.gamma_min - 1e-3 <= g <= env.gamma_max + 1e-3


@given(std=st.floats(0.01, 0.3))
def test_gaussian_noise(std: float) -> None:
    t = mt.RandGaussianNoise(prob=1.0, std=std)
    env = envelope_of(t)
    flat = torch.full((1, *SHAPE), 0.5)
    for seed in range(SEEDS):
        measured = (applied(t, seed, flat) - 0.5).std()
        assert measured <= env.noise * 1.1


@given(hi=st.floats(0.3, 3.0))
def test_gaussian_smooth(hi: float) -> None:
    t = mt.RandGaussianSmooth(sigma_x=(0.25, hi), sigma_y=(0.25, hi), prob=1.0)
    env = envelope_of(t)
    dot = torch.zeros((1, *SHAPE))
    dot[0, SHAPE[0] // 2, SHAPE[1] // 2] = 1.0
    ys, xs = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1]]
    for seed in range(SEEDS):
        out = applied(t, seed, dot)[0]
        out = out / out.sum()
        sx = math.sqrt((out * (xs - SHAPE[1] // 2) ** 2).sum())
        sy = math.sqrt((out * (ys - SHAPE[0] // 2) ** 2).sum())
        assert max(sx, sy) <= env.blur + 0.05


@given(c=st.floats(0.0, 0.3), degree=st.integers(1, 4))
def test_bias_field_gain(c: float, degree: int) -> None:
    t = mt.RandBiasField(prob=1.0, degree=degree, coeff_range=(0.0, c))
    env = envelope_of(t)
    flat = torch.full((1, *SHAPE), 0.5)
    for seed in range(SEEDS):
        gain = applied(t, seed, flat) / 0.5
        assert env.contrast_min - 1e-4 <= gain.min() and gain.max() <= env.contrast_max + 1e-4


def test_inverted_window_is_an_inversion() -> None:
    t = mt.ScaleIntensityRange(a_min=0.0, a_max=1.0, b_min=1.0, b_max=0.0)
    out = np.asarray(t(ramp()))
    assert out[0, 0, 0] > out[0, 0, -1]
    assert envelope_of(t).inversion
    assert not envelope_of(mt.ScaleIntensityRange(a_min=-1000, a_max=1000, b_min=0.0, b_max=1.0)).inversion
    negative = mt.NormalizeIntensity(subtrahend=0.5, divisor=-0.5)
    out = np.asarray(negative(ramp()))
    assert out[0, 0, 0] > out[0, 0, -1] and envelope_of(negative).inversion
    assert not envelope_of(mt.NormalizeIntensity()).inversion


# --------------------------------------------------------------------------- the check itself can fail
def test_the_check_catches_a_wrong_envelope() -> None:
    """A catalog that forgot MONAI's conventions would be caught: a left-right flip read as nothing, radians
    read as degrees, a zoom read backwards."""
    flip = run_maps(mt.Flip(spatial_axis=1), 0)
    assert "mirror" in outside(flip, Envelope())
    turned = run_maps(mt.Rotate(angle=0.5, mode="nearest", padding_mode="zeros"), 0)
    assert any(p.startswith("turn") for p in outside(turned, Envelope(rotation=0.5)))
    zoomed = run_maps(mt.Zoom(zoom=1.5, mode="nearest", padding_mode="constant"), 0)
    assert any(p.startswith("zoom") for p in outside(zoomed, Envelope(scale_min=1 / 1.5, scale_max=1.0)))


# --------------------------------------------------------------------------- the probe agrees
# Transforms whose effect the probe reads on its own images. Not here: turns, zooms and affine maps (the probe cannot
# register the colour patches of a plain callable that moves them, and reads the misplaced colours as a hue
# change), gamma on its colour charts, a gain its uint8 images clip, and MONAI's zero-padded Gaussian
# smoothing, which darkens a band along the border the probe reads as occlusion; their geometry and tone are
# measured directly above.
PROBED = [
    lambda: mt.RandFlipd(keys="image", prob=1.0, spatial_axis=1),
    lambda: mt.RandFlipd(keys="image", prob=1.0, spatial_axis=0),
    lambda: mt.RandShiftIntensityd(keys="image", offsets=0.1, prob=1.0),
    lambda: mt.RandGaussianNoised(keys="image", std=0.05, prob=1.0),
    lambda: mt.RandScaleIntensityd(keys="image", factors=0.3, prob=1.0, channel_wise=True),
]


@pytest.mark.parametrize("make", PROBED)
def test_the_probe_measures_nothing_outside_the_entry(make: Any) -> None:
    """safeaug's probe runs the MONAI transform on its own images through the adapter (channel-first tensors,
    dictionaries under the transform's keys); what it measures must lie inside the entry's envelope."""
    from safeaug.probing import excess, probe

    t = make()
    measured = probe(t, seeds=4, size=48).envelope
    assert excess(measured, envelope_of(t)) == {}
    assert probe(t, seeds=4, size=48).envelope == measured  # the copy that runs is seeded: the same draws
