"""Patterns from configs people really write: 1.x calls, removed classes, wrapper dialects, values set
elsewhere in the file, and user mistakes. Each config here is written for the test, after the shape
such projects use (Kaggle solutions, mmdet/mmseg configs, Lightning/Hydra templates)."""

from __future__ import annotations

from pathlib import Path

import pytest

import safeaug
from safeaug.lint import lint
from safeaug.readers import read_config, vocabulary
from safeaug.readers.vocabulary import Installed

ON_2_0 = Installed("2.0", "albumentations 2.0.8", True)


@pytest.fixture(autouse=True)
def _albumentations_2_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocabulary, "installed_line", lambda: ON_2_0)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _codes(report: safeaug.Report) -> list[tuple[str, int | None]]:
    return sorted((f.code, f.line) for f in report.findings)


def _messages(report: safeaug.Report, code: str) -> list[str]:
    return [f.message for f in report.findings if f.code == code]


# ------------------------------------------------------------------------------------------ 1.x calls

OLD_CALLS = """\
import albumentations as A

train_tfms = A.Compose([
    A.RandomResizedCrop(512, 512),
    A.RandomSizedCrop(min_max_height=(400, 512), height=512, width=512, p=0.5),
    A.RandomResizedCrop(height=256, width=256, scale=(0.9, 1.0)),
    A.GaussNoise((10, 50)),
    A.ImageCompression(20, 100),
])
"""


def test_1x_positional_and_keyword_calls_keep_their_1x_meaning(tmp_path: Path) -> None:
    report = safeaug.validate(_write(tmp_path, "train.py", OLD_CALLS), "chest_xray")
    codes = _codes(report)
    # RandomResizedCrop(512, 512): 1.x height/width, so its default scale (0.08, 1) crops and zooms far beyond
    # chest_xray's bounds; read as size=512, scale=512 it looked harmless.
    assert ("SA108", 4) in codes and ("SA103", 4) in codes
    assert ("SA108", 6) not in codes  # scale (0.9, 1) as written, read with 1.x height and width
    assert "(var_limit)" in _message_at(report, 7)  # judged as 1.x variance (10, 50), not as std_range
    assert ("SA304", 8) in codes  # quality_lower 20
    refused = {line: msg for code, line in codes if code == "SA502" for msg in [_message_at(report, line)]}
    assert set(refused) == {4, 5, 6, 7, 8}
    assert "1.x positional arguments (height, width)" in refused[4] and "refuses to build" in refused[4]
    assert "needs `size`" in refused[5] and "refuses to build" in refused[5]
    fixes = {f.line: f.fix for f in report.findings if f.code == "SA502"}
    assert fixes[4] == "Write `RandomResizedCrop(size=(512, 512))` with keywords."
    assert "size=(512, 512)" in fixes[5] and "min_max_height=(400, 512)" in fixes[5]
    assert all(f.severity == "error" for f in report.findings if f.code == "SA502")


def _message_at(report: safeaug.Report, line: int | None) -> str:
    return next(f.message for f in report.findings if f.code == "SA502" and f.line == line)


def test_2_0_positional_calls_are_not_mistaken_for_1x(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\n"
        "t = A.Compose([A.RandomResizedCrop((256, 256), (0.9, 1.0)), A.GaussNoise((0.01, 0.02))])\n"
    )
    report = safeaug.validate(_write(tmp_path, "t.py", text), "chest_xray")
    assert "SA502" not in report.codes() and report.ok


def test_hydra_args_in_1x_order(tmp_path: Path) -> None:
    text = (
        "train:\n  _target_: albumentations.Compose\n  transforms:\n"
        "    - _target_: albumentations.RandomResizedCrop\n      _args_: [384, 384]\n"
    )
    report = safeaug.validate(_write(tmp_path, "t.yaml", text), "chest_xray")
    assert {c for c, _ in _codes(report)} >= {"SA108", "SA502"}


# ------------------------------------------------------------------------------------------ removed classes

