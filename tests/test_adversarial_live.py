"""Live objects, replay records and probe inputs, tried as an adversary would, with the truth measured on pixels.

Three ways to get an effect past a validator that reads a pipeline instead of running it:

* change what a live object does after (or instead of) what its class and arguments say: a subclass whose
  ``apply`` is a classmethod, a ``targets`` property, a ``OneOf`` that applies every branch, a function put
  into ``_key2func``, an attribute albumentations reads at run time changed after construction
  (``ShiftScaleRotate`` runs on ``rotate``, not on ``rotate_limit``);
* replay a ``ReplayCompose`` record whose stored parameters do what its arguments never allow;
* hand the probe a callable that does something only to inputs the probe does not try (grey films,
  portrait frames, 16-bit or float images).

Each test measures what really happens (coordinate maps sent through as masks, or the output pixels
compared with a mirror of the input) and checks that the verdict follows that truth.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import math
import textwrap
import types
import warnings
from typing import Any

import albumentations as A
import numpy as np
import pytest
from albumentations.core.transforms_interface import BasicTransform, DualTransform, ImageOnlyTransform

import safeaug
from safeaug.catalog import get_entry, known_names
from safeaug.coordmap import coordinate_maps, measure, read_maps
from safeaug.probing import ProbeError
from safeaug.readers import read_pipeline
from safeaug.readers.objects import replay_checked
from tests import impostors

POLICY = "chest_xray"  # mirror, inversion: refused; rotation: at most 15 degrees
MAX_TURN = 15.0


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _image(shape: tuple[int, ...] = (64, 64, 3), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _codes(pipeline: Any, *, probe: bool = False) -> list[str]:
    return safeaug.validate(pipeline, POLICY, probe=probe).codes()


def _mirrors(fn: Any, img: np.ndarray) -> bool:
    """Whether ``fn`` (an albumentations transform) returns the input mirrored left to right."""
    out = np.asarray(fn(image=img.copy())["image"])
    return out.shape == img.shape and np.array_equal(out, img[:, ::-1])


# ------------------------------------------------------------------------------------------ live objects


def test_shift_scale_rotate_is_judged_on_the_affine_attributes_it_runs() -> None:
    t = A.ShiftScaleRotate(shift_limit=0.0, scale_limit=0.0, rotate_limit=10, p=1)
    assert max(measure(t, (64, 64), seed=s).turn for s in range(6)) <= 10.5  # truth: within 10 degrees
    assert _codes(A.Compose([t])) == []
    t.rotate = (90.0, 90.0)  # what 2.0.8 reads in get_params; rotate_limit still says 10
    assert measure(t, (64, 64), seed=0).turn == pytest.approx(90.0, abs=1.0)
    assert "SA102" in _codes(A.Compose([t]))
    # and a mirror through the inherited scale
    m = A.ShiftScaleRotate(shift_limit=0.0, scale_limit=0.0, rotate_limit=0, p=1)
    m.scale = {"x": (-1.0, -1.0), "y": (1.0, 1.0)}
    assert measure(m, (64, 64), seed=0).mirror
    assert "SA101" in _codes(A.Compose([m]))


# Attributes every transform has that say nothing about its effect, or that update_transform_params reads only
# when present (fill, interpolation): read separately or not an effect.
_PLUMBING = {"p", "params", "py_random", "random_generator", "processors", "seed", "strict", "_strict", "invalid_args"}
_CORE = {BasicTransform, DualTransform, ImageOnlyTransform, object}
_NOT_RUN = {"__init__", "get_transform_init_args", "get_transform_init_args_names", "__repr__", "to_dict_private"}


def _read_at_run_time(cls: type) -> set[str]:
    """Attributes of ``self`` read by any method of ``cls``'s own albumentations classes (construction aside)."""
    found: set[str] = set()
    for base in cls.__mro__:
        if base in _CORE:
            continue
        for name, value in vars(base).items():
            if name in _NOT_RUN or name == "InitSchema":
                continue
            fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if not callable(fn):
                continue
            try:
                tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            except (OSError, TypeError, SyntaxError):
                continue
            found |= {
                n.attr
                for n in ast.walk(tree)
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
            }
    return found


def _buildable() -> list[Any]:
    out = []
    for name in sorted(known_names()):
        cls, entry = getattr(A, name, None), get_entry(name)
        if not (isinstance(cls, type) and issubclass(cls, BasicTransform)) or entry is None or entry.unknown:
            continue  # Lambda: unknown whatever its functions are
        try:
            out.append(cls())
        except Exception:  # needs arguments (sizes, reference images): not built here
            continue
    return out


@pytest.mark.parametrize("transform", _buildable(), ids=lambda t: type(t).__name__)
def test_every_attribute_2_0_8_reads_at_run_time_is_read_by_safeaug(transform: Any) -> None:
    """Each attribute a catalog class's methods read, changed on the live object, shows in what safeaug reads:
    in the arguments it judges, or as state that no longer matches them (the class is then unknown)."""
    cls = type(transform)
    names = (_read_at_run_time(cls) & set(vars(transform))) - _PLUMBING
    missed = []
    for attr in sorted(names):
        t = copy.deepcopy(transform)
        marker = object()
        setattr(t, attr, marker)
        node = read_pipeline(t)
        node = node.children[0] if node.children else node
        if node.params.get(attr) is not marker and not node.overrides:
            missed.append(attr)
    assert missed == [], f"{cls.__name__}: changing {missed} after construction goes unseen"


class _ClassApply(A.RandomBrightnessContrast):  # type: ignore[misc]
    @classmethod
    def apply(cls, img: np.ndarray, *args: Any, **params: Any) -> np.ndarray:
        return np.ascontiguousarray(img[:, ::-1])


class _StaticApply(A.RandomGamma):  # type: ignore[misc]
    @staticmethod
    def apply(img: np.ndarray, *args: Any, **params: Any) -> np.ndarray:
        return np.ascontiguousarray(img[:, ::-1])


class _Targets(A.RandomGamma):  # type: ignore[misc]
    @property
    def targets(self) -> dict[str, Any]:
        return {"image": lambda img, **params: np.ascontiguousarray(img[:, ::-1])}


@pytest.mark.parametrize("cls", [_ClassApply, _StaticApply, _Targets], ids=lambda c: c.__name__)
def test_a_subclass_that_changes_how_it_runs_is_unknown_and_its_mirror_is_caught_by_probing(cls: type) -> None:
    t = cls(p=1)
    assert _mirrors(t, _image())  # truth
    assert _codes(A.Compose([t])) == ["SA401"]
    assert "SA101" in _codes(A.Compose([t]), probe=True)


