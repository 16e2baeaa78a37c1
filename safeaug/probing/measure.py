"""One run's reading: the output images of one seed turned into an envelope in the catalog's units, with
the fields that run could not read."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import numpy as np

from safeaug.effects import Envelope
from safeaug.probing.colour import _Colour, _hue_chroma, _read_colours
from safeaug.probing.detail import _FIELD, _NOISY, _Flat, _read_blurs, _read_flats, _unpaired_noise
from safeaug.probing.geometry import (
    _NONRIGID_PX,
    _WARPED_PX,
    _decompose,
    _GeoEffects,
    _Geometry,
    _is_identity,
    _landmarks_moved,
    _measure_geometries,
    _reflects,
    _Where,
    _where,
    _wrap,
)
from safeaug.probing.images import _DOT, _DOT_BG, _FLAT, _TARGETS, Array, FloatArray, _grey, _Images, _probe_images
from safeaug.probing.runners import ProbeError
from safeaug.probing.tone import _casts, _Map, _read_intensity, _read_maps

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


def _run_keys(runs: list[tuple[dict[str, Array], FloatArray | None, bool]]) -> list[int]:
    """For each run, the index of the first run whose keypoints and outputs are its own byte for byte.

    Runs are grouped first by their keypoints and each output's shape, type and a sample of its bytes (one
    in 61), and a run is compared in full only with the first runs of its group: what a hash of every
    output's bytes told, without hashing them all (and without a hash's collisions)."""
    names = ("geo", *_TARGETS)
    keys: list[int] = []
    groups: dict[tuple[Any, ...], list[int]] = {}
    contents: list[list[Array]] = []
    for j, (out, kps, _) in enumerate(runs):
        imgs = [np.ascontiguousarray(out[name]) for name in names]
        contents.append(imgs)
        sample = tuple((a.shape, a.dtype.str, a.reshape(-1)[::61].tobytes()) for a in imgs)
        firsts = groups.setdefault((None if kps is None else kps.tobytes(), sample), [])
        same = (f for f in firsts if all(a.tobytes() == b.tobytes() for a, b in zip(imgs, contents[f], strict=True)))
        first = next(same, None)
        if first is None:
            firsts.append(j)
        keys.append(j if first is None else first)
    return keys


# One run's reading: its envelope, the fields it could not read, and whether a geometry was found.
_Reading = tuple[Envelope, set[str], bool]


class _Ask(NamedTuple):
    """A reading one run asks of a reader that reads many runs at once (see :func:`_measure_runs`)."""

    reader: str
    args: tuple[Any, ...]


def _measure_runs(runs: list[tuple[dict[str, Array], FloatArray | None, bool]], images: _Images) -> list[_Reading]:
    """Every run's reading, each the same as the run read alone: the runs are read side by side, and each
    costly reading (the geometry, the flat grey, the dots, the ramp, the patches) is made for all runs that ask
    for it in one stacked pass (``_READERS``). Each run's logic is :func:`_run_reading`; :func:`_drive` serves
    the readings."""
    return _drive([_run_reading(out, kps, exact, images) for out, kps, exact in runs], images)


def _drive(steps: list[Generator[_Ask, Any, Any]], images: _Images) -> list[Any]:
    """What each generator returns, serving the readings they ask for side by side.

    Each step is one run's logic, written as a generator that yields an :class:`_Ask` where it needs a reading
    and is sent the answer. The readers are served in ``_READERS``' order, so runs that skipped a reading catch
    up with the others before the next one is made. A reader's answer for one run is the same whichever runs
    share its stack, so every step reads as it would alone.
    """
    done: list[Any] = [None] * len(steps)
    asks: dict[int, _Ask] = {}

    def advance(j: int, answer: Any) -> None:
        try:
            asks[j] = steps[j].send(answer)
        except StopIteration as finished:
            done[j] = finished.value

    for j in range(len(steps)):
        advance(j, None)
    while asks:
        reader = min((ask.reader for ask in asks.values()), key=list(_READERS).index)
        batch = [j for j, ask in asks.items() if ask.reader == reader]
        answers = _READERS[reader]([asks.pop(j).args for j in batch], images)
        for j, answer in zip(batch, answers, strict=True):
            advance(j, answer)
    return done


def _check_outputs(out: dict[str, Array]) -> None:
    """:class:`ProbeError` when an output cannot be read (not an image, under 8 pixels a side, or not of real
    numbers: an array of Python objects, complex numbers or dates has no grey level to read)."""
    for key, img in out.items():
        if img.ndim not in (2, 3) or img.shape[0] < 8 or img.shape[1] < 8:
            raise ProbeError(f"the transform returned an image of shape {img.shape} for the {key} probe image")
        if img.dtype.kind not in "biuf":
            raise ProbeError(
                f"the transform returned an image of type {img.dtype} for the {key} probe image: the probe reads "
                "images of real numbers (bool, integer or float), so what this one does cannot be measured"
            )


def _run_reading(
    out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images
) -> Generator[_Ask, Any, _Reading]:
    """One run's reading, asking the stacked readers for the flat grey, the dots, the ramp and the patches."""
    size = images.size
    _check_outputs(out)
    g: _Geometry | None = yield _Ask("geometry", (out, kps, exact))
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
    flat: _Flat | None = yield _Ask("flat", (out["flat"], where))
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
    sigma: float | None = None if noisy else (yield _Ask("blur", (out["dots"], g, where.covered, noise)))
    if sigma is None:
        missing.add("blur")
    else:
        effects["blur"] = sigma
    # Stay clear of edges the spread (or the misfit of a warp) mixed across; of all of them when the
    # spread could not be read.
    misfit = 2.0 * g.residual if g is not None else 0.0
    margin = 10.0 if sigma is None else 2.0 + min(3.0 * sigma + misfit, 8.0)
    m: _Map | None = yield _Ask("map", (out["ramp"], out["flat"], flat, where, margin, noise))
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
    c: _Colour | None = None if noisy else (yield _Ask("colour", (out["colors"], where, m, margin, noise)))
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


