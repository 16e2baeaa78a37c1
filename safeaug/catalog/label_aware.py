"""Label-aware transforms (``safeaug.labels``): what they do to the image, and which label change comes with it.

The flips mirror the image exactly as ``HorizontalFlip`` does (in the samples they do not skip), so their
envelope is a mirror; the colour transform jitters as ``ColorJitter`` does. What sets them apart is
``label_transforms``: the change to the label each performs along with its effect, which a policy's
``needs_label_transform`` asks for by name. This module reads no pixels and imports no albumentations,
OpenCV or numpy: the linter judges configs that name these transforms without them.

Each entry is registered under every name a pipeline can carry: ``safeaug.labels.X`` (a live object,
and what ``A.to_dict`` writes) and ``safeaug.X`` (the package export, as a Hydra ``_target_`` would
name it).
"""

from __future__ import annotations

from typing import Any

from safeaug.catalog import geometric, photometric
from safeaug.catalog._registry import Describe, Params, defaults_for, get_entry, register_transform
from safeaug.catalog._signatures import REQUIRED
from safeaug.effects import Envelope
from safeaug.errors import ConfigError

_MIRROR = Envelope(mirror=True)

# The flips' arguments as ``safeaug.labels`` takes them (a test compares them with the classes): a config that
# leaves out a required one, or names one the class does not take, does not build.
_FLIP_ARGUMENTS: dict[str, dict[str, Any]] = {
    "HorizontalFlipWithKeypointSwap": {"pairs": REQUIRED, "label_field": None, "p": 0.5},
    "HorizontalFlipWithClassMap": {"class_map": REQUIRED, "target": "label", "p": 0.5},
    "HorizontalFlipWithSteering": {"key": "steering", "p": 0.5},
    "HorizontalFlipWithCaption": {"key": "caption", "p": 0.5},
}


def _mirror(p: Params) -> Envelope:
    unknown = sorted(set(p.given) - set(p.defaults))
    if unknown:
        takes = ", ".join(f"`{k}`" for k in p.defaults)
        raise ConfigError(
            f"{p.transform} takes no argument `{unknown[0]}` (it takes {takes}), so the pipeline does not build"
        )
    return _MIRROR


assert photometric.FAMILY == "photometric"  # imported first: it registers the ColorJitter entry reused here
_COLOR_JITTER = get_entry("ColorJitter")


def _color_jitter(p: Params) -> Envelope:
    """jitters brightness, contrast, saturation and hue like ColorJitter, unless the caption names a colour"""
    assert _COLOR_JITTER is not None
    return _COLOR_JITTER.describe(Params(p.transform, p.given, defaults_for("ColorJitter")))


def _register(cls_name: str, describe: Describe, summary: str, label_transforms: set[str]) -> None:
    """Through the public door, in the family of the effect: a flip is held to the geometric contract."""
    jitter = describe is _color_jitter and _COLOR_JITTER is not None
    knobs = _COLOR_JITTER.knobs if jitter and _COLOR_JITTER is not None else {}
    # ColorJitterUnlessCaptionNamesColor takes ColorJitter's arguments, with its defaults, and the caption key.
    defaults = {**defaults_for("ColorJitter"), "key": "caption"} if jitter else _FLIP_ARGUMENTS[cls_name]
    for name in (f"safeaug.labels.{cls_name}", f"safeaug.{cls_name}"):
        register_transform(
            name,
            describe,
            defaults=defaults,
            knobs=knobs,
            label_transforms=label_transforms,
            family=photometric.FAMILY if jitter else geometric.FAMILY,
            summary=summary,
        )


_register(
    "HorizontalFlipWithKeypointSwap",
    _mirror,
    "mirrors left and right, and swaps left/right keypoint pairs",
    {"swap_left_right_keypoints"},
)
_register(
    "HorizontalFlipWithClassMap",
    _mirror,
    "mirrors left and right, and maps class labels through a flip table (skipping classes with no mirror image)",
    {"traffic_sign_flip_class_map", "swap_left_right_classes"},
)
_register(
    "HorizontalFlipWithSteering",
    _mirror,
    "mirrors left and right, and negates the steering angle",
    {"negate_steering"},
)
_register(
    "HorizontalFlipWithCaption",
    _mirror,
    "mirrors left and right, and swaps left/right in the caption (skipping captions it cannot rewrite)",
    {"rewrite_caption_left_right"},
)
_register(
    "ColorJitterUnlessCaptionNamesColor",
    _color_jitter,
    "jitters brightness, contrast, saturation and hue like ColorJitter, except when the caption names a colour",
    {"skip_colour_when_caption_names_colour"},
)

NAMES: tuple[str, ...] = tuple(
    sorted(
        f"{prefix}{cls}"
        for prefix in ("safeaug.labels.", "safeaug.")
        for cls in (
            "ColorJitterUnlessCaptionNamesColor",
            "HorizontalFlipWithCaption",
            "HorizontalFlipWithClassMap",
            "HorizontalFlipWithKeypointSwap",
            "HorizontalFlipWithSteering",
        )
    )
)
"""Every catalog name this module registers."""
