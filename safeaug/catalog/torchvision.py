"""torchvision's transforms (``torchvision.transforms.v2`` and the v1 ``torchvision.transforms`` classes).

Each entry is registered under both canonical names (``torchvision.transforms.v2.X`` and
``torchvision.transforms.X``): the two lines take the same arguments with the same meaning (read from the
installed 0.28 source). Units are torchvision's: angles in degrees; ``RandomAffine(translate=(a, b))`` shifts
by up to ``a`` of the width and ``b`` of the height; ``shear`` a number s is an x-shear in (-s, s), two values
an x range, four an x and a y range; ``ColorJitter(hue=h)`` turns the hue circle by up to ``360 * h`` degrees
(h in [-0.5, 0.5]); ``RandomResizedCrop(scale, ratio)`` keeps ``scale`` of the area at an aspect in ``ratio``,
with torchvision's centre-crop fallback. A border filled with ``padding_mode="reflect"`` or ``"symmetric"`` is
mirrored image content (``reflect_border``), as albumentations' reflecting border modes are; torchvision's
rotations, affine maps, perspectives and elastic warps fill with a constant.

The automatic policies (AutoAugment, RandAugment, TrivialAugmentWide, AugMix) hold no flip; their op spaces
(torchvision/transforms/v2/_auto_augment.py) are described here op by op: ShearX/Y by atan(0.3) (0.99 for
TrivialAugmentWide) about the top-left corner, Translate by up to 150/331 of the side (a third for AugMix, 32 px
for TrivialAugmentWide), Rotate up to 30 degrees (135 for TrivialAugmentWide), Brightness/Color/Contrast/Sharpness
factors 1 +- 0.9 (0.99), Posterize, Solarize, AutoContrast, Equalize, and Invert in AutoAugment's policies.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from safeaug.catalog._linear import zoom_and_shear
from safeaug.catalog._registry import Describe, Knob, Params, add_defaults, constant, entry, is_number, unknown
from safeaug.catalog.degradation import _gaussian_std, sharpness_factor
from safeaug.catalog.geometric import _elastic, _frame_loss, _random_resized_crop
from safeaug.catalog.occlusion import _erasing
from safeaug.catalog.photometric import _color_jitter
from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.libraries._torchvision_table import SIGNATURES

V2 = "torchvision.transforms.v2"
V1 = "torchvision.transforms"
GEOMETRIC, PHOTOMETRIC, DEGRADATION, OCCLUSION, STRUCTURAL = (
    "geometric",
    "photometric",
    "degradation",
    "occlusion",
    "structural",
)


def both(cls: str) -> list[str]:
    """The v2 and v1 canonical names of a class (those the installed torchvision has)."""
    return [name for name in (f"{V2}.{cls}", f"{V1}.{cls}") if name in SIGNATURES]


def tv_entry(cls: str, *, family: str, knobs: dict[str, Knob] | None = None) -> Callable[[Describe], Describe]:
    return entry(both(cls), family=family, knobs=knobs)


add_defaults({name: dict(args) for name, args in SIGNATURES.items()})

# ------------------------------------------------------------------------------------------ representation only

constant(
    [
        name
        for cls in (
            "Identity",
            "ToImage",
            "ToDtype",
            "ConvertImageDtype",
            "PILToTensor",
            "ToTensor",
            "ToPILImage",
            "ToPureTensor",
            "RGB",
            "ClampBoundingBoxes",
            "ClampKeyPoints",
            "ConvertBoundingBoxFormat",
            "SanitizeBoundingBoxes",
            "SanitizeKeyPoints",
            "SetClampingMode",
            "UniformTemporalSubsample",
            "Normalize",
        )
        for name in both(cls)
    ],
    Envelope(),
    family=STRUCTURAL,
    summary="changes the representation (type, dtype, range, box bookkeeping, video frames kept), not the image",
)
unknown(both("Lambda"), family=STRUCTURAL, summary="runs an arbitrary function; what it does cannot be read")
unknown(
    both("LinearTransformation"),
    family=STRUCTURAL,
    summary="multiplies the flattened image by an arbitrary matrix (whitening): any pixel may move anywhere",
)

# ------------------------------------------------------------------------------------------ geometry

constant(both("RandomHorizontalFlip"), Envelope(mirror=True), family=GEOMETRIC, summary="mirrors left and right")
constant(
    both("RandomVerticalFlip"),
    Envelope(mirror=True, rotation=180.0),
    family=GEOMETRIC,
    summary="turns the image upside down (a mirror and a half turn)",
)


def _degrees(p: Params, name: str = "degrees") -> float:
    return min(p.magnitude(name), 180.0)


def _off_centre(p: Params, env: Envelope) -> Envelope:
    """A turn about a ``center`` given in pixels moves the content by an amount that depends on the input size."""
    if p.raw("center") is not None and (env.rotation > 0 or env.shear > 0 or env.scale_max != 1.0):
        return env.with_changes(crop_unbounded=True)
    return env


@tv_entry("RandomRotation", family=GEOMETRIC, knobs={"rotation": Knob("degrees", lambda b: f"degrees={b:g}")})
def _random_rotation(p: Params) -> Envelope:
    """rotates by a random angle in degrees; the corners are filled with ``fill``"""
    angle = _degrees(p)
    env = Envelope(rotation=angle)
    if p.flag("expand") and angle > 0:
        # The frame grows to the turned image's bounding box (by up to (cos + sin)^2 of the area for a square).
        a = math.radians(min(angle, 45.0))
        env = env.with_changes(canvas_growth=math.inf if angle > 45.0 else (math.cos(a) + math.sin(a)) ** 2)
    return _off_centre(p, env)


def _shears(p: Params) -> tuple[tuple[float, float], tuple[float, float]]:
    raw = p.raw("shear")
    if raw is None:
        return (0.0, 0.0), (0.0, 0.0)
    if is_number(raw):
        return p.as_range("shear", raw, "symmetric"), (0.0, 0.0)
    if isinstance(raw, (list, tuple)) and len(raw) == 2:
        return p.as_range("shear", raw, "fixed"), (0.0, 0.0)
    if isinstance(raw, (list, tuple)) and len(raw) == 4:
        return p.as_range("shear", raw[:2], "fixed"), p.as_range("shear", raw[2:], "fixed")
    raise ConfigError(f"{p.transform}.shear: expected a number, or 2 or 4 numbers, got {raw!r}")


def _affine_linear(
    rotate: tuple[float, float], scale: tuple[float, float], sx: tuple[float, float], sy: tuple[float, float]
) -> tuple[float, float, float, float]:
    """Largest turn, smallest and largest zoom and largest shear of torchvision's ``R(a) S(s) SHy(sy) SHx(sx)``.

    ``SHx(t) = [[1, -tan t], [0, 1]]`` and ``SHy(t) = [[1, 0], [-tan t, 1]]`` (functional._get_inverse_affine_
    matrix); their product has determinant 1, so no draw mirrors. Read at the ends of every range, the angle in
    eight steps.
    """
    r_lo, r_hi = rotate
    angles = sorted({r_lo, r_hi, *(r_lo + (r_hi - r_lo) * i / 8 for i in range(9))})
    turn, zmin, zmax, shear = 0.0, math.inf, 0.0, 0.0
    for ax in sx:
        for ay in sy:
            tx, ty = math.tan(math.radians(ax)), math.tan(math.radians(ay))
            # SHy · SHx
            h00, h01, h10, h11 = 1.0, -tx, -ty, 1.0 + tx * ty
            for s in scale:
                for r in angles:
                    c, n = math.cos(math.radians(r)), math.sin(math.radians(r))
                    m00, m01 = s * (c * h00 - n * h10), s * (c * h01 - n * h11)
                    m10, m11 = s * (n * h00 + c * h10), s * (n * h01 + c * h11)
                    turn = max(turn, abs(math.degrees(math.atan2(m10 - m01, m00 + m11))))
                    lo, hi, sheared = zoom_and_shear(m00, m01, m10, m11)
                    zmin, zmax, shear = min(zmin, lo), max(zmax, hi), max(shear, sheared)
    return min(turn, 180.0), zmin, zmax, shear


@tv_entry(
    "RandomAffine",
    family=GEOMETRIC,
    knobs={
        "rotation": Knob("degrees", lambda b: f"degrees={b:g}"),
        "translation": Knob("translate", lambda b: f"translate=({b:g}, {b:g})"),
        "scale": Knob("scale", lambda b: f"scale=({b[0]:g}, {b[1]:g})"),
        "shear": Knob("shear", lambda b: f"shear={b:g}"),
    },
)
def _random_affine(p: Params) -> Envelope:
    """rotates, shifts, scales and shears by random amounts; the border is filled with ``fill``"""
    rotate = p.range("degrees", "symmetric")
    translate = p.raw("translate")
    tx = ty = 0.0
    if translate is not None:
        if not (isinstance(translate, (list, tuple)) and len(translate) == 2 and all(is_number(v) for v in translate)):
            raise ConfigError(f"{p.transform}.translate: expected two fractions (a, b), got {translate!r}")
        tx, ty = abs(float(translate[0])), abs(float(translate[1]))
    scale = (1.0, 1.0) if p.raw("scale") is None else p.range("scale", "fixed")
    sx, sy = _shears(p)
    turn, zmin, zmax, shear = _affine_linear(rotate, scale, sx, sy)
    kept, travel = _frame_loss(scale, scale, tx, ty, shear)
    env = Envelope(
        rotation=turn,
        scale_min=zmin,
        scale_max=zmax,
        translation=max(tx, ty),
        shear=shear,
        crop_min=kept,
        edge_travel=travel,
        canvas_growth=max(1.0, 1.0 / max(scale[0], 1e-6) ** 2),
    )
    return _off_centre(p, env)


@tv_entry(
    "RandomPerspective",
    family=GEOMETRIC,
    knobs={"perspective": Knob("distortion_scale", lambda b: f"distortion_scale={2 * b:g}")},
)
def _random_perspective(p: Params) -> Envelope:
    """moves each corner inward by up to ``distortion_scale`` of half the side; the rest is filled"""
    d = min(max(p.number("distortion_scale"), 0.0), 1.0)
    corner = d / 2.0  # a share of the side
    return Envelope(perspective=corner, canvas_growth=1.0 / max(1.0 - 2.0 * corner, 1e-6) ** 2 if corner else 1.0)


@tv_entry("ElasticTransform", family=GEOMETRIC)
def _elastic_transform(p: Params) -> Envelope:
    """warps with uniform noise in [-1, 1] blurred by ``sigma``, scaled to at most ``alpha / 2`` px"""
    # torchvision scales the blurred field by alpha / side in grid units ([-1, 1] across the side): alpha / 2 px,
    # the field albumentations' uniform noise scaled by alpha / 2.
    # v1 keeps alpha and sigma as [x, x]: the largest alpha and the smallest sigma warp the most.
    sigma = min(abs(v) for v in p.range("sigma", "fixed"))
    given = {"alpha": p.magnitude("alpha", "fixed") / 2.0, "sigma": sigma, "noise_distribution": "uniform"}
    return _elastic(Params(p.transform, given, {"border_mode": 0}))


@tv_entry("RandomResizedCrop", family=GEOMETRIC, knobs={"crop": Knob("scale", lambda b: f"scale=({b:g}, 1.0)")})
def _tv_random_resized_crop(p: Params) -> Envelope:
    """crops a random area and aspect ratio, then resizes to ``size`` (torchvision's sampling and fallback)"""
    size = p.raw("size")
    if is_number(size) or (isinstance(size, (list, tuple)) and len(size) == 1):
        side = size if is_number(size) else size[0]
        size = (side, side)
    given = {"size": size, "scale": p.raw("scale"), "ratio": p.raw("ratio")}
    return _random_resized_crop(Params(p.transform, given, {}))


def _pads(p: Params, name: str = "padding") -> bool:
    raw = p.raw(name)
    if raw is None:
        return False
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    return any(not is_number(v) or float(v) != 0 for v in values)


def _reflecting(p: Params) -> bool:
    mode = p.text("padding_mode")
    if mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ConfigError(f"{p.transform}.padding_mode: expected constant, edge, reflect or symmetric, got {mode!r}")
    return mode in ("reflect", "symmetric")


@tv_entry("Pad", family=GEOMETRIC, knobs={"reflect_border": Knob("padding_mode", lambda _b: 'padding_mode="constant"')})
def _pad(p: Params) -> Envelope:
    """pads the borders by pixels; ``reflect``/``symmetric`` fill them with mirrored content"""
    if not _pads(p):
        return Envelope()
    return Envelope(canvas_growth=math.inf, reflect_border=_reflecting(p))


@tv_entry(
    "RandomCrop", family=GEOMETRIC, knobs={"reflect_border": Knob("padding_mode", lambda _b: 'padding_mode="constant"')}
)
def _random_crop(p: Params) -> Envelope:
    """crops a region of ``size`` pixels, after padding when asked"""
    pads = _pads(p) or p.flag("pad_if_needed")
    return Envelope(
        crop_unbounded=True,
        canvas_growth=math.inf if pads else 1.0,
        reflect_border=pads and _reflecting(p),
    )


@tv_entry("CenterCrop", family=GEOMETRIC)
def _center_crop(p: Params) -> Envelope:
    """crops the centre to ``size`` pixels (padding with zeros when the input is smaller)"""
    return Envelope(crop_unbounded=True, canvas_growth=math.inf)


def _tuple_crop(p: Params) -> Envelope:
    env = Envelope(crop_unbounded=True)
    if p.transform.endswith("TenCrop"):
        # the five crops and the five of the flipped image: left-right, or upside down with vertical_flip
        env = env.with_changes(mirror=True, rotation=180.0 if p.flag("vertical_flip") else 0.0)
    return env


entry(both("FiveCrop") + both("TenCrop"), family=GEOMETRIC)(_tuple_crop)


@tv_entry("Resize", family=GEOMETRIC)
def _resize(p: Params) -> Envelope:
    """resizes; one number sets the shorter side (the aspect is kept), two set both sides"""
    size = p.raw("size")
    both_sides = isinstance(size, (list, tuple)) and len(size) == 2
    return Envelope(resize=True, aspect=math.inf if both_sides else 1.0)


constant(
    both("RandomResize") + both("RandomShortestSize") + both("ScaleJitter"),
    Envelope(resize=True),
    family=GEOMETRIC,
    summary="resizes to a random size, keeping the aspect",
)


@tv_entry("RandomZoomOut", family=GEOMETRIC)
def _zoom_out(p: Params) -> Envelope:
    """places the image on a canvas up to ``side_range`` times larger, filled with ``fill``"""
    _, hi = p.range("side_range", "fixed")
    return Envelope(canvas_growth=max(1.0, hi) ** 2)


@tv_entry("RandomIoUCrop", family=GEOMETRIC)
def _iou_crop(p: Params) -> Envelope:
    """crops a region whose sides are ``min_scale``-``max_scale`` of the input's, kept where boxes overlap it"""
    lo = min(max(p.number("min_scale"), 0.0), 1.0)
    return Envelope(crop_min=lo * lo, edge_travel=1.0 - lo, aspect=max(p.number("max_aspect_ratio"), 1.0))


# ------------------------------------------------------------------------------------------ tone and colour


def _jitter(p: Params) -> Envelope:
    """torchvision's jitter arguments (a number, a pair, or None/0 for "leave it") as albumentations' ColorJitter."""
    given: dict[str, object] = {}
    for name, centre in (("brightness", 1.0), ("contrast", 1.0), ("saturation", 1.0), ("hue", 0.0)):
        raw = p.raw(name)
        given[name] = (centre, centre) if raw is None or (is_number(raw) and float(raw) == 0) else raw
    read = Params(p.transform, given, {})
    lo, hi = read.range("hue", "symmetric")
    if lo < -0.5 or hi > 0.5:
        raise ConfigError(f"{p.transform}.hue: torchvision takes hue in [-0.5, 0.5], got {p.raw('hue')!r}")
    return _color_jitter(read)


@tv_entry(
    "ColorJitter",
    family=PHOTOMETRIC,
    knobs={"hue": Knob("hue", lambda b: f"hue={math.floor(b / 360 * 1000) / 1000:g}")},
)
def _tv_color_jitter(p: Params) -> Envelope:
    """jitters brightness (a gain), contrast, saturation and hue (a turn by up to 360 x hue degrees)"""
    return _jitter(p)


@tv_entry("RandomPhotometricDistort", family=PHOTOMETRIC)
def _photometric_distort(p: Params) -> Envelope:
    """jitters brightness, contrast, saturation and hue, and may permute the colour channels"""
    env = _jitter(p)
    return env.with_changes(color=True) if p.number("p") > 0 else env


constant(
    both("RandomGrayscale") + both("Grayscale"),
    Envelope(grayscale=True),
    family=PHOTOMETRIC,
    summary="converts to grey",
)
constant(both("RandomInvert"), Envelope(inversion=True), family=PHOTOMETRIC, summary="inverts intensities")
constant(both("RandomChannelPermutation"), Envelope(color=True), family=PHOTOMETRIC, summary="permutes the channels")
constant(
    both("RandomAutocontrast") + both("RandomEqualize"),
    Envelope(equalization=True, color=True),
    family=PHOTOMETRIC,
    summary="stretches or equalises each channel's histogram on its own",
)


@tv_entry("RandomPosterize", family=PHOTOMETRIC, knobs={"posterize": Knob("bits", lambda b: f"bits={math.ceil(b)}")})
def _posterize(p: Params) -> Envelope:
    """keeps the top ``bits`` bits of each channel"""
    return Envelope(posterize_bits=float(min(8, max(0, math.floor(p.number("bits"))))))


@tv_entry("RandomSolarize", family=PHOTOMETRIC, knobs={"inversion": Knob("threshold")})
def _solarize(p: Params) -> Envelope:
    """inverts the pixels at or above ``threshold`` (in the image's own units: 0-255 for uint8, 0-1 for float)"""
    t = p.number("threshold")
    # A threshold at or below 1 inverts (nearly) every pixel of a uint8 image; any threshold inverts some.
    return Envelope(nonmonotone=True, inversion=t <= 1.0)


@tv_entry("RandomAdjustSharpness", family=DEGRADATION, knobs={"sharpen": Knob("sharpness_factor")})
def _sharpness(p: Params) -> Envelope:
    """blends with a 3x3 smoothed copy: a factor below 1 blurs, above 1 sharpens"""
    return sharpness_factor(p.number("sharpness_factor"))


@tv_entry("GaussianBlur", family=DEGRADATION, knobs={"blur": Knob("sigma", lambda b: f"sigma=(0.1, {b:g})")})
def _blur(p: Params) -> Envelope:
    """blurs with a Gaussian kernel of ``kernel_size`` taps and a random sigma"""
    _, sigma = p.range("sigma", "fixed")
    k = p.raw("kernel_size")
    sizes = [k] if is_number(k) else list(k) if isinstance(k, (list, tuple)) else []
    if not sizes or not all(is_number(v) and v > 0 for v in sizes):
        raise ConfigError(f"{p.transform}.kernel_size: expected an odd number or two, got {k!r}")
    return Envelope(blur=max(_gaussian_std(max(sigma, 1e-6), int(v)) for v in sizes))


@tv_entry("GaussianNoise", family=DEGRADATION, knobs={"noise": Knob("sigma", lambda b: f"sigma={b:g}")})
def _noise(p: Params) -> Envelope:
    """adds Gaussian noise (float images in [0, 1])"""
    return Envelope(noise=abs(p.number("sigma")), brightness=min(1.0, abs(p.number("mean"))))


@tv_entry(
    "JPEG", family=DEGRADATION, knobs={"compression": Knob("quality", lambda b: f"quality=({math.ceil(b)}, 100)")}
)
def _jpeg(p: Params) -> Envelope:
    """re-encodes as JPEG at a random quality"""
    lo, _ = p.range("quality", "fixed")
    return Envelope(compression=min(100.0, max(1.0, lo)))


# ------------------------------------------------------------------------------------------ occlusion and mixing


@tv_entry("RandomErasing", family=OCCLUSION, knobs={"occlusion": Knob("scale")})
def _random_erasing(p: Params) -> Envelope:
    """erases one random rectangle of ``scale`` of the area"""
    return _erasing(p)


constant(
    both("CutMix"),
    Envelope(mixing=True, occlusion=1.0),
    family=OCCLUSION,
    summary="pastes a box of another image of the batch (up to all of it) and mixes the labels",
)
constant(
    both("MixUp"), Envelope(mixing=True), family=OCCLUSION, summary="blends two images of the batch and their labels"
)

# ------------------------------------------------------------------------------------------ automatic policies


def _ops(
    shear: float, translate: float, translate_px: float, rotate: float, factor: float, bits: int
) -> dict[str, Envelope]:
    """The envelope of each op of torchvision's auto-augment space at its largest magnitude."""
    angle = math.degrees(math.atan(shear))
    # A shear about the top-left corner slides the far row by tan(angle) of the side.
    slide = min(1.0, shear)
    gain = (max(0.0, 1.0 - factor), 1.0 + factor)
    if translate_px:  # a shift by pixels: its share of the side depends on the input size
        shift = Envelope(translation_px=translate_px, crop_unbounded=True)
    else:
        shift = Envelope(translation=translate, crop_min=1.0 - translate, edge_travel=translate)
    return {
        "Identity": Envelope(),
        "ShearX": Envelope(shear=angle, crop_min=1.0 - slide / 2.0, edge_travel=slide),
        "ShearY": Envelope(shear=angle, crop_min=1.0 - slide / 2.0, edge_travel=slide),
        "TranslateX": shift,
        "TranslateY": shift,
        "Rotate": Envelope(rotation=rotate),
        "Brightness": Envelope(contrast_min=gain[0], contrast_max=gain[1], inversion=gain[0] <= 0.0),
        "Color": Envelope(saturation_min=gain[0], saturation_max=gain[1], grayscale=gain[0] <= 1.0 / 255.0),
        "Contrast": Envelope(contrast_min=gain[0], contrast_max=gain[1], brightness=factor),
        "Sharpness": sharpness_factor(gain[0]).then(Envelope(sharpen=True)),
        "Posterize": Envelope(posterize_bits=float(bits)),
        "Solarize": Envelope(nonmonotone=True, inversion=True),
        "AutoContrast": Envelope(equalization=True, color=True),
        "Equalize": Envelope(equalization=True, color=True),
        "Invert": Envelope(inversion=True),
    }


_AUTO = _ops(0.3, 150.0 / 331.0, 0.0, 30.0, 0.9, 4)


@tv_entry("AutoAugment", family=GEOMETRIC, knobs={"rotation": Knob("policy"), "inversion": Knob("policy")})
def _auto_augment(p: Params) -> Envelope:
    """applies one of the policy's sub-policies: two ops in a row, each at a fixed magnitude"""
    # Every policy (ImageNet, CIFAR10, SVHN) draws from the same op space; read here at its largest magnitudes
    # (Rotate 30, Translate 150/331 of the side, Shear atan 0.3, Posterize to 4 bits, Invert, Solarize).
    ops = list(_AUTO.values())
    return Envelope.some_of(ops, 2, replace=True)


def _rand_magnitude(p: Params, top: float) -> float:
    bins = int(p.number("num_magnitude_bins"))
    m = p.number("magnitude")
    if bins < 2 or not 0 <= m < bins:
        raise ConfigError(f"{p.transform}.magnitude: expected 0 <= magnitude < num_magnitude_bins, got {m:g} of {bins}")
    return top * m / (bins - 1)


@tv_entry("RandAugment", family=GEOMETRIC, knobs={"rotation": Knob("magnitude"), "inversion": Knob("num_ops")})
def _rand_augment(p: Params) -> Envelope:
    """applies ``num_ops`` ops drawn from its space (with replacement), all at ``magnitude``"""
    n = int(p.number("num_ops"))
    bins = int(p.number("num_magnitude_bins"))
    m = p.number("magnitude")
    fraction = _rand_magnitude(p, 1.0)
    bits = round(8 - m / ((bins - 1) / 4))
    ops = _ops(0.3 * fraction, 150.0 / 331.0 * fraction, 0.0, 30.0 * fraction, 0.9 * fraction, int(bits))
    ops["Solarize"] = Envelope(nonmonotone=True, inversion=fraction >= 254.0 / 255.0)  # threshold 1 - fraction
    del ops["Invert"]
    return Envelope.some_of(list(ops.values()), n, replace=True)


@tv_entry("TrivialAugmentWide", family=GEOMETRIC, knobs={"rotation": Knob("num_magnitude_bins")})
def _trivial_augment(p: Params) -> Envelope:
    """applies one op drawn from its wide space at a random magnitude"""
    bins = int(p.number("num_magnitude_bins"))
    if bins < 1:
        raise ConfigError(f"{p.transform}.num_magnitude_bins: expected at least 1, got {bins}")
    ops = _ops(0.99, 0.0, 32.0, 135.0, 0.99, 2)
    del ops["Invert"]
    return Envelope.union_of(list(ops.values()))


@tv_entry("AugMix", family=GEOMETRIC, knobs={"rotation": Knob("severity")})
def _augmix(p: Params) -> Envelope:
    """blends the image with chains of ops (severity sets the largest magnitude), mixing copies of it"""
    severity = p.number("severity")
    if not 1 <= severity <= 10:
        raise ConfigError(f"{p.transform}.severity: expected 1-10, got {severity:g}")
    fraction = (severity - 1) / 9.0  # magnitude index below severity, of 10 bins
    depth = int(p.number("chain_depth"))
    depth = 3 if depth <= 0 else depth
    bits = round(4 - (severity - 1) / (9 / 4))
    ops = _ops(0.3 * fraction, fraction / 3.0, 0.0, 30.0 * fraction, 0.9 * fraction, int(bits))
    del ops["Invert"], ops["Identity"]
    if not p.flag("all_ops"):
        for name in ("Brightness", "Color", "Contrast", "Sharpness"):
            del ops[name]
    chain = Envelope.some_of(list(ops.values()), depth, replace=True)
    return chain.with_changes(mixing=True)
