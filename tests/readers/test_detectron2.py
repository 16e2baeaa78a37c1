"""detectron2 YAML configs read as the training augmentation of detectron2's ``DatasetMapper``
(``safeaug.readers.detectron2``), checked against detectron2's documented rules without detectron2 installed:
``ResizeShortestEdge`` scales the short side to the size drawn unless the long side would pass ``MAX_SIZE_TRAIN``,
which it is then scaled to, rounding each side half up; ``INPUT.RANDOM_FLIP`` defaults to ``"horizontal"``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import albumentations as A
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.readers.detectron2 import detectron2_pipeline, is_config


def _lint(tmp_path: Path, text: str, policy: str = "chest_xray", name: str = "config.yaml") -> safeaug.Report:
    path = tmp_path / name
    path.write_text(text)
    return safeaug.validate(path, policy)


def test_a_config_that_never_mentions_the_flip_mirrors_half_the_films(tmp_path: Path) -> None:
    report = _lint(tmp_path, "MODEL:\n  MASK_ON: False\nINPUT:\n  MIN_SIZE_TRAIN: (800,)\n")
    [mirror] = [f for f in report.findings if f.code == "SA101"]
    assert (mirror.line, mirror.transform) == (1, "INPUT.RANDOM_FLIP: 'horizontal' (detectron2's default)")
    assert mirror.fix.startswith('Set `INPUT.RANDOM_FLIP: "none"`.') and "detectron2's default applies" in mirror.fix
    quiet = _lint(tmp_path, "INPUT:\n  MIN_SIZE_TRAIN: (800,)\n  RANDOM_FLIP: none\n")
    assert "SA101" not in quiet.codes()


def test_a_base_file_gives_what_the_config_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "Base.yaml").write_text("INPUT:\n  RANDOM_FLIP: vertical\n  MIN_SIZE_TRAIN: (640, 800)\n")
    text = "_BASE_: Base.yaml\nMODEL:\n  WEIGHTS: x.pkl\nINPUT:\n  MAX_SIZE_TRAIN: 1024\n"
    report = _lint(tmp_path / "configs", text, name="run.yaml")
    [mirror] = [f for f in report.findings if f.code == "SA101"]
    assert (mirror.line, mirror.transform) == (1, "INPUT.RANDOM_FLIP: 'vertical' (from Base.yaml)")
    # the config's own setting wins over its base's
    text = "_BASE_: Base.yaml\nMODEL:\n  WEIGHTS: x.pkl\nINPUT:\n  RANDOM_FLIP: none\n"
    assert "SA101" not in _lint(tmp_path / "configs", text, name="run.yaml").codes()


def test_a_base_that_cannot_be_read_is_refused_where_it_is_named(tmp_path: Path) -> None:
    report = _lint(tmp_path, "_BASE_: ../missing/Base.yaml\nMODEL:\n  MASK_ON: True\n")
    [unread] = [f for f in report.findings if f.code == "SA401"]
    assert unread.line == 1 and "the base file cannot be read" in unread.message
    # two files naming each other as their base: read to a fixed depth, never forever
    (tmp_path / "a.yaml").write_text("_BASE_: b.yaml\nMODEL: {}\n")
    (tmp_path / "b.yaml").write_text("_BASE_: a.yaml\nMODEL: {}\n")
    assert "SA401" in safeaug.validate(tmp_path / "a.yaml", "chest_xray").codes()


def test_an_input_setting_detectron2_does_not_have_is_refused(tmp_path: Path) -> None:
    report = _lint(tmp_path, "INPUT:\n  RANDOM_FLIP: none\n  COLOR_JITTER: 0.4\n")
    [unread] = report.findings
    assert (unread.code, unread.line) == ("SA401", 3)
    assert "not one of detectron2's settings" in unread.message and "`INPUT.COLOR_JITTER`" in unread.fix


def _detectron2_size(h: int, w: int, short: int, cap: int) -> tuple[int, int]:
    scale = short / min(h, w)
    newh, neww = (short, scale * w) if h < w else (scale * h, short)
    if max(newh, neww) > cap:
        factor = cap / max(newh, neww)
        newh, neww = newh * factor, neww * factor
    return int(newh + 0.5), int(neww + 0.5)


@given(
    h=st.integers(16, 600),
    w=st.integers(16, 600),
    shorts=st.lists(st.integers(32, 400), min_size=1, max_size=3),
    cap=st.integers(64, 700),
)
def test_resize_shortest_edge_gives_detectron2s_size_in_one_of_its_branches(
    h: int, w: int, shorts: list[int], cap: int
) -> None:
    config = {"INPUT": {"MIN_SIZE_TRAIN": str(tuple(shorts)), "MAX_SIZE_TRAIN": cap, "RANDOM_FLIP": "none"}}
    [(resize, _, _)] = detectron2_pipeline(config, None)
    image = np.zeros((h, w), np.uint8)
    sizes = [
        A.LongestMaxSize(max_size_hw=tuple(b["max_size_hw"]), p=1)(image=image)["image"].shape
        for b in resize["transforms"]
    ]
    for short in shorts:
        want = _detectron2_size(h, w, short, cap)
        assert any(abs(got[0] - want[0]) <= 1 and abs(got[1] - want[1]) <= 1 for got in sizes), (sizes, want)


def test_a_relative_crop_keeps_the_share_it_says(tmp_path: Path) -> None:
    crop = "INPUT:\n  RANDOM_FLIP: none\n  CROP:\n    ENABLED: true\n    SIZE: [0.6, 0.6]\n"
    findings = {f.code: f for f in _lint(tmp_path, crop).findings}
    # 0.6 of each side is 36% of the area, below chest_xray's 45%
    assert findings["SA108"].transform == "INPUT.CROP: {'ENABLED': True, 'TYPE': 'relative_range', 'SIZE': [0.6, 0.6]}"
    assert findings["SA108"].fix.startswith("Set `INPUT.CROP.ENABLED: False`")
    steps = detectron2_pipeline({"INPUT": {"CROP": {"ENABLED": True, "SIZE": [0.8, 0.8]}}}, None)
    spec: dict[str, Any] = steps[0][0]
    assert spec["__class_fullname__"] == "CropAndPad" and spec["percent"] == [-0.09999999999999998, 0.0]


def test_a_mapping_that_is_not_a_detectron2_config_is_not_read() -> None:
    assert not is_config({"INPUT": {"size": 224}}, top=True)  # no detectron2 setting in it
    assert not is_config({"INPUT": {"RANDOM_FLIP": "none"}}, top=False)  # not the top of its file
    assert is_config({"_BASE_": "Base.yaml", "SOLVER": {"BASE_LR": 0.01}}, top=True)
    # a config without INPUT still trains with detectron2's defaults when the model is detectron2's own
    assert is_config({"MODEL": {"META_ARCHITECTURE": "GeneralizedRCNN"}, "SOLVER": {}}, top=True)
    assert not is_config({"MODEL": {"META_ARCHITECTURE": "Baseline"}, "SOLVER": {}}, top=True)  # another library's


def test_a_config_built_in_code_is_read_from_its_calls_and_assignments(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "base.yaml").write_text("INPUT:\n  MIN_SIZE_TRAIN: (640, 800)\n")
    script = tmp_path / "train.py"
    script.write_text(
        "from detectron2 import model_zoo\n"
        "from detectron2.config import get_cfg\n"
        "cfg = get_cfg()\n"
        "cfg.merge_from_file(model_zoo.get_config_file('COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml'))\n"
        "cfg.INPUT.MIN_SIZE_TRAIN = (1024,)\n"
        "local = get_cfg()\n"
        "local.merge_from_file('configs/base.yaml')\n"
        "local.INPUT.RANDOM_FLIP = 'none'\n"
        "local.INPUT.CROP.ENABLED = True\n"
        "local.INPUT.CROP.SIZE = [0.5, 0.5]\n"
        "local.INPUT.MAX_SIZE_TRAIN = size_from_args()\n"
    )
    found = {(f.code, f.line) for f in safeaug.validate(script, "chest_xray").findings}
    # the model zoo file is not read (SA401 where it is merged); nothing turns the default flip off there
    assert {("SA101", 3), ("SA401", 4)} <= found
    # the local config: its flip is off, its crop keeps a quarter of the film, its size cap cannot be read
    assert ("SA101", 6) not in found and {("SA108", 9), ("SA401", 11)} <= found


def test_an_input_section_changed_in_code_other_than_by_assignment_is_refused_there(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "from detectron2.config import get_cfg\n"
        "cfg = get_cfg()\n"
        "cfg.INPUT.RANDOM_FLIP = 'none'\n"
        "cfg.INPUT.update({'RANDOM_FLIP': 'vertical'})\n"
        "cfg.INPUT.MIN_SIZE_TRAIN += (900,)\n"
        "cfg.INPUT = other_input\n"
        "cfg.freeze()\n"
    )
    found = [(f.code, f.line) for f in safeaug.validate(script, "chest_xray").findings]
    assert found == [("SA401", 4), ("SA401", 5), ("SA401", 6)]  # freezing changes nothing
