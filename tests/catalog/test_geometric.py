"""Geometric entries: their envelopes, and keypoints showing the envelopes hold what the pixels do."""

from __future__ import annotations

import math
from typing import Any

import albumentations as A
import numpy as np
import pytest
from support import envelope, envelope_of

from safeaug.catalog import get_entry
from safeaug.effects import Envelope


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (A.HorizontalFlip(), Envelope(mirror=True)),
        (A.TimeReverse(), Envelope(mirror=True)),
        (A.VerticalFlip(), Envelope(mirror=True, rotation=180)),
        (A.Transpose(), Envelope(mirror=True, rotation=90)),
        (A.RandomRotate90(), Envelope(rotation=180)),
        (A.D4(), Envelope(mirror=True, rotation=180)),
        (A.SquareSymmetry(), Envelope(mirror=True, rotation=180)),
        (A.CubicSymmetry(), Envelope(mirror=True, rotation=180)),
        (A.Rotate(), Envelope(rotation=90)),
        (A.Rotate(limit=15, border_mode=4), Envelope(rotation=15, reflect_border=True)),
        (A.Rotate(limit=(-5, 20), border_mode=3), Envelope(rotation=20, reflect_border=True)),
        (A.RandomScale(scale_limit=0.2), Envelope(scale_min=0.8, scale_max=1.2)),
        (A.Perspective(scale=(0.05, 0.1)), Envelope(perspective=0.1)),
        (A.ElasticTransform(), Envelope(nonrigid=True)),
        (A.GridDistortion(border_mode=2), Envelope(nonrigid=True, reflect_border=True)),
        (A.OpticalDistortion(), Envelope(nonrigid=True)),
        (A.ThinPlateSpline(), Envelope(nonrigid=True)),
        (A.PiecewiseAffine(), Envelope(nonrigid=True)),
        (A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=10), Envelope(nonrigid=True)),
        (A.Resize(64, 64), Envelope(resize=True, aspect=math.inf)),
        (A.LongestMaxSize(max_size=64), Envelope(resize=True)),
        (A.SmallestMaxSize(max_size=64), Envelope(resize=True)),
        (A.RandomCrop(32, 32), Envelope(crop_unbounded=True)),
        (A.CenterCrop(32, 32, pad_if_needed=True, border_mode=4), Envelope(crop_unbounded=True, reflect_border=True)),
        (A.RandomSizedCrop(min_max_height=(20, 30), size=(32, 32)), Envelope(crop_unbounded=True, resize=True)),
        (A.RandomCropFromBorders(0.1, 0.1, 0.2, 0.0), Envelope(crop_min=0.8 * 0.8, translation=0.2 / (2 * 0.8))),
        (A.PadIfNeeded(64, 64, border_mode=4), Envelope(reflect_border=True)),
        (A.Pad(padding=4), Envelope()),
        (A.NoOp(), Envelope()),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, Envelope) else "",
)
def test_envelopes(transform: Any, expected: Envelope) -> None:
    got = envelope_of(transform)
    assert got.differs() == expected.differs()
    for name in expected.differs():
        assert getattr(got, name) == pytest.approx(getattr(expected, name)), name


def test_shift_scale_rotate_defaults() -> None:
    e = envelope_of(A.ShiftScaleRotate())
    assert (e.rotation, e.translation) == (45, 0.0625)
    assert (e.scale_min, e.scale_max) == pytest.approx((0.9, 1.1))


def test_shift_scale_rotate_per_axis_shift_wins() -> None:
    e = envelope_of(A.ShiftScaleRotate(shift_limit=0.3, shift_limit_x=0.05, shift_limit_y=0.1))
    assert e.translation == pytest.approx(0.1)


def test_safe_rotate_shrinks_to_fit() -> None:
    e = envelope_of(A.SafeRotate(limit=45))
    assert e.rotation == 45
    assert e.scale_min == pytest.approx(1 / math.sqrt(2))


def test_rotate_with_crop_border_keeps_less_area() -> None:
    e = envelope_of(A.Rotate(limit=15, crop_border=True))
    assert e.crop_min == pytest.approx(1 / (math.cos(math.radians(15)) + math.sin(math.radians(15))) ** 2)


def test_affine_reads_every_argument_form() -> None:
    e = envelope_of(
        A.Affine(
            scale={"x": (0.8, 1.0), "y": (1.0, 1.3)},
            rotate=(-7, 3),
            shear=(-4, 4),
            translate_percent={"x": (-0.1, 0.05), "y": (0, 0.2)},
        )
    )
    assert (e.rotation, e.shear, e.translation) == (7, 4, 0.2)
    assert (e.scale_min, e.scale_max) == pytest.approx((0.8, 1.3))
    assert not e.mirror
    assert envelope_of(A.Affine(translate_px=(-12, 12))).translation_px == 12


