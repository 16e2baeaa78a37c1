"""The probe measures what transforms do: known transforms measure what they should, excess() behaves."""

from __future__ import annotations

import math
import re
from typing import Any

import albumentations as A
import numpy as np
import pytest

from safeaug import Envelope, PolicyViolationError, wrap
from safeaug.catalog import Params, defaults_for, resolve
from safeaug.effects import IDENTITY
from safeaug.probing import ALWAYS_UNMEASURED, TOLERANCE, Measurement, ProbeError, excess, probe, widened
from safeaug.readers import read_object


def static(transform: Any) -> Envelope:
    """The catalog's envelope for a live transform, as the validator reads it."""
    node = read_object(transform)
    found = resolve(node)
    assert found.entry is not None, node.name
    env = found.entry.describe(Params(node.name, node.params, defaults_for(found.via or node.name)))
    return env.including_identity()


def mirror_rows(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1])


# ------------------------------------------------------------------------------------------ geometry


def test_horizontal_flip_measures_a_mirror_and_nothing_else() -> None:
    m = probe(A.HorizontalFlip())
    assert isinstance(m, Measurement)
    assert m.samples == 16
    assert m.envelope.mirror is True
    assert m.envelope.rotation < 0.5
    assert set(m.envelope.differs()) == {"mirror"}


def test_vertical_flip_is_a_mirror_and_a_half_turn() -> None:
    env = probe(A.VerticalFlip()).envelope
    assert env.mirror is True
    assert env.rotation == pytest.approx(180.0, abs=0.5)


def test_rotate_by_20_degrees_measures_20_degrees() -> None:
    env = probe(A.Rotate(limit=(20, 20))).envelope
    assert env.rotation == pytest.approx(20.0, abs=0.5)
    assert env.mirror is False
    assert env.scale_min == pytest.approx(1.0, abs=0.02) and env.scale_max == pytest.approx(1.0, abs=0.02)


def test_rotation_range_is_covered_by_the_runs() -> None:
    env = probe(A.Rotate(limit=(-30, 30)), seeds=24).envelope
    assert 20.0 < env.rotation <= 30.0 + TOLERANCE["rotation"]


def test_affine_scale_and_shift_are_measured() -> None:
    env = probe(A.Affine(scale=(1.2, 1.2), translate_percent={"x": (0.1, 0.1), "y": (0.0, 0.0)})).envelope
    assert env.scale_min == pytest.approx(1.2, abs=0.02) and env.scale_max == pytest.approx(1.2, abs=0.02)
    assert env.translation == pytest.approx(0.1, abs=0.02)
    assert env.rotation < 0.5 and not env.mirror


def test_crop_keeps_the_measured_share_of_the_area() -> None:
    env = probe(A.RandomResizedCrop(size=(64, 64), scale=(0.5, 0.5), ratio=(1.0, 1.0))).envelope
    assert env.crop_min == pytest.approx(0.5, abs=0.06)
    assert env.scale_max == pytest.approx(2**0.5, abs=0.05)


def test_elastic_warp_is_non_rigid() -> None:
    assert probe(A.ElasticTransform(alpha=300, sigma=10)).envelope.nonrigid is True


def test_reflect_border_is_seen_and_a_constant_border_is_not() -> None:
    assert probe(A.Rotate(limit=(30, 30), border_mode=4)).envelope.reflect_border is True
    assert probe(A.Rotate(limit=(30, 30), border_mode=0, fill=0)).envelope.reflect_border is False


# ------------------------------------------------------------------------------------------ intensity and colour


def test_brightness_contrast_in_range() -> None:
    t = A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2)
    env = probe(t).envelope
    assert 0.1 < env.brightness <= 0.2 + TOLERANCE["brightness"]
    assert 0.8 - TOLERANCE["contrast_min"] <= env.contrast_min < 0.95
    assert 1.05 < env.contrast_max <= 1.2 + TOLERANCE["contrast_max"]
    assert not env.inversion and not env.nonmonotone and not env.color
    assert excess(env, static(t)) == {}


def test_invert_is_an_inversion_not_a_brightness_change() -> None:
    env = probe(A.InvertImg()).envelope
    assert env.inversion is True
    assert env.brightness < 0.02 and env.contrast_min == pytest.approx(1.0, abs=0.02)


def test_solarize_is_non_monotone() -> None:
    assert probe(A.Solarize(threshold_range=(0.5, 0.5))).envelope.nonmonotone is True


def test_gamma_is_read_as_gamma() -> None:
    env = probe(A.RandomGamma(gamma_limit=(150, 150))).envelope
    assert env.gamma_max == pytest.approx(1.5, abs=0.08)
    assert env.brightness < 0.03


def test_hue_shift_in_degrees() -> None:
    env = probe(A.HueSaturationValue(hue_shift_limit=(10, 10), sat_shift_limit=0, val_shift_limit=0)).envelope
    assert env.hue == pytest.approx(20.0, abs=3.0)  # OpenCV hue units are half degrees
    assert not env.color


def test_grayscale_and_channel_mixing() -> None:
    gray = probe(A.ToGray()).envelope
    assert gray.grayscale is True and gray.saturation_max < 0.05
    assert probe(A.ChannelShuffle()).envelope.color is True
    assert probe(A.RGBShift(r_shift_limit=(0.1, 0.1), g_shift_limit=0, b_shift_limit=0)).envelope.color is True


