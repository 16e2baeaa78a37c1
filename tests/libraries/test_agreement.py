"""One verdict whichever library a pipeline is written in.

The same label-breaking pipeline — a left-right flip, a turn of up to 30 degrees, a hue shift of up to 36
degrees and a reflecting border — and the same safe pipeline (a 5 degree turn, a mild brightness/contrast
jitter) are written in each library, as live objects, as a config and as Python source. Each must get the
codes the albumentations version gets under chest_xray, ct and ocr; the safe one is admitted everywhere.

A library adds its version as one more :class:`Written` in ``WRITTEN`` (``live`` builds the objects and is
only called when the library imports; ``config`` and ``source`` are read without it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import safeaug

POLICIES = ("chest_xray", "ct", "ocr")


@dataclass(frozen=True)
class Written:
    """One library's spelling of the two pipelines."""

    module: str  # what must import for the live objects
    live: Callable[[str], Any]  # "bad" | "safe" -> the live pipeline
    config: Callable[[str], tuple[str, str]]  # "bad" | "safe" -> (file name, text)
    source: Callable[[str], str]  # "bad" | "safe" -> Python source building it


# ------------------------------------------------------------------------------------------ albumentations


def _albumentations_live(kind: str) -> Any:
    import albumentations as A

    if kind == "bad":
        return A.Compose(
            [
                A.HorizontalFlip(p=0.5),
                A.Rotate(limit=30, border_mode=0, p=0.5),
                A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1, p=0.5),
                A.Pad(padding=8, border_mode=4),
            ]
        )
    return A.Compose(
        [
            A.Rotate(limit=5, border_mode=0, p=0.5),
            A.ColorJitter(brightness=0.05, contrast=0.05, saturation=0, hue=0, p=0.5),
        ]
    )


_ALBU_BAD = """\
transform:
  _target_: albumentations.Compose
  transforms:
    - {_target_: albumentations.HorizontalFlip, p: 0.5}
    - {_target_: albumentations.Rotate, limit: 30, border_mode: 0, p: 0.5}
    - {_target_: albumentations.ColorJitter, brightness: 0, contrast: 0, saturation: 0, hue: 0.1, p: 0.5}
    - {_target_: albumentations.Pad, padding: 8, border_mode: 4}
"""
_ALBU_SAFE = """\
transform:
  _target_: albumentations.Compose
  transforms:
    - {_target_: albumentations.Rotate, limit: 5, border_mode: 0, p: 0.5}
    - {_target_: albumentations.ColorJitter, brightness: 0.05, contrast: 0.05, saturation: 0, hue: 0, p: 0.5}
"""


def _albumentations_source(kind: str) -> str:
    if kind == "bad":
        return """\
import albumentations as A
import cv2

train = A.Compose([
    A.HorizontalFlip(p=0.5),
    A.Rotate(limit=30, border_mode=cv2.BORDER_CONSTANT, p=0.5),
    A.ColorJitter(brightness=0, contrast=0, saturation=0, hue=0.1, p=0.5),
    A.Pad(padding=8, border_mode=cv2.BORDER_REFLECT_101),
])
"""
    return """\
import albumentations as A

train = A.Compose([
    A.Rotate(limit=5, border_mode=0, p=0.5),
    A.ColorJitter(brightness=0.05, contrast=0.05, saturation=0, hue=0, p=0.5),
])
"""


# ------------------------------------------------------------------------------------------ torchvision


def _torchvision_live(kind: str) -> Any:
    import torchvision.transforms.v2 as T

    if kind == "bad":
        return T.Compose(
            [
                T.RandomHorizontalFlip(p=0.5),
                T.RandomApply([T.RandomRotation(30)], p=0.5),
                T.RandomApply([T.ColorJitter(hue=0.1)], p=0.5),
                T.Pad(8, padding_mode="reflect"),
            ]
        )
    return T.Compose(
        [
            T.RandomApply([T.RandomRotation(5)], p=0.5),
            T.RandomApply([T.ColorJitter(brightness=0.05, contrast=0.05)], p=0.5),
        ]
    )


