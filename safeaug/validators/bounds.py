"""The table-driven effect codes: each of the policy's invariants against each transform and the pipeline.

Every effect code (``SA101`` mirror ... ``SA406`` overlay) is one row of :data:`safeaug.rules.EFFECT_RULES`:
its kind (a flag, a maximum, a minimum or a range) says how an invariant bounds it, its fields which
envelope fields carry it. A transform that breaks the bound on its own is flagged; when the rest still
break it together, one more finding says which transforms do.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug.catalog._registry import Entry, Params, defaults_for
from safeaug.catalog._signatures import REQUIRED
from safeaug.effects import IDENTITY, Envelope, moved_fields
from safeaug.report import Finding
from safeaug.rules import EFFECT_RULES, RULES_BY_NAME, Rule
from safeaug.validators import messages
from safeaug.validators.config_words import built_in, written_setting
from safeaug.validators.context import Judgement, Leaf
from safeaug.validators.tree import refold

if TYPE_CHECKING:
    from safeaug.policy import Invariant, Policy

CODES = frozenset(rule.code for rule in EFFECT_RULES)

_TOL = 1e-9


def check(j: Judgement) -> list[Finding]:
    out: list[Finding] = []
    for inv in broken(j):
        rule = RULES_BY_NAME[inv.effect]
        if j.wants(rule.code):
            out += _invariant(j, inv, rule)
    return out


def broken(j: Judgement) -> tuple[Invariant, ...]:
    """The invariants the pipeline's envelope breaks, or whose bound it may break by an unknown amount."""
    if j.broken is None:
        j.broken = _broken(j.policy, j.total)
    return j.broken


def _broken(policy: Policy, total: Envelope) -> tuple[Invariant, ...]:
    """Policies are frozen and envelopes never change, so the answer is kept per (policy, envelope) object;
    the folds hand back the same envelope object for the same pipeline."""
    key = (id(policy), id(total))
    hit = _BROKEN.get(key)
    if hit is not None and hit[0] is policy and hit[1] is total:
        return hit[2]
    # Only effects the pipeline has at all can break a bound: look at those invariants alone.
    present = {name for name, _ in moved_fields(total)}
    found = []
    for inv in policy.invariants:
        rule = RULES_BY_NAME[inv.effect]
        if (
            present.isdisjoint(rule.fields)
            and not (inv.effect == "crop" and "crop_unbounded" in present)
            and not (inv.effect == "translation" and "translation_px" in present)
        ):
            continue
        if unbounded_in(rule, total) or breaks(inv, rule, total):
            found.append(inv)
    if len(_BROKEN) >= 1024:
        _BROKEN.clear()
    _BROKEN[key] = (policy, total, tuple(found))  # holds both, so neither id is reused while kept
    return tuple(found)


_BROKEN: dict[tuple[int, int], tuple[Policy, Envelope, tuple[Invariant, ...]]] = {}


def unbounded_in(rule: Rule, total: Envelope) -> bool:
    """Whether the envelope has the rule's effect by an amount that depends on the input."""
    return (
        (rule.name == "crop" and total.crop_unbounded)
        or (rule.name == "translation" and bool(total.translation_px))
        or (rule.name == "occlusion" and total.occlusion_unbounded)
    )


def values(rule: Rule, env: Envelope) -> Any:
    """The envelope's amount of the rule's effect (a pair for a range)."""
    if rule.kind == "range":
        return (getattr(env, rule.fields[0]), getattr(env, rule.fields[1]))
    return getattr(env, rule.fields[0])


def _violates(inv: Invariant, rule: Rule, env: Envelope) -> bool:
    if env is IDENTITY:
        return False
    kind = rule.kind
    if kind == "flag":
        return not inv.allowed and bool(getattr(env, rule.fields[0]))
    if kind == "max":
        limit = 0.0 if not inv.allowed else inv.max
        return limit is not None and float(getattr(env, rule.fields[0])) > limit + _TOL
    if kind == "min":
        floor = getattr(IDENTITY, rule.fields[0]) if not inv.allowed else inv.min
        return floor is not None and float(getattr(env, rule.fields[0])) < floor - _TOL
    lo, hi = float(getattr(env, rule.fields[0])), float(getattr(env, rule.fields[1]))
    if not inv.allowed:
        return lo < 1.0 - _TOL or hi > 1.0 + _TOL
    return (inv.min is not None and lo < inv.min - _TOL) or (inv.max is not None and hi > inv.max + _TOL)


def bound(inv: Invariant, rule: Rule, value: Any) -> Any:
    """The policy's bound in the effect's shape (a range's missing end is the value's)."""
    if rule.kind == "range":
        lo, hi = value
        return (inv.min if inv.min is not None else lo, inv.max if inv.max is not None else hi)
    return inv.max if rule.kind == "max" else inv.min


