"""Configs and Python source that build torchvision pipelines, read without torchvision (or torch) installed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import safeaug
from safeaug.readers import read_config

V2 = "torchvision.transforms.v2"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _codes(report: safeaug.Report) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.transform) for f in report.findings)


def test_hydra_targets_are_read_by_canonical_name_with_positional_arguments(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "train.yaml",
        """\
        model:
          _target_: torchvision.models.resnet18
        train_transform:
          _target_: torchvision.transforms.v2.Compose
          transforms:
            - _target_: torchvision.transforms.v2.RandomHorizontalFlip
              p: 0.5
            - _target_: torchvision.transforms.v2._geometry.RandomRotation
              _args_: [30]
        """,
    )
    [root] = read_config(path)  # the model is not a pipeline
    assert root.name == f"{V2}.Compose" and root.mode == "sequence"
    flip, turn = root.children
    assert (flip.name, flip.p, flip.line) == (f"{V2}.RandomHorizontalFlip", 0.5, 6)
    assert (turn.name, dict(turn.params), turn.p) == (f"{V2}.RandomRotation", {"degrees": 30}, 1.0)
    report = safeaug.validate(path, "chest_xray")
    assert _codes(report) == [("SA101", f"{V2}.RandomHorizontalFlip"), ("SA102", f"{V2}.RandomRotation")]
    assert [f.line for f in sorted(report.findings, key=lambda f: f.code)] == [6, 8]


def test_jsonargparse_class_path_and_v1_classes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cli.yaml",
        """\
        data:
          init_args:
            train_transforms:
              class_path: torchvision.transforms.Compose
              init_args:
                transforms:
                  - class_path: torchvision.transforms.RandomRotation
                    init_args: {degrees: [-5, 5]}
                  - class_path: torchvision.transforms.RandomVerticalFlip
                    init_args: {p: 0.0}
        """,
    )
    report = safeaug.validate(path, "chest_xray")
    assert report.ok, report.findings  # a 5 degree turn, and a flip that never runs
    [root] = read_config(path)
    assert [c.name for c in root.children] == [
        "torchvision.transforms.RandomRotation",
        "torchvision.transforms.RandomVerticalFlip",
    ]


def test_random_apply_choice_and_order_semantics(tmp_path: Path) -> None:
    def pipeline(child: dict[str, Any]) -> Path:
        doc = {"transform": {"_target_": f"{V2}.Compose", "transforms": [child]}}
        return _write(tmp_path, "p.json", json.dumps(doc))

    flip = {"_target_": f"{V2}.RandomHorizontalFlip", "p": 1.0}
    turn = {"_target_": f"{V2}.RandomRotation", "degrees": 5}
    # RandomApply with p=0 never runs its children; with p > 0 it may.
    assert safeaug.validate(pipeline({"_target_": f"{V2}.RandomApply", "transforms": [flip], "p": 0.0}), "ct").ok
    assert not safeaug.validate(pipeline({"_target_": f"{V2}.RandomApply", "transforms": [flip], "p": 0.1}), "ct").ok
    # RandomApply's default p (0.5) counts.
    assert not safeaug.validate(pipeline({"_target_": f"{V2}.RandomApply", "transforms": [flip]}), "ct").ok
    # RandomChoice never draws a child of weight 0; weights left out draw every child.
    choice = {"_target_": f"{V2}.RandomChoice", "transforms": [flip, turn], "p": [0, 1]}
    assert safeaug.validate(pipeline(choice), "ct").ok
    choice = {"_target_": f"{V2}.RandomChoice", "transforms": [flip, turn]}
    assert _codes(safeaug.validate(pipeline(choice), "ct")) == [("SA101", f"{V2}.RandomHorizontalFlip")]
    # RandomOrder runs every child: two 10 degree turns reach 20.
    order = {"_target_": f"{V2}.RandomOrder", "transforms": [{**turn, "degrees": 10}, {**turn, "degrees": 10}]}
    report = safeaug.validate(pipeline(order), "chest_xray")  # allows 15
    assert [f.code for f in report.findings] == ["SA102"] and "20" in report.findings[0].message


def test_arguments_the_class_does_not_take_and_classes_it_does_not_export(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """\
        transform:
          _target_: torchvision.transforms.v2.Compose
          transforms:
            - _target_: torchvision.transforms.v2.RandomRotation
              limit: 3
            - _target_: torchvision.transforms.v2.NoSuchFlip
            - _target_: torchvision.transforms.v2.RandomRotation
              _args_: [3, nearest, false, null, 0, extra]
        """,
    )
    report = safeaug.validate(path, "natural")
    by_code = {(f.code, f.line) for f in report.findings}
    assert ("SA501", 4) in by_code  # `limit` is albumentations' name, not torchvision's
    assert ("SA401", 6) in by_code  # fails closed
    assert ("SA501", 7) in by_code  # six positional arguments for five
    message = next(f.message for f in report.findings if f.line == 4)
    assert "no argument `limit`" in message and "degrees" in message


def test_python_source_import_forms(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "train.py",
        """\
        import torchvision
        import torchvision.transforms.v2 as T
        from torchvision import models
        from torchvision.transforms import v2
        from torchvision.transforms import RandomRotation as RR

        net = models.resnet18()
        DEG = 25
        a = T.Compose([T.RandomHorizontalFlip(p=0.3), T.RandomApply([RR(DEG)], p=0.5)])
        b = v2.RandomChoice([v2.RandomVerticalFlip(), v2.RandomRotation(3)], p=[0, 1])
        c = torchvision.transforms.v2.RandomRotation(degrees=40)
        """,
    )
    roots = read_config(path)
    assert [r.location for r in roots] == ["a", "b", "c"]
    report = safeaug.validate(path, "chest_xray")
    found = sorted((f.code, f.line, f.transform) for f in report.findings)
    assert found == [
        ("SA101", 9, f"{V2}.RandomHorizontalFlip"),
        ("SA102", 9, "torchvision.transforms.RandomRotation"),
        ("SA102", 11, f"{V2}.RandomRotation"),
    ]


def test_python_source_star_import_and_unreadable_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "aug.py",
        """\
        from torchvision.transforms.v2 import *

        def build(deg):
            return Compose([RandomRotation(deg), RandomHorizontalFlip(p=0.0)])
        """,
    )
    report = safeaug.validate(path, "chest_xray")
    # the turn's degrees come from the caller: unreadable, and the turn is what they decide
    assert [(f.code, f.line) for f in report.findings] == [("SA501", 4)]
    assert "deg" in report.findings[0].message


def test_linting_a_torchvision_config_loads_no_torch(tmp_path: Path) -> None:
    yaml_path = _write(
        tmp_path,
        "t.yaml",
        """\
        transform:
          _target_: torchvision.transforms.v2.Compose
          transforms: [{_target_: torchvision.transforms.v2.RandomRotation, degrees: 5}]
        """,
    )
    py_path = _write(tmp_path, "t.py", "import torchvision.transforms as T\nt = T.Compose([T.RandomRotation(5)])\n")
    code = textwrap.dedent(
        f"""\
        import sys
        import safeaug
        from safeaug.cli import main
        assert main(["lint", {str(yaml_path)!r}, {str(py_path)!r}, "--policy", "chest_xray"]) == 0
        safeaug.validate({str(yaml_path)!r}, "ct")
        heavy = ("torch", "torchvision", "monai", "kornia", "torchio")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        assert not loaded, loaded
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.mark.parametrize("spelling", ["type", "_target_"])
def test_type_key_spells_a_library_class(tmp_path: Path, spelling: str) -> None:
    doc = {"train_pipeline": [{spelling: f"{V2}.RandomRotation", "degrees": 90}]}
    path = _write(tmp_path, "c.json", json.dumps(doc))
    assert [f.code for f in safeaug.validate(path, "chest_xray").findings] == ["SA102"]


