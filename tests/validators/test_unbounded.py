"""SA407: crops and shifts in pixels cannot be bounded without the input size, and say so."""

from __future__ import annotations

import albumentations as A

import safeaug


def test_fixed_size_crops_cannot_be_bounded_and_say_so() -> None:
    report = safeaug.validate(A.Compose([A.RandomCrop(height=64, width=64)]), "chest_xray")
    assert [(f.code, f.severity) for f in report.findings] == [("SA407", "warning")]
    assert "RandomResizedCrop" in report.findings[0].fix


def test_pixel_shifts_cannot_be_bounded_and_say_so() -> None:
    report = safeaug.validate(A.Compose([A.Affine(translate_px=(-20, 20))]), "chest_xray")
    assert [(f.code, f.severity) for f in report.findings] == [("SA407", "warning")]
