"""Geometric entries: their envelopes, and keypoints showing the envelopes hold what the pixels do."""

from __future__ import annotations

import math
from typing import Any

import albumentations as A
import numpy as np
import pytest
from support import envelope_of

import safeaug
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
        # keep_size stretches the quadrilateral over the frame: corners in by up to 3 sigma = 0.3 of the side
        (A.Perspective(scale=(0.05, 0.1)), Envelope(perspective=0.1, crop_min=0.4**2, edge_travel=0.3)),
        # alpha 1 px, sigma 50: moves 0.5 / sqrt(50) px, read on a 256 px side
        (A.ElasticTransform(), Envelope(nonrigid=True, warp=0.5 / math.sqrt(50) / 256)),
        (A.GridDistortion(border_mode=2), Envelope(nonrigid=True, warp=0.15, reflect_border=True)),
        (
            A.OpticalDistortion(),
            Envelope(
                nonrigid=True,
                warp=0.0125,
                scale_min=1 / 1.015,
                scale_max=1.03,
                crop_min=1 / (1 + 0.85 * 0.05) ** 2,
                edge_travel=0.0125,
            ),
        ),
        (
            A.ThinPlateSpline(),
            Envelope(
                nonrigid=True,
                warp=0.48,
                fold=True,
                rotation=24,
                scale_min=1 / 1.6,
                scale_max=1 + 0.6 + 6 * 0.16,
                translation=0.4,
                crop_min=0.76**2,
                edge_travel=0.24,
            ),
        ),
        (
            A.PiecewiseAffine(),
            Envelope(nonrigid=True, warp=0.25, scale_max=1.3, crop_min=0.55, edge_travel=0.3),
        ),
        (A.GridElasticDeform(num_grid_xy=(4, 4), magnitude=10), Envelope(nonrigid=True, warp=10 / 256)),
        (A.Resize(64, 64), Envelope(resize=True, aspect=math.inf)),
        (A.LongestMaxSize(max_size=64), Envelope(resize=True)),
        (A.SmallestMaxSize(max_size=64), Envelope(resize=True)),
        (A.RandomCrop(32, 32), Envelope(crop_unbounded=True)),
        (
            A.CenterCrop(32, 32, pad_if_needed=True, border_mode=4),
            Envelope(crop_unbounded=True, reflect_border=True, canvas_growth=math.inf),
        ),
        (A.RandomSizedCrop(min_max_height=(20, 30), size=(32, 32)), Envelope(crop_unbounded=True, resize=True)),
        (
            A.RandomCropFromBorders(0.1, 0.1, 0.2, 0.0),
            Envelope(crop_min=0.8 * 0.8, translation=0.2 / (2 * 0.8), edge_travel=0.2),
        ),
        (A.PadIfNeeded(64, 64, border_mode=4), Envelope(reflect_border=True, canvas_growth=math.inf)),
        (A.Pad(padding=4), Envelope(canvas_growth=math.inf)),
        (A.Pad(padding=0), Envelope()),
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
    square = 1 / (math.cos(math.radians(15)) + math.sin(math.radians(15))) ** 2
    # read over inputs up to 2:1, which keep less than a square one (a 2:1 film keeps half of its area)
    assert e.crop_min < square and e.crop_min == pytest.approx(0.5, abs=1e-6)


def test_affine_reads_every_argument_form() -> None:
    e = envelope_of(
        A.Affine(
            scale={"x": (0.8, 1.0), "y": (1.0, 1.3)},
            rotate=(-7, 3),
            shear=(-4, 4),
            translate_percent={"x": (-0.1, 0.05), "y": (0, 0.2)},
        )
    )
    # shear=(-4, 4) draws each axis on its own: opposite shears turn by 4° more, equal ones shear by 8°
    assert (e.rotation, e.shear, e.translation) == pytest.approx((11, 8, 0.2), abs=0.01)
    assert (e.scale_min, e.scale_max) == pytest.approx((0.771, 1.339), abs=1e-3)
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


# ------------------------------------------------------------------------------------------ canvas growth, aspect


