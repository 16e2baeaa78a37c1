"""A policy as a table a domain expert can read: effect, bound, reason, references."""

from __future__ import annotations

import textwrap

from safeaug.policy import Invariant, Policy, format_value
from safeaug.rules import EFFECT_NAMES

_EFFECT = 15
_BOUND = 30
_CODE = 6
_WIDTH = 120
_INDENT = _EFFECT + _BOUND + _CODE + 3
_TEXT = _WIDTH - _INDENT
_ORDER = {name: i for i, name in enumerate(EFFECT_NAMES)}  # rule-code order: geometry, intensity, detail


def _wrap(text: str, width: int = _TEXT) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=width, break_on_hyphens=False) or [""]


def _bound(inv: Invariant) -> list[str]:
    """The bound, then its qualifiers on lines of their own so the column stays narrow."""
    out = [inv.bound_text()]
    if inv.severity == "warning":
        out.append("(warning)")
    if inv.evidence == "convention":
        out.append("[convention]")
    return out


def _row(first: str, second: list[str], code: str, texts: list[str]) -> list[str]:
    lines = []
    for i in range(max(len(second), len(texts), 1)):
        a = first if i == 0 else ""
        b = second[i] if i < len(second) else ""
        c = code if i == 0 else ""
        t = texts[i] if i < len(texts) else ""
        lines.append(f"{a:<{_EFFECT}} {b:<{_BOUND}} {c:<{_CODE}} {t}".rstrip())
    return lines


def describe_policy(policy: Policy) -> str:
    """The text ``safeaug explain POLICY`` prints."""
    lines = [f"{policy.id}: {policy.title}"]
    if policy.extends:
        lines.append(f"extends: {policy.extends}")
    lines.append("")
    if policy.description.strip():
        lines += [*textwrap.wrap(" ".join(policy.description.split()), width=_WIDTH), ""]
    if policy.parameters:
        values = policy.values
        lines.append("parameters (set with load_policy(id, name=value) or --set name=value):")
        for p in policy.parameters:
            value = values.get(p.name, p.default)
            given = "" if value == p.default and type(value) is type(p.default) else f"  → {format_value(value)}"
            head = f"  {p.signature()}{given}"
            lines.append(head)
            lines += [f"      {t}" for t in _wrap(f"{p.description} Accepts {p.expects()}.", _WIDTH - 6)]
        lines.append("")
    lines.append(f"{'effect':<{_EFFECT}} {'bound':<{_BOUND}} {'code':<{_CODE}} reason")
    lines.append("-" * _WIDTH)
    for inv in sorted(policy.invariants, key=lambda i: _ORDER[i.effect]):
        texts = _wrap(inv.reason)
        needed = inv.needs_label_transform
        if needed is not None and inv.allowed:
            texts += _wrap(
                f"label transform `{needed.name}`: {needed.does}; until the pipeline performs it, "
                "the effect is refused."
            )
        if inv.when:
            texts += _wrap(f"applies when: {inv.when}")
        if inv.references:
            texts += _wrap("refs: " + "; ".join(inv.references))
        lines += _row(inv.effect, _bound(inv), inv.code, texts)
    for title, rules in (("allowed by name", policy.allow), ("denied by name", policy.deny)):
        for r in rules:
            texts = _wrap(r.reason)
            if r.references:
                texts += _wrap("refs: " + "; ".join(r.references))
            lines += _row(r.transform, [title], "SA402" if title.startswith("denied") else "", texts)
    if policy.loosened:
        lines += ["", "looser than the policies it extends:"]
        for item in policy.loosened:
            lines += ["  " + t for t in _wrap(item, _WIDTH - 2)]
    lines += [
        "",
        "[convention]: a practitioner convention, not a figure from a cited study. Effects not listed are not bounded.",
    ]
    return "\n".join(lines) + "\n"
