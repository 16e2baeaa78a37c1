"""``safeaug.auto.RandAugment`` and ``TrivialAugment``, judged by their whole op space.

A saved RandAugment stores its arguments (policy, ``n``, ``m``, ...), not its ops. Its envelope is that of
``n`` draws with replacement from the op space the stored policy admits, each at magnitude ``m`` with the
policy's bounds shared across the draws, exactly as the live transform builds them; TrivialAugment's is
the union of its ops at full magnitude. So a RandAugment built for a policy is admitted by it, and one
built for a looser policy is refused by a stricter one, with the ops that drive each refused effect named.
This module imports neither albumentations nor numpy: the linter judges these configs without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safeaug.catalog._auto_names import RAND, TRIVIAL
from safeaug.catalog._registry import Knob, Params, entry
from safeaug.effects import IDENTITY, Envelope
from safeaug.errors import ConfigError, PolicyError
from safeaug.rules import EFFECT_RULES

FAMILY = "auto"


def _get(p: Mapping[str, Any], name: str, default: Any) -> Any:
    value = p.get(name, default)
    return default if value is None else value


def _whole(transform: str, name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{transform}.{name}: expected a whole number >= {low}, got {value!r}")
    return value


def _space(transform: str, given: Mapping[str, Any], *, rand: bool) -> tuple[list[Any], int, float]:
    """The ops the transform draws from, how many per call and at what magnitude (0 to 1)."""
    from safeaug.auto.space import budgeted, ops
    from safeaug.policies import load_policy
    from safeaug.policies.stored import policy_from_dict

    stored = given.get("policy")
    if stored is None:
        raise ConfigError(f"{transform}: `policy` is required and was not given")
    params = _get(given, "params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"{transform}.params: expected a mapping of policy parameters, got {params!r}")
    try:
        if isinstance(stored, Mapping):
            policy = policy_from_dict(stored)
        elif isinstance(stored, str):
            policy = load_policy(stored, **{str(k): v for k, v in params.items()})
        else:
            raise ConfigError(f"{transform}.policy: expected a policy id or a stored policy, got {stored!r}")
    except PolicyError as exc:
        raise ConfigError(f"{transform}.policy: {exc}") from None
    only = given.get("ops")
    if only is not None and (not isinstance(only, (list, tuple)) or not all(isinstance(o, str) for o in only)):
        raise ConfigError(f"{transform}.ops: expected a list of op names, got {only!r}")
    label_flip = given.get("label_flip")
    if label_flip is not None and not isinstance(label_flip, Mapping):
        raise ConfigError(f"{transform}.label_flip: expected a mapping of arguments, got {label_flip!r}")
    space = ops(policy, label_flip=label_flip, only=list(only) if only is not None else None)
    bins = _whole(transform, "num_magnitude_bins", _get(given, "num_magnitude_bins", 31), 2)
    if not rand:
        return space, 1, 1.0
    n = _whole(transform, "n", _get(given, "n", 2), 1)
    m = _get(given, "m", 9)
    if isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 <= m <= bins - 1:
        raise ConfigError(f"{transform}.m: expected a number from 0 to {bins - 1}, got {m!r}")
    return budgeted(space, n, policy), n, float(m) / (bins - 1)


def _envelope(p: Params, *, rand: bool) -> Envelope:
    from safeaug.auto.space import draws_envelope

    space, n, magnitude = _space(p.transform, p.given, rand=rand)
    return draws_envelope(space, n, magnitude) if space else IDENTITY


def _drivers(effect_fields: tuple[str, ...], *, rand: bool) -> Knob:
    """A knob on ``policy`` whose detail names the ops that drive the effect, with how far each goes."""
    name = RAND[0] if rand else TRIVIAL[0]

    def detail(given: Mapping[str, Any]) -> str:
        try:
            space, _n, magnitude = _space(name, given, rand=rand)
        except Exception:  # the arguments are bad: the validator reports that on its own
            return ""
        found = []
        for i, op in enumerate(space):
            env = op.envelope(magnitude)
            if any(getattr(env, f) != getattr(IDENTITY, f) for f in effect_fields):
                found.append(f"{op.op} (`{op.name}`, ops[{i}])")
        return f"; drawn from its ops {', '.join(found)}" if found else ""

    def example(_bound: Any) -> str:
        return "policy=<the policy it is judged by>"  # built for it, every op stays inside its bounds

    return Knob("policy", example=example, detail=detail)


def _knobs(*, rand: bool) -> dict[str, Knob]:
    return {rule.name: _drivers(rule.fields, rand=rand) for rule in EFFECT_RULES}


@entry(RAND, family=FAMILY, knobs=_knobs(rand=True), inheritable=False)
def _rand_augment(p: Params) -> Envelope:
    """draws n ops per call from the op space of its policy, each at magnitude m"""
    return _envelope(p, rand=True)


@entry(TRIVIAL, family=FAMILY, knobs=_knobs(rand=False), inheritable=False)
def _trivial_augment(p: Params) -> Envelope:
    """draws one op per call from the op space of its policy, at a magnitude up to the policy's bound"""
    return _envelope(p, rand=False)
