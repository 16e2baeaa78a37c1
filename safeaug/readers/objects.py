"""Live albumentations objects (and any other callable) into the pipeline tree.

Nothing here imports albumentations: objects are read through the attributes every albumentations
transform has, so that a user's own callable simply becomes an unknown transform.
"""

from __future__ import annotations

import inspect
import numbers
import operator
import os
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import repeat
from typing import Any, NamedTuple

from safeaug.catalog._registry import qualified_name
from safeaug.catalog._renames import X_ARGUMENTS, X_ONLY_UNMODELLED
from safeaug.ir import COMPOSE_MODES, Mode, Node, child_location
from safeaug.libraries.reading import live_node
from safeaug.readers.class_versions import tag_reader, version
from safeaug.readers.vocabulary import dropped_by_object
from safeaug.rules import show

# What a subclass may define without changing what its albumentations base does to an image: the
# constructor (the arguments it stores are read from the object, whatever it was given), descriptions of
# itself, and serialisation. Anything else it defines that an albumentations base also defines, and any
# method named like albumentations' run-time hooks, may change behaviour: the class is then unknown.
_HARMLESS = frozenset(
    {
        "__module__",
        "__qualname__",
        "__doc__",
        "__dict__",
        "__weakref__",
        "__annotations__",
        "__firstlineno__",
        "__static_attributes__",
        "__orig_bases__",
        "__parameters__",
        "__slots__",
        "__init__",
        "__repr__",
        "__str__",
        "_abc_impl",
        "InitSchema",
        "get_transform_init_args",
        "get_transform_init_args_names",
        "to_dict_private",
        "get_dict_with_id",
        "get_class_fullname",
        "is_serializable",
    }
)
# Special methods that change how the object runs, how the reader sees it (``__class__`` answers isinstance),
# or what a copy or a DataLoader worker (which unpickles it) gets, whether or not albumentations defines them
# (a ``__setstate__`` that widens ``limit`` in every worker); other special methods (``__abstractmethods__``,
# ``__hash__``) do not.
_RISKY_DUNDERS = frozenset(
    {"__call__", "__getattribute__", "__getattr__", "__deepcopy__", "__copy__", "__reduce__", "__reduce_ex__"}
    | {"__getstate__", "__setstate__", "__new__", "__class__"}
)
_BEHAVIOUR = ("apply", "_apply", "get_params", "__call__", "targets", "should_apply", "update_transform_params")


def _is_albumentations(cls: type) -> bool:
    module = cls.__module__ or ""
    return module == "albumentations" or module.startswith("albumentations.")


_COMPOSE: dict[type, tuple[str, Mode] | None] = {}


def _compose_mode(cls: type) -> tuple[str, Mode] | None:
    if cls not in _COMPOSE:
        _COMPOSE[cls] = next(
            (
                (b.__name__, COMPOSE_MODES[b.__name__])
                for b in cls.__mro__
                if _is_albumentations(b) and b.__name__ in COMPOSE_MODES
            ),
            None,
        )
    return _COMPOSE[cls]


_MRO: dict[type, tuple[str, ...]] = {}
_NAMES: dict[type, str] = {}


def _qualified(cls: type) -> str:
    if cls not in _NAMES:
        _NAMES[cls] = qualified_name(cls)
    return _NAMES[cls]


_OVERRIDES: dict[type, tuple[str, ...]] = {}


def _mro(cls: type) -> tuple[str, ...]:
    if cls not in _MRO:
        _MRO[cls] = tuple(qualified_name(c) for c in cls.__mro__ if c is not object)
    return _MRO[cls]


def _overrides(cls: type) -> tuple[str, ...]:
    if cls not in _OVERRIDES:
        _OVERRIDES[cls] = _find_overrides(cls)
    return _OVERRIDES[cls]


