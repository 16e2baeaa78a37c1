"""Whether a class has changed since it was last read, for the price of reading one number.

What the object reader finds of a class (its overrides, its patched hooks, how its arguments are read) is
kept per class, so that judging stays cheap. A class can change afterwards: a hook set on it, or on one of
its bases (``MyBlur.__call__ = mirror_after`` once the pipeline was judged). CPython gives every class a
version tag (``tp_version_tag``, the key of its attribute-lookup cache) and resets it to 0, for the class and
every subclass, on any change to its attributes or bases; the next lookup draws a new tag from a counter
that only grows. So a class whose tag is the non-zero value it had when it was read has not changed since.

The tag is not exposed to Python: :func:`version` reads it at its place in the type object, which is found
by watching the tag of throwaway classes behave as described (set, reset to 0 by a change, set again to a
larger value; reset in a subclass by a change to its base). Where no place behaves so (another
interpreter, another layout), :func:`version` answers 0, "unknown", and the caller reads the class again.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

_UNKNOWN = 0


@cache
def _tag_offset() -> int | None:
    """The byte offset of ``tp_version_tag`` in a type object, or None when it cannot be told (found on the first
    read of a live object: the linter, which reads none, never imports ctypes)."""
    if sys.implementation.name != "cpython":
        return None
    try:
        import ctypes
    except ImportError:  # an interpreter built without ctypes
        return None
    size: int = type.__basicsize__  # type: ignore[assignment]  # (typeshed reads it through the metaclass)
    # Only fields of the static part of the type object: aligned to their size, within the object.
    offsets = range(0, min(size, 512) - 3, 4)

    def read(cls: type, at: int) -> int:
        return ctypes.c_uint32.from_address(id(cls) + at).value

    def looked_up(cls: type) -> None:
        getattr(cls, "__safeaug_absent__", None)  # a lookup through the class's cache gives it a tag

    candidates: set[int] | None = None
    for _ in range(3):
        base = type("_Base", (), {})
        sub = type("_Sub", (base,), {})
        looked_up(sub)  # tags the base too
        before = {at: (read(base, at), read(sub, at)) for at in offsets}
        base.changed = 1  # type: ignore[attr-defined]
        reset = {at: (read(base, at), read(sub, at)) for at in offsets}
        looked_up(sub)
        after = {at: (read(base, at), read(sub, at)) for at in offsets}
        fits = {
            at
            for at in offsets
            if all(before[at])
            and reset[at] == (0, 0)
            and all(after[at])
            # drawn from a counter that only grows
            and max(before[at]) < min(after[at])
        }
        candidates = fits if candidates is None else candidates & fits
    if candidates is None or len(candidates) != 1:
        return None
    return candidates.pop()


_READERS: dict[type, Any] = {}


def tag_reader(cls: type) -> Any:
    """What reads the class's tag (its ``.value``, 0 while a change has reset it), or None when tags cannot be
    read here. Reading it is all a check of a class it was read for costs."""
    if not version(cls):
        return None
    return _READERS.get(cls)


def version(cls: type) -> int:
    """The class's version tag: non-zero and the same as long as neither the class nor a base changes;
    0 when it cannot be told (the class must then be read again)."""
    reader = _READERS.get(cls)
    if reader is None:
        offset = _tag_offset()
        if offset is None:
            return _UNKNOWN
        import ctypes

        if len(_READERS) > 4096:
            _READERS.clear()
        # (the key holds the class, so the address the reader reads stays its type object)
        reader = _READERS[cls] = ctypes.c_uint32.from_address(id(cls) + offset)
    tag: int = reader.value
    if tag == _UNKNOWN:
        getattr(cls, "__safeaug_absent__", None)  # reset by a change: a lookup draws the next tag
        tag = reader.value
    return tag


def supported() -> bool:
    """Whether tags can be read here (otherwise every read reads the class again)."""
    return _tag_offset() is not None


__all__ = ["supported", "tag_reader", "version"]
