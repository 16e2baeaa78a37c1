"""What holds on whichever albumentations line is installed: 2.0.x here, AlbumentationsX in CI's second run.

Every transform is built in the installed line's own spelling (AlbumentationsX renamed most ranges, and
drops the 2.0.8 names), so the checks below see what that line's code does: the probe runs, the catalog's
reading of its live objects bounds what the probe measures on pixels, and the training wrapper refuses a
mirror and a change made after it was built.
"""

from __future__ import annotations

import warnings
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.catalog import Params, defaults_for, resolve
from safeaug.catalog._renames import x_name
from safeaug.effects import Envelope
from safeaug.probing import excess, probe
from safeaug.readers import read_object
from safeaug.readers.vocabulary import installed_line, label_params

ON_X = installed_line().line == "X"


def built(name: str, **args: Any) -> Any:
    """``A.<name>(**args)``, arguments given in their 2.0.8 names and spelled as the installed line reads them."""
    spelled = {x_name(name, k): v for k, v in args.items()} if ON_X else args
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(A, name)(**spelled)


def catalog_envelope(transform: Any) -> Envelope:
    node = read_object(transform)
    found = resolve(node)
    assert found.entry is not None, f"{node.name} is not read as its catalog entry: {node.overrides}"
    return found.entry.describe(Params(node.name, node.params, defaults_for(found.via or node.name)))


RBC = "RandomBrightnessContrast"
COMMON: list[tuple[str, dict[str, Any]]] = [
    ("HorizontalFlip", {}),
    ("Rotate", {"limit": (-15, 15)}),
    ("Affine", {"rotate": (-10, 10), "scale": (0.9, 1.1), "translate_percent": (-0.05, 0.05)}),
    ("RandomBrightnessContrast", {}),
    ("RandomBrightnessContrast", {"brightness_limit": (-0.4, 0.4), "contrast_limit": (-0.5, 0.5)}),
    ("RandomBrightnessContrast", {"brightness_limit": (0.3, 0.3), "contrast_limit": (0.4, 0.4)}),
    (RBC, {"brightness_limit": (0.3, 0.3), "contrast_limit": (0.4, 0.4), "brightness_by_max": True}),
    (RBC, {"brightness_limit": (-0.3, 0.3), "contrast_limit": (-0.5, 0.5), "ensure_safe_range": True}),
    ("RandomGamma", {"gamma_limit": (80, 120)}),
    ("HueSaturationValue", {"hue_shift_limit": (-10, 10), "sat_shift_limit": (-20, 20), "val_shift_limit": (-10, 10)}),
    ("ColorJitter", {}),
    ("ColorJitter", {"brightness": (1.0, 1.0), "contrast": (2.0, 2.0), "saturation": (1.0, 1.0), "hue": (0.0, 0.0)}),
    ("CLAHE", {"clip_limit": (1.0, 4.0)}),
    ("GaussNoise", {"std_range": (0.02, 0.05)}),
    ("GaussianBlur", {"blur_limit": (3, 7)}),
    ("InvertImg", {}),
    ("ToGray", {}),
    ("CoarseDropout", {}),
    ("ElasticTransform", {}),
    ("GridDistortion", {}),
]


@pytest.mark.parametrize(("name", "args"), COMMON, ids=[f"{n}-{i}" for i, (n, _) in enumerate(COMMON)])
def test_the_catalog_bounds_what_the_installed_line_does_on_pixels(name: str, args: dict[str, Any]) -> None:
    transform = built(name, **args)
    measured = probe(transform, seeds=8).envelope
    assert excess(measured, catalog_envelope(transform).including_identity()) == {}


@pytest.mark.parametrize("b", [-0.15, 0.0, 0.15])
@pytest.mark.parametrize("c", [-0.4, 0.0, 0.4])
def test_brightness_and_contrast_gain_stays_within_the_catalog_on_a_ramp(b: float, c: float) -> None:
    # Whatever model the installed line runs (additive brightness in 2.0.8, a multiplicative one after a
    # mean-centred contrast in AlbumentationsX), the slope of the tone map lies in the catalog's gain range.
    transform = built("RandomBrightnessContrast", brightness_limit=(b, b), contrast_limit=(c, c), p=1.0)
    levels = np.arange(70, 151)  # mapped inside [0, 255] by every setting here, in either model: nothing clips
    image = np.repeat(np.tile(levels.astype(np.uint8), (8, 1))[..., None], 3, axis=2)
    out = transform(image=image)["image"].astype(float)[..., 0].mean(axis=0)
    slope = float(np.polyfit(levels, out, 1)[0])
    env = catalog_envelope(transform)
    assert env.contrast_min - 0.02 <= slope <= env.contrast_max + 0.02


def test_a_user_subclass_is_probed_and_its_mirror_found() -> None:
    class SidewaysFlip(A.HorizontalFlip):  # type: ignore[misc]
        def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
            return np.ascontiguousarray(img[:, ::-1])

    report = safeaug.validate([SidewaysFlip(p=0.5)], "chest_xray", probe=True)
    assert "SA408" in report.codes() and "SA101" in report.codes()


def test_keypoint_and_box_parameters_are_built_as_the_installed_line_spells_them() -> None:
    pipeline = A.Compose(
        [A.HorizontalFlip(p=1.0)],
        keypoint_params=label_params("KeypointParams", format="xy", remove_invisible=False),
        bbox_params=label_params("BboxParams", format="pascal_voc", label_fields=[], clip=True),
    )
    out = pipeline(image=np.zeros((10, 20, 3), np.uint8), keypoints=[(1.0, 2.0)], bboxes=[(0, 0, 5, 5)])
    assert np.allclose(np.asarray(out["keypoints"])[0][:2], (19.0, 2.0), atol=1.0)
    assert np.allclose(np.asarray(out["bboxes"])[0][:4], (15, 0, 20, 5), atol=0.5)


