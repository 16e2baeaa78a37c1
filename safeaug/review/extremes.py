"""Which argument of a transform drives which effect, and the argument values that show each effect at a
fraction of the transform's bound.

Nothing here is a hand list per transform. For every numeric argument (a number or a ``(low, high)``
pair) the transform's catalog entry is asked for the envelope with that argument pinned to one value
(``(v, v)``): the value whose envelope moves least is the argument's neutral point, and the effects whose
reading moves as the pinned value moves are the effects it drives. A target magnitude (25%, 50%, 75% or
100% of the transform's bound on one side) is then found by bisection on the pinned value, reading the
envelope each time; the magnitude recorded is the envelope's reading at the value chosen, in the effect's
unit. An effect no argument pins (a transform that draws it at random, a transform without a catalog
entry) is listed as shown only in random draws: it is never silently left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from safeaug.catalog._registry import Entry, Params, defaults_for, resolve
from safeaug.catalog._signatures import REQUIRED
from safeaug.effects import Envelope, field_rule
from safeaug.ir import Node
from safeaug.rules import EFFECT_RULES, Rule

FRACTIONS = (0.25, 0.5, 0.75, 1.0)

# Arguments that choose a method, not an amount: never pinned to a number.
_NOT_AMOUNTS = frozenset(
    {"p", "interpolation", "mask_interpolation", "border_mode", "fill", "fill_mask", "seed", "always_apply"}
)
_GRID = 40
# Envelope fields with no bound of their own (their size depends on the input): shown in random draws only.
_NO_BOUND = {
    "crop_unbounded": ("crop", "the area it keeps depends on the input size (a crop in pixels)"),
    "translation_px": ("translation", "it shifts by pixels, a share of the side that depends on the input size"),
    "occlusion_unbounded": ("occlusion", "the share it hides depends on the input size"),
    "aspect": ("scale", "it stretches the axes unequally, by an amount that depends on the input"),
    "canvas_growth": ("scale", "the frame grows around the content by an amount that depends on the input"),
}
_IDENTITY = Envelope()


@dataclass(frozen=True)
class Shot:
    """One image to show: ``effect`` at ``fraction`` of the transform's bound on one side.

    ``magnitude`` is in the effect's unit: signed degrees or fractions for a magnitude (``rotation``
    -15 is a turn of 15° the other way), the factor for a factor range (``scale`` 0.9), the floor for a
    floor (``crop`` 0.85 of the area kept), 1 for a yes/no effect. ``overrides`` are the arguments
    pinned to build the transform that shows it (``p`` is set to 1 when it runs).
    """

    effect: str
    magnitude: float
    fraction: float
    direction: int
    param: str | None
    overrides: Mapping[str, Any]
    # A fixed effect (a flip) is shown only when two runs with different seeds agree: then it is what
    # the transform always does, not one random draw of it.
    needs_determinism: bool = False
    # Other ways to pin it, tried in order when the transform refuses ``overrides`` (a neutral value the
    # catalog accepts but albumentations does not): the driving argument alone, when the catalog reads the
    # same magnitude with the other arguments as given.
    alternatives: tuple[Mapping[str, Any], ...] = ()


@dataclass
class TransformPlan:
    """Every shot for one transform of the pipeline, and the effects that can only be seen at random."""

    node: Node
    shots: list[Shot] = field(default_factory=list)
    random_only: dict[str, str] = field(default_factory=dict)  # effect -> why it cannot be pinned


def _rule_of_field() -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in EFFECT_RULES:
        for name in rule.fields:
            out[name] = rule
    return out


_RULE_OF_FIELD = _rule_of_field()


def effects_of(env: Envelope) -> list[Rule]:
    """The effects (rule names) an envelope moves, in rule order."""
    moved = {name for name in _RULE_OF_FIELD if getattr(env, name) != getattr(_IDENTITY, name)}
    return [r for r in EFFECT_RULES if moved & set(r.fields)]


def _distance(name: str, value: Any) -> float:
    """How far one envelope field is from doing nothing, on a common scale."""
    ident = getattr(_IDENTITY, name)
    if isinstance(ident, bool):
        return 1.0 if value else 0.0
    if value == ident:
        return 0.0
    if math.isinf(value):
        return 100.0
    rule = field_rule(name)
    x = float(value)
    if rule in ("mul_min", "mul_max") or name in ("resolution", "crop_min"):
        return abs(math.log(x)) if x > 0 else 100.0
    if name == "compression":
        return (100.0 - x) / 100.0
    if name == "posterize_bits":
        return (8.0 - x) / 8.0
    if name in ("rotation", "hue", "shear"):
        return abs(x) / 90.0
    return abs(x)


def _movement(env: Envelope, names: Sequence[str] | None = None) -> float:
    return sum(_distance(n, getattr(env, n)) for n in (names or _RULE_OF_FIELD))


def strength(rule: Rule, env: Envelope, side: int) -> float:
    """How strongly ``env`` shows ``rule`` on one side (0: not at all), for bisection."""
    if rule.kind == "flag":
        return 1.0 if getattr(env, rule.fields[0]) else 0.0
    if rule.kind == "range":
        lo, hi = float(getattr(env, rule.fields[0])), float(getattr(env, rule.fields[1]))
        return max(0.0, 1.0 - lo) if side < 0 else max(0.0, hi - 1.0)
    value = float(getattr(env, rule.fields[0]))
    if rule.kind == "min":
        return max(0.0, float(getattr(_IDENTITY, rule.fields[0])) - value)
    return float(value)


def magnitude(rule: Rule, env: Envelope, side: int, direction: int) -> float:
    """The reading of ``rule`` in ``env`` in the effect's unit (see :class:`Shot`)."""
    if rule.kind == "flag":
        return 1.0
    if rule.kind == "range":
        return float(getattr(env, rule.fields[0] if side < 0 else rule.fields[1]))
    value = float(getattr(env, rule.fields[0]))
    return value * direction if rule.kind == "max" else value


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


