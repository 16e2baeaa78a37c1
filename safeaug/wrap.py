"""Checking a dataset transform once, when it is wrapped: :func:`wrap` and the :class:`Wrapped` it returns.

Albumentations parts with a catalog entry are judged from the catalog; everything else is probed
(``safeaug.probing``) and judged by what it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safeaug.errors import PolicyViolationError
from safeaug.policies import PolicyLike, load_policy
from safeaug.readers import read_pipeline
from safeaug.report import Report

if TYPE_CHECKING:
    from safeaug.policy import Policy


class Wrapped:
    """A transform that passed its policy: calling it calls the original with the same arguments.

    ``.report`` holds what the check found (warnings, e.g. ``SA408`` for parts described by probing),
    ``.policy`` the resolved policy and ``.fn`` the original. It pickles whenever the original does,
    so it can go into a ``DataLoader`` with worker processes.
    """

    __slots__ = ("__wrapped__", "fn", "policy", "report")

    def __init__(self, fn: Any, policy: Policy, report: Report) -> None:
        self.fn = fn
        self.policy = policy
        self.report = report
        self.__wrapped__ = fn  # inspect.signature(wrapped) shows the original's signature

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Everything else (``.transforms``, ``.set_random_seed``, ...) is the original's; never during unpickling.
        if name.startswith("__") or name in Wrapped.__slots__:
            raise AttributeError(name)
        return getattr(self.fn, name)

    def __getstate__(self) -> tuple[Any, Policy, Report]:
        return (self.fn, self.policy, self.report)

    def __setstate__(self, state: tuple[Any, Policy, Report]) -> None:
        fn, policy, report = state
        self.fn, self.policy, self.report, self.__wrapped__ = fn, policy, report, fn

    def __repr__(self) -> str:
        return f"safeaug.wrap({self.fn!r}, policy={self.policy.id!r})"


def wrap(fn: Any, policy: PolicyLike, *, seeds: int = 16, input_size: tuple[int, int] | None = None) -> Wrapped:
    """Check a dataset transform against ``policy`` now; return it unchanged in behaviour.

    ``fn`` is an albumentations transform or composition (checked from the catalog; parts safeaug has no
    entry for are run on probe images ``seeds`` times and judged by what they did), a callable in the
    albumentations style (``fn(image=...) -> dict``) or a plain function ``fn(image) -> image`` (both
    probed). Raises :class:`~safeaug.PolicyViolationError` when the policy refuses it, with every finding
    in ``.report``; a transform that cannot be run on a probe image is refused (``SA401``), never passed.
    ``input_size=(height, width)``: the size of the images it receives (see :func:`safeaug.validate`).
    """
    from safeaug.validators import input_size_of, judge  # the validator imports this module lazily

    size = input_size_of(input_size)
    resolved = load_policy(policy)
    report = judge(read_pipeline(fn), resolved, probe=True, seeds=seeds, input_size=size)
    if not report.ok:
        raise PolicyViolationError(report)
    return Wrapped(fn, resolved, report)
