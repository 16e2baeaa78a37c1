"""Policies stored inside serialised pipelines (``safeaug.Compose.to_dict``, ``A.save``).

A saved ``safeaug.Compose`` carries its policy, so that loading it (and linting it) judges it against the
policy it was built with. Reading needs neither albumentations nor numpy: the linter uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from safeaug.errors import PolicyError
from safeaug.policies import builtin_id_taken, is_builtin, list_policies, load_policy
from safeaug.policy import Policy

SerialisedPolicy = Mapping[str, Any]

__all__ = ["SerialisedPolicy", "policy_from_dict", "policy_to_dict"]

_POLICY_KEYS = ("id", "arguments", "definition")


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """A policy as it is stored in a serialised pipeline.

    A built-in policy is stored by id with the parameter values it was loaded with
    (``{"id": "small_objects", "arguments": {"smallest_object_px": 16, ...}}``); any other policy (a file,
    a ``Policy`` built in code) is stored whole (``{"id": ..., "definition": {...}}``) so that the
    pipeline can be loaded where the file is not.
    """
    if _is_builtin(policy):
        return {"id": policy.id, "arguments": dict(policy.arguments)}
    return {"id": policy.id, "definition": policy.model_dump(mode="json")}


def _is_builtin(policy: Policy) -> bool:
    if not is_builtin(policy.id):  # (the base policies too: they load by id as well)
        return False
    try:
        return load_policy(policy.id, **policy.values) == policy
    except PolicyError:
        return False


def policy_from_dict(data: SerialisedPolicy) -> Policy:
    """The policy stored by :func:`policy_to_dict`; a :class:`~safeaug.PolicyError` when it cannot be read."""
    unknown = sorted(str(k) for k in data if k not in _POLICY_KEYS)
    if unknown or "id" not in data:
        found = ", ".join(sorted(map(str, data))) or "none"
        raise PolicyError(
            "a serialised pipeline's `policy` is {'id': <built-in id>, 'arguments': {...}} or "
            f"{{'id': ..., 'definition': {{<a whole policy>}}}}; keys found: {found}"
        )
    definition = data.get("definition")
    if definition is not None:
        if not isinstance(definition, Mapping):
            raise PolicyError(f"serialised policy {data['id']!r}: `definition` must be a mapping (a whole policy)")
        try:
            stored = Policy.model_validate(dict(definition))
        except ValidationError as exc:
            problems = "; ".join(
                f"`{'.'.join(map(str, e['loc'])) or 'policy'}`: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            raise PolicyError(f"serialised policy {data['id']!r} is not a valid policy: {problems}") from None
        for said in dict.fromkeys((data["id"], stored.id)):
            # A built-in is stored by id (policy_to_dict): a definition under a built-in's id was written by hand.
            if isinstance(said, str) and is_builtin(said) and not _is_builtin(stored):
                raise PolicyError(
                    f"serialised policy {data['id']!r} holds a definition of its own under the built-in id "
                    f"{said!r} ({builtin_id_taken(said)}); store the built-in as {{'id': {said!r}, 'arguments': "
                    "{...}}, or give the definition an id of its own"
                )
        return stored
    arguments = data.get("arguments") or {}
    if not isinstance(arguments, Mapping):
        raise PolicyError(f"serialised policy {data['id']!r}: `arguments` must be a mapping of parameter values")
    policy_id = data["id"]
    if not isinstance(policy_id, str) or not is_builtin(policy_id):
        raise PolicyError(
            f"serialised policy {policy_id!r} is stored by id, but there is no such built-in policy; "
            f"built-in policies: {', '.join(list_policies())}"
        )
    return load_policy(policy_id, **{str(k): v for k, v in arguments.items()})
