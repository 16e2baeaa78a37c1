"""Photometric transforms: brightness, contrast, gamma, tone curves, hue, saturation and colour casts.

What the numbers mean here (the Envelope docstring gives the units; this is how intensity maps are read):

* An intensity map is read as ``out = contrast · (x - pivot) + pivot + brightness``, the way radiology
  and the albumentations arguments speak of it: ``brightness`` is the largest *additive* shift, as a
  fraction of full scale, and ``contrast`` the range of the *slope* (saturation at 0 or full scale is not
  counted). The pivot is zero for a gain and the image mean for a stretch. A pure gain is a contrast
  change, whatever albumentations calls it (``ColorJitter``'s "brightness" and
  ``RandomBrightnessContrast``'s "contrast" are both gains about zero), so
  ``RandomBrightnessContrast(0.2, 0.2)`` reads as brightness ±0.2 and contrast 0.8-1.2, the bounds the
  literature quotes. Curves that are neither (tone curves, colour casts, gray conversion) report the
  largest change of a flat grey level as brightness, and their slope range as contrast.
* Non-linear maps that have a field of their own (gamma, posterisation, histogram remaps, inversion,
  solarisation) are reported in that field only.
* ``hue`` is the largest rotation of the hue circle, in degrees (0-180: a turn of 200° is one of -160°).
* ``saturation_min/max`` is the factor applied to a pixel's chroma. Changes of colour balance that are not a
  hue rotation or a saturation factor (channel shifts, gains, swaps, stain and temperature casts) are the
  ``color`` flag; ``grayscale`` means the colour of any image can be removed.
* Parameters drawn from a Gaussian (``FancyPCA.alpha``, ``RandomToneCurve.scale``) have no hard bound; we
  take ±``_TAIL`` standard deviations (a draw beyond 5σ happens about once in 1.7 million).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import lru_cache

from safeaug import _installed
from safeaug.catalog._registry import Knob, Params, constant, entry, round_down
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

FAMILY = "photometric"

_LUMA = (0.299, 0.587, 0.114)
_TAIL = 5.0  # Gaussian parameters are bounded at this many standard deviations
_GREY_SAT = 1.0 / 255.0  # a saturation factor at or below this leaves less than one 8-bit level of chroma

# ------------------------------------------------------------------------------------------ helpers


def _pair(p: Params, name: str) -> tuple[float, float]:
    """A parameter that albumentations accepts only as a ``(lo, hi)`` pair (a bare number is refused)."""
    value = p.raw(name)
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{p.transform}.{name}: expected a [low, high] pair, got {value!r}")
    return p.as_range(name, value, "fixed")


def _choice(p: Params, name: str, options: Iterable[str]) -> str:
    value = p.text(name)
    allowed = tuple(options)
    if value not in allowed:
        raise ConfigError(f"{p.transform}.{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _factors(lo: float, hi: float) -> tuple[float, float, bool]:
    """``(contrast_min, contrast_max, inverts)`` for a slope that may take any value in ``[lo, hi]``."""
    inverts = lo < 0.0
    smallest = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    return smallest, max(abs(lo), abs(hi)), inverts


def _hue_reach(lo_deg: float, hi_deg: float) -> float:
    """Largest distance around the hue circle of a rotation anywhere in ``[lo_deg, hi_deg]`` degrees."""
    if hi_deg - lo_deg >= 360.0:
        return 180.0
    k = math.ceil((lo_deg - 180.0) / 360.0)
    if 180.0 + 360.0 * k <= hi_deg:  # the interval reaches the opposite side of the circle
        return 180.0

    def dist(a: float) -> float:
        a = a % 360.0
        return min(a, 360.0 - a)

    return max(dist(lo_deg), dist(hi_deg))


def _down(x: float) -> str:
    return round_down(x, 4)


def _floor(x: float) -> int:
    return math.floor(x + 1e-9)  # 180 * -0.1 is -18.000000000000004, which is -18 units, not -19


def _symmetric(magnitude: float | str) -> str:
    """A range written out, ``(-m, m)``: every albumentations line reads that form alike (AlbumentationsX
    refuses a bare number for several range arguments, and renamed them)."""
    text = str(magnitude)
    return "(0, 0)" if float(text) == 0 else f"(-{text}, {text})"


def _opencv_hue_units(lo: float, hi: float) -> tuple[float, float]:
    """Degrees reached by a hue shift of ``[lo, hi]`` OpenCV units on the uint8 path.

    OpenCV stores hue as degrees / 2 (0-179); albumentations adds the shift to a lookup table and truncates to
    uint8, so a shift of -10.5 units moves hue by -11 units (22°) and +10.5 by +10.
    """
    return 2.0 * _floor(lo), 2.0 * _floor(hi)


# ------------------------------------------------------------------------------------------ constant entries

constant("InvertImg", Envelope(inversion=True), family=FAMILY, summary="inverts intensities (a negative image)")
constant("ChannelShuffle", Envelope(color=True), family=FAMILY, summary="shuffles the colour channels")


def _sepia() -> Envelope:
    """Sepia multiplies a grey level by the row sums of its matrix (1.351, 1.203, 0.937), then clips.

    Its rows are proportional to each other within 0.3%, so the output is a tinted grey image: the original
    colour is gone (``grayscale``) and a brown cast is added (``color``).
    """
    gains = (0.393 + 0.769 + 0.189, 0.349 + 0.686 + 0.168, 0.272 + 0.534 + 0.131)
    levels = [1.0] + [1.0 / g for g in gains if g > 1.0]
    shift = max(abs(sum(w * min(1.0, g * v) for w, g in zip(_LUMA, gains, strict=True)) - v) for v in levels)
    slope = sum(w * g for w, g in zip(_LUMA, gains, strict=True))
    return Envelope(color=True, grayscale=True, brightness=shift, contrast_min=1.0, contrast_max=slope)


constant("ToSepia", _sepia(), family=FAMILY, summary="replaces colour with a sepia tint")


# ------------------------------------------------------------------------------------------ brightness & contrast


def _additive(text: str) -> str:
    """``text`` with ``brightness_by_max=True`` on AlbumentationsX, whose default multiplies the contrast gain by
    ``1 + b`` (see below): there the limits mean what they say only with it."""
    return f"{text}, brightness_by_max=True" if _installed.installed_line().line == "X" else text


def _rbc_brightness_example(b: float) -> str:
    return _additive(f"brightness_limit={_symmetric(_down(b))}")


@entry(
    "RandomBrightnessContrast",
    family=FAMILY,
    knobs={
        "brightness": Knob("brightness_limit", _rbc_brightness_example),
        "contrast": Knob("contrast_limit", lambda b: _additive(f"contrast_limit=({b[0] - 1:g}, {b[1] - 1:g})")),
        "inversion": Knob("contrast_limit", lambda _b: _additive("contrast_limit=(-0.2, 0.2)")),
    },
)
def _random_brightness_contrast(p: Params) -> Envelope:
    """scales intensities by a random gain and adds a random offset"""
    # Source: alpha = 1 + U(contrast_limit); beta = U(brightness_limit) * (max_value if brightness_by_max
    # else mean(image)); out = clip(alpha * img + beta). The gain is about zero, not about the mean.
    c_lo, c_hi = p.range("contrast_limit", "symmetric")
    b_lo, b_hi = p.range("brightness_limit", "symmetric")
    a_lo, a_hi = 1.0 + c_lo, 1.0 + c_hi
    on_x = _installed.installed_line().line == "X"
    # AlbumentationsX changed the default to brightness_by_max=False, and there False is another model.
    by_max = p.flag("brightness_by_max") if "brightness_by_max" in p or not on_x else False
    if on_x and not by_max:
        # AlbumentationsX: a torchvision-style model, x' = clip(c * x + (1 - c) * mean), out = clip((1 + b) * x'):
        # the gain is (1 + b) * c, the offset (1 + b) * (1 - c) * mean, with the mean in [0, 1]. Both are
        # multilinear in (b, c, mean), so the corners of that box give their extremes, and the corners of
        # the (gain, offset) box they span bound every map drawn (with ensure_safe_output too, which then
        # reduces the combined gain and offset as below).
        factors = [(1.0 + b, c) for b in (b_lo, b_hi) for c in (a_lo, a_hi)]
        gains = [f * c for f, c in factors]
        offsets = [f * (1.0 - c) * mean for f, c in factors for mean in (0.0, 1.0)]
        corners = [(a, b) for a in (min(gains), max(gains)) for b in (min(offsets), max(offsets))]
    else:
        if not by_max:
            # beta = b * mean(image) and the mean lies in [0, max]: never more than the by-max shift.
            b_lo, b_hi = min(0.0, b_lo), max(0.0, b_hi)
        corners = [(a, b) for a in (a_lo, a_hi) for b in (b_lo, b_hi)]
    if p.flag("ensure_safe_range"):
        a_lo, a_hi = min(a for a, _ in corners), max(a for a, _ in corners)
        if a_lo <= 0.0:
            # The alpha <= 0 branch of get_safe_brightness_contrast_params can flatten the image; err wide.
            smallest, largest, inverts = _factors(a_lo, a_hi)
            return Envelope(brightness=1.0, contrast_min=smallest, contrast_max=largest, inversion=inverts)
        # alpha > 0: beta is clipped to [0, 1] and alpha lowered to 1 - beta, so nothing clips any more.
        # Both maps are monotone in alpha and beta, so the corners of the box give the extremes.
        corners = [(min(a, 1.0 - min(1.0, max(0.0, b))), min(1.0, max(0.0, b))) for a, b in corners]
    gains = [a for a, _ in corners]
    smallest, largest, inverts = _factors(min(gains), max(gains))
    # Clipping: where the map sends the whole range [0, 1] below 0 or above 1, every pixel comes out black
    # (or white) — brightness and contrast of -0.5 with brightness_by_max: 0.5x - 0.5 <= 0. Nothing is left.
    if any(max(b, a + b) <= 0.0 or min(b, a + b) >= 1.0 for a, b in corners):
        smallest = 0.0
    return Envelope(
        brightness=max(abs(b) for _, b in corners),
        contrast_min=smallest,
        contrast_max=largest,
        inversion=inverts,
    )


@entry(
    "RandomGamma",
    family=FAMILY,
    knobs={
        "gamma": Knob("gamma_limit", lambda b: f"gamma_limit=({b[0] * 100:g}, {b[1] * 100:g})"),
    },
)
def _random_gamma(p: Params) -> Envelope:
    """applies a random gamma curve"""
    # gamma = U(gamma_limit) / 100; out = img ** gamma. A bare number x means (1, x): gamma_limit=20 is
    # the range 0.01-0.2 (strong brightening), not ±20%.
    lo, hi = p.range("gamma_limit", "one")
    return Envelope(gamma_min=max(0.0, lo / 100.0), gamma_max=max(0.0, hi / 100.0))


@lru_cache(maxsize=256)
def _tone_curve(l_lo: float, l_hi: float, h_lo: float, h_hi: float) -> tuple[float, float, float]:
    """``(largest shift, smallest slope, largest slope)`` of the Bézier tone curves with control values in the box.

    ``y(t) = 3(1-t)²t·L + 3(1-t)t²·H + t³``: both ``y`` and its slope are linear in ``(L, H)``, so the corners
    of the box give the extremes; the shift is read on the 256 lookup-table points albumentations uses, the
    slope at the ends and at the vertex of the (quadratic) slope.
    """
    shift, s_min, s_max = 0.0, math.inf, -math.inf
    for low in (l_lo, l_hi):
        for high in (h_lo, h_hi):
            for i in range(256):
                t = i / 255.0
                y = 3 * (1 - t) ** 2 * t * low + 3 * (1 - t) * t**2 * high + t**3
                shift = max(shift, abs(y - t))
            a, b, c = low, high - low, 1.0 - high  # slope / 3 = a(1-t)² + 2b(1-t)t + c t²
            ts = [0.0, 1.0]
            curvature = a - 2 * b + c
            if curvature != 0.0 and 0.0 < (a - b) / curvature < 1.0:
                ts.append((a - b) / curvature)
            for t in ts:
                slope = 3 * (a * (1 - t) ** 2 + 2 * b * (1 - t) * t + c * t**2)
                s_min, s_max = min(s_min, slope), max(s_max, slope)
    return shift, s_min, s_max


def _tone_curve_for_scale(scale: float) -> tuple[float, float, float]:
    # low_y ~ N(0.25, scale), high_y ~ N(0.75, scale), both clipped to [0, 1] (bounded here at ±_TAIL σ).
    spread = _TAIL * max(0.0, scale)

    def clip01(x: float) -> float:
        return min(1.0, max(0.0, x))

    return _tone_curve(clip01(0.25 - spread), clip01(0.25 + spread), clip01(0.75 - spread), clip01(0.75 + spread))


def _tone_scale_example(fits: Callable[[tuple[float, float, float]], bool]) -> str:
    """The largest ``scale`` (in steps of 0.002) whose curves fit, or why none does."""
    best = None
    for i in range(501):
        if not fits(_tone_curve_for_scale(i * 0.002)):
            break
        best = i * 0.002
    if best is None:
        return "no scale fits: even scale=0 applies an S-curve (shift 0.024, slope 0.75-1.125)"
    return f"scale={best:g}"


@entry(
    "RandomToneCurve",
    family=FAMILY,
    knobs={
        "brightness": Knob("scale", lambda b: _tone_scale_example(lambda c: c[0] <= b)),
        "contrast": Knob("scale", lambda b: _tone_scale_example(lambda c: b[0] <= c[1] and c[2] <= b[1])),
        "color": Knob("per_channel", lambda _b: "per_channel=False"),
    },
)
def _random_tone_curve(p: Params) -> Envelope:
    """bends the tone curve (an S-curve through two random control points)"""
    # Control values 0.25/0.75 are not the straight line (that needs 1/3, 2/3): even scale=0 applies a
    # mild S-curve (slope 0.75 at the ends, 1.125 in the middle). With both points in [0, 1] the curve
    # never turns down (its slope is a non-negative quadratic form), so it is never non-monotone.
    shift, s_min, s_max = _tone_curve_for_scale(p.number("scale"))
    return Envelope(brightness=shift, contrast_min=max(0.0, s_min), contrast_max=s_max, color=p.flag("per_channel"))


@entry(
    "PlasmaBrightnessContrast",
    family=FAMILY,
    knobs={
        "brightness": Knob(
            "brightness_range", lambda b: f"brightness_range=(-{_down(b)}, {_down(b)}), contrast_range=(0, 0)"
        ),
        "contrast": Knob("contrast_range", lambda b: f"contrast_range=({b[0] - 1:g}, {b[1] - 1:g})"),
    },
)
def _plasma_brightness_contrast(p: Params) -> Envelope:
    """adds a fractal brightness field and stretches contrast by a fractal field"""
    # out = m + (x - m)(1 + c·P) with x = img + b·P, m = mean(x), P a plasma field normalised to [0, 1].
    # On a flat grey region the change is b·(P + c·P·(P - mean P)): at most |b|·(1 + c) (P = 1 where the
    # field's mean is near 0). Real fields have a mean near 0.5, so this errs wide by up to c/2.
    b_lo, b_hi = _pair(p, "brightness_range")
    c_lo, c_hi = _pair(p, "contrast_range")
    smallest, largest, inverts = _factors(1.0 + min(0.0, c_lo), 1.0 + max(0.0, c_hi))
    brightness = max(abs(b_lo), abs(b_hi))  # the additive field; the contrast field is a slope
    return Envelope(brightness=min(1.0, brightness), contrast_min=smallest, contrast_max=largest, inversion=inverts)


@entry(
    "PlasmaShadow",
    family=FAMILY,
    knobs={
        "contrast": Knob("shadow_intensity_range", lambda b: f"shadow_intensity_range=(0, {1 - b[0]:g})"),
    },
)
def _plasma_shadow(p: Params) -> Envelope:
    """darkens the image under a fractal shadow"""
    # out = img · (1 - i·P), P normalised to [0, 1] (it reaches 1 somewhere): a local gain down to 1 - i.
    _lo, hi = _pair(p, "shadow_intensity_range")
    gain = 1.0 - hi
    return Envelope(contrast_min=max(0.0, min(1.0, gain)), contrast_max=1.0)  # a local gain: a slope


_FAST_ANGLES = {0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0}


def _gradient_range(a_lo: float, a_hi: float) -> tuple[float, float]:
    """Values taken by albumentations' linear illumination gradient for angles in ``[a_lo, a_hi]`` degrees.

    Exact multiples of 45° take a fast path normalised to [0, 1]; every other angle uses
    ``x·cos(a) + y·sin(a)`` over the unit square *without* normalising, which spans up to [-√2, √2].
    """
    if a_lo == a_hi and a_lo % 360.0 in _FAST_ANGLES:
        return 0.0, 1.0
    if a_hi - a_lo > 360.0:  # one turn holds every direction (`angle_range=(0, 10**9)` lists no 10**7 angles)
        a_hi = a_lo + 360.0
    angles = [a_lo, a_hi] + [45.0 * k for k in range(math.ceil(a_lo / 45.0), math.floor(a_hi / 45.0) + 1)]
    g_min, g_max = math.inf, -math.inf
    for a in angles:
        c, s = math.cos(math.radians(a)), math.sin(math.radians(a))
        g_min = min(g_min, min(0.0, c) + min(0.0, s))
        g_max = max(g_max, max(0.0, c) + max(0.0, s))
    return g_min, g_max


@entry(
    "Illumination",
    family=FAMILY,
    knobs={
        "contrast": Knob("intensity_range"),
    },
)
def _illumination(p: Params) -> Envelope:
    """multiplies the image by a smooth light field (gradient, corner or spot)"""
    mode = _choice(p, "mode", ("linear", "corner", "gaussian"))
    effect = _choice(p, "effect_type", ("brighten", "darken", "both"))
    _lo, intensity = _pair(p, "intensity_range")
    intensity = abs(intensity)
    signs = {"brighten": (1,), "darken": (-1,), "both": (1, -1)}[effect]
    gains: list[float] = []
    if mode == "linear":
        # gain = 1 - I + 2I·g (brighten) or 1 + I - 2I·g (darken) for the gradient g. The gradient is only
        # normalised to [0, 1] at multiples of 45°; elsewhere it spans up to [-√2, √2], so gains reach
        # 1 ± 3.83·I (0.23-1.77 at the default upper intensity 0.2), not 1 ± I.
        a_lo, a_hi = _pair(p, "angle_range")
        g_min, g_max = _gradient_range(a_lo, a_hi)
        for sign in signs:
            for g in (g_min, g_max):
                gains.append(1.0 - intensity + 2 * intensity * g if sign > 0 else 1.0 + intensity - 2 * intensity * g)
    elif mode == "corner":
        # gain = 1 - I·d/diagonal: with I > 0 ("brighten") this darkens away from the corner.
        for sign in signs:
            gains += [1.0, 1.0 - sign * intensity]
    else:
        _pair(p, "center_range")
        _pair(p, "sigma_range")
        for sign in signs:
            gains += [1.0, 1.0 + sign * intensity]
    g_lo, g_hi = min(gains), max(gains)
    # multiply_by_array clips, so a negative gain is black, not an inversion.
    return Envelope(  # a gain field: slopes, no additive shift
        contrast_min=max(0.0, g_lo),
        contrast_max=max(0.0, g_hi),
    )


@entry(
    "FancyPCA",
    family=FAMILY,
    knobs={
        "contrast": Knob("alpha", lambda b: f"alpha={_down(max(0.0, min(b[1] - 1, 1 - b[0])) / (_TAIL * 0.75))}"),
        "color": Knob("alpha", lambda _b: "alpha=0"),
    },
)
def _fancy_pca(p: Params) -> Envelope:
    """scales the image's colour principal components (AlexNet colour augmentation)"""
    # x' = x + V·diag(a·λ)·Vᵀ(x - mean), a ~ N(0, alpha) per component (bounded at ±_TAIL σ): each principal
    # axis is stretched about the mean by 1 + a·λ. λ is a variance of values in [0, 1]: at most 0.75 for
    # three channels (an RGB image split between black and white), 0.25 for one (where the factor is
    # 1 + a·std, std <= 0.5); images with more channels could go further (C/4), not counted here.
    # Natural images have λ near 0.05-0.2, so this errs wide for them. A flat region has no variance and
    # does not change (no brightness).
    alpha = abs(p.number("alpha"))
    reach = _TAIL * alpha * 0.75
    smallest, largest, inverts = _factors(1.0 - reach, 1.0 + reach)
    return Envelope(contrast_min=smallest, contrast_max=largest, inversion=inverts, color=alpha > 0.0)


