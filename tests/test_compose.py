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


def test_policy_is_required_and_the_error_names_safeaug_compose() -> None:
    with pytest.raises(
        safeaug.PolicyError, match=r"safeaug\.Compose needs a policy: safeaug\.Compose\(\[\.\.\.\], policy="
    ):
        safeaug.Compose(_pipeline())
    with pytest.raises(safeaug.PolicyError, match=r"safeaug\.ReplayCompose needs a policy"):
        safeaug.ReplayCompose(_pipeline())


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


@pytest.mark.slow  # starts worker processes
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


# ------------------------------------------------------------------ every A.Compose keyword, same outputs


def _geometric() -> list[A.BasicTransform]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05), p=0.8),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.8),
        A.RandomGamma(gamma_limit=(80, 120), p=0.5),
        A.GaussNoise(std_range=(0.01, 0.03), p=0.5),
    ]


def _both(**kwargs: object) -> tuple[A.Compose, A.Compose]:
    return safeaug.Compose(_geometric(), policy="chest_xray", **kwargs), A.Compose(_geometric(), **kwargs)


def _assert_same(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        elif key == "applied_transforms":
            assert [n for n, _ in a[key]] == [n for n, _ in b[key]]  # type: ignore[attr-defined]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


def _sample(seed: int) -> dict[str, object]:
    image = _image(seed)
    return {
        "image": image,
        "mask": (image[..., 0] > 128).astype(np.uint8),
        "bboxes": np.array([[5.0, 6.0, 40.0, 50.0], [20.0, 10.0, 60.0, 30.0]]),
        "labels": np.array([1, 2]),
        "keypoints": np.array([[10.0, 20.0], [30.0, 40.0], [50.0, 12.0]]),
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": 11},
        {"seed": 12, "p": 0.5},
        {"seed": 13, "strict": True, "is_check_shapes": False},
        {"seed": 14, "save_applied_params": True},
        {"seed": 15, "mask_interpolation": 0},
    ],
    ids=["seed", "p", "strict", "save_applied_params", "mask_interpolation"],
)
def test_every_compose_keyword_gives_the_same_images_masks_bboxes_and_keypoints(kwargs: dict[str, object]) -> None:
    params = {
        "bbox_params": A.BboxParams(format="pascal_voc", label_fields=["labels"], min_visibility=0.0),
        "keypoint_params": A.KeypointParams(format="xy", remove_invisible=False),
        **kwargs,
    }
    ours, theirs = _both(**params)
    for i in range(6):
        _assert_same(ours(**_sample(i)), theirs(**_sample(i)))


def test_additional_targets_are_transformed_like_albumentations_does_and_judged() -> None:
    targets = {"image2": "image", "mask2": "mask"}
    ours, theirs = _both(seed=5, additional_targets=targets)
    changed = 0
    for i in range(4):
        data = _sample(i)
        extra = {"image": data["image"], "image2": _image(i + 50), "mask": data["mask"], "mask2": data["mask"]}
        a, b = ours(**extra), theirs(**extra)
        _assert_same(a, b)
        changed += not np.array_equal(a["image2"], extra["image2"])
    assert changed >= 2  # the extra image was augmented too
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([A.HorizontalFlip(p=0.5)], policy="chest_xray", additional_targets=targets)


def test_set_random_seed_reproduces_the_stream() -> None:
    ours, theirs = _both()
    ours.set_random_seed(99)
    theirs.set_random_seed(99)
    first = [ours(image=_image(i))["image"] for i in range(3)]
    for i in range(3):
        np.testing.assert_array_equal(first[i], theirs(image=_image(i))["image"])
    ours.set_random_seed(99)
    for i in range(3):
        np.testing.assert_array_equal(first[i], ours(image=_image(i))["image"])


def test_save_applied_params_records_what_albumentations_records() -> None:
    ours, theirs = _both(seed=3, save_applied_params=True)
    a, b = ours(image=_image()), theirs(image=_image())
    assert [name for name, _ in a["applied_transforms"]] == [name for name, _ in b["applied_transforms"]]
    assert a["applied_transforms"], "the seeded pipeline applies at least one transform"
    assert "applied_transforms" not in safeaug.Compose(_geometric(), policy="chest_xray", seed=3)(image=_image())


def test_strict_still_refuses_unknown_arguments_like_albumentations() -> None:
    with pytest.warns(UserWarning, match="not_an_argument"):
        bad = A.Affine(rotate=(-5, 5), not_an_argument=1)
    with pytest.raises(ValueError, match="not_an_argument"):
        A.Compose([bad], strict=True)
    with pytest.raises(ValueError, match="not_an_argument"):
        safeaug.Compose([bad], policy="chest_xray", strict=True)


def test_replay_compose_is_judged_and_replays_its_output() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safeaug.ReplayCompose([A.Rotate(limit=45, p=1)], policy="chest_xray")
    assert info.value.report.codes() == ["SA102"]
    replay = safeaug.ReplayCompose(
        _geometric(), policy="chest_xray", keypoint_params=A.KeypointParams(format="xy", remove_invisible=False)
    )
    assert isinstance(replay, A.ReplayCompose)
    for i in range(4):
        data = _sample(i)
        out = replay(image=data["image"], mask=data["mask"], keypoints=data["keypoints"])
        again = safeaug.ReplayCompose.replay(
            out["replay"], image=data["image"], mask=data["mask"], keypoints=data["keypoints"]
        )
        np.testing.assert_array_equal(out["image"], again["image"])
        np.testing.assert_array_equal(out["mask"], again["mask"])
        np.testing.assert_allclose(out["keypoints"], again["keypoints"])
        assert out["replay"]["policy"] == {"id": "chest_xray", "arguments": {}}


def test_an_edited_replay_record_is_refused() -> None:
    replay = safeaug.ReplayCompose([A.Rotate(limit=10, p=1)], policy="chest_xray")
    saved = replay(image=_image())["replay"]
    saved["transforms"][0]["limit"] = (-60, 60)
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.ReplayCompose.replay(saved, image=_image())


def test_a_single_transform_given_for_the_list_is_judged_like_albumentations_runs_it() -> None:
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose(A.HorizontalFlip(p=0.5), policy="chest_xray")
    safe = safeaug.Compose(A.RandomGamma(p=1), policy="chest_xray")
    assert [type(t).__name__ for t in safe.transforms] == ["RandomGamma"]


class _Shifting(list):  # type: ignore[type-arg]
    """A list that gives a gamma change when first iterated and a flip on every later iteration."""

    def __init__(self) -> None:
        super().__init__([A.RandomGamma(p=1)])
        self.iterated = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.iterated += 1
        return iter([A.RandomGamma(p=1)] if self.iterated == 1 else [A.HorizontalFlip(p=1)])


@pytest.mark.parametrize("audit", [False, True])
def test_the_transforms_that_run_are_the_ones_judged(audit: bool) -> None:
    image = _image()
    safe = safeaug.Compose(_Shifting(), policy="chest_xray", audit=audit)
    assert [type(t).__name__ for t in safe.transforms] == ["RandomGamma"]
    assert not np.array_equal(safe(image=image)["image"], image[:, ::-1])
    # A generator, spent by judging it, still gives the pipeline its transforms.
    made = safeaug.Compose((t for t in _pipeline()), policy="chest_xray", audit=audit)
    assert [type(t).__name__ for t in made.transforms] == [type(t).__name__ for t in _pipeline()]
    held = _pipeline()
    assert safeaug.Compose(held, policy="chest_xray").transforms is held  # a plain list is kept as given
