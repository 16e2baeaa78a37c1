"""What policies do, without pydantic: the methods of the policy models, and plain frozen copies of them.

:mod:`safeaug.policy` defines the policy models with pydantic (strict validation of user files, the JSON
Schema). The linter's path for built-in policies, which the package's tests validate, needs no validation:
:func:`plain_policy` builds the same policy from the same data as frozen dataclasses with the same fields
and the same methods (the mixins below), so that a one-file lint does not pay for importing pydantic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from safeaug.rules import RULES_BY_NAME, fmt

Severity = Literal["error", "warning"]
ParamValue = bool | int | float | str


def format_value(value: ParamValue) -> str:
    """A parameter value as it is written in a policy file (``true``, ``16``, ``'light'``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if isinstance(value, int) else repr(value)


class ParameterMethods:
    """What a declared parameter accepts (shared by :class:`safeaug.policy.Parameter` and its plain copy)."""

    if TYPE_CHECKING:
        name: str
        type: Literal["int", "float", "bool", "str"]
        default: ParamValue
        description: str
        min: float | None
        max: float | None
        choices: tuple[str, ...] | None

    def expects(self) -> str:
        """The accepted values, in words."""
        if self.type == "bool":
            return "true or false"
        if self.type == "str":
            return "one of " + ", ".join(repr(c) for c in self.choices) if self.choices else "a string"
        what = "an integer" if self.type == "int" else "a number"
        if self.min is not None and self.max is not None:
            return f"{what} from {self.min:g} to {self.max:g}"
        if self.min is not None:
            return f"{what} ≥ {self.min:g}"
        if self.max is not None:
            return f"{what} ≤ {self.max:g}"
        return what

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable, or None when it is."""
        expected = f"expected {self.expects()}, got {value!r} ({type(value).__name__})"
        if self.type == "bool":
            return None if isinstance(value, bool) else expected
        if self.type == "str":
            if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
                return expected
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return expected
        if self.type == "int" and not isinstance(value, int):
            return expected
        if value != value or (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            return expected
        return None

    def coerce(self, value: ParamValue) -> ParamValue:
        """``value`` as the parameter's type (an int given for a float parameter becomes a float)."""
        return float(value) if self.type == "float" else value

    def signature(self) -> str:
        """``name: type = default``, as ``safeaug explain`` prints it."""
        return f"{self.name}: {self.type} = {format_value(self.default)}"


class InvariantMethods:
    """An invariant's code, verdict and bound in words (shared by the model and its plain copy)."""

    if TYPE_CHECKING:
        effect: str
        allowed: bool
        min: float | None
        max: float | None
        needs_label_transform: Any
        when: str | None
        severity: Severity
        reason: str
        references: tuple[str, ...]
        fix: str | None
        evidence: Literal["source", "convention"]

    @property
    def code(self) -> str:
        return RULES_BY_NAME[self.effect].code

    @property
    def verdict(self) -> Literal["forbidden", "bounded", "allowed", "needs_label_transform"]:
        """The invariant's verdict in one word."""
        if not self.allowed:
            return "forbidden"
        if self.needs_label_transform is not None:
            return "needs_label_transform"
        if self.min is not None or self.max is not None:
            return "bounded"
        return "allowed"

    def bound_text(self) -> str:
        """The bound in the effect's units (``≤ ±15°``, ``0.85–1.15×``, ``forbidden``)."""
        rule = RULES_BY_NAME[self.effect]
        verdict = self.verdict
        if verdict == "forbidden":
            return "forbidden"
        if verdict == "needs_label_transform":
            return "only with a label transform"
        if verdict == "allowed":
            return "allowed"
        if rule.kind == "range":
            unit = "" if rule.name == "gamma" else "×"
            if self.min is not None and self.max is not None:
                return fmt(rule, (self.min, self.max))
            if self.min is not None:
                return f"≥ {self.min:.3g}{unit}"
            return f"≤ {self.max:.3g}{unit}"
        if rule.kind == "max":
            return "≤ " + fmt(rule, self.max)
        return "≥ " + fmt(rule, self.min)

    def is_looser_than(self, other: InvariantMethods) -> bool:
        """True when this invariant admits something ``other`` refuses (an extending policy loosened it)."""
        if not other.allowed:
            return self.allowed
        if not self.allowed:
            return False
        if other.needs_label_transform is not None and self.needs_label_transform is None:
            return True
        if other.severity == "error" and self.severity == "warning":
            return True
        if other.max is not None and (self.max is None or self.max > other.max):
            return True
        return other.min is not None and (self.min is None or self.min < other.min)


class PolicyMethods:
    """Looking up and merging invariants (shared by the model and its plain copy)."""

    if TYPE_CHECKING:
        id: str
        invariants: tuple[Any, ...]
        allow: tuple[Any, ...]
        deny: tuple[Any, ...]
        arguments: tuple[tuple[str, ParamValue], ...]
        loosened: tuple[str, ...]

        def _replace(self, **update: Any) -> Any: ...

    def invariant(self, effect: str) -> Any:
        for inv in self.invariants:
            if inv.effect == effect:
                return inv
        return None

    @property
    def values(self) -> dict[str, ParamValue]:
        """The parameter values this policy was loaded with (defaults included)."""
        return dict(self.arguments)

    def merged_over(self, parent: Any) -> Any:
        """This policy with everything it does not restate taken from ``parent``.

        What the result admits that ``parent`` refuses is listed in ``loosened``, so that a loosening is
        never silent.
        """
        mine = {inv.effect for inv in self.invariants}
        invariants = tuple(i for i in parent.invariants if i.effect not in mine) + self.invariants
        names = {r.transform for r in self.allow} | {r.transform for r in self.deny}
        allow = tuple(r for r in parent.allow if r.transform not in names) + self.allow
        deny = tuple(r for r in parent.deny if r.transform not in names) + self.deny
        loosened = list(parent.loosened)
        for inv in self.invariants:
            theirs = parent.invariant(inv.effect)
            if theirs is not None and inv.is_looser_than(theirs):
                loosened.append(
                    f"{inv.effect}: `{parent.id}` has {theirs.bound_text()}"
                    f"{' (warning)' if theirs.severity == 'warning' else ''}, "
                    f"`{self.id}` has {inv.bound_text()}{' (warning)' if inv.severity == 'warning' else ''}"
                )
        parent_allowed = {r.transform for r in parent.allow}
        for rule in self.allow:
            if rule.transform not in parent_allowed:
                denied = any(r.transform == rule.transform for r in parent.deny)
                loosened.append(
                    f"{rule.transform}: {'denied by' if denied else 'checked by'} `{parent.id}`, "
                    f"allowed by name in `{self.id}`"
                )
        return self._replace(invariants=invariants, allow=allow, deny=deny, loosened=tuple(loosened))


# ------------------------------------------------------------------------------------------ plain copies


@dataclasses.dataclass(frozen=True)
class PlainParameter(ParameterMethods):
    name: str
    type: Literal["int", "float", "bool", "str"]
    default: ParamValue
    description: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class PlainLabelTransform:
    name: str
    does: str


@dataclasses.dataclass(frozen=True)
class PlainInvariant(InvariantMethods):
    effect: str
    reason: str
    allowed: bool = True
    min: float | None = None
    max: float | None = None
    needs_label_transform: PlainLabelTransform | None = None
    when: str | None = None
    severity: Severity = "error"
    references: tuple[str, ...] = ()
    fix: str | None = None
    evidence: Literal["source", "convention"] = "source"


@dataclasses.dataclass(frozen=True)
class PlainTransformRule:
    transform: str
    reason: str
    references: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class PlainPolicy(PolicyMethods):
    id: str
    title: str
    description: str = ""
    extends: str | None = None
    parameters: tuple[PlainParameter, ...] = ()
    invariants: tuple[PlainInvariant, ...] = ()
    allow: tuple[PlainTransformRule, ...] = ()
    deny: tuple[PlainTransformRule, ...] = ()
    arguments: tuple[tuple[str, ParamValue], ...] = ()
    loosened: tuple[str, ...] = ()

    def _replace(self, **update: Any) -> PlainPolicy:
        return dataclasses.replace(self, **update)


def plain_parameter(data: Mapping[str, Any]) -> PlainParameter:
    choices = data.get("choices")
    return PlainParameter(**{**data, "choices": None if choices is None else tuple(choices)})


def _invariant(data: Mapping[str, Any]) -> PlainInvariant:
    item = dict(data)
    label = item.get("needs_label_transform")
    if label is not None:
        item["needs_label_transform"] = PlainLabelTransform(**label)
    for key in ("min", "max"):
        if item.get(key) is not None:
            item[key] = float(item[key])
    item["references"] = tuple(item.get("references", ()))
    return PlainInvariant(**item)


def _rule(data: Mapping[str, Any]) -> PlainTransformRule:
    return PlainTransformRule(**{**data, "references": tuple(data.get("references", ()))})


def plain_policy(data: Mapping[str, Any]) -> PlainPolicy:
    """A policy from a built-in file's data, as the pydantic model would read it, without validation."""
    item = dict(data)
    item["parameters"] = tuple(plain_parameter(p) for p in item.get("parameters", ()))
    item["invariants"] = tuple(_invariant(i) for i in item.get("invariants", ()))
    item["allow"] = tuple(_rule(r) for r in item.get("allow", ()))
    item["deny"] = tuple(_rule(r) for r in item.get("deny", ()))
    return PlainPolicy(**item)
