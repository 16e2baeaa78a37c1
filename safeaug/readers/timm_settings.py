"""timm training settings read as the pipeline timm's training script builds from them.

A timm run is augmented by settings: ``hflip: 0.5``, ``aa: rand-m9-mstd0.5-inc1``, ``reprob: 0.25`` in the
``--config`` file it is started with, or in the ``args.yaml`` it saves beside its checkpoints. Its training
script hands them to ``timm.data.create_transform`` (``transforms_imagenet_train``), which builds a fixed
pipeline, and every setting a file leaves out keeps the script's default: a file that sets only ``aa`` still
mirrors half the images (``hflip`` is 0.5 by default) and crops as little as 8% of them (``scale``). The
defaults below are those of timm's ``train.py``; the pipeline is that of ``timm/data/transforms_factory.py``
(timm 1.0.31), in order:

* ``no_aug: true``: a resize and a centre crop to the image size, and nothing else;
* ``scale``, ``ratio``: torchvision's ``RandomResizedCrop`` to the image size (``img_size``, or the last two
  of ``input_size``; 224, most models' size, when neither is set). ``train_crop_mode`` other than ``rrc`` is
  refused;
* ``hflip``, ``vflip``: ``RandomHorizontalFlip``, ``RandomVerticalFlip`` with that chance;
* ``aa``: timm's RandAugment (``rand-...``), AugMix (``augmix-...``, with translations of 0.3 of the side) or
  AutoAugment (any other policy name), as ``timm.data``'s factories read it (``safeaug.catalog.timm``);
* ``color_jitter`` (a number for brightness, contrast and saturation, or three or four numbers), unless
  ``aa`` is set and holds no ``3a``, as timm turns it off then: torchvision's ``ColorJitter``, with
  ``color_jitter_prob`` as its chance when set; ``grayscale_prob``: ``RandomGrayscale``; ``gaussian_blur_prob``:
  ``GaussianBlur(kernel_size=23)`` with that chance;
* ``reprob``: random erasing with that chance (up to a third of the image, in one box or ``recount`` of them);
* ``mixup``, ``cutmix``, ``cutmix_minmax``: torchvision's ``MixUp`` and ``CutMix`` (batches mixed, with
  ``mixup_prob`` as their chance).

In Python, the arguments of ``timm.data.create_transform(..., is_training=True)`` are read the same way, under
the function's own names (``auto_augment``, ``re_prob``, ``re_count``; ``input_size`` one side, or two or three
numbers) and with its defaults, which are the script's; a call whose ``is_training`` is ``False`` as written, or
left out, builds the evaluation pipeline (a resize and a centre crop) and is not read. Unpacked arguments
(``**data_config``) and positional ones past the second cannot be read: they are refused.

A mapping is a timm run's settings when it holds a setting only timm's script takes (``reprob``,
``remode``, ``recount``, ``resplit``, ``train_interpolation``, ``aug_splits``, ``jsd_loss``) beside one that
augments, or an ``aa`` that is one of timm's strings. A setting of the wrong kind (a chance outside [0, 1], a
word where a number goes, a value that cannot be read without running code) is refused under its own name
(``timm.hflip(1.5)``), never read as its default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from safeaug.libraries.timm import AUGMIX, AUTO, RAND
from safeaug.readers.ultralytics import NATIVE, Step, _is_number, _is_whole, located
from safeaug.readers.unreadable import Opaque

TV = "torchvision.transforms"

# Settings only timm's training script (and scripts built on it, DeiT's) takes.
_DISTINCT = frozenset(
    {"reprob", "remode", "recount", "resplit", "train_interpolation", "aug_splits", "jsd_loss", "aug_repeats"}
)
# Settings that change what the images go through.
_AUGMENTS = frozenset(
    {
        "aa",
        "hflip",
        "vflip",
        "scale",
        "ratio",
        "color_jitter",
        "color_jitter_prob",
        "grayscale_prob",
        "gaussian_blur_prob",
        "reprob",
        "mixup",
        "cutmix",
        "cutmix_minmax",
        "no_aug",
        "train_crop_mode",
    }
)
_AA_HEADS = frozenset({"rand", "augmix", "original", "originalr", "v0", "v0r", "3a"})  # what timm's factories take

# timm's train.py
DEFAULTS: dict[str, Any] = {
    "no_aug": False,
    "train_crop_mode": None,
    "scale": [0.08, 1.0],
    "ratio": [3.0 / 4.0, 4.0 / 3.0],
    "hflip": 0.5,
    "vflip": 0.0,
    "color_jitter": 0.4,
    "color_jitter_prob": None,
    "grayscale_prob": None,
    "gaussian_blur_prob": None,
    "aa": None,
    "reprob": 0.0,
    "recount": 1,
    "mixup": 0.0,
    "cutmix": 0.0,
    "cutmix_minmax": None,
    "mixup_prob": 1.0,
    "img_size": None,
    "input_size": None,
}
_SIZE = 224  # the input size of most of timm's models, when the settings give none

DEFAULT_MARK = "(timm's default)"

# Marks the arguments of a ``create_transform(...)`` call in Python (``readers.python_settings``): they are settings
# whatever they hold, named as the function names them. Its first two positional arguments:
CALL = "__timm_create_transform__"
POSITIONAL = ("input_size", "is_training")
# The settings whose name in ``create_transform`` differs from the training script's.
_CALL_NAMES = {"aa": "auto_augment", "reprob": "re_prob", "recount": "re_count"}


def _is_aa(value: Any) -> bool:
    return isinstance(value, str) and value.split("-", 1)[0] in _AA_HEADS


def is_settings(obj: Any) -> bool:
    """Whether ``obj`` is a mapping of timm training settings (see the module documentation)."""
    if not isinstance(obj, Mapping) or NATIVE in obj:
        return False
    if obj.get(CALL) is True or _is_aa(obj.get("aa")):
        return True
    return not _DISTINCT.isdisjoint(obj) and not _AUGMENTS.isdisjoint(obj)  # (every mapping a config holds passes here)


def timm_pipeline(settings: Mapping[str, Any]) -> list[Step] | None:
    """The pipeline timm's training script builds from ``settings`` (see the module documentation), or None when
    the mapping is not a timm run's settings."""
    if not is_settings(settings):
        return None
    return _Settings(settings).steps()


