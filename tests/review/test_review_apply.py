"""`review apply`: the bound is the largest magnitude every reader accepted; a review only tightens; lint and
validate enforce the written policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import albumentations as A
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import safeaug
from safeaug.cli import main
from safeaug.review import apply

ROT = [-20.0, -15.0, -10.0, -5.0, 5.0, 10.0, 15.0, 20.0]


def _rot(reject_above: float) -> list[tuple[str, float, str]]:
    return [("rotation", m, "reject" if abs(m) > reject_above else "accept") for m in ROT]


def test_bound_is_the_largest_magnitude_every_reader_accepted(
    write_review: Callable[..., Path], tmp_path: Path
) -> None:
    a = write_review("ann", _rot(10))  # accepts up to 10
    b = write_review("bo", _rot(5))  # accepts up to 5
    policy = apply([a, b], tmp_path / "reviewed.yaml")
    rotation = policy.invariant("rotation")
    assert rotation is not None and rotation.max == 5.0
    assert policy.loosened == ()
    assert "ann (2026-12-01)" in rotation.reason and "bo (2026-12-01)" in rotation.reason
    assert any("ann.yaml" in r for r in rotation.references)
    text = (tmp_path / "reviewed.yaml").read_text()
    assert 'extends: "chest_xray"' in text and "# readers: ann (2026-12-01), bo (2026-12-01)" in text
    assert "decisions: 16; rejections: 10" in text
    # the parent's other invariants stay
    assert policy.invariant("mirror") is not None and not policy.invariant("mirror").allowed  # type: ignore[union-attr]


def test_an_unsure_or_undecided_item_is_neither_accepted_nor_rejected(
    write_review: Callable[..., Path], tmp_path: Path
) -> None:
    rows = _rot(10)
    rows[5] = ("rotation", 10.0, "unsure")  # +10 no longer accepted by everyone
    rows[2] = ("rotation", -10.0, None)
    policy = apply([write_review("ann", rows)], tmp_path / "p.yaml")
    assert policy.invariant("rotation").max == 5.0  # type: ignore[union-attr]


def test_a_review_only_tightens(write_review: Callable[..., Path], tmp_path: Path) -> None:
    # chest_xray allows ±15°; readers accept up to 20° but reject nothing: nothing changes
    lenient = apply([write_review("ann", [("rotation", m, "accept") for m in ROT])], tmp_path / "a.yaml")
    assert lenient.invariant("rotation").max == 15  # type: ignore[union-attr]
    # readers reject 20 and accept 15: the bound would be 15, as strict as the policy already is
    same = apply([write_review("bo", _rot(15))], tmp_path / "b.yaml")
    assert same.invariant("rotation").max == 15  # type: ignore[union-attr]
    assert "effect: rotation" not in (tmp_path / "b.yaml").read_text()
    # an inconsistent reader (rejects 5, accepts 20): the bound stays below every rejection
    odd = [("rotation", m, "reject" if abs(m) == 5 else "accept") for m in ROT]
    strict = apply([write_review("cy", odd)], tmp_path / "c.yaml")
    assert strict.invariant("rotation").allowed is False  # type: ignore[union-attr]
    for p in (lenient, same, strict):
        assert p.loosened == ()


def test_factor_ranges_are_tightened_per_side(write_review: Callable[..., Path], tmp_path: Path) -> None:
    rows = [
        ("gamma", 0.8, "reject"),
        ("gamma", 0.85, "reject"),
        ("gamma", 0.9, "accept"),
        ("gamma", 0.95, "accept"),
        ("gamma", 1.05, "accept"),
        ("gamma", 1.1, "accept"),
        ("gamma", 1.15, "accept"),
        ("gamma", 1.2, "accept"),
    ]
    gamma = apply([write_review("ann", rows)], tmp_path / "p.yaml").invariant("gamma")
    assert (gamma.min, gamma.max) == (0.9, 1.2)  # type: ignore[union-attr]


def test_floors_and_flags(write_review: Callable[..., Path], tmp_path: Path) -> None:
    rows = [
        ("crop", 0.95, "accept"),
        ("crop", 0.9, "accept"),
        ("crop", 0.85, "reject"),
        ("mirror", 1.0, "reject"),
    ]
    policy = apply([write_review("ann", rows, policy="natural")], tmp_path / "p.yaml")
    assert policy.invariant("crop").min == 0.9  # type: ignore[union-attr]
    assert policy.invariant("mirror").allowed is False  # type: ignore[union-attr]
    assert (
        safeaug.load_policy("natural").invariant("mirror") is None
        or safeaug.load_policy("natural").invariant("mirror").allowed
    )  # type: ignore[union-attr]


def test_lint_and_validate_enforce_the_written_policy(
    write_review: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reviewed.yaml"
    pipeline = A.Compose([A.Rotate(limit=10, p=0.5)])
    assert safeaug.validate(pipeline, "chest_xray").ok
    assert main(["review", "apply", str(write_review("ann", _rot(5))), "-o", str(out)]) == 0
    assert "rotation: 8 images, 6 rejected, now ≤ ±5°" in capsys.readouterr().out
    report = safeaug.validate(pipeline, str(out))
    assert not report.ok and [f.code for f in report.findings] == ["SA102"]
    assert safeaug.validate(A.Compose([A.Rotate(limit=5, p=0.5)]), str(out)).ok
    config = tmp_path / "train.json"
    A.save(pipeline, str(config))
    assert main(["lint", str(config), "--policy", str(out)]) == 1
    assert "allows at most ±5°" in capsys.readouterr().out
    assert main(["lint", str(config), "--policy", "chest_xray"]) == 0


def test_policy_parameters_are_carried(write_review: Callable[..., Path], tmp_path: Path) -> None:
    path = write_review("ann", _rot(5), policy="fundus", policy_params={"laterality_in_label": False})
    policy = apply([path], tmp_path / "p.yaml")
    assert policy.values["laterality_in_label"] is False
    assert policy.invariant("rotation").max == 5.0  # type: ignore[union-attr]


def test_a_policy_file_is_extended_by_relative_path(write_review: Callable[..., Path], tmp_path: Path) -> None:
    ward = tmp_path / "policies" / "ward.yaml"
    ward.parent.mkdir()
    ward.write_text("id: ward\ntitle: Our ward\nextends: chest_xray\ninvariants: []\n")
    path = write_review("ann", _rot(5), policy=str(ward))
    out = tmp_path / "out" / "reviewed.yaml"
    policy = apply([path], out)
    assert 'extends: "../policies/ward.yaml"' in out.read_text()
    assert policy.invariant("rotation").max == 5.0  # type: ignore[union-attr]


@given(
    decisions=st.lists(st.sampled_from(["accept", "reject", "unsure", None]), min_size=8, max_size=8),
    other=st.lists(st.sampled_from(["accept", "reject", "unsure", None]), min_size=8, max_size=8),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_never_looser_and_below_every_rejection(
    write_review: Callable[..., Path], tmp_path: Path, decisions: list[str | None], other: list[str | None]
) -> None:
    a = write_review("ann", [("rotation", m, d) for m, d in zip(ROT, decisions, strict=True)])
    b = write_review("bo", [("rotation", m, d) for m, d in zip(ROT, other, strict=True)])
    policy = apply([a, b], tmp_path / "p.yaml")
    assert policy.loosened == ()
    rotation = policy.invariant("rotation")
    assert rotation is not None
    rejected = [abs(m) for m, d, e in zip(ROT, decisions, other, strict=True) if "reject" in (d, e)]
    if rejected:
        assert not rotation.allowed or (rotation.max is not None and rotation.max < min(rejected))
    else:
        assert rotation.max == 15  # untouched: chest_xray's own bound
    if rotation.allowed and rotation.max is not None and rotation.max < 15:
        # the bound is a magnitude both readers accepted
        assert any(abs(m) == rotation.max and d == e == "accept" for m, d, e in zip(ROT, decisions, other, strict=True))


def test_a_reader_cannot_change_what_an_item_shows(write_review: Callable[..., Path]) -> None:
    from safeaug.review.reviewfile import ReviewFileError
    from safeaug.review.tighten import read_reviews

    a = write_review("ann", _rot(10))
    b = write_review("bo", _rot(10))
    b.write_text(b.read_text().replace("magnitude: 20.0", "magnitude: 2.0"))
    with pytest.raises(ReviewFileError, match="only decision, realism and note"):
        read_reviews([a, b])
