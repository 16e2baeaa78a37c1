from __future__ import annotations

import math

import pytest

from safeaug import Envelope
from safeaug.effects import IDENTITY


def test_sequences_add_rotations_multiply_scales_and_keep_mirroring() -> None:
    a = Envelope(rotation=10, scale_min=0.9, scale_max=1.1, mirror=True)
    b = Envelope(rotation=15, scale_min=0.8, scale_max=1.2)
    s = a.then(b)
    assert s.rotation == 25
    assert s.scale_min == pytest.approx(0.72)
    assert s.scale_max == pytest.approx(1.32)
    assert s.mirror is True


def test_unions_take_the_worst_of_each_field() -> None:
    u = Envelope(rotation=10, crop_min=0.5).union(Envelope(rotation=5, crop_min=0.9, hue=3))
    assert (u.rotation, u.crop_min, u.hue) == (10, 0.5, 3)


def test_angles_never_exceed_half_a_turn() -> None:
    assert Envelope(rotation=120).then(Envelope(rotation=120)).rotation == 180
    assert Envelope(hue=100).then(Envelope(hue=100)).hue == 180


def test_blur_adds_in_quadrature_and_noise_adds_up() -> None:
    # Gaussian blurs compose as variances; noise sigmas add, since albumentations seeds every transform of a
    # Compose alike and two noise transforms can draw the same field (see the rule's comment).
    s = Envelope(blur=3, noise=0.03).then(Envelope(blur=4, noise=0.04))
    assert s.blur == pytest.approx(5)
    assert s.noise == pytest.approx(0.07)


def test_two_identical_noise_transforms_in_a_compose_draw_the_same_noise() -> None:
    # Why noise adds: albumentations 2.0.8 propagates the Compose's seed to every transform, so two equal
    # AdditiveNoise transforms add the same field twice (sigma 0.059 for 2 x 0.031, not the 0.044 of
    # independent draws). Should albumentations seed them apart, the rule could go back to quadrature.
    import albumentations as A
    import numpy as np

    def noise() -> object:
        params = {"mean_range": (0.0, 0.0), "scale_range": (0.0218, 0.0218)}
        return A.AdditiveNoise(noise_type="laplace", spatial_mode="per_pixel", noise_params=params, p=1.0)

    image = np.full((128, 128, 3), 128, np.uint8)
    out = A.Compose([noise(), noise()], seed=1)(image=image)["image"].astype(float) / 255.0
    one = (2**0.5) * 0.0218  # a Laplace of scale b has sigma b·sqrt(2)
    assert out.std() > 1.8 * one > (2**0.5) * one
    assert Envelope(noise=one).then(Envelope(noise=one)).noise == pytest.approx(2 * one)


def test_occlusion_compounds_as_area() -> None:
    assert Envelope(occlusion=0.5).then(Envelope(occlusion=0.5)).occlusion == pytest.approx(0.75)


def test_floors_take_the_lowest() -> None:
    s = Envelope(compression=80, resolution=0.5, posterize_bits=6).then(Envelope(compression=90, resolution=0.7))
    assert (s.compression, s.resolution, s.posterize_bits) == (80, 0.5, 6)


def test_some_of_accumulates_the_n_worst_branches_field_by_field() -> None:
    branches = [Envelope(rotation=10), Envelope(rotation=20), Envelope(rotation=5, mirror=True)]
    assert Envelope.some_of(branches, 1).rotation == 20
    two = Envelope.some_of(branches, 2)
    assert two.rotation == 30 and two.mirror
    assert Envelope.some_of(branches, 2, replace=True).rotation == 40
    assert Envelope.some_of(branches, 0) == IDENTITY


def test_identity_is_neutral() -> None:
    e = Envelope(rotation=7, blur=1.5, scale_min=0.8, mirror=True)
    assert e.then(IDENTITY) == e == IDENTITY.then(e)
    assert e.union(IDENTITY) == e
    assert IDENTITY.is_identity() and not e.is_identity()
    assert set(e.differs()) == {"rotation", "blur", "scale_min", "mirror"}


def test_contains_compares_every_field_in_its_direction() -> None:
    wide = Envelope(rotation=20, scale_min=0.8, scale_max=1.2, mirror=True, compression=50)
    assert wide.contains(Envelope(rotation=10, scale_min=0.9, scale_max=1.1, compression=90))
    assert not wide.contains(Envelope(rotation=21))
    assert not wide.contains(Envelope(scale_min=0.7))
    assert not Envelope().contains(Envelope(mirror=True))
    assert not wide.contains(Envelope(compression=40))
    assert math.isclose(Envelope.sequence([]).rotation, 0)