def _geometries(asks: list[tuple[Any, ...]], images: _Images) -> list[Any]:
    return list(_measure_geometries([(out, kps, exact) for out, kps, exact in asks], images))


def _flats(asks: list[tuple[Any, ...]], images: _Images) -> list[Any]:
    return list(_read_flats([(img, where) for img, where in asks]))


def _blurs(asks: list[tuple[Any, ...]], images: _Images) -> list[Any]:
    return list(_read_blurs([(dots, g, usable, noise) for dots, g, usable, noise in asks], images))


def _colours(asks: list[tuple[Any, ...]], images: _Images) -> list[Any]:
    return list(_read_colours([(img, where, m, margin, noise) for img, where, m, margin, noise in asks], images))


def _maps(asks: list[tuple[Any, ...]], images: _Images) -> list[Any]:
    return list(
        _read_maps(
            [
                (ramp, where, margin, noise, None if flat_img is None else (flat_img, flat))
                for ramp, flat_img, flat, where, margin, noise in asks
            ],
            images,
        )
    )


# The stacked readers, in the order a run asks for them: (the arguments of each run's ask) -> answers.
_READERS: dict[str, Callable[[list[tuple[Any, ...]], _Images], list[Any]]] = {
    "geometry": _geometries,
    "flat": _flats,
    "blur": _blurs,
    "map": _maps,
    "colour": _colours,
}


# ------------------------------------------------------------------------------------------ a run's signature

