"""Occlusion, tile shuffles, mixing with other images, and things drawn over the image.

``occlusion`` is the largest fraction of the image area that can be hidden. Holes that
albumentations sizes in pixels cannot be compared with the image without knowing its size, and
albumentations clamps a hole to the image, so on a small enough input one hole hides everything:
for them the worst case, 1.0, is reported. Holes sized as fractions are bounded exactly (number of
holes × hole area; overlaps only make the hidden area smaller).

Weather and light overlays (fog, rain, snow, sun flare, shadow, spatter) blend the image with
something else; they are reported as ``overlay`` plus the brightness, contrast and saturation changes
the blend can cause, not as occlusion, except where they replace pixels over a bounded area
(a shadow of full intensity, gravel).

Transforms that take content from other images are registered with family ``"mixing"``; those that
draw over the image with family ``"overlay"``.
"""

from __future__ import annotations

import math
from typing import Any

from safeaug.catalog._registry import Knob, Params, entry
from safeaug.catalog._registry import round_down as _down
from safeaug.catalog._registry import round_up as _up
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

FAMILY = "occlusion"
MIXING = "mixing"
OVERLAY = "overlay"

# The largest gain between two distinct 8-bit levels (one level stretched to the full range). Used
# as the upper contrast bound of transforms that remap intensities from another image's statistics;
# they work on 8-bit data internally (float images are converted), so no gain exceeds it.
_GAIN_8BIT = 255.0
# One 8-bit level: these transforms round or truncate to uint8 on the way.
_LEVEL = 1.0 / 255.0


def _square_holes(b: float) -> str:
    side = _down(math.sqrt(max(float(b), 0.0)))
    half = _down(float(side) / 2)
    return f"num_holes_range=(1, 1), hole_height_range=({half}, {side}), hole_width_range=({half}, {side})"


def _pair(p: Params, name: str) -> tuple[float, float]:
    return p.range(name, "fixed")


def _roi(p: Params, name: str) -> float:
    """Area fraction of an ``(x_min, y_min, x_max, y_max)`` region given in fractions."""
    value = p.raw(name)
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise ConfigError(f"{p.transform}.{name}: expected (x_min, y_min, x_max, y_max), got {value!r}")
    x0, x1 = p.as_range(name, (value[0], value[2]), "fixed")
    y0, y1 = p.as_range(name, (value[1], value[3]), "fixed")
    return max(0.0, min(1.0, x1) - max(0.0, x0)) * max(0.0, min(1.0, y1) - max(0.0, y0))


# --------------------------------------------------------------------------- dropouts
@entry("CoarseDropout", family=FAMILY, knobs={"occlusion": Knob("hole_height_range", _square_holes)})
def _coarse_dropout(p: Params) -> Envelope:
    """cuts out random rectangles

    Hole sizes are fractions of the image side when the upper end of ``hole_height_range`` is
    below 1, else pixels — for *both* ranges (albumentations 2.0.8 decides by the height range
    alone). In pixels the hidden share depends on the image size, and a hole is clamped to the
    image, so the worst case is 1.0 (unless the width range, read as pixels, is below one pixel:
    then every hole has zero width).
    """
    _, n_hi = _pair(p, "num_holes_range")
    _, h_hi = _pair(p, "hole_height_range")
    _, w_hi = _pair(p, "hole_width_range")
    if n_hi <= 0:
        return Envelope()
    if h_hi >= 1:
        return Envelope(occlusion=1.0 if int(w_hi) >= 1 else 0.0)
    # Fractions: a hole is int(side·u) pixels, u drawn from the range; a hole wider than the image
    # makes albumentations fail, so the width share is at most 1.
    return Envelope(occlusion=min(1.0, n_hi * h_hi * min(w_hi, 1.0)))


@entry("CoarseDropout3D", family=FAMILY, knobs={"occlusion": Knob("hole_height_range", _square_holes)})
def _coarse_dropout_3d(p: Params) -> Envelope:
    """cuts out random boxes from a volume

    Reported per slice: a slice can be crossed by every hole, hiding up to holes × height × width of
    its area (the volume fraction is smaller by the depth share). Hole sides are rounded up to whole
    voxels, which adds at most one voxel per side; that is not counted.
    """
    _, n_hi = _pair(p, "num_holes_range")
    _pair(p, "hole_depth_range")
    _, h_hi = _pair(p, "hole_height_range")
    _, w_hi = _pair(p, "hole_width_range")
    if n_hi <= 0:
        return Envelope()
    return Envelope(occlusion=min(1.0, n_hi * min(h_hi, 1.0) * min(w_hi, 1.0)))


