"""The coordinate-map reading against transforms whose geometry is known in closed form."""

from __future__ import annotations

import math

import albumentations as A
import numpy as np
import pytest

from safeaug.coordmap import coordinate_maps, measure, read_maps

SQUARE = (128, 128)


def test_coordinate_maps_hold_each_pixels_own_place_offset_by_one() -> None:
    xs, ys = coordinate_maps((3, 4))
    assert xs.dtype == np.float32 and xs.shape == (3, 4)
    assert xs[2, 3] == 4.0 and ys[2, 3] == 3.0 and xs.min() == 1.0


def test_an_untouched_input_reads_as_identity() -> None:
    r = read_maps(*coordinate_maps(SQUARE), SQUARE)
    assert (r.mirror, r.kept, r.fill, r.folds, r.edge_travel, r.collapsed) == (False, 1.0, 0.0, 0.0, 0.0, False)
    assert (r.turn, r.shear, r.displacement) == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    assert r.zoom == pytest.approx((1.0, 1.0))


def test_horizontal_flip_is_a_mirror_without_a_turn() -> None:
    r = measure(A.HorizontalFlip(p=1), SQUARE)
    assert r.mirror and r.turn == pytest.approx(0.0, abs=1e-6) and r.kept == 1.0


def test_vertical_flip_is_a_mirror_and_a_half_turn_and_transpose_a_mirror_and_a_quarter_turn() -> None:
    assert measure(A.VerticalFlip(p=1), SQUARE).turn == pytest.approx(180.0)
    t = measure(A.Transpose(p=1), SQUARE)
    assert t.mirror and t.turn == pytest.approx(90.0)


@pytest.mark.parametrize("angle", [10.0, 30.0, -45.0])
def test_a_fixed_rotation_reads_its_angle_and_loses_the_corners(angle: float) -> None:
    r = measure(A.Rotate(limit=(angle, angle), border_mode=0, p=1), SQUARE)
    assert r.turn == pytest.approx(abs(angle), abs=0.3)
    assert not r.mirror and r.zoom == pytest.approx((1.0, 1.0), abs=0.01) and r.shear < 0.3
    assert r.kept < 1.0 and r.fill > 0.0


def test_rotate_with_crop_border_keeps_the_inscribed_rectangle() -> None:
    r = measure(A.Rotate(limit=(30, 30), crop_border=True, border_mode=0, p=1), SQUARE)
    inscribed = 1.0 / (math.cos(math.radians(30)) + math.sin(math.radians(30))) ** 2
    assert r.kept == pytest.approx(inscribed, abs=0.02)
    assert r.fill == 0.0 and r.edge_travel > 0.15


def test_opposite_shears_are_a_turn() -> None:
    r = measure(A.Affine(rotate=(15, 15), shear={"x": (-10, -10), "y": (10, 10)}, p=1), SQUARE)
    assert r.turn == pytest.approx(25.0, abs=0.3)
    assert r.shear < 0.3 and not r.mirror


def test_a_shear_product_above_one_is_a_mirror_and_equal_to_one_a_collapse() -> None:
    r = measure(A.Affine(shear={"x": (50, 50), "y": (50, 50)}, p=1), SQUARE)
    assert r.mirror
    c = measure(A.Affine(shear={"x": (45, 45), "y": (45, 45)}, p=1), SQUARE)
    assert c.collapsed and c.fill > 0.95


def test_one_shear_reads_as_its_angle() -> None:
    r = measure(A.Affine(shear={"x": (20, 20), "y": (0, 0)}, p=1), SQUARE)
    assert r.shear == pytest.approx(20.0, abs=0.3) and not r.mirror


@pytest.mark.parametrize("scale", [0.5, 1.15, 2.0])
def test_a_fixed_zoom_reads_its_factor_and_the_share_it_keeps(scale: float) -> None:
    r = measure(A.Affine(scale=scale, p=1), SQUARE)
    assert r.zoom == pytest.approx((scale, scale), rel=0.01)
    assert r.kept == pytest.approx(min(1.0, 1.0 / scale**2), abs=0.02)
    assert r.edge_travel == pytest.approx(max(0.0, (1.0 - 1.0 / scale) / 2.0), abs=0.02)
    assert r.fill == pytest.approx(max(0.0, 1.0 - scale**2), abs=0.02)


def test_a_shift_moves_one_edge_inward_by_its_share() -> None:
    r = measure(A.Affine(translate_percent={"x": (0, 0), "y": (0.2, 0.2)}, p=1), SQUARE)
    top, right, bottom, left = r.edges
    assert bottom == pytest.approx(0.2, abs=0.01) and top == 0.0 and left == 0.0 and right == 0.0
    assert r.kept == pytest.approx(0.8, abs=0.01)


def test_perspective_keeping_the_size_zooms_and_crops() -> None:
    r = measure(A.Perspective(scale=(0.1, 0.1), keep_size=True, p=1), SQUARE, seed=0)
    assert r.zoom[1] > 1.0 and r.kept < 0.9 and r.fill == 0.0
    assert r.displacement > 0.005 and r.folds == 0.0


def test_a_mild_elastic_warp_moves_little_and_does_not_fold() -> None:
    r = measure(A.ElasticTransform(alpha=120, sigma=6, p=1), (256, 256), seed=0)
    assert 0.005 < r.displacement < 0.1 and r.folds == 0.0
    assert r.turn < 1.0 and not r.mirror


def test_an_extreme_elastic_warp_folds() -> None:
    r = measure(A.ElasticTransform(alpha=1000, sigma=2, p=1), (256, 256), seed=0)
    assert r.folds > 0.05 and r.displacement > 0.2


def test_a_random_resized_crop_to_two_to_one_on_a_two_to_one_input_keeps_half_and_stretches_x() -> None:
    r = measure(A.RandomResizedCrop(size=(256, 512), scale=(0.85, 1), ratio=(1, 1), p=1), (256, 512), seed=0)
    assert r.kept == pytest.approx(0.5, abs=0.01)
    assert r.zoom == pytest.approx((2.0, 1.0), abs=0.01)


def test_a_synthetic_fold_is_counted_where_the_map_runs_backwards() -> None:
    xs, ys = coordinate_maps((64, 64))
    xs = xs.copy()
    xs[:, 20:40] = xs[:, 20:40][:, ::-1]  # a band read right to left
    r = read_maps(xs, ys, (64, 64))
    assert not r.mirror and r.folds > 0.1


def test_the_callers_transform_is_not_changed() -> None:
    t = A.Affine(scale=2.0, mask_interpolation=1, fill_mask=7, p=1)
    measure(t, SQUARE)
    assert t.mask_interpolation == 1 and t.fill_mask == 7


def test_maps_of_different_shapes_are_refused() -> None:
    xs, _ = coordinate_maps((4, 4))
    with pytest.raises(ValueError, match="coordinate maps"):
        read_maps(xs, xs[:2], (4, 4))
