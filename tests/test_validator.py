from __future__ import annotations

from pathlib import Path

import albumentations as A
import numpy as np
import pytest

import safeaug


class MirrorAlias(A.HorizontalFlip):
    """A user subclass that only renames: inherits HorizontalFlip's entry."""


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


def test_user_subclasses_inherit_their_base_entry() -> None:
    assert safeaug.validate(A.Compose([MirrorAlias()]), "chest_xray").codes() == ["SA101"]


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


def test_one_or_other_probability_selects_the_branches() -> None:
    flip_second = lambda p: A.Compose([A.OneOrOther(A.NoOp(), A.HorizontalFlip(), p=p)])  # noqa: E731
    assert safeaug.validate(flip_second(1.0), "chest_xray").ok
    assert not safeaug.validate(flip_second(0.5), "chest_xray").ok
    assert not safeaug.validate(flip_second(0.0), "chest_xray").ok


def test_one_of_branch_with_zero_weight_never_runs() -> None:
    assert safeaug.validate(A.Compose([A.OneOf([A.NoOp(p=1), A.HorizontalFlip(p=0)])]), "chest_xray").ok


def test_some_of_counts_only_n_branches() -> None:
    pipe = lambda n: A.Compose([A.SomeOf([A.Rotate(limit=10), A.Affine(rotate=(-10, 10)), A.NoOp()], n=n)])  # noqa: E731
    assert safeaug.validate(pipe(1), "chest_xray").ok
    assert safeaug.validate(pipe(2), "chest_xray").codes() == ["SA102"]


def test_selective_channel_transform_changes_colour() -> None:
    pipe = A.Compose([A.SelectiveChannelTransform([A.Blur(blur_limit=3)], channels=[0], p=1)])
    assert safeaug.validate(pipe, "natural").envelope.color


def test_replay_compose_is_a_sequence() -> None:
    assert safeaug.validate(A.ReplayCompose([A.HorizontalFlip()]), "chest_xray").codes() == ["SA101"]


def test_report_envelope_is_the_cumulative_envelope() -> None:
    report = safeaug.validate(A.Compose([A.Rotate(limit=10), A.Affine(rotate=(-5, 5), scale=(0.9, 1.2))]), "natural")
    assert report.envelope.rotation == 15
    assert report.envelope.scale_min == pytest.approx(0.9)


def test_fixed_size_crops_cannot_be_bounded_and_say_so() -> None:
    report = safeaug.validate(A.Compose([A.RandomCrop(height=64, width=64)]), "chest_xray")
    assert [(f.code, f.severity) for f in report.findings] == [("SA407", "warning")]
    assert "RandomResizedCrop" in report.findings[0].fix


def test_pixel_shifts_cannot_be_bounded_and_say_so() -> None:
    report = safeaug.validate(A.Compose([A.Affine(translate_px=(-20, 20))]), "chest_xray")
    assert [(f.code, f.severity) for f in report.findings] == [("SA407", "warning")]


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


def test_an_argument_the_installed_line_drops_is_judged_as_it_will_run(tmp_path: Path) -> None:
    config = tmp_path / "x_args.yaml"
    config.write_text(
        "transform:\n  __class_fullname__: Compose\n  transforms:\n"
        "    - __class_fullname__: Rotate\n      angle_range: [-5, 5]\n      p: 0.5\n"
    )
    report = safeaug.validate(config, "chest_xray")
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"SA102", "SA502"}
    assert by_code["SA502"].severity == "warning" and by_code["SA502"].line == 4
    # the rotation error explains that the written value is not the one that runs
    assert "ignores it and runs `limit=(-90, 90)`" in by_code["SA102"].message


def test_a_resize_after_a_turn_is_an_unbounded_shear_warning() -> None:
    turned_first = safeaug.validate(A.Compose([A.Rotate(limit=10), A.Resize(64, 48)]), "chest_xray")
    [warning] = [f for f in turned_first.findings if f.code == "SA407"]
    assert warning.severity == "warning" and warning.location == "transforms[1]" and "Rotate" in warning.message
    assert turned_first.ok
    resized_first = safeaug.validate(A.Compose([A.Resize(64, 48), A.Rotate(limit=10)]), "chest_xray")
    assert "SA407" not in resized_first.codes()
    keeps_aspect = safeaug.validate(A.Compose([A.Rotate(limit=10), A.LongestMaxSize(64)]), "chest_xray")
    assert "SA407" not in keeps_aspect.codes()