def test_affine_negative_scales_mirror_or_turn() -> None:
    assert envelope_of(A.Affine(scale={"x": (-1, -1), "y": (1, 1)})).mirror
    both = envelope_of(A.Affine(scale=(-1, -1)))
    assert not both.mirror and both.rotation == 180
    spans_zero = envelope_of(A.Affine(scale=(-0.5, 1.0)))
    assert spans_zero.mirror and spans_zero.scale_min == 0


def test_random_resized_crop_area_and_zoom() -> None:
    e = envelope_of(A.RandomResizedCrop(size=(64, 64)))
    assert e.crop_min == pytest.approx(0.08) and e.resize
    assert e.scale_max == pytest.approx(math.sqrt((4 / 3) / 0.08))
    square = envelope_of(A.RandomResizedCrop(size=(64, 64), scale=(0.81, 1.0), ratio=(1, 1)))
    assert square.scale_max == pytest.approx(1 / 0.9)


def test_crop_and_pad_by_percent() -> None:
    # Regression (found by the soundness test): albumentations pads for positive values and crops for
    # negative ones; the entry had it the other way round.
    crop = envelope_of(A.CropAndPad(percent=-0.1))
    assert crop.crop_min == pytest.approx(0.64) and crop.translation == 0.0  # one value: the same on every side
    pad = envelope_of(A.CropAndPad(percent=(0.0, 0.2)))  # drawn per side: the content may move
    assert pad.crop_min == 1 and pad.scale_min == pytest.approx(1 / 1.4)
    assert pad.translation == pytest.approx(0.2 / 2.4)
    image = np.zeros((64, 64, 3), np.uint8)
    assert A.CropAndPad(percent=0.25, keep_size=False, p=1)(image=image)["image"].shape[0] == 96
    assert envelope_of(A.CropAndPad(px=10)).crop_unbounded


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("Rotate", {"limit": 20}),
        ("SafeRotate", {"limit": 30}),
        ("ShiftScaleRotate", {"shift_limit": 0.1, "scale_limit": 0.2, "rotate_limit": 10}),
        ("Affine", {"scale": 0.9, "rotate": 5, "shear": 3, "translate_percent": 0.1}),
        ("Affine", {"scale": (0.9, 1.1), "rotate": (-5, 5), "translate_percent": (-0.1, 0.1)}),
        ("Perspective", {"scale": 0.1}),
        ("RandomScale", {"scale_limit": 0.3}),
        ("RandomScale", {"scale_limit": (-0.2, 0.4)}),
        ("RandomResizedCrop", {"size": (32, 32), "scale": (0.5, 1.0)}),
        ("CropAndPad", {"percent": 0.1}),
        ("CropAndPad", {"percent": (-0.1, 0.1)}),
    ],
)
def test_raw_and_stored_arguments_give_the_same_envelope_of(name: str, raw: dict[str, Any]) -> None:
    assert envelope(name, **raw) == envelope_of(getattr(A, name)(**raw))


# ------------------------------------------------------------------------- keypoints agree with envelopes

SIZE = 200
GRID = [(x, y) for x in (70.0, 100.0, 130.0) for y in (60.0, 100.0, 140.0)]


def measure(transform: Any, seed: int) -> tuple[bool, float, float, float]:
    """(mirrored, rotation in degrees, smallest and largest axis scale) of what one call did."""
    pipe = A.Compose([transform], keypoint_params=A.KeypointParams(format="xy", remove_invisible=False), seed=seed)
    image = np.zeros((SIZE, SIZE, 3), np.uint8)
    out = np.asarray(pipe(image=image, keypoints=np.array(GRID))["keypoints"], dtype=float)[:, :2]
    src = np.c_[np.array(GRID), np.ones(len(GRID))]
    m, *_ = np.linalg.lstsq(src, out, rcond=None)
    linear = m[:2].T  # maps (x, y) to (x', y')
    mirrored = np.linalg.det(linear) < 0
    if mirrored:
        linear = linear @ np.diag([-1.0, 1.0])  # write the map as a left-right mirror, then the rest
    angle = abs(math.degrees(math.atan2(linear[1, 0] - linear[0, 1], linear[0, 0] + linear[1, 1])))
    singular = np.linalg.svd(linear, compute_uv=False)
    return bool(mirrored), angle, float(singular.min()), float(singular.max())


