"""Pipelines an adversary would write to get a label-breaking geometry past the validator, judged against the
truth measured on coordinate maps (where each output pixel came from, see safeaug.coordmap).

One test per way of hiding an effect: a shear that is really a turn or a mirror, a warp strong enough to fold,
frame loss that is not a crop, and a share that only holds on square inputs.
"""

from __future__ import annotations

from typing import Any

import albumentations as A
import pytest

import safeaug
from safeaug.coordmap import CoordReading, measure

SEEDS = range(12)
# Share of the pixels with a reversed local orientation from which a warp counts as folding the image: a few
# isolated pixels (under 0.01%) of a 512 px SIIM-ACR elastic warp are rounding at the scale of one pixel.
FOLDED = 1e-3


def readings(t: Any, shape: tuple[int, int], seeds: range = SEEDS) -> list[CoordReading]:
    return [measure(t, shape, seed=s) for s in seeds]


def static(t: Any) -> safeaug.Report:
    return safeaug.validate(A.Compose([t]), "chest_xray")


def codes(t: Any, policy: str = "chest_xray") -> set[str]:
    return {f.code for f in safeaug.validate(A.Compose([t]), policy).errors}


# ---------------------------------------------------------------- shear read as shear only


@pytest.mark.parametrize(
    ("transform", "code"),
    [
        # opposite shears are a turn: 15° + 10° = 25° past chest_xray's 15°
        (A.Affine(rotate=(15, 15), shear={"x": (-10, -10), "y": (10, 10)}, p=1), "SA102"),
        # one shear range for both axes draws them on their own: the same turn hides in shear=(-10, 10)
        (A.Affine(rotate=(-15, 15), shear=(-10, 10), p=1), "SA102"),
        # tan 50° · tan 50° > 1: the image comes out mirrored
        (A.Affine(shear={"x": (50, 50), "y": (50, 50)}, p=1), "SA101"),
    ],
    ids=["opposite-shears-turn", "one-range-both-axes", "shear-product-mirrors"],
)
def test_shear_is_read_as_the_turn_mirror_and_zoom_it_makes(transform: Any, code: str) -> None:
    measured = readings(transform, (128, 128), range(40))
    env = static(transform).envelope
    turn = max(r.turn for r in measured)
    if code == "SA102":
        assert turn > 15.0 + 2.0  # the truth breaks the 15° bound
    else:
        assert all(r.mirror for r in measured)
    assert code in codes(transform)
    # the static envelope holds everything the pixels did
    assert env.rotation >= turn - 0.5
    assert env.mirror or not any(r.mirror for r in measured)
    assert env.scale_min <= min(r.zoom[1] for r in measured) + 0.01
    assert env.scale_max >= max(r.zoom[0] for r in measured) - 0.01
    assert env.shear >= max(r.shear for r in measured) - 0.5


def test_a_shear_product_of_one_collapses_the_image_and_is_refused_as_a_zoom_to_nothing() -> None:
    t = A.Affine(shear={"x": (45, 45), "y": (45, 45)}, p=1)
    (reading,) = readings(t, (128, 128), range(1))
    assert reading.collapsed and reading.fill > 0.95
    env = static(t).envelope
    assert env.scale_min == 0.0 and "SA103" in codes(t)


def test_mild_shears_within_the_bounds_stay_admitted_and_inside_the_envelope() -> None:
    # a 5° shear also zooms by up to 1 + tan 5°: with scale 0.95-1.05 that stays within 0.85-1.15
    t = A.Affine(rotate=(-5, 5), shear=(-5, 5), scale=(0.95, 1.05), p=1)
    measured = readings(t, (128, 128), range(24))
    env = static(t).envelope
    assert static(t).ok
    assert env.rotation >= max(r.turn for r in measured) - 0.5
    assert env.shear >= max(r.shear for r in measured) - 0.5


# ---------------------------------------------------------------- warps without a magnitude