# safeaug's compositions: `safeaug.Compose`/`ReplayCompose` and `safeaug.auto`'s RandAugment (a SomeOf that
# draws with replacement) and TrivialAugment (a OneOf). They are read as the compositions they are, their
# ops as children, so a finding points at the op; a user's subclass of them is still judged by its overrides.
_OWN_COMPOSITIONS = ("safeaug.compose", "safeaug.auto")


def _find_overrides(cls: type) -> tuple[str, ...]:
    """What the non-albumentations classes above the first albumentations one define that may change behaviour.

    Whatever form it takes: a method, a classmethod or staticmethod (``apply`` written as one), a property
    (``targets``) or a plain class attribute.
    """
    user = []
    for base in cls.__mro__:
        if _is_albumentations(base) or base is object or base.__module__ in _OWN_COMPOSITIONS:
            break  # safeaug's own compositions run albumentations' call path (see safeaug.compose)
        user.append(base)
    patched = patched_hooks(cls)
    if not user:
        return patched
    library = {name for base in cls.__mro__ if _is_albumentations(base) for name in vars(base)}
    found: list[str] = []
    for base in user:
        own_dict = vars(base).get("__dict__")
        if own_dict is not None and not isinstance(own_dict, types.GetSetDescriptorType):
            found.append("__dict__")  # a stand-in for the object's attributes: a reader of it sees what it shows
        for name in vars(base):
            if name in _HARMLESS or name in found or (name.startswith("__") and name not in _RISKY_DUNDERS):
                continue
            if name in library or name in _RISKY_DUNDERS or any(name.startswith(b) for b in _BEHAVIOUR):
                found.append(name)
    return tuple(found) + tuple(n for n in patched if n not in found)


def patched_hooks(cls: type) -> tuple[str, ...]:
    """Run-time hooks of albumentations' own classes in ``cls``'s bases that code outside albumentations replaced.

    A monkeypatch (``A.Affine.get_params_dependent_on_data = mine``, before or after safeaug first reads the
    class: a changed class is read again, see ``_class``) leaves the class albumentations' own in every other
    way, so its catalog entry would describe what it no longer does. albumentations' hooks are functions
    written in its package, some wrapped by albucore's decorators around such a function; anything else,
    ``functools.wraps`` included, was put there.
    """
    homes = _library_homes()
    found: list[str] = []
    for base in cls.__mro__:
        if not _is_albumentations(base):
            continue
        for name, value in vars(base).items():
            if name.startswith(_BEHAVIOUR) and name not in found and not _library_code(value, homes):
                found.append(name)
    return tuple(found)


def _library_homes() -> tuple[str, str | None]:
    """The directories of albumentations and albucore as loaded (albumentations is, when a class of it is read)."""
    return _home("albumentations") or "", _home("albucore")


def _home(module: str) -> str | None:
    file = getattr(sys.modules.get(module), "__file__", None)
    return os.path.dirname(file) + os.sep if isinstance(file, str) else None


def _library_code(value: Any, homes: tuple[str, str | None]) -> bool:
    """Whether a class attribute is a function of albumentations' own (through a staticmethod, classmethod or
    property), or albucore's decorator around one."""
    albumentations, albucore = homes
    func = value
    for _ in range(8):  # a decorator around a decorator: a few layers at most
        func = getattr(func, "__func__", None) or getattr(func, "fget", None) or func
        code = getattr(func, "__code__", None)
        file = getattr(code, "co_filename", None)
        if not isinstance(file, str) or not albumentations:
            return False
        if file.startswith(albumentations):
            return True
        if albucore is None or not file.startswith(albucore):
            return False
        func = getattr(func, "__wrapped__", None)
    return False


def _unbound(method: Any, cls: type) -> bool:
    """Whether a target function is not the class's own method bound to the object (it was replaced): a bound
    method of exactly Python's type (any object can carry ``__func__`` and ``__self__`` and run something else
    when called)."""
    if type(method) is not types.MethodType:
        return True
    func = method.__func__
    return getattr(cls, getattr(func, "__name__", ""), None) is not func


