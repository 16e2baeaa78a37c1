"""Hydra / OmegaConf ``${...}`` interpolations, resolved inside the file that holds them.

``rotate: ${aug.max_rotate}`` takes its value from ``aug.max_rotate`` of the same document; ``${.x}`` and
``${..x}`` are relative to the mapping that holds the value (one dot: that mapping, each further dot: its
parent). A value that points outside the file (``${oc.env:ROT}``, a key the file does not have, a string
built around an interpolation) cannot be known without running the application: it becomes an
:class:`~safeaug.readers.unreadable.Opaque` value, which the reader reports (SA501) for the transform alone.
Nothing is evaluated: resolvers are never called.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.readers.references import MAX_HOPS, MISSING, Expansion, Path, expand, lookup

_WHOLE = re.compile(r"^\$\{\s*([^${}]*?)\s*\}$")


def resolve(data: Any, lines: Mapping[Path, int], source: str | None = None) -> tuple[Any, bool]:
    """``data`` with every interpolation replaced by its value, and whether any stayed unreadable.

    Raises :class:`~safeaug.ConfigError` when references expand beyond any real config's size.
    """
    return expand(_State(data, lines), data, source, "`${...}`")


class _State(Expansion):
    def walk(self, value: Any, path: Path, hops: int) -> Any:
        self.counted()
        if isinstance(value, Mapping):
            return {k: self.walk(v, (*path, k), hops) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, (*path, i), hops) for i, v in enumerate(value)]
        if isinstance(value, str) and "${" in value:
            return self.value(value, path, hops)
        return value

    def value(self, text: str, path: Path, hops: int) -> Any:
        match = _WHOLE.match(text)
        target = _target(match.group(1), path) if match else None
        if target is None or hops > MAX_HOPS:
            return self.opaque(text, path)
        found = lookup(self.root, target)
        if found is MISSING:
            return self.opaque(text, path)
        if isinstance(found, str) and "${" in found:
            return self.value(found, target, hops + 1)
        if isinstance(found, (Mapping, list)):
            return self.walk(found, target, hops + 1)  # a subtree that refers to itself ends here
        return found


def _target(expression: str, path: Path) -> Path | None:
    """The absolute path an interpolation names; None for a resolver (``oc.env:X``) or other syntax."""
    if not expression or ":" in expression or "$" in expression:
        return None
    dots = len(expression) - len(expression.lstrip("."))
    rest = expression[dots:]
    if dots:
        base = path[: len(path) - dots]  # one dot: the mapping holding the value
        if len(path) - dots < 0:
            return None
    else:
        base = ()
    parts: list[Hashable] = []
    for part in re.split(r"\.|\[(\d+)\]", rest):
        if part is None or part == "":
            continue
        parts.append(int(part) if part.isdigit() else part)
    return (*base, *parts)
