"""The envelope fold: each transform's envelope from the catalog, composed along the pipeline tree.

A sequence accumulates, ``OneOf`` is the union of its branches, ``SomeOf(n)`` accumulates up to ``n``
branches, and a node that can never run contributes nothing. Envelopes never change, so leaf envelopes
are kept by class and the arguments their entry read, and compositions by their children's envelopes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from safeaug.catalog._registry import Entry, Params, defaults_for, resolve
from safeaug.catalog._signatures import REQUIRED
from safeaug.effects import IDENTITY, Envelope
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.sizes import SIZED, SizeReading, read_sizes
from safeaug.validators.context import Judgement, Leaf, probability, trusted, unread
from safeaug.validators.folding_grid import folding_side
from safeaug.validators.plain import PLAIN_TYPES, plain, written

# How each composition treats ``force_apply`` (albumentations 2.0.8, core/composition.py): Compose,
# Sequential, ReplayCompose, SelectiveChannelTransform and OneOf run when forced, whatever their p;
# SomeOf and RandomOrder ignore the force; OneOrOther always runs one of its ends. A transform with
# p <= 0 never runs, forced or not (BasicTransform.should_apply).
_HONOURS_FORCE = frozenset({"sequence", "one_of"})


def fold(j: Judgement) -> None:
    """Fill the judgement's leaves, live leaves, envelope and sizes from its tree."""
    leaves: list[Leaf] = []
    # The root is called by the user's code, which may force it (``pipeline(image=x, force_apply=True)``): a
    # Compose with p=0 then runs all the same, so its own p never makes it harmless.
    total = _envelope(j.root, j, leaves, reachable=True, forced=True)
    live = [leaf for leaf in leaves if leaf.reachable and leaf.trusted is None]
    sizes = _read_sizes(j.root, live, j.input_size)
    exact = _exact_envelopes(live, sizes)
    if exact:  # pads and resizes on frames of known size: fold the pipeline again with their exact effects
        leaves = [leaf._replace(envelope=exact[id(leaf.node)]) if id(leaf.node) in exact else leaf for leaf in leaves]
        known = {id(leaf.node): leaf.envelope for leaf in leaves if leaf.reachable}
        total = _envelope(j.root, j, [], reachable=True, forced=True, known=known)
        live = [leaf for leaf in leaves if leaf.reachable and leaf.trusted is None]
    j.leaves, j.live, j.total, j.sizes = leaves, live, total, sizes


def refold(j: Judgement, excluded: frozenset[int]) -> Envelope:
    """The pipeline's envelope with the transforms in ``excluded`` (``id()`` of their nodes) doing nothing."""
    hit = j.refolds.get(excluded)
    if hit is None:
        known = {id(leaf.node): leaf.envelope for leaf in j.live if id(leaf.node) not in excluded}
        hit = j.refolds[excluded] = _envelope(j.root, j, [], reachable=True, forced=True, known=known)
    return hit


def _runs(node: Node, *, forced: bool) -> bool:
    """Whether a node can do anything when its parent calls it."""
    if node.mode == "one_or_other":
        return True
    if forced and node.mode in _HONOURS_FORCE:
        return True
    p = probability(node)
    if forced and node.mode is None:  # should_apply: p <= 0 never runs; forced, anything else does (NaN too)
        return not p <= 0
    return p > 0


def _live_children(node: Node) -> list[tuple[bool, bool]]:
    """For each child: can it run at all, and is it called with ``force_apply``."""
    children = node.children
    if node.mode == "one_or_other":
        split = probability(node)
        last = len(children) - 1
        # random() < p picks the first: possible when p > 0; the last otherwise: possible unless p >= 1 (NaN too)
        picked = [(i == 0 and split > 0) or (i == last and not split >= 1) for i in range(len(children))]
        return [(ok and _runs(c, forced=True), True) for c, ok in zip(children, picked, strict=True)]
    if node.mode == "one_of":
        # picked with the weights it drew from its children's p when it was built (a live one says them), then
        # called forced: a child whose p was set to 0 since is still picked, and runs if forcing runs it
        # albumentations' name for them, which only a live object has (a config cannot set them)
        weights = node.params.get("transforms_ps") if node.obj is not None else None
        if weights is None:
            picks = [probability(c) > 0 for c in children]
        elif len(weights) != len(children):
            picks = [True] * len(children)
        else:
            picks = [w is None or not w <= 0 for w in weights]  # NaN: not known to be 0
        return [(ok and _runs(c, forced=True), True) for c, ok in zip(children, picks, strict=True)]
    if node.mode == "some_of" and int(node.params.get("n", 1)) <= 0:
        return [(False, False)] * len(children)
    return [(_runs(c, forced=False), False) for c in children]