# A run whose signature lies within the range of the signatures of the runs already read in full (widened
# on every side by the margin of each number, about the tolerance of the reading it stands for) is not read
# in full: its readings are taken to lie within theirs. Each number: (name, margin).
_SIGNATURE: tuple[tuple[str, float], ...] = (
    # keypoints: the readings of the affine map fitted to them (mirror 0 or 1, degrees, factors, shares)
    ("mirror", 0.5),
    ("rotation", 0.5),
    ("scale_min", 0.01),
    ("scale_max", 0.01),
    ("translation", 0.01),
    ("shear", 0.5),
    ("crop", 0.01),
    ("residual", 0.25),  # RMS px off the fitted affine map (a warp)
    ("slope", 0.02),  # ramp: the tone map's slope, shift and bend, fitted to 4x4 block means
    ("shift", 0.015),
    ("bend", 0.03),
    ("cast", 2.0 / 255.0),  # ramp: the largest spread between channels of a block
    ("flat_level", 0.01),  # flat grey: its mean, spread and share of outliers (brightness, noise, holes)
    ("flat_spread", 0.004),
    ("flat_outliers", 0.005),
    ("flat_field", 0.004),  # flat grey: the range of its 4x4 block means (a brightness field)
    ("hue", 2.5),  # colour patches: the largest hue turn (degrees) and the smallest and largest chroma ratio
    ("chroma_min", 0.03),
    ("chroma_max", 0.03),
    ("dots", 0.015),  # dots: the dots' pixels above the image's mean (a blur spreads them)
    ("levels", 0.25),  # ramp: log2 of the distinct channel values (a posterisation merges them)
)
_MARGINS = np.array([margin for _, margin in _SIGNATURE])
_GEO_BLOCK_MARGIN = 0.02  # geometry image, 4x4 block means: where the landmarks went, without keypoints
_GEO_MARGINS = np.r_[_MARGINS, np.full(16, _GEO_BLOCK_MARGIN)]


class _Cells(NamedTuple):
    """What the signature reads of the probe images of one size (each computed once)."""

    side: int  # 4x4 blocks of this many pixels (the image's top-left 4 side x 4 side pixels)
    fit: FloatArray  # (3, 16): least-squares fit of a quadratic in the ramp blocks' input levels
    patch_index: Array  # flat indices of the pixels well inside the colour patches, patch by patch
    patch_start: Array  # where each patch's pixels start in ``patch_index``
    patch_count: FloatArray
    dot_index: Array  # flat indices of the dots' pixels
    hue: FloatArray  # the patches' hues and chromas
    chroma: FloatArray
    keypoints: FloatArray  # (N, 3): the keypoints with a column of ones, for the affine fit
    fit_keypoints: FloatArray  # (3, N): its pseudo-inverse (the least-squares fit when no keypoint is lost)
    corners: FloatArray  # a 16x16 grid over the input, with a column of ones, for the kept area
    # Each patch's pixels well inside it as one box (top, bottom, left, right, one past the last), when they form
    # one: then each patch's sums are read off the image's integral (whole numbers: the same sums)
    patch_boxes: tuple[Array, Array, Array, Array] | None = None


_SIGNATURE_CELLS: dict[int, _Cells] = {}


def _cells(size: int) -> _Cells:
    if size not in _SIGNATURE_CELLS:
        images = _probe_images(size)
        b = size // 4
        ramp = np.repeat(images.ramp_level[None, ..., None], 3, axis=3).astype(np.uint8)
        levels = _stacked_blocks(ramp, b)[0].mean(axis=1)
        design = np.stack([levels**2, levels, np.ones_like(levels)], axis=1)
        rows, cols = np.nonzero(images.patch_edge >= 2.0)
        corner = np.rint(images.dot_xy - 0.5).astype(int)  # top-left pixel of each 2x2 dot
        dots = np.concatenate([corner + np.array([dx, dy]) for dx in (0, 1) for dy in (0, 1)])
        hue, chroma = _hue_chroma(images.patch_rgb)
        patch = images.color_patch[rows, cols]
        order = np.argsort(patch, kind="stable")
        count = np.bincount(patch)
        assert count.min() > 0, "every colour patch has pixels well inside it"
        n = 16
        ys, xs = np.mgrid[0:n, 0:n]
        grid = np.stack([(xs.ravel() + 0.5) * size / n - 0.5, (ys.ravel() + 0.5) * size / n - 0.5], axis=1)
        _SIGNATURE_CELLS[size] = _Cells(
            b,
            np.linalg.pinv(design),
            (rows * size + cols)[order],
            np.r_[0, np.cumsum(count)[:-1]],
            count.astype(float),
            dots[:, 1] * size + dots[:, 0],
            hue,
            chroma,
            np.hstack([images.keypoints, np.ones((len(images.keypoints), 1))]),
            np.linalg.pinv(np.hstack([images.keypoints, np.ones((len(images.keypoints), 1))])),
            np.hstack([grid, np.ones((len(grid), 1))]),
            _boxes(rows, cols, patch, len(count)) if size * size * 255 < 2**31 else None,  # (int32 integrals)
        )
    return _SIGNATURE_CELLS[size]