def test_a_function_put_into_key2func_is_unknown() -> None:
    t = A.RandomGamma(gamma_limit=(100, 100), p=1)
    t._key2func["image"] = A.HorizontalFlip(p=1).apply
    assert _mirrors(t, _image())
    assert _codes(A.Compose([t])) == ["SA401"]
    assert "SA101" in _codes(A.Compose([t]), probe=True)


@pytest.mark.parametrize(
    "tamper",
    [
        # a method of another object of the same class: the class's own function, bound to another object
        lambda t: t._key2func.__setitem__("image", A.HorizontalFlip(p=1).apply),
        # another class's function bound to this object
        lambda t: t._key2func.__setitem__("image", types.MethodType(A.VerticalFlip.apply, t)),
        # not a method at all
        lambda t: t._key2func.__setitem__("image", lambda img, **params: img[:, ::-1]),
    ],
    ids=["bound-to-another-object", "another-class-function", "plain-function"],
)
def test_key2func_tampered_after_a_clean_verdict_is_unknown(tamper: Any) -> None:
    """What was found of the class's own functions is kept per class: a transform judged clean (and the same
    class judged again) does not vouch for a function put into an object's ``_key2func`` afterwards."""
    flips = [A.HorizontalFlip(p=1) for _ in range(2)]
    for t in flips:
        assert _codes(A.Compose([t])) == ["SA101"]  # the class's functions, found its own
    t = flips[0]
    tamper(t)
    assert _codes(A.Compose([t])) == ["SA401"]
    assert _codes(A.Compose([flips[1]])) == ["SA101"]  # the untouched one is still read as a flip


def test_a_mirror_slipped_into_key2func_after_the_class_was_vouched_for_is_caught() -> None:
    """Two gammas that do nothing are judged clean (the class's functions are then known as its own); a flip's
    function bound to the second one mirrors it on pixels, and it is refused, while the first stays clean."""
    gammas = [A.RandomGamma(gamma_limit=(100, 100), p=1) for _ in range(2)]
    for t in gammas:
        assert _codes(A.Compose([t])) == []
    t = gammas[1]
    t._key2func["image"] = types.MethodType(A.HorizontalFlip.apply, t)
    assert _mirrors(t, _image())  # truth
    assert not _mirrors(gammas[0], _image())
    assert _codes(A.Compose([t])) == ["SA401"]
    assert "SA101" in _codes(A.Compose([t]), probe=True)
    assert _codes(A.Compose([gammas[0]])) == []


def test_key2func_of_a_reassigned_class_is_not_vouched_for_by_the_old_class() -> None:
    t = A.RandomGamma(p=1)
    assert _codes(A.Compose([t])) == []
    t.__class__ = A.HorizontalFlip  # its _key2func still calls RandomGamma's functions
    assert _codes(A.Compose([t])) == ["SA401"]


class _AllOf(A.OneOf):  # type: ignore[misc]
    """A OneOf that applies every branch."""

    def __call__(self, *args: Any, force_apply: bool = False, **data: Any) -> Any:
        for t in self.transforms:
            data = t(force_apply=True, **data)
        return data


def test_a_one_of_subclass_that_applies_every_branch_is_unknown() -> None:
    branches = [A.Affine(rotate=(12, 12), p=1), A.Affine(rotate=(12, 12), p=1)]
    plain, every = A.OneOf(copy.deepcopy(branches), p=1), _AllOf(copy.deepcopy(branches), p=1)
    assert measure(A.Compose([plain]), (64, 64), seed=0).turn == pytest.approx(12.0, abs=1.0)
    assert measure(A.Compose([every]), (64, 64), seed=0).turn == pytest.approx(24.0, abs=1.0)  # truth
    assert _codes(A.Compose([plain])) == []
    assert _codes(A.Compose([every])) == ["SA401"]
    assert "SA102" in _codes(A.Compose([every]), probe=True)


class _IndexedOtherwise(list):  # type: ignore[type-arg]
    """Iterated (as a reader reads it), gamma changes; indexed (as OneOf picks its branch), a flip."""

    def __getitem__(self, index: Any) -> Any:
        return A.HorizontalFlip(p=1)


def test_a_composition_whose_children_are_not_a_plain_list_is_unknown() -> None:
    one_of = A.OneOf(_IndexedOtherwise([A.RandomGamma(p=1), A.RandomGamma(p=1)]), p=1)
    assert all(_mirrors(A.Compose([one_of]), _image(seed=s)) for s in range(3))  # truth
    report = safeaug.validate(A.Compose([one_of]), POLICY)
    assert report.codes() == ["SA401"]
    assert "`_IndexedOtherwise`, not a list" in report.errors[0].message
    assert "OneOf(list(transforms), ...)" in report.errors[0].fix
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([one_of], policy=POLICY)
    assert _codes(A.Compose([A.OneOf(tuple(_IndexedOtherwise([A.RandomGamma(p=1)])), p=1)])) == []


class _Hidden(A.Affine):  # type: ignore[misc]
    """Lists no arguments: a reader that trusted this would judge the default rotate=0."""

    def get_transform_init_args_names(self) -> tuple[str, ...]:
        return ("p",)


def test_a_subclass_that_hides_its_arguments_is_read_from_the_object() -> None:
    t = _Hidden(rotate=(40, 40), p=1)
    assert measure(t, (64, 64), seed=0).turn == pytest.approx(40.0, abs=1.0)
    assert "SA102" in _codes(A.Compose([t]))


