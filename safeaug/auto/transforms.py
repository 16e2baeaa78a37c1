"""``RandAugment`` and ``TrivialAugment`` inside a policy, as albumentations compositions.

Both are compositions of the policy's ops (:func:`safeaug.auto.ops`) built as albumentations transforms,
so masks, keypoints, boxes and additional targets follow the image, the pipeline's seed drives every draw,
and the objects pickle. ``A.to_dict`` stores the arguments (policy, ``n``, ``m``, ...) rather than the ops:
loading rebuilds the space from the installed catalog, and the linter judges the whole space without
albumentations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import albumentations as A
import numpy as np

from safeaug.auto.space import Op, budgeted, ops
from safeaug.errors import ConfigError
from safeaug.policies import PolicyLike, load_policy
from safeaug.policies.stored import SerialisedPolicy, policy_from_dict, policy_to_dict
from safeaug.policy import Policy

_MODULE = "safeaug.auto"  # the name configs use: A.to_dict writes `safeaug.auto.RandAugment`


def _policy(policy: PolicyLike | SerialisedPolicy, params: Mapping[str, Any]) -> Policy:
    if isinstance(policy, Mapping):
        if params:
            raise ConfigError("policy parameters go inside a stored policy's `arguments`, not beside it")
        return policy_from_dict(policy)
    return load_policy(policy, **params)


def _stored(policy: PolicyLike | SerialisedPolicy, loaded: Policy) -> Any:
    """How the policy is written in a saved config: a built-in id as given, anything else whole."""
    if isinstance(policy, str) and policy == loaded.id:
        return policy
    return policy_to_dict(loaded)


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name}: expected a whole number >= {low}, got {value!r}")
    return value


class _Auto:
    """What RandAugment and TrivialAugment share: the policy, the space and how they serialise."""

    policy: Policy
    space: list[Op]
    _init: dict[str, Any]

    def _setup(
        self,
        policy: PolicyLike | SerialisedPolicy,
        params: Mapping[str, Any],
        only: Sequence[str] | None,
        label_flip: Mapping[str, Any] | None,
    ) -> list[Op]:
        loaded = _policy(policy, params)
        space = ops(loaded, label_flip=label_flip, only=list(only) if only is not None else None)
        if not space:
            raise ConfigError(f"policy `{loaded.id}` admits no op of the RandAugment family")
        self.policy = loaded
        return space

    def to_dict_private(self) -> dict[str, Any]:
        out: dict[str, Any] = {"__class_fullname__": self.get_class_fullname()}  # type: ignore[attr-defined]
        out.update(self._init)
        out["p"] = self.p  # type: ignore[attr-defined]
        return out

    def get_dict_with_id(self) -> dict[str, Any]:
        out = self.to_dict_private()
        out["id"] = id(self)
        out["params"] = None
        out["transforms"] = [t.get_dict_with_id() for t in self.transforms]  # type: ignore[attr-defined]
        return out

    @property
    def ops(self) -> list[str]:
        """The names of the ops in this transform's space."""
        return [o.op for o in self.space]


class RandAugment(_Auto, A.SomeOf):  # type: ignore[misc]
    """RandAugment inside a policy: ``n`` ops drawn per call, each at magnitude ``m``.

    ``m`` counts bins of ``num_magnitude_bins`` (torchvision's convention: ``m=9`` of 31 bins is 30% of
    the range); the top bin is the policy's bound for each op's effect *shared across the* ``n`` *draws*,
    so any ``n`` ops drawn together stay inside the policy (two turns drawn together turn at most the
    policy's bound). Each drawn op samples its argument in its symmetric range up to magnitude ``m``.

    ``ops`` keeps a subset of the policy's op space, ``weights`` draws them with these relative weights
    (uniform by default); ``label_flip`` gives the arguments of the label-aware flip a policy that mirrors
    only with a label transform needs; ``params`` are the policy's parameters.
    """

    __module__ = _MODULE

    def __init__(
        self,
        policy: PolicyLike | SerialisedPolicy,
        n: int = 2,
        m: float = 9,
        num_magnitude_bins: int = 31,
        p: float = 1.0,
        *,
        ops: Sequence[str] | None = None,
        weights: Sequence[float] | None = None,
        label_flip: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        **policy_params: Any,
    ) -> None:
        _check_int("RandAugment.n", n, 1)
        bins = _check_int("RandAugment.num_magnitude_bins", num_magnitude_bins, 2)
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 <= m <= bins - 1:
            raise ConfigError(
                f"RandAugment.m: expected a number from 0 to {bins - 1} (num_magnitude_bins - 1), got {m!r}"
            )
        merged = {**(params or {}), **policy_params}
        space = self._setup(policy, merged, ops, label_flip)
        self.space = budgeted(space, n, self.policy)
        self.magnitude = float(m) / (bins - 1)
        self.weights = _weights(weights, len(self.space))
        super().__init__([o.build(self.magnitude) for o in self.space], n=n, replace=True, p=p)
        self._init = {
            "policy": _stored(policy, self.policy),
            "n": n,
            "m": m,
            "num_magnitude_bins": bins,
            "ops": list(ops) if ops is not None else None,
            "weights": [float(w) for w in self.weights] if self.weights is not None else None,
            "label_flip": dict(label_flip) if label_flip else None,
            "params": dict(merged) if merged and not isinstance(policy, Mapping) else None,
        }

    def _get_idx(self) -> np.ndarray[Any, np.dtype[np.int_]]:
        # n ops with replacement, in the order drawn (torchvision's RandAugment), weighted when asked
        idx: np.ndarray[Any, np.dtype[np.int_]] = self.random_generator.choice(
            len(self.transforms), size=self.n, replace=True, p=self.weights
        )
        return idx


class TrivialAugment(_Auto, A.OneOf):  # type: ignore[misc]
    """TrivialAugment inside a policy: one op per call, at a magnitude drawn uniformly up to the bound.

    Each op is built over its whole range up to the policy's bound, so its argument is drawn uniformly from
    "nothing" to the policy's limit (TrivialAugment draws a magnitude bin uniformly; here the draw is
    continuous). ``num_magnitude_bins`` is kept for torchvision's signature and serialisation.
    """

    __module__ = _MODULE

    def __init__(
        self,
        policy: PolicyLike | SerialisedPolicy,
        num_magnitude_bins: int = 31,
        p: float = 1.0,
        *,
        ops: Sequence[str] | None = None,
        label_flip: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        **policy_params: Any,
    ) -> None:
        bins = _check_int("TrivialAugment.num_magnitude_bins", num_magnitude_bins, 2)
        merged = {**(params or {}), **policy_params}
        self.space = self._setup(policy, merged, ops, label_flip)
        super().__init__([o.build(1.0) for o in self.space], p=p)
        self._init = {
            "policy": _stored(policy, self.policy),
            "num_magnitude_bins": bins,
            "ops": list(ops) if ops is not None else None,
            "label_flip": dict(label_flip) if label_flip else None,
            "params": dict(merged) if merged and not isinstance(policy, Mapping) else None,
        }


def _weights(weights: Sequence[float] | None, count: int) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    if weights is None:
        return None
    w = np.asarray(list(weights), dtype=float)
    if w.shape != (count,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ConfigError(
            f"weights: expected {count} non-negative numbers (one per op) with a positive sum, got {list(weights)!r}"
        )
    normalised: np.ndarray[Any, np.dtype[np.float64]] = w / w.sum()
    return normalised
