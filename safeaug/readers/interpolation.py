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

from safeaug.errors import ConfigError
from safeaug.readers.unreadable import Opaque

Path = tuple[Hashable, ...]
_WHOLE = re.compile(r"^\$\{\s*([^${}]*?)\s*\}$")
_MAX_HOPS = 32  # a chain of references longer than this is a loop, or no config anyone writes
_MAX_VALUES = 200_000  # values once references are expanded (a reference may copy a whole subtree)


def resolve(data: Any, lines: Mapping[Path, int], source: str | None = None) -> tuple[Any, bool]:
    """``data`` with every interpolation replaced by its value, and whether any stayed unreadable.

    Raises :class:`~safeaug.ConfigError` when references expand beyond any real config's size.
    """
    state = _State(data, lines)
    try:
        return state.walk(data, (), 0), state.unreadable
    except _TooLarge:
        raise ConfigError(
            f"`${{...}}` references expand to more than {_MAX_VALUES} values; no augmentation config is this large",
            path=source,
        ) from None


class _TooLarge(Exception):
    pass


class _State:
    def __init__(self, root: Any, lines: Mapping[Path, int]) -> None:
        self.root = root
        self.lines = lines
        self.unreadable = False
        self.count = 0

    def walk(self, value: Any, path: Path, hops: int) -> Any:
        self.count += 1
        if self.count > _MAX_VALUES:
            raise _TooLarge
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
        if target is None or hops > _MAX_HOPS:
            return self.opaque(text, path)
        found = _lookup(self.root, target)
        if found is _MISSING:
            return self.opaque(text, path)
        if isinstance(found, str) and "${" in found:
            return self.value(found, target, hops + 1)
        if isinstance(found, (Mapping, list)):
            return self.walk(found, target, hops + 1)  # a subtree that refers to itself ends here
        return found

    def opaque(self, text: str, path: Path) -> Opaque:
        self.unreadable = True
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        return Opaque(text, line)


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


class _Missing:
    pass


_MISSING = _Missing()


def _lookup(root: Any, path: Path) -> Any:
    node = root
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, int) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return _MISSING
    return node
