"""One harness over every catalog entry, whoever registered it: its registration, its knobs, and its family's
contract at its defaults and at the extremes of its arguments."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import albumentations as A
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import envelope_of

from safeaug import strategies as sst
from safeaug.catalog import (
    CONTRACTS,
    Entry,
    Params,
    _registry,
    add_defaults,
    contract_breaches,
    defaults_for,
    entry,
    get_entry,
    known_names,
    register_transform,
    resolve,
    unregister_transform,
)
from safeaug.catalog._signatures import BASES, DEFAULTS, REQUIRED
from safeaug.catalog.label_aware import NAMES as LABEL_AWARE
from safeaug.effects import GROUPS, Envelope
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.rules import EFFECT_RULES

warnings.filterwarnings("ignore", module="albumentations")

ENTRIES = sorted(known_names())
# A knob is looked up by the name of the rule it helps to meet (``destroys``: the degenerate argument, SA410).
EFFECT_NAMES = {r.name for r in EFFECT_RULES} | {"destroys"}


def _envelope(name: str, given: dict[str, Any]) -> Envelope:
    found = get_entry(name)
    assert found is not None, name
    return found.envelope(Params(name, given, defaults_for(name)))


def _extremes(name: str) -> Iterator[dict[str, Any]]:
    """Arguments at the edges of the ranges albumentations accepts (``safeaug.strategies.SPECS``): every range
    at its widest, every number at its top and then at its bottom, each choice tried once."""
    spec = sst.SPECS.get(name)
    if spec is None:
        return
    widest: dict[str, Any] = {}
    choices: list[tuple[str, tuple[Any, ...]]] = []
    for key, s in spec.items():
        if isinstance(s, sst.Num):
            widest[key] = s.hi
        elif isinstance(s, sst.Pair):
            widest[key] = (s.lo, s.hi)
        elif isinstance(s, sst.Choice):
            widest[key] = s.options[0]
            choices.append((key, s.options))
        else:
            widest[key] = s.calm
    lowest = {k: (s.lo if isinstance(s, sst.Num) else widest[k]) for k, s in spec.items()}
    unpack = sst._UNPACK.get(name, dict)
    yield unpack(dict(widest))
    yield unpack(dict(lowest))
    for key, options in choices:
        for option in options[1:]:
            yield unpack({**widest, key: option})


def resolve_by_name(name: str) -> Entry:
    """The entry for an albumentations class, inherited through its bases as the validator does."""
    found = resolve(Node(name, {}, mro=(name, *BASES.get(name, ())))).entry
    assert found is not None, name
    return found


def _complete_defaults(name: str) -> bool:
    return not any(v == REQUIRED for v in defaults_for(name).values())


# ---------------------------------------------------------------- registration


@pytest.mark.parametrize("name", ENTRIES)
def test_every_entry_says_what_it_does_and_keeps_a_family_with_a_contract(name: str) -> None:
    found = get_entry(name)
    assert found is not None and found.name == name
    assert found.family in CONTRACTS, f"{name}: family {found.family!r} has no contract"
    assert found.summary.strip() and found.summary.strip()[0].islower(), (name, found.summary)


@pytest.mark.parametrize("name", ENTRIES)
def test_knobs_name_real_arguments_and_effects(name: str) -> None:
    found = get_entry(name)
    assert found is not None
    for effect, knob in found.knobs.items():
        assert effect in EFFECT_NAMES, (name, effect)
        if found.family != "auto":  # RandAugment's knobs name arguments of its stored policy
            assert knob.param in defaults_for(name), (name, knob.param)


def test_the_contract_groups_cover_every_effect_once() -> None:
    names = [n for group in GROUPS.values() for n in group]
    assert sorted(names) == sorted(Envelope.__dataclass_fields__)


def test_label_aware_entries_come_through_the_public_door_into_the_family_of_their_effect() -> None:
    for name in LABEL_AWARE:
        found = get_entry(name)
        assert found is not None and found.label_transforms, name
        assert found.family == ("photometric" if "ColorJitter" in name else "geometric"), name
        with pytest.raises(ValueError, match="was not registered with register_transform"):
            unregister_transform(name)  # a user cannot remove safeaug's own entries


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="Rotate already has a catalog entry"):
        entry("Rotate", family="geometric")(lambda _p: Envelope(rotation=1.0))
    with pytest.raises(ValueError, match="HorizontalFlip already has a catalog entry"):
        _registry.constant("HorizontalFlip", Envelope(mirror=True), family="geometric")
    with pytest.raises(ValueError, match="Lambda already has a catalog entry"):
        _registry.unknown("Lambda", family="structural", summary="runs a function")
    with pytest.raises(ValueError, match="already has a catalog entry"):
        register_transform("Rotate", Envelope())
    assert get_entry("Rotate").family == "geometric"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="no family 'colour'; families: geometric, photometric"):
        register_transform("mypkg.Tint", Envelope(hue=5.0), family="colour")
    assert get_entry("mypkg.Tint") is None


def test_known_names_follow_a_registration_and_its_removal() -> None:
    before = known_names()
    assert "mypkg.Spin" not in before
    register_transform("mypkg.Spin", Envelope(rotation=5.0), family="geometric")
    try:
        assert known_names() == before | {"mypkg.Spin"}
    finally:
        unregister_transform("mypkg.Spin")  # registered in a family other than "custom": still the user's own
    assert known_names() == before
    with pytest.raises(ValueError, match="was not registered with register_transform"):
        unregister_transform("mypkg.Spin")  # already removed
    with pytest.raises(ValueError, match="was not registered with register_transform"):
        unregister_transform("Rotate")  # safeaug's own entry


def test_a_library_catalog_registers_dotted_names_with_their_own_defaults() -> None:
    names = ["testlib.transforms.Spin", "testlib.Spin"]

    @entry(names, family="geometric", defaults={"degrees": 10.0, "p": 0.5})
    def _spin(p: Params) -> Envelope:
        """turns by up to ``degrees``"""
        return Envelope(rotation=p.magnitude("degrees"))

    try:
        assert _envelope("testlib.Spin", {}).rotation == 10.0
        assert _envelope("testlib.transforms.Spin", {"degrees": 30}).rotation == 30.0
        with pytest.raises(ValueError, match="already has a defaults table"):
            add_defaults({"testlib.Spin": {"degrees": 1.0}})
        with pytest.raises(ValueError, match="already has a defaults table"):
            add_defaults({"Rotate": {"limit": 1.0}})  # the generated table holds albumentations' own
        assert contract_breaches("geometric", _envelope("testlib.Spin", {})) == []
    finally:
        for name in names:
            del _registry._ENTRIES[name]
            del _registry._ADDED_DEFAULTS[name]
        _registry._forget()


# ---------------------------------------------------------------- the family contract


def test_the_contract_catches_a_colour_entry_that_mirrors() -> None:
    sneaky = Envelope(hue=10.0, color=True, mirror=True)
    assert contract_breaches("photometric", sneaky) == [
        "moves `mirror`, but a photometric entry changes tone and colour only: no mirror, turn, zoom, crop, shift, "
        "blur or occlusion"
    ]
    assert contract_breaches("geometric", Envelope(rotation=5.0, hue=3.0))
    assert contract_breaches("structural", Envelope(brightness=0.1))
    assert contract_breaches("mixing", Envelope(brightness=0.1))  # mixes without saying so
    assert contract_breaches("no-such-family", Envelope())
    assert contract_breaches("geometric", Envelope(rotation=5.0, mirror=True, crop_min=0.5)) == []


@pytest.mark.parametrize("name", ENTRIES)
def test_every_entry_keeps_its_family_contract_at_defaults_and_extremes(name: str) -> None:
    found = get_entry(name)
    assert found is not None
    if found.unknown:
        return  # no envelope to hold to a contract: the validator refuses it (fail closed)
    tried = 0
    cases = ([{}] if _complete_defaults(name) else []) + list(_extremes(name))
    for arguments in cases:
        try:
            envelope = _envelope(name, arguments)
        except ConfigError:
            continue  # a refusal is the fail-closed answer; there is no envelope to check
        tried += 1
        assert contract_breaches(found.family, envelope) == [], (name, arguments)
    if name in DEFAULTS and _complete_defaults(name):
        assert tried, f"{name}: not one envelope read at its defaults or extremes"


@pytest.mark.slow  # a property test over the whole catalog
@pytest.mark.parametrize("name", sst.NAMES)
@given(data=st.data())
def test_random_arguments_keep_the_family_contract(name: str, data: st.DataObject) -> None:
    found = resolve_by_name(name)
    drawn_name, kwargs = data.draw(sst.transform_kwargs(names=[name]))
    try:
        envelope = found.envelope(Params(drawn_name, kwargs, defaults_for(drawn_name)))
    except ConfigError:
        return
    assert contract_breaches(found.family, envelope) == [], kwargs


# ---------------------------------------------------------------- live objects agree with the catalog


def _constructible() -> list[str]:
    out = []
    for name in ENTRIES:
        cls = getattr(A, name, None)
        if cls is None or not _complete_defaults(name) or get_entry(name).unknown:  # type: ignore[union-attr]
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cls()
        except Exception:  # needs inputs at construction (a font, reference images)
            continue
        out.append(name)
    return out


@pytest.mark.parametrize("name", _constructible())
def test_defaults_and_the_arguments_albumentations_stores_give_the_same_envelope(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stored = getattr(A, name)().get_transform_init_args()
    assert _envelope(name, {}) == _envelope(name, stored)


# ---------------------------------------------------------------- arguments as written, as stored, as read live
# albumentations turns a bare number into a range, a list into a tuple, renamed arguments into new ones: the
# catalog must read the same envelope from what a user wrote, from what the object stores
# (``get_transform_init_args``) and from the live object as the validator reads it.

FONT = {"font_path": "DejaVuSans.ttf"}  # TextImage needs a font file; albumentations opens it only when drawing

GEOMETRIC_RAW: list[tuple[str, dict[str, Any]]] = [
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
]


PHOTOMETRIC_RAW: list[tuple[str, dict[str, Any]]] = [
    ("RandomBrightnessContrast", {"brightness_limit": 0.1}),
    ("RandomBrightnessContrast", {"brightness_limit": -0.15}),
    ("RandomBrightnessContrast", {"brightness_limit": (-0.1, 0.3)}),
    ("RandomBrightnessContrast", {"contrast_limit": 0.3}),
    ("RandomBrightnessContrast", {"contrast_limit": [-0.5, 0.1], "brightness_by_max": False}),
    ("RandomBrightnessContrast", {"brightness_limit": 0.25, "contrast_limit": 0.1, "ensure_safe_range": True}),
    ("RandomGamma", {"gamma_limit": 20}),
    ("RandomGamma", {"gamma_limit": 150}),
    ("RandomGamma", {"gamma_limit": (90, 110)}),
    ("CLAHE", {"clip_limit": 4}),
    ("CLAHE", {"clip_limit": 1.5}),
    ("CLAHE", {"clip_limit": (2, 6)}),
    ("ColorJitter", {"brightness": 0.2}),
    ("ColorJitter", {"brightness": 1.5}),
    ("ColorJitter", {"contrast": 0.5}),
    ("ColorJitter", {"contrast": (0.9, 1.3)}),
    ("ColorJitter", {"saturation": 1.0}),
    ("ColorJitter", {"saturation": (0.5, 1.5)}),
    ("ColorJitter", {"hue": 0.1}),
    ("ColorJitter", {"hue": (-0.2, 0.05)}),
    ("HueSaturationValue", {"hue_shift_limit": 10}),
    ("HueSaturationValue", {"hue_shift_limit": -10}),
    ("HueSaturationValue", {"hue_shift_limit": (-5, 15)}),
    ("HueSaturationValue", {"sat_shift_limit": 40}),
    ("HueSaturationValue", {"sat_shift_limit": (5, 40)}),
    ("HueSaturationValue", {"val_shift_limit": 25}),
    ("HueSaturationValue", {"val_shift_limit": (-60, 0)}),
    ("RGBShift", {"r_shift_limit": 1}),
    ("RGBShift", {"r_shift_limit": 0.5, "g_shift_limit": 30}),
    ("RGBShift", {"g_shift_limit": (-10, 40)}),
    ("RGBShift", {"b_shift_limit": 15}),
    ("RGBShift", {"b_shift_limit": (-0.1, 0.2)}),
    ("Posterize", {"num_bits": 3}),
    ("Posterize", {"num_bits": (2, 5)}),
    ("Posterize", {"num_bits": [(3, 4), (4, 5), (5, 6)]}),
    ("Solarize", {"threshold_range": (0.3, 0.6)}),
    ("PlasmaBrightnessContrast", {"brightness_range": (-0.1, 0.2)}),
    ("PlasmaBrightnessContrast", {"contrast_range": (-0.4, 0.1)}),
    ("PlasmaShadow", {"shadow_intensity_range": (0.1, 0.4)}),
    ("Illumination", {"intensity_range": (0.05, 0.1)}),
    ("Illumination", {"angle_range": (0, 90)}),
    ("Illumination", {"angle_range": (45, 45), "effect_type": "darken"}),
    ("Illumination", {"mode": "gaussian", "center_range": (0.2, 0.8), "sigma_range": (0.3, 0.6)}),
    ("Illumination", {"mode": "corner", "intensity_range": (0.1, 0.15)}),
    ("HEStain", {"method": "preset"}),
    ("HEStain", {"method": "preset", "preset": "dark", "intensity_scale_range": (0.9, 1.1)}),
    ("HEStain", {"intensity_shift_range": (-0.1, 0.05), "augment_background": True}),
    ("ChannelDropout", {"channel_drop_range": (1, 2)}),
    ("ChannelDropout", {"fill": 200}),
    ("PlanckianJitter", {"mode": "cied"}),
    ("PlanckianJitter", {"temperature_limit": (4000, 9000)}),
    ("PlanckianJitter", {"mode": "cied", "temperature_limit": (5000, 7000), "sampling_method": "gaussian"}),
    ("FancyPCA", {"alpha": 0.3}),
    ("RandomToneCurve", {"scale": 0.05, "per_channel": True}),
    ("AutoContrast", {"cutoff": 2, "method": "pil"}),
    ("Equalize", {"mode": "pil", "by_channels": False}),
    ("ToGray", {"method": "from_lab"}),
    ("ToGray", {"method": "pca", "num_output_channels": 1}),
]


PHOTOMETRIC_KNOBS: list[tuple[str, str, Any]] = [
    ("RandomBrightnessContrast", "brightness", 0.1),
    ("RandomBrightnessContrast", "contrast", (0.9, 1.1)),
    ("RandomGamma", "gamma", (0.9, 1.1)),
    ("ColorJitter", "hue", 10.0),
    ("ColorJitter", "saturation", (0.9, 1.1)),
    ("HueSaturationValue", "hue", 10.0),
    ("HueSaturationValue", "brightness", 0.05),
    ("RGBShift", "brightness", 0.03),
    ("PlasmaBrightnessContrast", "brightness", 0.1),
    ("Posterize", "posterize", 5),
    ("FancyPCA", "contrast", (0.9, 1.1)),
    ("RandomToneCurve", "brightness", 0.1),
]


DEGRADATION_RAW: list[tuple[str, dict[str, Any]]] = [
    ("AdvancedBlur", {"blur_limit": 9}),
    ("AdvancedBlur", {"sigma_x_limit": 1.5}),
    ("AdvancedBlur", {"sigma_y_limit": 2.0, "sigma_x_limit": [0.3, 0.6]}),
    ("AdvancedBlur", {"rotate_limit": 30}),
    ("AdvancedBlur", {"beta_limit": 4}),
    ("AdvancedBlur", {"noise_limit": 1.2}),
    ("AdvancedBlur", {"noise_limit": [0.8, 1.2]}),
    ("Blur", {"blur_limit": 5}),
    ("Blur", {"blur_limit": [4, 8]}),
    ("Blur", {"blur_limit": 2}),
    ("MedianBlur", {"blur_limit": 9}),
    ("MotionBlur", {"blur_limit": 9}),
    ("MotionBlur", {"direction_range": [0.0, 0.5], "angle_range": [10, 20]}),
    ("GaussianBlur", {"sigma_limit": 2, "blur_limit": 7}),
    ("GaussianBlur", {"blur_limit": [3, 8], "sigma_limit": [0.2, 4]}),
    ("Defocus", {"radius": 5, "alias_blur": 0.3}),
    ("Defocus", {"radius": [4, 12], "alias_blur": [0.0, 1.0]}),
    ("ZoomBlur", {"max_factor": 1.2, "step_factor": 0.02}),
    ("ZoomBlur", {"max_factor": [1.0, 1.5], "step_factor": [0.01, 0.1]}),
    ("RingingOvershoot", {"blur_limit": 9, "cutoff": [0.5, 1.0]}),
    ("Morphological", {"scale": 3}),
    ("Morphological", {"scale": [3, 5]}),
    ("Downscale", {"scale_range": [0.3, 0.6]}),
    ("ImageCompression", {"quality_range": [20, 80]}),
    ("Superpixels", {"p_replace": 0.2, "n_segments": 50}),
    ("GaussNoise", {"std_range": [0.05, 0.1], "mean_range": [-0.1, 0.1]}),
    ("ISONoise", {"intensity": [0.2, 0.3], "color_shift": [0.0, 0.1]}),
    ("ShotNoise", {"scale_range": [0.01, 0.05]}),
    (
        "AdditiveNoise",
        {"noise_type": "uniform", "spatial_mode": "per_pixel", "noise_params": {"ranges": [[-0.2, 0.1]]}},
    ),
    ("AdditiveNoise", {"noise_type": "gaussian", "spatial_mode": "constant"}),
    ("AdditiveNoise", {"noise_type": "laplace", "spatial_mode": "shared"}),
    ("AdditiveNoise", {"noise_type": "beta", "spatial_mode": "per_pixel"}),
    ("MultiplicativeNoise", {"multiplier": [0.7, 1.3], "elementwise": True}),
    ("SaltAndPepper", {"amount": [0.0, 0.1], "salt_vs_pepper": [0.2, 0.9]}),
    ("Sharpen", {"alpha": [0.1, 0.4], "lightness": [0.8, 1.5], "kernel_size": 4}),
    ("Emboss", {"alpha": [0.1, 0.2], "strength": [0.1, 0.9]}),
    ("UnsharpMask", {"sigma_limit": 1, "alpha": 0.4, "blur_limit": 5}),
    ("UnsharpMask", {"alpha": [0.0, 0.0]}),
    ("ChromaticAberration", {"primary_distortion_limit": 0.05, "secondary_distortion_limit": 0.1}),
    ("PixelDropout", {"dropout_prob": 0.3, "drop_value": None}),
    ("GlassBlur", {"sigma": 1.2, "max_delta": 3, "iterations": 3}),
]


DEGRADATION_KNOBS: list[tuple[str, str, Any]] = [
    ("Blur", "blur", 1.5),
    ("MedianBlur", "blur", 2.0),
    ("MotionBlur", "blur", 2.0),
    ("MotionBlur", "blur", 1.0),
    ("MotionBlur", "blur", 6.0),
    ("GaussianBlur", "blur", 1.0),
    ("Defocus", "blur", 2.0),
    ("Downscale", "resolution", 0.5),
    ("ImageCompression", "compression", 70.5),
    ("GaussNoise", "noise", 0.05),
    ("GaussNoise", "brightness", 0.1),
    ("ISONoise", "noise", 0.05),
    ("ShotNoise", "noise", 0.05),
    ("SaltAndPepper", "noise", 0.1),
    ("PixelDropout", "occlusion", 0.05),
    ("MultiplicativeNoise", "contrast", (0.95, 1.05)),
    ("MultiplicativeNoise", "brightness", 0.05),
]


OCCLUSION_RAW: list[tuple[str, dict[str, Any]]] = [
    ("CoarseDropout", {"num_holes_range": [1, 3], "hole_height_range": [0.1, 0.3], "hole_width_range": [0.05, 0.2]}),
    ("CoarseDropout", {"hole_height_range": [4, 12], "hole_width_range": [4, 12]}),
    ("CoarseDropout3D", {"num_holes_range": [0, 3], "hole_depth_range": [0.1, 0.2], "hole_height_range": [0.1, 0.5],
                         "hole_width_range": [0.2, 0.3]}),
    ("ConstrainedCoarseDropout", {"mask_indices": [1, 2], "num_holes_range": [1, 2], "hole_height_range": [0.1, 0.4],
                                  "hole_width_range": [0.1, 0.3]}),
    ("Erasing", {"scale": [0.05, 0.25], "ratio": [0.5, 2.0]}),
    ("GridDropout", {"ratio": 0.3, "unit_size_range": [8, 16]}),
    ("GridDropout", {"ratio": 0.3, "holes_number_xy": [5, 5], "random_offset": False, "shift_xy": [2, 2]}),
    ("MaskDropout", {"max_objects": 3}),
    ("XYMasking", {"num_masks_x": 2, "mask_x_length": 5, "num_masks_y": 1, "mask_y_length": 3}),
    ("XYMasking", {"num_masks_x": [1, 2], "mask_x_length": [0, 5]}),
    ("TimeMasking", {"time_mask_param": 10}),
    ("FrequencyMasking", {"freq_mask_param": 12}),
    ("RandomGridShuffle", {"grid": [2, 4]}),
    ("Mosaic", {"grid_yx": [3, 3], "target_size": [300, 300], "cell_shape": [128, 128], "center_range": [0.4, 0.6]}),
    ("FDA", {"beta_limit": 0.05}),
    ("HistogramMatching", {"blend_ratio": [0.3, 0.6]}),
    ("PixelDistributionAdaptation", {"blend_ratio": [0.3, 0.6], "transform_type": "minmax"}),
    ("TextImage", {**FONT, "fraction_range": [0.5, 1.0], "font_size_fraction_range": [0.5, 0.7], "clear_bg": True}),
    ("RandomFog", {"fog_coef_range": [0.1, 0.4], "alpha_coef": 0.1}),
    ("RandomRain", {"slant_range": [-5, 5], "brightness_coefficient": 0.8}),
    ("RandomSnow", {"snow_point_range": [0.2, 0.4], "brightness_coeff": 1.8}),
    ("RandomSunFlare", {"num_flare_circles_range": [2, 4], "angle_range": [0.1, 0.2], "flare_roi": [0, 0, 0.5, 0.5]}),
    ("RandomShadow", {"num_shadows_limit": [2, 3], "shadow_intensity_range": [0.3, 1.0], "shadow_roi": [0, 0, 1, 0.3]}),
    ("RandomGravel", {"gravel_roi": [0.2, 0.2, 0.8, 0.8], "number_of_patches": 5}),
    ("Spatter",
     {"mean": 0.5, "std": 0.2, "gauss_sigma": 1.5, "cutout_threshold": 0.6, "intensity": 0.3, "mode": "mud"}),
    ("Spatter", {"intensity": [0.1, 0.7], "mode": "rain"}),
]  # fmt: skip


OCCLUSION_KNOBS: list[tuple[str, str, Any]] = [
    ("CoarseDropout", "occlusion", 0.1),
    ("CoarseDropout3D", "occlusion", 0.05),
    ("Erasing", "occlusion", 0.1),
    ("GridDropout", "occlusion", 0.1),
    ("GridDropout", "occlusion", 0.01),
    ("RandomShadow", "brightness", 0.3),
    ("RandomShadow", "contrast", (0.8, 1.2)),
    ("RandomRain", "brightness", 0.2),
    ("RandomRain", "contrast", (0.85, 1.2)),
    ("Spatter", "brightness", 0.2),
    ("HistogramMatching", "brightness", 0.2),
    ("PixelDistributionAdaptation", "brightness", 0.2),
]


RAW_CASES = GEOMETRIC_RAW + PHOTOMETRIC_RAW + DEGRADATION_RAW + OCCLUSION_RAW


@pytest.mark.parametrize(("name", "raw"), RAW_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RAW_CASES)])
def test_written_stored_and_live_arguments_give_the_same_envelope(name: str, raw: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        transform = getattr(A, name)(**raw)
    written = _envelope(name, raw)
    assert written == _envelope(name, transform.get_transform_init_args())
    assert written == envelope_of(transform)


def test_every_range_argument_of_a_photometric_transform_is_exercised_as_written() -> None:
    """Each argument whose default is a (lo, hi) pair appears in a written case."""
    covered = {(name, key) for name, raw in PHOTOMETRIC_RAW for key in raw}
    names = [n for n in sorted(DEFAULTS) if (e := get_entry(n)) is not None and e.family == "photometric"]
    for name in names:
        for key, value in defaults_for(name).items():
            if isinstance(value, tuple) and len(value) == 2 and key != "tile_grid_size":
                assert (name, key) in covered, (name, key)


# ---------------------------------------------------------------- knob examples
# The fix a finding suggests is written by the entry's knob for the policy's bound: albumentations must
# accept it, and the catalog must read an envelope within the bound from it.

KNOB_CASES = PHOTOMETRIC_KNOBS + DEGRADATION_KNOBS + OCCLUSION_KNOBS


def _within(env: Envelope, effect: str, bound: Any) -> bool:
    if effect == "posterize":
        return bool(env.posterize_bits >= bound)
    if isinstance(bound, tuple):
        return bool(
            bound[0] - 1e-9 <= getattr(env, f"{effect}_min") <= getattr(env, f"{effect}_max") <= bound[1] + 1e-9
        )
    if effect in ("resolution", "compression"):
        return bool(getattr(env, effect) >= bound - 1e-9)
    return bool(getattr(env, effect) <= bound + 1e-9)


@pytest.mark.parametrize(("name", "effect", "bound"), KNOB_CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in KNOB_CASES])
def test_a_knob_example_fits_the_bound_and_albumentations_accepts_it(name: str, effect: str, bound: Any) -> None:
    found = get_entry(name)
    assert found is not None
    knob = found.knobs[effect]
    assert knob.example is not None
    text = knob.example(bound)
    kwargs = eval(f"dict({text})")  # the example is argument text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(A, name)(**kwargs)
    assert _within(_envelope(name, kwargs), effect, bound), text