_TV_BAD = """\
train_transforms:
  class_path: torchvision.transforms.v2.Compose
  init_args:
    transforms:
      - class_path: torchvision.transforms.v2.RandomHorizontalFlip
      - class_path: torchvision.transforms.v2.RandomApply
        init_args:
          transforms: [{class_path: torchvision.transforms.v2.RandomRotation, init_args: {degrees: 30}}]
      - class_path: torchvision.transforms.v2.RandomApply
        init_args:
          transforms: [{class_path: torchvision.transforms.v2.ColorJitter, init_args: {hue: 0.1}}]
      - class_path: torchvision.transforms.v2.Pad
        init_args: {padding: 8, padding_mode: reflect}
"""
_TV_SAFE = """\
train_transforms:
  class_path: torchvision.transforms.v2.Compose
  init_args:
    transforms:
      - class_path: torchvision.transforms.v2.RandomApply
        init_args:
          transforms: [{class_path: torchvision.transforms.v2.RandomRotation, init_args: {degrees: 5}}]
      - class_path: torchvision.transforms.v2.RandomApply
        init_args:
          transforms:
            - class_path: torchvision.transforms.v2.ColorJitter
              init_args: {brightness: 0.05, contrast: 0.05}
"""


def _torchvision_source(kind: str) -> str:
    if kind == "bad":
        return """\
from torchvision.transforms import v2 as T

train = T.Compose([
    T.RandomHorizontalFlip(),
    T.RandomApply([T.RandomRotation(30)]),
    T.RandomApply([T.ColorJitter(hue=0.1)]),
    T.Pad(8, padding_mode="reflect"),
])
"""
    return """\
import torchvision.transforms as T

train = T.Compose([
    T.RandomApply([T.RandomRotation(degrees=5)], p=0.5),
    T.RandomApply([T.ColorJitter(0.05, 0.05)], p=0.5),
])
"""


WRITTEN: dict[str, Written] = {
    "albumentations": Written(
        "albumentations",
        _albumentations_live,
        lambda kind: ("albu.yaml", _ALBU_BAD if kind == "bad" else _ALBU_SAFE),
        _albumentations_source,
    ),
    "torchvision": Written(
        "torchvision",
        _torchvision_live,
        lambda kind: ("tv.yaml", _TV_BAD if kind == "bad" else _TV_SAFE),
        _torchvision_source,
    ),
}


def _codes(report: safeaug.Report) -> list[tuple[str, str]]:
    return sorted((f.code, f.severity) for f in report.findings)


def _reference(kind: str, policy: str, tmp_path: Path) -> list[tuple[str, str]]:
    name, text = WRITTEN["albumentations"].config(kind)
    path = tmp_path / f"reference_{name}"
    path.write_text(text)
    return _codes(safeaug.validate(path, policy))


def test_the_reference_pipelines_are_what_they_claim(tmp_path: Path) -> None:
    for policy in POLICIES:
        codes = {code for code, severity in _reference("bad", policy, tmp_path) if severity == "error"}
        assert {"SA101", "SA102"} <= codes, policy  # the mirror and the turn are refused everywhere
        assert _reference("safe", policy, tmp_path) == [], policy
    assert "SA206" in {code for code, _ in _reference("bad", "chest_xray", tmp_path)}  # the reflecting border


@pytest.mark.parametrize("library", sorted(WRITTEN))
@pytest.mark.parametrize("kind", ["bad", "safe"])
@pytest.mark.parametrize("form", ["config", "source"])
def test_files_get_the_same_codes_in_every_library(library: str, kind: str, form: str, tmp_path: Path) -> None:
    written = WRITTEN[library]
    if form == "config":
        name, text = written.config(kind)
    else:
        name, text = "train.py", written.source(kind)
    path = tmp_path / name
    path.write_text(text)
    for policy in POLICIES:
        report = safeaug.validate(path, policy)
        assert _codes(report) == _reference(kind, policy, tmp_path), (library, form, policy, report.findings)
        assert report.ok == (kind == "safe")


@pytest.mark.parametrize("library", sorted(WRITTEN))
@pytest.mark.parametrize("kind", ["bad", "safe"])
def test_live_objects_get_the_same_codes_in_every_library(library: str, kind: str, tmp_path: Path) -> None:
    written = WRITTEN[library]
    try:
        importlib.import_module(written.module)
    except Exception as exc:  # absent, or (torchvision on a CPU-only torch build) unable to load its operators
        pytest.skip(f"{written.module} cannot be imported here: {type(exc).__name__}")
    pipeline = written.live(kind)
    for policy in POLICIES:
        report = safeaug.validate(pipeline, policy)
        assert _codes(report) == _reference(kind, policy, tmp_path), (library, policy, report.findings)
        if kind == "safe":
            safeaug.check(pipeline, policy)
