"""Pipelines a policy admits keep its invariants on real pixels; refusals for mirroring and rotation are real.

For every built-in policy (however many there are), pipelines are drawn with
``safeaug.strategies.pipelines(policy)`` and probed as a whole. Measured, they must stay inside the
static envelope the validator judged (which the policy admits), with the probe's tolerances, and the
policy's bounds on mirroring, rotation, inversion and hue must hold directly. Masks and keypoints must
move with the image. And transforms refused for mirroring or rotation must really mirror, or turn
further than the policy allows, on some seed.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from test_soundness import probe_limits

import safeaug
import safeaug.strategies as sst
from safeaug.effects import Envelope
from safeaug.probing import TOLERANCE, excess, probe
from safeaug.readers import read_object

pytestmark = pytest.mark.slow  # a property suite: admitted pipelines are run and measured on pixels

POLICIES = tuple(safeaug.list_policies())
EXAMPLES = max(3, settings.default.max_examples // 15)  # about 4 per policy under "ci", 66 under "thorough"
SEEDS = 8

fast = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=EXAMPLES < 20,
    phases=[Phase.explicit, Phase.generate],
)


def invariant(policy: Any, effect: str) -> Any:
    return next((inv for inv in policy.invariants if inv.effect == effect), None)


def constant_borders(pipeline: Any) -> Any:
    """A copy with every border mode constant: albumentations reflects keypoints under reflect borders,
    which the probe's keypoint fit cannot tell from the originals (see test_soundness)."""
    out = copy.deepcopy(pipeline)
    stack = [out]
    while stack:
        t = stack.pop()
        if getattr(t, "border_mode", 0) != 0:
            t.border_mode = 0
        stack.extend(getattr(t, "transforms", None) or [])
    return out


def turned_then_stretched(rotation: float, aspect: float) -> float:
    """Degrees of shear in a turn by ``rotation`` followed by axis scales ``aspect`` apart.

    diag(k, 1) · R(θ) keeps no right angle: its columns a, b meet at 90° ± asin(|sinθ cosθ (k² - 1)| / |a||b|).
    """
    t = math.radians(min(rotation, 45.0))
    s, c, k = math.sin(t), math.cos(t), aspect
    return math.degrees(math.asin(min(1.0, abs(s * c * (k * k - 1.0)) / (math.hypot(k * c, s) * math.hypot(k * s, c)))))


def chain_readings(static: Envelope, measured: Envelope, found: dict[str, Any]) -> dict[str, Any]:
    """``found`` without what a chain of transforms does that its static envelope allows under another name.

    One picture, two descriptions; no single transform shows these, so the soundness test never meets them:

    * a turn followed by a resize to a fixed size keeps no right angle between the image axes when the
      resize changes the aspect, and the probe's fit reads that as shear. The envelope counts the shear of
      a bounded stretch after a turn (``aspect``, see ``safeaug.effects.stretch_shear``), but a resize's
      aspect change depends on the input, so it is not bounded there (docs/soundness.md).
    * a blur after a dropout smears each dropped pixel over the blur's footprint, and the probe reads the
      smear as hidden pixels: ``PixelDropout(dropout_prob=0.02)`` then ``MotionBlur(7)`` reads as 10%
      occlusion, the same two in the other order as 2%. Nothing more is hidden (each pixel of the smear
      keeps most of its own value), so the reading may reach the share of pixels within a footprint of a
      dropped one, a square of side 2·ceil(2σ)+1 for the envelope's blur σ.
    """
    out = dict(found)
    if "shear" in out and static.rotation > 0 and static.resize and not static.perspective:
        del out["shear"]
    if "occlusion" in out and static.occlusion > 0 and static.blur > 0:
        footprint = (2 * math.ceil(2 * static.blur) + 1) ** 2
        if measured.occlusion <= 1.0 - (1.0 - min(1.0, static.occlusion)) ** footprint:
            del out["occlusion"]
    return out


def test_a_blur_after_a_dropout_is_read_as_more_occlusion_and_the_other_order_is_not() -> None:
    """The reading ``chain_readings`` allows for, measured: it is the order, not the transforms, that smears."""

    def drop() -> Any:
        return A.PixelDropout(dropout_prob=0.02, drop_value=10, p=1.0)

    def smear() -> Any:
        return A.MotionBlur(blur_limit=(7, 7), angle_range=(0, 0), p=1.0)

    after = probe(A.Compose([drop(), smear()]), seeds=4, size=64, seed=0).envelope
    before = probe(A.Compose([smear(), drop()]), seeds=4, size=64, seed=0).envelope
    static = safeaug.validate(A.Compose([drop(), smear()]), "natural").envelope
    assert after.occlusion > 2 * before.occlusion and before.occlusion < 0.03
    assert chain_readings(static, after, {"occlusion": (after.occlusion, static.occlusion)}) == {}