@pytest.mark.parametrize(
    ("transform", "growth"),
    [
        (A.Pad(padding=10), math.inf),
        (A.Pad(padding=(0, 0, 0, 0)), 1.0),
        (A.PadIfNeeded(64, 64), math.inf),
        (A.RandomCrop(32, 32, pad_if_needed=True), math.inf),
        (A.RandomCrop(32, 32), 1.0),
        (A.CropAndPad(percent=0.1, keep_size=False), 1.2**2),
        (A.CropAndPad(percent=(-0.2, 0.1)), (1.0 + 0.2 / 0.6) ** 2),
        (A.CropAndPad(percent=-0.1), 1.0),
        (A.CropAndPad(px=4), math.inf),
        (A.CropAndPad(px=-4), 1.0),
        (A.Affine(rotate=10, fit_output=True), math.inf),
        (A.Affine(rotate=10), 1.0),
        (A.Perspective(scale=0.05, fit_output=True), math.inf),
        (A.Perspective(scale=0.05), 1.0),
        (A.SafeRotate(limit=10), math.inf),
        (A.SafeRotate(limit=0), 1.0),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, float) else "",
)
def test_canvas_growth_of_pads_and_expanding_frames(transform: Any, growth: float) -> None:
    assert envelope_of(transform).canvas_growth == pytest.approx(growth)


def test_saferotate_reports_an_unbounded_aspect_when_it_turns() -> None:
    env = envelope_of(A.SafeRotate(limit=(-18.9, 0)))
    assert math.isinf(env.aspect)
    assert env.rotation == pytest.approx(18.9)
    assert envelope_of(A.SafeRotate(limit=0)).aspect == 1.0


@pytest.mark.parametrize(
    ("transform", "aspect"),
    [
        # one value for every side, or one draw for all: the aspect is kept
        (A.CropAndPad(percent=0.1), 1.0),
        (A.CropAndPad(percent=(0.0, 0.2), sample_independently=False), 1.0),
        # each side drawn on its own from (0, 0.2): up to (1 + 0.4) / (1 + 0)
        (A.CropAndPad(percent=(0.0, 0.2)), 1.4),
        (A.CropAndPad(percent=(-0.1, 0.1)), 1.2 / 0.8),
        # top, right, bottom, left
        (A.CropAndPad(percent=[(0.0, 0.0), (0.2, 0.3), (0.0, 0.0), (0.2, 0.3)]), 1.6),
        (A.CropAndPad(percent=[0.1, 0.0, 0.1, 0.0]), 1.2),
        (A.CropAndPad(percent=(0.0, 0.2), keep_size=False), 1.0),  # no resize back: no stretch
        (A.CropAndPad(px=(0, 8)), math.inf),  # pixels: the factors depend on the input size
        (A.CropAndPad(px=8), 1.0),
        (A.CropAndPad(px=(0, 8), keep_size=False), 1.0),
    ],
)
def test_cropandpad_keep_size_reports_the_aspect_of_its_resize_back(transform: Any, aspect: float) -> None:
    assert envelope_of(transform).aspect == pytest.approx(aspect)


def test_a_turn_then_cropandpad_with_unequal_sides_shears() -> None:
    turn = envelope_of(A.ShiftScaleRotate(rotate_limit=17))
    stretch = envelope_of(A.CropAndPad(percent=(-0.1, 0.2)))
    assert Envelope.sequence([turn, stretch]).shear > 0.0
    assert Envelope.sequence([stretch, turn]).shear == pytest.approx(0.0)


# The probe measures what the pipelines really do: the new static bounds must contain it.


def test_probe_pad_then_erasing_stays_within_the_static_occlusion() -> None:
    import safeaug
    from safeaug.probing import excess

    pipeline = A.Compose([A.Pad(10, p=1), A.Erasing(scale=(0.0745, 0.0785), p=1)])
    measured = safeaug.probe(pipeline, seeds=8)
    static = safeaug.validate(pipeline, "natural").envelope
    assert measured.envelope.occlusion > 0.0785 + 0.02  # the erased share of the canvas, read on the content
    assert excess(measured.envelope, static) == {}


