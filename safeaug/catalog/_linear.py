"""The zoom range and shear of a 2x2 linear map, in plain Python (the catalog imports no numpy)."""

from __future__ import annotations

import math


def zoom_and_shear(m00: float, m01: float, m10: float, m11: float) -> tuple[float, float, float]:
    """Smallest and largest singular value of ``((m00, m01), (m10, m11))``, and how far (in degrees) the
    images of the two axes are from a right angle."""
    frob = m00 * m00 + m01 * m01 + m10 * m10 + m11 * m11
    det = m00 * m11 - m01 * m10
    root = math.sqrt(max(frob * frob - 4 * det * det, 0.0))
    zmax = math.sqrt((frob + root) / 2)
    zmin = math.sqrt(max((frob - root) / 2, 0.0))
    norms = math.hypot(m00, m10) * math.hypot(m01, m11)
    shear = math.degrees(math.asin(min(1.0, abs(m00 * m01 + m10 * m11) / norms))) if norms > 0 else 0.0
    return zmin, zmax, shear
