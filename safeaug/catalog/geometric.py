"""Geometric transforms: mirrors, turns, affine maps, warps, crops, resizes and pads.

Every rigid map is written as "an optional left-right mirror, then a rotation": a vertical flip is a
mirror plus a half turn, a transpose a mirror plus a quarter turn. So ``mirror`` answers "can the
image come out as its own reflection?" and ``rotation`` "how far can up move away from up?".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from safeaug.catalog._registry import Knob, Params, constant, defaults_for, entry, is_number, round_up
from safeaug.effects import Envelope

FAMILY = "geometric"

# OpenCV border modes that fill the border with content copied from the image.
_COPYING_BORDERS = {2, 3, 4}  # BORDER_REFLECT, BORDER_WRAP, BORDER_REFLECT_101


def _reflects(p: Params, key: str = "border_mode") -> bool:
    value = p.raw(key)
    if isinstance(value, str):  # configs sometimes spell the OpenCV constant
        return value.upper().replace("CV2.", "") in {"BORDER_REFLECT", "BORDER_WRAP", "BORDER_REFLECT_101"}
    return value in _COPYING_BORDERS


def _fit_scale(angle: float) -> float:
    """How much a square image must shrink so that its rotation by up to ``angle`` fits the frame."""
    a = math.radians(min(abs(angle), 45.0))
    return 1.0 / (math.cos(a) + math.sin(a))


def _limit(b: float) -> str:
    return f"limit=({-b:g}, {b:g})"


_XY = frozenset({"x", "y"})


def _xy(p: Params, name: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x and y ranges of an Affine parameter that may be one range or a per-axis dict.

    albumentations 2.0.8 fills an axis missing from the dict with 1.0 (for ``shear`` that is a 1° shear).
    """
    value = p.raw(name)
    if isinstance(value, Mapping):
        if not value.keys() <= _XY:
            p.axes(name, "fixed")  # raises the error that names the keys allowed
        x, y = value.get("x", 1.0), value.get("y", 1.0)
        return p.as_range(name, x, "fixed"), p.as_range(name, y, "fixed")
    both = p.range(name, "fixed")
    return both, both


class _Linear(NamedTuple):
    mirror: bool
    turn: float  # degrees, largest
    zoom_min: float
    zoom_max: float
    shear: float  # degrees: how far the mapped axes may be from a right angle


@functools.lru_cache(maxsize=1024)
def _linear_reading(
    scale_x: tuple[float, float],
    scale_y: tuple[float, float] | None,
    rotate: tuple[float, float],
    shear_x: tuple[float, float] = (0.0, 0.0),
    shear_y: tuple[float, float] = (0.0, 0.0),
) -> _Linear:
    """Turn, mirror, zoom and shear of albumentations' affine linear part over every draw of its ranges.

    albumentations 2.0.8 builds ``[[1, tan -sx], [tan -sy, 1]] · R(r) · diag(kx, ky)`` with every factor drawn
    on its own (``scale_y`` None: ky = kx, ``keep_ratio``). Read exactly: the turn is the polar angle (after
    taking out a left-right mirror), a mirror the sign of the determinant, the zooms the singular values and
    the shear the angle between the mapped axes. Each entry is linear in tan sx, tan sy, kx and ky, so the
    worst case over those sits at the ends of their ranges; the angle is sampled in eight steps, ends included.
    The determinant ``(1 - tan sx · tan sy) · kx · ky`` is bilinear: a range that reaches 1 for the product,
    or 0 for a scale, collapses the image (zoom 0), and one beyond it mirrors.
    """
    scales = (*scale_x, *(scale_y or ()))
    if shear_x == shear_y == (0.0, 0.0) and min(scales) > 0.0:
        # No shear and positive scales: R · diag(kx, ky) turns by r exactly, zooms by kx and ky, keeps right angles.
        return _Linear(False, min(180.0, max(abs(v) for v in rotate)), min(scales), max(scales), 0.0)
    # albumentations negates the drawn shears before building the matrix.
    txs = [math.tan(math.radians(-v)) for v in shear_x]
    tys = [math.tan(math.radians(-v)) for v in shear_y]
    kys = scale_y if scale_y is not None else None
    r_lo, r_hi = rotate
    angles = sorted({r_lo, r_hi, *(r_lo + (r_hi - r_lo) * i / 8 for i in range(9))})
    products = [a * b for a in txs for b in tys]
    signs = [a * b for a in scale_x for b in (kys if kys is not None else scale_x)]
    collapse = (min(products) <= 1.0 + 1e-9 and max(products) >= 1.0 - 1e-9) or (min(signs) <= 0.0 <= max(signs))
    mirror, turn, zoom_min, zoom_max, shear = collapse, 0.0, math.inf, 0.0, 0.0
    for tx in txs:
        for ty in tys:
            for kx in scale_x:
                for ky in kys if kys is not None else (kx,):
                    for r in angles:
                        c, s = math.cos(math.radians(r)), math.sin(math.radians(r))
                        # M = Sh · R · S with R = [[c, s], [-s, c]] as albumentations writes it.
                        m00, m01 = (c - tx * s) * kx, (s + tx * c) * ky
                        m10, m11 = (ty * c - s) * kx, (ty * s + c) * ky
                        det = m00 * m11 - m01 * m10
                        mirror = mirror or det < 0
                        # "A left-right mirror, then a turn": flip the first column of a mirrored draw first.
                        f = -1.0 if det < 0 else 1.0
                        turn = max(turn, abs(math.degrees(math.atan2(f * m10 - m01, f * m00 + m11))))
                        frob = m00 * m00 + m01 * m01 + m10 * m10 + m11 * m11
                        root = math.sqrt(max(frob * frob - 4 * det * det, 0.0))
                        zoom_max = max(zoom_max, math.sqrt((frob + root) / 2))
                        zoom_min = min(zoom_min, math.sqrt(max((frob - root) / 2, 0.0)))
                        norms = math.hypot(m00, m10) * math.hypot(m01, m11)
                        if norms > 0:
                            cos = min(1.0, abs(m00 * m01 + m10 * m11) / norms)
                            shear = max(shear, math.degrees(math.asin(cos)))
    return _Linear(mirror, min(turn, 180.0), 0.0 if collapse else zoom_min, zoom_max, shear)