REMOVED = """\
transform:
  __class_fullname__: Compose
  transforms:
    - {__class_fullname__: Flip, p: 0.5}
    - {__class_fullname__: JpegCompression, quality_lower: 40, p: 0.3}
    - {__class_fullname__: RandomContrast, limit: 0.1}
"""


def test_removed_classes_keep_their_meaning_are_named_as_written_and_said_not_to_build(tmp_path: Path) -> None:
    report = safeaug.validate(_write(tmp_path, "saved.yaml", REMOVED), "chest_xray")
    assert ("SA101", 4) in _codes(report) and ("SA304", 5) in _codes(report)
    by_line = {f.line: f for f in report.findings if f.code == "SA502"}
    assert set(by_line) == {4, 5, 6}
    assert by_line[5].message.startswith("`JpegCompression` was removed in albumentations 2.0")
    assert "will not build" in by_line[5].message
    assert (
        by_line[5].fix
        == "Write `ImageCompression(compression_type='jpeg', quality_range=(40, 100))` instead of `JpegCompression`."
    )
    assert "RandomBrightnessContrast(brightness_limit=0, contrast_limit=0.1)" in by_line[6].fix
    # Findings about the effect name the class as the file writes it.
    effect = [f for f in report.findings if f.code in ("SA101", "SA304")]
    assert {f.transform for f in effect} == {"Flip", "JpegCompression"}
    assert all("`ImageCompression`" not in f.message and "`HorizontalFlip`" not in f.message for f in effect)


def test_removed_classes_build_on_1x(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocabulary, "installed_line", lambda: Installed("1.x", "albumentations 1.4.24", True))
    report = safeaug.validate(_write(tmp_path, "saved.yaml", REMOVED), "chest_xray")
    assert "SA502" not in report.codes() and "SA101" in report.codes()


# ------------------------------------------------------------------------------------------ dialects

MMDET_SUBCLASS = """\
albu_transforms = [
    dict(type="HorizontalFlip", p=0.5),
    dict(type="ShiftScaleRotate", shift_limit=0.0625, scale_limit=0.1, rotate_limit=45, p=0.5),
]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="AlbuGray", transforms=albu_transforms, keymap=dict(img="image")),
    dict(type="PackDetInputs"),
]
"""

MMSEG_OWN_WRAPPER = """\
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="ImageAugmentation", transforms=[dict(type="VerticalFlip", p=0.5), dict(type="Blur", blur_limit=3)]),
]
"""


@pytest.mark.parametrize("text", [MMDET_SUBCLASS, MMSEG_OWN_WRAPPER], ids=["AlbuGray", "own wrapper"])
def test_mmdet_wrapper_subclasses_are_read(tmp_path: Path, text: str) -> None:
    [root] = read_config(_write(tmp_path, "config.py", text))
    assert root.name == "Compose" and root.children
    assert "SA101" in safeaug.validate(root, "chest_xray").codes()


MMDET_GROUPS = """\
albu_train_transforms = [
    dict(type="ShiftScaleRotate", shift_limit=0.0625, scale_limit=0.0, rotate_limit=10, p=0.5),
    dict(type="OneOf", transforms=[dict(type="Blur", blur_limit=3, p=1.0), dict(type="VerticalFlip", p=1.0)], p=0.1),
    dict(type="Compose", transforms=[dict(type="HorizontalFlip", p=1.0)], p=0.2),
]
train_pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="mmdet.Albu", transforms=albu_train_transforms),
]
"""


def test_an_albumentations_group_in_an_mmdet_list_is_read_once_where_albu_runs_it(tmp_path: Path) -> None:
    # `type="OneOf"` with a `transforms` list is a group inside the Albu wrapper, not a pipeline of its own.
    [root] = read_config(_write(tmp_path, "config.py", MMDET_GROUPS))
    assert root.location == "train_pipeline[1]"
    assert [c.name for c in root.children] == ["ShiftScaleRotate", "OneOf", "Compose"]
    findings = [(f.code, f.line) for f in safeaug.validate(root, "chest_xray").findings]
    assert sorted(findings) == [("SA101", 3), ("SA101", 4), ("SA102", 3)]


