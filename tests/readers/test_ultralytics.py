"""Ultralytics YOLO training settings (``hyp.yaml``, ``cfg=`` overrides, a run's ``args.yaml``, ``model.train(...)``)
read as the pipeline Ultralytics builds from them (``safeaug.readers.ultralytics``).

The readings are checked against Ultralytics' documented rules, written out here without Ultralytics installed:
``RandomPerspective`` builds ``T @ S @ R @ P @ C`` about the image's centre; ``RandomHSV`` shifts OpenCV's 8-bit
hue by up to ``180 * hsv_h`` units (multiplies it by up to ``1 + hsv_h`` before 8.3.79) and multiplies
saturation and value by ``1 - g`` to ``1 + g``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.readers.ultralytics import DEFAULTS, is_settings, ultralytics_pipeline


def _lint(tmp_path: Path, text: str, policy: str = "chest_xray", name: str = "hyp.yaml") -> safeaug.Report:
    path = tmp_path / name
    path.write_text(text)
    return safeaug.validate(path, policy)


def _envelope(settings: dict[str, Any]) -> safeaug.Envelope:
    steps = ultralytics_pipeline(settings)
    assert steps is not None
    pipeline = {"__class_fullname__": "Compose", "transforms": [item for item, *_ in steps]}
    return safeaug.validate({"transform": pipeline}, "natural").envelope


def test_a_file_that_says_nothing_of_flips_still_mirrors_half_the_images(tmp_path: Path) -> None:
    # every setting a file leaves out keeps Ultralytics' default, and `fliplr` defaults to 0.5
    report = _lint(tmp_path, "epochs: 100\nmosaic: 0.0\nhsv_h: 0.0\n")
    [mirror] = [f for f in report.findings if f.code == "SA101"]
    assert (mirror.line, mirror.transform) == (1, "fliplr: 0.5 (Ultralytics' default)")
    assert mirror.fix.startswith("Set `fliplr: 0.0`.") and "default applies" in mirror.fix
    assert "SA405" not in report.codes()  # mosaic: 0.0 makes none
    assert [f.code for f in _lint(tmp_path, "mosaic: 0.0\nfliplr: 0.0\n").findings].count("SA101") == 0


def test_each_setting_is_named_as_written_at_its_line(tmp_path: Path) -> None:
    text = "epochs: 100\nhsv_h: 0.015\ndegrees: 30\nscale: 0.2\nfliplr: 0.5\nflipud: 0.1\nmosaic: 1.0\nmixup: 0.2\n"
    found = {(f.code, f.line, f.transform) for f in _lint(tmp_path, text).findings}
    assert {
        ("SA206", 2, "hsv_h: 0.015"),
        ("SA102", 3, "degrees: 30"),
        ("SA103", 4, "scale: 0.2"),
        ("SA101", 5, "fliplr: 0.5"),
        ("SA101", 6, "flipud: 0.1"),
        ("SA405", 7, "mosaic: 1.0"),
        ("SA405", 8, "mixup: 0.2"),
    } <= found
    rotation = next(f for f in _lint(tmp_path, text).findings if f.code == "SA102")
    assert rotation.fix.startswith("Set `degrees` to at most ±15°")


def _ultralytics_perspective(
    h: int, w: int, degrees: float, scale: float, shear_x: float, shear_y: float, tx: float, ty: float
) -> np.ndarray:
    """RandomPerspective's matrix with perspective 0, as Ultralytics documents it: centre to the origin, turn and
    zoom, shear, then the centre to ``(0.5 + tx, 0.5 + ty)`` of the output (here the same size)."""
    c = np.array([[1.0, 0.0, -w / 2], [0.0, 1.0, -h / 2], [0.0, 0.0, 1.0]])
    r = np.eye(3)
    r[:2] = cv2.getRotationMatrix2D(angle=degrees, center=(0, 0), scale=scale)
    s = np.array([[1.0, np.tan(np.radians(shear_x)), 0.0], [np.tan(np.radians(shear_y)), 1.0, 0.0], [0, 0, 1.0]])
    t = np.array([[1.0, 0.0, (0.5 + tx) * w], [0.0, 1.0, (0.5 + ty) * h], [0.0, 0.0, 1.0]])
    return t @ s @ r @ c  # type: ignore[no-any-return]


@given(
    degrees=st.floats(0, 45),
    translate=st.floats(0, 0.4),
    scale=st.floats(0, 0.9),
    shear=st.floats(0, 20),
    draw=st.tuples(*[st.floats(-1, 1)] * 6),
    h=st.integers(16, 300),
    w=st.integers(16, 300),
)
def test_random_perspective_turns_and_zooms_about_the_centre_within_the_reading(
    degrees: float, translate: float, scale: float, shear: float, draw: tuple[float, ...], h: int, w: int
) -> None:
    env = _envelope({"degrees": degrees, "translate": translate, "scale": scale, "shear": shear, "hsv_h": 0.0})
    m = _ultralytics_perspective(
        h, w, draw[0] * degrees, 1 + draw[1] * scale, draw[2] * shear, draw[3] * shear, draw[4] * translate,
        draw[5] * translate,
    )  # fmt: skip
    cx, cy, _ = m @ np.array([w / 2, h / 2, 1.0])
    moved = max(abs(cx - w / 2) / w, abs(cy - h / 2) / h)
    assert moved <= env.translation + 1e-9
    assert env.rotation >= abs(draw[0] * degrees) - 1e-9
    assert env.scale_min <= 1 - scale + 1e-9 and env.scale_max >= 1 + scale - 1e-9


def _hsv(rgb: np.ndarray, hue: float, sat: float, val: float, *, multiplied_hue: bool) -> np.ndarray:
    """RandomHSV with its gains drawn at ``hue``, ``sat``, ``val`` in [-1, 1] times the settings."""
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    h, s, v = cv2.split(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV))
    x = np.arange(0, 256, dtype=np.float64)
    lut_hue = ((x * (1 + hue)) % 180) if multiplied_hue else ((x + hue * 180) % 180)
    lut_sat = np.clip(x * (1 + sat), 0, 255)
    lut_val = np.clip(x * (1 + val), 0, 255)
    out = cv2.merge(
        (
            cv2.LUT(h, lut_hue.astype(np.uint8)),
            cv2.LUT(s, lut_sat.astype(np.uint8)),
            cv2.LUT(v, lut_val.astype(np.uint8)),
        )
    )
    return cv2.cvtColor(out, cv2.COLOR_HSV2BGR)[..., ::-1]  # type: ignore[no-any-return]


@pytest.mark.parametrize("multiplied_hue", [False, True], ids=["since 8.3.79", "before"])
@given(
    settings=st.tuples(st.floats(0.001, 0.1), st.floats(0.0, 0.9), st.floats(0.0, 0.9)),
    draw=st.tuples(*[st.sampled_from([-1.0, 1.0])] * 3),
)
def test_random_hsv_on_pixels_stays_within_the_reading(
    multiplied_hue: bool, settings: tuple[float, float, float], draw: tuple[float, float, float]
) -> None:
    hsv_h, hsv_s, hsv_v = settings
    env = _envelope({"hsv_h": hsv_h, "hsv_s": hsv_s, "hsv_v": hsv_v, "mosaic": 0.0})
    # saturated colours of every hue at full value, whose hue can be read back; each gain drawn at an end alone
    hues = np.arange(0, 180, dtype=np.uint8)
    plane = np.stack([hues, np.full(180, 255, np.uint8), np.full(180, 255, np.uint8)], -1)[None]
    swatch = cv2.cvtColor(plane, cv2.COLOR_HSV2RGB)
    before = cv2.cvtColor(swatch, cv2.COLOR_RGB2HSV).astype(int)[0]
    turned = _hsv(swatch, draw[0] * hsv_h, 0.0, 0.0, multiplied_hue=multiplied_hue)
    after = cv2.cvtColor(turned, cv2.COLOR_RGB2HSV).astype(int)[0]
    units = np.abs((after[:, 0] - before[:, 0] + 90) % 180 - 90)  # OpenCV hue units of 2 degrees, circular
    assert units.max() * 2 <= env.hue + 2  # a unit of rounding through RGB
    assert env.hue == 2 * np.ceil(180 * hsv_h - 1e-9)  # and the reading is no wider than the rule
    dimmed = cv2.cvtColor(_hsv(swatch, 0.0, 0.0, draw[2] * hsv_v, multiplied_hue=False), cv2.COLOR_RGB2HSV)
    gain = dimmed.astype(int)[0, :, 2] / before[:, 2]
    assert env.contrast_min - 0.01 <= gain.min() and gain.max() <= env.contrast_max + 0.01
    assert (env.saturation_min, env.saturation_max) == pytest.approx((1 - hsv_s, 1 + hsv_s))


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("fliplr: 1.5\n", "ultralytics.fliplr(1.5)"),
        ("fliplr: .nan\n", "ultralytics.fliplr(nan)"),  # (a file holding only values like this is still read)
        ("fliplr: half\nhsv_h: 0.0\n", "ultralytics.fliplr('half')"),
        ("hsv_h: 0.0\nscale: 1.0\n", "ultralytics.scale(1.0)"),
        ("hsv_h: 0.0\nperspective: 0.0005\n", "ultralytics.perspective(0.0005)"),
        ("hsv_h: 0.0\nimgsz: -1\n", "ultralytics.imgsz(-1)"),
        ("mosaic: 0.0\ncopy_paste: 0.5\ncopy_paste_mode: paste\n", "ultralytics.copy_paste_mode('paste')"),
        ("hsv_h: 0.0\ncfg: overrides.yaml\n", "ultralytics.cfg('overrides.yaml')"),
    ],
)
def test_a_setting_safeaug_cannot_read_is_refused_under_its_own_name(tmp_path: Path, text: str, refused: str) -> None:
    steps = ultralytics_pipeline(__import__("yaml").safe_load(text))
    assert steps is not None and refused in [item["__class_fullname__"] for item, *_ in steps]
    assert "SA401" in _lint(tmp_path, text, "natural").codes()


def test_rect_training_makes_no_mosaic_and_mixes_nothing(tmp_path: Path) -> None:
    codes = _lint(tmp_path, "mosaic: 1.0\nmixup: 0.5\nfliplr: 0.0\nrect: true\n").codes()
    assert "SA405" not in codes
    assert "SA405" in _lint(tmp_path, "mosaic: 1.0\nmixup: 0.5\nfliplr: 0.0\n").codes()


@pytest.mark.parametrize(("mode", "mirrors"), [("flip", True), ("mixup", False)])
def test_copy_paste_in_flip_mode_pastes_mirrored_objects(tmp_path: Path, mode: str, mirrors: bool) -> None:
    text = f"mosaic: 0.0\nfliplr: 0.0\ncopy_paste: 0.3\ncopy_paste_mode: {mode}\n"
    findings = _lint(tmp_path, text, "mammography").findings  # it mixes, and refuses mirrors
    assert any(f.code == "SA101" and f.transform == "copy_paste: 0.3" for f in findings) == mirrors


def test_classification_runs_a_random_resized_crop_and_randaugment_by_default(tmp_path: Path) -> None:
    steps = ultralytics_pipeline({"task": "classify", "fliplr": 0.0, "erasing": 0.0})
    assert steps is not None
    names = [item["__class_fullname__"] for item, *_ in steps]
    assert names == ["RandomResizedCrop", "torchvision.transforms.v2.RandAugment"]
    assert steps[0][0]["scale"] == [0.5, 1.0]  # `scale` is the crop's reach below the whole image
    jitter = ultralytics_pipeline({"task": "classify", "auto_augment": "", "fliplr": 0.0, "erasing": 0.0})
    assert jitter is not None and jitter[-1][0]["__class_fullname__"] == "torchvision.transforms.v2.ColorJitter"
    assert jitter[-1][0]["hue"] == DEFAULTS["hsv_h"] and jitter[-1][0]["brightness"] == DEFAULTS["hsv_v"]


def test_ultralytics_own_albumentations_transforms_are_read_with_their_words(tmp_path: Path) -> None:
    # ToGray at p=0.01 greys one dermoscopy image in a hundred whenever albumentations is installed
    findings = _lint(tmp_path, "mosaic: 0.0\nfliplr: 0.0\n", "dermoscopy").findings
    [grey] = [f for f in findings if f.code == "SA209"]
    assert grey.transform == "ToGray(p=0.01), added by Ultralytics when albumentations is installed"
    assert "no training setting turns them off" in grey.fix


@pytest.mark.parametrize(
    "text",
    [
        "degrees: 10\nscale: 0.5\n",
        "mosaic: 1.0\n",
        "mixup: 0.2\ncutmix: 1.0\nhflip: 0.5\nscale: [0.08, 1.0]\n",  # timm's settings
        "transform:\n  fliplr: 0.5\n  __class_fullname__: X\n",
    ],
)
def test_a_mapping_without_a_setting_only_ultralytics_uses_is_not_its_settings(text: str) -> None:
    data = __import__("yaml").safe_load(text)
    assert not is_settings(data) and not is_settings(data.get("transform", {}))


def test_model_train_keyword_arguments_are_its_settings(tmp_path: Path) -> None:
    text = (
        "from ultralytics import YOLO\n"
        "model = YOLO('yolov8n.pt')\n"
        "HYP = dict(fliplr=0.5, hsv_h=0.0)\n"
        "model.train(data='signs.yaml', epochs=10, fliplr=0.0, mosaic=0.0)\n"
        "model.train(data='signs.yaml', **HYP)\n"
        "model.train(data='signs.yaml', **load_overrides())\n"
    )
    findings = _lint(tmp_path, text, "traffic_signs", "train.py").findings
    mirrors = sorted((f.line, f.transform) for f in findings if f.code == "SA101")
    # the call that sets fliplr=0.0 mirrors nothing; HYP's fliplr is read where it is written, once
    assert mirrors == [(3, "fliplr: 0.5"), (6, "fliplr: 0.5 (Ultralytics' default)")]
    [unread] = [f for f in findings if f.code == "SA401"]
    assert unread.line == 6 and "cannot be read without running the code" in unread.message


def test_a_train_call_of_another_library_is_not_read(tmp_path: Path) -> None:
    text = "from transformers import Trainer\ntrainer = Trainer(model=m)\ntrainer.train(resume_from_checkpoint=True)\n"
    with pytest.raises(safeaug.ConfigError, match="no augmentation pipeline found"):
        _lint(tmp_path, text, "chest_xray", "train.py")


def test_a_flip_set_true_flips_every_image() -> None:
    # Ultralytics flips when `random.random() < p`, and True counts as 1 there
    steps = ultralytics_pipeline({"fliplr": True})
    assert steps is not None
    assert [item for item, *_ in steps if item["__class_fullname__"] == "HorizontalFlip"] == [
        {"__class_fullname__": "HorizontalFlip", "p": 1.0}
    ]


def test_a_transform_spelt_in_a_dialect_is_never_read_as_settings(tmp_path: Path) -> None:
    # a Hydra transform of a project's own that takes a `fliplr` argument is that transform, unknown (SA401)
    report = _lint(tmp_path, "augment:\n  _target_: mylib.RandomFlips\n  fliplr: 0.5\n")
    assert [(f.code, f.transform) for f in report.findings] == [("SA401", "mylib.RandomFlips")]


def test_settings_that_break_a_bound_together_are_told_to_be_lowered_not_put_in_a_one_of(tmp_path: Path) -> None:
    findings = _lint(tmp_path, "hsv_h: 0.0\nfliplr: 0.0\ntranslate: 0.1\nscale: 0.5\n", "dermoscopy").findings
    together = [f for f in findings if f.message.startswith("Together")]
    crop = next(f for f in together if f.code == "SA108")
    assert crop.fix == "Lower `scale`, `translate` so that together they stay within 40% of the area."
    blur = next(f for f in together if f.code == "SA301")  # Blur and MedianBlur, which Ultralytics adds itself
    assert "OneOf" not in blur.fix and "no training setting turns them off" in blur.fix


@given(
    draw=st.tuples(*[st.sampled_from([-1.0, 1.0])] * 6),
    h=st.integers(32, 160),
    w=st.integers(32, 160),
)
def test_random_perspective_on_coordinate_maps_stays_within_the_reading(
    draw: tuple[float, ...], h: int, w: int
) -> None:
    # on pixels: coordinate maps warped as RandomPerspective warps the image (nearest neighbour, border 0) say
    # which input pixel every output pixel shows; the turn, zoom and mirror stay within the reading, and without
    # the turn (whose cut corners the turn's own bound covers) so do the share kept and the edges' travel
    from safeaug.coordmap import coordinate_maps, read_maps

    env = _envelope({"degrees": 10.0, "translate": 0.1, "scale": 0.2, "shear": 2.0, "hsv_h": 0.0, "fliplr": 0.0})
    pixel = 1.0 / min(h, w)  # (a share read off whole pixels)
    for turn in (draw[0] * 10, 0.0):
        m = _ultralytics_perspective(
            h, w, turn, 1 + draw[1] * 0.2, draw[2] * 2, draw[3] * 2, draw[4] * 0.1, draw[5] * 0.1
        )
        xs, ys = (
            cv2.warpPerspective(c, m, dsize=(w, h), flags=cv2.INTER_NEAREST, borderValue=0)
            for c in coordinate_maps((h, w))
        )
        got = read_maps(xs, ys, (h, w))
        assert not got.collapsed and not got.mirror and not env.mirror
        assert got.turn <= env.rotation + env.shear / 2 + 1.0
        assert env.scale_min - 0.02 <= min(got.zoom) and max(got.zoom) <= env.scale_max + 0.02
    assert got.kept >= env.crop_min - 2 * pixel and got.edge_travel <= env.edge_travel + pixel