@pytest.mark.parametrize("policy_id", POLICIES)
@fast
@given(data=st.data())
def test_admitted_pipelines_keep_the_policy_when_measured(policy_id: str, data: st.DataObject) -> None:
    policy = safeaug.load_policy(policy_id)
    pipeline = data.draw(sst.pipelines(policy))
    report = safeaug.validate(pipeline, policy)
    assert report.ok
    # Borders are made constant for the keypoint fit: the measurement is compared with the envelope of the
    # copy that was measured, not of the pipeline the policy admitted.
    measured_pipeline = constant_borders(pipeline)
    static = safeaug.validate(measured_pipeline, policy).envelope
    measured = probe(measured_pipeline, seeds=SEEDS, size=64, seed=0).envelope

    names = {n.name for n in read_object(pipeline).walk() if not n.is_composition}
    found = chain_readings(static, measured, probe_limits(names, static, excess(measured, static)))
    # Reflection is not measured here: the borders were made constant, and after a chain of transforms the
    # probe's reflect reading is not reliable (the soundness test checks each transform's flag on its own).
    found.pop("reflect_border", None)
    assert found == {}, f"measured beyond what policy {policy_id} admitted: {found}"

    # The policy's own bounds, read directly off the measurement (where the probe can read them).
    def readable(field: str) -> bool:
        return bool(probe_limits(names, static, {field: (getattr(measured, field), None)}))

    mirror = invariant(policy, "mirror")
    if mirror is not None and not mirror.allowed:
        assert not measured.mirror
    inversion = invariant(policy, "inversion")
    if inversion is not None and not inversion.allowed and not static.nonmonotone:
        assert not measured.inversion
    rotation = invariant(policy, "rotation")
    rigid = not (static.shear or static.perspective or static.nonrigid or static.topology)
    if rotation is not None and rigid and readable("rotation") and not (rotation.allowed and rotation.max is None):
        bound = rotation.max if rotation.allowed and rotation.max is not None else 0.0
        assert measured.rotation <= bound + TOLERANCE["rotation"]
    hue = invariant(policy, "hue")
    colour_free = not (static.color or static.grayscale or static.nonmonotone)
    if hue is not None and colour_free and readable("hue") and not (hue.allowed and hue.max is None):
        bound = hue.max if hue.allowed and hue.max is not None else 0.0
        assert measured.hue <= bound + TOLERANCE["hue"]


@pytest.mark.parametrize(
    ("rotation", "sx", "sy"), [(15.0, 1.15, 0.85), (30.0, 1.2, 1.0), (10.0, 1.0, 0.8), (40.0, 1.3, 0.9)]
)
def test_a_turn_then_unequal_axis_scales_reads_as_the_shear_allowed_for_it(
    rotation: float, sx: float, sy: float
) -> None:
    pipe = A.Compose(
        [
            A.Rotate(limit=(rotation, rotation), border_mode=0, p=1.0),
            A.Affine(scale={"x": (sx, sx), "y": (sy, sy)}, border_mode=0, p=1.0),
        ],
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
    )
    measured = probe(pipe, seeds=1, size=64, seed=0).envelope.shear
    expected = turned_then_stretched(rotation, max(sx, sy) / min(sx, sy))
    assert expected > 4.0 and abs(measured - expected) < 0.2, (measured, expected)


def test_a_turn_then_a_per_axis_zoom_is_judged_by_the_shear_it_makes() -> None:
    """chest_xray bounds shear at 10°; this pipeline shears about 17.6°, though neither transform does alone."""
    pipe = A.Compose(
        [
            A.Rotate(limit=(15, 15), border_mode=0, p=1.0),
            A.Affine(scale={"x": (1.15, 1.15), "y": (0.85, 0.85)}, shear={"x": (0, 0), "y": (-10, -10)}, p=1.0),
        ],
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
    )
    report = safeaug.validate(pipe, "chest_xray")
    assert "SA105" in report.codes() and not report.ok
    measured = probe(pipe, seeds=1, size=64, seed=0).envelope.shear
    assert measured > 15.0 and measured <= report.envelope.shear + TOLERANCE["shear"]
    # the other order keeps the right angle: a stretch before a turn does not shear
    flipped = A.Compose([A.Affine(scale={"x": (1.15, 1.15), "y": (0.85, 0.85)}, p=1.0), A.Rotate(limit=(15, 15))])
    assert safeaug.validate(flipped, "chest_xray").envelope.shear == 0.0


