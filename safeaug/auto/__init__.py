"""Automatic augmentation inside a policy: RandAugment, TrivialAugment and a search on Optuna.

>>> from safeaug import auto
>>> [o.op for o in auto.ops("ocr")][:3]
['Identity', 'Rotate', 'ShearX']

``ops`` needs neither albumentations nor Optuna; ``RandAugment``/``TrivialAugment``/``from_string`` import
albumentations, ``search`` imports Optuna (the ``search`` extra). See ``docs/auto.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from safeaug.auto.space import CANDIDATE_NAMES, Op, ops

if TYPE_CHECKING:
    from safeaug.auto.study import SearchResult, search
    from safeaug.auto.timm import from_string
    from safeaug.auto.transforms import RandAugment, TrivialAugment

__all__ = ["CANDIDATE_NAMES", "Op", "RandAugment", "SearchResult", "TrivialAugment", "from_string", "ops", "search"]

_LAZY = {
    "RandAugment": "safeaug.auto.transforms",
    "TrivialAugment": "safeaug.auto.transforms",
    "from_string": "safeaug.auto.timm",
    "search": "safeaug.auto.study",
    "SearchResult": "safeaug.auto.study",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'safeaug.auto' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