def test_name_params_dicts_in_python(tmp_path: Path) -> None:
    text = (
        "AUGMENTATIONS = [\n"
        '    {"name": "HorizontalFlip", "params": {"p": 0.5}},\n'
        '    {"name": "Rotate", "params": {"limit": 20, "p": 0.7}},\n'
        "]\n"
    )
    report = safeaug.validate(_write(tmp_path, "augs.py", text), "chest_xray")
    assert _codes(report) == [("SA101", 2), ("SA102", 3)]


def test_single_key_list_form(tmp_path: Path) -> None:
    text = "augmentations:\n  train:\n    - VerticalFlip: {p: 0.25}\n    - Rotate:\n        limit: 30\n    - CLAHE:\n"
    report = safeaug.validate(_write(tmp_path, "augs.yaml", text), "chest_xray")
    assert ("SA101", 3) in _codes(report) and ("SA102", 4) in _codes(report)


def test_one_of_with_a_params_list(tmp_path: Path) -> None:
    text = (
        "augmentation:\n"
        "  - name: OneOf\n"
        "    params:\n"
        "      - name: HorizontalFlip\n"
        "        params: {p: 1}\n"
        "      - name: NoOp\n"
        "        params: {p: 1}\n"
        "  - name: Rotate\n"
        "    params: {limit: 10}\n"
    )
    [root] = read_config(_write(tmp_path, "augs.yaml", text))
    assert root.children[0].name == "OneOf" and [c.name for c in root.children[0].children] == [
        "HorizontalFlip",
        "NoOp",
    ]
    assert _codes(safeaug.validate(root, "chest_xray")) == [("SA101", 4)]


@pytest.mark.parametrize("cls", ["MyAugmentation", "project.augs.MyAugmentation"])
def test_a_bare_class_path_for_an_unknown_class_is_sa401(tmp_path: Path, cls: str) -> None:
    text = f"data:\n  init_args:\n    train_transform:\n      class_path: {cls}\n      init_args: {{strength: 3}}\n"
    path = _write(tmp_path, "cli.yaml", text)
    result = lint([str(path)], policy="chest_xray")
    assert not result.problems
    assert [(f.code, f.line) for f in result.findings] == [("SA401", 4)]


def test_functools_partial_of_compose(tmp_path: Path) -> None:
    text = (
        "import functools\nimport albumentations as A\n\n"
        "Compose = functools.partial(A.Compose, bbox_params=A.BboxParams(format='coco'), p=1.0)\n"
        "train = Compose([A.HorizontalFlip(p=0.5), A.Rotate(limit=10)])\n"
    )
    [root] = read_config(_write(tmp_path, "aug.py", text))
    assert root.name == "Compose" and [c.name for c in root.children] == ["HorizontalFlip", "Rotate"]
    assert root.location == "train"


def test_a_conditional_transform_is_judged_as_either_branch(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\nUSE_FLIP = False\n"
        "train = A.Compose([\n"
        "    A.HorizontalFlip(p=0.5) if USE_FLIP else A.NoOp(),\n"
        "    A.Rotate(limit=10) if USE_FLIP else A.Rotate(limit=40),\n"
        "    A.Blur(blur_limit=3) if USE_FLIP else None,\n"
        "])\n"
    )
    report = safeaug.validate(_write(tmp_path, "aug.py", text), "chest_xray")
    assert _codes(report) == [("SA101", 4), ("SA102", 5)]


# ------------------------------------------------------------------------------------------ values read late

