from __future__ import annotations

from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.policy import Invariant


def test_builtin_policies_load_and_every_invariant_has_a_reason_and_a_reference() -> None:
    assert {"chest_xray", "natural"} <= set(safeaug.list_policies())
    for pid in safeaug.list_policies():
        policy = safeaug.load_policy(pid)
        assert policy.id == pid
        assert policy.invariants
        for inv in policy.invariants:
            assert inv.reason.strip()
            assert inv.references, f"{pid}: {inv.effect} has no reference"


def test_load_policy_accepts_a_policy_object_and_returns_it() -> None:
    policy = safeaug.load_policy("natural")
    assert safeaug.load_policy(policy) is policy


def test_an_unknown_id_names_the_builtin_policies() -> None:
    with pytest.raises(safeaug.PolicyError, match="chest_xray"):
        safeaug.load_policy("chest_xary")


def test_a_misspelt_key_names_the_file_line_key_and_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "ward.yaml"
    path.write_text("id: ward\ntitle: Ward\ninvariants:\n  - effect: rotation\n    maxx: 10\n    reason: tilt\n")
    with pytest.raises(safeaug.PolicyError) as info:
        safeaug.load_policy(path)
    text = str(info.value)
    assert f"{path}:5" in text
    assert "invariants[0].maxx" in text
    assert "allowed keys here:" in text and "max" in text and "reason" in text


def test_an_unknown_effect_lists_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: P\ninvariants:\n  - effect: rotaton\n    max: 10\n    reason: r\n")
    with pytest.raises(safeaug.PolicyError, match=r"unknown effect 'rotaton'.*rotation"):
        safeaug.load_policy(path)


def test_bounds_must_fit_the_effect() -> None:
    with pytest.raises(ValueError, match="yes/no effect"):
        Invariant(effect="mirror", max=1, reason="r")
    with pytest.raises(ValueError, match="use `max`"):
        Invariant(effect="rotation", min=1, reason="r")
    with pytest.raises(ValueError, match="larger than max"):
        Invariant(effect="scale", min=1.2, max=0.8, reason="r")


def test_policies_are_frozen() -> None:
    policy = safeaug.load_policy("chest_xray")
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own ValidationError subclass
        policy.id = "other"  # type: ignore[misc]


def test_extends_tightens_a_builtin_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "ward.yaml"
    path.write_text(
        "id: ward\ntitle: Our ward\nextends: chest_xray\ninvariants:\n"
        "  - effect: rotation\n    max: 5\n    reason: our technicians position carefully\n"
        "    references: [local SOP]\n"
    )
    policy = safeaug.load_policy(path)
    assert policy.invariant("rotation").max == 5  # type: ignore[union-attr]
    assert policy.invariant("mirror") == safeaug.load_policy("chest_xray").invariant("mirror")
    assert not safeaug.validate(A.Compose([A.Rotate(limit=10)]), path).ok
    assert safeaug.validate(A.Compose([A.Rotate(limit=10)]), "chest_xray").ok


def test_extends_can_lift_a_ban_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "seg.yaml"
    path.write_text(
        "id: lung_seg\ntitle: Lung masks\nextends: chest_xray\ninvariants:\n"
        "  - effect: mirror\n    allowed: true\n    reason: lung masks are not lateral and flip with the image\n"
    )
    assert safeaug.validate(A.Compose([A.HorizontalFlip()]), path).ok


def test_extends_in_a_circle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: a\ntitle: A\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("id: b\ntitle: B\nextends: a.yaml\n")
    with pytest.raises(safeaug.PolicyError, match="circle"):
        safeaug.load_policy(tmp_path / "a.yaml")


def test_deny_and_allow_lists_by_name(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: p\ntitle: P\nextends: natural\n"
        "deny:\n  - transform: Posterize\n    reason: our sensors are 12-bit; posterised images never occur\n"
        "allow:\n  - transform: Lambda\n    reason: our Lambda only casts dtypes\n"
    )
    report = safeaug.validate(A.Compose([A.Posterize(), A.Lambda(image=lambda x, **k: x)]), path)
    assert report.codes() == ["SA402"]
    assert "12-bit" in report.findings[0].reason


def test_a_policy_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(safeaug.PolicyError, match="mapping"):
        safeaug.load_policy(path)
