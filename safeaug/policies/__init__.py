"""Built-in policies (YAML files beside this module) and the loader for them and for user files.

``load_policy(id_or_path, **params)`` reads a policy, resolves ``extends`` (the parent's invariants and
lists under the child's own), binds the declared parameters (defaults, overridden by ``params``),
evaluates bounds written as expressions and drops invariants whose ``when:`` condition is false.
Base policies (``bases/``: ``medical``, ``radiograph``) can be loaded and extended but are not listed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from safeaug._files import NotReadable, read_bytes
from safeaug._policy_base import ParameterMethods, ParamValue, PlainPolicy, plain_parameter, plain_policy
from safeaug._yaml import load_with_lines
from safeaug.errors import ConfigError, PolicyError
from safeaug.policies._expr import ExpressionError, evaluate_condition, evaluate_number, render_text

if TYPE_CHECKING:  # the models need pydantic, imported only when a policy is validated
    from pydantic import BaseModel, ValidationError

    from safeaug.policy import Policy

_HERE = Path(__file__).parent
_BASES = _HERE / "bases"


def _models() -> dict[str, type[BaseModel]]:
    from safeaug.policy import Invariant, LabelTransform, Parameter, Policy, TransformRule

    return {
        "": Policy,
        "invariants": Invariant,
        "needs_label_transform": LabelTransform,
        "parameters": Parameter,
        "allow": TransformRule,
        "deny": TransformRule,
    }


# Keys the loader fills in; a file that sets them is refused.
_DERIVED = ("arguments", "loosened")
_TEXTS = ("title", "description")
_INVARIANT_TEXTS = ("reason", "fix")

PolicyLike: TypeAlias = "str | os.PathLike[str] | Policy"


def list_policies() -> list[str]:
    """Ids of the built-in policies, sorted (base policies, which exist to be extended, are not listed)."""
    return list(_listed())


@cache
def _listed() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in _HERE.glob("*.yaml")))


@cache
def _builtin_paths() -> dict[str, Path]:
    paths = {p.stem: p for p in _BASES.glob("*.yaml")}
    paths.update({p.stem: p for p in _HERE.glob("*.yaml")})
    return paths


def load_policy(policy: PolicyLike, **params: Any) -> Policy:
    """A built-in id (``"chest_xray"``), a path to a policy YAML, or a :class:`Policy` (returned as is).

    ``params`` set the policy's declared parameters (``load_policy("fundus", laterality_in_label=False)``);
    an unknown name or a value of the wrong type is a :class:`~safeaug.PolicyError` that lists the
    declared parameters. ``extends`` is resolved: the result holds the parent's invariants and lists
    under its own, and ``policy.loosened`` lists what it admits that its parent refuses.
    """
    module = sys.modules.get("safeaug.policy")  # (a Policy object means its module is loaded: not imported here)
    policy_class: type[Policy] | None = None if module is None else module.Policy
    if policy_class is not None and isinstance(policy, policy_class):
        if params:
            raise PolicyError(
                f"policy `{policy.id}` is already loaded, so parameters cannot be applied to it; "
                f"pass them when loading: load_policy({policy.id!r}, {', '.join(f'{k}=...' for k in params)})"
            )
        return policy
    if not isinstance(policy, (str, os.PathLike)):
        raise PolicyError(
            f"a policy is a built-in id, a path to a policy file or a Policy, not {type(policy).__name__}"
        )
    text = os.fspath(policy)
    if text in _builtin_paths():
        return _load_builtin(text, _cache_key(params))
    path = Path(text)
    if path.suffix in (".yaml", ".yml", ".json") or os.sep in text or "/" in text:
        resolved = path.resolve()
        loaded = _resolve(resolved, params)
        if is_builtin(loaded.id) and resolved != _builtin_paths()[loaded.id].resolve():
            raise PolicyError(
                f"{_read(resolved).where('id')}: {builtin_id_taken(loaded.id)}; give this policy an id of its "
                f"own (`id: {loaded.id}_local`, with `extends: {loaded.id}` to start from the built-in)"
            )
        return loaded
    raise PolicyError(unknown_policy_message(text))


def builtin_id_taken(policy_id: str) -> str:
    """Why a policy other than the built-in may not carry a built-in's id."""
    return (
        f"`id: {policy_id}` is the id of a built-in policy, and every report names a policy by its id alone, so "
        f"a reader would take these rules for the built-in `{policy_id}`"
    )


def is_builtin(policy_id: str) -> bool:
    """A built-in policy id, base policies (``medical``, ``radiograph``) included."""
    return policy_id in _builtin_paths()


