"""safeaug: domain-aware checks for image augmentation pipelines.

>>> import safeaug
>>> "chest_xray" in safeaug.list_policies()
True

The public API is what this module exports; everything else may move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeaug.catalog import Knob, Params, register_transform, unregister_transform
from safeaug.effects import Envelope
from safeaug.errors import ConfigError, PolicyError, PolicyViolationError, SafeaugError
from safeaug.policies import list_policies, load_policy
from safeaug.report import Finding, Report
from safeaug.validator import check, validate

if TYPE_CHECKING:
    from safeaug.compose import Compose, ReplayCompose
    from safeaug.labels import (
        ColorJitterUnlessCaptionNamesColor,
        HorizontalFlipWithCaption,
        HorizontalFlipWithClassMap,
        HorizontalFlipWithKeypointSwap,
        HorizontalFlipWithSteering,
    )
    from safeaug.policy import Invariant, Policy, TransformRule
    from safeaug.probing import probe, wrap

__version__ = "0.1.0"

__all__ = [
    "ColorJitterUnlessCaptionNamesColor",
    "Compose",
    "ConfigError",
    "Envelope",
    "Finding",
    "HorizontalFlipWithCaption",
    "HorizontalFlipWithClassMap",
    "HorizontalFlipWithKeypointSwap",
    "HorizontalFlipWithSteering",
    "Invariant",
    "Knob",
    "Params",
    "Policy",
    "PolicyError",
    "PolicyViolationError",
    "ReplayCompose",
    "Report",
    "SafeaugError",
    "TransformRule",
    "check",
    "list_policies",
    "load_policy",
    "probe",
    "register_transform",
    "review",
    "unregister_transform",
    "validate",
    "wrap",
]


# Names that need albumentations (and OpenCV), numpy or pydantic load on demand: the linter needs none of
# them, and `import safeaug` stays cheap for it.
_LAZY = {
    "Invariant": "safeaug.policy",
    "Policy": "safeaug.policy",
    "TransformRule": "safeaug.policy",
    "Compose": "safeaug.compose",
    "ReplayCompose": "safeaug.compose",
    "probe": "safeaug.probing",
    "wrap": "safeaug.probing",
    "ColorJitterUnlessCaptionNamesColor": "safeaug.labels",
    "HorizontalFlipWithCaption": "safeaug.labels",
    "HorizontalFlipWithClassMap": "safeaug.labels",
    "HorizontalFlipWithKeypointSwap": "safeaug.labels",
    "HorizontalFlipWithSteering": "safeaug.labels",
    "review": "safeaug.review",  # a subpackage: safeaug.review.build / apply / agreement
}


def __dir__() -> list[str]:
    """The public names (lazily loaded ones included), not the helpers this module imports."""
    return sorted({*__all__, "__version__"})


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'safeaug' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    return loaded if module == f"safeaug.{name}" else getattr(loaded, name)