class _PropertyLimit(A.Rotate):  # type: ignore[misc]
    """``limit`` is a property of the class; the instance dict keeps a mild copy under the same name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        vars(self)["limit"] = (-5, 5)

    @property
    def limit(self) -> Any:
        return self._limit

    @limit.setter
    def limit(self, value: Any) -> None:
        self._limit = value


class _SlotLimit(A.Rotate):  # type: ignore[misc]
    """``limit`` is a slot; the instance dict keeps a mild copy under the same name."""

    __slots__ = ("limit",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        vars(self)["limit"] = (-5, 5)


class _ShownDict(A.Rotate):  # type: ignore[misc]
    """``__dict__`` shows mild arguments; the attributes albumentations reads are elsewhere."""

    @property  # type: ignore[misc]
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        return {"limit": (-5, 5), "p": 1.0}


@pytest.mark.parametrize("cls", [_PropertyLimit, _SlotLimit, _ShownDict], ids=lambda c: c.__name__)
def test_an_argument_kept_apart_from_the_instance_dict_is_read_where_python_reads_it(cls: type) -> None:
    t = cls(limit=(170, 190), p=1, border_mode=0)
    xs, ys = coordinate_maps((64, 64))
    out = A.Compose([t], seed=0)(image=_image((64, 64)), mask=np.dstack([xs, ys]))["mask"]
    assert read_maps(out[..., 0], out[..., 1], (64, 64)).turn > 160  # truth: it turns the image over
    assert set(_codes(A.Compose([t]))) & {"SA102", "SA401"}


class _NeverZero(float):
    """0.0 to a reader that converts it; to albumentations' ``p <= 0`` and ``p >= 1``, a p of one."""

    def __le__(self, other: object) -> bool:
        return False

    def __ge__(self, other: object) -> bool:
        return True


class _NeverZeroInt(int):
    def __le__(self, other: object) -> bool:
        return False

    def __ge__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize("p", [_NeverZero(0.0), _NeverZeroInt(0)], ids=["float", "int"])
def test_a_probability_that_compares_unlike_its_value_is_not_read_as_that_value(p: Any) -> None:
    flip = A.HorizontalFlip(p=0)
    flip.p = p
    assert all(_mirrors(flip, _image(seed=s)) for s in range(3))  # truth: it always runs
    assert _codes(A.Compose([flip])) == ["SA101"]


def test_numpy_probabilities_are_read_as_their_value() -> None:
    for p in (np.float32(0.0), np.int64(0), np.float64(0.0)):
        flip = A.HorizontalFlip(p=0)
        flip.p = p
        assert not _mirrors(flip, _image())
        assert _codes(A.Compose([flip])) == []


class _ShowsZero(float):
    """Computes as its value (albumentations draws an angle from it); converted with ``float()``, 0."""

    def __float__(self) -> float:
        return 0.0


def test_a_float_subclass_argument_is_not_read_through_its_float() -> None:
    t = A.Rotate(limit=5, p=1, border_mode=0)
    t.limit = (_ShowsZero(170), _ShowsZero(190))
    assert measure(A.Compose([t]), (64, 64), seed=0).turn > 160  # truth: it turns the image over
    with pytest.raises(safeaug.ConfigError, match=r"Rotate.limit: .*of type _ShowsZero: a subclass of int or float"):
        safeaug.validate(A.Compose([t]), POLICY)


@pytest.mark.parametrize(
    "limit",
    [np.array([170, 190]), (np.int64(170), np.float32(190)), (np.float32(-170), np.float32(170))],
    ids=["array", "scalars", "float32"],
)
def test_an_argument_computed_with_numpy_is_read_as_its_value(limit: Any) -> None:
    t = A.Rotate(limit=5, p=1, border_mode=0)
    t.limit = limit  # a curriculum that computes its angle with numpy
    assert max(measure(A.Compose([t]), (64, 64), seed=s).turn for s in range(3)) > 90  # truth
    assert _codes(A.Compose([t])) == ["SA102"]


class _WidenedInWorkers(A.Rotate):  # type: ignore[misc]
    """Mild where it is judged; every unpickled copy (a DataLoader worker's) turns the image over."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({**state, "limit": (170, 190)})


class _PosesAsComposition(A.RandomGamma):  # type: ignore[misc]
    """Answers isinstance(obj, BaseCompose): a check that asks isinstance would not watch its functions."""

    transforms = ()

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        return A.Sequential


def test_a_subclass_that_changes_its_copies_or_its_class_is_unknown() -> None:
    import pickle

    t = _WidenedInWorkers(limit=5, p=1, border_mode=0)
    worker = pickle.loads(pickle.dumps(A.Compose([t])))
    assert measure(worker, (64, 64), seed=0).turn > 160  # truth: the worker's copy turns the image over
    assert _codes(A.Compose([t])) == ["SA401"]
    with pytest.raises(safeaug.PolicyViolationError):
        safeaug.Compose([_WidenedInWorkers(limit=5, p=1, border_mode=0)], policy=POLICY)
    posing = _PosesAsComposition(gamma_limit=(100, 100), p=1)
    assert isinstance(posing, A.BaseCompose)
    assert _codes(A.Compose([posing])) == ["SA401"]


def test_derived_state_changed_after_construction_makes_the_class_unknown() -> None:
    t = A.Normalize(p=1)
    before = np.asarray(t(image=_image())["image"])
    assert _codes(A.Compose([t])) == []
    t.mean_np = -t.mean_np * 0  # what apply reads; `mean` still says ImageNet
    assert not np.allclose(np.asarray(t(image=_image())["image"]), before)
    assert _codes(A.Compose([t])) == ["SA401"]


@pytest.mark.parametrize(
    "stand_in",
    [impostors.CarriesAMethodsAttributes, impostors.equal_to_any_function],
    ids=["attributes of a method", "a method of an object equal to any function"],
)
def test_a_target_function_that_only_passes_for_the_class_method_is_refused(stand_in: Any) -> None:
    assert _codes(A.Compose([A.Rotate(limit=10, p=1)])) == []  # (Rotate's own functions are known by now)
    t = A.Rotate(limit=10, p=1)
    t._key2func["image"] = stand_in(t)
    img = np.arange(48, dtype=np.uint8).reshape(6, 8)
    assert np.array_equal(A.Compose([t])(image=img)["image"], np.fliplr(img))  # what albumentations runs
    assert _codes(A.Compose([t])) == ["SA401"]


def test_a_colour_jitter_step_replaced_after_construction_makes_the_class_unknown() -> None:
    t = A.ColorJitter(p=1)
    assert "SA401" not in _codes(A.Compose([t]))
    t.transforms = [np.fliplr, *t.transforms[1:]]  # what apply runs in turn; the arguments still read as jitter
    assert _codes(A.Compose([t])) == ["SA401"]


@pytest.fixture
def patch_class() -> Any:
    """Set an attribute on one of albumentations' own classes for one test, as a monkeypatch in a project would."""
    done: list[tuple[type, str, bool, Any]] = []

    def patch(cls: type, name: str, value: Any) -> None:
        # (nothing is dropped from safeaug's caches: a changed class is read again on its own)
        done.append((cls, name, name in vars(cls), vars(cls).get(name)))
        setattr(cls, name, value)

    yield patch
    for cls, name, had, old in reversed(done):
        if had:
            setattr(cls, name, old)
        else:
            delattr(cls, name)


