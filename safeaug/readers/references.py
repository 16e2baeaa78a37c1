"""What the readers that resolve references inside a file share (Hydra ``${...}``, MONAI bundle ``@``).

A reference copies a value from elsewhere in the same document; nothing is evaluated. A reference that
cannot be followed inside the file becomes an :class:`~safeaug.readers.unreadable.Opaque` value with the
line it was written on, and expansion stops at sizes no real config reaches.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.errors import ConfigError
from safeaug.readers.unreadable import Opaque

Path = tuple[Hashable, ...]
MAX_HOPS = 32  # a chain of references longer than this is a loop, or no config anyone writes
MAX_VALUES = 200_000  # values once references are expanded (a reference may copy a whole subtree)


class TooLarge(Exception):
    """References expanded past :data:`MAX_VALUES` values."""


class Expansion:
    """One walk over a document that replaces references by what they point at."""

    def __init__(self, root: Any, lines: Mapping[Path, int]) -> None:
        self.root = root
        self.lines = lines
        self.unreadable = False
        self.count = 0

    def walk(self, value: Any, path: Path, hops: int) -> Any:
        raise NotImplementedError

    def counted(self) -> None:
        """Count one more value; raises :class:`TooLarge` past :data:`MAX_VALUES`."""
        self.count += 1
        if self.count > MAX_VALUES:
            raise TooLarge

    def opaque(self, text: str, path: Path) -> Opaque:
        """``text`` as an unreadable value, on the line of the nearest key that has one."""
        self.unreadable = True
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        return Opaque(text, line)


def expand(state: Expansion, data: Any, source: str | None, spelling: str) -> tuple[Any, bool]:
    """``data`` walked by ``state``, and whether any value stayed unreadable; a clear error when too large."""
    try:
        return state.walk(data, (), 0), state.unreadable
    except TooLarge:
        raise ConfigError(
            f"{spelling} references expand to more than {MAX_VALUES} values; no augmentation config is this large",
            path=source,
        ) from None


class _Missing:
    pass


MISSING = _Missing()


def lookup(root: Any, path: Path) -> Any:
    """The value at ``path`` in ``root`` (list indices may be written as strings), or :data:`MISSING`."""
    node = root
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, int) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return MISSING
    return node