def _axis_loss(zoom: float, shift: float) -> tuple[float, float]:
    """Share of one axis kept and inward travel of its far edge, for a zoom by ``zoom`` about the centre then a
    shift by ``shift`` of the output side, inside a frame of the input's size (in input units: the frame shows
    a window 1/zoom wide, moved by shift/zoom)."""
    if zoom <= 0.0:
        return 1.0, 0.0
    w, d = 1.0 / zoom, shift / zoom
    low = 0.5 - w / 2.0 + d  # where the window starts, from the near edge
    high = 0.5 + w / 2.0 + d
    kept = max(0.0, min(1.0, high) - max(0.0, low))
    return kept, min(1.0, max(0.0, low))


def _frame_loss(
    zoom_x: tuple[float, float], zoom_y: tuple[float, float], shift_x: float, shift_y: float, shear: float = 0.0
) -> tuple[float, float]:
    """Share of the input's area kept in frame and the largest inward edge travel (share of the side) of a zoom
    by any factor in ``zoom_*`` (magnitudes) then a shift by up to ``shift_*`` of the side.

    Per axis both are monotone in the zoom, so the worst case is at an end of its range; the axes are drawn
    independently, so the area kept is the product of the per-axis worst shares. A turn or a shear about the
    centre cuts corners only (it is bounded by ``rotation`` and ``shear``) and is not counted here.
    """
    kept = 1.0
    travel = 0.0
    for zooms, shift in ((zoom_x, shift_x), (zoom_y, shift_y)):
        worst = [_axis_loss(abs(z), shift) for z in zooms]
        kept *= min(k for k, _ in worst)
        travel = max(travel, *(t for _, t in worst))
    if shear > 0.0:
        # A shear by t slides each row by up to half the side times tan t: the sides it crosses lose a wedge,
        # 1/4 tan t of the area, and at least half of such a side moves in by 1/4 tan t.
        wedge = math.tan(math.radians(min(shear, 45.0))) / 4.0
        kept *= 1.0 - wedge
        travel = min(1.0, travel + wedge)
    return kept, travel


constant("HorizontalFlip", Envelope(mirror=True), family=FAMILY, summary="mirrors left and right")
# TimeReverse (spectrograms) subclasses HorizontalFlip and inherits its entry through the MRO.
constant("VerticalFlip", Envelope(mirror=True, rotation=180.0), family=FAMILY, summary="turns the image upside down")
constant("Transpose", Envelope(mirror=True, rotation=90.0), family=FAMILY, summary="swaps rows and columns")
constant("RandomRotate90", Envelope(rotation=180.0), family=FAMILY, summary="turns by 0, 90, 180 or 270 degrees")
# D4 and its subclass SquareSymmetry: the 8 symmetries of the square; CubicSymmetry: the 48 of the cube.
constant(
    ["D4", "CubicSymmetry"],
    Envelope(mirror=True, rotation=180.0),
    family=FAMILY,
    summary="applies any symmetry of the square (or cube), mirrors included",
)


@entry("Rotate", family=FAMILY, knobs={"rotation": Knob("limit", _limit), "reflect_border": Knob("border_mode")})
def _rotate(p: Params) -> Envelope:
    """rotates by a random angle"""
    angle = min(p.magnitude("limit"), 180.0)
    env = Envelope(rotation=angle, reflect_border=_reflects(p))
    if p.flag("crop_border") and angle > 0.0:
        # Cropping to the largest upright rectangle inside the turned image, read over the input aspects in
        # ASPECTS (a longer, thinner input keeps less than a square one).
        kept, travel = 1.0, 0.0
        turns = [min(angle, 90.0)] + ([45.0] if angle >= 45.0 else [])
        for a in (1.0, 1.25, 1.5, 1.75, ASPECTS[1]):
            for t in turns:
                w, h = _crop_border_rect(a, 1.0, t)
                kept = min(kept, w * h / a)
                # The kept rectangle is turned against the input's edges: read the travel at the upright
                # rectangle inside it, which every edge position it spans keeps.
                wi, hi = _crop_border_rect(w, h, t)
                travel = max(travel, (1.0 - wi / a) / 2.0, (1.0 - hi) / 2.0)
        env = env.with_changes(crop_min=kept, edge_travel=travel)
    return env


