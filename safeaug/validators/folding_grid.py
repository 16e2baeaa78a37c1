"""SA409: a ``GridElasticDeform`` strong enough to fold a grid cell on a plausible image.

albumentations 2.0.8 then paints the image and masks one way but maps each keypoint with its own cell's
map, so keypoints may leave the pixels they mark.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from safeaug.report import Finding
from safeaug.rules import FOLDING_GRID
from safeaug.validators import messages
from safeaug.validators.context import Judgement

CODES = frozenset({FOLDING_GRID})

# The smallest image side safeaug assumes a pipeline may meet (MNIST is 28 px, CIFAR 32 px): a
# GridElasticDeform that can fold a cell on images this small or larger gets an SA409 warning.
SMALLEST_IMAGE_SIDE = 32


def folding_side(magnitude: float, grid: tuple[int, int]) -> tuple[float, float]:
    """The largest image width and height (px) on which a ``GridElasticDeform`` cell can fold.

    Inner grid points move by up to ``magnitude`` px on each axis; a cell of side c turns concave once a
    corner crosses the diagonal through its two neighbours, c/√2 away, which the corner and the diagonal
    can each close by √2·magnitude: from magnitude c/4 on. With ``num_grid_xy = (nx, ny)`` the cells are
    width/nx by height/ny, so a cell can fold when width ≤ 4·magnitude·nx or height ≤ 4·magnitude·ny.
    """
    return 4.0 * magnitude * grid[0], 4.0 * magnitude * grid[1]


def _grid_arguments(params: Mapping[str, Any]) -> tuple[float, tuple[int, int]] | None:
    magnitude, grid = params.get("magnitude"), params.get("num_grid_xy")
    if isinstance(grid, (int, float)) and not isinstance(grid, bool):
        grid = (grid, grid)
    if (
        isinstance(magnitude, bool)
        or not isinstance(magnitude, (int, float))
        or not isinstance(grid, (list, tuple))
        or len(grid) != 2
        or not all(isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0 for n in grid)
    ):
        return None  # unreadable arguments are the catalog's SA501, not this rule's
    return float(magnitude), (int(grid[0]), int(grid[1]))


def check(j: Judgement) -> list[Finding]:
    out: list[Finding] = []
    for leaf in j.live:
        node = leaf.node
        if leaf.entry is None or (node.name != "GridElasticDeform" and "GridElasticDeform" not in node.mro):
            continue
        readings = [_grid_arguments(params) for params in (node.params, *node.alt_params)]
        worst = max(
            (r for r in readings if r is not None and r[0] > 0),
            key=lambda r: max(folding_side(*r)),
            default=None,
        )
        if worst is None:
            continue
        magnitude, grid = worst
        width, height = folding_side(magnitude, grid)
        if max(width, height) < SMALLEST_IMAGE_SIDE:
            continue
        safe = max(0, math.ceil(SMALLEST_IMAGE_SIDE / (4.0 * max(grid))) - 1)  # largest magnitude safe at 32 px
        words = messages.folding_grid(node.name, magnitude, grid, width, height, safe, SMALLEST_IMAGE_SIDE)
        out.append(j.finding(FOLDING_GRID, leaf, severity="warning", **words))
    return out
