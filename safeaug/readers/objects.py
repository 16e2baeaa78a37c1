"""Live albumentations objects (and any other callable) into the pipeline tree.

Nothing here imports albumentations: objects are read through the attributes every albumentations
transform has, so that a user's own callable simply becomes an unknown transform.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from safeaug.catalog import qualified_name
from safeaug.catalog._renames import X_ARGUMENTS
from safeaug.ir import COMPOSE_MODES, Mode, Node, child_location

# Methods whose override means a subclass may do something its base class does not.
_BEHAVIOUR = ("apply", "get_params", "__call__")


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


def _find_overrides(cls: type) -> tuple[str, ...]:
    """Behaviour methods defined by the non-albumentations classes above the first albumentations one."""
    found: list[str] = []
    for base in cls.__mro__:
        if _is_albumentations(base) or base is object:
            break
        for name, value in vars(base).items():
            if callable(value) and any(name.startswith(b) for b in _BEHAVIOUR) and name not in found:
                found.append(name)
    return tuple(found)


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


def _arg_names(obj: Any) -> frozenset[str] | None:
    """Per class, the init-argument names, when the class reads its arguments the standard way.

    albumentations finds these names by inspecting every ``__init__`` in the MRO on each call; they
    depend on the class only, so they are looked up once per class here.
    """
    cls = type(obj)
    if cls in _ARG_NAMES:
        return _ARG_NAMES[cls]
    names: frozenset[str] | None = None
    owner = next((c for c in cls.__mro__ if "get_transform_init_args" in vars(c)), None)
    if owner is not None and owner.__name__ == "BasicTransform" and _is_albumentations(owner):
        try:
            names = frozenset(obj.get_transform_init_args_names())
        except Exception:
            names = None
    _ARG_NAMES[cls] = names
    return names


_MISSING = object()


class _Arguments(Mapping[str, Any]):
    """A transform's init arguments, read from its attributes when asked for.

    Entries read two or three arguments; reading all of them up front (as albumentations'
    ``get_transform_init_args`` does) would cost more than the rest of validation.
    """

    __slots__ = ("_aliases", "_names", "_obj")

    def __init__(self, obj: Any, names: frozenset[str], aliases: dict[str, str] | None = None) -> None:
        self._obj = obj
        self._aliases = aliases or {}
        self._names = (names - frozenset(self._aliases.values())) | frozenset(self._aliases) if aliases else names

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self._names or name == "seed":
            return default
        name = self._aliases.get(name, name)
        stored = getattr(self._obj, "__dict__", None)
        if stored is not None and name in stored:
            value = stored[name]
        else:  # a property or a slot
            value = getattr(self._obj, name, _MISSING)
            if value is _MISSING:
                return default
        if isinstance(value, (list, dict, tuple, set)) and len(value) == 0:
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
    names = _arg_names(obj)
    if names is not None:
        return _Arguments(obj, names, _aliases(type(obj), names))
    getter = getattr(obj, "get_transform_init_args", None)
    if getter is None:
        return {}
    try:
        found = getter()
    except Exception:  # a broken user transform: describe it as having no arguments
        return {}
    return dict(found) if isinstance(found, dict) else {}


def read_object(obj: Any, location: str = "") -> Node:
    cls = type(obj)
    p = getattr(obj, "p", None)
    p = float(p) if isinstance(p, (int, float)) and not isinstance(p, bool) else None
    compose = _compose_mode(cls)
    if compose is not None:
        base, mode = compose
        children = list(getattr(obj, "transforms", []) or [])
        params: dict[str, Any] = {}
        for key in ("n", "replace"):
            if hasattr(obj, key):
                params[key] = getattr(obj, key)
        name = base if _is_albumentations(cls) else qualified_name(cls)
        return Node(
            name=name,
            params=params,
            p=p,
            children=tuple(read_object(c, child_location(location, i)) for i, c in enumerate(children)),
            mode=mode,
            location=location,
            obj=obj,
            mro=_mro(cls),
        )
    if inspect.isfunction(obj) or inspect.ismethod(obj) or inspect.isbuiltin(obj):
        name = f"{getattr(obj, '__module__', None) or 'builtins'}.{getattr(obj, '__qualname__', repr(obj))}"
    else:
        name = _qualified(cls)
    return Node(
        name=name,
        params=_init_args(obj),
        p=p,
        location=location,
        obj=obj,
        mro=_mro(cls),
        overrides=_overrides(cls),
    )


def read_transform_list(transforms: list[Any], *, p: float = 1.0) -> Node:
    """A plain list of transforms, as given to ``Compose``: a sequence at the root."""
    return Node(
        name="Compose",
        p=p,
        children=tuple(read_object(t, child_location("", i)) for i, t in enumerate(transforms)),
        mode="sequence",
    )
