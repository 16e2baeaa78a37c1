"""SA401 and SA408: transforms safeaug has no catalog entry for.

Unseen, such a transform is refused (SA401: it could mirror, turn or recolour). With ``probe=True`` a live
one is run on probe images first and judged by what it was seen to do (SA408, a warning), unless the probe
could not measure an effect the policy bounds (SA401 again: fail closed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeaug.catalog._registry import resolve
from safeaug.effects import Envelope
from safeaug.ir import Node
from safeaug.report import Finding
from safeaug.rules import PROBED_TRANSFORM, RULES_BY_NAME, UNKNOWN_TRANSFORM
from safeaug.validators import messages
from safeaug.validators.context import Judgement, probability, trusted, unread
from safeaug.validators.denied import denied_by

if TYPE_CHECKING:
    from safeaug.policy import Policy
    from safeaug.probing import Measurement

CODES = frozenset({UNKNOWN_TRANSFORM, PROBED_TRANSFORM})


def check(j: Judgement) -> list[Finding]:
    if not j.unknown:  # the fold met no transform without a usable catalog entry
        return []
    out: list[Finding] = []
    policy = j.policy
    for leaf in j.live:
        entry, node = leaf.entry, leaf.node
        if (entry is not None and not entry.unknown) or unread(node) or denied_by(node, policy) is not None:
            continue  # known; reported as SA501; or denied by name, when whether safeaug knows it no longer matters
        probed = j.probe_result(node)
        if isinstance(probed, tuple):
            measured = probed[0]
            out.append(j.finding(PROBED_TRANSFORM, leaf, severity="warning", **messages.probed(leaf, measured)))
            blind = _unmeasured_bounds(measured, policy)
            if blind:  # the probe failed to see what this policy bounds: fail closed
                what = messages.probe_blind(node, blind, policy.id, list(measured.notes))
                out.append(j.finding(UNKNOWN_TRANSFORM, leaf, severity="error", **messages.unknown(leaf, what)))
            continue
        what = messages.unknown_what(leaf, resolve(node).problem)
        failed = messages.probe_failed(probed) if isinstance(probed, str) else ""
        out.append(j.finding(UNKNOWN_TRANSFORM, leaf, severity="error", **messages.unknown(leaf, what, failed)))
    return out


def _unmeasured_bounds(measured: Measurement, policy: Policy) -> list[str]:
    """Effects the policy bounds that this probe failed to measure (beyond what no probe ever sees)."""
    from safeaug.probing import ALWAYS_UNMEASURED

    missing = set(measured.unmeasured) - set(ALWAYS_UNMEASURED)
    return sorted(inv.effect for inv in policy.invariants if not missing.isdisjoint(RULES_BY_NAME[inv.effect].fields))


def probe_unknowns(root: Node, policy: Policy, seeds: int) -> dict[int, tuple[Measurement, Envelope] | str]:
    """Run every live transform that has no usable catalog entry on the probe images."""
    from safeaug.probing import ProbeError, probe, widened  # numpy: only when asked to probe

    found: dict[int, tuple[Measurement, Envelope] | str] = {}
    for node in root.leaves():
        if node.obj is None or probability(node) <= 0 or trusted(node, policy) is not None:
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
