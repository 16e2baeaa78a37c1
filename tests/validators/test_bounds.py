"""The table-driven effect codes: what a finding carries."""

from __future__ import annotations

import dataclasses
from typing import Any

import albumentations as A
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import safeaug
from safeaug.effects import IDENTITY, Envelope
from safeaug.validators import bounds


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


# ------------------------------------------------------------------------------------------ shortcuts
#
# The bounds check examines only the transforms that move an invariant's fields, and folds the pipeline
# again (without the flagged transforms) only when two or more of the rest have the effect. Both are
# shortcuts: with them off, every transform is examined and every refold is made, and the findings must
# be the same.


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["chest_xray", "natural", "ocr"])
@given(pipe=S.pipelines(), more=st.lists(S.pipelines(2), max_size=3))
def test_the_bounds_shortcuts_find_what_examining_everything_finds(policy: str, pipe: Any, more: list[Any]) -> None:
    pipeline = [pipe, *more]
    shortcut = safeaug.validate(pipeline, policy).findings
    with pytest.MonkeyPatch.context() as patch:
        # every field "made by folding": the refold is never skipped; doing nothing "breaks" every bound: every
        # transform is examined (breaks() itself still decides)
        patch.setattr(bounds, "_MADE_BY_FOLDING", frozenset(f.name for f in dataclasses.fields(Envelope)))
        patch.setattr(bounds, "_READINGS", {})  # read each invariant again, with the patched set
        patch.setattr(bounds, "_movers", lambda j, rule: [leaf for leaf in j.live if leaf.envelope is not IDENTITY])
        everything = safeaug.validate(pipeline, policy).findings
    assert shortcut == everything


def test_a_turn_left_after_the_flagged_one_is_still_added_to_the_rest() -> None:
    # Rotate(45) is flagged on its own; the two turns of 10° left add up to 20°, past chest_xray's 15°: a refold.
    report = safeaug.validate(
        A.Compose([A.Rotate(limit=45, p=0.5), A.Rotate(limit=10, p=0.5), A.Affine(rotate=(-10, 10), p=0.5)]),
        "chest_xray",
    )
    assert [f.location for f in report.findings if f.code == "SA102"] == ["", "transforms[0]"]
    [together] = [f for f in report.findings if f.location == ""]
    assert together.message.startswith("Even without the transforms flagged above, together,")
    # one turn of 10° left: no refold, and nothing to add
    one = safeaug.validate(A.Compose([A.Rotate(limit=45, p=0.5), A.Rotate(limit=10, p=0.5)]), "chest_xray")
    assert [f.location for f in one.findings if f.code == "SA102"] == ["transforms[0]"]
    # drawn three times with replacement: the one turn left adds up to 30°
    drawn = safeaug.validate(
        A.Compose([A.Rotate(limit=45, p=0.5), A.SomeOf([A.Rotate(limit=10, p=1)], n=3, replace=True)]), "chest_xray"
    )
    assert [f.location for f in drawn.findings if f.code == "SA102"] == ["", "transforms[0]"]


@pytest.mark.parametrize("driver", ["r_shift_limit", "g_shift_limit", "b_shift_limit"])
def test_a_finding_quotes_the_argument_that_drives_the_effect_whichever_it_is(driver: str) -> None:
    limits = {"r_shift_limit": 0, "g_shift_limit": 0, "b_shift_limit": 0, driver: (-40, 40)}
    (f,) = safeaug.validate(A.Compose([A.RGBShift(p=0.5, **limits)]), "chest_xray").findings
    assert f.code == "SA208"
    assert f"`{driver}=(-40, 40)`" in f.message
    assert all(f"`{name}=(0, 0)`" in f.message for name in limits if name != driver)  # no "-0" from a stored -0.0
    assert "`r_shift_limit`, `g_shift_limit` and `b_shift_limit`" in f.fix
