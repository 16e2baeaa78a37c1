"""safeaug.wrap: refuse a dataset transform at wrap time, or return it unchanged in behaviour."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug

IMAGE = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)


def mirror(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1])


def brighter(image: np.ndarray, gain: float = 1.05) -> np.ndarray:
    """Raise exposure a little."""
    return np.clip(image.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def albumentations_style(image: np.ndarray, **_: Any) -> dict[str, np.ndarray]:
    return {"image": np.clip(image.astype(np.int16) - 6, 0, 255).astype(np.uint8)}


def test_a_lambda_mirror_is_refused_by_chest_xray() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(A.Lambda(image=lambda x, **_: np.ascontiguousarray(x[:, ::-1])), "chest_xray")
    assert "SA101" in caught.value.report.codes()
    assert "heart" in str(caught.value)  # the policy's reason travels with the refusal


def test_a_plain_function_mirror_is_refused() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(mirror, "chest_xray")
    assert caught.value.report.codes() == ["SA101", "SA408"]


def test_a_mild_brightness_change_is_accepted_and_behaves_as_before() -> None:
    wrapped = safeaug.wrap(brighter, "chest_xray")
    assert np.array_equal(wrapped(IMAGE), brighter(IMAGE))
    assert np.array_equal(wrapped(IMAGE, gain=1.02), brighter(IMAGE, gain=1.02))
    assert inspect.signature(wrapped) == inspect.signature(brighter)
    assert wrapped.report.ok and wrapped.report.codes() == ["SA408"]
    assert wrapped.policy.id == "chest_xray"
    assert wrapped.fn is brighter


def test_albumentations_style_callables_are_probed() -> None:
    wrapped = safeaug.wrap(albumentations_style, "chest_xray")
    assert np.array_equal(wrapped(image=IMAGE)["image"], albumentations_style(IMAGE)["image"])


def test_an_albumentations_pipeline_is_checked_statically_and_runs_the_same() -> None:
    pipeline = A.Compose([A.Rotate(limit=10, p=1), A.RandomBrightnessContrast(0.1, 0.1, p=1)], seed=3)
    wrapped = safeaug.wrap(pipeline, "chest_xray")
    assert wrapped.report.codes() == []  # nothing unknown: nothing probed
    pipeline.set_random_seed(7)
    expected = pipeline(image=IMAGE)["image"]
    wrapped.set_random_seed(7)  # the pipeline's own attributes are reachable through the wrapper
    assert np.array_equal(wrapped(image=IMAGE)["image"], expected)
    with pytest.raises(safeaug.PolicyViolationError, match="SA101"):
        safeaug.wrap(A.Compose([A.HorizontalFlip()]), "chest_xray")


def test_wrapping_does_not_change_the_transform() -> None:
    t = A.Lambda(image=lambda x, **_: x, p=0.3)
    safeaug.wrap(A.Compose([t]), "natural")
    assert t.p == 0.3


def test_the_wrapper_pickles_like_the_original() -> None:
    wrapped = safeaug.wrap(brighter, "chest_xray")
    again = pickle.loads(pickle.dumps(wrapped))
    assert np.array_equal(again(IMAGE), brighter(IMAGE))
    assert again.report == wrapped.report and again.policy == wrapped.policy
    assert "brighter" in repr(again)


def test_a_callable_that_cannot_run_is_refused_not_passed() -> None:
    def broken(image: np.ndarray) -> np.ndarray:
        raise ValueError("expects a float image")

    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(broken, "natural")
    assert caught.value.report.codes() == ["SA401"]
    assert "expects a float image" in str(caught.value)


def test_seeds_sets_the_number_of_runs() -> None:
    wrapped = safeaug.wrap(brighter, "natural", seeds=3)
    assert "probing 3 runs" in wrapped.report.findings[0].message


def test_importing_the_wrap_module_leaves_safeaug_wrap_the_function() -> None:
    import subprocess
    import sys

    code = (
        "import safeaug.wrap\n"
        "from safeaug.wrap import Wrapped\n"
        "import safeaug\n"
        "print(callable(safeaug.wrap), type(safeaug.wrap).__name__, Wrapped.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "function", "Wrapped"]
