"""SA407 (occlusion): a cut-out after a frame grown by an amount set by the input size (a pad in pixels).

The cut-out's share of the frame is bounded; its share of the content it surrounds is not.
"""

from __future__ import annotations

import math

from safeaug.report import Finding
from safeaug.rules import RULES_BY_NAME, UNBOUNDED_EFFECT
from safeaug.validators import messages
from safeaug.validators.bounds import broken, fields
from safeaug.validators.context import Judgement

CODES = frozenset({UNBOUNDED_EFFECT})


def check(j: Judgement) -> list[Finding]:
    if not j.total.occlusion_unbounded:
        return []
    out: list[Finding] = []
    for inv in broken(j):
        if inv.effect != "occlusion" or inv.max is None:
            continue
        rule = RULES_BY_NAME["occlusion"]
        hiders = [leaf for leaf in j.live if leaf.envelope.occlusion > 0]
        common = fields(inv)
        for leaf in j.live:
            if math.isinf(leaf.envelope.canvas_growth):
                words = messages.occlusion_after_growth(leaf.node.name, hiders, rule, inv, j.policy.id)
                out.append(j.finding(UNBOUNDED_EFFECT, leaf, severity="warning", **words, **common))
    return out
