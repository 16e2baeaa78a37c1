"""Verdicts kept by what a live pipeline is: a pipeline built again is not read again, and nothing an adversary
changes on the objects, their classes or the catalog gets a verdict kept for another pipeline.

Every verdict here is compared with the one reading and judging the same objects gives (``_afresh``), with a
verdict for the clean pipeline kept first (``_kept``), so that a key that missed the change would hand that
one back.
"""

from __future__ import annotations

import copy
import types
import warnings
from collections.abc import Callable
from typing import Any

import albumentations as A
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import safeaug
from safeaug.catalog import _registry
from safeaug.policies import load_policy
from safeaug.readers import fingerprint as fingerprint_module
from safeaug.readers import objects, read_pipeline
from safeaug.readers.fingerprint import fingerprint
from safeaug.validators import judge, memo
from tests import impostors, strategies

warnings.filterwarnings("ignore")


def _clean() -> A.Compose:
    return A.Compose(
        [
            A.Rotate(limit=10, p=0.5),
            A.Affine(scale=(0.9, 1.1), translate_percent=(-0.05, 0.05), p=0.5),
            A.OneOf([A.RandomGamma(gamma_limit=(90, 110)), A.GaussNoise(std_range=(0.01, 0.03))], p=0.3),
            A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=0.5),
        ]
    )


def _kept(build: Callable[[], Any], policy: str = "chest_xray", **kwargs: Any) -> safeaug.Report:
    """The verdict on ``build()``, kept: the first pipeline of a shape is judged alone, the second kept."""
    safeaug.validate(build(), policy, **kwargs)
    report = safeaug.validate(build(), policy, **kwargs)
    assert memo._KEPT, "nothing was kept"
    return report


