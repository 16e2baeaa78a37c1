"""``safeaug.Compose``: an ``albumentations.Compose`` that refuses to be built against its policy."""

from __future__ import annotations

from typing import Any

import albumentations as A

from safeaug.errors import PolicyViolationError
from safeaug.policies import PolicyLike, load_policy
from safeaug.policy import Policy
from safeaug.readers import read_transform_list
from safeaug.report import Report
from safeaug.validator import judge


class Compose(A.Compose):  # type: ignore[misc]
    """Validate at construction, then behave exactly like ``albumentations.Compose``.

    >>> import albumentations as A, safeaug  # doctest: +SKIP
    >>> safeaug.Compose([A.RandomGamma(gamma_limit=(80, 120))], policy="chest_xray")  # doctest: +SKIP
    >>> safeaug.Compose([A.HorizontalFlip()], policy="chest_xray")  # doctest: +SKIP
    Traceback (most recent call last):
    safeaug.errors.PolicyViolationError: policy 'chest_xray' refuses this pipeline (1 error): ...

    The call path is albumentations' own, untouched: same outputs for the same seed, no cost per
    sample. ``.report`` keeps the warnings; ``.policy`` the resolved policy.
    """

    policy: Policy
    report: Report

    def __init__(self, transforms: list[Any], *, policy: PolicyLike, **kwargs: Any) -> None:
        resolved = load_policy(policy)
        p = kwargs.get("p", 1.0)
        report = judge(read_transform_list(list(transforms), p=p), resolved)
        if not report.ok:
            raise PolicyViolationError(report)
        super().__init__(transforms, **kwargs)
        self.policy = resolved
        self.report = report
