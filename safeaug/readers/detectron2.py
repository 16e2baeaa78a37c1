"""detectron2 YAML configs read as the training augmentation detectron2's ``DatasetMapper`` builds from them.

A detectron2 config (``cfg.merge_from_file``) augments by settings under ``INPUT``, and every setting it leaves
out keeps its default (``detectron2/config/defaults.py``): ``INPUT.RANDOM_FLIP`` is ``"horizontal"``, so a config
that never mentions it mirrors half the training images (a chest film, a document page). The training
pipeline (``detection_utils.build_augmentation`` and ``DatasetMapper``) is:

* ``INPUT.CROP`` (when ``ENABLED``), first: ``relative_range`` crops a share drawn between ``SIZE`` and 1 of
  each side, ``relative`` exactly ``SIZE``, at a random place (``CropAndPad`` cutting up to that share, split
  between the two sides); ``absolute`` and ``absolute_range`` crop to pixels (``RandomCrop``);
* ``ResizeShortestEdge(MIN_SIZE_TRAIN, MAX_SIZE_TRAIN, MIN_SIZE_TRAIN_SAMPLING)``: the short side to one of
  ``MIN_SIZE_TRAIN`` (``choice``) or to a size between its two (``range``), unless the long side would then
  pass ``MAX_SIZE_TRAIN``, which it is scaled to instead: one resize, as large as fits a box ``short`` high and
  ``MAX_SIZE_TRAIN`` wide (the box turned for a portrait image), a ``OneOf`` of ``LongestMaxSize(max_size_hw=
  box)`` over the boxes (the one a given image gets is among them);
* ``INPUT.RANDOM_FLIP``: ``"horizontal"`` or ``"vertical"`` flips with probability 0.5 (``T.RandomFlip``),
  ``"none"`` not at all.

``_BASE_`` files (a path relative to the config) are read and merged first, as ``merge_from_file`` does, and
a setting they give is named with its file (``INPUT.RANDOM_FLIP: 'horizontal' (from Base-RCNN-FPN.yaml)``) at
the line of ``_BASE_``. A base that cannot be read is refused (SA401), and so is any ``INPUT`` setting
detectron2 does not have (a project's own ``INPUT.COLOR_JITTER`` is read by a mapper of the project's, whose
augmentations are not in the config). The reading assumes detectron2's own ``DatasetMapper``; a trainer that
builds its own mapper in code augments as that code says.
"""

from __future__ import annotations

import ast
import math
import os
from collections.abc import Mapping
from typing import Any

from safeaug._files import read_bytes
from safeaug._yaml import load_lenient
from safeaug.errors import ConfigError

NATIVE = "__class_fullname__"

# detectron2/config/defaults.py
DEFAULTS: dict[str, Any] = {
    "MIN_SIZE_TRAIN": [800],
    "MIN_SIZE_TRAIN_SAMPLING": "choice",
    "MAX_SIZE_TRAIN": 1333,
    "RANDOM_FLIP": "horizontal",
    "CROP": {"ENABLED": False, "TYPE": "relative_range", "SIZE": [0.9, 0.9]},
}
# INPUT settings of detectron2 that move no pixel in training.
QUIET = frozenset({"MIN_SIZE_TEST", "MAX_SIZE_TEST", "FORMAT", "MASK_FORMAT"})
_SECTIONS = frozenset({"MODEL", "SOLVER", "DATASETS", "DATALOADER", "TEST", "INPUT"})
# detectron2's own meta-architectures (``modeling/meta_arch``): a config naming one is detectron2's.
_ARCHITECTURES = frozenset({"GeneralizedRCNN", "ProposalNetwork", "RetinaNet", "SemanticSegmentor", "PanopticFPN"})
_MAX_BASES = 8
_MAX_BYTES = 1024 * 1024

# (transform mapping, the setting as written, the key whose line it takes or None for the settings' line)
Step = tuple[dict[str, Any], str, tuple[str, ...] | None]
# How a step's name says it is not written in the file (the words of findings read this mark back).
DEFAULT_MARK = "(detectron2's default)"


# Marks a config built in code (``cfg = get_cfg()``: its name and line), and holds what of it cannot be read.
CODE = "__detectron2_code__"
UNREAD = "__detectron2_unread__"