class _Plan(NamedTuple):
    shadowed: frozenset[str]  # the class's behaviour methods, which an object's own attribute would replace
    derived: Any  # the check of state derived from the arguments, or None
    derived_attributes: tuple[str, ...]  # the attributes that check compares


_PLANS: dict[type, _Plan] = {}
# class -> the id() of each function found to be its own method (each one ``getattr(cls, f.__name__) is f``), and
# the functions themselves (held, so that no other object takes one of their ids while they are kept); dropped
# with everything else kept of the class when it changes, so the finding holds while it is kept. By id(): set
# membership by value would let an object with its own ``__eq__`` and ``__hash__``, bound as a method, pass.
_OWN_METHODS: dict[type, tuple[set[int], list[Any]]] = {}
_FUNC = operator.attrgetter("__func__")
_SELF = operator.attrgetter("__self__")
# A bound method's function, read through the method type's own descriptor: a TypeError for any object that is
# not exactly a bound method (which cannot be subclassed), however it spells ``__func__``.
_METHOD_FUNC = types.MethodType.__func__.__get__


def _plan(cls: type) -> _Plan:
    if cls not in _PLANS:
        shadowed = frozenset(n for n in dir(cls) if n.startswith(_BEHAVIOUR))
        check, attributes = next((_DERIVED[b] for b in _mro(cls) if b in _DERIVED), (None, ()))
        _PLANS[cls] = _Plan(shadowed, check, attributes)
    return _PLANS[cls]


def _own_functions(obj: Any, cls: type, funcs: Any) -> bool:
    """Whether every function in ``_key2func`` is a method of the object's class bound to it."""
    if type(funcs) is not dict:
        return False
    known = _OWN_METHODS.get(cls)
    values = funcs.values()
    try:
        # In C: every one a bound method whose function is known (by id) to be the class's own, bound to this object.
        if (
            known is not None
            and known[0].issuperset(map(id, map(_METHOD_FUNC, values)))
            and all(map(operator.is_, map(_SELF, values), repeat(obj)))
        ):
            return True
    except (AttributeError, TypeError):  # not a bound method: put there by hand
        return False
    if any(_unbound(f, cls) or getattr(f, "__self__", None) is not obj for f in values):
        return False
    ids, held = _OWN_METHODS.setdefault(cls, (set(), []))
    for func in map(_FUNC, values):
        if id(func) not in ids:
            ids.add(id(func))
            held.append(func)
    return True


def _changed_state(obj: Any, cls: type) -> tuple[str, ...]:
    """Run-time state of a live object that no longer matches what its class and arguments give.

    albumentations calls the functions in ``_key2func`` (filled from ``targets`` when the object is built),
    so a function put there, or an ``apply`` set on the object before that, runs unseen; and a few classes
    keep state derived from their arguments (``Normalize.mean_np``) that a later assignment can change.
    """
    plan = _PLANS.get(cls) or _plan(cls)
    stored = getattr(obj, "__dict__", None) or {}
    found = (
        []
        if plan.shadowed.isdisjoint(stored)
        else [n for n in plan.shadowed.intersection(stored) if callable(stored[n])]
    )
    if "_key2func" in stored and not _own_functions(obj, cls, stored["_key2func"]):
        found.append("_key2func")
    if plan.derived is None:
        return tuple(found) if found else ()
    try:
        found += plan.derived(obj)
    except Exception:  # state that cannot even be compared has been changed
        found.append("state derived from its arguments")
    return tuple(found)


def _normalize_state(obj: Any) -> list[str]:
    import numpy as np  # a live Normalize means albumentations, and so numpy, is loaded

    if obj.normalization != "standard":
        return []
    mean = np.array(obj.mean, dtype=np.float32) * obj.max_pixel_value
    denominator = np.reciprocal(np.array(obj.std, dtype=np.float32) * obj.max_pixel_value)
    return [
        name
        for name, want in (("mean_np", mean), ("denominator", denominator))
        if not np.array_equal(np.asarray(getattr(obj, name)), want)
    ]


