"""``describe_policy``: the table ``safeaug explain POLICY`` prints."""

from __future__ import annotations

import pytest

import safeaug
from safeaug.policies.describe import describe_policy


@pytest.mark.parametrize("policy_id", safeaug.list_policies())
def test_every_policy_describes_every_invariant_with_its_code_and_references(policy_id: str) -> None:
    policy = safeaug.load_policy(policy_id)
    text = describe_policy(policy)
    assert text.startswith(f"{policy_id}: {policy.title}")
    for inv in policy.invariants:
        assert any(line.startswith(f"{inv.effect} ") and inv.code in line for line in text.splitlines())
        assert inv.references[0][:30] in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 120


def test_parameters_are_listed_with_the_values_given() -> None:
    text = describe_policy(safeaug.load_policy("small_objects", smallest_object_px=32))
    assert "smallest_object_px: int = 16  → 32" in text
    assert "min_visible_px: int = 8\n" in text
    assert "resolution      ≥ 0.25× resolution" in text


def test_the_label_transform_verdict_is_shown() -> None:
    text = describe_policy(safeaug.load_policy("face_landmarks"))
    assert "only with a label transform" in text
    assert "label transform `swap_left_right_keypoints`" in text


def test_conditions_warnings_and_conventions_are_marked() -> None:
    text = describe_policy(safeaug.load_policy("fundus", laterality_in_label=False))
    assert "applies when: not laterality_in_label" in text
    chest = describe_policy(safeaug.load_policy("chest_xray"))
    assert "(warning)" in chest and "[convention]" in chest
    assert "extends: radiograph" in chest
