"""SA401: transforms safeaug cannot describe are refused, and a registered one is judged."""

from __future__ import annotations

import albumentations as A
import numpy as np
import pytest

import safeaug


class SneakyFlip(A.HorizontalFlip):
    """A user subclass that changes what apply does: its base's entry no longer describes it."""

    def apply(self, img: np.ndarray, **params: object) -> np.ndarray:
        return np.ascontiguousarray(img[::-1])


class Tint(A.ImageOnlyTransform):
    def __init__(self, shift: float = 5.0, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.shift = shift

    def apply(self, img: np.ndarray, **params: object) -> np.ndarray:
        return img

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("shift",)


def test_a_subclass_that_overrides_apply_fails_closed() -> None:
    report = safeaug.validate(A.Compose([SneakyFlip()]), "natural")
    assert report.codes() == ["SA401"]
    assert "overrides apply" in report.findings[0].message


def test_unknown_transforms_fail_closed_and_lambda_too() -> None:
    report = safeaug.validate(A.Compose([Tint(), A.Lambda(image=lambda x, **k: x)]), "natural")
    assert report.codes() == ["SA401", "SA401"]
    assert not report.ok
    tint, lam = report.findings
    assert "register_transform(Tint, safeaug.Envelope(...))" in tint.fix
    assert "transform class" in lam.fix and "`Lambda`" in lam.fix


def test_registering_a_custom_transform_lets_it_be_judged() -> None:
    safeaug.register_transform(
        Tint, lambda p: safeaug.Envelope(hue=p.number("shift"), color=True), defaults={"shift": 5.0, "p": 0.5}
    )
    try:
        assert safeaug.validate(A.Compose([Tint(shift=3)]), "natural").ok
        report = safeaug.validate(A.Compose([Tint(shift=3)]), "chest_xray")
        assert set(report.codes()) == {"SA206", "SA208"}
        with pytest.raises(ValueError, match="already has a catalog entry"):
            safeaug.register_transform(Tint, safeaug.Envelope())
    finally:
        safeaug.unregister_transform(Tint)
    assert safeaug.validate(A.Compose([Tint()]), "natural").codes() == ["SA401"]