_SEPIA = ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131))


def _sepia_state(obj: Any) -> list[str]:
    matrix = obj.sepia_transformation_matrix
    rows = [[float(v) for v in row] for row in matrix.tolist()]
    return [] if rows == [list(r) for r in _SEPIA] else ["sepia_transformation_matrix"]


_JITTER = ("brightness", "contrast", "saturation", "hue")


def _jitter_state(obj: Any) -> list[str]:
    import sys

    if not hasattr(obj, "transforms"):
        return []  # AlbumentationsX keeps no list of steps: it calls its functions by name (2.0.8 needs one)
    functional = sys.modules.get("albumentations.augmentations.pixel.functional")
    want = [getattr(functional, f"adjust_{n}_torchvision", None) for n in _JITTER]
    steps = list(obj.transforms)
    same = len(steps) == len(want) and all(a is b and a is not None for a, b in zip(steps, want, strict=True))
    return [] if same else ["transforms"]


_STAIN_PRESETS = frozenset({"ruifrok", "macenko", "standard", "high_contrast", "h_heavy", "e_heavy", "dark", "light"})


def _stain_state(obj: Any) -> list[str]:
    found = [] if set(obj.preset_names) <= _STAIN_PRESETS else ["preset_names"]
    extractor = obj.__dict__.get("stain_extractor")
    if extractor is not None and not _is_albumentations(type(extractor)):
        found.append("stain_extractor")
    return found


# Classes whose run-time state is partly derived from their arguments when built (found by reading every
# method of every catalog class in 2.0.8 for attributes that are not arguments): the check of that state, and
# the attributes it compares.
_DERIVED: dict[str, tuple[Any, tuple[str, ...]]] = {
    "Normalize": (_normalize_state, ("mean_np", "denominator")),
    "ToSepia": (_sepia_state, ("sepia_transformation_matrix",)),
    "ColorJitter": (_jitter_state, ("transforms",)),
    "HEStain": (_stain_state, ("preset_names", "stain_extractor")),
}


# What albumentations 2.0.8 looks up through the class on every call (BasicTransform.__call__ and
# apply_with_params; a composition's __call__), and ``apply``, which the other ``apply_to_*`` methods call. The
# functions for each target are bound into ``_key2func`` when an object is built (watched on the object).
_CALLED_THROUGH_CLASS = (
    "__call__",
    "should_apply",
    "get_params",
    "update_transform_params",
    "get_params_dependent_on_data",
    "apply_with_params",
    "targets_as_params",
    "apply",
)


def class_hooks(cls: type) -> tuple[tuple[str, Any], ...]:
    """The run-time hooks ``cls`` itself defines, as they are now: (name, value), for the methods albumentations
    calls through the class on every call (``get_params``, ``apply_with_params``, ...). What a class resolves a
    hook to is the first of its bases that defines it: a watcher of every base's own hooks, and of the number
    of attributes of each (one added to a class changes it), sees any change of that.

    A hook that resolves to a new object on every lookup (a classmethod) is left out: one is never the
    library's own, so the class is already unknown.
    """
    own = vars(cls)
    found = []
    for name in _CALLED_THROUGH_CLASS:
        if name in own:
            value = getattr(cls, name, None)
            if value is not None and getattr(cls, name, None) is value:
                found.append((name, value))
    return tuple(found)


def forget_classes() -> None:
    """Drop what was read of every class: a class changed since (a hook patched onto it) is read again."""
    for cache in (*_PER_CLASS, _CLASSES):
        cache.clear()


def run_state(cls: type) -> tuple[frozenset[str], tuple[str, ...]]:
    """The run-time state beyond its arguments that :func:`changed_state` reads on an object of ``cls``: the
    behaviour methods an attribute of the object would replace, and the attributes the class derives from its
    arguments when built (``_key2func``, read too, is every transform's)."""
    plan = _PLANS.get(cls) or _plan(cls)
    return plan.shadowed, plan.derived_attributes


