"""SA302 through a chain of resizes: content squeezed through a small size and spread out again.

The sizes read along the pipeline (:mod:`safeaug.sizes`) give the resolution kept; when it depends on the
input's aspect and no input size is given, an SA407 warning says so.
"""

from __future__ import annotations

from safeaug.report import Finding
from safeaug.rules import RULES_BY_NAME, UNBOUNDED_EFFECT
from safeaug.validators import messages
from safeaug.validators.context import Judgement

_RULE = RULES_BY_NAME["resolution"]
CODES = frozenset({_RULE.code, UNBOUNDED_EFFECT})

_TOL = 1e-9
_HUGE_INPUT = 1e6


def check(j: Judgement) -> list[Finding]:
    sizes = j.sizes
    if sizes is None or sizes.resolution >= j.total.resolution:
        return []
    inv = j.policy.invariant("resolution")
    if inv is None:
        return []
    floor = 1.0 if not inv.allowed else inv.min
    if floor is None:
        return []
    named = messages.resizers(sizes.resizers)
    common = {"reason": inv.reason.strip(), "references": inv.references, "effect": inv.effect}
    pid = j.policy.id
    kept = sizes.resolution
    if kept < floor - _TOL:
        on = messages.on_inputs(j.input_size, sizes.worst_input, _HUGE_INPUT)
        words = messages.resolution_lost(named, on, _RULE, inv, kept, floor, pid)
        return [j.finding(_RULE.code, j.root, severity=inv.severity, **words, **common)]
    if sizes.aspect_resolution < floor - _TOL:
        words = messages.resolution_by_aspect(named, _RULE, inv, sizes.aspect_resolution, kept, floor, pid)
        return [j.finding(UNBOUNDED_EFFECT, j.root, severity="warning", **words, **common)]
    return []
