"""Every sample a policy's RandAugment or TrivialAugment draws at full magnitude stays inside the policy, on pixels.

Geometry is read from coordinate maps sent through as masks: each output pixel says which input pixel it
came from, so a least-squares affine fit gives the mirror (the sign of its determinant), the turn and the
zoom, and the share of the input still in the frame gives the frame loss. Tone and colour are read by the
probe (``safeaug.probing``) and must stay inside the envelope the validator admitted.
"""

from __future__ import annotations

import math
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_soundness import probe_limits

import safeaug
from safeaug import auto
from safeaug.probing import excess, probe

pytestmark = pytest.mark.slow  # a property suite: RandAugment and TrivialAugment samples measured on pixels

POLICIES = tuple(safeaug.list_policies())
SIZE = 48
SAMPLES = 10  # coordinate-map samples per example
EXAMPLES = max(1, settings.default.max_examples // 60)  # 1 per policy under "ci", 16 under "thorough"

fast = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_TONE_AND_COLOUR = (
    "brightness",
    "contrast_min",
    "contrast_max",
    "gamma_min",
    "gamma_max",
    "hue",
    "saturation_min",
    "saturation_max",
    "inversion",
    "nonmonotone",
    "color",
    "grayscale",
)


def bound(policy: Any, effect: str) -> Any:
    return policy.invariant(effect)


def coordinate_maps(size: int) -> list[np.ndarray]:
    """Masks holding each pixel's x and y (plus one), and a validity mask: where each output pixel came from."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return [xs + 1.0, ys + 1.0, np.ones((size, size), np.float32)]


class Reading:
    def __init__(self, masks: list[np.ndarray]) -> None:
        mx, my, valid = masks
        inside = (valid > 0.5) & (mx > 0.5) & (my > 0.5)
        oy, ox = np.nonzero(inside)
        src = np.stack([mx[inside] - 1.0, my[inside] - 1.0], axis=1)
        dst = np.stack([ox, oy, np.ones_like(ox)], axis=1).astype(np.float64)
        coef, *_ = np.linalg.lstsq(dst, src, rcond=None)
        self.matrix = coef[:2].T  # input = matrix @ output + offset
        residual = src - dst @ coef
        self.residual = float(np.sqrt((residual**2).sum(axis=1).mean())) if len(src) else 0.0
        seen = {(round(float(x)), round(float(y))) for x, y in src}
        self.kept = len(seen) / float(mx.size)
        det = float(np.linalg.det(self.matrix))
        self.mirror = det < 0
        self.zoom = 1.0 / math.sqrt(abs(det)) if det else math.inf
        u, _s, vt = np.linalg.svd(self.matrix)
        rot = u @ vt
        self.rotation = abs(math.degrees(math.atan2(rot[1, 0], rot[0, 0])))
        if self.mirror:  # the rotation of the proper part: undo one axis' reflection first
            fixed = self.matrix @ np.diag([-1.0, 1.0])
            u, _s, vt = np.linalg.svd(fixed)
            rot = u @ vt
            self.rotation = min(self.rotation, abs(math.degrees(math.atan2(rot[1, 0], rot[0, 0]))))


def worst_kept(policy: Any, size: int) -> float:
    """The least share of the input that stays in the frame under the policy's turn, shear, zoom and shift bounds."""

    def top(effect: str, default: float) -> float:
        inv = bound(policy, effect)
        return float(inv.max) if inv is not None and inv.max is not None else default

    rot, shear, shift = top("rotation", 30.0), top("shear", 16.7), top("translation", 0.45)
    scale = bound(policy, "scale")
    zoom = float(scale.max) if scale is not None and scale.max is not None else 1.3
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    pts = np.stack([xs.ravel() - size / 2, ys.ravel() - size / 2])
    worst = 1.0
    for r in (-rot, rot):
        for h in (-shear, shear):
            for tx in (-shift, shift):
                t = math.radians(r)
                rm = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
                sh = np.array([[1.0, math.tan(math.radians(h))], [0.0, 1.0]])
                m = zoom * (sh @ rm)
                out = m @ pts + np.array([[tx * size], [tx * size]])
                inside = (np.abs(out[0]) <= size / 2) & (np.abs(out[1]) <= size / 2)
                worst = min(worst, float(inside.mean()))
    return worst


def transforms_for(policy_id: str) -> list[Any]:
    return [auto.RandAugment(policy_id, n=2, m=30), auto.TrivialAugment(policy_id)]


@pytest.mark.parametrize("policy_id", POLICIES)
@fast
@given(seed=st.integers(0, 2**16))
def test_every_drawn_sample_keeps_the_policy_on_coordinate_maps(policy_id: str, seed: int) -> None:
    policy = safeaug.load_policy(policy_id)
    mirror, rotation, shear, scale = (bound(policy, e) for e in ("mirror", "rotation", "shear", "scale"))
    floor = worst_kept(policy, SIZE) - 0.06
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    for transform in transforms_for(policy_id):
        assert safeaug.validate(A.Compose([transform]), policy).ok
        pipe = A.Compose([transform], seed=seed)
        for _ in range(SAMPLES):
            out = pipe(image=image, masks=coordinate_maps(SIZE))
            reading = Reading(out["masks"])
            where = f"{type(transform).__name__} under {policy_id}"
            if mirror is not None and not mirror.allowed:
                assert not reading.mirror, f"{where} mirrored the image"
            warped = reading.residual > 1.0  # an elastic or grid warp: the affine fit is approximate
            if rotation is not None and rotation.max is not None and not reading.mirror:
                slack = (float(shear.max) / 2 if shear is not None and shear.max is not None else 8.4) + 1.0
                slack += 3.0 if warped else 0.0
                assert reading.rotation <= float(rotation.max) + slack, (where, reading.rotation)
            if scale is not None and scale.max is not None and not warped:
                assert reading.zoom <= float(scale.max) + 0.04, (where, reading.zoom)
            if scale is not None and scale.min is not None and not warped:
                assert reading.zoom >= float(scale.min) - 0.04, (where, reading.zoom)
            if not warped:
                assert reading.kept >= floor, (where, reading.kept, floor)


@pytest.mark.parametrize("policy_id", POLICIES)
@fast
@given(seed=st.integers(0, 2**16))
def test_tone_and_colour_stay_inside_what_the_policy_admitted(policy_id: str, seed: int) -> None:
    policy = safeaug.load_policy(policy_id)
    for transform in transforms_for(policy_id):
        pipe = A.Compose([transform], keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))
        report = safeaug.validate(pipe, policy)
        assert report.ok
        static = report.envelope
        measured = probe(pipe, seeds=8, size=64, seed=seed).envelope
        names = {t.__class__.__name__ for t in transform.transforms}
        found = probe_limits(names, static, excess(measured, static))
        tone = {k: v for k, v in found.items() if k in _TONE_AND_COLOUR}
        assert tone == {}, f"{type(transform).__name__} under {policy_id} measured beyond its envelope: {tone}"
        inversion = bound(policy, "inversion")
        if inversion is not None and not inversion.allowed and not static.nonmonotone:
            assert not measured.inversion
        hue = bound(policy, "hue")
        if hue is not None and hue.max is not None and not (static.color or static.nonmonotone):
            assert measured.hue <= float(hue.max) + 2.0