def test_warps_carry_a_magnitude_and_folding_ones_are_refused() -> None:
    siim = A.ElasticTransform(alpha=120, sigma=6, p=1)
    grid = A.GridDistortion(p=1)
    for t in (siim, grid):
        measured = readings(t, (512, 512), range(4))
        assert max(r.folds for r in measured) < FOLDED
        assert static(t).envelope.warp >= max(r.displacement for r in measured)
        assert static(t).ok, str(static(t))
    assert safeaug.validate(A.Compose([siim, grid]), "chest_xray").ok

    extreme = A.ElasticTransform(alpha=1000, sigma=2, p=1)
    spline = A.ThinPlateSpline(p=1)  # the default (0.2, 0.4) folds
    for t in (extreme, spline):
        measured = readings(t, (256, 256), range(4))
        assert max(r.folds for r in measured) > 10 * FOLDED
        assert static(t).envelope.fold
        assert "SA112" in codes(t)


# ---------------------------------------------------------------- frame loss counted only for explicit crops


def test_frame_loss_is_counted_whatever_removes_it() -> None:
    # TorchXRayVision's RandomAffine: a 1.15 zoom and a 15% shift move an edge in by about a fifth
    torchxrayvision = A.Affine(rotate=(-15, 15), scale=(0.85, 1.15), translate_percent=(-0.15, 0.15), p=1)
    measured = readings(torchxrayvision, (128, 128), range(40))
    env = static(torchxrayvision).envelope
    assert static(torchxrayvision).ok, str(static(torchxrayvision))
    assert env.edge_travel >= max(r.edge_travel for r in measured) - 0.01
    assert env.crop_min <= min(r.kept for r in measured) + 0.01

    # a zoom in keeps 1 / 1.3² of the area, as a crop would: counted as one
    zoom = A.Affine(scale=(1.3, 1.3), p=1)
    (reading,) = readings(zoom, (128, 128), range(1))
    assert static(zoom).envelope.crop_min == pytest.approx(reading.kept, abs=0.02)

    # two thirds of the area, within the area bound, but cut from the bottom: a lung base goes
    base_cutter = A.RandomCropFromBorders(crop_left=0, crop_right=0, crop_top=0, crop_bottom=0.35, p=1)
    measured = readings(base_cutter, (256, 256), range(40))
    assert static(base_cutter).envelope.crop_min >= 0.45
    assert max(r.edge_travel for r in measured) > 0.25
    assert static(base_cutter).envelope.edge_travel >= max(r.edge_travel for r in measured) - 0.01
    assert "SA113" in codes(base_cutter)

    # Perspective(keep_size=True) stretches the warped page over the frame: glyphs at the ends leave it
    page = A.Perspective(scale=(0.05, 0.1), p=1)
    measured = readings(page, (128, 384))
    assert min(r.kept for r in measured) < 0.9
    assert static(page).envelope.crop_min <= min(r.kept for r in measured)
    assert "SA108" in codes(page, "ocr")


# ---------------------------------------------------------------- square-only geometry


def test_aspect_dependent_shares_hold_on_long_inputs_too() -> None:
    # a square crop resized to 2:1, on a 2:1 film: no square crop of 85% fits, the fallback keeps half
    rrc = A.RandomResizedCrop(size=(256, 512), scale=(0.85, 1.0), ratio=(1.0, 1.0), p=1)
    measured = readings(rrc, (256, 512), range(4))
    assert all(r.kept == pytest.approx(0.5, abs=0.01) for r in measured)
    assert all(r.zoom == pytest.approx((2.0, 1.0), abs=0.01) for r in measured)
    env = safeaug.validate(A.Compose([rrc]), "ocr").envelope
    assert env.crop_min <= 0.5 + 1e-6 and env.aspect >= 2.0
    assert "SA108" in codes(rrc, "ocr")

    turned = A.Rotate(limit=(15, 15), crop_border=True, p=1)
    for shape in ((128, 128), (128, 256), (256, 128)):
        (reading,) = readings(turned, shape, range(1))
        assert static(turned).envelope.crop_min <= reading.kept + 0.01
