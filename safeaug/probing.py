"""The empirical probe: run a transform on small generated images and measure what it does.

>>> import albumentations as A  # doctest: +SKIP
>>> from safeaug import probe  # doctest: +SKIP
>>> probe(A.HorizontalFlip()).envelope.mirror  # doctest: +SKIP
True

:func:`probe` returns a :class:`Measurement` whose ``envelope`` is in the catalog's units, so it can be
compared with a static envelope (:func:`excess`) or judged by a policy like any other envelope. What
one probe cannot see is listed in ``Measurement.unmeasured``; see ``docs/probe.md``.

:func:`wrap` checks a dataset transform once, when it is wrapped, and returns it unchanged in behaviour.

Each run feeds five probe images through the transform with the same random draw (one call with
extra image targets for albumentations; five calls with the same seeds for other callables):

* ``geo``: a dark field with five bright square landmarks of distinct sizes at asymmetric places, plus
  keypoints on an asymmetric grid (albumentations only). The keypoints (or, for callables that move
  only pixels, the landmarks found by size rank) are fitted with an affine map by least squares.
* ``ramp``: all 256 grey levels, 64 to a band, so that the intensity map is read level by level.
* ``colors``: twelve patches around the hue circle, for hue, saturation and colour mixing.
* ``dots``: 2x2 bright dots on a dark field, for detail loss (Gaussian-equivalent sigma).
* ``flat``: a mid-grey field, for noise, occluded area and brightness fields.

Pixels of the ramp, colour, dot and flat images are compared with the input at the place the fitted
map says they came from, so a rotated ramp still reads as an untouched intensity map. ``docs/probe.md``
describes every reading, the tolerances of :func:`excess` and what a probe cannot see.
"""

from __future__ import annotations

import copy
import inspect
import math
import random
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from safeaug.effects import IDENTITY, Envelope
from safeaug.errors import PolicyViolationError, SafeaugError
from safeaug.policies import PolicyLike, load_policy
from safeaug.policy import Policy
from safeaug.readers import read_pipeline
from safeaug.report import Report

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]

_TARGETS = ("ramp", "colors", "dots", "flat")

# Envelope fields no single probe can observe, whatever the transform.
ALWAYS_UNMEASURED: tuple[str, ...] = (
    "mixing",  # needs other images in the batch
    "topology",  # a tile shuffle reads as a non-rigid warp of keypoints, not as a shuffle
    "overlay",  # rain, text and flares read as noise, occlusion or brightness, not as "drawn"
    "equalization",  # the ramp's histogram is flat: equalising it changes nothing
    "compression",  # JPEG artefacts read as noise and blur
    "resolution",  # detail loss is reported as blur (Gaussian-equivalent sigma), see excess()
    "sharpen",
    "translation_px",  # shifts are measured as fractions of the side
    "crop_unbounded",
    "canvas_growth",  # read through the occlusion that follows it
    "occlusion_unbounded",
    "destroys",  # read as what it does: the flat image's contrast, brightness and occlusion
    "resize",  # a change of output size is read as scale and crop; "to a fixed size" needs several input sizes
)

# Measurement tolerances, per field: how far a measurement may exceed a static envelope before
# excess() reports it. They cover interpolation (a 15° rotation of keypoints is exact, of pixels it
# measures within about 0.5°), rounding to 8 bits (1/255 per step), and the estimators' own spread.
TOLERANCE: dict[str, float] = {
    "rotation": 1.0,  # degrees
    "scale_min": 0.03,  # factor
    "scale_max": 0.03,
    "translation": 0.03,  # of the side
    "shear": 1.5,  # degrees
    "perspective": 0.02,  # of the side, corner deviation from the best affine map
    "crop_min": 0.05,  # of the area
    "brightness": 0.03,  # of full scale
    "contrast_min": 0.05,
    "contrast_max": 0.05,
    "gamma_min": 0.08,
    "gamma_max": 0.08,
    "hue": 5.0,  # degrees (OpenCV stores hue in 2° steps)
    "saturation_min": 0.1,
    "saturation_max": 0.1,
    "blur": 0.55,  # px sigma (resampling a dot by half a pixel spreads it by 0.5 px)
    "noise": 0.01,  # of full scale
    "occlusion": 0.02,  # of the area
    "posterize_bits": 0.5,
}

# Thresholds that turn measurements into flags.
_NONRIGID_PX = 0.75  # affine-fit residual (RMS, px) above which a warp is not affine
_PERSPECTIVE_SIGMAS = 4.0  # static `perspective` is a sigma of corner offsets; measured is a corner offset
_COLOR_CAST = 4.0 / 255.0  # grey input coming out with channels this far apart is a colour change
_HUE_SPREAD = 12.0  # degrees: hue shifts differing this much between patches are not a hue rotation
_GREY_CHROMA = 2.5 / 255.0


@dataclass(frozen=True)
class Measurement:
    """What a transform was seen to do on probe images.

    ``envelope`` is in the catalog's units (the union over all runs); ``samples`` is the number of runs;
    ``unmeasured`` names the envelope fields this probe could not observe for this transform; ``notes``
    explains anything unusual (landmarks lost, a target the transform did not handle).
    """

    envelope: Envelope
    samples: int
    unmeasured: tuple[str, ...]
    transform: str = ""
    notes: tuple[str, ...] = ()
    # The inputs it was run on, in words ("64x64 RGB uint8 (16 runs)", "96x64 portrait RGB uint8 (2 runs)").
    inputs: tuple[str, ...] = ()


class ProbeError(SafeaugError):
    """A transform could not be run on the probe images (it needs other targets, it raised, ...)."""


# ------------------------------------------------------------------------------------------ probe images


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