HYDRA = """\
aug:
  max_rotate: 30
  flip_p: 0.5
  size: [224, 224]
train:
  transform:
    _target_: albumentations.Compose
    transforms:
      - _target_: albumentations.Rotate
        limit: ${aug.max_rotate}
      - _target_: albumentations.HorizontalFlip
        p: ${aug.flip_p}
      - _target_: albumentations.Affine
        rotate: ${oc.env:ROTATE}
      - _target_: albumentations.GaussianBlur
        sigma_limit: ${.missing}
        p: ${oc.env:BLUR_P}
      - _target_: albumentations.Rotate
        limit: ${..0.limit}
"""


def test_hydra_interpolations_resolve_inside_the_file(tmp_path: Path) -> None:
    report = safeaug.validate(_write(tmp_path, "train.yaml", HYDRA), "chest_xray")
    codes = _codes(report)
    assert ("SA102", 9) in codes and ("SA101", 11) in codes and ("SA102", 18) in codes
    # From outside the file: one SA501 for that transform, and nothing else about it.
    assert [line for code, line in codes if code == "SA501"] == [13, 15]
    assert [line for _, line in codes].count(13) == 1
    assert "${oc.env:ROTATE}" in _messages(report, "SA501")[0]


def test_an_interpolation_loop_is_unreadable_not_a_hang(tmp_path: Path) -> None:
    text = (
        "a: ${b}\nb: ${a}\nt:\n  _target_: albumentations.Compose\n  transforms:\n"
        "    - _target_: albumentations.Rotate\n      limit: ${a}\n"
    )
    assert [c for c, _ in _codes(safeaug.validate(_write(tmp_path, "t.yaml", text), "chest_xray"))] == ["SA501"]


MUTATED = """\
import albumentations as A

LIMIT = [-10, 10]
LIMIT[1] = 120
SHIFT = {"rotate": 10}
SHIFT["rotate"] = 170
SCALE = 0.1
SCALE += 0.5
ANGLE = 10
rot = A.Rotate(limit=10)
rot.limit = 170
STEPS = [A.Rotate(limit=5)]
STEPS.append(A.VerticalFlip(p=0.5))


def configure():
    global ANGLE
    ANGLE = 90


def build(ANGLE):
    return A.Compose([A.Rotate(limit=ANGLE)])


make = lambda LIMIT: A.Rotate(limit=LIMIT)  # noqa: E731

train = A.Compose([
    A.Rotate(limit=LIMIT),
    A.Affine(rotate=SHIFT["rotate"]),
    A.Affine(scale=(1 - SCALE, 1 + SCALE)),
    A.Rotate(limit=ANGLE),
    rot,
    *STEPS,
])
"""


def test_python_values_changed_after_they_are_read_are_unreadable(tmp_path: Path) -> None:
    report = safeaug.validate(_write(tmp_path, "train.py", MUTATED), "chest_xray")
    unread = [f.line for f in report.findings if f.code == "SA501"]
    # build()'s and the lambda's parameters shadow the constants; every mutated name is unreadable, and `rot`,
    # a pipeline of its own, is changed after it is built (line 11).
    assert unread == [10, 22, 25, 28, 29, 30, 31, 32, 33]
    # Never the stale ±10°; the flip appended at line 13 is a pipeline of its own and is judged there.
    assert [(f.code, f.line) for f in report.findings if f.code != "SA501"] == [("SA101", 13), ("SA102", 13)]


