"""``review apply``: a policy that extends the reviewed one, tightened where readers rejected a magnitude.

For each effect where some reader rejected an image, the new bound is the largest magnitude that every
reader accepted and that is weaker than every rejected one (per side for a factor range). A review only
tightens: a bound already stricter than the readers' is kept, and an effect nobody rejected is left to
the policy it extends. The file records who read, when, and how many images each verdict rests on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safeaug.errors import PolicyError
from safeaug.policies import list_policies, load_policy
from safeaug.policy import Invariant, Policy
from safeaug.review.reviewfile import ReviewFile, ReviewFileError, load_review
from safeaug.rules import RULES_BY_NAME


@dataclass
class EffectVerdict:
    """What the readers said about one effect, and the bound it gives."""

    effect: str
    shown: int
    rejected: list[float]
    accepted: list[float]  # magnitudes every reader accepted
    invariant: Invariant | None  # the new invariant, None when the policy is already as strict


def _same_review(reviews: Sequence[ReviewFile]) -> None:
    first = reviews[0]
    for other in reviews[1:]:
        for key in ("policy", "pipeline", "created"):
            if other.header.get(key) != first.header.get(key):
                raise ReviewFileError(
                    f"{other.path}: `{key}` is {other.header.get(key)!r} but {first.path} has "
                    f"{first.header.get(key)!r}; files read together must come from the same review"
                )
        if [i.id for i in other.items] != [i.id for i in first.items] and {i.id for i in other.items} != {
            i.id for i in first.items
        }:
            raise ReviewFileError(f"{other.path}: its items differ from those of {first.path} (not the same review)")
        theirs = {i.id: i for i in other.items}
        for item in first.items:
            mine = theirs.get(item.id)
            if mine is not None and (mine.effect, mine.magnitude) != (item.effect, item.magnitude):
                raise ReviewFileError(
                    f"{other.path}:{mine.line}: item {item.id!r} shows {mine.effect} {mine.magnitude} but {first.path} "
                    f"has {item.effect} {item.magnitude}; only decision, realism and note are the reader's to change"
                )
    names = [r.reviewer for r in reviews]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ReviewFileError(
            f"reader {twice[0]!r} appears in more than one file; give each reader's file once (a reader counts once)"
        )


def read_reviews(
    paths: Sequence[str | os.PathLike[str]], key: str | os.PathLike[str] | None = None
) -> list[ReviewFile]:
    if not paths:
        raise ReviewFileError("no review files given")
    reviews = [load_review(Path(p), key=key) for p in paths]
    _same_review(reviews)
    return reviews


def verdicts(reviews: Sequence[ReviewFile], parent: Policy) -> list[EffectVerdict]:
    """Per effect: the magnitudes shown, rejected and accepted by every reader, and the tightened invariant."""
    by_id = [{i.id: i for i in r.items} for r in reviews]
    out: dict[str, EffectVerdict] = {}
    for item in reviews[0].items:
        if item.kind != "effect" or item.effect is None or item.magnitude is None:
            continue
        decisions = [m[item.id].decision for m in by_id]
        v = out.setdefault(item.effect, EffectVerdict(item.effect, 0, [], [], None))
        v.shown += 1
        if "reject" in decisions:
            v.rejected.append(item.magnitude)
        elif all(d == "accept" for d in decisions):
            v.accepted.append(item.magnitude)
    for v in out.values():
        if v.rejected:
            v.invariant = _tightened(v, parent.invariant(v.effect))
    return list(out.values())


def _tightened(v: EffectVerdict, current: Invariant | None) -> Invariant | None:
    """The invariant the readers' verdicts give, or None when ``current`` is at least as strict."""
    rule = RULES_BY_NAME[v.effect]
    if current is not None and not current.allowed:
        return None  # already forbidden
    kw: dict[str, Any] = {}
    if rule.kind == "flag":
        kw["allowed"] = False
    elif rule.kind == "max":
        weakest_rejected = min(abs(m) for m in v.rejected)
        ok = [abs(m) for m in v.accepted if abs(m) < weakest_rejected]
        if not ok:
            kw["allowed"] = False
        else:
            bound = max(ok)
            if current is not None and current.max is not None and current.max <= bound:
                return None
            kw["max"] = bound
    elif rule.kind == "min":  # a floor: smaller is stronger
        weakest_rejected = max(v.rejected)
        ok = [m for m in v.accepted if m > weakest_rejected]
        if not ok:
            kw["allowed"] = False
        else:
            bound = min(ok)
            if current is not None and current.min is not None and current.min >= bound:
                return None
            kw["min"] = bound
    else:  # a factor range: each side on its own
        lo = current.min if current is not None else None
        hi = current.max if current is not None else None
        new_lo, new_hi = lo, hi
        below = [m for m in v.rejected if m < 1.0]
        above = [m for m in v.rejected if m > 1.0]
        if below:
            edge = max(below)
            ok = [m for m in v.accepted if edge < m <= 1.0]
            cand = min(ok) if ok else 1.0
            new_lo = cand if lo is None else max(lo, cand)
        if above:
            edge = min(above)
            ok = [m for m in v.accepted if 1.0 <= m < edge]
            cand = max(ok) if ok else 1.0
            new_hi = cand if hi is None else min(hi, cand)
        if (new_lo, new_hi) == (lo, hi):
            return None
        kw["min"], kw["max"] = new_lo, new_hi
    return Invariant(
        effect=v.effect,
        severity=current.severity if current is not None else "error",
        reason="placeholder",
        **kw,
    )


