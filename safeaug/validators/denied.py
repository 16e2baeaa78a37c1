"""SA402: a transform the policy refuses by name (``deny:``), whatever its arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safeaug.ir import Node
from safeaug.report import Finding
from safeaug.rules import DENIED_TRANSFORM
from safeaug.validators import messages
from safeaug.validators.context import Judgement

if TYPE_CHECKING:
    from safeaug.policy import Policy, TransformRule

CODES = frozenset({DENIED_TRANSFORM})


def denied_by(node: Node, policy: Policy) -> TransformRule | None:
    """The policy's ``deny`` entry that names the transform (or a base class of it)."""
    if not policy.deny:
        return None
    names = {node.name, *node.mro}
    for rule in policy.deny:
        if rule.transform in names:
            return rule
    return None


def check(j: Judgement) -> list[Finding]:
    if not j.policy.deny:
        return []
    out: list[Finding] = []
    for leaf in j.live:
        rule = denied_by(leaf.node, j.policy)
        if rule is not None:
            words = messages.denied(leaf.node.name, j.policy.id)
            out.append(
                j.finding(
                    DENIED_TRANSFORM, leaf, severity="error", reason=rule.reason, references=rule.references, **words
                )
            )
    return out