# ------------------------------------------------------------------------------------------ histogram remaps


@entry("Equalize", family=FAMILY, knobs={"color": Knob("by_channels", lambda _b: "by_channels=False")})
def _equalize(p: Params) -> Envelope:
    """equalises the histogram"""
    _choice(p, "mode", ("cv", "pil"))
    # by_channels=True equalises R, G and B separately (a colour change); False equalises luma (YCrCb Y).
    return Envelope(equalization=True, color=p.flag("by_channels"))


@entry("CLAHE", family=FAMILY)
def _clahe(p: Params) -> Envelope:
    """equalises the histogram tile by tile (contrast-limited)"""
    p.range("clip_limit", "one")  # a bare number x means (1, x)
    # Applied to the L channel of LAB, so hue and chroma stay; how far intensities move depends on the image.
    return Envelope(equalization=True)


@entry("AutoContrast", family=FAMILY)
def _auto_contrast(p: Params) -> Envelope:
    """stretches each channel's histogram to the full range"""
    p.number("cutoff")
    _choice(p, "method", ("cdf", "pil"))
    # Each channel gets its own stretch ("cdf" is a per-channel equalisation), so colour balance changes.
    return Envelope(equalization=True, color=True)


# ------------------------------------------------------------------------------------------ quantisation & solarisation