def test_library_functions_called_in_a_script_are_not_pipelines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "loop.py",
        """\
        import torchvision.transforms.functional as F
        import torchvision.transforms.v2 as T

        def load(img):
            return F.to_tensor(F.hflip(img))

        aug = T.Compose([T.RandomRotation(5), T.functional.hflip])
        """,
    )
    roots = read_config(path)
    assert [r.location for r in roots] == ["aug"]
    report = safeaug.validate(path, "chest_xray")
    # the function inside the pipeline cannot be read: refused, never passed
    assert [(f.code, f.line) for f in report.findings] == [("SA501", 7)]


def test_positional_children_and_drawn_counts_of_a_library_description(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wiring other libraries use: children given by position (``K.AugmentationSequential(*args)``) and a
    ``SomeOf`` whose count is a number, a range or None (all of them)."""
    from safeaug.catalog._signatures import REQUIRED
    from safeaug.libraries import _LOADED, Composition, Library

    fake = Library(
        name="kornia",
        version="0",
        public={"kornia.augmentation": "kornia.augmentation"},
        signatures={
            "kornia.augmentation.AugmentationSequential": (("data_keys", None),),
            "kornia.augmentation.SomeOf": (("transforms", REQUIRED), ("num", None)),
        },
        compositions={
            "kornia.augmentation.AugmentationSequential": Composition("sequence", children="*"),
            "kornia.augmentation.SomeOf": Composition("some_of", n="num"),
        },
        catalog="safeaug.catalog.no_such_catalog",
    )
    monkeypatch.setitem(_LOADED, "kornia", fake)
    path = _write(
        tmp_path,
        "k.py",
        """\
        import kornia.augmentation as K
        import torchvision.transforms.v2 as T

        aug = K.AugmentationSequential(T.RandomRotation(20), K.SomeOf([T.RandomRotation(20)], num=(0, 3)),
                                       data_keys=["input"])
        """,
    )
    [root] = read_config(path)
    assert root.name == "kornia.augmentation.AugmentationSequential" and len(root.children) == 2
    first, some = root.children
    assert (first.name, first.line) == (f"{V2}.RandomRotation", 4)
    assert some.mode == "some_of" and some.params["n"] == 3
    turn = {"_target_": f"{V2}.RandomRotation", "degrees": 10}
    doc = {"transform": {"_target_": "kornia.augmentation.SomeOf", "transforms": [turn, turn]}}
    json_path = _write(tmp_path, "k.json", json.dumps(doc))
    [root] = read_config(json_path)
    assert root.params["n"] == 2  # num=None: all of them
    findings = safeaug.validate(json_path, "chest_xray").findings
    assert {f.code for f in findings} == {"SA102"}
    assert any("20" in f.message for f in findings)  # both 10 degree turns may run


@pytest.mark.parametrize(
    ("target", "arguments", "advice"),
    [
        (f"{V2}.Pad", "padding: 8, padding_mode: reflect", 'padding_mode="constant"'),
        ("monai.transforms.RandRotate", "range_x: 0.1, prob: 0.5, padding_mode: reflection", 'padding_mode="zeros"'),
        ("kornia.augmentation.RandomAffine", "degrees: 5, padding_mode: reflection", 'padding_mode="zeros"'),
        ("torchio.Pad", "padding: 4, padding_mode: reflect", "constant `padding_mode`"),
    ],
)
def test_a_mirrored_border_is_fixed_in_the_words_of_the_transforms_library(
    tmp_path: Path, target: str, arguments: str, advice: str
) -> None:
    path = _write(tmp_path, "train.yaml", f"transform: {{_target_: {target}, {arguments}}}\n")
    (f,) = [f for f in safeaug.validate(path, "chest_xray").findings if f.code == "SA109"]
    assert advice in f.fix
    assert "border_mode" not in f.fix  # the policy's own fix speaks albumentations


def test_torchio_one_of_a_transform_weight_dict_in_python_is_read_with_weight_zero_left_out(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "train.py",
        """\
        import torchio as tio

        spatial = tio.OneOf(
            {
                tio.RandomAffine(degrees=(0, 0, 30)): 0.8,
                tio.RandomFlip(axes=("LR",)): 0.0,
                tio.RandomElasticDeformation(): 0.2,
            },
            p=0.75,
        )
        """,
    )
    [root] = read_config(path)
    assert root.name == "torchio.OneOf" and root.p == 0.75
    assert [c.name for c in root.children] == ["torchio.RandomAffine", "torchio.RandomElasticDeformation"]
    assert [c.line for c in root.children] == [5, 7]
    report = safeaug.validate(path, "ct")
    assert "SA101" not in report.codes()  # the flip has weight 0: never drawn
    assert ("SA102", "torchio.RandomAffine") in _codes(report)
    flipped = path.read_text().replace("): 0.0,", "): 0.1,")
    path.write_text(flipped)
    assert ("SA101", "torchio.RandomFlip") in _codes(safeaug.validate(path, "ct"))


def test_torchio_compose_of_named_transforms_runs_them_in_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "train.yaml",
        """\
        transform:
          _target_: torchio.Compose
          transforms:
            blur: {_target_: torchio.RandomBlur, std: [0, 1]}
            flip: {_target_: torchio.RandomFlip, axes: [LR]}
        """,
    )
    [root] = read_config(path)
    assert [c.name for c in root.children] == ["torchio.RandomBlur", "torchio.RandomFlip"]
    assert [f.line for f in safeaug.validate(path, "ct").findings if f.code == "SA101"] == [5]
