"""validate(..., probe=True): live transforms without a catalog entry are judged by what they were seen to do."""

from __future__ import annotations

from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.probing import TOLERANCE


def _mirror(x: np.ndarray, **_: Any) -> np.ndarray:
    return np.ascontiguousarray(x[:, ::-1])


def _brighter(x: np.ndarray, **_: Any) -> np.ndarray:
    return np.clip(x.astype(np.int16) + 10, 0, 255).astype(np.uint8)


class Sneaky(A.ImageOnlyTransform):  # type: ignore[misc]
    """An image-only transform of the user's that mirrors (keypoints do not show it)."""

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        return _mirror(img)


class Darker(A.RandomBrightnessContrast):  # type: ignore[misc]
    """A subclass that overrides apply: its base class's catalog entry may not describe it."""

    def apply(self, img: np.ndarray, *args: Any, **params: Any) -> np.ndarray:
        return np.clip(img.astype(np.int16) - 8, 0, 255).astype(np.uint8)


def test_without_probe_nothing_changes() -> None:
    pipeline = A.Compose([A.Lambda(image=_brighter), A.Rotate(limit=10)])
    assert safeaug.validate(pipeline, "chest_xray") == safeaug.validate(pipeline, "chest_xray", probe=False)
    assert safeaug.validate(pipeline, "chest_xray").codes() == ["SA401"]


def test_a_mirroring_lambda_is_probed_and_refused() -> None:
    report = safeaug.validate(A.Compose([A.Lambda(image=_mirror)]), "chest_xray", probe=True)
    assert not report.ok
    assert report.codes() == ["SA101", "SA408"]
    probed = next(f for f in report.findings if f.code == "SA408")
    assert probed.severity == "warning"
    assert "probing 16 runs" in probed.message and "register" in probed.fix.lower()


def test_a_mild_brightness_lambda_is_accepted_with_a_warning() -> None:
    report = safeaug.validate(A.Compose([A.Lambda(image=_brighter)]), "chest_xray", probe=True)
    assert report.ok
    assert report.codes() == ["SA408"]
    # The measured shift of 10/255 stands in for the entry, widened by the tolerance.
    assert report.envelope.brightness == pytest.approx(10 / 255 + TOLERANCE["brightness"], abs=0.01)
    assert report.envelope.brightness > 10 / 255


def test_user_subclasses_are_probed() -> None:
    assert safeaug.validate(A.Compose([Sneaky(p=1)]), "chest_xray", probe=True).codes() == ["SA101", "SA408"]
    assert safeaug.validate(A.Compose([Darker(p=1)]), "chest_xray").codes() == ["SA401"]
    assert safeaug.validate(A.Compose([Darker(p=1)]), "chest_xray", probe=True).codes() == ["SA408"]


def test_a_config_without_live_objects_stays_unknown() -> None:
    config = {
        "__version__": "2.0.8",
        "transform": {
            "__class_fullname__": "Compose",
            "p": 1.0,
            "transforms": [{"__class_fullname__": "mypkg.aug.Mystery", "p": 1.0}],
        },
    }
    assert safeaug.validate(config, "chest_xray", probe=True).codes() == ["SA401"]


def test_a_transform_that_cannot_run_stays_refused_with_the_reason() -> None:
    def needs_mask(image: np.ndarray, **_: Any) -> np.ndarray:
        raise KeyError("mask")

    report = safeaug.validate(A.Compose([A.Lambda(image=needs_mask)]), "chest_xray", probe=True)
    assert report.codes() == ["SA401"]
    assert "Probing it failed" in report.findings[0].message and "KeyError" in report.findings[0].message


def test_switched_off_and_trusted_transforms_are_not_probed() -> None:
    off = safeaug.validate(A.Compose([A.Lambda(image=_mirror, p=0.0)]), "chest_xray", probe=True)
    assert "SA408" not in off.codes() and off.ok
    policy = safeaug.load_policy("chest_xray").model_copy(
        update={"allow": (safeaug.TransformRule(transform="Lambda", reason="our lambdas are reviewed"),)}
    )
    trusted = safeaug.validate(A.Compose([A.Lambda(image=_mirror)]), policy, probe=True)
    assert trusted.codes() == []