@entry("ConstrainedCoarseDropout", family=FAMILY, knobs={"occlusion": Knob("hole_height_range", _square_holes)})
def _constrained_coarse_dropout(p: Params) -> Envelope:
    """cuts holes inside the labelled objects (mask or boxes)

    Holes are sized relative to each target object (its box sides, or the square root of its mask
    area), so they hide at most holes × height × width of each object; objects do not overlap in a
    mask, so that also bounds the share of the image (with overlapping boxes it bounds each box).
    Without ``mask_indices`` or ``bbox_labels`` albumentations applies no holes.
    """
    _, n_hi = _pair(p, "num_holes_range")
    _, h_hi = _pair(p, "hole_height_range")
    _, w_hi = _pair(p, "hole_width_range")
    if p.raw("mask_indices") is None and p.raw("bbox_labels") is None:
        return Envelope()
    return Envelope(occlusion=min(1.0, n_hi * min(h_hi, 1.0) * min(w_hi, 1.0)))


@entry(
    "Erasing",
    family=FAMILY,
    knobs={"occlusion": Knob("scale", lambda b: f"scale=({_down(min(0.02, b / 2))}, {_down(b)})")},
)
def _erasing(p: Params) -> Envelope:
    """erases one random rectangle (random erasing)"""
    _, s_hi = _pair(p, "scale")
    _pair(p, "ratio")
    # One rectangle of area at most scale_hi of the image, and never larger than the image.
    return Envelope(occlusion=min(1.0, max(s_hi, 0.0)))


def _grid_example(b: Any) -> str:
    side = float(_down(math.sqrt(max(float(b), 1e-6))))
    unit = max(2, math.ceil(1.0 / side))
    return f"ratio={side:g}, unit_size_range=({unit}, {2 * unit})"


@entry("GridDropout", family=FAMILY, knobs={"occlusion": Knob("ratio", _grid_example)})
def _grid_dropout(p: Params) -> Envelope:
    """cuts out a regular grid of squares

    ``ratio`` is the hole side as a share of the cell side, so a hole covers ratio² of its cell —
    but a hole is at least one pixel per side: in a cell of c pixels the share per side is
    max(ratio, 1/c). Cells are at least ``unit_size_range``'s lower end when it is given, else at
    least 2 pixels (on small images), so the bound is max(ratio, 1/c_min)².
    """
    ratio = p.number("ratio")
    unit = p.raw("unit_size_range")
    c_min = 2.0
    if unit is not None:
        c_min = max(2.0, _pair(p, "unit_size_range")[0])
    side = min(1.0, max(ratio, 1.0 / c_min))
    return Envelope(occlusion=side * side)


@entry("MaskDropout", family=FAMILY, knobs={"occlusion": Knob("max_objects")})
def _mask_dropout(p: Params) -> Envelope:
    """erases whole objects of the mask

    An object can cover the whole image, so the worst case is 1.0.
    """
    p.range("max_objects", "one")
    return Envelope(occlusion=1.0)


@entry(
    "XYMasking",
    family=FAMILY,
    knobs={"occlusion": Knob("mask_x_length")},
)
def _xy_masking(p: Params) -> Envelope:
    """masks full-height and full-width stripes (spectrogram masking)

    Stripe lengths are pixels (at most the image side), so one stripe can cover the whole image:
    the worst case is 1.0 whenever a stripe of positive length can be drawn.
    """
    masks = False
    for axis in ("x", "y"):
        _, n_hi = p.range(f"num_masks_{axis}", "zero")
        _, length = p.range(f"mask_{axis}_length", "zero")
        masks = masks or (n_hi >= 1 and length >= 1)
    return Envelope(occlusion=1.0 if masks else 0.0)


@entry("TimeMasking", family=FAMILY, knobs={"occlusion": Knob("time_mask_param")})
def _time_masking(p: Params) -> Envelope:
    """masks one stripe of up to `time_mask_param` time steps (pixels; worst case the whole image)"""
    return Envelope(occlusion=1.0 if p.number("time_mask_param") >= 1 else 0.0)


@entry("FrequencyMasking", family=FAMILY, knobs={"occlusion": Knob("freq_mask_param")})
def _frequency_masking(p: Params) -> Envelope:
    """masks one band of up to `freq_mask_param` frequency bins (pixels; worst case the whole image)"""
    return Envelope(occlusion=1.0 if p.number("freq_mask_param") >= 1 else 0.0)