def is_config(obj: Any, top: bool) -> bool:
    """Whether ``obj`` (at the top of its file: ``top``) is a detectron2 config: an ``INPUT`` section with one of
    detectron2's training settings, a model of detectron2's own (``MODEL.META_ARCHITECTURE``), or a ``_BASE_``
    beside detectron2's sections."""
    if not isinstance(obj, Mapping):
        return False
    if isinstance(obj.get(CODE), str):
        return True
    if not top:
        return False
    given = obj.get("INPUT")
    if isinstance(given, Mapping) and any(k in given for k in DEFAULTS):
        return True
    model = obj.get("MODEL")
    if isinstance(model, Mapping) and model.get("META_ARCHITECTURE") in _ARCHITECTURES:
        return True  # detectron2's own model, trained with detectron2's defaults (the flip among them)
    return isinstance(obj.get("_BASE_"), str) and any(isinstance(obj.get(k), Mapping) for k in _SECTIONS)


def _decoded(value: Any) -> Any:
    """A value as yacs reads it from YAML: a string that is a Python literal (``"(640, 672)"``) becomes it."""
    if isinstance(value, str) and len(value) < 10_000:
        try:
            return ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return value
    if isinstance(value, Mapping):
        return {k: _decoded(v) for k, v in value.items()}
    return value


def detectron2_pipeline(config: Mapping[str, Any], source: str | None) -> list[Step]:
    """The training augmentation of ``config`` (read from ``source``), with its ``_BASE_`` files merged."""
    origins: dict[str, str] = {}  # INPUT key -> the base file that gave it
    out: list[Step] = []
    for text, line in config.get(UNREAD, ()):  # a config built in code: what it merges or sets unreadably
        out.append(({NATIVE: f"detectron2.code({text})"}, text, ("__unread__", str(line))))
    merged = _merged_input(config, source, origins, out, depth=0)
    settings = _Settings(merged, origins)
    for key in sorted(set(merged) - set(DEFAULTS) - QUIET):  # a project's own: its own mapper reads it
        out.append(settings.refused(key))
    out += settings.crop()
    out += settings.resize()
    out += settings.flip()
    return out


def _merged_input(
    config: Mapping[str, Any], source: str | None, origins: dict[str, str], out: list[Step], depth: int
) -> dict[str, Any]:
    """``config``'s INPUT section over its bases' (the nearest base first); a base that cannot be read is a
    refused step."""
    given = config.get("INPUT")
    merged: dict[str, Any] = {k: _decoded(v) for k, v in given.items()} if isinstance(given, Mapping) else {}
    base = config.get("_BASE_")
    if base is None:
        return merged
    if not isinstance(base, str) or source is None or depth >= _MAX_BASES:
        out.append(({NATIVE: f"detectron2._BASE_({base!r})"}, f"_BASE_: {base!r}", ("_BASE_",)))
        return merged
    path = os.path.normpath(os.path.join(os.path.dirname(source), base))
    loaded = _load(path)
    if loaded is None:
        out.append(({NATIVE: f"detectron2._BASE_({base!r})"}, f"_BASE_: {base!r}", ("_BASE_",)))
        return merged
    inner: list[Step] = []
    below = _merged_input(loaded, path, origins, inner, depth + 1)
    out += [(item, f"{written} (in {base})", ("_BASE_",)) for item, written, _ in inner]
    for key, value in below.items():
        if key not in merged:
            merged[key] = value
            origins.setdefault(key, os.path.basename(path))
        elif key == "CROP" and isinstance(value, Mapping) and isinstance(merged[key], Mapping):
            merged[key] = {**value, **merged[key]}  # a CfgNode merges section by section
    return merged


def _load(path: str) -> Mapping[str, Any] | None:
    try:
        data, _, _ = load_lenient(read_bytes(path, _MAX_BYTES).decode("utf-8-sig"), path)
    except (OSError, ConfigError, UnicodeDecodeError):
        return None
    return data if isinstance(data, Mapping) else None