def _extends_ref(policy: str, output: Path) -> str:
    if policy in list_policies() or (
        "/" not in policy and os.sep not in policy and not policy.endswith((".yaml", ".yml"))
    ):
        return policy
    try:
        return os.path.relpath(policy, output.resolve().parent)
    except ValueError:  # another drive
        return policy


def apply(
    reviews: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    key: str | os.PathLike[str] | None = None,
    policy_id: str | None = None,
) -> Policy:
    """Write the tightened policy to ``output`` and return it loaded (as ``load_policy(output)`` would).

    Raises :class:`ReviewFileError` for a malformed review file, with file, line and what was expected.
    """
    files = read_reviews(reviews, key)
    first = files[0]
    policy_ref = str(first.header["policy"])
    params = dict(first.header.get("policy_params") or {})
    try:
        parent = load_policy(policy_ref, **params)
    except PolicyError as exc:
        raise ReviewFileError(f"{first.path}: the reviewed policy cannot be loaded: {exc}") from None
    out = Path(output)
    found = verdicts(files, parent)
    readers = ", ".join(f"{r.reviewer} ({r.date or 'undated'})" for r in files)
    decided = sum(1 for r in files for i in r.items if i.decision)
    rejected = sum(1 for r in files for i in r.items if i.decision == "reject")
    pipeline = str(first.header.get("pipeline"))
    sources = [
        f"expert review of {pipeline}: {r.path.name}, read by {r.reviewer} on {r.date or 'an unrecorded date'}"
        for r in files
    ]
    lines = [
        "# Written by `safeaug review apply`: a policy tightened by expert review. Do not loosen it by hand;",
        "# review again instead.",
        f"# readers: {readers}",
        f"# images: {len(first.items)} per reader; decisions: {decided}; rejections: {rejected}",
        f"id: {json.dumps(policy_id or (parent.id + '_reviewed'))}",
        f"title: {json.dumps(parent.title + ' (after expert review)', ensure_ascii=False)}",
        f"extends: {json.dumps(_extends_ref(policy_ref, out))}",
        "description: "
        + json.dumps(
            f"{parent.title}, tightened where readers rejected what the pipeline {pipeline} may do. "
            f"Readers: {readers}. {len(first.items)} images each, {decided} decisions, {rejected} rejections.",
            ensure_ascii=False,
        ),
    ]
    declared = {p.name: p for p in parent.parameters}
    if params:
        lines.append("parameters:")
        for name, value in params.items():
            p = declared[name]
            lines += [
                f"  - name: {json.dumps(name)}",
                f"    type: {json.dumps(p.type)}",
                f"    default: {json.dumps(value)}",
                f"    description: {json.dumps(' '.join(p.description.split()), ensure_ascii=False)}",
            ]
    tightened = [v for v in found if v.invariant is not None]
    lines.append("invariants:" if tightened else "invariants: []")
    for v in tightened:
        inv = v.invariant
        assert inv is not None
        rule = RULES_BY_NAME[v.effect]
        shown = ", ".join(_show(rule.name, m) for m in sorted(set(v.rejected), key=abs))
        kept = ", ".join(_show(rule.name, m) for m in sorted(set(v.accepted), key=abs)) or "none"
        reason = (
            f"Expert review ({readers}): of {v.shown} images of {v.effect}, readers rejected {shown}; "
            f"every reader accepted {kept}. The bound keeps what every reader accepted."
        )
        current = parent.invariant(v.effect)
        if current is not None:
            reason += f" The policy it extends had {current.bound_text()}: {' '.join(current.reason.split())}"
        lines.append(f"  - effect: {v.effect}")
        if not inv.allowed:
            lines.append("    allowed: false")
        if inv.min is not None:
            lines.append(f"    min: {inv.min!r}")
        if inv.max is not None:
            lines.append(f"    max: {inv.max!r}")
        lines.append(f"    severity: {inv.severity}")
        lines.append(f"    reason: {json.dumps(reason, ensure_ascii=False)}")
        lines.append("    references:")
        lines += [f"      - {json.dumps(s, ensure_ascii=False)}" for s in sources]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load_policy(str(out.resolve()))
    if result.loosened:  # cannot happen by construction; refuse rather than write a looser policy
        out.unlink()
        raise PolicyError("the review would loosen the policy: " + "; ".join(result.loosened))
    return result


def _show(effect: str, magnitude: float) -> str:
    rule = RULES_BY_NAME[effect]
    if rule.kind == "flag":
        return "it"
    if rule.kind == "max":
        return f"{magnitude:+.3g}{rule.unit}"
    if rule.kind == "range":
        return f"{magnitude:.3g}{'' if effect == 'gamma' else '×'}"
    return f"{magnitude:.3g}{rule.unit}"
