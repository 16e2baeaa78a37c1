"""safeaug.Compose(..., audit=True): run-time checks of the live pipeline and of what each call applied."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
import safeaug.compose as compose_module


def _image(seed: int = 0, size: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size), dtype=np.uint8)


def _pipeline() -> list[Any]:
    return [
        A.Rotate(limit=10, p=0.8),
        # one shear axis: shear=(-5, 5) shears both axes at once, 10° between them, and zooms by 1.1 · 1.09
        A.Affine(scale=(0.9, 1.1), shear={"x": (-5, 5), "y": (0, 0)}, p=0.5),
        A.OneOf([A.RandomGamma(gamma_limit=(80, 120)), A.RandomBrightnessContrast(0.1, 0.1)], p=0.8),
    ]


def test_audit_changes_no_output_and_adds_no_key() -> None:
    plain = safeaug.Compose(_pipeline(), policy="chest_xray", seed=21)
    audited = safeaug.Compose(_pipeline(), policy="chest_xray", seed=21, audit=True)
    for i in range(12):
        a, b = plain(image=_image(i)), audited(image=_image(i))
        assert a.keys() == b.keys() == {"image"}
        np.testing.assert_array_equal(a["image"], b["image"])


def test_audit_keeps_applied_transforms_when_asked_for() -> None:
    plain = safeaug.Compose(_pipeline(), policy="chest_xray", seed=2, save_applied_params=True)
    audited = safeaug.Compose(_pipeline(), policy="chest_xray", seed=2, save_applied_params=True, audit=True)
    a, b = plain(image=_image()), audited(image=_image())
    assert [n for n, _ in a["applied_transforms"]] == [n for n, _ in b["applied_transforms"]]


def test_a_curriculum_that_widens_a_rotation_is_refused_on_the_next_call() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    for i in range(3):
        safe(image=_image(i))
    safe.transforms[0].limit = (-90, 90)
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    finding = next(f for f in info.value.report.errors if f.code == "SA102")
    assert finding.location == "transforms[0]" and finding.transform == "Rotate"
    assert "call 4" in finding.message
    assert "Rotate.limit changed from (-10, 10) to (-90, 90)" in finding.message
    assert "±15°" in finding.message
    with pytest.raises(safeaug.PolicyViolationError, match="call 5"):  # refused on every call until undone
        safe(image=_image())
    safe.transforms[0].limit = (-12, 12)
    assert safe(image=_image())["image"].shape == (64, 64)


def test_a_transform_appended_after_construction_is_refused() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    safe.transforms.append(A.HorizontalFlip(p=0.5))
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert info.value.report.codes() == ["SA101"]
    assert "transforms[3] HorizontalFlip was added" in info.value.report.errors[0].message
    safe.transforms.pop()
    safe(image=_image())


def test_a_nested_change_and_a_probability_change_are_seen() -> None:
    dormant = A.Transpose(p=0.0)  # a transform that never runs does not mirror anything
    safe = safeaug.Compose([*_pipeline(), dormant], policy="chest_xray", audit=True)
    safe(image=_image())
    dormant.p = 0.5
    with pytest.raises(safeaug.PolicyViolationError, match=r"Transpose\.p changed from 0 to 0\.5"):
        safe(image=_image())
    dormant.p = 0.0
    safe.transforms[2].transforms.append(A.InvertImg(p=1.0))  # into the OneOf, in place
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert info.value.report.codes() == ["SA201"]


def test_a_branch_swapped_in_place_inside_a_nested_list_is_seen() -> None:
    """Same list object, same length, another transform at one index: the list is watched item by item."""
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    one_of = safe.transforms[2]
    held = one_of.transforms
    one_of.transforms[1] = A.HorizontalFlip(p=1.0)
    assert one_of.transforms is held and len(held) == 2
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert info.value.report.codes() == ["SA101"]
    assert "HorizontalFlip was added" in info.value.report.errors[0].message


class _Agreeable(tuple):  # type: ignore[type-arg]
    """A range that claims to equal whatever it is compared with."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = tuple.__hash__