def _hue_chroma(rgb: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Hue in degrees and chroma (max - min) of rows of RGB in [0, 1]."""
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    mx, mn = rgb.max(axis=1), rgb.min(axis=1)
    c = mx - mn
    safe = np.where(c > 1e-9, c, 1.0)
    h = np.where(mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4))
    return h * 60.0, c


# ------------------------------------------------------------------------------------------ running


# One run: the output images, the keypoints where the transform put them (None without keypoints), and
# whether those keypoints tell the whole geometry (albumentations' own code moved pixels and points alike).
Run = tuple[dict[str, Array], FloatArray | None, bool]
Runner = Callable[[_Images, int], Run]

# Methods whose override in a class of the user's means the pixels may move without the keypoints.
_PIXEL_METHODS = ("apply", "__call__", "apply_with_params")


def _keypoints_tell_all(t: Any) -> bool:
    """Whether albumentations' own code moves every pixel and keypoint of ``t`` (no Lambda, no user override)."""
    from safeaug.readers.objects import changed_state

    cls = type(t)
    if cls.__name__ == "Lambda" or changed_state(t):
        return False
    for base in cls.__mro__:
        module = base.__module__ or ""
        if module == "albumentations" or module.startswith("albumentations.") or base is object:
            break
        if any(name in vars(base) for name in _PIXEL_METHODS):
            return False
    return all(_keypoints_tell_all(c) for c in getattr(t, "transforms", None) or [])


def _is_albumentations(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    if module == "albumentations" or module.startswith("albumentations."):
        return True
    return any((c.__module__ or "").startswith("albumentations.") for c in type(obj).__mro__[1:])


def _force(t: Any) -> None:
    """p=1 everywhere except where p is 0 (a switched-off branch stays off)."""
    p = getattr(t, "p", None)
    if isinstance(p, (int, float)) and not isinstance(p, bool) and p > 0:
        t.p = 1.0
    for child in getattr(t, "transforms", None) or []:
        _force(child)
    if hasattr(t, "transforms_ps") and getattr(t, "transforms", None):
        ps = [getattr(c, "p", 0.0) for c in t.transforms]
        total = sum(ps)
        t.transforms_ps = [q / total for q in ps] if total > 0 else ps


def _albumentations_runner(transform: Any) -> Runner:
    """Runs with keypoints, which come back as an (N, 2) array, or None when the pixels may move without them."""
    import albumentations as A

    exact = _keypoints_tell_all(transform)

    forced = copy.deepcopy(transform)
    _force(forced)
    forced.p = 1.0  # the transform itself always runs; switched-off branches inside it stay off
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = A.Compose(
            [forced],
            keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
            additional_targets={name: "image" for name in _TARGETS},
            p=1.0,
            strict=False,
            seed=0,
        )

    def run(images: _Images, seed: int) -> Run:
        pipe.set_random_seed(seed)
        random.seed(seed)
        np.random.seed(seed % (2**32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = pipe(
                image=images.geo,
                keypoints=images.indexed_keypoints,
                ramp=images.ramp,
                colors=images.colors,
                dots=images.dots,
                flat=images.flat,
            )
        result = {"geo": np.asarray(out["image"])}
        for name in _TARGETS:
            result[name] = np.asarray(out[name])
        kps = np.asarray(out["keypoints"], dtype=float)
        if kps.ndim != 2 or kps.shape[1] < 3 or len(kps) < 4:
            return result, None, False
        n = len(images.keypoints)
        h, w = result["geo"].shape[:2]
        if len(kps) > n and len(kps) % n == 0:
            # Reflecting borders tile the points with mirrored copies (3x3 for albumentations 2): the
            # tile that keeps the most points inside the frame is the image itself.
            tiles = kps.reshape(-1, n, kps.shape[1])
            x, y = tiles[..., 0], tiles[..., 1]
            inside = ((x >= -0.5) & (x <= w - 0.5) & (y >= -0.5) & (y <= h - 0.5)).sum(axis=1)
            kps = tiles[int(np.argmax(inside))]
        moved = np.full_like(images.keypoints, np.nan)
        index = np.rint(kps[:, 2]).astype(int)
        ok = (index >= 0) & (index < n)
        moved[index[ok]] = kps[ok, :2]
        return result, moved, exact

    return run


def _callable_runner(fn: Callable[..., Any]) -> Runner:
    keyword = _takes_image_keyword(fn)

    def call(image: Array, seed: int) -> Array:
        random.seed(seed)
        np.random.seed(seed % (2**32))
        out = fn(image=image.copy()) if keyword else fn(image.copy())
        if isinstance(out, Mapping):
            if "image" not in out:
                raise ProbeError(f"{_name(fn)} returned a dict without an `image` key")
            out = out["image"]
        return np.asarray(out)

    def run(images: _Images, seed: int) -> Run:
        result = {"geo": call(images.geo, seed)}
        for name in _TARGETS:
            result[name] = call(getattr(images, name), seed)
        return result, None, False

    return run


def _takes_image_keyword(fn: Callable[..., Any]) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    params = sig.parameters
    if "image" in params and params["image"].kind in (
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        return True
    positional = [
        q
        for q in params.values()
        if q.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and q.default is inspect.Parameter.empty
    ]
    return not positional and any(q.kind == inspect.Parameter.VAR_KEYWORD for q in params.values())


def _name(obj: Any) -> str:
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return type(obj).__name__


# ------------------------------------------------------------------------------------------ geometry


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


def _fit_affine(src: FloatArray, dst: FloatArray) -> tuple[FloatArray, float]:
    X = np.hstack([src, np.ones((len(src), 1))])
    sol, *_ = np.linalg.lstsq(X, dst, rcond=None)
    A = np.vstack([sol.T, [0.0, 0.0, 1.0]])
    res = dst - X @ sol
    return A, float(np.sqrt(np.mean(np.sum(res**2, axis=1))))


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
    src, dst = src[keep], dst[keep]
    A, residual = _fit_affine(src, dst)
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
    grey = img.astype(float).mean(axis=2) if img.ndim == 3 else img.astype(float)
    excess = grey - float(np.median(grey))
    if -excess.min() > excess.max():
        excess = -excess  # an inverted image: the landmarks are the dark places now
    if float(excess.max()) <= 20 * (1.0 if img.dtype == np.uint8 else 1 / 255.0):
        return None
    return excess


def _landmark_mask(img: Array) -> Array | None:
    excess = _landmark_excess(img)
    return None if excess is None else excess > float(excess.max()) * 0.35


def _locate_landmarks(img: Array) -> FloatArray | None:
    """Centroids of the five landmarks in an output image, ordered by mass (as the input ones are)."""
    excess = _landmark_excess(img)
    if excess is None:
        return None
    blobs = _components(excess > float(excess.max()) * 0.35)
    if len(blobs) < 5 or len(blobs) > 64:
        return None
    found = []
    for ys, xs in blobs:
        weight = excess[ys, xs]
        mass = float(weight.sum())
        found.append((mass, float((weight * xs).sum() / mass), float((weight * ys).sum() / mass)))
    found.sort()
    return np.array([(x, y) for _, x, y in found[-5:]], dtype=float)  # the five heaviest, lightest first


def _components(mask: Array) -> list[tuple[Array, Array]]:
    """The 4-connected components of a sparse mask, as (rows, columns) index arrays."""
    rows, cols = np.nonzero(mask)
    if len(rows) > 4000:
        return []
    where = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(rows, cols, strict=True))}
    label = [-1] * len(rows)
    out: list[tuple[Array, Array]] = []
    for start in range(len(rows)):
        if label[start] >= 0:
            continue
        label[start] = len(out)
        stack, members = [start], [start]
        while stack:
            i = stack.pop()
            r, c = int(rows[i]), int(cols[i])
            for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                j = where.get(nb)
                if j is not None and label[j] < 0:
                    label[j] = len(out)
                    stack.append(j)
                    members.append(j)
        index = np.array(members)
        out.append((rows[index], cols[index]))
    return out


_EYE3 = np.eye(3)


def _landmarks_where_expected(img: Array, g: _Geometry, images: _Images) -> bool:
    """Whether the pixels went where the keypoints went (a subclass may move one and not the other)."""
    h, w = img.shape[:2]
    pts = np.rint(g.forward(images.landmarks)).astype(int)
    inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    if inside.sum() < 3:
        return True  # nothing to check against
    at = _grey(img[pts[inside, 1], pts[inside, 0]])
    background = float(np.median(_grey(img[::4, ::4])))
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
    h_in, w_in = in_shape
    n = 32
    ys, xs = np.mgrid[0:n, 0:n]
    pts = np.stack([xs.ravel() * (w_in - 1) / (n - 1), ys.ravel() * (h_in - 1) / (n - 1)], axis=1)
    mapped = _Geometry(H, 0.0, 0.0).forward(pts)
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


def _kept_area(H: FloatArray, in_shape: tuple[int, int], out_shape: tuple[int, int], slack: float = 0.0) -> float:
    """Share of the input area that lands inside the output frame (``slack`` px wider at the far sides)."""
    h_in, w_in = in_shape
    n = 16
    ys, xs = np.mgrid[0:n, 0:n]
    pts = np.stack([(xs.ravel() + 0.5) * w_in / n - 0.5, (ys.ravel() + 0.5) * h_in / n - 0.5], axis=1)
    mapped = _Geometry(H, 0.0, 0.0).forward(pts)
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


def _where(g: _Geometry | None, out_shape: tuple[int, int], size: int) -> _Where:
    h, w = out_shape
    ys, xs = np.mgrid[0:h, 0:w]
    none = np.zeros((h, w), bool)
    if g is None or (_is_identity(g, 1e-6) and (h, w) == (size, size)):
        everything = np.ones((h, w), bool) if (h, w) == (size, size) else none
        # an output of another size has no trusted source pixels; indices stay inside the input anyway
        xs, ys = np.clip(xs, 0, size - 1), np.clip(ys, 0, size - 1)
        return _Where(xs, ys, everything, none, everything, identity=(h, w) == (size, size))
    back = g.backward(xs.astype(float), ys.astype(float))
    if back is None:
        return _Where(xs, ys, none, none, none)
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
    bg = float(np.median(inner)) if inner.size else 0.0
    if abs(float(np.median(vals)) - bg) < 6 / 255.0:
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


# ------------------------------------------------------------------------------------------ intensity


def _to_unit(img: Array) -> FloatArray:
    a = np.asarray(img)
    if a.dtype == np.uint8:
        return a.astype(float) / 255.0
    return a.astype(float)


def _grey(img: Array) -> FloatArray:
    a = _to_unit(img)
    return a.mean(axis=2) if a.ndim == 3 else a


def _channels(img: Array) -> FloatArray:
    a = _to_unit(img)
    return a[..., None] if a.ndim == 2 else a


@dataclass
class _Map:
    """The grey-level map read off the ramp: output (median) per input level."""

    levels: FloatArray
    values: FloatArray
    cast: float  # largest channel spread of a grey input level (after medians over 8-level bins)
    clipped: Array | None = None  # per level: most of its pixels have a channel at 0 or full scale
    model: tuple[float, float, float, bool] | None = None  # a, gamma, b, inverted: y = a x**gamma + b
    shared_cast: float = 0.0  # ``cast`` after taking out the channel noise the flat grey shows at each pixel

    def __call__(self, x: FloatArray, *, exact: bool = False) -> FloatArray:
        # The levels read, interpolated, when asked and when they cover ``x`` (a crop sees part of the ramp).
        covered = len(self.levels) > 0 and self.levels[0] <= float(np.min(x)) and float(np.max(x)) <= self.levels[-1]
        if self.model is None or (exact and covered):
            return np.interp(x, self.levels, self.values)
        a, gamma, b, inverted = self.model
        y = np.clip(a * np.clip(x, 0.0, 1.0) ** gamma + b, 0.0, 1.0)
        return 1.0 - y if inverted else y


_LUMA = np.array([0.299, 0.587, 0.114])  # the grey level of a colour, as the catalog reads colour casts
_GAMMAS = np.exp(np.linspace(math.log(0.15), math.log(6.0), 61))
_BIN = 8


def _group_medians(keys: Array, values: FloatArray) -> tuple[Array, FloatArray]:
    """Per distinct key (ascending), the median of its values (the lower one of an even count)."""
    if len(keys) and keys.min() >= 0:
        q = np.rint(values * 255.0)
        if np.abs(q - values * 255.0).max() < 1e-6 and q.min() >= 0 and q.max() <= 255:
            # 8-bit values: one sort of a combined integer key is much faster than a lexsort.
            combined = np.sort(keys.astype(np.int64) * 256 + q.astype(np.int64))
            k = combined >> 8
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
            ends = np.r_[starts[1:], len(k)]
            return k[starts], (combined[(starts + ends - 1) // 2] & 255) / 255.0
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    ends = np.r_[starts[1:], len(k)]
    return k[starts], v[(starts + ends - 1) // 2]


def _read_map(
    ramp_out: Array,
    where: _Where,
    images: _Images,
    margin: float,
    noise: float = 0.0,
    tint: FloatArray | None = None,
) -> _Map | None:
    """The grey-level map of the ramp; ``tint``: the flat grey's channel departures per output pixel (see
    :func:`_shared_tint`), taken off the ramp's channels for ``shared_cast``."""
    raw = np.asarray(ramp_out)
    raw = raw[..., None] if raw.ndim == 2 else raw
    if where.identity:
        ok = where.inside & (images.ramp_edge >= margin)
        level = images.ramp_level
    else:
        ok = where.inside & (images.ramp_edge[where.iy, where.ix] >= margin)
        level = images.ramp_level[where.iy, where.ix]
    if ok.sum() < 64:
        return None
    lv = level[ok]
    if raw.dtype == np.uint8:  # 8-bit: one sort of (level, value) pairs packed into one integer
        px8 = raw[ok]
        grey8 = np.rint(px8 @ _LUMA).astype(np.int64) if px8.shape[1] == 3 else px8[:, 0].astype(np.int64)
        combined = np.sort((lv.astype(np.int64) << 8) + grey8)
        k = combined >> 8
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        ends = np.r_[starts[1:], len(k)]
        keys, medians = k[starts], (combined[(starts + ends - 1) // 2] & 255) / 255.0
        px = px8.astype(float) / 255.0
    else:
        px = _channels(raw)[ok]
        keys, medians = _group_medians(lv, px @ _LUMA if px.shape[1] == 3 else px[:, 0])
    cast = shared = 0.0
    if px.shape[1] == 3:
        bins = lv // _BIN
        n = np.bincount(bins)
        has = n > 0
        means = np.stack([np.bincount(bins, px[:, c])[has] / n[has] for c in range(3)], axis=1)
        # Channels apart by more than noise explains (4.5 standard errors of a bin's mean).
        cast = float((means.max(axis=1) - means.min(axis=1) - 4.5 * noise / np.sqrt(n[has])).max())
        shared = cast
        if tint is not None:  # the same noise field was drawn for the flat grey: take it off, pixel by pixel
            # (where no channel clipped: noise clipped at 0 or full scale is not the flat grey's any more)
            kept = ~((px <= 0.5 / 255.0) | (px >= 254.5 / 255.0)).any(axis=1)
            b_kept = bins[kept]
            n_kept = np.bincount(b_kept, minlength=len(n))
            use = n_kept >= 8
            px_off = (px - tint[ok])[kept]
            off = np.stack(
                [np.bincount(b_kept, px_off[:, c], minlength=len(n))[use] / n_kept[use] for c in range(3)], 1
            )
            spread = off.max(axis=1) - off.min(axis=1) - 4.5 * noise / np.sqrt(n_kept[use])
            shared = float(spread.max()) if len(spread) else cast
    # Clipping is not a change of slope: levels where a channel hit 0 or full scale are left out of the fit.
    at_end = ((px <= 0.5 / 255.0) | (px >= 254.5 / 255.0)).any(axis=1)
    share = np.bincount(lv, at_end.astype(float), minlength=256) / np.maximum(np.bincount(lv, minlength=256), 1)
    return _Map(keys / 255.0, medians, cast, share[keys] > 0.5, shared_cast=shared)


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
    raw = np.asarray(flat_out)
    if flat is None or raw.ndim != 3 or raw.shape[2] != 3:
        return None
    px = _channels(raw)
    dev = px - px.mean(axis=2, keepdims=True)
    out: FloatArray = dev - np.median(dev.reshape(-1, 3), axis=0)
    return out


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
    bins = (np.rint(x * 255).astype(int)) // _BIN
    _, yb = _group_medians(bins, y)
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
        distinct = len(np.unique(np.rint(yi * 255.0)))
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
        return _Intensity(inversion, nonmonotone, float(abs(np.median(y) - 0.5)), 1.0, 1.0, posterize)
    xu, yu = x[use], y[use]
    slope, intercept = np.polyfit(xu, yu, 1)
    line = float(((yu - (slope * xu + intercept)) ** 2).mean())
    if straight or line <= (1.0 / 255.0) ** 2 + (noise**2) / 16.0:  # a straight line fits: no curve
        m.model = (float(slope), 1.0, float(intercept), inversion)
        return _Intensity(inversion, nonmonotone, float(abs(intercept)), float(abs(slope)), 1.0, posterize)
    basis = xu[None, :] ** _GAMMAS[:, None]
    bm = basis.mean(axis=1, keepdims=True)
    ym = yu.mean()
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


def _end_plateaus(y: FloatArray, run: int = 4, tol: float = 0.75 / 255.0) -> Array:
    """False on a flat run of at least ``run`` levels at either end of the map: clipping, wherever it lands.

    A clip in an intermediate step, scaled by a later gain, leaves a plateau below full scale
    (ColorJitter: contrast 1.5, clipped, then brightness 0.5 flattens the top sixth of the map at 0.5).
    """
    keep = np.ones(len(y), dtype=bool)
    n = len(y)
    if n < 4 * run:
        return keep
    top = int(np.argmax(np.abs(y[::-1] - y[-1]) > tol)) if np.any(np.abs(y - y[-1]) > tol) else n
    bottom = int(np.argmax(np.abs(y - y[0]) > tol)) if np.any(np.abs(y - y[0]) > tol) else n
    if top >= run:
        keep[n - top :] = False
    if bottom >= run:
        keep[:bottom] = False
    return keep


# ------------------------------------------------------------------------------------------ colour


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
    raw = np.asarray(out_img)
    if raw.ndim != 3 or raw.shape[2] != 3:
        return None
    if where.identity:
        usable = where.inside & (images.patch_edge >= margin)
        pid = np.where(usable, images.color_patch, -1)
    else:
        usable = where.inside & (images.patch_edge[where.iy, where.ix] >= margin)
        pid = np.where(usable, images.color_patch[where.iy, where.ix], -1)
    n = len(images.patch_rgb)
    keys = np.where(pid >= 0, pid, n).ravel()  # unusable pixels go to a spare bin
    counts = np.bincount(keys, minlength=n + 1)[:n]
    ids = np.flatnonzero(counts >= 4)
    if counts.sum() < 48 or len(ids) < 4:
        return None
    flat_px = raw.reshape(-1, 3)
    sums = np.stack([np.bincount(keys, flat_px[:, c], minlength=n + 1)[:n] for c in range(3)], axis=1)
    got = sums[ids] / counts[ids, None]
    if raw.dtype == np.uint8:
        got = got / 255.0
    expected = images.patch_rgb[ids]
    if m is not None:  # what the grey-level map alone would make of each channel
        expected = m(expected.ravel(), exact=noise < 2.0 / 255.0).reshape(expected.shape)
    h_out, c_out = _hue_chroma(got)
    h_exp, c_exp = _hue_chroma(expected)
    # Every patch pushed to black or white (a shift clipped at 0 or full scale) has no chroma left, but
    # says nothing of a conversion to grey: that is left unread.
    clipped = bool(np.all((got <= 2.0 / 255.0) | (got >= 253.0 / 255.0)))
    grey = bool(np.all(c_out < _GREY_CHROMA)) and not clipped
    coloured = (c_out > 4.0 / 255.0) & (c_exp > 4.0 / 255.0)
    if coloured.sum() >= 2:
        diff = (((h_out - h_exp) + 180.0) % 360.0 - 180.0)[coloured]
        centre = math.degrees(math.atan2(np.sin(np.radians(diff)).mean(), np.cos(np.radians(diff)).mean()))
        # The hue of an 8-bit colour of chroma C levels is fixed only to about 60°·q/C: each uint8 step
        # rounds every channel by up to half a level. What rounding alone can explain is not a turn, nor a
        # disagreement between patches (colours faded to a few levels of chroma scatter their hues).
        slack = _hue_rounding(c_out[coloured]) if raw.dtype == np.uint8 else 0.0
        spread = float(np.max(np.maximum(np.abs(((diff - centre) + 180.0) % 360.0 - 180.0) - slack, 0.0)))
        hue = float(np.max(np.maximum(np.abs(diff) - slack, 0.0)))
    else:
        spread, hue = 0.0, 0.0
    valid = c_exp > 0.05
    ratio = c_out[valid] / c_exp[valid] if valid.any() else np.array([1.0])
    return _Colour(min(hue, 180.0), float(ratio.min()), float(ratio.max()), spread > _HUE_SPREAD, grey, clipped)


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


# ------------------------------------------------------------------------------------------ detail, noise, occlusion


def _read_blur(out_img: Array, g: _Geometry | None, images: _Images, usable: Array, noise: float) -> float | None:
    """Gaussian-equivalent sigma (input px) of a single bright pixel: the second moment of its spread.

    Each dot is looked for near where the fitted map puts it (so a warp that moves it a little does not
    read as blur), its background is the median of a ring around it, and the moments of all dots are
    pooled. A small window first; a wider one when the spread is large (noise weighs more in a wide
    window, so it is used only when needed).
    """
    grey = _grey(out_img)
    h, w = grey.shape
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
    stack = grey[rows[:, :, None], cols[:, None, :]]
    clear = usable[rows[:, :, None], cols[:, None, :]].all(axis=(1, 2))
    if clear.sum() < 3:
        return None
    stack = stack[clear]
    n = len(stack)
    mid = reach
    # The background under each dot: a plane through the ring around it, so that a smooth field is not
    # read as blur; medians of each side, so that the tail of a neighbouring dot does not tilt it.
    top, bottom = np.median(stack[:, 0], axis=1), np.median(stack[:, -1], axis=1)
    left, right = np.median(stack[:, :, 0], axis=1), np.median(stack[:, :, -1], axis=1)
    level = (top + bottom + left + right) / 4.0
    off = np.arange(-reach, reach + 1) / (2.0 * reach)
    background = (
        level[:, None, None] + ((bottom - top)[:, None] * off)[:, :, None] + ((right - left)[:, None] * off)[:, None, :]
    )
    ring = np.concatenate([stack[:, 0], stack[:, -1], stack[:, :, 0], stack[:, :, -1]], axis=1)
    ring_bg = np.concatenate([background[:, 0], background[:, -1], background[:, :, 0], background[:, :, -1]], axis=1)
    ring_noise = float(np.median(np.abs(ring - ring_bg))) * 1.4826
    centre = stack[:, mid - 1 : mid + 2, mid - 1 : mid + 2].mean(axis=(1, 2))
    sign = 1.0 if float(np.median(centre - background[:, mid, mid])) >= 0 else -1.0
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
        e = np.median(e[keep], axis=0) if keep.sum() >= 3 else e[keep].mean(axis=0)
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
        zoom = float(np.median([abs(float(np.linalg.det(_jacobian(g.H, xy)))) for xy in images.dot_xy]))
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


def _plane_projector(b: int) -> FloatArray:
    """Least-squares projector onto ``c0 + cx·x + cy·y`` over a ``b`` x ``b`` block (a smooth field's local part)."""
    ys, xs = np.mgrid[0:b, 0:b]
    design = np.stack([np.ones(b * b), xs.ravel() - (b - 1) / 2, ys.ravel() - (b - 1) / 2], axis=1)
    return np.asarray(design @ np.linalg.pinv(design))


_PLANE8 = _plane_projector(8)


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
    occluded: Array = np.asarray(hidden.any(axis=2))
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
            chosen = blocks.transpose(0, 2, 1, 3, 4)[good]  # (n, b, b, c)
            flat_blocks = chosen.reshape(len(chosen), b * b, -1)
            smooth = np.matmul(_PLANE8, flat_blocks)
            noise = float((flat_blocks - smooth).std() * math.sqrt(b * b / (b * b - 3)))
            means = flat_blocks.mean(axis=(1, 2))
            lo, hi = float(means.min()), float(means.max())
            if flat_blocks.shape[2] == 3 and len(chosen) >= 4:
                per_channel = flat_blocks.mean(axis=1)  # (n, 3)
                tint = per_channel - per_channel.mean(axis=1, keepdims=True)
                wander = float((tint - np.median(tint, axis=0)).std())
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
        level = float(np.median(inner))
        if level > 0.0 and float(np.median(np.abs(inner - level))) <= 0.1 * level:
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
    return np.asarray(np.median(values, axis=0), dtype=float)


# ------------------------------------------------------------------------------------------ the probe


def probe(transform: Any, *, seeds: int = 16, size: int = 64, seed: int = 0) -> Measurement:
    """Run ``transform`` ``seeds`` times on small probe images and measure what it did.

    ``transform`` is an albumentations transform or composition (probed as a copy with ``p=1``; inside a
    composition, branches with ``p=0`` stay off), a callable taking ``image=`` and returning a dict
    (albumentations style), or a plain function ``f(image) -> image``. Runs are seeded (``seed``,
    ``seed + 1``, ...), so a probe is deterministic. Raises :class:`ProbeError` when the transform cannot
    run on a plain RGB uint8 image.
    """
    if seeds < 1:
        raise ValueError("seeds must be at least 1")
    if size < 48:
        raise ValueError("size must be at least 48 pixels (the probe images need room for their landmarks)")
    images = _probe_images(size)
    runner = _albumentations_runner(transform) if _is_albumentations(transform) else None
    if runner is None:
        if not callable(transform):
            raise ProbeError(f"cannot probe {transform!r}: it is neither an albumentations transform nor a callable")
        from safeaug.libraries.reading import numpy_callable  # torchvision, MONAI, ...: run on their input type

        runner = _callable_runner(numpy_callable(transform) or transform)
    name = _name(transform)
    env = IDENTITY
    lost_geometry = 0
    missed: set[str] | None = None  # fields no run could read
    seen: dict[tuple[Any, ...], tuple[Envelope, set[str], bool]] = {}
    firsts: list[tuple[dict[str, Array], FloatArray | None]] = []  # the first runs, for the other inputs
    for i in range(seeds):
        try:
            out, kps, exact = runner(images, seed + i)
        except ProbeError:
            raise
        except Exception as exc:  # the transform's own failure: say which and why
            raise ProbeError(
                f"{name} failed on a {size}x{size} RGB uint8 probe image: {type(exc).__name__}: {exc}. "
                "The probe feeds images (and keypoints, for albumentations) only; a transform that needs masks "
                "or boxes cannot be probed."
            ) from exc
        if i < _SHARED_RUNS:
            firsts.append((out, kps))
        key = _fingerprint(out, kps)
        if key not in seen:  # a run that came out exactly like an earlier one measures the same
            seen[key] = _measure_run(out, kps, exact, images)
        run_env, missing, found = seen[key]
        lost_geometry += not found
        missed = set(missing) if missed is None else missed & missing
        env = env.union(run_env) if i else run_env
    notes: list[str] = []
    if lost_geometry:
        notes.append(
            f"no geometry could be fitted in {lost_geometry} of {seeds} runs (landmarks not found); "
            "pixels were compared in place there"
        )
    inputs = [f"{size}x{size} RGB uint8 ({seeds} runs)"]
    env = _probe_variants(transform, runner, images, seed, env, inputs, notes, firsts)
    unmeasured = set(ALWAYS_UNMEASURED) | (missed or set())
    return Measurement(env, seeds, tuple(sorted(unmeasured)), name, tuple(notes), tuple(inputs))


# ------------------------------------------------------------------------------------------ other inputs

# A transform may act on some inputs and not others (a function that mirrors only grey films, or turns
# every portrait image to landscape). After the square RGB uint8 runs, the probe images go through again as
# a grey image (H, W), a one-channel image (H, W, 1), uint16 and float32 (each read in full, back in 8-bit
# RGB), and a portrait and a landscape image (geometry only). Fewer runs each: a transform that acts on a
# kind of input acts on it whatever the draw, and the draws' range is read on the square runs.
_SHARED_RUNS = 2  # square runs kept to compare the other inputs' runs with
_VARIANT_RUNS = {"grey": 2, "one-channel": 1, "uint16": 1, "float32": 1, "portrait": 2, "landscape": 2}


def _variant_run(
    out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images, dtype: Any, env: Envelope
) -> Envelope:
    """What one run on a variant input did to the geometry, and whether it inverted the ramp, as ``env`` updated.

    Geometry and inversion only: the finer pixel readings are calibrated on 8-bit RGB, and a one-channel or
    float image posterised, blurred or noised the same way reads differently (a 1-bit posterisation of a grey
    image erases the dots). A function written for 8-bit images returns garbage for others (``clip(x + 10, 0,
    255)`` whitens a uint16 image): when the output's type is not the input's, the ramp is not read either.
    """
    rgb = {k: _as_rgb8(v) for k, v in out.items()}
    size, shape = images.size, rgb["geo"].shape[:2]
    g = _measure_geometry(rgb, kps, exact, images)
    found: dict[str, Any] = {}
    if g is not None and g.residual > _WARPED_PX:
        found["nonrigid"] = True
    elif g is not None and not (_is_identity(g, 1e-3) and shape == (size, size)):
        found.update(_geometry_fields(_decompose(g, (size, size), shape)))
    if out["geo"].dtype == dtype and (g is None or g.residual <= _WARPED_PX):
        m = _read_map(rgb["ramp"], _where(g, shape, size), images, 10.0)
        if m is not None and _read_intensity(m, 0.0, False).inversion:
            found["inversion"] = True
    return env.with_changes(**found)


def _geometry_fields(ge: _GeoEffects, *, scale: bool = True) -> dict[str, Any]:
    """The readings of a decomposed map that are more than measurement noise (mirror, turn, shear, zoom)."""
    found: dict[str, Any] = {"mirror": ge.mirror, "rotation": ge.rotation, "shear": ge.shear}
    if scale:
        found.update(scale_min=ge.scale_min, scale_max=ge.scale_max)
    return _clean(found)


def _as_variant(img: Array, kind: str) -> Array:
    if kind == "grey":
        return np.ascontiguousarray(img[..., 0] if np.ptp(img, axis=2).max() == 0 else _luma(img))
    if kind == "one-channel":
        return np.ascontiguousarray(img[..., :1] if np.ptp(img, axis=2).max() == 0 else _luma(img)[..., None])
    if kind == "uint16":
        return img.astype(np.uint16) * 257
    return (img.astype(np.float32) / 255.0).astype(np.float32)


def _as_square(
    out: dict[str, Array], kps: FloatArray | None, first: tuple[dict[str, Array], FloatArray | None], kind: str
) -> bool:
    """Whether a variant run's output is the square run's output, converted to the variant's kind and back."""
    square, square_kps = first
    if (kps is None) != (square_kps is None) or (
        kps is not None and square_kps is not None and not np.allclose(kps, square_kps, equal_nan=True, atol=1e-3)
    ):
        return False
    for name, img in out.items():
        ref = square[name]
        if ref.dtype != np.uint8 or ref.ndim != 3:
            return False
        a, b = _as_rgb8(img), _as_rgb8(_as_variant(ref, kind))
        if a.shape != b.shape or np.abs(a.astype(np.int16) - b.astype(np.int16)).max() > 2:
            return False
    return True


def _luma(img: Array) -> Array:
    return np.asarray(np.clip(np.rint(img.astype(float) @ _LUMA), 0, 255), np.uint8)


def _as_rgb8(img: Array) -> Array:
    """An output of any of the variant inputs back as 8-bit RGB, so the square readings apply unchanged."""
    a = np.asarray(img)
    if a.dtype == np.uint16:
        a = np.rint(a.astype(float) / 257.0)
    elif a.dtype.kind == "f":
        a = np.rint(np.nan_to_num(a.astype(float), nan=1.0) * 255.0)
    a = np.clip(a, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = a[..., None]
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a


_VARIANT_IMAGES: dict[tuple[int, str], _Images] = {}


def _fresh(images: _Images) -> _Images:
    """Copies of the input images, so that a transform that writes into its input cannot change the cache."""
    return replace(
        images,
        geo=images.geo.copy(),
        ramp=images.ramp.copy(),
        colors=images.colors.copy(),
        dots=images.dots.copy(),
        flat=images.flat.copy(),
    )


def _variant_images(images: _Images, kind: str) -> _Images:
    key = (images.size, kind)
    if key not in _VARIANT_IMAGES:
        v = {name: _as_variant(getattr(images, name), kind) for name in ("geo", *_TARGETS)}
        _VARIANT_IMAGES[key] = replace(
            images, geo=v["geo"], ramp=v["ramp"], colors=v["colors"], dots=v["dots"], flat=v["flat"]
        )
    return _VARIANT_IMAGES[key]


def _probe_variants(
    transform: Any,
    runner: Runner,
    images: _Images,
    seed: int,
    env: Envelope,
    inputs: list[str],
    notes: list[str],
    firsts: list[tuple[dict[str, Array], FloatArray | None]],
) -> Envelope:
    """The union of ``env`` with what the transform does to the other kinds of input; ``inputs`` and ``notes`` grow.

    ``firsts``: the outputs of the first square runs. A run on a grey, 16-bit or float input whose output is the
    square run's of the same seed, converted the same way (within 2 levels), shows nothing new and is not read.
    """
    failed: list[str] = []
    unread: list[str] = []
    for kind, runs in _VARIANT_RUNS.items():
        rect = kind in ("portrait", "landscape")
        try:
            for i in range(runs):
                if rect:
                    found = _rect_geometry(transform, runner, kind, seed + i)
                    if found is None:
                        unread.append(kind)
                        break
                    env = env.union(env.with_changes(**found))
                    continue
                variant = _fresh(_variant_images(images, kind))  # a float transform may work in place
                out, kps, exact = runner(variant, seed + i)
                if i < len(firsts) and _as_square(out, kps, firsts[i], kind):
                    continue
                env = env.union(_variant_run(out, kps, exact, images, variant.geo.dtype, env))
        except ProbeError:
            raise
        except Exception as exc:  # it cannot run on this kind of input: what it would do there stays unseen
            failed.append(f"{kind} ({type(exc).__name__})")
            continue
        if kind not in unread:
            inputs.append(f"{_VARIANT_NAMES[kind]} ({runs} run{'s' * (runs != 1)})")
    if failed:
        notes.append(f"it did not run on {', '.join(failed)} images: what it does to them was not seen")
    if unread:
        notes.append(f"its geometry on {' and '.join(unread)} images could not be read (landmarks not found)")
    return env


_VARIANT_NAMES = {
    "grey": "grey (H, W) uint8",
    "one-channel": "one-channel (H, W, 1) uint8",
    "uint16": "RGB uint16",
    "float32": "RGB float32",
    "portrait": "96x64 portrait RGB uint8, geometry only",
    "landscape": "64x96 landscape RGB uint8, geometry only",
}
_RECT_SHAPES = {"portrait": (96, 64), "landscape": (64, 96)}


def _rect_geometry(transform: Any, runner: Runner, kind: str, seed: int) -> dict[str, Any] | None:
    """Mirror, turn, zoom and shear on a non-square input: from coordinate maps sent through as a mask where
    albumentations' own code moves the pixels, else from the landmarks found in the output."""
    shape = _RECT_SHAPES[kind]
    if _is_albumentations(transform) and _keypoints_tell_all(transform):
        from safeaug.coordmap import measure

        forced = copy.deepcopy(transform)
        _force(forced)
        forced.p = 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = measure(forced, shape, seed=seed)
        if r.collapsed:
            return {"scale_min": 0.0, "crop_min": 0.0}
        M = np.array(r.linear, dtype=float)
        linear = _Geometry(np.vstack([np.hstack([M, np.zeros((2, 1))]), [0.0, 0.0, 1.0]]), 0.0, 0.0)
        # albumentations' own code on another frame: its zoom (whole output pixels, not the exact factor the
        # square runs read) is the catalog's to bound; a mirror or a turn that only this frame shows is not.
        return _geometry_fields(_decompose(linear, shape, r.output_shape), scale=False)
    rect = _rect_images(*shape)
    out, kps, exact = runner(_fresh(rect), seed)
    g = _measure_geometry({k: _as_rgb8(v) for k, v in out.items()}, kps, exact, rect)
    if g is None:
        return None
    if g.residual > _WARPED_PX:
        return {"nonrigid": True}
    return _geometry_fields(_decompose(g, shape, out["geo"].shape[:2]))


_RECT_IMAGES: dict[tuple[int, int], _Images] = {}


def _rect_images(h: int, w: int) -> _Images:
    """The geometry probe image (landmarks and keypoints) on an ``h`` x ``w`` frame; every target is that image."""
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
        )
    return _RECT_IMAGES[(h, w)]


def _fingerprint(out: dict[str, Array], kps: FloatArray | None) -> tuple[Any, ...]:
    parts: list[Any] = [None if kps is None else kps.tobytes()]
    for name in ("geo", *_TARGETS):
        img = out[name]
        parts += [img.shape, img.dtype.str, hash(img.tobytes())]
    return tuple(parts)


_GEOMETRY_FIELDS = frozenset(
    {"mirror", "rotation", "scale_min", "scale_max", "translation", "shear", "perspective", "nonrigid", "crop_min"}
)


def _measure_run(
    out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images
) -> tuple[Envelope, set[str], bool]:
    size = images.size
    for key, img in out.items():
        if img.ndim not in (2, 3) or img.shape[0] < 8 or img.shape[1] < 8:
            raise ProbeError(f"the transform returned an image of shape {img.shape} for the {key} probe image")
    g = _measure_geometry(out, kps, exact, images)
    effects: dict[str, Any] = {}
    missing: set[str] = set()
    out_shape = out["geo"].shape[:2]
    rigid = g is None or (_is_identity(g, 1e-3) and out_shape == (size, size))
    if g is None and _landmarks_moved(out["geo"], images):
        # The landmarks left their places and no map fits them (a strong warp without keypoints): pixels
        # compared in place would pair each with another's input (a warped ramp read as a slope of 0.46).
        missing |= (_GEOMETRY_FIELDS | _PIXEL_FIELDS | {"reflect_border", "occlusion"}) - {"noise"}
        _unpaired_noise(out["flat"], effects, missing)
        return Envelope(**_clean(effects)), missing, False
    if g is not None and g.residual > _WARPED_PX:
        # Far from any affine map (a strong warp, a tile shuffle): the fitted angles and factors mean
        # little, and pixels cannot be paired with their inputs. What stands: non-rigid, and the
        # mirror when the fit still holds together.
        effects["nonrigid"] = True
        if g.residual < 3.0 * _WARPED_PX:
            effects["mirror"] = float(np.linalg.det(g.M)) < 0
        missing |= (_GEOMETRY_FIELDS | _PIXEL_FIELDS | {"reflect_border"}) - {"nonrigid", "mirror"}
        _unpaired_noise(out["flat"], effects, missing)
        missing.add("occlusion")  # the border fill a warp pulls in cannot be told from a hole
        return Envelope(**_clean(effects)), missing, True
    geo_where = _where(g, out_shape, size)
    if g is None:
        missing |= set(_GEOMETRY_FIELDS) | {"reflect_border"}
    elif geo_where.identity:
        pass  # nothing moved: no geometric effect, and no border to fill
    else:
        ge = _decompose(g, (size, size), out_shape)
        effects.update(
            mirror=ge.mirror,
            rotation=ge.rotation,
            scale_min=ge.scale_min,
            scale_max=ge.scale_max,
            translation=ge.translation,
            shear=ge.shear,
            nonrigid=ge.nonrigid,
            perspective=ge.perspective,
            crop_min=min(1.0, ge.crop),
        )
        if g.residual <= _NONRIGID_PX:  # where no input pixel lands is known only for a good fit
            effects["reflect_border"] = _reflects(out["geo"], geo_where)
        else:
            missing.add("reflect_border")
    shapes = {out[k].shape[:2] for k in _TARGETS}
    same = len(shapes) == 1  # every probe image came out the same size: the same draw hit them all alike
    where = geo_where if out["flat"].shape[:2] == out_shape else _where(g, out["flat"].shape[:2], size)
    flat = _read_flat(out["flat"], where)
    noise, field, varies = 0.0, 0.0, False
    if flat is None:
        missing |= {"noise", "occlusion"}
    else:
        noise = flat.noise
        field = flat.field_hi - flat.field_lo
        # A brightness that changes across the image: the grey map then depends on where a level sits.
        channels = out["flat"].shape[2] if out["flat"].ndim == 3 else 1
        varies = field > _FIELD + 6.0 * noise / math.sqrt(64 * channels)
        if varies:  # a fractal field has detail at every scale: what is field and what is noise cannot be told
            missing.add("noise")
        else:
            effects["noise"] = noise
        if noise > _NOISY:  # strong noise: a hole cannot be told from a large excursion
            missing.add("occlusion")
        else:
            effects["occlusion"] = flat.occluded_share
            if same:  # the same holes are in every probe image: leave them out of the other readings
                hole = flat.occluded
                where = _Where(
                    where.ix, where.iy, where.inside & ~hole, where.outside, where.covered & ~hole, where.identity
                )
    if not same:  # images of different sizes: the draw depended on the image, pixels cannot be paired
        missing |= _PIXEL_FIELDS
        return Envelope(**_clean(effects)), missing, g is not None
    noisy = noise > _NOISY
    sigma = None if noisy else _read_blur(out["dots"], g, images, where.covered, noise)
    if sigma is None:
        missing.add("blur")
    else:
        effects["blur"] = sigma
    # Stay clear of edges the spread (or the misfit of a warp) mixed across; of all of them when the
    # spread could not be read.
    misfit = 2.0 * g.residual if g is not None else 0.0
    margin = 10.0 if sigma is None else 2.0 + min(3.0 * sigma + misfit, 8.0)
    m = _read_map(out["ramp"], where, images, margin, noise, _shared_tint(out["flat"], flat))
    if "blur" in effects:
        # Dots the tone map sends to their background's level (clipped to black with it, or the whole ramp
        # made one level) are gone, but not by blur: the spread cannot be read.
        flattened = m is None and float(np.ptp(_grey(out["ramp"]))) < 2.0 / 255.0
        ends = None if m is None else m(np.array([_DOT_BG, _DOT], dtype=float) / 255.0, exact=True)
        if flattened or (ends is not None and abs(float(ends[1] - ends[0])) < 4.0 / 255.0):
            del effects["blur"]
            missing.add("blur")
    if m is None:
        missing |= {"brightness", "contrast_min", "contrast_max", "gamma_min", "gamma_max", "inversion", "nonmonotone"}
    else:
        # With a field, only the map's straight-line part is read, and the field's range gives the gains.
        it = _read_intensity(m, noise, rigid and (sigma or 0.0) < 0.3 and field < _FIELD / 2, straight=varies)
        effects.update(
            inversion=it.inversion,
            nonmonotone=it.nonmonotone,
            brightness=it.brightness,
            contrast_min=it.contrast,
            contrast_max=it.contrast,
            gamma_min=it.gamma,
            gamma_max=it.gamma,
            posterize_bits=it.posterize,
        )
        if varies and flat is not None:
            effects.update(nonmonotone=False, posterize_bits=8.0)
            # The field's spread about the image's own level gives the gains; a shift common to the whole
            # image is brightness (read off the ramp above), not a gain: a flat grey moved from 0.50 to 0.59
            # by an added mean, with low-frequency noise on top, is a slope of 1, not of 1.18.
            level = _FLAT / 255.0
            effects["contrast_min"] = max(0.0, it.contrast - (flat.level - flat.field_lo) / level)
            effects["contrast_max"] = it.contrast + (flat.field_hi - flat.level) / level
            missing |= {"gamma_min", "gamma_max", "posterize_bits", "nonmonotone"}
        if noisy:
            missing.add("color")
        elif _casts(m, flat.tint_wander if flat is not None else 0.0):
            effects["color"] = True
    c = None if noisy else _read_colour(out["colors"], where, images, m, margin, noise)
    colours = out["colors"]
    if colours.ndim == 2 or colours.shape[2] == 1:  # one channel out of three: the colour is gone
        effects.update(grayscale=True, saturation_min=0.0, saturation_max=0.0)
    elif c is None:
        missing |= {"hue", "saturation_min", "saturation_max", "grayscale"}
    elif m is not None and varies:
        missing |= {"hue", "saturation_min", "saturation_max"}
        effects["grayscale"] = c.grey
    else:
        effects.update(hue=c.hue, saturation_min=c.sat_min, saturation_max=c.sat_max, grayscale=c.grey)
        if c.mixing:
            effects["color"] = True
    if c is not None and c.clipped:
        missing.add("grayscale")
    return Envelope(**_clean(effects)), missing, g is not None


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


_NOISY = 0.06  # above this noise sigma, colour and blur readings are not trustworthy
_FIELD = 0.015  # a flat grey whose 8x8 means spread more than this carries a brightness field
_WARPED_PX = 2.0  # affine-fit residual (RMS, px) beyond which the fit says little but "non-rigid"


def _interior(shape: tuple[int, int]) -> Array:
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w]
    return np.asarray((ys >= h // 4) & (ys < h - h // 4) & (xs >= w // 4) & (xs < w - w // 4))


_PIXEL_FIELDS = frozenset(
    {
        "blur",
        "brightness",
        "contrast_min",
        "contrast_max",
        "gamma_min",
        "gamma_max",
        "inversion",
        "nonmonotone",
        "posterize_bits",
        "hue",
        "saturation_min",
        "saturation_max",
        "color",
        "grayscale",
    }
)


# Readings within these margins of "nothing happened" are reported as nothing (measurement noise).
_DEADBAND: dict[str, float] = {
    "rotation": 0.25,
    "translation": 0.004,
    "shear": 0.5,
    "perspective": 0.004,
    "brightness": 1.5 / 255.0,
    "hue": 2.5,
    "blur": 0.12,
    "noise": 1.0 / 255.0,
    "occlusion": 0.002,
}
_DEADBAND_FACTORS: dict[str, float] = {
    "scale_min": 0.006,
    "scale_max": 0.006,
    "contrast_min": 0.01,
    "contrast_max": 0.01,
    "gamma_min": 0.0,
    "gamma_max": 0.0,
    "saturation_min": 0.03,
    "saturation_max": 0.03,
    "crop_min": 0.01,
}


def _clean(effects: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in effects.items():
        if isinstance(value, bool):
            if value:
                out[name] = True
            continue
        v = float(value)
        if name in _DEADBAND:
            if v > _DEADBAND[name]:
                out[name] = v
        elif name in _DEADBAND_FACTORS:
            if abs(v - 1.0) > _DEADBAND_FACTORS[name]:
                out[name] = v
        elif name == "posterize_bits":
            if v < 7.5:
                out[name] = v
        else:
            out[name] = v
    return out


# ------------------------------------------------------------------------------------------ comparing


# A saturation factor this small leaves colours the probe cannot tell from grey.
_NEAR_GREY = 0.1


def excess(measured: Envelope, static: Envelope) -> dict[str, tuple[Any, Any]]:
    """Fields where ``measured`` goes beyond ``static`` by more than the measurement tolerance.

    Returns ``{field: (measured value, static value)}``; ``{}`` means the static envelope contains the
    measurement. Besides :data:`TOLERANCE`, some effects are read together, because one picture can be
    described in two ways (``docs/probe.md`` lists them):

    * a crop, zoom, turn or shift hides part of the image: ``crop_min`` is compared with what all of the
      static geometry may hide, and a crop moves the centre (``translation``);
    * resampling spreads a dot: ``blur`` is compared with the static blur combined with the
      blur-equivalent of ``resolution``, plus 0.6 px of the output when the static envelope moves pixels
      at all (0.6/s px of the input after a zoom out by s);
    * noise coarser than a pixel reads as a brightness field and widens dots: static noise sigma gives
      the gains 2.5 sigma / 0.5 and the blur 3 sigma px of room;
    * a contrast stretch about the image mean shifts the ramp's levels: ``brightness`` gets half the
      static contrast (and gamma) range on top;
    * a shear may act on both axes (the measured angle between the axes is up to twice the static
      per-axis shear, and the scale read along an axis stretches by up to 1 + tan(shear)), and a
      perspective warp also zooms, shifts, turns and crops;
    * a turn, shift or zoom followed by a pad or resize leaves fill where the input was: ``occlusion`` gets
      the share the static geometry may hide; equalization stretches any small difference in the flat grey
      (noise, resampled edges) without bound (``noise`` and ``occlusion`` are then not compared);
    * static ``color`` (channel mixing), ``grayscale``, ``equalization`` or ``nonmonotone`` may change
      hue, saturation or tone in ways no single number bounds, and non-rigid warps or tile shuffles move
      keypoints in ways an affine map does not describe.
    """
    out: dict[str, tuple[Any, Any]] = {}
    # What the static envelope allows that no single number bounds.
    drawn = static.overlay or static.mixing  # other content blended in: tone, colour and detail can change
    shuffled = static.topology  # keypoints scatter: no affine reading means anything
    coded = static.compression < 100.0  # JPEG: chroma subsampling and blocks change colour and detail
    coarse = static.posterize_bits <= 3.0  # a handful of levels: no slope or shift describes the map
    tone_free = static.equalization or static.nonmonotone or drawn or coarse
    # Histogram maps work on luminance or per channel; down-sampling mixes neighbouring patches.
    colour_free = (
        static.color or static.grayscale or drawn or coded or static.equalization or static.resolution < 1.0
    ) or static.nonmonotone  # a fold applied to each channel turns colours too (the catalog counts it there)
    for name in ("mirror", "nonrigid", "reflect_border", "inversion", "nonmonotone", "color", "grayscale", "resize"):
        mine, theirs = getattr(measured, name), getattr(static, name)
        if not mine or theirs:
            continue
        if name == "color" and (colour_free or static.equalization):
            continue
        if name == "grayscale" and static.saturation_min <= _NEAR_GREY:  # too faint to tell from grey
            continue
        if name in ("nonrigid", "mirror", "reflect_border") and shuffled:
            continue
        if name in ("inversion", "nonmonotone") and (static.nonmonotone or drawn):
            continue
        out[name] = (mine, theirs)

    def over(name: str, limit: float) -> None:
        value = float(getattr(measured, name))
        if value > limit + TOLERANCE.get(name, 0.0):
            out[name] = (value, getattr(static, name))

    def under(name: str, limit: float) -> None:
        value = float(getattr(measured, name))
        if value < limit - TOLERANCE.get(name, 0.0):
            out[name] = (value, getattr(static, name))

    # ------------------------------------------------------------------ geometry
    warp = static.nonrigid or shuffled
    corner = _PERSPECTIVE_SIGMAS * static.perspective + (0.05 if warp else 0.0)  # corner travel, share of the side
    turn = math.degrees(math.atan(2.0 * corner)) if corner else 0.0
    # A turn followed by a stretch set by the input's aspect (SafeRotate on a non-square image, a resize to a
    # fixed size after a turn) shears by an amount the static side leaves unbounded (an SA407 warning).
    input_shear = static.rotation > 0 and math.isinf(static.aspect)
    if not warp:  # a warp moves points in ways an affine reading does not bound
        over("rotation", static.rotation + turn + min(static.shear, 45.0))
        if not input_shear:
            over("shear", 2.0 * static.shear + 2.0 * turn)
    over("perspective", corner)
    if not (static.resize or warp or input_shear):
        # A shear on both axes ([[1, t], [t, 1]], t = tan(shear)) stretches by up to 1 + t and squeezes
        # to 1 - t; with unequal axis scales and a turn, the axes read here can reach those extremes.
        t = math.tan(math.radians(min(static.shear, 40.0)))
        stretch = max(1.0 / math.cos(math.radians(min(2.0 * static.shear, 80.0))), 1.0 + t)
        squeeze = min(math.cos(math.radians(min(2.0 * static.shear, 80.0))), max(1.0 - t, 0.05))
        under("scale_min", static.scale_min * squeeze - 2.0 * corner)
        over("scale_max", static.scale_max * stretch / max(1.0 - 2.0 * corner, 0.1))
    if not (static.crop_unbounded or static.resize or warp):
        crop_shift = 0.0
        if static.crop_min < 1.0:
            side = math.sqrt(max(static.crop_min, 1e-6))
            crop_shift = (1.0 - side) / (2.0 * side)
        over("translation", static.translation + crop_shift + corner + static.translation_px / _MIN_SIZE)
        under("crop_min", _allowed_kept_area(static) * max(0.0, 1.0 - 2.0 * corner) ** 2)

    # ------------------------------------------------------------------ intensity and colour
    # Readings of a noisy output wander by about half the noise sigma (medians of few pixels, clipping).
    wander = 0.5 * measured.noise
    # Noise coarser than the probe's 8x8 blocks (GaussNoise's noise_scale_factor) reads as a brightness
    # field, whose spread gives the gains: block means of the mid-grey flat wander by up to 2.5 sigma.
    grain = 2.5 * static.noise / (_FLAT / 255.0)
    if not tone_free:
        c_lo, c_hi = static.contrast_min, static.contrast_max
        gamma_slack = 0.5 * max(1.0 - static.gamma_min, static.gamma_max - 1.0, 0.0)
        pivot_slack = 0.5 * max(1.0 - c_lo, c_hi - 1.0, 0.0)
        step = 2.0**-static.posterize_bits if static.posterize_bits < 8.0 else 0.0  # quantisation shifts levels
        over("brightness", static.brightness + pivot_slack + gamma_slack + wander + step)
        under("contrast_min", c_lo - gamma_slack - wander - grain - 2 * step)
        over("contrast_max", c_hi + gamma_slack + wander + grain + 2 * step)
        # A tone curve the catalog reads as a shift and a slope range may be read here as a gamma:
        # forgiven while the gamma curve moves no grey level further than the static shift allows.
        curve_room = static.brightness + pivot_slack + TOLERANCE["brightness"]
        if _gamma_shift(measured.gamma_min) > curve_room:
            under("gamma_min", static.gamma_min)
        if _gamma_shift(measured.gamma_max) > curve_room:
            over("gamma_max", static.gamma_max)
        if not (static.blur or static.resolution < 1.0 or static.noise or warp):
            under("posterize_bits", static.posterize_bits)  # resampling merges neighbouring ramp levels
    if not colour_free:
        # Blur and sharpening mix or push apart neighbouring patches near their edges.
        mixed = 0.15 if (static.blur > 0 or static.sharpen) else 0.0
        over("hue", static.hue + (3.0 if static.nonrigid else 0.0))
        under("saturation_min", static.saturation_min - wander - mixed)
        over("saturation_max", static.saturation_max + wander + mixed)

    # ------------------------------------------------------------------ detail and structure
    moves = (
        any(
            getattr(static, f) != getattr(IDENTITY, f)
            for f in ("rotation", "scale_min", "scale_max", "translation", "shear", "perspective", "nonrigid", "resize")
        )
        or static.crop_min < 1.0
    )
    # Resampling spreads a dot by about half a pixel of the output: 0.5/s px of the input after a zoom out by s
    # (the blur is read in input pixels).
    resampled = 0.6 / max(min(static.scale_min, 1.0), 0.25) if moves else 0.0
    sigma = math.hypot(static.blur, _resolution_sigma(static.resolution), resampled)
    # A histogram stretch multiplies any difference between levels by a gain no number bounds: noise, or the
    # few pixels a resampling touched along a border, in a flat grey are spread over the whole range (and
    # their outliers read as holes).
    stretched = static.equalization
    if not (drawn or coded):
        if not static.sharpen:  # a kernel with negative lobes has no second moment to compare
            # Coarse noise puts correlated bumps in a dot's window: up to 3 px per unit of noise sigma was
            # measured (GaussNoise, noise_scale_factor 0.25-0.5, sigma up to 0.05).
            over("blur", sigma + 3.0 * static.noise)
        if not stretched:
            over("noise", static.noise)
    # Impulse noise (salt and pepper) replaces pixels outright: a share of up to 4 sigma² of mid-grey ones.
    # Content a turn, shift or zoom pushes out of the frame, followed by a pad or resize that widens the
    # frame again, leaves fill inside the input's footprint: the static geometry counts that area as lost.
    cut = 1.0 - _allowed_kept_area(static)
    if not stretched:
        # After a growth set by the input size (a pad in pixels) the static occlusion is a share of an
        # unknown frame (`occlusion_unbounded`, an SA407 warning): there is no number to compare with.
        unknown = drawn or static.occlusion_unbounded
        over("occlusion", 1.0 if unknown else min(1.0, static.occlusion + 4.0 * static.noise**2 + cut))
    return out


_MIN_SIZE = 48  # the smallest probe image: shifts in pixels are at most this share of its side


def _gamma_shift(gamma: float) -> float:
    """The largest change ``x**gamma`` makes to a level ``x`` in [0, 1]."""
    if gamma <= 0:
        return 1.0
    if abs(gamma - 1.0) < 1e-9:
        return 0.0
    x = (1.0 / gamma) ** (1.0 / (gamma - 1.0))
    return float(abs(x**gamma - x))


def _resolution_sigma(factor: float) -> float:
    """Gaussian-equivalent sigma (input px) of sampling down by ``factor`` and back up.

    A box of ``1/factor`` px (down) convolved with a triangle of the same width (linear up) has a
    variance of ``(1/factor)² / 12 + (1/factor)² / 6``; the pixel's own box (1/12) is there without it.
    """
    if factor <= 0:
        return math.inf
    if factor >= 1:
        return 0.0
    return math.sqrt(max(0.0, (1.0 / factor**2 - 1.0) / 4.0))


def _allowed_kept_area(static: Envelope) -> float:
    """The smallest share of the input area the static envelope lets an output keep."""
    kept = static.crop_min / max(static.scale_max, 1.0) ** 2
    angle = math.radians(min(static.rotation, 45.0))
    # a square turned by `angle` keeps 1 - tan(a)(1 - ...) of itself; bounded below by the inscribed share
    kept *= _turned_overlap(angle)
    # a shear pushes two corners out as a turn does (on both axes: see the shear reading in `excess`)
    kept *= _sheared_overlap(math.tan(math.radians(min(static.shear, 45.0))))
    kept *= max(0.0, 1.0 - static.translation) ** 2
    return kept


def _sheared_overlap(t: float) -> float:
    """Share of a square that stays inside its own frame when sheared by ``t`` (tangent) on both axes."""
    if t <= 0:
        return 1.0
    return _square_overlap(np.array([[1.0, t], [0.0, 1.0]]) @ np.array([[1.0, 0.0], [t, 1.0]]))


def _turned_overlap(angle: float) -> float:
    """Share of a square that stays inside its own frame when turned by ``angle`` (radians) about its centre."""
    if angle <= 0:
        return 1.0
    c, s = math.cos(angle), math.sin(angle)
    return _square_overlap(np.array([[c, -s], [s, c]]))


def _square_overlap(M: FloatArray) -> float:
    """Exact share of the unit square (centred at 0) that the linear map ``M`` keeps inside the square.

    The map's image of the square is clipped to the square (both convex). Sampling the square on a grid
    missed the thin corners a small turn cuts: a 2° turn reads as keeping everything, while it leaves
    about 3% of the frame to border fill (read as occlusion after `Perspective(keep_size=False)`).
    """
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    poly = [tuple(p) for p in corners @ M.T]
    for axis in (0, 1):
        for sign in (1.0, -1.0):  # keep sign * p[axis] <= 0.5
            kept: list[tuple[float, float]] = []
            for i, a in enumerate(poly):
                b = poly[(i + 1) % len(poly)]
                a_in, b_in = sign * a[axis] <= 0.5, sign * b[axis] <= 0.5
                if a_in:
                    kept.append(a)
                if a_in != b_in:
                    f = (0.5 * sign - a[axis]) / (b[axis] - a[axis])
                    kept.append((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
            poly = kept
            if not poly:
                return 0.0
    xs, ys = np.array([p[0] for p in poly]), np.array([p[1] for p in poly])
    area = 0.5 * abs(float(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))))
    # the share of the input that stays: the kept part of the image, mapped back (divide by |det M|)
    return min(1.0, area / abs(float(np.linalg.det(M))))


def widened(measured: Envelope) -> Envelope:
    """A measured envelope made a little conservative: each effect pushed out by its tolerance.

    Used when a measurement stands in for a catalog entry, so that judging it against a policy errs
    on the side of refusing. Effects measured as nothing stay nothing.
    """
    changes: dict[str, Any] = {}
    for name, value in measured.__dict__.items():
        if isinstance(value, bool) or name not in TOLERANCE:
            continue
        tol = TOLERANCE[name]
        if name in ("scale_min", "contrast_min", "gamma_min", "saturation_min", "crop_min", "posterize_bits"):
            changes[name] = max(0.0, float(value) - tol)
        else:
            changes[name] = float(value) + tol
    env = measured.with_changes(**changes) if changes else measured
    return env.including_identity()


# ------------------------------------------------------------------------------------------ wrap


class Wrapped:
    """A transform that passed its policy: calling it calls the original with the same arguments.

    ``.report`` holds what the check found (warnings, e.g. ``SA408`` for parts described by probing),
    ``.policy`` the resolved policy and ``.fn`` the original. It pickles whenever the original does,
    so it can go into a ``DataLoader`` with worker processes.
    """

    __slots__ = ("__wrapped__", "fn", "policy", "report")

    def __init__(self, fn: Any, policy: Policy, report: Report) -> None:
        self.fn = fn
        self.policy = policy
        self.report = report
        self.__wrapped__ = fn  # inspect.signature(wrapped) shows the original's signature

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Everything else (``.transforms``, ``.set_random_seed``, ...) is the original's; never during unpickling.
        if name.startswith("__") or name in Wrapped.__slots__:
            raise AttributeError(name)
        return getattr(self.fn, name)

    def __getstate__(self) -> tuple[Any, Policy, Report]:
        return (self.fn, self.policy, self.report)

    def __setstate__(self, state: tuple[Any, Policy, Report]) -> None:
        fn, policy, report = state
        self.fn, self.policy, self.report, self.__wrapped__ = fn, policy, report, fn

    def __repr__(self) -> str:
        return f"safeaug.wrap({self.fn!r}, policy={self.policy.id!r})"


def wrap(fn: Any, policy: PolicyLike, *, seeds: int = 16, input_size: tuple[int, int] | None = None) -> Wrapped:
    """Check a dataset transform against ``policy`` now; return it unchanged in behaviour.

    ``fn`` is an albumentations transform or composition (checked from the catalog; parts safeaug has no
    entry for are run on probe images ``seeds`` times and judged by what they did), a callable in the
    albumentations style (``fn(image=...) -> dict``) or a plain function ``fn(image) -> image`` (both
    probed). Raises :class:`~safeaug.PolicyViolationError` when the policy refuses it, with every finding
    in ``.report``; a transform that cannot be run on a probe image is refused (``SA401``), never passed.
    ``input_size=(height, width)``: the size of the images it receives (see :func:`safeaug.validate`).
    """
    from safeaug.validator import input_size_of, judge  # the validator imports this module lazily

    size = input_size_of(input_size)
    resolved = load_policy(policy)
    report = judge(read_pipeline(fn), resolved, probe=True, seeds=seeds, input_size=size)
    if not report.ok:
        raise PolicyViolationError(report)
    return Wrapped(fn, resolved, report)
