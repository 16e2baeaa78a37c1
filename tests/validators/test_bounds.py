"""The table-driven effect codes: what a finding carries."""

from __future__ import annotations

import albumentations as A

import safeaug


def test_findings_carry_policy_reason_location_and_fix() -> None:
    (f,) = safeaug.validate(A.Compose([A.NoOp(), A.Transpose()]), "natural").findings
    assert (f.code, f.severity, f.transform, f.location, f.line, f.policy) == (
        "SA102",
        "error",
        "Transpose",
        "transforms[1]",
        None,
        "natural",
    )
    assert "gravity" in f.reason and f.fix and f.references
