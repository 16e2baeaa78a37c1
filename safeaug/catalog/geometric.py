"""Geometric transforms: mirrors, turns, affine maps, warps, crops, resizes and pads.

Every rigid map is written as "an optional left-right mirror, then a rotation": a vertical flip is a
mirror plus a half turn, a transpose a mirror plus a quarter turn. So ``mirror`` answers "can the
image come out as its own reflection?" and ``rotation`` "how far can up move away from up?".
"""

from __future__ import annotations

import math

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
    return f"limit={b:g}"


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
    if p.flag("crop_border"):
        # Cropping to the largest upright rectangle inside the turned square.
        env = env.with_changes(crop_min=_fit_scale(angle) ** 2)
    return env


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
        "rotation": Knob("rotate_limit", lambda b: f"rotate_limit={b:g}"),
        "scale": Knob("scale_limit", lambda b: f"scale_limit=({b[0] - 1:g}, {b[1] - 1:g})"),
        "translation": Knob("shift_limit", lambda b: f"shift_limit={b:g}"),
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
        "shear": Knob("shear", lambda b: f"shear=({-b:g}, {b:g})"),
        "mirror": Knob("scale"),
        "reflect_border": Knob("border_mode"),
    },
)
def _affine(p: Params) -> Envelope:
    """applies a random affine map (scale, translate, rotate, shear)"""
    scale_axes = p.axes("scale", "fixed")
    s_lo, s_hi, mirror, half_turn = _scale_envelope(scale_axes)
    rotation = p.magnitude("rotate", "fixed")
    if half_turn:
        # A y-flip is a mirror plus a half turn; with it, a turn by r is a turn by 180° + r, which is
        # 180° - |r| the other way: the farthest turn is 180° less the smallest |r| the range allows.
        r_lo, r_hi = p.range("rotate", "fixed")
        flipped = 180.0 - (0.0 if r_lo <= 0.0 <= r_hi else min(abs(r_lo), abs(r_hi)))
        rotation = max(flipped, rotation) if scale_axes[-1][1] > 0.0 else flipped  # unflipped draws turn by r
    shear = max(max(abs(lo), abs(hi)) for lo, hi in p.axes("shear", "fixed"))
    translation = 0.0
    if p.raw("translate_percent") is not None:
        translation = max(max(abs(lo), abs(hi)) for lo, hi in p.axes("translate_percent", "fixed"))
    translation_px = 0.0
    if p.raw("translate_px") is not None:
        translation_px = max(max(abs(lo), abs(hi)) for lo, hi in p.axes("translate_px", "fixed"))
    # A zoom out inside the frame (scale < 1) also leaves fill around the content; it is not counted as
    # growth here (a cut-out after it is read against the frame), see docs/soundness.md.
    growth = 1.0
    if p.flag("fit_output") and (rotation or shear):
        s_lo *= _fit_scale(rotation if rotation <= 90 else 45.0)
        # The output frame is the turned or sheared image's bounding box: 1 + |sin cos|(a + 1/a) times its
        # area for a turn of an image of aspect a, without bound over the input's aspect.
        growth = math.inf
    return Envelope(
        canvas_growth=growth,
        mirror=mirror,
        rotation=min(rotation, 180.0),
        scale_min=s_lo,
        scale_max=s_hi,
        aspect=_affine_aspect(p, scale_axes),
        translation=translation,
        translation_px=translation_px,
        shear=shear,
        reflect_border=_reflects(p),
    )


def _affine_aspect(p: Params, axes: list[tuple[float, float]]) -> float:
    """How far apart the two axis scales (``axes``: the scale ranges) may be: one range with ``keep_ratio``
    zooms both axes alike."""
    if len(axes) == 1:
        axes = axes * 2
    if p.flag("keep_ratio") and axes[0] == axes[1]:
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
        return math.inf
    q = float(size[1]) / float(size[0])
    return max(max(q / r, r / q) for r in crop_ratios if r > 0)


@entry("Perspective", family=FAMILY, knobs={"perspective": Knob("scale", lambda b: f"scale=(0, {b:g})")})
def _perspective(p: Params) -> Envelope:
    """moves the four corners independently"""
    env = Envelope(perspective=p.magnitude("scale", "zero"), reflect_border=_reflects(p))
    if p.flag("fit_output") and env.perspective > 0.0:
        # The frame grows to the warped corners' bounding box; the corner offsets are drawn from a normal
        # distribution, so the growth has no bound.
        env = env.with_changes(canvas_growth=math.inf)
    return env


@entry(
    ["ElasticTransform", "GridDistortion", "OpticalDistortion", "ThinPlateSpline", "PiecewiseAffine"],
    family=FAMILY,
    knobs={"reflect_border": Knob("border_mode")},
)
def _warp(p: Params) -> Envelope:
    """warps the image with a smooth random displacement field"""
    return Envelope(nonrigid=True, reflect_border=_reflects(p))


@entry("GridElasticDeform", family=FAMILY)
def _grid_elastic(p: Params) -> Envelope:
    """warps the image cell by cell on a grid; keypoints may leave the pixels they marked where a cell folds

    Inner grid points move by up to ``magnitude`` px, so a cell of side c (the image side over
    ``num_grid_xy``) can turn concave from magnitude c/4 on. albumentations 2.0.8 then paints each cell
    over its neighbours (image and masks stay together) but maps each keypoint with its own cell's
    homography: a keypoint label can land on other content. The cell side depends on the image size, so
    no argument alone rules it out; keep ``magnitude`` below a quarter of the smallest cell.
    """
    p.number("magnitude")
    return Envelope(nonrigid=True)


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
    """crops a random area and aspect ratio, then resizes to a fixed size"""
    s_lo, _s_hi = p.range("scale", "fixed")
    r_lo, r_hi = p.range("ratio", "fixed")
    s_lo = max(min(s_lo, 1.0), 1e-6)
    aspect = _size_aspect(p, (max(r_lo, s_lo), min(r_hi, 1.0 / s_lo)))
    return Envelope(crop_min=s_lo, scale_max=_crop_zoom(s_lo, r_lo, r_hi), resize=True, aspect=aspect)


@entry(
    [
        "RandomCrop",
        "CenterCrop",
        "Crop",
        "CropNonEmptyMaskIfExists",
        "RandomCropNearBBox",
        "BBoxSafeRandomCrop",
        "AtLeastOneBBoxRandomCrop",
        "RandomCrop3D",
        "CenterCrop3D",
    ],
    family=FAMILY,
    knobs={"crop": Knob("height")},
)
def _fixed_crop(p: Params) -> Envelope:
    """crops a region whose share of the image depends on the input size"""
    pads = "pad_if_needed" in p.defaults and p.flag("pad_if_needed")
    reflect = pads and "border_mode" in p.defaults
    # A crop larger than the input pads it first: by pixels, so the frame may grow without bound.
    growth = math.inf if pads else 1.0
    return Envelope(crop_unbounded=True, reflect_border=bool(reflect and _reflects(p)), canvas_growth=growth)


@entry(["RandomSizedCrop", "RandomSizedBBoxSafeCrop"], family=FAMILY, knobs={"crop": Knob("min_max_height")})
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
    return Envelope(crop_min=max(0.0, width) * max(0.0, height), translation=min(1.0, shift))


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
    env = env.with_changes(crop_min=kept_side**2)
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