def test_cropandpad_pad_then_erasing_hides_no_more_content_than_the_bounded_growth_allows() -> None:
    """Counted on the pixels: the probe's reading of the content's footprint after a pad leaves out a margin,
    which makes its share read high; here the content's place in the output is known exactly."""
    import safeaug

    pipeline = A.Compose(
        [A.CropAndPad(percent=0.15, keep_size=False, fill=0, p=1), A.Erasing(scale=(0.1, 0.1), fill=0, p=1)]
    )
    static = safeaug.validate(pipeline, "natural").envelope
    assert static.occlusion == pytest.approx(0.1 * 1.3**2)
    image = np.full((64, 64, 3), 200, np.uint8)
    hidden = []
    for seed in range(40):
        pipeline.set_random_seed(seed)
        out = pipeline(image=image)["image"]
        assert out.shape[:2] == (82, 82)  # int(0.15 * 64) = 9 px on each side
        content = out[9:73, 9:73]
        hidden.append(float((content == 0).all(axis=-1).mean()))
    assert max(hidden) > 0.1 + 0.05  # the share of the padded canvas, landing on the content
    assert max(hidden) <= static.occlusion + 1e-9


def test_probe_cropandpad_unequal_sides_stays_within_its_aspect() -> None:
    import safeaug
    from safeaug.probing import excess

    pipeline = A.Compose(
        [
            A.ShiftScaleRotate(rotate_limit=17, shift_limit=0, scale_limit=0, p=1),
            A.CropAndPad(percent=[(0.0, 0.0), (0.2, 0.3), (0.0, 0.0), (0.2, 0.3)], keep_size=True, p=1),
        ]
    )
    static = safeaug.validate(pipeline, "natural").envelope
    measured = safeaug.probe(pipeline, seeds=8)
    assert measured.envelope.shear > 1.0  # the resize back stretches the turned image
    assert excess(measured.envelope, static) == {}


def test_probe_saferotate_on_a_non_square_image_shears_beyond_any_input_free_bound() -> None:
    """The measured shear of SafeRotate on a 91x64 image is not bounded by the envelope's numbers: the entry
    says so with an unbounded aspect (an SA407 warning under a shear bound) instead."""
    import safeaug
    from safeaug.probing import excess

    pipeline = A.Compose([A.PadIfNeeded(91, 64, p=1), A.SafeRotate(limit=(-18.9, 0), p=1)])
    static = safeaug.validate(pipeline, "natural").envelope
    measured = safeaug.probe(pipeline, seeds=8)
    assert measured.envelope.shear > 2.0
    assert math.isinf(static.aspect) and static.rotation > 0
    # only the readings that depend on the input's aspect go past the numbers
    assert set(excess(measured.envelope, static)) <= {"shear", "scale_min", "scale_max"}


@pytest.mark.parametrize(
    ("kwargs", "rotation"),
    [
        ({"rotate": (156, 170), "scale": (-1.1, -1.0)}, 24.0),  # flipped: 180 + r turns 24° the other way at most
        ({"rotate": (-10, 10), "scale": (-1.1, -1.0)}, 180.0),  # r = 0 is allowed: the plain half turn
        ({"rotate": (156, 170), "scale": {"x": (1.0, 1.0), "y": (-1.0, 1.0)}}, 170.0),  # unflipped draws too
        ({"rotate": (20, 30), "scale": (1.0, 1.0)}, 30.0),
    ],
)
def test_affine_turn_with_a_y_flip_is_counted_the_short_way_round(kwargs: dict[str, Any], rotation: float) -> None:
    env = envelope_of(A.Affine(**kwargs, p=1))
    assert env.rotation == pytest.approx(rotation)
    if kwargs["rotate"] == (156, 170) and kwargs["scale"] == (-1.1, -1.0):
        measured = safeaug.probe(A.Affine(**kwargs, fit_output=True, p=1), seeds=12).envelope
        assert measured.rotation <= env.rotation + 1.0
