"""The validator: envelopes of every node and of the whole pipeline, compared with a policy.

>>> import albumentations as A, safeaug  # doctest: +SKIP
>>> safeaug.validate(A.Compose([A.HorizontalFlip()]), "chest_xray").codes()  # doctest: +SKIP
['SA101']
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug.catalog import Entry, Params, defaults_for, resolve
from safeaug.catalog._defaults import REQUIRED
from safeaug.effects import IDENTITY, Envelope, moved_fields
from safeaug.errors import ConfigError, PolicyViolationError, SafeaugError
from safeaug.ir import Node
from safeaug.policies import PolicyLike, load_policy
from safeaug.readers import read_config, read_pipeline
from safeaug.report import Finding, Report, merge_reports
from safeaug.rules import (
    BAD_PARAMETER,
    DENIED_TRANSFORM,
    DESTROYED_IMAGE,
    FOLDING_GRID,
    PROBED_TRANSFORM,
    RULES_BY_NAME,
    UNBOUNDED_EFFECT,
    UNKNOWN_TRANSFORM,
    Rule,
)
from safeaug.sizes import SIZED, SizeReading, read_sizes

if TYPE_CHECKING:
    from safeaug.policy import Invariant, Policy, TransformRule
    from safeaug.probing import Measurement

_TOL = 1e-9


class Leaf(NamedTuple):
    """A transform with what it may do on its own, and whether it can run at all."""

    node: Node
    envelope: Envelope
    entry: Entry | None
    reachable: bool
    trusted: TransformRule | None = None


InputSize = tuple[int, int]


def input_size_of(value: Any) -> InputSize | None:
    """``(height, width)`` in pixels from a pair (or None); a clear error for anything else."""
    if value is None:
        return None
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise ConfigError(f"input_size: expected (height, width) in pixels, two positive integers; got {value!r}")


def validate(
    pipeline: Any, policy: PolicyLike, *, probe: bool = False, input_size: tuple[int, int] | None = None
) -> Report:
    """Judge a pipeline against a policy. Never raises for a violation: read ``report.ok``.

    ``pipeline`` is an albumentations transform or composition, a list of transforms, a dict in
    ``albumentations.to_dict`` form, or a path to a JSON/YAML config. ``policy`` is a built-in id, a
    path to a policy file, or a :class:`~safeaug.Policy`. Raises :class:`~safeaug.ConfigError` when
    the pipeline cannot be read and :class:`~safeaug.PolicyError` when the policy cannot.

    With ``probe=True``, live transforms safeaug has no catalog entry for (an unknown class, an
    ``A.Lambda``, a subclass that overrides ``apply``) are run on probe images and judged by what they
    were seen to do (finding ``SA408``, a warning) instead of being refused unseen (``SA401``). A
    pipeline read from a file has no live objects to run, so probing changes nothing there.

    ``input_size=(height, width)`` says what size the images have when they enter the pipeline. With it,
    effects given in pixels (fixed-size crops, shifts in pixels) and the resolution fixed-size resizes
    lose are judged exactly (errors); without it they are bounded over every input size where that can
    be done, and otherwise reported as depending on the input size (``SA407`` warnings).
    """
    size = input_size_of(input_size)
    resolved = load_policy(policy)
    try:
        if isinstance(pipeline, (str, os.PathLike)):
            source = os.fspath(pipeline)
            roots = read_config(source)
            if not roots:
                raise ConfigError("no augmentation pipeline found in this file", path=source)
            return merge_reports([judge(root, resolved, source=source, input_size=size) for root in roots])
        return judge(read_pipeline(pipeline), resolved, probe=probe, input_size=size)
    except SafeaugError:
        raise
    except RecursionError:
        raise ConfigError("the pipeline is nested too deeply to read") from None
    except Exception as exc:  # fail closed with safeaug's own error: a pipeline that cannot be read is no pass
        raise ConfigError(
            f"the pipeline could not be read or judged ({type(exc).__name__}: {exc}); if it builds in "
            "albumentations, please report it"
        ) from exc


def check(
    pipeline: Any, policy: PolicyLike, *, probe: bool = False, input_size: tuple[int, int] | None = None
) -> Report:
    """Like :func:`validate`, but raise :class:`~safeaug.PolicyViolationError` when there is an error."""
    report = validate(pipeline, policy, probe=probe, input_size=input_size)
    if not report.ok:
        raise PolicyViolationError(report)
    return report


# Probe results of the pipeline being judged, by id() of the node: a Measurement with the envelope that
# stands in for the missing catalog entry, or the reason probing failed. Set by judge(probe=True) only.
_PROBED: ContextVar[dict[int, tuple[Measurement, Envelope] | str] | None] = ContextVar("safeaug_probed", default=None)


def judge(
    root: Node,
    policy: Policy,
    *,
    source: str | None = None,
    probe: bool = False,
    seeds: int = 16,
    input_size: tuple[int, int] | None = None,
) -> Report:
    """Validate an already-read pipeline tree (``probe``, ``input_size``: see :func:`validate`)."""
    if not probe:
        return _judge(root, policy, source=source, input_size=input_size)
    token = _PROBED.set(_probe_unknowns(root, policy, seeds))
    try:
        return _judge(root, policy, source=source, input_size=input_size)
    finally:
        _PROBED.reset(token)


def _probe_unknowns(root: Node, policy: Policy, seeds: int) -> dict[int, tuple[Measurement, Envelope] | str]:
    """Run every live transform that has no usable catalog entry on the probe images."""
    from safeaug.probing import ProbeError, probe, widened  # numpy: only when asked to probe

    found: dict[int, tuple[Measurement, Envelope] | str] = {}
    for node in root.leaves():
        if node.obj is None or _probability(node) <= 0 or _trusted(node, policy) is not None:
            continue
        entry = resolve(node).entry
        if entry is not None and not entry.unknown:
            continue
        try:
            measured = probe(node.obj, seeds=seeds)
        except ProbeError as exc:
            found[id(node)] = str(exc)
            continue
        found[id(node)] = (measured, widened(measured.envelope))
    return found


# The sizes read along the pipeline being judged (None when no transform changes sizes and none was given).
_SIZES: ContextVar[SizeReading | None] = ContextVar("safeaug_sizes", default=None)


def _read_sizes(root: Node, live: list[Leaf], input_size: InputSize | None) -> SizeReading | None:
    if input_size is None:
        sized = 0
        for leaf in live:
            env = leaf.envelope
            sized += leaf.node.name in SIZED or env.scale_min != 1.0 or env.scale_max != 1.0
        if sized < 2:
            # One size change alone loses no resolution, and no frame is known before a resize to a fixed size:
            # the common case costs one pass over the leaves.
            return None
    return read_sizes(root, {id(leaf.node): leaf.envelope for leaf in live}, _probability, input_size)


def _exact_envelopes(live: list[Leaf], sizes: SizeReading | None) -> dict[int, Envelope]:
    """Pads (the frame's growth) and resizes to fixed height and width (the aspect) on frames of known size."""
    if sizes is None:
        return {}
    out: dict[int, Envelope] = {}
    for leaf in live:
        node, env = leaf.node, leaf.envelope
        name = node.name
        if name not in ("Pad", "PadIfNeeded", "Resize") or id(node) in sizes.partly_known:
            continue
        frames = sizes.frames.get(id(node))
        if not frames:
            continue
        p = Params(name, node.params, defaults_for(name))
        try:
            if name == "Resize" and math.isinf(env.aspect):
                th, tw = p.number("height"), p.number("width")
                ratios = [(th / h) / (tw / w) for h, w in frames]
                aspect = max(max(r, 1.0 / r) for r in ratios)
                out[id(node)] = env.with_changes(aspect=aspect if aspect > 1.0 + 1e-12 else 1.0)
            elif name != "Resize" and math.isinf(env.canvas_growth):
                growth = max(_padded(p, name, h, w) / (h * w) for h, w in frames)
                out[id(node)] = env.with_changes(canvas_growth=growth)
        except (ConfigError, TypeError, ValueError, ZeroDivisionError):
            continue
    return out


def _padded(p: Params, name: str, h: float, w: float) -> float:
    """The padded frame's area."""
    if name == "PadIfNeeded":
        mh, mw = p.optional_number("min_height"), p.optional_number("min_width")
        if mh is None or mw is None:
            raise ValueError("padded to a divisor")
        return max(h, mh) * max(w, mw)
    padding = p.raw("padding")
    values = [float(v) for v in (padding if isinstance(padding, (list, tuple)) else [padding])]
    if len(values) == 1:
        return (h + 2 * values[0]) * (w + 2 * values[0])
    if len(values) == 2:
        return (h + 2 * values[1]) * (w + 2 * values[0])
    left, top, right, bottom = values
    return (h + top + bottom) * (w + left + right)


def _frames(node: Node) -> list[tuple[float, float]] | None:
    """Every frame (height, width) in px the transform may receive, when all of them are known."""
    sizes = _SIZES.get()
    if sizes is None:
        return None
    if id(node) in sizes.partly_known:
        return None  # on some path it receives the input itself, whose size is not known
    frames = sizes.frames.get(id(node))
    return frames or None


def _probed(node: Node) -> tuple[Measurement, Envelope] | str | None:
    probed = _PROBED.get()
    return None if probed is None else probed.get(id(node))


def _judge(root: Node, policy: Policy, *, source: str | None = None, input_size: InputSize | None = None) -> Report:
    leaves: list[Leaf] = []
    total = _envelope(root, policy, leaves, reachable=True, source=source)
    live = [leaf for leaf in leaves if leaf.reachable and leaf.trusted is None]
    sizes = _read_sizes(root, live, input_size)
    exact = _exact_envelopes(live, sizes)
    if exact:  # pads and resizes on frames of known size: fold the pipeline again with their exact effects
        leaves = [leaf._replace(envelope=exact[id(leaf.node)]) if id(leaf.node) in exact else leaf for leaf in leaves]
        known = {id(leaf.node): leaf.envelope for leaf in leaves if leaf.reachable}
        total = _envelope(root, policy, [], reachable=True, source=source, known=known)
        live = [leaf for leaf in leaves if leaf.reachable and leaf.trusted is None]
    token = _SIZES.set(sizes)
    size_token = _INPUT_SIZE.set(input_size)
    try:
        return _judge_live(root, policy, leaves, live, total, source, sizes, input_size)
    finally:
        _INPUT_SIZE.reset(size_token)
        _SIZES.reset(token)


# The input size the pipeline is judged for, which every finding carries (None when not given).
_INPUT_SIZE: ContextVar[InputSize | None] = ContextVar("safeaug_input_size", default=None)


def _judge_live(
    root: Node,
    policy: Policy,
    leaves: list[Leaf],
    live: list[Leaf],
    total: Envelope,
    source: str | None,
    sizes: SizeReading | None,
    input_size: InputSize | None,
) -> Report:
    findings: list[Finding] = []
    running = {id(leaf.node) for leaf in leaves if leaf.reachable}
    for node in root.walk():
        if node.notes and (node.is_composition or id(node) in running):
            findings += [
                _finding(
                    n.code,
                    node,
                    policy,
                    source,
                    severity=n.severity,
                    message=n.message,
                    fix=n.fix,
                    reason=n.reason,
                    transform=node.written or node.name,
                )
                for n in node.notes
            ]
    for leaf in live:
        findings += _name_findings(leaf, policy, source)
    refolds: dict[frozenset[int], Envelope] = {}
    for inv in _broken(policy, total):
        findings += _invariant_findings(inv, policy, root, live, total, source, refolds)
    findings += _resize_after_turn(policy, live, source)
    findings += _folding_grids(policy, live, source)
    findings += [_destroyed(leaf, policy, source) for leaf in live if leaf.envelope.destroys]
    if sizes is not None and sizes.resolution < total.resolution:
        findings += _resolution_through_resizes(policy, root, sizes, total, source, input_size)
        total = total.with_changes(resolution=sizes.resolution)
    findings.sort(key=lambda f: (_order(f.location), f.code))
    return Report(policy=policy.id, findings=tuple(findings), envelope=total, source=source, input_size=input_size)


def _broken(policy: Policy, total: Envelope) -> tuple[Invariant, ...]:
    """The invariants the pipeline's envelope breaks, or whose bound it may break by an unknown amount.

    Policies are frozen and envelopes never change, so the answer is kept per (policy, envelope) object;
    the folds hand back the same envelope object for the same pipeline.
    """
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
        if _unbounded_in(rule, total) or _breaks(inv, rule, total):
            found.append(inv)
    if len(_BROKEN) >= 1024:
        _BROKEN.clear()
    _BROKEN[key] = (policy, total, tuple(found))  # holds both, so neither id is reused while kept
    return tuple(found)


_BROKEN: dict[tuple[int, int], tuple[Policy, Envelope, tuple[Invariant, ...]]] = {}


def _unbounded_in(rule: Rule, total: Envelope) -> bool:
    """Whether the envelope has the rule's effect by an amount that depends on the input."""
    return (
        (rule.name == "crop" and total.crop_unbounded)
        or (rule.name == "translation" and bool(total.translation_px))
        or (rule.name == "occlusion" and total.occlusion_unbounded)
    )


def _order(location: str) -> tuple[int, ...]:
    return tuple(int(part) for part in location.replace("]", "").split("[")[1:] if part.isdigit())


# ------------------------------------------------------------------------------------------ envelopes


def _probability(node: Node) -> float:
    if node.p is not None:
        return node.p
    default = defaults_for(node.name).get("p", 1.0)
    return float(default) if isinstance(default, (int, float)) else 1.0


# How each composition treats ``force_apply`` (albumentations 2.0.8, core/composition.py): Compose,
# Sequential, ReplayCompose, SelectiveChannelTransform and OneOf run when forced, whatever their p;
# SomeOf and RandomOrder ignore the force; OneOrOther always runs one of its ends. A transform with
# p <= 0 never runs, forced or not (BasicTransform.should_apply).
_HONOURS_FORCE = frozenset({"sequence", "one_of"})


def _runs(node: Node, *, forced: bool) -> bool:
    """Whether a node can do anything when its parent calls it."""
    if node.mode == "one_or_other":
        return True
    if forced and node.mode in _HONOURS_FORCE:
        return True
    return _probability(node) > 0


def _live_children(node: Node) -> list[tuple[bool, bool]]:
    """For each child: can it run at all, and is it called with ``force_apply``."""
    children = node.children
    if node.mode == "one_or_other":
        split = _probability(node)
        last = len(children) - 1
        picked = [(i == 0 and split > 0) or (i == last and split < 1) for i in range(len(children))]
        return [(ok and _runs(c, forced=True), True) for c, ok in zip(children, picked, strict=True)]
    if node.mode == "one_of":
        # picked with the children's p as weights, then called forced
        return [(_probability(c) > 0 and _runs(c, forced=True), True) for c in children]
    if node.mode == "some_of" and int(node.params.get("n", 1)) <= 0:
        return [(False, False)] * len(children)
    return [(_runs(c, forced=False), False) for c in children]


def _envelope(
    node: Node,
    policy: Policy,
    leaves: list[Leaf],
    *,
    reachable: bool,
    source: str | None,
    forced: bool = False,
    excluded: frozenset[int] = frozenset(),
    known: Mapping[int, Envelope] | None = None,
) -> Envelope:
    """The node's envelope; records every leaf with whether it can run at all.

    ``excluded`` holds ``id()`` of transforms to count as doing nothing (already reported on their own).
    ``known``, when given, holds the envelope of every leaf that runs, by ``id()``, from an earlier fold of
    the same tree (any other leaf does nothing): folding again then reads no arguments.
    """
    runs = _runs(node, forced=forced)
    if not node.is_composition:
        if id(node) in excluded:
            return IDENTITY
        if known is not None:
            return known.get(id(node), IDENTITY)
        return _leaf_envelope(node, policy, leaves, reachable=reachable and runs, source=source)

    reachable = reachable and runs
    live = _live_children(node)
    envs = [
        _envelope(
            c, policy, leaves, reachable=reachable and ok, source=source, forced=force, excluded=excluded, known=known
        )
        for c, (ok, force) in zip(node.children, live, strict=True)
    ]
    envs = [e for e, (ok, _) in zip(envs, live, strict=True) if ok]
    if not reachable or not envs:
        return IDENTITY
    n = int(node.params.get("n", 1)) if node.mode == "some_of" else 0
    replace_drawn = bool(node.params.get("replace", False)) if node.mode == "some_of" else False
    selective = node.name == "SelectiveChannelTransform"
    key = (node.mode, n, replace_drawn, selective, tuple(map(id, envs)))
    folded = _FOLDED.get(key)
    if folded is not None:
        return folded[1]
    if node.mode in ("one_of", "one_or_other"):
        env = Envelope.union_of(envs)
    elif node.mode == "some_of":
        env = Envelope.some_of(envs, n, replace=replace_drawn)
    else:
        env = Envelope.sequence(envs)
    if selective and not env.is_identity():
        env = env.with_changes(color=True)  # changing some channels and not others changes colour
    if len(_FOLDED) >= 4096:
        _FOLDED.clear()
    _FOLDED[key] = (tuple(envs), env)
    return env


# Compositions already folded, by how they combine and the id() of their children's envelopes (which the
# entry holds, so no other envelope can take one of those ids while it is here). Envelopes never change.
_FOLDED: dict[tuple[Any, ...], tuple[tuple[Envelope, ...], Envelope]] = {}


def _trusted(node: Node, policy: Policy) -> TransformRule | None:
    if not policy.allow:
        return None
    names = {node.name, *node.mro}
    for rule in policy.allow:
        if rule.transform in names:
            return rule
    return None


def _unread(node: Node) -> bool:
    """A transform the reader could not read in full (an SA501 error note): an argument, or itself."""
    return any(n.code == BAD_PARAMETER and n.severity == "error" for n in node.notes)


@cache
def _required(name: str) -> tuple[str, ...]:
    return tuple(k for k, v in defaults_for(name).items() if v == REQUIRED)


class _Reads(Mapping[str, Any]):
    """A transform's arguments that note each one an entry reads, with the value it got.

    An entry that walks all the arguments (iterates them) makes the reading unfit for the cache.
    """

    __slots__ = ("_given", "read", "whole")

    def __init__(self, given: Mapping[str, Any]) -> None:
        self._given = given
        self.read: dict[str, Any] = {}
        self.whole = False

    def get(self, name: str, default: Any = None) -> Any:
        value = self._given.get(name, _ABSENT)
        self.read[name] = value
        return default if value is _ABSENT else value

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _ABSENT)
        if value is _ABSENT:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name, _ABSENT) is not _ABSENT

    def __iter__(self) -> Iterator[str]:
        self.whole = True
        return iter(self._given)

    def __len__(self) -> int:
        self.whole = True
        return len(self._given)