def changed_state(obj: Any) -> tuple[str, ...]:
    """What of a live object's run-time state no longer matches its class and arguments (empty when nothing)."""
    return _changed_state(obj, type(obj))


_ARG_NAMES: dict[type, frozenset[str] | None] = {}
_ALIASES: dict[type, dict[str, str]] = {}


def _aliases(cls: type, names: frozenset[str]) -> dict[str, str]:
    """2.0.8 argument name -> attribute name, for classes whose arguments carry AlbumentationsX names.

    AlbumentationsX stores ``Rotate(angle_range=...)`` as ``angle_range``; the catalog reads ``limit``.
    """
    if cls not in _ALIASES:
        renames = X_ARGUMENTS.get(cls.__name__, {}) if _is_albumentations(cls) else {}
        _ALIASES[cls] = {old: new for new, old in renames.items() if new in names and old not in names}
    return _ALIASES[cls]


def signature_names(cls: type) -> frozenset[str]:
    """The init-argument names of every ``__init__`` in the MRO, found as albumentations finds them.

    Used for user subclasses, whose own ``get_transform_init_args_names`` could leave out an argument that
    still runs (a subclass of ``Affine`` that hides ``rotate``), and by audit, which watches what is read.
    """
    names: set[str] = set()
    for base in cls.__mro__:
        init = vars(base).get("__init__")
        if base is object or init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        names.update(q.name for q in params if q.kind in kinds)
    return frozenset(names - {"self", "strict"})


_LIBRARY_NAMES: dict[type, _Reading] = {}
# Per class: how its objects' arguments are read (see _readable), or None when not the standard way.
_READ_AS: dict[type, _Reading | None] = {}


def _getter_owner(cls: type) -> type | None:
    return next((c for c in cls.__mro__ if "get_transform_init_args" in vars(c)), None)


def _arg_names(obj: Any) -> frozenset[str] | None:
    """Per class, the init-argument names, when the class reads its arguments the standard way.

    albumentations finds these names by inspecting every ``__init__`` in the MRO on each call; they
    depend on the class only, so they are looked up once per class here.
    """
    cls = type(obj)
    if cls in _ARG_NAMES:
        return _ARG_NAMES[cls]
    names: frozenset[str] | None = None
    owner = _getter_owner(cls)
    if owner is not None and owner.__name__ == "BasicTransform" and _is_albumentations(owner):
        if _is_albumentations(cls):
            try:
                names = frozenset(obj.get_transform_init_args_names())
            except Exception:
                names = None
        else:
            names = signature_names(cls)
    _ARG_NAMES[cls] = names
    return names


_MISSING = object()
_CONTAINERS = (list, dict, tuple, set)


_Reading = tuple[frozenset[str], dict[str, str] | None, bool]


def _readable(cls: type, names: frozenset[str], aliases: dict[str, str] | None) -> _Reading:
    """The names an object answers to, read under ``aliases`` (argument name -> attribute name), those aliases
    (None for none), and whether its instance dict holds what each of them reads. ``seed`` is an argument of
    every transform but no effect of any: never read."""
    if aliases:
        names = (names - frozenset(aliases.values())) | frozenset(aliases)
    names = names - {"seed"}
    attributes = {aliases.get(n, n) for n in names} if aliases else names
    return names, aliases or None, not any(_data_descriptor(cls, a) for a in attributes)


def _data_descriptor(cls: type, name: str) -> bool:
    """Whether ``name`` is a property or a slot of ``cls``: Python reads it there before the instance dict, where
    a class can keep another value under the same name."""
    for base in cls.__mro__:
        if name in vars(base):
            kind = type(vars(base)[name])
            return hasattr(kind, "__set__") or hasattr(kind, "__delete__")
    return False


