"""Geometry readings: the map from input to output pixels, fitted to keypoints or to the landmarks found,
and what it does (mirror, turn, zoom, shift, shear, perspective, crop, non-rigid warp, reflected borders).

Pixels of the other probe images are compared with the input at the place the fitted map says they came
from (:func:`_where`), so a rotated ramp still reads as an untouched intensity map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from safeaug.probing.images import _BG_GEO, _LANDMARK, Array, FloatArray, _grey, _Images, _median

# Thresholds that turn measurements into flags.
_NONRIGID_PX = 0.75  # affine-fit residual (RMS, px) above which a warp is not affine


_WARPED_PX = 2.0  # affine-fit residual (RMS, px) beyond which the fit says little but "non-rigid"


@dataclass
class _Geometry:
    """A fitted map from input to output pixel coordinates (a 3x3 homography; affine when the last row is 0 0 1)."""

    H: FloatArray
    residual: float  # RMS px of the fit
    perspective: float  # largest corner deviation from the best affine map, as a share of the side

    @property
    def M(self) -> FloatArray:
        return self.affine[:, :2]

    @property
    def t(self) -> FloatArray:
        return self.affine[:, 2]

    @property
    def affine(self) -> FloatArray:
        return self._affine

    def __post_init__(self) -> None:
        self._affine: FloatArray = self.H[:2] / self.H[2, 2]

    def forward(self, pts: FloatArray) -> FloatArray:
        ph = np.hstack([pts, np.ones((len(pts), 1))]) @ self.H.T
        return np.asarray(ph[:, :2] / ph[:, 2:3], dtype=float)

    def backward(self, xs: Array, ys: Array) -> tuple[Array, Array] | None:
        try:
            inv = np.linalg.inv(self.H)
        except np.linalg.LinAlgError:
            return None
        w = inv[2, 0] * xs + inv[2, 1] * ys + inv[2, 2]
        w = np.where(np.abs(w) > 1e-9, w, 1e-9)
        return (inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]) / w, (inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]) / w


# The least-squares solvers (pseudo-inverses) of the probe images' point sets (their keypoints and landmarks,
# fixed per frame), keyed by the points' bytes, with the points' design matrix: a fit with every point kept is
# one small product.
_SOLVERS: dict[bytes, tuple[FloatArray, FloatArray]] = {}


def _fit_affine(src: FloatArray, dst: FloatArray, *, fixed: bool = False) -> tuple[FloatArray, float]:
    """The affine map from ``src`` to ``dst`` by least squares, and its RMS residual; ``fixed``: ``src`` is one of
    the probe images' point sets, whose solver is kept (the same solution as ``np.linalg.lstsq``, to rounding)."""
    kept = _SOLVERS.get(src.tobytes()) if fixed else None
    if kept is None:
        X = np.hstack([src, np.ones((len(src), 1))])
        if fixed and len(_SOLVERS) < 256:
            kept = _SOLVERS[src.tobytes()] = (X, np.linalg.pinv(X))
    else:
        X = kept[0]
    if kept is not None:
        sol: FloatArray = kept[1] @ dst
    else:
        sol = np.asarray(np.linalg.lstsq(X, dst, rcond=None)[0], dtype=float)
    A = np.vstack([sol.T, [0.0, 0.0, 1.0]])
    res = dst - X @ sol
    # (np.mean of the squared distances: their sum, divided by their count)
    return A, math.sqrt(float(np.add.reduce(np.sum(res**2, axis=1)) / len(res)))


def _fit_homography(src: FloatArray, dst: FloatArray) -> FloatArray | None:
    n = len(src)
    rows = np.zeros((2 * n, 9))
    x, y, u, v = src[:, 0], src[:, 1], dst[:, 0], dst[:, 1]
    rows[0::2, 0], rows[0::2, 1], rows[0::2, 2] = x, y, 1
    rows[0::2, 6], rows[0::2, 7], rows[0::2, 8] = -u * x, -u * y, -u
    rows[1::2, 3], rows[1::2, 4], rows[1::2, 5] = x, y, 1
    rows[1::2, 6], rows[1::2, 7], rows[1::2, 8] = -v * x, -v * y, -v
    try:
        _, _, vt = np.linalg.svd(rows)
    except np.linalg.LinAlgError:
        return None
    H = vt[-1].reshape(3, 3)
    return H / H[2, 2] if abs(H[2, 2]) > 1e-12 else None