_ABSENT = object()
_PLAIN_TYPES = frozenset({int, float, str, bool, type(None)})


def _frozen(value: Any, depth: int = 0) -> Any:
    """A hashable stand-in for a value that compares equal exactly when the value does, types included;
    ``_UNCACHEABLE`` for a value of any other kind (an array, an object), which is never cached.

    (A NaN compares unequal to every other NaN, so a value holding one only misses the cache.)
    """
    kind = type(value)
    if kind in _PLAIN_TYPES or value is _ABSENT:
        return (kind, value)
    if kind is tuple or kind is list:
        kinds = tuple(map(type, value))
        if _PLAIN_TYPES.issuperset(kinds):  # the common case: a flat pair of numbers
            return (kind, kinds, tuple(value))
        if depth < 4:
            items = tuple(_frozen(v, depth + 1) for v in value)
            return _UNCACHEABLE if _UNCACHEABLE in items else (kind, items)
    if depth < 4 and kind is dict:
        pairs = tuple((_frozen(k, depth + 1), _frozen(v, depth + 1)) for k, v in value.items())
        return _UNCACHEABLE if any(_UNCACHEABLE in pair for pair in pairs) else (kind, pairs)
    return _UNCACHEABLE


_UNCACHEABLE = object()


def _immutable(value: Any) -> bool:
    """Whether the value can never change: the same object later is the same value."""
    kind = type(value)
    return kind in _PLAIN_TYPES or value is _ABSENT or (kind is tuple and _PLAIN_TYPES.issuperset(map(type, value)))