# --------------------------------------------------------------------------- topology
@entry("RandomGridShuffle", family=FAMILY, knobs={"topology": Knob("grid")})
def _random_grid_shuffle(p: Params) -> Envelope:
    """cuts the image into tiles and shuffles them"""
    grid = p.raw("grid")
    if not isinstance(grid, (list, tuple)) or len(grid) != 2:
        raise ConfigError(f"RandomGridShuffle.grid: expected (rows, columns), got {grid!r}")
    rows, cols = _pair(p, "grid")
    return Envelope(topology=rows * cols > 1)


# --------------------------------------------------------------------------- mixing
@entry("Mosaic", family=MIXING, knobs={"mixing": Knob("grid_yx")})
def _mosaic(p: Params) -> Envelope:
    """tiles the image with other images into a mosaic of a fixed size"""
    rows, cols = _pair(p, "grid_yx")
    _pair(p, "target_size")
    _pair(p, "cell_shape")
    _pair(p, "center_range")
    # The image is resized to cover its cell and cut by the mosaic's centre: what is kept and at what
    # scale depends on the input size. Without other images in the metadata the cells repeat the image.
    return Envelope(mixing=rows * cols > 1, resize=True, crop_unbounded=True)


def _blend_envelope(weight: float) -> Envelope:
    """Blending the image with an intensity remap of weight w: out = (1 - w)·x + w·T(x)."""
    if weight <= 0:
        return Envelope()
    return Envelope(
        mixing=True,
        color=True,
        brightness=min(1.0, weight + _LEVEL),
        contrast_min=max(0.0, 1.0 - weight),
        contrast_max=1.0 + weight * (_GAIN_8BIT - 1.0),
    )


@entry(
    "HistogramMatching",
    family=MIXING,
    knobs={
        "mixing": Knob("blend_ratio"),
        "brightness": Knob("blend_ratio", lambda b: f"blend_ratio=(0.0, {_down(min(1.0, b - _LEVEL))})"),
    },
)
def _histogram_matching(p: Params) -> Envelope:
    """matches each channel's histogram to a reference image's"""
    # Per channel, the histogram of another image is imposed (a monotone, histogram-driven remap)
    # and blended in with weight w: brightness moves by up to w, contrast from 1 - w (a flat
    # reference) up to 1 + 254·w (two adjacent 8-bit levels stretched to the full range).
    _, w = _pair(p, "blend_ratio")
    env = _blend_envelope(w)
    return env.with_changes(equalization=True) if w > 0 else env


@entry(
    "PixelDistributionAdaptation",
    family=MIXING,
    knobs={
        "mixing": Knob("blend_ratio"),
        "brightness": Knob("blend_ratio", lambda b: f"blend_ratio=(0.0, {_down(min(1.0, b - _LEVEL))})"),
        "inversion": Knob("transform_type"),
    },
)
def _pixel_distribution_adaptation(p: Params) -> Envelope:
    """maps the colour distribution (PCA, standard or min-max statistics) onto a reference image's"""
    _, w = _pair(p, "blend_ratio")
    kind = p.text("transform_type")
    if kind not in ("pca", "standard", "minmax"):
        raise ConfigError(f"PixelDistributionAdaptation.transform_type: expected pca, standard or minmax, got {kind!r}")
    env = _blend_envelope(w)
    # PCA components have arbitrary signs; albumentations aligns only the sign of the components'
    # trace, so on multi-channel images an axis can flip: we have seen the luminance of the result
    # correlate at -0.6 with the input's (a partial negative).
    return env.with_changes(inversion=True) if w > 0 and kind == "pca" else env


@entry("FDA", family=MIXING, knobs={"mixing": Knob("beta_limit")})
def _fda(p: Params) -> Envelope:
    """swaps the low-frequency amplitude spectrum with a reference image's (Fourier domain adaptation)"""
    _, beta = p.range("beta_limit", "zero")
    # The swapped window includes the DC term of each channel: mean brightness and colour come from
    # the reference, and low-frequency contrast can go anywhere between flat and strongly stretched.
    if beta <= 0:
        return Envelope()
    return Envelope(mixing=True, color=True, brightness=1.0, contrast_min=0.0, contrast_max=_GAIN_8BIT)


@entry("OverlayElements", family=OVERLAY, knobs={"overlay": Knob("metadata_key"), "mixing": Knob("metadata_key")})
def _overlay_elements(p: Params) -> Envelope:
    """pastes image elements given in the metadata onto the image

    The pasted elements come from other images and are placed in boxes given at call time, which can
    cover the whole image: occlusion 1.0.
    """
    p.text("metadata_key")
    return Envelope(overlay=True, mixing=True, occlusion=1.0)