class _Arguments(Mapping[str, Any]):
    """A transform's init arguments, read from its attributes when asked for.

    Entries read two or three arguments; reading all of them up front (as albumentations'
    ``get_transform_init_args`` does) would cost more than the rest of validation.
    """

    __slots__ = ("_aliases", "_names", "_obj", "_stored")

    def __init__(self, obj: Any, names: frozenset[str], aliases: dict[str, str] | None, plain: bool) -> None:
        """``names``, ``aliases`` and ``plain`` as :func:`_readable` gives them."""
        self._obj = obj
        # Where attributes live, unless a property or a slot; with one of those among the arguments, every one
        # is read as albumentations reads it (``getattr``).
        self._stored = getattr(obj, "__dict__", None) if plain else None
        self._names = names
        self._aliases = aliases

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self._names:
            return default
        if self._aliases is not None:
            name = self._aliases.get(name, name)
        stored = self._stored
        value = _MISSING if stored is None else stored.get(name, _MISSING)
        if value is _MISSING:  # a property or a slot
            value = getattr(self._obj, name, _MISSING)
            if value is _MISSING:
                return default
        if isinstance(value, _CONTAINERS) and len(value) == 0:
            return default  # albumentations leaves empty containers out of its arguments too
        return value

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name, _MISSING) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        return (name for name in sorted(self._names) if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))


def _init_args(obj: Any) -> Mapping[str, Any]:
    cls = type(obj)
    if cls not in _READ_AS:
        names = _arg_names(obj)
        _READ_AS[cls] = None if names is None else _readable(cls, names, _aliases(cls, names))
    how = _READ_AS[cls]
    if how is not None:
        return _Arguments(obj, *how)
    owner = _getter_owner(cls)
    if owner is None:
        return {}
    try:
        # A library class's own way to list its arguments, never a user subclass's (which could leave out
        # what runs); a class of the user's own with no albumentations base is asked itself.
        if _is_albumentations(owner):
            found = vars(owner)["get_transform_init_args"](obj)
        else:
            found = obj.get_transform_init_args()
    except Exception:  # a broken user transform: describe it as having no arguments
        return {}
    if not isinstance(found, dict):
        return {}
    base = next((c for c in cls.__mro__ if _is_albumentations(c)), None)
    if base is None:
        return dict(found)
    # What the object holds under the names of the library's arguments is what runs: ShiftScaleRotate
    # lists its limits, but runs as an Affine on the ``rotate``, ``scale`` and ``translate_percent`` it keeps.
    args = dict(found)
    if cls not in _LIBRARY_NAMES:
        _LIBRARY_NAMES[cls] = _readable(cls, signature_names(base), None)
    stored = _Arguments(obj, *_LIBRARY_NAMES[cls])
    for name in stored:
        if name not in args or not _is_albumentations(owner):
            args[name] = stored[name]
    return args


class _Class(NamedTuple):
    """What reading an object needs of its class, found once per class (and again once the class changes)."""

    albumentations: bool
    library: bool  # the class or one of its bases is albumentations' own (it runs albumentations' call path)
    compose: tuple[str, Mode] | None  # (base name, mode) of a composition read as one
    name: str | None  # the node's name (None for a function, named per object)
    mro: tuple[str, ...]
    overrides: tuple[str, ...]
    version: int  # the class's version tag when this was found (0: unknown, found again on every read)
    tag: Any  # what reads the class's tag now (``.value``), or None when it cannot be read


_CLASSES: dict[type, _Class] = {}
_FUNCTIONS = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def _class(cls: type) -> _Class:
    """What reading needs of the class, found anew: ``read_object`` keeps it while the class and its bases
    stay as they are.

    A hook set on the class or on a base after it was first read (``MyBlur.__call__ = mirror``, once the
    pipeline was judged) changes its version tag (see :mod:`safeaug.readers.class_versions`): everything kept
    of the class is then found again, so that a later ``validate()`` sees the patch.
    """
    tag = version(cls)  # read before the class is examined: a change during it shows at the next read
    for cache in _PER_CLASS:
        cache.pop(cls, None)
    albu = _is_albumentations(cls)
    compose = _compose_mode(cls)
    if compose is not None and _overrides(cls):
        compose = None  # a composition subclass that changes how it runs: one unknown transform
    if compose is not None:
        name: str | None = compose[0] if albu else qualified_name(cls)
    else:
        name = None if issubclass(cls, _FUNCTIONS) else _qualified(cls)
    library = any(map(_is_albumentations, cls.__mro__))
    found = _Class(albu, library, compose, name, _mro(cls), _overrides(cls), tag, tag_reader(cls) if tag else None)
    if len(_CLASSES) > 4096:
        _CLASSES.clear()
    _CLASSES[cls] = found
    return found


