"""Property tests: laws of effect envelopes and of the validator, over random albumentations pipelines.

Strategies live in ``strategies.py``. No test sets its own ``max_examples``: the active hypothesis
profile decides. ``@example`` rows pin the smallest cases of bugs these properties have found.
"""

from __future__ import annotations

import json
import math
from typing import Any

import albumentations as A
import numpy as np
import pytest
import strategies as S
from hypothesis import assume, example, given
from hypothesis import strategies as st

import safeaug
from safeaug import effects
from safeaug.effects import Envelope, stretch_shear
from safeaug.report import Report

pytestmark = pytest.mark.slow  # a property suite: hypothesis draws pipelines for every law of the envelope algebra

IDENTITY = Envelope()  # a fresh value, not effects.IDENTITY


def findings(report: Report) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.location, f.transform) for f in report.findings]


def verdict(report: Report) -> tuple[bool, list[tuple[str, str, str | None]], Envelope]:
    return report.ok, findings(report), report.envelope


def equivalent(a: Envelope, b: Envelope) -> bool:
    """Each contains the other: the same effects, up to float rounding."""
    return a.contains(b) and b.contains(a)


def envelope_of(pipeline: Any, policy: str = "natural") -> Envelope:
    return safeaug.validate(pipeline, policy).envelope


def runs_when_called(t: Any) -> bool:
    """Whether a sequence (or SomeOf) calling ``t`` may run it: OneOrOther's p only picks a branch."""
    return isinstance(t, A.OneOrOther) or t.p > 0


policies = pytest.mark.parametrize("policy", S.POLICIES)


# ------------------------------------------------------------------ 1. algebra of envelopes


@given(S.envelopes(), S.envelopes())
def test_union_is_commutative(a: Envelope, b: Envelope) -> None:
    assert a.union(b) == b.union(a)


@given(S.envelopes(), S.envelopes(), S.envelopes())
def test_union_is_associative(a: Envelope, b: Envelope, c: Envelope) -> None:
    assert a.union(b).union(c) == a.union(b.union(c))
    assert Envelope.union_of([a, b, c]) == a.union(b).union(c)


# The identity both as the module's singleton and as a fresh value: they must behave alike.
identities = pytest.mark.parametrize("identity", [effects.IDENTITY, Envelope()], ids=["IDENTITY", "Envelope()"])


@identities
@given(a=S.envelopes())
def test_then_with_identity_leaves_an_envelope_unchanged(identity: Envelope, a: Envelope) -> None:
    # "a, then nothing" never loses an effect of a; it is a itself (up to float rounding: the `area`
    # rule computes 1 - (1 - a)(1 - 0)) whenever a allows doing nothing. (An envelope that always zooms
    # in, scale 1.1-1.2, may be widened to 1.0 by a sequence rule that lets members be skipped.)
    assert a.then(identity).contains(a) and identity.then(a).contains(a)
    if a.contains(IDENTITY):
        assert equivalent(a.then(identity), a)
        assert equivalent(identity.then(a), a)
        assert equivalent(Envelope.sequence([a, identity, a]), a.then(a))


@identities
@given(a=S.envelopes())
@example(a=Envelope(scale_min=0.5, scale_max=0.5)).via("union skips IDENTITY")
def test_union_with_identity_adds_only_doing_nothing(identity: Envelope, a: Envelope) -> None:
    # "a or nothing": unchanged exactly when `a` already allows doing nothing. Catalog envelopes need
    # not (Affine(scale=0.5, p=1) always shrinks), and then the union must widen to include 1.0.
    joined = a.union(identity)
    assert joined == identity.union(a)
    assert joined.contains(a), "the union lost an effect of a"
    assert joined.contains(IDENTITY), "the union lost 'doing nothing'"
    if a.contains(IDENTITY):
        assert equivalent(joined, a)