@dataclass
class _Arg:
    name: str
    lo: float
    hi: float
    integer: bool
    neutral: float = 0.0
    axes: tuple[str, ...] = ()  # a per-axis argument ({"x": ..., "y": ...}): every axis pinned alike
    drives: set[str] = field(default_factory=set)


class _Reader:
    """Reads the catalog entry's envelope for the node's arguments with some of them pinned."""

    def __init__(self, node: Node, entry: Entry, via: str | None) -> None:
        self.node = node
        self.entry = entry
        self.defaults = defaults_for(via or node.name)
        self.given = dict(node.params)
        self.axes: dict[str, tuple[str, ...]] = {}

    def value(self, name: str) -> Any:
        return self.given[name] if name in self.given else self.defaults.get(name)

    def pinned(self, pins: Mapping[str, float]) -> dict[str, Any]:
        """The arguments to write for ``pins``: ``(v, v)``, per axis for a per-axis argument."""
        out: dict[str, Any] = {}
        for k, v in pins.items():
            axes = self.axes.get(k)
            out[k] = {axis: (v, v) for axis in axes} if axes else (v, v)
        return out

    def envelope(self, pins: Mapping[str, float]) -> Envelope | None:
        given = dict(self.given)
        given.update(self.pinned(pins))
        try:
            return self.entry.describe(Params(self.node.name, given, self.defaults))
        except Exception:  # a pinned value the entry refuses: that value cannot be shown
            return None

    def _inside(self, name: str, v: float) -> bool:
        full, env = self.envelope({}), self.envelope({name: v})
        return full is not None and env is not None and full.contains(env)

    def arguments(self) -> list[_Arg]:
        out = []
        for name in sorted({*self.defaults, *self.given}):
            if name in _NOT_AMOUNTS:
                continue
            value = self.value(name)
            if value is None or value == REQUIRED:
                continue
            if _number(value):
                # a bare number may mean (-x, x), (0, x), (1, x) or (x, x): the values the transform can
                # really take are those whose pinned envelope lies inside its own envelope
                x = abs(float(value))
                inside = [v for v in _grid(-x, max(x, 1.0), False) if self._inside(name, v)]
                if inside:
                    out.append(_Arg(name, min(inside), max(inside), isinstance(value, int)))
            elif isinstance(value, (list, tuple)) and len(value) == 2 and all(_number(v) for v in value):
                lo, hi = sorted(float(v) for v in value)
                out.append(_Arg(name, lo, hi, all(isinstance(v, int) for v in value)))
            elif isinstance(value, Mapping) and value and set(value) <= {"x", "y"}:
                pairs = [v if isinstance(v, (list, tuple)) else (v, v) for v in value.values()]
                if all(len(pr) == 2 and all(_number(x) for x in pr) for pr in pairs):
                    flat = [float(x) for pr in pairs for x in pr]
                    self.axes[name] = tuple(value)
                    integer = all(isinstance(x, int) for pr in pairs for x in pr)
                    out.append(_Arg(name, min(flat), max(flat), integer, axes=tuple(value)))
        return out