# albumentations' replay mode (``ReplayCompose.replay`` sets it on every object it rebuilds): a transform in it
# applies the parameters stored on it (``.params``) when ``applied_in_replay`` is set, whatever its arguments and
# p, and nothing otherwise; these compositions run every child, whatever their own p and n (Compose,
# ReplayCompose and SelectiveChannelTransform run as usual).
_REPLAY_RUNS_EVERY_CHILD = frozenset({"OneOf", "SomeOf", "RandomOrder", "OneOrOther", "Sequential"})
_REPLAY_CHECKED: ContextVar[bool] = ContextVar("safeaug_replay_checked", default=False)


def replaying_checked() -> bool:
    """Whether objects in replay mode are read by their arguments here (see :func:`replay_checked`)."""
    return _REPLAY_CHECKED.get()


@contextmanager
def replay_checked() -> Iterator[None]:
    """Read objects in replay mode by their arguments: the caller checks what they replay (``safeaug.replay``)."""
    token = _REPLAY_CHECKED.set(True)
    try:
        yield
    finally:
        _REPLAY_CHECKED.reset(token)


def _probability(p: Any) -> float | None:
    """A live ``p`` as albumentations compares it (``p <= 0``, ``p >= 1``, ``random() < p``), or None when unknown.

    Only plain and numpy numbers compare as their value; a subclass of float or int can answer those
    comparisons as it likes (``p <= 0`` false and ``p >= 1`` true for a value of 0: it always runs). None
    counts as the class's default p: a transform that may run.
    """
    kind = type(p)
    if kind is int or (kind.__module__ == "numpy" and isinstance(p, numbers.Real)):
        return float(p)
    return None


_PLAIN_SEQUENCES = (list, tuple)


def _truthy(flag: Any) -> bool:
    """A flag as albumentations tests it (``if self.replay_mode:``); one that cannot say counts as set."""
    if flag is False or flag is True:
        return flag
    try:
        return bool(flag)
    except Exception:
        return True


def _weights(drawn: Any, count: int) -> tuple[float | None, ...]:
    """The weights a OneOf picks its branch with (``transforms_ps``: its children's p when it was built, not
    now), one per child; None where a weight cannot be read (the branch may be picked)."""
    if type(drawn) not in _PLAIN_SEQUENCES or len(drawn) != count:
        return (None,) * count
    return tuple(_probability(w) if type(w) is not float else w for w in drawn)


