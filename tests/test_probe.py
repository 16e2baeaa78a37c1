"""The probe measures what transforms do: known transforms measure what they should, excess() behaves."""

from __future__ import annotations

from typing import Any

import albumentations as A
import numpy as np
import pytest

from safeaug import Envelope
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
    assert env.perspective > 1.0
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