def _envelope(
    node: Node,
    j: Judgement,
    leaves: list[Leaf],
    *,
    reachable: bool,
    forced: bool = False,
    known: Mapping[int, Envelope] | None = None,
) -> Envelope:
    """The node's envelope; records every leaf with whether it can run at all.

    ``known``, when given, holds the envelope of every leaf that runs, by ``id()``, from an earlier fold of
    the same tree (any other leaf does nothing): folding again then reads no arguments.
    """
    if node.mode is None:  # a transform
        if known is not None:
            return known.get(id(node), IDENTITY)
        if node.notes:
            j.noted.append(node)
        runs = reachable and _runs(node, forced=forced)
        if runs and forced and not probability(node) > 0:
            j.forced_at.append((node.location, probability(node)))
        return _leaf_envelope(node, j, leaves, runs)
    if known is None and node.notes:
        j.noted.append(node)
    reachable = reachable and _runs(node, forced=forced)
    if reachable and forced and known is None and not probability(node) > 0:
        j.forced_at.append((node.location, probability(node)))  # (a Sequential with p=0, forced: it runs)
    envs = []
    if node.mode == "sequence" and known is None:  # the common case, with its transforms read here
        for child in node.children:
            if child.mode is None:
                if child.notes:
                    j.noted.append(child)
                runs = probability(child) > 0
                env = _leaf_envelope(child, j, leaves, reachable and runs)
            else:
                runs = _runs(child, forced=False)
                env = _envelope(child, j, leaves, reachable=reachable and runs, known=known)
            if runs:
                envs.append(env)
    else:
        for child, (ok, force) in zip(node.children, _live_children(node), strict=True):
            env = _envelope(child, j, leaves, reachable=reachable and ok, forced=force, known=known)
            if ok:
                envs.append(env)
    if not reachable or not envs:
        return IDENTITY
    n = int(node.params.get("n", 1)) if node.mode == "some_of" else 0
    replace_drawn = bool(node.params.get("replace", False)) if node.mode == "some_of" else False
    if replace_drawn and n > 1:
        j.repeats = True
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


def _plain(value: Any) -> bool:
    """Whether an argument read is plain (:mod:`safeaug.validators.plain`), or absent: a value of any other kind
    (an array, an object) is never cached."""
    return value is _ABSENT or plain(value)


_UNCACHEABLE = object()


def _immutable(value: Any) -> bool:
    """Whether the value can never change: the same object later is the same value."""
    kind = type(value)
    return kind in PLAIN_TYPES or value is _ABSENT or (kind is tuple and PLAIN_TYPES.issuperset(map(type, value)))


def _snapshot(value: Any) -> bytes | None:
    """The value's bytes (:func:`safeaug.validators.plain.written`). Only values :func:`_plain` found plain are
    kept with theirs, so equal bytes mean an equal value of the same types."""
    return written(value)


