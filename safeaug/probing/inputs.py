"""Other kinds of input: after the square RGB uint8 runs, the probe images go through again as a grey
image, a one-channel image, uint16, float32, float64, RGBA, an int16 CT slice, and on a portrait and a landscape
frame (geometry only)."""

from __future__ import annotations

import warnings
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from safeaug.effects import Envelope
from safeaug.probing.geometry import _WARPED_PX, _decompose, _Geometry, _is_identity, _measure_geometry, _where
from safeaug.probing.images import (
    Array,
    FloatArray,
    _as_rgb8,
    _as_variant,
    _fresh,
    _Images,
    _rect_images,
    _variant_images,
)
from safeaug.probing.measure import _Ask, _drive, _geometry_fields, _measure_runs, _Reading, _run_reading
from safeaug.probing.runners import ProbeError, Run, Runner, _force, _is_albumentations, _keypoints_tell_all, repeats
from safeaug.probing.tone import _Map, _read_intensity

# A transform may act on some inputs and not others (a function that mirrors only grey films, or turns
# every portrait image to landscape). After the square RGB uint8 runs, the probe images go through again as
# a grey image (H, W), a one-channel image (H, W, 1), uint16, float32, float64, RGBA and an int16 CT slice
# (each read back in 8-bit RGB), and a portrait and a landscape image (geometry only). Fewer runs each: a
# transform that acts on a kind of input acts on it whatever the draw, and the draws' range is read on the
# square runs.
_SHARED_RUNS = 2  # square runs kept to compare the other inputs' runs with


_VARIANT_RUNS = {
    "grey": 2,
    "one-channel": 1,
    "uint16": 1,
    "float32": 1,
    "float64": 1,
    "RGBA": 1,
    "int16": 1,
    "portrait": 2,
    "landscape": 2,
}


_VARIANT_NAMES = {
    "grey": "grey (H, W) uint8",
    "one-channel": "one-channel (H, W, 1) uint8",
    "uint16": "RGB uint16",
    "float32": "RGB float32",
    "float64": "RGB float64",
    "RGBA": "RGBA (H, W, 4) uint8",
    "int16": "grey (H, W) int16 CT numbers",
    "portrait": "96x64 and 97x64 portrait RGB uint8, geometry only",
    "landscape": "64x96 and 64x97 landscape RGB uint8, geometry only",
}


# The frames of each run: the second of each has its long side odd (the square runs' sides are even), so that a
# function that acts only on odd heights or only on odd widths is seen.
_RECT_SHAPES = {"portrait": ((96, 64), (97, 64)), "landscape": ((64, 96), (64, 97))}
# What a run on a portrait or landscape frame is read for (``_rect_geometry``), and on a grey, one-channel,
# 16-bit or float input (``_variant_reading``): unmeasured when a kind's runs cannot be read (the frame's
# landmarks not found; an output not set by the input and seed).
_FRAME_FIELDS = ("mirror", "rotation", "shear", "scale_min", "scale_max", "nonrigid")
_VARIANT_FIELDS = (*_FRAME_FIELDS, "inversion")
_VARIANT_MARGIN = 2.0  # px from the ramp's band edges (see _variant_reading)