def test_a_stretch_after_a_turn_shears_and_before_it_does_not() -> None:
    from safeaug.effects import stretch_shear

    turn, stretch = Envelope(rotation=15.0), Envelope(aspect=1.15 / 0.85)
    after = Envelope.sequence([turn, stretch])
    assert after.shear == pytest.approx(stretch_shear(15.0, 1.15 / 0.85)) and after.shear > 7.0
    assert Envelope.sequence([stretch, turn]).shear == 0.0
    # drawn in any order (SomeOf), the stretch may come second
    assert Envelope.some_of([stretch, turn], 2).shear == pytest.approx(after.shear)
    # an aspect that depends on the input (a resize to a fixed size) is not bounded here
    assert Envelope.sequence([turn, Envelope(aspect=float("inf"))]).shear == 0.0


# ------------------------------------------------------------------------------------------ canvas growth


def test_an_occlusion_after_a_canvas_growth_is_scaled_by_it() -> None:
    pad = Envelope(canvas_growth=(84 / 64) ** 2)
    erase = Envelope(occlusion=0.0785)
    assert pad.then(erase).occlusion == pytest.approx(0.0785 * (84 / 64) ** 2)
    assert pad.then(erase).canvas_growth == pytest.approx((84 / 64) ** 2)


def test_an_occlusion_before_a_canvas_growth_is_not_scaled() -> None:
    assert Envelope(occlusion=0.1).then(Envelope(canvas_growth=2.0)).occlusion == pytest.approx(0.1)


def test_an_occlusion_after_a_growth_that_depends_on_the_input_size_is_flagged() -> None:
    # A pad in pixels: how much more of the content a later cut-out hides depends on the input size.
    s = Envelope.sequence([Envelope(canvas_growth=1.5), Envelope(canvas_growth=math.inf), Envelope(occlusion=0.01)])
    assert s.occlusion_unbounded and s.occlusion == pytest.approx(0.015) and not math.isnan(s.occlusion)
    before = Envelope.sequence([Envelope(occlusion=0.01), Envelope(canvas_growth=math.inf)])
    assert not before.occlusion_unbounded and before.occlusion == pytest.approx(0.01)
    assert Envelope.some_of([Envelope(canvas_growth=math.inf), Envelope(occlusion=0.01)], 2).occlusion_unbounded
    assert not Envelope.some_of([Envelope(canvas_growth=math.inf), Envelope(occlusion=0.01)], 1).occlusion_unbounded
    # the flag survives further composition
    assert s.then(Envelope(blur=1.0)).occlusion_unbounded and s.union(IDENTITY).occlusion_unbounded


def test_canvas_growth_multiplies_in_sequence_and_takes_the_max_in_a_union() -> None:
    a, b = Envelope(canvas_growth=1.5), Envelope(canvas_growth=2.0)
    assert a.then(b).canvas_growth == pytest.approx(3.0)
    assert a.union(b).canvas_growth == pytest.approx(2.0)
    assert a.union(IDENTITY).canvas_growth == pytest.approx(1.5)


def test_a_crop_or_resize_after_a_growth_does_not_cancel_it() -> None:
    crop = Envelope(crop_min=0.5, scale_max=1.4, resize=True)
    s = Envelope.sequence([Envelope(canvas_growth=2.0), crop, Envelope(occlusion=0.1)])
    assert s.occlusion == pytest.approx(0.2)


def test_each_occlusion_is_scaled_by_the_growth_before_it_alone() -> None:
    s = Envelope.sequence(
        [Envelope(occlusion=0.1), Envelope(canvas_growth=2.0), Envelope(occlusion=0.1), Envelope(canvas_growth=2.0)]
    )
    assert s.occlusion == pytest.approx(1 - 0.9 * 0.8)
    assert s.canvas_growth == pytest.approx(4.0)


def test_some_of_lets_every_occlusion_follow_every_growth() -> None:
    branches = [Envelope(occlusion=0.1), Envelope(canvas_growth=2.0)]
    # drawn in either order: the occlusion may come after the pad
    assert Envelope.some_of(branches, 2).occlusion == pytest.approx(0.2)
    # the bound holds for any draw order of the same branches
    for order in ([0, 1], [1, 0]):
        seq = Envelope.sequence([branches[i] for i in order])
        assert seq.occlusion <= Envelope.some_of(branches, 2).occlusion + 1e-12
    assert Envelope.some_of(branches, 1).occlusion == pytest.approx(0.1)


def test_growth_scaled_occlusion_is_bounded_by_the_whole_content() -> None:
    s = Envelope.sequence([Envelope(canvas_growth=9.0), Envelope(occlusion=0.3), Envelope(occlusion=0.3)])
    assert s.occlusion == 1.0
