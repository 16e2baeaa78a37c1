"""Where every output pixel came from: geometry measured on coordinate maps sent through a transform as masks.

Two float32 maps hold each input pixel's own column and row, offset by one so that 0 means "border fill".
Sent through a transform as a two-channel mask (only geometric transforms touch masks, and with
nearest-neighbour mask interpolation every value that comes out is an exact input coordinate), they say,
for every output pixel, which input pixel it shows. From that:

* the global linear part, fitted robustly over the pixels that show content: ``turn`` (polar angle, in
  degrees, after taking out a left-right mirror), ``mirror`` (sign of the determinant), ``zoom`` (the
  singular values, input px to output px) and ``shear`` (how far the mapped axes are from a right angle);
* ``kept``: the share of the input's area still in frame; ``edge_travel``: how far an input edge moved
  inward (the median lost depth along each side, as a share of the side across it, largest of the four);
* ``fill``: the share of output pixels that show border fill, not content;
* ``displacement``: the largest distance between where a pixel came from and where the fitted global map
  says it came from, as a share of the input side along that axis (0 for affine maps, more for
  perspective and warps);
* ``folds``: the share of content pixels whose local Jacobian has the opposite orientation to the global
  map (local mirrors), read over a step wide enough that rounding to whole pixels cannot flip a sign.

Assumes a constant border: a reflected border shows real coordinates of mirrored copies, which the robust
fit ignores but ``kept`` counts. Measure geometry with ``border_mode=cv2.BORDER_CONSTANT``.

>>> import albumentations as A  # doctest: +SKIP
>>> measure(A.HorizontalFlip(p=1), (64, 64)).mirror  # doctest: +SKIP
True
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

_NEAREST = 0  # cv2.INTER_NEAREST
_MAX_FIT_POINTS = 40_000


@dataclass(frozen=True)
class CoordReading:
    """What a transform did to the geometry of one input, read from its coordinate maps.

    ``zoom`` is (largest, smallest) singular value of the forward linear part; ``linear`` that part itself
    (output px per input px, x right and y down). ``collapsed`` says that the content was squashed onto a
    line or point (or nothing of it is left), in which case the linear readings are 0.
    """

    input_shape: tuple[int, int]
    output_shape: tuple[int, int]
    turn: float
    mirror: bool
    zoom: tuple[float, float]
    shear: float
    kept: float
    edge_travel: float
    edges: tuple[float, float, float, float]  # top, right, bottom, left: median inward travel of each
    fill: float
    displacement: float
    folds: float
    collapsed: bool
    linear: tuple[tuple[float, float], tuple[float, float]]


def coordinate_maps(shape: tuple[int, int]) -> tuple[Float32Array, Float32Array]:
    """The input's column and row maps for an image of ``shape`` (H, W), offset by one (0 is border fill)."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    return (xs + 1).astype(np.float32), (ys + 1).astype(np.float32)


def _nearest_masks(t: Any) -> None:
    """Nearest-neighbour mask interpolation and a zero mask fill everywhere in a (copied) albumentations tree."""
    if hasattr(t, "mask_interpolation"):
        t.mask_interpolation = _NEAREST
    if hasattr(t, "fill_mask"):
        t.fill_mask = 0
    for child in getattr(t, "transforms", None) or []:
        _nearest_masks(child)


def measure(
    transform: Any,
    shape: tuple[int, int],
    *,
    seed: int | None = None,
    image: npt.NDArray[Any] | None = None,
) -> CoordReading:
    """Run an albumentations transform or composition once on an input of ``shape`` (H, W) and read its geometry.

    The transform is copied (the caller's object is not changed); on the copy, every mask interpolation is
    set to nearest neighbour and every mask fill to 0. Probabilities are left as they are: force ``p`` on
    the transform before calling when every draw must apply. ``seed`` seeds the copy's random draws;
    ``image`` is the image sent along (a mid-grey RGB image of ``shape`` by default).
    """
    return _measure_copy(_measuring_copy(transform), shape, seed=seed, image=image)


def _measuring_copy(transform: Any, *, reseeded: bool = False) -> Any:
    """A copy of ``transform`` with every mask interpolation nearest neighbour and every mask fill 0.

    ``reseeded``: the caller reseeds the copy (``set_random_seed``) before every call, so its random states
    need not be copied (see :func:`_copy_to_reseed`).
    """
    t = _copy_to_reseed(transform) if reseeded else copy.deepcopy(transform)
    _nearest_masks(t)
    return t


