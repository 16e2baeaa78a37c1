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

A misspelt key is an error that names the file, the line, the key and the keys allowed there.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safeaug.rules import EFFECT_NAMES, RULES_BY_NAME

Severity = Literal["error", "warning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Invariant(_Strict):
    """A bound on one effect.

    ``allowed: false`` forbids the effect outright; ``max``/``min`` bound its size; ``allowed: true``
    with no bound documents (or, in an extending policy, restores) an effect that is fine.
    """

    effect: str = Field(description="The effect bounded: " + ", ".join(EFFECT_NAMES) + ".")
    allowed: bool = Field(True, description="false forbids the effect entirely.")
    min: float | None = Field(None, description="Lower bound (factor ranges, crop area kept, quality, bits).")
    max: float | None = Field(None, description="Upper bound (magnitudes and the top of factor ranges).")
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
        if kind == "flag" and (self.min is not None or self.max is not None):
            raise ValueError(f"`{self.effect}` is a yes/no effect: use `allowed: false`, not min/max")
        if kind == "max" and self.min is not None:
            raise ValueError(f"`{self.effect}` is bounded from above: use `max`, not `min`")
        if kind == "min" and self.max is not None:
            raise ValueError(f"`{self.effect}` is bounded from below: use `min`, not `max`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        if not self.allowed and (self.min is not None or self.max is not None):
            raise ValueError("`allowed: false` forbids the effect; drop min/max or drop `allowed: false`")
        return self

    @property
    def code(self) -> str:
        return RULES_BY_NAME[self.effect].code


class TransformRule(_Strict):
    """A transform allowed or denied by name, with the reason."""

    transform: str = Field(min_length=1, description="Class name, e.g. HorizontalFlip or mypkg.aug.Sharpie.")
    reason: str = Field(min_length=1)
    references: tuple[str, ...] = ()


class Policy(_Strict):
    """A domain's rules. Load one with :func:`safeaug.load_policy`."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    description: str = ""
    extends: str | None = Field(None, description="A built-in policy id or a path to a policy file.")
    invariants: tuple[Invariant, ...] = ()
    allow: tuple[TransformRule, ...] = Field((), description="Transforms trusted by name: not checked.")
    deny: tuple[TransformRule, ...] = Field((), description="Transforms refused by name, whatever they do.")

    @model_validator(mode="after")
    def _one_invariant_per_effect(self) -> Policy:
        seen: set[str] = set()
        for inv in self.invariants:
            if inv.effect in seen:
                raise ValueError(f"two invariants for `{inv.effect}`; merge them into one")
            seen.add(inv.effect)
        allowed = {r.transform for r in self.allow}
        both = allowed & {r.transform for r in self.deny}
        if both:
            raise ValueError(f"{', '.join(sorted(both))} both allowed and denied")
        return self

    def invariant(self, effect: str) -> Invariant | None:
        for inv in self.invariants:
            if inv.effect == effect:
                return inv
        return None

    def merged_over(self, parent: Policy) -> Policy:
        """This policy with everything it does not restate taken from ``parent``."""
        mine = {inv.effect for inv in self.invariants}
        invariants = tuple(i for i in parent.invariants if i.effect not in mine) + self.invariants
        names = {r.transform for r in self.allow} | {r.transform for r in self.deny}
        allow = tuple(r for r in parent.allow if r.transform not in names) + self.allow
        deny = tuple(r for r in parent.deny if r.transform not in names) + self.deny
        return self.model_copy(update={"invariants": invariants, "allow": allow, "deny": deny})


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of policy files, for editors and CI."""
    return Policy.model_json_schema()