def test_posterize_bits() -> None:
    env = probe(A.Posterize(num_bits=(4, 4))).envelope
    assert env.posterize_bits == pytest.approx(4.0, abs=0.5)


# ------------------------------------------------------------------------------------------ detail and structure


@pytest.mark.parametrize("sigma", [0.8, 1.5, 2.5])
def test_gaussian_blur_sigma(sigma: float) -> None:
    k = 2 * int(4 * sigma) + 1  # a kernel wide enough that its taps are a Gaussian of this sigma
    t = A.GaussianBlur(sigma_limit=(sigma, sigma), blur_limit=(k, k))
    env = probe(t, seeds=2).envelope
    expected = static(t).blur  # the catalog's sigma of the kernel albumentations builds
    assert env.blur == pytest.approx(expected, abs=0.15)


def test_noise_sigma_on_a_flat_image() -> None:
    env = probe(A.GaussNoise(std_range=(0.05, 0.05), mean_range=(0, 0))).envelope
    assert env.noise == pytest.approx(0.05, abs=0.01)
    assert env.occlusion < 0.01


def test_coarse_dropout_area() -> None:
    t = A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(0.25, 0.25), hole_width_range=(0.25, 0.25), fill=0)
    env = probe(t).envelope
    assert env.occlusion == pytest.approx(1 / 16, abs=0.015)
    assert not env.mirror and env.rotation < 0.5  # the holes do not confuse the geometry


def test_identity_measures_nothing() -> None:
    assert probe(A.NoOp()).envelope.is_identity()
    assert probe(lambda image: image).envelope.is_identity()
    assert probe(A.Compose([A.HorizontalFlip(p=0.0)], p=1.0)).envelope.is_identity()  # off inside: stays off


# ------------------------------------------------------------------------------------------ what can be probed


def test_plain_functions_and_lambdas_are_measured_from_pixels() -> None:
    assert probe(mirror_rows).envelope.mirror is True
    assert probe(A.Lambda(image=lambda x, **_: np.ascontiguousarray(x[:, ::-1]))).envelope.mirror is True

    def keyword_style(image: np.ndarray, **_: Any) -> dict[str, np.ndarray]:
        return {"image": np.ascontiguousarray(np.rot90(image, 2))}

    env = probe(keyword_style).envelope
    assert env.rotation == pytest.approx(180.0, abs=0.5) and not env.mirror


def test_image_only_subclass_that_mirrors_is_caught() -> None:
    class Sneaky(A.ImageOnlyTransform):  # type: ignore[misc]
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            return np.ascontiguousarray(img[:, ::-1])

    assert probe(Sneaky()).envelope.mirror is True


def test_subclass_whose_pixels_disagree_with_its_keypoints_is_read_from_pixels() -> None:
    class Upside(A.HorizontalFlip):  # type: ignore[misc]
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            return np.ascontiguousarray(img[::-1])

    env = probe(Upside()).envelope
    assert env.mirror and env.rotation == pytest.approx(180.0, abs=0.5)


def test_probability_is_forced_but_switched_off_branches_stay_off() -> None:
    t = A.HorizontalFlip(p=0.05)
    assert probe(t).envelope.mirror is True
    assert t.p == 0.05  # a copy was probed
    env = probe(A.OneOf([A.HorizontalFlip(p=0.0), A.Rotate(limit=(30, 30), p=0.2)])).envelope
    assert not env.mirror and env.rotation == pytest.approx(30.0, abs=0.5)


def test_probe_is_deterministic_and_seeded() -> None:
    t = A.Affine(rotate=(-20, 20), scale=(0.9, 1.1))
    assert probe(t, seeds=6) == probe(t, seeds=6)
    assert probe(t, seeds=6, seed=0).envelope != probe(t, seeds=6, seed=100).envelope


def test_unmeasured_names_the_blind_spots() -> None:
    m = probe(A.HorizontalFlip(), seeds=2)
    assert {"mixing", "topology", "overlay"} <= set(m.unmeasured)
    assert set(ALWAYS_UNMEASURED) <= set(m.unmeasured)
    assert "mirror" not in m.unmeasured


def test_a_transform_that_fails_is_a_probe_error_naming_it() -> None:
    def broken(image: np.ndarray) -> np.ndarray:
        raise RuntimeError("needs a mask")

    with pytest.raises(ProbeError, match=r"broken failed.*needs a mask"):
        probe(broken)
    with pytest.raises(ProbeError, match="neither"):
        probe(42)
    with pytest.raises(ValueError, match="seeds"):
        probe(A.NoOp(), seeds=0)


@pytest.mark.parametrize("dtype", [object, np.complex64, "datetime64[s]"], ids=["object", "complex", "datetime"])
def test_an_output_of_no_real_numbers_is_a_probe_error_not_a_crash(dtype: Any) -> None:
    def mirror_into(image: np.ndarray) -> np.ndarray:
        return mirror_rows(image).astype(dtype)

    out = mirror_into(np.arange(64 * 64 * 3, dtype=np.uint8).reshape(64, 64, 3))
    assert out.dtype == np.dtype(dtype) and out.shape == (64, 64, 3)  # (an image of its own kind)
    # A type error from inside the colour reading used to escape `validate` and `wrap` as a traceback.
    with pytest.raises(ProbeError, match=re.escape(f"image of type {np.dtype(dtype)}")):
        probe(mirror_into, seeds=2)
    with pytest.raises(PolicyViolationError) as caught:
        wrap(mirror_into, "chest_xray", seeds=2)
    assert caught.value.report.codes() == ["SA401"]