def _grid(lo: float, hi: float, integer: bool) -> list[float]:
    points = {0.0, 1.0, 100.0} & {v for v in (0.0, 1.0, 100.0) if lo <= v <= hi}
    ordered = sorted(points)
    ordered += [lo + (hi - lo) * i / _GRID for i in range(_GRID + 1)]
    if integer:
        ordered = [float(round(v)) for v in ordered]
    seen: list[float] = []
    for v in ordered:
        if v not in seen:
            seen.append(v)
    return seen


def _extended(arg: _Arg) -> tuple[float, float]:
    """The argument's span, widened to reach 0 (or 1 from below): a target below its range can be shown too."""
    lo, hi = arg.lo, arg.hi
    if lo > 0.0:
        lo = 0.0
    if hi < 1.0 and hi > 0.0:
        hi = 1.0
    return lo, hi


def plan_transform(node: Node) -> TransformPlan:
    """The shots that show each effect of one transform (a leaf of the pipeline tree)."""
    plan = TransformPlan(node)
    found = resolve(node)
    if found.entry is None or found.entry.unknown:
        plan.random_only["(all)"] = f"safeaug has no catalog entry for {node.name}, so no argument can be pinned"
        return plan
    reader = _Reader(node, found.entry, found.via)
    full = reader.envelope({})
    if full is None:
        plan.random_only["(all)"] = f"safeaug cannot read the arguments of {node.name}"
        return plan
    effects = effects_of(full)
    for name, (effect, why) in _NO_BOUND.items():
        if getattr(full, name) != getattr(_IDENTITY, name) and effect not in {r.name for r in effects}:
            plan.random_only[effect] = why
    if not effects:
        return plan
    args = reader.arguments()
    for arg in args:
        best, best_score = None, math.inf
        lo, hi = _extended(arg)
        for v in _grid(lo, hi, arg.integer):
            env = reader.envelope({arg.name: v})
            if env is None:
                continue
            score = _movement(env)
            if score < best_score - 1e-12:
                best, best_score = v, score
        if best is None:
            continue
        arg.neutral = best
    neutral = {a.name: a.neutral for a in args}
    for arg in args:
        # an argument drives an effect when moving it moves the effect, with the other arguments as given
        # (arguments that multiply, like hole count and hole size) or at their neutral points (arguments
        # of which the largest counts, like a shift per axis)
        for others in ({}, {k: v for k, v in neutral.items() if k != arg.name}):
            at_neutral = reader.envelope({**others, arg.name: arg.neutral})
            if at_neutral is None:
                continue
            for v in _grid(arg.lo, arg.hi, arg.integer):
                env = reader.envelope({**others, arg.name: v})
                if env is None:
                    continue
                for rule in effects:
                    if any(getattr(env, f) != getattr(at_neutral, f) for f in rule.fields):
                        arg.drives.add(rule.name)
    base = reader.envelope(neutral) or full
    knobs = found.entry.knobs
    for rule in effects:
        drivers = [a for a in args if rule.name in a.drives]
        knob = knobs.get(rule.name)
        drivers.sort(key=lambda a: (knob is None or a.name != knob.param, a.name))
        shots: list[Shot] = []
        for driver in drivers:
            for strongest in (False, True):
                shots = _driven_shots(reader, rule, driver, drivers, args, strongest=strongest)
                if shots:
                    break
            if shots:
                break
        if shots:
            plan.shots.extend(shots)
        elif any(getattr(base, f) != getattr(_IDENTITY, f) for f in rule.fields):
            # the transform does this whatever its arguments (a flip): shown as given, and only when two
            # runs with different seeds agree (pinning other arguments could hide the very effect)
            side = -1 if rule.kind == "range" and strength(rule, base, -1) > 0 else 1
            plan.shots.append(Shot(rule.name, magnitude(rule, full, side, side), 1.0, side, None, {}, True))
        elif drivers:
            plan.random_only[rule.name] = (
                f"no value of {', '.join(f'`{d.name}`' for d in drivers)} could be pinned to show it on its own"
            )
        else:
            plan.random_only[rule.name] = f"no single argument of {node.name} sets it; it is drawn at random"
    return plan


