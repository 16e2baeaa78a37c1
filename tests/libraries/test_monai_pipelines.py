"""The same pipeline written with MONAI gets the verdict it gets written with albumentations: as live objects
(validate, check), as a Hydra config, as a MONAI bundle and as Python source (lint). Reading MONAI configs
loads neither MONAI nor torch."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import safeaug
from safeaug.readers import read_config

M = "monai.transforms"
POLICIES = ("chest_xray", "ct", "ocr")
EXAMPLES = Path(__file__).parents[2] / "examples" / "monai"

# A flip, a 30 degree turn with a reflected border and a hue shift; and a pipeline every policy admits.
BREAKING_CONFIG = [
    {"_target_": f"{M}.RandFlipd", "keys": ["image"], "prob": 0.5, "spatial_axis": 1},
    {
        "_target_": f"{M}.RandRotated",
        "keys": ["image"],
        "range_x": math.pi / 6,
        "prob": 0.5,
        "padding_mode": "reflection",
    },
    {"_target_": f"{M}.TorchVisiond", "keys": ["image"], "name": "ColorJitter", "hue": 0.05},
]
SAFE_CONFIG = [
    {"_target_": f"{M}.ScaleIntensityd", "keys": ["image"]},
    {"_target_": f"{M}.RandRotated", "keys": ["image"], "range_x": 0.08, "prob": 0.5, "padding_mode": "zeros"},
    {"_target_": f"{M}.RandShiftIntensityd", "keys": ["image"], "offsets": 0.04, "prob": 0.5},
]


def albumentations_codes(safe: bool) -> dict[str, list[str]]:
    import albumentations as A
    import cv2

    if safe:
        pipe = A.Compose(
            [
                A.Rotate(limit=4.5, border_mode=cv2.BORDER_CONSTANT, p=0.5),
                A.RandomBrightnessContrast(brightness_limit=0.04, contrast_limit=0.0, p=0.5),
            ]
        )
    else:
        pipe = A.Compose(
            [
                A.HorizontalFlip(p=0.5),
                A.Rotate(limit=30, border_mode=cv2.BORDER_REFLECT_101, p=0.5),
                A.HueSaturationValue(hue_shift_limit=18, sat_shift_limit=0, val_shift_limit=0, p=0.5),
            ]
        )
    return {policy: codes(safeaug.validate(pipe, policy)) for policy in POLICIES}


def codes(report: safeaug.Report) -> list[str]:
    return sorted(f.code for f in report.findings)


def compose(transforms: list[dict[str, object]]) -> dict[str, object]:
    return {"train_transforms": {"_target_": f"{M}.Compose", "transforms": transforms}}


@pytest.mark.parametrize("safe", [False, True])
def test_a_hydra_config_gets_the_albumentations_codes(tmp_path: Path, safe: bool) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps(compose(SAFE_CONFIG if safe else BREAKING_CONFIG)))
    expected = albumentations_codes(safe)
    for policy in POLICIES:
        assert codes(safeaug.validate(path, policy)) == expected[policy], policy
    if not safe:
        assert expected["chest_xray"] == ["SA101", "SA102", "SA109", "SA206"]


def test_the_breaking_pipeline_as_a_bundle_and_as_python_source(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.yaml"
    bundle.write_text(
        textwrap.dedent(
            """\
            keys: [image]
            turn: 0.5236
            preprocessing:
              _target_: Compose
              transforms:
                - {_target_: RandFlipd, keys: "@keys", prob: 0.5, spatial_axis: 1}
                - {_target_: RandRotated, keys: "@keys", range_x: "@turn", prob: 0.5, padding_mode: reflection}
                - {_target_: TorchVisiond, keys: "@keys", name: ColorJitter, hue: 0.05}
            dataset: {_target_: Dataset, data: "$[]", transform: "@preprocessing"}
            """
        )
    )
    source = tmp_path / "train.py"
    source.write_text(
        textwrap.dedent(
            """\
            import math
            from monai.transforms import Compose, RandFlipd, RandRotated, TorchVisiond

            train = Compose([
                RandFlipd(keys=["image"], prob=0.5, spatial_axis=1),
                RandRotated(keys=["image"], range_x=0.5236, prob=0.5, padding_mode="reflection"),
                TorchVisiond(keys=["image"], name="ColorJitter", hue=0.05),
            ])
            """
        )
    )
    expected = albumentations_codes(False)
    for path in (bundle, source):
        [root] = read_config(path)
        assert [c.name for c in root.children] == [f"{M}.RandFlipd", f"{M}.RandRotated", f"{M}.TorchVisiond"]
        for policy in POLICIES:
            assert codes(safeaug.validate(path, policy)) == expected[policy], (path.name, policy)


def test_live_objects_get_the_albumentations_codes() -> None:
    mt = pytest.importorskip("monai.transforms")
    breaking = mt.Compose(
        [
            mt.RandFlipd(keys=["image"], prob=0.5, spatial_axis=1),
            mt.RandRotated(keys=["image"], range_x=math.pi / 6, prob=0.5, padding_mode="reflection"),
            mt.TorchVisiond(keys=["image"], name="ColorJitter", hue=0.05),
        ]
    )
    safe = mt.Compose(
        [
            mt.ScaleIntensityd(keys=["image"]),
            mt.RandRotated(keys=["image"], range_x=0.08, prob=0.5, padding_mode="zeros"),
            mt.RandShiftIntensityd(keys=["image"], offsets=0.04, prob=0.5),
        ]
    )
    bad, good = albumentations_codes(False), albumentations_codes(True)
    for policy in POLICIES:
        assert codes(safeaug.validate(breaking, policy)) == bad[policy], policy
        assert codes(safeaug.validate(safe, policy)) == good[policy] == [], policy
        safeaug.check(safe, policy)
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.check(breaking, "chest_xray")


def test_a_wrapped_torchvision_class_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps(compose([{"_target_": f"{M}.TorchVisiond", "keys": ["image"], "name": "NoSuchThing"}])))
    with pytest.raises(safeaug.ConfigError, match=r"train.json:1: .*torchvision.transforms has no class 'NoSuchThing'"):
        safeaug.validate(path, "natural")


def test_monai_compositions_are_read_with_their_semantics(tmp_path: Path) -> None:
    turn = {"_target_": f"{M}.RandRotated", "keys": "image", "range_x": math.radians(10), "prob": 1.0}
    flip = {"_target_": f"{M}.RandFlipd", "keys": "image", "spatial_axis": 1}
    cases = {
        # RandomOrder runs every child: two 10 degree turns reach 20 (over chest_xray's 15)
        "order": ({"_target_": f"{M}.RandomOrder", "transforms": [turn, turn]}, ["SA102"]),
        # SomeOf without num_transforms runs them all
        "some_all": ({"_target_": f"{M}.SomeOf", "transforms": [turn, turn]}, ["SA102"]),
        "some_one": ({"_target_": f"{M}.SomeOf", "transforms": [turn, turn], "num_transforms": 1}, []),
        "some_range": ({"_target_": f"{M}.SomeOf", "transforms": [turn, turn], "num_transforms": [0, 2]}, ["SA102"]),
        # a branch with weight 0 is never drawn
        "one_of": ({"_target_": f"{M}.OneOf", "transforms": [turn, flip], "weights": [1, 0]}, []),
        "one_of_flip": ({"_target_": f"{M}.OneOf", "transforms": [turn, flip], "weights": [1, 1]}, ["SA101"]),
        "prob_zero": ({"_target_": f"{M}.Compose", "transforms": [{**flip, "prob": 0.0}]}, []),
    }
    for label, (doc, expected) in cases.items():
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps({"aug": doc}))
        assert codes(safeaug.validate(path, "chest_xray")) == expected, label


def test_the_default_flip_and_reflection_are_caught(tmp_path: Path) -> None:
    """RandFlipd's default flips every axis (a point reflection of a volume); RandAffined's default pads by
    reflection."""
    path = tmp_path / "train.json"
    path.write_text(
        json.dumps(
            compose(
                [
                    {"_target_": f"{M}.RandFlipd", "keys": "image"},
                    {"_target_": f"{M}.RandAffined", "keys": "image", "rotate_range": 0.1, "prob": 0.3},
                ]
            )
        )
    )
    found = {(f.code, f.transform) for f in safeaug.validate(path, "chest_xray").findings}
    assert ("SA101", f"{M}.RandFlipd") in found
    assert ("SA102", f"{M}.RandFlipd") in found
    assert any(code == "SA109" and name == f"{M}.RandAffined" for code, name in found)


def test_keyword_arguments_passed_on_are_taken(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    pad = {"_target_": f"{M}.SpatialPadd", "keys": "image", "spatial_size": [256, 256], "constant_values": 0}
    path.write_text(json.dumps(compose([pad])))
    assert codes(safeaug.validate(path, "chest_xray")) == []
    path.write_text(json.dumps(compose([{**pad, "mode": "reflect"}])))
    assert codes(safeaug.validate(path, "chest_xray")) == ["SA109"]


def test_the_examples_are_refused_and_fixed() -> None:
    refused = safeaug.validate(EXAMPLES / "chest_xray_bundle.json", "chest_xray")
    assert [(f.code, f.transform, f.line) for f in refused.findings] == [("SA101", f"{M}.RandFlipd", 14)]
    assert safeaug.validate(EXAMPLES / "chest_xray_bundle_fixed.yaml", "chest_xray").ok
    source = safeaug.validate(EXAMPLES / "chest_xray.py", "chest_xray")
    assert [(f.code, f.transform) for f in source.findings] == [("SA101", f"{M}.RandFlipd")]


@pytest.mark.slow
def test_the_example_runs() -> None:
    pytest.importorskip("monai")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "chest_xray.py")], capture_output=True, text=True, check=True, timeout=600
    )
    assert "with RandFlipd: refused" in done.stdout and "without it: accepted" in done.stdout


def test_linting_monai_configs_loads_neither_monai_nor_torch() -> None:
    code = textwrap.dedent(
        f"""\
        import sys
        from safeaug.cli import main
        status = main(["lint", {str(EXAMPLES)!r}, "--policy", "chest_xray", "--format", "json"])
        bad = [m for m in ("torch", "monai") if m in sys.modules]
        assert not bad, bad
        sys.exit(status)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # the refused example is found
    report = json.loads(done.stdout)
    assert {f["code"] for f in report["findings"]} == {"SA101"}
