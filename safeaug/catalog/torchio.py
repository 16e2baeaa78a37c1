"""TorchIO transforms: what each one can do, with TorchIO's units and axes resolved.

Conventions resolved here (see ``safeaug/libraries/torchio.py`` for names and compositions):

* Axes. TorchIO lays images out as ``(C, W, H, D)``: spatial axis 0 is the width, 1 the height, 2 the depth.
  A flip of the width is a left-right mirror; of the height, a mirror plus a half turn (an upside-down
  image); of both, a half turn. A flip of the depth turns coronal and sagittal views upside down and mirrors
  the volume. Anatomical names (``'LR'``, ``'Left'``, ``'AP'``, ``'IS'``; only the first letter counts) name
  whichever axis the image's orientation puts there, known only at run time: read as any of the three.
  ``'Top'``/``'Bottom'`` name the height.
* Angles. ``degrees`` are per axis (a sextet, a triplet or one range for all three). A 2-D image turns about
  the depth axis only; a volume turns about all three, and three turns by up to a, b and c degrees make a
  turn of up to a + b + c: the envelope's rotation is that sum (write ``degrees=(0, 0, 10)`` for an
  in-plane turn only).
* Millimetres. ``translation`` (and a turn about the world ``center='origin'``) moves content by a distance
  in mm, which in pixels depends on the voxel spacing: an unbounded shift in pixels (SA407 under a policy that
  bounds shifts). ``RandomBlur``'s ``std`` and ``RandomElasticDeformation``'s ``max_displacement`` are in mm
  too; they are read at 1 mm per voxel, TorchIO's spacing for images built from tensors, arrays and 2-D
  image files. A finer spacing blurs and warps by more pixels (docs/libraries.md says so).
* Intensities. ``RandomNoise``'s ``std`` and ``mean`` are in the image's own units; they are read as shares
  of a 0-1 range (``RescaleIntensity``'s default output range).
* Borders. ``Pad``/``CropOrPad`` with ``padding_mode`` ``'reflect'``, ``'symmetric'`` or ``'wrap'`` fill the
  border with copied (mirrored) content; ``RandomAffine`` always fills with a constant.
* Probabilities. Every TorchIO transform takes ``p`` (default 1). A deterministic reorientation
  (``ToCanonical``, ``ToOrientation``) or normalisation always applied does the same to every image: no
  augmentation; with ``p`` below 1 it becomes a random one and is read as such.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from safeaug.catalog._registry import Knob, Params, add_defaults, constant, entry, is_number, unknown
from safeaug.catalog.geometric import WARP_REFERENCE_SIDE, _frame_loss
from safeaug.effects import IDENTITY, Envelope, stretch_shear
from safeaug.errors import ConfigError
from safeaug.libraries._torchio_table import SIGNATURES
from safeaug.libraries.torchio import UNKNOWN

add_defaults({name: dict(args) for name, args in SIGNATURES.items()})

GEOMETRIC = "geometric"
PHOTOMETRIC = "photometric"
DEGRADATION = "degradation"
OCCLUSION = "occlusion"
STRUCTURAL = "structural"

# The smallest image side safeaug assumes a pipeline may meet (as for GridElasticDeform's folds, SA409).
SMALLEST_SIDE = 32.0
SPLINE_ORDER = 3  # TorchIO's B-spline: a grid of n control points spans n - 3 cells

Range = tuple[float, float]


def _numbers(p: Params, name: str, value: Any) -> tuple[float, ...]:
    items = value if isinstance(value, (list, tuple)) else (value,)
    if not items or not all(is_number(v) for v in items):
        raise ConfigError(f"{p.transform}.{name}: expected a number or a sequence of 2, 3 or 6 numbers, got {value!r}")
    return tuple(float(v) for v in items)


def sextet(p: Params, name: str, around: float | None, value: Any = None) -> tuple[Range, Range, Range]:
    """Three per-axis ranges from a TorchIO range argument, expanded as TorchIO's ``parse_params`` does.

    ``x`` -> ``(around - x, around + x)`` on every axis (``(0, x)`` when ``around`` is None); ``(a, b)`` -> that
    range on every axis; ``(x1, x2, x3)`` -> one range per axis; six numbers -> three ranges as given.
    """
    values = _numbers(p, name, p.raw(name) if value is None else value)
    if len(values) == 1 or len(values) == 2:
        values = values * 3
    if len(values) == 3:
        values = tuple(v for x in values for v in ((0.0, x) if around is None else (around - x, around + x)))
    if len(values) != 6:
        raise ConfigError(f"{p.transform}.{name}: expected 1, 2, 3 or 6 numbers, got {len(values)}")
    ranges = [(min(lo, hi), max(lo, hi)) for lo, hi in zip(values[::2], values[1::2], strict=True)]
    return ranges[0], ranges[1], ranges[2]


def triplet(p: Params, name: str) -> tuple[float, float, float]:
    """Three fixed per-axis values (``Affine``'s arguments): one number is used for all three."""
    values = _numbers(p, name, p.raw(name))
    if len(values) == 1:
        values = values * 3
    if len(values) != 3:
        raise ConfigError(f"{p.transform}.{name}: expected 1 or 3 numbers, got {len(values)}")
    return values[0], values[1], values[2]


def _magnitude(r: Range) -> float:
    return max(abs(r[0]), abs(r[1]))


# ----------------------------------------------------------------------------------------------- flips
_ANATOMICAL = set("LRAPIS")
_HEIGHT = set("TB")


def _axis_candidates(p: Params) -> list[frozenset[int]]:
    raw = p.raw("axes")
    axes = raw if isinstance(raw, (list, tuple)) else (raw,)
    if any(isinstance(a, str) for a in axes) and not all(isinstance(a, str) for a in axes):
        raise ConfigError(
            f"{p.transform}.axes: {raw!r} mixes axis indices and names, which TorchIO fails on at run time; use "
            "indices (0, 1, 2) or names ('LR', 'AP', 'IS') only"
        )
    out: list[frozenset[int]] = []
    for axis in axes:
        if isinstance(axis, bool) or not isinstance(axis, (int, str)):
            raise ConfigError(f"{p.transform}.axes: expected 0, 1, 2 or an anatomical axis name, got {axis!r}")
        if isinstance(axis, int):
            if axis not in (0, 1, 2):
                raise ConfigError(f"{p.transform}.axes: axis indices are 0, 1 or 2, got {axis}")
            out.append(frozenset({axis}))
            continue
        letter = axis[:1].upper()
        if letter in _HEIGHT:
            out.append(frozenset({1}))
        elif letter in _ANATOMICAL:
            out.append(frozenset({0, 1, 2}))  # which axis depends on the image's orientation
        else:
            raise ConfigError(
                f"{p.transform}.axes: {axis!r} is not an axis TorchIO knows; use 0, 1, 2 or an anatomical name "
                "such as 'LR', 'AP' or 'IS'"
            )
    return out


def _flip_envelope(flipped: frozenset[int]) -> Envelope:
    """What flipping these spatial axes at once does, seen in any slice of a 2-D image or a volume."""
    if not flipped:
        return IDENTITY
    in_plane = len(flipped & {0, 1})
    mirror = in_plane % 2 == 1 or len(flipped) % 2 == 1
    turned = bool(flipped & {1, 2})  # the height (or, for a volume, the depth) upside down
    return Envelope(mirror=mirror, rotation=180.0 if turned else 0.0)


def _flips(p: Params, always: bool) -> Envelope:
    candidates = _axis_candidates(p)
    sets: set[frozenset[int]] = set()
    for assignment in itertools.product(*candidates):
        listed = sorted(set(assignment))
        if always:
            sets.add(frozenset(listed))
            continue
        for k in range(1, len(listed) + 1):
            sets.update(frozenset(c) for c in itertools.combinations(listed, k))
    return Envelope.union_of(_flip_envelope(s) for s in sets)


_FLIP_KNOBS = {"rotation": Knob("axes", lambda _b: "axes=0")}


@entry("torchio.RandomFlip", family=GEOMETRIC, knobs=_FLIP_KNOBS)
def _random_flip(p: Params) -> Envelope:
    """flips each of the given axes with flip_probability (axis 0, left-right in RAS+, by default)"""
    chance = p.number("flip_probability")
    if chance <= 0.0:
        return IDENTITY
    return _flips(p, always=chance >= 1.0)


@entry("torchio.Flip", family=GEOMETRIC, knobs=_FLIP_KNOBS)
def _flip(p: Params) -> Envelope:
    """flips the given axes"""
    return _flips(p, always=True)


# ----------------------------------------------------------------------------------------------- affine
def _degrees_example(b: float) -> str:
    return f"degrees=(0, 0, {b:g})"


_AFFINE_KNOBS = {
    "rotation": Knob("degrees", _degrees_example),
    "scale": Knob("scales", lambda b: f"scales=({b[0]:g}, {b[1]:g})"),
    "translation": Knob("translation", lambda _b: "translation=0"),
    "crop": Knob("scales"),
    "edge": Knob("scales"),
    "aspect": Knob("isotropic", lambda _b: "isotropic=True"),
}


def _affine_envelope(
    p: Params,
    scales: Sequence[Range],
    degrees: Sequence[Range],
    translation: Sequence[Range],
    isotropic: bool,
) -> Envelope:
    for lo, _hi in scales:
        if lo < 0.0:
            raise ConfigError(f"{p.transform}.scales: scales must be at least 0, got {lo:g}")
    if isotropic:
        scales = [scales[0]] * 3
    rotation = min(180.0, sum(_magnitude(r) for r in degrees))
    # A volume turned about the width or height axis tilts its slices; past 90° a slice is seen from behind,
    # which shows it mirrored (a 2-D image turns about the depth axis only).
    tilt = _magnitude(degrees[0]) + _magnitude(degrees[1])
    s_lo = min(lo for lo, _ in scales)
    s_hi = max(hi for _, hi in scales)
    aspect = 1.0
    if not isotropic:
        for i, j in itertools.permutations(range(3), 2):
            low = scales[j][0]
            aspect = max(aspect, math.inf if low <= 0.0 else scales[i][1] / low)
    # A zoom in about the centre pushes content out of the frame: the two axes that lose the most are the
    # ones a slice shows at worst.
    shares = sorted(_frame_loss(r, r, 0.0, 0.0)[0] ** 0.5 for r in scales)
    travels = [_frame_loss(r, r, 0.0, 0.0)[1] for r in scales]
    moves = any(_magnitude(r) > 0.0 for r in translation)
    if p.text("center") not in ("image", "origin"):
        raise ConfigError(f"{p.transform}.center: expected 'image' or 'origin', got {p.raw('center')!r}")
    about_origin = p.text("center") == "origin" and (rotation > 0.0 or (s_lo, s_hi) != (1.0, 1.0))
    return Envelope(
        mirror=tilt > 90.0,
        # TorchIO composes the zoom and the turn in one map: per-axis zooms apart shear the turned image (read
        # as if the stretch follows the turn, the order that shears).
        shear=stretch_shear(rotation, aspect),
        rotation=rotation,
        scale_min=0.0 if s_lo <= 0.0 else s_lo,
        scale_max=s_hi,
        aspect=aspect,
        crop_min=shares[0] * shares[1],
        edge_travel=max(travels),
        # Millimetres (or a turn about the world origin): a shift whose size in pixels needs the spacing. As for
        # albumentations' shifts in pixels, the content it pushes out of the frame is judged with the shift
        # (SA407), not read into crop_min (a shift in depth even empties a 2-D image).
        translation_px=math.inf if moves or about_origin else 0.0,
    )


@entry("torchio.RandomAffine", family=GEOMETRIC, knobs=_AFFINE_KNOBS)
def _random_affine(p: Params) -> Envelope:
    """scales, turns (degrees about each axis) and shifts (in mm) by random amounts"""
    return _affine_envelope(
        p,
        sextet(p, "scales", 1.0),
        sextet(p, "degrees", 0.0),
        sextet(p, "translation", 0.0),
        p.flag("isotropic"),
    )


@entry("torchio.Affine", family=GEOMETRIC, knobs=_AFFINE_KNOBS)
def _affine(p: Params) -> Envelope:
    """scales, turns and shifts (in mm) by the given amounts"""

    def fixed(name: str) -> list[Range]:
        return [(v, v) for v in triplet(p, name)]

    return _affine_envelope(p, fixed("scales"), fixed("degrees"), fixed("translation"), False)


# ----------------------------------------------------------------------------------------------- elastic
def _elastic_envelope(p: Params, points: Any, displacement: Any) -> Envelope:
    counts = _numbers(p, "num_control_points", points)
    counts = counts * 3 if len(counts) == 1 else counts
    moves = _numbers(p, "max_displacement", displacement)
    moves = moves * 3 if len(moves) == 1 else moves
    if len(counts) != 3 or len(moves) != 3 or min(counts) < 4 or min(moves) < 0:
        raise ConfigError(
            f"{p.transform}: num_control_points must be at least 4 and max_displacement at least 0, per axis "
            "(one number or three)"
        )
    if not any(moves):
        return IDENTITY
    # A cubic B-spline is a convex combination of its control points' displacements: no point moves further
    # than the largest, read in pixels at 1 mm per voxel and as a share of a reference side.
    moved = math.sqrt(sum(m * m for m in moves))
    # Read on the same reference side as the warp (a smaller image folds sooner, as it warps further).
    fold = can_fold(moves, counts, WARP_REFERENCE_SIDE)
    return Envelope(nonrigid=True, warp=min(1.0, moved / WARP_REFERENCE_SIDE), fold=fold)


def can_fold(moves: Sequence[float], counts: Sequence[float], side: float) -> bool:
    """TorchIO's own test: a fold is possible once a displacement (px) exceeds half the grid spacing along
    its axis, ``side / (n - 3)`` px for ``n`` control points."""
    return any(m > side / (n - SPLINE_ORDER) / 2.0 for m, n in zip(moves, counts, strict=True))


@entry(
    "torchio.RandomElasticDeformation",
    family=GEOMETRIC,
    knobs={"warp": Knob("max_displacement"), "fold": Knob("max_displacement")},
)
def _random_elastic(p: Params) -> Envelope:
    """warps the image with a random B-spline displacement field (max_displacement in mm)"""
    return _elastic_envelope(p, p.raw("num_control_points"), p.raw("max_displacement"))


def _sub(p: Params, name: str, argument: str) -> Params:
    given = p.raw(argument)
    if given is None:
        given = {}
    if not isinstance(given, dict) or not all(isinstance(k, str) for k in given):
        raise ConfigError(f"{p.transform}.{argument}: expected a dict of {name} arguments, got {given!r}")
    return Params(name, given, {arg: default for arg, default in SIGNATURES[name]})


@entry("torchio.RandomAffineElasticDeformation", family=GEOMETRIC)
def _random_affine_elastic(p: Params) -> Envelope:
    """a random affine map and a random elastic warp, in one resampling"""
    affine = _random_affine(_sub(p, "torchio.RandomAffine", "affine_kwargs"))
    elastic_params = _sub(p, "torchio.RandomElasticDeformation", "elastic_kwargs")
    elastic = _random_elastic(elastic_params)
    return Envelope.sequence([affine, elastic] if p.flag("affine_first") else [elastic, affine])


# ----------------------------------------------------------------------------------------------- resolution
@entry("torchio.RandomAnisotropy", family=DEGRADATION, knobs={"resolution": Knob("downsampling")})
def _random_anisotropy(p: Params) -> Envelope:
    """downsamples one axis by a random factor and resamples it back"""
    lo, hi = p.range("downsampling", "one")
    if lo < 1.0:
        raise ConfigError(f"{p.transform}.downsampling: factors must be at least 1, got {lo:g}")
    # The coarse grid covers a whole number of coarse voxels: the last (side mod factor) voxels, up to
    # factor - 1, come back as fill, a strip along the edge. Read on the smallest side safeaug assumes.
    strip = (math.ceil(hi) - 1) / SMALLEST_SIDE
    return Envelope(resolution=1.0 / hi, occlusion=min(1.0, strip))


# ----------------------------------------------------------------------------------------------- intensity
# TorchIO draws one gamma per channel. Its channels are a scalar scan's modalities or windows, where that is a
# gamma per modality; on an RGB image it shifts hue (up to about 17 degrees at the default), which is not read
# as colour here: flagging it would refuse every single-channel CT and MRI pipeline (docs/libraries.md).
@entry(
    "torchio.RandomGamma",
    family=PHOTOMETRIC,
    knobs={"gamma": Knob("log_gamma", lambda b: f"log_gamma=({math.log(b[0]):.3g}, {math.log(b[1]):.3g})")},
)
def _random_gamma(p: Params) -> Envelope:
    """raises intensities to a random power exp(log_gamma)"""
    lo, hi = p.range("log_gamma")
    return Envelope(gamma_min=math.exp(lo), gamma_max=math.exp(hi))


@entry(
    "torchio.RandomNoise",
    family=DEGRADATION,
    knobs={"noise": Knob("std", lambda b: f"std=(0, {b:g})"), "brightness": Knob("mean", lambda b: f"mean={b:g}")},
)
def _random_noise(p: Params) -> Envelope:
    """adds Gaussian noise (std and mean in intensity units, read on a 0-1 range)"""
    m_lo, m_hi = p.range("mean")
    s_lo, s_hi = p.range("std", "zero")
    if s_lo < 0.0:
        raise ConfigError(f"{p.transform}.std: must be at least 0, got {s_lo:g}")
    return Envelope(noise=s_hi, brightness=max(abs(m_lo), abs(m_hi)))


@entry("torchio.RandomBlur", family=DEGRADATION, knobs={"blur": Knob("std", lambda b: f"std=(0, {b:g})")})
def _random_blur(p: Params) -> Envelope:
    """blurs with a Gaussian of random std per axis (mm, read at 1 mm per voxel)"""
    ranges = sextet(p, "std", None)
    if any(lo < 0.0 for lo, _ in ranges):
        raise ConfigError(f"{p.transform}.std: must be at least 0")
    return Envelope(blur=max(hi for _, hi in ranges))


@entry("torchio.Gamma", family=PHOTOMETRIC, knobs={"gamma": Knob("gamma")})
def _gamma(p: Params) -> Envelope:
    """raises intensities to a given power"""
    gamma = p.number("gamma")
    if gamma <= 0.0:
        raise ConfigError(f"{p.transform}.gamma: expected a power above 0, got {gamma:g}")
    return Envelope(gamma_min=gamma, gamma_max=gamma)


@entry("torchio.Noise", family=DEGRADATION, knobs={"noise": Knob("std"), "brightness": Knob("mean")})
def _noise(p: Params) -> Envelope:
    """adds Gaussian noise of a given std and mean (intensity units, read on a 0-1 range)"""
    return Envelope(noise=abs(p.number("std")), brightness=abs(p.number("mean")))


@entry("torchio.Blur", family=DEGRADATION, knobs={"blur": Knob("std")})
def _blur(p: Params) -> Envelope:
    """blurs with a Gaussian of a given std per axis (mm, read at 1 mm per voxel)"""
    return Envelope(blur=max(abs(v) for v in triplet(p, "std")))


@entry("torchio.RandomBiasField", family=PHOTOMETRIC, knobs={"contrast": Knob("coefficients")})
def _random_bias_field(p: Params) -> Envelope:
    """multiplies by a smooth field exp(polynomial) with random coefficients"""
    c = p.magnitude("coefficients")
    order = p.raw("order")
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise ConfigError(f"{p.transform}.order: expected a whole number of at least 0, got {order!r}")
    # The polynomial has one term per monomial of degree <= order in three coordinates, each within [-1, 1].
    terms = math.comb(order + 3, 3)
    bound = c * terms
    if bound == 0.0:
        return IDENTITY
    return Envelope(contrast_min=math.exp(-bound), contrast_max=math.exp(bound))


def _some(p: Params, name: str, scalar: str = "zero") -> bool:
    lo, hi = p.range(name, scalar)  # type: ignore[arg-type]
    return max(abs(lo), abs(hi)) > 0.0


@entry("torchio.RandomGhosting", family=OCCLUSION, knobs={"overlay": Knob("intensity")})
def _random_ghosting(p: Params) -> Envelope:
    """adds shifted ghost copies of the image along an axis (an MRI artefact)"""
    if not (_some(p, "num_ghosts") and _some(p, "intensity")):
        return IDENTITY
    return Envelope(overlay=True)


@entry("torchio.RandomSpike", family=OCCLUSION, knobs={"overlay": Knob("intensity")})
def _random_spike(p: Params) -> Envelope:
    """adds k-space spikes: stripes over the whole image (an MRI artefact)"""
    if not (_some(p, "num_spikes") and _some(p, "intensity")):
        return IDENTITY
    return Envelope(overlay=True)


@entry("torchio.RandomMotion", family=OCCLUSION, knobs={"overlay": Knob("num_transforms")})
def _random_motion(p: Params) -> Envelope:
    """mixes the k-space of several moved copies: ghosts and smears of the image (an MRI artefact)"""
    count = p.number("num_transforms")
    if count < 1 or not (_some(p, "degrees", "symmetric") or _some(p, "translation", "symmetric")):
        return IDENTITY
    return Envelope(overlay=True)


@entry("torchio.RandomSwap", family=OCCLUSION, knobs={"topology": Knob("num_iterations")})
def _random_swap(p: Params) -> Envelope:
    """swaps random pairs of patches"""
    if p.number("num_iterations") <= 0:
        return IDENTITY
    return Envelope(topology=True)


@entry("torchio.RandomLabelsToImage", family=PHOTOMETRIC)
def _random_labels_to_image(p: Params) -> Envelope:
    """paints a new image from a label map with random intensities per label"""
    # Every tissue gets a random intensity: their order, and so any intensity relation, may change.
    return Envelope(nonmonotone=True, inversion=True)


# ----------------------------------------------------------------------------------------------- preprocessing
_COPYING_PADS = {"reflect", "symmetric", "wrap"}


def _reflects(p: Params) -> bool:
    mode = p.raw("padding_mode")
    return isinstance(mode, str) and mode in _COPYING_PADS


def _positive(value: Any) -> bool:
    values = value if isinstance(value, (list, tuple)) else (value,)
    return any(not is_number(v) or float(v) > 0 for v in values)


@entry("torchio.Pad", family=GEOMETRIC, knobs={"reflect_border": Knob("padding_mode", lambda _b: "padding_mode=0")})
def _pad(p: Params) -> Envelope:
    """pads by a number of voxels per side"""
    if not _positive(p.raw("padding")):
        return IDENTITY
    return Envelope(canvas_growth=math.inf, reflect_border=_reflects(p))


@entry("torchio.Crop", family=GEOMETRIC, knobs={"crop": Knob("cropping")})
def _crop(p: Params) -> Envelope:
    """crops a number of voxels per side"""
    return Envelope(crop_unbounded=True) if _positive(p.raw("cropping")) else IDENTITY


@entry(
    "torchio.CropOrPad",
    family=GEOMETRIC,
    knobs={"crop": Knob("target_shape"), "reflect_border": Knob("padding_mode", lambda _b: "padding_mode=0")},
)
def _crop_or_pad(p: Params) -> Envelope:
    """crops or pads to a shape (in voxels or mm), about the centre or a mask's bounding box"""
    crops = not p.flag("only_pad")
    pads = not p.flag("only_crop")
    return Envelope(
        crop_unbounded=crops,
        canvas_growth=math.inf if pads else 1.0,
        reflect_border=pads and _reflects(p),
    )


@entry("torchio.EnsureShapeMultiple", family=GEOMETRIC, knobs={"crop": Knob("method")})
def _ensure_shape_multiple(p: Params) -> Envelope:
    """crops or pads each side to a multiple of a number of voxels"""
    method = p.text("method")
    if method not in ("crop", "pad"):
        raise ConfigError(f"{p.transform}.method: expected 'crop' or 'pad', got {method!r}")
    return Envelope(crop_unbounded=True) if method == "crop" else Envelope(canvas_growth=math.inf)


@entry(["torchio.Resize", "torchio.Resample"], family=GEOMETRIC)
def _resize(p: Params) -> Envelope:
    """resamples to a shape (Resize) or a spacing (Resample): the factors depend on the input"""
    return Envelope(resize=True, aspect=math.inf)


def _always(p: Params) -> bool:
    return p.number("p") >= 1.0


@entry(["torchio.ToCanonical", "torchio.ToOrientation"], family=GEOMETRIC)
def _reorient(p: Params) -> Envelope:
    """reorders and flips axes to a standard orientation (the same anatomy, a standard layout)"""
    # Always applied it is a layout every image shares; applied at random it flips and transposes some.
    return IDENTITY if _always(p) else Envelope(mirror=True, rotation=180.0)


constant(
    "torchio.Transpose",
    Envelope(mirror=True, rotation=90.0),
    family=GEOMETRIC,
    summary="swaps the width and depth axes",
)


@entry(["torchio.RescaleIntensity", "torchio.ZNormalization"], family=STRUCTURAL)
def _normalise(p: Params) -> Envelope:
    """rescales or standardises intensities per image: a preprocessing step when always applied"""
    if _always(p):
        return IDENTITY
    return Envelope(brightness=1.0, contrast_min=0.0, contrast_max=math.inf)


@entry("torchio.Clamp", family=STRUCTURAL)
def _clamp(p: Params) -> Envelope:
    """clips intensities to a range: a preprocessing step when always applied"""
    return IDENTITY if _always(p) else Envelope(contrast_min=0.0)


@entry("torchio.Mask", family=STRUCTURAL)
def _mask(p: Params) -> Envelope:
    """sets everything outside a mask to a value: a preprocessing step when always applied"""
    return IDENTITY if _always(p) else Envelope(occlusion=1.0)


constant(
    [
        "torchio.To",
        "torchio.OneHot",
        "torchio.Contour",
        "torchio.RemapLabels",
        "torchio.RemoveLabels",
        "torchio.SequentialLabels",
        "torchio.KeepLargestComponent",
    ],
    Envelope(),
    family=STRUCTURAL,
    summary="changes the data type or the label maps only, not the image",
)

for _name, _reason in UNKNOWN.items():
    unknown(_name, family=STRUCTURAL, summary=_reason)