def _variant_reading(
    out: dict[str, Array], kps: FloatArray | None, exact: bool, images: _Images, dtype: Any, kind: str
) -> Generator[_Ask, Any, dict[str, Any]]:
    """What one run on a variant input did to the geometry, and whether it inverted the ramp (the fields found),
    asking the stacked readers (``measure._drive``) for its geometry and its ramp's grey-level map.

    Geometry and inversion only: the finer pixel readings are calibrated on 8-bit RGB, and a one-channel or
    float image posterised, blurred or noised the same way reads differently (a 1-bit posterisation of a grey
    image erases the dots). An output of another type than the input's (``dtype``) is read by its own type's range
    (a uint16 film returned as float in [0, 1] is read as that float), but taken for a negative only if it keeps
    the ramp's levels apart (:func:`_keeps_levels`): a negative returned in another type is still a negative,
    while a function written for 8-bit images (``clip(x.astype(int16) - 8, 0, 255)``, whose int16 wraps a uint16
    film's bright half below zero) turns the ramp into two or three levels that may fall from dark to bright.
    ``kind``: the kind of input (an int16 output of the int16 input holds CT numbers, see ``images._as_rgb8``).
    """
    rgb = {k: _as_rgb8(out[k], kind) for k in ("geo", "ramp")}  # all this reads
    size, shape = images.size, rgb["geo"].shape[:2]
    g: _Geometry | None = yield _Ask("geometry", (rgb, kps, exact))
    found: dict[str, Any] = {}
    if g is not None and g.residual > _WARPED_PX:
        found["nonrigid"] = True
    elif g is not None and not (_is_identity(g, 1e-3) and shape == (size, size)):
        found.update(_geometry_fields(_decompose(g, (size, size), shape)))
    if g is None or g.residual <= _WARPED_PX:
        # (no flat grey: its channel noise is not taken off this ramp). The ramp is read 2 px clear of its band
        # edges, as the square runs' is at the least: no pixel of a 64 px probe lies 8 px from one, so the margin
        # an unread spread gives the square runs (10 px) would leave nothing to read here. A spread this input
        # alone gets mixes neighbouring bands' levels near their edges; it cannot turn the ramp's order around.
        m: _Map | None = yield _Ask("map", (rgb["ramp"], None, None, _where(g, shape, size), _VARIANT_MARGIN, 0.0))
        if (
            m is not None
            and _read_intensity(m, 0.0, False).inversion
            and _ends_swapped(m)
            and (out["geo"].dtype == dtype or _keeps_levels(m))
        ):
            found["inversion"] = True
    return found


_KEPT_LEVELS = 8  # distinct 8-bit output levels a ramp read in another type must keep to be read as a negative


def _keeps_levels(m: _Map) -> bool:
    """Whether the ramp's output holds at least ``_KEPT_LEVELS`` distinct 8-bit levels."""
    return len(np.unique(np.rint(m.values * 255.0))) >= _KEPT_LEVELS


def _ends_swapped(m: _Map) -> bool:
    """Whether the ramp's darkest quarter of levels comes out brighter than its brightest quarter by half the range.

    What an inversion does; asked of these inputs on top of the tone reading's own test, since their ramp is read
    closer to its band edges, where a map that a poor geometry fit scrambles could otherwise read as falling.
    """
    low, high = m.values[m.levels <= 0.25], m.values[m.levels >= 0.75]
    return bool(low.size and high.size and float(np.median(low)) - float(np.median(high)) >= 0.5)


def _as_square(
    out: dict[str, Array],
    kps: FloatArray | None,
    first: tuple[dict[str, Array], FloatArray | None],
    kind: str,
    greys: dict[str, Array] | None = None,
) -> bool:
    """Whether a variant run's output is the square run's output, converted to the variant's kind and back.

    ``greys``: the square run's outputs made grey so far, by image (kept for the next grey or one-channel run
    compared with the same square run)."""
    square, square_kps = first
    if (kps is None) != (square_kps is None) or (
        kps is not None
        and square_kps is not None
        # (the same points are close: np.allclose only for points that moved at all)
        and not np.array_equal(kps, square_kps, equal_nan=True)
        and not np.allclose(kps, square_kps, equal_nan=True, atol=1e-3)
    ):
        return False
    greys = {} if greys is None else greys
    for name, img in out.items():
        ref = square[name]
        if ref.dtype != np.uint8 or ref.ndim != 3:
            return False
        # (8-bit RGB sent to uint16, float or RGBA and back is itself: no need to convert it)
        same_kind = kind in ("uint16", "float32", "float64", "RGBA") and ref.shape[2] == 3
        if kind in ("grey", "one-channel") and img.dtype == np.uint8:
            # 8-bit out of a one-channel input: both sides are one channel repeated (or the output's three), so
            # they are compared before the repeat (the same verdict, without converting either).
            grey = greys.get(name)
            if grey is None:  # (a one-channel input holds the same levels)
                grey = greys[name] = _as_variant(ref, "grey")
            a = img[..., None] if img.ndim == 2 else img
            if a.shape[:2] != grey.shape or a.shape[2] not in (1, 3):
                return False
            if any(_apart(a[..., c], grey) for c in range(a.shape[2])):
                return False
            continue
        a, b = _as_rgb8(img, kind), ref if same_kind else _as_rgb8(_as_variant(ref, kind), kind)
        if a.shape != b.shape or _apart(a, b):
            return False
    return True


def _apart(a: Array, b: Array) -> bool:
    """Whether two 8-bit images of one shape differ by more than 2 levels anywhere (OpenCV's absolute
    difference: the same whole numbers as numpy's, without widening either image)."""
    import cv2

    return int(cv2.absdiff(np.ascontiguousarray(a), np.ascontiguousarray(b)).max()) > 2