# ------------------------------------------------------------------------------------------ excess


def test_excess_is_empty_when_static_contains_measured() -> None:
    measured = Envelope(rotation=15.3, brightness=0.1, contrast_min=0.9, contrast_max=1.1)
    assert excess(measured, Envelope(rotation=15.0, brightness=0.1, contrast_min=0.8, contrast_max=1.2)) == {}
    assert excess(IDENTITY, IDENTITY) == {}


def test_excess_reports_field_measured_and_static() -> None:
    got = excess(Envelope(mirror=True, rotation=25.0), Envelope(rotation=15.0))
    assert got == {"mirror": (True, False), "rotation": (25.0, 15.0)}
    assert excess(Envelope(noise=0.2), Envelope(noise=0.05)) == {"noise": (0.2, 0.05)}
    assert excess(Envelope(contrast_min=0.5), Envelope(contrast_min=0.8)) == {"contrast_min": (0.5, 0.8)}


def test_a_two_axis_shear_stretches_the_scale_it_is_read_with() -> None:
    # Affine(scale=(1, 1.5), shear=(-14.3, 1.9), rotate=(97, 152)) was measured stretching an axis by 1.75:
    # a shear on both axes has singular values 1 ± tan(shear), which the scale reading takes in.
    kw = {"scale": (1.0, 1.5), "shear": (-14.321, 1.9), "rotate": (96.5912, 151.9855), "border_mode": 1}
    static = Envelope(scale_min=1.0, scale_max=1.5, shear=14.321, rotation=151.9855)
    measured = probe(A.Affine(**kw, translate_percent={"y": (-0.219, 0.0), "x": (0.0, 0.1842)}), seeds=1, seed=2)
    assert measured.envelope.scale_max > 1.5 * 1.1  # the reading that used to be called unsound
    assert "scale_max" not in excess(measured.envelope, static)
    # without the shear, the same stretch is beyond the envelope
    assert "scale_max" in excess(measured.envelope, static.with_changes(shear=0.0))


def test_excess_reads_resolution_as_blur() -> None:
    # Halving the resolution spreads a dot by about a pixel: that is not a blur beyond the envelope.
    assert excess(Envelope(blur=0.9), Envelope(resolution=0.5)) == {}
    assert "blur" in excess(Envelope(blur=2.5), Envelope(resolution=0.5))


@pytest.mark.parametrize(
    "transform",
    [
        A.HorizontalFlip(),
        A.Rotate(limit=15),
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05)),
        A.RandomBrightnessContrast(),
        A.RandomGamma(),
        A.HueSaturationValue(),
        A.InvertImg(),
        A.GaussianBlur(),
        A.CoarseDropout(),
        A.ToGray(),
    ],
    ids=lambda t: type(t).__name__,
)
def test_common_transforms_stay_inside_their_catalog_envelope(transform: Any) -> None:
    assert excess(probe(transform, seeds=8).envelope, static(transform)) == {}


def test_widened_pushes_out_by_the_tolerance_and_keeps_nothing_as_nothing() -> None:
    w = widened(Envelope(rotation=10.0, contrast_min=0.9, contrast_max=1.0))
    assert w.rotation == pytest.approx(10.0 + TOLERANCE["rotation"])
    assert w.contrast_min == pytest.approx(0.9 - TOLERANCE["contrast_min"])
    assert w.noise == 0.0 and not w.mirror


def test_dropping_channels_is_grayscale_and_float_output_is_read_in_its_own_scale() -> None:
    assert probe(lambda image: image[..., 0], seeds=1).envelope.grayscale is True
    assert probe(lambda image: image.astype(np.float32) / 255.0, seeds=1).envelope.is_identity()


@pytest.mark.parametrize("kind", ["uint16", "float32", "float64", "RGBA", "int16"])
def test_8_bit_rgb_sent_to_another_kind_and_back_is_itself(kind: str) -> None:
    # The other inputs' runs are compared with the square runs through this round trip; it is taken as exact.
    from safeaug.probing.images import _as_rgb8, _as_variant

    levels = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, axis=2)
    assert np.array_equal(_as_rgb8(_as_variant(levels, kind), kind), levels)


def test_strong_noise_hides_colour_and_says_so() -> None:
    m = probe(A.GaussNoise(std_range=(0.3, 0.3)), seeds=4)
    assert m.envelope.noise == pytest.approx(0.3, abs=0.05)
    assert {"hue", "blur"} <= set(m.unmeasured)


@pytest.mark.parametrize("size", [48, 96])
def test_other_probe_sizes_read_the_same(size: int) -> None:
    assert probe(mirror_rows, size=size, seeds=1).envelope.mirror is True
    env = probe(A.Rotate(limit=(20, 20)), size=size, seeds=1).envelope
    assert env.rotation == pytest.approx(20.0, abs=0.5)
    with pytest.raises(ValueError, match="size"):
        probe(mirror_rows, size=32)


