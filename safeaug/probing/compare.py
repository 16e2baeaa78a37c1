"""Comparing a measured envelope with a static one: :func:`excess` (with the tolerances in
:data:`TOLERANCE` and the effects one picture can show in two ways) and :func:`widened`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from safeaug.effects import IDENTITY, Envelope
from safeaug.probing.images import _FLAT, FloatArray

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


_PERSPECTIVE_SIGMAS = 4.0  # static `perspective` is a sigma of corner offsets; measured is a corner offset
# A canvas that grows to hold the whole warped image (Perspective's fit_output) keeps in view the parts a crop
# to the frame cuts away, where the map bends most: the bend read there reached 4.6 sigma (Perspective with
# fit_output, 192 draws at each scale from 0.02 to 0.3; 1.5 sigma at 0.02, most near 0.18, where the drawn
# corners come close to albumentations' wrap at 0.32 of the side).
_PERSPECTIVE_SIGMAS_IN_FULL_VIEW = 6.0


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
      perspective warp also zooms, shifts, turns and crops; on a canvas grown to hold the whole warped
      image, the bend read where a crop would have cut is allowed 6 sigma of corner offset instead of 4;
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
    sigmas = _PERSPECTIVE_SIGMAS_IN_FULL_VIEW if static.canvas_growth > 1.0 else _PERSPECTIVE_SIGMAS
    corner = sigmas * static.perspective + (0.05 if warp else 0.0)  # corner travel, share of the side
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
