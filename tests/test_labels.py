"""Label-aware transforms (safeaug.labels): the image and its labels change together, or neither does."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.catalog import get_entry
from safeaug.catalog.label_aware import NAMES
from safeaug.labels import (
    CAPTION_BLOCKERS,
    COLOUR_WORDS,
    ColorJitterUnlessCaptionNamesColor,
    HorizontalFlipWithCaption,
    HorizontalFlipWithClassMap,
    HorizontalFlipWithKeypointSwap,
    HorizontalFlipWithSteering,
    caption_blocker,
    names_colour,
    swap_left_right,
)

H, W = 48, 64
SEEDS = range(24)


def _image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (H, W, 3), dtype=np.uint8)


def _mirrored(before: np.ndarray, after: np.ndarray) -> bool:
    if np.array_equal(after, before[:, ::-1]):
        return True
    assert np.array_equal(after, before), "the image is neither mirrored nor unchanged"
    return False


def _run(transforms: list[Any], seed: int, **kw: Any) -> Callable[..., dict[str, Any]]:
    return A.Compose(transforms, seed=seed, save_applied_params=True, **kw)


# ------------------------------------------------------------------------------------------ keypoints

# A face-like image: each landmark a coloured blob. Paired landmarks look alike on a real face, so what
# identifies "the left eye" after a mirror is where it is; the test paints each blob its own colour and
# checks that keypoint i lands on the blob that showed its partner before (the landmark now at its place).
FACE = {  # name -> (x, y), the person's left on the image's right (COCO convention)
    "right_eye": (20, 14),
    "left_eye": (44, 14),
    "nose": (31, 26),
    "right_mouth": (22, 36),
    "left_mouth": (42, 36),
}
PAIRS = {"left_eye": "right_eye", "right_eye": "left_eye", "left_mouth": "right_mouth", "right_mouth": "left_mouth"}
COLOURS = {name: (40 * i + 60, 255 - 40 * i, (97 * i) % 256) for i, name in enumerate(FACE)}


def _face(points: dict[str, tuple[int, int]], colours: dict[str, tuple[int, int, int]]) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    for name, (x, y) in points.items():
        img[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2] = colours[name]
    return img


def _colour_at(img: np.ndarray, point: Any) -> tuple[int, ...]:
    x, y = (round(float(v)) for v in point[:2])
    return tuple(int(c) for c in img[y, x])


def test_swap_by_label_puts_each_landmark_on_its_own_side() -> None:
    img = _face(FACE, COLOURS)
    names = list(FACE)
    pairs = [("left_eye", "right_eye"), ("left_mouth", "right_mouth")]
    outcomes = set()
    for seed in SEEDS:
        t = _run(
            [HorizontalFlipWithKeypointSwap(pairs=pairs, p=0.5)],
            seed,
            keypoint_params=A.KeypointParams(format="xy", label_fields=["names"]),
        )
        out = t(image=img, keypoints=list(FACE.values()), names=names)
        flipped = _mirrored(img, out["image"])
        outcomes.add(flipped)
        assert out["applied_transforms"][0][1]["flip"] is True if flipped else out["applied_transforms"] == []
        got = dict(zip(out["names"], out["keypoints"], strict=True))
        assert set(got) == set(FACE)
        for name, point in got.items():
            # the blob under the keypoint named `name` is the one that was its partner's (or its own)
            expected = COLOURS[PAIRS.get(name, name)] if flipped else COLOURS[name]
            assert _colour_at(out["image"], point) == expected, (seed, name)
        assert got["left_eye"][0] > got["right_eye"][0]  # the person's left eye is still on the image's right
        assert got["left_mouth"][0] > got["right_mouth"][0]
    assert outcomes == {True, False}


def test_plain_horizontal_flip_crosses_the_landmarks() -> None:
    # The failure the transform prevents: after A.HorizontalFlip the "left eye" sits on the image's left.
    t = A.Compose([A.HorizontalFlip(p=1)], keypoint_params=A.KeypointParams(format="xy", label_fields=["names"]))
    out = t(image=_face(FACE, COLOURS), keypoints=list(FACE.values()), names=list(FACE))
    got = dict(zip(out["names"], out["keypoints"], strict=True))
    assert got["left_eye"][0] < got["right_eye"][0]


def test_swap_by_index_exchanges_rows_and_keeps_labels_with_their_index() -> None:
    img = _face(FACE, COLOURS)
    names = list(FACE)
    index = {n: i for i, n in enumerate(names)}
    pairs = [(index["left_eye"], index["right_eye"]), (index["left_mouth"], index["right_mouth"])]
    t = A.Compose(
        [HorizontalFlipWithKeypointSwap(pairs=pairs, p=1)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["names"], remove_invisible=False),
    )
    out = t(image=img, keypoints=list(FACE.values()), names=names)
    assert out["names"] == names  # index i is still the same landmark
    for name, point in zip(out["names"], out["keypoints"], strict=True):
        assert _colour_at(out["image"], point) == COLOURS[PAIRS.get(name, name)]
    assert out["keypoints"][index["left_eye"]][0] > out["keypoints"][index["right_eye"]][0]


def test_swap_by_index_with_remove_invisible_is_refused_with_the_fix() -> None:
    t = A.Compose([HorizontalFlipWithKeypointSwap(pairs=[(0, 1)], p=1)], keypoint_params=A.KeypointParams(format="xy"))
    with pytest.raises(ValueError, match=r"remove_invisible=True.*shifts every index.*remove_invisible=False"):
        t(image=_image(), keypoints=[(1, 1), (5, 5)])


def test_swap_by_id_label_survives_a_dropped_keypoint() -> None:
    # The documented way round remove_invisible: ids in a label field travel with their keypoint.
    t = A.Compose(
        [A.Crop(x_min=0, y_min=0, x_max=40, y_max=H, p=1), HorizontalFlipWithKeypointSwap([(0, 1)], "kp_id", p=1)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["kp_id"]),
    )
    out = t(image=_image(), keypoints=[(10, 5), (30, 5), (50, 5)], kp_id=[0, 1, 2])  # id 2 leaves the crop
    assert out["kp_id"] == [1, 0]
    assert [p[0] for p in out["keypoints"]] == [29.0, 9.0]


def test_swap_by_label_adds_a_partner_the_sample_did_not_have() -> None:
    t = A.Compose(
        [HorizontalFlipWithKeypointSwap(pairs=[("left_eye", "right_eye")], p=1)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["names"]),
    )
    out = t(image=_image(), keypoints=[(3, 4)], names=["left_eye"])
    assert out["names"] == ["right_eye"]
    assert out["keypoints"][0][0] == W - 1 - 3


def test_keypoint_swap_standalone_renames_a_plain_label_list() -> None:
    t = HorizontalFlipWithKeypointSwap(pairs=[("l", "r")], label_field="names", p=1)
    out = t(image=_image(), keypoints=np.array([[1.0, 2.0, 0.0, 0.0, 0.0]], np.float32), names=["l"])
    assert out["names"] == ["r"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pairs": []}, "needs `pairs`"),
        ({"pairs": [(0, 1), (1, 2)]}, "one pair only"),
        ({"pairs": [(3, 3)]}, "one pair only"),
        ({"pairs": [(0, 1), ("a", "b")]}, "mixes indices and labels"),
        ({"pairs": [(-1, 2)]}, "start at 0"),
        ({"pairs": [(0, 1, 2)]}, "pairs"),
    ],
)
def test_bad_keypoint_pairs_are_refused_at_construction(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        HorizontalFlipWithKeypointSwap(**kwargs)


def test_label_pairs_without_a_label_field_say_what_to_add() -> None:
    t = A.Compose([HorizontalFlipWithKeypointSwap(pairs=[("l", "r")], p=1)], keypoint_params=A.KeypointParams("xy"))
    with pytest.raises(ValueError, match=r"no label field.*label_fields"):
        t(image=_image(), keypoints=[(1, 1)])


def test_index_pairs_beyond_the_keypoints_are_an_error() -> None:
    t = A.Compose(
        [HorizontalFlipWithKeypointSwap(pairs=[(0, 9)], p=1)],
        keypoint_params=A.KeypointParams("xy", remove_invisible=False),
    )
    with pytest.raises(ValueError, match="pairs name keypoint 9, but this sample has 2"):
        t(image=_image(), keypoints=[(1, 1), (2, 2)])


# ------------------------------------------------------------------------------------------ class map

SIGNS = {"keep_left": "keep_right", "keep_right": "keep_left", "stop": "stop", "speed_limit_30": None}


def test_class_map_maps_the_image_label_exactly_when_it_flips() -> None:
    img = _image(1)
    outcomes = set()
    for seed in SEEDS:
        out = _run([HorizontalFlipWithClassMap(SIGNS, target="label", p=0.5)], seed)(image=img, label="keep_left")
        flipped = _mirrored(img, out["image"])
        outcomes.add(flipped)
        assert out["label"] == ("keep_right" if flipped else "keep_left")
    assert outcomes == {True, False}


@pytest.mark.parametrize("label", ["speed_limit_30", "give_way"])  # mapped to None / missing from the table
def test_class_map_skips_a_sample_with_a_class_that_cannot_flip(label: str) -> None:
    img = _image(2)
    out = _run([HorizontalFlipWithClassMap(SIGNS, p=1)], 0)(image=img, label=label)
    assert np.array_equal(out["image"], img)
    assert out["label"] == label
    params = out["applied_transforms"][0][1]
    assert params["flip"] is False
    assert label in params["skipped"]


def test_class_map_moves_boxes_and_maps_their_labels_and_skips_mixed_samples() -> None:
    t = A.Compose(
        [HorizontalFlipWithClassMap(SIGNS, target="class_labels", p=1)],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["class_labels"]),
    )
    img = _image(3)
    out = t(image=img, bboxes=[(2, 4, 10, 20), (30, 4, 40, 20)], class_labels=["keep_left", "stop"])
    assert np.array_equal(out["image"], img[:, ::-1])
    assert out["class_labels"] == ["keep_right", "stop"]
    np.testing.assert_allclose(out["bboxes"], [[W - 10, 4, W - 2, 20], [W - 40, 4, W - 30, 20]])
    out = t(image=img, bboxes=[(2, 4, 10, 20), (30, 4, 40, 20)], class_labels=["keep_left", "speed_limit_30"])
    assert np.array_equal(out["image"], img)
    assert out["class_labels"] == ["keep_left", "speed_limit_30"]
    np.testing.assert_allclose(out["bboxes"], [[2, 4, 10, 20], [30, 4, 40, 20]])


def test_class_map_maps_keypoint_labels_too() -> None:
    t = A.Compose(
        [HorizontalFlipWithClassMap({"l_ear": "r_ear", "r_ear": "l_ear", "nose": "nose"}, target="parts", p=1)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["parts"]),
    )
    out = t(image=_image(), keypoints=[(3, 4), (30, 4)], parts=["l_ear", "nose"])
    assert out["parts"] == ["r_ear", "nose"]
    assert [p[0] for p in out["keypoints"]] == [W - 1 - 3, W - 1 - 30]


def test_class_map_works_on_integer_box_labels() -> None:
    t = A.Compose(
        [HorizontalFlipWithClassMap({1: 2, 2: 1, 3: 3}, target="cls", p=1)],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["cls"]),
    )
    out = t(image=_image(), bboxes=[(2, 4, 10, 20), (3, 3, 5, 5)], cls=[1, 3])
    assert [int(c) for c in out["cls"]] == [2, 3]


def test_class_map_swaps_left_and_right_organs_in_a_mask() -> None:
    # 0 background, 1 liver (one organ: keeps its id), 2 left kidney, 3 right kidney
    mask = np.zeros((H, W), np.uint8)
    mask[10:20, 4:12] = 2
    mask[10:20, 50:58] = 3
    mask[30:40, 20:44] = 1
    img = np.stack([mask * 60] * 3, axis=-1).astype(np.uint8)
    t = A.Compose([HorizontalFlipWithClassMap({0: 0, 1: 1, 2: 3, 3: 2}, target="mask", p=1)])
    out = t(image=img, mask=mask)
    expected = mask[:, ::-1].copy()
    expected[mask[:, ::-1] == 2] = 3
    expected[mask[:, ::-1] == 3] = 2
    assert np.array_equal(out["mask"], expected)
    assert np.array_equal(out["image"], img[:, ::-1])
    # the left kidney (id 2) is again on the image's left: where the right kidney's pixels went
    assert set(np.unique(out["mask"][:, : W // 2])) == {0, 1, 2}
    multi = t(image=img, masks=[mask, mask])["masks"]
    assert all(np.array_equal(m, expected) for m in multi)


def test_class_map_skips_a_mask_with_an_id_it_does_not_know() -> None:
    mask = np.zeros((H, W), np.uint8)
    mask[:5, :5] = 7
    img = _image(4)
    out = _run([HorizontalFlipWithClassMap({0: 0, 2: 3, 3: 2}, target="mask", p=1)], 0)(image=img, mask=mask)
    assert np.array_equal(out["image"], img) and np.array_equal(out["mask"], mask)
    assert "7" in out["applied_transforms"][0][1]["skipped"]


def test_class_map_without_its_target_in_the_data_is_an_error() -> None:
    t = HorizontalFlipWithClassMap(SIGNS, target="label", p=1)
    with pytest.raises(KeyError, match=r"needs `label`.*Pass `label=...`"):
        t(image=_image())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"class_map": {}}, "needs `class_map`"),
        ({"class_map": [("a", "b"), ("a", "c")]}, "twice"),
        ({"class_map": "a"}, "dict or a list"),
        ({"class_map": {"a": "a"}, "target": []}, "target"),
    ],
)
def test_bad_class_maps_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        HorizontalFlipWithClassMap(**kwargs)


# ------------------------------------------------------------------------------------------ steering


@pytest.mark.parametrize("steering", [0.3, -0.125, np.array([0.1, -0.2, 0.0], np.float32)])
def test_steering_is_negated_exactly_when_the_image_flips(steering: Any) -> None:
    img = _image(5)
    outcomes = set()
    for seed in SEEDS:
        out = _run([HorizontalFlipWithSteering(p=0.5)], seed)(image=img, steering=steering)
        flipped = _mirrored(img, out["image"])
        outcomes.add(flipped)
        np.testing.assert_array_equal(out["steering"], -steering if flipped else steering)
    assert outcomes == {True, False}


def test_steering_under_another_key_and_missing_steering() -> None:
    out = HorizontalFlipWithSteering(key="angle", p=1)(image=_image(), angle=0.5)
    assert out["angle"] == -0.5
    with pytest.raises(KeyError, match="needs `steering`"):
        HorizontalFlipWithSteering(p=1)(image=_image())
    with pytest.raises(TypeError, match="number or an array"):
        HorizontalFlipWithSteering(p=1)(image=_image(), steering="left")


# ------------------------------------------------------------------------------------------ captions

REWRITES = [
    ("the dog on the left", "the dog on the right"),
    ("Left of the tree", "Right of the tree"),
    ("LEFT LANE", "RIGHT LANE"),
    ("a cup in the top-left corner", "a cup in the top-right corner"),
    ("bottom-right, a lamp", "bottom-left, a lamp"),
    ("the leftmost car", "the rightmost car"),
    ("Rightmost", "Leftmost"),
    ("birds flying leftward", "birds flying rightward"),
    ("rightwards", "leftwards"),
    ("his left-hand glove", "his right-hand glove"),
    ("a man on the left.", "a man on the right."),
    ("a sign (left) and a tree (right)", "a sign (right) and a tree (left)"),
    ("from left to right: a cat, a dog", "from right to left: a cat, a dog"),
    ("a bright room with a leftover pizza", "a bright room with a leftover pizza"),
    ("copyright Albright, brighter", "copyright Albright, brighter"),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_caption_rewrites(before: str, after: str) -> None:
    assert caption_blocker(before) is None
    assert swap_left_right(before) == after
    assert swap_left_right(after) == before
    out = HorizontalFlipWithCaption(p=1)(image=_image(), caption=before)
    assert out["caption"] == after


BLOCKED = [
    "a wheel turning clockwise",
    "counterclockwise spiral on the left",
    "the west side of the building",
    "a left-handed pitcher",
    "a sign that says stop",
    'a shirt with "NYC" on it',
    "a clock on the wall",
    "a cat sitting right next to a dog",
    "he has left the room",
    "she left the umbrella on the left",
    "a right angle",
    "LeFt side",
]


@pytest.mark.parametrize("caption", BLOCKED)
def test_unrewritable_captions_skip_the_flip(caption: str) -> None:
    assert caption_blocker(caption) is not None
    img = _image(6)
    out = _run([HorizontalFlipWithCaption(p=1)], 0)(image=img, caption=caption)
    assert np.array_equal(out["image"], img)
    assert out["caption"] == caption
    params = out["applied_transforms"][0][1]
    assert params["flip"] is False and params["skipped"].startswith("caption has")


def test_a_list_of_captions_is_rewritten_together_or_not_at_all() -> None:
    img = _image(7)
    t = HorizontalFlipWithCaption(p=1)
    out = t(image=img, caption=["a dog on the left", "the right side of a dog"])
    assert out["caption"] == ["a dog on the right", "the left side of a dog"]
    out = t(image=img, caption=["a dog on the left", "a dog facing west"])
    assert out["caption"] == ["a dog on the left", "a dog facing west"]
    assert np.array_equal(out["image"], img)


def test_caption_flip_decides_per_sample_and_both_outcomes_occur() -> None:
    img = _image(8)
    outcomes = set()
    for seed in SEEDS:
        out = _run([HorizontalFlipWithCaption(p=0.5)], seed)(image=img, caption="a ball on the left")
        flipped = _mirrored(img, out["image"])
        outcomes.add(flipped)
        assert out["caption"] == ("a ball on the right" if flipped else "a ball on the left")
    assert outcomes == {True, False}


def test_caption_errors() -> None:
    with pytest.raises(KeyError, match="needs `caption`"):
        HorizontalFlipWithCaption(p=1)(image=_image())
    with pytest.raises(TypeError, match="string or a list of strings"):
        HorizontalFlipWithCaption(p=1)(image=_image(), caption=3)


def test_every_blocker_has_a_reason() -> None:
    assert all(pattern and why for pattern, why in CAPTION_BLOCKERS)


# Property tests over captions built from a vocabulary that mixes sides, look-alikes and filler.
SIDE_WORDS = ["left", "right", "Left", "RIGHT", "leftmost", "Rightmost", "leftward", "rightwards", "top-left"]
OTHER_WORDS = [
    "bright",
    "leftover",
    "a",
    "dog",
    "the",
    "on",
    "of",
    "side",
    "copyright",
    "(left)",
    "left.",
    "and",
    "west",
]
captions = st.lists(st.sampled_from(SIDE_WORDS + OTHER_WORDS), min_size=1, max_size=10).map(" ".join)


@given(captions)
def test_rewriting_twice_gives_the_caption_back(caption: str) -> None:
    assert swap_left_right(swap_left_right(caption)) == caption


@given(captions, st.integers(0, 2**16))
def test_a_flip_never_leaves_a_side_word_unchanged(caption: str, seed: int) -> None:
    img = _image(9)
    out = A.Compose([HorizontalFlipWithCaption(p=0.5)], seed=seed)(image=img, caption=caption)
    flipped = _mirrored(img, out["image"])
    mentions = any(w.strip("().").lower().split("-")[-1] in {"left", "right"} for w in caption.split())
    if flipped and mentions:
        assert out["caption"] != caption
    if not flipped:
        assert out["caption"] == caption


@given(
    st.lists(
        st.tuples(st.integers(2, W // 2 - 3), st.integers(0, (H - 6) // 4)),
        min_size=1,
        max_size=4,
        unique_by=lambda p: p[1],
    ),
    st.integers(0, 2**16),
)
def test_random_symmetric_pairs_keep_the_colour_under_each_keypoint(lefts: list[tuple[int, int]], seed: int) -> None:
    # Pair k: a point on the left half and one at a random place on the right half of the same row (rows
    # 4 px apart, so blobs never touch), each point its own colour.
    rng = np.random.default_rng(seed)
    points: dict[str, tuple[int, int]] = {}
    for k, (x, row) in enumerate(lefts):
        y = 3 + 4 * row
        points[f"l{k}"] = (x, y)
        points[f"r{k}"] = (int(rng.integers(W // 2 + 2, W - 2)), y)
    colours = {name: (30 + 50 * i % 220, 200 - 20 * i, 10 + 23 * i) for i, name in enumerate(points)}
    img = _face(points, colours)
    partner = {f"l{k}": f"r{k}" for k in range(len(lefts))} | {f"r{k}": f"l{k}" for k in range(len(lefts))}
    t = A.Compose(
        [HorizontalFlipWithKeypointSwap([(f"l{k}", f"r{k}") for k in range(len(lefts))], p=0.5)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["names"]),
        seed=seed,
    )
    out = t(image=img, keypoints=list(points.values()), names=list(points))
    flipped = _mirrored(img, out["image"])
    for name, point in zip(out["names"], out["keypoints"], strict=True):
        assert _colour_at(out["image"], point) == colours[partner[name] if flipped else name]
        assert (point[0] < W // 2) == name.startswith("l")  # left points stay on the left


# ------------------------------------------------------------------------------------------ colour

COLOURED = ["a red bus", "A Golden retriever", "GREY skies", "reddish sand", "bluish water", "two pink flamingos",
            "a black-and-white photo", "a colourful kite", "silver cars", "a blonde woman"]  # fmt: skip
NOT_COLOURED = ["a redundant sign", "Whitehall street", "a greenhouse", "bright sunlight", "a blackboard", "Redmond"]


@pytest.mark.parametrize("caption", COLOURED)
def test_colour_words_are_found(caption: str) -> None:
    assert names_colour(caption) is not None


@pytest.mark.parametrize("caption", NOT_COLOURED)
def test_words_that_merely_contain_a_colour_are_not_colour_words(caption: str) -> None:
    assert names_colour(caption) is None


def test_colour_list_covers_the_documented_words() -> None:
    for word in ("red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white"):
        assert {word, word + "s", word + "ish"} <= COLOUR_WORDS or word in COLOUR_WORDS
    assert {"grey", "gray", "golden", "silver", "greyish", "whitish", "bluish", "reddish"} <= COLOUR_WORDS


def test_colour_jitter_is_skipped_exactly_for_captions_that_name_a_colour() -> None:
    img = _image(10)
    jittered = set()
    for seed in SEEDS:

        def make(seed: int = seed) -> Callable[..., dict[str, Any]]:
            return _run([ColorJitterUnlessCaptionNamesColor(hue=0.3, saturation=(0.2, 1.8), p=1)], seed)

        out = make()(image=img, caption="a red bus on the street")
        assert np.array_equal(out["image"], img)
        assert out["applied_transforms"][0][1]["skipped"] == "caption names the colour 'red'"
        out = make()(image=img, caption="a bus on the street")
        jittered.add(not np.array_equal(out["image"], img))
        # the same draw as ColorJitter itself: the jitter is ColorJitter's when it runs
        ref = A.Compose([A.ColorJitter(hue=0.3, saturation=(0.2, 1.8), p=1)], seed=seed)(image=img)
        assert np.array_equal(out["image"], ref["image"])
    assert jittered == {True}
    with pytest.raises(KeyError, match="needs `caption`"):
        ColorJitterUnlessCaptionNamesColor(p=1)(image=img)
    out = ColorJitterUnlessCaptionNamesColor(p=1)(image=img, caption=["a bus", "a yellow bus"])
    assert np.array_equal(out["image"], img)


# ------------------------------------------------------------------------------------------ pipelines


def test_extra_keys_pass_a_strict_compose_without_additional_targets() -> None:
    t = A.Compose(
        [
            HorizontalFlipWithSteering(p=1),
            HorizontalFlipWithCaption(p=1),
            HorizontalFlipWithClassMap(SIGNS, p=1),
            ColorJitterUnlessCaptionNamesColor(p=1),
        ],
        strict=True,
    )
    out = t(image=_image(), steering=0.5, caption="on the left", label="stop")
    # three flips: mirrored, back, mirrored again
    assert out["steering"] == -0.5 and out["caption"] == "on the right" and out["label"] == "stop"


def test_replay_repeats_the_decision_on_new_data() -> None:
    img = _image(11)
    seen = set()
    for seed in SEEDS[:8]:
        t = A.ReplayCompose([HorizontalFlipWithCaption(p=0.5)])
        t.set_random_seed(seed)
        out = t(image=img, caption="a dog on the left")
        flipped = _mirrored(img, out["image"])
        seen.add(flipped)
        again = A.ReplayCompose.replay(out["replay"], image=img, caption="the left paw")
        assert again["caption"] == ("the right paw" if flipped else "the left paw")
        assert np.array_equal(again["image"], out["image"])
    blocked = A.ReplayCompose([HorizontalFlipWithCaption(p=1)])(image=img, caption="clockwise")
    assert blocked["replay"]["transforms"][0]["params"]["flip"] is False
    again = A.ReplayCompose.replay(blocked["replay"], image=img, caption="on the left")
    assert again["caption"] == "on the left" and np.array_equal(again["image"], img)
    assert seen == {True, False}


ALL: list[Callable[[], Any]] = [
    lambda: HorizontalFlipWithKeypointSwap(pairs=[(36, 45), (39, 42)], p=0.4),
    lambda: HorizontalFlipWithKeypointSwap(pairs=[("left_eye", "right_eye")], label_field="names"),
    lambda: HorizontalFlipWithClassMap({0: 0, 2: 3, 3: 2}, target=["mask", "label"], p=0.7),
    lambda: HorizontalFlipWithClassMap(SIGNS),
    lambda: HorizontalFlipWithSteering(key="angle", p=0.3),
    lambda: HorizontalFlipWithCaption(key="text"),
    lambda: ColorJitterUnlessCaptionNamesColor(brightness=0.2, hue=0.05, p=0.8, key="text"),
]


@pytest.mark.parametrize("make", ALL)
def test_pickle_and_to_dict_round_trips(make: Callable[[], Any]) -> None:
    t = make()
    d = A.to_dict(t)
    assert d["transform"]["__class_fullname__"] == f"safeaug.labels.{type(t).__name__}"
    again = pickle.loads(pickle.dumps(t))
    assert A.to_dict(again) == d
    restored = A.from_dict(d)
    assert type(restored) is type(t) and A.to_dict(restored) == d
    via_json = A.from_dict(json.loads(json.dumps(d)))  # integer class ids survive JSON as [from, to] pairs
    assert json.dumps(A.to_dict(via_json), sort_keys=True) == json.dumps(d, sort_keys=True)


def test_a_used_pipeline_pickles_for_dataloader_workers() -> None:
    t = A.Compose(
        [HorizontalFlipWithKeypointSwap(pairs=[("l", "r")], p=1)],
        keypoint_params=A.KeypointParams(format="xy", label_fields=["names"]),
    )
    img = _image()
    first = t(image=img, keypoints=[(1, 2), (9, 2)], names=["l", "r"])
    again = pickle.loads(pickle.dumps(t))(image=img, keypoints=[(1, 2), (9, 2)], names=["l", "r"])
    assert again["names"] == first["names"] == ["r", "l"]
    assert np.array_equal(again["keypoints"], first["keypoints"])
    assert np.array_equal(again["image"], img[:, ::-1])


def test_class_map_round_trip_keeps_integer_ids_through_json() -> None:
    t = HorizontalFlipWithClassMap({0: 0, 2: 3, 3: 2}, target="mask", p=1)
    restored = A.from_dict(json.loads(json.dumps(A.to_dict(t))))
    mask = np.zeros((H, W), np.uint8)
    mask[:, :4] = 2
    assert np.array_equal(restored(image=_image(), mask=mask)["mask"], t(image=_image(), mask=mask)["mask"])


# ------------------------------------------------------------------------------------------ policies

ACCEPTED: list[tuple[str, dict[str, Any], Callable[[], Any], str]] = [
    ("face_landmarks", {}, lambda: HorizontalFlipWithKeypointSwap(pairs=[(36, 45)]), "swap_left_right_keypoints"),
    ("traffic_signs", {}, lambda: HorizontalFlipWithClassMap(SIGNS), "traffic_sign_flip_class_map"),
    ("driving", {}, lambda: HorizontalFlipWithSteering(), "negate_steering"),
    ("vision_language", {}, lambda: HorizontalFlipWithCaption(), "rewrite_caption_left_right"),
    (
        "vision_language",
        {},
        lambda: ColorJitterUnlessCaptionNamesColor(0.2, 0.2, 0.2, 0.1),
        "skip_colour_when_caption_names_colour",
    ),
    ("ct", {"lateral_labels": True}, lambda: HorizontalFlipWithClassMap({0: 0}, "mask"), "swap_left_right_classes"),
    ("mri", {"lateral_labels": True}, lambda: HorizontalFlipWithClassMap({0: 0}, "mask"), "swap_left_right_classes"),
]
PLAIN = {"skip_colour_when_caption_names_colour": lambda: A.ColorJitter(0.2, 0.2, 0.2, 0.1)}
CODES = {"skip_colour_when_caption_names_colour": {"SA206", "SA207"}}


def _ids(case: tuple[str, dict[str, Any], Callable[[], Any], str]) -> str:
    return f"{case[0]}-{type(case[2]()).__name__}"


@pytest.mark.parametrize(("policy_id", "params", "make", "label_transform"), ACCEPTED, ids=[_ids(c) for c in ACCEPTED])
def test_policy_accepts_the_label_aware_transform_and_refuses_the_plain_one(
    policy_id: str, params: dict[str, Any], make: Callable[[], Any], label_transform: str
) -> None:
    policy = safeaug.load_policy(policy_id, **params)
    t = make()
    assert safeaug.validate([t], policy).ok
    assert safeaug.validate(A.Compose([t]), policy).ok
    assert safeaug.validate(A.to_dict(A.Compose([t])), policy).ok
    assert safeaug.validate(json.loads(json.dumps(A.to_dict(A.Compose([t])))), policy).ok
    safe = safeaug.Compose([make()], policy=policy)
    assert safe.report.ok
    plain = PLAIN.get(label_transform, A.HorizontalFlip)()
    report = safeaug.validate([plain], policy)
    assert not report.ok
    assert {f.code for f in report.findings} == CODES.get(label_transform, {"SA101"})
    for f in report.findings:
        assert label_transform in f.fix
        assert f.label_transform
    assert type(t).__name__ in " ".join(f.fix for f in report.findings) or policy_id != "vision_language"
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([plain], policy=policy)


def test_a_label_aware_flip_is_not_a_pass_for_another_domain() -> None:
    # The caption flip swaps no keypoints: face_landmarks still refuses it, with the flip's own code.
    report = safeaug.validate([HorizontalFlipWithCaption()], "face_landmarks")
    assert [f.code for f in report.findings] == ["SA101"]
    assert not safeaug.validate([HorizontalFlipWithSteering()], "traffic_signs").ok
    assert not safeaug.validate([ColorJitterUnlessCaptionNamesColor(hue=0.4)], "traffic_signs").ok  # hue > 10°


def test_label_aware_transforms_keep_their_effect_envelope() -> None:
    for t in (HorizontalFlipWithCaption(), HorizontalFlipWithKeypointSwap([(0, 1)])):
        assert safeaug.validate([t], "natural").envelope.mirror
    jitter = safeaug.validate([ColorJitterUnlessCaptionNamesColor(hue=0.1)], "natural").envelope
    assert jitter == safeaug.validate([A.ColorJitter(hue=0.1)], "natural").envelope


def test_every_name_a_pipeline_can_carry_has_an_entry() -> None:
    for cls in ("HorizontalFlipWithKeypointSwap", "HorizontalFlipWithClassMap", "HorizontalFlipWithSteering",
                "HorizontalFlipWithCaption", "ColorJitterUnlessCaptionNamesColor"):  # fmt: skip
        assert getattr(safeaug, cls).__module__ == "safeaug.labels"
        for name in (f"safeaug.labels.{cls}", f"safeaug.{cls}"):
            entry = get_entry(name)
            assert entry is not None and entry.label_transforms, name
    assert len(NAMES) == 10


CONFIG = """\
train:
  transform:
    _target_: albumentations.Compose
    transforms:
      - _target_: safeaug.HorizontalFlipWithCaption
        key: caption
        p: 0.5
      - _target_: safeaug.labels.ColorJitterUnlessCaptionNamesColor
        hue: 0.1
      - _target_: albumentations.HorizontalFlip
