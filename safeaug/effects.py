"""Effect envelopes: what a transform may do to an image, and how that adds up along a pipeline.

An :class:`Envelope` over-approximates everything a transform can do with non-zero probability:
``Envelope(rotation=15)`` means "may rotate by any angle up to ±15°". Envelopes compose:

>>> a = Envelope(rotation=10, scale_min=0.9, scale_max=1.1)
>>> b = Envelope(rotation=10, mirror=True)
>>> s = a.then(b)                       # a sequence: rotations add, mirroring is sticky
>>> (s.rotation, s.mirror, s.scale_max)
(20.0, True, 1.1)
>>> a.union(b).rotation                 # one of them: the larger of the two
10.0

Every field has an identity value (``Envelope()`` is "does nothing") and a rule for sequences and
for unions, declared once in ``_FIELD_RULES`` below.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

# How a field combines.
#   flag     may-happen booleans: sequence and union are both "or".
#   add      magnitudes that add up in a sequence (rotation, translation); union is the max.
#   rss      spreads that compose as variances (Gaussian blur sigmas): root of the sum of squares.
#            Noise sigmas add instead: albumentations gives every transform of a Compose the same seed,
#            so two noise transforms can draw the same noise field (two AdditiveNoise(laplace, scale
#            0.0218) read 0.059, not the root-sum-square 0.044): their sigmas add in the worst case.
#   mul_max  upper end of a multiplicative range: sequence multiplies, union takes the max.
#   mul_min  lower end of a multiplicative range: sequence multiplies, union takes the min.
#   min      "the worst so far" lower bounds (JPEG quality, bits kept, downscale factor).
#   area     fractions of area hidden: 1 - (1 - a)(1 - b) in sequence, max in union.
Rule = Literal["flag", "add", "rss", "mul_max", "mul_min", "min", "area"]


@dataclass(frozen=True, init=False)
class Envelope:
    """The set of things a transform (or a whole pipeline) may do, as bounds.

    Envelopes are values: combine them with :meth:`then` and :meth:`union`, change one with
    :meth:`with_changes` (which makes a new one); assigning to a field raises (the validator's caches, and
    the verdicts it keeps, hand the same envelope to every caller). An envelope stores only
    the effects it was given (the rest read as the class defaults, "does nothing"), which keeps
    building and combining them cheap: validation must cost far less than building the pipeline.

    Units: angles in degrees; translation as a fraction of the image side; ``translation_px`` in
    pixels when a transform shifts by pixels; intensities as fractions of the value range
    (``brightness=0.2`` is an additive shift of up to 20% of full scale); ``blur`` as Gaussian
    sigma in pixels; ``noise`` as standard deviation in fractions of full scale; ``crop_min`` as
    the smallest fraction of the image area kept; ``resolution`` as the smallest down-sampling
    factor; ``compression`` as the lowest JPEG/WebP quality; ``posterize_bits`` as the fewest
    bits kept per channel; ``occlusion`` as the largest fraction of the area hidden; ``aspect`` as the
    largest ratio between the scale factors of the two axes (a per-axis zoom, a resize to another
    aspect). ``aspect`` is not bounded by itself: a stretch that follows a turn shears the image, and a
    sequence adds that shear (see :func:`stretch_shear`). ``canvas_growth`` is the largest factor by which
    the image's area may grow around its content (a pad, a zoom out inside the frame, ``fit_output``); it is
    infinite when it depends on the input size (a pad in pixels). ``warp`` is the largest distance a non-rigid
    warp moves content beyond its global map, as a share of the side, and ``fold`` says that a warp may fold
    the image locally (a local mirror or a tear). ``crop_min`` counts every way content leaves the frame (a
    crop, a zoom in, a shift, a perspective or warp that fills the frame) and ``edge_travel`` is how far an
    edge of the input may move inward, as a share of the side across it (a sequence adds the travels).
    ``perspective`` is the standard deviation of a corner's random offset, as a share of the side
    (albumentations' ``Perspective(scale=...)``; corners may move about four times that).
    An occlusion hides a share of the canvas, so a sequence multiplies a later ``occlusion`` by the growth
    before it (up to the whole content); a crop or resize afterwards is not taken to undo it.
    """

    # geometry
    mirror: bool = False
    rotation: float = 0.0
    scale_min: float = 1.0
    scale_max: float = 1.0
    translation: float = 0.0
    translation_px: float = 0.0
    shear: float = 0.0
    aspect: float = 1.0
    canvas_growth: float = 1.0
    perspective: float = 0.0
    nonrigid: bool = False
    warp: float = 0.0
    fold: bool = False
    crop_min: float = 1.0
    edge_travel: float = 0.0
    crop_unbounded: bool = False
    resize: bool = False
    reflect_border: bool = False
    # intensity
    inversion: bool = False
    nonmonotone: bool = False
    brightness: float = 0.0
    contrast_min: float = 1.0
    contrast_max: float = 1.0
    gamma_min: float = 1.0
    gamma_max: float = 1.0
    equalization: bool = False
    posterize_bits: float = 8.0
    # colour
    hue: float = 0.0
    saturation_min: float = 1.0
    saturation_max: float = 1.0
    color: bool = False
    grayscale: bool = False
    # detail
    blur: float = 0.0
    resolution: float = 1.0
    noise: float = 0.0
    compression: float = 100.0
    sharpen: bool = False
    # structure
    occlusion: float = 0.0
    # An occlusion follows a canvas growth that depends on the input size (a pad in pixels): how much more
    # of the content it may hide than its share of the canvas cannot be known without the input size.
    occlusion_unbounded: bool = False
    topology: bool = False
    mixing: bool = False
    overlay: bool = False
    # The installed albumentations replaces every pixel with one value (a NaN kernel whitens the image):
    # a degenerate argument, refused under every policy (SA410).
    destroys: bool = False

    def __init__(self, **effects: Any) -> None:
        if not _FIELD_RULES.keys() >= effects.keys():
            unknown = effects.keys() - _FIELD_RULES.keys()
            raise TypeError(f"Envelope has no effect {', '.join(sorted(unknown))}; effects: {', '.join(_FIELD_RULES)}")
        self.__dict__.update(effects)

    # ---------------------------------------------------------------- composition
    def then(self, other: Envelope) -> Envelope:
        """The envelope of doing ``self`` and then ``other`` (a sequence)."""
        return _combine((self, other), "seq")

    def union(self, other: Envelope) -> Envelope:
        """The envelope of doing either ``self`` or ``other`` (one of them)."""
        return _combine((self, other), "union")

    @staticmethod
    def sequence(envelopes: Iterable[Envelope]) -> Envelope:
        """Everything in order: rotations add, scales multiply, flags are sticky."""
        return _combine(tuple(envelopes), "seq")

    @staticmethod
    def union_of(envelopes: Iterable[Envelope]) -> Envelope:
        """Any one of them (``OneOf``): the field-wise worst case."""
        return _combine(tuple(envelopes), "union")

    @staticmethod
    def some_of(envelopes: Sequence[Envelope], n: int, *, replace: bool = False) -> Envelope:
        """Up to ``n`` of them in sequence (``SomeOf``).

        Field by field, the ``n`` worst branches are accumulated; with ``replace`` the same branch may be
        drawn ``n`` times, so the worst branch is accumulated ``n`` times.
        """
        if n <= 0 or not envelopes:
            return IDENTITY
        values: dict[str, Any] = {}
        for f in fields(Envelope):
            rule = _FIELD_RULES[f.name]
            column = [getattr(e, f.name) for e in envelopes]
            column.sort(key=_badness(rule), reverse=True)
            picked = [column[0]] * n if replace else column[:n]
            acc = getattr(IDENTITY, f.name)
            for v in picked:
                acc = _seq(rule, f.name, acc, v)
            values[f.name] = acc
        out = Envelope(**values)
        if n < 2:  # one branch: its own turn and stretch come in the order its entry describes
            return out
        # drawn in any order: a stretch may follow every turn (a bound that may count a branch's own)
        extra = stretch_shear(out.rotation, out.aspect)
        if extra:
            out = out.with_changes(shear=out.shear + extra)
        if out.canvas_growth > 1.0 and out.occlusion > 0.0:
            # Any order: every occlusion may follow every growth. 1 - prod(1 - g·a_i) is concave in g, so
            # it stays below g·(1 - prod(1 - a_i)): the combined share times the growth bounds it.
            growth = out.canvas_growth
            if math.isinf(growth):  # the part set by the input size is flagged; the rest still scales
                finite = sorted((e.canvas_growth for e in envelopes if not math.isinf(e.canvas_growth)), reverse=True)
                growth = math.prod(finite[:1] * n if replace else finite[:n])
                out = out.with_changes(occlusion_unbounded=True)
            out = out.with_changes(occlusion=grown_occlusion(out.occlusion, growth))
        return out

    # ---------------------------------------------------------------- reading
    def is_identity(self) -> bool:
        return self == IDENTITY

    def differs(self) -> list[str]:
        """Names of the fields that are not at their identity value."""
        return [f.name for f in fields(Envelope) if getattr(self, f.name) != getattr(IDENTITY, f.name)]

    def contains(self, other: Envelope, *, tol: float = 1e-6) -> bool:
        """True when every effect of ``other`` lies within this envelope."""
        for f in fields(Envelope):
            rule = _FIELD_RULES[f.name]
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if rule == "flag":
                if theirs and not mine:
                    return False
            elif rule in ("mul_min", "min"):
                if theirs < mine - tol * max(1.0, abs(mine)):
                    return False
            elif theirs > mine + tol * max(1.0, abs(mine)):
                return False
        return True

    def with_changes(self, **changes: Any) -> Envelope:
        return replace(self, **changes)

    def including_identity(self) -> Envelope:
        """This envelope widened so that "do nothing" lies inside it.

        A transform may always be skipped in a pipeline (its ``p``, a OneOf, a SomeOf), so factor ranges
        that exclude 1 (``Affine(scale=0.9)``) are widened to reach 1; otherwise a sequence would
        multiply them as if every member always ran, and appending a transform could *shrink* the
        envelope.
        """
        widened: dict[str, Any] = {}
        for name, value in moved_fields(self):
            if (name in _RANGE_LOWS and value > 1.0) or (name in _RANGE_HIGHS and value < 1.0):
                widened[name] = 1.0
        return replace(self, **widened) if widened else self


IDENTITY = Envelope.__new__(Envelope)  # nothing given: every effect at its "does nothing" default

_FIELD_RULES: dict[str, Rule] = {
    "mirror": "flag",
    "rotation": "add",
    "scale_min": "mul_min",
    "scale_max": "mul_max",
    "translation": "add",
    "translation_px": "add",
    "shear": "add",
    "aspect": "mul_max",
    "canvas_growth": "mul_max",
    "perspective": "add",
    "nonrigid": "flag",
    "warp": "add",
    "fold": "flag",
    "crop_min": "mul_min",
    "edge_travel": "add",
    "crop_unbounded": "flag",
    "resize": "flag",
    "reflect_border": "flag",
    "inversion": "flag",
    "nonmonotone": "flag",
    "brightness": "add",
    "contrast_min": "mul_min",
    "contrast_max": "mul_max",
    "gamma_min": "mul_min",
    "gamma_max": "mul_max",
    "equalization": "flag",
    "posterize_bits": "min",
    "hue": "add",
    "saturation_min": "mul_min",
    "saturation_max": "mul_max",
    "color": "flag",
    "grayscale": "flag",
    "blur": "rss",
    "resolution": "min",
    "noise": "add",
    "compression": "min",
    "sharpen": "flag",
    "occlusion": "area",
    "occlusion_unbounded": "flag",
    "topology": "flag",
    "mixing": "flag",
    "overlay": "flag",
    "destroys": "flag",
}

# What each effect is about, as the fields are grouped in the class; the catalog's family contracts are
# written in these groups (a photometric entry moves nothing in "geometry").
GROUPS: dict[str, frozenset[str]] = {
    "geometry": frozenset(
        {
            "mirror",
            "rotation",
            "scale_min",
            "scale_max",
            "translation",
            "translation_px",
            "shear",
            "aspect",
            "canvas_growth",
            "perspective",
            "nonrigid",
            "warp",
            "fold",
            "crop_min",
            "edge_travel",
            "crop_unbounded",
            "resize",
            "reflect_border",
        }
    ),
    "intensity": frozenset(
        {
            "inversion",
            "nonmonotone",
            "brightness",
            "contrast_min",
            "contrast_max",
            "gamma_min",
            "gamma_max",
            "equalization",
            "posterize_bits",
        }
    ),
    "colour": frozenset({"hue", "saturation_min", "saturation_max", "color", "grayscale"}),
    "detail": frozenset({"blur", "resolution", "noise", "compression", "sharpen"}),
    "structure": frozenset({"occlusion", "occlusion_unbounded", "topology", "mixing", "overlay", "destroys"}),
}

# Angles wrap: no rotation or hue shift is larger than half a turn.
_CAPS: dict[str, float] = {"rotation": 180.0, "hue": 180.0, "occlusion": 1.0, "warp": 1.0, "edge_travel": 1.0}

assert set(_FIELD_RULES) == {f.name for f in fields(Envelope)}, "every envelope field needs a rule"
assert sorted(_FIELD_RULES) == sorted(n for g in GROUPS.values() for n in g), "every envelope field is in one group"
_FIELDS: tuple[tuple[str, Rule], ...] = tuple((f.name, _FIELD_RULES[f.name]) for f in fields(Envelope))
_ALL_VALUES = operator.attrgetter(*(name for name, _ in _FIELDS))
_IDENTITY_VALUES = _ALL_VALUES(IDENTITY)
_NAMES = tuple(name for name, _ in _FIELDS)
_IDENTITY_BY_NAME = dict(zip(_NAMES, _IDENTITY_VALUES, strict=True))
_RANGE_LOWS = frozenset({"scale_min", "contrast_min", "gamma_min", "saturation_min"})
_RANGE_HIGHS = frozenset({"scale_max", "contrast_max", "gamma_max", "saturation_max"})
_RANGES = (
    ("scale_min", "scale_max"),
    ("contrast_min", "contrast_max"),
    ("gamma_min", "gamma_max"),
    ("saturation_min", "saturation_max"),
)


def field_rule(name: str) -> Rule:
    return _FIELD_RULES[name]


def _seq(rule: Rule, name: str, a: Any, b: Any) -> Any:
    if rule == "flag":
        return bool(a or b)
    if rule == "add":
        out = float(a + b)
    elif rule == "rss":
        out = math.hypot(a, b)
    elif rule in ("mul_max", "mul_min"):
        out = float(a * b)
    elif rule == "min":
        out = float(min(a, b))
    else:  # area: 1 - (1 - a)(1 - b), written so that adding nothing is exact
        out = a + b - a * b
    cap = _CAPS.get(name)
    return min(out, cap) if cap is not None else out


def _badness(rule: Rule) -> Any:
    """Sort key: larger means "does more" for this field."""
    if rule in ("mul_min", "min"):
        return lambda v: -v
    return lambda v: v


def _reduce_seq(rule: Rule, name: str, values: list[Any]) -> Any:
    if rule == "flag":
        return any(values)
    if rule == "add":
        out = float(sum(values))
    elif rule == "rss":
        out = math.sqrt(sum(v * v for v in values))
    elif rule in ("mul_max", "mul_min"):
        out = float(math.prod(values))
    elif rule == "min":
        out = float(min(values))
    else:  # area: 1 - (1 - a)(1 - b), written so that adding nothing is exact
        out = 0.0
        for v in values:
            out = out + v - out * v
    cap = _CAPS.get(name)
    return min(out, cap) if cap is not None else out


def _reduce_union(rule: Rule, values: list[Any]) -> Any:
    if rule == "flag":
        return any(values)
    if rule in ("mul_min", "min"):
        return float(min(values))
    return float(max(values))


def stretch_shear(rotation: float, aspect: float) -> float:
    """Degrees of shear made by a turn of up to ``rotation`` followed by axis scales up to ``aspect`` apart.

    ``diag(k, 1) · R(θ)`` keeps no right angle: its columns meet at 90° ± asin(|sin θ cos θ (k² − 1)| / (|a||b|)),
    largest at θ = 45°. A stretch before the turn (``R(θ) · diag(k, 1)``) keeps the right angle. A resize
    to a fixed size (aspect without bound: it depends on the input's) is not counted.
    """
    if rotation <= 0.0 or aspect <= 1.0 or math.isinf(aspect):
        # An aspect that depends on the input (a resize to a fixed size) cannot be bounded here.
        return 0.0
    t = math.radians(min(rotation, 45.0))
    s, c, k = math.sin(t), math.cos(t), aspect
    cross = abs(s * c * (k * k - 1.0)) / (math.hypot(k * c, s) * math.hypot(k * s, c))
    return math.degrees(math.asin(min(1.0, cross)))


def _turns_then_stretches(envelopes: tuple[Envelope, ...]) -> float:
    """The shear of every stretch that follows a turn, in sequence order."""
    turned = 0.0
    extra = 0.0
    for e in envelopes:
        extra += stretch_shear(turned, e.aspect)
        turned = min(turned + e.rotation, 180.0)
    return extra


def grown_occlusion(share: float, growth: float) -> float:
    """The share of the content an occlusion of ``share`` of the canvas may hide once the canvas has grown
    by ``growth`` around the content (all of the hidden area can land on the content)."""
    if share <= 0.0:
        return 0.0
    return min(1.0, share * growth)  # an infinite growth (a pad in pixels): the whole content


def _occlusion_after_growth(envelopes: tuple[Envelope, ...]) -> tuple[float, bool]:
    """Occlusion of a sequence, each occlusion scaled by the canvas growth of everything before it.

    A growth that depends on the input size (infinite) is not multiplied in: the second value says that
    an occlusion follows one, which the validator reports as depending on the input size (``SA407``).
    """
    grown = 1.0
    unbounded = False
    after_unbounded = False
    hidden = 0.0
    for e in envelopes:
        share = grown_occlusion(e.occlusion, grown)
        hidden = hidden + share - hidden * share
        after_unbounded = after_unbounded or (unbounded and e.occlusion > 0.0)
        if math.isinf(e.canvas_growth):
            unbounded = True
        else:
            grown *= e.canvas_growth
    return min(hidden, 1.0), after_unbounded


def moved_fields(e: Envelope) -> list[tuple[str, Any]]:
    """The effects of ``e`` that differ from doing nothing (only given effects are stored)."""
    return [(name, value) for name, value in e.__dict__.items() if value != _IDENTITY_BY_NAME[name]]


def _combine(envelopes: tuple[Envelope, ...], how: Literal["seq", "union"]) -> Envelope:
    if how == "seq":  # doing nothing in a sequence changes nothing; in a union it is one of the options
        envelopes = tuple(e for e in envelopes if e is not IDENTITY)
    if not envelopes:
        return IDENTITY
    if len(envelopes) == 1:
        return envelopes[0]
    # Most fields are untouched by most transforms: gather only the fields that moved, then fold those.
    moved: dict[str, list[Any]] = {}
    for e in envelopes:
        for name, value in moved_fields(e):
            moved.setdefault(name, []).append(value)
    if how == "seq":
        out = Envelope(**{name: _reduce_seq(_FIELD_RULES[name], name, vals) for name, vals in moved.items()})
        if "aspect" in moved and "rotation" in moved:
            extra = _turns_then_stretches(envelopes)
            if extra:
                out = out.with_changes(shear=out.shear + extra)
        if "canvas_growth" in moved and "occlusion" in moved:
            hidden, after_unbounded = _occlusion_after_growth(envelopes)
            out = out.with_changes(occlusion=hidden, occlusion_unbounded=out.occlusion_unbounded or after_unbounded)
        return out
    count = len(envelopes)
    return Envelope(
        **{
            name: _reduce_union(_FIELD_RULES[name], vals if len(vals) == count else [*vals, _IDENTITY_BY_NAME[name]])
            for name, vals in moved.items()
        }
    )