@entry(
    "Posterize",
    family=FAMILY,
    knobs={
        "posterize": Knob("num_bits", lambda b: f"num_bits=({math.ceil(b)}, 7)" if b <= 7 else "num_bits=(8, 8)"),
        "color": Knob("num_bits", lambda _b: "num_bits=(4, 4)"),
    },
)
def _posterize(p: Params) -> Envelope:
    """keeps only the top bits of each channel"""
    value = p.raw("num_bits")
    if isinstance(value, (list, tuple)) and len(value) > 2:
        # One entry per channel (ints or (lo, hi) pairs): channels may keep different numbers of bits.
        ranges = [p.as_range(f"num_bits[{i}]", v, "fixed") for i, v in enumerate(value)]
        per_channel = len(set(ranges)) > 1 or any(lo != hi for lo, hi in ranges)
    else:
        ranges, per_channel = [p.range("num_bits", "fixed")], False
    fewest = min(lo for lo, _ in ranges)
    return Envelope(posterize_bits=float(min(8, max(0, math.floor(fewest)))), color=per_channel)


@entry(
    "Solarize",
    family=FAMILY,
    knobs={
        "inversion": Knob("threshold_range", lambda _b: "threshold_range=(0.5, 0.5)"),
    },
)
def _solarize(p: Params) -> Envelope:
    """inverts the pixels above a threshold"""
    # Pixels >= threshold·max are replaced by max - value. Even threshold 1.0 flips the brightest value
    # (255 -> 0), so any threshold in (0, 1] is non-monotone; one at or below one 8-bit level inverts
    # (nearly) the whole image.
    lo, hi = _pair(p, "threshold_range")
    return Envelope(nonmonotone=hi > 0.0 and lo <= 1.0, inversion=lo <= 1.0 / 255.0)


