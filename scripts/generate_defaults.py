"""Regenerate ``safeaug/catalog/_defaults.py`` from the installed albumentations.

The linter and the dict reader must not import albumentations (it pulls OpenCV, and AlbumentationsX
pulls torch), so the parameter names and defaults of every transform live in a checked-in table.
``tests/test_defaults_table.py`` fails when the table and the installed albumentations disagree.

    python scripts/generate_defaults.py > safeaug/catalog/_defaults.py
"""

from __future__ import annotations

import enum
import inspect
import pprint
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return NotImplemented  # callables and other objects: not representable, left out


def collect() -> dict[str, dict[str, Any]]:
    import albumentations as A
    from albumentations.core.composition import BaseCompose
    from albumentations.core.transforms_interface import BasicTransform

    table: dict[str, dict[str, Any]] = {}
    for name in sorted(dir(A)):
        cls = getattr(A, name)
        if not (inspect.isclass(cls) and issubclass(cls, (BasicTransform, BaseCompose))):
            continue
        params: dict[str, Any] = {}
        for pname, param in inspect.signature(cls.__init__).parameters.items():
            if pname in ("self", "strict") or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if param.default is inspect.Parameter.empty:
                params[pname] = "<required>"
                continue
            plain = _plain(param.default)
            if plain is not NotImplemented:
                params[pname] = plain
        table[name] = params
    return table


def bases() -> dict[str, tuple[str, ...]]:
    """For each exported class, the albumentations classes it derives from, nearest first."""
    import albumentations as A

    out: dict[str, tuple[str, ...]] = {}
    for name in sorted(dir(A)):
        cls = getattr(A, name)
        if inspect.isclass(cls) and hasattr(cls, "__mro__"):
            chain = tuple(c.__name__ for c in cls.__mro__[1:] if (c.__module__ or "").startswith("albumentations"))
            if chain:
                out[name] = chain
    return out


def main() -> None:
    import albumentations as A

    table = collect()
    print('"""Parameter defaults of albumentations', A.__version__, "transforms. Generated; do not edit.")
    print()
    print("Regenerate with ``python scripts/generate_defaults.py > safeaug/catalog/_defaults.py``.")
    print('"""')
    print()
    print("from __future__ import annotations")
    print()
    print("from typing import Any")
    print()
    print(f'ALBUMENTATIONS_VERSION = "{A.__version__}"')
    print('REQUIRED = "<required>"')
    print()
    print("DEFAULTS: dict[str, dict[str, Any]] = " + pprint.pformat(table, width=105, sort_dicts=True))
    print()
    print("# The albumentations classes each class derives from, nearest first (for inheritance in dicts).")
    known = {k: v for k, v in bases().items() if k in table}
    print("BASES: dict[str, tuple[str, ...]] = " + pprint.pformat(known, width=105, sort_dicts=True))


if __name__ == "__main__":
    main()
