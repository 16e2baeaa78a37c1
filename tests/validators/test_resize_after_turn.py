"""SA407 (shear): a resize to a fixed size after a turn, or a turn that stretches back into the frame."""

from __future__ import annotations

import albumentations as A

import safeaug


def test_a_resize_after_a_turn_is_an_unbounded_shear_warning() -> None:
    turned_first = safeaug.validate(A.Compose([A.Rotate(limit=10), A.Resize(64, 48)]), "chest_xray")
    [warning] = [f for f in turned_first.findings if f.code == "SA407"]
    assert warning.severity == "warning" and warning.location == "transforms[1]" and "Rotate" in warning.message
    assert turned_first.ok
    resized_first = safeaug.validate(A.Compose([A.Resize(64, 48), A.Rotate(limit=10)]), "chest_xray")
    assert "SA407" not in resized_first.codes()
    keeps_aspect = safeaug.validate(A.Compose([A.Rotate(limit=10), A.LongestMaxSize(64)]), "chest_xray")
    assert "SA407" not in keeps_aspect.codes()


def test_saferotate_gets_the_unbounded_shear_warning_under_a_shear_bound() -> None:
    report = safeaug.validate(A.Compose([A.SafeRotate(limit=10, p=1)]), "chest_xray")
    warnings = [f for f in report.findings if f.code == "SA407" and f.effect == "shear"]
    assert len(warnings) == 1
    assert warnings[0].transform == "SafeRotate"
    assert "aspect" in warnings[0].message
    assert warnings[0].severity == "warning"
    # no turn, no warning
    assert not [f for f in safeaug.validate(A.Compose([A.SafeRotate(limit=0, p=1)]), "chest_xray").findings]
