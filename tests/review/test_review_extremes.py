"""Which argument drives which effect, read from the catalog: the shots show what they say they show."""

from __future__ import annotations

import math

import albumentations as A
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.readers import read_pipeline
from safeaug.review.builder import _confirmed, _shot_transform
from safeaug.review.extremes import FRACTIONS, plan_transform
from safeaug.review.images import from_array


def _leaf(transform: object):
    return next(read_pipeline(A.Compose([transform])).leaves())


def _shots(transform: object, effect: str):
    return [s for s in plan_transform(_leaf(transform)).shots if s.effect == effect]


def test_rotate_is_shown_at_each_quarter_of_its_bound_both_ways() -> None:
    shots = _shots(A.Rotate(limit=20), "rotation")
    assert sorted(s.magnitude for s in shots) == pytest.approx([-20, -15, -10, -5, 5, 10, 15, 20])
    assert {s.fraction for s in shots} == set(FRACTIONS)
    assert all(s.param == "limit" for s in shots)


@pytest.mark.parametrize(
    ("transform", "effect", "expected"),
    [
        (A.Affine(scale=(0.8, 1.2), p=1), "scale", [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2]),
        (A.RandomGamma(gamma_limit=(80, 120)), "gamma", [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2]),
        (
            A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0),
            "brightness",
            [-0.2, -0.15, -0.1, -0.05, 0.05, 0.1, 0.15, 0.2],
        ),
        (A.GaussianBlur(sigma_limit=(0.5, 2.0), blur_limit=0), "blur", [0.5, 1.0, 1.5, 2.0]),
        (A.Downscale(scale_range=(0.5, 0.75)), "resolution", [0.5, 0.625, 0.75, 0.875]),
    ],
)
def test_magnitudes_in_the_effects_unit(transform: object, effect: str, expected: list[float]) -> None:
    assert sorted(s.magnitude for s in _shots(transform, effect)) == pytest.approx(sorted(expected))


def test_shots_are_true_on_pixels() -> None:
    """The pinned transform turns a keypoint by the angle the shot claims (measured, not read back)."""
    node = _leaf(A.Rotate(limit=30, p=1))
    for shot in _shots(A.Rotate(limit=30, p=1), "rotation"):
        t = _shot_transform(node, shot.overrides)
        c = A.Compose([t], keypoint_params=A.KeypointParams(format="xy", remove_invisible=False))
        out = c(image=np.zeros((101, 101), np.uint8), keypoints=np.array([[50.0, 50.0], [90.0, 50.0]]))["keypoints"]
        (x0, y0), (x1, y1) = out[0][:2], out[1][:2]
        angle = math.degrees(math.atan2(-(y1 - y0), x1 - x0))  # counter-clockwise positive, as albumentations
        assert abs(angle) == pytest.approx(abs(shot.magnitude), abs=0.5)
        assert math.copysign(1, angle) == math.copysign(1, shot.magnitude)


def test_gain_of_a_pinned_brightness_shot_on_pixels() -> None:
    node = _leaf(A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.0, p=1))
    grey = np.full((16, 16), 0.5, np.float32)
    for shot in _shots(A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.0), "brightness"):
        out = A.Compose([_shot_transform(node, shot.overrides)])(image=grey)["image"]
        assert float(out.mean()) - 0.5 == pytest.approx(shot.magnitude, abs=1e-4)


@given(lo=st.floats(1, 60), hi=st.floats(1, 60))
def test_every_shot_lies_inside_the_transforms_envelope(lo: float, hi: float) -> None:
    t = A.Affine(rotate=(-lo, hi), p=1)
    shots = _shots(t, "rotation")
    assert max(abs(s.magnitude) for s in shots) == pytest.approx(max(lo, hi), rel=1e-6)
    assert {s.direction for s in shots} == {-1, 1}
    for s in shots:
        bound = lo if s.direction < 0 else hi
        assert abs(s.magnitude) == pytest.approx(s.fraction * bound, rel=1e-5)


def test_fixed_effects_are_shown_only_when_the_same_every_time() -> None:
    img = from_array("x", np.arange(64 * 64, dtype=np.uint8).reshape(64, 64))
    flip = plan_transform(_leaf(A.HorizontalFlip()))
    assert [s.effect for s in _confirmed(flip, [img], 0)] == ["mirror"]
    d4 = plan_transform(_leaf(A.D4()))
    assert _confirmed(d4, [img], 0) == []
    assert set(d4.random_only) == {"mirror", "rotation"}


def test_unknown_transforms_fail_closed() -> None:
    class Mystery(A.ImageOnlyTransform):
        def apply(self, img, **params):  # type: ignore[no-untyped-def]
            return img[:, ::-1]

    plan = plan_transform(_leaf(Mystery(p=1)))
    assert plan.shots == []
    assert "no catalog entry" in plan.random_only["(all)"]


def test_an_effect_no_argument_pins_is_listed() -> None:
    plan = plan_transform(_leaf(A.ElasticTransform(alpha=50, sigma=5)))
    img = from_array("x", np.arange(64 * 64, dtype=np.uint8).reshape(64, 64))
    assert _confirmed(plan, [img], 0) == []
    assert "nonrigid" in plan.random_only


def test_registered_transform_is_planned_from_its_describe() -> None:
    """A user's entry drives the same machinery: its argument is found by reading its envelope."""

    class Tilt(A.Rotate):
        pass

    safeaug.register_transform(Tilt, lambda p: safeaug.Envelope(rotation=p.magnitude("limit")))
    try:
        shots = _shots(Tilt(limit=12), "rotation")
        assert sorted(s.magnitude for s in shots) == pytest.approx([-12, -9, -6, -3, 3, 6, 9, 12])
    finally:
        safeaug.unregister_transform(Tilt)


def test_effects_whose_size_depends_on_the_input_are_listed() -> None:
    plan = plan_transform(_leaf(A.RandomCrop(32, 32)))
    assert plan.shots == []
    assert "depends on the input size" in plan.random_only["crop"]


def test_arguments_that_move_no_effect_are_left_as_given() -> None:
    """Sharpen's kernel size and sigma move no effect; pinning them to a neutral 0 would be refused."""
    img = from_array("x", np.arange(48 * 48, dtype=np.uint8).reshape(48, 48))
    plan = plan_transform(_leaf(A.Sharpen(p=1)))
    shots = _confirmed(plan, [img], 0)
    brightness = [s for s in shots if s.effect == "brightness"]
    assert len(brightness) == 4  # lightness (0.5, 1.0): darker only
    assert all("lightness" in s.overrides and not {"sigma", "kernel_size"} & set(s.overrides) for s in brightness)
    assert "brightness" not in plan.random_only
