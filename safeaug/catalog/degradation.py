"""Degradations: blur, noise, loss of resolution, compression, sharpening and rank filters.

Units (see :class:`~safeaug.effects.Envelope`):

* ``blur`` is the standard deviation, in pixels, of the kernel along its widest direction, i.e. the
  sigma of the Gaussian that spreads a point as far. A box of size ``k`` has ``sqrt((k²-1)/12)``; a
  Gaussian kernel truncated to ``k`` taps is computed exactly from its taps. Kernels that ring
  (``RingingOvershoot``) have no meaningful second moment; for them the sigma of the Gaussian whose
  frequency response falls to one half at the same frequency is used.
* ``noise`` is the largest standard deviation of the per-pixel change, as a fraction of full scale.
  The small bias that clipping at 0 and 1 adds near the ends of the range (at most about 0.4 σ) is
  not reported as a brightness shift; explicit mean shifts are.
* Effects whose size in pixels grows with the image (a blur kernel of 1/30 of the image side, a
  radial zoom smear) have no bound in pixels without the image size: their ``blur`` is ``inf`` and
  their ``resolution`` is ``0``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from safeaug.catalog._registry import Knob, Params, entry, is_number
from safeaug.catalog._registry import round_down as _down
from safeaug.catalog._registry import round_up as _up
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

FAMILY = "degradation"


def sharpness_factor(f: float) -> Envelope:
    """PIL's sharpness adjustment (``ImageEnhance.Sharpness``, and torchvision's ``adjust_sharpness`` after it)
    by factor ``f``: a blend with the image smoothed by [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13, whose variance is
    6/13 px² per axis. Below 1 it blurs (at 0 by that whole kernel), above 1 it sharpens."""
    if f < 1.0:
        return Envelope(blur=math.sqrt(min(1.0, 1.0 - f) * 6.0 / 13.0))
    return Envelope(sharpen=f > 1.0)


UNBOUNDED_BLUR = math.inf

# OpenCV's fixed Gaussian kernels for sigma <= 0 and ksize <= 7 (getGaussianKernel's small tables).
_OPENCV_SMALL_GAUSSIANS: dict[int, tuple[float, ...]] = {
    1: (1.0,),
    3: (0.25, 0.5, 0.25),
    5: (0.0625, 0.25, 0.375, 0.25, 0.0625),
    7: (0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125),
}


# --------------------------------------------------------------------------- kernel arithmetic
def _box_sigma(k: float) -> float:
    """Standard deviation of a box of ``k`` taps (also the reach we give rank filters of that size)."""
    return math.sqrt(max(k * k - 1.0, 0.0) / 12.0)


def _opencv_sigma(k: int) -> float:
    """The sigma OpenCV derives from a kernel size when sigma is 0."""
    return 0.3 * ((k - 1) * 0.5 - 1.0) + 0.8


def _taps_std(weights: Sequence[float]) -> float:
    """Standard deviation of a symmetric 1-D kernel centred on its middle tap."""
    n = len(weights)
    total = sum(weights)
    if n <= 1 or total <= 0:
        return 0.0
    c = (n - 1) / 2.0
    return math.sqrt(sum(w * (i - c) ** 2 for i, w in enumerate(weights)) / total)


def _gaussian_std(sigma: float, size: int) -> float:
    """Standard deviation of ``exp(-x²/2σ²)`` sampled on ``size`` integer taps (``size`` made odd)."""
    if sigma <= 0 or size <= 1:
        return 0.0
    size += 1 - size % 2
    # Taps beyond 40 σ weigh exactly 0.0 (exp(-800) underflows): leaving them out changes no bit of the
    # result, and keeps `blur_limit=10**12` from building a trillion taps.
    half = size // 2
    if half > 40 * sigma:
        half = math.ceil(40 * sigma)
    if half > 1_000_000:  # σ of tens of thousands of pixels: the sampled Gaussian is the Gaussian itself
        return min(sigma, _box_sigma(size))
    return _taps_std([math.exp(-0.5 * (x / sigma) ** 2) for x in range(-half, half + 1)])


def _kernel_limit(p: Params, name: str, min_value: int) -> tuple[int, int]:
    """A kernel-size range normalised exactly as albumentations' ``process_blur_limit`` does it.

    A bare number ``x`` means ``(min_value, x)``; sizes below ``min_value`` are raised to it, even
    non-zero sizes are made odd by adding one, and a reversed pair collapses to its upper end.
    """
    value = p.raw(name)
    p.as_range(name, value, "fixed")  # validates the shape and types
    if is_number(value):
        lo, hi = min_value, int(value)
    else:
        lo, hi = int(value[0]), int(value[1])
    lo, hi = max(min_value, lo), max(min_value, hi)
    lo, hi = (x if x == 0 or x % 2 == 1 else x + 1 for x in (lo, hi))
    return (hi, hi) if lo > hi else (lo, hi)


def _largest_odd(sigma_of: Any, bound: float, start: int = 3) -> int:
    """The largest odd kernel size whose sigma stays within ``bound`` (at least ``start``)."""
    k = start
    while k < 999 and sigma_of(k + 2) <= bound + 1e-9:
        k += 2
    return k


def _blur_limit_example(sigma_of: Any) -> Any:
    return lambda b: f"blur_limit=(3, {_largest_odd(sigma_of, float(b))})"


# --------------------------------------------------------------------------- blurs
def _motion_sigma(k: int) -> float:
    # The rasterised line of a motion kernel can run along the diagonal of the k×k kernel (its k
    # samples are rounded to pixels), which stretches it by up to √2 compared with a line of k pixels.
    return math.sqrt(max(k * k - 1.0, 0.0) / 6.0)


@lru_cache(maxsize=256)
def _motion_line_sigma(k: int, angles: tuple[float, float], directions: tuple[float, float]) -> float:
    """Widest spread of MotionBlur's rasterised line of ``k`` samples, searched over its parameters.

    The line is rebuilt as ``create_motion_kernel`` builds it (k samples over a span shortened by the
    direction bias, rounded to pixels, duplicates removed) at every 0.5° of the angle range and at
    five directions; the random shift only moves the line (see :mod:`safeaug.catalog._motion`). A 3%
    margin covers the angle grid, and the closed form for a line along the kernel's diagonal caps it.
    The default ranges are looked up in a table computed by the same search; kernels larger than
    ``MAX_SEARCH_K`` get the closed form.
    """
    from safeaug.catalog import _motion

    if k > _motion.MAX_SEARCH_K:
        return _motion_sigma(k)
    best = None
    if _motion.normalise(angles, directions) == (_motion.FULL_TURN, _motion.EVERY_DIRECTION):
        from safeaug.catalog._motion_table import SPREAD

        best = SPREAD.get(k)
    if best is None:
        best = _motion.largest_spread(k, angles, directions)
    return min(_motion_sigma(k), 1.03 * math.sqrt(best))


def _motion_example(b: float) -> str:
    every_angle = (0.0, 360.0)
    k = 3
    while k < 999 and _box_sigma(k + 2) <= b:  # a straight line of k pixels is never wider than this
        k += 2
    while k > 3 and _motion_line_sigma(k, every_angle, (-1.0, 1.0)) > b:
        k -= 2
    if _motion_line_sigma(k, every_angle, (-1.0, 1.0)) <= b:
        return f"blur_limit=(3, {k})"
    # Even 3 samples along a diagonal spread too far: keep the line horizontal.
    return "blur_limit=(3, 3), angle_range=(0, 0)"


@entry("Blur", family=FAMILY, knobs={"blur": Knob("blur_limit", _blur_limit_example(_box_sigma))})
def _blur(p: Params) -> Envelope:
    """blurs with a random-size box kernel"""
    _, k = _kernel_limit(p, "blur_limit", 3)
    return Envelope(blur=_box_sigma(k))


@entry("MedianBlur", family=FAMILY, knobs={"blur": Knob("blur_limit", _blur_limit_example(_box_sigma))})
def _median_blur(p: Params) -> Envelope:
    """replaces each pixel by the median of a random-size window"""
    # A median over a k×k window erases every structure narrower than about half the window (a thin
    # line vanishes entirely instead of being attenuated), so it reaches at least as far as a box of
    # the same size: we give it the box's sigma.
    _, k = _kernel_limit(p, "blur_limit", 3)
    return Envelope(blur=_box_sigma(k))


@entry(
    "MotionBlur",
    family=FAMILY,
    knobs={"blur": Knob("blur_limit", lambda b: _motion_example(float(b))), "translation": Knob("allow_shifted")},
)
def _motion_blur(p: Params) -> Envelope:
    """smears the image along a random line"""
    _, k = _kernel_limit(p, "blur_limit", 3)
    lo, hi = p.range("direction_range", "symmetric")
    half = k // 2
    # A one-sided line (|direction| > 0) and a randomly shifted kernel move the kernel's centroid off
    # its centre: the image moves by up to half * (|direction| + shift) / 2 pixels per axis. The
    # transform touches only the image, so masks and keypoints do not move with it.
    bias = min(1.0, max(abs(lo), abs(hi)))
    shift = 1.0 if p.flag("allow_shifted") else 0.0
    angles = p.range("angle_range", "fixed")
    sigma = _motion_line_sigma(k, angles, (lo, hi))
    return Envelope(blur=sigma, translation_px=half * (bias + shift) / 2.0)


@entry(
    "GaussianBlur",
    family=FAMILY,
    knobs={
        "blur": Knob("sigma_limit", lambda b: f"sigma_limit=({_down(b / 2)}, {_down(b)})"),
        "destroys": Knob("sigma_limit", lambda _b: "sigma_limit=(0.5, 3.0)"),
    },
)
def _gaussian_blur(p: Params) -> Envelope:
    """blurs with a Gaussian kernel of random sigma"""
    _, sigma = p.range("sigma_limit", "zero")
    k_lo, k_hi = p.range("blur_limit", "zero")
    if sigma <= 0:
        # albumentations 1.x read sigma 0 (its default) as "from the kernel size", as OpenCV does; 2.0.8
        # builds its own kernel exp(-x²/2σ²) and divides 0 by 0: every tap is NaN, and so is every pixel
        # (white once stored as uint8). Whatever the kernel size: the whole image is replaced.
        return Envelope(destroys=True, occlusion=1.0, contrast_min=0.0, brightness=1.0)
    # albumentations 2.0.8 builds its own kernel: ksize 0 means int(3.5 σ)·2 + 1 taps (nearly the
    # full Gaussian: we report σ itself); a given size truncates the Gaussian to that many taps.
    spreads = [sigma] if k_lo <= 0 else []
    if k_hi > 0:
        spreads.append(_gaussian_std(sigma, int(k_hi)))
    return Envelope(blur=max(spreads))


@lru_cache(maxsize=256)
def _advanced_blur_sigma(
    ksizes: tuple[int, ...],
    sigmas_x: tuple[float, float],
    sigmas_y: tuple[float, float],
    angles: tuple[float, float],
    betas: tuple[float, ...],
    noise: tuple[float, float],
) -> float:
    """Widest spread of AdvancedBlur's generalised-Gaussian kernels, searched over its parameters.

    The kernel is rebuilt as albumentations builds it, at the ends of every range (sigmas, shape
    beta, the sizes in range) and at every 5° (plus the diagonals) of the rotation range; the
    spread along the widest direction is taken. Multiplicative tap noise in ``[n_lo, n_hi]`` can
    raise the second moment by at most ``n_hi / n_lo``. A 2% margin covers the angle grid.
    """
    import numpy as np  # only for the numeric searches: keep the lint path light

    best = 0.0
    a_lo, a_hi = angles
    if not a_hi - a_lo <= 360.0:  # a full turn already holds every kernel (`rotate_limit=10**9`, NaN)
        a_lo, a_hi = -180.0, 180.0
    grid = {a_lo, a_hi, *np.arange(a_lo, a_hi, 5.0).tolist()}
    grid |= {a for a in range(-360, 361, 45) if a_lo <= a <= a_hi}
    theta = np.deg2rad(np.array(sorted(grid)))
    cos, sin = np.cos(theta), np.sin(theta)
    pairs = {(sigmas_x[1], sigmas_y[0]), (sigmas_x[1], sigmas_y[1]), (sigmas_x[0], sigmas_y[1])}
    for k in ksizes:
        ax = np.arange(-k // 2 + 1.0, k // 2 + 1.0)
        xx, yy = np.meshgrid(ax, ax)
        for sx, sy in pairs:
            if sx <= 0 or sy <= 0:
                continue
            # inverse of U diag(sx², sy²) Uᵀ for every angle at once
            a = cos**2 / sx**2 + sin**2 / sy**2
            b = cos * sin * (1 / sx**2 - 1 / sy**2)
            c = sin**2 / sx**2 + cos**2 / sy**2
            quad = a[:, None, None] * xx**2 + 2 * b[:, None, None] * xx * yy + c[:, None, None] * yy**2
            for beta in betas:
                kern = np.exp(-0.5 * np.power(quad, beta))
                kern /= kern.sum(axis=(1, 2), keepdims=True)
                mx = (kern * xx).sum(axis=(1, 2))
                my = (kern * yy).sum(axis=(1, 2))
                cxx = (kern * xx**2).sum(axis=(1, 2)) - mx**2
                cyy = (kern * yy**2).sum(axis=(1, 2)) - my**2
                cxy = (kern * xx * yy).sum(axis=(1, 2)) - mx * my
                widest = (cxx + cyy) / 2 + np.sqrt(((cxx - cyy) / 2) ** 2 + cxy**2)
                best = max(best, float(widest.max()))
    n_lo, n_hi = noise
    cap = (max(ksizes) // 2) ** 2 * 2.0  # no tap lies further than the kernel's half-diagonal
    second_moment = best * (n_hi / n_lo) if n_lo > 0 else cap
    return math.sqrt(min(second_moment, cap)) * 1.02


_ADVANCED_BLUR_SEARCHED = 127  # largest kernel size searched


@entry(
    "AdvancedBlur",
    family=FAMILY,
    knobs={
        "blur": Knob("sigma_x_limit"),
        "destroys": Knob("sigma_y_limit", lambda _b: "sigma_x_limit=(0.2, 1.0), sigma_y_limit=(0.2, 1.0)"),
    },
)
def _advanced_blur(p: Params) -> Envelope:
    """blurs with a random anisotropic generalised-Gaussian kernel"""
    k_lo, k_hi = _kernel_limit(p, "blur_limit", 3)
    if k_hi > _ADVANCED_BLUR_SEARCHED:
        # No search over kernels this large (`blur_limit=10**9`): the search's own cap, the half-diagonal.
        return Envelope(blur=math.sqrt((k_hi // 2) ** 2 * 2.0) * 1.02)
    ksizes = tuple(range(max(3, k_lo), max(3, k_hi) + 1, 2))
    sx = p.range("sigma_x_limit", "zero")
    sy = p.range("sigma_y_limit", "zero")
    rot = p.range("rotate_limit", "symmetric")
    b_lo, b_hi = p.range("beta_limit", "zero")
    noise = p.range("noise_limit", "zero")
    # beta is drawn from [b_lo, 1] or [1, b_hi]; the kernel's spread is monotone in beta on each side.
    betas = tuple(sorted({max(b_lo, 1e-3), 1.0, max(b_hi, 1e-3)}))
    if max(sx) <= 0 or max(sy) <= 0:
        # A sigma of 0 on one axis makes the kernel's covariance singular: albumentations 2.0.8 then fails
        # (numpy cannot invert it) or, under a turn that leaves it barely invertible, divides by ~0 and
        # every pixel comes out NaN (white as uint8). Measured: all white for rotate_limit=(-90, 90).
        return Envelope(destroys=True, occlusion=1.0, contrast_min=0.0, brightness=1.0)
    return Envelope(blur=_advanced_blur_sigma(ksizes, sx, sy, rot, betas, noise))


def _opencv_gaussian_taps(sigma: float, ksize: int) -> np.ndarray:
    import numpy as np  # only for the numeric searches: keep the lint path light

    if sigma <= 0 and ksize in _OPENCV_SMALL_GAUSSIANS:
        return np.array(_OPENCV_SMALL_GAUSSIANS[ksize])
    if sigma <= 0:
        sigma = _opencv_sigma(ksize)
    x = np.arange(ksize) - (ksize - 1) / 2.0
    taps = np.exp(-0.5 * (x / sigma) ** 2)
    return np.asarray(taps / taps.sum())


@lru_cache(maxsize=256)
def _defocus_kernel_sigma(radius: int, alias: float) -> float:
    """Per-axis spread of Defocus's kernel, rebuilt as albumentations builds it.

    An aliased disk on a grid of ±max(8, r), smoothed by cv2.GaussianBlur (3 or 5 taps) with its
    default border (reflect-101). The border folds smoothing back onto the disk's rim, so the
    spread is a little larger than the disk's and the Gaussian's variances added.
    """
    r = max(1, radius)
    if r > 256:
        # No kernel this large is built (`radius=10**9` would need 10**18 taps): every tap lies within ±r
        # of the centre, so the spread is at most r.
        return float(r)
    import numpy as np  # only for the numeric searches: keep the lint path light

    half = max(8, r)
    ax = np.arange(-half, half + 1)
    inside = (ax[:, None] ** 2 + ax[None, :] ** 2) <= r * r
    disk = inside / inside.sum()
    taps = _opencv_gaussian_taps(alias, 3 if r <= 8 else 5)
    pad = len(taps) // 2
    padded = np.pad(disk, pad, mode="reflect")  # numpy "reflect" is OpenCV's BORDER_REFLECT_101
    rows = sum(w * padded[i : i + disk.shape[0], :] for i, w in enumerate(taps))
    kernel = sum(w * rows[:, i : i + disk.shape[1]] for i, w in enumerate(taps))
    kernel = kernel / kernel.sum()
    return math.sqrt(float((kernel * ax[None, :] ** 2).sum()))


def _defocus_sigma(radius: int, alias: tuple[float, float]) -> float:
    # The spread grows with the radius and with the alias sigma; sigma 0 makes OpenCV use its fixed
    # kernel for the size, which can be wider than a tiny positive sigma.
    spreads = [_defocus_kernel_sigma(radius, alias[1])]
    if alias[0] <= 0:
        spreads.append(_defocus_kernel_sigma(radius, 0.0))
    return max(spreads)


def _defocus_example(b: Any) -> str:
    r = 1
    while r < 1000 and _defocus_sigma(r + 1, (0.1, 0.5)) <= float(b) + 1e-9:
        r += 1
    return f"radius=(1, {r}), alias_blur=(0.1, 0.5)"


@entry("Defocus", family=FAMILY, knobs={"blur": Knob("radius", _defocus_example)})
def _defocus(p: Params) -> Envelope:
    """blurs with a disk kernel, like an out-of-focus lens"""
    _, r_hi = p.range("radius", "one")
    alias = p.range("alias_blur", "zero")
    return Envelope(blur=_defocus_sigma(int(r_hi), alias))


@entry("GlassBlur", family=FAMILY, knobs={"blur": Knob("max_delta")})
def _glass_blur(p: Params) -> Envelope:
    """blurs, scrambles nearby pixels, and blurs again"""
    sigma = p.number("sigma")
    delta = p.number("max_delta")
    iterations = p.number("iterations")
    mode = p.text("mode")
    # Two Gaussian blurs (variance 2σ²) around a local shuffle. Each iteration moves a pixel's value
    # by an offset in [-max_delta, max_delta); in "exact" mode swaps run one after another, so values
    # can travel along chains. Measured spreads of the displacement (64–128 px images) are at most
    # 0.71·max_delta·√iterations ("fast") and 1.3·max_delta·√iterations ("exact"); we use 0.75 and
    # 1.5 (an empirical bound, erring wide).
    factor = 1.5 if mode == "exact" else 0.75
    scramble = factor * delta * math.sqrt(max(iterations, 0.0))
    return Envelope(blur=math.sqrt(2 * sigma**2 + scramble**2))


@entry("ZoomBlur", family=FAMILY)
def _zoom_blur(p: Params) -> Envelope:
    """averages the image with zoomed-in copies of itself (a radial smear)"""
    _, m_hi = p.range("max_factor", "one")
    s_lo, _ = p.range("step_factor", "zero")
    # Zoom factors are arange(1, max(1 + step, max_factor), step): only [1] (no change) unless the
    # largest factor can exceed 1 + step. A point at distance d from the centre is smeared over
    # d·(1 - 1/zoom) pixels, which grows with the image size: no bound in pixels.
    if m_hi <= 1.0 + s_lo:
        return Envelope()
    return Envelope(blur=UNBOUNDED_BLUR)


@lru_cache(maxsize=256)
def _ringing_sigma(ksize: int, cutoff: float) -> float:
    """Gaussian-equivalent sigma of RingingOvershoot's truncated jinc kernel (half-amplitude match)."""
    import importlib

    import numpy as np  # only for the numeric searches: keep the lint path light

    special: Any = importlib.import_module("scipy.special")
    cutoff = max(cutoff, 1e-3)
    c = (ksize - 1) / 2.0
    ax = np.arange(ksize) - c
    xx, yy = np.meshgrid(ax, ax)
    r = np.sqrt(xx**2 + yy**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        kern = cutoff * special.j1(cutoff * r) / (2 * np.pi * r)
    kern[int(c), int(c)] = cutoff**2 / (4 * np.pi)
    kern = kern / kern.sum()
    omega = np.linspace(0.0, np.pi, 1025)[1:]
    lowest = np.pi
    for ux, uy in ((1.0, 0.0), (math.sqrt(0.5), math.sqrt(0.5))):
        proj = ux * xx + uy * yy
        response = (kern[None] * np.cos(omega[:, None, None] * proj[None])).sum(axis=(1, 2))
        below = np.nonzero(response < 0.5)[0]
        if below.size:
            lowest = min(lowest, float(omega[below[0]]))
    # A Gaussian's response exp(-σ²ω²/2) is one half at ω = sqrt(2 ln 2)/σ.
    return math.sqrt(2 * math.log(2)) / lowest


_RINGING_SEARCHED = 127  # largest kernel size rebuilt


@entry(
    "RingingOvershoot",
    family=FAMILY,
    knobs={
        "blur": Knob("cutoff"),
        "sharpen": Knob("cutoff"),
        "destroys": Knob("cutoff", lambda _b: "cutoff=(0.7853981633974483, 1.5707963267948966)"),
    },
)
def _ringing_overshoot(p: Params) -> Envelope:
    """low-passes with a sinc kernel that rings (halos next to edges)"""
    k_lo, k_hi = _kernel_limit(p, "blur_limit", 3)
    c_lo, c_hi = p.range("cutoff", "fixed")
    if c_hi <= 0.0:
        # A zero cutoff makes the sinc kernel 0/0: every pixel comes out NaN (white as uint8). A range that
        # only starts at 0 draws exactly 0 with probability nil.
        return Envelope(destroys=True, occlusion=1.0, contrast_min=0.0, brightness=1.0)
    # ksize is drawn from range(k_lo, k_hi + 1, 2), made odd; the lowest cutoff blurs most, but
    # the kernel size matters non-monotonically (a short kernel truncates the jinc into a box).
    if k_hi > _RINGING_SEARCHED:
        # Kernels this large are not rebuilt (`blur_limit=10**9`); their reach is not bounded here.
        return Envelope(blur=UNBOUNDED_BLUR, sharpen=True)
    sizes = {k + 1 - k % 2 for k in range(k_lo, k_hi + 1, 2)}
    sigma = max(_ringing_sigma(k, c_lo) for k in sizes)
    return Envelope(blur=sigma, sharpen=True)


@entry("Morphological", family=FAMILY, knobs={"blur": Knob("scale")})
def _morphological(p: Params) -> Envelope:
    """dilates or erodes with an elliptic kernel (a local max or min filter)"""
    lo, hi = p.range("scale", "one")
    if p.text("operation") not in ("erosion", "dilation"):
        raise ConfigError(f"Morphological.operation: expected 'erosion' or 'dilation', got {p.raw('operation')!r}")
    # albumentations 2.0.8 does not sample `scale`: the pair itself is the kernel size (width, height).
    # A max/min filter erases (or fills) structures thinner than its window; like the median we give
    # it the sigma of a box of the window's larger side.
    return Envelope(blur=_box_sigma(max(int(lo), int(hi))))


# --------------------------------------------------------------------------- resolution, compression
@entry("Downscale", family=FAMILY, knobs={"resolution": Knob("scale_range", lambda b: f"scale_range=({_up(b)}, 1.0)")})
def _downscale(p: Params) -> Envelope:
    """shrinks and re-enlarges the image, losing detail"""
    lo, _ = p.range("scale_range", "fixed")
    return Envelope(resolution=min(1.0, max(lo, 0.0)))


@entry(
    "ImageCompression",
    family=FAMILY,
    knobs={"compression": Knob("quality_range", lambda b: f"quality_range=({math.ceil(b)}, 100)")},
)
def _image_compression(p: Params) -> Envelope:
    """re-encodes as JPEG or WebP at a random quality"""
    lo, _ = p.range("quality_range", "fixed")
    return Envelope(compression=min(100.0, max(1.0, lo)))


@entry("Superpixels", family=FAMILY, knobs={"resolution": Knob("p_replace")})
def _superpixels(p: Params) -> Envelope:
    """flattens random superpixels to their mean colour"""
    _, p_hi = p.range("p_replace", "zero")
    p.range("n_segments", "one")
    p.optional_number("max_size")  # validated; with or without it the loss depends on the image size
    # Whenever one segment is replaced, an image larger than `max_size` is shrunk to `max_size` px
    # on its longer side and enlarged back (a loss of max_size / side), and each replaced segment
    # (about side²/n_segments px) loses all detail. Both depend on the image size: unbounded.
    if p_hi <= 0:
        return Envelope()
    return Envelope(resolution=0.0)


# --------------------------------------------------------------------------- noise
def _std_example(b: float) -> str:
    return f"std_range=({_down(b / 2)}, {_down(b)})"


@entry(
    "GaussNoise",
    family=FAMILY,
    knobs={
        "noise": Knob("std_range", lambda b: _std_example(float(b))),
        "brightness": Knob("mean_range", lambda b: f"mean_range=(-{_down(b)}, {_down(b)})"),
    },
)
def _gauss_noise(p: Params) -> Envelope:
    """adds Gaussian noise"""
    # std_range and mean_range are fractions of the dtype's maximum in 2.0.8 (noise is sampled in
    # units of 1 and multiplied by max_value).
    _, std = p.range("std_range", "zero")
    mean = p.magnitude("mean_range", "symmetric")
    p.number("noise_scale_factor")
    return Envelope(noise=std, brightness=mean)


def _iso_intensity(b: float) -> float:
    return math.pow(max(b, 0.0) / math.sqrt(2.0), 2.0 / 3.0)


@entry(
    "ISONoise",
    family=FAMILY,
    knobs={
        "noise": Knob("intensity", lambda b: f"intensity=(0.0, {_down(_iso_intensity(float(b)))})"),
        "brightness": Knob("intensity", lambda b: f"intensity=(0.0, {_down(math.sqrt(max(float(b), 0.0)))})"),
        "color": Knob("color_shift"),
    },
)
def _iso_noise(p: Params) -> Envelope:
    """adds camera-sensor noise (Poisson on lightness, Gaussian on hue)"""
    _, intensity = p.range("intensity", "zero")
    _, shift = p.range("color_shift", "zero")
    # Lightness L (0..1) gets intensity·(1-L)·Poisson(λ) with λ = std(L)·intensity <= intensity/2:
    # std <= intensity·sqrt(intensity/2), mean <= intensity²/2. In RGB a change of L moves a channel
    # by up to twice as much (dark, saturated pixels), hence sqrt(2)·intensity^1.5 and intensity².
    # Output is clipped to [0, 1], so no std exceeds 0.5. Hue gets N(0, color_shift·intensity) degrees.
    noise = min(0.5, math.sqrt(2.0) * math.pow(max(intensity, 0.0), 1.5))
    return Envelope(noise=noise, brightness=min(1.0, intensity**2), color=shift > 0 and intensity > 0)


def _shot_scale(b: float) -> float:
    return math.pow(max(b, 0.0) / 0.62, 2.2)


def _shot_example(b: float) -> str:
    return f"scale_range=({_down(_shot_scale(b) / 3)}, {_down(_shot_scale(b))})"


@entry(
    "ShotNoise",
    family=FAMILY,
    knobs={"noise": Knob("scale_range", lambda b: _shot_example(float(b)))},
)
def _shot_noise(p: Params) -> Envelope:
    """adds photon (Poisson) noise in linear light"""
    _, scale = p.range("scale_range", "zero")
    # out = (Poisson(x^2.2 / s)·s)^(1/2.2), clipped. Computed exactly from the Poisson law over
    # x in [0, 1]: the largest std is 0.6161·s^(1/2.2) for s <= 0.2 and never above 0.5 (the std of
    # anything clipped to [0, 1]); 0.62·s^(1/2.2) capped at 0.5 bounds it for every s.
    return Envelope(noise=min(0.5, 0.62 * math.pow(max(scale, 0.0), 1 / 2.2)))


_ADDITIVE_DEFAULTS: dict[str, dict[str, Any]] = {
    "uniform": {"ranges": [(-0.1, 0.1)]},
    "gaussian": {"mean_range": (0.0, 0.0), "std_range": (0.05, 0.15)},
    "laplace": {"mean_range": (0.0, 0.0), "scale_range": (0.05, 0.15)},
    "beta": {"alpha_range": (0.5, 1.5), "beta_range": (0.5, 1.5), "scale_range": (0.1, 0.3)},
}
# Tails of unbounded laws (Gaussian, Laplace) are cut at 3 standard deviations for constant offsets.
_TAIL_SIGMAS = 3.0


@entry("AdditiveNoise", family=FAMILY, knobs={"noise": Knob("noise_params"), "brightness": Knob("noise_params")})
def _additive_noise(p: Params) -> Envelope:
    """adds noise from a chosen law, per pixel or as one offset per channel"""
    kind = p.text("noise_type")
    mode = p.text("spatial_mode")
    if kind not in _ADDITIVE_DEFAULTS:
        raise ConfigError(f"AdditiveNoise.noise_type: expected one of {sorted(_ADDITIVE_DEFAULTS)}, got {kind!r}")
    if mode not in ("constant", "per_pixel", "shared"):
        raise ConfigError(f"AdditiveNoise.spatial_mode: expected constant, per_pixel or shared, got {mode!r}")
    given = p.raw("noise_params")
    if given is not None and not isinstance(given, dict):
        raise ConfigError(f"AdditiveNoise.noise_params: expected a dict, got {given!r}")
    params = dict(given) if given is not None else dict(_ADDITIVE_DEFAULTS[kind])

    def pair(key: str) -> tuple[float, float]:
        if key not in params:
            raise ConfigError(f"AdditiveNoise.noise_params: `{key}` is required for {kind} noise")
        return p.as_range(f"noise_params.{key}", params[key], "fixed")

    # Per law: the largest |offset| (constant mode), the largest std and the largest |mean|.
    if kind == "uniform":
        ranges = params.get("ranges")
        if not isinstance(ranges, (list, tuple)) or not ranges:
            raise ConfigError(f"AdditiveNoise.noise_params.ranges: expected a list of pairs, got {ranges!r}")
        pairs = [p.as_range("noise_params.ranges", r, "fixed") for r in ranges]
        offset = max(max(abs(lo), abs(hi)) for lo, hi in pairs)
        lo, hi = pairs[0]  # per-pixel noise uses the first range only
        std, mean = (hi - lo) / math.sqrt(12.0), abs(lo + hi) / 2.0
        varies = any(hi > lo for lo, hi in pairs) or len({r for r in pairs}) > 1
    elif kind in ("gaussian", "laplace"):
        mean = max(abs(v) for v in pair("mean_range"))
        spread = pair("std_range" if kind == "gaussian" else "scale_range")[1]
        std = spread if kind == "gaussian" else math.sqrt(2.0) * spread
        offset, varies = mean + _TAIL_SIGMAS * std, True
    else:  # beta: (2X - 1)·scale with X ~ Beta(a, b)
        a_lo, a_hi = pair("alpha_range")
        b_lo, b_hi = pair("beta_range")
        scale = pair("scale_range")[1]
        # var(X) = ab / ((a+b)²(a+b+1)) <= 1 / (4(a+b+1)); E[2X-1] = (a-b)/(a+b), extreme at corners.
        std = scale / math.sqrt(max(a_lo + b_lo, 0.0) + 1.0)
        skew = [(a - b) / (a + b) for a, b in ((a_hi, b_lo), (a_lo, b_hi)) if a + b > 0]
        mean = scale * max((abs(s) for s in skew), default=1.0)
        offset, varies = scale, True
    if mode == "constant":
        # One offset per channel for the whole image, drawn independently per channel: a brightness
        # shift and a shift of the colour balance (this is RGBShift).
        return Envelope(brightness=min(1.0, offset), color=varies)
    return Envelope(noise=std, brightness=min(1.0, mean))


@entry(
    "MultiplicativeNoise",
    family=FAMILY,
    knobs={
        "noise": Knob("multiplier"),
        "contrast": Knob("multiplier", lambda b: f"multiplier=({_up(b[0])}, {_down(b[1])})"),
        "brightness": Knob("multiplier", lambda b: f"multiplier=({_up(1 - b)}, {_down(1 + b)})"),
        "color": Knob("per_channel"),
    },
)
def _multiplicative_noise(p: Params) -> Envelope:
    """multiplies pixels by random factors"""
    lo, hi = p.range("multiplier", "around_one")
    elementwise = p.flag("elementwise")
    per_channel = p.flag("per_channel")
    env = Envelope(
        contrast_min=lo,
        contrast_max=hi,
        brightness=max(abs(1.0 - lo), abs(hi - 1.0)),
    )
    if elementwise:
        # x·m with m ~ U(lo, hi) per pixel: std x·(hi-lo)/√12 <= (hi-lo)/√12 at full scale.
        return env.with_changes(noise=(hi - lo) / math.sqrt(12.0))
    # One factor for the whole image (or per channel: a change of colour balance).
    return env.with_changes(color=per_channel and hi > lo)


@entry(
    "PixelDropout",
    family=FAMILY,
    knobs={"occlusion": Knob("dropout_prob", lambda b: f"dropout_prob={_down(min(1.0, b))}")},
)
def _pixel_dropout(p: Params) -> Envelope:
    """replaces random pixels by a fixed or random value"""
    # Treated as occlusion rather than noise: each pixel is replaced independently of its content
    # (like a hole of one pixel), the mask can be dropped with it, and the fraction replaced is the
    # probability itself (in expectation; on images of any size the realised share stays close to it).
    prob = min(1.0, max(p.number("dropout_prob"), 0.0))
    per_channel = p.flag("per_channel")
    if per_channel:
        # Each channel drops independently: a pixel loses at least one of its (RGB) channels with
        # probability 1 - (1 - p)³, about three times p.
        return Envelope(occlusion=1.0 - (1.0 - prob) ** 3, color=prob > 0)
    return Envelope(occlusion=prob)


@entry(
    "SaltAndPepper",
    family=FAMILY,
    knobs={"noise": Knob("amount", lambda b: f"amount=({_down(min(1.0, b * b) / 6)}, {_down(min(1.0, b * b))})")},
)
def _salt_and_pepper(p: Params) -> Envelope:
    """sets random pixels to black or white"""
    # Impulse noise, bounded by its root-mean-square change: a share `amount` of pixels goes to 1
    # (with probability r) or 0, so E[change²] <= amount·max(r, 1 - r) (for pixels at 0 or 1). The
    # RMS includes the mean shift, so the bias is covered too.
    _, amount = p.range("amount", "zero")
    r_lo, r_hi = p.range("salt_vs_pepper", "fixed")
    worst = max(r_hi, 1.0 - r_lo, 0.0)
    return Envelope(noise=math.sqrt(max(amount, 0.0) * min(worst, 1.0)))


# --------------------------------------------------------------------------- sharpening
@entry(
    "Sharpen",
    family=FAMILY,
    knobs={"sharpen": Knob("alpha"), "contrast": Knob("lightness"), "brightness": Knob("lightness")},
)
def _sharpen(p: Params) -> Envelope:
    """sharpens edges"""
    a_lo, a_hi = p.range("alpha", "zero")
    method = p.text("method")
    if method == "gaussian":
        p.number("sigma")
        return Envelope(sharpen=a_hi > 0)
    l_lo, l_hi = p.range("lightness", "fixed")
    # The kernel (1-α)·δ + α·[[-1,-1,-1],[-1,8+L,-1],[-1,-1,-1]] sums to 1 + α(L - 1): besides
    # sharpening, flat areas are multiplied by that gain (darker for L < 1, brighter for L > 1).
    gains = [1.0 + a * (lightness - 1.0) for a in (a_lo, a_hi) for lightness in (l_lo, l_hi)]
    g_lo, g_hi = min(gains), max(gains)
    return Envelope(
        sharpen=a_hi > 0,
        contrast_min=g_lo,
        contrast_max=g_hi,
        brightness=max(abs(1.0 - g_lo), abs(g_hi - 1.0)),
    )


@entry("Emboss", family=FAMILY, knobs={"sharpen": Knob("alpha")})
def _emboss(p: Params) -> Envelope:
    """embosses (a directional relief; the kernel sums to 1)"""
    _, a_hi = p.range("alpha", "zero")
    p.range("strength", "zero")
    return Envelope(sharpen=a_hi > 0)


@entry("UnsharpMask", family=FAMILY, knobs={"sharpen": Knob("alpha")})
def _unsharp_mask(p: Params) -> Envelope:
    """sharpens by adding back the difference from a blurred copy"""
    _kernel_limit(p, "blur_limit", 3)
    p.range("sigma_limit", "zero")
    _, a_hi = p.range("alpha", "zero")
    return Envelope(sharpen=a_hi > 0)


# --------------------------------------------------------------------------- optics
@entry(
    "ChromaticAberration",
    family=FAMILY,
    knobs={"color": Knob("primary_distortion_limit"), "nonrigid": Knob("primary_distortion_limit")},
)
def _chromatic_aberration(p: Params) -> Envelope:
    """shifts the red and blue channels radially (colour fringes)"""
    # Red and blue are each remapped with a radial lens distortion (k1 = primary, k2 = secondary,
    # focal length = image size), green is kept: at the corners the channels separate by about
    # side·(|k1|/4 + |k2|/8) pixels. Each channel keeps its detail, so this is reported as a colour
    # change and a non-rigid warp (of two channels), not as blur.
    k1 = p.magnitude("primary_distortion_limit", "symmetric")
    k2 = p.magnitude("secondary_distortion_limit", "symmetric")
    moves = k1 > 0 or k2 > 0
    return Envelope(color=moves, nonrigid=moves)