def test_the_training_wrapper_refuses_a_mirror_and_a_later_change() -> None:
    with pytest.raises(safeaug.PolicyViolationError, match="SA101"):
        safeaug.Compose([A.HorizontalFlip(p=0.5)], policy="chest_xray")
    rotate = built("Rotate", limit=(-10, 10), p=1.0)
    pipeline = safeaug.Compose([rotate, built("RandomGamma", gamma_limit=(90, 110))], policy="chest_xray", audit=True)
    image = np.zeros((64, 64), np.uint8)
    assert pipeline(image=image)["image"].shape == (64, 64)
    setattr(rotate, x_name("Rotate", "limit") if ON_X else "limit", (-90.0, 90.0))
    with pytest.raises(safeaug.PolicyViolationError, match="SA102"):
        pipeline(image=image)


# Entries the probe cannot read at their defaults, or reads past their envelope for a reason the catalog
# documents; every other entry that the installed line builds without arguments is probed below.
NOT_PROBED_AT_DEFAULTS: dict[str, str] = {
    **dict.fromkeys(
        ("BBoxSafeRandomCrop", "RandomCropNearBBox", "MaskDropout", "FDA", "HistogramMatching"),
        "needs boxes, masks or reference images besides the image",
    ),
    **dict.fromkeys(("PixelDistributionAdaptation", "Mosaic", "OverlayElements"), "needs inputs besides the image"),
    **dict.fromkeys(("CoarseDropout3D", "CubicSymmetry", "ToTensor3D"), "takes volumes, not images"),
    "Crop": "its default window (0, 0, 0, 0) is empty: albumentations refuses it on any image",
    **dict.fromkeys(
        ("Normalize", "FromFloat", "ToTensorV2"), "changes the representation (value range, layout), not the content"
    ),
    "MedianBlur": "erases the probe's dots outright (read as the blur ceiling); the catalog gives it the blur of a "
    "box of the same window, which flattens a one-pixel dot to 1/k² (catalog/degradation.py)",
    **dict.fromkeys(
        ("PlasmaBrightnessContrast", "PlasmaShadow"),
        "a smooth tone field that varies over the image: the probe's flat grey reads the variation as noise",
    ),
    "TimeMasking": "a spectrogram mask: where it covers a dot the probe reads the dot as blurred away (occlusion)",
}


def _built_at_defaults() -> list[str]:
    from safeaug.catalog._registry import known_names

    out = []
    for name in sorted(known_names()):
        if "." in name or name in NOT_PROBED_AT_DEFAULTS or not callable(getattr(A, name, None)):
            continue
        try:
            transform = built(name)
        except Exception:  # needs arguments, or a class this line does not have
            continue
        node = read_object(transform)
        if resolve(node).entry is not None:
            out.append(name)
    return out


@pytest.mark.slow  # the whole catalog, probed
@pytest.mark.parametrize("name", _built_at_defaults())
def test_every_entry_the_installed_line_builds_stays_within_its_catalog_envelope_at_its_defaults(name: str) -> None:
    transform = built(name)
    measured = probe(transform, seeds=8).envelope
    assert excess(measured, catalog_envelope(transform).including_identity()) == {}


@pytest.mark.parametrize("policy", ["chest_xray", "natural", "ocr", "histopathology", "remote_sensing"])
def test_automatic_augmentation_builds_ops_the_installed_line_runs_as_the_policy_admits(policy: str) -> None:
    from safeaug import auto

    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    for pipeline in (auto.RandAugment(policy, n=2, m=9), auto.TrivialAugment(policy)):
        assert safeaug.validate(pipeline, policy).ok  # the live ops, read as the installed line built them
        assert pipeline(image=image)["image"].shape == image.shape


def test_label_aware_transforms_work_or_say_plainly_why_they_cannot(tmp_path: Any) -> None:
    refuses_hook = "get_params_dependent_on_data" in getattr(A.BasicTransform, "_removed_sampling_hooks", ())
    if refuses_hook:  # AlbumentationsX: an ImportError that says what to do, not albumentations' TypeError
        with pytest.raises(ImportError, match=r"Install albumentations 2\.0\.8"):
            safeaug.HorizontalFlipWithKeypointSwap  # noqa: B018
    else:
        flip = safeaug.HorizontalFlipWithKeypointSwap(pairs=[("left_eye", "right_eye")], p=1.0)
        assert safeaug.validate(A.Compose([flip]), "face_landmarks").ok
    config = tmp_path / "kp.yaml"  # a config naming one is linted on every line
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - __class_fullname__: safeaug.labels.HorizontalFlipWithKeypointSwap\n"
        "      pairs: [[left_eye, right_eye]]\n      p: 0.5\n"
    )
    assert safeaug.validate(str(config), "face_landmarks").ok
    assert not safeaug.validate(str(config), "chest_xray").ok  # a mirror there, whatever the labels do


def test_an_illumination_with_more_spots_than_the_catalog_models_is_not_judged_by_its_entry() -> None:
    # AlbumentationsX lays several Gaussian spots, which can brighten past one spot's bound; 2.0.x has one
    # spot and ignores the argument (with its own warning).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spots = A.Illumination(mode="gaussian", num_spots_range=(6, 6), p=1.0)
    codes = safeaug.validate([spots], "natural").codes()
    assert ("SA401" if ON_X else "SA502") in codes
    if ON_X:
        assert "SA408" in safeaug.validate([spots], "natural", probe=True).codes()  # judged by running it
    assert "SA401" not in safeaug.validate([built("Illumination", mode="gaussian", p=1.0)], "natural").codes()