def _driven_shots(
    reader: _Reader, rule: Rule, driver: _Arg, drivers: list[_Arg], args: list[_Arg], *, strongest: bool
) -> list[Shot]:
    """Shots of ``rule`` moving ``driver``; the other arguments at their neutral points, or (``strongest``)
    those that drive the effect too at their strongest (a hole size needs a hole count)."""
    pins: dict[str, float] = {}
    for a in args:
        if a is driver:
            continue
        if not a.drives:
            continue  # it moves no effect: left as given (a neutral value may be one the transform refuses)
        if strongest and a in drivers:
            ends = [v for v in (a.lo, a.hi)]
            scored = [(_strongest(reader, rule, {a.name: v}), v) for v in ends]
            pins[a.name] = max(scored)[1]
        else:
            pins[a.name] = a.neutral
    at_neutral = reader.envelope({**pins, driver.name: driver.neutral})
    if at_neutral is None:
        return []
    sides: list[tuple[float, int]] = []
    for end in sorted({driver.lo, driver.hi}):
        env = reader.envelope({**pins, driver.name: end})
        if env is None or end == driver.neutral:
            continue
        if rule.kind == "range":
            for side in (-1, 1):
                if strength(rule, env, side) > strength(rule, at_neutral, side) + 1e-9:
                    sides.append((end, side))
        elif strength(rule, env, 1) > strength(rule, at_neutral, 1) + 1e-9:
            sides.append((end, -1 if end < driver.neutral else 1))
    if rule.kind != "range":
        # one side per direction: the stronger end when both lie on the same side of the neutral point
        by_direction: dict[int, float] = {}
        for end, direction in sides:
            env = reader.envelope({**pins, driver.name: end})
            assert env is not None
            best = by_direction.get(direction)
            best_env = reader.envelope({**pins, driver.name: best}) if best is not None else None
            if best_env is None or strength(rule, env, 1) > strength(rule, best_env, 1):
                by_direction[direction] = end
        sides = [(end, d) for d, end in by_direction.items()]
        if len(sides) == 1:
            sides = [(sides[0][0], 1 if rule.kind != "max" or sides[0][0] > driver.neutral else -1)]
    shots: list[Shot] = []
    for end, side in sides:
        env_end = reader.envelope({**pins, driver.name: end})
        assert env_end is not None
        top = strength(rule, env_end, side)
        direction = side if rule.kind in ("max", "range") else 1
        fractions = (1.0,) if rule.kind == "flag" else FRACTIONS
        seen: set[float] = set()
        for fraction in fractions:
            value = _solve(reader, rule, pins, driver, driver.neutral, end, side, fraction * top)
            if value is None or value in seen:
                continue
            seen.add(value)
            env = reader.envelope({**pins, driver.name: value})
            if env is None or strength(rule, env, side) <= 0.0:
                continue
            shown = magnitude(rule, env, side, direction)
            alone = reader.envelope({driver.name: value})
            alternatives: tuple[Mapping[str, Any], ...] = ()
            if pins and alone is not None and math.isclose(magnitude(rule, alone, side, direction), shown):
                alternatives = (reader.pinned({driver.name: value}),)
            shots.append(
                Shot(
                    rule.name,
                    shown,
                    fraction,
                    direction,
                    driver.name,
                    reader.pinned({**pins, driver.name: value}),
                    alternatives=alternatives,
                )
            )
    return shots


def _strongest(reader: _Reader, rule: Rule, pins: Mapping[str, float]) -> float:
    env = reader.envelope(pins)
    if env is None:
        return -1.0
    return max(strength(rule, env, -1), strength(rule, env, 1))


def _solve(
    reader: _Reader,
    rule: Rule,
    pins: Mapping[str, float],
    driver: _Arg,
    start: float,
    end: float,
    side: int,
    target: float,
) -> float | None:
    """The pinned value between ``start`` (neutral) and ``end`` whose reading reaches ``target``."""

    def reach(v: float) -> float | None:
        env = reader.envelope({**pins, driver.name: v})
        return None if env is None else strength(rule, env, side)

    top = reach(end)
    if top is None:
        return None
    if rule.kind == "flag" or target >= top - 1e-12:
        return end
    a, b = start, end
    for _ in range(60):
        mid = (a + b) / 2.0
        got = reach(mid)
        if got is None:
            return None
        if got < target:
            a = mid
        else:
            b = mid
    value = b
    if driver.integer:
        value = float(round(value))
        if value == start:
            return None
    got = reach(value)
    if got is None or (not driver.integer and abs(got - target) > 1e-6 * max(1.0, abs(target))):
        return None
    return value
