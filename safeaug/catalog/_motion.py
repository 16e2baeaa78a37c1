"""The spread of MotionBlur's rasterised line, searched over its parameters, without numpy.

albumentations' ``create_motion_kernel`` draws ``k`` samples along a line through the kernel's centre (over a
span shortened by the direction bias), rounds them to pixels and removes duplicates. The spread of that set
of pixels along its widest direction is what a motion kernel blurs by. :func:`largest_spread` rebuilds the
line at every 0.5° of the angle range and at five directions and returns the largest variance found.

Two implementations live here: :func:`largest_spread` in plain Python (the lint path imports no numpy) and
:func:`largest_spread_numpy`, the numpy search it replaces, kept as the reference the tests compare it with
and the one ``scripts/generate_motion_table.py`` runs to build ``_motion_table.py`` for the default angle
and direction ranges (the settings nearly every config uses).
"""

from __future__ import annotations

import math
from typing import Any

# Full turn of the angle range: a line and its reverse have the same spread.
FULL_TURN = (0.0, 180.0)
EVERY_DIRECTION = (-1.0, 1.0)
# Kernel sizes searched; beyond, the closed form for a line along the kernel's diagonal (an upper bound of
# the search) is used, so that `blur_limit=10**9` costs nothing.
MAX_SEARCH_K = 255
# Kernel sizes whose spread for the default ranges is tabulated (larger ones are searched).
MAX_TABLE_K = 127


def normalise(angles: tuple[float, float], directions: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """The angle and direction ranges as the search uses them."""
    a_lo, a_hi = angles
    if not (math.isfinite(a_lo) and math.isfinite(a_hi)) or a_hi - a_lo >= 180.0:
        a_lo, a_hi = FULL_TURN
    d_lo, d_hi = (max(-1.0, min(1.0, d)) for d in directions)
    return (float(a_lo), float(a_hi)), (float(d_lo), float(d_hi))


def _linspace(start: float, stop: float, num: int) -> list[float]:
    """``numpy.linspace(start, stop, num)``, value for value (the same float operations in the same order)."""
    div = num - 1
    delta = stop - start
    step = delta / div
    # numpy scales by the step, or (a zero step) divides then multiplies by the span
    values = [i / div * delta + start for i in range(num)] if step == 0 else [i * step + start for i in range(num)]
    values[-1] = stop
    return values


def _arange(start: float, stop: float, step: float) -> list[float]:
    """``numpy.arange(start, stop, step)`` for floats, value for value (numpy fills from its first two values)."""
    n = math.ceil((stop - start) / step)
    if n <= 0:
        return []
    if n == 1:
        return [start]
    delta = (start + step) - start
    return [start] + [start + i * delta for i in range(1, n)]


def _angles(a_lo: float, a_hi: float) -> list[float]:
    return [math.radians(a) for a in (*_arange(a_lo, a_hi, 0.5), a_hi)]


def _directions(d_lo: float, d_hi: float) -> set[float]:
    dirs = set(_linspace(d_lo, d_hi, 5))
    if d_lo <= 0.0 <= d_hi:
        dirs.add(0.0)
    return dirs


def _span(k: int, d: float) -> tuple[float, float]:
    c = k // 2
    return (-c, c * (1 - abs(d))) if d < 0 else (-c * (1 - d), c)


def largest_spread(k: int, angles: tuple[float, float], directions: tuple[float, float]) -> float:
    """The largest variance, along its widest direction, of the line's pixels (plain Python)."""
    (a_lo, a_hi), (d_lo, d_hi) = normalise(angles, directions)
    c = k // 2
    top = k - 1
    grid = [(math.cos(a), math.sin(a)) for a in _angles(a_lo, a_hi)]
    best = 0.0
    for d in _directions(d_lo, d_hi):
        t = _linspace(*_span(k, d), k)
        for cos, sin in grid:
            pts = {(min(max(round(c + sin * ti), 0), top), min(max(round(c + cos * ti), 0), top)) for ti in t}
            n = len(pts)
            if n < 2:
                continue
            # The covariance of the pixel set, exact in integers (n² times it), then its largest eigenvalue.
            sy = sum(y for y, _ in pts)
            sx = sum(x for _, x in pts)
            syy = n * sum(y * y for y, _ in pts) - sy * sy
            sxx = n * sum(x * x for _, x in pts) - sx * sx
            sxy = n * sum(y * x for y, x in pts) - sy * sx
            half = (syy - sxx) / 2
            largest = ((syy + sxx) / 2 + math.sqrt(half * half + sxy * sxy)) / (n * n)
            best = max(best, largest)
    return best


def largest_spread_numpy(k: int, angles: tuple[float, float], directions: tuple[float, float]) -> float:
    """The same search with numpy (the reference; not used when linting)."""
    import numpy as np

    (a_lo, a_hi), (d_lo, d_hi) = normalise(angles, directions)
    c = k // 2
    grid = np.deg2rad(np.append(np.arange(a_lo, a_hi, 0.5), a_hi))
    dirs = set(np.linspace(d_lo, d_hi, 5).tolist())
    if d_lo <= 0.0 <= d_hi:
        dirs.add(0.0)
    best = 0.0
    for d in dirs:
        start, end = _span(k, d)
        t: Any = np.linspace(start, end, k)
        for a in grid:
            xs = np.clip(np.round(c + math.cos(a) * t), 0, k - 1)
            ys = np.clip(np.round(c + math.sin(a) * t), 0, k - 1)
            pts = np.unique(np.stack([ys, xs], axis=1), axis=0)
            if len(pts) < 2:
                continue
            cov = np.cov(pts.T, bias=True)
            best = max(best, float(np.linalg.eigvalsh(cov)[-1]))
    return best