"""


def test_linting_a_config_that_names_them_needs_no_albumentations(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(CONFIG)
    native = tmp_path / "native.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        A.save(A.Compose([HorizontalFlipWithClassMap({0: 0, 2: 3, 3: 2}, "mask")]), str(native))
    code = (
        "import sys, safeaug\n"
        f"r = safeaug.validate({str(config)!r}, 'vision_language')\n"
        "print([(f.code, f.line, f.transform) for f in r.findings])\n"
        f"print(safeaug.validate({str(native)!r}, safeaug.load_policy('ct', lateral_labels=True)).ok)\n"
        f"print(safeaug.validate({str(native)!r}, 'chest_xray').ok)\n"
        "print('albumentations' in sys.modules, 'cv2' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["[('SA101', 10, 'HorizontalFlip')]", "True", "False", "False False False"]


def test_colour_jitter_takes_the_albumentationsx_spelling_and_refuses_typos() -> None:
    # AlbumentationsX writes ColorJitter's ranges as brightness_range, ...; a config in that spelling loads.
    t = ColorJitterUnlessCaptionNamesColor(hue_range=(-0.1, 0.1), brightness_range=(0.9, 1.1))
    assert t.hue == (-0.1, 0.1) and t.brightness == (0.9, 1.1)
    assert (
        safeaug.validate([t], "natural").envelope == safeaug.validate([A.ColorJitter(0.1, hue=0.1)], "natural").envelope
    )
    with pytest.raises(TypeError, match="unexpected argument 'brightnes'"):
        ColorJitterUnlessCaptionNamesColor(brightnes=0.2)


FLIPS = ["HorizontalFlipWithKeypointSwap", "HorizontalFlipWithClassMap", "HorizontalFlipWithSteering"]


@pytest.mark.parametrize("name", [*FLIPS, "HorizontalFlipWithCaption"])
def test_the_catalog_knows_each_flips_arguments_as_the_class_takes_them(name: str) -> None:
    import inspect

    from safeaug.catalog import defaults_for
    from safeaug.catalog._signatures import REQUIRED

    params = inspect.signature(getattr(safeaug.labels, name).__init__).parameters
    empty = inspect.Parameter.empty
    want = {k: (REQUIRED if v.default is empty else v.default) for k, v in params.items() if k != "self"}
    assert dict(defaults_for(f"safeaug.labels.{name}")) == want


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("swap: [[left_eye, right_eye]]\n      pairs: [[a, b]]", "takes no argument `swap`"),
        ("label_field: kp", "`pairs` is required"),
    ],
)
def test_a_config_whose_flip_would_not_build_is_refused_with_its_line(tmp_path: Path, written: str, says: str) -> None:
    config = tmp_path / "kp.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        f"    - __class_fullname__: safeaug.labels.HorizontalFlipWithKeypointSwap\n      {written}\n      p: 0.5\n"
    )
    with pytest.raises(safeaug.ConfigError, match=says) as caught:
        safeaug.validate(str(config), "face_landmarks")
    assert caught.value.line == 4
