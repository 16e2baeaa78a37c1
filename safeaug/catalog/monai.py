"""MONAI transforms (``monai.transforms``): array transforms and their dictionary (``d``) forms.

Every entry is registered for both forms under the canonical names of :mod:`safeaug.libraries.monai`
(``monai.transforms.RandFlip`` and ``monai.transforms.RandFlipd``); the dictionary form takes the same
arguments plus ``keys``. MONAI's conventions, resolved here:

* Arrays are channel first. For a 2-D image ``(C, H, W)``, spatial axis 0 runs down the rows and axis 1
  across the columns: ``Flip(spatial_axis=1)`` mirrors left and right, ``spatial_axis=0`` turns the image
  upside down (a mirror plus a half turn), and the default ``spatial_axis=None`` flips every axis (a half
  turn in 2-D, a point reflection of a volume). A flip of an axis past the second (a volume's depth) mirrors
  the volume. A negative axis depends on the number of dimensions and is read as any axis. (MONAI's PIL
  reader loads 2-D images transposed, width first: there axis 0 is left-right. Either way a flip of one
  axis mirrors.)
* Angles are in radians (``range_x=0.26`` is about 15 degrees); a number ``x`` is the range ``(-x, x)``.
  A volume's three angles are added (the turn a slice can see is at most their sum).
* ``RandAffine`` builds ``R · Sh · T · S`` per call from ``rotate_range``, ``shear_range``,
  ``translate_range`` and ``scale_range`` (one entry per spatial axis; a scale is ``1 + u``) and samples
  the input at that map of the output grid: the image moves by its inverse. Translations are in pixels.
  Its default ``padding_mode="reflection"`` fills the border with mirrored content.
* Intensities are read as fractions of a ``[0, 1]`` range (``offsets=0.1`` shifts by 10% of full scale):
  MONAI pipelines scale intensities first (``ScaleIntensityd``, ``ScaleIntensityRanged``). A pipeline that
  shifts raw Hounsfield units is outside what its config tells.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Iterable
from typing import Any

from safeaug.catalog._linear import zoom_and_shear
from safeaug.catalog._registry import (
    Knob,
    Params,
    add_defaults,
    constant,
    defaults_for,
    entry,
    get_entry,
    is_number,
    unknown,
)
from safeaug.catalog.geometric import ASPECTS, _frame_loss
from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.libraries import canonical, library
from safeaug.libraries._monai_table import SIGNATURES
from safeaug.libraries.monai import IDENTITY_REASONS, UNKNOWN_REASONS, defaults

FAMILY = "geometric"
TONE = "photometric"
DETAIL = "degradation"
OCCLUSION = "occlusion"
STRUCTURAL = "structural"

PREFIX = "monai.transforms."

# Padding modes that fill the border with content copied from the image: grid-sample ``reflection``,
# numpy ``reflect``/``symmetric``/``wrap``, torch ``circular``.
_COPYING = frozenset({"reflection", "reflect", "symmetric", "wrap", "circular"})


def names(*classes: str, dict_form: bool = True) -> list[str]:
    """Canonical names of array classes and (unless told otherwise) their dictionary forms, where MONAI has them."""
    out = []
    for cls in classes:
        for name in (PREFIX + cls, PREFIX + cls + "d") if dict_form else (PREFIX + cls,):
            if name in SIGNATURES:
                out.append(name)
    return out


def _modes(p: Params, name: str) -> list[str]:
    """A mode argument, which a dictionary transform may give per key."""
    value = p.raw(name)
    values = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in values:
        if v is None:
            continue
        if not isinstance(v, str):
            raise ConfigError(f"{p.transform}.{name}: expected a mode name such as 'zeros' or 'reflection', got {v!r}")
        out.append(v.lower())
    return out


def _reflects(p: Params, name: str = "padding_mode") -> bool:
    return any(m in _COPYING for m in _modes(p, name))


def _per_axis(p: Params, name: str) -> list[tuple[float, float]]:
    """A MONAI range argument read per spatial axis: ``x`` is ``[(-x, x)]``, ``(a, b)`` two axes, and
    ``((lo, hi), c)`` a range for the first axis and ``(-c, c)`` for the second. None is no axis."""
    value = p.raw(name)
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        if item is None:
            continue
        if is_number(item):
            out.append((-abs(float(item)), abs(float(item))))
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(is_number(v) for v in item):
            lo, hi = float(item[0]), float(item[1])
            out.append((min(lo, hi), max(lo, hi)))
        else:
            raise ConfigError(
                f"{p.transform}.{name}: expected a number or a [low, high] pair per spatial axis, got {value!r}"
            )
    return out


def _radians_range(p: Params, name: str) -> tuple[float, float]:
    """``range_x``-style angles: a number ``x`` is ``(-x, x)``, a pair is ``(lo, hi)`` (radians)."""
    return p.range(name, "symmetric")


def _deg(x: float) -> float:
    return math.degrees(abs(x))


def _turn(r: float) -> str:
    """An example ``range_x`` for a bound of ``r`` degrees (radians, rounded down)."""
    return f"{math.floor(math.radians(r) * 1000) / 1000:g}"


# --------------------------------------------------------------------------- flips and quarter turns
def _flip_effect(axes: Iterable[int] | None) -> tuple[bool, float]:
    """(mirror, turn) of flipping the given spatial axes of a 2-D image or a volume (module docstring)."""
    if axes is None:
        return True, 180.0
    flipped = set()
    for axis in axes:
        if axis < 0:
            return True, 180.0  # which axis depends on the number of dimensions
        flipped.add(axis)
    if not flipped:
        return False, 0.0
    in_plane_mirror = (0 in flipped) != (1 in flipped)
    mirror = in_plane_mirror or len(flipped) % 2 == 1
    return mirror, 180.0 if 0 in flipped else 0.0


def _axes(p: Params, name: str) -> list[int] | None:
    value = p.raw(name)
    if value is None:
        return None
    items = value if isinstance(value, (list, tuple)) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ConfigError(f"{p.transform}.{name}: expected a spatial axis or a list of them (integers), got {value!r}")
    return [int(v) for v in items]


_FLIP_KNOBS = {"mirror": Knob("spatial_axis"), "rotation": Knob("spatial_axis")}


@entry(names("Flip", "RandFlip"), family=FAMILY, knobs=_FLIP_KNOBS)
def _flip(p: Params) -> Envelope:
    """flips the given spatial axes (all of them by default)

    On a channel-first 2-D image axis 1 is left-right (a mirror) and axis 0 up-down (a mirror and a half
    turn); ``spatial_axis=None`` flips every axis.
    """
    mirror, turn = _flip_effect(_axes(p, "spatial_axis"))
    return Envelope(mirror=mirror, rotation=turn)


constant(
    names("RandAxisFlip"),
    Envelope(mirror=True, rotation=180.0),
    family=FAMILY,
    summary="flips one randomly chosen spatial axis (left-right or upside down)",
)


def _plane(p: Params) -> bool:
    """Whether ``spatial_axes`` is the image plane (axes 0 and 1, in either order)."""
    value = p.raw("spatial_axes")
    if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise ConfigError(f"{p.transform}.spatial_axes: expected two spatial axes such as (0, 1), got {value!r}")
    return set(value) == {0, 1}


@entry(names("Rotate90"), family=FAMILY, knobs={"rotation": Knob("k")})
def _rotate90(p: Params) -> Envelope:
    """turns by k quarter turns in the plane of ``spatial_axes``"""
    k = p.raw("k")
    if not isinstance(k, int) or isinstance(k, bool):
        raise ConfigError(f"{p.transform}.k: expected a whole number of quarter turns, got {k!r}")
    turn = (0.0, 90.0, 180.0, 90.0)[k % 4]
    if not _plane(p) and turn:
        # a quarter turn through a volume's depth reslices it: read as any symmetry of the square
        return Envelope(mirror=True, rotation=180.0)
    return Envelope(rotation=turn)


@entry(names("RandRotate90"), family=FAMILY, knobs={"rotation": Knob("max_k", lambda b: "max_k=1" if b >= 90 else "")})
def _rand_rotate90(p: Params) -> Envelope:
    """turns by 1 to ``max_k`` quarter turns in the plane of ``spatial_axes``"""
    max_k = p.raw("max_k")
    if not isinstance(max_k, int) or isinstance(max_k, bool) or max_k < 1:
        raise ConfigError(f"{p.transform}.max_k: expected a whole number of quarter turns, 1 or more, got {max_k!r}")
    if not _plane(p):
        return Envelope(mirror=True, rotation=180.0)
    return Envelope(rotation=90.0 if max_k == 1 else 180.0)


# --------------------------------------------------------------------------- rotations
def _keep_size_growth(turn: float) -> float:
    """How much the frame grows around the content when a turn by up to ``turn`` degrees keeps the whole
    image (``keep_size=False``): its bounding box, read over the input aspects in ``ASPECTS``."""
    t = math.radians(min(turn, 45.0))
    a = max(ASPECTS[1], 1.0 / ASPECTS[0])
    return 1.0 + abs(math.sin(2 * t)) / 2.0 * (a + 1.0 / a)


def _turned(p: Params, turn: float) -> Envelope:
    env = Envelope(rotation=min(turn, 180.0))
    if turn > 0.0:
        env = env.with_changes(reflect_border=_reflects(p))
        if not p.flag("keep_size"):
            env = env.with_changes(canvas_growth=_keep_size_growth(turn))
    return env


@entry(
    names("RandRotate"),
    family=FAMILY,
    knobs={
        "rotation": Knob("range_x", lambda b: f"range_x={_turn(b)}"),
        "reflect_border": Knob("padding_mode", lambda _b: "padding_mode='zeros'"),
    },
)
def _rand_rotate(p: Params) -> Envelope:
    """turns by a random angle (radians; ``range_y`` and ``range_z`` turn a volume about its other axes)"""
    turn = sum(max(abs(lo), abs(hi)) for lo, hi in (_radians_range(p, f"range_{a}") for a in "xyz"))
    return _turned(p, _deg(turn))


@entry(names("Rotate"), family=FAMILY, knobs={"rotation": Knob("angle", lambda b: f"angle={_turn(b)}")})
def _rotate(p: Params) -> Envelope:
    """turns by a fixed angle (radians; one per axis for a volume)"""
    value = p.raw("angle")
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.angle: expected an angle in radians or one per axis, got {value!r}")
    return _turned(p, _deg(sum(abs(float(v)) for v in items)))


# --------------------------------------------------------------------------- zooms
def _zoom_ranges(p: Params, low: str, high: str | None) -> list[tuple[float, float]]:
    """Per-axis zoom factor ranges of ``Zoom(zoom=)`` or ``RandZoom(min_zoom=, max_zoom=)``."""

    def listed(name: str) -> list[float]:
        value = p.raw(name)
        items = value if isinstance(value, (list, tuple)) else [value]
        if not items or not all(is_number(v) for v in items):
            raise ConfigError(f"{p.transform}.{name}: expected a zoom factor or one per spatial axis, got {value!r}")
        return [float(v) for v in items]

    lows = listed(low)
    highs = listed(high) if high is not None else lows
    if len(lows) != len(highs):
        raise ConfigError(f"{p.transform}: min_zoom and max_zoom must have the same length, got {lows} and {highs}")
    return [(min(a, b), max(a, b)) for a, b in zip(lows, highs, strict=True)]


def _zoomed(p: Params, ranges: list[tuple[float, float]]) -> Envelope:
    """Zoom about the centre by per-axis factors (one factor for every axis when one range is given)."""
    lo = min(r[0] for r in ranges)
    hi = max(r[1] for r in ranges)
    if lo <= 0.0:
        raise ConfigError(f"{p.transform}: zoom factors must be above 0, got {lo:g}")
    if len(ranges) == 1:
        aspect = 1.0
        zx = zy = ranges[0]
    else:
        zx, zy = ranges[0], ranges[1]  # the in-plane axes; a volume's third is its depth
        aspect = max(zx[1] / zy[0], zy[1] / zx[0], 1.0)
    env = Envelope(scale_min=lo, scale_max=hi, aspect=aspect)
    if not p.flag("keep_size"):
        return env.with_changes(resize=True)
    kept, travel = _frame_loss(zx, zy, 0.0, 0.0)
    env = env.with_changes(crop_min=kept, edge_travel=travel)
    if lo < 1.0:  # the content shrinks inside the frame, which is filled by padding
        env = env.with_changes(reflect_border=_reflects(p))
    return env


@entry(
    names("RandZoom"),
    family=FAMILY,
    knobs={
        "scale": Knob("min_zoom", lambda b: f"min_zoom={b[0]:g}, max_zoom={b[1]:g}"),
        "crop": Knob("max_zoom"),
        "reflect_border": Knob("padding_mode", lambda _b: "padding_mode='constant'"),
    },
)
def _rand_zoom(p: Params) -> Envelope:
    """zooms by a random factor between ``min_zoom`` and ``max_zoom`` (above 1 crops, below 1 pads)"""
    return _zoomed(p, _zoom_ranges(p, "min_zoom", "max_zoom"))


@entry(names("Zoom"), family=FAMILY, knobs={"scale": Knob("zoom")})
def _zoom(p: Params) -> Envelope:
    """zooms by a fixed factor (above 1 crops, below 1 pads)"""
    return _zoomed(p, _zoom_ranges(p, "zoom", None))


# --------------------------------------------------------------------------- affine maps
def _grid(lo: float, hi: float, n: int) -> list[float]:
    if lo == hi:
        return [lo]
    return sorted({lo, hi, *(lo + (hi - lo) * i / (n - 1) for i in range(n))})


@functools.lru_cache(maxsize=512)
def _affine_reading(
    rotate: tuple[float, float],
    shear0: tuple[float, float],
    shear1: tuple[float, float],
    scale0: tuple[float, float],
    scale1: tuple[float, float],
) -> tuple[bool, float, float, float, float]:
    """(mirror, turn, smallest zoom, largest zoom, shear) of the image under MONAI's 2-D affine.

    MONAI samples the input at ``A = R(θ) · [[1, c0], [c1, 1 + c0 c1]] · diag(k0, k1)`` times the output
    coordinate, so the image moves by ``A⁻¹``: its zooms are the reciprocals of A's singular values, its turn
    is A's, and a negative determinant (a scale through 0) mirrors it. Read over a grid of every range
    (angles in 9 steps, the others in 5, ends included); a scale range reaching 0 collapses the image.
    """
    if scale0[0] <= 0.0 <= scale0[1] or scale1[0] <= 0.0 <= scale1[1]:
        return True, 180.0, 0.0, math.inf, 90.0
    mirror, turn, zmin, zmax, shear = False, 0.0, math.inf, 0.0, 0.0
    angles = _grid(*rotate, 9)
    for c0 in _grid(*shear0, 5):
        for c1 in _grid(*shear1, 5):
            s00, s01, s10, s11 = 1.0, c0, c1, 1.0 + c0 * c1
            for k0 in _grid(*scale0, 5):
                for k1 in _grid(*scale1, 5):
                    b00, b01, b10, b11 = s00 * k0, s01 * k1, s10 * k0, s11 * k1
                    for theta in angles:
                        c, s = math.cos(theta), math.sin(theta)
                        a00, a01 = c * b00 - s * b10, c * b01 - s * b11
                        a10, a11 = s * b00 + c * b10, s * b01 + c * b11
                        det = a00 * a11 - a01 * a10
                        # the forward map A⁻¹ = [[a11, -a01], [-a10, a00]] / det, in (row, column) order; read
                        # in (x, y) order (columns first), as "a left-right mirror, then a turn" is defined
                        m11, m10, m01, m00 = a11 / det, -a01 / det, -a10 / det, a00 / det
                        mirror = mirror or det < 0
                        f = -1.0 if det < 0 else 1.0
                        turn = max(turn, abs(math.degrees(math.atan2(f * m10 - m01, f * m00 + m11))))
                        lo, hi, sheared = zoom_and_shear(m00, m01, m10, m11)
                        zmin, zmax, shear = min(zmin, lo), max(zmax, hi), max(shear, sheared)
    return mirror, min(turn, 180.0), zmin, zmax, shear


_NONE = (0.0, 0.0)


def _affine_envelope(
    p: Params,
    rotate: list[tuple[float, float]],
    shear: list[tuple[float, float]],
    translate: list[tuple[float, float]],
    scale: list[tuple[float, float]],
) -> Envelope:
    """The envelope of MONAI's affine map given per-axis ranges (scales as factors, not offsets from 1).

    More entries than a 2-D image uses (a volume's) are added on top of the in-plane reading: the other
    angles add to the turn, the other shears to the shear, and a scale of the depth axis through 0 mirrors.
    """
    volume = len(rotate) > 1 or len(shear) > 2 or len(scale) > 2 or len(translate) > 2
    r0 = rotate[0] if rotate else _NONE
    if volume:
        # 3-D shear coefficients: (0,1), (0,2), (1,0), (1,2), (2,0), (2,1); the plane's are the first and third
        sh0 = shear[0] if shear else _NONE
        sh1 = shear[2] if len(shear) > 2 else _NONE
        extra_shear = [s for i, s in enumerate(shear) if i not in (0, 2)]
    else:
        sh0 = shear[0] if shear else _NONE
        sh1 = shear[1] if len(shear) > 1 else _NONE
        extra_shear = []
    k0 = scale[0] if scale else (1.0, 1.0)
    k1 = scale[1] if len(scale) > 1 else (1.0, 1.0)
    mirror, turn, zmin, zmax, shear_deg = _affine_reading(r0, sh0, sh1, k0, k1)
    turn += sum(_deg(max(abs(lo), abs(hi))) for lo, hi in rotate[1:])
    shear_deg += sum(math.degrees(math.atan(max(abs(lo), abs(hi)))) for lo, hi in extra_shear)
    mirror = mirror or any(lo <= 0.0 for lo, _ in scale[2:])
    shift = max((max(abs(lo), abs(hi)) for lo, hi in translate), default=0.0)
    # the zoom of each image axis is the reciprocal of its sampling scale
    zx = (1.0 / k0[1], 1.0 / k0[0]) if k0[0] > 0 else (0.0, math.inf)
    zy = (1.0 / k1[1], 1.0 / k1[0]) if k1[0] > 0 else (0.0, math.inf)
    aspect = max(1.0, zx[1] / zy[0] if zy[0] > 0 else math.inf, zy[1] / zx[0] if zx[0] > 0 else math.inf)
    kept, travel = _frame_loss(zx, zy, 0.0, 0.0, min(shear_deg, 89.0)) if zmax < math.inf else (0.0, 1.0)
    moves = bool(turn or shear_deg or shift or zmin != 1.0 or zmax != 1.0 or mirror)
    resized = _output_size(p)
    env = Envelope(
        mirror=mirror,
        rotation=min(turn, 180.0),
        scale_min=zmin,
        scale_max=zmax,
        shear=min(shear_deg, 90.0),
        aspect=aspect,
        translation_px=shift,
        crop_min=kept,
        edge_travel=travel,
        reflect_border=(moves or resized) and _reflects(p),
    )
    if resized:
        # an output grid of another size in pixels: the frame is cut or padded (with padding_mode) around the
        # content by an amount that depends on the input size
        env = env.with_changes(crop_unbounded=True, canvas_growth=math.inf)
    return env


def _output_size(p: Params) -> bool:
    """Whether ``spatial_size`` asks for an output grid of its own size (None or -1 keep the input's)."""
    value = p.raw("spatial_size") if "spatial_size" in p.defaults else None
    items = value if isinstance(value, (list, tuple)) else [value]
    return any(v is not None and not (is_number(v) and v <= 0) for v in items)


def _scales(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(1.0 + lo, 1.0 + hi) for lo, hi in ranges]


_AFFINE_KNOBS = {
    "rotation": Knob("rotate_range", lambda b: f"rotate_range={_turn(b)}"),
    "scale": Knob("scale_range"),
    "translation": Knob("translate_range"),
    "shear": Knob("shear_range"),
    "mirror": Knob("scale_range"),
    "reflect_border": Knob("padding_mode", lambda _b: "padding_mode='zeros'"),
}


@entry(names("RandAffine"), family=FAMILY, knobs=_AFFINE_KNOBS)
def _rand_affine(p: Params) -> Envelope:
    """applies a random affine map (rotation in radians, shear factors, translation in pixels, scale 1 + u)"""
    return _affine_envelope(
        p,
        _per_axis(p, "rotate_range"),
        _per_axis(p, "shear_range"),
        _per_axis(p, "translate_range"),
        _scales(_per_axis(p, "scale_range")),
    )


def _fixed_axis(p: Params, name: str) -> list[tuple[float, float]]:
    value = p.raw(name)
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    if not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.{name}: expected a number or one per spatial axis, got {value!r}")
    return [(float(v), float(v)) for v in items]


@entry(names("Affine"), family=FAMILY, knobs=_AFFINE_KNOBS)
def _fixed_affine(p: Params) -> Envelope:
    """applies a fixed affine map (rotation in radians, shear factors, translation in pixels, scale factors)"""
    if p.raw("affine") is not None:
        raise ConfigError(
            f"{p.transform}.affine: a matrix given directly is not read; write rotate_params, shear_params, "
            "translate_params and scale_params instead so that its effect can be checked"
        )
    return _affine_envelope(
        p,
        _fixed_axis(p, "rotate_params"),
        _fixed_axis(p, "shear_params"),
        _fixed_axis(p, "translate_params"),
        _fixed_axis(p, "scale_params") or [(1.0, 1.0)],
    )


@entry(names("Rand2DElastic", "Rand3DElastic"), family=FAMILY, knobs=_AFFINE_KNOBS)
def _elastic(p: Params) -> Envelope:
    """warps the image with a smooth random field (magnitudes in pixels) on top of a random affine map

    The field's displacement is set in pixels (``magnitude_range`` times a smoothed unit field), so its share
    of the side depends on the image size: it is read as a warp of any size that may fold.
    """
    affine = _rand_affine(p)
    lo, hi = p.range("magnitude_range", "fixed")
    if max(abs(lo), abs(hi)) == 0.0:
        return affine
    return affine.with_changes(nonrigid=True, warp=1.0, fold=True, reflect_border=_reflects(p))


@entry(names("RandGridDistortion"), family=FAMILY, knobs={"reflect_border": Knob("padding_mode")})
def _rand_grid_distortion(p: Params) -> Envelope:
    """stretches or squeezes the cells of a grid along each axis by 1 + k, k in ``distort_limit``"""
    k = p.magnitude("distort_limit")
    if k == 0.0:
        return Envelope()
    # MONAI's grid is not normalised back to the frame: a line moves by up to k of the side, content may leave it
    return Envelope(
        nonrigid=True,
        warp=min(1.0, k),
        fold=k >= 1.0,
        crop_min=(1.0 / (1.0 + k)) ** 2,
        edge_travel=min(1.0, k / (1.0 + k)),
        reflect_border=_reflects(p),
    )


@entry(names("GridDistortion"), family=FAMILY, knobs={"reflect_border": Knob("padding_mode")})
def _grid_distortion(p: Params) -> Envelope:
    """stretches or squeezes the cells of a grid by the given steps"""
    steps = p.raw("distort_steps")
    flat: list[Any] = []
    for item in steps if isinstance(steps, (list, tuple)) else [steps]:
        flat += list(item) if isinstance(item, (list, tuple)) else [item]
    if not flat or not all(is_number(v) for v in flat):
        raise ConfigError(f"{p.transform}.distort_steps: expected step factors per cell and axis, got {steps!r}")
    k = max(abs(float(v) - 1.0) for v in flat)
    if k == 0.0:
        return Envelope()
    return Envelope(
        nonrigid=True,
        warp=min(1.0, k),
        fold=min(float(v) for v in flat) <= 0.0,
        crop_min=(1.0 / (1.0 + k)) ** 2,
        edge_travel=min(1.0, k / (1.0 + k)),
        reflect_border=_reflects(p),
    )


@entry(names("RandSmoothDeform"), family=FAMILY)
def _smooth_deform(p: Params) -> Envelope:
    """warps the image with a smooth random field of up to ``def_range`` of the side"""
    lo, hi = p.range("def_range", "symmetric")
    k = max(abs(lo), abs(hi))
    if k == 0.0:
        return Envelope()
    # def_range is in normalised grid units ([-1, 1] spans the image): k moves a point by k/2 of the side
    return Envelope(nonrigid=True, warp=min(1.0, k / 2.0), fold=True, crop_min=0.0, edge_travel=1.0)


# --------------------------------------------------------------------------- resizes, crops and pads
constant(
    names("Resize", "Spacing", "SpatialResample", "ResampleToMatch"),
    Envelope(resize=True, aspect=math.inf),
    family=FAMILY,
    summary="resamples to a fixed size or pixel spacing (the factor depends on the input)",
)
# MONAI names the dictionary form of SpatialResample/ResampleToMatch alike; Resample is the grid sampler.


def _pads(p: Params, name: str = "mode") -> Envelope:
    return Envelope(canvas_growth=math.inf, reflect_border=_reflects(p, name))


@entry(names("SpatialPad", "BorderPad", "DivisiblePad"), family=FAMILY, knobs={"reflect_border": Knob("mode")})
def _pad(p: Params) -> Envelope:
    """pads the borders by pixels (how far the frame grows around the content depends on the input size)"""
    return _pads(p)


@entry(names("ResizeWithPadOrCrop"), family=FAMILY, knobs={"reflect_border": Knob("mode")})
def _pad_or_crop(p: Params) -> Envelope:
    """crops or pads to a fixed size in pixels"""
    return _pads(p).with_changes(crop_unbounded=True)


_CROPS = (
    "RandSpatialCrop",
    "RandSpatialCropSamples",
    "CenterSpatialCrop",
    "SpatialCrop",
    "RandCropByPosNegLabel",
    "RandCropByLabelClasses",
    "RandWeightedCrop",
)
constant(
    [*names(*_CROPS), PREFIX + "Crop", PREFIX + "Cropd", PREFIX + "RandCropd"],
    Envelope(crop_unbounded=True),
    family=FAMILY,
    summary="crops a region sized in pixels (its share of the image depends on the input size)",
)


@entry(names("CropForeground"), family=FAMILY, knobs={"reflect_border": Knob("mode")})
def _crop_foreground(p: Params) -> Envelope:
    """crops to the foreground's bounding box, padded by ``margin`` (with ``mode``)"""
    return Envelope(crop_unbounded=True, canvas_growth=math.inf, reflect_border=_reflects(p, "mode"))


def _scale_crop(p: Params, name: str) -> float:
    value = p.raw(name)
    items = value if isinstance(value, (list, tuple)) else [value, value]
    if not items or not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.{name}: expected a share of each side, got {value!r}")
    sides = [min(1.0, max(0.0, float(v))) for v in items[:2]]
    return sides[0] * (sides[1] if len(sides) > 1 else sides[0])


@entry(names("RandScaleCrop", "CenterScaleCrop"), family=FAMILY, knobs={"crop": Knob("roi_scale")})
def _rand_scale_crop(p: Params) -> Envelope:
    """crops a share of each side"""
    kept = _scale_crop(p, "roi_scale")
    side = math.sqrt(kept)
    # a random centre may put the crop against one edge: the far edge moves in by the whole remainder
    random_center = "random_center" in p.defaults and p.flag("random_center")
    travel = (1.0 - side) if random_center else (1.0 - side) / 2.0
    return Envelope(crop_min=kept, edge_travel=min(1.0, travel))


# --------------------------------------------------------------------------- intensity
def _gain(p: Params, name: str) -> tuple[float, float]:
    """``1 + u`` for ``u`` in a ``factors`` range (a number ``f`` is ``(-f, f)``)."""
    lo, hi = p.range(name, "symmetric")
    return 1.0 + lo, 1.0 + hi


def _gain_envelope(lo: float, hi: float, color: bool = False) -> Envelope:
    inverts = lo < 0.0
    smallest = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    largest = max(abs(lo), abs(hi))
    return Envelope(
        contrast_min=smallest,
        contrast_max=largest,
        brightness=max(abs(1.0 - lo), abs(hi - 1.0)),
        inversion=inverts,
        color=color and hi > lo,
    )


@entry(
    names("RandShiftIntensity"),
    family=TONE,
    knobs={"brightness": Knob("offsets", lambda b: f"offsets={b:g}"), "color": Knob("channel_wise")},
)
def _rand_shift(p: Params) -> Envelope:
    """adds a random offset (in intensity units: a fraction of a [0, 1] range)"""
    lo, hi = p.range("offsets", "symmetric")
    shift = max(abs(lo), abs(hi))
    return Envelope(brightness=shift, color="channel_wise" in p.defaults and p.flag("channel_wise") and shift > 0)


@entry(names("ShiftIntensity"), family=TONE, knobs={"brightness": Knob("offset")})
def _shift(p: Params) -> Envelope:
    """adds a fixed offset (in intensity units)"""
    return Envelope(brightness=abs(p.number("offset")))


@entry(names("RandStdShiftIntensity"), family=TONE, knobs={"brightness": Knob("factors")})
def _std_shift(p: Params) -> Envelope:
    """adds a random multiple of the image's standard deviation (at most half the range on [0, 1])"""
    lo, hi = p.range("factors", "symmetric")
    color = p.flag("channel_wise") and hi > lo
    return Envelope(brightness=0.5 * max(abs(lo), abs(hi)), color=color)


@entry(names("StdShiftIntensity"), family=TONE, knobs={"brightness": Knob("factor")})
def _fixed_std_shift(p: Params) -> Envelope:
    """adds a fixed multiple of the image's standard deviation (at most half the range on [0, 1])"""
    return Envelope(brightness=0.5 * abs(p.number("factor")))


@entry(
    names("RandScaleIntensity"),
    family=TONE,
    knobs={"contrast": Knob("factors", lambda b: f"factors={max(1 - b[0], b[1] - 1):g}")},
)
def _rand_scale(p: Params) -> Envelope:
    """multiplies intensities by 1 + u (a gain about zero)"""
    lo, hi = _gain(p, "factors")
    return _gain_envelope(lo, hi, color=p.flag("channel_wise"))


@entry(names("RandScaleIntensityFixedMean"), family=TONE, knobs={"contrast": Knob("factors")})
def _rand_scale_fixed_mean(p: Params) -> Envelope:
    """multiplies intensities by 1 + u about their mean"""
    lo, hi = _gain(p, "factors")
    return _gain_envelope(lo, hi, color=p.flag("channel_wise"))


@entry(names("ScaleIntensityFixedMean"), family=TONE, knobs={"contrast": Knob("factor")})
def _scale_fixed_mean(p: Params) -> Envelope:
    """multiplies intensities by 1 + factor about their mean"""
    f = 1.0 + p.number("factor")
    return _gain_envelope(f, f, color=False)


def _gamma_range(p: Params, name: str) -> tuple[float, float]:
    value = p.raw(name)
    if is_number(value):
        # MONAI: a number g > 0.5 is the range (0.5, g); below 0.5 it is an error
        g = float(value)
        if g <= 0.5:
            raise ConfigError(f"{p.transform}.{name}: a single gamma must be above 0.5, got {g:g}")
        return 0.5, g
    return p.range(name, "fixed")


@entry(
    names("RandAdjustContrast"),
    family=TONE,
    knobs={"gamma": Knob("gamma", lambda b: f"gamma=({b[0]:g}, {b[1]:g})"), "inversion": Knob("invert_image")},
)
def _rand_adjust_contrast(p: Params) -> Envelope:
    """applies a random gamma curve (on the image rescaled to its own range)"""
    lo, hi = _gamma_range(p, "gamma")
    return Envelope(gamma_min=max(0.0, lo), gamma_max=max(0.0, hi), inversion=p.flag("invert_image"))


@entry(names("AdjustContrast"), family=TONE, knobs={"gamma": Knob("gamma"), "inversion": Knob("invert_image")})
def _adjust_contrast(p: Params) -> Envelope:
    """applies a fixed gamma curve"""
    g = p.number("gamma")
    return Envelope(gamma_min=g, gamma_max=g, inversion=p.flag("invert_image"))


@entry(names("RandHistogramShift"), family=TONE, knobs={"equalization": Knob("num_control_points")})
def _histogram_shift(p: Params) -> Envelope:
    """remaps intensities through a random monotone piecewise-linear curve"""
    return Envelope(equalization=True)


@entry(names("RandBiasField"), family=TONE, knobs={"contrast": Knob("coeff_range")})
def _bias_field(p: Params) -> Envelope:
    """multiplies by a smooth field exp(Σ c_i P_i(x, y)) (Legendre polynomials up to ``degree``)"""
    degree = p.raw("degree")
    if not isinstance(degree, int) or isinstance(degree, bool) or degree < 1:
        raise ConfigError(f"{p.transform}.degree: expected a polynomial degree of 1 or more, got {degree!r}")
    lo, hi = p.range("coeff_range", "fixed")
    terms = (degree + 1) * (degree + 2) * (degree + 3) // 6  # a volume's count bounds the image's
    bound = terms * max(abs(lo), abs(hi))  # |P_i| <= 1 on the image
    lo_gain, hi_gain = math.exp(-bound), math.exp(bound)
    return Envelope(contrast_min=lo_gain, contrast_max=hi_gain, brightness=min(1.0, hi_gain - 1.0))


@entry(names("RandGaussianNoise"), family=DETAIL, knobs={"noise": Knob("std", lambda b: f"std={b:g}")})
def _gaussian_noise(p: Params) -> Envelope:
    """adds Gaussian noise (standard deviation in intensity units, drawn up to ``std`` by default)"""
    return Envelope(noise=abs(p.number("std")), brightness=abs(p.number("mean")))


@entry(names("RandRicianNoise"), family=DETAIL, knobs={"noise": Knob("std", lambda b: f"std={b:g}")})
def _rician_noise(p: Params) -> Envelope:
    """adds Rician noise (magnitude of complex Gaussian noise; std relative to the image's with ``relative``)"""
    std, mean = abs(p.number("std")), abs(p.number("mean"))
    scale = 0.5 if p.flag("relative") else 1.0  # the std of a [0, 1] image is at most 0.5
    # |x + n1 + i n2| moves x by up to |n|: its spread and its mean shift both grow with the std
    return Envelope(noise=std * scale, brightness=min(1.0, (mean + std * math.sqrt(math.pi / 2)) * scale))


def _sigmas(p: Params, prefix: str) -> float:
    return max(p.magnitude(f"{prefix}{axis}", "fixed") for axis in "xyz")


@entry(names("RandGaussianSmooth"), family=DETAIL, knobs={"blur": Knob("sigma_x", lambda b: f"sigma_x=(0.25, {b:g})")})
def _rand_smooth(p: Params) -> Envelope:
    """blurs with a random Gaussian sigma per axis (pixels)"""
    return Envelope(blur=_sigmas(p, "sigma_"))


@entry(names("GaussianSmooth"), family=DETAIL, knobs={"blur": Knob("sigma")})
def _smooth(p: Params) -> Envelope:
    """blurs with a fixed Gaussian sigma (pixels, one or one per axis)"""
    value = p.raw("sigma")
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.sigma: expected a sigma in pixels or one per axis, got {value!r}")
    return Envelope(blur=max(abs(float(v)) for v in items))


@entry(names("MedianSmooth"), family=DETAIL, knobs={"blur": Knob("radius")})
def _median(p: Params) -> Envelope:
    """replaces each pixel by the median of its neighbourhood (``radius`` pixels)"""
    value = p.raw("radius")
    items = value if isinstance(value, (list, tuple)) else [value]
    if not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.radius: expected a radius in pixels, got {value!r}")
    r = max(abs(float(v)) for v in items)
    return Envelope(blur=r / math.sqrt(3.0)) if r > 0 else Envelope()


@entry(names("RandGaussianSharpen", "GaussianSharpen"), family=DETAIL, knobs={"sharpen": Knob("alpha")})
def _sharpen(p: Params) -> Envelope:
    """sharpens (an unsharp mask of two Gaussian blurs)"""
    return Envelope(sharpen=True)


@entry(names("RandGibbsNoise"), family=DETAIL, knobs={"resolution": Knob("alpha")})
def _gibbs(p: Params) -> Envelope:
    """cuts high k-space frequencies (ringing); ``alpha`` is the share of the spectrum cut"""
    _lo, hi = p.range("alpha", "fixed")
    hi = min(1.0, max(0.0, hi))
    if hi == 0.0:
        return Envelope()
    return Envelope(resolution=max(0.0, 1.0 - hi), nonmonotone=True)


@entry(names("GibbsNoise"), family=DETAIL, knobs={"resolution": Knob("alpha")})
def _fixed_gibbs(p: Params) -> Envelope:
    """cuts a fixed share of the high k-space frequencies (ringing)"""
    a = min(1.0, max(0.0, p.number("alpha")))
    return Envelope(resolution=1.0 - a, nonmonotone=True) if a > 0 else Envelope()


constant(
    names("RandKSpaceSpikeNoise", "KSpaceSpikeNoise"),
    Envelope(overlay=True, nonmonotone=True),
    family=OCCLUSION,
    summary="adds a spike in k-space: a stripe pattern over the whole image",
)


@entry(names("RandSimulateLowResolution"), family=DETAIL, knobs={"resolution": Knob("zoom_range")})
def _low_resolution(p: Params) -> Envelope:
    """downsamples by a factor in ``zoom_range`` and upsamples back"""
    lo, _hi = p.range("zoom_range", "fixed")
    return Envelope(resolution=min(1.0, max(0.0, lo)))


@entry(
    names("RandCoarseDropout"),
    family=OCCLUSION,
    knobs={"occlusion": Knob("holes"), "topology": Knob("dropout_holes", lambda _b: "dropout_holes=True")},
)
def _coarse_dropout(p: Params) -> Envelope:
    """fills holes sized in pixels (their share of the image depends on its size: read as up to all of it)

    ``dropout_holes=False`` keeps the holes and fills everything else.
    """
    return Envelope(occlusion=1.0)


@entry(names("RandCoarseShuffle"), family=OCCLUSION, knobs={"topology": Knob("holes")})
def _coarse_shuffle(p: Params) -> Envelope:
    """shuffles the pixels inside holes sized in pixels"""
    return Envelope(topology=True, occlusion=1.0)


@entry(names("RandSmoothFieldAdjustContrast"), family=TONE, knobs={"gamma": Knob("gamma")})
def _smooth_gamma(p: Params) -> Envelope:
    """applies a gamma that varies smoothly across the image"""
    lo, hi = p.range("gamma", "fixed")
    return Envelope(gamma_min=max(0.0, lo), gamma_max=max(0.0, hi))


@entry(names("RandSmoothFieldAdjustIntensity"), family=TONE, knobs={"contrast": Knob("gamma")})
def _smooth_gain(p: Params) -> Envelope:
    """multiplies by a gain that varies smoothly across the image"""
    lo, hi = p.range("gamma", "fixed")
    return _gain_envelope(lo, hi)


# --------------------------------------------------------------------------- torchvision inside MONAI
@entry(names("TorchVision", "RandTorchVision"), family=STRUCTURAL)
def _torchvision(p: Params) -> Envelope:
    """runs the ``torchvision.transforms`` class named by ``name`` with the arguments that follow: judged by
    that class's entry"""
    cls = p.text("name")
    target = canonical(f"torchvision.transforms.{cls}") if cls else None
    if target is None:
        raise ConfigError(f"{p.transform}.name: torchvision.transforms has no class {cls!r}")
    if p.given.get("_unread_"):
        raise ConfigError(f"{p.transform}: the wrapped {target} could not be read, so its effect is not known")
    importlib.import_module(library("torchvision").catalog)
    found = get_entry(target)
    if found is None or found.unknown:
        raise ConfigError(f"{p.transform}: {target} has no catalog entry that says what it does")
    args = {k: v for k, v in p.given.items() if k not in ("name", "keys", "allow_missing_keys")}
    return found.envelope(Params(target, args, defaults_for(target)))


# --------------------------------------------------------------------------- preprocessing that keeps the content
@entry(names("ScaleIntensity"), family=STRUCTURAL)
def _scale_intensity(p: Params) -> Envelope:
    """rescales intensities to ``[minv, maxv]`` (or by ``factor``); the same for every image"""
    minv, maxv, factor = p.raw("minv"), p.raw("maxv"), p.raw("factor")
    if minv is not None and maxv is not None and is_number(minv) and is_number(maxv) and maxv < minv:
        return Envelope(inversion=True)
    if factor is not None and is_number(factor) and 1.0 + float(factor) < 0:
        return Envelope(inversion=True)
    return Envelope()


@entry(names("ScaleIntensityRange", "ScaleIntensityRangePercentiles"), family=STRUCTURAL)
def _scale_range(p: Params) -> Envelope:
    """maps ``[a_min, a_max]`` (values or percentiles) to ``[b_min, b_max]``; the same for every image

    The map reverses intensities when exactly one of the two ranges runs downwards.
    """
    ends = ("lower", "upper") if "lower" in p.defaults else ("a_min", "a_max")
    a_min, a_max, b_min, b_max = (p.raw(n) for n in (*ends, "b_min", "b_max"))
    if all(is_number(v) for v in (a_min, a_max, b_min, b_max)) and (a_max < a_min) != (b_max < b_min):
        return Envelope(inversion=True)
    return Envelope()


@entry(names("NormalizeIntensity"), family=STRUCTURAL, knobs={"inversion": Knob("divisor")})
def _normalize(p: Params) -> Envelope:
    """standardises intensities with fixed or per-image statistics; a deterministic preprocessing step

    A negative ``divisor`` reverses intensities.
    """
    divisor = p.raw("divisor")
    values = divisor if isinstance(divisor, (list, tuple)) else [divisor]
    return Envelope(inversion=any(is_number(v) and v < 0 for v in values))


def _identity_entries(reasons: dict[str, str]) -> None:
    for name, reason in reasons.items():
        constant(name, Envelope(), family=STRUCTURAL, summary=reason)


def _unknown_entries(reasons: dict[str, str]) -> None:
    for name, reason in reasons.items():
        unknown(name, family=STRUCTURAL, summary=reason)


_identity_entries(IDENTITY_REASONS)
_unknown_entries(UNKNOWN_REASONS)
add_defaults(defaults())