@dataclass
class _Pending:
    """The runs on grey, one-channel, 16-bit, float, RGBA and CT inputs, made and not yet read."""

    reads: list[tuple[str, Run, Any]] = field(default_factory=list)  # (kind, run, the input's type), in order
    failed: dict[str, str] = field(default_factory=dict)  # kind -> what it raised when run
    unsettled: list[str] = field(default_factory=list)  # kinds whose output a second run with one seed changed


def _variant_runs(
    runner: Runner, images: _Images, seed: int, firsts: list[tuple[dict[str, Array], FloatArray | None]]
) -> _Pending:
    """The runs on grey, one-channel, 16-bit, float, RGBA and CT inputs, each kind in turn (the frame runs come later).

    ``firsts``: the outputs of the first square runs. A run whose output is the square run's of the same seed,
    converted the same way (within 2 levels), shows nothing new and is not kept for reading.
    """
    pending = _Pending()
    greys: list[dict[str, Array]] = [{} for _ in firsts]  # the square runs' outputs made grey, once
    for kind, runs in _VARIANT_RUNS.items():
        if kind in _RECT_SHAPES:
            continue
        try:
            checked = False  # whether a run of this kind has been repeated
            for i in range(runs):
                variant = _fresh(_variant_images(images, kind))  # a float transform may work in place
                out, kps, exact = runner(variant, seed + i)
                if i < len(firsts) and _as_square(out, kps, firsts[i], kind, greys[i]):
                    continue
                # It does something else to this kind of input: only if it does it again for the same seed can
                # it be read (an output that takes whatever its memory held reads differently on every probe).
                if not checked:
                    if not repeats(runner, _fresh(_variant_images(images, kind)), seed + i, (out, kps, exact)):
                        pending.unsettled.append(kind)
                        pending.reads = [r for r in pending.reads if r[0] != kind]
                        break
                    checked = True
                pending.reads.append((kind, (out, kps, exact), variant.geo.dtype))
        except ProbeError:
            raise
        except Exception as exc:  # it cannot run on this kind of input: what it would do there stays unseen
            pending.failed[kind] = type(exc).__name__
    return pending


def _read_with_variants(
    runs: list[Run], pending: _Pending, images: _Images
) -> tuple[list[_Reading], list[dict[str, Any] | None]]:
    """The square runs' readings and the variant runs' (the fields each found), read side by side: the variant
    runs' geometry and grey-level maps share the stacks of the square runs' (each reads as alone).

    If anything raises, each is read again on its own, in turn, as the probe reads them: a square run's failure
    is the probe's, a variant run's says the transform cannot be read on that kind of input (None; that kind
    is marked failed in ``pending``, and its later runs are not read).
    """
    square = [_run_reading(out, kps, exact, images) for out, kps, exact in runs]
    variants = [_variant_reading(*run, images, dtype, kind) for kind, run, dtype in pending.reads]
    try:
        done = _drive([*square, *variants], images)
        return done[: len(square)], done[len(square) :]
    except Exception:  # (read apart below, so that whatever raised is told as before)
        for step in (*square, *variants):
            step.close()
    read = _measure_runs(runs, images)
    found: list[dict[str, Any] | None] = []
    unreadable: set[str] = set()
    for kind, run, dtype in pending.reads:
        if kind in unreadable:  # (a kind is read until one of its runs cannot be)
            found.append(None)
            continue
        try:
            found.append(_drive([_variant_reading(*run, images, dtype, kind)], images)[0])
        except ProbeError:
            raise
        except Exception as exc:
            unreadable.add(kind)
            pending.failed[kind] = type(exc).__name__
            found.append(None)
    return read, found