@given(S.envelopes(), S.envelopes())
@example(effects.IDENTITY, Envelope(scale_min=0.5, scale_max=0.5)).via("union skips IDENTITY")
def test_union_contains_both_operands(a: Envelope, b: Envelope) -> None:
    u = a.union(b)
    assert u.contains(a) and u.contains(b)
    assert Envelope.union_of([a, b, a]) == u


# ------------------------------------------------------------------ 2. adding never shrinks

# The smallest case found: a zoom that only shrinks, then one that only enlarges. The sequence rule
# multiplies the ranges ([0.8, 0.9] x [1.1, 1.2] = [0.88, 1.08]) as if both always ran, but with p < 1
# either may be skipped, so 0.8 stays possible: the envelope of the longer pipeline lost it.
_SHRINK = A.Affine(scale=(0.8, 0.9), p=0.5)
_GROW = A.Affine(scale=(1.1, 1.2), p=0.5)


@policies
@given(ts=S.sequences(), t=S.pipelines(2))
@example(ts=[_SHRINK], t=_GROW).via("mixed-direction zoom")
def test_appending_a_transform_never_shrinks_the_sequence_envelope(policy: str, ts: list[Any], t: Any) -> None:
    before = envelope_of(A.Compose(list(ts)), policy)
    after = envelope_of(A.Compose([*ts, t]), policy)
    assert after.contains(before), f"{before.differs()} -> {after.differs()}"


@policies
@given(ts=st.lists(S.pipelines(2), min_size=1, max_size=4), t=S.pipelines(2))
@example(ts=[A.NoOp(p=1.0)], t=A.RandomScale(scale_limit=(1.0, 1.0), p=1.0)).via("union skips IDENTITY")
def test_adding_a_branch_never_shrinks_a_one_of_envelope(policy: str, ts: list[Any], t: Any) -> None:
    assume(any(x.p > 0 for x in ts))  # albumentations cannot build a OneOf whose weights are all zero
    before = envelope_of(A.OneOf(list(ts), p=1.0), policy)
    after = envelope_of(A.OneOf([*ts, t], p=1.0), policy)
    assert after.contains(before)


# ------------------------------------------------------------------ 3. p=0 changes nothing


@policies
@given(pipe=S.pipelines(), dead=S.dead_branches())
def test_appending_a_p0_transform_never_changes_the_verdict(policy: str, pipe: Any, dead: Any) -> None:
    # A list is read as a Compose at the root; lists also take callables A.Compose would reject.
    assert verdict(safeaug.validate([pipe, dead], policy)) == verdict(safeaug.validate([pipe], policy))


@policies
@given(pipe=S.pipelines(), dead=S.dead_wrappers())
@example(
    pipe=A.NoOp(), dead=(A.OneOrOther(A.HorizontalFlip(p=0.0), A.NoOp(p=1.0), p=1.0), [A.HorizontalFlip(p=1.0)])
).via("p=0 transform forced by OneOrOther")
@example(
    pipe=A.NoOp(),
    dead=(A.OneOf([A.NoOp(p=1.0), A.OneOrOther(A.NoOp(), A.HorizontalFlip(p=1.0), p=0.0)]), [A.HorizontalFlip(p=1.0)]),
).via("zero-weight OneOrOther in a OneOf")
def test_a_p0_branch_holding_forbidden_transforms_never_changes_the_verdict(
    policy: str, pipe: Any, dead: tuple[Any, list[Any]]
) -> None:
    branch, refused = dead
    for t in refused:
        assert not safeaug.validate([t], "chest_xray").ok  # each would be refused where it could run
    assert verdict(safeaug.validate(A.Compose([pipe, branch]), policy)) == verdict(
        safeaug.validate(A.Compose([pipe]), policy)
    )


# ------------------------------------------------------------------ 4. objects and dicts agree