# Envelopes already described, per (transform name, catalog name it is read as): the catalog entry and
# defaults used, the arguments the entry read with the value each got (the value itself when immutable) and
# its snapshot, and the envelope. A hit re-reads those arguments from the node on every call, so a changed
# live object, or a list or dict changed in place, is described anew.
_DESCRIBED: dict[
    tuple[str, str | None],
    list[tuple[Entry, Mapping[str, Any], tuple[tuple[str, Any, bytes | None], ...], Envelope]],
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
            for k, raw, snapshot in read:
                value = given.get(k, _ABSENT)
                if value is not raw and (snapshot is None or _snapshot(value) != snapshot):
                    break  # neither the same immutable value nor one of the same types and contents
            else:
                return env
    reads = _Reads(node.params)
    env = entry.describe(Params(node.name, reads, defaults)).including_identity()
    if not reads.whole and all(map(_plain, reads.read.values())):
        read = tuple(
            (k, v if _immutable(v) else _UNCACHEABLE, None if v is _ABSENT else _snapshot(v))
            for k, v in reads.read.items()
        )
        bucket = _DESCRIBED.setdefault(key, [])
        if len(bucket) >= _DESCRIBED_PER_NAME:
            del bucket[0]
        bucket.append((entry, defaults, read, env))
    return env


def _leaf_envelope(node: Node, j: Judgement, leaves: list[Leaf], reachable: bool) -> Envelope:
    allowed = trusted(node, j.policy) if j.policy.allow else None
    if allowed is not None:
        leaves.append(Leaf(node, IDENTITY, None, reachable, allowed))
        return IDENTITY
    found = resolve(node)
    if node.notes and unread(node):  # reported once, as SA501: judging it at a guessed value would only add noise
        leaves.append(Leaf(node, IDENTITY, found.entry, reachable))
        return IDENTITY
    if found.entry is None or found.entry.unknown:
        j.unknown = True
        probed = j.probe_result(node)
        if isinstance(probed, tuple):  # described by running it: the measured envelope, widened by its tolerance
            env = probed[1]
            leaves.append(Leaf(node, env, found.entry, reachable))
            return env if reachable else IDENTITY
        leaves.append(Leaf(node, IDENTITY, found.entry, reachable))
        return IDENTITY
    entry = found.entry
    read_as = found.via or node.name
    defaults = defaults_for(read_as)
    required = _required(read_as)
    if required:
        missing = [k for k in required if k not in node.params]
        if missing:
            raise ConfigError(
                f"{node.name}: `{missing[0]}` is required and was not given{_at(node)}", path=j.source, line=node.line
            )
    try:
        env = _described(node, entry, defaults, found.via)
    except ConfigError as exc:
        raise ConfigError(exc.bare_message + _at(node), path=j.source, line=node.line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # A value of a shape no albumentations line accepts (`border_mode: []`, a 400-digit limit).
        written = ", ".join(f"{k}={v!r}"[:80] for k, v in node.params.items())
        raise ConfigError(
            f"{node.name}({written}): an argument has a value albumentations does not accept ({exc}){_at(node)}; "
            f"check each argument against the signature of `{node.name}`",
            path=j.source,
            line=node.line,
        ) from None
    leaves.append(Leaf(node, env, entry, reachable))
    return env if reachable else IDENTITY


def _at(node: Node) -> str:
    return f" (at {node.location})" if node.location else ""


# ------------------------------------------------------------------------------------------ sizes


def _read_sizes(root: Node, live: list[Leaf], input_size: tuple[int, int] | None) -> SizeReading | None:
    if input_size is None:
        sized = 0
        for leaf in live:
            env = leaf.envelope
            sized += leaf.node.name in _SIZE_READERS or env.scale_min != 1.0 or env.scale_max != 1.0
        if sized < 2:
            # One size change alone loses no resolution, and no frame is known before a resize to a fixed size:
            # the common case costs one pass over the leaves.
            return None
    return read_sizes(root, {id(leaf.node): leaf.envelope for leaf in live}, probability, input_size)


def _exact_envelopes(live: list[Leaf], sizes: SizeReading | None) -> dict[int, Envelope]:
    """Pads (the frame's growth), resizes to fixed height and width (the aspect) and grid warps (whether a cell
    folds) on frames of known size."""
    if sizes is None:
        return {}
    out: dict[int, Envelope] = {}
    for leaf in live:
        node, env = leaf.node, leaf.envelope
        name = node.name
        if name not in _EXACT_ON_FRAMES or id(node) in sizes.partly_known:
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
            elif name == "GridElasticDeform":
                if not env.fold and any(_grid_folds(p, h, w) for h, w in frames):
                    out[id(node)] = env.with_changes(fold=True)
            elif name != "Resize" and math.isinf(env.canvas_growth):
                growth = max(_padded(p, name, h, w) / (h * w) for h, w in frames)
                out[id(node)] = env.with_changes(canvas_growth=growth)
        except (ConfigError, TypeError, ValueError, ZeroDivisionError):
            continue
    return out


_EXACT_ON_FRAMES = frozenset({"Pad", "PadIfNeeded", "Resize", "GridElasticDeform"})
# Transforms whose reading needs the frame's size in pixels: with one that sets it (a Resize), sizes are read.
_SIZE_READERS = SIZED | {"GridElasticDeform"}


def _grid_folds(p: Params, h: float, w: float) -> bool:
    """Whether a ``GridElasticDeform`` cell can fold on an h × w frame (its entry reads a 256 px side)."""
    grid = p.raw("num_grid_xy")
    nx, ny = (grid, grid) if not isinstance(grid, (list, tuple)) else grid
    width, height = folding_side(p.number("magnitude"), (int(nx), int(ny)))
    return w <= width or h <= height


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
