from __future__ import annotations

import multiprocessing
import pickle

import albumentations as A
import numpy as np
import pytest

import safeaug


def _pipeline() -> list[A.BasicTransform]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), p=0.7),
        A.ElasticTransform(alpha=30, sigma=6, p=0.5),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.8),
        A.RandomGamma(gamma_limit=(80, 120), p=0.5),
    ]


def _image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (64, 64, 3), dtype=np.uint8)


def test_refuses_to_be_built_when_the_policy_is_broken() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safeaug.Compose([A.HorizontalFlip(), *_pipeline()], policy="chest_xray")
    assert [f.code for f in info.value.report.errors] == ["SA101"]


def test_policy_is_required() -> None:
    with pytest.raises(TypeError):
        safeaug.Compose(_pipeline())  # type: ignore[call-arg]


def test_same_outputs_as_albumentations_for_the_same_seed() -> None:
    ours = safeaug.Compose(_pipeline(), policy="chest_xray", seed=7)
    theirs = A.Compose(_pipeline(), seed=7)
    for i in range(5):
        image = _image(i)
        mask = (image[..., 0] > 128).astype(np.uint8)
        a, b = ours(image=image, mask=mask), theirs(image=image, mask=mask)
        np.testing.assert_array_equal(a["image"], b["image"])
        np.testing.assert_array_equal(a["mask"], b["mask"])


def test_compose_kwargs_pass_through() -> None:
    safe = safeaug.Compose(
        [A.Affine(rotate=(-5, 5), p=1)],
        policy="chest_xray",
        keypoint_params=A.KeypointParams(format="xy"),
        p=1.0,
    )
    out = safe(image=_image(), keypoints=[(10.0, 20.0)])
    assert len(out["keypoints"]) == 1
    assert isinstance(safe, A.Compose)
    assert safe.policy.id == "chest_xray" and safe.report.ok


def test_pickles_and_unpickles_with_its_policy() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", seed=3)
    clone = pickle.loads(pickle.dumps(safe))
    assert clone.policy == safe.policy
    np.testing.assert_array_equal(clone(image=_image())["image"], safe(image=_image())["image"])


def _augment(args: tuple[safeaug.Compose, int]) -> float:
    pipeline, seed = args
    return float(pipeline(image=_image(seed))["image"].mean())


def test_runs_in_spawned_worker_processes() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", seed=1)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        means = pool.map(_augment, [(safe, i) for i in range(4)])
    assert len(means) == 4 and all(0 <= m <= 255 for m in means)


def test_its_dict_form_is_judged_like_the_object() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray")
    assert safeaug.validate(A.to_dict(safe), "chest_xray").codes() == safeaug.validate(safe, "chest_xray").codes() == []
    nested = A.Compose([safe, A.HorizontalFlip()])
    assert safeaug.validate(A.to_dict(nested), "chest_xray").codes() == ["SA101"]
