"""The probe images: what every run feeds the transform, and the facts about them the readings compare with.

* ``geo``: a dark field with five bright square landmarks of distinct sizes at asymmetric places, plus
  keypoints on an asymmetric grid (albumentations only).
* ``ramp``: all 256 grey levels, 64 to a band, so that the intensity map is read level by level.
* ``colors``: twelve patches around the hue circle, for hue, saturation and colour mixing.
* ``dots``: 2x2 bright dots on a dark field, for detail loss (Gaussian-equivalent sigma).
* ``flat``: a mid-grey field, for noise, occluded area and brightness fields.

Besides the square RGB uint8 set, the same images as other kinds of input (grey, one-channel, uint16,
float32, float64, RGBA, int16 CT numbers) and the geometry image on non-square frames; every set is built
once per size and kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]


FloatArray = npt.NDArray[np.float64]


_TARGETS = ("ramp", "colors", "dots", "flat")


@dataclass(frozen=True)
class _Images:
    size: int
    geo: Array
    ramp: Array
    colors: Array
    dots: Array
    flat: Array
    keypoints: FloatArray  # (N, 2) x, y
    indexed_keypoints: FloatArray  # (N, 3) x, y, index: the index survives transforms that drop points
    landmarks: FloatArray  # (5, 2) centroids, by increasing mass
    landmark_mask: Array  # (S, S) where the landmarks are
    ramp_level: Array  # (S, S) int level 0..255
    ramp_edge: FloatArray  # (S, S) distance (px) to the nearest band edge or side
    color_patch: Array  # (S, S) int patch id
    patch_edge: FloatArray  # (S, S) distance (px) to the nearest patch edge
    patch_rgb: FloatArray  # (12, 3) in [0, 1]
    dot_xy: FloatArray  # (K, 2)
    # The images sent through with ``geo`` (as albumentations' additional targets, or one call each for a plain
    # callable): all of them for the square runs, which read every one; only what a run is read for otherwise.
    targets: tuple[str, ...] = _TARGETS


_BG_GEO = 40


_LANDMARK = 230


_DOT_BG = 16


_DOT = 255


_DOT_VAR = 0.25  # a 2x2 dot's own variance along each axis (px²)


_FLAT = 128


def _landmark_field(h: int, w: int) -> tuple[Array, FloatArray, FloatArray]:
    """The geometry image of an ``h`` x ``w`` frame, its landmark centroids (by increasing mass) and keypoints."""
    f = min(h, w) / 64.0
    geo = np.full((h, w, 3), _BG_GEO, np.uint8)
    # Five squares of sides 2..6 (scaled with the image) at places with no symmetry.
    centres = [(0.20, 0.16), (0.74, 0.22), (0.30, 0.70), (0.80, 0.62), (0.52, 0.40)]
    marks = []
    for k, (cx, cy) in enumerate(centres):
        side = max(2 + k, round((2 + k) * f))  # distinct sizes: landmarks are matched by mass
        x0, y0 = round(cx * w - side / 2), round(cy * h - side / 2)
        geo[y0 : y0 + side, x0 : x0 + side] = _LANDMARK
        marks.append((x0 + (side - 1) / 2, y0 + (side - 1) / 2))
    gx = np.linspace(0.1, 0.9, 5) * (w - 1)
    gy = np.linspace(0.12, 0.86, 4) * (h - 1)
    keypoints = np.array(
        [(x + 0.07 * w * (j % 2), y + 0.03 * h * i) for i, x in enumerate(gx) for j, y in enumerate(gy)]
    )
    return geo, np.array(marks, dtype=float), keypoints.astype(float)


def _images(size: int) -> _Images:
    s = size
    geo, marks, keypoints = _landmark_field(s, s)

    band = max(1, s // 4)
    ys, xs = np.mgrid[0:s, 0:s]
    level = (ys // band) * 64 + (xs * 64) // s
    level = np.clip(level, 0, 255)
    ramp = np.repeat(level[..., None], 3, axis=2).astype(np.uint8)
    ramp_edge = np.minimum(np.minimum(ys % band, band - 1 - ys % band), np.minimum(xs, s - 1 - xs)).astype(float)
    ramp_edge[ys >= 4 * band] = -1.0

    hues = np.arange(12) * 30.0
    patch_rgb = np.stack([_hsv_to_rgb(h, 0.6, 0.8) for h in hues])
    cols, rows = 4, 3
    pw, ph = s / cols, s / rows
    pid = (np.minimum(ys // ph, rows - 1) * cols + np.minimum(xs // pw, cols - 1)).astype(int)
    colors = (patch_rgb[pid] * 255 + 0.5).astype(np.uint8)
    fx, fy = xs + 0.5 - (pid % cols) * pw, ys + 0.5 - (pid // cols) * ph  # position inside the patch
    patch_edge = np.minimum(np.minimum(fx, pw - fx), np.minimum(fy, ph - fy)) - 0.5

    dots = np.full((s, s, 3), _DOT_BG, np.uint8)
    step = max(8, s // 4)
    coords = np.arange(step * 3 // 4, s - step * 3 // 4 + 1, step)  # room for a window around each
    corners = [(x + (i % 2), y) for i, x in enumerate(coords) for y in coords]
    for x, y in corners:  # 2x2 dots: four times the mass of one pixel, so faint tails survive 8-bit rounding
        dots[y : y + 2, x : x + 2] = _DOT
    dot_xy = np.array([(x + 0.5, y + 0.5) for x, y in corners], dtype=float)
    flat = np.full((s, s, 3), _FLAT, np.uint8)
    return _Images(
        s,
        geo,
        ramp,
        colors,
        dots,
        flat,
        keypoints,
        np.hstack([keypoints, np.arange(len(keypoints))[:, None]]).astype(float),
        marks,
        geo[..., 0] > (_BG_GEO + _LANDMARK) / 2,
        level,
        ramp_edge,
        pid,
        patch_edge,
        patch_rgb,
        dot_xy,
    )


_IMAGE_CACHE: dict[int, _Images] = {}


def _probe_images(size: int) -> _Images:
    if size not in _IMAGE_CACHE:
        _IMAGE_CACHE[size] = _images(size)
    return _IMAGE_CACHE[size]


def _hsv_to_rgb(h: float, s: float, v: float) -> FloatArray:
    c = v * s
    x = c * (1 - abs((h / 60.0) % 2 - 1))
    m = v - c
    k = int(h // 60) % 6
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][k]
    return np.array([r + m, g + m, b + m])


def _median(values: Any, axis: int | None = None) -> Any:
    """``np.median`` (the same values), without its overhead: one partition of the middle element(s)."""
    a = np.asarray(values)
    if axis is None:
        a, axis = a.ravel(), 0
    n = a.shape[axis]
    if n == 0 or (a.dtype.kind == "f" and np.isnan(a).any()):
        return np.median(a, axis=axis)  # (its warnings and NaN rules)
    half = n // 2
    if n % 2:
        return np.partition(a, half, axis=axis).take(half, axis=axis).astype(np.float64)
    both = np.partition(a, (half - 1, half), axis=axis)
    low, high = both.take(half - 1, axis=axis).astype(np.float64), both.take(half, axis=axis).astype(np.float64)
    return (low + high) / 2.0


def _picked(stack: Array, mask: Array) -> Array:
    """``stack[mask]`` for a mask over the leading axes of ``stack`` (the pixels of a stack of images, in
    order), by their flat indices: the same rows, in a sixth of the time of the boolean selection."""
    rest = stack.shape[mask.ndim :]
    return np.asarray(stack.reshape(-1, *rest).take(np.flatnonzero(mask), axis=0))


def _to_unit(img: Array) -> FloatArray:
    a = np.asarray(img)
    if a.dtype == np.uint8:
        return a.astype(float) / 255.0
    return a.astype(float)


def _grey(img: Array, channels: bool | None = None) -> FloatArray:
    """The mean of the channels in [0, 1]; ``channels``: whether the last axis holds them (default: 3 axes)."""
    a = _to_unit(img)
    if not (a.ndim == 3 if channels is None else channels):
        return a
    if a.shape[-1] == 3:  # summed in order: the same values as mean(axis=-1), faster
        return np.asarray((a[..., 0] + a[..., 1] + a[..., 2]) / 3.0)
    return np.asarray(a.mean(axis=-1))


def _channels(img: Array) -> FloatArray:
    a = _to_unit(img)
    return a[..., None] if a.ndim == 2 else a


_LUMA = np.array([0.299, 0.587, 0.114])  # the grey level of a colour, as the catalog reads colour casts


# CT numbers: an int16 input holds each 8-bit level L as L * 16 - 1024 (air at -1024, dense bone near 3000).
_CT_STEP, _CT_AIR = 16, -1024


def _as_variant(img: Array, kind: str) -> Array:
    if kind == "grey":
        return np.ascontiguousarray(img[..., 0] if _channels_equal(img) else _luma(img))
    if kind == "one-channel":
        return np.ascontiguousarray(img[..., :1] if _channels_equal(img) else _luma(img)[..., None])
    if kind == "int16":  # a CT slice: one channel of Hounsfield-like numbers
        grey = img[..., 0] if _channels_equal(img) else _luma(img)
        return np.ascontiguousarray(grey.astype(np.int16) * _CT_STEP + _CT_AIR)
    if kind == "RGBA":  # an opaque alpha channel after the colour
        return np.concatenate([img, np.full((*img.shape[:2], 1), 255, np.uint8)], axis=2)
    if kind == "uint16":
        return img.astype(np.uint16) * 257
    if kind == "float64":
        return img.astype(np.float64) / 255.0
    return (img.astype(np.float32) / 255.0).astype(np.float32)


def _channels_equal(img: Array) -> bool:
    """Whether every pixel has all its channels alike (a grey image stored as RGB)."""
    return bool((img == img[..., :1]).all())


def _luma(img: Array) -> Array:
    return np.asarray(np.clip(np.rint(img.astype(float) @ _LUMA), 0, 255), np.uint8)


# Every 16-bit level back in 8 bits, rounded to the nearest (no level lies halfway between two).
_FROM_16_BITS = np.clip(np.rint(np.arange(2**16) / 257.0), 0, 255).astype(np.uint8)


def _as_rgb8(img: Array, kind: str = "") -> Array:
    """An output of any of the variant inputs back as 8-bit RGB, so the square readings apply unchanged.

    ``kind``: the kind of input it came from. An int16 output of the int16 input holds CT numbers (``_CT_STEP``,
    ``_CT_AIR``; an int16 output of another input is read as 8-bit levels); a four-channel output of the RGBA
    input is read without its alpha.
    """
    a = np.asarray(img)
    if kind == "RGBA" and a.ndim == 3 and a.shape[2] == 4:
        a = a[..., :3]
    if a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3:
        return a  # already 8-bit RGB
    if kind == "int16" and a.dtype == np.int16:
        a = np.clip(np.rint((a.astype(np.float64) - _CT_AIR) / _CT_STEP), 0, 255).astype(np.uint8)
    if a.dtype == np.uint16:
        a = _FROM_16_BITS.take(a)  # (rint(level / 257), made once for every 16-bit level)
    else:
        if a.dtype.kind == "f":
            # NaN as 1.0 (np.nan_to_num's infinities, the largest finite values, clip to the same ends below)
            a = a.astype(float)
            np.copyto(a, 1.0, where=np.isnan(a))
            a = np.rint(a * 255.0)
        a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = a[..., None]
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


_VARIANT_IMAGES: dict[tuple[int, str], _Images] = {}


def _fresh(images: _Images) -> _Images:
    """Copies of the images a run sends, so that a transform that writes into its input cannot change the cache."""
    return replace(images, geo=images.geo.copy(), **{name: getattr(images, name).copy() for name in images.targets})


def _variant_images(images: _Images, kind: str) -> _Images:
    key = (images.size, kind)
    if key not in _VARIANT_IMAGES:
        v = {name: _as_variant(getattr(images, name), kind) for name in ("geo", *_TARGETS)}
        # A variant run is read for its geometry and its ramp alone (``inputs._variant_reading``): the other
        # images are not sent.
        _VARIANT_IMAGES[key] = replace(
            images, geo=v["geo"], ramp=v["ramp"], colors=v["colors"], dots=v["dots"], flat=v["flat"], targets=("ramp",)
        )
    return _VARIANT_IMAGES[key]


_RECT_IMAGES: dict[tuple[int, int], _Images] = {}


def _rect_images(h: int, w: int) -> _Images:
    """The geometry probe image (landmarks and keypoints) on an ``h`` x ``w`` frame, sent alone (a frame run is read
    for its geometry only); every other image is that image too."""
    if (h, w) not in _RECT_IMAGES:
        geo, marks, keypoints = _landmark_field(h, w)
        _RECT_IMAGES[(h, w)] = replace(
            _probe_images(max(h, w)),
            size=max(h, w),
            geo=geo,
            ramp=geo,
            colors=geo,
            dots=geo,
            flat=geo,
            keypoints=keypoints,
            indexed_keypoints=np.hstack([keypoints, np.arange(len(keypoints))[:, None]]).astype(float),
            landmarks=marks,
            landmark_mask=geo[..., 0] > (_BG_GEO + _LANDMARK) / 2,
            targets=(),
        )
    return _RECT_IMAGES[(h, w)]