# Envelopes already described, per (transform name, catalog name it is read as): the catalog entry and
# defaults used, the arguments the entry read with the values it got (the value itself when immutable,
# and frozen), and the envelope. A hit re-reads those arguments from the node on every call, so a changed live object is
# described anew.
_DESCRIBED: dict[
    tuple[str, str | None], list[tuple[Entry, Mapping[str, Any], tuple[tuple[str, Any, Any], ...], Envelope]]
] = {}
_DESCRIBED_PER_NAME = 16


def _described(node: Node, entry: Entry, defaults: Mapping[str, Any], via: str | None) -> Envelope:
    """The entry's envelope for the node's arguments (the union over each other reading), with no change."""
    if node.alt_params:
        env = entry.describe(Params(node.name, node.params, defaults))
        for params in node.alt_params:
            env = env.union(entry.describe(Params(node.name, params, defaults)))
        return env.including_identity()
    key = (node.name, via)
    known = _DESCRIBED.get(key)
    if known:
        given = node.params
        for cached_entry, cached_defaults, read, env in known:
            if cached_entry is not entry or cached_defaults is not defaults:
                continue
            for k, raw, v in read:
                value = given.get(k, _ABSENT)
                if value is not raw and _frozen(value) != v:  # the same immutable value, or an equal one
                    break
            else:
                return env
    reads = _Reads(node.params)
    env = entry.describe(Params(node.name, reads, defaults)).including_identity()
    if not reads.whole:
        read = tuple((k, v if _immutable(v) else _UNCACHEABLE, _frozen(v)) for k, v in reads.read.items())
        if all(v is not _UNCACHEABLE for _, _, v in read):
            bucket = _DESCRIBED.setdefault(key, [])
            if len(bucket) >= _DESCRIBED_PER_NAME:
                del bucket[0]
            bucket.append((entry, defaults, read, env))
    return env


