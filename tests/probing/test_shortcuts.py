"""Each shortcut the probe takes for speed gives what the direct computation gives, to the last bit.

A verdict must not depend on how fast it was reached: every helper below stands in for a plainer
computation that the probe used before, and is compared with it here on random inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=300), st.sampled_from([1.0, 255.0, 1 / 3]))
def test_distinct_values_are_numpy_unique(values: list[int], scale: float) -> None:
    from safeaug.probing.tone import _distinct

    v = np.array(values, dtype=float) * scale
    assert _distinct(v) == len(np.unique(v))


@settings(deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=200))
def test_runs_of_sorted_keys_start_and_end_where_the_key_changes(values: list[int]) -> None:
    from safeaug.probing.tone import _runs_of

    k = np.sort(np.array(values, dtype=np.int64))
    starts, ends = _runs_of(k)
    direct_starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    assert np.array_equal(starts, direct_starts) and starts.dtype == direct_starts.dtype
    assert np.array_equal(ends, np.r_[direct_starts[1:], len(k)])


@settings(deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([np.float16, np.float32, np.float64]),
    st.sampled_from([(5, 6), (5, 6, 1), (5, 6, 3)]),
    st.booleans(),
)
def test_float_outputs_back_in_8_bit_are_the_nan_to_num_conversion(
    seed: int, dtype: Any, shape: tuple[int, ...], odd: bool
) -> None:
    from safeaug.probing.images import _as_rgb8

    rng = np.random.default_rng(seed)
    a = rng.uniform(-0.2, 1.2, shape).astype(dtype)
    if odd:  # NaN and infinities anywhere
        a.flat[rng.integers(0, a.size, 4)] = [np.nan, np.inf, -np.inf, np.nan]
    with np.errstate(over="ignore"):  # (the largest finite value times 255)
        direct = np.clip(np.rint(np.nan_to_num(a.astype(float), nan=1.0) * 255.0), 0, 255).astype(np.uint8)
    direct = direct[..., None] if direct.ndim == 2 else direct
    direct = np.repeat(direct, 3, axis=2) if direct.shape[2] == 1 else direct
    got = _as_rgb8(a)
    assert got.dtype == np.uint8 and np.array_equal(got, direct)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.1, 3.0]))
def test_an_affine_fit_to_a_kept_point_set_is_the_direct_fit(seed: int, jitter: float) -> None:
    """The kept design matrix and solver give the solution, layout and residual of building them each time."""
    from safeaug.probing.geometry import _fit_affine
    from safeaug.probing.images import _probe_images

    rng = np.random.default_rng(seed)
    src = _probe_images(64).keypoints
    dst = src @ rng.normal(size=(2, 2)) + rng.normal(size=2) + rng.normal(scale=jitter or 1e-9, size=src.shape)
    X = np.hstack([src, np.ones((len(src), 1))])
    sol = np.linalg.pinv(X) @ dst
    direct = np.vstack([sol.T, [0.0, 0.0, 1.0]])
    residual = float(np.sqrt(np.mean(np.sum((dst - X @ sol) ** 2, axis=1))))
    for _ in range(2):  # (made, then kept)
        A, res = _fit_affine(src, dst, fixed=True)
        assert np.array_equal(A, direct) and res == residual
        assert A.flags["C_CONTIGUOUS"] == direct.flags["C_CONTIGUOUS"]  # (later products add in the same order)


@settings(deadline=None)
@given(st.lists(st.integers(0, 255), min_size=1, max_size=80), st.integers(0, 6), st.integers(0, 6))
def test_end_plateaus_are_the_flat_runs_at_either_end(levels: list[int], low: int, high: int) -> None:
    from safeaug.probing.tone import _end_plateaus

    y = np.array([levels[0]] * low + levels + [levels[-1]] * high, dtype=float) / 255.0
    run, tol, n = 4, 0.75 / 255.0, len(y)
    keep = np.ones(n, dtype=bool)
    if n >= 4 * run:
        top = int(np.argmax(np.abs(y[::-1] - y[-1]) > tol)) if np.any(np.abs(y - y[-1]) > tol) else n
        bottom = int(np.argmax(np.abs(y - y[0]) > tol)) if np.any(np.abs(y - y[0]) > tol) else n
        if top >= run:
            keep[n - top :] = False
        if bottom >= run:
            keep[:bottom] = False
    assert np.array_equal(_end_plateaus(y), keep)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["grey", "one-channel"]), st.booleans(), st.booleans())
def test_a_square_run_made_grey_once_compares_as_made_each_time(
    seed: int, kind: str, colour: bool, moved: bool
) -> None:
    """The grey runs compare their outputs with the square run's made grey; kept for the next run, the
    comparisons say the same."""
    from safeaug.probing.images import _TARGETS, _as_variant
    from safeaug.probing.inputs import _as_square

    rng = np.random.default_rng(seed)
    names = ("geo", *_TARGETS)
    square = {
        n: rng.integers(0, 256, (8, 8, 3)).astype(np.uint8)
        if colour
        else np.repeat(rng.integers(0, 256, (8, 8, 1)), 3, axis=2).astype(np.uint8)
        for n in names
    }
    kps = rng.uniform(0, 8, (20, 2))
    greys: dict[str, Any] = {}
    for _ in range(3):
        out = {}
        for n in names:
            g = _as_variant(square[n], "grey").astype(int) + rng.integers(-3, 4, (8, 8))
            g = np.clip(g, 0, 255).astype(np.uint8)
            out[n] = g if kind == "grey" else g[..., None]
        moved_kps = kps + (rng.normal(scale=0.01, size=kps.shape) if moved else 0.0)
        assert _as_square(out, moved_kps, (square, kps), kind, greys) == _as_square(out, moved_kps, (square, kps), kind)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.sampled_from([48, 64, 80]))
def test_colour_patch_sums_off_the_integral_are_the_gathered_sums(seed: int, n: int, size: int) -> None:
    """The signature sums each colour patch's inner pixels off the image's integral; gathered pixel by pixel,
    the sums are the same."""
    from safeaug.probing.measure import _cells, _patch_sums

    cells = _cells(size)
    assert cells.patch_boxes is not None  # (the patches' inner pixels are boxes)
    colors = np.random.default_rng(seed).integers(0, 256, (n, size, size, 3)).astype(np.uint8)
    gathered = np.add.reduceat(
        colors.reshape(n, -1, 3)[:, cells.patch_index], cells.patch_start, axis=1, dtype=np.int64
    )
    got = _patch_sums(colors, cells)
    assert got.dtype == gathered.dtype and np.array_equal(got, gathered)
    assert np.array_equal(_patch_sums(colors, cells._replace(patch_boxes=None)), gathered)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(5, 6), (5, 6, 1), (5, 6, 3)]))
def test_16_bit_outputs_back_in_8_bit_are_the_rounded_quotients(seed: int, shape: tuple[int, ...]) -> None:
    from safeaug.probing.images import _as_rgb8

    a = np.random.default_rng(seed).integers(0, 2**16, shape).astype(np.uint16)
    a.flat[:4] = [0, 128, 129, 65535]  # (128 / 257 rounds down, 129 / 257 up)
    direct = np.clip(np.rint(a.astype(float) / 257.0), 0, 255).astype(np.uint8)
    direct = direct[..., None] if direct.ndim == 2 else direct
    direct = np.repeat(direct, 3, axis=2) if direct.shape[2] == 1 else direct
    got = _as_rgb8(a)
    assert got.dtype == np.uint8 and np.array_equal(got, direct)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 256), st.sampled_from([(5, 7, 3), (64, 64, 3), (9, 4, 1)]))
def test_levels_counted_off_opencvs_histogram_are_the_distinct_values(seed: int, levels: int, shape: Any) -> None:
    from safeaug.probing.measure import _levels_used

    img = (np.random.default_rng(seed).integers(0, levels, shape) * (255 // max(levels - 1, 1))).astype(np.uint8)
    assert _levels_used(img) == np.count_nonzero(np.bincount(img.ravel(), minlength=256)) == len(np.unique(img))


@settings(deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 12),
    st.sampled_from([1, 3]),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_flat_histograms_off_opencv_are_the_counted_keys(
    seed: int, n: int, nc: int, keep: float, extreme: bool
) -> None:
    """The flat grey's per-channel histograms come from OpenCV's masked histogram: the counts np.bincount gives
    of the values keyed by run and channel, the pixels outside counted apart."""
    from safeaug.probing.detail import _stacked_histograms

    rng = np.random.default_rng(seed)
    values = rng.integers(0, 256, (n, 9, 11, nc)).astype(np.uint8)
    if extreme:
        values[:, ::2] = 255
        values[:, 1::3] = 0
    inside = rng.random((n, 9, 11)) < keep
    for everywhere in (False, bool(inside.all())):
        mask = np.ones_like(inside) if everywhere else inside
        keys = np.where(mask[..., None], values + (np.arange(n * nc) * 256).reshape(n, 1, 1, nc), n * nc * 256)
        direct = np.bincount(keys.ravel(), minlength=n * nc * 256 + 1)[: n * nc * 256].reshape(n, nc, 256)
        got = _stacked_histograms(values, mask, everywhere)
        assert got.dtype == np.int64 and np.array_equal(got, direct)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.sampled_from([1, 3]), st.sampled_from([4, 8, 16]))
def test_block_sums_in_single_precision_are_the_double_precision_sums(seed: int, n: int, nc: int, b: int) -> None:
    """8-bit blocks are summed in float32: every partial sum of whole and half levels is exact there, so the
    planes' residuals and means are the float64 computation's, bit for bit (saturated blocks included)."""
    from safeaug.probing.detail import _block_planes

    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (n, 2 * b, 3 * b, nc)).astype(np.uint8)
    img[:, :b, :b] = 255  # (the largest sums)
    hb, wb = 2, 3
    ys, xs = np.mgrid[0:b, 0:b]
    x, y = (xs.ravel() - (b - 1) / 2.0), (ys.ravel() - (b - 1) / 2.0)
    blocks = np.ascontiguousarray(img.reshape(n, hb, b, wb, b, nc).transpose(0, 1, 3, 5, 2, 4))
    px = blocks.reshape(-1, b * b).astype(float)
    s = px.sum(axis=1)
    sx, sy, s2 = np.einsum("ki,i->k", px, x), np.einsum("ki,i->k", px, y), np.einsum("ki,ki->k", px, px)
    left = np.maximum(s2 - s * s / (b * b) - (sx * sx) / float(x @ x) - (sy * sy) / float(y @ y), 0.0)
    got_left, got_means = _block_planes(img, b)
    assert np.array_equal(got_left, left.reshape(n, hb * wb, nc) / 255.0**2)
    assert np.array_equal(got_means, s.reshape(n, hb * wb, nc) / (b * b * 255.0))


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.sampled_from([1, 2, 3, 4, 5]))
def test_departures_off_opencv_are_numpys(seed: int, n: int, nc: int) -> None:
    from safeaug.probing.detail import _departures8

    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (n, 7, 9, nc)).astype(np.uint8)
    raw[:, 0] = 0
    raw[:, 1] = 255
    centres = rng.integers(0, 256, (n, nc))
    direct = np.abs(raw.astype(np.int16) - centres[:, None, None, :].astype(np.int16))
    got = _departures8(raw, centres)
    assert got.shape == direct.shape and np.array_equal(got, direct)
    above = rng.integers(0, 257, n)  # (the comparison with the first level above a threshold, 256 for none)
    assert np.array_equal(got >= above[:, None, None, None].astype(np.int16), direct >= above[:, None, None, None])


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=1, max_size=60))
def test_ends_read_off_8_bit_levels_are_the_ends_of_their_fractions(rows: list[tuple[int, int, int]]) -> None:
    from safeaug.probing.tone import _at_end, _at_end8

    px8 = np.array([*rows, (0, 7, 9), (254, 255, 1), (1, 254, 128)], dtype=np.uint8)
    for cols in (slice(None), slice(0, 1)):
        assert np.array_equal(_at_end8(px8[:, cols]), _at_end(px8[:, cols].astype(float) / 255.0))


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(6, 5), (6, 5, 1), (6, 5, 3), (6, 5, 4)]), st.integers(0, 4))
def test_images_apart_by_more_than_two_levels_as_numpy_says(seed: int, shape: tuple[int, ...], spread: int) -> None:
    from safeaug.probing.inputs import _apart

    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, shape).astype(np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-spread, spread + 1, shape), 0, 255).astype(np.uint8)
    assert _apart(a, b) == bool(np.abs(a.astype(np.int16) - b.astype(np.int16)).max() > 2)
    if len(shape) == 3:  # (a channel at a time, as the grey comparisons take them)
        assert _apart(a[..., 0], b[..., 0]) == bool(np.abs(a[..., 0].astype(int) - b[..., 0]).max() > 2)


@settings(deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=12), st.booleans(), st.integers(0, 2**32 - 1))
def test_runs_are_grouped_by_their_bytes(kinds: list[int], keypoints: bool, seed: int) -> None:
    """Each run's key is the first run whose keypoints and outputs hold its bytes: runs that differ in one
    byte of one image (outside the sampled bytes too), in a keypoint, or in an output's type are apart."""
    from safeaug.probing.images import _TARGETS
    from safeaug.probing.measure import _run_keys

    rng = np.random.default_rng(seed)
    base = {name: rng.integers(0, 256, (8, 8, 3)).astype(np.uint8) for name in ("geo", *_TARGETS)}
    kps = rng.uniform(0, 8, (20, 2)) if keypoints else None
    runs: list[Any] = []
    for kind in kinds:
        out = {name: img.copy() for name, img in base.items()}
        run_kps = None if kps is None else kps.copy()
        if kind == 1:
            out["dots"][3, 5, 1] ^= 1  # (one byte the one-in-61 sample does not hold)
        elif kind == 2 and run_kps is not None:
            run_kps[7, 0] += 1e-9
        elif kind == 3:
            out["flat"] = out["flat"].astype(np.uint16)
        runs.append((out, run_kps, False))
    expected = []
    for j, (out, k, _) in enumerate(runs):
        ident = [
            f
            for f in range(j + 1)
            if (k is None) == (runs[f][1] is None)
            and (k is None or k.tobytes() == runs[f][1].tobytes())
            and all(out[n].dtype == runs[f][0][n].dtype and out[n].tobytes() == runs[f][0][n].tobytes() for n in out)
        ]
        expected.append(ident[0])
    assert _run_keys(runs) == expected
