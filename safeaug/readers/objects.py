"""Live albumentations objects (and any other callable) into the pipeline tree.

Nothing here imports albumentations: objects are read through the attributes every albumentations
transform has, so that a user's own callable simply becomes an unknown transform.
"""

from __future__ import annotations

import inspect
from typing import Any

from safeaug.catalog import qualified_name
from safeaug.ir import COMPOSE_MODES, Mode, Node, child_location

# Methods whose override means a subclass may do something its base class does not.
_BEHAVIOUR = ("apply", "get_params", "__call__")
_ALBUMENTATIONS_BASES = frozenset({"BasicTransform", "DualTransform", "ImageOnlyTransform", "Transform3D", "NoOp"})


def _is_albumentations(cls: type) -> bool:
    module = cls.__module__ or ""
    return module == "albumentations" or module.startswith("albumentations.")


def _compose_mode(cls: type) -> tuple[str, Mode] | None:
    for base in cls.__mro__:
        if _is_albumentations(base) and base.__name__ in COMPOSE_MODES:
            return base.__name__, COMPOSE_MODES[base.__name__]
    return None


def _overrides(cls: type) -> tuple[str, ...]:
    """Behaviour methods defined by the non-albumentations classes above the first albumentations one."""
    found: list[str] = []
    for base in cls.__mro__:
        if _is_albumentations(base) or base is object:
            break
        for name, value in vars(base).items():
            if callable(value) and any(name.startswith(b) for b in _BEHAVIOUR) and name not in found:
                found.append(name)
    return tuple(found)


def _init_args(obj: Any) -> dict[str, Any]:
    getter = getattr(obj, "get_transform_init_args", None)
    if getter is None:
        return {}
    try:
        args = getter()
    except Exception:  # a broken user transform: describe it as having no arguments
        return {}
    return dict(args) if isinstance(args, dict) else {}


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
            mro=tuple(qualified_name(c) for c in cls.__mro__),
        )
    if not inspect.isclass(cls) or cls.__module__ == "builtins":
        name = type(obj).__name__
    else:
        name = qualified_name(cls)
    return Node(
        name=name,
        params=_init_args(obj),
        p=p,
        location=location,
        obj=obj,
        mro=tuple(qualified_name(c) for c in cls.__mro__ if c is not object),
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