def breaks(inv: Invariant, rule: Rule, env: Envelope) -> bool:
    """Whether ``env`` breaks the invariant: beyond its bound, or the effect at all when it needs a label transform."""
    if inv.needs_label_transform is not None and inv.allowed:
        return env is not IDENTITY and values(rule, env) != values(rule, IDENTITY)
    return _violates(inv, rule, env)


def paired(j: Judgement, inv: Invariant) -> set[int]:
    """``id()`` of the transforms that change the labels along with the image, as the invariant asks."""
    needed = inv.needs_label_transform
    if needed is None:
        return set()
    return {id(leaf.node) for leaf in j.live if leaf.entry is not None and needed.name in leaf.entry.label_transforms}


def example_fits(inv: Invariant, rule: Rule, leaf: Leaf, limit: Any) -> str:
    """Whether the fix's example arguments keep the transform within the bound: ``"yes"`` written into it in
    place of what it says (its other arguments as written), ``"alone"`` only with its other arguments at their
    defaults (as written they move the effect too: a shear tilts the axes a rotation is read from, and
    AlbumentationsX's brightness multiplies its contrast gain), ``"no"`` neither.

    A fix that is followed and still refused costs the reader another round; the finding says which.
    """
    entry = leaf.entry
    knob = entry.knobs.get(rule.name) if entry is not None else None
    if entry is None or knob is None or knob.example is None:
        return "no"
    # The same transform, arguments, invariant and bound give the same answer, and a pipeline is judged again and
    # again. The leaf's envelope stands for its arguments: the fold hands back the same envelope object only for
    # the same arguments read (``tree._described``; arguments it cannot keep, and those a line may drop, get a new
    # one every time, and are worked out every time).
    key = (id(leaf.envelope), id(entry), id(inv), rule.name, repr(limit))
    hit = _FITS.get(key)
    if hit is not None and hit[0] is leaf.envelope and hit[1] is entry and hit[2] is inv:
        return hit[3]
    answer = _example_fits(inv, rule, leaf, entry, knob.example, limit)
    if len(_FITS) >= 512:
        _FITS.clear()
    _FITS[key] = (leaf.envelope, entry, inv, answer)  # holds all three, so no id is reused while kept
    return answer


_FITS: dict[tuple[int, int, int, str, str], tuple[Envelope, Entry, Invariant, str]] = {}


def _example_fits(
    inv: Invariant, rule: Rule, leaf: Leaf, entry: Entry, example: Callable[[Any], str], limit: Any
) -> str:
    try:
        call = ast.parse(f"f({example(limit)})", mode="eval").body
        assert isinstance(call, ast.Call)
        given = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg is not None}
    except Exception:  # an example written for another kind of bound, or not literal: not offered
        return "no"
    defaults = defaults_for(leaf.node.name)

    def within(written: Mapping[str, Any]) -> bool:
        try:
            env = entry.describe(Params(leaf.node.name, {**written, **given}, defaults))
        except Exception:  # the example is not a value the entry reads (a bug in the example, not the user's)
            return False
        return not breaks(inv, rule, env.including_identity())

    # Its other arguments at their defaults (those without one, such as a crop's size, as written).
    if not within({k: v for k, v in leaf.node.params.items() if defaults.get(k, REQUIRED) == REQUIRED}):
        return "no"
    # (each reading of the arguments, where the installed line drops some)
    return "yes" if all(within(w) for w in (leaf.node.params, *leaf.node.alt_params)) else "alone"


def fields(inv: Invariant) -> dict[str, Any]:
    """What every finding of an invariant carries besides its wording."""
    needed = inv.needs_label_transform
    return {
        "reason": inv.reason.strip(),
        "references": inv.references,
        "effect": inv.effect,
        "label_transform": needed.does if needed is not None and inv.allowed else None,
    }


# Fields a fold can set though no transform in it has them: a stretch after a turn shears, a cut-out after a
# growth hides more, a SelectiveChannelTransform recolours.
_MADE_BY_FOLDING = frozenset({"shear", "occlusion", "occlusion_unbounded", "color"})
_AT_REST = Envelope()  # every effect at its "does nothing" value, but not the IDENTITY object


def _movers(j: Judgement, rule: Rule) -> list[Leaf]:
    """The live transforms that have the rule's effect at all, in tree order."""
    index = j.movers
    if index is None:
        index = j.movers = _positions(tuple(leaf.envelope for leaf in j.live))
    live = j.live
    if len(rule.fields) == 1:
        return [live[i] for i in index.get(rule.fields[0], ())]
    return [live[i] for i in sorted({i for name in rule.fields for i in index.get(name, ())})]


def _positions(envelopes: tuple[Envelope, ...]) -> dict[str, tuple[int, ...]]:
    """Per envelope field, the positions of the envelopes that move it. Envelopes never change, so the index
    is kept per tuple of envelope objects: the same pipeline judged again folds to the same ones."""
    key = tuple(map(id, envelopes))
    hit = _POSITIONS.get(key)
    if hit is not None:
        return hit[1]
    found: dict[str, list[int]] = {}
    for i, env in enumerate(envelopes):
        if env is not IDENTITY:
            for name, _ in moved_fields(env):
                found.setdefault(name, []).append(i)
    index = {name: tuple(at) for name, at in found.items()}
    if len(_POSITIONS) >= 1024:
        _POSITIONS.clear()
    _POSITIONS[key] = (envelopes, index)  # holds the envelopes, so that no other can take one of their ids
    return index