def _fully_qualified(node: Any) -> Any:
    """The 1.x serialised form: every ``__class_fullname__`` spelled with its module path."""
    if isinstance(node, dict):
        out = {k: _fully_qualified(v) for k, v in node.items()}
        name = node.get("__class_fullname__")
        if isinstance(name, str):
            module = "core.composition" if name in S.COMPOSITIONS else "augmentations.transforms"
            out["__class_fullname__"] = f"albumentations.{module}.{name}"
        return out
    if isinstance(node, list):
        return [_fully_qualified(v) for v in node]
    return node


FORMS = {
    "to_dict": lambda pipe: A.to_dict(pipe),
    "json": lambda pipe: json.loads(json.dumps(A.to_dict(pipe))),
    "1.x names": lambda pipe: _fully_qualified(json.loads(json.dumps(A.to_dict(pipe)))),
}


@pytest.mark.parametrize("form", list(FORMS))
@policies
@given(pipe=S.pipelines())
@example(pipe=A.TimeReverse(p=1.0)).via("subclass of HorizontalFlip")
@example(pipe=A.SquareSymmetry(p=1.0)).via("subclass of D4")
def test_object_and_dict_forms_give_the_same_verdict(form: str, policy: str, pipe: Any) -> None:
    data = FORMS[form](pipe)
    assert verdict(safeaug.validate(data, policy)) == verdict(safeaug.validate(pipe, policy))


# ------------------------------------------------------------------ 5. compositions and their members


@given(ts=S.sequences())
@example(ts=[A.OneOrOther(A.NoOp(), A.HorizontalFlip(p=1.0), p=0.0)]).via("OneOrOther with p=0 in a sequence")
@example(ts=[_SHRINK, _GROW]).via("mixed-direction zoom")
def test_sequence_envelope_contains_each_members_envelope(ts: list[Any]) -> None:
    total = envelope_of(A.Compose(list(ts)))
    for t in ts:
        # each member as a sequence calls it (unforced: alone, a pipeline's root may be forced by its caller)
        assert total.contains(envelope_of(A.Compose([t]))), type(t).__name__


@given(ts=st.lists(S.pipelines(2), min_size=1, max_size=4))
@example(ts=[A.NoOp(p=1.0), A.OneOrOther(A.NoOp(), A.HorizontalFlip(p=1.0), p=0.0)]).via(
    "zero-weight OneOrOther in a OneOf"
)
def test_one_of_envelope_is_the_union_of_its_live_members(ts: list[Any]) -> None:
    assume(any(t.p > 0 for t in ts))
    expected = Envelope.union_of([envelope_of(t) for t in ts if t.p > 0])
    assert envelope_of(A.OneOf(list(ts), p=1.0)) == expected


@given(ts=st.lists(S.pipelines(2), min_size=1, max_size=4), n=st.integers(1, 4))
@example(ts=[_SHRINK, _GROW], n=1).via("mixed-direction zoom")
def test_some_of_envelope_lies_between_the_union_and_the_full_sequence(ts: list[Any], n: int) -> None:
    n = min(n, len(ts))
    live = [envelope_of(t) for t in ts if runs_when_called(t)]
    union, sequence = Envelope.union_of(live), Envelope.sequence(live)
    some = envelope_of(A.SomeOf(list(ts), n=n, replace=False, p=1.0))
    # SomeOf runs its picks in any order, so a stretch may follow every turn (stretch_shear); a sequence
    # in the order written counts only the stretches that do. Shear is compared on its own.
    # Likewise an occlusion hides more of the content when it follows a growth of the frame: compared with
    # the worst order (every occlusion after every growth) on its own.
    assert some.contains(union), "SomeOf(n) lost an effect one of its members has"
    assert order_free(sequence).contains(order_free(some)), "SomeOf(n) does more than all its members in a row"
    any_order = sum(e.shear for e in live) + stretch_shear(sequence.rotation, sequence.aspect)
    assert some.shear <= any_order + 1e-9, "SomeOf(n) shears more than all its members in the worst order"
    unscaled = Envelope.sequence([e.with_changes(canvas_growth=1.0) for e in live]).occlusion
    finite = math.prod(e.canvas_growth for e in live if not math.isinf(e.canvas_growth))
    assert some.occlusion <= min(1.0, unscaled * finite) + 1e-9, "SomeOf(n) hides more than the worst order"
    assert not some.occlusion_unbounded or (math.isinf(sequence.canvas_growth) and unscaled > 0)
    assert equivalent(envelope_of(A.SomeOf(list(ts), n=1, replace=False, p=1.0)), union)
    every = envelope_of(A.SomeOf(list(ts), n=len(ts), replace=False, p=1.0))
    assert equivalent(order_free(every), order_free(sequence))
    assert every.occlusion >= sequence.occlusion - 1e-9 and every.occlusion_unbounded >= sequence.occlusion_unbounded


