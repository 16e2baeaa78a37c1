"""A built-in policy's id names the built-in alone: reports name a policy by its id, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

import safeaug
from safeaug.cli import main
from safeaug.policies.stored import policy_from_dict, policy_to_dict

LAX = """\
title: Chest films, mirrored too
extends: chest_xray
# The id is on line 4, where the error points.
id: {id}
invariants:
  - effect: mirror
    allowed: true
    reason: Laterality is labelled separately.
"""


@pytest.mark.parametrize("taken", ["chest_xray", "radiograph"])  # a listed policy and a base policy
def test_a_policy_file_cannot_take_a_built_in_id(tmp_path: Path, taken: str) -> None:
    path = tmp_path / "lax.yaml"
    path.write_text(LAX.format(id=taken))
    with pytest.raises(safeaug.PolicyError) as caught:
        safeaug.load_policy(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}:4: `id: {taken}` is the id of a built-in policy")
    assert f"`id: {taken}_local`, with `extends: {taken}`" in message
    path.write_text(LAX.format(id=f"{taken}_local"))
    assert safeaug.load_policy(str(path)).invariant("mirror").allowed  # type: ignore[union-attr]


def test_lint_with_such_a_policy_file_stops_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "lax.yaml"
    policy.write_text(LAX.format(id="chest_xray"))
    config = tmp_path / "train.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n    - {__class_fullname__: HorizontalFlip}\n"
    )
    assert main(["lint", str(config), "--policy", str(policy)]) == 2
    assert "is the id of a built-in policy" in capsys.readouterr().err


@pytest.mark.parametrize("policy_id", [*safeaug.list_policies(), "medical", "radiograph"])
def test_every_built_in_is_stored_by_id_and_loads_back_the_same(policy_id: str) -> None:
    policy = safeaug.load_policy(policy_id)
    stored = policy_to_dict(policy)
    assert stored == {"id": policy_id, "arguments": dict(policy.arguments)}
    assert policy_from_dict(stored) == policy
