"""Plain values, the only ones whose bytes stand for them in a cache key.

A plain value is a number, a string, None, or a tuple, list or dict of plain values, each of exactly those types
and nested at most four deep. marshal (format 2) writes each of those types with its own code (``True`` apart
from ``1``, ``1.0`` apart from ``1``, a list apart from a tuple) and without back-references, so two plain values
have equal bytes exactly when they are equal and of the same types. marshal also writes anything with a buffer
(an array, a numpy number, bytes) as its raw bytes, under a code no plain value uses: bytes are compared only
when both sides were found plain (or one side was, as in a cache that keeps plain values alone).
"""

from __future__ import annotations

import marshal
from typing import Any

PLAIN_TYPES = frozenset({int, float, str, bool, type(None)})


def plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is plain (see the module's description)."""
    kind = type(value)
    if kind in PLAIN_TYPES:
        return True
    if depth >= 4:
        return False
    if kind is tuple or kind is list:
        return PLAIN_TYPES.issuperset(map(type, value)) or all(plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(plain(k, depth + 1) and plain(v, depth + 1) for k, v in value.items())
    return False


def written(value: Any) -> bytes | None:
    """``value``'s marshal bytes (format 2), or None when it holds anything marshal cannot write."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return None