def unknown_policy_message(text: str) -> str:
    """What to say about a name that is neither a built-in id nor a policy file: the ids, and the nearest."""
    import difflib

    known = ", ".join(list_policies())
    bases = ", ".join(sorted(set(_builtin_paths()) - set(list_policies())))
    close = difflib.get_close_matches(text.replace("-", "_").lower(), sorted(_builtin_paths()), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    return (
        f"no built-in policy {text!r} and no such policy file{hint} Built-in policies: {known} "
        f"(base policies to extend: {bases}); a policy file is a path ending in .yaml, .yml or .json"
    )


def _cache_key(params: dict[str, Any]) -> tuple[tuple[str, str, Any], ...]:
    # The type is part of the key: True == 1 and 16 == 16.0 must not share a cache entry.
    try:
        key = tuple(sorted((k, type(v).__name__, v) for k, v in params.items()))
        hash(key)
    except TypeError:
        bad = next(k for k, v in params.items() if not _hashable(v))
        raise PolicyError(
            f"parameter `{bad}`: expected a number, true/false or a string, got {type(params[bad]).__name__}"
        ) from None
    return key


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@lru_cache(maxsize=256)
def _load_builtin(policy_id: str, key: tuple[tuple[str, str, Any], ...]) -> Policy:
    return _resolve(_builtin_paths()[policy_id], {k: v for k, _, v in key})


def load_builtin_plain(policy_id: str, **params: Any) -> PlainPolicy:
    """A built-in policy as :func:`load_policy` returns it, with the same fields and methods, built without
    pydantic (the linter's fast path: the built-in files are validated by the package's tests, and a bad
    parameter value is refused with the same message).
    """
    return _load_builtin_plain(policy_id, _cache_key(params))


@lru_cache(maxsize=256)
def _load_builtin_plain(policy_id: str, key: tuple[tuple[str, str, Any], ...]) -> PlainPolicy:
    policy = _resolve(_builtin_paths()[policy_id], {k: v for k, _, v in key}, plain=True)
    assert isinstance(policy, PlainPolicy)
    return policy


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class _Raw:
    """One policy file as read, before parameters are applied."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]

    def line(self, *loc: Any) -> int:
        return _nearest_line(tuple(loc), self.lines)

    def where(self, *loc: Any) -> str:
        return f"{self.path}:{self.line(*loc)}"


# No policy file is anywhere near this large; the cap keeps `extends: /dev/zero`-like paths from exhausting memory.
MAX_POLICY_BYTES = 1024 * 1024


def _read(path: Path) -> _Raw:
    try:
        text = read_bytes(path, MAX_POLICY_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except NotReadable as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc}") from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc})") from None
    try:
        data, lines = load_with_lines(text, str(path))
    except ConfigError as exc:
        raise PolicyError(str(exc)) from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}:1: a policy file holds a mapping with at least `id`, `title` and `invariants`")
    raw = _Raw(path, data, lines)
    for key in _DERIVED:
        if key in data:
            raise PolicyError(
                f"{raw.where(key)}: `{key}` is filled in by the loader and cannot be written in a policy file"
                + (
                    "; parameter values are passed to load_policy(...) or `--set name=value`"
                    if key == "arguments"
                    else ""
                )
            )
    extends = data.get("extends")
    if extends is not None and not isinstance(extends, str):
        raise PolicyError(f"{raw.where('extends')}: `extends` is a built-in policy id or a path, got {extends!r}")
    return raw


def _chain(path: Path) -> list[_Raw]:
    """The file and its ancestors, the root ancestor first."""
    out: list[_Raw] = []
    seen: list[Path] = []
    while True:
        if path in seen:
            cycle = " -> ".join(str(p) for p in (*seen, path))
            raise PolicyError(f"policies extend each other in a circle: {cycle}")
        seen.append(path)
        raw = _read(path)
        out.append(raw)
        parent = raw.data.get("extends")
        if parent is None:
            return out[::-1]
        builtin = _builtin_paths().get(parent)
        path = builtin if builtin is not None else (path.parent / parent).resolve()
        if builtin is None and not path.exists():
            raise PolicyError(
                f"{raw.where('extends')}: `extends: {parent}` is neither a built-in policy nor a file "
                f"(looked for {path}); built-in policies: {', '.join(sorted(_builtin_paths()))}"
            )


# ------------------------------------------------------------------------------------------ parameters


def _declarations(chain: list[_Raw], *, plain: bool = False) -> dict[str, ParameterMethods]:
    """Parameters declared along the chain; a child may redeclare a parent's with a new default."""
    declared: dict[str, ParameterMethods] = {}
    for raw in chain:
        items = raw.data.get("parameters", [])
        if not isinstance(items, list):
            raise PolicyError(f"{raw.where('parameters')}: `parameters` is a list of name/type/default/description")
        for i, item in enumerate(items):
            param = plain_parameter(item) if plain else _validated_parameter(item, raw, i)
            old = declared.get(param.name)
            if old is not None and old.type != param.type:
                raise PolicyError(
                    f"{raw.where('parameters', i)}: parameter `{param.name}` is {old.type} in the policy this one "
                    f"extends; redeclare it as {old.type}"
                )
            declared[param.name] = param
    return declared


def _validated_parameter(item: Any, raw: _Raw, i: int) -> ParameterMethods:
    from pydantic import ValidationError

    from safeaug.policy import Parameter

    try:
        return Parameter.model_validate(item)
    except ValidationError as exc:
        raise PolicyError(_explain(exc, raw, prefix=("parameters", i))) from None


def _bind(declared: dict[str, ParameterMethods], params: dict[str, Any], policy: str) -> dict[str, ParamValue]:
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise PolicyError(
            f"policy `{policy}` has no parameter {', '.join(f'`{u}`' for u in unknown)}; " + _declared_help(declared)
        )
    values: dict[str, ParamValue] = {name: p.coerce(p.default) for name, p in declared.items()}
    for name, value in params.items():
        param = declared[name]
        problem = param.problem(value)
        if problem:
            raise PolicyError(f"policy `{policy}`, parameter `{name}`: {problem}; {_declared_help(declared)}")
        values[name] = param.coerce(value)
    return values


def _declared_help(declared: dict[str, ParameterMethods]) -> str:
    if not declared:
        return "it declares no parameters"
    return "declared parameters: " + "; ".join(
        f"{p.signature()} ({' '.join(p.description.split())})" for p in declared.values()
    )


# ------------------------------------------------------------------------------------------ resolving


def _resolve(path: Path, params: dict[str, Any], *, plain: bool = False) -> Policy:
    chain = _chain(path)
    declared = _declarations(chain, plain=plain)
    name = str(chain[-1].data.get("id", path.stem))
    values = _bind(declared, params, name)
    policy: Policy | None = None
    for raw in chain:
        level = _apply(raw, values, plain=plain)
        policy = level if policy is None else level.merged_over(policy)
    assert policy is not None
    return policy._replace(parameters=tuple(declared.values()), arguments=tuple(values.items()))


def _apply(raw: _Raw, values: dict[str, ParamValue], *, plain: bool = False) -> Policy:
    """One file with its parameters applied: expressions evaluated, ``when:`` conditions decided."""
    data = dict(raw.data)
    for key in _TEXTS:
        if isinstance(data.get(key), str):
            data[key] = _text(raw, values, data[key], key)
    items = data.get("invariants")
    positions: list[int] | None = None  # for each invariant kept, its index in the file
    if isinstance(items, list):
        kept: list[Any] = []
        positions = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                kept.append(item)  # the model reports the shape problem with its line
                positions.append(i)
                continue
            item = dict(item)
            when = item.get("when")
            if when is not None:
                if not isinstance(when, (str, bool)):
                    raise PolicyError(f"{raw.where('invariants', i, 'when')}: `when` is a condition, got {when!r}")
                if isinstance(when, bool):
                    item["when"] = "true" if when else "false"
                    holds = when
                else:
                    try:
                        holds = evaluate_condition(when, values)
                    except ExpressionError as exc:
                        raise PolicyError(
                            f"{raw.where('invariants', i, 'when')}: `invariants[{i}].when`: {exc}"
                        ) from None
                if not holds:
                    continue
            for key in ("min", "max"):
                bound = item.get(key)
                if isinstance(bound, str):
                    try:
                        item[key] = evaluate_number(bound, values)
                    except ExpressionError as exc:
                        raise PolicyError(
                            f"{raw.where('invariants', i, key)}: `invariants[{i}].{key}`: {exc}"
                        ) from None
            for key in _INVARIANT_TEXTS:
                if isinstance(item.get(key), str):
                    item[key] = _text(raw, values, item[key], f"invariants[{i}].{key}", ("invariants", i, key))
            kept.append(item)
            positions.append(i)
        data["invariants"] = kept
    if plain:
        return plain_policy(data)  # type: ignore[return-value]  # the same fields and methods, unvalidated
    from pydantic import ValidationError

    from safeaug.policy import Policy

    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_explain(exc, raw, kept_from=positions)) from None


