"""The judgement: one object carried through every check instead of six to eight arguments.

It holds what the checks read (the tree, the policy, where the pipeline came from, the input size, the
leaves with their envelopes, the pipeline's envelope, the sizes read along it, what probing measured)
and which codes are wanted, so that a check nobody asked for is not run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from safeaug.catalog._registry import Entry, defaults_for
from safeaug.effects import IDENTITY, Envelope
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.report import Finding
from safeaug.rules import BAD_PARAMETER

if TYPE_CHECKING:
    from safeaug.policy import Invariant, Policy, TransformRule
    from safeaug.probing import Measurement
    from safeaug.sizes import SizeReading

InputSize = tuple[int, int]

# Probe results by id() of the node: a Measurement with the envelope that stands in for the missing catalog
# entry, or the reason probing failed.
Probed = Mapping[int, "tuple[Measurement, Envelope] | str"]


class Leaf(NamedTuple):
    """A transform with what it may do on its own, and whether it can run at all."""

    node: Node
    envelope: Envelope
    entry: Entry | None
    reachable: bool
    trusted: TransformRule | None = None


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


def probability(node: Node) -> float:
    """The node's ``p`` as written, or its class's default."""
    if node.p is not None:
        return node.p
    default = defaults_for(node.name).get("p", 1.0)
    return float(default) if isinstance(default, (int, float)) else 1.0


def trusted(node: Node, policy: Policy) -> TransformRule | None:
    """The policy's ``allow`` entry that names the transform (or a base class of it)."""
    if not policy.allow:
        return None
    names = {node.name, *node.mro}
    for rule in policy.allow:
        if rule.transform in names:
            return rule
    return None


def unread(node: Node) -> bool:
    """A transform the reader could not read in full (an SA501 error note): an argument, or itself."""
    return bool(node.notes) and any(n.code == BAD_PARAMETER and n.severity == "error" for n in node.notes)


@dataclass(eq=False, slots=True)
class Judgement:
    """One pipeline being judged against one policy: the checks read it and add nothing to it but caches.

    ``select`` and ``ignore`` are codes or prefixes (``SA1``): a code is wanted when it starts with one in
    ``select`` and with none in ``ignore``.
    """

    root: Node
    policy: Policy
    source: str | None = None
    input_size: InputSize | None = None
    probed: Probed = field(default_factory=dict)
    select: tuple[str, ...] = ("SA",)
    ignore: tuple[str, ...] = ()
    leaves: list[Leaf] = field(default_factory=list)  # every transform, in tree order
    noted: list[Node] = field(default_factory=list)  # the nodes the reader left notes on, in tree order
    live: list[Leaf] = field(default_factory=list)  # those that can run and are not allowed by name
    total: Envelope = field(default_factory=lambda: IDENTITY)  # the pipeline's envelope
    sizes: SizeReading | None = None  # the sizes read along the pipeline (None: no chain of size changes)
    # The pipeline's envelope without the transforms in each key (shared between invariants).
    refolds: dict[frozenset[int], Envelope] = field(default_factory=dict)
    broken: tuple[Invariant, ...] | None = None  # the invariants the pipeline breaks, once read
    movers: dict[str, tuple[int, ...]] | None = None  # per envelope field, the positions in `live` that move it
    repeats: bool = False  # a composition may run one transform several times (SomeOf with replace, n > 1)
    unknown: bool = False  # some transform has no usable catalog entry
    # Where a transform or composition runs although its p is 0 or NaN (forced by its caller): (location, p).
    forced_at: list[tuple[str, float]] = field(default_factory=list)

    def wants(self, code: str) -> bool:
        """Whether findings with this code are asked for."""
        return code.startswith(self.select) and not (self.ignore and code.startswith(self.ignore))

    def wants_any(self, codes: Iterable[str]) -> bool:
        return any(self.wants(code) for code in codes)

    def probe_result(self, node: Node) -> tuple[Measurement, Envelope] | str | None:
        return self.probed.get(id(node)) if self.probed else None

    def frames(self, node: Node) -> list[tuple[float, float]] | None:
        """Every frame (height, width) in px the transform may receive, when all of them are known."""
        sizes = self.sizes
        if sizes is None or id(node) in sizes.partly_known:
            return None  # on some path it receives the input itself, whose size is not known
        return sizes.frames.get(id(node)) or None

    def finding(self, code: str, at: Leaf | Node, **kw: Any) -> Finding:
        """A finding at a transform (a leaf: named by its class) or at a node of the tree."""
        node = at.node if isinstance(at, Leaf) else at
        kw.setdefault("transform", node.name if isinstance(at, Leaf) else None)
        if node.written and kw["transform"] == node.name:  # name the class as the config writes it
            kw["transform"] = node.written
            kw["message"] = kw["message"].replace(f"`{node.name}`", f"`{node.written}`")
            if "fix" in kw:
                kw["fix"] = kw["fix"].replace(f"Remove `{node.name}`", f"Remove `{node.written}`")
        kw.setdefault("input_size", self.input_size)
        return Finding(code=code, location=node.location, line=node.line, policy=self.policy.id, path=self.source, **kw)
