"""MotionBlur's line spread without numpy equals the numpy search it replaced."""

from __future__ import annotations

import math

import pytest

from safeaug.catalog._motion import (
    EVERY_DIRECTION,
    FULL_TURN,
    MAX_SEARCH_K,
    MAX_TABLE_K,
    largest_spread,
    largest_spread_numpy,
)
from safeaug.catalog._motion_table import SPREAD
from safeaug.catalog.degradation import _motion_line_sigma, _motion_sigma

pytest.importorskip("numpy")


def test_the_table_covers_every_odd_size_up_to_its_limit() -> None:
    assert sorted(SPREAD) == list(range(3, MAX_TABLE_K + 1, 2))


@pytest.mark.parametrize("k", [3, 5, 7, 9, 11, 15, 21, 31, 45, 63, 99, MAX_TABLE_K])
def test_table_entries_are_the_numpy_search(k: int) -> None:
    assert SPREAD[k] == largest_spread_numpy(k, FULL_TURN, EVERY_DIRECTION)


@pytest.mark.parametrize("k", [3, 5, 9, 25])
@pytest.mark.parametrize("angles", [(0.0, 360.0), (0.0, 0.0), (-45.0, 45.0), (10.3, 33.7), (0.0, 90.0), (170.0, 10.0)])
@pytest.mark.parametrize("directions", [(-1.0, 1.0), (0.0, 0.0), (-0.5, 0.5), (0.2, 0.9), (-1.0, -1.0)])
def test_the_plain_search_equals_the_numpy_search(
    k: int, angles: tuple[float, float], directions: tuple[float, float]
) -> None:
    # Same samples, same rounding, same pixel sets; only the last bit of the covariance's eigenvalue may
    # differ (numpy's BLAS and LAPACK round in their own order).
    plain = largest_spread(k, angles, directions)
    reference = largest_spread_numpy(k, angles, directions)
    assert plain == pytest.approx(reference, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("k", [3, 7, 33, 127])
def test_the_catalog_value_for_default_ranges_is_unchanged(k: int) -> None:
    expected = min(_motion_sigma(k), 1.03 * math.sqrt(largest_spread_numpy(k, FULL_TURN, EVERY_DIRECTION)))
    assert _motion_line_sigma(k, (0.0, 360.0), (-1.0, 1.0)) == expected


def test_kernels_beyond_the_search_get_the_diagonal_bound() -> None:
    k = MAX_SEARCH_K + 2
    assert _motion_line_sigma(k, (0.0, 0.0), (0.0, 0.0)) == _motion_sigma(k)
    assert _motion_line_sigma(10**9 + 1, (0.0, 360.0), (-1.0, 1.0)) == _motion_sigma(10**9 + 1)