def _crop_border_rect(width: float, height: float, angle: float) -> tuple[float, float]:
    """The largest upright rectangle inside a width x height rectangle turned by ``angle`` degrees, as
    albumentations 2.0.8 computes it for ``Rotate(crop_border=True)``, clamped to the input."""
    a = math.radians(angle)
    long_side, short_side = max(width, height), min(width, height)
    sin_a, cos_a = abs(math.sin(a)), abs(math.cos(a))
    if short_side <= 2.0 * sin_a * cos_a * long_side or abs(sin_a - cos_a) < 1e-9:
        x = 0.5 * short_side
        wr, hr = (x / sin_a, x / cos_a) if width >= height else (x / cos_a, x / sin_a)
    else:
        cos_2a = cos_a * cos_a - sin_a * sin_a
        wr, hr = (width * cos_a - height * sin_a) / cos_2a, (height * cos_a - width * sin_a) / cos_2a
    return min(width, max(0.0, wr)), min(height, max(0.0, hr))


@entry("SafeRotate", family=FAMILY, knobs={"rotation": Knob("limit", _limit), "scale": Knob("limit")})
def _safe_rotate(p: Params) -> Envelope:
    """rotates and shrinks the image so that no corner is cut off

    Each axis is scaled back into the frame by its own factor (the turned image's bounding box against
    the input's sides), so on a non-square image the turn is followed by unequal axis scales, which
    shear by an amount that depends on the input's aspect; and the turned image covers less of the
    frame the longer and thinner the input is. Both are reported as not bounded (``aspect`` and
    ``canvas_growth`` infinite).
    """
    angle = min(p.magnitude("limit"), 180.0)
    env = Envelope(rotation=angle, scale_min=_fit_scale(angle), reflect_border=_reflects(p))
    if angle > 0.0:
        env = env.with_changes(aspect=math.inf, canvas_growth=math.inf)
    return env


@entry(
    "ShiftScaleRotate",
    family=FAMILY,
    knobs={
        "rotation": Knob("rotate_limit", lambda b: f"rotate_limit=({-b:g}, {b:g})"),
        "scale": Knob("scale_limit", lambda b: f"scale_limit=({b[0] - 1:g}, {b[1] - 1:g})"),
        "translation": Knob("shift_limit", lambda b: f"shift_limit=({-b:g}, {b:g})"),
        "reflect_border": Knob("border_mode"),
    },
)
def _shift_scale_rotate(p: Params) -> Envelope:
    """shifts, scales and rotates

    In 2.0.8 it is an ``Affine`` built from its limits (``keep_ratio=False``: the two axes are scaled
    apart), and it runs on the ``rotate``, ``scale`` and ``translate_percent`` that Affine keeps on the
    object: a live object is described by those too, so that changing them after construction is seen.
    """
    shifts = {"x": p.range("shift_limit"), "y": p.range("shift_limit")}
    for axis in ("x", "y"):
        if p.raw(f"shift_limit_{axis}") is not None:
            shifts[axis] = p.range(f"shift_limit_{axis}")
    lo, hi = p.range("scale_limit")
    scale = (max(0.0, 1.0 + lo), 1.0 + hi)
    limits = {
        "rotate": p.range("rotate_limit"),
        "scale": {"x": scale, "y": scale},
        "translate_percent": shifts,
        "border_mode": p.raw("border_mode"),
    }
    affine = defaults_for("Affine")
    env = _affine(Params(p.transform, limits, affine))
    if any(name in p for name in _AFFINE_STATE):
        env = env.union(_affine(Params(p.transform, p.given, affine)))
    return env


_AFFINE_STATE = ("rotate", "scale", "translate_percent", "translate_px", "shear", "fit_output", "keep_ratio")


def _scale_envelope(axes: list[tuple[float, float]]) -> tuple[float, float, bool, bool]:
    """Magnitude range, whether a mirror is possible, and whether a half turn is possible."""
    mags_lo, mags_hi = [], []
    for lo, hi in axes:
        if lo <= 0.0 <= hi:
            mags_lo.append(0.0)
        else:
            mags_lo.append(min(abs(lo), abs(hi)))
        mags_hi.append(max(abs(lo), abs(hi)))
    if len(axes) == 1:
        axes = axes * 2
    (ax, bx), (ay, by) = axes[0], axes[1]
    can_neg_x, can_pos_x = ax < 0, bx > 0
    can_neg_y, can_pos_y = ay < 0, by > 0
    mirror = (can_neg_x and can_pos_y) or (can_pos_x and can_neg_y)
    # A y-flip is a left-right mirror plus a half turn (see the module docstring), and so is a flip of both.
    half_turn = can_neg_y
    return min(mags_lo), max(mags_hi), mirror, half_turn