def _copy_to_reseed(transform: Any) -> Any:
    """A deep copy of ``transform`` for a caller that calls ``set_random_seed`` on it before every call.

    albumentations' ``set_random_seed`` replaces a transform's ``random_generator`` and ``py_random``, and a
    composition's passes the seed down its ``transforms``: along that tree, where the class's
    ``set_random_seed`` is albumentations' own, the states are not copied (the copy gets fresh ones, replaced
    before any draw). Copying them was most of a copy's cost (a Mersenne Twister's 624 words). Anywhere else
    (a subclass that reseeds in its own way, a transform held outside ``transforms``) they are copied as before.
    """
    import random

    from albumentations.core.composition import BaseCompose
    from albumentations.core.transforms_interface import BasicTransform

    own = {BasicTransform.set_random_seed, BaseCompose.set_random_seed}
    memo: dict[int, Any] = {}
    stack = [transform]
    while stack:
        t = stack.pop()
        if not isinstance(t, (BasicTransform, BaseCompose)):
            continue  # (albumentations does not pass the seed to it)
        if getattr(type(t), "set_random_seed", None) not in own:
            continue
        state = vars(t)
        if isinstance(state.get("py_random"), random.Random):
            memo.setdefault(id(state["py_random"]), random.Random(0))
        if isinstance(state.get("random_generator"), np.random.Generator):
            memo.setdefault(id(state["random_generator"]), np.random.default_rng(0))
        if isinstance(t, BaseCompose):
            stack.extend(t.transforms)
    return copy.deepcopy(transform, memo)


def _measure_copy(
    t: Any, shape: tuple[int, int], *, seed: int | None = None, image: npt.NDArray[Any] | None = None
) -> CoordReading:
    """:func:`measure` on a copy made by :func:`_measuring_copy`, which it runs (and reseeds) but leaves
    otherwise unchanged: one copy serves several measurements."""
    h, w = shape
    if seed is not None and hasattr(t, "set_random_seed"):
        t.set_random_seed(seed)
    img = np.full((h, w, 3), 128, np.uint8) if image is None else image
    xs, ys = coordinate_maps(shape)
    out = t(image=img, mask=np.dstack([xs, ys]))
    mask = np.asarray(out["mask"])
    if mask.ndim != 3 or mask.shape[2] != 2:
        raise ValueError(f"the transform returned a mask of shape {mask.shape}; expected (H, W, 2)")
    return read_maps(mask[..., 0], mask[..., 1], shape)


def read_maps(xs: npt.NDArray[Any], ys: npt.NDArray[Any], input_shape: tuple[int, int]) -> CoordReading:
    """Read the geometry from coordinate maps that went through a transform (see :func:`coordinate_maps`)."""
    sx = np.rint(np.asarray(xs, np.float64)) - 1.0
    sy = np.rint(np.asarray(ys, np.float64)) - 1.0
    if sx.shape != sy.shape or sx.ndim != 2:
        raise ValueError(f"coordinate maps of shapes {sx.shape} and {sy.shape}; expected two equal (H, W) maps")
    h_in, w_in = input_shape
    h_out, w_out = sx.shape
    valid = (sx >= 0) & (sy >= 0) & (sx < w_in) & (sy < h_in)
    n_valid = int(valid.sum())
    fill = 1.0 - n_valid / float(sx.size) if sx.size else 1.0
    kept_mask = np.zeros((h_in, w_in), bool)
    if n_valid:
        kept_mask[sy[valid].astype(np.intp), sx[valid].astype(np.intp)] = True
    vs, us = np.nonzero(valid)
    fit = _robust_affine(us, vs, sx[valid], sy[valid])
    if fit is None:
        kept = float(kept_mask.mean())
        edges = _edge_travel(kept_mask)
        return CoordReading(
            input_shape=(h_in, w_in),
            output_shape=(h_out, w_out),
            turn=0.0,
            mirror=False,
            zoom=(0.0, 0.0),
            shear=0.0,
            kept=kept,
            edge_travel=max(edges),
            edges=edges,
            fill=fill,
            displacement=0.0,
            folds=0.0,
            collapsed=True,
            linear=((0.0, 0.0), (0.0, 0.0)),
        )
    B = fit  # output (u, v, 1) -> input (x, y)
    A: FloatArray = np.asarray(np.linalg.inv(B[:, :2]), np.float64)  # forward linear part: input px -> output px
    turn, mirror, zoom, shear = _decompose(A)
    pred = np.stack([us, vs, np.ones_like(us)], axis=1).astype(np.float64) @ B.T
    displacement = float(
        max(np.max(np.abs(sx[valid] - pred[:, 0])) / w_in, np.max(np.abs(sy[valid] - pred[:, 1])) / h_in)
    )
    folds, local_stretch = _local_jacobians(sx, sy, valid, np.sign(np.linalg.det(A)), zoom[0])
    kept_mask = _close(kept_mask, max(1.0 / max(zoom[1], 1e-6), local_stretch))
    edges = _edge_travel(kept_mask)
    linear = ((float(A[0, 0]), float(A[0, 1])), (float(A[1, 0]), float(A[1, 1])))
    return CoordReading(
        input_shape=(h_in, w_in),
        output_shape=(h_out, w_out),
        turn=turn,
        mirror=mirror,
        zoom=zoom,
        shear=shear,
        kept=float(kept_mask.mean()),
        edge_travel=max(edges),
        edges=edges,
        fill=fill,
        displacement=displacement,
        folds=folds,
        collapsed=False,
        linear=linear,
    )


