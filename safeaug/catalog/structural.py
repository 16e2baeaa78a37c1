"""Transforms that change representation, not content, and those whose effect cannot be known."""

from __future__ import annotations

from safeaug.catalog._registry import Params, constant, entry, unknown
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

FAMILY = "structural"

# Representation only: dtype, range, layout. They do not change what the image shows.
constant(
    ["NoOp", "ToFloat", "FromFloat", "ToRGB", "ToTensorV2", "ToTensor3D"],
    Envelope(),
    family=FAMILY,
    summary="changes the representation (dtype, range or layout), not the content",
)


_NORMALIZATIONS = {"standard", "image", "image_per_channel", "min_max", "min_max_per_channel"}


@entry("Normalize", family=FAMILY)
def _normalize(p: Params) -> Envelope:
    """standardises intensities with fixed or per-image statistics; a deterministic preprocessing step"""
    mode = p.text("normalization")
    if mode not in _NORMALIZATIONS:
        raise ConfigError(f"Normalize.normalization: expected one of {sorted(_NORMALIZATIONS)}, got {mode!r}")
    return Envelope()


unknown(
    "Lambda",
    family=FAMILY,
    summary="runs arbitrary user functions; what they do cannot be read from the arguments",
)