# ------------------------------------------------------------------------------------------ reading limits


def test_hue_of_a_desaturated_colour_is_read_past_its_8_bit_rounding() -> None:
    # A fixed 45° turn (OpenCV: 23 steps of 2°, so 46°) with saturation cut to 0.18 after it: in float32
    # every order of ColorJitter turns each patch by 45.1°; in uint8 a patch left with 16 levels of chroma
    # comes out 52° away from where it was. The 6° is rounding, not a turn.
    t = A.ColorJitter(
        brightness=(0.5, 0.5872), contrast=(0.5186, 1.364), saturation=(0.1587, 0.5872), hue=(-0.1253, -0.1253)
    )
    env = probe(t, seeds=12).envelope
    assert env.saturation_min < 0.2  # the draws that leave little chroma are among the runs
    assert 44.0 <= env.hue <= 46.0 + TOLERANCE["hue"]
    assert "hue" not in excess(env, static(t))


def test_a_real_turn_on_desaturated_colours_is_still_read() -> None:
    # The rounding allowance is per patch and shrinks with chroma: a 90° turn on colours cut to a fifth of
    # their chroma still reads as about 90°, far past a 46° bound.
    t = A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(0.2, 0.2), hue=(-0.25, -0.25))
    env = probe(t, seeds=4).envelope
    assert env.hue > 80.0
    narrower = static(A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(0.2, 0.2), hue=(-0.1253, -0.1253)))
    assert "hue" in excess(env, narrower)


def test_an_added_mean_under_coarse_noise_is_brightness_not_gain() -> None:
    # GaussNoise(noise_scale_factor=0.25) draws its noise on a quarter grid: the flat grey carries a field.
    # The mean (up to 0.095) shifts the whole image; it used to be read as gains of up to 1.2 as well.
    t = A.GaussNoise(std_range=(0.0187, 0.0187), mean_range=(0.0187, 0.0954), per_channel=True, noise_scale_factor=0.25)
    env = probe(t, seeds=12).envelope
    assert env.brightness > 0.06
    assert env.contrast_min > 0.9 and env.contrast_max < 1.1
    assert excess(env, static(t)) in ({}, {"color": (True, False)})  # per-channel noise tints the grey
    # The field's own spread still gives gains: a brightness field (Illumination) reads as contrast.
    lit = probe(A.Illumination(mode="linear", intensity_range=(0.2, 0.2)), seeds=4).envelope
    assert lit.contrast_max - lit.contrast_min > 0.1


def test_coarse_noise_gets_room_in_the_gains_and_fine_noise_does_not_need_it() -> None:
    coarse = Envelope(noise=0.03, brightness=0.1)
    assert "contrast_max" not in excess(Envelope(noise=0.01, brightness=0.1, contrast_max=1.18), coarse)
    assert "contrast_max" in excess(Envelope(noise=0.01, brightness=0.1, contrast_max=1.25), coarse)
    assert "contrast_max" in excess(Envelope(contrast_max=1.1), Envelope())


def test_a_projective_map_is_read_at_the_centre_not_at_its_corner() -> None:
    # Perspective(fit_output=True, keep_size=False) shows the whole warped image: near the vanishing line
    # the corner (0, 0) is blown up about twelve times on one of these seeds, while the content's centre
    # is zoomed by 1.3-1.7. Zoom, turn and shear are read at the centre; the bend is `perspective`.
    t = A.Perspective(scale=(0.1654, 0.1654), keep_size=False, fit_output=True)
    env = probe(t, seeds=12).envelope
    assert 1.2 < env.scale_max < 2.0
    # The bend is read over the part of the input in view, as a share of the output's side: strong, and
    # within the 4 sigma of corner travel the catalog allows (read at the input's corners it was 7 sigma).
    assert 0.3 < env.perspective <= 4 * 0.1654
    # An affine map reads the same anywhere.
    # Dots are measured against the zoom where they are, not at one place: 1.15 px of "blur" before.
    wide = probe(A.Perspective(scale=(0.3, 0.3), keep_size=False, fit_output=True), seeds=12).envelope
    assert wide.blur < 0.9
    affine = probe(A.Affine(scale=(1.5, 1.5), rotate=(20, 20)), seeds=2).envelope
    assert affine.scale_max == pytest.approx(1.5, abs=0.03)


def test_a_clip_in_an_intermediate_step_is_clipping_not_a_curve() -> None:
    # ColorJitter with contrast 1.5 before brightness 0.5: the stretch clips at full scale, then the gain
    # halves it, so the top sixth of the ramp sits flat at 0.5. Read as a curve it was gamma 0.58 with a
    # shift of 0.34; left out as clipping, it is the slope 0.75 and shift 0.125 the two factors make.
    t = A.ColorJitter(brightness=(0.5, 0.5), contrast=(1.5, 1.5), saturation=(1, 1), hue=(0, 0))
    env = probe(t, seeds=12).envelope
    assert env.gamma_min == 1.0 and env.gamma_max == 1.0
    assert env.contrast_min == pytest.approx(0.75, abs=0.03) and env.brightness < 0.16
    # A real curve still reads as one.
    assert probe(A.RandomGamma(gamma_limit=(60, 60)), seeds=1).envelope.gamma_min == pytest.approx(0.6, abs=0.08)


