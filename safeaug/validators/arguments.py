"""SA501 and SA502: arguments the reader could not read, or that the installed albumentations would drop.

The readers note these on the nodes as they read them; this check reports the notes of every transform
that can run (and of every composition), where the reader put them.
"""

from __future__ import annotations

from safeaug.report import Finding
from safeaug.rules import BAD_PARAMETER, IGNORED_ARGUMENT
from safeaug.validators.context import Judgement

CODES = frozenset({BAD_PARAMETER, IGNORED_ARGUMENT})


def check(j: Judgement) -> list[Finding]:
    running: set[int] | None = None
    out: list[Finding] = []
    for node in j.noted:  # the nodes with notes, as the fold met them
        if running is None:
            running = {id(leaf.node) for leaf in j.leaves if leaf.reachable}
        if node.is_composition or id(node) in running:
            out += [
                j.finding(
                    n.code,
                    node,
                    severity=n.severity,
                    message=n.message,
                    fix=n.fix,
                    reason=n.reason,
                    transform=node.written or node.name,
                )
                for n in node.notes
                if j.wants(n.code)
            ]
    return out