def label_mask(size: int) -> np.ndarray:
    """Three big labelled rectangles with no symmetry."""
    mask = np.zeros((size, size), np.uint8)
    mask[6:30, 8:26] = 1
    mask[36:58, 30:60] = 2
    mask[8:24, 38:56] = 3
    return mask


CENTRES = np.array([[17.0, 18.0, 1], [45.0, 47.0, 2], [47.0, 16.0, 3]], np.float32)  # (x, y, label)


def may_fold_a_cell(pipeline: Any, size: int) -> bool:
    """Whether a ``GridElasticDeform`` in ``pipeline`` can fold a grid cell of a ``size`` px image.

    Its inner grid points move by up to ``magnitude`` px on each axis; a cell of side ``c`` turns concave
    when a corner crosses the diagonal through the two corners beside it, c/√2 away: the corner can move
    √2·magnitude towards it and the diagonal as much towards the corner, so from magnitude c/4 on.
    albumentations 2.0.8 then paints each cell's homography over its neighbours (the image and mask stay
    consistent), but maps each keypoint with its own cell's homography, which sends it away from the pixels
    it marked. A known limitation of albumentations: the catalog entry says that keypoint labels may stop
    following the image there, the validator warns about it (SA409, the same condition at 32 px: see
    ``tests/validators/test_folding_grid.py``), and ``test_a_folded_grid_cell_moves_a_keypoint_off_its_pixels`` notices
    when albumentations fixes it.
    """
    stack = [pipeline]
    while stack:
        t = stack.pop()
        stack.extend(getattr(t, "transforms", None) or [])
        if type(t).__name__ == "GridElasticDeform":
            cell = min(size / n for n in t.num_grid_xy)
            if t.magnitude >= cell / 4.0:
                return True
    return False


@pytest.mark.parametrize("policy_id", POLICIES)
@fast
@given(data=st.data())
def test_masks_and_keypoints_move_with_the_image(policy_id: str, data: st.DataObject) -> None:
    pipeline = constant_borders(data.draw(sst.pipelines(policy_id)))
    mask = label_mask(64)
    image = np.repeat((mask * 60 + 20)[..., None], 3, axis=2).astype(np.uint8)
    folds = may_fold_a_cell(pipeline, 64)  # keypoints may leave their pixels: see may_fold_a_cell
    for seed in range(4):
        pipeline.set_random_seed(seed)
        out = pipeline(image=image, mask=mask, keypoints=CENTRES)
        assert out["image"].shape[:2] == out["mask"].shape[:2]
        if folds:
            continue
        h, w = out["mask"].shape[:2]
        for x, y, label in np.asarray(out["keypoints"])[:, :3]:
            xi, yi = round(float(x)), round(float(y))
            if not (2 <= xi < w - 2 and 2 <= yi < h - 2):
                continue  # moved out of the frame
            around = out["mask"][yi - 2 : yi + 3, xi - 2 : xi + 3]
            # The centre of a rectangle lands on its own label (or on a hole or border fill, label 0).
            assert int(label) in around or (around == 0).all(), (label, np.unique(around), seed)


def _keypoints_off_their_labels(pipeline: Any, seeds: int) -> int:
    mask = label_mask(64)
    image = np.repeat((mask * 60 + 20)[..., None], 3, axis=2).astype(np.uint8)
    off = 0
    for seed in range(seeds):
        pipeline.set_random_seed(seed)
        out = pipeline(image=image, mask=mask, keypoints=CENTRES)
        for x, y, label in np.asarray(out["keypoints"])[:, :3]:
            xi, yi = round(float(x)), round(float(y))
            around = out["mask"][max(yi - 2, 0) : yi + 3, max(xi - 2, 0) : xi + 3]
            off += int(not (int(label) in around or (around == 0).all()))
    return off


def test_a_folded_grid_cell_moves_a_keypoint_off_its_pixels() -> None:
    # The albumentations 2.0.8 limitation behind may_fold_a_cell: 8x8 cells of 8 px, inner points moved by up
    # to 14 px, and a keypoint lands on another label. When albumentations fixes it, this fails: then drop
    # the exception in test_masks_and_keypoints_move_with_the_image and the note in the catalog entry.
    folding = A.Compose(
        [A.GridElasticDeform(num_grid_xy=(8, 8), magnitude=14, p=1.0)],
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
    )
    assert may_fold_a_cell(folding, 64)
    assert _keypoints_off_their_labels(folding, 20) > 0
    # Below a quarter of a cell no cell folds, and every keypoint stays on its own label.
    calm = A.Compose(
        [A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=3, p=1.0)],
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
    )
    assert not may_fold_a_cell(calm, 64)
    assert _keypoints_off_their_labels(calm, 20) == 0


