"""Policies: what a domain allows, as strict, frozen pydantic models.

A policy is a set of invariants, each a bound on one effect with the reason a domain expert would give
and its references, plus optional allow/deny lists of transforms by name::

    id: my_ward
    title: Our chest films
    extends: chest_xray
    invariants:
      - effect: rotation
        max: 10
        reason: Our films are positioned by a technician; more tilt than this never happens.

A policy may declare parameters (``load_policy("small_objects", smallest_object_px=12)``); bounds may
then be small arithmetic expressions over them (``max: smallest_object_px / 4``) and invariants may
apply only ``when:`` a condition holds (``when: laterality_in_label``). Expressions are read by a tiny
evaluator (numbers, parameter names, ``+ - * /``, ``min``, ``max``, parentheses; comparisons and
``and``/``or``/``not`` in conditions), never by ``eval``.

An invariant may also say that an effect is allowed only together with a label transform
(``needs_label_transform``): a mirror of a face is fine once left-eye and right-eye keypoints swap labels.
Until the pipeline performs that label transform, the effect is refused.

A misspelt key is an error that names the file, the line, the key and the keys allowed there.
"""

from __future__ import annotations

import keyword
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from safeaug._policy_base import (
    InvariantMethods,
    ParameterMethods,
    ParamValue,
    PolicyMethods,
    Severity,
    format_value,
)
from safeaug.rules import EFFECT_NAMES, RULES_BY_NAME

__all__ = [
    "Invariant",
    "LabelTransform",
    "ParamValue",
    "Parameter",
    "Policy",
    "Severity",
    "TransformRule",
    "format_value",
    "policy_json_schema",
]

_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
_RESERVED = frozenset({"min", "max", "true", "false", "none"})

_EXPRESSION_HELP = (
    "A number, or an expression over the policy's parameters: numbers, parameter names, + - * /, "
    "min(...), max(...) and parentheses (e.g. `min_visible_px / smallest_object_px`)."
)

# A bound as written in a file: a number, or an expression the loader evaluates with the parameters.
Bound = Annotated[
    float | None,
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}, {"type": "null"}], "default": None}
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(ParameterMethods, _Strict):
    """A value the user may pass when loading the policy, with its default."""

    name: str = Field(pattern=_IDENTIFIER, description="Used in expressions and `when:` conditions.")
    type: Literal["int", "float", "bool", "str"]
    default: ParamValue
    description: str = Field(min_length=1, description="What the parameter means, for `safeaug explain`.")
    min: float | None = Field(None, description="Smallest value accepted (int and float parameters).")
    max: float | None = Field(None, description="Largest value accepted (int and float parameters).")
    choices: tuple[str, ...] | None = Field(None, description="The values accepted (str parameters).")

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if keyword.iskeyword(value) or value.lower() in _RESERVED:
            raise ValueError(f"`{value}` is a reserved word in expressions; choose another parameter name")
        return value

    @model_validator(mode="after")
    def _default_fits(self) -> Parameter:
        if self.type in ("bool", "str") and (self.min is not None or self.max is not None):
            raise ValueError(f"`min`/`max` apply to int and float parameters, not to {self.type}")
        if self.choices is not None and self.type != "str":
            raise ValueError("`choices` applies to str parameters")
        problem = self.problem(self.default)
        if problem:
            raise ValueError(f"default {self.default!r}: {problem}")
        return self


class LabelTransform(_Strict):
    """A change to the label that must accompany an effect for the example to stay true."""

    name: str = Field(
        pattern=_IDENTIFIER,
        description="A stable name (e.g. swap_left_right_keypoints); a label-aware transform declares it.",
    )
    does: str = Field(
        min_length=1, description="What the label transform does, completing 'a label transform that ...'."
    )


