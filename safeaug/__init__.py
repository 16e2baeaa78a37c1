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
    from safeaug.probing import probe, wrap

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
    "probe",
    "register_transform",
    "unregister_transform",
    "validate",
    "wrap",
]


def __getattr__(name: str) -> Any:
    # Compose needs albumentations (and OpenCV); the linter and validator do not, so load it on demand.
    if name == "Compose":
        from safeaug.compose import Compose

        return Compose
    # The probe needs numpy (and runs albumentations objects); wrap probes. Neither is needed to lint.
    if name == "probe":
        from safeaug.probing import probe

        return probe
    if name == "wrap":
        from safeaug.probing import wrap

        return wrap
    raise AttributeError(f"module 'safeaug' has no attribute {name!r}")