def read_after(transform: Any, seed: int = 0) -> Reading:
    out = A.Compose([transform], seed=seed)(image=np.zeros((SIZE, SIZE, 3), np.uint8), masks=coordinate_maps(SIZE))
    return Reading(out["masks"])


def test_the_coordinate_maps_read_mirrors_turns_zooms_and_frame_loss() -> None:
    assert read_after(A.HorizontalFlip(p=1)).mirror and not read_after(A.NoOp()).mirror
    turned = read_after(A.Affine(rotate=(25, 25), border_mode=0, p=1))
    assert abs(turned.rotation - 25) < 0.5 and not turned.mirror
    zoomed = read_after(A.Affine(scale=(1.25, 1.25), p=1))
    assert abs(zoomed.zoom - 1.25) < 0.02
    assert abs(zoomed.kept - 1 / 1.25**2) < 0.03
    assert read_after(A.NoOp()).kept == 1.0


def test_a_looser_policys_space_breaks_the_stricter_bounds_on_pixels() -> None:
    """The checks above can fail: natural's TrivialAugment, drawn under ocr's bounds, mirrors and turns too far."""
    ocr = safeaug.load_policy("ocr")
    pipe = A.Compose([auto.TrivialAugment("natural", ops=["Rotate", "HorizontalFlip", "Zoom"])], seed=0)
    readings = [
        Reading(pipe(image=np.zeros((SIZE, SIZE, 3), np.uint8), masks=coordinate_maps(SIZE))["masks"])
        for _ in range(80)
    ]
    assert any(r.mirror for r in readings)
    turn = float(bound(ocr, "rotation").max) + float(bound(ocr, "shear").max) / 2 + 1.0
    assert any(r.rotation > turn for r in readings if not r.mirror and r.residual <= 1.0)