# ------------------------------------------------------------------------------------------ pad before an occlusion


def _driving_with_occlusion_bound(tmp_path: Path) -> Path:
    path = tmp_path / "driving_occlusion.yaml"
    path.write_text(
        "id: driving_occlusion\n"
        "title: Driving scenes with a bound on cut-outs\n"
        "extends: driving\n"
        "invariants:\n"
        "  - effect: occlusion\n"
        "    max: 0.1\n"
        "    reason: A cut-out over the lead vehicle hides what the steering label reacts to.\n",
        encoding="utf-8",
    )
    return path


def test_pad_in_pixels_then_erasing_depends_on_the_input_size(tmp_path: Path) -> None:
    policy = _driving_with_occlusion_bound(tmp_path)
    erase = A.Erasing(scale=(0.0745, 0.0785), p=1)
    assert safeaug.validate(A.Compose([erase]), policy).findings == ()
    assert safeaug.validate(A.Compose([A.Pad(10, p=1)]), policy).findings == ()
    # erased first, padded after: the share of the content is the share of the canvas
    assert safeaug.validate(A.Compose([erase, A.Pad(10, p=1)]), policy).findings == ()
    # padded first: how much more of the content the cut-out hides depends on the input size
    report = safeaug.validate(A.Compose([A.Pad(10, p=1), erase]), policy)
    [finding] = report.findings
    assert (finding.code, finding.severity, finding.transform) == ("SA407", "warning", "Pad")
    assert "Erasing" in finding.message and report.envelope.occlusion_unbounded


def test_pad_in_percent_then_erasing_is_read_with_the_growth(tmp_path: Path) -> None:
    policy = _driving_with_occlusion_bound(tmp_path)
    erase = A.Erasing(scale=(0.07, 0.07), p=1)
    small = safeaug.validate(A.Compose([A.CropAndPad(percent=0.05, keep_size=False, p=1), erase]), policy)
    assert small.ok  # 0.07 · 1.1² = 0.085
    assert small.envelope.occlusion == pytest.approx(0.07 * 1.1**2)
    large = safeaug.validate(A.Compose([A.CropAndPad(percent=0.15, keep_size=False, p=1), erase]), policy)
    assert not large.ok  # 0.07 · 1.3² = 0.118
    [error] = large.errors
    assert error.code == "SA403" and "Erasing" in error.message and "CropAndPad" in error.message


def test_saferotate_gets_the_unbounded_shear_warning_under_a_shear_bound() -> None:
    report = safeaug.validate(A.Compose([A.SafeRotate(limit=10, p=1)]), "chest_xray")
    warnings = [f for f in report.findings if f.code == "SA407" and f.effect == "shear"]
    assert len(warnings) == 1
    assert warnings[0].transform == "SafeRotate"
    assert "aspect" in warnings[0].message
    assert warnings[0].severity == "warning"
    # no turn, no warning
    assert not [f for f in safeaug.validate(A.Compose([A.SafeRotate(limit=0, p=1)]), "chest_xray").findings]


def test_a_changed_argument_is_judged_anew_after_a_validation() -> None:
    """Envelopes are kept between calls: a live object changed since, or a list changed in place, is read again."""
    turn = A.Rotate(limit=5, p=1)
    pipeline = A.Compose([turn, A.RandomGamma(gamma_limit=(90, 110), p=0.5)])
    assert safeaug.validate(pipeline, "chest_xray").ok
    turn.limit = (-45.0, 45.0)  # assigned on the object after it was built
    assert "SA102" in safeaug.validate(pipeline, "chest_xray").codes()
    turn.limit = (-5.0, 5.0)
    assert safeaug.validate(pipeline, "chest_xray").ok
    limit = [-5, 5]
    config = {
        "transform": {
            "__class_fullname__": "Compose",
            "transforms": [{"__class_fullname__": "Rotate", "limit": limit, "p": 1.0}],
        }
    }
    assert safeaug.validate(config, "chest_xray").ok
    limit[1] = 45  # the same list, changed in place
    assert "SA102" in safeaug.validate(config, "chest_xray").codes()
    limit[1] = 5.0  # an equal number of another type is read again too, and still allowed
    assert safeaug.validate(config, "chest_xray").ok