# ------------------------------------------------------------------------------------------ hue & saturation


def _cj_contrast_example(b: tuple[float, float]) -> str:
    # The brightness gain multiplies the contrast factor, so both get the square root of the bound, rounded
    # inwards (0.894 squared is 0.799, below a bound of 0.8).
    lo = math.ceil(math.sqrt(max(0.0, b[0])) * 1000 - 1e-9) / 1000
    hi = math.floor(math.sqrt(max(0.0, b[1])) * 1000 + 1e-9) / 1000
    return f"brightness=({lo:g}, {hi:g}), contrast=({lo:g}, {hi:g})"


@entry(
    "ColorJitter",
    family=FAMILY,
    knobs={
        "contrast": Knob("contrast", _cj_contrast_example),
        "saturation": Knob("saturation", lambda b: f"saturation=({b[0]:g}, {b[1]:g})"),
        "hue": Knob("hue", lambda b: f"hue={_symmetric(_down(_floor(b / 2) / 180))}"),
        "grayscale": Knob("saturation", lambda _b: "saturation=(0.8, 1.2)"),
    },
)
def _color_jitter(p: Params) -> Envelope:
    """jitters brightness, contrast, saturation and hue (torchvision style)"""
    # Brightness is a gain, contrast a stretch about the grey mean, saturation a blend with the pixel's own
    # grey, hue a rotation; the order is random, but gain and stretch commute (the slope is their product).
    b_lo, b_hi = p.range("brightness", "around_one")
    c_lo, c_hi = p.range("contrast", "around_one")
    s_lo, s_hi = p.range("saturation", "around_one")
    h_lo, h_hi = p.range("hue", "symmetric")
    # Hue: a fraction of the full turn. float32 rotates by 360·h exactly; uint8 adds 180·h OpenCV units
    # and truncates, one unit (2°) further on the negative side. The default (-0.5, 0.5) is any hue at all.
    u_lo, u_hi = _opencv_hue_units(180.0 * h_lo, 180.0 * h_hi)
    hue = _hue_reach(min(360.0 * h_lo, u_lo), max(360.0 * h_hi, u_hi))
    smallest, largest, inverts = _factors(min(b_lo * c_lo, b_lo * c_hi), max(b_hi * c_hi, b_hi * c_lo))
    # Either order, a level x comes out as b·c·x + b·(1 - c)·m (m: the image's mean grey, up to 1). A stretch
    # about the mean implies a shift of up to |1 - slope|; the gain b can leave more than that (b = 0.73 with
    # c = 1.4: slope 1.02, shift 0.29·m), which is brightness.
    pivot = max(abs(b * (1.0 - c)) for b in (b_lo, b_hi) for c in (c_lo, c_hi))
    implied = max(1.0 - smallest, largest - 1.0, 0.0)
    return Envelope(
        brightness=min(1.0, max(0.0, pivot - implied)),
        contrast_min=smallest,  # its "brightness" is a gain: a slope like the contrast stretch
        contrast_max=largest,
        inversion=inverts,
        saturation_min=max(0.0, s_lo),
        saturation_max=max(0.0, s_hi),
        grayscale=s_lo <= _GREY_SAT,
        hue=hue,
    )


