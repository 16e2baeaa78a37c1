"""SA407: crops and shifts given in pixels, whose share of the image depends on the input size.

With the input size known (``input_size=``), the frames each transform receives are known too and the
share is judged exactly: an error under the effect's own code (SA108 crop, SA104 translation), or nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from safeaug.catalog._registry import Params, defaults_for
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.report import Finding
from safeaug.rules import RULES_BY_NAME, UNBOUNDED_EFFECT, Rule
from safeaug.validators import messages
from safeaug.validators.bounds import broken, fields, paired
from safeaug.validators.context import Judgement, Leaf

if TYPE_CHECKING:
    from safeaug.policy import Invariant

CODES = frozenset({UNBOUNDED_EFFECT, RULES_BY_NAME["crop"].code, RULES_BY_NAME["translation"].code})

_TOL = 1e-9


def check(j: Judgement) -> list[Finding]:
    out: list[Finding] = []
    for inv in broken(j):
        rule = RULES_BY_NAME[inv.effect]
        if rule.name not in ("crop", "translation") or not (j.wants(UNBOUNDED_EFFECT) or j.wants(rule.code)):
            continue
        common = fields(inv)
        skip = paired(j, inv)
        for leaf in j.live:
            env = leaf.envelope
            if (env.crop_unbounded if rule.name == "crop" else env.translation_px > 0) and id(leaf.node) not in skip:
                out += _in_pixels(j, inv, rule, leaf, common)
    return out


def _in_pixels(j: Judgement, inv: Invariant, rule: Rule, leaf: Leaf, common: dict[str, Any]) -> list[Finding]:
    env, name, pid = leaf.envelope, leaf.node.name, j.policy.id
    frames = j.frames(leaf.node)
    if frames is not None and inv.allowed:
        exact = _on_frames(j, inv, rule, leaf, frames, common)
        if exact is not None:
            return exact
    if rule.name == "crop" and (inv.min is not None or not inv.allowed):
        if not inv.allowed:
            return [j.finding(rule.code, leaf, severity=inv.severity, **messages.crops_refused(name, pid), **common)]
        if env.crop_min < 1.0:  # a share that holds for a square input only
            words = messages.crop_share_by_aspect(name, rule, env.crop_min, inv.min or 0.0, pid, leaf.node.foreign)
        else:
            words = messages.crop_in_pixels(name, rule, inv.min or 0.0, pid, leaf.node.foreign, leaf.node.written)
        return [j.finding(UNBOUNDED_EFFECT, leaf, severity="warning", **words, **common)]
    if rule.name == "translation" and (inv.max is not None or not inv.allowed):
        words = messages.shift_in_pixels(leaf, rule, inv, pid)
        return [j.finding(UNBOUNDED_EFFECT, leaf, severity="warning", **words, **common)]
    return []


def kept_share(node: Node, frame: tuple[float, float]) -> float | None:
    """The share of a frame of ``(height, width)`` px a crop in pixels keeps at worst (None: not in pixels)."""
    h, w = frame
    p = Params(node.name, node.params, defaults_for(node.name))
    try:
        if node.name in ("RandomCrop", "CenterCrop"):
            ch, cw = p.number("height"), p.number("width")
        elif node.name == "Crop":
            ch, cw = p.number("y_max") - p.number("y_min"), p.number("x_max") - p.number("x_min")
        elif node.name == "RandomSizedCrop":
            ch = p.range("min_max_height", "fixed")[0]
            cw = ch * p.number("w2h_ratio")
        else:
            return None
    except ConfigError:
        return None
    return max(0.0, min(1.0, ch / h)) * max(0.0, min(1.0, cw / w))


def _on_frames(
    j: Judgement, inv: Invariant, rule: Rule, leaf: Leaf, frames: list[tuple[float, float]], common: dict[str, Any]
) -> list[Finding] | None:
    """Crops and shifts in pixels on frames of known size: an exact verdict instead of an SA407 warning."""
    env, name, pid = leaf.envelope, leaf.node.name, j.policy.id
    worst = max(frames, key=lambda f: f[0] * f[1]) if rule.name == "crop" else min(frames, key=min)
    if rule.name == "crop" and inv.min is not None:
        kept = min((k for k in (kept_share(leaf.node, f) for f in frames) if k is not None), default=None)
        if kept is None:
            return None
        if kept >= inv.min - _TOL:
            return []
        words = messages.crop_on_frame(name, rule, kept, inv.min, worst, pid, leaf.node.foreign)
        return [j.finding(rule.code, leaf, severity=inv.severity, **words, **common)]
    if rule.name == "translation" and inv.max is not None:
        if math.isinf(env.translation_px):  # a distance in mm (TorchIO): the image size alone does not settle it
            return None
        shift = env.translation + env.translation_px / max(1.0, min(worst))
        if shift <= inv.max + _TOL:
            return []
        words = messages.shift_on_frame(leaf, rule, inv, shift, worst, pid)
        return [j.finding(rule.code, leaf, severity=inv.severity, **words, **common)]
    return None