def _text(raw: _Raw, values: dict[str, ParamValue], text: str, what: str, loc: tuple[Any, ...] | None = None) -> str:
    try:
        return render_text(text, values)
    except ExpressionError as exc:
        raise PolicyError(
            f"{raw.where(*(loc or (what,)))}: `{what}`: {exc} (in texts, {{...}} holds an expression over the "
            "parameters; write {{ and }} for literal braces)"
        ) from None


# ------------------------------------------------------------------------------------------ messages


def _explain(
    exc: ValidationError, raw: _Raw, *, prefix: tuple[Any, ...] = (), kept_from: list[int] | None = None
) -> str:
    """One line per problem: file:line, the dotted key, what is wrong and what is allowed."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        moved = kept_from is not None and len(loc) > 1 and loc[0] == "invariants" and isinstance(loc[1], int)
        if moved and kept_from is not None and loc[1] < len(kept_from):
            loc = ("invariants", kept_from[loc[1]], *loc[2:])
        line = raw.line(*loc)
        dotted = _dotted(loc)
        if err["type"] == "extra_forbidden":
            owner = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), "")
            models = _models()
            model = models.get(owner, models[""])
            allowed = ", ".join(sorted(k for k in model.model_fields if k not in _DERIVED))
            problems.append(f"{raw.path}:{line}: unknown key `{dotted}`; allowed keys here: {allowed}")
        elif err["type"] == "missing":
            problems.append(f"{raw.path}:{line}: `{dotted}` is required")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{raw.path}:{line}: `{dotted or 'policy'}`: {msg}")
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


__all__ = ["PolicyLike", "is_builtin", "list_policies", "load_builtin_plain", "load_policy"]