def _finish_variants(
    transform: Any,
    runner: Runner,
    images: _Images,
    seed: int,
    env: Envelope,
    inputs: list[str],
    notes: list[str],
    pending: _Pending,
    found: list[dict[str, Any] | None],
) -> tuple[Envelope, set[str]]:
    """The union of ``env`` with what the variant runs found and what the frame runs show, and the fields left
    unmeasured by a kind of input whose runs could not be read; ``inputs`` and ``notes`` grow, kind by kind."""
    for fields in found:
        if fields is not None:
            env = env.union(env.with_changes(**fields))
    failed = dict(pending.failed)
    unread: list[str] = []
    coordmaps: list[Any] = []
    for kind in _RECT_SHAPES:
        try:
            for i in range(_VARIANT_RUNS[kind]):
                if not coordmaps:  # (made once for all the frame runs)
                    coordmaps.append(_coordmap_copy(transform))
                rect = _rect_geometry(transform, runner, _RECT_SHAPES[kind][i], seed + i, coordmaps[0])
                if rect is None:
                    unread.append(kind)
                    break
                env = env.union(env.with_changes(**rect))
        except ProbeError:
            raise
        except Exception as exc:  # it cannot run on this kind of input: what it would do there stays unseen
            failed[kind] = type(exc).__name__
    for kind, runs in _VARIANT_RUNS.items():
        if kind not in failed and kind not in unread and kind not in pending.unsettled:
            inputs.append(f"{_VARIANT_NAMES[kind]} ({runs} run{'s' * (runs != 1)})")
    if failed:
        told = ", ".join(f"{kind} ({failed[kind]})" for kind in _VARIANT_RUNS if kind in failed)
        notes.append(f"it did not run on {told} images: what it does to them was not seen")
    unmeasured: set[str] = set()
    if unread:
        # A mirror or a turn made only on these frames could hide behind what hides the landmarks (a blur, a blot).
        notes.append(
            f"its geometry on {' and '.join(unread)} images could not be read (landmarks not found): "
            f"{', '.join(_FRAME_FIELDS)} count as unmeasured"
        )
        unmeasured.update(_FRAME_FIELDS)
    if pending.unsettled:
        notes.append(
            f"its output on {' and '.join(_VARIANT_NAMES[k] for k in pending.unsettled)} images changed between two "
            "runs with the same seed (it returns memory it never wrote there, or draws from a source the probe does "
            f"not seed): what it does to them is not read, and {', '.join(_VARIANT_FIELDS)} count as unmeasured"
        )
        unmeasured.update(_VARIANT_FIELDS)
    return env, unmeasured


def _coordmap_copy(transform: Any) -> Any:
    """A copy of ``transform`` forced to apply (as the runner's) and ready to measure coordinate maps
    (``safeaug.coordmap``), when albumentations' own code moves its pixels and the frame runs read its
    geometry from them; else None. One copy serves all the frame runs (each reseeds it)."""
    if not (_is_albumentations(transform) and _keypoints_tell_all(transform)):
        return None
    from safeaug.coordmap import _measuring_copy

    forced = _measuring_copy(transform, reseeded=True)  # (every frame run reseeds it)
    _force(forced)
    forced.p = 1.0
    return forced


def _rect_geometry(
    transform: Any, runner: Runner, shape: tuple[int, int], seed: int, forced: Any = None
) -> dict[str, Any] | None:
    """Mirror, turn, zoom and shear on a non-square input: from coordinate maps sent through as a mask where
    albumentations' own code moves the pixels (``forced``: :func:`_coordmap_copy`), else from the landmarks
    found in the output."""
    if forced is not None:
        from safeaug.coordmap import _measure_copy

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = _measure_copy(forced, shape, seed=seed)
        if r.collapsed:
            return {"scale_min": 0.0, "crop_min": 0.0}
        M = np.array(r.linear, dtype=float)
        linear = _Geometry(np.vstack([np.hstack([M, np.zeros((2, 1))]), [0.0, 0.0, 1.0]]), 0.0, 0.0)
        # albumentations' own code on another frame: its zoom (whole output pixels, not the exact factor the
        # square runs read) is the catalog's to bound; a mirror or a turn that only this frame shows is not.
        return _geometry_fields(_decompose(linear, shape, r.output_shape), scale=False)
    rect = _rect_images(*shape)
    out, kps, exact = runner(_fresh(rect), seed)
    g = _measure_geometry({"geo": _as_rgb8(out["geo"])}, kps, exact, rect)  # (it reads the geometry image only)
    if g is None:
        return None
    if g.residual > _WARPED_PX:
        return {"nonrigid": True}
    if _is_identity(g, 1e-5) and out["geo"].shape[:2] == shape:
        # Nothing moved (keypoints come back at float32 precision): within 1e-5 of the identity on this frame,
        # the turn, shear and zoom read lie two orders of magnitude inside their dead bands.
        return {}
    return _geometry_fields(_decompose(g, shape, out["geo"].shape[:2]))