_POSITIONS: dict[tuple[int, ...], tuple[tuple[Envelope, ...], dict[str, tuple[int, ...]]]] = {}


class _Reading(NamedTuple):
    """What an invariant's check needs that depends on the invariant alone."""

    common: dict[str, Any]  # what each of its findings carries besides the wording
    at_rest_breaks: bool  # doing nothing breaks the bound: every transform must be examined
    shortcut: bool  # the refold may be skipped when at most one of the rest has the effect


def _reading(inv: Invariant, rule: Rule) -> _Reading:
    """Kept per invariant object (policies are frozen), with the invariant, so that its id is not reused."""
    hit = _READINGS.get(id(inv))
    if hit is not None and hit[0] is inv:
        return hit[1]
    at_rest_breaks = breaks(inv, rule, _AT_REST)
    reading = _Reading(fields(inv), at_rest_breaks, not at_rest_breaks and _MADE_BY_FOLDING.isdisjoint(rule.fields))
    if len(_READINGS) >= 1024:
        _READINGS.clear()
    _READINGS[id(inv)] = (inv, reading)
    return reading


_READINGS: dict[int, tuple[Invariant, _Reading]] = {}


def _invariant(j: Judgement, inv: Invariant, rule: Rule) -> list[Finding]:
    common, at_rest_breaks, shortcut = _reading(inv, rule)
    pid = j.policy.id
    # Transforms that change the labels along with the image, as the policy asks, do not break it.
    skip = paired(j, inv)
    # A transform can only break the bound with the effect (unless doing nothing breaks it: then every one).
    movers = [leaf for leaf in j.live if leaf.envelope is not IDENTITY] if at_rest_breaks else _movers(j, rule)
    out: list[Finding] = []
    flagged: set[int] = set()
    for leaf in movers:
        if id(leaf.node) not in skip and breaks(inv, rule, leaf.envelope):
            flagged.add(id(leaf.node))
            value = values(rule, leaf.envelope)
            limit = bound(inv, rule, value)
            fits = example_fits(inv, rule, leaf, limit) if inv.allowed and rule.kind != "flag" else "no"
            words = messages.over_bound(inv, rule, leaf, value, limit, pid, fits)
            out.append(j.finding(rule.code, leaf, severity=inv.severity, **words, **common))
    total = j.total
    if flagged or skip:
        # The rest may still break the bound together; say so now rather than after the first fix.
        excluded = flagged | skip
        if shortcut and not j.repeats and len([leaf for leaf in movers if id(leaf.node) not in excluded]) <= 1:
            # At most one of the rest has the effect, and it does not break the bound alone: folded with
            # transforms that do nothing to this effect, it keeps its amount or comes nearer doing nothing.
            return out
        total = refold(j, frozenset(excluded))
    if not breaks(inv, rule, total):
        return out
    if rule.kind == "flag":  # no transform has the effect alone: the way they are combined gives it
        selective = [n for n in j.root.walk() if n.name == "SelectiveChannelTransform"]
        words = messages.combined_flag(inv, rule, selective, pid, after=bool(flagged))
        at = selective[0] if selective else j.root
        out.append(j.finding(rule.code, at, severity=inv.severity, **words, **common))
        return out
    value = values(rule, total)
    none = values(rule, IDENTITY)
    named = [
        (leaf, v)
        for leaf in movers
        if id(leaf.node) not in flagged and id(leaf.node) not in skip and (v := values(rule, leaf.envelope)) != none
    ]
    parts = [messages.part(leaf, rule, v) for leaf, v in named]
    settings = sorted({key for leaf, _ in named if (key := written_setting(leaf.node)) is not None})
    added = any(built_in(leaf.node) for leaf, _ in named)
    rest = [leaf for leaf in j.live if id(leaf.node) not in flagged and id(leaf.node) not in skip]
    if rule.name == "shear":  # a turn followed by a stretch shears though neither shears alone
        parts += [
            messages.shear_part(leaf)
            for leaf in rest
            if values(rule, leaf.envelope) == none and (leaf.envelope.rotation > 0 or leaf.envelope.aspect > 1)
        ]
    if rule.name == "occlusion":  # a frame grown around the content lets a later cut-out hide more of it
        parts += [
            messages.growth_part(leaf)
            for leaf in rest
            if values(rule, leaf.envelope) == none and 1 < leaf.envelope.canvas_growth < math.inf
        ]
    words = messages.together(
        inv, rule, parts, value, bound(inv, rule, value), pid, after=bool(flagged), settings=settings, added=added
    )
    out.append(j.finding(rule.code, j.root, severity=inv.severity, **words, **common))
    return out