@entry(
    "Affine",
    family=FAMILY,
    knobs={
        "rotation": Knob("rotate", lambda b: f"rotate=({-b:g}, {b:g})"),
        "scale": Knob("scale", lambda b: f"scale=({b[0]:g}, {b[1]:g})"),
        "translation": Knob("translate_percent", lambda b: f"translate_percent=({-b:g}, {b:g})"),
        # (a bare range shears both axes, which turns them apart by up to twice it: one axis keeps the bound)
        "shear": Knob("shear", lambda b: f'shear={{"x": ({-b:g}, {b:g}), "y": (0, 0)}}'),
        "mirror": Knob("scale"),
        "reflect_border": Knob("border_mode"),
    },
)
def _affine(p: Params) -> Envelope:
    """applies a random affine map (scale, translate, rotate, shear)

    The linear part is read exactly over every draw (see ``_linear_reading``): opposite shears turn the image,
    a shear product beyond 1 mirrors it and one of 1 collapses it. A zoom in or a shift inside the frame pushes
    content out just as a crop does: it is counted in ``crop_min`` and ``edge_travel``.
    """
    scale_x, scale_y = _xy(p, "scale")
    scale_axes = [scale_x, scale_y]
    s_lo, s_hi, mirror, half_turn = _scale_envelope(scale_axes)
    r_lo, r_hi = p.range("rotate", "fixed")
    rotation = max(abs(r_lo), abs(r_hi))
    if half_turn:
        # A y-flip is a mirror plus a half turn; with it, a turn by r is a turn by 180° + r, which is
        # 180° - |r| the other way: the farthest turn is 180° less the smallest |r| the range allows.
        flipped = 180.0 - (0.0 if r_lo <= 0.0 <= r_hi else min(abs(r_lo), abs(r_hi)))
        rotation = max(flipped, rotation) if scale_axes[-1][1] > 0.0 else flipped  # unflipped draws turn by r
    shear_x, shear_y = _xy(p, "shear")
    keep = p.flag("keep_ratio")
    same = keep and scale_x == scale_y
    exact = _linear_reading(scale_x, None if same else scale_y, (r_lo, r_hi), shear_x, shear_y)
    mirror = mirror or exact.mirror
    rotation = max(rotation, exact.turn)
    s_lo, s_hi = min(s_lo, exact.zoom_min), max(s_hi, exact.zoom_max)
    shear = exact.shear
    translation = 0.0
    shift_x = shift_y = 0.0
    percent = p.raw("translate_percent")
    if percent is not None:
        (tx_lo, tx_hi), (ty_lo, ty_hi) = _xy_translate(p, percent)
        shift_x, shift_y = max(abs(tx_lo), abs(tx_hi)), max(abs(ty_lo), abs(ty_hi))
        translation = max(shift_x, shift_y)
    translation_px = 0.0
    if p.raw("translate_px") is not None:
        translation_px = max(max(abs(lo), abs(hi)) for lo, hi in p.axes("translate_px", "fixed"))
    # A zoom out inside the frame (scale < 1) also leaves fill around the content; it is not counted as
    # growth here (a cut-out after it is read against the frame), see docs/soundness.md.
    growth = 1.0
    kept, travel = 1.0, 0.0
    if p.flag("fit_output"):
        if rotation or shear:
            s_lo *= _fit_scale(rotation if rotation <= 90 else 45.0)
            # The output frame is the turned or sheared image's bounding box: 1 + |sin cos|(a + 1/a) times its
            # area for a turn of an image of aspect a, without bound over the input's aspect.
            growth = math.inf
    else:
        kept, travel = _frame_loss(scale_x, scale_y, shift_x, shift_y, shear)
    return Envelope(
        canvas_growth=growth,
        mirror=mirror,
        rotation=min(rotation, 180.0),
        scale_min=s_lo,
        scale_max=s_hi,
        aspect=_affine_aspect(keep, scale_axes),
        translation=translation,
        translation_px=translation_px,
        shear=shear,
        crop_min=kept,
        edge_travel=travel,
        reflect_border=_reflects(p),
    )


def _xy_translate(p: Params, value: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    if isinstance(value, Mapping):
        if not value.keys() <= _XY:
            p.axes("translate_percent", "fixed")  # raises the error that names the keys allowed
        x, y = value.get("x", 0.0), value.get("y", 0.0)
        return p.as_range("translate_percent", x, "fixed"), p.as_range("translate_percent", y, "fixed")
    both = p.as_range("translate_percent", value, "fixed")
    return both, both


def _affine_aspect(keep_ratio: bool, axes: list[tuple[float, float]]) -> float:
    """How far apart the two axis scales (``axes``: the scale ranges) may be: one range with ``keep_ratio``
    zooms both axes alike."""
    if len(axes) == 1:
        axes = axes * 2
    if keep_ratio and axes[0] == axes[1]:
        return 1.0

    def mags(lo: float, hi: float) -> tuple[float, float]:
        return (0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))), max(abs(lo), abs(hi))

    (lx, hx), (ly, hy) = mags(*axes[0]), mags(*axes[1])
    ratios = [top / low if low > 0 else math.inf for top, low in ((hx, ly), (hy, lx))]
    return max(1.0, *ratios)


def _size_aspect(p: Params, crop_ratios: tuple[float, float]) -> float:
    """A crop of width/height ratio r resized to ``size`` stretches one axis by (w/h) / r."""
    size = p.raw("size")
    if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(is_number(v) and v > 0 for v in size)):
        raise p._bad("size", size, "a (height, width) pair of positive whole numbers of pixels")
    q = float(size[1]) / float(size[0])
    return max(max(q / r, r / q) for r in crop_ratios if r > 0)


