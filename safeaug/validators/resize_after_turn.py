"""SA407 (shear): a resize to a fixed size after a turn shears by a factor of the input's aspect.

So does a transform that turns and then scales each axis back into the frame by its own factor
(``SafeRotate``). Neither can be bounded without the input size: a warning under a shear bound.
"""

from __future__ import annotations

import math

from safeaug.report import Finding
from safeaug.rules import UNBOUNDED_EFFECT
from safeaug.validators import messages
from safeaug.validators.context import Judgement, Leaf

CODES = frozenset({UNBOUNDED_EFFECT})

# Transforms that turn the image and then scale each axis by its own factor (the shear depends on the input).
_TURNS_THEN_STRETCHES = frozenset({"SafeRotate"})


def check(j: Judgement) -> list[Finding]:
    total = j.total
    if total.rotation <= 0 or not math.isinf(total.aspect):
        return []  # every transform's envelope lies inside the pipeline's: nothing turns, or nothing resizes
    inv = j.policy.invariant("shear")
    if inv is None or (inv.allowed and inv.max is None):
        return []
    common = {"severity": "warning", "effect": "shear", "reason": inv.reason, "references": inv.references}
    out: list[Finding] = []
    turner: Leaf | None = None
    for leaf in j.live:  # tree order: a sequence's order
        env = leaf.envelope
        if env.rotation > 0 and math.isinf(env.aspect) and leaf.node.name in _TURNS_THEN_STRETCHES:
            words = messages.turns_then_stretches(leaf.node.name, j.policy.id)
            out.append(j.finding(UNBOUNDED_EFFECT, leaf, **words, **common))
        elif turner is not None and math.isinf(env.aspect):
            words = messages.resize_after_turn(leaf.node.name, turner.node, j.policy.id)
            out.append(j.finding(UNBOUNDED_EFFECT, leaf, **words, **common))
        if turner is None and env.rotation > 0:
            turner = leaf
    return out