@entry(
    "HueSaturationValue",
    family=FAMILY,
    knobs={
        "hue": Knob("hue_shift_limit", lambda b: f"hue_shift_limit={_symmetric(_floor(b / 2))}"),
        # (a value shift changes chroma too: +20 levels make a pixel at level 1 twenty-one times as colourful)
        "saturation": Knob("sat_shift_limit", lambda _b: "sat_shift_limit=(0, 0), val_shift_limit=(0, 0)"),
        "grayscale": Knob("sat_shift_limit", lambda _b: "sat_shift_limit=(-254, 30)"),
        "brightness": Knob("val_shift_limit", lambda b: f"val_shift_limit={_symmetric(_floor(255 * b))}"),
    },
)
def _hue_saturation_value(p: Params) -> Envelope:
    """shifts hue, saturation and value"""
    # shift_hsv is wrapped in @uint8_io: float32 images are converted to uint8 and take the very same path,
    # so hue_shift_limit is in OpenCV units (half degrees) for both; the docstring's "percentages of the
    # full range" for float32 is not what the code does.
    h_lo, h_hi = p.range("hue_shift_limit", "symmetric")
    s_lo, s_hi = p.range("sat_shift_limit", "symmetric")
    v_lo, v_hi = p.range("val_shift_limit", "symmetric")
    hue = _hue_reach(*_opencv_hue_units(h_lo, h_hi))
    # Saturation: s (of 255) is *added* to S; pixels with S = 0 stay grey. As a factor on a pixel's chroma
    # this is unbounded for pale colours: any negative shift wipes out the colour of pixels with
    # S <= |s| (factor 0) and a positive one multiplies S = 1 by 1 + s. Only s <= -255 greys out every image.
    # (OpenCV rounds fractional shifts, so even -0.5 can take S = 1 to 0.)
    sat_min = 0.0 if s_lo < 0.0 else 1.0
    sat_max = min(255.0, 1.0 + math.ceil(s_hi)) if s_hi > 0.0 else 1.0
    # Value: V (of 255) plus v, which moves a flat grey level by v. With S kept, a pixel's chroma is S·V, so
    # the value shift scales it too: by (V + v) / V, up to 1 + v for the darkest coloured pixels (V = 1),
    # and down to 0 for pixels with V <= -v.
    brightness = min(1.0, max(abs(v_lo), abs(v_hi)) / 255.0)
    if v_hi > 0.0:
        sat_max = max(sat_max, min(255.0, 1.0 + math.ceil(v_hi)))
    if v_lo < 0.0:
        sat_min = 0.0
    return Envelope(
        hue=hue, saturation_min=sat_min, saturation_max=sat_max, grayscale=s_lo <= -255.0, brightness=brightness
    )


