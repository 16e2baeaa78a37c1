"""A policy's op space: the RandAugment/TrivialAugment ops it admits, with magnitudes mapped onto its bounds.

Nothing here imports albumentations: the space is computed from the catalog and the policy (the linter
uses it to judge a saved ``RandAugment``), and an op is built as an albumentations transform only when
:meth:`Op.build` is called.

Every candidate drives one effect. Its magnitude 1 is the policy's bound on that effect (or, where the
policy leaves the effect unbounded, the largest value torchvision's RandAugment uses); magnitude 0 does
nothing. A candidate enters the space when the validator admits it at magnitude 1 with no finding at all;
where its bound drives another effect past the policy (a zoom at the scale bound that crops more than the
crop bound allows), magnitude 1 is the largest share of that bound the policy admits; an op the policy
refuses even at 5% of its bound, or only warns about, is left out. A mirror that the policy allows only with a
label transform enters only as the label-aware flip that performs it, and only when its arguments are
given (``label_flip``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from safeaug import _installed
from safeaug.catalog._registry import get_entry
from safeaug.catalog._renames import REMOVED_IN_X, x_name
from safeaug.effects import IDENTITY, Envelope, field_rule
from safeaug.errors import ConfigError
from safeaug.ir import Mode, Node
from safeaug.policies import PolicyLike, load_policy
from safeaug.policy import Policy
from safeaug.rules import RULES_BY_NAME

Args = dict[str, Any]


@dataclass(frozen=True)
class Candidate:
    """One op of the RandAugment/TrivialAugment family, mapped onto an albumentations transform.

    ``effect`` is the effect its magnitude drives (a rule name, e.g. ``rotation``) or None for an op
    without magnitude; ``natural`` is its largest value when the policy leaves the effect unbounded;
    ``args(value)`` gives the transform's arguments for a value of the effect in its units.
    """

    op: str  # the op's name in the RandAugment literature (Rotate, ShearX, Posterize, ...)
    name: str  # the albumentations class
    effect: str | None
    natural: float | tuple[float, float] | None
    args: Callable[[Any], Args]


def _sym(v: float) -> list[float]:
    return [-float(v), float(v)]


def _range(lo: float, hi: float) -> list[float]:
    return [float(lo), float(hi)]


_CONSTANT = {"border_mode": 0, "fill": 0, "fill_mask": 0}
# Brightness as a shift of the level, on every line (AlbumentationsX's default multiplies instead).
_ADDITIVE = {"brightness_by_max": True}


CANDIDATES: tuple[Candidate, ...] = (
    Candidate("Identity", "NoOp", None, None, lambda _v: {}),
    Candidate("Rotate", "Affine", "rotation", 30.0, lambda v: {"rotate": _sym(v), **_CONSTANT}),
    Candidate("ShearX", "Affine", "shear", 16.7, lambda v: {"shear": {"x": _sym(v), "y": [0.0, 0.0]}, **_CONSTANT}),
    Candidate("ShearY", "Affine", "shear", 16.7, lambda v: {"shear": {"x": [0.0, 0.0], "y": _sym(v)}, **_CONSTANT}),
    Candidate(
        "TranslateX",
        "Affine",
        "translation",
        0.45,
        lambda v: {"translate_percent": {"x": _sym(v), "y": [0.0, 0.0]}, **_CONSTANT},
    ),
    Candidate(
        "TranslateY",
        "Affine",
        "translation",
        0.45,
        lambda v: {"translate_percent": {"x": [0.0, 0.0], "y": _sym(v)}, **_CONSTANT},
    ),
    Candidate("Zoom", "Affine", "scale", (0.7, 1.3), lambda v: {"scale": _range(*v), "keep_ratio": True, **_CONSTANT}),
    Candidate(
        "Brightness",
        "RandomBrightnessContrast",
        "brightness",
        0.9,
        lambda v: {"brightness_limit": _sym(v), "contrast_limit": [0.0, 0.0], **_ADDITIVE},
    ),
    Candidate(
        "Contrast",
        "RandomBrightnessContrast",
        "contrast",
        (0.1, 1.9),
        lambda v: {"brightness_limit": [0.0, 0.0], "contrast_limit": _range(v[0] - 1.0, v[1] - 1.0), **_ADDITIVE},
    ),
    Candidate(
        "Color",
        "ColorJitter",
        "saturation",
        (0.1, 1.9),
        lambda v: {"brightness": [1.0, 1.0], "contrast": [1.0, 1.0], "saturation": _range(*v), "hue": [0.0, 0.0]},
    ),
    Candidate(
        "Sharpness", "Sharpen", "sharpen", 1.0, lambda v: {"alpha": _range(0.0, 0.9 * v), "lightness": [1.0, 1.0]}
    ),
    Candidate("Posterize", "Posterize", "posterize", 4.0, lambda v: {"num_bits": [math.ceil(v), 8]}),
    Candidate("Solarize", "Solarize", "nonmonotone", 1.0, lambda v: {"threshold_range": _range(1.0 - 0.99 * v, 1.0)}),
    Candidate("Equalize", "Equalize", "equalization", None, lambda _v: {}),
    Candidate("AutoContrast", "AutoContrast", "equalization", None, lambda _v: {}),
    Candidate("Invert", "InvertImg", "inversion", None, lambda _v: {}),
    Candidate("HorizontalFlip", "HorizontalFlip", "mirror", None, lambda _v: {}),
    Candidate("VerticalFlip", "VerticalFlip", "mirror", None, lambda _v: {}),
    Candidate(
        "Elastic",
        "ElasticTransform",
        "nonrigid",
        1.0,
        lambda v: {"alpha": 1.0 + 60.0 * v, "sigma": 6.0, **_CONSTANT},
    ),
    Candidate(
        "GridDistortion",
        "GridDistortion",
        "nonrigid",
        1.0,
        lambda v: {"distort_limit": _sym(0.3 * v), "border_mode": 0},
    ),
    Candidate(
        "Gamma",
        "RandomGamma",
        "gamma",
        (0.5, 1.5),
        lambda v: {"gamma_limit": _range(100.0 * v[0], 100.0 * v[1])},
    ),
    Candidate("CLAHE", "CLAHE", "equalization", 1.0, lambda v: {"clip_limit": _range(1.0, 1.0 + 3.0 * v)}),
    Candidate("Noise", "GaussNoise", "noise", 0.1, lambda v: {"std_range": _range(0.0, v)}),
    Candidate("Blur", "GaussianBlur", "blur", 2.0, lambda v: {"sigma_limit": _range(0.1 * v, v), "blur_limit": 0}),
    Candidate(
        "Dropout",
        "CoarseDropout",
        "occlusion",
        0.25,
        lambda v: {
            "num_holes_range": [1, 1],
            "hole_height_range": _range(0.5 * math.sqrt(v), math.sqrt(v)),
            "hole_width_range": _range(0.5 * math.sqrt(v), math.sqrt(v)),
            "fill": 0,
        },
    ),
)

CANDIDATE_NAMES: tuple[str, ...] = tuple(c.op for c in CANDIDATES)
_BY_OP = {c.op: c for c in CANDIDATES}


@dataclass(frozen=True)
class Op:
    """One op of a policy's space: ``build(magnitude)`` for a magnitude in [0, 1].

    Magnitude 1 is exactly the bound ``limit`` on the op's ``effect`` (``limit`` is None for an op whose
    effect is a yes/no one, such as a flip). ``args(magnitude)`` gives the albumentations arguments; the
    transform is built with ``p=1`` (RandAugment decides whether it runs).
    """

    op: str
    name: str
    effect: str | None
    limit: float | tuple[float, float] | None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def value(self, magnitude: float) -> Any:
        """The effect's value at ``magnitude`` (degrees, a fraction, a factor range, bits)."""
        m = _check_magnitude(magnitude)
        limit = self.limit
        if limit is None:
            return m
        if isinstance(limit, tuple):
            lo, hi = limit
            return (1.0 - m * (1.0 - lo), 1.0 + m * (hi - 1.0))
        if self.effect == "posterize":  # fewer bits is more: 8 bits at magnitude 0
            return 8.0 - m * (8.0 - limit)
        return m * limit

    def args(self, magnitude: float) -> Args:
        out = {} if self.name.startswith("safeaug.labels.") else _BY_OP[self.op].args(self.value(magnitude))
        out.update(self.extra)
        return out

    def node(self, magnitude: float, location: str = "") -> Node:
        """The op at ``magnitude`` as a pipeline-tree node (what the validator reads)."""
        return Node(name=self.name, params=self.args(magnitude), p=1.0, location=location, mro=(self.name,))

    def envelope(self, magnitude: float) -> Envelope:
        entry = get_entry(self.name)
        if entry is None:  # pragma: no cover - every candidate has a catalog entry (tested)
            raise ConfigError(f"{self.name} has no catalog entry")
        from safeaug.catalog._registry import Params, defaults_for

        return entry.describe(Params(self.name, self.args(magnitude), defaults_for(self.name))).including_identity()

    def build(self, magnitude: float = 1.0) -> Any:
        """The albumentations transform at ``magnitude`` (imports albumentations)."""
        import albumentations as A

        if self.name.startswith("safeaug.labels."):
            import safeaug.labels as labels

            cls = getattr(labels, self.name.rsplit(".", 1)[-1])
        else:
            cls = getattr(A, self.name)
        return cls(**_spelled(self.name, self.args(magnitude)), p=1.0)


