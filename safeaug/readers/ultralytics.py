"""Ultralytics YOLO training settings read as the pipeline Ultralytics builds from them.

A YOLO run is augmented by settings, not by a list of transforms: ``fliplr: 0.5``, ``hsv_h: 0.015``,
``mosaic: 1.0`` in a ``hyp.yaml``, a ``cfg=`` file of overrides, or the ``args.yaml`` a run saves. Ultralytics
(``ultralytics/data/augment.py``, ``v8_transforms`` and ``classify_augmentations``) turns them into a fixed
pipeline, and every setting a file leaves out keeps its default (``ultralytics/cfg/default.yaml``): a file
that sets only ``epochs: 100`` still mirrors half the images. :func:`ultralytics_pipeline` gives that
pipeline as albumentations-style transform mappings, each named by the setting that drives it, so that a
finding says ``fliplr: 0.5`` (or ``fliplr: 0.5 (Ultralytics' default)``) and sits on that setting's line.

Detection, segmentation, pose and oriented boxes (``v8_transforms``), in order:

* ``imgsz``: each image is resized to fit ``imgsz`` and padded to a square with grey 114 (``LetterBox``) when
  no mosaic is made (a mosaic resizes its tiles alike): ``LongestMaxSize`` and ``PadIfNeeded``;
* ``mosaic`` (a coin): the image and three others tiled around a random centre of a canvas twice ``imgsz``,
  cut back to ``imgsz``: albumentations' 2x2 ``Mosaic``;
* ``copy_paste`` (segments only; the share of objects pasted, no coin): in ``copy_paste_mode: flip`` each
  object is pasted as a mirrored copy of itself, at the mirrored place (a mirror, and objects hidden under
  the copies); in ``mixup`` mode objects of another image (torchvision's ``CutMix``: mixing, hiding);
* ``degrees``, ``translate``, ``scale``, ``shear`` (``RandomPerspective``, always run, about the image's
  centre, grey 114 border): each as an ``Affine`` of its own, so each finding names its setting. ``scale`` is
  the zoom's reach about 1 (``1 - scale`` to ``1 + scale``); from 1 on, the zoom reaches 0 or turns the
  image over, and that is refused, as is ``perspective`` above 0 (in 1/pixels: what it does depends on the
  image size);
* ``mixup`` and ``cutmix`` (coins): another image blended in, or a box of it pasted (torchvision's ``MixUp``
  and ``CutMix``);
* Ultralytics' own albumentations step, active whenever albumentations is installed: ``Blur``,
  ``MedianBlur``, ``ToGray`` and ``CLAHE`` at ``p=0.01`` each (no setting switches them off);
* ``hsv_h``, ``hsv_s``, ``hsv_v`` (always run, on 8-bit HSV): hue shifted by up to ``180 * hsv_h`` of
  OpenCV's hue units of 2°, rounded up to a whole unit as its table is cut to whole units (added since
  8.3.79; before, the hue was multiplied by up to ``1 + hsv_h``, which moves it no further), saturation and
  value multiplied by ``1 - g`` to ``1 + g``: ``HueSaturationValue`` for the hue, ``ColorJitter(saturation=
  ...)``, and ``RandomBrightnessContrast`` with the value's gain as its contrast (a gain on V is a gain on
  every channel, without centring);
* ``flipud``, ``fliplr`` (coins): ``VerticalFlip``, ``HorizontalFlip``. (A pose dataset's ``flip_idx``, in
  the data file, swaps the keypoints with them; it is not read here.)
* ``bgr`` (a coin): the image is left in OpenCV's BGR order, its red and blue swapped: ``ChannelShuffle``.

``rect: true`` turns mosaic, mixup and cutmix off, as Ultralytics does. ``close_mosaic`` turns them off
for the last epochs only, so they still run. Classification (``task: classify``,
``classify_augmentations``): ``RandomResizedCrop(imgsz, scale=(1 - scale, 1), ratio=(3/4, 4/3))``, the two
flips, ``auto_augment`` as torchvision's ``RandAugment``, ``AutoAugment`` or ``AugMix`` (or, when it is
empty, ``ColorJitter(brightness=hsv_v, contrast=hsv_v, saturation=hsv_s, hue=hsv_h)``), and
``RandomErasing(p=erasing)``.

A setting of the wrong kind (a probability outside [0, 1], a word where a number goes, a value that cannot
be read without running code) is refused under its own name (``ultralytics.fliplr(1.5)``), never read as its
default. So are settings that come from elsewhere: a ``cfg=`` file of overrides (lint that file: the
settings it leaves out are not Ultralytics' defaults here) and ``**kwargs`` in a ``model.train(...)`` call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from safeaug.readers.unreadable import Opaque

NATIVE = "__class_fullname__"

# Settings only Ultralytics' configs (and the YOLOv5 hyp files they grew from) hold: a mapping with one of them is a
# YOLO run's settings. (`mosaic`, `mixup` and `cutmix` are not enough: timm's args.yaml has `mixup` and `cutmix`.)
_DISTINCT = frozenset({"fliplr", "flipud", "hsv_h", "hsv_s", "hsv_v", "copy_paste"})

# ultralytics/cfg/default.yaml
DEFAULTS: dict[str, Any] = {
    "task": "detect",
    "imgsz": 640,
    "rect": False,
    "hsv_h": 0.015,
    "hsv_s": 0.7,
    "hsv_v": 0.4,
    "degrees": 0.0,
    "translate": 0.1,
    "scale": 0.5,
    "shear": 0.0,
    "perspective": 0.0,
    "flipud": 0.0,
    "fliplr": 0.5,
    "bgr": 0.0,
    "mosaic": 1.0,
    "mixup": 0.0,
    "cutmix": 0.0,
    "copy_paste": 0.0,
    "copy_paste_mode": "flip",
    "auto_augment": "randaugment",
    "erasing": 0.4,
}

_GREY = 114  # Ultralytics' border and padding fill
_AUTO = {"randaugment": "RandAugment", "autoaugment": "AutoAugment", "augmix": "AugMix"}

# (transform mapping, the setting as written, the setting's key, whether the settings give it)
Step = tuple[dict[str, Any], str, str, bool]
# A step for the reader (``generic.Reader._settings``): (transform mapping, the setting as written, the path of
# the setting under the settings' own, None for one they do not give, and the location findings name).
Located = tuple[dict[str, Any], str, tuple[str, ...] | None, str]

# How a step's name says it is not written in the file (the words of findings read these marks back).
DEFAULT_MARK = "(Ultralytics' default)"
BUILT_IN_MARK = "added by Ultralytics"


# Marks the settings of a ``model.train(...)`` call: they are settings whatever they hold (``**overrides``).
CALL = "__ultralytics_train__"


def trains(call: Any, imported: bool) -> bool:
    """Whether a Python call is ``<model>.train(...)`` given a setting only Ultralytics uses (``fliplr=0.0``), or,
    in a file that imports ultralytics (``imported``), any ``.train(...)`` given keyword arguments."""
    func = getattr(call, "func", None)
    keywords = getattr(call, "keywords", ())
    if getattr(func, "attr", None) != "train" or not keywords:
        return False
    return imported or any(kw.arg in _DISTINCT for kw in keywords)


def is_settings(obj: Any) -> bool:
    """Whether ``obj`` is a mapping of Ultralytics training settings: it holds one only they use (or it is a
    ``model.train(...)`` call's, marked ``CALL``)."""
    if not isinstance(obj, Mapping) or NATIVE in obj:
        return False
    if obj.get(CALL) is True:
        return True
    return any(isinstance(k, str) and k in _DISTINCT and _setting_value(obj[k]) for k in obj)


def _setting_value(value: Any) -> bool:
    """A number (``.nan`` and ``.inf`` too: refused later, never a reason not to read the file), a flag, or a value
    that cannot be read without running code (not a word, a list, a mapping)."""
    return isinstance(value, (int, float, Opaque))


def ultralytics_pipeline(settings: Mapping[str, Any]) -> list[Step] | None:
    """The pipeline Ultralytics builds from ``settings`` (see the module documentation), or None when the
    mapping is not a YOLO run's settings."""
    if not is_settings(settings):
        return None
    read = _Settings(settings)
    elsewhere = read.elsewhere()
    task = read.raw("task")
    if task == "classify":
        return elsewhere + read.classify()
    return elsewhere + read.detect()


class _Settings:
    def __init__(self, given: Mapping[str, Any]) -> None:
        self.given = given

    def raw(self, key: str) -> Any:
        return self.given.get(key, DEFAULTS[key])

    def elsewhere(self) -> list[Step]:
        """Settings that come from outside what is read: each is refused (what they set is unknown)."""
        out: list[Step] = []
        cfg = self.given.get("cfg")
        if cfg is not None:
            out.append(({NATIVE: f"ultralytics.cfg({cfg!r})"}, f"cfg: {cfg!r}", "cfg", True))
        unpacked = self.given.get("**")
        if unpacked is not None:
            text = unpacked.text if isinstance(unpacked, Opaque) else repr(unpacked)
            out.append(({NATIVE: f"ultralytics.**({text})"}, f"**{text}", "**", True))
        return out

    def written(self, key: str) -> str:
        value = self.raw(key)
        shown = value if not isinstance(value, str) else repr(value)
        return f"{key}: {shown}" if key in self.given else f"{key}: {shown} {DEFAULT_MARK}"

    def step(self, key: str, transform: dict[str, Any]) -> Step:
        return transform, self.written(key), key, key in self.given

    def refused(self, key: str, why: str = "") -> Step:
        value = self.raw(key)
        return (
            {NATIVE: f"ultralytics.{key}({why or repr(value)})"},
            self.written(key),
            key,
            key in self.given,
        )

    def chance(self, key: str) -> float | None:
        """A probability; ``true`` is 1 (Ultralytics compares ``random() < p``, and True counts as 1 there)."""
        value = self.raw(key)
        return float(value) if (_is_number(value) or isinstance(value, bool)) and 0.0 <= value <= 1.0 else None

    def coin(self, key: str, transform: dict[str, Any]) -> list[Step]:
        """A transform run with the probability the setting gives: none at 0, refused when it is not one."""
        chance = self.chance(key)
        if chance is None:
            return [self.refused(key)]
        return [self.step(key, {**transform, "p": chance})] if chance > 0 else []

    def gain(self, key: str) -> float | None:
        value = self.raw(key)
        return float(value) if _is_number(value) and value >= 0.0 else None

    def size(self) -> int | None:
        value = self.raw("imgsz")
        if isinstance(value, (list, tuple)) and value and all(_is_whole(v) and v > 0 for v in value):
            return int(max(value))  # Ultralytics trains on the square of the largest
        return int(value) if _is_whole(value) and value > 0 else None

    # ------------------------------------------------------------------ detection, segmentation, pose

    def detect(self) -> list[Step]:
        out: list[Step] = []
        size = self.size()
        if size is None:
            out.append(self.refused("imgsz"))
        else:
            fit = {NATIVE: "LongestMaxSize", "max_size": size, "p": 1.0}
            pad = {NATIVE: "PadIfNeeded", "min_height": size, "min_width": size, "border_mode": 0, "fill": _GREY}
            out += [self.step("imgsz", fit), self.step("imgsz", {**pad, "p": 1.0})]
        rect = self.raw("rect") is True
        mixes = not rect
        mosaic = self.chance("mosaic")
        if mosaic is None:
            out.append(self.refused("mosaic"))
        elif mixes and mosaic > 0 and size is not None:
            cell = [size, size]
            out.append(
                self.step(
                    "mosaic",
                    {
                        NATIVE: "Mosaic",
                        "grid_yx": [2, 2],
                        "target_size": cell,
                        "cell_shape": cell,
                        "center_range": [0.25, 0.75],
                        "fill": _GREY,
                        "p": mosaic,
                    },
                )
            )
        out += self._copy_paste()
        out += self._perspective()
        for key, name in (("mixup", "MixUp"), ("cutmix", "CutMix")):
            chance = self.chance(key)
            if chance is None:
                out.append(self.refused(key))
            elif mixes and chance > 0:
                mixing = {NATIVE: f"torchvision.transforms.v2.{name}"}
                out.append(self.step(key, {NATIVE: "Sequential", "transforms": [mixing], "p": chance}))
        out += _builtin_albumentations()
        out += self._hsv()
        out += self.coin("flipud", {NATIVE: "VerticalFlip"})
        out += self.coin("fliplr", {NATIVE: "HorizontalFlip"})
        out += self.coin("bgr", {NATIVE: "ChannelShuffle"})
        return out

    def _copy_paste(self) -> list[Step]:
        share = self.chance("copy_paste")
        mode = self.raw("copy_paste_mode")
        if share is None:
            return [self.refused("copy_paste")]
        if share == 0:
            return []
        hidden = {
            NATIVE: "CoarseDropout",
            "num_holes_range": [1, 1],
            "hole_height_range": [1.0, 1.0],
            "hole_width_range": [1.0, 1.0],
            "p": 1.0,
        }
        if mode == "flip":  # each object pasted as its own mirror image: the image holds mirrored objects
            steps = [{NATIVE: "HorizontalFlip", "p": 1.0}, hidden]
        elif mode == "mixup":
            steps = [{NATIVE: "torchvision.transforms.v2.CutMix"}]
        else:
            return [self.refused("copy_paste_mode")]
        return [self.step("copy_paste", {NATIVE: "Sequential", "transforms": steps, "p": 1.0})]

    def _perspective(self) -> list[Step]:
        out: list[Step] = []
        affine = {NATIVE: "Affine", "border_mode": 0, "fill": _GREY, "keep_ratio": True, "p": 1.0}
        degrees, translate, scale, shear = (self.gain(k) for k in ("degrees", "translate", "scale", "shear"))
        if degrees is None or degrees > 180:
            out.append(self.refused("degrees"))
        elif degrees > 0:
            out.append(self.step("degrees", {**affine, "rotate": [-degrees, degrees]}))
        if translate is None or translate > 1:
            out.append(self.refused("translate"))
        elif translate > 0:
            out.append(self.step("translate", {**affine, "translate_percent": [-translate, translate]}))
        if scale is None or scale >= 1:
            # from 1 on the drawn factor reaches 0 (nothing left) or goes negative (the image turned over)
            out.append(self.refused("scale"))
        elif scale > 0:
            out.append(self.step("scale", {**affine, "scale": [1.0 - scale, 1.0 + scale]}))
        if shear is None or shear >= 90:
            out.append(self.refused("shear"))
        elif shear > 0:
            out.append(self.step("shear", {**affine, "shear": {"x": [-shear, shear], "y": [-shear, shear]}}))
        perspective = self.gain("perspective")
        if perspective is None or perspective > 0:
            # a projective term in 1/pixels: how far it moves the corners depends on the image size
            out.append(self.refused("perspective"))
        return out

    def _hsv(self) -> list[Step]:
        out: list[Step] = []
        hue, sat, val = (self.gain(k) for k in ("hsv_h", "hsv_s", "hsv_v"))
        if hue is None or hue > 1:
            out.append(self.refused("hsv_h"))
        elif hue > 0:
            # OpenCV hue units of 2°: up to 180 * hsv_h, and the table's values are cut to whole units
            shift = math.ceil(180 * hue - 1e-9)
            hsv = {NATIVE: "HueSaturationValue", "sat_shift_limit": 0, "val_shift_limit": 0, "p": 1.0}
            out.append(self.step("hsv_h", {**hsv, "hue_shift_limit": [-shift, shift]}))
        if sat is None:
            out.append(self.refused("hsv_s"))
        elif sat > 0:
            jitter = {NATIVE: "ColorJitter", "brightness": 0, "contrast": 0, "hue": 0, "p": 1.0}
            out.append(self.step("hsv_s", {**jitter, "saturation": [max(0.0, 1.0 - sat), 1.0 + sat]}))
        if val is None:
            out.append(self.refused("hsv_v"))
        elif val > 0:
            gain = {NATIVE: "RandomBrightnessContrast", "brightness_limit": 0, "brightness_by_max": True, "p": 1.0}
            out.append(self.step("hsv_v", {**gain, "contrast_limit": [max(-1.0, -val), val]}))
        return out

    # ------------------------------------------------------------------ classification

    def classify(self) -> list[Step]:
        out: list[Step] = []
        size = self.size()
        scale = self.gain("scale")
        if size is None:
            out.append(self.refused("imgsz"))
        elif scale is None or scale >= 1:
            out.append(self.refused("scale"))
        else:
            crop = {
                NATIVE: "RandomResizedCrop",
                "size": [size, size],
                "scale": [1.0 - scale, 1.0],
                "ratio": [3 / 4, 4 / 3],
                "p": 1.0,
            }
            out.append(self.step("scale", crop))
        out += self.coin("fliplr", {NATIVE: "HorizontalFlip"})
        out += self.coin("flipud", {NATIVE: "VerticalFlip"})
        auto = self.raw("auto_augment")
        if auto in _AUTO:
            out.append(self.step("auto_augment", {NATIVE: f"torchvision.transforms.v2.{_AUTO[auto]}"}))
        elif auto in (None, ""):
            hue, sat, val = (self.gain(k) for k in ("hsv_h", "hsv_s", "hsv_v"))
            if hue is None or sat is None or val is None or hue > 0.5:
                out.append(self.refused("hsv_h", "hsv_h, hsv_s, hsv_v"))
            elif hue or sat or val:
                jitter = {
                    NATIVE: "torchvision.transforms.v2.ColorJitter",
                    "brightness": val,
                    "contrast": val,
                    "saturation": sat,
                    "hue": hue,
                }
                out.append(self.step("hsv_h", jitter))
        else:
            out.append(self.refused("auto_augment"))
        out += self.coin("erasing", {NATIVE: "torchvision.transforms.v2.RandomErasing"})
        return out


def _builtin_albumentations() -> list[Step]:
    """The albumentations transforms Ultralytics adds whenever albumentations is installed (its ``Albumentations``
    step), each named on its own."""
    return [
        (
            {NATIVE: name, "p": 0.01},
            f"{name}(p=0.01), {BUILT_IN_MARK} when albumentations is installed",
            name,
            False,
        )
        for name in ("Blur", "MedianBlur", "ToGray", "CLAHE")
    ]


def located(steps: list[Step]) -> list[Located]:
    """Each step at its setting (one the settings do not give at their first line), named by the setting."""
    return [
        (
            item,
            written,
            (key,) if given else None,
            key if given else f"{key} ({BUILT_IN_MARK})" if BUILT_IN_MARK in written else f"{key} (default)",
        )
        for item, written, key, given in steps
    ]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


__all__ = [
    "BUILT_IN_MARK",
    "CALL",
    "DEFAULTS",
    "DEFAULT_MARK",
    "Located",
    "is_settings",
    "located",
    "trains",
    "ultralytics_pipeline",
]