@pytest.mark.parametrize(
    "transform",
    [
        A.HorizontalFlip(p=1),
        A.VerticalFlip(p=1),
        A.Transpose(p=1),
        A.D4(p=1),
        A.SquareSymmetry(p=1),
        A.RandomRotate90(p=1),
        A.Rotate(limit=25, p=1),
        A.SafeRotate(limit=40, p=1),
        A.ShiftScaleRotate(shift_limit=0.05, scale_limit=0.15, rotate_limit=20, p=1),
        A.Affine(rotate=(-12, 12), scale=(0.8, 1.2), p=1),
        A.Affine(scale={"x": (-1, -1), "y": (1, 1)}, p=1),
        A.Affine(shear=(-10, 10), p=1),
        A.RandomScale(scale_limit=0.3, p=1),
        A.RandomResizedCrop(size=(SIZE, SIZE), scale=(0.6, 1.0), p=1),
    ],
    ids=lambda t: type(t).__name__,
)
def test_measured_keypoint_maps_lie_inside_the_envelope_of(transform: Any) -> None:
    env = envelope_of(transform)
    for seed in range(25):
        mirrored, angle, s_lo, s_hi = measure(transform, seed)
        assert env.mirror or not mirrored, f"seed {seed}: mirrored but the envelope says it cannot"
        assert angle <= env.rotation + env.shear + 0.5, f"seed {seed}: turned {angle:.1f}°, envelope {env.rotation}°"
        shear_room = math.tan(math.radians(env.shear)) + 1e-3
        assert s_lo >= env.scale_min - shear_room - 1e-2, f"seed {seed}: scale {s_lo:.3f} < {env.scale_min:.3f}"
        assert s_hi <= env.scale_max + shear_room + 1e-2, f"seed {seed}: scale {s_hi:.3f} > {env.scale_max:.3f}"


def test_flips_are_measured_as_what_the_envelope_says() -> None:
    assert measure(A.HorizontalFlip(p=1), 0)[:2] == (True, pytest.approx(0, abs=1e-6))
    mirrored, angle, *_ = measure(A.VerticalFlip(p=1), 0)
    assert mirrored and angle == pytest.approx(180, abs=1e-6)
    mirrored, angle, *_ = measure(A.Transpose(p=1), 0)
    assert mirrored and angle == pytest.approx(90, abs=1e-6)


def test_random_resized_crop_fix_fits_the_zoom_bound() -> None:
    from safeaug.catalog import get_entry

    knob = get_entry("RandomResizedCrop").knobs["scale"]  # type: ignore[union-attr]
    example = knob.example((0.85, 1.15))  # type: ignore[misc]
    assert example == "scale=(0.757, 1.0), ratio=(1, 1)"
    fixed = A.RandomResizedCrop(size=(32, 32), scale=(0.757, 1.0), ratio=(1, 1))
    assert envelope_of(fixed).scale_max <= 1.15


def test_crop_from_one_border_moves_the_centre() -> None:
    # Regression (found by the soundness test): cutting 24% from the left only moves the content centre
    # by 0.12 of the input side, 0.16 of the output's; the entry reported no translation.
    env = envelope_of(A.RandomCropFromBorders(crop_left=0.24, crop_right=0.0, crop_top=0.0, crop_bottom=0.0))
    assert env.translation == pytest.approx(0.24 / (2 * 0.76))


def test_an_affine_flip_of_the_y_axis_is_a_mirror_and_a_half_turn() -> None:
    # Regression (found by the soundness test): scale y in (-1.2, -0.6) with x positive is a vertical flip,
    # which this catalog writes as a mirror plus a half turn; the entry reported the mirror and 5°.
    env = envelope_of(A.Affine(scale={"x": (0.55, 1.86), "y": (-1.2, -0.6)}, rotate=(0, 5)))
    assert env.mirror and env.rotation == 180.0
    lr = envelope_of(A.Affine(scale={"x": (-1.0, -1.0), "y": (1.0, 1.0)}))
    assert lr.mirror and lr.rotation == 0.0


def test_grid_elastic_deform_says_keypoints_may_leave_their_pixels_where_a_cell_folds() -> None:
    # albumentations 2.0.8 paints folded cells over their neighbours but maps each keypoint with its own
    # cell's homography (tests/test_invariants_hold.py shows it); the entry says so, with the argument to keep
    # below a quarter of a cell.
    entry = get_entry("GridElasticDeform")
    assert entry is not None
    assert "keypoint" in entry.summary and "magnitude" in entry.summary and "quarter" in entry.summary
