"""Tone readings off the grey ramp: the grey-level map (inversion, folds, brightness, contrast, gamma,
posterisation) and colour casts of a grey input."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from safeaug.probing.geometry import _Where
from safeaug.probing.images import _LUMA, Array, FloatArray, _channels, _Images, _median, _picked

if TYPE_CHECKING:
    from safeaug.probing.detail import _Flat

_COLOR_CAST = 4.0 / 255.0  # grey input coming out with channels this far apart is a colour change


@dataclass
class _Map:
    """The grey-level map read off the ramp: output (median) per input level."""

    levels: FloatArray
    values: FloatArray
    cast: float  # largest channel spread of a grey input level (after medians over 8-level bins)
    clipped: Array | None = None  # per level: most of its pixels have a channel at 0 or full scale
    model: tuple[float, float, float, bool] | None = None  # a, gamma, b, inverted: y = a x**gamma + b
    # ``cast`` after taking out the channel noise the flat grey shows at each pixel; read only where ``cast``
    # exceeds what the flat grey's wander allows (elsewhere ``cast`` itself: :func:`_casts` does not look at it)
    shared_cast: float = 0.0

    def __call__(self, x: FloatArray, *, exact: bool = False) -> FloatArray:
        # The levels read, interpolated, when asked and when they cover ``x`` (a crop sees part of the ramp).
        covered = len(self.levels) > 0 and self.levels[0] <= float(np.min(x)) and float(np.max(x)) <= self.levels[-1]
        if self.model is None or (exact and covered):
            return np.interp(x, self.levels, self.values)
        a, gamma, b, inverted = self.model
        y = np.clip(a * np.clip(x, 0.0, 1.0) ** gamma + b, 0.0, 1.0)
        return 1.0 - y if inverted else y


_GAMMAS = np.exp(np.linspace(math.log(0.15), math.log(6.0), 61))


_BIN = 8


def _runs_of(k: Array) -> tuple[Array, Array]:
    """Where each run of equal values of the sorted ``k`` starts, and where it ends (one past its last)."""
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    return starts, np.concatenate((starts[1:], [len(k)]))


def _group_medians(keys: Array, values: FloatArray) -> tuple[Array, FloatArray]:
    """Per distinct key (ascending), the median of its values (the lower one of an even count)."""
    if len(keys) and keys.min() >= 0:
        q = np.rint(values * 255.0)
        if np.abs(q - values * 255.0).max() < 1e-6 and q.min() >= 0 and q.max() <= 255:
            # 8-bit values: one sort of a combined integer key is much faster than a lexsort.
            combined = np.sort(keys.astype(np.int64) * 256 + q.astype(np.int64))
            k = combined >> 8
            starts, ends = _runs_of(k)
            return k[starts], (combined[(starts + ends - 1) // 2] & 255) / 255.0
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    starts, ends = _runs_of(k)
    return k[starts], v[(starts + ends - 1) // 2]


def _read_map(
    ramp_out: Array,
    where: _Where,
    images: _Images,
    margin: float,
    noise: float = 0.0,
    flat: tuple[Array, _Flat | None] | None = None,
) -> _Map | None:
    """The grey-level map of the ramp; ``flat``: the flat grey's output and reading, whose channel departures
    per output pixel (see :func:`_shared_tint`) are taken off the ramp's channels for ``shared_cast``."""
    return _read_maps([(ramp_out, where, margin, noise, flat)], images)[0]


# A run's ask of the map reader: the ramp's output, where its pixels came from, the margin from band edges,
# the noise, and the flat grey's output and reading (for ``shared_cast``).
_MapAsk = tuple[Array, _Where, float, float, "tuple[Array, _Flat | None] | None"]