def _boxes(rows: Array, cols: Array, label: Array, k: int) -> tuple[Array, Array, Array, Array] | None:
    """Per label 0..k-1, the box its pixels (``rows``, ``cols``) fill, when each fills one whole; else None."""
    boxes = []
    for j in range(k):
        r, c = rows[label == j], cols[label == j]
        box = (int(r.min()), int(r.max()) + 1, int(c.min()), int(c.max()) + 1)
        if len(r) != (box[1] - box[0]) * (box[3] - box[2]):
            return None
        boxes.append(box)
    top, bottom, left, right = (np.array(v) for v in zip(*boxes, strict=True))
    return top, bottom, left, right


def _patch_sums(colors: Array, cells: _Cells) -> Array:
    """(n, patches, 3): each run's channel sums over each colour patch's pixels well inside it (int64)."""
    n = len(colors)
    if cells.patch_boxes is None:
        picked = colors.reshape(n, -1, 3)[:, cells.patch_index]  # (n, P, 3), patch by patch
        return np.asarray(np.add.reduceat(picked, cells.patch_start, axis=1, dtype=np.int64))
    import cv2

    top, bottom, left, right = cells.patch_boxes
    ii: Array = np.stack([cv2.integral(img) for img in colors])  # (n, h + 1, w + 1, 3), int32
    return (ii[:, bottom, right] - ii[:, top, right] - ii[:, bottom, left] + ii[:, top, left]).astype(np.int64)


