"""Regenerate ``safeaug/libraries/_torchvision_table.py``: the constructor signatures of every class that
``torchvision.transforms.v2`` and ``torchvision.transforms`` export, read from the installed torchvision.

This is the only place that imports torchvision to learn its signatures; the table lets configs be read
(positional ``_args_``, defaults of omitted arguments) without it.

    python scripts/generate_torchvision_table.py > safeaug/libraries/_torchvision_table.py

Defaults that are not literals are written as strings: an enum member as ``"<InterpolationMode.NEAREST>"``,
anything else as ``"<repr>"`` (see ``NON_LITERAL`` in the table); a required argument as ``REQUIRED``.
"""

from __future__ import annotations

import enum
import inspect
import pprint

import torchvision
import torchvision.transforms as v1
import torchvision.transforms.v2 as v2

MODULES = {"torchvision.transforms.v2": v2, "torchvision.transforms": v1}


def _literal(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return f"<{type(value).__name__}.{value.name}>"
    if isinstance(value, (list, tuple)):
        items = [_literal(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    return f"<{value!r}>"


def classes(module: object) -> list[tuple[str, type]]:
    out = []
    for name in sorted(dir(module)):
        obj = getattr(module, name)
        if name.startswith("_") or not inspect.isclass(obj) or issubclass(obj, enum.Enum):
            continue
        out.append((name, obj))
    return out


def main() -> None:
    rows: dict[str, list[tuple[str, object]]] = {}
    for public, module in MODULES.items():
        for name, cls in classes(module):
            try:
                params = inspect.signature(cls.__init__).parameters.values()
            except (TypeError, ValueError):
                params = []  # type: ignore[assignment]
            args = []
            for q in params:
                if q.name == "self" or q.kind in (q.VAR_POSITIONAL, q.VAR_KEYWORD):
                    continue
                default = "REQUIRED" if q.default is q.empty else _literal(q.default)
                args.append((q.name, default))
            rows[f"{public}.{name}"] = args
    print(
        '"""Constructor signatures of torchvision '
        + torchvision.__version__.split("+")[0]
        + "'s transforms. Generated; do not edit."
    )
    print()
    print("Regenerate with ``python scripts/generate_torchvision_table.py > safeaug/libraries/_torchvision_table.py``.")
    print("Canonical name -> ((argument, default), ...) in positional order. Defaults that are not literals are")
    print('strings starting with "<" (``"<InterpolationMode.NEAREST>"``); ``REQUIRED`` marks a required argument.')
    print('"""')
    print()
    print("from __future__ import annotations")
    print()
    print("from typing import Any")
    print()
    print("from safeaug.catalog._defaults import REQUIRED")
    print()
    print(f'TORCHVISION_VERSION = "{torchvision.__version__.split("+")[0]}"')
    print('NON_LITERAL = "<"  # a default written as a string starting with this is not a literal value')
    print()
    print("SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {")
    for name, args in rows.items():
        body = ", ".join(f"({a!r}, {'REQUIRED' if d == 'REQUIRED' else pprint.pformat(d, width=200)})" for a, d in args)
        comma = "," if len(args) == 1 else ""
        print(f"    {name!r}: ({body}{comma}),")
    print("}")


if __name__ == "__main__":
    main()