# ------------------------------------------------------------------------------------------ colour casts


def _rgb_fraction(lo: float, hi: float) -> tuple[float, float]:
    """RGBShift divides a limit by 255 only if one of its ends exceeds 1: r_shift_limit=1 is ±100% of full scale."""
    if abs(lo) > 1.0 or abs(hi) > 1.0:
        return lo / 255.0, hi / 255.0
    return lo, hi


@entry(
    "RGBShift",
    family=FAMILY,
    knobs={
        "brightness": Knob(
            "r_shift_limit",
            lambda b: ", ".join(f"{c}_shift_limit={_symmetric(_down(b))}" for c in "rgb"),
            also=("g_shift_limit", "b_shift_limit"),
        ),
        "color": Knob(
            "r_shift_limit",
            lambda _b: "r_shift_limit=(0, 0), g_shift_limit=(0, 0), b_shift_limit=(0, 0)",
            also=("g_shift_limit", "b_shift_limit"),
        ),
    },
)
def _rgb_shift(p: Params) -> Envelope:
    """adds a random constant to each colour channel"""
    names = ("r_shift_limit", "g_shift_limit", "b_shift_limit")
    ranges = [_rgb_fraction(*p.range(name, "symmetric")) for name in names]
    # A grey level moves by the luma-weighted sum of the shifts (they may all have the same sign).
    up = sum(w * max(0.0, hi) for w, (_, hi) in zip(_LUMA, ranges, strict=True))
    down = sum(w * max(0.0, -lo) for w, (lo, _) in zip(_LUMA, ranges, strict=True))
    moves = any(lo != 0.0 or hi != 0.0 for lo, hi in ranges)
    return Envelope(brightness=min(1.0, max(up, down)), color=moves)


def _drop_weight(k: int) -> float:
    """Largest share of luma carried by ``k`` channels (RGB; equal shares beyond three channels)."""
    if k <= 0:
        return 0.0
    if k == 1:
        return _LUMA[1]
    if k == 2:
        return _LUMA[0] + _LUMA[1]
    return k / (k + 1.0)  # needs at least k + 1 channels; with equal weights k of them carry k/(k+1)


@entry("ChannelDropout", family=FAMILY, knobs={"brightness": Knob("fill"), "contrast": Knob("channel_drop_range")})
def _channel_dropout(p: Params) -> Envelope:
    """replaces random channels with a constant"""
    _lo, hi = _pair(p, "channel_drop_range")
    fill = p.number("fill")
    # fill is in pixel units: 255 is white for uint8, 1.0 is white for float32 (and 1/255 for uint8).
    levels = [fill / 255.0] if fill > 1.0 else [fill, fill / 255.0]
    reach = max(max(min(1.0, f), 1.0 - min(1.0, f)) for f in levels)
    share = _drop_weight(math.floor(hi))
    return Envelope(color=True, brightness=share * reach, contrast_min=1.0 - share, contrast_max=1.0)


# Coefficients (R, G, B) from albumentations.augmentations.pixel.functional.PLANCKIAN_COEFFS (2.0.8), every
# 500 K; the tests check this copy against the installed albumentations.
_PLANCKIAN: dict[str, dict[int, tuple[float, float, float]]] = {
    "blackbody": {
        3000: (0.6743, 0.4029, 0.0013),
        3500: (0.6281, 0.4241, 0.1665),
        4000: (0.5919, 0.4372, 0.2513),
        4500: (0.5623, 0.4457, 0.3154),
        5000: (0.5376, 0.4515, 0.3672),
        5500: (0.5163, 0.4555, 0.4103),
        6000: (0.4979, 0.4584, 0.4468),
        6500: (0.4816, 0.4604, 0.4782),
        7000: (0.4672, 0.4619, 0.5053),
        7500: (0.4542, 0.4630, 0.5289),
        8000: (0.4426, 0.4638, 0.5497),
        8500: (0.4320, 0.4644, 0.5681),
        9000: (0.4223, 0.4648, 0.5844),
        9500: (0.4135, 0.4651, 0.5990),
        10000: (0.4054, 0.4653, 0.6121),
        10500: (0.3980, 0.4654, 0.6239),
        11000: (0.3911, 0.4655, 0.6346),
        11500: (0.3847, 0.4656, 0.6444),
        12000: (0.3787, 0.4656, 0.6532),
        12500: (0.3732, 0.4656, 0.6613),
        13000: (0.3680, 0.4655, 0.6688),
        13500: (0.3632, 0.4655, 0.6756),
        14000: (0.3586, 0.4655, 0.6820),
        14500: (0.3544, 0.4654, 0.6878),
        15000: (0.3503, 0.4653, 0.6933),
    },
    "cied": {
        4000: (0.5829, 0.4421, 0.2288),
        4500: (0.5510, 0.4514, 0.2948),
        5000: (0.5246, 0.4576, 0.3488),
        5500: (0.5021, 0.4618, 0.3941),
        6000: (0.4826, 0.4646, 0.4325),
        6500: (0.4654, 0.4667, 0.4654),
        7000: (0.4502, 0.4681, 0.4938),
        7500: (0.4364, 0.4692, 0.5186),
        8000: (0.4240, 0.4700, 0.5403),
        8500: (0.4127, 0.4705, 0.5594),
        9000: (0.4023, 0.4709, 0.5763),
        9500: (0.3928, 0.4713, 0.5914),
        10000: (0.3839, 0.4715, 0.6049),
        10500: (0.3757, 0.4716, 0.6171),
        11000: (0.3681, 0.4717, 0.6281),
        11500: (0.3609, 0.4718, 0.6380),
        12000: (0.3543, 0.4719, 0.6472),
        12500: (0.3480, 0.4719, 0.6555),
        13000: (0.3421, 0.4719, 0.6631),
        13500: (0.3365, 0.4719, 0.6702),
        14000: (0.3313, 0.4719, 0.6766),
        14500: (0.3263, 0.4719, 0.6826),
        15000: (0.3217, 0.4719, 0.6882),
    },
}