def read_object(obj: Any, location: str = "") -> Node:
    cls = type(obj)
    info = _CLASSES.get(cls)
    if info is None or info.tag is None or info.tag.value != info.version:  # new, changed, or its tag unknown
        info = _class(cls)
    if not info.albumentations:  # torchvision, MONAI, Kornia, TorchIO: read as their library says
        node = live_node(obj, location, read_object)
        if node is not None:
            return node
    p = getattr(obj, "p", None)
    if type(p) is not float:
        p = _probability(p)
    replaying = _truthy(getattr(obj, "replay_mode", False)) and not _REPLAY_CHECKED.get()
    if info.compose is not None:
        given = getattr(obj, "transforms", None)
        if given is not None and type(given) not in _PLAIN_SEQUENCES:
            # albumentations iterates its children, indexes them (OneOf, SomeOf) and counts them: a subclass of
            # list can give each of those other transforms, so what is read here may not be what runs.
            return Node(name=info.name or "", p=p, location=location, obj=obj, mro=info.mro, overrides=("transforms",))
        children = list(given or [])
        params: dict[str, Any] = {}
        mode = info.compose[1]
        if replaying and info.compose[0] in _REPLAY_RUNS_EVERY_CHILD:
            mode, p = "sequence", 1.0  # every child is called (not forced), whatever the composition's p and n
        else:
            for key in ("n", "replace"):
                if hasattr(obj, key):
                    params[key] = getattr(obj, key)
            if mode == "one_of" and hasattr(obj, "transforms_ps"):
                params["transforms_ps"] = _weights(obj.transforms_ps, len(children))
        return Node(
            name=info.name or "",
            params=params,
            p=p,
            children=tuple(read_object(c, child_location(location, i)) for i, c in enumerate(children)),
            mode=mode,
            location=location,
            obj=obj,
            mro=info.mro,
        )
    name = info.name
    if name is None:
        name = f"{getattr(obj, '__module__', None) or 'builtins'}.{getattr(obj, '__qualname__', repr(obj))}"
    dropped = getattr(obj, "invalid_args", None)
    replayed: tuple[str, ...] = ()
    if replaying and info.library:
        # It runs what is stored on it, not a draw from its arguments: unknown when it applies anything.
        replayed, p = (("replay_mode",), 1.0) if _truthy(getattr(obj, "applied_in_replay", True)) else ((), 0.0)
    return Node(
        name=name,
        params=_init_args(obj),
        p=p,
        location=location,
        obj=obj,
        mro=info.mro,
        # A composition subclass that changes how it runs its children (a OneOf whose __call__ applies every
        # child) is read as one unknown transform: its children's envelopes no longer say what it does.
        overrides=info.overrides + _changed_state(obj, cls) + _unmodelled(obj, cls, name) + replayed,
        # Arguments albumentations dropped when it built the object (it lists them after one warning).
        notes=(
            dropped_by_object(name, dropped, lambda n: getattr(obj, n, None))
            if isinstance(dropped, list) and dropped
            else ()
        ),
    )


_NO_DEFAULT = object()


def _unmodelled(obj: Any, cls: type, name: str) -> tuple[str, ...]:
    """AlbumentationsX-only arguments of a live object, set away from their defaults, that the catalog does not
    model (``X_ONLY_UNMODELLED``): the transform is then not understood."""
    names = X_ONLY_UNMODELLED.get(name)
    if not names or not _is_albumentations(cls):
        return ()
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = _init_defaults(cls)
    found = []
    for arg in sorted(names):
        if not hasattr(obj, arg):
            continue
        value = getattr(obj, arg)
        if not _same_value(value, defaults.get(arg, _NO_DEFAULT)):
            found.append(f"{arg}={show(value)}")  # an AlbumentationsX argument, away from its default
    return tuple(found)


_DEFAULTS: dict[type, dict[str, Any]] = {}
# Everything kept per class, dropped together when the class changes (see _class).
_PER_CLASS: tuple[dict[type, Any], ...] = (
    _COMPOSE,
    _MRO,
    _NAMES,
    _OVERRIDES,
    _PLANS,
    _ARG_NAMES,
    _ALIASES,
    _LIBRARY_NAMES,
    _READ_AS,
    _DEFAULTS,
    _OWN_METHODS,
)


def _init_defaults(cls: type) -> dict[str, Any]:
    try:
        return {k: q.default for k, q in inspect.signature(cls).parameters.items()}
    except (TypeError, ValueError):
        return {}


def _same_value(value: Any, default: Any) -> bool:
    if value is default:
        return True
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:  # an array, or a value that cannot say: not the default
        return False


def read_transform_list(transforms: list[Any], *, p: float = 1.0) -> Node:
    """A plain list of transforms, as given to ``Compose``: a sequence at the root."""
    return Node(
        name="Compose",
        p=p,
        children=tuple(read_object(t, child_location("", i)) for i, t in enumerate(transforms)),
        mode="sequence",
    )