# AlbumentationsX takes at most 7 bits for Posterize (8, no posterisation, is 2.0.8's top of the range).
_X_MOST_BITS = 7


def _spelled(name: str, args: Args) -> Args:
    """``args`` (2.0.8 names) as the installed line takes them (AlbumentationsX renamed ranges, takes only pairs)."""
    if _installed.installed_line().line != "X":
        return args
    out: Args = {}
    for key, value in args.items():
        spelled = x_name(name, key)
        if spelled != key and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value, value]  # a bare number there is refused
        out[spelled] = value
    if name == "Posterize":
        out["num_bits"] = [min(int(b), _X_MOST_BITS) for b in out["num_bits"]]
    return out


def _builds_here(candidate: Candidate) -> bool:
    """Whether the installed line can build the candidate as written (AlbumentationsX dropped some arguments)."""
    if _installed.installed_line().line != "X":
        return True
    natural = candidate.natural
    value = 1.0 if natural is None else natural
    return REMOVED_IN_X.get(candidate.name, frozenset()).isdisjoint(candidate.args(value))


def _check_magnitude(magnitude: float) -> float:
    if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)) or not 0.0 <= magnitude <= 1.0:
        raise ConfigError(f"magnitude: expected a number from 0 to 1, got {magnitude!r}")
    return float(magnitude)


