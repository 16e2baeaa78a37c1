"""SA410: degenerate arguments that make the installed albumentations replace every pixel.

The catalog entry says when (its envelope's ``destroys``); such a transform is refused under every policy.
"""

from __future__ import annotations

from safeaug.report import Finding
from safeaug.rules import DESTROYED_IMAGE
from safeaug.validators import messages
from safeaug.validators.context import Judgement

CODES = frozenset({DESTROYED_IMAGE})


def check(j: Judgement) -> list[Finding]:
    if not j.total.destroys:  # every transform's envelope lies inside the pipeline's
        return []
    return [
        j.finding(DESTROYED_IMAGE, leaf, severity="error", **messages.destroyed(leaf))
        for leaf in j.live
        if leaf.envelope.destroys
    ]