class _Settings:
    def __init__(self, given: Mapping[str, Any], origins: Mapping[str, str]) -> None:
        self.given = given
        self.origins = origins

    def raw(self, key: str) -> Any:
        return self.given.get(key, DEFAULTS[key])

    def written(self, key: str, value: Any = None) -> str:
        shown = self.raw(key) if value is None else value
        if key not in self.given:
            return f"INPUT.{key}: {shown!r} {DEFAULT_MARK}"
        origin = self.origins.get(key)
        return f"INPUT.{key}: {shown!r}" + (f" (from {origin})" if origin else "")

    def at(self, key: str) -> tuple[str, ...] | None:
        if key not in self.given:
            return None
        return ("_BASE_",) if key in self.origins else ("INPUT", key)

    def step(self, key: str, transform: dict[str, Any], shown: Any = None) -> Step:
        return transform, self.written(key, shown), self.at(key)

    def refused(self, key: str, why: str = "") -> Step:
        value = self.given.get(key, DEFAULTS.get(key))
        return {NATIVE: f"detectron2.INPUT.{key}({why or repr(value)})"}, self.written(key, value), self.at(key)

    def crop(self) -> list[Step]:
        crop = self.raw("CROP")
        if not isinstance(crop, Mapping):
            return [self.refused("CROP")]
        settings = {**DEFAULTS["CROP"], **crop}
        enabled, kind, size = settings["ENABLED"], settings["TYPE"], settings["SIZE"]
        shown = {"ENABLED": enabled, "TYPE": kind, "SIZE": size}
        if enabled is False:
            return []
        pair = isinstance(size, (list, tuple)) and len(size) == 2 and all(map(_is_number, size))
        if enabled is not True or not pair or kind not in ("relative_range", "relative", "absolute", "absolute_range"):
            return [self.refused("CROP", repr(shown))]
        if kind in ("relative", "relative_range"):
            if not all(0 < v <= 1 for v in size):
                return [self.refused("CROP", repr(shown))]
            # each side keeps at least SIZE of itself (exactly, for "relative"), at a random place
            cut = (1.0 - min(size)) / 2
            spec = {NATIVE: "CropAndPad", "percent": [-cut, 0.0], "keep_size": False, "p": 1.0}
            if kind == "relative":
                spec["percent"] = [-cut, -cut] if cut > 0 else [0.0, 0.0]
            return [self.step("CROP", spec, shown)]
        if not all(isinstance(v, int) and v > 0 for v in size):
            return [self.refused("CROP", repr(shown))]
        h, w = (size[0], size[0]) if kind == "absolute_range" else (size[0], size[1])  # the smallest it may cut
        return [self.step("CROP", {NATIVE: "RandomCrop", "height": h, "width": w, "pad_if_needed": True}, shown)]

    def resize(self) -> list[Step]:
        sizes, sampling, cap = (
            self.raw("MIN_SIZE_TRAIN"),
            self.raw("MIN_SIZE_TRAIN_SAMPLING"),
            self.raw("MAX_SIZE_TRAIN"),
        )
        shorts = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
        if not shorts or not all(isinstance(s, int) and s > 0 for s in shorts):
            return [self.refused("MIN_SIZE_TRAIN")]
        if sampling not in ("choice", "range") or (sampling == "range" and len(shorts) != 2):
            return [self.refused("MIN_SIZE_TRAIN_SAMPLING")]
        if not (isinstance(cap, int) and cap > 0):
            return [self.refused("MAX_SIZE_TRAIN")]
        # One resize by min(short / image's short side, cap / image's long side): as large as fits a box `short`
        # high and `cap` wide for a landscape image, the box turned for a portrait one. Each box is one branch
        # (the one a given image gets is among them), each short size of the list (a range: its two ends) too.
        boxes = [[s, cap] for s in sorted(set(shorts))] + [[cap, s] for s in sorted(set(shorts)) if s != cap]
        fits = [{NATIVE: "LongestMaxSize", "max_size_hw": box, "p": 1.0} for box in boxes]
        return [self.step("MIN_SIZE_TRAIN", {NATIVE: "OneOf", "transforms": fits, "p": 1.0})]

    def flip(self) -> list[Step]:
        flip = self.raw("RANDOM_FLIP")
        if flip == "none":
            return []
        kind = {"horizontal": "HorizontalFlip", "vertical": "VerticalFlip"}.get(flip) if isinstance(flip, str) else None
        if kind is None:
            return [self.refused("RANDOM_FLIP")]
        return [self.step("RANDOM_FLIP", {NATIVE: kind, "p": 0.5})]


def located(steps: list[Step]) -> list[tuple[dict[str, Any], str, tuple[str, ...] | None, str]]:
    """Each step at its setting (one the config does not give at its first line), named by the setting."""
    return [
        (
            item,
            written,
            at,
            ".".join(at)
            if at is not None and at[0] != "__unread__"
            else written
            if at is not None
            else f"{written.partition(':')[0]} (default)",
        )
        for item, written, at in steps
    ]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


__all__ = ["CODE", "DEFAULTS", "DEFAULT_MARK", "QUIET", "UNREAD", "detectron2_pipeline", "is_config", "located"]