def test_a_run_time_hook_patched_onto_an_albumentations_class_makes_it_unknown(patch_class: Any) -> None:
    def mirrored(self: Any, params: dict[str, Any], *args: Any, **data: Any) -> dict[str, Any]:
        return {**data, "image": np.ascontiguousarray(data["image"][:, ::-1])}

    t = A.RandomGamma(p=1)
    assert _codes(A.Compose([t])) == []
    patch_class(A.RandomGamma, "apply_with_params", mirrored)  # inherited until now: set on the class itself
    assert _mirrors(t, _image())  # truth
    report = safeaug.validate(A.Compose([t]), POLICY)
    assert report.codes() == ["SA401"]
    finding = report.findings[0]
    assert "`RandomGamma` cannot be judged by its catalog entry: `apply_with_params`" in finding.message
    assert "drop the patch" in finding.fix and "replace=True" in finding.fix
    probed = safeaug.validate(A.Compose([t]), POLICY, probe=True)
    assert "SA101" in probed.codes()
    [measured] = [f for f in probed.findings if f.code == "SA408"]
    assert measured.message.startswith("`RandomGamma` no longer runs only the library's own code")


def test_a_patch_that_copies_the_original_name_and_module_is_still_seen(patch_class: Any) -> None:
    import functools

    original = A.Affine.get_params_dependent_on_data

    @functools.wraps(original)  # __module__, __qualname__ and __wrapped__ all say albumentations
    def turned(self: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        found = original(self, params, data)
        found["matrix"] = np.diag([-1.0, 1.0, 1.0]) @ found["matrix"]
        return found  # type: ignore[no-any-return]

    t = A.Affine(rotate=(-5, 5), p=1)
    patch_class(A.Affine, "get_params_dependent_on_data", turned)
    assert measure(A.Compose([t]), (64, 64), seed=0).mirror  # truth
    assert _codes(A.Compose([t])) == ["SA401"]
    assert "SA101" in _codes(A.Compose([t]), probe=True)


def test_albumentations_own_hooks_and_albucore_wrapped_ones_are_not_counted_as_patches() -> None:
    from safeaug.readers.objects import patched_hooks

    classes = [c for c in vars(A).values() if isinstance(c, type) and issubclass(c, BasicTransform)]
    assert len(classes) > 100
    assert {c.__name__: patched_hooks(c) for c in classes if patched_hooks(c)} == {}


# ------------------------------------------------------------------------------------------ replay records


def _albumentations_replay(record: dict[str, Any], **data: Any) -> dict[str, Any]:
    """albumentations' own replay of a safeaug record, as the truth.

    (The record rebuilds a safeaug composition of objects in replay mode, which is refused unless what they
    replay is checked: the truth is wanted here, so they are read by their arguments alone.)
    """
    with replay_checked():
        return A.ReplayCompose.replay(copy.deepcopy(record), **data)  # type: ignore[no-any-return]


def _replayed_turn_and_mirror(record: dict[str, Any], shape: tuple[int, int]) -> tuple[float, bool]:
    """What albumentations really replays: coordinate maps sent through its replay as a mask."""
    xs, ys = coordinate_maps(shape)
    out = _albumentations_replay(record, image=_image((*shape, 3)), mask=np.dstack([xs, ys]))
    r = read_maps(out["mask"][..., 0], out["mask"][..., 1], shape)
    return r.turn, r.mirror


def _record(transforms: list[Any], shape: tuple[int, int] = (64, 80)) -> dict[str, Any]:
    pipe = safeaug.ReplayCompose(transforms, policy=POLICY)
    return pipe(image=_image((*shape, 3)), mask=np.zeros(shape, np.float32))["replay"]  # type: ignore[no-any-return]


def test_a_replay_record_is_judged_by_the_parameters_it_replays() -> None:
    record = _record([A.Rotate(limit=10, p=1)])
    turn, _ = _replayed_turn_and_mirror(record, (64, 80))
    assert turn <= 10.5
    again = safeaug.ReplayCompose.replay(copy.deepcopy(record), image=_image((64, 80, 3)))
    assert again["image"].shape == (64, 80, 3)
    # The same record carrying the parameters of a 90 degree draw: the arguments still say limit=10.
    ninety = A.ReplayCompose([A.Rotate(limit=(90, 90), p=1)])(image=_image((64, 80, 3)))["replay"]
    edited = copy.deepcopy(record)
    edited["transforms"][0]["params"] = ninety["transforms"][0]["params"]
    turn, _ = _replayed_turn_and_mirror(edited, (64, 80))
    assert turn == pytest.approx(90.0, abs=1.0)  # truth: albumentations replays the stored turn
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.ReplayCompose.replay(edited, image=_image((64, 80, 3)))
    assert caught.value.report.codes() == ["SA401"] and "rotation 90" in caught.value.report.findings[0].message


def test_a_replay_record_that_applies_a_flip_that_never_runs_is_refused() -> None:
    record = _record([A.Affine(rotate=(5, 5), p=1), A.HorizontalFlip(p=0)])
    assert not _replayed_turn_and_mirror(record, (64, 80))[1]
    record["transforms"][1]["applied"] = True
    record["transforms"][1]["params"] = {"shape": (64, 80, 3)}
    assert _replayed_turn_and_mirror(record, (64, 80))[1]  # truth: the replay mirrors
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.ReplayCompose.replay(record, image=_image((64, 80, 3)))
    assert "p is 0" in caught.value.report.findings[0].message


def test_a_replay_record_that_applies_two_branches_of_a_one_of_is_refused() -> None:
    record = _record([A.OneOf([A.Affine(rotate=(12, 12), p=1), A.Affine(rotate=(12, 12), p=1)], p=1)])
    branches = record["transforms"][0]["transforms"]
    taken = next(b for b in branches if b["applied"])
    for b in branches:
        b["applied"], b["params"] = True, copy.deepcopy(taken["params"])
    assert _replayed_turn_and_mirror(record, (64, 80))[0] == pytest.approx(24.0, abs=1.0)  # beyond 15
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.ReplayCompose.replay(record, image=_image((64, 80, 3)))
    assert "2 branches" in caught.value.report.findings[0].message


def test_a_replay_record_with_a_stronger_tone_change_than_its_arguments_is_refused() -> None:
    t = A.RandomBrightnessContrast(brightness_limit=0.05, contrast_limit=0.05, p=1)
    record = _record([t])
    # A slope of -1 and a shift of the full range: out = max - in, an inverted film.
    record["transforms"][0]["params"].update(alpha=-1.0, beta=255.0)
    ramp = np.repeat(np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))[..., None], 3, axis=2)
    replayed = _albumentations_replay(record, image=ramp)["image"]
    assert np.array_equal(replayed, 255 - ramp)  # truth: the replay inverts
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.ReplayCompose.replay(record, image=ramp)
    assert "inversion" in caught.value.report.findings[0].message