@entry("Perspective", family=FAMILY, knobs={"perspective": Knob("scale", lambda b: f"scale=(0, {b:g})")})
def _perspective(p: Params) -> Envelope:
    """moves the four corners independently

    Each corner moves inward by |N(0, scale)| of the side, wrapped below 0.32 (albumentations 2.0.8). With
    ``keep_size`` the quadrilateral is stretched back over the whole frame, so content near the edges leaves it
    as in a crop: read at three standard deviations (capped at 0.32), each edge moves in by up to that much.
    """
    env = Envelope(perspective=p.magnitude("scale", "zero"), reflect_border=_reflects(p))
    if p.flag("keep_size") and not p.flag("fit_output") and env.perspective > 0.0:
        corner = min(0.32, 3.0 * env.perspective)
        env = env.with_changes(crop_min=(1.0 - 2.0 * corner) ** 2, edge_travel=corner)
    if p.flag("fit_output") and env.perspective > 0.0:
        # The frame grows to the warped corners' bounding box; the corner offsets are drawn from a normal
        # distribution, so the growth has no bound.
        env = env.with_changes(canvas_growth=math.inf)
    return env


# ElasticTransform and GridElasticDeform move content by pixels: their share of the side is read on a side of
# this many pixels (smaller inputs move further as a share of their side; see docs/soundness.md).
WARP_REFERENCE_SIDE = 256.0