def _decompose(A: FloatArray) -> tuple[float, bool, tuple[float, float], float]:
    """Turn (deg), mirror, (largest, smallest) zoom and shear (deg) of a forward linear part."""
    det = float(np.linalg.det(A))
    mirror = det < 0
    # "A left-right mirror, then a turn": take the mirror out before reading the polar angle.
    M = A @ np.diag([-1.0, 1.0]) if mirror else A
    u, s, vt = np.linalg.svd(M)
    R = u @ vt
    turn = abs(math.degrees(math.atan2(R[1, 0], R[0, 0])))
    ax, ay = A[:, 0], A[:, 1]
    cos = float(ax @ ay) / max(float(np.hypot(*ax) * np.hypot(*ay)), 1e-12)
    shear = abs(90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    return turn, mirror, (float(s[0]), float(s[1])), shear


def _robust_affine(us: Any, vs: Any, xs: Any, ys: Any) -> FloatArray | None:
    """Least-squares affine map from output (u, v) to input (x, y), refitted twice without gross outliers.

    None when the content pixels do not span an area (nothing left, or squashed onto a line).
    """
    n = len(us)
    if n < 3:
        return None
    idx = np.arange(n)
    if n > _MAX_FIT_POINTS:
        idx = np.random.default_rng(0).choice(n, _MAX_FIT_POINTS, replace=False)
    P = np.stack([us[idx], vs[idx], np.ones(len(idx))], axis=1).astype(np.float64)
    Q = np.stack([xs[idx], ys[idx]], axis=1)
    if np.linalg.matrix_rank(P[:, :2] - P[:, :2].mean(axis=0), tol=1e-6) < 2:
        return None
    keep = np.ones(len(idx), bool)
    B = np.zeros((2, 3))
    for _ in range(3):
        sol, *_ = np.linalg.lstsq(P[keep], Q[keep], rcond=None)
        B = sol.T
        res = np.hypot(*(P @ B.T - Q).T)
        limit = max(3.0, 5.0 * float(np.median(res[keep])))
        new = res <= limit
        if new.sum() < 3 or np.array_equal(new, keep):
            break
        keep = new
    if abs(float(np.linalg.det(B[:, :2]))) < 1e-9:
        return None
    return B


def _local_jacobians(
    sx: FloatArray, sy: FloatArray, valid: BoolArray, orientation: float, zoom_max: float
) -> tuple[float, float]:
    """Share of content pixels whose local orientation opposes the global one, and the 99th percentile of the
    local stretch (input px per output px).

    The Jacobian of the input coordinates over the output pixel grid is read over a step of k pixels; every
    coordinate is a whole pixel, so each entry is off by at most 1/k, and a determinant counts as folded only
    when it is negative beyond what that rounding can make.
    """
    h, w = sx.shape
    k = int(max(4, min(round(8 * max(1.0, zoom_max)), max(1, min(h, w) // 4))))
    if h <= k or w <= k:
        return 0.0, 1.0
    ok = valid[:-k, :-k] & valid[:-k, k:] & valid[k:, :-k]
    a = (sx[:-k, k:] - sx[:-k, :-k]) / k  # dx/du
    b = (sx[k:, :-k] - sx[:-k, :-k]) / k  # dx/dv
    c = (sy[:-k, k:] - sy[:-k, :-k]) / k  # dy/du
    d = (sy[k:, :-k] - sy[:-k, :-k]) / k  # dy/dv
    det = (a * d - b * c) * orientation
    e = 1.0 / k
    noise = e * (np.abs(a) + np.abs(b) + np.abs(c) + np.abs(d)) + 2 * e * e
    n = int(ok.sum())
    if n == 0:
        return 0.0, 1.0
    folds = float(((det < -noise) & ok).sum()) / n
    stretch = np.sqrt(np.maximum(a * a + c * c, b * b + d * d))[ok]
    return folds, float(np.percentile(stretch, 99))


def _close(mask: BoolArray, stride: float) -> BoolArray:
    """Fill the gaps a zoom out leaves between the input pixels it samples (nearest neighbour skips some)."""
    if stride <= 1.0 or not mask.any():
        return mask
    import cv2

    r = int(min(math.ceil(stride), max(1, min(mask.shape) // 8)))
    kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    return np.asarray(closed, bool)


def _edge_travel(mask: BoolArray) -> tuple[float, float, float, float]:
    """Median inward travel of each input edge (top, right, bottom, left) as a share of the side across it.

    Along each side, the depth of input lost from that side is read at every position where something of
    the input is kept across it; the median says how far at least half of the edge moved inward. With
    nothing kept, every edge travelled all the way (1).
    """
    h, w = mask.shape
    rows_any, cols_any = mask.any(axis=1), mask.any(axis=0)
    if not rows_any.any():
        return (1.0, 1.0, 1.0, 1.0)
    first_col = mask.argmax(axis=1)[rows_any]
    last_col = (w - 1 - mask[:, ::-1].argmax(axis=1))[rows_any]
    first_row = mask.argmax(axis=0)[cols_any]
    last_row = (h - 1 - mask[::-1, :].argmax(axis=0))[cols_any]
    top = float(np.median(first_row)) / h
    bottom = float(np.median(h - 1 - last_row)) / h
    left = float(np.median(first_col)) / w
    right = float(np.median(w - 1 - last_col)) / w
    return (top, right, bottom, left)