def _afresh(pipeline: Any, policy: str = "chest_xray", **kwargs: Any) -> safeaug.Report:
    """The verdict reading and judging ``pipeline`` gives, with nothing kept."""
    return judge(read_pipeline(pipeline), load_policy(policy), **kwargs)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The objects read in full (one entry per ``read_object`` call) while the test runs."""
    seen: list[Any] = []
    real = objects.read_object

    def counting(obj: Any, location: str = "") -> Any:
        seen.append(obj)
        return real(obj, location)

    monkeypatch.setattr(objects, "read_object", counting)
    import safeaug.validators as validators

    monkeypatch.setattr(validators, "read_object", counting)
    return seen


def test_a_pipeline_built_again_gets_its_verdict_without_being_read(reads: list[Any]) -> None:
    first = safeaug.validate(_clean(), "chest_xray")
    assert first.ok and len(reads) == 7  # the Compose, its four transforms, the OneOf's two
    reads.clear()
    assert safeaug.validate(_clean(), "chest_xray") == first and len(reads) == 7  # a second of its shape: kept
    reads.clear()
    again = safeaug.validate(_clean(), "chest_xray")  # new objects, the same pipeline
    assert again == first and reads == []
    # safeaug.Compose judges the list it is given the same way
    for _ in range(2):
        safeaug.Compose(_clean().transforms, policy="chest_xray")
    assert len(reads) == 12
    reads.clear()
    safeaug.Compose(_clean().transforms, policy="chest_xray")
    assert reads == []


def test_the_first_pipeline_of_a_shape_is_not_fingerprinted(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int] = []
    real = memo.fingerprint
    monkeypatch.setattr(memo, "fingerprint", lambda roots: taken.append(1) or real(roots))
    safeaug.validate(_clean(), "chest_xray")
    assert taken == []
    safeaug.validate(_clean(), "chest_xray")
    assert taken == [1]


def _rotate(c: A.Compose) -> Any:
    return c.transforms[0]


def _swap_key2func(c: A.Compose) -> None:
    wide = A.Rotate(limit=90, p=1)
    _rotate(c)._key2func["image"] = wide.apply  # the class's own function, bound to another object


def _foreign_function(c: A.Compose) -> None:
    t = _rotate(c)
    t._key2func["image"] = types.MethodType(A.HorizontalFlip.apply, t)  # bound to it, but a mirror's


def _plain_function(c: A.Compose) -> None:
    _rotate(c)._key2func["image"] = lambda img, **params: np.fliplr(img)


def _fake_method(c: A.Compose) -> None:
    _rotate(c)._key2func["image"] = impostors.CarriesAMethodsAttributes(_rotate(c))


def _lying_function(c: A.Compose) -> None:
    _rotate(c)._key2func["image"] = impostors.equal_to_any_function(_rotate(c))


def _method_on_object(c: A.Compose) -> None:
    _rotate(c).apply = lambda img, **params: np.fliplr(img)


def _method_in_place_of_an_attribute(c: A.Compose) -> None:
    del _rotate(c)._available_keys  # (one the fingerprint leaves out: the number of attributes stays the same)
    _method_on_object(c)


def _class_swapped(c: A.Compose) -> None:
    _rotate(c).__class__ = A.HorizontalFlip  # keeps every attribute it had


def _argument_deleted(c: A.Compose) -> None:
    del _rotate(c).limit


def _list_subclass(c: A.Compose) -> None:
    class Shown(list):  # type: ignore[type-arg]
        pass

    c.transforms = Shown(c.transforms)


def _child_added(c: A.Compose) -> None:
    c.transforms.append(A.HorizontalFlip(p=0.5))


def _branch_changed(c: A.Compose) -> None:
    c.transforms[2].transforms[0] = A.VerticalFlip(p=1)


def _replay(c: A.Compose) -> None:
    _rotate(c).replay_mode = True


TAMPERING: dict[str, Callable[[A.Compose], None]] = {
    "argument rebound": lambda c: setattr(_rotate(c), "limit", (-90.0, 90.0)),
    "argument changed in place": lambda c: c.transforms[1].scale.update(x=(0.2, 3.0)),
    "p of another type (int)": lambda c: setattr(_rotate(c), "p", 1),
    "p of another type (bool)": lambda c: setattr(_rotate(c), "p", True),
    "an array for an argument": lambda c: setattr(_rotate(c), "limit", np.array([-90.0, 90.0])),
    "an array for the kept argument's bytes": lambda c: setattr(
        _rotate(c), "limit", np.array([-10.0, 10.0]).view(np.int64)
    ),
    "a numpy number for p": lambda c: setattr(_rotate(c), "p", np.float64(0.5)),
    "key2func bound to another object": _swap_key2func,
    "key2func holding another class's function": _foreign_function,
    "key2func holding a plain function": _plain_function,
    "key2func holding an object that passes for a method": _fake_method,
    "key2func holding a method of an object that passes for Rotate.apply": _lying_function,
    "a method set on the object": _method_on_object,
    "a method set in place of an attribute left out": _method_in_place_of_an_attribute,
    "class reassigned": _class_swapped,
    "argument deleted": _argument_deleted,
    "child list of a list subclass": _list_subclass,
    "child added": _child_added,
    "branch replaced": _branch_changed,
    "replay mode": _replay,
    "the same object twice": lambda c: c.transforms.append(c.transforms[0]),
    "a OneOf's weights changed": lambda c: setattr(c.transforms[2], "transforms_ps", [0.0, 1.0]),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_a_changed_object_is_judged_as_it_is_now(name: str) -> None:
    assert _kept(_clean).ok  # the clean verdict, kept
    tampered = _clean()
    TAMPERING[name](tampered)
    afresh = _afresh(tampered)
    assert safeaug.validate(tampered, "chest_xray") == afresh
    assert safeaug.validate(tampered, "chest_xray") == afresh  # (kept or not, the same again)


def test_the_tampering_cases_are_refused_where_they_should_be() -> None:
    """(So that the comparison above compares something: most of them change the verdict.)"""
    refused = []
    for name, tamper in TAMPERING.items():
        c = _clean()
        tamper(c)
        if not _afresh(c).ok:
            refused.append(name)
    assert {
        "argument rebound",
        "argument changed in place",
        "an array for an argument",
        "key2func bound to another object",
        "key2func holding another class's function",
        "key2func holding a plain function",
        "key2func holding an object that passes for a method",
        "key2func holding a method of an object that passes for Rotate.apply",
        "a method set on the object",
        "a method set in place of an attribute left out",
        "class reassigned",
        "child added",
        "branch replaced",
    } <= set(refused)


def test_a_hook_patched_onto_the_class_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _kept(_clean).ok

    def mirrored(self: Any, img: Any, *args: Any, **params: Any) -> Any:
        return np.fliplr(img)

    monkeypatch.setattr(A.Rotate, "apply", mirrored)
    patched = safeaug.validate(_clean(), "chest_xray")
    assert not patched.ok and patched == _afresh(_clean())
    monkeypatch.undo()
    assert safeaug.validate(_clean(), "chest_xray").ok


def test_a_hook_albumentations_does_not_call_through_key2func_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """(``apply`` patched on the class also changes the functions bound into ``_key2func`` of objects built after;
    ``get_params`` is called through the class alone: only the class's version tells.)"""
    assert _kept(_clean).ok
    monkeypatch.setattr(A.Rotate, "get_params", lambda self: {"angle": 180.0})
    patched = safeaug.validate(_clean(), "chest_xray")
    assert not patched.ok and patched == _afresh(_clean())


def test_an_object_placed_twice_is_read_in_full() -> None:
    """``[t, u, t]`` and ``[t, t, u]`` hold the same objects in the same classes; only where ``t`` comes again
    tells them apart, and with it where the refused one sits: a tree holding an object twice is not kept."""

    def tree(order: str) -> A.Compose:
        t, u = A.Rotate(limit=10, p=0.5), A.Rotate(limit=80, p=0.5)
        return A.Compose([{"t": t, "u": u}[k] for k in order])

    def refused_at(report: safeaug.Report) -> list[str]:
        return [f.location for f in report.errors if f.location]  # (the root's "together" finding aside)

    assert fingerprint([tree("tu")]) is not None and fingerprint([tree("tut")]) is None
    for _ in range(3):
        assert refused_at(safeaug.validate(tree("tut"), "chest_xray")) == ["transforms[1]"]
    again = safeaug.validate(tree("ttu"), "chest_xray")
    assert again == _afresh(tree("ttu")) and refused_at(again) == ["transforms[2]"]


@pytest.mark.parametrize("tamper", [_foreign_function, _method_on_object], ids=["target function", "attribute"])
def test_a_tampered_object_met_first_does_not_stand_for_its_class(tamper: Callable[[A.Compose], None]) -> None:
    """What a fingerprint expects of a class's objects (their attributes, their target functions, which must be the
    class's own) is taken from the last object of it met: a tampered one met first gets no fingerprint, and does not
    stop the next from getting one."""
    tampered = A.Compose([A.Rotate(limit=10, p=0.5)])
    tamper(tampered)
    fingerprint_module._PLANS.pop(A.Rotate, None)
    assert fingerprint([tampered]) is None
    assert fingerprint([A.Compose([A.Rotate(limit=10, p=0.5)])]) is not None
    assert fingerprint([tampered]) is None
    assert fingerprint([A.Compose([A.Rotate(limit=10, p=0.5)])]) is not None


def test_a_class_albumentations_did_not_export_for_a_while_is_fingerprinted_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(A test, or a plugin, that shadows ``A.Rotate`` for a while: the real class is albumentations' own after.)"""
    real = A.Rotate
    fingerprint_module._PLANS.pop(real, None)  # (met first while shadowed)
    monkeypatch.setattr(A, "Rotate", type("Rotate", (real,), {}))
    assert fingerprint([A.Compose([real(limit=10)])]) is None  # not the class albumentations exports now
    monkeypatch.undo()
    assert fingerprint([A.Compose([real(limit=10)])]) is not None


@pytest.mark.parametrize(
    ("value", "other"),
    [
        (np.array([-10.0, 10.0]), np.array([-10.0, 10.0]).view(np.int64)),  # the same bytes
        (np.float64(0.5), bytearray(np.float64(0.5).tobytes())),
        ((-10.0, 10.0), [-10.0, 10.0]),
        (1, 1.0),
        (1, True),
    ],
    ids=["array and its view", "numpy number and its bytes", "tuple and list", "int and float", "int and bool"],
)
def test_values_alike_in_their_bytes_get_other_keys(value: Any, other: Any) -> None:
    def with_limit(limit: Any) -> A.Compose:
        c = A.Compose([A.Rotate(limit=10, p=0.5)])
        vars(c.transforms[0])["limit"] = limit
        return c

    one, two = fingerprint([with_limit(value)]), fingerprint([with_limit(other)])
    assert one is None or two is None or one != two


def test_an_array_is_not_taken_for_another_with_the_same_bytes() -> None:
    def with_limit(limit: Any) -> A.Compose:
        c = A.Compose([A.Rotate(limit=10, p=0.5)])
        vars(c.transforms[0])["limit"] = limit
        return c

    floats = np.array([-10.0, 10.0])
    for _ in range(3):  # (kept, were arrays fingerprinted)
        assert safeaug.validate(with_limit(floats.copy()), "chest_xray").ok
    huge = with_limit(floats.view(np.int64))  # the same 16 bytes, read as integers past 4e18
    assert safeaug.validate(huge, "chest_xray") == _afresh(huge)


def test_a_catalog_change_judges_the_pipeline_again(reads: list[Any]) -> None:
    _kept(_clean)
    before = _registry.generation()
    safeaug.register_transform("tests.validators.test_memo.Unrelated", safeaug.Envelope())
    try:
        assert _registry.generation() != before
        reads.clear()
        safeaug.validate(_clean(), "chest_xray")
        assert len(reads) == 7  # read again: an entry may now say otherwise of a class in it
    finally:
        safeaug.unregister_transform("tests.validators.test_memo.Unrelated")


@pytest.mark.parametrize(
    ("policy", "kwargs"),
    [
        ("natural", {}),
        ("chest_xray", {"input_size": (512, 512)}),
        ("chest_xray", {"select": ("SA1",)}),
        ("chest_xray", {"ignore": ("SA102",)}),
    ],
)
def test_what_else_the_verdict_depends_on_is_part_of_the_key(policy: str, kwargs: dict[str, Any]) -> None:
    refused = _clean()
    refused.transforms.append(A.Rotate(limit=45, p=0.5))
    _kept(lambda: copy.deepcopy(refused))  # kept with the defaults
    assert safeaug.validate(copy.deepcopy(refused), policy, **kwargs) == _afresh(refused, policy, **kwargs)


def test_a_list_and_its_compose_are_kept_apart() -> None:
    listed = [A.Rotate(limit=10, p=0.5)]
    _kept(lambda: A.Compose(listed, p=0.0))
    assert safeaug.validate(listed, "chest_xray") == _afresh(listed)
    p0 = safeaug.Compose(listed, policy="chest_xray", p=0.0).report
    assert p0 == judge(objects.read_transform_list(listed, p=0.0), load_policy("chest_xray"))


def test_a_composition_holding_itself_is_refused_as_before() -> None:
    _kept(_clean)
    c = _clean()
    safeaug.validate(c, "chest_xray")
    c.transforms.append(c)
    with pytest.raises(safeaug.ConfigError, match="nested too deeply"):
        safeaug.validate(c, "chest_xray")


class _Poison:
    """An attribute value nothing may read: any use of it but holding it fails the test."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an attribute the fingerprint leaves out was read")

    __bool__ = __len__ = __iter__ = __eq__ = __hash__ = __repr__ = __str__ = __getattr__ = _refuse  # type: ignore[assignment]


_LEFT_OUT = ("random_generator", "py_random", "_available_keys", "processors", "check_each_transform")


def _poisoned(pipeline: Any) -> Any:
    copied = copy.deepcopy(pipeline)
    stack = [copied]
    while stack:
        obj = stack.pop()
        for name in _LEFT_OUT:
            if name in vars(obj):
                vars(obj)[name] = _Poison()
        if isinstance(obj, A.BaseCompose):
            stack.extend(obj.transforms)
    return copied


@settings(max_examples=40)
@given(strategies.pipelines(max_depth=2), st.sampled_from(strategies.POLICIES))
def test_reading_never_looks_at_what_the_fingerprint_leaves_out(pipeline: Any, policy: str) -> None:
    assert _afresh(_poisoned(pipeline), policy) == _afresh(pipeline, policy)


@settings(max_examples=60)
@given(strategies.pipelines(max_depth=3), st.sampled_from(strategies.POLICIES))
def test_a_kept_verdict_is_the_verdict_reading_gives(pipeline: Any, policy: str) -> None:
    memo.forget()
    afresh = _afresh(pipeline, policy)
    assert safeaug.validate(pipeline, policy) == afresh
    assert safeaug.validate(copy.deepcopy(pipeline), policy) == afresh  # the second of its shape: kept
    assert safeaug.validate(copy.deepcopy(pipeline), policy) == afresh  # equal objects: given the kept verdict


def test_a_kept_verdict_cannot_be_changed_through_what_it_returns() -> None:
    """Every caller of a pipeline built again gets the same report: none of it can be assigned to."""
    refused = lambda: A.Compose([A.HorizontalFlip(p=0.5)])  # noqa: E731
    report = _kept(refused)
    for target, name, value in (
        (report, "findings", ()),
        (report.findings[0], "severity", "warning"),
        (report.envelope, "mirror", False),
    ):
        with pytest.raises(AttributeError):  # (dataclasses.FrozenInstanceError)
            setattr(target, name, value)
    assert safeaug.validate(refused(), "chest_xray").codes() == ["SA101"]
