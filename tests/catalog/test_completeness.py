"""The catalog covers every transform albumentations exports."""

from __future__ import annotations

import inspect

import albumentations as A
from albumentations.core.composition import BaseCompose
from albumentations.core.transforms_interface import BasicTransform

from safeaug.catalog import get_entry, known_names
from safeaug.ir import COMPOSE_MODES
from safeaug.readers import read_object

# Base classes users subclass; they do nothing on their own and must never lend an entry.
BASES = {"BasicTransform", "DualTransform", "ImageOnlyTransform", "Transform3D"}


def _exported() -> dict[str, type]:
    out = {}
    for name in dir(A):
        obj = getattr(A, name)
        if inspect.isclass(obj) and issubclass(obj, BasicTransform) and name not in BASES:
            out[name] = obj
    return out


def _entry_through_mro(cls: type) -> object:
    for base in cls.__mro__:
        found = get_entry(base.__name__)
        if found is not None:
            return found if base is cls or found.inheritable else None
    return None


def test_every_exported_transform_has_a_catalog_entry() -> None:
    missing = sorted(name for name, cls in _exported().items() if _entry_through_mro(cls) is None)
    assert missing == [], f"no catalog entry for: {missing}"


def test_subclasses_inherit_through_the_mro() -> None:
    assert get_entry("TimeReverse") is None and _entry_through_mro(A.TimeReverse) is get_entry("HorizontalFlip")
    assert get_entry("SquareSymmetry") is None and _entry_through_mro(A.SquareSymmetry) is get_entry("D4")


def test_every_exported_composition_has_a_mode() -> None:
    compositions = {
        name
        for name in dir(A)
        if inspect.isclass(getattr(A, name)) and issubclass(getattr(A, name), BaseCompose) and name != "BaseCompose"
    }
    assert compositions <= set(COMPOSE_MODES)


def test_base_classes_have_no_entry() -> None:
    assert not (BASES & known_names())


def test_reading_a_transform_never_needs_more_than_its_attributes() -> None:
    node = read_object(A.Rotate(limit=12))
    assert node.name == "Rotate" and tuple(node.params["limit"]) == (-12, 12)
