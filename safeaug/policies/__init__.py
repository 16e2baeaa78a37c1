"""Built-in policies (YAML files beside this module) and the loader for them and for user files."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from safeaug._yaml import load_with_lines
from safeaug.errors import ConfigError, PolicyError
from safeaug.policy import Invariant, Policy, TransformRule

_HERE = Path(__file__).parent
_MODELS: dict[str, type[BaseModel]] = {
    "": Policy,
    "invariants": Invariant,
    "allow": TransformRule,
    "deny": TransformRule,
}

PolicyLike = str | os.PathLike[str] | Policy


def list_policies() -> list[str]:
    """Ids of the built-in policies, sorted."""
    return sorted(p.stem for p in _HERE.glob("*.yaml"))


def load_policy(policy: PolicyLike) -> Policy:
    """A built-in id (``"chest_xray"``), a path to a policy YAML, or a :class:`Policy` (returned as is).

    ``extends`` is resolved: the result holds the parent's invariants and lists under its own.
    """
    if isinstance(policy, Policy):
        return policy
    if not isinstance(policy, (str, os.PathLike)):
        raise PolicyError(
            f"a policy is a built-in id, a path to a policy file or a Policy, not {type(policy).__name__}"
        )
    text = os.fspath(policy)
    if text in list_policies():
        return _load_builtin(text)
    path = Path(text)
    if path.suffix in (".yaml", ".yml", ".json") or os.sep in text or "/" in text:
        return _load_file(path.resolve(), ())
    known = ", ".join(list_policies())
    raise PolicyError(f"no built-in policy {text!r} and no such file; built-in policies: {known}")


@cache
def _load_builtin(policy_id: str) -> Policy:
    return _load_file(_HERE / f"{policy_id}.yaml", ())


def _load_file(path: Path, chain: tuple[Path, ...]) -> Policy:
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise PolicyError(f"policies extend each other in a circle: {cycle}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc})") from None
    try:
        data, lines = load_with_lines(text, str(path))
    except ConfigError as exc:
        raise PolicyError(str(exc)) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}:1: a policy file holds a mapping with at least `id`, `title` and `invariants`")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_explain(exc, path, lines)) from None
    if policy.extends is None:
        return policy
    parent_ref = policy.extends
    if parent_ref in list_policies():
        parent = _load_file(_HERE / f"{parent_ref}.yaml", (*chain, path))
    else:
        parent = _load_file((path.parent / parent_ref).resolve(), (*chain, path))
    return policy.merged_over(parent)


def _explain(exc: ValidationError, path: Path, lines: dict[tuple[Any, ...], int]) -> str:
    """One line per problem: file:line, the dotted key, what is wrong and what is allowed."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = _nearest_line(loc, lines)
        dotted = _dotted(loc)
        if err["type"] == "extra_forbidden":
            model = _MODELS.get(str(loc[0]) if len(loc) > 1 else "", Policy)
            allowed = ", ".join(sorted(model.model_fields))
            problems.append(f"{path}:{line}: unknown key `{dotted}`; allowed keys here: {allowed}")
        elif err["type"] == "missing":
            problems.append(f"{path}:{line}: `{dotted}` is required")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{path}:{line}: `{dotted or 'policy'}`: {msg}")
    return "invalid policy file:\n  " + "\n  ".join(problems)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _nearest_line(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


__all__ = ["PolicyLike", "list_policies", "load_policy"]
