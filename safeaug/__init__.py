"""safeaug: domain-aware checks for image augmentation pipelines.

>>> import safeaug
>>> "chest_xray" in safeaug.list_policies()
True

The public API is what this module exports; everything else may move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeaug.catalog import Knob as Knob
from safeaug.catalog import Params as Params
from safeaug.catalog import register_transform as register_transform
from safeaug.catalog import unregister_transform as unregister_transform
from safeaug.effects import Envelope as Envelope
from safeaug.errors import ConfigError as ConfigError
from safeaug.errors import PolicyError as PolicyError
from safeaug.errors import PolicyViolationError as PolicyViolationError
from safeaug.errors import SafeaugError as SafeaugError
from safeaug.policies import list_policies as list_policies
from safeaug.policies import load_policy as load_policy
from safeaug.report import Finding as Finding
from safeaug.report import Report as Report
from safeaug.validators import check as check
from safeaug.validators import validate as validate
from safeaug.wrap import wrap as wrap  # eager: bound after the module safeaug.wrap, so the name is the function

if TYPE_CHECKING:
    from safeaug import auto as auto
    from safeaug import review as review
    from safeaug.compose import Compose as Compose
    from safeaug.compose import ReplayCompose as ReplayCompose
    from safeaug.labels import ColorJitterUnlessCaptionNamesColor as ColorJitterUnlessCaptionNamesColor
    from safeaug.labels import HorizontalFlipWithCaption as HorizontalFlipWithCaption
    from safeaug.labels import HorizontalFlipWithClassMap as HorizontalFlipWithClassMap
    from safeaug.labels import HorizontalFlipWithKeypointSwap as HorizontalFlipWithKeypointSwap
    from safeaug.labels import HorizontalFlipWithSteering as HorizontalFlipWithSteering
    from safeaug.policy import Invariant as Invariant
    from safeaug.policy import Policy as Policy
    from safeaug.policy import TransformRule as TransformRule
    from safeaug.probing import probe as probe

__version__ = "0.1.0"

# The public API, one entry per name: the module it comes from, and whether it loads on first use. Names
# that need albumentations (and OpenCV), numpy or pydantic are lazy, so the linter needs none of them
# and `import safeaug` stays cheap for them; a lazy name equal to its module is a subpackage. `__all__`,
# `dir(safeaug)` and the lazy loading below all read this table; a test checks the imports above against it.
_PUBLIC: dict[str, tuple[str, bool]] = {
    # name: (module, lazy)
    "ColorJitterUnlessCaptionNamesColor": ("safeaug.labels", True),
    "Compose": ("safeaug.compose", True),
    "ConfigError": ("safeaug.errors", False),
    "Envelope": ("safeaug.effects", False),
    "Finding": ("safeaug.report", False),
    "HorizontalFlipWithCaption": ("safeaug.labels", True),
    "HorizontalFlipWithClassMap": ("safeaug.labels", True),
    "HorizontalFlipWithKeypointSwap": ("safeaug.labels", True),
    "HorizontalFlipWithSteering": ("safeaug.labels", True),
    "Invariant": ("safeaug.policy", True),
    "Knob": ("safeaug.catalog", False),
    "Params": ("safeaug.catalog", False),
    "Policy": ("safeaug.policy", True),
    "PolicyError": ("safeaug.errors", False),
    "PolicyViolationError": ("safeaug.errors", False),
    "ReplayCompose": ("safeaug.compose", True),
    "Report": ("safeaug.report", False),
    "SafeaugError": ("safeaug.errors", False),
    "TransformRule": ("safeaug.policy", True),
    "auto": ("safeaug.auto", True),  # a subpackage: RandAugment, TrivialAugment and search within a policy
    "check": ("safeaug.validators", False),
    "list_policies": ("safeaug.policies", False),
    "load_policy": ("safeaug.policies", False),
    "probe": ("safeaug.probing", True),
    "register_transform": ("safeaug.catalog", False),
    "review": ("safeaug.review", True),  # a subpackage: safeaug.review.build / apply / agreement
    "unregister_transform": ("safeaug.catalog", False),
    "validate": ("safeaug.validators", False),
    "wrap": ("safeaug.wrap", False),  # a function in a module of the same name (see the import above)
}

__all__ = list(_PUBLIC)


def __dir__() -> list[str]:
    """The public names (lazily loaded ones included), not the helpers this module imports."""
    return sorted({*_PUBLIC, "__version__"})


def __getattr__(name: str) -> Any:
    module, lazy = _PUBLIC.get(name, ("", False))
    if not lazy:
        raise AttributeError(f"module 'safeaug' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    return loaded if module == f"safeaug.{name}" else getattr(loaded, name)
