"""mmcv's own steps in an mmengine data pipeline, read as the albumentations transforms that do the same.

The readings are checked on pixels against mmcv's documented rules (``Resize(keep_ratio=True)`` scales as large
as fits with the long edge within the larger number and the short edge within the smaller, rounding half up;
``Pad`` pads the bottom and right with numpy's padding mode of that name), without mmcv installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import albumentations as A
import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.readers.dialects import (
    NATIVE,
    _mm_center_crop,
    _mm_flip,
    _mm_mixup,
    _mm_mosaic,
    _mm_pad,
    _mm_random_affine,
    _mm_random_resize,
    _mm_random_resized_crop,
    _mm_resize,
    _mm_resize_edge,
    _mm_yolox_hsv,
    mmengine_pipeline,
)


def _built(mapping: dict[str, Any]) -> list[A.BasicTransform]:
    """The albumentations transforms a reading names (each branch of a OneOf), built with p=1."""
    args = {k: tuple(v) if isinstance(v, list) else v for k, v in mapping.items() if k != NATIVE}
    if mapping[NATIVE] == "OneOf":
        return [t for child in mapping["transforms"] for t in _built(child)]
    args["p"] = 1.0
    return [getattr(A, mapping[NATIVE])(**args)]


def _mmcv_rescaled(h: int, w: int, scale: tuple[int, int]) -> tuple[int, int]:
    factor = min(max(scale) / max(h, w), min(scale) / min(h, w))
    return int(h * factor + 0.5), int(w * factor + 0.5)


@given(
    h=st.integers(8, 160),
    w=st.integers(8, 160),
    scale=st.tuples(st.integers(16, 200), st.integers(16, 200)),
)
def test_a_resize_that_keeps_the_aspect_gives_mmcvs_size_in_one_of_its_branches(
    h: int, w: int, scale: tuple[int, int]
) -> None:
    reading = _mm_resize({"scale": scale, "keep_ratio": True})
    image = np.zeros((h, w, 3), np.uint8)
    sizes = [t(image=image)["image"].shape[:2] for t in _built(reading)]
    want = _mmcv_rescaled(h, w, scale)
    # albumentations rounds the scaled sides its own way: within a pixel of mmcv's
    assert any(abs(got[0] - want[0]) <= 1 and abs(got[1] - want[1]) <= 1 for got in sizes), (sizes, want)


@given(
    h=st.integers(8, 120),
    w=st.integers(8, 120),
    scale=st.tuples(st.integers(16, 160), st.integers(16, 160)),
    ratio=st.floats(0.5, 2.0),
    keep=st.booleans(),
)
def test_a_random_resize_is_the_resize_then_a_drawn_scale(
    h: int, w: int, scale: tuple[int, int], ratio: float, keep: bool
) -> None:
    # mmcv draws the ratio, scales the target by it (truncating each side) and resizes to that target
    reading = _mm_random_resize({"scale": scale, "ratio_range": (ratio, ratio), "keep_ratio": keep})
    first, drawn = reading["transforms"]
    image = np.zeros((h, w, 3), np.uint8)
    [scaled] = _built(drawn)
    sizes = [scaled(image=t(image=image)["image"])["image"].shape[:2] for t in _built(first)]
    target = (int(scale[0] * ratio), int(scale[1] * ratio))
    want = _mmcv_rescaled(h, w, target) if keep else (target[1], target[0])
    assert any(abs(got[0] - want[0]) <= 2 and abs(got[1] - want[1]) <= 2 for got in sizes), (sizes, want)


def test_a_resize_to_a_fixed_size_is_albumentations_resize_with_mmcvs_width_first() -> None:
    assert _mm_resize({"scale": (640, 480)}) == {NATIVE: "Resize", "height": 480, "width": 640, "interpolation": 1}
    assert _mm_resize({"scale": 512, "interpolation": "nearest"})["interpolation"] == 0
    assert _mm_resize({"scale_factor": 0.5})[NATIVE] == "RandomScale"


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@given(h=st.integers(4, 40), w=st.integers(4, 40), divisor=st.integers(3, 16), fill=st.integers(0, 255))
def test_a_pad_is_numpys_pad_at_the_bottom_and_right(mode: str, h: int, w: int, divisor: int, fill: int) -> None:
    image = np.random.default_rng(h * 100 + w).integers(0, 256, (h, w, 3), dtype=np.uint8)
    for args, (height, width) in (
        ({"size_divisor": divisor}, (-(-h // divisor) * divisor, -(-w // divisor) * divisor)),
        ({"size": (w + divisor, h + 2)}, (h + 2, w + divisor)),  # mmcv's size is (w, h)
    ):
        [pad] = _built(_mm_pad({**args, "padding_mode": mode, "pad_val": {"img": fill, "seg": 255}}))
        got = pad(image=image)["image"]
        widths = ((0, height - h), (0, width - w), (0, 0))
        want = (
            np.pad(image, widths, mode=mode, constant_values=fill)
            if mode == "constant"
            else np.pad(image, widths, mode=mode)
        )
        assert np.array_equal(got, want), args


@given(h=st.integers(8, 120), w=st.integers(8, 120), side=st.integers(16, 96), fill=st.integers(0, 255))
def test_a_pad_to_a_square_after_a_fit_into_a_square_box_pads_to_that_box(h: int, w: int, side: int, fill: int) -> None:
    # mmcv: the fit leaves the longer side at the box's side, and the pad to a square pads the bottom and right
    # up to the longer side, so the square is the box
    assert max(_mmcv_rescaled(h, w, (side, side))) == side
    steps = mmengine_pipeline(
        [
            {"type": "LoadImageFromFile"},
            {"type": "Resize", "scale": (side, side), "keep_ratio": True},
            {"type": "LoadAnnotations", "with_bbox": True},
            {"type": "Pad", "pad_to_square": True, "pad_val": {"img": (fill, fill, fill)}},
            {"type": "PackDetInputs"},
        ]
    )
    assert steps is not None
    (resize,), (pad,) = _built(steps[1][0]), _built(steps[3][0])
    assert steps[3][1] == "Pad"  # findings name the step as written
    image = np.random.default_rng(h * 1000 + w).integers(0, 256, (h, w, 3), dtype=np.uint8)
    fitted = resize(image=image)["image"]
    got = pad(image=fitted)["image"]
    fh, fw = fitted.shape[:2]
    want = np.pad(fitted, ((0, side - fh), (0, side - fw), (0, 0)), mode="constant", constant_values=fill)
    assert np.array_equal(got, want)
    # after a resize to a square the pad has nothing to do, and is read so
    square = mmengine_pipeline(
        [{"type": "Resize", "scale": (side, side)}, {"type": "Pad", "pad_to_square": True}], named=True
    )
    assert square is not None
    (pad,) = _built(square[1][0])
    resized = _built(square[0][0])[0](image=image)["image"]
    assert np.array_equal(pad(image=resized)["image"], resized)


@pytest.mark.parametrize(
    "before",
    [
        [{"type": "Resize", "scale": (1333, 800), "keep_ratio": True}],  # a box that is not square
        [{"type": "Resize", "scale": (640, 480), "keep_ratio": False}],  # a fixed size that is not square
        [{"type": "Resize", "scale": (640, 640), "keep_ratio": True}, {"type": "RandomFlip", "prob": 0.5}],
        [],
    ],
)
def test_a_pad_to_a_square_anywhere_else_is_refused(before: list[dict[str, Any]]) -> None:
    steps = mmengine_pipeline(
        [{"type": "LoadImageFromFile"}, *before, {"type": "Pad", "pad_to_square": True}, {"type": "PackDetInputs"}],
        named=True,
    )
    assert steps is not None
    assert steps[-2][0][NATIVE] == "mmengine.Pad(pad_to_square=True)"


@pytest.mark.parametrize(
    ("step", "args", "unknown"),
    [
        ("Resize", {"scale": (512, 512), "keep_ratio": "yes"}, "mmengine.Resize(keep_ratio='yes')"),
        ("Resize", {"scale": (512, 512), "interpolation": "hamming"}, "mmengine.Resize(interpolation='hamming')"),
        ("Resize", {"scale": [512, 512, 3]}, "mmengine.Resize(scale=[512, 512, 3])"),
        (
            "RandomResize",
            {"scale": [(1333, 640), (1333, 800)], "keep_ratio": True},
            "mmengine.RandomResize(ratio_range=None)",
        ),
        (
            "RandomResize",
            {"scale": (1333, 800), "ratio_range": (0.5, 2.0), "resize_type": "ResizeShortestEdge"},
            "mmengine.RandomResize(resize_type='ResizeShortestEdge')",
        ),
        (
            "RandomResize",
            {"scale": [(1333, 640), (1333, 800)], "ratio_range": (0.5, 2.0)},
            "mmengine.RandomResize(scale=[(1333, 640), (1333, 800)])",
        ),
        ("Pad", {"pad_to_square": True}, "mmengine.Pad(pad_to_square=True)"),
        ("Pad", {"size": (64, 64), "size_divisor": 32}, "mmengine.Pad(size=(64, 64), size_divisor=32)"),
        ("Pad", {"size": (512, 512), "padding_mode": "wrap"}, "mmengine.Pad(padding_mode='wrap')"),
        ("RandomFlip", {"prob": 0.5, "direction": "sideways"}, "mmengine.RandomFlip(direction='sideways')"),
    ],
)
def test_a_step_written_in_a_way_safeaug_does_not_read_is_refused(
    step: str, args: dict[str, Any], unknown: str
) -> None:
    read = {"RandomFlip": _mm_flip, "Resize": _mm_resize, "RandomResize": _mm_random_resize, "Pad": _mm_pad}[step](args)
    assert read[NATIVE] == unknown
    report = safeaug.validate({"transform": {NATIVE: "Compose", "transforms": [read]}}, "remote_sensing")
    assert report.codes() == ["SA401"]


@pytest.mark.parametrize(
    ("direction", "read_as"),
    [
        ("horizontal", "HorizontalFlip"),
        ("vertical", "VerticalFlip"),
        ("diagonal", "Rotate"),
        (["horizontal", "vertical"], "VerticalFlip"),
        (["horizontal", "diagonal"], "VerticalFlip"),
    ],
)
def test_a_random_flip_is_one_transform_that_may_do_what_any_of_its_directions_does(
    direction: Any, read_as: str
) -> None:
    assert _mm_flip({"prob": 0.5, "direction": direction})[NATIVE] == read_as


def test_lists_of_type_mappings_that_load_or_pack_nothing_are_not_pipelines() -> None:
    schedulers = [{"type": "LinearLR", "start_factor": 0.001}, {"type": "MultiStepLR", "milestones": [8, 11]}]
    assert mmengine_pipeline(schedulers) is None
    assert mmengine_pipeline([{"type": "LoadImageFromFile"}, {"type": "PackDetInputs"}]) is None  # nothing acts
    steps = mmengine_pipeline([{"type": "LoadImageFromFile"}, {"type": "RandomFlip", "prob": 0.5}])
    assert steps is not None and [written for _, written in steps] == ["", "RandomFlip"]


def test_findings_on_a_step_read_as_another_name_the_step_and_none_of_the_others_arguments(tmp_path: Path) -> None:
    config = tmp_path / "seg_config.py"
    config.write_text(
        "train_pipeline = [\n"
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='Resize', scale_factor=0.5),\n"
        "    dict(type='PackSegInputs'),\n"
        "]\n"
    )
    [finding] = safeaug.validate(str(config), "chest_xray").findings
    assert (finding.code, finding.line, finding.transform) == ("SA103", 3, "Resize")
    assert "scale_limit" not in finding.message and "RandomScale" not in finding.fix
    assert finding.fix.startswith("Use a `scale_factor` within 0.85–1.15×, or resize to a fixed `scale`")


@pytest.mark.parametrize(("scope", "swaps"), [("", True), ("mmdet.", True), ("mmseg.", False)])
@given(
    delta=st.integers(0, 64),
    contrast=st.tuples(st.floats(0.3, 1.0), st.floats(1.0, 2.0)),
    saturation=st.tuples(st.floats(0.3, 1.0), st.floats(1.0, 2.0)),
    hue=st.integers(0, 40),
)
def test_photometric_distortion_is_read_at_its_widest(
    scope: str, swaps: bool, delta: int, contrast: tuple[float, float], saturation: tuple[float, float], hue: int
) -> None:
    # mmseg adds the brightness shift before the gain (so the gain multiplies it) and shifts hue in 8-bit
    # HSV units of 2 degrees; mmdet shifts hue in degrees and then permutes the channels on a coin
    step = {
        "type": f"{scope}PhotoMetricDistortion",
        "brightness_delta": delta,
        "contrast_range": contrast,
        "saturation_range": saturation,
        "hue_delta": hue,
    }
    steps = mmengine_pipeline([{"type": "LoadImageFromFile"}, step])
    assert steps is not None
    [(_, _), (reading, written)] = steps
    assert written == "PhotoMetricDistortion"
    env = safeaug.validate({"transform": reading}, "natural").envelope
    assert env.brightness >= delta * max(1.0, contrast[1]) / 255 - 1e-9
    assert env.contrast_min <= contrast[0] + 1e-9 and env.contrast_max >= contrast[1] - 1e-9
    assert env.saturation_min <= saturation[0] + 1e-9 and env.saturation_max >= saturation[1] - 1e-9
    assert env.hue >= 2 * hue - 1e-9
    assert env.color is swaps


@pytest.mark.parametrize(
    ("pipeline", "swaps"),
    [
        (["LoadImageFromFile", "PhotoMetricDistortion", "PackSegInputs"], False),  # only mmseg packs so
        (["LoadImageFromFile", "mmseg.PhotoMetricDistortion", "PackDetInputs"], False),
        (["LoadImageFromFile", "mmseg.LoadAnnotations", "PhotoMetricDistortion", "PackInputs"], False),
        (["LoadImageFromFile", "PhotoMetricDistortion", "PackDetInputs"], True),
        (["LoadImageFromFile", "mmdet.PhotoMetricDistortion", "PackSegInputs"], True),  # scoped: mmdet's own
        (["LoadImageFromFile", "PhotoMetricDistortion", "PackInputs"], True),  # nothing says whose: the wider
    ],
)
def test_mmsegs_photometric_distortion_is_told_by_its_scope_or_its_pipeline(pipeline: list[str], swaps: bool) -> None:
    steps = mmengine_pipeline([{"type": kind} for kind in pipeline])
    assert steps is not None
    [reading] = [data for data, written in steps if written == "PhotoMetricDistortion"]
    shuffles = [t[NATIVE] for t in reading["transforms"] if t[NATIVE] == "ChannelShuffle"]
    assert bool(shuffles) is swaps


_STEPS = """\
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='Resize', scale_factor=0.5),
    dict(type='Pad', size_divisor=32, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs'),
]
"""
_READ_AS = (
    "RandomScale",
    "LongestMaxSize",
    "PadIfNeeded",
    "HorizontalFlip",
    "VerticalFlip",
    "Rotate(",
    "RandomBrightnessContrast",
    "ColorJitter",
    "HueSaturationValue",
    "ChannelShuffle",
    "border_mode",
    "scale_limit",
    "limit=",
)


@pytest.mark.parametrize("policy", ["chest_xray", "remote_sensing", "natural", "histopathology", "ocr"])
def test_findings_on_mmcv_steps_speak_of_the_steps_and_their_own_arguments(tmp_path: Path, policy: str) -> None:
    config = tmp_path / "det_config.py"
    config.write_text(_STEPS)
    findings = safeaug.validate(str(config), policy).findings
    assert findings  # each of these policies refuses something here
    for f in findings:
        said = f"{f.message} {f.fix}"
        assert not [word for word in _READ_AS if word in said], (f.code, said)
        if f.line is not None and f.line > 2 and f.transform:
            assert f.transform in ("RandomResize", "Resize", "Pad", "RandomFlip", "PhotoMetricDistortion"), f


@pytest.mark.parametrize(
    ("step", "policy", "code", "fix"),
    [
        (
            "dict(type='RandomFlip', prob=0.5, direction='vertical')",
            "natural",
            "SA102",
            "Keep `direction='horizontal'`",
        ),
        (
            "dict(type='RandomResize', scale=(512, 512), ratio_range=(0.5, 2.0))",
            "remote_sensing",
            "SA103",
            "Narrow `ratio_range` to within 0.8–1.25×",
        ),
        (
            "dict(type='Pad', size_divisor=32, padding_mode='symmetric')",
            "chest_xray",
            "SA109",
            "Use `padding_mode='constant'`",
        ),
        (
            "dict(type='PhotoMetricDistortion', contrast_range=(0.9, 1.1))",
            "remote_sensing",
            "SA203",
            "Lower `brightness_delta` so that the shift stays within ±0.1 of full scale",
        ),
        ("dict(type='PhotoMetricDistortion')", "chest_xray", "SA206", "Set `hue_delta=0`"),
    ],
)
def test_a_fix_for_an_mmcv_step_names_its_own_argument(
    tmp_path: Path, step: str, policy: str, code: str, fix: str
) -> None:
    config = tmp_path / "config.py"
    config.write_text(f"train_pipeline = [\n    dict(type='LoadImageFromFile'),\n    {step},\n]\n")
    [finding] = [f for f in safeaug.validate(str(config), policy).findings if f.code == code]
    assert finding.fix.startswith(fix) and finding.line == 3


def test_mmpretrains_random_resized_crop_takes_its_output_size_as_scale() -> None:
    # mmpretrain resizes the crop to `scale[::-1]` in mmcv's (w, h): its `scale` is (h, w)
    reading = _mm_random_resized_crop({"scale": (224, 160), "crop_ratio_range": (0.5, 1.0)})
    [crop] = _built(reading)
    out = crop(image=np.zeros((300, 400, 3), np.uint8))["image"]
    assert out.shape[:2] == (224, 160)
    env = safeaug.validate({"transform": reading}, "natural").envelope
    assert env.crop_min == pytest.approx(0.5)  # crop_ratio_range is the share of the area kept
    assert _mm_random_resized_crop({"scale": 224})["size"] == [224, 224]
    assert _mm_random_resized_crop({"scale": 224, "crop_ratio_range": (0.5, 1.5)})[NATIVE].startswith("mmengine.")


@given(h=st.integers(8, 120), w=st.integers(8, 120), scale=st.integers(8, 120), edge=st.sampled_from(["short", "long"]))
def test_resize_edge_sets_the_short_or_long_edge(h: int, w: int, scale: int, edge: str) -> None:
    [resize] = _built(_mm_resize_edge({"scale": scale, "edge": edge}))
    out = resize(image=np.zeros((h, w, 3), np.uint8))["image"].shape[:2]
    assert (min(out) if edge == "short" else max(out)) == scale
    # mmpretrain: the other side is int(scale * other / edge), albumentations rounds: within a pixel
    other = int(scale * max(h, w) / min(h, w)) if edge == "short" else int(scale * min(h, w) / max(h, w))
    assert abs((max(out) if edge == "short" else min(out)) - other) <= 1


def test_resize_edge_by_width_or_height_and_center_crop_forms_not_read_are_refused() -> None:
    assert _mm_resize_edge({"scale": 256, "edge": "width"})[NATIVE] == "mmengine.ResizeEdge(edge='width')"
    assert _mm_center_crop({"crop_size": (224, 160)}) == {
        NATIVE: "CenterCrop",
        "height": 160,
        "width": 224,
        "pad_if_needed": False,  # mmcv's crop_size is (w, h)
    }
    assert _mm_center_crop({"crop_size": "big"})[NATIVE].startswith("mmengine.CenterCrop")


def test_a_crop_fix_speaks_mmpretrains_arguments(tmp_path: Path) -> None:
    config = tmp_path / "cls_config.py"
    config.write_text(
        "train_pipeline = [\n"
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='RandomResizedCrop', scale=224),\n"
        "    dict(type='PackInputs'),\n"
        "]\n"
        "test_pipeline = [\n"
        "    dict(type='LoadImageFromFile'),\n"
        "    dict(type='ResizeEdge', scale=256, edge='short'),\n"
        "    dict(type='CenterCrop', crop_size=224),\n"
        "    dict(type='PackInputs'),\n"
        "]\n"
    )
    findings = {f.code: f for f in safeaug.validate(str(config), "chest_xray").findings}
    assert findings["SA407"].line == 9  # on a frame whose long side is not known, the share kept is not
    assert findings["SA108"].fix.startswith("Raise the low end of `crop_ratio_range` so that the crop keeps")
    assert "crop_ratio_range=(0.45, 1.0)" in findings["SA407"].fix and "size=" not in findings["SA407"].fix
    assert all("`scale=" not in f.message for f in findings.values())  # albumentations' `scale` is not mmpretrain's


_TTA = """\
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale_factor=r, keep_ratio=True) for r in img_ratios],
            [dict(type='RandomFlip', prob=0., direction='horizontal'),
             dict(type='RandomFlip', prob=1., direction='horizontal')],
            [dict(type='LoadAnnotations')],
            [dict(type='PackSegInputs')],
        ])
]
"""


def test_test_time_augmentation_may_do_what_any_combination_does(tmp_path: Path) -> None:
    # every image is run through every combination: the six scales (one finding for their span) and the flip
    config = tmp_path / "ade20k_tta.py"
    config.write_text(_TTA)
    findings = safeaug.validate(str(config), "chest_xray").findings
    assert [(f.code, f.line, f.transform) for f in findings] == [
        ("SA103", 4, "TestTimeAug"),
        ("SA101", 4, "TestTimeAug"),
    ]
    assert "0.5–1.75×" in findings[0].message
    assert findings[0].fix.startswith("Keep the test-time scale factors within 0.85–1.15×")
    assert safeaug.validate(str(config), "natural").ok
    config.write_text(_TTA.replace("prob=1.", "prob=0."))  # no image is flipped
    assert [f.code for f in safeaug.validate(str(config), "chest_xray").findings] == ["SA103"]
    # a stage that is not a literal list of steps cannot be read
    config.write_text(_TTA.replace("for r in img_ratios]", "for r in img_ratios if r]"))
    assert [f.code for f in safeaug.validate(str(config), "chest_xray").findings] == ["SA401"]


@pytest.mark.parametrize(
    ("pipeline", "crop", "shape"),
    [
        (["RandomCrop", "PackSegInputs"], {"crop_size": (96, 160)}, (96, 160)),  # mmseg: (h, w)
        (["mmseg.RandomCrop", "PackInputs"], {"crop_size": 64}, (64, 64)),
        (["RandomCrop", "PackDetInputs"], {"crop_size": (96, 160)}, (160, 96)),  # mmdet: (w, h)
        (["mmdet.RandomCrop", "PackSegInputs"], {"crop_size": (96, 160)}, (160, 96)),  # its scope wins
        # mmengine's pure-Python configs: `type=` an imported class, read as its module path
        (["mmseg.datasets.transforms.RandomCrop", "PackInputs"], {"crop_size": (96, 160)}, (96, 160)),
        (["RandomCrop", "mmdet.datasets.transforms.PackDetInputs"], {"crop_size": (96, 160)}, (160, 96)),
    ],
)
def test_a_random_crop_is_read_as_the_library_whose_pipeline_it_is_in_reads_it(
    pipeline: list[str], crop: dict[str, Any], shape: tuple[int, int]
) -> None:
    steps = mmengine_pipeline([{"type": "LoadImageFromFile"}, {"type": pipeline[0], **crop}, {"type": pipeline[1]}])
    assert steps is not None
    [crop_step] = _built(steps[1][0])
    assert crop_step(image=np.zeros((200, 300, 3), np.uint8))["image"].shape[:2] == shape


def test_a_random_crop_whose_library_is_not_said_is_refused_saying_how_to_say_it(tmp_path: Path) -> None:
    config = tmp_path / "config.py"
    config.write_text(
        "train_pipeline = [\n    dict(type='LoadImageFromFile'),\n    dict(type='RandomCrop', crop_size=(384, 600)),\n"
        "    dict(type='RandomCrop', crop_size=(0.5, 0.5), crop_type='relative_range'),\n"
        "    dict(type='PackInputs'),\n]\n"
    )
    findings = safeaug.validate(str(config), "natural").findings
    assert [(f.code, f.line) for f in findings] == [("SA401", 3), ("SA401", 4)]
    assert "write `type='mmseg.RandomCrop'` or `type='mmdet.RandomCrop'`" in findings[0].message
    config.write_text(config.read_text().replace("PackInputs", "PackDetInputs"))
    findings = safeaug.validate(str(config), "natural").findings
    # mmdet's: the crop in pixels keeps a share that depends on the input (a warning); its relative type is not read
    assert [(f.code, f.line) for f in findings] == [("SA407", 3), ("SA401", 4)]
    assert "a larger `crop_size`" in findings[0].fix
    assert "(crop_type='relative_range')" in findings[1].message and "form safeaug reads" in findings[1].fix


def test_a_list_named_as_a_pipeline_is_read_whatever_loads_and_packs_it(tmp_path: Path) -> None:
    # a project's own loader and packer (unknown to safeaug) do not hide the RandomFlip between them
    config = tmp_path / "rs_config.py"
    config.write_text(
        "train_pipeline = [\n"
        "    dict(type='LoadTiffTiles'),\n"
        "    dict(type='RandomFlip', prob=0.5),\n"
        "    dict(type='PackMyInputs'),\n"
        "]\n"
        "train_dataloader = dict(dataset=dict(pipeline=[dict(type='LoadSingleRSImageFromFile'),"
        " dict(type='RandomFlip', prob=0.5)]))\n"
        "param_scheduler = [dict(type='LinearLR'), dict(type='MultiStepLR')]\n"
    )
    found = [(f.code, f.line) for f in safeaug.validate(str(config), "chest_xray").findings]
    assert found == [("SA401", 2), ("SA101", 3), ("SA401", 4), ("SA101", 6)]  # mmseg's RS loader only loads
    config.write_text("model = dict(type='FasterRCNN')\ntrain_pipeline = [dict(type='RandomFlip', prob=0.5)]\n")
    assert [f.code for f in safeaug.validate(str(config), "chest_xray").findings] == ["SA101"]  # was skipped


# ------------------------------------------------------------------ mmdet's YOLOX and RTMDet steps


def _envelope(reading: dict[str, Any]) -> safeaug.Envelope:
    return safeaug.validate({"transform": {NATIVE: "Compose", "transforms": [reading]}}, "natural").envelope


def _mmdet_affine(degree: float, scale: float, shear_x: float, shear_y: float, tx: float, ty: float) -> np.ndarray:
    """mmdet's RandomAffine matrix as its documentation builds it: scale, then turn, then shear, then shift, each
    about the origin of the image (its top-left corner), the shift in pixels."""
    a, sx, sy = np.radians(degree), np.tan(np.radians(shear_x)), np.tan(np.radians(shear_y))
    scaling = np.diag([scale, scale, 1.0])
    turning = np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])
    shearing = np.array([[1.0, sx, 0.0], [sy, 1.0, 0.0], [0.0, 0.0, 1.0]])
    shifting = np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])
    return shifting @ shearing @ turning @ scaling  # type: ignore[no-any-return]


@given(
    degree=st.floats(0, 30),
    ratio=st.floats(0, 0.3),
    low=st.floats(0.3, 1.0),
    high=st.floats(1.0, 2.5),
    shear=st.floats(0, 10),
    draw=st.tuples(*[st.floats(-1, 1)] * 5),
    pick=st.floats(0, 1),
    h=st.integers(16, 400),
    w=st.integers(16, 400),
)
def test_mmdets_random_affine_moves_the_centre_no_further_than_the_shift_read(
    degree: float,
    ratio: float,
    low: float,
    high: float,
    shear: float,
    draw: tuple[float, ...],
    pick: float,
    h: int,
    w: int,
) -> None:
    # the reading turns about the centre; mmdet turns about the top-left corner, so the centre moves as well
    args = {"max_rotate_degree": degree, "max_translate_ratio": ratio, "scaling_ratio_range": (low, high)}
    for turns in (True, False):
        spec = {**args, "max_shear_degree": shear} if turns else {**args, "max_rotate_degree": 0, "max_shear_degree": 0}
        reading = _mm_random_affine(spec)
        env = _envelope(reading)
        d, s = spec["max_rotate_degree"], spec["max_shear_degree"]
        m = _mmdet_affine(
            draw[0] * d, low + pick * (high - low), draw[1] * s, draw[2] * s, draw[3] * ratio * w, draw[4] * ratio * h
        )
        cx, cy, _ = m @ np.array([w / 2, h / 2, 1.0])
        moved = max(abs(cx - w / 2) / w, abs(cy - h / 2) / h)
        assert moved <= env.translation + 1e-9, (spec, moved, env.translation)
        assert env.rotation >= abs(draw[0] * d) and env.scale_min <= low and env.scale_max >= high
    # without a turn or shear the shift read is what the corner and the shift give at most, not more
    corner = _mm_random_affine({**args, "max_rotate_degree": 0, "max_shear_degree": 0})
    assert _envelope(corner).translation == pytest.approx(min(1.0, ratio + max(1 - low, high - 1) / 2))


def test_a_turn_about_the_corner_of_a_long_image_moves_its_centre_by_more_than_the_shift_drawn() -> None:
    # 10 degrees about the top-left corner of a strip 8 times as tall as it is wide moves its centre sideways
    # by more than half the width: no bound short of the whole side holds for every image
    m = _mmdet_affine(10.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    cx, _, _ = m @ np.array([32 / 2, 256 / 2, 1.0])
    assert abs(cx - 16) / 32 > 0.5
    assert _envelope(_mm_random_affine({})).translation == 1.0
    # on pixels: cv2 sends each input point through the matrix, as mmdet's boxes are (`bboxes.project_`)
    image = np.zeros((256, 32), np.uint8)
    image[126:130, 14:18] = 255
    out = cv2.warpPerspective(image, m, dsize=(32, 256))
    _, xs = np.nonzero(out > 127)
    assert len(xs) == 0 or abs(xs.mean() - cx) < 1.5  # (here the centre has left the frame)


def test_a_border_cuts_or_pads_the_bottom_and_right() -> None:
    # YOLOX cuts its 2x mosaic back to one image with border=(-s/2, -s/2): the output is (h + 2b0, w + 2b1)
    reading = _mm_random_affine({"border": (-320, -160), "border_val": (114, 114, 114)})
    affine, cut = reading["transforms"]
    assert affine[NATIVE] == "Affine" and cut[NATIVE] == "CropAndPad"
    [built] = _built({k: v for k, v in cut.items()})
    image = np.zeros((1280, 1280, 3), np.uint8)
    assert built(image=image)["image"].shape[:2] == (640, 960)
    assert _envelope(reading).crop_unbounded


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ({"degrees": 10}, "degrees"),  # torchvision's RandomAffine written as an mmengine step
        ({"scaling_ratio_range": (1.5, 0.5)}, "scaling_ratio_range=(1.5, 0.5)"),
        ({"max_translate_ratio": 2}, "max_translate_ratio=2"),
        ({"border": (-320.5, 0)}, "border=(-320.5, 0)"),
    ],
)
def test_a_random_affine_with_arguments_mmdet_does_not_take_is_refused(args: dict[str, Any], why: str) -> None:
    assert _mm_random_affine(args)[NATIVE] == f"mmengine.RandomAffine({why})"


@pytest.mark.parametrize("step", ["MixUp", "CachedMixUp"])
@pytest.mark.parametrize(("flip_ratio", "mirror_p"), [(0.0, 1.0), (0.5, 0.5), (0.75, 0.25), (1.0, None)])
def test_mixup_flips_the_image_it_mixes_in_unless_flip_ratio_is_one(
    step: str, flip_ratio: float, mirror_p: float | None
) -> None:
    # mmdet flips when `random.uniform(0, 1) > flip_ratio`: the opposite of what the name suggests
    reading = _mm_mixup(step)({"flip_ratio": flip_ratio})
    mixed, *flips = reading["transforms"]
    assert mixed[NATIVE] == "torchvision.transforms.v2.MixUp"
    assert [f["p"] for f in flips] == ([] if mirror_p is None else [mirror_p])
    codes = safeaug.validate({"transform": {NATIVE: "Compose", "transforms": [reading]}}, "mammography").codes()
    assert ("SA101" in codes) == (mirror_p is not None)  # mammography mixes, and refuses mirrors


def test_yolox_steps_in_a_config_are_read_and_named_as_written(tmp_path: Path) -> None:
    config = tmp_path / "yolox_config.py"
    config.write_text(
        "img_scale = (640, 640)\n"
        "train_pipeline = [\n"
        "    dict(type='CachedMosaic', img_scale=img_scale, pad_val=114.0, prob=0.5),\n"
        "    dict(type='RandomAffine', scaling_ratio_range=(0.9, 1.1),\n"
        "         border=(-img_scale[0] // 2, -img_scale[1] // 2)),\n"
        "    dict(type='MixUp', img_scale=img_scale, flip_ratio=0.0),\n"
        "    dict(type='YOLOXHSVRandomAug'),\n"
        "    dict(type='PackDetInputs'),\n"
        "]\n"
    )
    findings = safeaug.validate(str(config), "chest_xray").findings
    by_line = {(f.code, f.line): f for f in findings}
    assert {("SA405", 3), ("SA405", 6), ("SA101", 6), ("SA206", 7), ("SA104", 4)} <= set(by_line)
    assert not any(f.code == "SA401" for f in findings)  # every step read, the border from `img_scale[0] // 2`
    assert by_line[("SA101", 6)].transform == "MixUp" and "`flip_ratio=1.0`" in by_line[("SA101", 6)].fix
    assert "top-left corner" in by_line[("SA104", 4)].fix and "translate_percent" not in by_line[("SA104", 4)].fix
    assert by_line[("SA206", 7)].fix.startswith("Set `hue_delta=0`")
    config.write_text(config.read_text().replace("prob=0.5", "prob=0.0"))
    assert ("SA405", 3) not in {(f.code, f.line) for f in safeaug.validate(str(config), "chest_xray").findings}


def test_a_mosaic_with_arguments_mmdet_does_not_take_is_refused() -> None:
    assert _mm_mosaic("Mosaic")({"img_scale": (640, 640), "flip_ratio": 0.5})[NATIVE] == "mmengine.Mosaic(arguments)"
    assert _mm_mosaic("Mosaic")({"prob": 2})[NATIVE] == "mmengine.Mosaic(arguments)"
    assert _mm_mosaic("CachedMosaic")({"img_scale": (640, 480)})["cell_shape"] == [480, 640]  # (w, h) as mmcv's


@given(
    hue=st.integers(-20, 20),
    sat=st.integers(-60, 60),
    val=st.integers(-60, 60),
    seed=st.integers(0, 2**16),
)
def test_yolox_hsv_is_hue_saturation_value_with_the_same_limits_on_pixels(
    hue: int, sat: int, val: int, seed: int
) -> None:
    # YOLOX shifts 8-bit HSV: hue wraps at 180 (units of 2 degrees), saturation and value are clipped
    rgb = np.random.default_rng(seed).integers(0, 256, (24, 24, 3), dtype=np.uint8)
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb[..., ::-1]), cv2.COLOR_BGR2HSV).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + hue) % 180
    hsv[..., 1] = np.clip(hsv[..., 1] + sat, 0, 255)
    hsv[..., 2] = np.clip(hsv[..., 2] + val, 0, 255)
    want = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)[..., ::-1]
    reading = _mm_yolox_hsv({"hue_delta": abs(hue), "saturation_delta": abs(sat), "value_delta": abs(val)})
    assert reading[NATIVE] == "HueSaturationValue"
    assert reading["hue_shift_limit"] == abs(hue) and reading["val_shift_limit"] == abs(val)
    fixed = A.HueSaturationValue(
        hue_shift_limit=(hue, hue), sat_shift_limit=(sat, sat), val_shift_limit=(val, val), p=1
    )
    got = fixed(image=rgb)["image"]
    if (hue, sat, val) == (0, 0, 0):
        # albumentations returns the image untouched; YOLOX still goes to HSV and back, which rounds a colour by
        # at most 6 levels (over all 2**24 of them): not a change a policy bounds
        assert np.array_equal(got, rgb) and np.abs(want.astype(int) - rgb).max() <= 6
    else:
        assert np.array_equal(got, want)  # the drawn shift at an end of the limits, bit for bit


@given(
    draw=st.tuples(*[st.sampled_from([-1.0, 1.0])] * 5),
    pick=st.sampled_from([0.0, 1.0]),
    h=st.integers(32, 160),
    w=st.integers(32, 160),
)
def test_mmdets_random_affine_on_coordinate_maps_stays_within_the_reading(
    draw: tuple[float, ...], pick: float, h: int, w: int
) -> None:
    # on pixels: coordinate maps warped as mmdet warps the image (nearest neighbour, border 0) say which input
    # pixel every output pixel shows; read from them, on square, tall and wide frames at the ends of every draw:
    from safeaug.coordmap import coordinate_maps, read_maps

    def warped(m: np.ndarray) -> Any:
        xs, ys = (
            cv2.warpPerspective(c, m, dsize=(w, h), flags=cv2.INTER_NEAREST, borderValue=0)
            for c in coordinate_maps((h, w))
        )
        return read_maps(xs, ys, (h, w))

    pixel = 1.0 / min(h, w)  # (a share read off whole pixels)
    args = {"max_rotate_degree": 10.0, "max_translate_ratio": 0.1, "scaling_ratio_range": (0.8, 1.2)}
    # the turn, zoom and mirror of the whole step stay within its reading
    env = _envelope(_mm_random_affine({**args, "max_shear_degree": 2.0}))
    got = warped(
        _mmdet_affine(draw[0] * 10, 0.8 + pick * 0.4, draw[1] * 2, draw[2] * 2, draw[3] * 0.1 * w, draw[4] * 0.1 * h)
    )
    if not got.collapsed:  # (nothing of the input left in frame: no map to read)
        assert not got.mirror and not env.mirror
        assert got.turn <= env.rotation + env.shear / 2 + 1.0
        assert env.scale_min - 0.02 <= min(got.zoom) and max(got.zoom) <= env.scale_max + 0.02
    # without a turn or shear the corner's pull is exact: what a zoom about the top-left corner and a shift keep
    # of the image, and how far they move an edge in, stay within the reading's crop and edge bounds (a turn's
    # cut corners are bounded by the turn itself, not counted there)
    env = _envelope(_mm_random_affine({**args, "max_rotate_degree": 0, "max_shear_degree": 0}))
    got = warped(_mmdet_affine(0.0, 0.8 + pick * 0.4, 0.0, 0.0, draw[3] * 0.1 * w, draw[4] * 0.1 * h))
    assert got.kept >= env.crop_min - 2 * pixel and got.edge_travel <= env.edge_travel + pixel
