"""Regenerate ``safeaug/readers/_signatures.py`` from the installed albumentations (2.0.x).

Readers of Python source and Hydra ``_args_`` map positional arguments to parameter names, and the
argument check needs every parameter name (the defaults table leaves out parameters whose default is
a function). Neither may import albumentations at lint time, so both live in a checked-in table.

    python scripts/generate_signatures.py > safeaug/readers/_signatures.py
"""

from __future__ import annotations

import inspect
import pprint


def collect() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    import albumentations as A
    from albumentations.core.composition import BaseCompose
    from albumentations.core.transforms_interface import BasicTransform

    positional: dict[str, tuple[str, ...]] = {}
    names: dict[str, tuple[str, ...]] = {}
    for name in sorted(dir(A)):
        cls = getattr(A, name)
        if not (inspect.isclass(cls) and issubclass(cls, (BasicTransform, BaseCompose))):
            continue
        if cls.__module__.startswith("albumentations.pytorch"):
            continue  # exported only when torch is installed; `_renames.EXTRA_PARAMETERS` holds ToTensorV2
        params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        positional[name] = tuple(p.name for p in params if p.kind in kinds)
        names[name] = tuple(
            p.name for p in params if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        )
    return positional, names


def main() -> None:
    import albumentations as A

    positional, names = collect()
    print(
        '"""Parameter names of albumentations', A.__version__, "transforms, in signature order. Generated; do not edit."
    )
    print()
    print("Regenerate with ``python scripts/generate_signatures.py > safeaug/readers/_signatures.py``.")
    print('"""')
    print()
    print("from __future__ import annotations")
    print()
    print(f'ALBUMENTATIONS_VERSION = "{A.__version__}"')
    print()
    print("# Parameters that may be given by position, in order.")
    print("POSITIONAL: dict[str, tuple[str, ...]] = " + pprint.pformat(positional, width=105, sort_dicts=True))
    print()
    print("# Every parameter name, in signature order.")
    print("PARAMETERS: dict[str, tuple[str, ...]] = " + pprint.pformat(names, width=105, sort_dicts=True))


if __name__ == "__main__":
    main()