def test_coarse_per_channel_noise_is_not_a_colour_cast_but_a_cast_under_it_still_is() -> None:
    noise = A.GaussNoise(std_range=(0.0346, 0.0346), per_channel=True, noise_scale_factor=0.25)
    assert not probe(noise, seeds=12).envelope.color
    shifted = A.Compose([A.RGBShift(r_shift_limit=(0.03, 0.03), g_shift_limit=0, b_shift_limit=0), noise])
    assert probe(shifted, seeds=4).envelope.color


def test_colours_faded_almost_to_grey_are_not_read_as_a_grayscale_conversion() -> None:
    assert excess(Envelope(grayscale=True), Envelope(saturation_min=0.0575)) == {}
    assert excess(Envelope(grayscale=True), Envelope(saturation_min=0.5)) == {"grayscale": (True, False)}


def test_a_resize_to_whole_pixels_is_not_read_as_a_crop() -> None:
    # 64 px times 0.514 is 32.9 px: the image comes out 32 px, while albumentations scales the keypoints by
    # the exact factor, so they reach 0.4 px past the frame. All of the input is still in the output.
    t = A.RandomScale(scale_limit=(-0.4858, -0.4858), p=1.0)
    env = probe(t, seeds=1).envelope
    assert env.scale_min == pytest.approx(0.514, abs=0.01)
    assert env.crop_min == 1.0
    # A real crop of a few pixels at the far sides is still read.
    cropped = A.Crop(x_min=0, y_min=0, x_max=58, y_max=58, p=1.0)
    assert probe(cropped, seeds=1).envelope.crop_min < 0.9


def test_border_fill_a_strong_warp_pulls_into_the_middle_is_not_noise() -> None:
    # On this draw the warp leaves the middle of the flat grey half fill: blocks across the edges between fill
    # and grey read 0.135 of noise. Such a flat image carries a field; its noise is not read (as under a
    # brightness field), and the run says so.
    t = A.ThinPlateSpline(scale_range=(0.3357, 0.4714), num_control_points=6, border_mode=0, p=1.0)
    m = probe(t, seeds=12)
    assert m.envelope.nonrigid and m.envelope.noise < TOLERANCE["noise"]
    # Half of the middle fill, no block of it clean: the robust spread of all pixels read 0.07 of "noise".
    half = A.ThinPlateSpline(scale_range=(0.5, 0.5), num_control_points=6, border_mode=0, p=1.0)
    assert probe(half, seeds=1, seed=9).envelope.noise < TOLERANCE["noise"]
    # Noise on a strongly warped image whose middle is still the input is read.
    noisy = A.Compose([A.GaussNoise(std_range=(0.1, 0.1), p=1.0), A.ThinPlateSpline(scale_range=(0.4, 0.4), p=1.0)])
    warped = probe(noisy, seeds=4).envelope
    assert warped.nonrigid and warped.noise > 0.04


def test_a_slight_perspective_after_a_big_zoom_is_read_where_the_content_is() -> None:
    # A crop of 12 px resized to 56x48, then a perspective of 0.0368: read at the input's corners, which the
    # zoom puts far outside the frame, the bend read up to 28 sides; over the part in view it is 0.03.
    kp = A.KeypointParams(format="xy", remove_invisible=False)
    pipe = A.Compose(
        [
            A.RandomSizedCrop(min_max_height=(11, 13), size=(56, 48), w2h_ratio=0.6962, p=1.0),
            A.Perspective(scale=(0.0368, 0.0368), keep_size=False, border_mode=0, p=1.0),
        ],
        keypoint_params=kp,
    )
    env = probe(pipe, seeds=8).envelope
    assert env.scale_max > 3.0
    assert 0.0 < env.perspective <= 4 * 0.0368 + TOLERANCE["perspective"]


def test_resampling_spread_after_a_zoom_out_is_half_a_pixel_of_the_output() -> None:
    # Affine(scale=0.55): the dots read 1.41 px of blur in input pixels, which is 0.78 px of the output. The
    # resampling allowance grows as the zoom shrinks; a real blur on top is still reported.
    zoom_out = A.Affine(scale=(0.55, 0.55), border_mode=0, p=1.0)
    measured = probe(zoom_out, seeds=12).envelope
    assert measured.blur > 0.6 + TOLERANCE["blur"]
    assert "blur" not in excess(measured, static(zoom_out))
    blurred = A.Compose([zoom_out, A.GaussianBlur(sigma_limit=(1.5, 1.5), blur_limit=0, p=1.0)])
    assert "blur" in excess(probe(blurred, seeds=4).envelope, static(zoom_out))


def test_colours_clipped_to_black_are_not_read_as_a_grayscale_conversion() -> None:
    # brightness -0.45 with contrast 0.55 sends every colour patch (value 0.8) below 0: black has no chroma,
    # but no colour was converted to grey. A real conversion is still read.
    dark = A.RandomBrightnessContrast(brightness_limit=(-0.45, -0.45), contrast_limit=(-0.45, -0.45), p=1.0)
    m = probe(dark, seeds=2)
    assert not m.envelope.grayscale and "grayscale" in m.unmeasured
    assert probe(A.ToGray(p=1.0), seeds=2).envelope.grayscale


