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
    h, w = out_img.shape[:2]
    pts = images.dot_xy if g is None else g.forward(images.dot_xy)
    big = max(4, images.size // 9)
    search = 2
    reach = big + search + 1
    ok = np.isfinite(pts).all(axis=1)
    c = np.zeros((len(pts), 2), int)
    c[ok] = np.rint(pts[ok]).astype(int)
    ok &= (c[:, 0] >= reach) & (c[:, 1] >= reach) & (c[:, 0] + reach < w) & (c[:, 1] + reach < h)
    if ok.sum() < 3:
        return None
    c = c[ok]
    span = np.arange(-reach, reach + 1)
    rows = c[:, 1, None] + span
    cols = c[:, 0, None] + span
    clear = usable[rows[:, :, None], cols[:, None, :]].all(axis=(1, 2))
    if clear.sum() < 3:
        return None
    rows, cols = rows[clear], cols[clear]
    raw = np.asarray(out_img)
    stack = _grey(raw[rows[:, :, None], cols[:, None, :]], channels=raw.ndim == 3)  # the windows only
    n = len(stack)
    mid = reach
    # The background under each dot: a plane through the ring around it, so that a smooth field is not
    # read as blur; medians of each side, so that the tail of a neighbouring dot does not tilt it.
    top, bottom = _median(stack[:, 0], axis=1), _median(stack[:, -1], axis=1)
    left, right = _median(stack[:, :, 0], axis=1), _median(stack[:, :, -1], axis=1)
    level = (top + bottom + left + right) / 4.0
    off = np.arange(-reach, reach + 1) / (2.0 * reach)
    background = (
        level[:, None, None] + ((bottom - top)[:, None] * off)[:, :, None] + ((right - left)[:, None] * off)[:, None, :]
    )
    ring = np.concatenate([stack[:, 0], stack[:, -1], stack[:, :, 0], stack[:, :, -1]], axis=1)
    ring_bg = np.concatenate([background[:, 0], background[:, -1], background[:, :, 0], background[:, :, -1]], axis=1)
    ring_noise = float(_median(np.abs(ring - ring_bg))) * 1.4826
    centre = stack[:, mid - 1 : mid + 2, mid - 1 : mid + 2].mean(axis=(1, 2))
    sign = 1.0 if float(_median(centre - background[:, mid, mid])) >= 0 else -1.0
    excess = sign * (stack - background)
    core = excess[:, mid - search : mid + search + 1, mid - search : mid + search + 1].reshape(n, -1)
    peak = core.argmax(axis=1)
    py = mid - search + peak // (2 * search + 1)
    px = mid - search + peak % (2 * search + 1)

    def moment(r: int) -> float | None:
        off = np.arange(-r, r + 1)
        e = excess[np.arange(n)[:, None, None], (py[:, None] + off)[:, :, None], (px[:, None] + off)[:, None, :]]
        mass = e.sum(axis=(1, 2))
        keep = mass > 0.02
        if not keep.any():
            return None
        # How far noise alone can move the second moment (px²): beyond a third of a px², the reading is
        # noise; below, twice that much is taken off the reading (noise must not read as blur).
        spread = math.sqrt(float(((off[:, None] ** 2 + off[None, :] ** 2) ** 2).sum()))
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


def _plane_basis(b: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For a ``b`` x ``b`` block (pixels in rows): the weights of ``c0``, ``cx`` and ``cy`` of the least-squares
    plane ``c0 + cx·x + cy·y`` (a smooth field's local part), and x and y about the block's centre.

    On a square grid about its centre, 1, x and y are orthogonal: each coefficient is one weighted sum.
    """
    ys, xs = np.mgrid[0:b, 0:b]
    x, y = xs.ravel() - (b - 1) / 2, ys.ravel() - (b - 1) / 2
    return np.stack([np.full(b * b, 1.0 / (b * b)), x / float(x @ x), y / float(y @ y)], axis=1), x, y


_PLANE8, _PLANE8_X, _PLANE8_Y = _plane_basis(8)


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
    inside = where.inside
    n_inside = int(inside.sum())
    if n_inside < 64:
        return None
    h, w = inside.shape
    raw = np.asarray(out_img)
    if raw.dtype == np.uint8:  # integer histograms: several times faster than float medians
        raw3 = raw[..., None] if raw.ndim == 2 else raw
        everywhere = n_inside == inside.size
        vals8 = raw3.reshape(-1, raw3.shape[2]) if everywhere else raw3[inside]
        centre8 = np.array(
            [
                np.searchsorted(np.cumsum(np.bincount(vals8[:, c], minlength=256)), (len(vals8) + 1) // 2)
                for c in range(vals8.shape[1])
            ]
        )
        dev8 = np.abs(raw3.astype(np.int16) - centre8.astype(np.int16))
        inside_dev = dev8.ravel() if everywhere else dev8[inside].ravel()
        mad = float(np.searchsorted(np.cumsum(np.bincount(inside_dev, minlength=256)), (len(inside_dev) + 1) // 2))
        mad = mad / 255.0 * 1.4826
        centre = centre8 / 255.0
        dev_all = dev8 / 255.0
    else:
        out = _channels(out_img)
        vals = out[inside]
        centre = _median_columns(vals)
        mad = float(_median_columns(np.abs(vals - centre).reshape(-1, 1))[0]) * 1.4826
        dev_all = np.abs(out - centre)
    threshold = max(0.08, 6.0 * mad)
    hidden = (dev_all > threshold) & inside[..., None]
    share = _hidden_share(dev_all, hidden, n_inside)
    occluded: Array = hidden[..., 0].copy()  # any channel hidden (channel by channel: faster than any(axis=2))
    for c in range(1, hidden.shape[2]):
        occluded |= hidden[..., c]
    if occluded.any():  # close the holes: a random fill leaves some values near the median
        padded = np.pad(occluded, 1)
        around = padded[:-2, 1:-1].astype(int) + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
        occluded = (occluded | (around >= 3)) & inside
    b = 8
    hb, wb = h // b, w // b
    wander = 0.0
    n_blocks = 0
    noise, lo, hi = mad, float(np.mean(centre)), float(np.mean(centre))
    if hb and wb:
        blocks = _channels(np.asarray(out_img)[: hb * b, : wb * b]).reshape(hb, b, wb, b, -1)
        near = occluded
        for _ in range(edge):  # grow the holes by a pixel each step (4-neighbourhood)
            grown = np.pad(near, 1)
            near = near | grown[:-2, 1:-1] | grown[2:, 1:-1] | grown[1:-1, :-2] | grown[1:-1, 2:]
        good = (inside & ~near)[: hb * b, : wb * b].reshape(hb, b, wb, b).all(axis=(1, 3))
        if good.any():
            n_blocks = int(good.sum())
            chosen = blocks.transpose(0, 2, 4, 1, 3)[good]  # (n, c, b, b)
            per_pixel = chosen.reshape(len(chosen), chosen.shape[1], b * b)  # (n, c, b * b)
            plane = per_pixel @ _PLANE8  # (n, c, 3): each block's plane, per channel
            smooth = plane[..., :1] + plane[..., 1:2] * _PLANE8_X + plane[..., 2:] * _PLANE8_Y
            noise = float((per_pixel - smooth).std() * math.sqrt(b * b / (b * b - 3)))
            per_channel = plane[..., 0]  # (n, c): the blocks' means
            means = per_channel.mean(axis=1)
            lo, hi = float(means.min()), float(means.max())
            if per_channel.shape[1] == 3 and len(chosen) >= 4:
                tint = per_channel - per_channel.mean(axis=1, keepdims=True)
                wander = float((tint - _median(tint, axis=0)).std())
    return _Flat(noise, share, occluded, lo, hi, float(np.mean(centre)), wander, n_blocks)


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
