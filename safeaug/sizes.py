"""Image sizes along a pipeline: the frame each transform receives, and the resolution resizes lose.

A transform that resizes to a fixed size (``Resize``, ``LongestMaxSize``, ``SmallestMaxSize``, the
``*ResizedCrop`` family) scales by a factor that depends on the size it receives, so its envelope alone
cannot say what it does; a chain of them can. ``Resize(16, 16)`` then ``Resize(256, 256)`` passes the
content through 16 px and spreads it over 256: whatever the input, at most 1/16 of the output's
resolution is left, the loss of ``Downscale(scale_range=(0.0625, 0.0625))``.

The walk follows every path through the pipeline (each transform run or skipped, each branch of a
``OneOf``, the ends of every random size) and tracks per axis the frame in pixels and the content scale
``c`` (output pixels per input pixel). Along a path with lowest scale ``m = min(1, min c_i)`` and final
scale ``c_f``, the resolution kept is ``m / min(1, c_f)``: a dip below both the input and the output is
detail lost; a plain shrink (the output is smaller) is scale, not lost resolution.

Without an input size, square inputs are tried at every size where a fixed size starts or stops
mattering (each factor is ``k / S`` or a constant, so the worst case sits at such a size), and 1:4 and 4:1
inputs tell whether the result depends on the input's aspect.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from safeaug.catalog._registry import Params, Scalar, defaults_for
from safeaug.effects import Envelope
from safeaug.errors import ConfigError
from safeaug.ir import Node

# frame height, width (px; NaN when unknown), content scale y, x, lowest content scale y, x (from 1)
_Path = tuple[float, float, float, float, float, float]

# Transforms whose output size is set here (the rest keep the frame and zoom the content by their envelope).
SIZED = frozenset(
    {
        "Resize",
        "LongestMaxSize",
        "SmallestMaxSize",
        "RandomScale",
        "RandomResizedCrop",
        "RandomSizedCrop",
        "RandomSizedBBoxSafeCrop",
        "RandomCrop",
        "CenterCrop",
        "Crop",
        "PadIfNeeded",
        "Pad",
    }
)
_ASPECTS = (0.25, 4.0)  # height / width of the non-square inputs tried without an input size
_HUGE = 1e6
_MAX_ORDERS = 720  # orders of a SomeOf's picks tried one by one; beyond, a bound that allows any order


@dataclass
class SizeReading:
    """What the walk found."""

    # id(node) -> every frame (height, width) in px the transform may receive, where it is known
    frames: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    resolution: float = 1.0  # the lowest resolution kept (square inputs, or the given input size)
    worst_input: tuple[float, float] | None = None  # an input size on which it is reached
    aspect_resolution: float = 1.0  # the lowest on 1:4 and 4:1 inputs (no input size given)
    resizers: list[Node] = field(default_factory=list)  # the size-changing transforms that can run
    partly_known: set[int] = field(default_factory=set)  # id(node) of transforms whose frame is not always known


def read_sizes(
    root: Node,
    envelopes: Mapping[int, Envelope],
    probability: Callable[[Node], float],
    input_size: tuple[int, int] | None,
) -> SizeReading:
    """Frames and resolution along ``root`` (``envelopes``: each runnable leaf's envelope by ``id()``).

    Pipelines of one project repeat their resizes (the same ``Resize`` and ``RandomResizedCrop`` in file
    after file, around other transforms): the walk's result is kept by the shape of everything it reads,
    and a pipeline of the same shape gets it without walking again.
    """
    order = list(root.walk())
    key = _shape(order, envelopes, probability, input_size)
    if key is not None and key in _KEPT:
        return _rebuilt(_KEPT[key], order)
    reading = _read_sizes(root, envelopes, probability, input_size)
    if key is not None:
        if len(_KEPT) >= _MAX_KEPT:
            _KEPT.clear()
        _KEPT[key] = _portable(reading, order)
    return reading


# What the walk found, with nodes named by their place in the walk order: (frames, partly known, resizers,
# resolution, worst input, aspect resolution).
_Portable = tuple[
    dict[int, list[tuple[float, float]]], frozenset[int], tuple[int, ...], float, "tuple[float, float] | None", float
]
_KEPT: dict[tuple[Any, ...], _Portable] = {}
_MAX_KEPT = 256  # shapes a run keeps at once (a project has few; memory stays flat over many files)


def _shape(
    order: list[Node],
    envelopes: Mapping[int, Envelope],
    probability: Callable[[Node], float],
    input_size: tuple[int, int] | None,
) -> tuple[Any, ...] | None:
    """Everything the walk reads, node by node in walk order; None when an argument cannot be kept as a key.

    A composition: how it combines, its ``n``/``replace``, its probability and its number of children. A
    transform that changes sizes or zooms: its name, arguments, probability and scale envelope. Any other
    transform only records the frames it receives: whether it can run is all that matters.
    """
    out: list[Any] = [input_size]
    try:
        for node in order:
            if node.is_composition:
                raw = (node.params.get("n"), node.params.get("replace"))
                out.append(("c", node.mode, _key(raw), probability(node), len(node.children)))
            elif id(node) not in envelopes:
                out.append("-")
            elif _sized(node, envelopes):
                env = envelopes[id(node)]
                args = _key(dict(node.params))
                out.append(("s", node.name, args, probability(node), env.scale_min, env.scale_max))
            else:
                out.append("r")
        key = tuple(out)
        hash(key)
    except TypeError:
        return None
    return key


def _key(value: Any) -> Any:
    """A hashable stand-in for an argument value that tells apart what reading it tells apart (1, 1.0, True)."""
    if isinstance(value, Mapping):
        return ("map", tuple(sorted(((str(k), _key(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key(v) for v in value))
    hash(value)  # TypeError for anything else that cannot be a key
    return (type(value).__name__, value)


def _portable(reading: SizeReading, order: list[Node]) -> _Portable:
    place = {id(node): i for i, node in enumerate(order)}
    return (
        {place[k]: list(v) for k, v in reading.frames.items()},
        frozenset(place[k] for k in reading.partly_known),
        tuple(place[id(n)] for n in reading.resizers),
        reading.resolution,
        reading.worst_input,
        reading.aspect_resolution,
    )


def _rebuilt(kept: _Portable, order: list[Node]) -> SizeReading:
    frames, partly_known, resizers, resolution, worst_input, aspect_resolution = kept
    return SizeReading(
        frames={id(order[i]): list(v) for i, v in frames.items()},
        resolution=resolution,
        worst_input=worst_input,
        aspect_resolution=aspect_resolution,
        resizers=[order[i] for i in resizers],
        partly_known={id(order[i]) for i in partly_known},
    )


def _read_sizes(
    root: Node,
    envelopes: Mapping[int, Envelope],
    probability: Callable[[Node], float],
    input_size: tuple[int, int] | None,
) -> SizeReading:
    reading = SizeReading()
    leaves = [n for n in root.leaves() if id(n) in envelopes]
    reading.resizers = [n for n in leaves if _sized(n, envelopes)]
    fixed = any(n.name in SIZED and n.name != "RandomScale" for n in reading.resizers)
    walker = _Walker(envelopes, probability, reading, _active(root, {id(n) for n in reading.resizers}))
    start = (float(input_size[0]), float(input_size[1])) if input_size else (math.nan, math.nan)
    if input_size is not None or fixed:  # frames in pixels can be known: record them
        walker.record = True
        walker.run(root, [(*start, 1.0, 1.0, 1.0, 1.0)])
        walker.record = False
    if len(reading.resizers) < 2:  # one step alone never dips below both its ends
        return reading
    if input_size is not None or not fixed:  # nothing depends on a size that is not known
        one = start if input_size is not None else (1.0, 1.0)
        reading.resolution = reading.aspect_resolution = _kept(walker.run(root, [(*one, 1.0, 1.0, 1.0, 1.0)]))
        reading.worst_input = start if input_size is not None else None
        return reading
    # Sizes where a factor k/S crosses 1: the scales reached on a 1 px input.
    unit = walker.run(root, [(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)])
    sizes = {1.0, _HUGE} | {float(f"{abs(v):.6g}") for p in unit for v in p[2:4] if 0 < v < math.inf}
    sizes |= {v for n in reading.resizers for v in _pixels(n)}
    best, worst = 1.0, None
    for size in sorted(sizes):
        kept = _kept(walker.run(root, [(size, size, 1.0, 1.0, 1.0, 1.0)]))
        if kept < best - 1e-12:
            best, worst = kept, (size, size)
    reading.resolution, reading.worst_input = best, worst
    aspect = best
    for size in {_HUGE, *(worst or ())}:  # the aspect matters where the square worst is, or for large inputs
        for a in _ASPECTS:
            aspect = min(aspect, _kept(walker.run(root, [(size * a, size, 1.0, 1.0, 1.0, 1.0)])))
    reading.aspect_resolution = aspect
    return reading


_PIXEL_ARGUMENTS = ("height", "width", "max_size", "size", "min_max_height", "min_height", "min_width", "max_size_hw")


def _pixels(node: Node) -> set[float]:
    """Sizes in pixels named by a transform's arguments: where a factor k/S may cross 1."""
    out: set[float] = set()
    for key in _PIXEL_ARGUMENTS:
        value = node.params.get(key)
        for v in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                out.add(float(v))
    return out


def _active(root: Node, sized: set[int]) -> set[int]:
    """``id()`` of the sized leaves and of every composition above one."""
    active: set[int] = set()

    def visit(node: Node) -> bool:
        if not node.is_composition:
            return id(node) in sized
        below = [visit(child) for child in node.children]
        if any(below):
            active.add(id(node))
            return True
        return False

    visit(root)
    return active | sized


def _sized(node: Node, envelopes: Mapping[int, Envelope]) -> bool:
    env = envelopes[id(node)]
    return node.name in SIZED or env.scale_min != 1.0 or env.scale_max != 1.0


def _kept(paths: Iterable[_Path]) -> float:
    worst = 1.0
    for _h, _w, cy, cx, my, mx in paths:
        for c, m in ((cy, my), (cx, mx)):
            if c > 0 and not math.isnan(c):
                worst = min(worst, m / min(1.0, c))
    return worst


class _Walker:
    def __init__(
        self,
        envelopes: Mapping[int, Envelope],
        probability: Callable[[Node], float],
        reading: SizeReading,
        active: set[int],
    ) -> None:
        self.envelopes = envelopes
        self.probability = probability
        self.reading = reading
        self.active = active
        self.record = False
        self.params: dict[int, _Memo] = {}

    def run(self, node: Node, paths: list[_Path]) -> list[_Path]:
        if id(node) not in self.active:  # changes no size and zooms nothing: only its frames are of interest
            if self.record:
                if node.is_composition:
                    for child in node.children:
                        self.run(child, paths)
                elif id(node) in self.envelopes:
                    self._record(node, paths)
            return paths
        if node.is_composition:
            out = self._composition(node, paths)
        elif id(node) not in self.envelopes:  # cannot run, or judged elsewhere (unknown)
            return paths
        else:
            if self.record:
                self._record(node, paths)
            out = [q for p in paths for q in self._leaf(node, p)]
        if self.probability(node) < 1.0:
            out = out + paths  # it may not run
        return _unique(out)

    def _record(self, node: Node, paths: list[_Path]) -> None:
        known = [(h, w) for h, w, *_ in paths if not (math.isnan(h) or math.isnan(w))]
        if len(known) < len(paths):  # on some path the frame is the input's, whose size is not known
            self.reading.partly_known.add(id(node))
        self.reading.frames.setdefault(id(node), []).extend(known)

    def _composition(self, node: Node, paths: list[_Path]) -> list[_Path]:
        if node.mode in ("one_of", "one_or_other"):
            return [q for child in node.children for q in self.run(child, paths)]
        if node.mode == "some_of":
            return self._some_of(node, paths)
        current = paths
        for child in node.children:
            current = self.run(child, current)
        return current

    def _some_of(self, node: Node, paths: list[_Path]) -> list[_Path]:
        """``SomeOf(n)`` and ``RandomOrder``: up to n of the children, in any order."""
        children = node.children
        raw = node.params.get("n", len(children))
        n = min(len(children), int(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else 1)
        replace = bool(node.params.get("replace", False))
        orders: list[tuple[Node, ...]] = []
        for k in range(1, n + 1):
            picks = itertools.product(children, repeat=k) if replace else itertools.permutations(children, k)
            orders += itertools.islice(picks, _MAX_ORDERS - len(orders))
        out = list(paths)  # none of them changes the size (or SomeOf does not run)
        for order in orders:
            current = paths
            for child in order:
                current = self.run(child, current)
            out += current
        if len(orders) >= _MAX_ORDERS:  # too many orders to try: each child may follow every other
            current = paths
            for child in (*children, *children):
                current = _unique(self.run(child, current) + current)
            out += current
        return _unique(out)

    def _leaf(self, node: Node, path: _Path) -> list[_Path]:
        params = self.params.get(id(node))
        if params is None:
            params = self.params[id(node)] = _Memo(node.name, node.params, defaults_for(node.name))
        try:
            return _step(node.name, params, path, self.envelopes[id(node)])
        except (ConfigError, TypeError, ValueError, ZeroDivisionError):
            return [path]  # unreadable arguments are reported by the catalog (SA501)


class _Memo(Params):
    """Arguments read once per walk: the walk reads the same ones on every path and every trial size."""

    __slots__ = ("memo",)

    def __init__(self, transform: str, given: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
        super().__init__(transform, given, defaults)
        self.memo: dict[tuple[str, str, str], Any] = {}

    def number(self, name: str) -> float:
        key = ("number", name, "")
        if key not in self.memo:
            self.memo[key] = super().number(name)
        return self.memo[key]  # type: ignore[no-any-return]

    def range(self, name: str, scalar: Scalar = "symmetric") -> tuple[float, float]:
        key = ("range", name, scalar)
        if key not in self.memo:
            self.memo[key] = super().range(name, scalar)
        return self.memo[key]  # type: ignore[no-any-return]


def _unique(paths: list[_Path]) -> list[_Path]:
    # Paths reached the same way are equal to the last bit; a few near-equal ones only cost time.
    return list(dict.fromkeys(paths)) if len(paths) > 1 else paths


def _scaled(path: _Path, fy: float, fx: float, frame: tuple[float, float] | None = None) -> _Path:
    h, w, cy, cx, my, mx = path
    cy, cx = cy * fy, cx * fx
    nh, nw = frame if frame is not None else (h * fy, w * fx)
    return (nh, nw, cy, cx, min(my, cy), min(mx, cx))


def _pair(value: Any) -> tuple[float, float]:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return float(value[0]), float(value[1])
    return float(value), float(value)


def _step(name: str, p: Params, path: _Path, env: Envelope) -> list[_Path]:
    h, w = path[0], path[1]
    if name == "Resize":
        th, tw = p.number("height"), p.number("width")
        return [_scaled(path, th / h, tw / w, (th, tw))]
    if name in ("LongestMaxSize", "SmallestMaxSize"):
        return [_scaled(path, f, f) for f in _max_size_factors(p, name == "LongestMaxSize", h, w)]
    if name == "RandomScale":
        lo, hi = p.range("scale_limit")
        return [_scaled(path, 1.0 + f, 1.0 + f) for f in (lo, hi)]
    if name in ("RandomCrop", "CenterCrop"):
        return [(p.number("height"), p.number("width"), *path[2:])]
    if name == "Crop":
        frame = (p.number("y_max") - p.number("y_min"), p.number("x_max") - p.number("x_min"))
        return [(*frame, *path[2:])]
    if name == "PadIfNeeded":
        mh, mw = p.optional_number("min_height"), p.optional_number("min_width")
        return [(max(h, mh) if mh else h, max(w, mw) if mw else w, *path[2:])]
    if name == "Pad":
        return [(h + _pad_total(p.raw("padding"), 1), w + _pad_total(p.raw("padding"), 0), *path[2:])]
    if name == "RandomResizedCrop":
        th, tw = _pair(p.raw("size"))
        s_lo, s_hi = p.range("scale", "fixed")
        r_lo, r_hi = p.range("ratio", "fixed")
        out = []
        for s in (s_lo, s_hi):
            for r in (r_lo, r_hi):
                ch = min(h, math.sqrt(max(s, 1e-9) * h * w / r)) if not math.isnan(h) else math.nan
                cw = min(w, math.sqrt(max(s, 1e-9) * h * w * r)) if not math.isnan(w) else math.nan
                out.append(_scaled(path, th / ch, tw / cw, (th, tw)))
        return out
    if name in ("RandomSizedCrop", "RandomSizedBBoxSafeCrop"):
        th, tw = _pair(p.raw("size")) if "size" in p.defaults else (p.number("height"), p.number("width"))
        lo, hi = p.range("min_max_height", "fixed")
        ratio = p.number("w2h_ratio") if "w2h_ratio" in p.defaults else 1.0
        out = []
        for c in (lo, hi):
            ch, cw = min(h, c), min(w, c * ratio)
            out.append(_scaled(path, th / ch, tw / cw, (th, tw)))
        return out
    # Any other transform keeps its frame and may zoom the content within it.
    return [_scaled(path, s, s, (h, w)) for s in {env.scale_min, env.scale_max} if s > 0] or [path]


def _max_size_factors(p: Params, longest: bool, h: float, w: float) -> list[float]:
    pick = min if longest else max
    sizes = p.raw("max_size")
    if sizes is not None:
        values = [float(v) for v in (sizes if isinstance(sizes, (list, tuple)) else [sizes])]
        side = max(h, w) if longest else min(h, w)
        return [v / side for v in values]
    hw = p.raw("max_size_hw")
    if not isinstance(hw, (list, tuple)) or len(hw) != 2:
        return [1.0]
    factors = [float(t) / s for t, s in zip(hw, (h, w), strict=True) if t is not None]
    return [pick(factors)] if factors else [1.0]


def _pad_total(padding: Any, axis: int) -> float:
    """Pixels ``Pad`` adds along an axis (0: width, 1: height)."""
    if isinstance(padding, (int, float)):
        return 2.0 * float(padding)
    values = [float(v) for v in padding]
    if len(values) == 2:  # (x, y) on both sides
        return 2.0 * values[axis]
    left, top, right, bottom = values
    return left + right if axis == 0 else top + bottom
