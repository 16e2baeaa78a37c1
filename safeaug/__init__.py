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
from safeaug.policy import Invariant, Policy, TransformRule
from safeaug.report import Finding, Report
from safeaug.validator import check, validate

if TYPE_CHECKING:
    from safeaug.compose import Compose

__version__ = "0.1.0"

__all__ = [
    "Compose",
    "ConfigError",
    "Envelope",
    "Finding",
    "Invariant",
    "Knob",
    "Params",
    "Policy",
    "PolicyError",
    "PolicyViolationError",
    "Report",
    "SafeaugError",
    "TransformRule",
    "check",
    "list_policies",
    "load_policy",
    "register_transform",
    "unregister_transform",
    "validate",
]


def __getattr__(name: str) -> Any:
    # Compose needs albumentations (and OpenCV); the linter and validator do not, so load it on demand.
    if name == "Compose":
        from safeaug.compose import Compose

        return Compose
    raise AttributeError(f"module 'safeaug' has no attribute {name!r}")