@entry("ElasticTransform", family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _elastic(p: Params) -> Envelope:
    """warps the image with a smooth random displacement field

    albumentations 2.0.8 blurs unit noise (Gaussian noise divided by its largest value, or uniform noise in
    [-1, 1]) with ``sigma`` and multiplies it by ``alpha`` px. The displacement never exceeds ``alpha`` px; on
    coordinate maps (128–512 px, several seeds) it stays below ``alpha / (2 sqrt(sigma))`` px, and folds
    (a patch mirrored onto its neighbour) over more than a few isolated pixels appear from ``alpha / sigma`` of
    about 25 on (about 9 for uniform noise, whose field is three times stronger). Neither moves the frame as a
    whole.
    """
    alpha, sigma = abs(p.number("alpha")), max(p.number("sigma"), 1e-6)
    uniform = p.given.get("noise_distribution") == "uniform"  # the default is "gaussian"
    strength = alpha / sigma * (2.9 if uniform else 1.0)
    moved = min(alpha, alpha * (1.45 if uniform else 0.5) / math.sqrt(sigma))
    return Envelope(
        nonrigid=True,
        warp=min(1.0, moved / WARP_REFERENCE_SIDE),
        fold=strength > 25.0,
        reflect_border=_reflects(p),
    )


@entry("GridDistortion", family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _grid_distortion(p: Params) -> Envelope:
    """stretches or squeezes the cells of a grid along each axis

    Each column (row) of cells is scaled by 1 + k with k drawn from ``distort_limit`` (at least -1), so the
    map is monotone along each axis and never folds. Normalised, the cells still fill the image and a grid line
    moves by at most half of |k| of the side; not normalised, the grid may overrun the frame by |k| of the side.
    """
    k = p.magnitude("distort_limit")
    env = Envelope(nonrigid=True, warp=min(1.0, k / 2.0), reflect_border=_reflects(p))
    if k > 0.0 and not p.flag("normalized"):
        env = env.with_changes(warp=min(1.0, k), crop_min=(1.0 / (1.0 + k)) ** 2, edge_travel=min(1.0, k / (1.0 + k)))
    return env


@entry("OpticalDistortion", family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _optical(p: Params) -> Envelope:
    """bends the image radially (barrel or pincushion)

    A radial map zooms the image as a whole: on coordinate maps (camera and fisheye, |k| up to 1) the
    global zoom stays within 1/(1 + 0.3|k|) to 1 + 0.6|k|, the area kept above 1/(1 + 0.85|k|)², edges move in by
    less than |k|/4 of the side and content moves by less than |k|/4 beyond the global zoom; folds appear once
    |k| passes 0.5.
    """
    k = p.magnitude("distort_limit")
    return Envelope(
        nonrigid=True,
        warp=min(1.0, k / 4.0),
        fold=k > 0.5,
        scale_min=1.0 / (1.0 + 0.3 * k),
        scale_max=1.0 + 0.6 * k,
        crop_min=(1.0 / (1.0 + 0.85 * k)) ** 2,
        edge_travel=min(1.0, k / 4.0),
        reflect_border=_reflects(p),
    )


@entry("ThinPlateSpline", family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _thin_plate(p: Params) -> Envelope:
    """moves control points at random and bends the image through them

    Control points move by a normal draw of ``scale_range`` of the side, so the spline also turns, zooms and
    shifts the image as a whole. Measured on coordinate maps: content moves by up to about 1.2 s, the turn
    stays below 60 s degrees, the zoom within 1/(1 + 1.5 s) to 1 + 1.5 s + 6 s², the area kept above
    (1 - 0.6 s)², edges move in by less than 0.6 s; from s = 0.15 on, patches fold (the default (0.2, 0.4) folds).
    """
    s = max(abs(v) for v in p.range("scale_range", "fixed"))
    return Envelope(
        nonrigid=True,
        warp=min(1.0, 1.2 * s),
        fold=s >= 0.15,
        rotation=min(180.0, 60.0 * s),
        scale_min=1.0 / (1.0 + 1.5 * s),
        scale_max=1.0 + 1.5 * s + 6.0 * s * s,
        translation=min(1.0, s),
        crop_min=max(0.0, 1.0 - 0.6 * s) ** 2,
        edge_travel=min(1.0, 0.6 * s),
        reflect_border=_reflects(p),
    )


@entry("PiecewiseAffine", family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _piecewise_affine(p: Params) -> Envelope:
    """jitters the points of a mesh and maps each triangle affinely

    Points move by a normal draw of ``scale`` of the side; a triangle flips (a fold) once a point can cross a
    neighbour, read at three standard deviations against half a cell. albumentations 2.0.8 also zooms the mesh
    in by about 1.2 whatever the scale (coordinate maps at 128 px: zoom 1.21, 61% of the area kept, edges in by
    13%), counted here with a margin.
    """
    s = max(abs(v) for v in p.range("scale", "fixed"))
    rows = p.range("nb_rows", "fixed")[0]
    cols = p.range("nb_cols", "fixed")[0]
    cell = 1.0 / max(1.0, max(rows, cols) - 1.0)
    return Envelope(
        nonrigid=True,
        warp=min(1.0, 0.1 + 3.0 * s),
        fold=3.0 * s >= cell / 2.0,
        scale_max=1.3,
        crop_min=0.55,
        edge_travel=min(1.0, 0.15 + 3.0 * s),
        reflect_border=_reflects(p),
    )


@entry("GridElasticDeform", family=FAMILY)
def _grid_elastic(p: Params) -> Envelope:
    """warps the image cell by cell on a grid; keypoints may leave the pixels they marked where a cell folds

    Inner grid points move by up to ``magnitude`` px, so a cell of side c (the image side over
    ``num_grid_xy``) can turn concave from magnitude c/4 on. albumentations 2.0.8 then paints each cell
    over its neighbours (image and masks stay together) but maps each keypoint with its own cell's
    homography: a keypoint label can land on other content. The cell side depends on the image size, so
    no argument alone rules it out; keep ``magnitude`` below a quarter of the smallest cell.
    """
    magnitude = p.number("magnitude")
    grid = p.raw("num_grid_xy")
    cells = max(float(v) for v in grid) if isinstance(grid, (list, tuple)) and grid else 1.0
    # Inner points move by up to `magnitude` px; a cell of a WARP_REFERENCE_SIDE px side folds from a quarter
    # of its side on (smaller inputs fold sooner: SA409 warns for those).
    return Envelope(
        nonrigid=True,
        warp=min(1.0, magnitude / WARP_REFERENCE_SIDE),
        fold=4.0 * magnitude * cells >= WARP_REFERENCE_SIDE,
    )


@entry(
    "RandomScale",
    family=FAMILY,
    knobs={"scale": Knob("scale_limit", lambda b: f"scale_limit=({b[0] - 1:g}, {b[1] - 1:g})")},
)
def _random_scale(p: Params) -> Envelope:
    """resizes by a random factor (the output size changes)"""
    lo, hi = p.range("scale_limit")
    return Envelope(scale_min=max(0.0, 1.0 + lo), scale_max=1.0 + hi)


@entry(["Resize", "LongestMaxSize", "SmallestMaxSize"], family=FAMILY)
def _resize(p: Params) -> Envelope:
    """resizes to a fixed size (the factor depends on the input size)"""
    # Resize sets both sides, so the aspect changes with the input's; the max-size resizes keep it.
    return Envelope(resize=True, aspect=math.inf if p.transform == "Resize" else 1.0)


def _crop_zoom(s_lo: float, r_lo: float, r_hi: float) -> float:
    """Largest magnification along one axis for a random-resized crop resized back to the input size.

    A crop of area fraction ``s`` and aspect ``r`` has sides ``sqrt(s*r)`` and ``sqrt(s/r)`` (fractions
    of the image) and must fit, so ``r`` lies in ``[s, 1/s]``; the worst case sits at an end.
    """
    candidates = [r for r in (max(r_lo, s_lo), min(r_hi, 1.0 / s_lo)) if r > 0]
    if not candidates or candidates[0] > candidates[-1]:
        return 1.0 / math.sqrt(s_lo)  # no ratio fits: albumentations falls back to a centre crop
    return max(max(1.0 / math.sqrt(s_lo * r), math.sqrt(r / s_lo)) for r in candidates)


@entry(
    "RandomResizedCrop",
    family=FAMILY,
    knobs={
        "crop": Knob("scale", lambda b: f"scale=({b:g}, 1.0)"),
        # square crops zoom by 1/sqrt(area): keep the area at or above 1/max_zoom²
        "scale": Knob("scale", lambda b: f"scale=({round_up(min(1.0, 1.0 / b[1] ** 2))}, 1.0), ratio=(1, 1)"),
    },
)
def _random_resized_crop(p: Params) -> Envelope:
    """crops a random area and aspect ratio, then resizes to a fixed size

    The crop keeps ``scale`` of the area when a crop of a ratio in ``ratio`` fits the input. When none of ten
    draws fits, albumentations 2.0.8 falls back to a centre crop clamped to ``ratio``, which keeps only
    max ratio / input aspect of a wider input (a square crop of a 2:1 film keeps half of it). The share kept
    and the edge travel are read over every input aspect from 1:2 to 2:1 (``ASPECTS``); inputs longer or
    thinner than that are outside what a config tells (see docs/soundness.md).
    """
    s_lo, _s_hi = p.range("scale", "fixed")
    r_lo, r_hi = p.range("ratio", "fixed")
    s_lo = max(min(s_lo, 1.0), 1e-6)
    fits = (max(r_lo, s_lo), min(r_hi, 1.0 / s_lo))
    aspect = _size_aspect(p, fits)
    kept, travel = _resized_crop_loss(s_lo, r_lo, r_hi)
    return Envelope(
        crop_min=kept,
        edge_travel=travel,
        scale_max=_crop_zoom(s_lo, r_lo, r_hi),
        resize=True,
        aspect=aspect,
    )


# The input aspects (width / height) over which shares that depend on the aspect are read.
ASPECTS = (0.5, 2.0)


def _resized_crop_loss(s_lo: float, r_lo: float, r_hi: float) -> tuple[float, float]:
    """Smallest share of the area kept and largest edge travel of a random-resized crop over input aspects in
    ``ASPECTS``: a draw (s, r) fits an input of aspect a when its sides sqrt(s r / a) and sqrt(s a / r) are at
    most 1; when none fits, the centre crop of the clamped ratio keeps a / r_lo or r_hi / a."""
    kept, travel = s_lo, 0.0
    lo, hi = ASPECTS
    for a in (lo, 1.0, hi, r_lo, r_hi):
        if not lo <= a <= hi or r_lo <= 0:
            continue
        fallback = a / r_lo if a < r_lo else (r_hi / a if a > r_hi else 1.0)
        kept = min(kept, fallback)
        travel = max(travel, (1.0 - min(1.0, fallback)) / 2.0)
        for r in (max(r_lo, s_lo * a), min(r_hi, a / s_lo)):
            if r_lo <= r <= r_hi and s_lo * a <= r <= a / s_lo:
                width, height = math.sqrt(s_lo * r / a), math.sqrt(s_lo * a / r)
                travel = max(travel, 1.0 - min(width, height))
    return kept, min(1.0, travel)


# One envelope; the knob names the argument that sets the crop in each signature.
@entry(
    ["RandomCrop", "CenterCrop", "CropNonEmptyMaskIfExists", "AtLeastOneBBoxRandomCrop"],
    family=FAMILY,
    knobs={"crop": Knob("height")},
)
@entry("Crop", family=FAMILY, knobs={"crop": Knob("y_max")})
@entry("RandomCropNearBBox", family=FAMILY, knobs={"crop": Knob("max_part_shift")})
@entry("BBoxSafeRandomCrop", family=FAMILY, knobs={"crop": Knob("erosion_rate")})
@entry(["RandomCrop3D", "CenterCrop3D"], family=FAMILY, knobs={"crop": Knob("size")})
def _fixed_crop(p: Params) -> Envelope:
    """crops a region whose share of the image depends on the input size"""
    pads = "pad_if_needed" in p.defaults and p.flag("pad_if_needed")
    reflect = pads and "border_mode" in p.defaults
    # A crop larger than the input pads it first: by pixels, so the frame may grow without bound.
    growth = math.inf if pads else 1.0
    return Envelope(crop_unbounded=True, reflect_border=bool(reflect and _reflects(p)), canvas_growth=growth)


@entry("RandomSizedCrop", family=FAMILY, knobs={"crop": Knob("min_max_height")})
@entry("RandomSizedBBoxSafeCrop", family=FAMILY, knobs={"crop": Knob("erosion_rate")})
def _sized_crop(p: Params) -> Envelope:
    """crops a region sized in pixels, then resizes to a fixed size"""
    ratio = p.raw("w2h_ratio") if p.transform == "RandomSizedCrop" else None
    aspect = math.inf
    if ratio is not None and is_number(ratio):
        aspect = _size_aspect(p, (float(ratio), float(ratio)))
    return Envelope(crop_unbounded=True, resize=True, aspect=aspect)


@entry("RandomCropFromBorders", family=FAMILY, knobs={"crop": Knob("crop_left")})
def _crop_from_borders(p: Params) -> Envelope:
    """cuts random strips off each border"""
    left, right, top, bottom = (p.number(f"crop_{side}") for side in ("left", "right", "top", "bottom"))
    width = 1.0 - min(1.0, left + right)
    height = 1.0 - min(1.0, top + bottom)
    # Cutting one side and not the other moves the centre by half the cut, i.e. by c / (2(1 - c)) of the
    # output side when a strip c is cut from one border only.
    shift = max(c / (2.0 * (1.0 - c)) if c < 1.0 else 1.0 for c in (left, right, top, bottom))
    return Envelope(
        crop_min=max(0.0, width) * max(0.0, height),
        translation=min(1.0, shift),
        edge_travel=min(1.0, max(left, right, top, bottom)),
    )


def _side_values(p: Params, name: str) -> list[float]:
    value = p.raw(name)
    items = value if isinstance(value, (list, tuple)) and len(value) == 4 else [value]
    out: list[float] = []
    for item in items:
        lo, hi = p.as_range(name, item, "fixed")
        out += [lo, hi]
    return out


@entry("CropAndPad", family=FAMILY, knobs={"crop": Knob("percent"), "scale": Knob("percent")})
def _crop_and_pad(p: Params) -> Envelope:
    """pads (positive values) or crops (negative values) each side

    With ``keep_size`` the result is resized back to the input size, each axis by its own factor when the
    sides differ: the aspect changes by up to (1 + top + bottom) / (1 + left + right) for percentages
    (independent of the input), and by an amount that depends on the input size for pixels.
    """
    env = Envelope(reflect_border=_reflects(p))
    if p.raw("percent") is None:
        px = _side_values(p, "px") if p.raw("px") is not None else [0.0]
        env = env.with_changes(crop_unbounded=True, resize=p.flag("keep_size"))
        if max(px) > 0.0:  # pixels padded: the frame's growth depends on the input size
            env = env.with_changes(canvas_growth=math.inf)
        if p.flag("keep_size") and _px_sides_differ(p):
            env = env.with_changes(aspect=math.inf)
        return env
    values = _side_values(p, "percent")
    # albumentations (like imgaug): positive values pad, negative values crop.
    crop = max(0.0, -min(values))
    pad = max(0.0, max(values))
    kept_side = max(0.0, 1.0 - 2.0 * crop)
    env = env.with_changes(crop_min=kept_side**2, edge_travel=min(1.0, crop))
    raw = p.raw("percent")
    one_value = not (isinstance(raw, (list, tuple)) and len(raw) == 4)
    symmetric = one_value and (is_number(raw) or not p.flag("sample_independently"))
    if not symmetric:
        # Different amounts per side move the content's centre: by c / (2(1 - c)) of the output side for a
        # strip c cut from one side only, by q / (2(1 + q)) for a strip q padded on one side only.
        shift = max(crop / (2.0 * (1.0 - crop)) if crop < 1.0 else 1.0, pad / (2.0 * (1.0 + pad)))
        env = env.with_changes(translation=min(1.0, shift))
    if pad > 0.0:
        # Per axis the frame is (1 - cut + padded) of the content's (1 - cut): at most 1 + 2·pad / kept_side.
        env = env.with_changes(canvas_growth=(1.0 + 2.0 * pad / max(kept_side, 1e-6)) ** 2)
    if p.flag("keep_size"):
        env = env.with_changes(scale_min=1.0 / (1.0 + 2.0 * pad), scale_max=1.0 / max(kept_side, 1e-6))
        if not symmetric:
            env = env.with_changes(aspect=_crop_and_pad_aspect(p))
    return env


def _crop_and_pad_aspect(p: Params) -> float:
    """Largest ratio between the two axes' resize factors of ``CropAndPad(percent=..., keep_size=True)``.

    The frame is (1 + top + bottom) × (1 + left + right) of the input's sides before the resize back, so
    the ratio reaches (1 + top + bottom) / (1 + left + right) at the ends of the sides' ranges.
    """
    raw = p.raw("percent")
    if isinstance(raw, (list, tuple)) and len(raw) == 4:
        sides = [p.as_range("percent", item, "fixed") for item in raw]  # top, right, bottom, left
    else:
        sides = [p.range("percent", "fixed")] * 4
    (t_lo, t_hi), (r_lo, r_hi), (b_lo, b_hi), (l_lo, l_hi) = sides
    tall_hi, tall_lo = 1.0 + t_hi + b_hi, 1.0 + t_lo + b_lo
    wide_hi, wide_lo = 1.0 + l_hi + r_hi, 1.0 + l_lo + r_lo
    if tall_lo <= 0.0 or wide_lo <= 0.0:
        return math.inf  # a side cut to nothing
    return max(1.0, tall_hi / wide_lo, wide_hi / tall_lo)


def _px_sides_differ(p: Params) -> bool:
    """Whether ``CropAndPad(px=...)`` may change the sides by different amounts (it then changes the aspect)."""
    raw = p.raw("px")
    if raw is None:
        return False
    if isinstance(raw, (list, tuple)) and len(raw) == 4:
        values = _side_values(p, "px")
        return len(set(values)) > 1
    if is_number(raw):
        return False
    lo, hi = p.range("px", "fixed")
    return lo != hi and p.flag("sample_independently")


@entry(["Pad", "PadIfNeeded"], family=FAMILY, knobs={"reflect_border": Knob("border_mode")})
def _pad(p: Params) -> Envelope:
    """pads the borders (by pixels: how far the frame grows around the content depends on the input size)"""
    env = Envelope(reflect_border=_reflects(p))
    if p.transform == "PadIfNeeded" or _pads_at_all(p):
        env = env.with_changes(canvas_growth=math.inf)
    return env


def _pads_at_all(p: Params) -> bool:
    raw = p.raw("padding")
    if raw is None:
        return False
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    return any(not is_number(v) or float(v) > 0 for v in values)


constant(["Pad3D", "PadIfNeeded3D"], Envelope(), family=FAMILY, summary="pads a volume with a constant")