def test_fill_where_the_geometry_pushed_content_out_is_the_crop_not_a_hole() -> None:
    # A 30° turn pushes corners out; a later pad (or a resize) widens the frame, and the fill left inside the
    # input's footprint reads as holes. The static turn already counts that area as lost.
    turned = Envelope(rotation=30.0)
    cut = 1.0 - 0.84  # a square turned by 30° keeps 84% of itself inside its frame
    assert excess(Envelope(rotation=30.0, occlusion=cut), turned) == {}
    assert "occlusion" in excess(Envelope(rotation=30.0, occlusion=cut + 0.1), turned)
    assert "occlusion" in excess(Envelope(occlusion=0.1), IDENTITY)


def test_a_histogram_stretch_leaves_the_flat_greys_noise_and_holes_unbounded() -> None:
    # GaussNoise of sigma 0.01 then AutoContrast(method="cdf") spread a flat grey over levels 77-252; its
    # outliers read as 43% of holes. Without any noise, SafeRotate's resampled border pixels under Equalize
    # and CLAHE read as 38% of holes. Without a stretch, both readings count.
    measured = Envelope(noise=0.2, occlusion=0.43)
    assert excess(measured, Envelope(noise=0.0116, equalization=True)) == {}
    assert excess(measured, Envelope(equalization=True)) == {}
    assert {"noise", "occlusion"} <= set(excess(measured, Envelope(noise=0.0116)))


def test_a_shear_pushes_corners_out_like_a_turn() -> None:
    # Affine(shear=(0.57, 21.66), scale=(0.5, 1)) kept 93% of the square in the frame: the shear's cut corners.
    sheared = Envelope(shear=21.66, scale_min=0.5)
    assert excess(Envelope(shear=20.0, crop_min=0.934), sheared) == {}
    assert "crop_min" in excess(Envelope(crop_min=0.934), Envelope(scale_min=0.5))


def test_a_constant_fill_with_a_blended_edge_is_not_a_reflected_border() -> None:
    # On one draw this warp fits as a near-affine zoom (0.73 px RMS) while pulling a ramp of blended fill
    # (36 down to 0) into the part no input maps to: it read as texture, a reflected border.
    warp = dict(sigma=51.4202, alpha=74.5795, approximate=False, p=1.0)
    assert not probe(A.ElasticTransform(border_mode=0, **warp), seeds=12).envelope.reflect_border
    assert probe(A.ElasticTransform(border_mode=4, **warp), seeds=12).envelope.reflect_border
    # A small such part, 40% fill and the rest blended between the fill and the background, is fill too.
    small = dict(sigma=30.0215, alpha=33.3705, approximate=False, p=1.0)
    assert not probe(A.ElasticTransform(border_mode=0, **small), seeds=12).envelope.reflect_border
    assert probe(A.ElasticTransform(border_mode=2, **small), seeds=12).envelope.reflect_border


def test_landmarks_moved_by_a_map_that_cannot_be_found_are_not_compared_in_place() -> None:
    # No keypoints (the outer Compose has none) and warps too strong for the landmarks to be fitted: the
    # ramp compared in place paired each pixel with another's input, and read a slope of 0.46.
    pipe = A.Compose(
        [
            A.PiecewiseAffine(scale=(0.0243, 0.0252), nb_rows=4, nb_cols=4, p=1.0),
            A.OpticalDistortion(distort_limit=(0.0, 0.4318), mode="fisheye", border_mode=0, p=1.0),
            A.PiecewiseAffine(scale=(0.0753, 0.095), nb_rows=3, nb_cols=(3, 4), p=1.0),
            A.Blur(blur_limit=(3, 3), p=1.0),
            A.Emboss(alpha=(0.0, 0.9439), strength=(0.0, 1.0), p=0.5),
            A.PiecewiseAffine(scale=(0.0122, 0.0239), nb_rows=4, nb_cols=4, p=1.0),
            A.RandomBrightnessContrast(
                brightness_limit=(-0.4083, 0.4138), contrast_limit=(0.0, 0.3609), brightness_by_max=False, p=0.5
            ),
        ]
    )
    m = probe(pipe, seeds=2, seed=4)
    assert m.envelope.contrast_min == 1.0 and "contrast_min" in m.unmeasured
    # Landmarks that cannot be found at all (a strong blur) leave the pixels compared in place, as before.
    blurred = probe(
        lambda image: A.GaussianBlur(sigma_limit=(5, 5), blur_limit=0, p=1.0)(image=image)["image"], seeds=1
    )
    assert blurred.envelope.blur > 2.0


def test_the_blended_edge_of_fill_a_warp_pulled_in_is_not_noise() -> None:
    # A strong GridDistortion pulls the constant fill into the middle, Superpixels averages segments across
    # its edge: blocks along that edge read 0.010 of noise. Blocks within 2 px of a hole are not read.
    pipe = A.Compose(
        [
            A.GridDistortion(distort_limit=(-0.7556, -0.2349), num_steps=5, normalized=True, border_mode=0, p=1.0),
            A.RandomGridShuffle(grid=(1, 4), p=1.0),
            A.Superpixels(max_size=32, n_segments=(40, 60), p_replace=(0.0593, 0.0682), p=1.0),
        ],
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
    )
    assert probe(pipe, seeds=8).envelope.noise < TOLERANCE["noise"]


