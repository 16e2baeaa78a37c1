"""Kornia augmentation (``kornia.augmentation`` 0.9.0): what each class may do, given its arguments.

Kornia's conventions, resolved here:

* Images are float tensors in ``[0, 1]``: additive shifts (``RandomBrightness``, ``RandomRGBShift``, noise
  ``std``) are already fractions of full scale.
* Angles are degrees (``RandomRotation(degrees=30)`` turns by up to ±30°); a bare number ``x`` is the range
  ``(-x, x)``. Shears are degrees too, and Kornia's shear matrix ``[[1, -tan sx], [-tan sy, 1 + tan sx tan sy]]``
  has determinant 1: a shear alone never mirrors (unlike albumentations', whose shears can collapse or mirror).
* Factors given as a bare number ``x`` are the range ``(max(0, 1 - x), 1 + x)`` (``ColorJitter(brightness=0.2)``);
  a hue is a fraction of the full turn in ``[-0.5, 0.5]``.
* ``RandomBrightness`` and ``ColorJiggle``'s brightness *add* ``factor - 1``; ``RandomContrast`` and
  ``ColorJiggle``'s contrast are gains about zero; ``ColorJitter`` is torchvision's (gain, stretch about the mean).
* ``padding_mode="reflection"`` (``RandomAffine``, ``RandomShear``, ``RandomTranslate``) and
  ``padding_mode="reflect"``/``"symmetric"`` (``RandomCrop``, ``PadTo``) fill the border with mirrored content.
* Every transform runs with probability ``p`` (and ``p_batch`` for the batch as a whole); the envelope is what it
  may do when it runs.

Containers (``AugmentationSequential``, ``ImageSequential``, ``VideoSequential`` and the dispatchers) are
compositions, described in :mod:`safeaug.libraries.kornia`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from safeaug.catalog import _registry
from safeaug.catalog._registry import Knob, Params, add_defaults, constant, entry, is_number, unknown
from safeaug.catalog.degradation import _box_sigma, _gaussian_std
from safeaug.catalog.geometric import _frame_loss
from safeaug.catalog.photometric import _hue_reach
from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.libraries._kornia_table import AUTO_POLICIES, NOT_LITERAL, SIGNATURES

K = "kornia.augmentation."
GEOMETRIC = "geometric"
PHOTOMETRIC = "photometric"
DEGRADATION = "degradation"
OCCLUSION = "occlusion"
MIXING = "mixing"
STRUCTURAL = "structural"

add_defaults({name: dict(args) for name, args in SIGNATURES.items()})


# ------------------------------------------------------------------------------------------ helpers


def _value(p: Params, name: str) -> Any:
    value = p.raw(name)
    if isinstance(value, str) and value.startswith(NOT_LITERAL):
        raise ConfigError(f"{p.transform}.{name}: the default is not a plain value; write `{name}` explicitly")
    return value


def _range(p: Params, name: str, *, center: float = 0.0, floor: float | None = None) -> tuple[float, float]:
    """A Kornia range argument: a bare number ``x`` is ``(center - x, center + x)`` (floored), a pair the range."""
    value = _value(p, name)
    if is_number(value):
        x = float(value)
        if x < 0:
            raise ConfigError(f"{p.transform}.{name}: a single number must be non-negative, got {x:g}")
        lo, hi = center - x, center + x
        return (max(lo, floor) if floor is not None else lo), hi
    return p.as_range(name, value, "fixed")


def _padding_reflects(p: Params, name: str = "padding_mode") -> bool:
    value = _value(p, name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value == 2  # SamplePadding.REFLECTION
    return isinstance(value, str) and value.lower() in {"reflection", "reflect", "symmetric"}


def _degrees_knob(name: str = "degrees") -> Knob:
    return Knob(name, lambda b: f"{name}={b:g}")


def _reflect_knob(name: str = "padding_mode") -> Knob:
    return Knob(name, lambda _b: f'{name}="zeros"' if name == "padding_mode" else f'{name}="constant"')


def _alb(name: str, p: Params, given: Mapping[str, Any]) -> Envelope:
    """The envelope of the albumentations entry ``name`` for arguments that mean the same there."""
    found = _registry.get_entry(name)
    assert found is not None, name
    return found.describe(Params(p.transform, given, _registry.defaults_for(name)))


# ------------------------------------------------------------------------------------------ flips and turns

constant(
    [K + "RandomHorizontalFlip", K + "RandomHorizontalFlip3D"],
    Envelope(mirror=True),
    family=GEOMETRIC,
    summary="mirrors left and right",
)
constant(
    [K + "RandomVerticalFlip", K + "RandomVerticalFlip3D"],
    Envelope(mirror=True, rotation=180.0),
    family=GEOMETRIC,
    summary="turns the image upside down (a mirror and a half turn)",
)
constant(
    K + "RandomDepthicalFlip3D",
    Envelope(mirror=True),
    family=GEOMETRIC,
    summary="reverses the slice order of a volume (a mirror in depth: left and right anatomy swap sides)",
)


@entry(K + "RandomRotation", family=GEOMETRIC, knobs={"rotation": _degrees_knob()})
def _rotation(p: Params) -> Envelope:
    """rotates by a random angle (degrees)"""
    lo, hi = _range(p, "degrees")
    return Envelope(rotation=min(180.0, max(abs(lo), abs(hi))))


@entry(K + "RandomRotation90", family=GEOMETRIC, knobs={"rotation": Knob("times", lambda _b: "times=(0, 0)")})
def _rotation90(p: Params) -> Envelope:
    """turns by a random number of quarter turns"""
    lo, hi = _range(p, "times")
    ks = range(math.ceil(lo), math.floor(hi) + 1)
    turns = [min((90 * k) % 360, 360 - (90 * k) % 360) for k in ks]
    return Envelope(rotation=float(max(turns, default=0)))


# ------------------------------------------------------------------------------------------ affine maps


def _shears(p: Params) -> tuple[tuple[float, float], tuple[float, float]]:
    value = _value(p, "shear")
    if value is None:
        return (0.0, 0.0), (0.0, 0.0)
    if is_number(value):
        return _range(p, "shear"), (0.0, 0.0)
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, (list, tuple)) for v in value):
        return p.as_range("shear", value[0], "fixed"), p.as_range("shear", value[1], "fixed")
    if isinstance(value, (list, tuple)) and len(value) == 4:
        return p.as_range("shear", value[:2], "fixed"), p.as_range("shear", value[2:], "fixed")
    return p.as_range("shear", value, "fixed"), (0.0, 0.0)


def _scales(p: Params) -> tuple[tuple[float, float], tuple[float, float] | None]:
    value = _value(p, "scale")
    if value is None:
        return (1.0, 1.0), None
    if isinstance(value, (list, tuple)) and len(value) == 4:
        sx, sy = p.as_range("scale", value[:2], "fixed"), p.as_range("scale", value[2:], "fixed")
    else:
        sx, sy = p.as_range("scale", value, "fixed"), None
    if min(sx + (sy or sx)) < 0.0:
        raise ConfigError(f"{p.transform}.scale: scales must be non-negative, got {value!r}")
    return sx, sy


@functools.lru_cache(maxsize=512)
def _kornia_linear(
    rotate: tuple[float, float],
    scale_x: tuple[float, float],
    scale_y: tuple[float, float] | None,
    shear_x: tuple[float, float],
    shear_y: tuple[float, float],
) -> tuple[float, float, float, float]:
    """Turn, smallest and largest zoom and shear (degrees) of Kornia's affine linear part over every draw.

    Kornia builds ``R(θ) · diag(kx, ky) · [[1, -tx], [-ty, 1 + tx ty]]`` (t = tan of the drawn shear; ``scale_y``
    None: ky = kx). The shear factor has determinant 1, so nothing mirrors or collapses unless a scale is 0.
    The polar angle of ``diag(k) · Sh`` is the angle of the vector ``(kx + ky (1 + tx ty), kx tx - ky ty)``, which
    moves along a line as any one parameter varies: its extremes sit at the corners of the parameter box, and so
    does the largest singular value (convex in the matrix, the matrix affine in each parameter). The smallest
    singular value is bounded below by det / largest. The angle between the mapped axes is read on a grid.
    """
    txs = [math.tan(math.radians(v)) for v in shear_x]
    tys = [math.tan(math.radians(v)) for v in shear_y]
    kys = scale_y if scale_y is not None else None
    phi_lo, phi_hi, zoom_max = math.inf, -math.inf, 0.0
    det_min = math.inf
    for tx in txs:
        for ty in tys:
            for kx in scale_x:
                for ky in kys if kys is not None else (kx,):
                    m00, m01, m10, m11 = kx, -kx * tx, -ky * ty, ky * (1.0 + tx * ty)
                    phi = math.degrees(math.atan2(m10 - m01, m00 + m11))
                    phi_lo, phi_hi = min(phi_lo, phi), max(phi_hi, phi)
                    frob = m00 * m00 + m01 * m01 + m10 * m10 + m11 * m11
                    det = m00 * m11 - m01 * m10
                    root = math.sqrt(max(frob * frob - 4 * det * det, 0.0))
                    zoom_max = max(zoom_max, math.sqrt((frob + root) / 2))
                    det_min = min(det_min, abs(det))
    # Kornia negates the drawn angle (clockwise positive); the reach is symmetric in sign anyway.
    turn = max(abs(-rotate[0] + phi_lo), abs(-rotate[0] + phi_hi), abs(-rotate[1] + phi_lo), abs(-rotate[1] + phi_hi))
    zoom_min = det_min / zoom_max if zoom_max > 0 else 0.0
    shear = 0.0
    grid = 9
    for i in range(grid):
        for j in range(grid):
            sx = shear_x[0] + (shear_x[1] - shear_x[0]) * i / (grid - 1)
            sy = shear_y[0] + (shear_y[1] - shear_y[0]) * j / (grid - 1)
            tx, ty = math.tan(math.radians(sx)), math.tan(math.radians(sy))
            for kx in scale_x:
                for ky in kys if kys is not None else (kx,):
                    a = (kx, -ky * ty)  # first column
                    b = (-kx * tx, ky * (1.0 + tx * ty))  # second column
                    norms = math.hypot(*a) * math.hypot(*b)
                    if norms > 0:
                        cos = min(1.0, abs(a[0] * b[0] + a[1] * b[1]) / norms)
                        shear = max(shear, math.degrees(math.asin(cos)))
    if shear_x != (0.0, 0.0) or shear_y != (0.0, 0.0):
        shear += 1.0  # the grid may step over the extreme: a degree of slack
    return min(turn, 180.0), zoom_min, zoom_max, min(shear, 90.0)


def _affine_envelope(
    p: Params,
    rotate: tuple[float, float],
    translate: tuple[float, float],
    scale_x: tuple[float, float],
    scale_y: tuple[float, float] | None,
    shear_x: tuple[float, float],
    shear_y: tuple[float, float],
) -> Envelope:
    turn, zoom_min, zoom_max, shear = _kornia_linear(rotate, scale_x, scale_y, shear_x, shear_y)
    collapse = min(scale_x + (scale_y or scale_x)) <= 0.0
    sy = scale_y or scale_x
    aspect = 1.0
    if scale_y is not None:
        aspect = max(max(scale_x) / min(sy), max(sy) / min(scale_x)) if min(scale_x + sy) > 0 else math.inf
    kept, travel = _frame_loss(scale_x, sy, translate[0], translate[1], shear)
    return Envelope(
        rotation=turn,
        scale_min=0.0 if collapse else zoom_min,
        scale_max=zoom_max,
        aspect=max(1.0, aspect),
        shear=shear,
        translation=max(translate),
        crop_min=kept,
        edge_travel=travel,
        reflect_border=_padding_reflects(p),
    )


@entry(
    K + "RandomAffine",
    family=GEOMETRIC,
    knobs={
        "rotation": _degrees_knob(),
        "scale": Knob("scale", lambda b: f"scale=({b[0]:g}, {b[1]:g})"),
        "translation": Knob("translate", lambda b: f"translate=({b:g}, {b:g})"),
        "shear": Knob("shear", lambda b: f"shear={b:g}"),
        "reflect_border": _reflect_knob(),
    },
)
def _random_affine(p: Params) -> Envelope:
    """applies a random affine map: rotation and shear in degrees, translation as a fraction of each side"""
    rotate = _range(p, "degrees")
    value = _value(p, "translate")
    translate = (0.0, 0.0)
    if value is not None:
        if not (isinstance(value, (list, tuple)) and len(value) == 2 and all(is_number(v) for v in value)):
            raise ConfigError(
                f"{p.transform}.translate: expected (fraction of width, fraction of height), got {value!r}"
            )
        translate = (abs(float(value[0])), abs(float(value[1])))
    scale_x, scale_y = _scales(p)
    shear_x, shear_y = _shears(p)
    return _affine_envelope(p, rotate, translate, scale_x, scale_y, shear_x, shear_y)


@entry(
    K + "RandomShear",
    family=GEOMETRIC,
    knobs={"shear": Knob("shear", lambda b: f"shear={b:g}"), "reflect_border": _reflect_knob()},
)
def _random_shear(p: Params) -> Envelope:
    """shears by random angles (degrees)"""
    shear_x, shear_y = _shears(p)
    return _affine_envelope(p, (0.0, 0.0), (0.0, 0.0), (1.0, 1.0), None, shear_x, shear_y)


@entry(
    K + "RandomTranslate",
    family=GEOMETRIC,
    knobs={"translation": Knob("translate_x", lambda b: f"translate_x=({-b:g}, {b:g}), translate_y=({-b:g}, {b:g})")},
)
def _random_translate(p: Params) -> Envelope:
    """shifts by a random fraction of each side"""
    shifts = []
    for name in ("translate_x", "translate_y"):
        shifts.append(0.0 if _value(p, name) is None else max(abs(v) for v in _range(p, name)))
    kept, travel = _frame_loss((1.0, 1.0), (1.0, 1.0), shifts[0], shifts[1])
    return Envelope(translation=max(shifts), crop_min=kept, edge_travel=travel, reflect_border=_padding_reflects(p))


@entry(
    K + "RandomPerspective",
    family=GEOMETRIC,
    knobs={"perspective": Knob("distortion_scale", lambda b: f"distortion_scale={2 * b:g}")},
)
def _random_perspective(p: Params) -> Envelope:
    """moves the four corners inward by up to half the distortion scale of the side each"""
    d = p.number("distortion_scale")
    if not 0.0 <= d <= 1.0:
        raise ConfigError(f"{p.transform}.distortion_scale: expected a number in [0, 1], got {d:g}")
    # Each corner moves by a uniform draw in [0, d/2] of the side along each axis, towards the inside; the
    # content is squeezed into that quadrilateral (nothing leaves the frame, the rest is zero fill).
    return Envelope(perspective=d / 2.0)


@entry(K + "RandomElasticTransform", family=GEOMETRIC, knobs={"reflect_border": _reflect_knob()})
def _random_elastic(p: Params) -> Envelope:
    """warps the image with a smoothed random displacement field

    Kornia draws uniform noise in [-1, 1] per pixel, blurs it with a Gaussian of ``sigma`` px (a
    ``kernel_size`` window) and scales it by ``alpha`` in normalised coordinates, where the side is 2: a pixel
    moves by at most ``alpha / 2`` of the side. Blurred white noise has no hard bound below that, and a field
    strong against its smoothness folds the image, so folds are not ruled out.
    """
    a_lo, a_hi = p.as_range("alpha", _value(p, "alpha"), "fixed")
    moved = max(abs(a_lo), abs(a_hi)) / 2.0
    return Envelope(
        nonrigid=moved > 0,
        warp=min(1.0, moved),
        fold=moved > 0,
        reflect_border=_padding_reflects(p),
    )


@entry(K + "RandomThinPlateSpline", family=GEOMETRIC, knobs={"reflect_border": _reflect_knob()})
def _random_tps(p: Params) -> Envelope:
    """warps the image through a thin-plate spline of randomly moved control points

    Kornia moves five control points by a uniform draw of up to ``scale`` in normalised coordinates (the side is
    2), so by at most ``scale / 2`` of the side. albumentations' entry, measured on coordinate maps, bounds the
    turn, zoom, shift, crop and folds of a spline whose points move by a normal draw of standard deviation s;
    a hard bound of ``scale / 2`` is taken as that s (a draw of at most s moves less than one of deviation s).
    """
    scale = abs(p.number("scale"))
    if scale == 0.0:
        return Envelope()
    env = _alb("ThinPlateSpline", p, {"scale_range": (0.0, scale / 2.0)})
    return env.with_changes(reflect_border=_padding_reflects(p))


# ------------------------------------------------------------------------------------------ crops, resizes, pads


@entry(
    [K + "RandomCrop", K + "RandomCrop3D"], family=GEOMETRIC, knobs={"reflect_border": _reflect_knob("padding_mode")}
)
def _random_crop(p: Params) -> Envelope:
    """crops a region whose share of the image depends on the input size (padding it first if asked)"""
    padding = _value(p, "padding")
    pads = bool(p.raw("pad_if_needed")) or (
        padding is not None and any(v != 0 for v in (padding if isinstance(padding, (list, tuple)) else [padding]))
    )
    return Envelope(
        crop_unbounded=True,
        canvas_growth=math.inf if pads else 1.0,
        reflect_border=pads and _padding_reflects(p),
    )


constant(
    [K + "CenterCrop", K + "CenterCrop3D"],
    Envelope(crop_unbounded=True),
    family=GEOMETRIC,
    summary="crops the centre to a fixed size (its share of the image depends on the input size)",
)


@entry(
    K + "RandomResizedCrop",
    family=GEOMETRIC,
    knobs={"crop": Knob("scale", lambda b: f"scale=({b:g}, 1.0)")},
)
def _random_resized_crop(p: Params) -> Envelope:
    """crops a random area and aspect ratio, then resizes to a fixed size (torchvision's sampling)"""
    return _alb(
        "RandomResizedCrop", p, {"size": _value(p, "size"), "scale": _value(p, "scale"), "ratio": _value(p, "ratio")}
    )


@entry(K + "Resize", family=GEOMETRIC)
def _resize(p: Params) -> Envelope:
    """resizes to a fixed size (an int sets one side and keeps the aspect)"""
    size = _value(p, "size")
    return Envelope(resize=True, aspect=1.0 if is_number(size) else math.inf)


constant(
    [K + "LongestMaxSize", K + "SmallestMaxSize"],
    Envelope(resize=True),
    family=GEOMETRIC,
    summary="resizes so that one side has a fixed length, keeping the aspect",
)


@entry(K + "PadTo", family=GEOMETRIC, knobs={"reflect_border": _reflect_knob("pad_mode")})
def _pad_to(p: Params) -> Envelope:
    """pads to a fixed size (how far the frame grows depends on the input size)"""
    env = Envelope(canvas_growth=math.inf, reflect_border=_padding_reflects(p, "pad_mode"))
    if p.flag("crop_if_exceeds"):
        env = env.with_changes(crop_unbounded=True)
    return env


# ------------------------------------------------------------------------------------------ tone


def _factor_range(p: Params, name: str) -> tuple[float, float]:
    return _range(p, name, center=1.0, floor=0.0)


@entry(
    K + "RandomBrightness",
    family=PHOTOMETRIC,
    knobs={"brightness": Knob("brightness", lambda b: f"brightness=({1 - b:g}, {1 + b:g})")},
)
def _random_brightness(p: Params) -> Envelope:
    """adds ``factor - 1`` to every pixel"""
    lo, hi = _factor_range(p, "brightness")
    return Envelope(brightness=max(abs(lo - 1.0), abs(hi - 1.0)))


@entry(
    K + "RandomContrast",
    family=PHOTOMETRIC,
    knobs={"contrast": Knob("contrast", lambda b: f"contrast=({b[0]:g}, {b[1]:g})")},
)
def _random_contrast(p: Params) -> Envelope:
    """multiplies every pixel by a factor (a gain about zero)"""
    lo, hi = _factor_range(p, "contrast")
    return Envelope(contrast_min=lo, contrast_max=hi)


@entry(
    K + "RandomGamma",
    family=PHOTOMETRIC,
    knobs={"gamma": Knob("gamma", lambda b: f"gamma=({b[0]:g}, {b[1]:g})"), "contrast": Knob("gain")},
)
def _random_gamma(p: Params) -> Envelope:
    """raises intensities to a power, then multiplies them by a gain"""
    g_lo, g_hi = p.as_range("gamma", _value(p, "gamma"), "fixed")
    k_lo, k_hi = p.as_range("gain", _value(p, "gain"), "fixed")
    return Envelope(gamma_min=max(0.0, g_lo), gamma_max=g_hi, contrast_min=max(0.0, k_lo), contrast_max=k_hi)


@entry(
    K + "RandomHue", family=PHOTOMETRIC, knobs={"hue": Knob("hue", lambda b: f"hue=({-b / 360:.4g}, {b / 360:.4g})")}
)
def _random_hue(p: Params) -> Envelope:
    """rotates the hue by a fraction of the full turn"""
    lo, hi = _range(p, "hue")
    return Envelope(hue=_hue_reach(360.0 * lo, 360.0 * hi))


@entry(
    K + "RandomSaturation",
    family=PHOTOMETRIC,
    knobs={"saturation": Knob("saturation", lambda b: f"saturation=({b[0]:g}, {b[1]:g})")},
)
def _random_saturation(p: Params) -> Envelope:
    """multiplies the saturation by a factor"""
    lo, hi = _factor_range(p, "saturation")
    return Envelope(saturation_min=lo, saturation_max=hi, grayscale=lo <= 1.0 / 255.0)


@entry(
    K + "ColorJitter",
    family=PHOTOMETRIC,
    knobs={
        "hue": Knob("hue", lambda b: f"hue={b / 360:.4g}"),
        "saturation": Knob("saturation", lambda b: f"saturation=({b[0]:g}, {b[1]:g})"),
        "contrast": Knob("contrast", lambda b: f"contrast=({b[0]:g}, {b[1]:g})"),
    },
)
def _color_jitter(p: Params) -> Envelope:
    """jitters brightness (a gain), contrast (about the mean), saturation and hue, as torchvision does"""
    given = {name: _color_arg(p, name) for name in ("brightness", "contrast", "saturation", "hue")}
    return _alb("ColorJitter", p, given)


def _color_arg(p: Params, name: str) -> Any:
    value = _value(p, name)
    if isinstance(value, list):
        return tuple(value)
    return value


@entry(
    K + "ColorJiggle",
    family=PHOTOMETRIC,
    knobs={
        "hue": Knob("hue", lambda b: f"hue={b / 360:.4g}"),
        "brightness": Knob("brightness", lambda b: f"brightness={b:g}"),
        "contrast": Knob("contrast", lambda b: f"contrast=({b[0]:g}, {b[1]:g})"),
        "saturation": Knob("saturation", lambda b: f"saturation=({b[0]:g}, {b[1]:g})"),
    },
)
def _color_jiggle(p: Params) -> Envelope:
    """jitters brightness (added), contrast (a gain about zero), saturation and hue, in a random order"""
    b_lo, b_hi = _factor_range(p, "brightness")
    c_lo, c_hi = _factor_range(p, "contrast")
    s_lo, s_hi = _factor_range(p, "saturation")
    h_lo, h_hi = _range(p, "hue")
    shift = max(abs(b_lo - 1.0), abs(b_hi - 1.0))
    # A gain after the shift scales it: c (x + b) = c x + c b.
    return Envelope(
        brightness=min(1.0, shift * max(1.0, c_hi)),
        contrast_min=c_lo,
        contrast_max=c_hi,
        saturation_min=s_lo,
        saturation_max=s_hi,
        grayscale=s_lo <= 1.0 / 255.0,
        hue=_hue_reach(360.0 * h_lo, 360.0 * h_hi),
    )


constant(K + "RandomGrayscale", Envelope(grayscale=True), family=PHOTOMETRIC, summary="converts to grey")
constant(K + "RandomInvert", Envelope(inversion=True), family=PHOTOMETRIC, summary="inverts intensities")
constant(
    [K + "RandomEqualize", K + "RandomEqualize3D", K + "RandomAutoContrast"],
    Envelope(equalization=True, color=True),
    family=PHOTOMETRIC,
    summary="remaps each channel's histogram on its own",
)


@entry(K + "RandomClahe", family=PHOTOMETRIC)
def _random_clahe(p: Params) -> Envelope:
    """equalises each channel's histogram tile by tile (contrast-limited)"""
    p.as_range("clip_limit", _value(p, "clip_limit"), "fixed")
    return Envelope(equalization=True, color=True)


@entry(K + "RandomPosterize", family=PHOTOMETRIC, knobs={"posterize": Knob("bits", lambda b: f"bits={math.ceil(b)}")})
def _random_posterize(p: Params) -> Envelope:
    """keeps only the top bits of each channel"""
    lo, _hi = p.as_range("bits", _value(p, "bits"), "fixed")
    return Envelope(posterize_bits=float(min(8, max(0, math.floor(lo)))))


@entry(
    K + "RandomSolarize", family=PHOTOMETRIC, knobs={"inversion": Knob("thresholds"), "brightness": Knob("additions")}
)
def _random_solarize(p: Params) -> Envelope:
    """adds an offset, then inverts the pixels above a threshold drawn around 0.5"""
    t_lo, _t_hi = _range(p, "thresholds", center=0.5)
    a_lo, a_hi = _range(p, "additions")
    return Envelope(
        nonmonotone=t_lo <= 1.0,
        inversion=t_lo <= 1.0 / 255.0,
        brightness=max(abs(a_lo), abs(a_hi)),
    )


@entry(K + "RandomRGBShift", family=PHOTOMETRIC, knobs={"color": Knob("r_shift_limit")})
def _random_rgb_shift(p: Params) -> Envelope:
    """adds a random offset to each channel"""
    reach = max(max(abs(v) for v in _range(p, f"{c}_shift_limit")) for c in "rgb")
    return Envelope(color=reach > 0, brightness=min(1.0, reach))


constant(K + "RandomChannelShuffle", Envelope(color=True), family=PHOTOMETRIC, summary="shuffles the colour channels")


@entry(K + "RandomChannelDropout", family=PHOTOMETRIC)
def _random_channel_dropout(p: Params) -> Envelope:
    """replaces random channels with a constant"""
    n = p.number("num_drop_channels")
    return _alb("ChannelDropout", p, {"channel_drop_range": (n, n), "fill": p.number("fill_value")})


@entry(K + "RandomPlanckianJitter", family=PHOTOMETRIC)
def _random_planckian(p: Params) -> Envelope:
    """tints the image as a black body (or CIE daylight) of a random colour temperature"""
    mode = p.text("mode")
    if mode not in ("blackbody", "CIED"):
        raise ConfigError(f"{p.transform}.mode: expected 'blackbody' or 'CIED', got {mode!r}")
    # Channel gains from Kornia's table, read as albumentations' widest temperature range in either mode (a
    # live object keeps only indices into the table, not its mode), then widened for Kornia's own table.
    env = Envelope.union_of(
        _alb("PlanckianJitter", p, {"mode": m, "temperature_limit": None}) for m in ("blackbody", "cied")
    )
    return env.with_changes(brightness=1.0, contrast_min=0.0, contrast_max=max(2.0, env.contrast_max))


@entry(K + "RandomPlasmaBrightness", family=PHOTOMETRIC, knobs={"brightness": Knob("intensity")})
def _plasma_brightness(p: Params) -> Envelope:
    """adds a fractal field of up to ``intensity`` (either sign) to every pixel"""
    lo, hi = p.as_range("intensity", _value(p, "intensity"), "fixed")
    return Envelope(brightness=min(1.0, max(abs(lo), abs(hi))))


constant(
    K + "RandomPlasmaContrast",
    Envelope(contrast_min=0.0, contrast_max=4.0, brightness=1.0),
    family=PHOTOMETRIC,
    summary="stretches contrast about mid-grey by a fractal field of slopes from 0 to 4",
)


@entry(K + "RandomPlasmaShadow", family=PHOTOMETRIC, knobs={"brightness": Knob("shade_intensity")})
def _plasma_shadow(p: Params) -> Envelope:
    """adds ``shade_intensity`` to the pixels of a fractal region covering up to ``shade_quantity`` of the image"""
    i_lo, i_hi = p.as_range("shade_intensity", _value(p, "shade_intensity"), "fixed")
    _q_lo, q_hi = p.as_range("shade_quantity", _value(p, "shade_quantity"), "fixed")
    shade = min(1.0, max(abs(i_lo), abs(i_hi)))
    return Envelope(brightness=shade, occlusion=min(1.0, max(0.0, q_hi)) if shade >= 1.0 else 0.0)


@entry(
    [K + "RandomGaussianIllumination", K + "RandomLinearIllumination", K + "RandomLinearCornerIllumination"],
    family=PHOTOMETRIC,
    knobs={"brightness": Knob("gain", lambda b: f"gain=(0.01, {b:g})")},
)
def _illumination(p: Params) -> Envelope:
    """adds a smooth light or shadow field of up to ``gain``"""
    lo, hi = _range(p, "gain", floor=0.0)
    return Envelope(brightness=min(1.0, max(abs(lo), abs(hi))))


# ------------------------------------------------------------------------------------------ detail


def _kernel(p: Params, name: str = "kernel_size") -> float:
    value = _value(p, name)
    sizes = value if isinstance(value, (list, tuple)) else [value]
    if not sizes or not all(is_number(v) and v > 0 for v in sizes):
        raise ConfigError(f"{p.transform}.{name}: expected a positive size or (height, width), got {value!r}")
    return float(max(sizes))


@entry(K + "RandomGaussianBlur", family=DEGRADATION, knobs={"blur": Knob("sigma", lambda b: f"sigma=(0.1, {b:.3g})")})
def _gaussian_blur(p: Params) -> Envelope:
    """blurs with a Gaussian of random sigma (px)"""
    _lo, hi = p.as_range("sigma", _value(p, "sigma"), "fixed")
    # A Gaussian cut to the window: its spread grows with sigma and never exceeds the window's.
    return Envelope(blur=_gaussian_std(abs(hi), int(_kernel(p))))


@entry([K + "RandomBoxBlur", K + "RandomMedianBlur"], family=DEGRADATION, knobs={"blur": Knob("kernel_size")})
def _box_blur(p: Params) -> Envelope:
    """averages (or takes the median of) a fixed window"""
    return Envelope(blur=_box_sigma(_kernel(p)))


@entry(
    [K + "RandomMotionBlur", K + "RandomMotionBlur3D"],
    family=DEGRADATION,
    knobs={"blur": Knob("kernel_size"), "occlusion": Knob("border_type", lambda _b: 'border_type="reflect"')},
)
def _motion_blur(p: Params) -> Envelope:
    """smears along a line of ``kernel_size`` px; a one-sided line (``direction``) also shifts the image

    With ``border_type="constant"`` (the default) the image is padded with zeros before the smear: a ring of half
    the kernel along the edges is pulled toward black by up to half its value, a share of the image that
    depends on the input size.
    """
    k = _kernel(p)
    lo, hi = p.as_range("direction", _value(p, "direction"), "symmetric")
    bias = min(1.0, max(abs(lo), abs(hi)))
    env = Envelope(blur=_box_sigma(k), translation_px=(k // 2) * bias / 2.0)
    border = _value(p, "border_type")
    if border in (0, "constant", "CONSTANT") and k > 1:
        env = env.with_changes(brightness=0.5, occlusion_unbounded=True)
    return env


constant(K + "RandomSharpness", Envelope(sharpen=True), family=DEGRADATION, summary="sharpens the image")


@entry(K + "RandomGaussianNoise", family=DEGRADATION, knobs={"noise": Knob("std", lambda b: f"std={b:.3g}")})
def _gaussian_noise(p: Params) -> Envelope:
    """adds Gaussian noise (``std`` and ``mean`` as fractions of full scale)"""
    return Envelope(noise=abs(p.number("std")), brightness=min(1.0, abs(p.number("mean"))))


@entry(K + "RandomSaltAndPepperNoise", family=DEGRADATION)
def _salt_and_pepper(p: Params) -> Envelope:
    """sets random pixels to black or white"""
    return _alb("SaltAndPepper", p, {"amount": _value(p, "amount"), "salt_vs_pepper": _value(p, "salt_vs_pepper")})


@entry(
    K + "RandomJPEG",
    family=DEGRADATION,
    knobs={"compression": Knob("jpeg_quality", lambda b: f"jpeg_quality=({b:g}, 100)")},
)
def _jpeg(p: Params) -> Envelope:
    """re-encodes as JPEG at a random quality (a bare number q is the range 50 ± q)"""
    lo, _hi = _range(p, "jpeg_quality", center=50.0, floor=1.0)
    return Envelope(compression=max(1.0, lo))


# ------------------------------------------------------------------------------------------ occlusion, overlays, mixing


@entry(K + "RandomErasing", family=OCCLUSION, knobs={"occlusion": Knob("scale", lambda b: f"scale=(0.02, {b:g})")})
def _erasing(p: Params) -> Envelope:
    """erases one random rectangle"""
    return _alb("Erasing", p, {"scale": _value(p, "scale"), "ratio": _value(p, "ratio")})


constant(
    K + "RandomRain",
    Envelope(overlay=True, brightness=1.0),
    family=OCCLUSION,
    summary="draws rain streaks",
)
constant(
    K + "RandomSnow",
    Envelope(overlay=True, brightness=1.0, contrast_max=math.inf),
    family=OCCLUSION,
    summary="whitens the image like snow",
)
constant(
    [K + "RandomMixUpV2"],
    Envelope(mixing=True),
    family=MIXING,
    summary="blends each image with another of the batch",
)
constant(
    [K + "RandomCutMixV2", K + "PatchMix", K + "RandomTransplantation", K + "RandomTransplantation3D"],
    Envelope(mixing=True, occlusion=1.0),
    family=MIXING,
    summary="pastes regions of other images of the batch over each image",
)
constant(
    K + "RandomMosaic",
    Envelope(mixing=True, crop_unbounded=True, resize=True, canvas_growth=math.inf),
    family=MIXING,
    summary="tiles several images of the batch into one and crops it",
)
constant(K + "RandomJigsaw", Envelope(topology=True), family=MIXING, summary="shuffles the tiles of a grid")

# ------------------------------------------------------------------------------------------ representation

constant(
    [K + "Normalize", K + "Denormalize"],
    Envelope(),
    family=STRUCTURAL,
    summary="standardises intensities with fixed statistics; a deterministic preprocessing step",
)

# ------------------------------------------------------------------------------------------ not described

_UNKNOWN: dict[str, str] = {
    K + "RandomFisheye": "its distortion (centre and gamma tensors) has no bound the catalog can derive; it may "
    "turn the image inside out near the centre",
    K + "RandomDissolving": "it runs a diffusion model over the image; what it changes is not bounded by its arguments",
    K + "RandomRotation3D": "it turns a volume about three axes; the 2-D envelope has no out-of-plane rotation",
    K + "RandomAffine3D": "it maps a volume about three axes; the 2-D envelope has no out-of-plane rotation or shear",
    K + "RandomPerspective3D": "it distorts a volume in perspective; the 2-D envelope cannot describe it",
    K + "PatchSequential": "it runs its members on each patch of a grid separately: a per-patch turn or flip breaks "
    "the image's layout in ways the envelope model does not describe",
    "kornia.augmentation.auto.PolicySequential": "it runs policy operations whose magnitudes the catalog does not read",
}

for _name, _why in _UNKNOWN.items():
    unknown(_name, family=STRUCTURAL, summary=_why)


# ------------------------------------------------------------------------------------------ auto-augment policies
#
# kornia.augmentation.auto runs operations that wrap the classes above; each operation is read through their
# entries. A policy is a list of sub-policies, each a list of operations run in order. Shears are fractions that
# Kornia multiplies by 180 to get degrees (its default 0.3 shears by 54 degrees); translations are fractions of
# the side; rotate, shear and translate take either sign.

AUTO = "kornia.augmentation.auto."
_SYMMETRIC = {"rotate", "shear_x", "shear_y", "translate_x", "translate_y"}
# AutoAugment's operations draw from bins of these ranges (kornia/augmentation/auto/autoaugment/ops.py).
_AUTOAUGMENT_RANGES: dict[str, tuple[float, float]] = {
    "shear_x": (-0.3, 0.3),
    "shear_y": (-0.3, 0.3),
    "translate_x": (-0.5, 0.5),
    "translate_y": (-0.5, 0.5),
    "rotate": (-30.0, 30.0),
    "solarize": (0.0, 1.0),
    "posterize": (4.0, 8.0),
    "contrast": (0.1, 1.9),
    "brightness": (0.1, 1.9),
    "sharpness": (0.1, 1.9),
    "color": (0.1, 1.9),
    "auto_contrast": (0.0, 1.0),
    "equalize": (0.0, 1.0),
    "invert": (0.0, 1.0),
}


def _entry_of(cls: str, transform: str, given: Mapping[str, Any]) -> Envelope:
    found = _registry.get_entry(K + cls)
    assert found is not None, cls
    return found.describe(Params(transform, given, _registry.defaults_for(K + cls)))


def _operation(transform: str, name: Any, lo: float, hi: float) -> Envelope:
    """One operation of a policy drawing its magnitude from ``[lo, hi]`` (a symmetric one: either sign)."""
    if name in _SYMMETRIC:
        top = max(abs(lo), abs(hi))
        lo, hi = -top, top
    if name == "rotate":
        return _entry_of("RandomRotation", transform, {"degrees": (lo, hi)})
    if name in ("shear_x", "shear_y"):
        degrees = (lo * 180.0, hi * 180.0)
        shear = (*degrees, 0.0, 0.0) if name == "shear_x" else (0.0, 0.0, *degrees)
        return _entry_of("RandomShear", transform, {"shear": shear})
    if name in ("translate_x", "translate_y"):
        return _entry_of("RandomTranslate", transform, {name: (lo, hi)})
    if name in ("auto_contrast", "equalize"):
        return Envelope(equalization=True, color=True)
    if name == "invert":
        return Envelope(inversion=True)
    if name == "gray":
        return Envelope(grayscale=True)
    if name == "hflip":
        return Envelope(mirror=True)
    if name == "vflip":
        return Envelope(mirror=True, rotation=180.0)
    if name == "solarize":
        return _entry_of("RandomSolarize", transform, {"thresholds": (lo, hi), "additions": 0.0})
    if name == "solarize_add":
        return _entry_of("RandomSolarize", transform, {"thresholds": 0.5, "additions": (lo, hi)})
    if name == "posterize":
        return _entry_of("RandomPosterize", transform, {"bits": (lo, hi)})
    if name == "brightness":
        return _entry_of("RandomBrightness", transform, {"brightness": (lo, hi)})
    if name == "contrast":
        return _entry_of("RandomContrast", transform, {"contrast": (lo, hi)})
    if name == "color":
        return _entry_of("RandomSaturation", transform, {"saturation": (lo, hi)})
    if name == "sharpness":
        # A factor below 1 blends toward a 3 x 3 smoothed copy, above 1 away from it.
        env = Envelope(sharpen=hi > 1.0)
        return env.with_changes(blur=_box_sigma(3.0)) if lo < 1.0 else env
    raise ConfigError(f"{transform}: the operation {name!r} is not one safeaug knows, so what it does is unknown")


def _policy(p: Params, default: str) -> list[list[tuple[Any, ...]]]:
    value = _value(p, "policy")
    if value is None:
        return AUTO_POLICIES[default]
    if isinstance(value, str):
        if value not in AUTO_POLICIES or value in ("RandAugment", "TrivialAugment"):
            raise ConfigError(f"{p.transform}.policy: expected 'imagenet', 'cifar10' or 'svhn', got {value!r}")
        return AUTO_POLICIES[value]
    ok = isinstance(value, (list, tuple)) and all(
        isinstance(sub, (list, tuple)) and all(isinstance(op, (list, tuple)) and len(op) == 3 for op in sub)
        for sub in value
    )
    if not ok or not value:
        raise ConfigError(f"{p.transform}.policy: expected a list of sub-policies, each a list of (name, a, b)")
    return [[tuple(op) for op in sub] for sub in value]


def _number(p: Params, what: str, value: Any) -> float:
    if not is_number(value):
        raise ConfigError(f"{p.transform}.policy: {what} must be a number, got {value!r}")
    return float(value)


@entry(AUTO + "RandAugment", family=GEOMETRIC, knobs={"rotation": Knob("m"), "mirror": Knob("policy")})
def _rand_augment(p: Params) -> Envelope:
    """applies ``n`` distinct operations of its policy in sequence, each at magnitude ``m`` of 30

    Kornia sets every operation's magnitude to ``low + (high - low) · m / 30`` (a symmetric one: ``high · m / 30``
    with either sign), runs ``posterize`` backwards (``high - (high - low) · m / 30`` bits) and draws the ``n``
    sub-policies without replacement.
    """
    n, m = p.number("n"), p.number("m")
    policy = _policy(p, "RandAugment")
    if not (0.0 < m < 30.0) or n < 1 or n > len(policy):
        raise ConfigError(f"{p.transform}: expected 0 < m < 30 and 1 <= n <= {len(policy)}, got n={n:g}, m={m:g}")
    branches = []
    for sub in policy:
        steps = []
        for name, lo, hi in sub:
            lo, hi = _number(p, "a magnitude", lo), _number(p, "a magnitude", hi)
            if name in _SYMMETRIC:
                at = max(abs(lo), abs(hi)) * m / 30.0
            elif name == "posterize":
                at = hi - (hi - lo) * m / 30.0
            else:
                at = lo + (hi - lo) * m / 30.0
            steps.append(_operation(p.transform, name, at, at).including_identity())
        branches.append(Envelope.sequence(steps))
    return Envelope.some_of(branches, int(n))


@entry(AUTO + "TrivialAugment", family=GEOMETRIC, knobs={"mirror": Knob("policy")})
def _trivial_augment(p: Params) -> Envelope:
    """applies one sub-policy of its policy, each operation at a magnitude drawn from its whole range"""
    branches = []
    for sub in _policy(p, "TrivialAugment"):
        steps = [
            _operation(p.transform, name, _number(p, "a magnitude", lo), _number(p, "a magnitude", hi))
            for name, lo, hi in sub
        ]
        branches.append(Envelope.sequence(s.including_identity() for s in steps))
    return Envelope.union_of(branches)


@entry(AUTO + "AutoAugment", family=GEOMETRIC, knobs={"mirror": Knob("policy")})
def _auto_augment(p: Params) -> Envelope:
    """applies one sub-policy of its policy (``imagenet``, ``cifar10``, ``svhn`` or a list), each operation with
    its probability at a magnitude from its bin: read here as its whole range"""
    branches = []
    for sub in _policy(p, "imagenet"):
        steps = []
        for name, prob, _bin in sub:
            if _number(p, "a probability", prob) <= 0.0:
                continue
            lo, hi = _AUTOAUGMENT_RANGES.get(name, (0.0, 1.0))  # an unknown name: _operation refuses it
            steps.append(_operation(p.transform, name, lo, hi).including_identity())
        branches.append(Envelope.sequence(steps))
    return Envelope.union_of(branches)
