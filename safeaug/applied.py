"""What a transform did on its last call, read from the parameters albumentations recorded for it.

The audit of ``safeaug.Compose`` and the judging of a ``ReplayCompose`` record both need the linear part
(turn, mirror, zoom) of the map a transform applied: an affine ``matrix``, a D4 ``group_element``, a
quarter-turn ``factor`` or a fixed flip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

_D4 = {
    "e": (1.0, 0.0, 0.0, 1.0),
    "r90": (0.0, -1.0, 1.0, 0.0),
    "r180": (-1.0, 0.0, 0.0, -1.0),
    "r270": (0.0, 1.0, -1.0, 0.0),
    "v": (1.0, 0.0, 0.0, -1.0),
    "h": (-1.0, 0.0, 0.0, 1.0),
    "t": (0.0, 1.0, 1.0, 0.0),
    "hvt": (0.0, -1.0, -1.0, 0.0),
}
_QUARTERS = (_D4["e"], _D4["r90"], _D4["r180"], _D4["r270"])
_FIXED = {"HorizontalFlip": _D4["h"], "VerticalFlip": _D4["v"], "Transpose": _D4["t"]}


def applied_linear(obj: Any, params: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """The linear part of what a transform did on its last call, when its parameters show it."""
    inner = params.get("params")
    if "shape" not in params and isinstance(inner, Mapping):
        params = inner  # AlbumentationsX keeps the sampled parameters one level down
    matrix = params.get("matrix")
    if matrix is not None:
        try:
            rows = (matrix if isinstance(matrix, np.ndarray) else np.asarray(matrix, dtype=float)).tolist()
            (a, b, *_), (c, d, *_) = rows[:2]
            if len(rows) == 3 and abs(rows[2][0]) + abs(rows[2][1]) > 1e-9:
                return None  # a homography: its local turn varies over the image (judged statically)
            return (float(a), float(b), float(c), float(d))
        except (TypeError, ValueError, IndexError):
            return None
    element = params.get("group_element")
    if element is not None:
        return _D4.get(str(element))
    kind = _kind(type(obj))
    if kind == "quarter":
        factor = params.get("factor")
        return _QUARTERS[int(factor) % 4] if factor is not None else None
    return None if kind is None else _FIXED[kind]


_KINDS: dict[type, str | None] = {}


def _kind(cls: type) -> str | None:
    """Which albumentations flip (or ``"quarter"`` for RandomRotate90) ``cls`` is or derives from, once per class."""
    if cls not in _KINDS:
        found = None
        for base in cls.__mro__:
            if base.__module__.startswith("albumentations") and (
                base.__name__ in _FIXED or base.__name__ == "RandomRotate90"
            ):
                found = "quarter" if base.__name__ == "RandomRotate90" else base.__name__
                break
        _KINDS[cls] = found
    return _KINDS[cls]


def measure_linear(m: tuple[float, float, float, float]) -> tuple[bool, float, float]:
    """Whether the 2x2 linear map ``((a, b), (c, d))`` mirrors, its turn in degrees (0-180), and its zoom.

    The turn is that of the nearest rotation (for a mirror, of the map after undoing a horizontal flip:
    a vertical flip is a flip and a half turn, as the catalog counts it); the zoom is the square root of
    the area factor.
    """
    a, b, c, d = m
    det = a * d - b * c
    mirrored = det < 0
    if mirrored:
        a, c = -a, -c
    angle = abs(math.degrees(math.atan2(c - b, a + d)))
    return mirrored, angle, math.sqrt(abs(det))


def matmul(
    x: tuple[float, float, float, float], y: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    a, b, c, d = x
    e, f, g, h = y
    return (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)