def test_an_argument_that_claims_to_equal_the_old_one_is_still_judged_anew() -> None:
    """The watch compares identities, not ``==``: a value whose ``__eq__`` lies cannot hide a wider range."""
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    wide = _Agreeable((-90, 90))
    assert wide == (-10, 10)
    safe.transforms[0].limit = wide
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert "SA102" in info.value.report.codes()


def test_an_argument_deleted_after_construction_is_not_a_pass() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    rotate = safe.transforms[0]
    del rotate.limit  # read back as unset: the catalog falls back to Rotate's default, ±90°
    with pytest.raises(compose_module.AuditError) as info:
        safe(image=_image())
    assert "SA102" in info.value.report.codes()
    assert "Rotate.limit changed from (-10, 10) to (unset)" in info.value.report.errors[0].message


def test_a_transform_whose_class_is_reassigned_is_refused_as_not_understood() -> None:
    """``obj.__class__ = ...`` keeps every argument the watch reads. The object is no mirror either: the
    functions albumentations calls for each target (``_key2func``) are still RandomGamma's (it fails with
    "RandomGamma.apply() missing ... 'gamma'"), so it is refused as not understood, whatever was cached of it
    as a RandomGamma."""
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    gamma = safe.transforms[2].transforms[0]
    gamma.__class__ = A.HorizontalFlip
    assert gamma.gamma_limit == (80, 120) and gamma.p == 0.5  # the arguments the watch reads are untouched
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert info.value.report.codes() == ["SA401"]
    assert "_key2func" in info.value.report.errors[0].message
    assert (
        "transforms[2].transforms[0] was a RandomGamma and is now a HorizontalFlip"
        in info.value.report.errors[0].message
    )


def test_a_replaced_instance_dict_is_seen_and_then_watched() -> None:
    """A new ``__dict__`` with the same arguments passes; a change made in it afterwards is seen."""
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    rotate = safe.transforms[0]
    rotate.__dict__ = dict(rotate.__dict__)  # the same arguments in a new dict: judged again, and passes
    safe(image=_image())
    rotate.__dict__["limit"] = (-90, 90)  # a change in the new dict is seen
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert "Rotate.limit changed from (-10, 10) to (-90, 90)" in info.value.report.errors[0].message


def test_an_argument_deleted_and_another_added_is_not_a_pass() -> None:
    """The object keeps the size of its attributes and its other values; the deleted argument is still a change."""
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    safe(image=_image())
    rotate = safe.transforms[0]
    del rotate.limit
    rotate.unrelated = (-10, 10)
    with pytest.raises(compose_module.AuditError, match=r"Rotate\.limit changed from"):
        safe(image=_image())


class _Widened(A.Rotate):  # type: ignore[misc]
    """A Rotate whose ``limit`` is a property over another attribute: the watch reads what the class reads."""

    @property
    def limit(self) -> Any:
        return self.__dict__.get("wide", self.__dict__["limit"])

    @limit.setter
    def limit(self, value: Any) -> None:
        self.__dict__["limit"] = value