# ------------------------------------------------------------------------------------------ no false alarms

MIRRORING = ("HorizontalFlip", "VerticalFlip", "Transpose", "D4", "SquareSymmetry", "TimeReverse")
TURNING = ("Rotate", "SafeRotate", "ShiftScaleRotate", "Affine", "RandomRotate90", "VerticalFlip", "D4")


def _refusing(effect: str) -> list[str]:
    out = []
    for pid in POLICIES:
        inv = invariant(safeaug.load_policy(pid), effect)
        if inv is not None and (not inv.allowed or (effect == "rotation" and inv.max is not None)):
            out.append(pid)
    return out


@pytest.mark.parametrize("policy_id", _refusing("mirror"))
@fast
@given(t=sst.transforms(names=MIRRORING, p=st.just(1.0)))
def test_transforms_refused_for_mirroring_do_mirror(policy_id: str, t: Any) -> None:
    report = safeaug.validate([t], policy_id)
    assume("SA101" in report.codes())
    assert probe(constant_borders(t), seeds=16, size=64, seed=0).envelope.mirror


@pytest.mark.parametrize("policy_id", _refusing("rotation"))
@fast
@given(t=sst.transforms(names=TURNING, p=st.just(1.0)))
def test_transforms_refused_for_rotation_do_turn_that_far(policy_id: str, t: Any) -> None:
    policy = safeaug.load_policy(policy_id)
    inv = invariant(policy, "rotation")
    bound = inv.max if inv.allowed and inv.max is not None else 0.0
    report = safeaug.validate([t], policy)
    static: Envelope = report.envelope
    # Only clear refusals: a limit just over the bound is reached on too few seeds to test cheaply. And only
    # turns a shear cannot hide: the probe reads the turn of the least-turned axis (so that a shear is not
    # also read as a turn), and a shear of s tilts each axis by up to s, against the turn or with it.
    # Affine(rotate=(29.6, 30), shear=(29.6, 30)) turns one axis by about 42° and the other by 0.6°, and reads
    # 0.6° (with 41° of shear); the catalog reports 30° of rotation and 30° of shear, both right.
    assume("SA102" in report.codes() and static.rotation - static.shear >= bound + 10.0)
    measured = probe(constant_borders(t), seeds=24, size=64, seed=0).envelope
    assert measured.rotation > bound, (
        f"refused for rotating up to {static.rotation:g}°, measured {measured.rotation:g}°"
    )


def test_a_warp_that_passes_the_fit_can_still_tilt_the_ramp() -> None:
    # Why probe_limits gives non-rigid envelopes 0.1 of contrast: the ramp holds one level per pixel, and a
    # warp the affine fit accepts can still squeeze a band's ends by a few pixels. Drawn for chest_xray (the
    # policy admits it): contrast 0.94 on one seed, though nothing in it changes the tone.
    kp = A.KeypointParams(format="xy", remove_invisible=False)
    pipe = A.Compose(
        [
            A.CenterCrop(height=60, width=58, p=0.5),
            A.OpticalDistortion(distort_limit=(0.0, 0.0516), mode="fisheye", border_mode=0, p=0.5),
            A.LongestMaxSize(max_size=121, p=1.0),
            A.Downscale(scale_range=(0.6774, 0.9552), interpolation_pair={"upscale": 0, "downscale": 0}, p=1.0),
            A.RandomScale(scale_limit=(0.043, 0.075), p=1.0),
            A.MedianBlur(blur_limit=(3, 3), p=0.5),
            A.Perspective(scale=(0.0132, 0.0286), fit_output=True, keep_size=False, border_mode=0, p=1.0),
            A.PadIfNeeded(min_height=70, min_width=70, border_mode=0, p=0.5),
        ],
        keypoint_params=kp,
    )
    static = safeaug.validate(pipe, "chest_xray").envelope
    assert static.nonrigid and static.contrast_min == 1.0
    measured = probe(pipe, seeds=8, size=64, seed=0).envelope
    assert 0.9 <= measured.contrast_min < 1.0 - TOLERANCE["contrast_min"]