# ------------------------------------------------------------------------------------------ user mistakes


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("import albumentations as A\nt = A.Compose([\n    A.RandomCrop(height=10),\n])\n", 3, "`width` is required"),
        ("import albumentations as A\nt = A.Compose([A.Rotate(limit='wide')])\n", 2, "Rotate.limit"),
        ("import albumentations as A\nt = A.Compose([A.Rotate(limit=" + "9" * 5000 + ")])\n", 2, "5000 digits"),
    ],
)
def test_user_mistakes_are_plain_errors_with_a_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    result = lint([str(_write(tmp_path, "t.py", text))], policy="chest_xray")
    [problem] = result.problems
    assert problem.line == line and words in problem.message and "please report" not in problem.message


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        (
            "t.yaml",
            "t:\n  _target_: albumentations.Compose\n  transforms:\n"
            "    - {_target_: albumentations.Rotate, limit: 2020-01-01}\n",
            4,
            "Rotate.limit",
        ),
        (
            "t.json",
            '{"transform": {"__class_fullname__": "Compose",\n'
            ' "transforms": [{"__class_fullname__": "Rotate", "limit": ' + "1" * 5000 + "}]}}",
            2,
            "5000 digits",
        ),
        ("t.yaml", "limit: " + "7" * 4500 + "\n", 1, "4500 digits"),
        (
            "t.yaml",
            "transform:\n  __class_fullname__: Compose\n  transforms:\n    - {__class_fullname__: Rotate, 1: 2}\n",
            4,
            "an argument's name must be a word, got 1",
        ),
        (
            "t.yaml",
            "transform:\n  __class_fullname__: [[1, 2, 3, 4, 5], [6, 7, 8, 9], 10, 11]\n",
            2,
            "must be a class name, got [[1, 2, 3, ...], [6, 7, 8, ...], 10, ...]",  # cut short, not the whole value
        ),
    ],
)
def test_yaml_and_json_mistakes_are_plain_errors(tmp_path: Path, name: str, text: str, line: int, words: str) -> None:
    result = lint([str(_write(tmp_path, name, text))], policy="chest_xray")
    [problem] = result.problems
    assert problem.line == line and words in problem.message and "please report" not in problem.message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "t.json",
            '{"transform": {"__class_fullname__": "Compose", '
            '"transforms": [{"__class_fullname__": "HorizontalFlip"}]}}',
        ),
        ("t.py", "import albumentations as A\nt = A.Compose([A.HorizontalFlip()])\n"),
        ("t.yaml", "transform:\n  __class_fullname__: Compose\n  transforms: [{__class_fullname__: HorizontalFlip}]\n"),
    ],
)
def test_a_byte_order_mark_is_accepted(tmp_path: Path, name: str, text: str) -> None:
    result = lint([str(_write(tmp_path, name, text, encoding="utf-8-sig"))], policy="chest_xray")
    assert not result.problems and [f.code for f in result.findings] == ["SA101"]


@pytest.mark.parametrize(
    ("encoding", "line", "words"),
    [("utf-16", 1, "UTF-16/UTF-32 text"), ("utf-32", 1, "UTF-16/UTF-32 text"), ("latin-1", 2, "byte 0xe9")],
)
def test_text_that_is_not_utf_8_says_so_with_a_line(tmp_path: Path, encoding: str, line: int, words: str) -> None:
    text = "transform:  # ok\n  __class_fullname__: Compose  # caf\u00e9\n  transforms: []\n"
    result = lint([str(_write(tmp_path, "t.yaml", text, encoding=encoding))], policy="chest_xray")
    [problem] = result.problems
    assert problem.line == line and words in problem.message and "save the file as UTF-8" in problem.message


def test_python_source_is_read_in_the_encoding_it_declares(tmp_path: Path) -> None:
    text = (
        "# -*- coding: latin-1 -*-\n# caf\u00e9\nimport albumentations as A\nt = A.Compose([A.HorizontalFlip(p=1)])\n"
    )
    result = lint([str(_write(tmp_path, "t.py", text, encoding="latin-1"))], policy="chest_xray")
    assert not result.problems and [(f.code, f.line) for f in result.findings] == [("SA101", 4)]


# ------------------------------------------------------------------------------------------ messages


def test_always_apply_quotes_the_files_own_p(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\n"
        "t = A.Compose([A.Rotate(limit=5, always_apply=True, p=0.3), A.Blur(blur_limit=3, always_apply=True)])\n"
    )
    report = safeaug.validate(_write(tmp_path, "t.py", text), "natural")
    [rotate, blur] = _messages(report, "SA502")
    assert "probability p=0.3 instead of always" in rotate
    assert "p=0.5 (the default)" in blur