def _count_judgements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per judgement safeaug.Compose makes: when built (``judge_live``) and after a change (``judge``)."""
    calls: list[int] = []
    for name in ("judge", "judge_live"):
        real = getattr(compose_module, name)

        def counting(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(compose_module, name, counting)
    return calls


def test_an_argument_behind_a_class_property_is_read_as_the_property_reads(
    registered: list[type], monkeypatch: pytest.MonkeyPatch
) -> None:
    _register(registered, _Widened, safeaug.Envelope(rotation=10))
    judged = _count_judgements(monkeypatch)
    safe = safeaug.Compose([_Widened(limit=10, p=0.0)], policy="chest_xray", audit=True)  # never runs
    safe(image=_image())
    assert len(judged) == 1  # construction
    safe.transforms[0].wide = (-90, 90)  # the dict's ``limit`` is untouched; what the class reads is not
    safe(image=_image())
    assert len(judged) == 2  # a new setting: judged again
    safe(image=_image())
    assert len(judged) == 2


def test_unchanged_calls_do_not_judge_again_and_verdicts_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_judgements(monkeypatch)
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True)
    assert len(calls) == 1  # construction
    for i in range(20):
        safe(image=_image(i))
    assert len(calls) == 1
    for _ in range(5):  # a curriculum alternating between two settings costs one judgement per new setting
        safe.transforms[0].limit = (-5, 5)
        safe(image=_image())
        safe.transforms[0].limit = (-10, 10)
        safe(image=_image())
    assert len(calls) == 2


# ------------------------------------------------------------------ what was applied


def _liar(name: str, linear: tuple[float, float, float, float]) -> type[A.Rotate]:
    """A Rotate subclass whose applied matrix has the given linear part (whatever its arguments say)."""

    def params(self: A.Rotate, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        out = dict(A.Rotate.get_params_dependent_on_data(self, params, data))
        h, w = params["shape"][:2]
        a, b, c, d = linear
        cx, cy = (w - 1) / 2, (h - 1) / 2
        out["matrix"] = np.array([[a, b, cx - a * cx - b * cy], [c, d, cy - c * cx - d * cy], [0.0, 0.0, 1.0]])
        out["bbox_matrix"] = out["matrix"]
        return out

    return type(name, (A.Rotate,), {"get_params_dependent_on_data": params, "__module__": __name__})


def _turn(degrees: float, zoom: float = 1.0) -> tuple[float, float, float, float]:
    r = math.radians(degrees)
    return (zoom * math.cos(r), -zoom * math.sin(r), zoom * math.sin(r), zoom * math.cos(r))


@pytest.fixture
def registered() -> Iterator[list[type]]:
    """Classes registered with a small envelope during a test, unregistered after it."""
    classes: list[type] = []
    yield classes
    for cls in classes:
        safeaug.unregister_transform(cls)


def _register(registered: list[type], cls: type, envelope: safeaug.Envelope) -> None:
    safeaug.register_transform(cls, envelope)
    registered.append(cls)


@pytest.mark.parametrize(
    "linear, code, words",
    [
        (_turn(40), "SA102", "turned the image by 40°"),
        ((-1.0, 0.0, 0.0, 1.0), "SA101", "mirrored the image"),
        (_turn(3, zoom=1.5), "SA103", "zoomed by 1.5×"),
    ],
    ids=["rotation", "mirror", "scale"],
)
def test_applied_parameters_beyond_the_policy_are_refused(
    registered: list[type], linear: tuple[float, float, float, float], code: str, words: str
) -> None:
    liar = _liar(f"Liar{code}", linear)
    _register(registered, liar, safeaug.Envelope(rotation=5))
    safe = safeaug.Compose([A.RandomGamma(p=1), liar(limit=5, p=1)], policy="chest_xray", audit=True)
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    finding = next(f for f in info.value.report.errors if f.location)
    assert finding.code == code and finding.location == "transforms[1]" and finding.transform == liar.__name__
    assert words in finding.message and "call 1" in finding.message
    assert finding.reason  # the policy's reason travels with it
    # Without audit nothing is checked at run time: this is what audit is for.
    safeaug.Compose([liar(limit=5, p=1)], policy="chest_xray")(image=_image())


def test_turns_that_add_up_beyond_the_bound_are_refused_for_the_whole_call(registered: list[type]) -> None:
    first, second = _liar("TurnA", _turn(10)), _liar("TurnB", _turn(10))
    _register(registered, first, safeaug.Envelope(rotation=5))
    _register(registered, second, safeaug.Envelope(rotation=5))
    safe = safeaug.Compose([first(limit=5, p=1), second(limit=5, p=1)], policy="chest_xray", audit=True)
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    (finding,) = info.value.report.errors
    assert finding.code == "SA102" and finding.location == "" and "together" in finding.message
    assert "20°" in finding.message


def test_real_transforms_within_their_bounds_pass_audit_on_many_calls() -> None:
    safe = safeaug.Compose(
        [
            A.OneOf(
                [
                    # one shear axis: a 5° shear turns by 2.5° and zooms by up to 1.044
                    A.Affine(rotate=(-12, 12), scale=(0.9, 1.1), shear={"x": (-5, 5), "y": (0, 0)}, p=1),
                    A.SafeRotate(limit=10, p=1),
                    A.ShiftScaleRotate(shift_limit=0.05, scale_limit=0.1, rotate_limit=10, p=1),
                ],
                p=1,
            ),
            A.RandomGamma(p=0.5),
        ],
        policy="chest_xray",
        audit=True,
        seed=0,
    )
    for i in range(40):
        safe(image=_image(i, size=48))


def test_flips_and_quarter_turns_pass_audit_where_the_policy_allows_them() -> None:
    flips = [A.HorizontalFlip(p=1), A.RandomRotate90(p=1), A.D4(p=1), A.Transpose(p=0.5)]
    safe = safeaug.Compose(flips, policy="remote_sensing", audit=True, seed=3)
    for i in range(10):
        safe(image=_image(i))


def test_an_audited_compose_pickles_and_audits_after_unpickling() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray", audit=True, seed=1)
    safe(image=_image())
    clone = pickle.loads(pickle.dumps(safe))
    assert clone.audit
    clone(image=_image())
    clone.transforms[0].limit = (-45, 45)
    with pytest.raises(safeaug.PolicyViolationError):
        clone(image=_image())


def test_audit_switched_on_later_judges_the_live_tree() -> None:
    safe = safeaug.Compose(_pipeline(), policy="chest_xray")
    safe.transforms[0].limit = (-90, 90)
    safe(image=_image())  # no audit: albumentations' own call
    safe.audit = True
    with pytest.raises(safeaug.PolicyViolationError, match="SA102"):
        safe(image=_image())


def test_an_argument_changed_in_place_is_seen() -> None:
    affine = A.Affine(scale=(0.9, 1.1), p=1)
    safe = safeaug.Compose([affine], policy="chest_xray", audit=True)
    safe(image=_image())
    assert isinstance(affine.scale, dict)  # albumentations keeps per-axis ranges in a dict
    affine.scale["x"] = (0.5, 2.0)
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=_image())
    assert "SA103" in info.value.report.codes()
    assert "Affine.scale was changed in place" in info.value.report.errors[0].message


def _mirror(img: np.ndarray, *_: Any, **__: Any) -> np.ndarray:
    return np.ascontiguousarray(img[:, ::-1])


def _mirror_with_params(params: Any, *args: Any, **data: Any) -> dict[str, Any]:
    return {**data, "image": _mirror(data["image"])}


def _jitter() -> Any:
    return A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(1, 1), hue=(0, 0), p=1)


@pytest.mark.parametrize(
    ("make", "change", "words"),
    [
        # the function albumentations calls for the image, replaced in the dict it looks it up in
        (lambda: A.Rotate(limit=5, p=1), lambda t: t._key2func.__setitem__("image", _mirror), "_key2func"),
        # a method set on the object, which albumentations' own call finds before the class's
        (
            lambda: A.Rotate(limit=5, p=1),
            lambda t: setattr(t, "apply_with_params", _mirror_with_params),
            "apply_with_params was set on the object",
        ),
        # a step of ColorJitter's list of steps (state it derives from its arguments when built)
        (_jitter, lambda t: t.transforms.__setitem__(0, _mirror), "ColorJitter.transforms"),
    ],
    ids=["key2func", "method-on-object", "jitter-step"],
)
def test_run_time_state_changed_after_construction_is_seen(make: Any, change: Any, words: str) -> None:
    t = make()
    safe = safeaug.Compose([t], policy="chest_xray", audit=True)
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    safe(image=image)
    change(t)
    assert np.array_equal(t(image=image)["image"], image[:, ::-1])  # truth: it now mirrors
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=image)
    assert info.value.report.codes() == ["SA401"]
    assert words in info.value.report.errors[0].message


def test_normalisation_state_changed_in_place_is_seen() -> None:
    norm = A.Normalize(p=1)
    safe = safeaug.Compose([norm], policy="natural", audit=True)
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    safe(image=image)
    norm.denominator *= -1.0  # a negative: every level's sign turned
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=image)
    assert "SA401" in info.value.report.codes()


@pytest.mark.parametrize("nested", [False, True], ids=["transform", "composition"])
def test_replay_mode_switched_on_after_construction_is_seen(nested: bool) -> None:
    # A flip that never runs, set to replay (it then applies its stored parameters on every call), or a SomeOf
    # that draws none of its children, set to replay (it then runs every one).
    flip = A.HorizontalFlip(p=0 if not nested else 1)
    top: Any = A.SomeOf([flip], n=0, p=1) if nested else flip
    safe = safeaug.Compose([top], policy="chest_xray", audit=True)
    image = _image()
    assert np.array_equal(safe(image=image)["image"], image)
    top.replay_mode = True
    if not nested:
        flip.applied_in_replay, flip.params = True, {}
    assert np.array_equal(A.Compose([top])(image=image)["image"], image[:, ::-1])  # truth: it now mirrors
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=image)
    assert ("SA401" if not nested else "SA101") in info.value.report.codes()
    assert "replay_mode changed from False to True" in info.value.report.errors[0].message


def test_a_hook_patched_onto_a_class_after_construction_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    t = A.RandomBrightnessContrast(brightness_limit=0.05, contrast_limit=0.05, p=1)
    safe = safeaug.Compose([t], policy="chest_xray", audit=True)
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))
    safe(image=ramp)
    inverted = {"alpha": -1.0, "beta": 252.0}
    monkeypatch.setattr(A.RandomBrightnessContrast, "get_params_dependent_on_data", lambda self, params, data: inverted)
    assert np.array_equal(t(image=ramp)["image"], 252 - ramp)  # truth: every call now inverts the film
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=ramp)
    assert info.value.report.codes() == ["SA401"]
    assert "RandomBrightnessContrast.get_params_dependent_on_data was replaced" in info.value.report.errors[0].message
    monkeypatch.undo()
    assert np.array_equal(safe(image=ramp)["image"].shape, ramp.shape)  # the class's own code again: admitted
    # A hook the class did not define itself (BasicTransform's apply_with_params), set on it.
    base = A.RandomBrightnessContrast.apply_with_params

    def mirrored(self: Any, params: Any, *args: Any, **kwargs: Any) -> Any:
        out = base(self, params, *args, **kwargs)
        return {**out, "image": np.ascontiguousarray(out["image"][:, ::-1])}

    monkeypatch.setattr(A.RandomBrightnessContrast, "apply_with_params", mirrored, raising=False)
    assert "apply_with_params" in vars(A.RandomBrightnessContrast)
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=ramp)
    assert "RandomBrightnessContrast was given or lost a class attribute" in info.value.report.errors[0].message
    monkeypatch.undo()
    assert safe(image=ramp)["image"].shape == ramp.shape  # judged again on the class's own code: admitted


class _Unlisted(A.RandomBrightnessContrast):  # type: ignore[misc]
    """Lists only p among its arguments; its limits still run."""

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("p",)


def test_an_argument_a_subclass_leaves_out_of_its_list_is_watched() -> None:
    t = _Unlisted(brightness_limit=0.05, contrast_limit=0.05, p=1)
    safe = safeaug.Compose([t], policy="chest_xray", audit=True)
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))
    safe(image=ramp)
    t.contrast_limit, t.brightness_limit = (-2.0, -2.0), (1.0, 1.0)
    out = t(image=ramp)["image"]
    assert out[0, 0] > out[0, -1]  # truth: the ramp now runs downhill, an inverted film
    with pytest.raises(safeaug.PolicyViolationError) as info:
        safe(image=ramp)
    assert "_Unlisted.contrast_limit changed from (-0.05, 0.05) to (-2, -2)" in info.value.report.errors[0].message


def test_a_branch_listed_twice_is_read_once_per_call() -> None:
    from safeaug.coordmap import measure

    turn = A.Rotate(limit=(12, 12), p=1)
    assert measure(A.Compose([A.OneOf([turn, turn], p=1)]), (64, 64), seed=0).turn == pytest.approx(12, abs=1)
    safe = safeaug.Compose([A.OneOf([turn, turn], p=1)], policy="chest_xray", audit=True)  # weighted twice
    for i in range(4):
        safe(image=_image(i))  # one 12° turn per call: within 15°


# ------------------------------------------------------------------ the measurement, as properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from safeaug.applied import measure_linear  # noqa: E402


@given(
    angle=st.floats(-179, 179),
    sx=st.floats(0.5, 2.0),
    sy=st.floats(0.5, 2.0),
    mirror=st.booleans(),
    stretch_first=st.booleans(),
)
def test_the_turn_zoom_and_mirror_of_a_matrix_are_read_back(
    angle: float, sx: float, sy: float, mirror: bool, stretch_first: bool
) -> None:
    """A turn with per-axis zooms (in either order) and an optional horizontal flip is read back exactly."""
    r = math.radians(angle)
    rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    stretch = np.diag([sx, sy])
    flip = np.diag([-1.0, 1.0]) if mirror else np.eye(2)
    m = (stretch @ rot if stretch_first else rot @ stretch) @ flip
    mirrored, turn, zoom = measure_linear((m[0, 0], m[0, 1], m[1, 0], m[1, 1]))
    assert mirrored == mirror
    assert zoom == pytest.approx(math.sqrt(sx * sy), rel=1e-9)
    # R S and S R = R (R^T S R) share their nearest rotation R (polar decomposition): the turn is exact.
    assert turn == pytest.approx(abs(angle), abs=1e-6)


@given(seed=st.integers(0, 2**31 - 1))
def test_audit_never_changes_an_output(seed: int) -> None:
    plain = safeaug.Compose(_pipeline(), policy="chest_xray", seed=seed)
    audited = safeaug.Compose(_pipeline(), policy="chest_xray", seed=seed, audit=True)
    image = _image(seed % 7, size=24)
    for _ in range(2):
        np.testing.assert_array_equal(plain(image=image)["image"], audited(image=image)["image"])


@pytest.mark.parametrize(
    "transform, mirrored, turns",
    [
        (A.Affine(rotate=(20, 20), p=1), False, {20.0}),
        (A.Rotate(limit=(-30, -30), p=1), False, {30.0}),
        (A.HorizontalFlip(p=1), True, {0.0}),
        (A.VerticalFlip(p=1), True, {180.0}),  # a flip and a half turn, as the catalog counts it
        (A.Transpose(p=1), True, {90.0}),
        (A.RandomRotate90(p=1), False, {0.0, 90.0, 180.0}),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, A.BasicTransform) else None,
)
def test_what_real_transforms_applied_is_read_from_their_parameters(
    transform: A.BasicTransform, mirrored: bool, turns: set[float]
) -> None:
    from safeaug.applied import applied_linear

    seen = set()
    for seed in range(8):
        transform.set_random_seed(seed)
        transform(image=_image(seed, size=40))
        linear = applied_linear(transform, transform.params)
        assert linear is not None
        is_mirror, turn, zoom = measure_linear(linear)
        assert is_mirror == mirrored and zoom == pytest.approx(1.0, abs=1e-6)
        seen.add(round(turn, 6))
    assert seen <= turns and (len(turns) == 1 or len(seen) > 1)
