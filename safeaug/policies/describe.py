"""A policy as a table a domain expert can read: effect, bound, reason, references."""

from __future__ import annotations

from safeaug.policy import Policy
from safeaug.rules import RULES_BY_NAME


def describe_policy(policy: Policy) -> str:
    """The text ``safeaug explain POLICY`` prints."""
    from safeaug.validator import fmt  # the validator imports the policy loader: import late

    lines = [f"{policy.id}: {policy.title}", "", policy.description.strip(), ""]
    rows = [("effect", "bound", "code", "reason", "references")]
    for inv in policy.invariants:
        rule = RULES_BY_NAME[inv.effect]
        if not inv.allowed:
            bound = "forbidden"
        elif inv.min is None and inv.max is None:
            bound = "allowed"
        elif rule.kind == "range":
            bound = fmt(
                rule, (inv.min if inv.min is not None else 0.0, inv.max if inv.max is not None else float("inf"))
            )
        else:
            bound = ("≤ " if rule.kind == "max" else "≥ ") + fmt(rule, inv.max if rule.kind == "max" else inv.min)
        if inv.severity == "warning":
            bound += " (warning)"
        if inv.evidence == "convention":
            bound += " [convention]"
        rows.append((inv.effect, bound, inv.code, " ".join(inv.reason.split()), "; ".join(inv.references)))
    for name, (title, rules) in {
        "allow": ("allowed by name", policy.allow),
        "deny": ("denied by name", policy.deny),
    }.items():
        for r in rules:
            rows.append((r.transform, title, name, r.reason, "; ".join(r.references)))
    for effect, bound, code, reason, refs in rows:
        lines.append(f"{effect:<15} {bound:<32} {code:<6} {reason}")
        if refs and refs != "references":
            lines.append(f"{'':<55} refs: {refs}")
    return "\n".join(lines) + "\n"
