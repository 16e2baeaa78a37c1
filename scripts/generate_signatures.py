"""Regenerate ``safeaug/catalog/_signatures.py`` from the installed albumentations (2.0.x).

The one table of albumentations signatures: for every exported transform and composition, the
albumentations classes it derives from, how many parameters may be given by position, and every
parameter in signature order with its default. The catalog fills omitted arguments from it, the readers
map positional arguments and check argument names with it, and dicts inherit through its bases. The
linter and the dict reader must not import albumentations (it pulls OpenCV, and AlbumentationsX pulls
torch), so the table is checked in; ``tests/catalog/test_signatures.py`` regenerates it in memory and
fails when it and the installed albumentations disagree.

    python scripts/generate_signatures.py > safeaug/catalog/_signatures.py
"""

from __future__ import annotations

import enum
import inspect
import json
from typing import Any

REQUIRED = "<required>"
OPAQUE = "<not a plain value>"

_VIEWS = """

# ---------------------------------------------------------------- views, derived from the one table above
# Every parameter default safeaug can use: `strict` (albumentations' argument checking, not part of what a
# transform does) and defaults that are not plain values are left out.
DEFAULTS: dict[str, dict[str, Any]] = {
    name: {k: v for k, v in s.parameters.items() if k != "strict" and v != OPAQUE} for name, s in SIGNATURES.items()
}
# Every parameter name, in signature order.
PARAMETERS: dict[str, tuple[str, ...]] = {name: tuple(s.parameters) for name, s in SIGNATURES.items()}
# Parameters that may be given by position, in order.
POSITIONAL: dict[str, tuple[str, ...]] = {name: tuple(s.parameters)[: s.positional] for name, s in SIGNATURES.items()}
# The albumentations classes each class derives from, nearest first (for inheritance in dicts).
BASES: dict[str, tuple[str, ...]] = {name: s.bases for name, s in SIGNATURES.items() if s.bases}
"""


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return OPAQUE  # callables and other objects: no default a config reader can use


def _has_opaque(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_has_opaque(v) for v in value)
    if isinstance(value, dict):
        return any(_has_opaque(v) for v in value.values())
    return value == OPAQUE


def collect() -> dict[str, tuple[tuple[str, ...], int, dict[str, Any]]]:
    """``{class: (bases nearest first, number of positional parameters, {parameter: default})}``."""
    import albumentations as A
    from albumentations.core.composition import BaseCompose
    from albumentations.core.transforms_interface import BasicTransform

    table: dict[str, tuple[tuple[str, ...], int, dict[str, Any]]] = {}
    by_position = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for name in sorted(dir(A)):
        cls = getattr(A, name)
        if not (inspect.isclass(cls) and issubclass(cls, (BasicTransform, BaseCompose))):
            continue
        if cls.__module__.startswith("albumentations.pytorch"):
            continue  # exported only when torch is installed; `_renames.EXTRA_PARAMETERS` holds ToTensorV2
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        params = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        positional = 0
        while positional < len(params) and params[positional].kind in by_position:
            positional += 1
        assert all(p.kind not in by_position for p in params[positional:]), f"{name}: positional after keyword"
        parameters: dict[str, Any] = {}
        for p in params:
            if p.default is inspect.Parameter.empty:
                parameters[p.name] = REQUIRED
            else:
                plain = _plain(p.default)
                parameters[p.name] = OPAQUE if _has_opaque(plain) else plain
        bases = tuple(c.__name__ for c in cls.__mro__[1:] if (c.__module__ or "").startswith("albumentations"))
        table[name] = (bases, positional, parameters)
    return table


def _literal(value: Any) -> str:
    """Python source for a plain value, written as ``ruff format`` writes it."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def render(table: dict[str, tuple[tuple[str, ...], int, dict[str, Any]]], version: str) -> str:
    lines = [
        f'"""How albumentations {version} transforms are called: bases, parameters, defaults. Generated; do not edit.',
        "",
        "Regenerate with ``python scripts/generate_signatures.py > safeaug/catalog/_signatures.py``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any, NamedTuple",
        "",
        f'ALBUMENTATIONS_VERSION = "{version}"',
        f'REQUIRED = "{REQUIRED}"  # the parameter has no default: a config must give it',
        f'OPAQUE = "{OPAQUE}"  # the default is not a plain value (a function): none a config reader can use',
        "",
        "",
        "class Signature(NamedTuple):",
        '    """How one albumentations class is called."""',
        "",
        "    bases: tuple[str, ...]  # the albumentations classes it derives from, nearest first",
        "    positional: int  # how many of the leading parameters may be given by position",
        "    parameters: dict[str, Any]  # every parameter in signature order, with its default",
        "",
        "",
        "SIGNATURES: dict[str, Signature] = {",
    ]
    for name, (bases, positional, parameters) in table.items():
        lines.append(f"    {_literal(name)}: Signature(")
        lines.append(f"        bases={_literal(bases)},")
        lines.append(f"        positional={positional},")
        if parameters:
            lines.append("        parameters={")
            lines.extend(f"            {_literal(k)}: {_literal(v)}," for k, v in parameters.items())
            lines.append("        },")
        else:
            lines.append("        parameters={},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + _VIEWS


def main() -> None:
    import albumentations as A

    print(render(collect(), A.__version__), end="")


if __name__ == "__main__":
    main()