def test_a_replay_record_without_a_policy_is_refused() -> None:
    record = A.ReplayCompose([A.HorizontalFlip(p=1)])(image=_image())["replay"]
    with pytest.raises(safeaug.PolicyError):
        safeaug.ReplayCompose.replay(record, image=_image())


def _in_replay_mode(t: Any, applied: bool = True) -> Any:
    """What ``ReplayCompose.replay`` does to every object it rebuilds, done by hand."""
    t.replay_mode = True
    t.applied_in_replay = applied
    if not isinstance(t, A.BaseCompose):
        t.params = {}
    return t


def test_a_transform_in_replay_mode_is_judged_by_what_it_replays_not_by_its_p() -> None:
    # A flip that never runs (p=0), set to replay: albumentations applies it on every call.
    flip = _in_replay_mode(A.HorizontalFlip(p=0))
    assert all(_mirrors(flip, _image(seed=s)) for s in range(3))  # truth
    assert _codes(A.Compose([flip])) == ["SA401"]
    assert "replay mode" in safeaug.validate(A.Compose([flip]), POLICY).errors[0].message
    # Set to replay nothing, it does nothing, whatever its arguments say.
    idle = _in_replay_mode(A.HorizontalFlip(p=1), applied=False)
    assert not _mirrors(idle, _image())
    assert _codes(A.Compose([idle])) == []
    # A false replay_mode of another type (0, None) is off, as albumentations tests it: the flip runs.
    for off in (0, None):
        flip = A.HorizontalFlip(p=1)
        flip.replay_mode = off
        assert _mirrors(flip, _image())
        assert _codes(A.Compose([flip])) == ["SA101"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: A.SomeOf([A.HorizontalFlip(p=1)], n=0, p=1),
        lambda: A.Sequential([A.HorizontalFlip(p=1)], p=0),
        lambda: A.OneOf([A.Affine(rotate=(12, 12), p=1), A.HorizontalFlip(p=1)], p=0),
        lambda: A.OneOrOther(A.NoOp(p=1), A.HorizontalFlip(p=1), p=1),
    ],
    ids=["some-of-n0", "sequential-p0", "one-of-p0", "one-or-other"],
)
def test_a_composition_in_replay_mode_runs_every_child_and_is_judged_so(make: Any) -> None:
    plain, replaying = make(), _in_replay_mode(make())
    assert not measure(A.Compose([plain]), (64, 64), seed=0).mirror
    assert measure(A.Compose([replaying]), (64, 64), seed=0).mirror  # truth: every child runs
    assert "SA101" not in _codes(A.Compose([plain]))
    assert "SA101" in _codes(A.Compose([replaying]))


def test_albumentations_replay_of_an_edited_safeaug_record_is_refused_when_rebuilt() -> None:
    record = _record([A.Affine(rotate=(5, 5), p=1), A.HorizontalFlip(p=0)])
    record["transforms"][1]["applied"] = True
    record["transforms"][1]["params"] = {"shape": (64, 80, 3)}
    # albumentations' own replay rebuilds the safeaug composition around objects already in replay mode.
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        A.ReplayCompose.replay(copy.deepcopy(record), image=_image((64, 80, 3)))
    errors = caught.value.report.errors
    assert {f.code for f in errors} == {"SA401"} and "HorizontalFlip" in {f.transform for f in errors}
    assert all("safeaug.ReplayCompose.replay" in f.message for f in errors)
    assert _replayed_turn_and_mirror(record, (64, 80))[1]  # truth: unchecked, it mirrors


# ------------------------------------------------------------------------------------------ probe inputs


def mirror_grey_films(image: np.ndarray) -> np.ndarray:
    grey = image.ndim == 2 or image.shape[2] == 1
    return np.ascontiguousarray(image[:, ::-1]) if grey else image


def turn_portraits(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image)) if image.shape[0] > image.shape[1] else image