def _limit(candidate: Candidate, policy: Policy) -> float | tuple[float, float] | bool | None:
    """The candidate's magnitude-1 value under ``policy``; False when the policy forbids its effect."""
    effect = candidate.effect
    natural = candidate.natural
    inv = policy.invariant(effect) if effect is not None else None
    if inv is not None and not inv.allowed:
        return False
    if natural is None or effect is None:
        return None
    kind = RULES_BY_NAME[effect].kind if effect in RULES_BY_NAME else "flag"
    if kind == "flag" or inv is None or (inv.min is None and inv.max is None):
        return natural
    if kind == "max":
        assert isinstance(natural, float)
        bound = min(natural, float(inv.max)) if inv.max is not None else natural
        return bound if bound > 0 else False
    if kind == "min":  # posterize: bits kept
        assert isinstance(natural, float)
        return max(natural, float(inv.min)) if inv.min is not None else natural
    assert isinstance(natural, tuple)
    lo = max(natural[0], float(inv.min)) if inv.min is not None else natural[0]
    hi = min(natural[1], float(inv.max)) if inv.max is not None else natural[1]
    lo, hi = min(lo, 1.0), max(hi, 1.0)
    return (lo, hi) if (lo, hi) != (1.0, 1.0) else False


def _admits(policy: Policy, node: Node) -> bool:
    from safeaug.validators import judge

    root = Node(name="Compose", p=1.0, children=(node,), mode="sequence")
    try:
        report = judge(root, policy)
    except ConfigError:
        return False
    return not report.findings


