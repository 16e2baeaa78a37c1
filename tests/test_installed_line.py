"""What holds on whichever albumentations line is installed: 2.0.x here, AlbumentationsX in CI's second run.

Every transform is built in the installed line's own spelling (AlbumentationsX renamed most ranges, and
drops the 2.0.8 names), so the checks below see what that line's code does: the probe runs, the catalog's
reading of its live objects bounds what the probe measures on pixels, and the training wrapper refuses a
mirror and a change made after it was built.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.applied import applied_linear, measure_linear
from safeaug.catalog import Params, defaults_for, resolve
from safeaug.catalog._renames import x_name
from safeaug.effects import Envelope
from safeaug.lint import lint
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


# ------------------------------------------------------------------------------------------ label-aware transforms
#
# safeaug.labels decides per sample in whichever sampling hook the installed line has (albumentations 2.0's
# get_params_dependent_on_data, AlbumentationsX's sample_parameters). Each transform runs here inside A.Compose
# on real arrays, and the pixels and labels that come out are checked against what a mirror must do.

H, W = 32, 48
FACE = {"right_eye": (14, 10), "left_eye": (33, 10), "nose": (24, 18), "right_mouth": (16, 25), "left_mouth": (31, 25)}
COLOURS = {name: (40 * i + 60, 255 - 40 * i, (97 * i) % 256) for i, name in enumerate(FACE)}
PARTNER = {"left_eye": "right_eye", "right_eye": "left_eye", "left_mouth": "right_mouth", "right_mouth": "left_mouth"}


def _face() -> np.ndarray:
    """Each landmark a 3x3 blob of its own colour on black (the person's left on the image's right)."""
    img = np.zeros((H, W, 3), np.uint8)
    for name, (x, y) in FACE.items():
        img[y - 1 : y + 2, x - 1 : x + 2] = COLOURS[name]
    return img


def _colour_at(img: np.ndarray, point: Any) -> tuple[int, ...]:
    x, y = (round(float(v)) for v in point[:2])
    return tuple(int(c) for c in img[y, x])


def _decision(transform: Any) -> dict[str, Any]:
    """What a label-aware transform decided on its last call, in a Compose with ``save_applied_params=True``
    (AlbumentationsX keeps the applied parameters only then, and one level down)."""
    params = transform.params
    return dict(params.get("params", params)) if "shape" not in params else dict(params)


def _image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (H, W, 3), dtype=np.uint8)


def test_keypoint_swap_by_label_puts_each_landmark_on_its_own_side_on_the_installed_line() -> None:
    flip = safeaug.HorizontalFlipWithKeypointSwap(pairs=[("left_eye", "right_eye"), ("left_mouth", "right_mouth")], p=1)
    pipeline = A.Compose([flip], keypoint_params=label_params("KeypointParams", format="xy", label_fields=["names"]))
    img = _face()
    out = pipeline(image=img, keypoints=list(FACE.values()), names=list(FACE))
    assert np.array_equal(out["image"], img[:, ::-1])
    assert len(out["keypoints"]) == len(FACE) and list(out["names"]) != list(FACE)
    for point, name in zip(out["keypoints"], out["names"], strict=True):
        # The keypoint called "left_eye" now sits on the mirror image of the right eye (the landmark that is the
        # person's left eye after the mirror), whose blob carries the right eye's colour.
        partner = PARTNER.get(name, name)
        assert _colour_at(out["image"], point) == COLOURS[partner], name
        x, y = FACE[partner]
        assert abs(float(point[0]) - (W - 1 - x)) <= 1.0 and float(point[1]) == y
    # a plain HorizontalFlip keeps the names where they were: the left eye's label on the right eye
    plain = A.Compose(
        [A.HorizontalFlip(p=1)], keypoint_params=label_params("KeypointParams", format="xy", label_fields=["names"])
    )(image=img, keypoints=list(FACE.values()), names=list(FACE))
    left = list(plain["names"]).index("left_eye")
    assert _colour_at(plain["image"], plain["keypoints"][left]) == COLOURS["left_eye"]


def test_keypoint_swap_by_index_exchanges_rows_on_the_installed_line() -> None:
    flip = safeaug.HorizontalFlipWithKeypointSwap(pairs=[(0, 1), (3, 4)], p=1)
    kp = label_params("KeypointParams", format="xy", remove_invisible=False)
    img = _face()
    out = A.Compose([flip], keypoint_params=kp)(image=img, keypoints=list(FACE.values()))
    names = list(FACE)
    for i, point in enumerate(out["keypoints"]):  # row i is still landmark i: on the blob its partner showed
        partner = PARTNER.get(names[i], names[i])
        assert _colour_at(out["image"], point) == COLOURS[partner]
    with pytest.raises(ValueError, match="remove_invisible"):  # indices shift when keypoints are dropped
        A.Compose([flip], keypoint_params=label_params("KeypointParams", format="xy"))(
            image=img, keypoints=list(FACE.values())
        )


SIGNS = {"keep_left": "keep_right", "keep_right": "keep_left", "stop": "stop", "speed_30": None}


def test_class_map_moves_boxes_maps_their_labels_and_skips_a_sample_it_cannot_mirror() -> None:
    flip = safeaug.HorizontalFlipWithClassMap(SIGNS, target=["class_labels", "label"], p=1)
    pipeline = A.Compose(
        [flip],
        bbox_params=label_params("BboxParams", format="pascal_voc", label_fields=["class_labels"]),
        save_applied_params=True,
    )
    img = _image(1)
    boxes = [(2, 3, 12, 13), (30, 5, 40, 20)]
    out = pipeline(image=img, bboxes=boxes, class_labels=["keep_left", "stop"], label="keep_right")
    assert np.array_equal(out["image"], img[:, ::-1])
    assert list(out["class_labels"]) == ["keep_right", "stop"] and out["label"] == "keep_left"
    assert np.allclose(np.asarray(out["bboxes"])[:, :4], [(W - 12, 3, W - 2, 13), (W - 40, 5, W - 30, 20)])
    assert _decision(flip) == {**_decision(flip), "flip": True, "skipped": None}
    # a speed-limit sign has no mirror image: the whole sample stays as it was, boxes and labels included
    out = pipeline(image=img, bboxes=boxes, class_labels=["keep_left", "speed_30"], label="stop")
    assert np.array_equal(out["image"], img)
    assert np.allclose(np.asarray(out["bboxes"])[:, :4], boxes)
    assert list(out["class_labels"]) == ["keep_left", "speed_30"] and out["label"] == "stop"
    decided = _decision(flip)
    assert decided["flip"] is False and "speed_30" in decided["skipped"]


def test_class_map_swaps_left_and_right_organs_in_masks_once() -> None:
    mask = np.zeros((H, W), np.uint8)
    mask[8:24, 4:14] = 2  # kidneys with their own ids, one on each side
    mask[8:24, 34:44] = 3
    mask[12:20, 20:28] = 1
    flip = safeaug.HorizontalFlipWithClassMap({0: 0, 1: 1, 2: 3, 3: 2}, target="mask", p=1)
    img = np.repeat(mask[..., None] * 60, 3, axis=2).astype(np.uint8)
    expected = mask[:, ::-1].copy()
    expected[mask[:, ::-1] == 2], expected[mask[:, ::-1] == 3] = 3, 2
    out = A.Compose([flip])(image=img, mask=mask, masks=np.stack([mask, mask]))
    assert np.array_equal(out["image"], img[:, ::-1])
    assert np.array_equal(np.asarray(out["mask"]).reshape(H, W), expected)
    assert all(np.array_equal(np.asarray(m).reshape(H, W), expected) for m in out["masks"])  # mapped once
    unknown = mask.copy()
    unknown[0, 0] = 7  # an id the table does not know: not flipped, not mapped
    out = A.Compose([flip])(image=img, mask=unknown)
    assert np.array_equal(out["image"], img) and np.array_equal(np.asarray(out["mask"]).reshape(H, W), unknown)
    # a mask under another name (additional_targets) is a mask too: mapped, and its ids decide as well
    extra = A.Compose([flip], additional_targets={"organs": "mask"})
    out = extra(image=img, mask=mask, organs=mask)
    assert np.array_equal(np.asarray(out["organs"]).reshape(H, W), expected)
    out = extra(image=img, mask=mask, organs=unknown)
    assert np.array_equal(out["image"], img) and np.array_equal(np.asarray(out["organs"]).reshape(H, W), unknown)


def test_steering_is_negated_exactly_when_the_image_is_mirrored() -> None:
    img = _image(2)
    seen = set()
    for seed in range(12):
        out = A.Compose([safeaug.HorizontalFlipWithSteering(p=0.5)], seed=seed)(image=img, steering=0.25)
        mirrored = np.array_equal(out["image"], img[:, ::-1])
        assert mirrored or np.array_equal(out["image"], img)
        assert out["steering"] == (-0.25 if mirrored else 0.25)
        seen.add(mirrored)
    assert seen == {True, False}
    with pytest.raises(KeyError, match=r"needs `steering`"):
        A.Compose([safeaug.HorizontalFlipWithSteering(p=0.0)])(image=img)  # checked whatever the coin says


def test_captions_are_rewritten_with_the_mirror_or_keep_the_sample_unmirrored() -> None:
    img = _image(3)
    flip = safeaug.HorizontalFlipWithCaption(p=1)
    out = A.Compose([flip], strict=True)(image=img, caption=["a dog on the Left", "top-left corner"])
    assert np.array_equal(out["image"], img[:, ::-1])
    assert out["caption"] == ["a dog on the Right", "top-right corner"]
    out = A.Compose([flip], save_applied_params=True)(image=img, caption="a wheel turning clockwise on the left")
    assert np.array_equal(out["image"], img) and out["caption"] == "a wheel turning clockwise on the left"
    assert _decision(flip)["flip"] is False and "clockwise" in _decision(flip)["skipped"]
    with pytest.raises(KeyError, match=r"needs `caption`"):
        A.Compose([flip])(image=img)


def test_colour_jitter_is_skipped_for_a_caption_that_names_a_colour() -> None:
    img = _image(4)
    jitter = safeaug.ColorJitterUnlessCaptionNamesColor(hue=0.3, saturation=(0.2, 1.8), p=1)
    for seed in range(6):
        pipeline = A.Compose([jitter], seed=seed, save_applied_params=True)
        out = pipeline(image=img, caption="a red bus")
        assert np.array_equal(out["image"], img)
        assert _decision(jitter) == {**_decision(jitter), "jitter": False, "skipped": "caption names the colour 'red'"}
        assert not np.array_equal(pipeline(image=img, caption="a bus")["image"], img)
    assert jitter.hue == (-0.3, 0.3)  # a bare number means what albumentations 2.0.8 reads it as, on either line
    with pytest.raises(KeyError, match=r"needs `caption`"):
        jitter(image=img)


def test_a_replay_repeats_the_label_aware_decision() -> None:
    img = _image(5)
    record = A.ReplayCompose([safeaug.HorizontalFlipWithCaption(p=1)])(image=img, caption="clockwise")["replay"]
    again = A.ReplayCompose.replay(record, image=img, caption="on the left")
    assert again["caption"] == "on the left" and np.array_equal(again["image"], img)  # skipped again
    record = A.ReplayCompose([safeaug.HorizontalFlipWithCaption(p=1)])(image=img, caption="the left paw")["replay"]
    again = A.ReplayCompose.replay(record, image=img, caption="on the left")
    assert again["caption"] == "on the right" and np.array_equal(again["image"], img[:, ::-1])


def test_an_audited_label_aware_flip_passes_and_a_mirror_without_the_label_transform_does_not(
    tmp_path: Any,
) -> None:
    kp = label_params("KeypointParams", format="xy", label_fields=["names"])
    flip = safeaug.HorizontalFlipWithKeypointSwap(pairs=[("left_eye", "right_eye")], p=1)
    assert safeaug.validate(A.Compose([flip]), "face_landmarks").ok
    pipeline = safeaug.Compose([flip], policy="face_landmarks", audit=True, keypoint_params=kp)
    img = _face()
    for _ in range(3):  # mirrors on every call, and performs the label transform the policy asks for
        out = pipeline(image=img, keypoints=[FACE["left_eye"]], names=["left_eye"])
        assert np.array_equal(out["image"], img[:, ::-1]) and list(out["names"]) == ["right_eye"]
        assert "applied_transforms" not in out
        linear = applied_linear(flip, flip.params)  # what the audit read back: a mirror, passed by the policy
        assert linear is not None and measure_linear(linear)[0]

    class QuietSteeringFlip(safeaug.HorizontalFlipWithSteering):  # type: ignore[misc]
        """A label-aware flip of another label, registered as doing nothing: only the audit sees it mirror."""

    safeaug.register_transform(QuietSteeringFlip, Envelope())
    try:
        lying = safeaug.Compose([QuietSteeringFlip(p=1)], policy="face_landmarks", audit=True)
        with pytest.raises(safeaug.PolicyViolationError, match="SA101") as info:
            lying(image=img, steering=0.1)
        assert "mirrored the image" in info.value.report.errors[0].message
    finally:
        safeaug.unregister_transform(QuietSteeringFlip)
    config = tmp_path / "kp.yaml"  # a config naming one is linted on every line
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - __class_fullname__: safeaug.labels.HorizontalFlipWithKeypointSwap\n"
        "      pairs: [[left_eye, right_eye]]\n      p: 0.5\n"
    )
    assert safeaug.validate(str(config), "face_landmarks").ok
    assert not safeaug.validate(str(config), "chest_xray").ok  # a mirror there, whatever the labels do


def test_a_line_with_neither_sampling_hook_gets_an_import_error_not_an_undecided_flip() -> None:
    # A line whose transforms call neither hook would run the flips without their decision (mirroring a
    # speed-limit sign, a "clockwise" caption): importing them there must fail and say what is missing.
    code = (
        "import albumentations as A\n"
        "for hook in ('sample_parameters', 'get_params_dependent_on_data'):\n"
        "    if hook in vars(A.BasicTransform):\n"
        "        delattr(A.BasicTransform, hook)\n"
        "import safeaug.labels\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "has no get_params_dependent_on_data" in done.stderr


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


# ------------------------------------------------------------------------------------------ following a fix

_USE = re.compile(r"Use `(\w+\([^`]*\))`")
# Transforms written too strongly for most policies, as training scripts write them (2.0's argument names: on
# AlbumentationsX the renamed ones are dropped, and the line's defaults run).
_OVERDONE = (
    "RandomBrightnessContrast()",
    "RandomBrightnessContrast(brightness_limit=0.4, contrast_limit=0.4)",
    "Rotate(limit=90)",
    "Affine(rotate=(-45, 45), scale=(0.5, 1.5), shear=(-20, 20))",
    "ShiftScaleRotate()",
    "RandomGamma(gamma_limit=(50, 200))",
    "GaussNoise(std_range=(0.1, 0.4))",
    "GaussianBlur(blur_limit=(3, 15))",
    "HueSaturationValue()",
    "ColorJitter()",
    "RandomResizedCrop(size=(224, 224))",
    "CoarseDropout(num_holes_range=(4, 8), hole_height_range=(0.1, 0.3), hole_width_range=(0.1, 0.3))",
    "Perspective(scale=(0.05, 0.2))",
    "GridDistortion(distort_limit=0.6)",
    "Downscale(scale_range=(0.25, 0.5))",
    "Posterize(num_bits=(2, 4))",
    "MotionBlur(blur_limit=(3, 21))",
    "RandomScale(scale_limit=0.5)",
)


def _linted(call: str, policy: str) -> list[Any]:
    source = f"import albumentations as A\ntrain = A.Compose([A.{call}])\n"
    return lint(["-"], policy=policy, stdin=source, stdin_filename="train.py").findings


def _merged(call: str, fix: str) -> str:
    """``call`` with the fix's arguments written into it (the same argument under the other line's name is
    replaced too)."""
    name = call.split("(", 1)[0]
    mine, theirs = ast.parse(call, mode="eval").body, ast.parse(fix, mode="eval").body
    assert isinstance(mine, ast.Call) and isinstance(theirs, ast.Call)
    given = {kw.arg for kw in theirs.keywords}
    kept = [kw for kw in mine.keywords if kw.arg not in given and x_name(name, str(kw.arg)) not in given]
    args = [f"{kw.arg}={ast.unparse(kw.value)}" for kw in (*kept, *theirs.keywords)]
    return f"{name}({', '.join(args)})"


@pytest.mark.parametrize("policy", safeaug.list_policies())
def test_following_a_use_fix_clears_its_finding(policy: str) -> None:
    """A fix that says "Use `X(...)`" is what a reader pastes: pasted in place of the call, the finding is
    gone; pasted into the call (its other arguments kept), too, unless the fix says those move it as well."""
    followed = 0
    for call in _OVERDONE:
        for finding in _linted(call, policy):
            match = _USE.search(finding.fix or "")
            if match is None:
                continue
            followed += 1
            fix = match.group(1)
            tries = [fix] if "as written" in finding.fix else [fix, _merged(call, fix)]
            for written in tries:
                again = [f.message for f in _linted(written, policy) if f.code == finding.code]
                assert not again, f"{policy}: {call} -> {finding.code} -> `{written}` is still refused: {again}"
    if policy not in ("natural",):
        assert followed, f"{policy}: no fix to follow among {len(_OVERDONE)} transforms written too strongly"