def _signatures(
    runs: list[tuple[dict[str, Array], FloatArray | None, bool]], images: _Images
) -> list[tuple[tuple[Any, ...], FloatArray, FloatArray] | None]:
    """A cheap summary of each run: a key that must match, numbers each reading moves with, their margins.

    The numbers are listed in ``_SIGNATURE``; where the keypoints may not tell the whole geometry, the grey
    of the geometry image in 4x4 blocks follows. None for a run that is not comparable with others this way
    (an output of another size, type or channel count). The runs' outputs are stacked and read in one pass.
    """
    size = images.size
    found: list[tuple[tuple[Any, ...], FloatArray, FloatArray] | None] = [None] * len(runs)
    usable = [
        j
        for j, (out, _, _) in enumerate(runs)
        if all(img.shape == (size, size, 3) and img.dtype == np.uint8 for img in out.values())
    ]
    if not usable:
        return found
    cells = _cells(size)
    n, side = len(usable), cells.side
    stack = {name: np.stack([runs[j][0][name] for j in usable]) for name in ("geo", *_TARGETS)}  # (n, h, w, 3)
    values = np.zeros((n, len(_SIGNATURE)))
    finite = [0] * n
    full = {
        row: kps for row, j in enumerate(usable) if (kps := runs[j][1]) is not None and bool(np.isfinite(kps).all())
    }
    whole = list(full)
    if whole:  # every keypoint kept: the fits side by side (one least-squares product per run)
        kps_all = np.stack(list(full.values()))  # (m, N, 2)
        sols = cells.fit_keypoints @ kps_all  # (m, 3, 2)
        residuals = np.sqrt(np.mean(np.sum((kps_all - cells.keypoints @ sols) ** 2, axis=2), axis=1))
        mapped = cells.corners @ sols
        kept = ((mapped >= -0.5) & (mapped <= size - 0.5 + 1.0)).all(axis=2).mean(axis=1)
        for r, row in enumerate(whole):
            finite[row] = len(kps_all[r])
            _map_signature(sols[r], float(residuals[r]), float(kept[r]), size, values[row])
    for row, j in enumerate(usable):
        kps = runs[j][1]
        if kps is not None and row not in whole:
            finite[row] = _keypoint_signature(kps, cells, size, values[row])
    ramp = _stacked_blocks(stack["ramp"], side)  # (n, 16, 3)
    bend, slope, shift = cells.fit @ ramp.mean(axis=2).T  # each (n,)
    values[:, 8] = slope
    values[:, 9] = shift
    values[:, 10] = bend
    values[:, 11] = (ramp.max(axis=2) - ramp.min(axis=2)).max(axis=1)
    import cv2

    stats = np.array([cv2.meanStdDev(img) for img in stack["flat"]], dtype=float)[..., 0] / 255.0  # (n, 2, 3)
    mean, std = stats[:, 0], stats[:, 1]
    level = mean.mean(axis=1)
    low, high = (_FLAT - 20,) * 3, (_FLAT + 20,) * 3  # every channel within 20 levels
    near = np.array([cv2.countNonZero(cv2.inRange(img, low, high)) for img in stack["flat"]], dtype=float)
    field = _stacked_blocks(stack["flat"], side).mean(axis=2)  # (n, 16)
    values[:, 12] = level
    values[:, 13] = np.sqrt((std**2 + (mean - level[:, None]) ** 2).mean(axis=1))
    values[:, 14] = 1.0 - near / float(size * size)
    values[:, 15] = field.max(axis=1) - field.min(axis=1)
    sums = _patch_sums(stack["colors"], cells)  # (n, k, 3)
    means = sums / (255.0 * cells.patch_count[None, :, None])
    k = means.shape[1]
    hue, chroma = _hue_chroma(means.reshape(-1, 3))
    turn = np.abs(((hue.reshape(n, k) - cells.hue) + 180.0) % 360.0 - 180.0)
    ratio = chroma.reshape(n, k) / cells.chroma
    values[:, 16] = turn.max(axis=1)
    values[:, 17] = ratio.min(axis=1)
    values[:, 18] = ratio.max(axis=1)
    dots = stack["dots"].reshape(n, -1)
    at_dots = stack["dots"].reshape(n, -1, 3)[:, cells.dot_index].reshape(n, -1)
    values[:, 19] = (at_dots.mean(axis=1) - dots.mean(axis=1)) / 255.0
    values[:, 20] = np.log2([_levels_used(img) for img in stack["ramp"]])
    with_geo = None
    for row, j in enumerate(usable):
        kps, exact = runs[j][1], runs[j][2]
        if exact:
            found[j] = ((kps is None, finite[row], exact), values[row], _MARGINS)
        else:
            if with_geo is None:  # (the signature goes on with the geometry image's blocks)
                with_geo = np.hstack([values, _stacked_blocks(stack["geo"], side).mean(axis=2)])  # (n, 21 + 16)
            found[j] = ((kps is None, finite[row], exact), with_geo[row], _GEO_MARGINS)
    return found


def _levels_used(img: Array) -> int:
    """How many distinct values an 8-bit image holds, its channels pooled: the levels OpenCV's histogram of its
    rows counts (the same counts as ``np.bincount``, in half the time)."""
    import cv2

    rows = np.ascontiguousarray(img).reshape(img.shape[0], -1)
    return int(np.count_nonzero(cv2.calcHist([rows], [0], None, [256], [0, 256])))