def _read_maps(asks: list[_MapAsk], images: _Images) -> list[_Map | None]:
    """:func:`_read_map` of several runs (ramp, where, margin, noise, flat): stacked by the ramp's shape and
    type, and read in one pass per stack with the run in every key, so a run reads the same as alone."""
    found: list[_Map | None] = [None] * len(asks)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, ask in enumerate(asks):
        groups.setdefault((np.shape(ask[0]), np.asarray(ask[0]).dtype.str), []).append(j)
    for group in groups.values():
        for j, m in zip(group, _read_map_stack([asks[j] for j in group], images), strict=True):
            found[j] = m
    return found


def _read_map_stack(asks: list[_MapAsk], images: _Images) -> list[_Map | None]:
    found: list[_Map | None] = [None] * len(asks)
    oks, levels = [], []
    for _, where, margin, _, _ in asks:
        if where.identity:
            oks.append(where.inside & (images.ramp_edge >= margin))
            levels.append(images.ramp_level)
        else:
            oks.append(where.inside & (images.ramp_edge[where.iy, where.ix] >= margin))
            levels.append(images.ramp_level[where.iy, where.ix])
    live = [j for j, ok in enumerate(oks) if ok.sum() >= 64]
    if not live:
        return found
    n = len(live)
    raw = np.stack([np.asarray(asks[j][0]) for j in live])
    raw = raw[..., None] if raw.ndim == 3 else raw  # (n, h, w, c)
    ok = np.stack([oks[j] for j in live])
    lv = _picked(np.stack([levels[j] for j in live]), ok)  # every run's usable pixels, run after run
    counts = ok.reshape(n, -1).sum(axis=1)
    run = np.repeat(np.arange(n), counts)
    noise = np.array([asks[j][3] for j in live], dtype=float)
    if raw.dtype == np.uint8:  # 8-bit: one sort of (run, level, value) packed into one integer
        px8 = _picked(raw, ok)
        grey8 = np.rint(px8 @ _LUMA).astype(np.int64) if px8.shape[1] == 3 else px8[:, 0].astype(np.int64)
        combined = np.sort((run.astype(np.int64) << 16) + (lv.astype(np.int64) << 8) + grey8)
        k = combined >> 8
        starts, ends = _runs_of(k)
        keys, medians = k[starts], (combined[(starts + ends - 1) // 2] & 255) / 255.0
        px = px8.astype(float) / 255.0
        at_end = _at_end8(px8)  # a channel at 0 or full scale
    else:
        px = _picked(_channels(raw), ok)
        keys, medians = _group_medians(run.astype(np.int64) * 256 + lv, px @ _LUMA if px.shape[1] == 3 else px[:, 0])
        at_end = _at_end(px)
    bounds = np.searchsorted(keys >> 8, np.arange(n + 1))  # each run's levels in ``keys``
    # Clipping is not a change of slope: levels where a channel hit 0 or full scale are left out of the fit.
    by_level = run * 256 + lv
    share = (
        np.bincount(by_level, at_end.astype(float), minlength=n * 256)
        / np.maximum(np.bincount(by_level, minlength=n * 256), 1)
    ).reshape(n, 256)
    casts = shared = np.zeros(n)
    if px.shape[1] == 3:
        casts, shared = _stacked_casts(px, run * 32 + lv // _BIN, at_end, noise, asks, live, ok)
    for r, j in enumerate(live):
        level = keys[bounds[r] : bounds[r + 1]] & 255
        found[j] = _Map(
            level / 255.0,
            medians[bounds[r] : bounds[r + 1]],
            float(casts[r]),
            share[r][level] > 0.5,
            shared_cast=float(shared[r]),
        )
    return found


def _stacked_casts(
    px: FloatArray,
    bins: Array,
    at_end: Array,
    noise: FloatArray,
    asks: list[_MapAsk],
    live: list[int],
    ok: Array,
) -> tuple[FloatArray, FloatArray]:
    """Per run: the largest channel spread of a grey input level's ``_BIN``-level bin beyond what noise explains
    (4.5 standard errors of a bin's mean), and the same after taking off the flat grey's channel departures
    (:func:`_shared_tint`). ``bins``: each pixel's run * 32 + bin.

    The second is read only where the first exceeds what the flat grey's wander allows (see :func:`_casts`,
    which reads it only there); elsewhere, and where the run has no flat grey to take off, it is the first.
    """
    n = len(live)
    slots = n * (256 // _BIN)

    def spreads(keys: Array, values: FloatArray, least: int) -> tuple[FloatArray, Array]:
        count = np.bincount(keys, minlength=slots)
        sums = np.stack([np.bincount(keys, values[:, c], minlength=slots) for c in range(3)], axis=1)
        use = count >= least
        safe = np.where(use, count, 1)
        means = sums / safe[:, None]
        spread = means.max(axis=1) - means.min(axis=1) - 4.5 * np.repeat(noise, slots // n) / np.sqrt(safe)
        return spread.reshape(n, -1), use.reshape(n, -1)

    spread, use = spreads(bins, px, 1)
    casts = np.where(use, spread, -np.inf).max(axis=1)
    shared = casts.copy()
    cast_by: list[int] = []
    sources: list[tuple[Array, _Flat | None]] = []
    for r, j in enumerate(live):
        source = asks[j][4]
        if source is not None and casts[r] > _cast_allowance(source[1]):
            cast_by.append(r)
            sources.append(source)
    tints = _shared_tints(sources)
    with_tint = [r for r, t in zip(cast_by, tints, strict=True) if t is not None]
    if with_tint:  # the same noise field was drawn for the flat grey: take it off, pixel by pixel
        tint = np.zeros((*ok.shape, 3))
        for r, t in zip(cast_by, tints, strict=True):
            if t is not None:
                tint[r] = t
        # (where no channel clipped: noise clipped at 0 or full scale is not the flat grey's any more)
        kept = ~at_end & np.isin(bins // (256 // _BIN), with_tint)
        spread, use = spreads(bins[kept], (px - _picked(tint, ok))[kept], 8)
        for r in with_tint:
            if use[r].any():
                shared[r] = spread[r][use[r]].max()
    return casts, shared


def _at_end(px: FloatArray) -> Array:
    """Per row of channel values in [0, 1]: whether any channel sits at 0 or full scale (column by column)."""
    clip = (px <= 0.5 / 255.0) | (px >= 254.5 / 255.0)
    out: Array = clip[:, 0].copy()
    for c in range(1, clip.shape[1]):
        out |= clip[:, c]
    return out


def _at_end8(px8: Array) -> Array:
    """:func:`_at_end` of 8-bit rows, off the levels themselves: a level k / 255 is within half a level of 0 or
    full scale only at 0 or 255."""
    out: Array = (px8[:, 0] == 0) | (px8[:, 0] == 255)
    for c in range(1, px8.shape[1]):
        out |= (px8[:, c] == 0) | (px8[:, c] == 255)
    return out


def _shared_tint(flat_out: Array, flat: _Flat | None) -> FloatArray | None:
    """Per output pixel, how far each channel of the flat grey departs from that pixel's grey, less the
    median departure (a cast moves every pixel alike and stays): noise drawn per channel. (Holes need no
    care: the ones found in the flat grey are left out of the ramp's reading, and large noise excursions
    read as holes are the same field on the ramp.)

    The probe passes all its images through one call, so a noise field is drawn once and added to each of
    them alike: coarse per-channel noise (``GaussNoise(per_channel=True, noise_scale_factor=0.25)``) moves
    the ramp's 8-level bins apart at random, as far as the flat grey's channels wander apart, and the largest
    of about 32 bins' spreads exceeds a one-reading allowance on some seeds (6 wanders of the flat grey for
    ``std_range=(0.0486, 0.0486)``). The same field, read off the flat grey, is taken off the ramp.
    """
    return _shared_tints([(flat_out, flat)])[0]


def _shared_tints(asks: list[tuple[Array, _Flat | None]]) -> list[FloatArray | None]:
    """:func:`_shared_tint` of several runs' flat greys, those of one shape and type side by side."""
    found: list[FloatArray | None] = [None] * len(asks)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, (flat_out, flat) in enumerate(asks):
        raw = np.asarray(flat_out)
        if flat is not None and raw.ndim == 3 and raw.shape[2] == 3:
            groups.setdefault((raw.shape, raw.dtype.str), []).append(j)
    for group in groups.values():
        px = _channels(np.stack([np.asarray(asks[j][0]) for j in group]))  # (n, h, w, 3)
        dev = px - ((px[..., 0] + px[..., 1] + px[..., 2]) / 3.0)[..., None]  # (the channels' mean, summed in order)
        rows = np.ascontiguousarray(dev.reshape(len(group), -1, 3).transpose(0, 2, 1))  # (n, 3, h * w)
        out = dev - _median(rows, axis=2)[:, None, None, :]
        for r, j in enumerate(group):
            found[j] = out[r]
    return found


def _cast_allowance(flat: _Flat | None) -> float:
    """How far apart a grey level's channels may come out before :func:`_casts` reads ``shared_cast``."""
    return _COLOR_CAST + 4.5 * (flat.tint_wander if flat is not None else 0.0)


def _casts(m: _Map, wander: float) -> bool:
    """Whether the grey ramp came out with its channels apart by more than noise explains.

    Channels of a flat grey that wander apart from block to block (per-channel noise coarser than a pixel)
    move the ramp's bins apart as much; a cast moves every block alike. The spread must exceed that wander
    (4.5 of it), and still exceed the 4-level threshold once the noise field the flat grey shows at each
    pixel is taken off (``shared_cast``; see :func:`_shared_tint`).
    """
    return m.cast > _COLOR_CAST + 4.5 * wander and m.shared_cast > _COLOR_CAST


@dataclass
class _Intensity:
    inversion: bool
    nonmonotone: bool
    brightness: float
    contrast: float
    gamma: float
    posterize: float


def _read_intensity(m: _Map, noise: float, rigid: bool, *, straight: bool = False) -> _Intensity:
    x, y = m.levels, m.values
    # Direction, on medians over 8-level bins: the largest drop and the largest rise anywhere.
    if len(x) == 256:  # every level read (the levels 0..255 in order): each bin is 8 neighbours, sorted
        yb = np.sort(y.reshape(-1, _BIN), axis=1)[:, (_BIN - 1) // 2]  # (the lower middle, as _group_medians)
    else:
        _, yb = _group_medians((np.rint(x * 255).astype(int)) // _BIN, y)
    drop = float(np.max(np.maximum.accumulate(yb) - yb)) if len(yb) else 0.0
    rise = float(np.max(yb - np.minimum.accumulate(yb))) if len(yb) else 0.0
    margin = 0.12 + 3.0 * noise / math.sqrt(_BIN)
    nonmonotone = min(drop, rise) > margin
    inversion = not nonmonotone and drop > rise and drop > 0.1
    if inversion:
        y = 1.0 - y
    posterize = 8.0
    inner = (y > 0.5 / 255.0) & (y < 254.5 / 255.0)  # levels that did not clip
    if rigid and inner.sum() >= 64 and noise < 2.0 / 255.0:
        yi, xi = y[inner], x[inner]
        distinct = _distinct(np.rint(yi * 255.0))
        # As many distinct outputs as the range they span allows (a contrast change is not posterisation).
        room = min(len(yi), max(abs(float(yi.max() - yi.min())) * 255.0, 1.0) + 1.0)
        room = max(room * min(1.0, len(yi) / max((xi.max() - xi.min()) * 255.0 + 1.0, 1.0)), 1.0)
        posterize = float(min(8.0, 8.0 - math.log2(room / max(distinct, 1))))
    if nonmonotone:
        return _Intensity(inversion, nonmonotone, 0.0, 1.0, 1.0, posterize)
    # Fit y = a * x**gamma + b on the levels that did not clip.
    use = (y > 1.5 / 255.0) & (y < 253.5 / 255.0) & (x > 0)
    if m.clipped is not None and len(m.clipped) == len(use) and (use & ~m.clipped).sum() >= 8:
        use &= ~m.clipped
    ends = _end_plateaus(y)
    if (use & ends).sum() >= 8:
        use &= ends
    if use.sum() < 8:
        return _Intensity(inversion, nonmonotone, float(abs(_median(y) - 0.5)), 1.0, 1.0, posterize)
    xu, yu = x[use], y[use]
    xm, ym = xu.mean(), yu.mean()  # (each mean once: the same values each time)
    xc = xu - xm  # the least-squares line, in closed form (np.polyfit's answer, without its overhead)
    slope = float(xc @ (yu - ym)) / float(xc @ xc)
    intercept = float(ym) - slope * float(xm)
    line = float(((yu - (slope * xu + intercept)) ** 2).mean())
    if straight or line <= (1.0 / 255.0) ** 2 + (noise**2) / 16.0:  # a straight line fits: no curve
        m.model = (float(slope), 1.0, float(intercept), inversion)
        return _Intensity(inversion, nonmonotone, float(abs(intercept)), float(abs(slope)), 1.0, posterize)
    basis = _powers(xu)
    bm = basis.mean(axis=1, keepdims=True)
    centred = basis - bm
    var = (centred**2).sum(axis=1)
    a = (centred * (yu - ym)).sum(axis=1) / np.where(var > 1e-12, var, 1.0)
    b = ym - a * bm[:, 0]
    resid = ((yu[None, :] - (a[:, None] * basis + b[:, None])) ** 2).mean(axis=1)
    best = int(np.argmin(resid))
    one = int(np.argmin(np.abs(_GAMMAS - 1.0)))
    if resid[one] <= resid[best] * 1.5 + 2e-6 + (noise**2) / 16.0:  # a straight line unless a curve fits clearly better
        best = one
    gamma = 1.0 if best == one else float(_GAMMAS[best])
    m.model = (float(a[best]), gamma, float(b[best]), inversion)
    return _Intensity(inversion, nonmonotone, float(abs(b[best])), float(abs(a[best])), gamma, posterize)


def _distinct(values: FloatArray) -> int:
    """How many distinct values (no NaN among them): ``len(np.unique(values))``, off one sort."""
    v = np.sort(values)
    return int(len(v) > 0) + int(np.count_nonzero(v[1:] != v[:-1]))


# Every 8-bit level (k / 255) to every power of ``_GAMMAS``: the gamma fit's basis, made once.
_LEVEL_POWERS = (np.arange(256) / 255.0)[None, :] ** _GAMMAS[:, None]


def _powers(x: FloatArray) -> FloatArray:
    """``x ** _GAMMAS`` (gammas by levels): rows of :data:`_LEVEL_POWERS` where ``x`` holds 8-bit levels k / 255
    (the grey-level map's levels always do), else computed."""
    k = np.rint(x * 255.0).astype(np.intp)
    if len(x) and k.min() >= 0 and k.max() <= 255 and np.array_equal(k / 255.0, x):
        return np.ascontiguousarray(_LEVEL_POWERS[:, k])  # (row by row, as the sums below expect)
    return np.asarray(x[None, :] ** _GAMMAS[:, None])


def _end_plateaus(y: FloatArray, run: int = 4, tol: float = 0.75 / 255.0) -> Array:
    """False on a flat run of at least ``run`` levels at either end of the map: clipping, wherever it lands.

    A clip in an intermediate step, scaled by a later gain, leaves a plateau below full scale
    (ColorJitter: contrast 1.5, clipped, then brightness 0.5 flattens the top sixth of the map at 0.5).
    """
    keep = np.ones(len(y), dtype=bool)
    n = len(y)
    if n < 4 * run:
        return keep
    off_top, off_bottom = np.abs(y - y[-1]) > tol, np.abs(y - y[0]) > tol  # (each level's, once)
    top = int(np.argmax(off_top[::-1])) if off_top.any() else n
    bottom = int(np.argmax(off_bottom)) if off_bottom.any() else n
    if top >= run:
        keep[n - top :] = False
    if bottom >= run:
        keep[:bottom] = False
    return keep