def _geometry_from_points(src: FloatArray, dst: FloatArray, size: int) -> _Geometry:
    keep = np.all(np.isfinite(dst), axis=1)
    every = bool(keep.all())
    if not every:
        src, dst = src[keep], dst[keep]
    A, residual = _fit_affine(src, dst, fixed=every)
    if residual > _NONRIGID_PX / 2 and len(src) >= 8:
        H = _fit_homography(src, dst)
        if H is not None:
            g = _Geometry(H, 0.0, 0.0)
            hres = float(np.sqrt(np.mean(np.sum((g.forward(src) - dst) ** 2, axis=1))))
            if hres < _NONRIGID_PX:
                corners = np.array([[0, 0], [size - 1, 0], [0, size - 1], [size - 1, size - 1]], dtype=float)
                ac = corners @ A[:2, :2].T + A[:2, 2]
                perspective = float(np.max(np.hypot(*(g.forward(corners) - ac).T)) / size)
                return _Geometry(H, hres, perspective)
    return _Geometry(A, residual, 0.0)


def _landmark_excess(img: Array) -> FloatArray | None:
    """How far each pixel stands out from the background, landmarks positive (also in an inverted image)."""
    if img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3:
        # The channels' sum in integers, its median off a histogram: the same values as the float mean's median.
        total = img[..., 0].astype(np.int32) + img[..., 1] + img[..., 2]
        grey = total / 3.0
        excess = grey - _histogram_median(total.ravel(), 766, 3.0)
    else:
        grey = img.astype(float).mean(axis=2) if img.ndim == 3 else img.astype(float)
        excess = grey - float(_median(grey))
    if -excess.min() > excess.max():
        excess = -excess  # an inverted image: the landmarks are the dark places now
    if float(excess.max()) <= 20 * (1.0 if img.dtype == np.uint8 else 1 / 255.0):
        return None
    return excess