def mirror_float_images(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.dtype.kind == "f" else image


def mirror_16_bit_images(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.dtype == np.uint16 else image


def mirror_float64_images(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.dtype == np.float64 else image


def mirror_rgba_images(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.ndim == 3 and image.shape[2] == 4 else image


def mirror_ct_slices(image: np.ndarray) -> np.ndarray:
    """Written for CT: mirrors images that hold negative numbers (air is -1000 HU), leaves photographs alone."""
    return np.ascontiguousarray(image[:, ::-1]) if image.min() < 0 else image


@pytest.mark.parametrize(
    ("fn", "film"),
    [
        (mirror_grey_films, _image((80, 64))),
        (mirror_float_images, _image((64, 64, 3)).astype(np.float32) / 255),
        (mirror_16_bit_images, _image((64, 64, 3)).astype(np.uint16) * 257),
        (mirror_float64_images, _image((64, 64, 3)) / 255.0),
        (mirror_rgba_images, _image((64, 64, 4))),
        (mirror_ct_slices, _image((64, 64)).astype(np.int16) * 12 - 1024),
    ],
    ids=["grey", "float32", "uint16", "float64", "RGBA", "int16"],
)
def test_a_callable_that_mirrors_only_some_films_is_refused(fn: Any, film: np.ndarray) -> None:
    rgb = _image((64, 64, 3))
    assert np.array_equal(fn(rgb), rgb)  # the square RGB uint8 probe alone sees nothing
    assert np.array_equal(fn(film), film[:, ::-1])  # truth: this film comes out mirrored
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(fn, POLICY, seeds=2)
    assert "SA101" in caught.value.report.codes()


def _invert(image: np.ndarray) -> np.ndarray:
    top = 1.0 if image.dtype.kind == "f" else float(np.iinfo(image.dtype).max)
    return (top - image).astype(image.dtype)


@pytest.mark.parametrize(
    ("only", "film"),
    [
        (lambda image: image.ndim == 2, _image((80, 64))),
        (lambda image: image.ndim == 3 and image.shape[2] == 1, _image((64, 64, 1))),
        (lambda image: image.dtype.kind == "f", _image((64, 64, 3)).astype(np.float32) / 255),
        (lambda image: image.dtype == np.uint16, _image((64, 64, 3)).astype(np.uint16) * 257),
        (lambda image: image.dtype == np.float64, _image((64, 64, 3)) / 255.0),
        (lambda image: image.ndim == 3 and image.shape[2] == 4, _image((64, 64, 4))),
    ],
    ids=["grey", "one-channel", "float32", "uint16", "float64", "RGBA"],
)
def test_a_callable_that_inverts_only_some_films_is_refused(only: Any, film: np.ndarray) -> None:
    def invert_some(image: np.ndarray) -> np.ndarray:
        return _invert(image) if only(image) else image

    rgb = _image((64, 64, 3))
    assert np.array_equal(invert_some(rgb), rgb)  # the square RGB uint8 probe alone sees nothing
    assert np.array_equal(invert_some(film), _invert(film))  # truth: this film comes out as a negative
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(invert_some, POLICY, seeds=2)
    assert "SA201" in caught.value.report.codes()


def test_a_callable_that_inverts_only_ct_slices_is_refused() -> None:
    def window_negative(image: np.ndarray) -> np.ndarray:  # a CT window shown as a negative
        return (image.max() + image.min() - image).astype(image.dtype) if image.dtype == np.int16 else image

    rgb, ct = _image((64, 64, 3)), _image((64, 64)).astype(np.int16) * 12 - 1024
    assert np.array_equal(window_negative(rgb), rgb)  # the square RGB uint8 probe alone sees nothing
    assert np.corrcoef(window_negative(ct).ravel(), ct.ravel())[0, 1] < -0.999  # truth: a negative
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(window_negative, POLICY, seeds=2)
    assert "SA201" in caught.value.report.codes()


def mirror_odd_heights(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.shape[0] % 2 else image


def mirror_odd_widths(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, ::-1]) if image.shape[1] % 2 else image


@pytest.mark.parametrize(
    ("fn", "film"), [(mirror_odd_heights, _image((513, 384, 3))), (mirror_odd_widths, _image((384, 513, 3)))]
)
def test_a_callable_that_mirrors_only_odd_sizes_is_refused(fn: Any, film: np.ndarray) -> None:
    rgb = _image((64, 64, 3))
    assert np.array_equal(fn(rgb), rgb)  # every size the probe tried was even: it saw nothing
    assert np.array_equal(fn(film), film[:, ::-1])  # truth: a film of an odd size comes out mirrored
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(fn, POLICY, seeds=2)
    assert "SA101" in caught.value.report.codes()


def test_a_callable_that_turns_every_portrait_film_is_refused() -> None:
    square, portrait = _image((64, 64, 3)), _image((96, 64, 3))
    assert np.array_equal(turn_portraits(square), square)
    out = turn_portraits(portrait)
    assert out.shape == (64, 96, 3) and np.array_equal(out, np.rot90(portrait))  # truth: a quarter turn
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(turn_portraits, POLICY, seeds=2)
    assert "SA102" in caught.value.report.codes()


def test_the_probed_finding_says_which_inputs_were_tried_and_what_stays_unseen() -> None:
    def brighter(image: np.ndarray) -> np.ndarray:
        return np.clip(image.astype(np.int32) + 4, 0, np.iinfo(image.dtype).max).astype(image.dtype)

    wrapped = safeaug.wrap(brighter, POLICY, seeds=2)
    (finding,) = wrapped.report.findings
    assert finding.code == "SA408"
    for words in (
        "grey",
        "one-channel",
        "uint16",
        "float32",
        "float64",
        "RGBA",
        "int16 CT numbers",
        "portrait",
        "landscape",
        "stay unseen",
    ):
        assert words in finding.message
    # A float image has no integer range: that input kind failed and is named as not seen.
    assert "did not run on float32" in finding.message


def test_a_transform_that_cannot_take_some_inputs_is_still_probed_on_the_rest() -> None:
    def rgb_only(image: np.ndarray) -> np.ndarray:
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError("RGB only")
        return image

    m = safeaug.probe(rgb_only, seeds=1)
    assert m.envelope.is_identity()
    assert any("did not run on grey" in n for n in m.notes)
    assert math.isfinite(m.envelope.rotation)


# ------------------------------------------------------------------------ outputs not set by input and seed


def garbage_past_three_columns_of_grey_films(image: np.ndarray) -> np.ndarray:
    """What albumentations 2.0.8's ``Posterize`` with a bit count per channel does to a 2-D grey image."""
    if image.ndim != 2:
        return image
    out = np.empty_like(image)
    out[:, :3] = image[:, :3]
    return out


@pytest.mark.parametrize(
    "transform",
    [garbage_past_three_columns_of_grey_films, A.Posterize(num_bits=[(3, 7), (2, 3), (1, 5)], p=1)],
    ids=["callable", "Posterize"],
)
def test_an_output_left_unwritten_on_grey_films_is_told_the_same_way_on_every_probe(transform: Any) -> None:
    # Truth: on a grey film, the output past the third column is whatever its memory held.
    film = _image((64, 64))
    outs = []
    for _ in range(2):
        if isinstance(transform, A.BasicTransform):
            transform.set_random_seed(0)
            outs.append(np.asarray(transform(image=film)["image"]))
        else:
            outs.append(transform(film))
    assert all(np.array_equal(out[:, :3], outs[0][:, :3]) for out in outs)
    readings = set()
    for _ in range(8):
        m = safeaug.probe(transform, seeds=2)
        readings.add(repr((m.envelope, m.unmeasured, m.notes)))
        assert not m.envelope.inversion and not m.envelope.mirror
        assert {"inversion", "mirror", "rotation"} <= set(m.unmeasured)
        assert any("grey (H, W) uint8" in n and "changed between two runs with the same seed" in n for n in m.notes)
    assert len(readings) == 1  # one reading, whatever the memory held on each probe


def test_a_probed_transform_unreadable_on_grey_films_is_refused_where_the_policy_bounds_what_was_not_read() -> None:
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(garbage_past_three_columns_of_grey_films, POLICY, seeds=2)
    report = caught.value.report
    assert "SA401" in report.codes()
    (unknown,) = [f for f in report.findings if f.code == "SA401"]
    assert "changed between two runs with the same seed" in unknown.message


def _unseeded(image: np.ndarray) -> np.ndarray:
    # Noise from a generator made without a seed: two runs agree on every pixel with no real chance. (A coin
    # from it, mirror or not, would agree between the two runs one time in 32, across the five probe images;
    # the mirror is then read on the runs, as for any random transform.)
    noise = np.random.default_rng().integers(-2, 3, image.shape)
    return np.clip(image.astype(np.int64) + noise, 0, np.iinfo(image.dtype).max).astype(image.dtype)


class _Counter:
    """Starts mirroring after 10 calls (a schedule): what it does depends on the calls before, not on the seed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, image: np.ndarray) -> np.ndarray:
        self.calls += 1
        return np.ascontiguousarray(image[:, ::-1]) if self.calls > 10 else image


def _unwritten(image: np.ndarray) -> np.ndarray:
    return np.empty_like(image)


@pytest.mark.parametrize(
    "make", [lambda: _unseeded, _Counter, lambda: _unwritten], ids=["unseeded", "stateful", "unwritten"]
)
def test_a_transform_whose_output_the_seed_does_not_set_is_not_judged_on_one_probe(make: Any) -> None:
    with pytest.raises(ProbeError, match="two different outputs for the same seed"):
        safeaug.probe(make(), seeds=4)
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(make(), POLICY, seeds=4)
    assert caught.value.report.codes() == ["SA401"]
    assert "random" in caught.value.report.findings[0].fix or "np.random" in caught.value.report.findings[0].message


class _LateSchedule:
    """Mirrors from its 1000th call on: far past the calls one probe makes, so no output of the probe shows it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, image: np.ndarray) -> np.ndarray:
        self.calls += 1
        return np.ascontiguousarray(image[:, ::-1]) if self.calls >= 1000 else image

    def step(self, image: np.ndarray) -> np.ndarray:
        return self(image)


def _late_closure() -> Any:
    calls = 0

    def mirror_later(image: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        return np.ascontiguousarray(image[:, ::-1]) if calls >= 1000 else image

    return mirror_later


def _late_default(image: np.ndarray, _calls: list[int] = [0]) -> np.ndarray:  # noqa: B006 (the state, on purpose)
    _calls[0] += 1
    return np.ascontiguousarray(image[:, ::-1]) if _calls[0] >= 1000 else image


_CALLS = 0
_LOG: list[int] = []
_LUT = np.clip(np.arange(256) + 3, 0, 255).astype(np.uint8)


def _late_global(image: np.ndarray) -> np.ndarray:
    global _CALLS  # (the state, on purpose)
    _CALLS += 1
    return np.ascontiguousarray(image[:, ::-1]) if _CALLS >= 1000 else image


class _LateLog:
    """Counts its calls in a module-level list."""

    def __call__(self, image: np.ndarray) -> np.ndarray:
        _LOG.append(1)
        return np.ascontiguousarray(image[:, ::-1]) if len(_LOG) >= 1000 else image


def _reset_module_counters() -> Any:
    global _CALLS
    _CALLS = 0
    _LOG.clear()
    return None


@pytest.mark.parametrize(
    "make",
    [
        _LateSchedule,
        lambda: _LateSchedule().step,
        lambda: functools.partial(_LateSchedule()),
        _late_closure,
        lambda: _late_default,
        lambda: _reset_module_counters() or _late_global,
        lambda: _reset_module_counters() or _LateLog(),
    ],
    ids=["object", "bound method", "partial", "closure", "mutable default", "global", "module-level list"],
)
def test_a_callable_whose_state_moves_with_every_call_is_not_judged_by_the_calls_a_probe_makes(make: Any) -> None:
    film = _image((64, 64, 3))
    fn = make()
    outs = [fn(film) for _ in range(1000)]
    assert np.array_equal(outs[0], film) and np.array_equal(outs[-1], film[:, ::-1])  # truth: mirrors, later
    fn = make()
    with pytest.raises(ProbeError, match="keeps state between calls"):
        safeaug.probe(fn, seeds=4)
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(make(), POLICY, seeds=4)
    assert caught.value.report.codes() == ["SA401"]
    assert "register_transform" in caught.value.report.findings[0].message


class _LateFlip(ImageOnlyTransform):
    """A user's transform that mirrors from its 1000th call on, counting on the object."""

    def __init__(self, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.calls = 0

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        self.calls += 1
        return np.ascontiguousarray(img[:, ::-1]) if self.calls >= 1000 else img


class _LateFlipOnTheClass(ImageOnlyTransform):
    """The same, counting on its class (every object of it shares the count)."""

    calls = 0

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        type(self).calls += 1
        return np.ascontiguousarray(img[:, ::-1]) if type(self).calls >= 1000 else img


@pytest.mark.parametrize("cls", [_LateFlip, _LateFlipOnTheClass], ids=["object", "class"])
def test_an_albumentations_subclass_whose_state_moves_with_every_call_is_refused(cls: Any) -> None:
    film = _image((64, 64, 3))
    t = cls(p=1)
    outs = [t(image=film)["image"] for _ in range(1000)]
    assert np.array_equal(outs[0], film) and np.array_equal(outs[-1], film[:, ::-1])  # truth: mirrors, later
    if cls is _LateFlipOnTheClass:
        cls.calls = 0  # (the count the truth above left on the class)
    report = safeaug.validate(A.Compose([cls(p=1)]), POLICY, probe=True)
    assert report.codes() == ["SA401"]
    assert "keeps state between calls" in report.findings[0].message


class _Cached:
    """Fills a cache on its first call and keeps the last image it saw: the same after every run alike."""

    def __init__(self) -> None:
        self.table: np.ndarray | None = None
        self.last: np.ndarray | None = None

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if self.table is None:
            self.table = np.clip(np.arange(256) + 3, 0, 255).astype(np.uint8)
        self.last = image.copy()
        return self.table[image] if image.dtype == np.uint8 else image


class _KeepsLastAngle(ImageOnlyTransform):
    """Turns by a drawn quarter and keeps the last turn it made (for logging): state written per call, not moved."""

    def __init__(self, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.last: int | None = None

    def apply(self, img: np.ndarray, **params: Any) -> np.ndarray:
        self.last = int(self.py_random.random() < 0.5)
        return np.ascontiguousarray(np.rot90(img, 2 * self.last)) if img.shape[0] == img.shape[1] else img


def test_state_a_branch_keeps_from_its_last_call_is_not_state_that_moves() -> None:
    # In a OneOf, the branch the first seed does not take keeps what a later seed's call left: compared a run
    # apart that read as moving state; compared right after a run of the same seed, it is the same.
    # albumentations keeps each call's parameters on the transform (`params`): Blur's, when a seed takes it.
    assert not safeaug.probe(A.OneOf([A.Blur(blur_limit=(3, 3), p=1), A.NoOp(p=1)], p=1)).envelope.mirror
    pipeline = A.Compose([A.OneOf([_KeepsLastAngle(p=1), A.NoOp(p=1)], p=1)])
    report = safeaug.validate(pipeline, "natural", probe=True)
    assert "SA401" not in report.codes()
    assert not any("keeps state" in f.message for f in report.findings)


def test_a_callable_that_fills_a_cache_once_is_probed_as_before() -> None:
    wrapped = safeaug.wrap(_Cached(), POLICY, seeds=4)
    assert wrapped.report.codes() == ["SA408"]

    def brighter(image: np.ndarray) -> np.ndarray:  # reads a module-level table, never writes it
        return _LUT[image] if image.dtype == np.uint8 else image

    assert safeaug.wrap(brighter, POLICY, seeds=4).report.codes() == ["SA408"]


def test_a_transform_drawing_from_the_seeded_generators_repeats_and_is_read() -> None:
    def seeded(image: np.ndarray) -> np.ndarray:
        return np.clip(image.astype(int) + int(np.random.randint(0, 6)), 0, 255).astype(image.dtype)

    m = safeaug.probe(seeded, seeds=4)
    assert not any("same seed" in n for n in m.notes)
    assert 0.0 < m.envelope.brightness <= 0.03


def mirror_and_blur_other_frames(image: np.ndarray) -> np.ndarray:
    """Square films untouched; any other frame mirrored, then blurred until the probe's landmarks are lost."""
    import cv2

    if image.shape[0] == image.shape[1]:
        return image
    return np.asarray(cv2.GaussianBlur(np.ascontiguousarray(image[:, ::-1]), (0, 0), 6))


def test_a_mirror_hidden_behind_a_blur_on_other_frames_is_not_passed() -> None:
    import cv2

    square, portrait = _image((64, 64, 3)), _image((96, 64, 3))
    assert np.array_equal(mirror_and_blur_other_frames(square), square)
    truth = cv2.GaussianBlur(np.ascontiguousarray(portrait[:, ::-1]), (0, 0), 6)
    assert np.array_equal(mirror_and_blur_other_frames(portrait), truth)  # truth: a mirrored film
    m = safeaug.probe(mirror_and_blur_other_frames, seeds=2)
    assert {"mirror", "rotation"} <= set(m.unmeasured)
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(mirror_and_blur_other_frames, POLICY, seeds=2)
    (unknown,) = [f for f in caught.value.report.findings if f.code == "SA401"]
    assert "portrait and landscape images could not be read" in unknown.message


@pytest.mark.parametrize(
    ("film", "negative"),
    [
        (_image((64, 64, 3)).astype(np.uint16) * 257, lambda f: 1.0 - f.astype(np.float32) / 65535.0),
        (_image((80, 64)), lambda f: 1.0 - f.astype(np.float32) / 255.0),
    ],
    ids=["uint16-to-float", "grey-to-float"],
)
def test_a_negative_returned_in_another_pixel_type_is_still_a_negative(film: np.ndarray, negative: Any) -> None:
    def invert_into_float(image: np.ndarray) -> np.ndarray:
        same_kind = image.dtype == film.dtype and image.ndim == film.ndim
        return np.asarray(negative(image), dtype=np.float32) if same_kind else image

    rgb = _image((64, 64, 3))
    assert np.array_equal(invert_into_float(rgb), rgb)  # the square RGB uint8 probe alone sees nothing
    out = invert_into_float(film)
    assert out.dtype == np.float32 and np.corrcoef(out.ravel(), film.ravel())[0, 1] < -0.999  # truth: a negative
    with pytest.raises(safeaug.PolicyViolationError) as caught:
        safeaug.wrap(invert_into_float, POLICY, seeds=2)
    assert "SA201" in caught.value.report.codes()


def test_levels_of_another_meaning_in_another_type_are_not_read_as_a_negative() -> None:
    def darker(image: np.ndarray) -> np.ndarray:  # written for 8-bit films
        return np.clip(image.astype(np.int16) - 8, 0, 255).astype(np.uint8)

    # Truth: on a uint16 film the int16 wraps the bright half below zero, so the ramp falls from white to black
    # in one step (two levels): not a film's negative, which keeps its levels apart.
    ramp = (np.arange(256, dtype=np.uint16) * 257).reshape(1, -1)
    out = darker(ramp)[0]
    assert out[2] == 255 and out[200] == 0 and len(np.unique(out)) <= 3
    m = safeaug.probe(darker, seeds=2)
    assert not m.envelope.inversion
    assert safeaug.wrap(darker, POLICY, seeds=2).report.codes() == ["SA408"]


def test_a_mirror_on_the_draws_whose_landmarks_a_blur_hides_is_not_passed() -> None:
    import cv2

    def mirror_half_the_square_films(image: np.ndarray) -> np.ndarray:
        if image.shape[0] != image.shape[1] or np.random.random() < 0.5:
            return image
        return np.asarray(cv2.GaussianBlur(np.ascontiguousarray(image[:, ::-1]), (0, 0), 2.0)).reshape(image.shape)

    square = _image((64, 64, 3))
    np.random.seed(0)  # (a draw that mirrors)
    assert np.random.random() >= 0.5
    np.random.seed(0)
    truth = cv2.GaussianBlur(np.ascontiguousarray(square[:, ::-1]), (0, 0), 2.0)
    assert np.array_equal(mirror_half_the_square_films(square), truth)  # truth: a mirrored film
    m = safeaug.probe(mirror_half_the_square_films, seeds=16)
    assert {"mirror", "rotation"} <= set(m.unmeasured)
    assert any("a mirror or a turn there is not seen" in n for n in m.notes)
    # Under a policy whose blur bound it breaks too, the mirror is named, not only the blur.
    lam = A.Lambda(image=lambda x, **_: mirror_half_the_square_films(x))
    report = safeaug.validate(A.Compose([lam]), "ocr", probe=True)
    (unknown,) = [f for f in report.findings if f.code == "SA401"]
    assert "mirror" in unknown.message
