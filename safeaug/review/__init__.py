"""Expert review: a page of a pipeline's extremes on the reader's own images, a review file, and a policy
tightened by the readers' verdicts.

>>> from safeaug import review                                        # doctest: +SKIP
>>> review.build("train.yaml", "chest_xray", ["film1.png"], "review/")  # doctest: +SKIP
>>> review.apply(["review-ann.yaml", "review-bo.yaml"], "reviewed.yaml")  # doctest: +SKIP
>>> review.agreement(["review-ann.yaml", "review-bo.yaml"])            # doctest: +SKIP

Importing this package loads nothing heavy; albumentations and OpenCV load when a review is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from safeaug.review.builder import Review, build
    from safeaug.review.images import ReviewImage, ReviewInputError
    from safeaug.review.kappa import Agreement, agreement, cohen_kappa, fleiss_kappa
    from safeaug.review.reviewfile import ReviewFileError, load_review
    from safeaug.review.tighten import apply

__all__ = [
    "Agreement",
    "Review",
    "ReviewFileError",
    "ReviewImage",
    "ReviewInputError",
    "agreement",
    "apply",
    "build",
    "cohen_kappa",
    "fleiss_kappa",
    "load_review",
]

_LAZY = {
    "Agreement": "safeaug.review.kappa",
    "agreement": "safeaug.review.kappa",
    "cohen_kappa": "safeaug.review.kappa",
    "fleiss_kappa": "safeaug.review.kappa",
    "apply": "safeaug.review.tighten",
    "Review": "safeaug.review.builder",
    "build": "safeaug.review.builder",
    "ReviewImage": "safeaug.review.images",
    "ReviewInputError": "safeaug.review.images",
    "ReviewFileError": "safeaug.review.reviewfile",
    "load_review": "safeaug.review.reviewfile",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'safeaug.review' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
