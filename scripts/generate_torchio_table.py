"""Write safeaug/libraries/_torchio_table.py: the constructor signatures of TorchIO's exported transforms.

Run with the TorchIO the catalog describes installed (the only place in safeaug that imports it):

    python scripts/generate_torchio_table.py > safeaug/libraries/_torchio_table.py

Every class TorchIO exports at its top level that is a ``torchio.Transform`` is listed under its canonical
name ``torchio.<Class>``, with its own arguments in positional order and then the arguments every TorchIO
transform takes through ``**kwargs`` (``p``, ``copy``, ``include``, ...). A default that is not a literal is
written as the string ``"<non-literal: ...>"``; an argument without a default as ``REQUIRED``.
"""

from __future__ import annotations

import inspect
import pprint
import sys
from typing import Any

NON_LITERAL = "<non-literal: {}>"


def _literal(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        items = [_literal(v) for v in value]
        return tuple(items)
    if hasattr(value, "value") and isinstance(value.value, (int, str)):  # an Enum member
        return value.value
    return NON_LITERAL.format(type(value).__name__)


def _own(cls: type) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        out.append((name, "REQUIRED" if param.default is param.empty else _literal(param.default)))
    return out


def main() -> None:
    import torchio
    from torchio.transforms import Transform

    base = _own(Transform)
    table: dict[str, tuple[tuple[str, Any], ...]] = {}
    for name in sorted(dir(torchio.transforms)):
        obj = getattr(torchio.transforms, name)
        if not (inspect.isclass(obj) and issubclass(obj, Transform)):
            continue
        own = _own(obj)
        names = {n for n, _ in own}
        # Arguments a class passes on to Transform through **kwargs come after its own.
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(obj.__init__).parameters.values())
        extra = [(n, d) for n, d in base if n not in names] if takes_kwargs else []
        table[f"torchio.{name}"] = tuple(own + extra)
    body = pprint.pformat(table, width=110, sort_dicts=True)
    body = body.replace("'REQUIRED'", "REQUIRED")
    v = torchio.__version__
    sys.stdout.write(
        f'"""Constructor signatures of TorchIO {v} transforms. Generated; do not edit.\n\n'
        "Regenerate with ``python scripts/generate_torchio_table.py > safeaug/libraries/_torchio_table.py``.\n"
        "Each value lists (argument, default) in positional order; ``REQUIRED`` marks no default and\n"
        '``"<non-literal: TYPE>"`` a default that is not a literal.\n"""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import Any\n\n"
        "from safeaug.catalog._signatures import REQUIRED\n\n"
        f'TORCHIO_VERSION = "{v}"\n\n'
        f"SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {body}\n"
    )


if __name__ == "__main__":
    main()