@entry("TextImage", family=OVERLAY, knobs={"overlay": Knob("font_path"), "occlusion": Knob("clear_bg")})
def _text_image(p: Params) -> Envelope:
    """draws text into boxes given in the metadata

    With ``clear_bg`` the boxes are first erased and inpainted; the boxes come at call time and can
    cover the whole image: occlusion 1.0.
    """
    p.raw("font_path")  # required
    _, fraction = _pair(p, "fraction_range")
    _pair(p, "font_size_fraction_range")
    if fraction <= 0:  # int(len(boxes)·0) boxes get text
        return Envelope()
    return Envelope(overlay=True, occlusion=1.0 if p.flag("clear_bg") else 0.0)


# --------------------------------------------------------------------------- weather and light
@entry("RandomFog", family=OVERLAY, knobs={"overlay": Knob("fog_coef_range")})
def _random_fog(p: Params) -> Envelope:
    """draws fog and blurs the whole image

    The result is always Gaussian-blurred with a kernel of 1/30 of the shorter side (σ about
    side/200 px), even at fog intensity 0: the blur in pixels has no bound without the image size.
    Fog particles are white discs blended with alpha = alpha_coef·intensity; they pile up without
    limit, so a region can turn white (brightness up to 1, contrast and saturation down to 0).
    """
    _, fog = _pair(p, "fog_coef_range")
    alpha = p.number("alpha_coef") * fog
    env = Envelope(overlay=True, blur=math.inf)
    if alpha > 0:
        env = env.with_changes(brightness=1.0, contrast_min=0.0, saturation_min=0.0)
    return env


@entry(
    "RandomRain",
    family=OVERLAY,
    knobs={
        "overlay": Knob("rain_type"),
        "brightness": Knob("brightness_coefficient", lambda b: f"brightness_coefficient={_up(max(0.01, 1 - b))}"),
        "contrast": Knob("brightness_coefficient", lambda b: f"brightness_coefficient={_up(max(0.01, b[0]))}"),
    },
)
def _random_rain(p: Params) -> Envelope:
    """draws rain streaks and darkens the image"""
    # Drops are added, then the whole image is multiplied by brightness_coefficient (<= 1).
    coefficient = p.number("brightness_coefficient")
    _pair(p, "slant_range")
    gain = min(coefficient, 1.0)
    return Envelope(overlay=True, brightness=1.0 - gain, contrast_min=gain)


@entry(
    "RandomSnow",
    family=OVERLAY,
    knobs={"overlay": Knob("snow_point_range"), "brightness": Knob("brightness_coeff")},
)
def _random_snow(p: Params) -> Envelope:
    """whitens the image like snow"""
    _, point = _pair(p, "snow_point_range")
    coeff = p.number("brightness_coeff")
    method = p.text("method")
    if method == "texture":
        # V is scaled by 1 + coeff·point, a snow texture is added to all three HSV channels (hue and
        # saturation too, with uint8 wrap-around), the result is scaled by 0.85 with a blue tint and
        # sparkles are set to white: anything can happen to hue and saturation.
        return Envelope(
            overlay=True,
            brightness=1.0,
            color=True,
            hue=180.0,
            saturation_min=0.0,
            saturation_max=_GAIN_8BIT,
            contrast_max=max(1.0, 1.0 + coeff * point),
        )
    if method != "bleach":
        raise ConfigError(f"RandomSnow.method: expected 'bleach' or 'texture', got {method!r}")
    # Bleach: HLS lightness below t = point/2 + 1/3 is multiplied by coeff and clipped; lightness at
    # or above t is left alone — a non-monotone map when coeff > 1 (L just below t overtakes L just
    # above it). Largest lightness change: (coeff-1)·t, or 1 - 1/coeff once coeff·t > 1, or
    # (1-coeff)·t when darkening. An RGB channel moves by up to twice the lightness change, plus about
    # one level of rounding in the 8-bit HLS round trip.
    t = point / 2.0 + 1.0 / 3.0
    brighten = (coeff - 1.0) * t if coeff * t <= 1.0 else 1.0 - 1.0 / coeff
    shift = brighten if coeff >= 1.0 else (1.0 - coeff) * t
    return Envelope(
        overlay=True,
        brightness=min(1.0, 2.0 * shift + 0.01),
        contrast_min=min(1.0, coeff),
        contrast_max=max(1.0, coeff),
        nonmonotone=coeff > 1.0,
        # Lightness pushed to 1 is white: pixels in [1/coeff, t) lose their colour entirely.
        saturation_min=0.0 if coeff * t > 1.0 else 1.0,
    )