def _leaf_envelope(node: Node, policy: Policy, leaves: list[Leaf], *, reachable: bool, source: str | None) -> Envelope:
    trusted = _trusted(node, policy)
    if trusted is not None:
        leaves.append(Leaf(node, IDENTITY, None, reachable, trusted))
        return IDENTITY
    found = resolve(node)
    if _unread(node):  # reported once, as SA501: judging it at a guessed value would only add noise
        leaves.append(Leaf(node, IDENTITY, found.entry, reachable))
        return IDENTITY
    if found.entry is None or found.entry.unknown:
        probed = _probed(node)
        if isinstance(probed, tuple):  # described by running it: the measured envelope, widened by its tolerance
            env = probed[1]
            leaves.append(Leaf(node, env, found.entry, reachable))
            return env if reachable else IDENTITY
        leaves.append(Leaf(node, IDENTITY, found.entry, reachable))
        return IDENTITY
    entry = found.entry
    defaults = defaults_for(found.via or node.name)
    required = _required(found.via or node.name)
    missing = [k for k in required if k not in node.params] if required else None
    if missing:
        where = f" (at {node.location})" if node.location else ""
        raise ConfigError(
            f"{node.name}: `{missing[0]}` is required and was not given{where}", path=source, line=node.line
        )
    try:
        env = _described(node, entry, defaults, found.via)
    except ConfigError as exc:
        where = f" (at {node.location})" if node.location else ""
        raise ConfigError(exc.bare_message + where, path=source, line=node.line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # A value of a shape no albumentations line accepts (`border_mode: []`, a 400-digit limit).
        where = f" (at {node.location})" if node.location else ""
        written = ", ".join(f"{k}={v!r}"[:80] for k, v in node.params.items())
        raise ConfigError(
            f"{node.name}({written}): an argument has a value albumentations does not accept ({exc}){where}; "
            f"check each argument against the signature of `{node.name}`",
            path=source,
            line=node.line,
        ) from None
    leaves.append(Leaf(node, env, entry, reachable))
    return env if reachable else IDENTITY


# ------------------------------------------------------------------------------------------ findings


def _finding(code: str, leaf_or_root: Leaf | Node, policy: Policy, source: str | None, **kw: Any) -> Finding:
    node = leaf_or_root.node if isinstance(leaf_or_root, Leaf) else leaf_or_root
    kw.setdefault("transform", node.name if isinstance(leaf_or_root, Leaf) else None)
    if node.written and kw["transform"] == node.name:  # name the class as the config writes it
        kw["transform"] = node.written
        kw["message"] = kw["message"].replace(f"`{node.name}`", f"`{node.written}`")
        if "fix" in kw:
            kw["fix"] = kw["fix"].replace(f"Remove `{node.name}`", f"Remove `{node.written}`")
    kw.setdefault("input_size", _INPUT_SIZE.get())
    return Finding(
        code=code,
        location=node.location,
        line=node.line,
        policy=policy.id,
        path=source,
        **kw,
    )


def _name_findings(leaf: Leaf, policy: Policy, source: str | None) -> list[Finding]:
    node = leaf.node
    out: list[Finding] = []
    names = {node.name, *node.mro} if policy.deny else set()
    for rule in policy.deny:
        if rule.transform in names:
            out.append(
                _finding(
                    DENIED_TRANSFORM,
                    leaf,
                    policy,
                    source,
                    severity="error",
                    message=f"`{node.name}` is denied by name in policy `{policy.id}`.",
                    reason=rule.reason,
                    references=rule.references,
                    fix=f"Remove `{node.name}`.",
                )
            )
            return out  # denied by name: whether safeaug knows it no longer matters
    if (leaf.entry is None or leaf.entry.unknown) and not _unread(node):
        probed = _probed(node)
        if isinstance(probed, tuple):
            out.append(_probed_finding(leaf, probed[0], policy, source))
            blind = _unmeasured_bounds(probed[0], policy)
            if blind:  # the probe failed to see what this policy bounds: fail closed
                notes = " ".join(probed[0].notes)
                out.append(
                    _unknown_finding(
                        leaf,
                        policy,
                        source,
                        f"`{node.name}` is not in safeaug's catalog, and probing it could not measure "
                        f"{', '.join(blind)}, which policy `{policy.id}` bounds" + (f" ({notes})" if notes else ""),
                    )
                )
            return out
        found = resolve(node)
        if leaf.entry is not None and leaf.entry.unknown:
            what = f"`{node.name}` {leaf.entry.summary}"
        elif found.problem:
            what = f"`{node.name}` has no catalog entry: {found.problem}"
        else:
            what = f"`{node.name}` is not in safeaug's catalog, so what it does to an image is unknown"
        failed = f" Probing it failed: {probed}" if isinstance(probed, str) else ""
        out.append(_unknown_finding(leaf, policy, source, what, failed))
    return out


def _probed_finding(leaf: Leaf, measured: Measurement, policy: Policy, source: str | None) -> Finding:
    node = leaf.node
    seen = ", ".join(_describe_effects(leaf.envelope)) or "no effect"
    blind = ", ".join(sorted(_BLIND_SPOTS & set(measured.unmeasured)))
    return _finding(
        PROBED_TRANSFORM,
        leaf,
        policy,
        source,
        severity="warning",
        message=(
            f"`{node.name}` is not in safeaug's catalog; it was described by probing {measured.samples} runs "
            f"({seen}; widened by the measurement tolerance) and judged by that. A probe is a sample, not a "
            f"guarantee: it ran on {'; '.join(measured.inputs) or 'its probe images'}, so other image sizes, "
            f"aspect ratios, channel counts and pixel types stay unseen{_unrun(measured)}; and it cannot see {blind}."
        ),
        reason="A measured description holds for the runs that were made; a catalog entry holds for every run.",
        fix="Register it for a static guarantee: " + _unknown_fix(node, leaf.entry),
    )


def _unrun(measured: Measurement) -> str:
    """The kinds of input the transform did not run on, as the probe noted them (', ...' or '')."""
    return "".join(f", and {n.split(': ', 1)[0]}" for n in measured.notes if n.startswith("it did not run on"))


def _unmeasured_bounds(measured: Measurement, policy: Policy) -> list[str]:
    """Effects the policy bounds that this probe failed to measure (beyond what no probe ever sees)."""
    from safeaug.probing import ALWAYS_UNMEASURED

    missing = set(measured.unmeasured) - set(ALWAYS_UNMEASURED)
    return sorted(inv.effect for inv in policy.invariants if not missing.isdisjoint(RULES_BY_NAME[inv.effect].fields))


# What no probe sees, named in SA408 findings.
_BLIND_SPOTS = frozenset({"mixing", "topology", "overlay", "equalization", "compression"})


def _describe_effects(env: Envelope) -> list[str]:
    out: list[str] = []
    for name, value in moved_fields(env):
        if isinstance(value, bool):
            out.append(name.replace("_", " "))
        else:
            out.append(f"{name} {value:.3g}")
    return out


def _unknown_finding(leaf: Leaf, policy: Policy, source: str | None, what: str, after: str = "") -> Finding:
    return _finding(
        UNKNOWN_TRANSFORM,
        leaf,
        policy,
        source,
        severity="error",
        message=f"{what}; safeaug refuses what it cannot check.{after}",
        reason="An unchecked transform could mirror, turn or recolour images without anyone noticing.",
        fix=_unknown_fix(leaf.node, leaf.entry),
    )


def _unknown_fix(node: Node, entry: Entry | None) -> str:
    if entry is not None and entry.unknown:  # Lambda: one entry cannot describe every function
        return (
            f"Write the function as a transform class and describe it with safeaug.register_transform(...), "
            f"or add `{node.name}` to the policy's `allow` list with the reason every function in it is safe."
        )
    return (
        f"Describe it with safeaug.register_transform({node.name.rsplit('.', 1)[-1]}, safeaug.Envelope(...)), "
        f"or add `{node.name}` to the policy's `allow` list with the reason it is safe."
    )


def _values(rule: Rule, env: Envelope) -> Any:
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


def fmt(rule: Rule, value: Any) -> str:
    """A value of an effect in the words and units an engineer expects."""
    name = rule.name
    if rule.kind == "range":
        lo, hi = value
        unit = "" if name == "gamma" else "×"
        return f"{lo:.3g}–{hi:.3g}{unit}"
    v = float(value)
    if math.isinf(v):
        return "an amount that grows with the image size (no bound in pixels)"
    if name in ("rotation", "hue", "shear"):
        return f"±{v:.3g}°"
    if name in ("translation", "crop", "occlusion", "warp", "edge"):
        what = "of the side" if name in ("translation", "warp", "edge") else "of the area"
        return f"{v * 100:.3g}% {what}"
    if name == "brightness":
        return f"±{v:.3g} of full scale"
    if name == "blur":
        return f"σ {v:.3g} px"
    if name == "noise":
        return f"σ {v:.3g} of full scale"
    if name == "resolution":
        return f"{v:.3g}× resolution"
    if name == "compression":
        return f"quality {v:.3g}"
    if name == "posterize":
        return f"{v:.3g} bits"
    return f"{v:.3g}"


def _bound(inv: Invariant, rule: Rule, value: Any) -> Any:
    if rule.kind == "range":
        lo, hi = value
        return (inv.min if inv.min is not None else lo, inv.max if inv.max is not None else hi)
    return inv.max if rule.kind == "max" else inv.min


def _breaks(inv: Invariant, rule: Rule, env: Envelope) -> bool:
    """Whether ``env`` breaks the invariant: beyond its bound, or the effect at all when it needs a label transform."""
    if inv.needs_label_transform is not None and inv.allowed:
        return env is not IDENTITY and _values(rule, env) != _values(rule, IDENTITY)
    return _violates(inv, rule, env)


def _performs(leaf: Leaf, inv: Invariant) -> bool:
    """Whether the transform declares that it performs the label transform the invariant asks for."""
    needed = inv.needs_label_transform
    if needed is None or leaf.entry is None:
        return False
    return needed.name in leaf.entry.label_transforms


def _allowance(inv: Invariant, rule: Rule, bound: Any) -> str:
    if inv.needs_label_transform is not None and inv.allowed:
        return f"allows {rule.title} only together with a label transform that {inv.needs_label_transform.does}"
    if not inv.allowed or rule.kind == "flag":
        return f"does not allow {rule.title}"
    if rule.kind == "max":
        return f"allows at most {fmt(rule, bound)}"
    if rule.kind == "min":
        return f"requires at least {fmt(rule, bound)}"
    return f"allows {fmt(rule, bound)}"


# Arguments whose unit differs from the unit the message states: said next to the value, so that
# `hue_shift_limit=20` is not read as 20° when the message says ±40°.
_ARGUMENT_UNITS = {
    ("HueSaturationValue", "hue_shift_limit"): "in OpenCV hue units of 2°",
    ("HueSaturationValue", "sat_shift_limit"): "added to saturation on a 0–255 scale, so pale colours change most",
    ("HueSaturationValue", "val_shift_limit"): "added to value on a 0–255 scale",
    ("ColorJitter", "hue"): "a share of the colour wheel: 1 is 360°",
}


def _param_note(leaf: Leaf, param: str) -> str:
    note = _param_value_note(leaf, param)
    unit = _ARGUMENT_UNITS.get((leaf.node.name, param))
    return f"{note[:-1]}, {unit})" if unit and note.endswith(")") else note


def _param_value_note(leaf: Leaf, param: str) -> str:
    node = leaf.node
    default = defaults_for(node.name).get(param)
    if param in node.params:
        value = node.params[param]
        if default is not None and any(param not in alt for alt in node.alt_params):
            return (
                f" (`{param}={_show(value)}` as written; the installed albumentations ignores it and runs "
                f"`{param}={_show(default)}`, the default)"
            )
        # Given (in a config, a saved file or a live object): "the default" only when it is absent, so that
        # the verdict reads the same however the pipeline arrives.
        return f" (`{param}={_show(value)}`)"
    if default is not None:
        return f" (`{param}={_show(default)}`, the default)"
    return ""


def _show(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, dict):
        # sorted: the same arguments read the same whether they came from an object or a saved file
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    return repr(value)


def _leaf_message(inv: Invariant, rule: Rule, leaf: Leaf, policy: Policy) -> tuple[str, str]:
    name = leaf.node.name
    value = _values(rule, leaf.envelope)
    knob = leaf.entry.knobs.get(rule.name) if leaf.entry is not None else None
    note = _param_note(leaf, knob.param) if knob else ""
    if knob is not None and knob.detail is not None:
        note += knob.detail(leaf.node.params)
    needed = inv.needs_label_transform
    if needed is not None and inv.allowed:
        reach = "up to " if rule.kind == "max" else ""
        what = (
            f"`{name}` {rule.does}{note}"
            if rule.kind == "flag"
            else f"`{name}` {rule.does}: {reach}{fmt(rule, value)}{note}"
        )
        message = (
            f"{what}, and policy `{policy.id}` {_allowance(inv, rule, None)}; `{name}` changes the image "
            "and leaves the labels as they were."
        )
        fix = (
            f"Remove `{name}` until the labels can change with it. A transform that also {needed.does} is "
            f"accepted once it declares the label transform `{needed.name}`, or once it is allowed by name "
            f"(`allow:`) in a policy that extends `{policy.id}`."
        )
        if inv.fix:
            fix = f"{fix} {inv.fix.strip()}"
        return message, fix
    if rule.kind == "flag":
        message = f"`{name}` {rule.does}{note} — policy `{policy.id}` {_allowance(inv, rule, None)}."
    else:
        reach = "as little as " if rule.kind == "min" else "up to " if rule.kind == "max" else ""
        bound = _bound(inv, rule, value)
        message = (
            f"`{name}` {rule.does}: {reach}{fmt(rule, value)}{note} — "
            f"policy `{policy.id}` {_allowance(inv, rule, bound)}."
        )
    if rule.kind == "flag" or not inv.allowed:
        fix = f"Change `{knob.param}` or remove `{name}`." if knob and rule.kind == "flag" else f"Remove `{name}`."
    else:
        bound = _bound(inv, rule, value)
        if knob and knob.example is not None:
            fix = f"Use `{name}({knob.example(bound)})`."
        elif knob:
            fix = f"Change `{knob.param}` of `{name}` so that it stays within {fmt(rule, bound)}."
        else:
            fix = f"Remove `{name}` or use a transform that stays within {fmt(rule, bound)}."
    if inv.fix:
        fix = f"{fix} {inv.fix.strip()}"
    return message, fix


def _invariant_findings(
    inv: Invariant,
    policy: Policy,
    root: Node,
    live: list[Leaf],
    total: Envelope,
    source: str | None,
    refolds: dict[frozenset[int], Envelope] | None = None,
) -> list[Finding]:
    """``refolds``: the pipeline's envelope without the transforms in each key, shared between invariants."""
    rule = RULES_BY_NAME[inv.effect]
    breaks = partial(_breaks, inv, rule)
    # Every live leaf's envelope lies inside the total, so a total within bounds clears them all.
    if not _unbounded_in(rule, total) and not breaks(total):
        return []
    needed = inv.needs_label_transform
    common = {
        "reason": inv.reason.strip(),
        "references": inv.references,
        "effect": inv.effect,
        "label_transform": needed.does if needed is not None and inv.allowed else None,
    }
    # Transforms that change the labels along with the image, as the policy asks, do not break it.
    paired = {id(leaf.node) for leaf in live if _performs(leaf, inv)}
    out: list[Finding] = []
    flagged: set[int] = set()
    for leaf in live:
        if id(leaf.node) in paired:
            continue
        if breaks(leaf.envelope):
            flagged.add(id(leaf.node))
            message, fix = _leaf_message(inv, rule, leaf, policy)
            out.append(
                _finding(rule.code, leaf, policy, source, severity=inv.severity, message=message, fix=fix, **common)
            )
        out += _unbounded(inv, rule, leaf, policy, source, common)
    if rule.name == "occlusion" and total.occlusion_unbounded and inv.max is not None:
        out += _occlusion_after_unbounded_growth(inv, rule, live, policy, source, common)
    if flagged or paired:
        # The rest may still break the bound together; say so now rather than after the first fix.
        excluded = frozenset(flagged | paired)
        refolded = refolds.get(excluded) if refolds is not None else None
        if refolded is None:
            known = {id(leaf.node): leaf.envelope for leaf in live}
            refolded = _envelope(root, policy, [], reachable=True, source=source, excluded=excluded, known=known)
            if refolds is not None:
                refolds[excluded] = refolded
        total = refolded
    if not breaks(total):
        return out
    if rule.kind == "flag":  # no transform has the effect alone: the way they are combined gives it
        out.append(_combined_flag(inv, rule, root, policy, source, flagged, common))
        return out
    value = _values(rule, total)
    bound = _bound(inv, rule, value)
    parts = [
        f"`{leaf.node.name}` at {leaf.node.location or 'the root'} ({fmt(rule, _values(rule, leaf.envelope))})"
        for leaf in live
        if id(leaf.node) not in flagged | paired and _values(rule, leaf.envelope) != _values(rule, IDENTITY)
    ]
    if rule.name == "shear":  # a turn followed by a stretch shears though neither shears alone
        parts += [
            f"`{leaf.node.name}` at {leaf.node.location or 'the root'} "
            + (f"(turns up to ±{leaf.envelope.rotation:g}°)" if leaf.envelope.rotation else "(stretches one axis)")
            for leaf in live
            if id(leaf.node) not in flagged | paired
            and _values(rule, leaf.envelope) == _values(rule, IDENTITY)
            and (leaf.envelope.rotation > 0 or leaf.envelope.aspect > 1)
        ]
    if rule.name == "occlusion":  # a frame grown around the content lets a later cut-out hide more of it
        parts += [
            f"`{leaf.node.name}` at {leaf.node.location or 'the root'} (grows the frame around the content "
            f"{leaf.envelope.canvas_growth:.3g}× in area)"
            for leaf in live
            if id(leaf.node) not in flagged | paired
            and _values(rule, leaf.envelope) == _values(rule, IDENTITY)
            and 1 < leaf.envelope.canvas_growth < math.inf
        ]
    lead = "Even without the transforms flagged above, " if flagged else ""
    message = (
        f"{lead}{'together' if lead else 'Together'}, {', '.join(parts)} {rule.does.removeprefix('may ')} "
        f"by {fmt(rule, value)} — policy `{policy.id}` {_allowance(inv, rule, bound)}."
    )
    fix = (
        f"Reduce them so that together they stay within {fmt(rule, bound)}, "
        "or put them in a OneOf so that only one of them runs."
    )
    out.append(_finding(rule.code, root, policy, source, severity=inv.severity, message=message, fix=fix, **common))
    return out


def _combined_flag(
    inv: Invariant,
    rule: Rule,
    root: Node,
    policy: Policy,
    source: str | None,
    flagged: set[int],
    common: dict[str, Any],
) -> Finding:
    """A yes/no effect that only the combination has (a SelectiveChannelTransform recolours by changing
    some channels and not others)."""
    selective = [n for n in root.walk() if n.name == "SelectiveChannelTransform"]
    where = ", ".join(f"`{n.name}` at {n.location or 'the root'}" for n in selective) or "the way they are combined"
    lead = "Even without the transforms flagged above, " if flagged else ""
    message = (
        f"{lead}{where} can {rule.does.removeprefix('may ')} by changing some channels and not others — policy "
        f"`{policy.id}` {_allowance(inv, rule, None)}."
    )
    fix = "Apply the change to every channel (outside SelectiveChannelTransform), or remove it."
    node = selective[0] if selective else root
    return _finding(rule.code, node, policy, source, severity=inv.severity, message=message, fix=fix, **common)


def _occlusion_after_unbounded_growth(
    inv: Invariant, rule: Rule, live: list[Leaf], policy: Policy, source: str | None, common: dict[str, Any]
) -> list[Finding]:
    """A cut-out after a pad in pixels (or another growth set by the input size) may hide more than its share."""
    hiders = [leaf for leaf in live if leaf.envelope.occlusion > 0]
    named = ", ".join(f"`{leaf.node.name}`" for leaf in hiders) or "a later cut-out"
    bound = fmt(rule, inv.max or 0.0)
    return [
        _finding(
            UNBOUNDED_EFFECT,
            leaf,
            policy,
            source,
            severity="warning",
            message=(
                f"`{leaf.node.name}` grows the frame around the image by an amount that depends on the input size, "
                f"so {named} after it can hide a larger share of the content than of the frame — policy "
                f"`{policy.id}` allows at most {bound} hidden."
            ),
            fix=(
                "Cut out before padding, or pad by a fraction of the image (`CropAndPad(percent=...)`, which "
                f"safeaug can bound); otherwise check that padding plus cut-outs stay within {bound} for your inputs."
            ),
            **common,
        )
        for leaf in live
        if math.isinf(leaf.envelope.canvas_growth)
    ]


# Transforms that turn the image and then scale each axis by its own factor (the shear depends on the input).
_TURNS_THEN_STRETCHES = frozenset({"SafeRotate"})


def _resize_after_turn(policy: Policy, live: list[Leaf], source: str | None) -> list[Finding]:
    """A resize to a fixed size after a turn shears by a factor of the input's aspect: say it is not bounded."""
    inv = policy.invariant("shear")
    if inv is None or (inv.allowed and inv.max is None):
        return []
    out: list[Finding] = []
    turner: Leaf | None = None
    unbounded_shear = partial(
        _finding,
        UNBOUNDED_EFFECT,
        policy=policy,
        source=source,
        severity="warning",
        effect="shear",
        reason=inv.reason,
        references=inv.references,
    )
    for leaf in live:  # tree order: a sequence's order
        env = leaf.envelope
        if env.rotation > 0 and math.isinf(env.aspect) and leaf.node.name in _TURNS_THEN_STRETCHES:
            out.append(
                unbounded_shear(
                    leaf,
                    message=(
                        f"`{leaf.node.name}` turns the image and then scales each axis back into the frame by its "
                        f"own factor: on a non-square image the turned image is sheared by an amount that depends "
                        f"on the input's aspect — policy `{policy.id}` bounds shear."
                    ),
                    fix=f"Use `Rotate` (with `crop_border=True` to keep no fill) instead of `{leaf.node.name}`, or "
                    "make the images square first.",
                )
            )
        elif turner is not None and math.isinf(env.aspect):
            where = turner.node.location or "the root"
            out.append(
                unbounded_shear(
                    leaf,
                    message=(
                        f"`{leaf.node.name}` resizes to a fixed size after `{turner.node.name}` at {where} turns the "
                        f"image: when the resize changes the aspect, the turned image is sheared by an amount that "
                        f"depends on the input size — policy `{policy.id}` bounds shear."
                    ),
                    fix=f"Resize before `{turner.node.name}`, or keep the input's aspect "
                    "(LongestMaxSize, SmallestMaxSize).",
                )
            )
        if turner is None and leaf.envelope.rotation > 0:
            turner = leaf
    return out


def _unbounded(
    inv: Invariant, rule: Rule, leaf: Leaf, policy: Policy, source: str | None, common: dict[str, Any]
) -> list[Finding]:
    """Effects whose size depends on the input: crops and shifts in pixels."""
    env = leaf.envelope
    if not (rule.name == "crop" and env.crop_unbounded) and not (rule.name == "translation" and env.translation_px > 0):
        return []  # every reading below is of a crop or a shift in pixels
    unbounded = partial(_finding, UNBOUNDED_EFFECT, leaf, policy, source, severity="warning", **common)
    env = leaf.envelope
    name = leaf.node.name
    frames = _frames(leaf.node)
    if frames is not None and inv.allowed:
        exact = _exact_in_pixels(inv, rule, leaf, frames, policy, source, common)
        if exact is not None:
            return exact
    if rule.name == "crop" and env.crop_unbounded and (inv.min is not None or not inv.allowed):
        if not inv.allowed:
            return [
                _finding(
                    rule.code,
                    leaf,
                    policy,
                    source,
                    severity=inv.severity,
                    message=f"`{name}` crops the image — policy `{policy.id}` does not allow crops.",
                    fix=f"Remove `{name}`.",
                    **common,
                )
            ]
        bound = fmt(rule, inv.min)
        if env.crop_min < 1.0:  # a share that holds for a square input only
            return [
                unbounded(
                    message=(
                        f"`{name}` keeps {fmt(rule, env.crop_min)} of a square input, but the share depends on the "
                        f"input's aspect: on a longer or thinner image it keeps less (a random-resized crop falls "
                        f"back to a centre crop of its largest ratio, a turned crop to a thinner rectangle) — "
                        f"policy `{policy.id}` requires crops to keep at least {bound}."
                    ),
                    fix=f"Make sure your inputs' aspect lets `{name}` keep {bound} (for a random-resized crop, a "
                    "`ratio` range that contains the input's width/height), or pad the inputs to a square first.",
                )
            ]
        return [
            unbounded(
                message=(
                    f"`{name}` crops to a size in pixels, so the share of the image it keeps depends on the "
                    f"input size — policy `{policy.id}` requires crops to keep at least {bound}."
                ),
                fix=f"Use `RandomResizedCrop(size=..., scale=({inv.min:g}, 1.0))`, or make sure the crop keeps "
                f"{bound} of your inputs and allow it by name.",
            )
        ]
    if rule.name == "translation" and env.translation_px > 0 and (inv.max is not None or not inv.allowed):
        return [
            unbounded(
                message=(
                    f"`{name}` shifts by up to {env.translation_px:g} px, which cannot be compared with policy "
                    f"`{policy.id}`'s bound of {fmt(rule, inv.max or 0.0)} without the image size."
                    if not math.isinf(env.translation_px)  # a distance in mm (TorchIO): no image size settles it
                    else f"`{name}` shifts by a distance in mm, whose size in pixels depends on the voxel spacing: "
                    f"it cannot be compared with policy `{policy.id}`'s bound of {fmt(rule, inv.max or 0.0)}."
                ),
                fix=_shift_fix(leaf, inv),
            )
        ]
    return []


# How degenerate arguments destroy the image, per transform (the catalog entry says when).
_DESTROYS = {
    "GaussianBlur": (
        "a zero sigma builds a kernel of NaN (0/0), so every output pixel is NaN, white once stored as uint8. "
        "albumentations 1.x read sigma 0 (its default) as 'derive sigma from the kernel size'; a config saved "
        "under 1.x whitens every image under 2.0.8."
    ),
    "AdvancedBlur": (
        "a sigma range at 0 on one axis makes the kernel's covariance singular, so a call either fails or (under "
        "a turn that leaves it barely invertible) gives NaN for every pixel, white once stored as uint8."
    ),
    "RingingOvershoot": "a zero cutoff makes the sinc kernel 0/0, so every pixel is NaN, white once stored as uint8.",
}
_DESTROYS_ANY = "every output pixel takes one value."


def _destroyed(leaf: Leaf, policy: Policy, source: str | None) -> Finding:
    """Degenerate arguments that make the installed albumentations replace every pixel: refused everywhere."""
    name = leaf.node.name
    knob = leaf.entry.knobs.get("destroys") if leaf.entry is not None else None
    note = _param_note(leaf, knob.param) if knob else ""
    fix = f"Use `{name}({knob.example(None)})`." if knob and knob.example is not None else f"Remove `{name}`."
    return _finding(
        DESTROYED_IMAGE,
        leaf,
        policy,
        source,
        severity="error",
        message=f"`{name}`{note} makes albumentations 2.0.8 replace every pixel: {_DESTROYS.get(name, _DESTROYS_ANY)}",
        reason="An image whose every pixel is one value (or NaN) carries no label; training on it teaches noise.",
        fix=fix,
    )


def _kept_share(node: Node, frame: tuple[float, float]) -> float | None:
    """The share of a frame of ``(height, width)`` px a crop in pixels keeps at worst (None: not in pixels)."""
    h, w = frame
    p = Params(node.name, node.params, defaults_for(node.name))
    try:
        if node.name in ("RandomCrop", "CenterCrop"):
            ch, cw = p.number("height"), p.number("width")
        elif node.name == "Crop":
            ch, cw = p.number("y_max") - p.number("y_min"), p.number("x_max") - p.number("x_min")
        elif node.name == "RandomSizedCrop":
            ch = p.range("min_max_height", "fixed")[0]
            cw = ch * p.number("w2h_ratio")
        else:
            return None
    except ConfigError:
        return None
    return max(0.0, min(1.0, ch / h)) * max(0.0, min(1.0, cw / w))


def _exact_in_pixels(
    inv: Invariant,
    rule: Rule,
    leaf: Leaf,
    frames: list[tuple[float, float]],
    policy: Policy,
    source: str | None,
    common: dict[str, Any],
) -> list[Finding] | None:
    """Crops and shifts in pixels on frames of known size: an exact verdict instead of an SA407 warning."""
    env, name = leaf.envelope, leaf.node.name
    worst = max(frames, key=lambda f: f[0] * f[1]) if rule.name == "crop" else min(frames, key=min)
    h, w = worst
    size = f"{h:g}×{w:g} px"

    def refused(message: str, fix: str) -> list[Finding]:
        return [_finding(rule.code, leaf, policy, source, severity=inv.severity, message=message, fix=fix, **common)]

    if rule.name == "crop" and env.crop_unbounded and inv.min is not None:
        kept = min((k for k in (_kept_share(leaf.node, f) for f in frames) if k is not None), default=None)
        if kept is None:
            return None
        if kept >= inv.min - _TOL:
            return []
        return refused(
            f"`{name}` {rule.does}: it keeps as little as {fmt(rule, kept)} of a {size} image "
            f"— policy `{policy.id}` requires at least {fmt(rule, inv.min)}.",
            f"Crop at least {fmt(rule, inv.min)} of the image: "
            f"`RandomResizedCrop(size=({h:g}, {w:g}), scale=({inv.min:g}, 1.0))`, or a larger crop.",
        )
    if rule.name == "translation" and env.translation_px > 0 and inv.max is not None:
        if math.isinf(env.translation_px):  # a distance in mm: the image size alone does not settle it
            return None
        shift = env.translation + env.translation_px / max(1.0, min(h, w))
        if shift <= inv.max + _TOL:
            return []
        return refused(
            f"`{name}` {rule.does}: up to {fmt(rule, shift)} ({env.translation_px:g} px of a {size} image) "
            f"— policy `{policy.id}` {_allowance(inv, rule, inv.max)}.",
            f"Shift by at most {inv.max * min(h, w):.0f} px. {_shift_fix(leaf, inv)}",
        )
    return None


def _resolution_through_resizes(
    policy: Policy,
    root: Node,
    sizes: SizeReading,
    total: Envelope,
    source: str | None,
    input_size: InputSize | None,
) -> list[Finding]:
    """Resolution lost through a chain of resizes: content squeezed through a small size and spread out again."""
    inv = policy.invariant("resolution")
    if inv is None:
        return []
    rule = RULES_BY_NAME["resolution"]
    floor = 1.0 if not inv.allowed else inv.min
    if floor is None:
        return []
    named = ", then ".join(
        f"`{n.name}` at {n.location or 'the root'}" + (f" ({_size_words(n)})" if _size_words(n) else "")
        for n in sizes.resizers
    )
    common = {"reason": inv.reason.strip(), "references": inv.references, "effect": inv.effect}
    kept = sizes.resolution
    if kept < floor - _TOL:
        if input_size is not None:
            where = f"on a {input_size[0]}×{input_size[1]} px input"
        elif sizes.worst_input is not None and sizes.worst_input[0] >= _HUGE_INPUT:
            where = "on large inputs"
        elif sizes.worst_input is not None:
            where = f"on inputs of {sizes.worst_input[0]:g} px a side"
        else:
            where = ""
        return [
            _finding(
                rule.code,
                root,
                policy,
                source,
                severity=inv.severity,
                message=(
                    f"Together, {named} pass the image through a smaller size than they give it: {where} they "
                    f"keep {fmt(rule, kept)}, the detail `Downscale(scale_range=({kept:.3g}, {kept:.3g}))` "
                    f"keeps — policy `{policy.id}` {_allowance(inv, rule, floor)}."
                ),
                fix=(
                    "Resize once, to the size the model takes, and crop or pad around it; or make the smallest "
                    f"size in the chain at least {floor:g} of the final size."
                ),
                **common,
            )
        ]
    if sizes.aspect_resolution < floor - _TOL:
        return [
            _finding(
                UNBOUNDED_EFFECT,
                root,
                policy,
                source,
                severity="warning",
                message=(
                    f"Together, {named} may keep as little as {fmt(rule, sizes.aspect_resolution)} on images "
                    f"of aspect 1:4 or 4:1 (square images keep at least {fmt(rule, kept)}): the resolution "
                    f"they lose depends on the input's aspect — policy `{policy.id}` "
                    f"{_allowance(inv, rule, floor)}."
                ),
                fix="Give the input size (`input_size=(H, W)`, `--input-size HxW`) for an exact verdict, or "
                "resize with the input's aspect kept at every step.",
                **common,
            )
        ]
    return []


_HUGE_INPUT = 1e6


def _size_words(node: Node) -> str:
    params = node.params
    if node.name == "Resize" and "height" in params and "width" in params:
        return f"to {_show(params['height'])}×{_show(params['width'])} px"
    if node.name in ("LongestMaxSize", "SmallestMaxSize") and params.get("max_size") is not None:
        side = "longest" if node.name == "LongestMaxSize" else "shortest"
        return f"{side} side to {_show(params['max_size'])} px"
    if "size" in params:
        return f"to {_show(params['size'])} px"
    return ""


def _shift_fix(leaf: Leaf, inv: Invariant) -> str:
    """A fix for a shift in pixels that names only arguments the transform has."""
    name = leaf.node.name
    if "translate_percent" in defaults_for(name):
        return f"Give the shift as a fraction: `translate_percent=({-(inv.max or 0):g}, {inv.max or 0:g})`."
    knob = leaf.entry.knobs.get("translation") if leaf.entry is not None else None
    if knob is not None:
        return f"Change `{knob.param}` of `{name}` so that it does not shift the image, or remove `{name}`."
    return f"Remove `{name}`, or shift with `Affine(translate_percent=...)`, whose shift is a share of the image."


# The smallest image side safeaug assumes a pipeline may meet (MNIST is 28 px, CIFAR 32 px): a
# GridElasticDeform that can fold a cell on images this small or larger gets an SA409 warning.
SMALLEST_IMAGE_SIDE = 32


def folding_side(magnitude: float, grid: tuple[int, int]) -> tuple[float, float]:
    """The largest image width and height (px) on which a ``GridElasticDeform`` cell can fold.

    Inner grid points move by up to ``magnitude`` px on each axis; a cell of side c turns concave once a
    corner crosses the diagonal through its two neighbours, c/√2 away, which the corner and the diagonal
    can each close by √2·magnitude: from magnitude c/4 on. With ``num_grid_xy = (nx, ny)`` the cells are
    width/nx by height/ny, so a cell can fold when width ≤ 4·magnitude·nx or height ≤ 4·magnitude·ny.
    """
    return 4.0 * magnitude * grid[0], 4.0 * magnitude * grid[1]


def _grid_arguments(params: Mapping[str, Any]) -> tuple[float, tuple[int, int]] | None:
    magnitude, grid = params.get("magnitude"), params.get("num_grid_xy")
    if isinstance(grid, (int, float)) and not isinstance(grid, bool):
        grid = (grid, grid)
    if (
        isinstance(magnitude, bool)
        or not isinstance(magnitude, (int, float))
        or not isinstance(grid, (list, tuple))
        or len(grid) != 2
        or not all(isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0 for n in grid)
    ):
        return None  # unreadable arguments are the catalog's SA501, not this rule's
    return float(magnitude), (int(grid[0]), int(grid[1]))


def _folding_grids(policy: Policy, live: list[Leaf], source: str | None) -> list[Finding]:
    """A ``GridElasticDeform`` that can fold a cell on a plausible image: keypoints may leave their pixels."""
    out: list[Finding] = []
    for leaf in live:
        node = leaf.node
        if "GridElasticDeform" not in {node.name, *node.mro} or leaf.entry is None:
            continue
        readings = [_grid_arguments(params) for params in (node.params, *node.alt_params)]
        worst = max(
            (r for r in readings if r is not None and r[0] > 0),
            key=lambda r: max(folding_side(*r)),
            default=None,
        )
        if worst is None:
            continue
        magnitude, grid = worst
        width, height = folding_side(magnitude, grid)
        if max(width, height) < SMALLEST_IMAGE_SIDE:
            continue
        safe = max(0, math.ceil(SMALLEST_IMAGE_SIDE / (4.0 * max(grid))) - 1)  # largest magnitude safe at 32 px
        out.append(
            _finding(
                FOLDING_GRID,
                leaf,
                policy,
                source,
                severity="warning",
                message=(
                    f"`{node.name}(num_grid_xy=({grid[0]}, {grid[1]}), magnitude={magnitude:g})` can fold a grid "
                    f"cell on images up to {width:g} px wide or {height:g} px high (a cell folds from a magnitude "
                    f"of a quarter of its side): albumentations 2.0.8 then moves keypoints off the pixels they "
                    f"mark, while the image and masks stay together."
                ),
                reason=(
                    "A keypoint that lands on other content keeps its label: landmarks, poses and point "
                    "annotations become wrong without any error. Images and masks are not affected."
                ),
                fix=(
                    f"Keep `magnitude` below a quarter of the smallest cell on your images (image side / "
                    f"num_grid_xy / 4; at most {safe} for {SMALLEST_IMAGE_SIDE} px images with this grid): lower "
                    "`magnitude` or use fewer grid cells, or use ElasticTransform when the pipeline carries "
                    "keypoints. Without keypoints, ignore this warning."
                ),
            )
        )
    return out
