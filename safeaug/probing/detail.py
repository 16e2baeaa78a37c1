"""Detail readings: blur off the dots (Gaussian-equivalent sigma), and noise, holes and brightness fields
off the flat grey."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from safeaug.probing.geometry import _Geometry, _jacobian, _Where
from safeaug.probing.images import _DOT_VAR, Array, FloatArray, _channels, _grey, _Images, _median

_NOISY = 0.06  # above this noise sigma, colour and blur readings are not trustworthy


_FIELD = 0.015  # a flat grey whose 8x8 means spread more than this carries a brightness field


def _read_blur(out_img: Array, g: _Geometry | None, images: _Images, usable: Array, noise: float) -> float | None:
    """Gaussian-equivalent sigma (input px) of a single bright pixel: the second moment of its spread.

    Each dot is looked for near where the fitted map puts it (so a warp that moves it a little does not
    read as blur), its background is the median of a ring around it, and the moments of all dots are
    pooled. A small window first; a wider one when the spread is large (noise weighs more in a wide
    window, so it is used only when needed).
    """
    return _read_blurs([(out_img, g, usable, noise)], images)[0]


def _read_blurs(asks: list[tuple[Array, _Geometry | None, Array, float]], images: _Images) -> list[float | None]:
    """:func:`_read_blur` of several runs (dots, map, usable, noise). The dots' windows of runs whose outputs
    have one shape and type and that keep as many dots are cut out, and their backgrounds read, side by side;
    each window's numbers are its own (medians along its own sides and ring), so a run reads as alone."""
    found: list[float | None] = [None] * len(asks)
    big = max(4, images.size // 9)
    search = 2
    reach = big + search + 1
    span = np.arange(-reach, reach + 1)
    groups: dict[tuple[Any, ...], list[tuple[int, Array, Array]]] = {}
    for j, (out_img, g, usable, _) in enumerate(asks):
        h, w = out_img.shape[:2]
        pts = images.dot_xy if g is None else g.forward(images.dot_xy)
        ok = np.isfinite(pts).all(axis=1)
        c = np.zeros((len(pts), 2), int)
        c[ok] = np.rint(pts[ok]).astype(int)
        ok &= (c[:, 0] >= reach) & (c[:, 1] >= reach) & (c[:, 0] + reach < w) & (c[:, 1] + reach < h)
        if ok.sum() < 3:
            continue
        c = c[ok]
        rows = c[:, 1, None] + span
        cols = c[:, 0, None] + span
        # (every pixel usable, as where nothing moved and no hole was found: every window is clear)
        clear = np.ones(len(c), bool) if usable.all() else usable[rows[:, :, None], cols[:, None, :]].all(axis=(1, 2))
        if clear.sum() < 3:
            continue
        key = (out_img.shape, out_img.dtype.str, int(clear.sum()))
        groups.setdefault(key, []).append((j, rows[clear], cols[clear]))
    for members in groups.values():
        raw = np.stack([np.asarray(asks[j][0]) for j, _, _ in members])
        rows = np.stack([r for _, r, _ in members])  # (n, k, window)
        cols = np.stack([c for _, _, c in members])
        at = np.arange(len(members))[:, None, None, None]
        # (the grey of each whole image, then its windows: the same values, a third of the gathering; the dots'
        # windows overlap and cover more pixels than the image holds)
        windows = _grey(raw, channels=raw.ndim == 4)[at, rows[:, :, :, None], cols[:, :, None, :]]  # (n, k, W, W)
        for (j, _, _), stack in zip(members, _dot_windows(windows, reach, search), strict=True):
            found[j] = _dot_sigma(stack, asks[j][1], images, asks[j][3], big, reach, search)
    return found


def _dot_windows(windows: FloatArray, reach: int, search: int) -> list[tuple[Any, ...]]:
    """Per run, from its dots' windows (n, k, W, W): each window's excess over its background plane, the
    peaks, and the noise of the rings around the dots."""
    n, k = windows.shape[:2]
    mid = reach
    # The background under each dot: a plane through the ring around it, so that a smooth field is not
    # read as blur; medians of each side, so that the tail of a neighbouring dot does not tilt it.
    top, bottom = _median(windows[:, :, 0], axis=2), _median(windows[:, :, -1], axis=2)
    left, right = _median(windows[:, :, :, 0], axis=2), _median(windows[:, :, :, -1], axis=2)
    level = (top + bottom + left + right) / 4.0
    off = np.arange(-reach, reach + 1) / (2.0 * reach)
    background = (
        level[..., None, None]
        + ((bottom - top)[..., None] * off)[..., :, None]
        + ((right - left)[..., None] * off)[..., None, :]
    )
    ring = np.concatenate([windows[:, :, 0], windows[:, :, -1], windows[:, :, :, 0], windows[:, :, :, -1]], axis=2)
    ring_bg = np.concatenate(
        [background[:, :, 0], background[:, :, -1], background[:, :, :, 0], background[:, :, :, -1]], axis=2
    )
    ring_noise = _median(np.abs(ring - ring_bg).reshape(n, -1), axis=1) * 1.4826
    centre = windows[:, :, mid - 1 : mid + 2, mid - 1 : mid + 2].mean(axis=(2, 3))
    signs = np.where(_median(centre - background[:, :, mid, mid], axis=1) >= 0, 1.0, -1.0)
    excess = signs[:, None, None, None] * (windows - background)
    core = excess[:, :, mid - search : mid + search + 1, mid - search : mid + search + 1].reshape(n, k, -1)
    peak = core.argmax(axis=2)
    py = mid - search + peak // (2 * search + 1)
    px = mid - search + peak % (2 * search + 1)
    return [(excess[r], py[r], px[r], float(ring_noise[r])) for r in range(n)]


def _dot_sigma(
    spread: tuple[Any, ...], g: _Geometry | None, images: _Images, noise: float, big: int, reach: int, search: int
) -> float | None:
    """The dots' Gaussian-equivalent sigma (input px) from their windows' excess, peaks and ring noise."""
    excess, py, px, ring_noise = spread
    n = len(excess)

    def moment(r: int) -> float | None:
        off = np.arange(-r, r + 1)
        e = excess[np.arange(n)[:, None, None], (py[:, None] + off)[:, :, None], (px[:, None] + off)[:, None, :]]
        mass = e.sum(axis=(1, 2))
        keep = mass > 0.02
        if not keep.any():
            return None
        # How far noise alone can move the second moment (px²): beyond a third of a px², the reading is
        # noise; below, twice that much is taken off the reading (noise must not read as blur).
        spread = _moment_spread(r)
        noisy = noise >= 2.0 / 255.0 or ring_noise >= 2.0 / 255.0  # more than 8-bit rounding
        wobble = ring_noise * spread / (2.0 * float(mass[keep].mean()) * math.sqrt(int(keep.sum()))) if noisy else 0.0
        if wobble > 0.35:
            return math.nan
        # The dots' windows, aligned on their peaks, pixel by pixel: the median drops what is not the dot
        # (an impulse of noise lands in one window, not in all of them).
        e = _median(e[keep], axis=0) if keep.sum() >= 3 else e[keep].mean(axis=0)
        total = float(e.sum())
        if total <= 0.02:
            return None
        col, row = e.sum(axis=0), e.sum(axis=1)
        ex, ey = float((col * off).sum() / total), float((row * off).sum() / total)
        num = float((col * (off - ex) ** 2).sum() + (row * (off - ey) ** 2).sum())
        seen = math.sqrt(max(num / total / 2.0, 0.0))
        if seen < 0.7 * (2 * r + 1) / math.sqrt(12.0):
            seen = _untruncated(seen, r + 0.5)
        # (else the spread fills the window: a lower bound, not extrapolated)
        return math.sqrt(max(seen**2 - _DOT_VAR - 3.0 * wobble, 0.0))  # the dot's own width is not blur

    sigma = moment(3)
    if sigma is None:
        # The dots are gone (a rank filter, a coarse resampling): detail is lost, by an amount the
        # window cannot tell; read as a spread of half the window.
        return big / 2.0
    if sigma > 0.9:
        wide = moment(big)
        if wide is None:
            sigma = big / 2.0
        elif not math.isnan(wide):
            sigma = wide
        # (a wide window too noisy to read: the small one's reading stands, as a lower bound)
    if math.isnan(sigma):
        return None  # noise hides the dot's spread
    if g is not None:  # in input px: by the map's local zoom where the dots are (a homography's varies)
        if g.H[2, 0] == 0.0 and g.H[2, 1] == 0.0:  # affine: the same zoom everywhere
            zoom = abs(float(np.linalg.det(_jacobian(g.H, images.dot_xy[0]))))
        else:
            zoom = float(_median([abs(float(np.linalg.det(_jacobian(g.H, xy)))) for xy in images.dot_xy]))
        sigma /= math.sqrt(max(zoom, 1e-6))
    return sigma


_SPREADS: dict[int, float] = {}


def _moment_spread(r: int) -> float:
    """How far one unit of noise per pixel can move the second moment of a window of half-width ``r`` (px²), the
    square root of the sum of each pixel's squared distance, squared (made once per window)."""
    if r not in _SPREADS:
        off = np.arange(-r, r + 1)
        _SPREADS[r] = math.sqrt(float(((off[:, None] ** 2 + off[None, :] ** 2) ** 2).sum()))
    return _SPREADS[r]


def _truncated_sigma(sigma: FloatArray, half: float) -> FloatArray:
    """Standard deviation of a Gaussian of ``sigma`` seen only within ``[-half, half]``."""
    from math import erf

    c = half / np.maximum(sigma, 1e-9)
    pdf = np.exp(-0.5 * c**2) / math.sqrt(2 * math.pi)
    cdf2 = np.array([erf(v / math.sqrt(2)) for v in c])  # 2 Phi(c) - 1
    return np.asarray(sigma * np.sqrt(np.clip(1.0 - 2.0 * c * pdf / np.maximum(cdf2, 1e-12), 0.0, 1.0)))


_TRUE_SIGMAS = np.linspace(0.0, 12.0, 481)


_SEEN_SIGMAS: dict[float, FloatArray] = {}


def _untruncated(seen: float, half: float) -> float:
    """The Gaussian sigma whose spread, seen through a window of ``half`` px, has second moment ``seen``."""
    table = _SEEN_SIGMAS.get(half)
    if table is None:
        table = _SEEN_SIGMAS[half] = np.maximum.accumulate(_truncated_sigma(_TRUE_SIGMAS, half))
    if seen >= table[-1] - 1e-9:
        return float(_TRUE_SIGMAS[-1])
    return float(np.interp(seen, table, _TRUE_SIGMAS))


class _Flat(NamedTuple):
    noise: float
    occluded_share: float  # of the channel values: a hole in one channel of three hides a third of a pixel
    occluded: Array  # pixels with any channel hidden (left out of the other readings)
    field_lo: float  # smallest and largest 8x8 block mean: a brightness that changes across the image
    field_hi: float
    level: float  # the median grey (mean over channels): what the whole image came out as
    tint_wander: float = 0.0  # spread between blocks of a channel's departure from the block's grey
    blocks: int = 0  # 8x8 blocks the noise was read in (none: it is the robust spread of all pixels)


def _read_flat(out_img: Array, where: _Where, edge: int = 0) -> _Flat | None:
    """Noise, occlusion and brightness field of the flat image, where it came from the input.

    Noise is what is left in 8x8 blocks after taking out each block's plane, so a smooth brightness field
    (plasma, illumination) is not read as noise. Holes are values further than max(0.08, 6 robust sigma)
    from the median, and pixels surrounded by holes (a random fill can land near the median). With
    ``edge``, blocks within that many pixels of a hole are not read for noise (a hole's blended edge).
    """
    return _read_flats([(out_img, where)], edge)[0]


def _read_flats(items: list[tuple[Array, _Where]], edge: int = 0) -> list[_Flat | None]:
    """:func:`_read_flat` of several runs' flat images: stacked by shape and type, each group read in one pass.

    Every number is computed along axes of a fixed length per run (histograms with the run in the key, sums
    over a block's pixels), so a run reads the same in a stack as alone.
    """
    found: list[_Flat | None] = [None] * len(items)
    for group in _stacks(items):
        for k, flat in zip(group, _read_flat_stack([items[k] for k in group], edge), strict=True):
            found[k] = flat
    return found


def _stacks(items: list[tuple[Any, ...]]) -> list[list[int]]:
    """Indices of ``items`` grouped by the shape and type of their first member (an image), in order."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, item in enumerate(items):
        img = np.asarray(item[0])
        groups.setdefault((img.shape, img.dtype.str), []).append(k)
    return list(groups.values())


def _read_flat_stack(items: list[tuple[Array, _Where]], edge: int) -> list[_Flat | None]:
    """:func:`_read_flats` of images of one shape and type."""
    found: list[_Flat | None] = [None] * len(items)
    inside_all = np.stack([where.inside for _, where in items])  # (n, h, w)
    counts_inside = inside_all.reshape(len(items), -1).sum(axis=1)
    live = np.flatnonzero(counts_inside >= 64)
    if not len(live):
        return found
    raw = np.stack([np.asarray(items[k][0]) for k in live])
    raw = raw[..., None] if raw.ndim == 3 else raw  # (n, h, w, c)
    inside = inside_all[live]
    n_inside = counts_inside[live]
    n, h, w, nc = raw.shape
    everywhere = bool(n_inside.min() == h * w)
    eight_bit = raw.dtype == np.uint8
    if eight_bit:  # integer histograms, the run and channel in the key: faster than float medians
        hist = _stacked_histograms(raw, inside, everywhere)  # (n, c, 256)
        centre8 = _histogram_medians(hist, n_inside)  # (n, c)
        dev8 = _departures8(raw, centre8)
        mad8 = _departure_medians(hist, centre8, n_inside)
        mads = mad8 / 255.0 * 1.4826
        centres = centre8 / 255.0
        thresholds = np.maximum(0.08, 6.0 * mads)
        # (hidden: dev8 / 255 > threshold, as the first level above it: the same comparison, in integers)
        above = np.searchsorted(_LEVELS, thresholds, side="right")
        hidden = dev8 >= above[:, None, None, None].astype(np.int16)
        if not everywhere:
            hidden &= inside[..., None]
    else:
        out = _channels(raw)
        centres = np.stack([_median_columns(out[j][inside[j]]) for j in range(n)])
        dev_float = np.abs(out - centres[:, None, None, :])
        mads = np.array([float(_median_columns(dev_float[j][inside[j]].reshape(-1, 1))[0]) * 1.4826 for j in range(n)])
        thresholds = np.maximum(0.08, 6.0 * mads)
        hidden = (dev_float > thresholds[:, None, None, None]) & inside[..., None]
    any_hidden: Array = np.asarray(hidden.reshape(n, -1).any(axis=1))
    occluded: Array = hidden[..., 0].copy()  # any channel hidden (channel by channel: faster than any(axis=3))
    for c in range(1, nc):
        occluded |= hidden[..., c]
    if any_hidden.any():  # close the holes: a random fill leaves some values near the median
        padded = np.pad(occluded, ((0, 0), (1, 1), (1, 1)))
        around = padded[:, :-2, 1:-1].astype(int) + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:]
        occluded = np.where(any_hidden[:, None, None], (occluded | (around >= 3)) & inside, occluded)
    b = 8
    hb, wb = h // b, w // b
    noises, los, his = mads.copy(), centres.mean(axis=1), centres.mean(axis=1)
    wanders = np.zeros(n)
    n_blocks = np.zeros(n, dtype=int)
    if hb and wb:
        near = occluded
        for _ in range(edge):  # grow the holes by a pixel each step (4-neighbourhood)
            grown = np.pad(near, ((0, 0), (1, 1), (1, 1)))
            near = near | grown[:, :-2, 1:-1] | grown[:, 2:, 1:-1] | grown[:, 1:-1, :-2] | grown[:, 1:-1, 2:]
        good = (inside & ~near)[:, : hb * b, : wb * b].reshape(n, hb, b, wb, b).all(axis=(2, 4)).reshape(n, -1)
        residual, means = _block_planes(raw[:, : hb * b, : wb * b], b)  # (n, blocks, c) each
        n_blocks = good.sum(axis=1)
        # Noise: the pooled residual of the blocks' planes, as a standard deviation (the residual's mean is 0).
        pooled = np.where(good[..., None], residual, 0.0).sum(axis=(1, 2))
        counted = np.maximum(n_blocks * nc * b * b, 1)
        read = n_blocks > 0
        noises[read] = (np.sqrt(pooled / counted) * math.sqrt(b * b / (b * b - 3)))[read]
        grey = means.mean(axis=2)  # (n, blocks)
        los = np.where(read, np.where(good, grey, np.inf).min(axis=1), los)
        his = np.where(read, np.where(good, grey, -np.inf).max(axis=1), his)
        if nc == 3:
            tint = means - means.mean(axis=2, keepdims=True)  # (n, blocks, 3)
            if good.all():  # every block of every run: the spreads side by side
                wanders = (tint - _median(tint, axis=1)[:, None, :]).reshape(n, -1).std(axis=1)
            else:
                for r in np.flatnonzero(n_blocks >= 4).tolist():
                    kept = tint[r] if n_blocks[r] == good.shape[1] else tint[r][good[r]]
                    wanders[r] = float((kept - _median(kept, axis=0)).std())
    for j, k in enumerate(live.tolist()):
        share: float = 0.0
        if any_hidden[j]:
            dev = dev8[j] / 255.0 if eight_bit else np.abs(_channels(raw[j]) - centres[j])
            share = _hidden_share(dev, hidden[j], int(n_inside[j]))
        found[k] = _Flat(
            float(noises[j]),
            share,
            occluded[j],
            float(los[j]),
            float(his[j]),
            float(centres[j].mean()),
            float(wanders[j]),
            int(n_blocks[j]),
        )
    return found


def _departures8(raw: Array, centres: Array) -> Array:
    """(n, h, w, c): how far each 8-bit value lies from its image's channel centre (n, c), in levels; OpenCV's
    absolute difference image by image (the same whole numbers as numpy's, in a fifth of the time)."""
    nc = raw.shape[3]
    if nc > 4:  # (OpenCV's scalars hold four channels)
        return np.asarray(np.abs(raw.astype(np.int16) - centres[:, None, None, :].astype(np.int16)))
    import cv2

    out = np.empty(raw.shape, np.uint8)
    for r in range(len(raw)):
        scalar = tuple(float(v) for v in centres[r]) + (0.0,) * (4 - nc)
        out[r] = cv2.absdiff(np.ascontiguousarray(raw[r]), scalar).reshape(raw.shape[1:])
    return out


def _stacked_histograms(values: Array, inside: Array, everywhere: bool) -> Array:
    """(n, c, 256): the counts of each image's 8-bit values per channel over the pixels ``inside`` (n, h, w).

    OpenCV's histogram of each image's channel, masked to the pixels inside (whole counts, the same as
    ``np.bincount`` of the values with the run and channel in the key, in a third of the time)."""
    import cv2

    n, _, _, nc = values.shape
    out = np.empty((n, nc, 256), np.int64)
    for r in range(n):
        img = np.ascontiguousarray(values[r])
        mask = None if everywhere else np.ascontiguousarray(inside[r]).view(np.uint8)
        for c in range(nc):
            out[r, c] = cv2.calcHist([img], [c], mask, [256], [0, 256]).ravel()
    return out


def _histogram_medians(hist: Array, counts: Array) -> Array:
    """(n, c): the lower middle level of each histogram (n, c, 256) of ``counts[j]`` values."""
    half = (np.asarray(counts) + 1) // 2
    # (the first level whose running count reaches half: np.searchsorted on the running count)
    return np.asarray((np.cumsum(hist, axis=2) < half[:, None, None]).sum(axis=2))


def _departure_medians(hist: Array, centres: Array, counts: Array) -> Array:
    """(n,): the lower middle of each image's departures from its channels' ``centres`` (n, c), all channels
    pooled, from the histograms (n, c, 256) of its ``counts[j]`` pixels: a level l departs by |l - centre|, so
    the departures' histogram is the levels' own moved, without a second pass over the pixels."""
    n, nc, _ = hist.shape
    departs = np.abs(_LEVEL_INDEX - centres[..., None]) + (np.arange(n) * 256)[:, None, None]  # (n, c, 256)
    pooled = np.bincount(departs.ravel(), hist.ravel(), minlength=n * 256).reshape(n, 1, 256)
    return _histogram_medians(pooled, np.asarray(counts) * nc)[:, 0]


_LEVEL_INDEX = np.arange(256)


_LEVELS = np.arange(256) / 255.0  # the 8-bit levels in [0, 1]


def _block_planes(img: Array, b: int) -> tuple[FloatArray, FloatArray]:
    """Each ``b`` x ``b`` block's least-squares plane, per channel, of a stack (n, h, w, c): the squares left
    after taking it out (summed over the block's pixels) and the block's mean, both (n, blocks, c).

    On a square grid about the block's centre, 1, x and y are orthogonal: the plane's coefficients are the
    block's sum, and its sums weighted by x and by y. From 8-bit levels these sums are exact, and so are all
    their partial sums in single precision (whole and half levels below 2**24): they are summed in float32,
    twice as fast, to the same values.
    """
    n, h, w, nc = img.shape
    hb, wb = h // b, w // b
    x, y, x32, y32, xx, yy = _block_grid(b)
    eight_bit = img.dtype == np.uint8 and b * b * 255 * 255 < 2**24
    unit = 255.0 if img.dtype == np.uint8 else 1.0
    blocks = np.ascontiguousarray(img.reshape(n, hb, b, wb, b, nc).transpose(0, 1, 3, 5, 2, 4))
    if eight_bit:
        px32 = blocks.reshape(-1, b * b).astype(np.float32)  # a row per block and channel, its pixels in rows
        s, sx, sy, s2 = (
            v.astype(float)
            for v in (
                px32.sum(axis=1),
                np.einsum("ki,i->k", px32, x32),
                np.einsum("ki,i->k", px32, y32),
                np.einsum("ki,ki->k", px32, px32),
            )
        )
    else:
        px = blocks.reshape(-1, b * b).astype(float)  # a row per block and channel, its pixels in rows
        s = px.sum(axis=1)
        sx, sy, s2 = np.einsum("ki,i->k", px, x), np.einsum("ki,i->k", px, y), np.einsum("ki,ki->k", px, px)
    left = np.maximum(s2 - s * s / (b * b) - (sx * sx) / xx - (sy * sy) / yy, 0.0)
    return left.reshape(n, hb * wb, nc) / unit**2, s.reshape(n, hb * wb, nc) / (b * b * unit)


_BLOCK_GRIDS: dict[int, tuple[FloatArray, FloatArray, Array, Array, float, float]] = {}


def _block_grid(b: int) -> tuple[FloatArray, FloatArray, Array, Array, float, float]:
    """A ``b`` x ``b`` block's pixel places about its centre (x, y; in float32 too) and their sums of squares."""
    if b not in _BLOCK_GRIDS:
        ys, xs = np.mgrid[0:b, 0:b]
        x, y = (xs.ravel() - (b - 1) / 2.0), (ys.ravel() - (b - 1) / 2.0)  # a pixel's place about the centre
        _BLOCK_GRIDS[b] = (x, y, x.astype(np.float32), y.astype(np.float32), float(x @ x), float(y @ y))
    return _BLOCK_GRIDS[b]


def _hidden_share(dev: FloatArray, hidden: Array, n_inside: int) -> float:
    """Share of the channel values hidden, counting the blended edge of a constant fill by how much of it
    the fill covers.

    A resample after a hole (`Erasing` then `Resize(74, 28)`) blends the hole's edge pixels with the grey
    around them; any of them more than the hole threshold away counted as wholly hidden, which added a
    pixel's band around every hole (0.19 read for an erased 0.156). When the pixels inside the holes (all
    four neighbours hidden too) hold one level (their departures agree within 10%), an edge pixel counts
    as its departure over theirs, at most 1: a sharp edge still counts in full, and a random fill, whose
    edge cannot be told from its inside, is counted as before.
    """
    total = float(hidden.sum())
    if total == 0.0:
        return 0.0
    p = np.pad(hidden, ((1, 1), (1, 1), (0, 0)))
    interior = hidden & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    edge = hidden & ~interior
    if int(interior.sum()) >= 16 and edge.any():
        inner = dev[interior]
        level = float(_median(inner))
        if level > 0.0 and float(_median(np.abs(inner - level))) <= 0.1 * level:
            total = float(interior.sum()) + float(np.minimum(1.0, dev[edge] / level).sum())
    return total / float(n_inside * hidden.shape[2])


def _median_columns(values: FloatArray) -> FloatArray:
    """Median of each column; through an 8-bit histogram when the values are 8-bit levels."""
    q = np.rint(values * 255.0)
    if values.size and np.abs(q - values * 255.0).max() < 1e-6 and q.min() >= 0 and q.max() <= 255:
        out = np.empty(values.shape[1])
        half = (values.shape[0] + 1) // 2
        for c in range(values.shape[1]):
            run = np.cumsum(np.bincount(q[:, c].astype(np.int64), minlength=256))
            out[c] = int(np.searchsorted(run, half)) / 255.0
        return out
    return np.asarray(_median(values, axis=0), dtype=float)


def _interior(shape: tuple[int, int]) -> Array:
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    return np.asarray((ys >= h // 4) & (ys < h - h // 4) & (xs >= w // 4) & (xs < w - w // 4))


def _unpaired_noise(flat_img: Array, effects: dict[str, Any], missing: set[str]) -> None:
    """Noise of the flat image's middle half, for a run whose pixels cannot be paired with their inputs.

    Blocks within 2 px of a hole (the blended edge of fill pulled in) are not read; and when no block is
    left, or the fill reached the middle (the blocks' means spread, as under a brightness field), noise is
    not read at all:
    blocks across the edges between fill and grey read as noise (0.135 for ThinPlateSpline at scale 0.47).
    """
    interior = _interior(flat_img.shape[:2])
    flat = _read_flat(flat_img, _Where(interior, interior, interior, ~interior, interior), edge=2)
    channels = flat_img.shape[2] if flat_img.ndim == 3 else 1
    # (no clean block at all: the spread of all pixels is the fill's edge as much as noise)
    if (
        flat is not None
        and flat.blocks
        and flat.field_hi - flat.field_lo <= _FIELD + 6.0 * flat.noise / math.sqrt(64 * channels)
    ):
        effects["noise"] = flat.noise
    else:
        missing.add("noise")