def _label_flips(policy: Policy, label_flip: Mapping[str, Any] | None) -> list[Op]:
    """The label-aware flip the policy asks for, when its arguments are given."""
    inv = policy.invariant("mirror")
    if inv is None or inv.needs_label_transform is None or not label_flip:
        return []
    from safeaug.catalog._registry import known_names

    needed = inv.needs_label_transform.name
    for name in sorted(known_names()):
        entry = get_entry(name)
        if entry is None or needed not in entry.label_transforms or not name.startswith("safeaug.labels."):
            continue
        return [Op("HorizontalFlip", name, "mirror", None, dict(label_flip))]
    return []


def ops(
    policy: PolicyLike,
    *,
    label_flip: Mapping[str, Any] | None = None,
    only: Sequence[str] | None = None,
    **params: Any,
) -> list[Op]:
    """The ops ``policy`` admits, each with magnitude 1 at the policy's bound for the effect it drives.

    ``params`` are the policy's parameters (as for :func:`safeaug.load_policy`). ``label_flip`` gives the
    arguments of the label-aware flip a policy that mirrors only with a label transform needs (e.g.
    ``{"class_map": {...}}`` for ``traffic_signs``); without it no flip enters such a space. ``only``
    keeps the named ops (``"Rotate"``, ``"Posterize"``, ...), in that order; naming an op the policy
    refuses is an error.
    """
    loaded = load_policy(policy, **params)
    space = _space(loaded, _freeze(label_flip))
    if only is None:
        return list(space)
    by_name = {o.op: o for o in space}
    unknown = [n for n in only if n not in CANDIDATE_NAMES]
    if unknown:
        raise ConfigError(f"unknown op {unknown[0]!r}; ops: {', '.join(CANDIDATE_NAMES)}")
    refused = [n for n in only if n not in by_name]
    if refused:
        raise ConfigError(
            f"policy `{loaded.id}` refuses the op{'s' * (len(refused) > 1)} {', '.join(refused)}; "
            f"its op space: {', '.join(by_name)}"
        )
    return [by_name[n] for n in dict.fromkeys(only)]


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("__seq__", *(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and value[0] == "__seq__":
            return [_thaw(v) for v in value[1:]]
        return {k: _thaw(v) for k, v in value}
    return value


@lru_cache(maxsize=256)
def _space(policy: Policy, label_flip: Any) -> tuple[Op, ...]:
    out: list[Op] = []
    for candidate in CANDIDATES:
        limit = _limit(candidate, policy) if _builds_here(candidate) else False
        if limit is False:
            continue
        assert not isinstance(limit, bool)
        op = _largest_admitted(policy, Op(candidate.op, candidate.name, candidate.effect, limit))
        if op is not None:
            out.append(op)
    for flip in _label_flips(policy, _thaw(label_flip) if label_flip else None):
        if not any(o.effect == "mirror" for o in out) and _admits(policy, flip.node(1.0)):
            out.append(flip)
    return tuple(out)


# An op whose bound on its own effect brings another effect past the policy (a zoom at the policy's scale
# bound that pushes more of the frame out than its crop bound allows) is shrunk until the policy admits it,
# by bisection on the share of its limit; below this share it is left out.
_SMALLEST_SHARE = 0.05


def _largest_admitted(policy: Policy, op: Op) -> Op | None:
    """``op`` at its limit when the policy admits it there, else shrunk to the largest share admitted."""
    if _admits(policy, op.node(1.0)):
        return op
    if op.limit is None or not _admits(policy, shrink(op, _SMALLEST_SHARE).node(1.0)):
        return None
    lo, hi = _SMALLEST_SHARE, 1.0
    for _ in range(10):
        mid = (lo + hi) / 2
        if _admits(policy, shrink(op, mid).node(1.0)):
            lo = mid
        else:
            hi = mid
    return shrink(op, lo)


# ------------------------------------------------------------------------------------------ budgets


def split(op: Op, n: int) -> Op:
    """``op`` with its limit shared across ``n`` draws: ``n`` of them in a row stay inside its limit.

    Magnitudes that add (turns, shifts, shears, brightness, noise) are divided by ``n``; blur sigmas, which
    compose as variances, by ``sqrt(n)``; factor ranges (zoom, contrast, gamma, saturation) take the n-th
    root; hidden area ``a`` becomes ``1 - (1 - a)^(1/n)``. Bits kept and yes/no effects do not add up.
    """
    limit = op.limit
    if n <= 1 or limit is None or op.effect is None:
        return op
    rule = RULES_BY_NAME.get(op.effect)
    if isinstance(limit, tuple):
        lo, hi = limit
        new: float | tuple[float, float] = (lo ** (1.0 / n), hi ** (1.0 / n))
    elif rule is None or rule.kind == "flag" or op.effect == "posterize":
        return op
    else:
        how = field_rule(rule.fields[0])
        if how == "rss":
            new = limit / math.sqrt(n)
        elif how == "area":
            new = 1.0 - (1.0 - limit) ** (1.0 / n)
        else:
            new = limit / n
    return Op(op.op, op.name, op.effect, new, op.extra)


def shrink(op: Op, factor: float) -> Op:
    """``op`` with its limit scaled toward doing nothing by ``factor`` (in [0, 1])."""
    limit = op.limit
    if limit is None or factor >= 1.0:
        return op
    if isinstance(limit, tuple):
        lo, hi = limit
        new: float | tuple[float, float] = (1.0 - factor * (1.0 - lo), 1.0 + factor * (hi - 1.0))
    elif op.effect == "posterize":
        new = 8.0 - factor * (8.0 - limit)
    else:
        new = factor * limit
    return Op(op.op, op.name, op.effect, new, op.extra)


def budgeted(space: Sequence[Op], n: int, policy: Policy) -> list[Op]:
    """The ops of ``space`` with limits such that any ``n`` of them drawn in a row stay inside ``policy``.

    Each effect's bound is split across the ``n`` draws (:func:`split`); the composition at full magnitude
    is then judged, and shrunk further when an effect one op drives adds to another's (a turn after a
    zoom, ...), until the validator admits it.
    """
    ops_ = [split(o, n) for o in space]
    factor = 1.0
    for _ in range(12):
        trial = [shrink(o, factor) for o in ops_]
        if _admits_draws(policy, trial, n):
            return trial
        factor *= 0.8
    raise ConfigError(  # pragma: no cover - the split alone is enough for every built-in policy (tested)
        f"no magnitude keeps {n} draws of this op space inside policy `{policy.id}`; use a smaller n"
    )


def draws_node(space: Sequence[Op], n: int, magnitude: float, location: str = "") -> Node:
    """``n`` draws (with replacement) from ``space`` at ``magnitude``, as a ``SomeOf`` node."""
    kids = tuple(o.node(magnitude, f"{location}.ops[{i}]" if location else f"ops[{i}]") for i, o in enumerate(space))
    mode: Mode = "some_of" if n > 1 else "one_of"
    return Node(
        name="SomeOf" if n > 1 else "OneOf",
        params={"n": n, "replace": True} if n > 1 else {},
        p=1.0,
        children=kids,
        mode=mode,
        location=location,
    )


def _admits_draws(policy: Policy, space: Sequence[Op], n: int) -> bool:
    if not space:
        return True
    from safeaug.validators import judge

    report = judge(draws_node(space, n, 1.0), policy)
    return report.ok and not report.findings


def draws_envelope(space: Sequence[Op], n: int, magnitude: float) -> Envelope:
    """The envelope of ``n`` draws from ``space`` at ``magnitude``: the worst op ``n`` times, per effect."""
    envs = [o.envelope(magnitude) for o in space]
    if not envs:
        return IDENTITY
    if n <= 1:
        return Envelope.union_of(envs)
    return Envelope.some_of(envs, n, replace=True)