def test_probed_effects_add_up_with_catalog_effects() -> None:
    # 12° measured plus 10° from the catalog break chest_xray's 15° together.
    def turn(image: np.ndarray, **_: Any) -> np.ndarray:
        import cv2

        h, w = image.shape[:2]
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 12, 1.0)
        return cv2.warpAffine(image, m, (w, h))

    report = safeaug.validate(A.Compose([A.Lambda(image=turn), A.Rotate(limit=10)]), "chest_xray", probe=True)
    assert "SA102" in report.codes() and "SA408" in report.codes()
    assert report.envelope.rotation == pytest.approx(22.0 + TOLERANCE["rotation"], abs=0.6)


def test_check_takes_probe_too() -> None:
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.check(A.Compose([A.Lambda(image=_mirror)]), "chest_xray", probe=True)
    assert safeaug.check(A.Compose([A.Lambda(image=_brighter)]), "chest_xray", probe=True).ok


def test_sa408_is_in_the_rule_table() -> None:
    from safeaug.rules import OTHER_RULES, all_codes

    assert all_codes()["SA408"] == "described by probing"
    assert "register_transform" in OTHER_RULES["SA408"][1]


def _corner_zoom(x: np.ndarray, **_: Any) -> np.ndarray:
    """An 8x zoom into the top-left corner: no landmark survives it, and keypoints are not moved."""
    return np.ascontiguousarray(np.repeat(np.repeat(x[:8, :8], 8, axis=0), 8, axis=1))


def test_geometry_the_probe_cannot_fit_is_unknown_not_identity() -> None:
    measured = safeaug.probe(A.Lambda(image=_corner_zoom))
    assert {"mirror", "rotation", "scale_min"} <= set(measured.unmeasured)
    assert measured.notes, "the probe must say why geometry went unmeasured"


def test_a_bound_the_probe_could_not_measure_fails_closed() -> None:
    report = safeaug.validate(A.Compose([A.Lambda(image=_corner_zoom)]), "natural", probe=True)
    assert not report.ok
    refused = [f for f in report.errors if f.code == "SA401"]
    assert refused and "could not measure" in refused[0].message and "mirror" in refused[0].message


def test_a_pipeline_whose_output_has_another_size_can_be_probed() -> None:
    pipeline = A.Compose(
        [
            A.RandomSizedCrop(min_max_height=(8, 8), size=(83, 24), w2h_ratio=0.5, p=1),
            A.Downscale(scale_range=(0.9, 0.93), p=1),
            A.MedianBlur(blur_limit=(3, 3), p=1),
            A.OpticalDistortion(distort_limit=(0, 0), p=1),
        ]
    )
    measured = safeaug.probe(pipeline, seeds=8)
    assert measured.samples == 8


class RareMirror(A.ImageOnlyTransform):  # type: ignore[misc]
    """Mirrors on about one call in thirty, drawn from albumentations' own (seeded) generator."""

    def get_params(self) -> dict[str, Any]:
        return {"mirror": self.py_random.random() < 1 / 30}

    def apply(self, img: np.ndarray, mirror: bool = False, **params: Any) -> np.ndarray:
        return _mirror(img) if mirror else img


def test_more_seeds_catch_a_rarer_mirror_and_the_warning_says_how_rare_an_effect_can_hide() -> None:
    # 256 draws miss an effect on one call in thirty with a chance of (29/30)**256, under 0.02%.
    report = safeaug.validate([RareMirror(p=1)], "chest_xray", probe=True, seeds=256)
    assert "SA101" in report.codes()
    assert "of the 256 draws" in next(f for f in report.findings if f.code == "SA408").message
    for seeds, rate in ((16, "17%"), (256, "1.2%")):
        probed = safeaug.validate([Darker(p=1)], "chest_xray", probe=True, seeds=seeds).findings
        assert f"fewer than {rate} of calls can have shown in none of the {seeds} draws" in probed[-1].message


@pytest.mark.parametrize("seeds", [0, -3, 2.5, True, "16"])
def test_seeds_must_be_a_whole_number_of_draws(seeds: Any) -> None:
    with pytest.raises(ValueError, match="seeds: expected a whole number of draws"):
        safeaug.validate([Darker(p=1)], "chest_xray", probe=True, seeds=seeds)