@entry("RandomSunFlare", family=OVERLAY, knobs={"overlay": Knob("src_radius")})
def _random_sun_flare(p: Params) -> Envelope:
    """draws a sun flare with halo circles

    Around the flare centre the image is blended toward the source colour until it is replaced (the
    innermost circle has alpha 1): brightness up to full scale, contrast and saturation down to 0,
    coloured halos. The washed-out disc is sized in pixels (``src_radius``), so it is reported through
    contrast, not as a bounded occlusion.
    """
    p.number("src_radius")
    _pair(p, "num_flare_circles_range")
    method = p.text("method")
    if method not in ("overlay", "physics_based"):
        raise ConfigError(f"RandomSunFlare.method: expected 'overlay' or 'physics_based', got {method!r}")
    return Envelope(overlay=True, brightness=1.0, contrast_min=0.0, saturation_min=0.0, color=True)


@entry(
    "RandomShadow",
    family=OVERLAY,
    knobs={
        "overlay": Knob("shadow_roi"),
        "brightness": Knob(
            "shadow_intensity_range",
            lambda b: f"shadow_intensity_range=(0.0, {_down(min(1.0, b - _LEVEL))}), num_shadows_limit=(1, 1)",
        ),
        "contrast": Knob(
            "shadow_intensity_range",
            lambda b: f"shadow_intensity_range=(0.0, {_down(max(0.0, 1 - b[0]))}), num_shadows_limit=(1, 1)",
        ),
        "occlusion": Knob("shadow_intensity_range"),
    },
)
def _random_shadow(p: Params) -> Envelope:
    """darkens random polygons like shadows"""
    _, n_hi = _pair(p, "num_shadows_limit")
    _, intensity = _pair(p, "shadow_intensity_range")
    area = _roi(p, "shadow_roi")
    # Each shadow multiplies its polygon by 1 - intensity; polygons may overlap, all of them inside
    # shadow_roi. At intensity 1 the polygon is black: hidden, at most the roi's area. Each shadow
    # truncates to uint8, losing up to one more level.
    darkness = (1.0 - min(max(intensity, 0.0), 1.0)) ** max(n_hi, 1.0)
    return Envelope(
        overlay=True,
        brightness=min(1.0, 1.0 - darkness + max(n_hi, 1.0) * _LEVEL),
        contrast_min=darkness,
        occlusion=area if darkness <= 0.0 else 0.0,
    )


@entry(
    "RandomGravel",
    family=OVERLAY,
    knobs={"overlay": Knob("number_of_patches"), "occlusion": Knob("number_of_patches")},
)
def _random_gravel(p: Params) -> Envelope:
    """scatters gravel particles (random lightness) over patches of a region"""
    patches = p.number("number_of_patches")
    area = _roi(p, "gravel_roi")
    # Each patch is at most 1/5 × 1/5 of the roi and holds patch_area/100 particles of at most 6×6 px:
    # they replace the lightness of at most 0.36 of the patch, i.e. 0.0144 of the roi per patch.
    return Envelope(overlay=True, occlusion=min(area, 0.0144 * patches * area))


_SPATTER_COLORS = {"rain": (238, 238, 175), "mud": (20, 42, 63)}


@entry(
    "Spatter",
    family=OVERLAY,
    knobs={
        "overlay": Knob("mode"),
        "brightness": Knob("intensity", lambda b: f"intensity=(0.0, {_down(min(1.0, b))})"),
    },
)
def _spatter(p: Params) -> Envelope:
    """splashes rain drops or mud over the image"""
    mode = p.text("mode")
    if mode not in _SPATTER_COLORS:
        raise ConfigError(f"Spatter.mode: expected 'rain' or 'mud', got {mode!r}")
    _, intensity = p.range("intensity", "zero")
    for name in ("mean", "std", "cutout_threshold"):
        p.range(name, "zero")
    p.range("gauss_sigma", "zero")
    raw_color = p.raw("color")
    color = _SPATTER_COLORS[mode] if raw_color is None else tuple(raw_color)
    if len(color) != 3 or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in color):
        raise ConfigError(f"Spatter.color: expected three numbers, got {raw_color!r}")
    tinted = len({float(c) for c in color}) > 1
    intensity = min(max(intensity, 0.0), 1.0)
    if mode == "rain":
        # Drops (normalised to at most 1) × color × 0.9·intensity are added.
        return Envelope(overlay=True, brightness=min(1.0, 0.9 * intensity * max(color) / 255.0), color=tinted)
    # Mud: out = x·(1 - m) + m·color with m = mask·intensity <= intensity, per channel.
    return Envelope(
        overlay=True,
        brightness=intensity,
        contrast_min=1.0 - intensity,
        color=tinted and intensity > 0,
    )