def order_free(e: Envelope) -> Envelope:
    """The fields whose sequence value does not depend on the order of the steps.

    Resolution does: a zoom out then a zoom in loses detail (``safeaug.sizes``), a zoom in then out does not.
    """
    return e.with_changes(shear=0.0, occlusion=0.0, occlusion_unbounded=False, resolution=1.0)


# ------------------------------------------------------------------ 6. refusals are final


@given(pipe=S.pipelines(), more=st.lists(S.pipelines(2), min_size=1, max_size=3))
@example(
    pipe=A.Compose([A.Affine(scale=(0.9, 0.9), p=0.5), A.Affine(scale=(0.9, 0.9), p=0.5)]),
    more=[A.Affine(scale=(1.1, 1.1), p=0.5)],
).via("mixed-direction zoom")
@example(
    pipe=A.Compose([A.Affine(scale=0.9, p=1.0), A.Affine(scale=0.9, p=1.0)]),
    more=[A.OneOf([A.NoOp(p=1.0), A.Affine(scale=1.1, p=1.0)], p=1.0)],
).via("union skips IDENTITY")
def test_a_refused_pipeline_stays_refused_when_transforms_are_appended(pipe: Any, more: list[Any]) -> None:
    assume(not safeaug.validate([pipe], "chest_xray").ok)
    assert not safeaug.validate([pipe, *more], "chest_xray").ok


# ------------------------------------------------------------------ 7. envelopes bound what really happens

_IMAGE = np.arange(5 * 5 * 3, dtype=np.uint8).reshape(5, 5, 3)  # all 8 symmetries of it differ
_SYMMETRIES = [
    (mirror, 90 * min(k, 4 - k), np.rot90(np.fliplr(_IMAGE) if mirror else _IMAGE, k))
    for mirror in (False, True)
    for k in range(4)
]


@given(pipe=S.pipelines(leaves=S.flips()), seed=st.integers(0, 2**16))
@example(pipe=A.Compose([A.OneOrOther(A.NoOp(), A.HorizontalFlip(p=1.0), p=0.0)]), seed=0).via(
    "OneOrOther with p=0 in a sequence"
)
@example(pipe=A.OneOrOther(A.Compose([A.HorizontalFlip(p=1.0)], p=0.0), A.NoOp(), p=1.0), seed=0).via(
    "p=0 composition forced by OneOrOther"
)
def test_every_image_a_flip_pipeline_produces_lies_within_its_envelope(pipe: Any, seed: int) -> None:
    envelope = safeaug.validate(pipe, "natural").envelope
    run = A.Compose([pipe], seed=seed)
    for _ in range(8):
        out = run(image=_IMAGE)["image"]
        mirror, angle = next((m, a) for m, a, img in _SYMMETRIES if np.array_equal(out, img))
        assert envelope.mirror or not mirror, "mirrored, but the envelope says it cannot mirror"
        assert angle <= envelope.rotation + 1e-9, f"turned by {angle}°, envelope allows {envelope.rotation}°"
