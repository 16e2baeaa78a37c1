"""Input images for a review: 8-bit, 16-bit and DICOM files, their labels, and how they are shown.

A 16-bit image or a DICOM file runs through the pipeline as float32 in [0, 1] (a 16-bit file divided
by the largest value the bits its data use can hold, so 12-bit data in a 16-bit PNG spans 0-1; a DICOM
file by its data range after the rescale slope and intercept) and is shown through a window: the file's own
window centre/width when a DICOM gives one, else the 0.5th to 99.5th percentile of the input.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from safeaug.errors import SafeaugError

Array = npt.NDArray[Any]

MASK_COLOUR = (255, 64, 64)
KEYPOINT_COLOUR = (64, 255, 64)
BOX_COLOUR = (255, 200, 0)


class ReviewInputError(SafeaugError):
    """An input image or label file that cannot be read (a usage error: exit 2)."""


@dataclass
class ReviewImage:
    """One input: its pixels as the pipeline receives them, the window to show them and its labels."""

    name: str
    image: Array
    window: tuple[float, float] | None = None  # (low, high) in the image's values; None for 8-bit
    mask: Array | None = None
    keypoints: list[tuple[float, float]] = field(default_factory=list)
    bboxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # pascal_voc pixels
    inverted: bool = False  # DICOM MONOCHROME1: high values are dark


def _cv2() -> Any:
    import cv2

    return cv2


def load_image(path: str | os.PathLike[str], labels: Mapping[str, Any] | None = None) -> ReviewImage:
    """Read a PNG, JPEG, TIFF (8 or 16 bits) or DICOM file, with optional labels."""
    file = Path(path)
    if not file.is_file():
        raise ReviewInputError(f"{file}: no such image file")
    if file.suffix.lower() in (".dcm", ".dicom"):
        img = _read_dicom(file)
    else:
        raw = _cv2().imread(str(file), _cv2().IMREAD_UNCHANGED)
        if raw is None:
            raise ReviewInputError(f"{file}: not an image OpenCV can read (expected PNG, JPEG, TIFF or DICOM .dcm)")
        if raw.ndim == 3 and raw.shape[2] == 4:
            raw = raw[:, :, :3]
        if raw.ndim == 3:
            raw = _cv2().cvtColor(raw, _cv2().COLOR_BGR2RGB)
        img = from_array(file.name, raw)
    if labels:
        _attach(img, labels, file)
    return img


def from_array(name: str, pixels: Array, window: tuple[float, float] | None = None) -> ReviewImage:
    """An in-memory image: uint8 runs as is; 16-bit and other integers run as float32 in [0, 1]."""
    arr = np.asarray(pixels)
    if arr.dtype == np.uint8:
        return ReviewImage(name, arr, window)
    if np.issubdtype(arr.dtype, np.integer):
        # the largest value the bits in use can hold: 12-bit data in a 16-bit file runs as 0-4095 -> 0-1
        bits = max(8, int(arr.max(initial=0)).bit_length())
        top = float(min(2**bits - 1, np.iinfo(arr.dtype).max))
        scaled = (arr.astype(np.float32) / top).astype(np.float32)
        win = (window[0] / top, window[1] / top) if window else _percentile_window(scaled)
        return ReviewImage(name, scaled, win)
    scaled = arr.astype(np.float32)
    return ReviewImage(name, scaled, window or _percentile_window(scaled))


def _percentile_window(arr: Array) -> tuple[float, float]:
    lo, hi = (float(v) for v in np.percentile(arr, (0.5, 99.5)))
    if hi <= lo:
        hi = lo + 1e-6
    return lo, hi


def _read_dicom(file: Path) -> ReviewImage:
    try:
        import pydicom
    except ImportError:
        raise ReviewInputError(
            f"{file}: reading DICOM needs pydicom; install it with `pip install safeaug[dicom]`"
        ) from None
    try:
        ds = pydicom.dcmread(str(file))
        raw = np.asarray(ds.pixel_array, dtype=np.float64)
    except Exception as exc:  # pydicom raises many types for a damaged file
        raise ReviewInputError(f"{file}: cannot read the DICOM file ({exc})") from None
    if raw.ndim != 2:
        raise ReviewInputError(f"{file}: expected a single 2-D DICOM image, got pixel data of shape {raw.shape}")
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    values = raw * slope + intercept
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo if hi > lo else 1.0
    scaled = ((values - lo) / span).astype(np.float32)
    window = None
    centre, width = getattr(ds, "WindowCenter", None), getattr(ds, "WindowWidth", None)
    if centre is not None and width is not None:
        c = float(centre[0] if isinstance(centre, Sequence) and not isinstance(centre, str) else centre)
        w = float(width[0] if isinstance(width, Sequence) and not isinstance(width, str) else width)
        window = ((c - w / 2 - lo) / span, (c + w / 2 - lo) / span)
    img = ReviewImage(file.name, scaled, window or _percentile_window(scaled))
    img.inverted = str(getattr(ds, "PhotometricInterpretation", "")) == "MONOCHROME1"
    return img


def _attach(img: ReviewImage, labels: Mapping[str, Any], file: Path) -> None:
    mask = labels.get("mask")
    if mask is not None:
        mask_path = Path(mask) if Path(mask).is_absolute() else file.parent / str(mask)
        m = _cv2().imread(str(mask_path), _cv2().IMREAD_GRAYSCALE)
        if m is None:
            raise ReviewInputError(f"{mask_path}: the mask of {file.name} cannot be read")
        if m.shape[:2] != img.image.shape[:2]:
            raise ReviewInputError(f"{mask_path}: mask is {m.shape[:2]}, image {file.name} is {img.image.shape[:2]}")
        img.mask = m
    try:
        img.keypoints = [(float(x), float(y)) for x, y in labels.get("keypoints") or []]
        img.bboxes = [(float(a), float(b), float(c), float(d)) for a, b, c, d in labels.get("bboxes") or []]
    except (TypeError, ValueError):
        raise ReviewInputError(
            f"labels of {file.name}: keypoints are [x, y] pairs and bboxes [x_min, y_min, x_max, y_max] in pixels"
        ) from None


def to_display(pixels: Array, window: tuple[float, float] | None, inverted: bool = False) -> Array:
    """An RGB uint8 picture of ``pixels`` through ``window`` (or min-max for values outside [0, 1])."""
    arr = np.asarray(pixels)
    if arr.dtype != np.uint8:
        f = arr.astype(np.float32)
        if window is not None:
            lo, hi = window
        else:
            lo, hi = (0.0, 1.0) if f.min() >= 0.0 and f.max() <= 1.0 else (float(f.min()), float(f.max()))
        if hi <= lo:
            hi = lo + 1e-6
        arr = (np.clip((f - lo) / (hi - lo), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if inverted:
        arr = 255 - arr
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    elif arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.shape[2] > 3:
        arr = arr[:, :, :3]
    return np.ascontiguousarray(arr)


def draw_labels(
    rgb: Array,
    mask: Array | None,
    keypoints: Sequence[Sequence[float]],
    bboxes: Sequence[Sequence[float]],
) -> Array:
    """The labels drawn over the picture: the mask's outline and tint, keypoints as dots, boxes as frames."""
    cv2 = _cv2()
    out = rgb.copy()
    line = max(1, round(min(out.shape[:2]) / 128))  # a 1-pixel line vanishes when the page scales a picture down
    if mask is not None:
        m = (np.asarray(mask) > 0).astype(np.uint8)
        if m.shape[:2] == out.shape[:2]:
            tint = out.copy()
            tint[m > 0] = MASK_COLOUR
            out = cv2.addWeighted(out, 0.7, tint, 0.3, 0)
            contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(out, contours, -1, MASK_COLOUR, line)
    radius = max(2, min(out.shape[:2]) // 100)
    for kp in keypoints:
        cv2.circle(out, (round(kp[0]), round(kp[1])), radius, KEYPOINT_COLOUR, -1)
    for box in bboxes:
        cv2.rectangle(out, (round(box[0]), round(box[1])), (round(box[2]), round(box[3])), BOX_COLOUR, line)
    return np.asarray(out)


def write_png(path: Path, rgb: Array) -> None:
    cv2 = _cv2()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise ReviewInputError(f"{path}: cannot write the image")
