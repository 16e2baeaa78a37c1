"""safeaug.auto: the op space a policy admits, RandAugment/TrivialAugment as albumentations transforms, timm strings."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug import auto
from safeaug.auto.space import CANDIDATES, Op, budgeted, draws_envelope, split
from safeaug.auto.timm import parse
from safeaug.errors import ConfigError
from safeaug.readers import read_object

POLICIES = tuple(safeaug.list_policies())
IMAGE = np.random.default_rng(0).integers(0, 256, (40, 48, 3), dtype=np.uint8)


def judge_alone(policy: str, op: Op, magnitude: float = 1.0) -> safeaug.Report:
    return safeaug.validate(A.Compose([op.build(magnitude)]), policy)


# ------------------------------------------------------------------------------------------ the op space


@pytest.mark.parametrize("policy_id", POLICIES)
def test_the_space_is_what_the_policy_admits_at_full_magnitude(policy_id: str) -> None:
    space = auto.ops(policy_id)
    names = {o.op for o in space}
    assert "Identity" in names
    for op in space:  # every op in the space is admitted, with no finding at all, at its bound
        assert judge_alone(policy_id, op).findings == (), op
    for candidate in CANDIDATES:  # every op left out is refused (or warned about) at the natural magnitude
        if candidate.op in names:
            continue
        natural = Op(candidate.op, candidate.name, candidate.effect, candidate.natural)
        assert judge_alone(policy_id, natural).findings, f"{candidate.op} left out of {policy_id} but admitted"


def test_magnitude_one_is_exactly_the_policys_bound() -> None:
    ocr = {o.op: o for o in auto.ops("ocr")}
    assert ocr["Rotate"].envelope(1.0).rotation == 15.0
    assert ocr["Rotate"].envelope(0.5).rotation == 7.5
    assert ocr["ShearX"].envelope(1.0).shear == pytest.approx(10.0)
    assert ocr["TranslateY"].envelope(1.0).translation == pytest.approx(0.1)
    # ocr's scale bound is 0.85-1.15, but zooming in 1.15x keeps 76% of a line in frame, past its 90% crop
    # bound: the zoom's magnitude 1 is the largest share of the scale bound that keeps the crop bound.
    zoom = ocr["Zoom"].envelope(1.0)
    assert 1.0 < zoom.scale_max < 1.15 and 0.85 < zoom.scale_min < 1.0
    assert zoom.crop_min == pytest.approx(0.9, abs=0.005)
    full = safeaug.validate(A.Affine(scale=(0.85, 1.15), keep_ratio=True, p=1), "ocr")
    assert "SA108" in full.codes()
    assert ocr["Blur"].envelope(1.0).blur == 1.5
    assert ocr["Rotate"].envelope(0.0).rotation == 0.0
    chest = {o.op: o for o in auto.ops("chest_xray")}
    assert chest["Posterize"].envelope(1.0).posterize_bits == 6.0


def test_a_refused_effect_keeps_its_ops_out_and_naming_them_is_an_error() -> None:
    ocr = [o.op for o in auto.ops("ocr")]
    assert "HorizontalFlip" not in ocr and "VerticalFlip" not in ocr and "Dropout" not in ocr
    assert "Invert" in ocr  # ocr allows inversion (light text on dark ground)
    chest = [o.op for o in auto.ops("chest_xray")]
    assert "Invert" not in chest and "Solarize" not in chest and "HorizontalFlip" not in chest
    assert "HorizontalFlip" in [o.op for o in auto.ops("natural")]
    with pytest.raises(ConfigError, match="refuses the op HorizontalFlip"):
        auto.ops("ocr", only=["Rotate", "HorizontalFlip"])
    with pytest.raises(ConfigError, match="unknown op 'Roatte'"):
        auto.ops("ocr", only=["Roatte"])


def test_a_mirror_that_needs_a_label_transform_enters_only_with_it() -> None:
    assert not any(o.effect == "mirror" for o in auto.ops("traffic_signs"))
    class_map = {"keep_left": "keep_right", "keep_right": "keep_left", "stop": "stop"}
    space = auto.ops("traffic_signs", label_flip={"class_map": class_map})
    flips = [o for o in space if o.effect == "mirror"]
    assert [o.name for o in flips] == ["safeaug.labels.HorizontalFlipWithClassMap"]
    built = flips[0].build()
    assert isinstance(built, safeaug.HorizontalFlipWithClassMap)
    ra = auto.RandAugment("traffic_signs", label_flip={"class_map": class_map}, m=30)
    assert safeaug.validate(A.Compose([ra]), "traffic_signs").ok
    assert not safeaug.validate(A.Compose([auto.RandAugment("natural")]), "traffic_signs").ok


def test_policy_parameters_reach_the_space() -> None:
    # small_objects bounds zoom-out at min_visible_px / smallest_object_px (8/16 by default)
    default = {o.op: o.limit for o in auto.ops("small_objects")}
    tight = {o.op: o.limit for o in auto.ops("small_objects", smallest_object_px=10)}
    assert default["Zoom"] == (0.7, 1.3) and tight["Zoom"] == (0.8, 1.3)
    ra = auto.RandAugment("small_objects", m=30, smallest_object_px=10)
    assert safeaug.validate(A.to_dict(A.Compose([ra])), safeaug.load_policy("small_objects", smallest_object_px=10)).ok
    with pytest.raises(safeaug.PolicyError):
        auto.ops("ocr", no_such_parameter=1)


# ------------------------------------------------------------------------------------------ budgets


@pytest.mark.parametrize("n", [2, 3, 5])
def test_bounds_are_shared_across_the_draws(n: int) -> None:
    policy = safeaug.load_policy("ocr")
    space = budgeted(auto.ops(policy), n, policy)
    env = draws_envelope(space, n, 1.0)
    assert env.rotation <= 15.0 + 1e-9 and env.shear <= 10.0 + 1e-9 and env.translation <= 0.1 + 1e-9
    assert env.scale_min >= 0.85 - 1e-9 and env.scale_max <= 1.15 + 1e-9 and env.blur <= 1.5 + 1e-9
    # the whole bound is used: n draws of the turn reach it
    assert env.rotation == pytest.approx(15.0)
    rotate = next(o for o in auto.ops(policy) if o.op == "Rotate")
    assert split(rotate, n).limit == pytest.approx(15.0 / n)


def test_without_budgets_two_draws_would_break_the_bound() -> None:
    """The adversary's RandAugment: every op at the policy's full bound, two drawn together."""
    ops = auto.ops("ocr")
    nodes = A.SomeOf([o.build(1.0) for o in ops], n=2, replace=True)
    report = safeaug.validate(A.Compose([nodes]), "ocr")
    assert "SA102" in report.codes() and not report.ok


@pytest.mark.parametrize("policy_id", POLICIES)
def test_built_for_a_policy_is_admitted_by_it_live_and_saved(policy_id: str) -> None:
    for transform in (auto.RandAugment(policy_id, n=3, m=30), auto.TrivialAugment(policy_id)):
        pipe = A.Compose([transform])
        assert safeaug.validate(pipe, policy_id).findings == ()
        assert safeaug.validate(A.to_dict(pipe), policy_id).findings == ()


def test_built_for_a_looser_policy_is_refused_with_the_ops_named() -> None:
    loose = A.Compose([auto.RandAugment("natural", n=2, m=9)])
    live = safeaug.validate(loose, "ocr")
    assert not live.ok
    mirror = [f for f in live.findings if f.code == "SA101"]
    assert [f.transform for f in mirror] == ["HorizontalFlip"]
    assert mirror[0].location.startswith("transforms[0].transforms[")
    saved = safeaug.validate(A.to_dict(loose), "ocr")
    assert not saved.ok
    codes = {f.code: f for f in saved.findings}
    assert "HorizontalFlip (`HorizontalFlip`" in codes["SA101"].message
    assert "TranslateX (`Affine`" in codes["SA104"].message
    assert set(live.codes()) == set(saved.codes())
    trivial = safeaug.validate(A.to_dict(A.Compose([auto.TrivialAugment("natural")])), "ocr")
    assert "Rotate (`Affine`" in next(f for f in trivial.findings if f.code == "SA102").message


def test_two_of_them_in_a_row_add_up() -> None:
    pipe = A.Compose([auto.RandAugment("ocr", m=30), auto.TrivialAugment("ocr")])
    assert "SA102" in safeaug.validate(pipe, "ocr").codes()
    assert "SA102" in safeaug.validate(A.to_dict(pipe), "ocr").codes()


# ------------------------------------------------------------------------------------------ albumentations


def targets() -> dict[str, Any]:
    return {
        "image": IMAGE,
        "image2": IMAGE[::-1].copy(),
        "mask": (IMAGE[..., 0] > 128).astype(np.uint8),
        "keypoints": np.array([[10.0, 12.0], [30.0, 20.0]]),
        "bboxes": np.array([[5.0, 5.0, 20.0, 25.0]]),
        "labels": [1],
    }


def compose(transform: Any, seed: int = 7) -> A.Compose:
    return A.Compose(
        [transform],
        seed=seed,
        keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], clip=True),
        additional_targets={"image2": "image"},
    )


def run(pipe: A.Compose, times: int = 6) -> list[dict[str, Any]]:
    return [pipe(**targets()) for _ in range(times)]


def same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    return all(
        np.array_equal(x["image"], y["image"])
        and np.array_equal(x["mask"], y["mask"])
        and np.allclose(np.asarray(x["keypoints"]), np.asarray(y["keypoints"]))
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("make", [lambda: auto.RandAugment("ocr", m=30), lambda: auto.TrivialAugment("ocr")])
def test_targets_follow_and_the_seed_decides(make: Any) -> None:
    first = run(compose(make(), seed=3))
    again = run(compose(make(), seed=3))
    other = run(compose(make(), seed=4))
    assert same(first, again) and not same(first, other)
    for out in first:
        assert out["image"].shape == IMAGE.shape and out["image2"].shape == IMAGE.shape
        assert out["mask"].shape == IMAGE.shape[:2]
        assert np.asarray(out["keypoints"]).shape == (2, 2)


def test_masks_move_with_the_image() -> None:
    image = np.zeros((48, 48, 3), np.uint8)
    image[10:20, 12:30] = 255
    mask = (image[..., 0] > 0).astype(np.uint8)
    pipe = A.Compose([auto.RandAugment("ocr", ops=["Rotate", "TranslateX", "Zoom"], m=30)], seed=1)
    for _ in range(6):
        out = pipe(image=image, mask=mask)
        bright = out["image"][..., 0] > 127
        agree = (bright == out["mask"].astype(bool)).mean()
        assert agree > 0.97


@pytest.mark.parametrize("make", [lambda: auto.RandAugment("ocr", m=30), lambda: auto.TrivialAugment("ocr")])
def test_pickle_to_dict_and_save_round_trips(make: Any, tmp_path: Path) -> None:
    pipe = compose(make(), seed=5)
    expected = run(pipe)
    for loaded in (
        pickle.loads(pickle.dumps(compose(make(), seed=5))),
        A.from_dict(A.to_dict(compose(make(), seed=5))),
    ):
        loaded.set_random_seed(5)
        assert same(run(loaded), expected)
    for suffix, fmt in ((".json", "json"), (".yaml", "yaml")):
        path = tmp_path / f"pipe{suffix}"
        A.save(compose(make(), seed=5), str(path), data_format=fmt)
        back = A.load(str(path), data_format=fmt)
        back.set_random_seed(5)
        assert same(run(back), expected)
        assert type(back.transforms[0]) is type(pipe.transforms[0])
    saved = A.to_dict(pipe)["transform"]["transforms"][0]
    assert saved["__class_fullname__"] in ("safeaug.auto.RandAugment", "safeaug.auto.TrivialAugment")
    assert saved["policy"] == "ocr" and "transforms" not in saved


def test_a_policy_object_is_saved_whole(tmp_path: Path) -> None:
    policy = safeaug.load_policy("ocr").model_copy(update={"id": "my_ocr"})
    pipe = A.Compose([auto.RandAugment(policy, m=30)])
    stored = A.to_dict(pipe)["transform"]["transforms"][0]["policy"]
    assert stored["id"] == "my_ocr" and "definition" in stored
    back = A.from_dict(A.to_dict(pipe))
    assert back.transforms[0].policy.id == "my_ocr"
    assert safeaug.validate(A.to_dict(pipe), "ocr").ok


def test_weights_decide_the_draws() -> None:
    ra = auto.RandAugment("ocr", ops=["Identity", "Invert"], weights=[0.0, 1.0], n=1, m=30)
    pipe = A.Compose([ra], seed=0)
    for _ in range(5):
        assert np.array_equal(pipe(image=IMAGE)["image"], 255 - IMAGE)
    with pytest.raises(ConfigError, match="weights"):
        auto.RandAugment("ocr", ops=["Identity", "Invert"], weights=[1.0])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ConfigError, match=r"RandAugment\.m: expected a number from 0 to 30"):
        auto.RandAugment("ocr", m=31)
    with pytest.raises(ConfigError, match=r"RandAugment\.n"):
        auto.RandAugment("ocr", n=0)
    bad = {"__class_fullname__": "safeaug.auto.RandAugment", "policy": "ocr", "n": "two", "p": 1.0}
    with pytest.raises(ConfigError, match=r"RandAugment.n: expected a whole number"):
        safeaug.validate({"__class_fullname__": "Compose", "transforms": [bad]}, "ocr")
    missing = {"__class_fullname__": "safeaug.auto.TrivialAugment", "p": 1.0}
    with pytest.raises(ConfigError, match="`policy` is required"):
        safeaug.validate({"__class_fullname__": "Compose", "transforms": [missing]}, "ocr")


def test_the_live_tree_holds_the_ops() -> None:
    node = read_object(auto.RandAugment("ocr", n=2))
    assert node.name == "safeaug.auto.RandAugment" and node.mode == "some_of"
    assert node.params == {"n": 2, "replace": True}
    assert [c.name for c in node.children][:2] == ["NoOp", "Affine"]


# ------------------------------------------------------------------------------------------ timm strings


def test_timm_strings_map_onto_the_policys_bounds() -> None:
    ra = auto.from_string("rand-m9-n2-mstd0.5", "ocr")
    assert ra.n == 2 and ra.magnitude == pytest.approx(0.9)
    rotate = next(o for o in ra.space if o.op == "Rotate")
    assert rotate.value(ra.magnitude) == pytest.approx(0.9 * 15.0 / 2)
    assert auto.from_string("rand-m20-mmax10", "ocr").magnitude == 1.0
    assert auto.from_string("rand-m9-mstd0.5-inc1", "ocr").n == 2
    assert parse("rand-m9-n3") == {"m": 9.0, "n": 3.0}
    for bad, match in (
        ("augmix-m5-w3", "starting with 'rand'"),
        ("rand-m9-p0.5", "cannot read 'p0.5'"),
        ("rand-n0", "n must be"),
        ("rand-tweights", "cannot read"),
    ):
        with pytest.raises(ConfigError, match=match):
            auto.from_string(bad, "ocr")


# ------------------------------------------------------------------------------------------ imports


def test_importing_safeaug_loads_neither_optuna_nor_auto() -> None:
    code = "import sys, safeaug; print('optuna' in sys.modules, 'safeaug.auto.transforms' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
    code = "import sys; from safeaug import auto; auto.ops('ocr'); print('albumentations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False"]


def test_public_names() -> None:
    assert {"ops", "RandAugment", "TrivialAugment", "from_string", "search"} <= set(dir(auto))
    with pytest.raises(AttributeError):
        _ = auto.NoSuchThing  # type: ignore[attr-defined]
    json.dumps(A.to_dict(A.Compose([auto.RandAugment("ocr", ops=["Identity", "Rotate"], weights=[1, 2])])))


def test_ops_are_spelled_for_albumentationsx_and_ops_it_cannot_build_are_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from safeaug import _installed
    from safeaug.auto import space

    monkeypatch.setattr(_installed, "installed_line", lambda: _installed.Installed("X", "AlbumentationsX 2.5.1", True))
    space._space.cache_clear()
    try:
        assert space._spelled("Rotate", {"limit": 10, "p": 0.5}) == {"angle_range": [10, 10], "p": 0.5}
        assert space._spelled("Posterize", {"num_bits": [4, 8]}) == {"num_bits": [4, 7]}
        ops = {op.op for op in space.ops("natural")}
        assert "Elastic" not in ops and "Rotate" in ops  # ElasticTransform's alpha and sigma are gone there
    finally:
        monkeypatch.undo()
        space._space.cache_clear()
    assert "Elastic" in {op.op for op in space.ops("natural")}
    assert space._spelled("Rotate", {"limit": 10}) == {"limit": 10}