def _histogram_median(values: Array, bins: int, scale: float) -> float:
    """The median of integer ``values`` in ``[0, bins)``, each divided by ``scale`` (as :func:`_median` of the
    quotients gives it: the mean of the two middle ones of an even count)."""
    run = np.cumsum(np.bincount(values, minlength=bins))
    n = len(values)
    high = int(np.searchsorted(run, n // 2 + 1))  # the value at sorted place n // 2
    if n % 2:
        return high / scale
    low = int(np.searchsorted(run, n // 2))  # at place n // 2 - 1
    return (low / scale + high / scale) / 2.0


def _landmark_mask(img: Array) -> Array | None:
    excess = _landmark_excess(img)
    return None if excess is None else excess > float(excess.max()) * 0.35


def _locate_landmarks(img: Array) -> FloatArray | None:
    """Centroids of the five landmarks in an output image, ordered by mass (as the input ones are)."""
    excess = _landmark_excess(img)
    if excess is None:
        return None
    found = _blobs(excess > float(excess.max()) * 0.35, excess)
    if found is None or len(found) < 5 or len(found) > 64:
        return None
    heaviest = found[np.lexsort((found[:, 2], found[:, 1], found[:, 0]))][-5:]
    return np.asarray(heaviest[:, 1:], dtype=float)  # the five heaviest, lightest first


def _blobs(mask: Array, weight: FloatArray) -> FloatArray | None:
    """Mass and weighted centroid (x, y) of each 4-connected component of a sparse mask; None when the mask
    is not sparse (more than 4,000 pixels: no landmarks to find)."""
    import cv2

    if int(mask.sum()) > 4000:
        return None
    n, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    if n <= 1:
        return np.zeros((0, 3))
    ys, xs = np.nonzero(mask)
    label = labels[ys, xs]
    w = weight[ys, xs]
    mass = np.bincount(label, w, minlength=n)[1:]
    x = np.bincount(label, w * xs, minlength=n)[1:] / mass
    y = np.bincount(label, w * ys, minlength=n)[1:] / mass
    return np.stack([mass, x, y], axis=1)


_EYE3 = np.eye(3)


def _landmarks_where_expected(img: Array, g: _Geometry, images: _Images) -> bool:
    """Whether the pixels went where the keypoints went (a subclass may move one and not the other)."""
    h, w = img.shape[:2]
    pts = np.rint(g.forward(images.landmarks)).astype(int)
    inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    if inside.sum() < 3:
        return True  # nothing to check against
    at = _grey(img[pts[inside, 1], pts[inside, 0]])
    background = float(_median(_grey(img[::4, ::4])))
    lifted = np.abs(at - background) > 0.25 * abs(_LANDMARK - _BG_GEO) / 255.0
    return bool(lifted.mean() >= 0.6)


def _landmarks_moved(img: Array, images: _Images) -> bool:
    """Whether all five landmarks are found, at places no map fits (they moved, by a map not found)."""
    found = _locate_landmarks(img)
    if found is None:
        return False  # blurred, eroded or drowned: whether they moved cannot be told
    fit = _geometry_from_points(images.landmarks, found, images.size)
    return fit.residual >= 1.0 + 0.02 * images.size / 64


def _is_identity(g: _Geometry, tol: float = 0.02) -> bool:
    return bool(np.abs(g.H - _EYE3).max() <= tol)


def _clearly_moved(g: _Geometry) -> bool:
    """Landmark centroids wander a little under blur and noise; only a clear move counts as geometry."""
    M = g.M
    return bool(np.abs(M - np.eye(2)).max() > 0.04 or np.abs(g.t).max() > 1.5 or np.linalg.det(M) < 0)


def _measure_geometry(out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images) -> _Geometry | None:
    """The fitted map, or None when nothing reliable could be found (pixels are then read in place)."""
    size = images.size
    from_keypoints = None
    if kps is not None and np.isfinite(kps).all(axis=1).sum() >= 6:
        from_keypoints = _geometry_from_points(images.keypoints, kps, size)
        if exact:
            return from_keypoints  # albumentations moved the pixels and the keypoints alike
        if not _is_identity(from_keypoints, 1e-3) and _landmarks_where_expected(out["geo"], from_keypoints, images):
            return from_keypoints  # the transform moved the keypoints itself, and the pixels went along
    # Keypoints unavailable or untouched: the pixels may still have moved (Lambda, an image-only subclass).
    mask = _landmark_mask(out["geo"])
    if mask is not None and mask.shape == images.landmark_mask.shape:
        same = np.logical_and(mask, images.landmark_mask).sum() / max(
            np.logical_or(mask, images.landmark_mask).sum(), 1
        )
        if same >= 0.9:  # every landmark still where it was: nothing moved
            return from_keypoints if from_keypoints is not None else _Geometry(_EYE3, 0.0, 0.0)
    found = _locate_landmarks(out["geo"])
    if found is not None:
        from_pixels = _geometry_from_points(images.landmarks, found, size)
        reliable = from_pixels.residual < 1.0 + 0.02 * size / 64
        if reliable and _clearly_moved(from_pixels):
            return from_pixels
    # The landmarks moved but could not be fitted, and keypoints that albumentations did not move
    # prove nothing: the geometry is unknown (fail closed), not "identity".
    return None


def _measure_geometries(
    runs: list[tuple[dict[str, Array], FloatArray | None, bool]], images: _Images
) -> list[_Geometry | None]:
    """:func:`_measure_geometry` of several runs, run by run. (Stacked, the landmark masks of ten runs took
    twice as long as ten masks made apart: their float temporaries are too large for the allocator to reuse.)"""
    return [_measure_geometry(out, kps, exact, images) for out, kps, exact in runs]


@dataclass
class _GeoEffects:
    mirror: bool
    rotation: float
    scale_min: float
    scale_max: float
    translation: float
    shear: float
    crop: float
    nonrigid: bool
    perspective: float


def _polar_angle(M: FloatArray) -> float:
    u, _, vt = np.linalg.svd(M)
    R = u @ vt
    return math.degrees(math.atan2(R[1, 0], R[0, 0]))


def _jacobian(H: FloatArray, at: FloatArray) -> FloatArray:
    """The linear part of a homography at the input point ``at`` (the matrix itself for an affine map)."""
    w = float(H[2, :2] @ at + H[2, 2])
    if abs(w) < 1e-9:  # the point is sent to infinity: no local reading, the matrix itself stands
        return np.asarray(H[:2, :2] / H[2, 2])
    mapped = (H[:2, :2] @ at + H[:2, 2]) / w
    return np.asarray((H[:2, :2] - np.outer(mapped, H[2, :2])) / w)


def _decompose(g: _Geometry, in_shape: tuple[int, int], out_shape: tuple[int, int]) -> _GeoEffects:
    h_in, w_in = in_shape
    centre_in = np.array([(w_in - 1) / 2, (h_in - 1) / 2])
    # Zoom, turn and shear are read where the content is, at the centre: a projective map's linear part at
    # the corner (0, 0) can zoom twelve times more than anywhere the content lands (Perspective with
    # fit_output near its vanishing line); how far the map bends away from that is `perspective`.
    M = _jacobian(g.H, centre_in)
    mirror = float(np.linalg.det(M)) < 0
    Mp = M @ np.diag([-1.0, 1.0]) if mirror else M
    ax, ay = Mp[:, 0], Mp[:, 1]
    theta_x = math.degrees(math.atan2(ax[1], ax[0]))
    theta_y = math.degrees(math.atan2(-ay[0], ay[1]))
    # A rotation turns both axes alike; a shear turns them apart. The rotation read is the smallest
    # of the axes' turns and the polar rotation, so a shear is not also read as a rotation.
    rotation = min(abs(_wrap(theta_x)), abs(_wrap(theta_y)), abs(_wrap(_polar_angle(Mp))))
    shear = abs(_wrap(theta_y - theta_x))
    sx, sy = float(np.hypot(*ax)), float(np.hypot(*ay))
    h_out, w_out = out_shape
    centre_out = np.array([(w_out - 1) / 2, (h_out - 1) / 2])
    moved = g.forward(centre_in[None, :])[0] - centre_out
    translation = float(max(abs(moved[0]) / w_out, abs(moved[1]) / h_out))
    # Output sizes are whole pixels: RandomScale(0.514) makes 64 px into int(32.9) = 32 px, while the
    # keypoints follow the exact factor and reach 32.4 px, past the frame. One pixel of slack at the far
    # sides keeps that rounding from reading as a crop of a 16th of each side.
    crop = _kept_area(g.H, in_shape, out_shape, slack=1.0)
    return _GeoEffects(
        mirror,
        rotation,
        min(sx, sy),
        max(sx, sy),
        translation,
        shear,
        crop,
        g.residual > _NONRIGID_PX,
        _bend(g.H, in_shape, out_shape) if g.perspective else 0.0,
    )


def _bend(H: FloatArray, in_shape: tuple[int, int], out_shape: tuple[int, int]) -> float:
    """How far a homography bends away from its best affine map where the content is, as a share of the output side.

    Read over the part of the input that lands in the output frame: after a 4x zoom (a crop resized up) a
    slight perspective would otherwise be read at the input's corners, far outside the frame, where a
    projective map's bend grows without bound (a perspective of 0.04 then read as 480 sides).
    """
    grid = _grid("span", in_shape)
    pts = grid[:, :2]
    mapped = _mapped(H, grid)
    h_out, w_out = out_shape
    x, y = mapped[:, 0], mapped[:, 1]
    seen = (x >= -0.5) & (x <= w_out - 0.5) & (y >= -0.5) & (y <= h_out - 0.5)
    if seen.sum() < 6:  # almost nothing of the input is in view: read over all of it
        seen = np.ones_like(seen)
    A, _ = _fit_affine(pts[seen], mapped[seen])
    off = mapped[seen] - (pts[seen] @ A[:2, :2].T + A[:2, 2])
    return float(np.max(np.hypot(off[:, 0], off[:, 1])) / max(h_out, w_out))


def _wrap(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


# Points over an input frame, made once per frame: (kind, shape) -> points with a column of ones (read-only).
_GRIDS: dict[tuple[str, tuple[int, int]], FloatArray] = {}


def _grid(kind: str, in_shape: tuple[int, int]) -> FloatArray:
    """The homogeneous points :func:`_kept_area` ("cells": a 16x16 grid of cell centres) or :func:`_bend`
    ("span": 32x32 points from corner to corner) maps, for one input frame."""
    key = (kind, in_shape)
    if key not in _GRIDS:
        h_in, w_in = in_shape
        if kind == "cells":
            n = 16
            ys, xs = np.mgrid[0:n, 0:n]
            pts = np.stack([(xs.ravel() + 0.5) * w_in / n - 0.5, (ys.ravel() + 0.5) * h_in / n - 0.5], axis=1)
        else:
            n = 32
            ys, xs = np.mgrid[0:n, 0:n]
            pts = np.stack([xs.ravel() * (w_in - 1) / (n - 1), ys.ravel() * (h_in - 1) / (n - 1)], axis=1)
        grid = np.hstack([pts, np.ones((len(pts), 1))])
        grid.setflags(write=False)
        _GRIDS[key] = grid
    return _GRIDS[key]


def _mapped(H: FloatArray, grid: FloatArray) -> FloatArray:
    """:meth:`_Geometry.forward` of a homogeneous grid (the same arithmetic)."""
    ph = grid @ H.T
    return np.asarray(ph[:, :2] / ph[:, 2:3], dtype=float)


def _kept_area(H: FloatArray, in_shape: tuple[int, int], out_shape: tuple[int, int], slack: float = 0.0) -> float:
    """Share of the input area that lands inside the output frame (``slack`` px wider at the far sides)."""
    mapped = _mapped(H, _grid("cells", in_shape))
    h_out, w_out = out_shape
    x, y = mapped[:, 0], mapped[:, 1]
    inside = (x >= -0.5) & (x <= w_out - 0.5 + slack) & (y >= -0.5) & (y <= h_out - 0.5 + slack)
    return float(inside.mean())


@dataclass
class _Where:
    """For every output pixel: the input pixel it came from (nearest) and whether to trust that."""

    ix: Array
    iy: Array
    inside: Array  # source well inside the input, and the pixel not occluded
    outside: Array  # source clearly outside the input (at least 2 px)
    covered: Array  # source inside the input at all
    identity: bool = False  # every pixel came from itself (ix, iy are the pixel's own place)


_IN_PLACE: dict[tuple[int, int, int], _Where] = {}


def _in_place(h: int, w: int, size: int) -> _Where:
    """Every output pixel compared with the input pixel at its own place (read-only arrays, made once per shape)."""
    key = (h, w, size)
    if key not in _IN_PLACE:
        ys, xs = np.mgrid[0:h, 0:w]
        none = np.zeros((h, w), bool)
        everything = np.ones((h, w), bool) if (h, w) == (size, size) else none
        # an output of another size has no trusted source pixels; indices stay inside the input anyway
        xs, ys = np.clip(xs, 0, size - 1), np.clip(ys, 0, size - 1)
        for a in (xs, ys, none, everything):
            a.setflags(write=False)
        _IN_PLACE[key] = _Where(xs, ys, everything, none, everything, identity=(h, w) == (size, size))
    return _IN_PLACE[key]


_PLACES: dict[tuple[int, int], tuple[FloatArray, FloatArray]] = {}


def _pixel_places(h: int, w: int) -> tuple[FloatArray, FloatArray]:
    """Every pixel's x and y in an (h, w) frame, as floats (read-only, made once per frame)."""
    if (h, w) not in _PLACES:
        ys, xs = np.mgrid[0:h, 0:w]
        places = xs.astype(float), ys.astype(float)
        for a in places:
            a.setflags(write=False)
        _PLACES[(h, w)] = places
    return _PLACES[(h, w)]


def _where(g: _Geometry | None, out_shape: tuple[int, int], size: int) -> _Where:
    h, w = out_shape
    if g is None or (_is_identity(g, 1e-6) and (h, w) == (size, size)):
        return _in_place(h, w, size)
    xs, ys = _pixel_places(h, w)
    none = np.zeros((h, w), bool)
    back = g.backward(xs, ys)
    if back is None:
        return _Where(xs.astype(int), ys.astype(int), none, none, none)
    sx, sy = back
    ix, iy = np.rint(sx).astype(int), np.rint(sy).astype(int)
    m = 2.0 + g.residual
    inside = (sx >= m) & (sx <= size - 1 - m) & (sy >= m) & (sy <= size - 1 - m)
    outside = (sx < -m) | (sx > size - 1 + m) | (sy < -m) | (sy > size - 1 + m)
    covered = (sx >= -0.5) & (sx <= size - 0.5) & (sy >= -0.5) & (sy <= size - 0.5)
    return _Where(np.clip(ix, 0, size - 1), np.clip(iy, 0, size - 1), inside, outside, covered)


def _reflects(out_img: Array, where: _Where) -> bool:
    """Whether the part of the output that no input pixel maps to holds copied content, not a constant."""
    if where.outside.sum() < 12:
        return False
    grey = _grey(out_img)
    vals = grey[where.outside]
    inner = grey[where.inside] if where.inside.any() else grey[~where.outside]
    bg = float(_median(inner)) if inner.size else 0.0
    if abs(float(_median(vals)) - bg) < 6 / 255.0:
        return True
    # Most of it one level away from the background, or a good share of it with the rest between that level
    # and the background: a constant fill, whatever lies along its edge (a warp the fit reads as a near-affine
    # zoom pulls a ramp of blended fill in there: ElasticTransform, alpha 75). Reflected content holds the
    # background or brighter landmarks.
    levels = np.rint(vals * 255.0)
    found, counts = np.unique(levels, return_counts=True)
    mode = float(found[counts.argmax()])
    lo, hi = sorted((mode, bg * 255.0))
    blended = float(((levels >= lo - 2.0) & (levels <= hi + 2.0)).mean())
    if counts.max() >= 0.5 * len(vals) or (counts.max() >= 0.25 * len(vals) and blended >= 0.9):
        return False
    return bool(float(vals.std()) > 8 / 255.0)