def test_dots_clipped_to_black_with_their_background_are_not_read_as_blur() -> None:
    # Brightness and contrast of -0.5 send every level to 0: the dots are gone, but not by blur. A rank
    # filter that erases them from a ramp it keeps still reads as the blur ceiling.
    black = A.RandomBrightnessContrast(
        brightness_limit=(-0.5, -0.5), contrast_limit=(-0.5, -0.5), ensure_safe_range=False, p=1.0
    )
    m = probe(black, seeds=1)
    assert m.envelope.blur == 0.0 and "blur" in m.unmeasured
    assert probe(A.MedianBlur(blur_limit=(5, 5), p=1.0), seeds=1).envelope.blur > 3.0


def test_hues_scattered_by_rounding_faded_colours_are_not_a_channel_mix() -> None:
    # Saturation 0.03-0.3 with a hue turn: colours left with a few levels of chroma scatter their hues by
    # more than 12° between patches through 8-bit rounding alone, which read as a channel mix (`color`).
    faded = A.ColorJitter(
        brightness=(0.6309, 0.7719), contrast=(0.7352, 0.9399), saturation=(0.0287, 0.3043), hue=(0.0, 0.3), p=1.0
    )
    assert not probe(faded, seeds=12).envelope.color
    assert probe(A.ChannelShuffle(p=1.0), seeds=4).envelope.color  # a real mix still reads


def test_per_channel_noise_the_flat_grey_shows_is_taken_off_the_ramp_before_reading_a_cast() -> None:
    # One call draws one noise field for every probe image. Coarse per-channel noise just under the 0.05 at
    # which colour is no longer read moved one of the ramp's 32 bins 6 wanders of the flat grey apart (a cast
    # of 24 levels on one seed in eight); the same field, read off the flat grey, is now taken off the ramp.
    noise = A.GaussNoise(std_range=(0.0486, 0.0486), per_channel=True, noise_scale_factor=0.25, p=1.0)
    for seed in (0, 1, 2):
        assert not probe(noise, seeds=8, seed=seed).envelope.color
    # A cast under that noise reads, down to a few levels (the allowance used to hide 10 levels of it).
    for shift in (6, 20):
        red = A.RGBShift(r_shift_limit=(shift, shift), g_shift_limit=(0, 0), b_shift_limit=(0, 0), p=1.0)
        assert probe(A.Compose([red, noise]), seeds=4).envelope.color, shift


def test_the_corners_a_small_turn_cuts_are_counted_exactly() -> None:
    from safeaug.probing.compare import _sheared_overlap, _turned_overlap

    # A square turned by θ about its centre loses four corner triangles: 1.7% of it at 2°, which a 16x16 grid
    # of samples missed (it read 2° as keeping everything). At 45° the inscribed octagon keeps 2(√2 - 1).
    assert _turned_overlap(math.radians(2.0)) == pytest.approx(0.9831, abs=1e-3)
    assert _turned_overlap(math.radians(45.0)) == pytest.approx(2 * (math.sqrt(2) - 1), abs=1e-9)
    assert _sheared_overlap(1.0) == pytest.approx(0.5, abs=1e-9)
    assert _turned_overlap(0.0) == _sheared_overlap(0.0) == 1.0
    # Drawn for small_objects: after Perspective(keep_size=False) the frame is all content, and the 2° turn's
    # fill in the corners read 0.028 of occlusion; the geometry may hide that share (plus the tolerance).
    kp = A.KeypointParams(format="xy", remove_invisible=False)
    pipe = A.Compose(
        [
            A.Perspective(scale=(0.1, 0.1), keep_size=False, border_mode=0, p=1.0),
            A.Rotate(limit=(2, 2), border_mode=0, p=1.0),
            A.HorizontalFlip(p=1.0),
        ],
        keypoint_params=kp,
    )
    measured = probe(pipe, seeds=8).envelope
    assert measured.occlusion > TOLERANCE["occlusion"]  # the fill is read
    envelope = Envelope(rotation=2.0, perspective=0.1, mirror=True)
    assert excess(measured, envelope) == {}
    # ... and an occlusion beyond what the turn cuts still counts
    assert "occlusion" in excess(measured.with_changes(occlusion=0.06), envelope)


def test_the_blended_edge_of_a_constant_fill_counts_by_how_much_it_covers() -> None:
    from safeaug.probing.detail import _hidden_share

    # A 10x10 hole of one level (0.5 from the grey) in a 32x32 flat image, with a blended one-pixel ring
    # (0.25: half covered), as a resample leaves it. The ring counts half; a sharp edge counts in full.
    dev = np.zeros((32, 32, 1))
    dev[10:20, 10:20] = 0.5
    ring = np.zeros((32, 32), bool)
    ring[9:21, 9:21] = True
    ring[10:20, 10:20] = False
    dev[ring] = 0.25
    hidden = dev > 0.08
    assert _hidden_share(dev, hidden, 32 * 32) == pytest.approx((100 + 0.5 * 44) / 1024)
    sharp = np.where(ring[..., None], 0.0, dev)
    assert _hidden_share(sharp, sharp > 0.08, 32 * 32) == pytest.approx(100 / 1024)
    # A random fill: its edge cannot be told from its inside, so every hidden value counts.
    rng = np.random.default_rng(0)
    noisy = np.where(hidden, rng.uniform(0.1, 0.5, dev.shape), 0.0)
    assert _hidden_share(noisy, hidden, 32 * 32) == pytest.approx(144 / 1024)


