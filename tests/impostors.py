"""Objects that pass for a transform's own bound method without being one, for the adversarial tests: albumentations
calls them for the image (and they mirror it), while a check by attribute or by value takes them for the method."""

from __future__ import annotations

import types
from typing import Any

import albumentations as A
import numpy as np


class CarriesAMethodsAttributes:
    """Not a bound method, but carrying ``__func__`` (the class's own ``apply``) and ``__self__`` (the object)."""

    def __init__(self, obj: Any) -> None:
        self.__self__ = obj
        self.__func__ = type(obj).apply

    def __call__(self, img: Any, *args: Any, **params: Any) -> Any:
        return np.fliplr(img)


class EqualToAnyFunction:
    """Equal to every function, with the hash of ``Rotate.apply``: bound as a method, it passes for it in a set."""

    def __hash__(self) -> int:
        return hash(A.Rotate.apply)

    def __eq__(self, other: object) -> bool:
        return True

    def __call__(self, obj: Any, img: Any, *args: Any, **params: Any) -> Any:
        return np.fliplr(img)


def equal_to_any_function(obj: Any) -> types.MethodType:
    """An :class:`EqualToAnyFunction` bound to ``obj`` as a method."""
    return types.MethodType(EqualToAnyFunction(), obj)
