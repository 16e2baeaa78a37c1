"""Colour readings off the twelve hue patches: hue turn, saturation range, channel mixing, conversion to grey."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from safeaug.probing.geometry import _Where
from safeaug.probing.images import Array, FloatArray, _Images
from safeaug.probing.tone import _Map

_HUE_SPREAD = 12.0  # degrees: hue shifts differing this much between patches are not a hue rotation


_GREY_CHROMA = 2.5 / 255.0


def _hue_chroma(rgb: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Hue in degrees and chroma (max - min) of rows of RGB in [0, 1]."""
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    mx, mn = rgb.max(axis=1), rgb.min(axis=1)
    c = mx - mn
    safe = np.where(c > 1e-9, c, 1.0)
    h = np.where(mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4))
    return h * 60.0, c


@dataclass
class _Colour:
    hue: float
    sat_min: float
    sat_max: float
    mixing: bool
    grey: bool
    clipped: bool = False  # every patch came out black or white: whether colour was dropped cannot be told


def _read_colour(
    out_img: Array, where: _Where, images: _Images, m: _Map | None, margin: float, noise: float = 0.0
) -> _Colour | None:
    return _read_colours([(out_img, where, m, margin, noise)], images)[0]


def _read_colours(asks: list[tuple[Array, _Where, _Map | None, float, float]], images: _Images) -> list[_Colour | None]:
    """:func:`_read_colour` of several runs (patches, where, map, margin, noise): the patches' sums of runs
    whose outputs have one shape and type are taken in one pass, with the run in the key."""
    found: list[_Colour | None] = [None] * len(asks)
    n = len(images.patch_rgb)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, (out_img, *_) in enumerate(asks):
        raw = np.asarray(out_img)
        if raw.ndim == 3 and raw.shape[2] == 3:
            groups.setdefault((raw.shape, raw.dtype.str), []).append(j)
    for group in groups.values():
        keys = []
        for r, j in enumerate(group):
            _, where, _, margin, _ = asks[j]
            if where.identity:
                usable = where.inside & (images.patch_edge >= margin)
                pid = np.where(usable, images.color_patch, -1)
            else:
                usable = where.inside & (images.patch_edge[where.iy, where.ix] >= margin)
                pid = np.where(usable, images.color_patch[where.iy, where.ix], -1)
            keys.append(np.where(pid >= 0, pid, n).ravel() + r * (n + 1))  # unusable pixels go to a spare bin
        key = np.concatenate(keys)
        raw = np.stack([np.asarray(asks[j][0]) for j in group])
        flat_px = raw.reshape(-1, 3)
        slots = len(group) * (n + 1)
        counts = np.bincount(key, minlength=slots).reshape(len(group), n + 1)[:, :n]
        sums = np.stack([np.bincount(key, flat_px[:, c], minlength=slots) for c in range(3)], axis=1)
        sums = sums.reshape(len(group), n + 1, 3)[:, :n]
        readings = _colours_of(counts, sums, raw.dtype == np.uint8, images, [asks[j][2:5:2] for j in group])
        for j, reading in zip(group, readings, strict=True):
            found[j] = reading
    return found


def _colours_of(
    counts: Array,
    sums: Array,
    eight_bit: bool,
    images: _Images,
    maps: list[tuple[_Map | None, float]],
) -> list[_Colour | None]:
    """The colour readings of several runs from each patch's pixel count (n, patches) and channel sums
    (n, patches, 3), and each run's grey-level map and noise: patch by patch side by side, the patches a run
    did not see (fewer than 4 pixels) masked out. Every number is the one run's own (the hue circle's mean
    turn is taken run by run)."""
    n = len(counts)
    seen = counts >= 4  # (n, patches)
    got = sums / np.maximum(counts, 1)[..., None]
    if eight_bit:
        got = got / 255.0
    expected = np.repeat(images.patch_rgb[None], n, axis=0)
    for r, (m, noise) in enumerate(maps):
        if m is not None:  # what the grey-level map alone would make of each channel
            expected[r] = m(expected[r].ravel(), exact=noise < 2.0 / 255.0).reshape(expected[r].shape)
    h_out, c_out = (a.reshape(n, -1) for a in _hue_chroma(got.reshape(-1, 3)))
    h_exp, c_exp = (a.reshape(n, -1) for a in _hue_chroma(expected.reshape(-1, 3)))
    # Every patch pushed to black or white (a shift clipped at 0 or full scale) has no chroma left, but
    # says nothing of a conversion to grey: that is left unread.
    ends = (got <= 2.0 / 255.0) | (got >= 253.0 / 255.0)
    clipped: Array = np.asarray(np.where(seen[..., None], ends, True).all(axis=(1, 2)))
    grey: Array = np.asarray(np.where(seen, c_out < _GREY_CHROMA, True).all(axis=1) & ~clipped)
    coloured = seen & (c_out > 4.0 / 255.0) & (c_exp > 4.0 / 255.0)
    diffs = ((h_out - h_exp) + 180.0) % 360.0 - 180.0
    # The hue of an 8-bit colour of chroma C levels is fixed only to about 60°·q/C: each uint8 step
    # rounds every channel by up to half a level. What rounding alone can explain is not a turn, nor a
    # disagreement between patches (colours faded to a few levels of chroma scatter their hues).
    slack = _hue_rounding(c_out) if eight_bit else np.zeros_like(c_out)
    valid = seen & (c_exp > 0.05)
    ratio = c_out / np.where(valid, c_exp, 1.0)
    has_valid = valid.any(axis=1)
    sat_min = np.where(has_valid, np.where(valid, ratio, np.inf).min(axis=1), 1.0)
    sat_max = np.where(has_valid, np.where(valid, ratio, -np.inf).max(axis=1), 1.0)
    hue_all = np.where(coloured, np.maximum(np.abs(diffs) - slack, 0.0), 0.0).max(axis=1)
    found: list[_Colour | None] = []
    for r in range(n):
        if counts[r].sum() < 48 or seen[r].sum() < 4:
            found.append(None)
            continue
        spread, hue = 0.0, 0.0
        if coloured[r].sum() >= 2:
            diff = diffs[r][coloured[r]]
            centre = math.degrees(math.atan2(np.sin(np.radians(diff)).mean(), np.cos(np.radians(diff)).mean()))
            turn = np.abs(((diff - centre) + 180.0) % 360.0 - 180.0) - slack[r][coloured[r]]
            spread, hue = float(np.max(np.maximum(turn, 0.0))), float(hue_all[r])
        found.append(
            _Colour(
                min(hue, 180.0),
                float(sat_min[r]),
                float(sat_max[r]),
                spread > _HUE_SPREAD,
                bool(grey[r]),
                bool(clipped[r]),
            )
        )
    return found


_HUE_ROUNDING_LEVELS = 1.5  # channel error (8-bit levels) a chain of uint8 steps leaves in a colour


def _hue_rounding(chroma: FloatArray) -> FloatArray:
    """Degrees of hue that 8-bit rounding can move a colour of ``chroma`` (in [0, 1]) by.

    Within a sector of the hue hexagon, hue = 60° · (mid - min) / chroma: one level of error in a channel
    moves it by 60° / C (C in levels). ColorJitter's four uint8 steps and its HSV round trip, measured over
    thousands of draws without clipping, move a colour's hue by at most 2.5° + 60° · 1.5 / C beyond the
    rotation (the 2.5° is OpenCV's 2° hue step, covered by the hue tolerance); float images do not round.
    """
    levels = np.maximum(np.asarray(chroma, dtype=float) * 255.0, 1.0)
    return np.asarray(60.0 * _HUE_ROUNDING_LEVELS / levels)