def test_the_default_only_when_the_argument_is_absent(tmp_path: Path) -> None:
    written = "import albumentations as A\nt = A.Compose([A.Rotate(limit=(-90, 90))])\n"
    absent = "import albumentations as A\nt = A.Compose([A.Rotate()])\n"
    [w] = _messages(safeaug.validate(_write(tmp_path, "w.py", written), "chest_xray"), "SA102")
    [a] = _messages(safeaug.validate(_write(tmp_path, "a.py", absent), "chest_xray"), "SA102")
    assert "the default" not in w and "(`limit=(-90, 90)`, the default)" in a


def test_a_shift_fix_names_an_argument_the_transform_has(tmp_path: Path) -> None:
    text = "import albumentations as A\nt = A.Compose([A.MotionBlur(blur_limit=(3, 5), allow_shifted=True)])\n"
    report = safeaug.validate(_write(tmp_path, "t.py", text), "chest_xray")
    fixes = [f.fix for f in report.findings if f.code == "SA407"]
    assert fixes and all("translate_percent" not in fix and "allow_shifted" in fix for fix in fixes)


def test_hue_and_saturation_arguments_say_their_units(tmp_path: Path) -> None:
    text = (
        "import albumentations as A\n"
        "t = A.Compose([A.HueSaturationValue(hue_shift_limit=20, sat_shift_limit=30, val_shift_limit=0, p=1),\n"
        "               A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1, p=1)])\n"
    )
    report = safeaug.validate(_write(tmp_path, "t.py", text), "dermoscopy")
    hue = {f.transform: f.message for f in report.findings if f.code == "SA206"}
    assert "±40° (`hue_shift_limit=20`, in OpenCV hue units of 2°)" in hue["HueSaturationValue"]
    assert "±36° (`hue=0.1`, a share of the colour wheel: 1 is 360°)" in hue["ColorJitter"]
    [saturation] = _messages(report, "SA207")
    assert "`sat_shift_limit=30`, added to saturation on a 0–255 scale" in saturation


def test_an_mmdet_list_changed_after_it_is_assigned_is_unreadable(tmp_path: Path) -> None:
    text = (
        "albu = [dict(type='Rotate', limit=10)]\n"
        "albu[0]['limit'] = 170\n"
        "train_pipeline = [dict(type='LoadImageFromFile'), dict(type='Albu', transforms=albu)]\n"
    )
    report = safeaug.validate(_write(tmp_path, "config.py", text), "chest_xray")
    assert _codes(report) == [("SA501", 3)]


def test_deeply_nested_python_calls_are_read_once(tmp_path: Path) -> None:
    # The 1.x/2.0 test on positional arguments reads literals only: nesting must not multiply the work.
    text = "import albumentations as A\nt = " + "A.Compose([" * 45 + "A.Rotate(limit=5)" + "])" * 45 + "\n"
    [root] = read_config(_write(tmp_path, "deep.py", text))
    depth = 0
    node = root
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == 45 and node.name == "Rotate"
    named = "import albumentations as A\nSIZE = 512\nt = A.Compose([A.RandomResizedCrop(SIZE, SIZE)])\n"
    assert "SA502" in safeaug.validate(_write(tmp_path, "named.py", named), "chest_xray").codes()


def test_references_that_double_at_each_step_are_refused_not_expanded(tmp_path: Path) -> None:
    lines = ["l0: [1, 2]"]
    for i in range(1, 40):
        lines += [f"l{i}:", f"  - ${{l{i - 1}}}", f"  - ${{l{i - 1}}}"]
    lines += ["t:", "  _target_: albumentations.Compose", "  transforms:", "    - _target_: albumentations.Rotate"]
    lines += ["      limit: ${l39}", "    - _target_: albumentations.Rotate", "      limit: ${a}", "a:", "  x: ${a}"]
    result = lint([str(_write(tmp_path, "laughs.yaml", "\n".join(lines) + "\n"))], policy="chest_xray")
    [problem] = result.problems
    assert "references expand to more than" in problem.message