class Invariant(InvariantMethods, _Strict):
    """A bound on one effect.

    ``allowed: false`` forbids the effect outright; ``max``/``min`` bound its size; ``allowed: true``
    with no bound documents (or, in an extending policy, restores) an effect that is fine;
    ``needs_label_transform`` allows the effect only together with that change to the label.
    """

    effect: str = Field(
        description="The effect bounded: " + ", ".join(EFFECT_NAMES) + ".",
        json_schema_extra={"enum": list(EFFECT_NAMES)},
    )
    allowed: bool = Field(True, description="false forbids the effect entirely.")
    min: Bound = Field(
        None, description="Lower bound (factor ranges, crop area kept, quality, bits). " + _EXPRESSION_HELP
    )
    max: Bound = Field(None, description="Upper bound (magnitudes and the top of factor ranges). " + _EXPRESSION_HELP)
    needs_label_transform: LabelTransform | None = Field(
        None,
        description="The effect is allowed only together with this label transform; a transform that does "
        "not perform it is refused with the effect's code.",
    )
    when: str | None = Field(
        None,
        description="The invariant applies only when this condition over the parameters holds: comparisons "
        "(== != < <= > >=), and/or/not, parameter names and constants (e.g. `not laterality_in_label`).",
    )
    severity: Severity = "error"
    reason: str = Field(min_length=1, description="Why, in the words a domain expert would use.")
    references: tuple[str, ...] = Field((), description="Papers, guidelines or challenge solutions.")
    fix: str | None = Field(None, description="What to write instead, when the generic hint is not enough.")
    evidence: Literal["source", "convention"] = Field(
        "source", description="'convention' marks a bound that is practitioner convention, not a cited figure."
    )

    @field_validator("effect")
    @classmethod
    def _known_effect(cls, value: str) -> str:
        if value not in RULES_BY_NAME:
            raise ValueError(f"unknown effect {value!r}; known effects: {', '.join(EFFECT_NAMES)}")
        return value

    @model_validator(mode="after")
    def _bounds_fit_the_effect(self) -> Invariant:
        kind = RULES_BY_NAME[self.effect].kind
        for end in ("min", "max"):
            value = getattr(self, end)
            if isinstance(value, float) and value != value:  # NaN compares false with everything
                raise ValueError(
                    f"`{end}` is not a number (NaN); every comparison with NaN is false, so it would switch "
                    f"the check off. Write the bound as a number"
                )
        if kind == "flag" and (self.min is not None or self.max is not None):
            raise ValueError(f"`{self.effect}` is a yes/no effect: use `allowed: false`, not min/max")
        if kind == "max" and self.min is not None:
            raise ValueError(f"`{self.effect}` is bounded from above: use `max`, not `min`")
        if kind == "min" and self.max is not None:
            raise ValueError(f"`{self.effect}` is bounded from below: use `min`, not `max`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is larger than max ({self.max:g})")
        if not self.allowed and (self.min is not None or self.max is not None):
            raise ValueError("`allowed: false` forbids the effect; drop min/max or drop `allowed: false`")
        if self.needs_label_transform is not None:
            if not self.allowed:
                raise ValueError(
                    "`needs_label_transform` allows the effect with a label transform and `allowed: false` "
                    "forbids it outright; keep one of them"
                )
            if self.min is not None or self.max is not None:
                raise ValueError(
                    "`needs_label_transform` covers any amount of the effect; drop min/max "
                    "(or bound the effect in a separate policy without the label transform)"
                )
        return self


class TransformRule(_Strict):
    """A transform allowed or denied by name, with the reason."""

    transform: str = Field(min_length=1, description="Class name, e.g. HorizontalFlip or mypkg.aug.Sharpie.")
    reason: str = Field(min_length=1)
    references: tuple[str, ...] = ()


class Policy(PolicyMethods, _Strict):
    """A domain's rules. Load one with :func:`safeaug.load_policy`."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    description: str = ""
    extends: str | None = Field(None, description="A built-in policy id or a path to a policy file.")
    parameters: tuple[Parameter, ...] = Field(
        (), description="Values given when the policy is loaded (`load_policy(id, name=value)`, `--set name=value`)."
    )
    invariants: tuple[Invariant, ...] = ()
    allow: tuple[TransformRule, ...] = Field((), description="Transforms trusted by name: not checked.")
    deny: tuple[TransformRule, ...] = Field((), description="Transforms refused by name, whatever they do.")
    # Filled in by the loader, never written in a file.
    arguments: SkipJsonSchema[tuple[tuple[str, ParamValue], ...]] = Field(
        (), description="The parameter values this policy was loaded with."
    )
    loosened: SkipJsonSchema[tuple[str, ...]] = Field(
        (), description="What this policy admits that a policy it extends refuses, one line each."
    )

    @model_validator(mode="after")
    def _one_invariant_per_effect(self) -> Policy:
        seen: set[str] = set()
        for inv in self.invariants:
            if inv.effect in seen:
                raise ValueError(
                    f"two invariants for `{inv.effect}` apply at once; merge them into one, or give them "
                    "`when:` conditions that exclude each other"
                )
            seen.add(inv.effect)
        allowed = {r.transform for r in self.allow}
        both = allowed & {r.transform for r in self.deny}
        if both:
            raise ValueError(f"{', '.join(sorted(both))} both allowed and denied")
        names = [p.name for p in self.parameters]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"parameter {', '.join(twice)} declared twice")
        return self

    def _replace(self, **update: Any) -> Policy:
        return self.model_copy(update=update)


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of policy files, for editors and CI.

    The package ships it as ``safeaug/policies/policy.schema.json``; regenerate that file with
    ``python -m safeaug.policies.schema``.
    """
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "safeaug policy"
    return schema
