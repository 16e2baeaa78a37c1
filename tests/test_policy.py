from __future__ import annotations

from pathlib import Path

import albumentations as A
import pytest

import safeaug
from safeaug.policies.describe import describe_policy
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


BUILTIN_IDS = {
    "chest_xray",
    "mammography",
    "fundus",
    "dermoscopy",
    "histopathology",
    "ct",
    "mri",
    "ocr",
    "traffic_signs",
    "driving",
    "remote_sensing",
    "small_objects",
    "natural",
    "face_landmarks",
    "vision_language",
}


def test_the_builtin_policies_are_listed_and_the_bases_are_not() -> None:
    assert set(safeaug.list_policies()) == BUILTIN_IDS
    for base in ("medical", "radiograph"):
        assert base not in safeaug.list_policies()
        assert safeaug.load_policy(base).id == base  # loadable, and extendable by users


def test_every_invariant_of_every_policy_has_a_reason_and_a_reference_whatever_the_parameters() -> None:
    variants = [
        ("fundus", {"laterality_in_label": False}),
        ("mammography", {"laterality_in_label": False}),
        ("ct", {"lateral_labels": False}),
        ("mri", {"lateral_labels": False}),
        ("remote_sensing", {"orientation_in_label": True}),
        ("histopathology", {"stain_augmentation": "strong"}),
        ("small_objects", {"image_level_labels": True}),
    ]
    for pid, params in [(p, {}) for p in safeaug.list_policies()] + variants:
        policy = safeaug.load_policy(pid, **params)
        for inv in policy.invariants:
            assert len(inv.reason.split()) >= 5, (pid, inv.effect)
            assert inv.references and all(r.strip() for r in inv.references), (pid, inv.effect)
            # every reference is a source a reader can look up, not notes that ship with nothing
            assert not any("research notes" in r.lower() for r in inv.references), (pid, inv.effect)
            assert "{" not in inv.reason and "}" not in inv.reason, (pid, inv.effect)


# The chest_xray bounds as first published; the policy now inherits some of them from `radiograph`.
CHEST_XRAY_BOUNDS = {
    "mirror": (False, None, None, "error"),
    "rotation": (True, None, 15, "error"),
    "scale": (True, 0.85, 1.15, "error"),
    "translation": (True, None, 0.15, "error"),
    "shear": (True, None, 10, "error"),
    "perspective": (True, None, 0.05, "error"),
    "nonrigid": (True, None, None, "error"),
    "warp": (True, None, 0.3, "error"),
    "fold": (False, None, None, "error"),
    "crop": (True, 0.45, None, "error"),
    "edge": (True, None, 0.25, "error"),
    "reflect_border": (False, None, None, "warning"),
    "inversion": (False, None, None, "error"),
    "nonmonotone": (False, None, None, "error"),
    "posterize": (True, 6, None, "error"),
    "brightness": (True, None, 0.2, "error"),
    "contrast": (True, 0.8, 1.2, "error"),
    "gamma": (True, 0.8, 1.2, "error"),
    "hue": (False, None, None, "error"),
    "saturation": (False, None, None, "error"),
    "color": (False, None, None, "error"),
    "blur": (True, None, 1.0, "error"),
    "noise": (True, None, 0.05, "error"),
    "resolution": (True, 0.5, None, "error"),
    "compression": (True, 70, None, "error"),
    "occlusion": (True, None, 0.1, "warning"),
    "topology": (False, None, None, "error"),
    "mixing": (False, None, None, "error"),
    "overlay": (False, None, None, "error"),
}


def test_chest_xray_keeps_every_bound_through_inheritance() -> None:
    policy = safeaug.load_policy("chest_xray")
    got = {i.effect: (i.allowed, i.min, i.max, i.severity) for i in policy.invariants}
    assert got == CHEST_XRAY_BOUNDS
    assert policy.extends == "radiograph"
    assert policy.loosened == ()


def test_tightening_a_builtin_refuses_more_and_is_not_reported_as_loosening(tmp_path: Path) -> None:
    path = tmp_path / "ward.yaml"
    path.write_text(
        "id: ward\ntitle: Our ward\nextends: chest_xray\ninvariants:\n"
        "  - effect: rotation\n    max: 5\n    reason: our technicians position carefully\n"
        "  - effect: nonrigid\n    allowed: false\n    reason: we measure lung shape\n"
    )
    policy = safeaug.load_policy(path)
    assert policy.loosened == ()
    assert not safeaug.validate(A.Compose([A.ElasticTransform()]), path).ok
    assert safeaug.validate(A.Compose([A.ElasticTransform()]), "chest_xray").ok


def test_loosening_a_builtin_is_visible(tmp_path: Path) -> None:
    path = tmp_path / "loose.yaml"
    path.write_text(
        "id: loose\ntitle: Lung masks\nextends: chest_xray\ninvariants:\n"
        "  - effect: mirror\n    allowed: true\n    reason: lung masks are not lateral and flip with the image\n"
        "  - effect: rotation\n    max: 45\n    reason: the segmentation model must survive any tilt\n"
        "  - effect: occlusion\n    max: 0.05\n    reason: tighter, not looser\n"
        "allow:\n  - transform: Lambda\n    reason: our Lambda only casts dtypes\n"
    )
    policy = safeaug.load_policy(path)
    loosened = "\n".join(policy.loosened)
    assert "mirror: `chest_xray` has forbidden, `loose` has allowed" in loosened
    assert "rotation: `chest_xray` has ≤ ±15°, `loose` has ≤ ±45°" in loosened
    assert "occlusion" not in loosened
    assert "Lambda" in loosened
    assert len(policy.loosened) == 3
    text = describe_policy(policy)
    assert "looser than the policies it extends:" in text and "±45°" in text


def test_loosening_through_two_levels_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "id: a\ntitle: A\nextends: chest_xray\ninvariants:\n  - effect: hue\n    max: 5\n    reason: pseudo-colour\n"
    )
    (tmp_path / "b.yaml").write_text("id: b\ntitle: B\nextends: a.yaml\n")
    policy = safeaug.load_policy(tmp_path / "b.yaml")
    assert any(line.startswith("hue: `chest_xray` has forbidden") for line in policy.loosened)


def test_extends_an_unknown_parent_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("id: p\ntitle: P\nextends: chest_xrays\n")
    with pytest.raises(safeaug.PolicyError, match=r"p.yaml:3: `extends: chest_xrays` is neither"):
        safeaug.load_policy(path)