def _keypoint_signature(kps: FloatArray, cells: _Cells, size: int, values: FloatArray) -> int:
    """The readings of the affine map fitted to the keypoints, into ``values[:8]``; the number of keypoints kept."""
    keep = np.isfinite(kps).all(axis=1)
    finite = int(keep.sum())
    if finite < 6:
        return finite
    X = cells.keypoints[keep]
    # (with keypoints lost, the normal equations: a 3x3 system, well conditioned on pixel coordinates)
    sol: Array = cells.fit_keypoints @ kps if finite == len(kps) else np.linalg.solve(X.T @ X, X.T @ kps[keep])
    residual = float(np.sqrt(np.mean(np.sum((kps[keep] - X @ sol) ** 2, axis=1))))
    mapped = cells.corners @ sol
    inside = (mapped >= -0.5) & (mapped <= size - 0.5 + 1.0)
    _map_signature(sol, residual, float(inside.all(axis=1).mean()), size, values)
    return finite


def _map_signature(sol: FloatArray, residual: float, kept: float, size: int, values: FloatArray) -> None:
    """The readings of a fitted affine map (``sol``: its 3x2 least-squares solution) into ``values[:8]``."""
    (a, c), (b, d), (tx, ty) = sol.tolist()  # x' = a x + b y + tx, y' = c x + d y + ty
    det = a * d - b * c
    mirror = det < 0
    if mirror:  # read the turn and shear of the map with x mirrored back
        a, c = -a, -c
    sx, sy = math.hypot(a, c), math.hypot(b, d)
    theta_x, theta_y = math.degrees(math.atan2(c, a)), math.degrees(math.atan2(-b, d))
    centre = (size - 1) / 2
    moved = max(abs(a * centre + b * centre + tx - centre), abs(c * centre + d * centre + ty - centre))
    values[:8] = (
        float(mirror),
        min(abs(_wrap(theta_x)), abs(_wrap(theta_y))),
        min(sx, sy),
        max(sx, sy),
        moved / size,
        abs(_wrap(theta_y - theta_x)),
        kept,
        residual,
    )


def _stacked_blocks(imgs: Array, side: int) -> FloatArray:
    """(n, 16, channels): the means of each image's 4x4 blocks of ``side`` pixels, in [0, 1]."""
    import cv2

    top = imgs[:, : 4 * side, : 4 * side].astype(np.float32)
    means = [cv2.resize(img, (4, 4), interpolation=cv2.INTER_AREA) for img in top]  # whole blocks: plain means
    return np.asarray(means, dtype=float).reshape(len(imgs), 16, -1) / 255.0


class _Box:
    """The range of the signatures of the runs read in full, per key."""

    def __init__(self) -> None:
        self._ranges: dict[tuple[Any, ...], tuple[FloatArray, FloatArray]] = {}

    def covers(self, signature: tuple[tuple[Any, ...], FloatArray, FloatArray] | None) -> bool:
        if signature is None or signature[0] not in self._ranges:
            return False
        lo, hi = self._ranges[signature[0]]
        _, v, margin = signature
        return bool(np.all(v >= lo - margin) and np.all(v <= hi + margin))

    def outside(self, signature: tuple[tuple[Any, ...], FloatArray, FloatArray] | None) -> float:
        """How far the signature lies outside the range, in margins (<= 0 inside; infinite: not comparable)."""
        if signature is None or signature[0] not in self._ranges:
            return math.inf
        lo, hi = self._ranges[signature[0]]
        _, v, margin = signature
        return float(np.max(np.maximum(lo - v, v - hi) / margin) - 1.0)

    def add(self, signature: tuple[tuple[Any, ...], FloatArray, FloatArray] | None) -> None:
        if signature is None:
            return
        key, v, _ = signature
        lo, hi = self._ranges.get(key, (v, v))
        self._ranges[key] = (np.minimum(lo, v), np.maximum(hi, v))
