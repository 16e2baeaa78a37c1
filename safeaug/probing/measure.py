"""One run's reading: the output images of one seed turned into an envelope in the catalog's units, with
the fields that run could not read."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from safeaug.effects import Envelope
from safeaug.probing.colour import _read_colour
from safeaug.probing.detail import _FIELD, _NOISY, _read_blur, _read_flat, _unpaired_noise
from safeaug.probing.geometry import (
    _NONRIGID_PX,
    _WARPED_PX,
    _decompose,
    _GeoEffects,
    _is_identity,
    _landmarks_moved,
    _measure_geometry,
    _reflects,
    _Where,
    _where,
)
from safeaug.probing.images import _DOT, _DOT_BG, _FLAT, _TARGETS, Array, FloatArray, _grey, _Images
from safeaug.probing.runners import ProbeError
from safeaug.probing.tone import _casts, _read_intensity, _read_map, _shared_tint

_GEOMETRY_FIELDS = frozenset(
    {"mirror", "rotation", "scale_min", "scale_max", "translation", "shear", "perspective", "nonrigid", "crop_min"}
)


_PIXEL_FIELDS = frozenset(
    {
        "blur",
        "brightness",
        "contrast_min",
        "contrast_max",
        "gamma_min",
        "gamma_max",
        "inversion",
        "nonmonotone",
        "posterize_bits",
        "hue",
        "saturation_min",
        "saturation_max",
        "color",
        "grayscale",
    }
)


# Readings within these margins of "nothing happened" are reported as nothing (measurement noise).
_DEADBAND: dict[str, float] = {
    "rotation": 0.25,
    "translation": 0.004,
    "shear": 0.5,
    "perspective": 0.004,
    "brightness": 1.5 / 255.0,
    "hue": 2.5,
    "blur": 0.12,
    "noise": 1.0 / 255.0,
    "occlusion": 0.002,
}


_DEADBAND_FACTORS: dict[str, float] = {
    "scale_min": 0.006,
    "scale_max": 0.006,
    "contrast_min": 0.01,
    "contrast_max": 0.01,
    "gamma_min": 0.0,
    "gamma_max": 0.0,
    "saturation_min": 0.03,
    "saturation_max": 0.03,
    "crop_min": 0.01,
}


def _clean(effects: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in effects.items():
        if isinstance(value, bool):
            if value:
                out[name] = True
            continue
        v = float(value)
        if name in _DEADBAND:
            if v > _DEADBAND[name]:
                out[name] = v
        elif name in _DEADBAND_FACTORS:
            if abs(v - 1.0) > _DEADBAND_FACTORS[name]:
                out[name] = v
        elif name == "posterize_bits":
            if v < 7.5:
                out[name] = v
        else:
            out[name] = v
    return out


def _geometry_fields(ge: _GeoEffects, *, scale: bool = True) -> dict[str, Any]:
    """The readings of a decomposed map that are more than measurement noise (mirror, turn, shear, zoom)."""
    found: dict[str, Any] = {"mirror": ge.mirror, "rotation": ge.rotation, "shear": ge.shear}
    if scale:
        found.update(scale_min=ge.scale_min, scale_max=ge.scale_max)
    return _clean(found)


def _fingerprint(out: dict[str, Array], kps: FloatArray | None) -> tuple[Any, ...]:
    parts: list[Any] = [None if kps is None else kps.tobytes()]
    for name in ("geo", *_TARGETS):
        img = out[name]
        parts += [img.shape, img.dtype.str, hash(img.tobytes())]
    return tuple(parts)


def _measure_run(
    out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images
) -> tuple[Envelope, set[str], bool]:
    size = images.size
    for key, img in out.items():
        if img.ndim not in (2, 3) or img.shape[0] < 8 or img.shape[1] < 8:
            raise ProbeError(f"the transform returned an image of shape {img.shape} for the {key} probe image")
    g = _measure_geometry(out, kps, exact, images)
    effects: dict[str, Any] = {}
    missing: set[str] = set()
    out_shape = out["geo"].shape[:2]
    rigid = g is None or (_is_identity(g, 1e-3) and out_shape == (size, size))
    if g is None and _landmarks_moved(out["geo"], images):
        # The landmarks left their places and no map fits them (a strong warp without keypoints): pixels
        # compared in place would pair each with another's input (a warped ramp read as a slope of 0.46).
        missing |= (_GEOMETRY_FIELDS | _PIXEL_FIELDS | {"reflect_border", "occlusion"}) - {"noise"}
        _unpaired_noise(out["flat"], effects, missing)
        return Envelope(**_clean(effects)), missing, False
    if g is not None and g.residual > _WARPED_PX:
        # Far from any affine map (a strong warp, a tile shuffle): the fitted angles and factors mean
        # little, and pixels cannot be paired with their inputs. What stands: non-rigid, and the
        # mirror when the fit still holds together.
        effects["nonrigid"] = True
        if g.residual < 3.0 * _WARPED_PX:
            effects["mirror"] = float(np.linalg.det(g.M)) < 0
        missing |= (_GEOMETRY_FIELDS | _PIXEL_FIELDS | {"reflect_border"}) - {"nonrigid", "mirror"}
        _unpaired_noise(out["flat"], effects, missing)
        missing.add("occlusion")  # the border fill a warp pulls in cannot be told from a hole
        return Envelope(**_clean(effects)), missing, True
    geo_where = _where(g, out_shape, size)
    if g is None:
        missing |= set(_GEOMETRY_FIELDS) | {"reflect_border"}
    elif geo_where.identity:
        pass  # nothing moved: no geometric effect, and no border to fill
    else:
        ge = _decompose(g, (size, size), out_shape)
        effects.update(
            mirror=ge.mirror,
            rotation=ge.rotation,
            scale_min=ge.scale_min,
            scale_max=ge.scale_max,
            translation=ge.translation,
            shear=ge.shear,
            nonrigid=ge.nonrigid,
            perspective=ge.perspective,
            crop_min=min(1.0, ge.crop),
        )
        if g.residual <= _NONRIGID_PX:  # where no input pixel lands is known only for a good fit
            effects["reflect_border"] = _reflects(out["geo"], geo_where)
        else:
            missing.add("reflect_border")
    shapes = {out[k].shape[:2] for k in _TARGETS}
    same = len(shapes) == 1  # every probe image came out the same size: the same draw hit them all alike
    where = geo_where if out["flat"].shape[:2] == out_shape else _where(g, out["flat"].shape[:2], size)
    flat = _read_flat(out["flat"], where)
    noise, field, varies = 0.0, 0.0, False
    if flat is None:
        missing |= {"noise", "occlusion"}
    else:
        noise = flat.noise
        field = flat.field_hi - flat.field_lo
        # A brightness that changes across the image: the grey map then depends on where a level sits.
        channels = out["flat"].shape[2] if out["flat"].ndim == 3 else 1
        varies = field > _FIELD + 6.0 * noise / math.sqrt(64 * channels)
        if varies:  # a fractal field has detail at every scale: what is field and what is noise cannot be told
            missing.add("noise")
        else:
            effects["noise"] = noise
        if noise > _NOISY:  # strong noise: a hole cannot be told from a large excursion
            missing.add("occlusion")
        else:
            effects["occlusion"] = flat.occluded_share
            if same:  # the same holes are in every probe image: leave them out of the other readings
                hole = flat.occluded
                where = _Where(
                    where.ix, where.iy, where.inside & ~hole, where.outside, where.covered & ~hole, where.identity
                )
    if not same:  # images of different sizes: the draw depended on the image, pixels cannot be paired
        missing |= _PIXEL_FIELDS
        return Envelope(**_clean(effects)), missing, g is not None
    noisy = noise > _NOISY
    sigma = None if noisy else _read_blur(out["dots"], g, images, where.covered, noise)
    if sigma is None:
        missing.add("blur")
    else:
        effects["blur"] = sigma
    # Stay clear of edges the spread (or the misfit of a warp) mixed across; of all of them when the
    # spread could not be read.
    misfit = 2.0 * g.residual if g is not None else 0.0
    margin = 10.0 if sigma is None else 2.0 + min(3.0 * sigma + misfit, 8.0)
    m = _read_map(out["ramp"], where, images, margin, noise, _shared_tint(out["flat"], flat))
    if "blur" in effects:
        # Dots the tone map sends to their background's level (clipped to black with it, or the whole ramp
        # made one level) are gone, but not by blur: the spread cannot be read.
        flattened = m is None and float(np.ptp(_grey(out["ramp"]))) < 2.0 / 255.0
        ends = None if m is None else m(np.array([_DOT_BG, _DOT], dtype=float) / 255.0, exact=True)
        if flattened or (ends is not None and abs(float(ends[1] - ends[0])) < 4.0 / 255.0):
            del effects["blur"]
            missing.add("blur")
    if m is None:
        missing |= {"brightness", "contrast_min", "contrast_max", "gamma_min", "gamma_max", "inversion", "nonmonotone"}
    else:
        # With a field, only the map's straight-line part is read, and the field's range gives the gains.
        it = _read_intensity(m, noise, rigid and (sigma or 0.0) < 0.3 and field < _FIELD / 2, straight=varies)
        effects.update(
            inversion=it.inversion,
            nonmonotone=it.nonmonotone,
            brightness=it.brightness,
            contrast_min=it.contrast,
            contrast_max=it.contrast,
            gamma_min=it.gamma,
            gamma_max=it.gamma,
            posterize_bits=it.posterize,
        )
        if varies and flat is not None:
            effects.update(nonmonotone=False, posterize_bits=8.0)
            # The field's spread about the image's own level gives the gains; a shift common to the whole
            # image is brightness (read off the ramp above), not a gain: a flat grey moved from 0.50 to 0.59
            # by an added mean, with low-frequency noise on top, is a slope of 1, not of 1.18.
            level = _FLAT / 255.0
            effects["contrast_min"] = max(0.0, it.contrast - (flat.level - flat.field_lo) / level)
            effects["contrast_max"] = it.contrast + (flat.field_hi - flat.level) / level
            missing |= {"gamma_min", "gamma_max", "posterize_bits", "nonmonotone"}
        if noisy:
            missing.add("color")
        elif _casts(m, flat.tint_wander if flat is not None else 0.0):
            effects["color"] = True
    c = None if noisy else _read_colour(out["colors"], where, images, m, margin, noise)
    colours = out["colors"]
    if colours.ndim == 2 or colours.shape[2] == 1:  # one channel out of three: the colour is gone
        effects.update(grayscale=True, saturation_min=0.0, saturation_max=0.0)
    elif c is None:
        missing |= {"hue", "saturation_min", "saturation_max", "grayscale"}
    elif m is not None and varies:
        missing |= {"hue", "saturation_min", "saturation_max"}
        effects["grayscale"] = c.grey
    else:
        effects.update(hue=c.hue, saturation_min=c.sat_min, saturation_max=c.sat_max, grayscale=c.grey)
        if c.mixing:
            effects["color"] = True
    if c is not None and c.clipped:
        missing.add("grayscale")
    return Envelope(**_clean(effects)), missing, g is not None