class _Settings:
    def __init__(self, given: Mapping[str, Any]) -> None:
        self.given = given
        self.call = given.get(CALL) is True  # ``create_transform``'s arguments, under its names

    def name(self, key: str) -> str:
        """The setting's name where it is written (``aa`` is ``auto_augment`` in a ``create_transform`` call)."""
        return _CALL_NAMES.get(key, key) if self.call else key

    def raw(self, key: str) -> Any:
        return self.given.get(self.name(key), DEFAULTS[key])

    def given_here(self, key: str) -> bool:
        return self.name(key) in self.given

    def written(self, key: str) -> str:
        value = self.raw(key)
        shown = repr(value) if isinstance(value, str) else "null" if value is None else value
        name = self.name(key)
        return f"{name}: {shown}" if self.given_here(key) else f"{name}: {shown} {DEFAULT_MARK}"

    def step(self, key: str, transform: dict[str, Any]) -> Step:
        return transform, self.written(key), self.name(key), self.given_here(key)

    def refused(self, key: str, why: str = "") -> Step:
        value = self.raw(key)
        text = why or (value.text if isinstance(value, Opaque) else repr(value))
        return {NATIVE: f"timm.{self.name(key)}({text})"}, self.written(key), self.name(key), self.given_here(key)

    def chance(self, key: str) -> float | None:
        """A probability (a number in [0, 1]); None when it is not one."""
        value = self.raw(key)
        return float(value) if _is_number(value) and 0.0 <= value <= 1.0 else None

    def coin(self, key: str, transform: dict[str, Any], *, unset_is_off: bool = False) -> list[Step]:
        """``transform`` run with the chance the setting gives: none at 0 (or unset, when that turns it off)."""
        if unset_is_off and self.raw(key) is None:
            return []
        chance = self.chance(key)
        if chance is None:
            return [self.refused(key)]
        return [self.step(key, {NATIVE: "Sequential", "transforms": [transform], "p": chance})] if chance > 0 else []

    def size(self) -> tuple[int, int] | None:
        img, full = self.raw("img_size"), self.raw("input_size")
        if img is not None:
            return (int(img), int(img)) if _is_whole(img) and img > 0 else None
        if self.call and _is_whole(full) and full > 0:  # (``create_transform`` takes one side too)
            return int(full), int(full)
        if full is not None:
            sides = list(full) if isinstance(full, (list, tuple)) else []
            ok = len(sides) in ((2, 3) if self.call else (3,)) and all(_is_whole(v) and v > 0 for v in sides)
            return (int(sides[-2]), int(sides[-1])) if ok else None
        return _SIZE, _SIZE

    def elsewhere(self) -> list[Step]:
        """Arguments of a ``create_transform`` call that cannot be read: each is refused (what they set is unknown)."""
        out: list[Step] = []
        for mark in ("*", "**"):
            value = self.given.get(mark)
            if value is not None:
                text = value.text if isinstance(value, Opaque) else repr(value)
                out.append(({NATIVE: f"timm.{mark}({text})"}, f"{mark}{text}", mark, True))
        return out

    def pair(self, key: str, low: float, high: float) -> list[float] | None:
        """Two numbers in [low, high], the first no larger (``null``: timm's own range, as it reads it); None for
        anything else."""
        value = self.raw(key)
        if value is None:
            value = DEFAULTS[key]
        ok = isinstance(value, (list, tuple)) and len(value) == 2
        ok = ok and all(_is_number(v) and low <= v <= high for v in value)
        return [float(value[0]), float(value[1])] if ok and value[0] <= value[1] else None

    def steps(self) -> list[Step]:
        return self.elsewhere() + self._steps()

    def _steps(self) -> list[Step]:
        out: list[Step] = []
        size = self.size()
        if size is None:  # (refused; the rest is read at the usual size, which no reading of it depends on)
            out.append(self.refused("img_size" if self.raw("img_size") is not None else "input_size"))
            size = (_SIZE, _SIZE)
        no_aug = self.raw("no_aug")
        if no_aug is True:
            fit = {NATIVE: f"{TV}.Resize", "size": list(size)}
            crop = {NATIVE: f"{TV}.CenterCrop", "size": list(size)}
            return [*out, self.step("no_aug", fit), self.step("no_aug", crop)]
        if no_aug is not False:
            out.append(self.refused("no_aug"))
        out += self._crop(size)
        out += self.coin("hflip", {NATIVE: f"{TV}.RandomHorizontalFlip", "p": 1.0})
        out += self.coin("vflip", {NATIVE: f"{TV}.RandomVerticalFlip", "p": 1.0})
        out += self._auto()
        out += self._jitter()
        out += self.coin("grayscale_prob", {NATIVE: f"{TV}.RandomGrayscale", "p": 1.0}, unset_is_off=True)
        blur = {NATIVE: f"{TV}.GaussianBlur", "kernel_size": 23}
        out += self.coin("gaussian_blur_prob", blur, unset_is_off=True)
        out += self._erasing()
        out += self._mixing()
        return out

    def _crop(self, size: tuple[int, int]) -> list[Step]:
        mode = self.raw("train_crop_mode")
        if mode not in (None, "rrc"):
            return [self.refused("train_crop_mode")]
        scale, ratio = self.pair("scale", 0.0, 1.0), self.pair("ratio", 1e-6, math.inf)
        if scale is None or scale[1] <= 0:
            return [self.refused("scale")]
        if ratio is None:
            return [self.refused("ratio")]
        crop = {NATIVE: f"{TV}.RandomResizedCrop", "size": list(size), "scale": scale, "ratio": ratio}
        return [self.step("scale", crop)]

    def _auto(self) -> list[Step]:
        aa = self.raw("aa")
        if aa is None or aa == "":
            return []
        if not isinstance(aa, str):
            return [self.refused("aa")]
        if aa.startswith("rand"):
            return [self.step("aa", {NATIVE: RAND, "config_str": aa})]
        if aa.startswith("augmix"):
            return [self.step("aa", {NATIVE: AUGMIX, "config_str": aa, "hparams": {"translate_pct": 0.3}})]
        return [self.step("aa", {NATIVE: AUTO, "config_str": aa})]

    def _jitter(self) -> list[Step]:
        aa = self.raw("aa")
        if isinstance(aa, str) and aa and "3a" not in aa and self.given.get("force_color_jitter") is not True:
            return []  # timm turns colour jitter off beside an automatic augmentation
        value = self.raw("color_jitter")
        if value is None:
            return []
        if _is_number(value) and value >= 0:
            factors = [float(value)] * 3
        elif isinstance(value, (list, tuple)) and len(value) in (3, 4) and all(_is_number(v) and v >= 0 for v in value):
            factors = [float(v) for v in value]
        else:
            return [self.refused("color_jitter")]
        if len(factors) == 4 and factors[3] > 0.5:
            return [self.refused("color_jitter")]  # a hue factor above 0.5 is refused by torchvision
        jitter = dict(zip(("brightness", "contrast", "saturation", "hue"), factors, strict=False))
        transform = {NATIVE: f"{TV}.ColorJitter", **jitter}
        if self.raw("color_jitter_prob") is None:
            return [self.step("color_jitter", transform)]
        chance = self.chance("color_jitter_prob")
        if chance is None:
            return [self.refused("color_jitter_prob")]
        return [self.step("color_jitter", {NATIVE: "Sequential", "transforms": [transform], "p": chance})]

    def _erasing(self) -> list[Step]:
        count = self.raw("recount")
        if not (_is_whole(count) and count >= 1):
            return [self.refused("recount")]
        # (timm splits the area of one draw, up to a third of the image, between the boxes)
        erase = {NATIVE: f"{TV}.RandomErasing", "p": 1.0, "scale": [0.02, 1.0 / 3.0], "ratio": [0.3, 1.0 / 0.3]}
        return self.coin("reprob", erase)

    def _mixing(self) -> list[Step]:
        out: list[Step] = []
        chance = self.chance("mixup_prob")
        for key, name in (("mixup", "MixUp"), ("cutmix", "CutMix")):
            alpha = self.raw(key)
            on = (_is_number(alpha) and alpha > 0) or (key == "cutmix" and self.raw("cutmix_minmax") is not None)
            if not _is_number(alpha) or alpha < 0:
                out.append(self.refused(key))
            elif on and chance is None:
                out.append(self.refused("mixup_prob"))
            elif on and chance:
                mixing = {NATIVE: f"{TV}.v2.{name}"}
                out.append(self.step(key, {NATIVE: "Sequential", "transforms": [mixing], "p": chance}))
        return out


__all__ = ["CALL", "DEFAULTS", "DEFAULT_MARK", "POSITIONAL", "is_settings", "located", "timm_pipeline"]
