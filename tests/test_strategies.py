"""The public strategies produce what they promise: valid transforms, admitted pipelines, stated inputs."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

import safeaug
import safeaug.strategies as sst

POLICIES = tuple(safeaug.list_policies())


@pytest.mark.slow  # a property test over the whole catalog
@given(sst.transform_kwargs())
def test_transforms_construct_without_warnings_and_run(name_kwargs: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = name_kwargs
    cls = getattr(A, name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = cls(**kwargs, p=1.0)
    if name not in sst.ALWAYS_WARN:
        assert [str(w.message) for w in caught] == [], f"{name}({kwargs})"
    out = t(image=np.zeros((sst.MIN_SIDE, sst.MIN_SIDE, 3), np.uint8))["image"]
    assert out.dtype == np.uint8 and out.ndim == 3


def test_the_always_warning_transforms_do_warn_at_their_defaults() -> None:
    # Otherwise they belong in the strict check above.
    for name in sst.ALWAYS_WARN:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(A, name)(**sst._calm_kwargs(name))
        assert caught, name


@pytest.mark.slow  # a property test over the whole catalog
@given(sst.transforms())
def test_transforms_are_albumentations_objects_the_catalog_knows(t: Any) -> None:
    assert isinstance(t, A.BasicTransform)
    assert 0.0 <= t.p <= 1.0
    report = safeaug.validate([t], "natural")
    assert "SA401" not in report.codes()  # never an unknown transform


@pytest.mark.slow  # a property test over the whole catalog
@pytest.mark.parametrize("policy", POLICIES)
@given(data=st.data())
def test_transforms_under_a_policy_are_admitted_alone(policy: str, data: st.DataObject) -> None:
    t = data.draw(sst.transforms(policy))
    assert safeaug.validate([t], policy).ok


@pytest.mark.slow  # a property test over the whole catalog
@pytest.mark.parametrize("policy", POLICIES)
@given(data=st.data())
def test_pipelines_are_admitted_as_a_whole(policy: str, data: st.DataObject) -> None:
    pipeline = data.draw(sst.pipelines(policy))
    assert isinstance(pipeline, A.Compose)
    report = safeaug.validate(pipeline, policy)
    assert report.ok, report.findings


@pytest.mark.slow  # a property test over the whole catalog
@given(sst.pipelines("natural"), sst.images(), st.data())
def test_pipelines_run_on_images_masks_and_keypoints(pipeline: Any, image: np.ndarray, data: st.DataObject) -> None:
    h, w = image.shape[:2]
    mask = data.draw(sst.masks(h, w))
    points = data.draw(sst.keypoints(h, w))
    out = pipeline(image=image, mask=mask, keypoints=points)
    assert out["image"].shape[:2] == out["mask"].shape[:2]
    assert min(out["image"].shape[:2]) >= 24
    # Warps remapped through a mask may merge or lose keypoints; reflect borders add reflected copies
    # (albumentations 2.0.8): the count is not kept, but what comes out is (x, y) points.
    kps = np.asarray(out["keypoints"], dtype=float).reshape(-1, 2)
    assert np.isfinite(kps).all()


CROPS_AND_RESIZES = (
    "Resize",
    "RandomResizedCrop",
    "LongestMaxSize",
    "SmallestMaxSize",
    "Crop",
    "CenterCrop",
    "RandomCrop",
)


@pytest.mark.slow  # a property test over the whole catalog
@given(sst.pipelines("natural", names=CROPS_AND_RESIZES), st.integers(0, 2**16))
def test_crops_fit_whatever_the_resizes_before_them_leave(pipeline: Any, seed: int) -> None:
    # A fixed-size crop that does not pad raises when its input is smaller than its window.
    pipeline.set_random_seed(seed)
    out = pipeline(image=np.zeros((sst.MIN_SIDE, sst.MIN_SIDE, 3), np.uint8))
    assert min(out["image"].shape[:2]) >= 24


def test_a_crop_that_does_not_pad_is_not_put_after_a_shrinking_resize() -> None:
    shrink = A.Resize(height=42, width=88, p=0.5)
    crop = A.Crop(x_min=3, y_min=5, x_max=64, y_max=64, pad_if_needed=False, p=1.0)
    padding = A.Crop(x_min=3, y_min=5, x_max=64, y_max=64, pad_if_needed=True, p=1.0)
    assert sst._fits(A.Sequential([crop, shrink]), sst.MIN_SIDE)
    assert not sst._fits(A.Sequential([shrink, crop]), sst.MIN_SIDE)
    assert not sst._fits(A.SomeOf([crop, shrink], n=2, replace=False), sst.MIN_SIDE)  # any order
    assert sst._fits(A.OneOf([crop, shrink]), sst.MIN_SIDE)
    assert sst._fits(A.Sequential([shrink, padding]), sst.MIN_SIDE)
    with pytest.raises(ValueError, match="crop"):  # what the check prevents
        A.Compose([A.Resize(height=42, width=88, p=1.0), crop])(image=np.zeros((64, 64, 3), np.uint8))


def test_a_policy_that_admits_nothing_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="admits none of HorizontalFlip"):
        sst.transforms("chest_xray", names=["HorizontalFlip"])


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no strategy for Fliperoo"):
        sst.transforms(names=["Fliperoo"])


def test_chest_xray_never_draws_a_mirror() -> None:
    # 68 candidates or so; none of the mirroring transforms is among them.
    candidates = sst._candidates(safeaug.load_policy("chest_xray"))
    assert {"HorizontalFlip", "VerticalFlip", "Transpose", "D4", "InvertImg"}.isdisjoint(candidates)
    assert {"Rotate", "RandomBrightnessContrast", "GaussianBlur"} <= set(candidates)


@given(sst.images())
def test_images_have_the_stated_dtypes_ranges_and_sizes(image: np.ndarray) -> None:
    assert image.ndim == 3 and image.shape[2] == 3
    assert min(image.shape[:2]) >= sst.MIN_SIDE and max(image.shape[:2]) <= 96
    if image.dtype == np.uint8:
        assert image.max() > image.min()
    else:
        assert image.dtype == np.float32 and image.min() >= 0.0 and image.max() <= 1.0


@given(sst.images(dtypes=("float32",), channels=(1,), min_side=16, max_side=20))
def test_images_follow_their_arguments(image: np.ndarray) -> None:
    assert image.dtype == np.float32 and image.shape[2] == 1 and 16 <= min(image.shape[:2]) <= 20


@given(st.integers(24, 80), st.integers(24, 80), st.data())
def test_masks_and_keypoints_fit_their_image(h: int, w: int, data: st.DataObject) -> None:
    mask = data.draw(sst.masks(h, w))
    points = data.draw(sst.keypoints(h, w))
    assert mask.shape == (h, w) and mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1, 2}
    assert points.shape[1] == 2 and (points[:, 0] <= w - 1).all() and (points[:, 1] <= h - 1).all()


def test_bad_image_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="min_side"):
        sst.images(min_side=4)


def test_importing_safeaug_does_not_import_hypothesis_or_the_strategies() -> None:
    code = "import sys, safeaug; print('hypothesis' in sys.modules, 'safeaug.strategies' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_without_hypothesis_the_import_error_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import safeaug.strategies\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 'pip install "safeaug[test]"' in out


def _recipe(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_recipe_runs_as_written() -> None:
    root = Path(__file__).parent.parent
    code = _recipe(root / "docs" / "recipe.md", "# Prove your augmentation")
    assert _recipe(root / "README.md", "### Prove your augmentation") == code, "README and docs/recipe.md differ"
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) <= 16  # the ten lines of test code, plus imports
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/recipe.md", "exec"), namespace)
    namespace["test_train_aug_keeps_the_chest_xray_rules"]()
    # A fixed hypothesis seed keeps CI reproducible; the recipe itself is left as users would write it.
    seed(20251126)(namespace["test_nothing_chest_xray_admits_mirrors_or_inverts"])()


def test_a_resize_that_may_be_skipped_leaves_the_smaller_side() -> None:
    from safeaug.strategies import _fits

    pipe = A.Compose(
        [
            A.SmallestMaxSize(max_size=24, p=1.0),
            A.SmallestMaxSize(max_size=25, p=0.5),
            A.CenterCrop(height=24, width=25, pad_if_needed=False, p=1.0),
        ]
    )
    assert not _fits(pipe, 64)  # the second resize may be skipped, leaving 24 px for a 25 px crop


def test_a_crop_and_pad_with_negative_percentages_shrinks_the_image() -> None:
    # Negative percentages crop (positive ones pad): -0.017 of 64 px leaves 62 px, too small for a 64 px Crop.
    shrink = A.CropAndPad(percent=-0.017, keep_size=False, p=1.0)
    grow = A.CropAndPad(percent=0.05, keep_size=False, p=1.0)
    crop = A.Crop(x_min=0, y_min=0, x_max=64, y_max=64, pad_if_needed=False, p=1.0)
    assert not sst._fits(A.Sequential([shrink, crop]), 64)
    assert sst._fits(A.Sequential([grow, crop]), 64)
    with pytest.raises(ValueError, match="crop"):  # what the check prevents
        A.Compose([shrink, crop])(image=np.zeros((64, 64, 3), np.uint8))


def _never_drawn_in_docstring() -> set[str]:
    import re

    doc = sst.__doc__ or ""
    section = doc.split("Transforms that are never drawn", 1)[1].split("\n", 1)[1].split("This module needs", 1)[0]
    return set(re.findall(r"``([A-Za-z0-9_]+)``", section))


def test_the_docstring_names_exactly_the_transforms_never_drawn() -> None:
    table = {name.rsplit(".", 1)[-1] for name in sst.SKIPPED}
    documented = _never_drawn_in_docstring()
    assert documented == table, (
        f"missing from the docstring: {sorted(table - documented)}; not in SKIPPED: {sorted(documented - table)}"
    )
    assert not documented & set(sst.NAMES), "a transform is both drawn and listed as never drawn"