def _planckian_gains(mode: str, temperature: float) -> tuple[float, float]:
    """(R, B) gains at a temperature, interpolated as ``fpixel.planckian_jitter`` does (G is kept)."""
    table = _PLANCKIAN[mode]
    t = min(max(temperature, min(table)), max(table))
    left = max(int(t // 500) * 500, min(table))
    right = min(int(t // 500 + 1) * 500, max(table))
    if left == right:
        r, g, b = table[left]
    else:
        w = (t - left) / (right - left)
        r, g, b = ((1 - w) * a + w * c for a, c in zip(table[left], table[right], strict=True))
    return r / g, b / g


@lru_cache(maxsize=64)
def _planckian(mode: str, t_lo: float, t_hi: float) -> tuple[float, float, float]:
    """(largest luma change of a grey level, smallest and largest luma slope) over temperatures in range."""
    temps = {t_lo, t_hi} | {float(t) for t in range(math.ceil(t_lo), int(t_hi) + 1, 10)}
    shift, s_min, s_max = 0.0, math.inf, -math.inf
    for temperature in temps:
        gains = _planckian_gains(mode, temperature)
        gr, gb = gains
        levels = [1.0] + [1.0 / g for g in gains if g > 1.0]
        for v in levels:
            delta = _LUMA[0] * (min(1.0, gr * v) - v) + _LUMA[2] * (min(1.0, gb * v) - v)
            shift = max(shift, abs(delta))
        slope = _LUMA[0] * gr + _LUMA[1] + _LUMA[2] * gb
        s_min, s_max = min(s_min, slope), max(s_max, slope)
    return shift, s_min, s_max


@entry(
    "PlanckianJitter",
    family=FAMILY,
    knobs={
        "color": Knob("temperature_limit", lambda _b: "temperature_limit=(5500, 6500)"),
        "brightness": Knob("temperature_limit"),
    },
)
def _planckian_jitter(p: Params) -> Envelope:
    """tints the image as a black body (or CIE daylight) of a random colour temperature"""
    mode = _choice(p, "mode", ("blackbody", "cied"))
    _choice(p, "sampling_method", ("uniform", "gaussian"))
    if p.raw("temperature_limit") is None:
        t_lo, t_hi = float(min(_PLANCKIAN[mode])), 15000.0
    else:
        t_lo, t_hi = _pair(p, "temperature_limit")
    # R and B are multiplied by coefficient ratios, G kept; the temperature is clipped to the limits.
    shift, s_min, s_max = _planckian(mode, t_lo, t_hi)
    return Envelope(color=True, brightness=shift, contrast_min=min(1.0, s_min), contrast_max=max(1.0, s_max))


# Stain matrices (haematoxylin row, eosin row) from albumentations' fpixel.STAIN_MATRICES (2.0.8).
_STAINS: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "ruifrok": ((0.644211, 0.716556, 0.266844), (0.092789, 0.954111, 0.283111)),
    "macenko": ((0.5626, 0.7201, 0.4062), (0.2159, 0.8012, 0.5581)),
    "standard": ((0.65, 0.70, 0.29), (0.07, 0.99, 0.11)),
    "high_contrast": ((0.55, 0.88, 0.11), (0.12, 0.86, 0.49)),
    "h_heavy": ((0.75, 0.61, 0.32), (0.04, 0.93, 0.36)),
    "e_heavy": ((0.60, 0.75, 0.28), (0.17, 0.95, 0.25)),
    "dark": ((0.78, 0.55, 0.28), (0.09, 0.97, 0.21)),
    "light": ((0.57, 0.71, 0.38), (0.15, 0.89, 0.42)),
}


def _stain_concentrations(
    stains: tuple[tuple[float, float, float], tuple[float, float, float]], v: float
) -> tuple[float, float]:
    """Stain concentrations of a grey level ``v``: solve (S Sᵀ + 1e-6 I) c = S·od, as albumentations does."""
    h, e = stains
    od = -math.log(max(v, 1e-6))  # the same optical density on all three channels
    a, b, d = sum(x * x for x in h) + 1e-6, sum(x * y for x, y in zip(h, e, strict=True)), sum(y * y for y in e) + 1e-6
    ph, pe = od * sum(h), od * sum(e)
    det = a * d - b * b
    return (d * ph - b * pe) / det, (a * pe - b * ph) / det


@lru_cache(maxsize=16)
def _grey_exponents(name: str) -> tuple[float, ...]:
    """Per-channel exponents a grey level gets from the re-projection onto a preset's stain plane.

    A grey ``v`` has optical density ``od = -ln v`` on every channel; projected onto the stain plane (as
    albumentations solves it) channel k keeps ``p_k · od``, so it comes out as ``v ** p_k``; scaling both
    concentrations by s makes that ``v ** (s · p_k)``. "ruifrok" gives (1.053, 1.163, 0.434).
    """
    h, e = _STAINS[name]
    ch, ce = _stain_concentrations((h, e), math.exp(-1.0))  # od = 1 on every channel
    return tuple(ch * hc + ce * ec for hc, ec in zip(h, e, strict=True))


def _stain_luma(stains: tuple[tuple[float, float, float], tuple[float, float, float]], ch: float, ce: float) -> float:
    """Luma of the RGB pixel ``exp(-(ch·H + ce·E))``, clipped to [0, 1]."""
    rgb = [min(1.0, max(0.0, math.exp(-(ch * hc + ce * ec)))) for hc, ec in zip(*stains, strict=True)]
    return sum(w * c for w, c in zip(_LUMA, rgb, strict=True))


@lru_cache(maxsize=64)
def _he_stain_shift(
    presets: tuple[str, ...], s_lo: float, s_hi: float, t_lo: float, t_hi: float, background: bool
) -> float:
    """Largest luma change of a flat grey level over the presets and the corners of the scale/shift box.

    Every channel's output is monotone in each stain's scale and shift, in the same direction for all
    channels, so the corners bound it. Grey levels with luma >= 0.85 count as background and are only
    re-projected onto the stain plane unless ``augment_background``.
    """
    worst = 0.0
    for name in presets:
        stains = _STAINS[name]
        for i in range(256):
            v = i / 255.0
            ch, ce = _stain_concentrations(stains, v)
            if background or v < 0.85:
                outs = [
                    _stain_luma(stains, ch * sh + th, ce * se + te)
                    for sh in (s_lo, s_hi)
                    for se in (s_lo, s_hi)
                    for th in (t_lo, t_hi)
                    for te in (t_lo, t_hi)
                ]
            else:
                outs = [_stain_luma(stains, ch, ce)]
            worst = max(worst, max(abs(o - v) for o in outs))
    return worst


@entry(
    "HEStain",
    family=FAMILY,
    knobs={
        "gamma": Knob("intensity_scale_range", lambda b: f"intensity_scale_range=({b[0]:g}, {b[1]:g})"),
        "brightness": Knob("intensity_shift_range"),
        "contrast": Knob("intensity_shift_range"),
    },
)
def _he_stain(p: Params) -> Envelope:
    """re-stains a haematoxylin & eosin image (stain-space scale and shift)"""
    method = _choice(p, "method", ("preset", "random_preset", "vahadane", "macenko"))
    s_lo, s_hi = _pair(p, "intensity_scale_range")
    t_lo, t_hi = _pair(p, "intensity_shift_range")
    background = p.flag("augment_background")
    # Concentrations c are scaled and shifted, then RGB = exp(-c·S). Scaling a stain's concentration by s
    # raises its transmitted light to the power s (a gamma of s); a shift t multiplies channel k by
    # exp(-t·S_k), a per-channel gain. Even at scale 1 and shift 0 the image is projected onto the 2-stain
    # plane, which changes its colour (up to ~0.3 per channel on grey, less than 0.06 in luma).
    if method in ("vahadane", "macenko"):
        # Stain vectors estimated from the image: the projection, and so the change of a grey level, depends
        # on the image. Unit stain vectors with non-negative entries still bound each gain's exponent by 2|t|.
        reach = 2.0
        brightness, equalization = 1.0, True
        g_lo, g_hi = min(1.0, max(0.0, s_lo)), max(1.0, s_hi)  # the tone is free there (equalization)
    else:
        preset = p.text("preset")
        if method == "preset":
            names: tuple[str, ...] = (preset or "standard",)
        else:
            names = tuple(_STAINS)
        for name in names:
            if name not in _STAINS:
                raise ConfigError(f"{p.transform}.preset: expected one of {', '.join(_STAINS)}, got {name!r}")
        reach = max(hc + ec for name in names for hc, ec in zip(*_STAINS[name], strict=True))
        brightness, equalization = _he_stain_shift(names, s_lo, s_hi, t_lo, t_hi, background), False
        # Each channel's grey map is v ** (s · p_k), not v ** s: with "ruifrok" at s = 1.24 green follows
        # v ** 1.44. Background left alone (augment_background=False) is re-projected at s = 1.
        exponents = [x for name in names for x in _grey_exponents(name)]
        factors = (s_lo, s_hi) if background else (s_lo, s_hi, 1.0)
        g_lo = min(1.0, max(0.0, min(f * x for f in factors for x in exponents)))
        g_hi = max(1.0, max(f * x for f in factors for x in exponents))
    return Envelope(
        color=True,
        equalization=equalization,
        brightness=min(1.0, brightness),
        gamma_min=g_lo,
        gamma_max=g_hi,
        contrast_min=min(1.0, math.exp(-reach * max(0.0, t_hi))),
        contrast_max=max(1.0, math.exp(reach * max(0.0, -t_lo))),
    )


# ------------------------------------------------------------------------------------------ grey conversions

# How far each ToGray method moves a grey level (R = G = B): weighted_average, desaturation, average and max
# keep it; from_lab maps it through the sRGB -> L* curve: OpenCV moves grey levels by +0.035 / -0.020 of
# full scale, and the curve's slope runs from 0.70 (the linear segment near black) to 1.30 (just above it).
# Rounded outward here; the tests measure OpenCV against these numbers.
_FROM_LAB = Envelope(brightness=0.04, contrast_min=0.69, contrast_max=1.31)


@entry(
    "ToGray",
    family=FAMILY,
    knobs={
        "brightness": Knob("method", lambda _b: 'method="weighted_average"'),
        "contrast": Knob("method", lambda _b: 'method="weighted_average"'),
        "inversion": Knob("method", lambda _b: 'method="weighted_average"'),
        "equalization": Knob("method", lambda _b: 'method="weighted_average"'),
    },
)
def _to_gray(p: Params) -> Envelope:
    """converts to grey"""
    method = _choice(p, "method", ("weighted_average", "from_lab", "desaturation", "average", "max", "pca"))
    channels = p.number("num_output_channels")
    if channels < 1:
        raise ConfigError(f"{p.transform}.num_output_channels: expected at least 1, got {channels:g}")
    env = Envelope(grayscale=True)
    if method == "from_lab":
        env = env.then(_FROM_LAB)
    elif method == "pca":
        # The first principal component, min-max normalised to the full range: an image-driven stretch, and
        # the component's sign is arbitrary, so the result can be a negative of the luminance.
        env = env.with_changes(equalization=True, inversion=True)
    return env