# ------------------------------------------------------------------------------------------ runs not read in full


def _only_on_one_late_seed(effect: Any, seeds: int = 16) -> Any:
    """A function that brightens every run a little (each run by its own draw) and does ``effect`` on one late
    run only, one whose brightening lies within the range of the runs read first: only ``effect`` tells it apart."""
    import random
    import statistics

    draws = []
    for s in range(seeds):
        random.seed(s)
        draws.append(random.random())
    middle = statistics.median(draws[:8])
    late = min(range(8, seeds), key=lambda s: abs(draws[s] - middle))

    def fn(image: np.ndarray) -> np.ndarray:
        v = random.random()
        if image.dtype != np.uint8:
            return image
        out = np.clip(np.rint(image.astype(np.float64) * (1.0 + 0.03 * v)), 0, 255).astype(np.uint8)
        return effect(out) if v == draws[late] else out

    return fn


def _full(monkeypatch: pytest.MonkeyPatch, transform: Any) -> Any:
    import safeaug.probing.engine as engine

    with monkeypatch.context() as m:
        m.setattr(engine, "_FIRST_READS", 10**9)
        return probe(transform)


def test_a_mirror_on_one_late_run_is_read_though_most_late_runs_are_not() -> None:
    m = probe(_only_on_one_late_seed(lambda x: np.ascontiguousarray(x[:, ::-1])))
    assert m.envelope.mirror is True
    assert "read in full" in m.inputs[0]  # runs within the range of the first ones were left unread


def test_an_inversion_on_one_late_run_is_read() -> None:
    m = probe(_only_on_one_late_seed(lambda x: 255 - x))
    assert m.envelope.inversion is True
    assert "read in full" in m.inputs[0]


@pytest.mark.parametrize("seed", range(20))
def test_every_run_left_unread_lies_within_the_range_of_the_runs_read(seed: int) -> None:
    from safeaug.probing.engine import _FIRST_READS, _choose
    from safeaug.probing.measure import _Box

    rng = np.random.default_rng(seed)
    n, dims = 16, 6
    values = rng.normal(size=(n, dims)) * rng.uniform(0.0, 3.0, size=dims)
    margins = np.full(dims, 0.2)
    keys = [("same",)] * n
    keys[int(rng.integers(_FIRST_READS, n))] = ("other",)  # a run of another kind: never within the others' range
    signatures: list[Any] = [(k, v, margins) for k, v in zip(keys, values, strict=True)]
    signatures[int(rng.integers(0, n))] = None  # a run that cannot be summarised is read
    chosen = _choose(signatures)
    assert chosen[:_FIRST_READS] == list(range(_FIRST_READS))
    assert all(signatures[j] is not None and signatures[j][0] == ("same",) for j in set(range(n)) - set(chosen))
    read = _Box()
    for j in chosen:
        read.add(signatures[j])
    for j in set(range(n)) - set(chosen):
        assert read.covers(signatures[j]), j


def _turned(image: np.ndarray, degrees: float = 25.0) -> np.ndarray:
    import cv2

    h, w = image.shape[:2]
    M = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, 1.0)
    return np.asarray(cv2.warpAffine(image, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)))


def test_a_turn_past_the_bound_on_one_late_run_is_read() -> None:
    # One draw in sixteen turns by 25 degrees, the others not at all: that run leaves the range of the runs
    # read first, wherever it falls, and is read in full.
    m = probe(_only_on_one_late_seed(_turned))
    assert m.envelope.rotation >= 25.0 - TOLERANCE["rotation"]
    assert "read in full" in m.inputs[0]


def test_a_posterisation_on_one_late_run_is_read() -> None:
    # Three bits on one late draw, each level sent to the middle of its step: the block means of the ramp barely
    # move, its count of distinct levels does.
    m = probe(_only_on_one_late_seed(lambda x: (x & np.uint8(0xE0)) + np.uint8(16)))
    assert m.envelope.posterize_bits <= 3.0 + TOLERANCE["posterize_bits"]
    assert "read in full" in m.inputs[0]


@pytest.mark.parametrize(
    "transform",
    [
        A.Rotate(limit=30, p=1),
        A.RandomBrightnessContrast(p=1),
        A.RandomResizedCrop(size=(64, 64), scale=(0.5, 1.0), p=1),
        A.GaussianBlur(p=1),
        A.HueSaturationValue(p=1),
    ],
    ids=lambda t: type(t).__name__,
)
def test_runs_left_unread_read_within_the_tolerance_of_reading_them_all(
    transform: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick, full = probe(transform).envelope, _full(monkeypatch, transform).envelope
    for name, value in full.__dict__.items():
        mine = getattr(quick, name)
        if isinstance(value, bool):
            assert mine == value, name
        elif isinstance(value, float):
            assert abs(mine - value) <= TOLERANCE.get(name, 1e-9), (name, mine, value)
