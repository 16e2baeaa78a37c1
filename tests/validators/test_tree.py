"""The envelope fold: subclasses, compositions, probabilities and kept envelopes."""

from __future__ import annotations

import albumentations as A
import numpy as np
import pytest

import safeaug


class MirrorAlias(A.HorizontalFlip):
    """A user subclass that only renames: inherits HorizontalFlip's entry."""


def test_user_subclasses_inherit_their_base_entry() -> None:
    assert safeaug.validate(A.Compose([MirrorAlias()]), "chest_xray").codes() == ["SA101"]


def test_one_or_other_probability_selects_the_branches() -> None:
    flip_second = lambda p: A.Compose([A.OneOrOther(A.NoOp(), A.HorizontalFlip(), p=p)])  # noqa: E731
    assert safeaug.validate(flip_second(1.0), "chest_xray").ok
    assert not safeaug.validate(flip_second(0.5), "chest_xray").ok
    assert not safeaug.validate(flip_second(0.0), "chest_xray").ok
    # NaN: random() < p is always false, so the second always runs
    image = np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)
    assert np.array_equal(flip_second(float("nan"))(image=image)["image"], image[:, ::-1])
    assert not safeaug.validate(flip_second(float("nan")), "chest_xray").ok


def test_one_of_branch_with_zero_weight_never_runs() -> None:
    assert safeaug.validate(A.Compose([A.OneOf([A.NoOp(p=1), A.HorizontalFlip(p=0)])]), "chest_xray").ok


def test_a_root_with_p_0_still_runs_when_the_caller_forces_it() -> None:
    image = np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)
    pipe = A.Compose([A.HorizontalFlip(p=1)], p=0)
    assert np.array_equal(pipe(image=image, force_apply=True)["image"], image[:, ::-1])  # truth
    assert safeaug.validate(pipe, "chest_xray").codes() == ["SA101"]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([A.HorizontalFlip(p=1)], policy="chest_xray", p=0)
    # Nested, a Compose with p=0 is called unforced by its parent: it never runs.
    assert safeaug.validate(A.Compose([A.Compose([A.HorizontalFlip(p=1)], p=0)]), "chest_xray").ok


def test_a_one_of_picks_by_the_weights_it_drew_when_built_not_by_its_childrens_p_now() -> None:
    image = np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)
    inner = A.Sequential([A.HorizontalFlip(p=1)], p=1)
    one_of = A.OneOf([inner, A.NoOp(p=1)], p=1)
    inner.p = 0  # OneOf drew its weights from p when built: it still picks this branch half the time, forced
    pipe = A.Compose([one_of], seed=3)
    assert any(np.array_equal(pipe(image=image)["image"], image[:, ::-1]) for _ in range(20))  # truth
    assert safeaug.validate(pipe, "chest_xray").codes() == ["SA101"]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([one_of], policy="chest_xray", audit=True)
    # A weight of 0 is never picked, whatever the child's p is now.
    never = A.OneOf([A.Sequential([A.HorizontalFlip(p=1)], p=0), A.NoOp(p=1)], p=1)
    never.transforms[0].p = 1
    assert safeaug.validate(A.Compose([never]), "chest_xray").ok


def test_a_nan_p_runs_where_the_transform_is_forced() -> None:
    image = np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)
    flip = A.HorizontalFlip(p=1)
    pipe = A.Compose([A.OneOf([flip, A.NoOp(p=1)], p=1)], seed=5)
    flip.p = float("nan")  # p <= 0 and p >= 1 are both false: forced by the OneOf, it runs
    assert any(np.array_equal(pipe(image=image)["image"], image[:, ::-1]) for _ in range(20))  # truth
    assert safeaug.validate(pipe, "chest_xray").codes() == ["SA101"]
    unforced = A.HorizontalFlip(p=1)
    unforced.p = float("nan")  # random() < nan is false: called unforced, it never runs
    sequence = A.Compose([unforced], seed=5)
    assert not any(np.array_equal(sequence(image=image)["image"], image[:, ::-1]) for _ in range(20))
    assert safeaug.validate(sequence, "chest_xray").ok


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


def test_a_dict_argument_changed_in_place_is_judged_anew() -> None:
    affine = A.Affine(scale=(0.95, 1.05), p=1)
    pipeline = A.Compose([affine])
    assert safeaug.validate(pipeline, "chest_xray").ok
    affine.scale["x"] = (0.5, 2.0)  # the dict albumentations keeps, changed in place
    assert "SA103" in safeaug.validate(pipeline, "chest_xray").codes()
    affine.scale["x"] = (0.95, 1.05)
    assert safeaug.validate(pipeline, "chest_xray").ok


def test_kept_envelopes_tell_apart_values_that_compare_equal_but_differ_in_type() -> None:
    from enum import IntEnum

    from safeaug.validators.tree import _plain, _snapshot

    class Mode(IntEnum):
        ONE = 1

    # 1, 1.0 and True compare equal; their snapshots do not, nor do a list and a tuple of the same items
    assert len({_snapshot(1), _snapshot(1.0), _snapshot(True)}) == 3
    assert _snapshot([1, 2]) != _snapshot((1, 2))
    assert _snapshot({"x": (1, 2)}) == _snapshot({"x": (1, 2)})
    # a subclass of a plain type is not plain: never kept
    assert not _plain(Mode.ONE) and not _plain((Mode.ONE, 2)) and not _plain({"x": [Mode.ONE]})
    assert _plain({"x": (0.9, 1.1), "y": [1, None, "a"]})


def test_a_finding_under_p_0_says_why_it_counts_as_running() -> None:
    inner = A.Sequential([A.HorizontalFlip(p=1)], p=1)
    one_of = A.OneOf([inner, A.NoOp(p=1)], p=1)
    inner.p = 0
    [finding] = safeaug.validate(A.Compose([A.RandomGamma(), one_of]), "chest_xray").findings
    assert "although `transforms[1].transforms[0]` has `p=0`" in finding.message
    assert "weights it computed from its branches' `p` when it was built" in finding.message
    [root] = safeaug.validate(A.Compose([A.HorizontalFlip(p=1)], p=0), "chest_xray").findings
    assert "although the root has `p=0`" in root.message and "force_apply=True" in root.message
    flip = A.HorizontalFlip(p=1)
    nan = A.Compose([A.OneOf([flip, A.NoOp(p=1)], p=1)])
    flip.p = float("nan")
    assert "has `p=nan`" in safeaug.validate(nan, "chest_xray").findings[0].message
    # A transform that runs by its own p carries no such words.
    [plain] = safeaug.validate(A.Compose([A.HorizontalFlip(p=0.5)]), "chest_xray").findings
    assert "counts as running" not in plain.message
