"""Regenerate ``safeaug/libraries/_kornia_table.py`` from the installed Kornia.

The linter and the readers must not import Kornia (it pulls torch), so the constructor arguments of every
class ``kornia.augmentation`` and ``kornia.augmentation.auto`` export live in a checked-in table:
canonical name -> ((argument, default), ...) in positional order. A variadic first argument (the members of
``AugmentationSequential(*args)``) is written ``("*args", REQUIRED)``; an argument without a default is
``REQUIRED``; a default that is not a plain literal (an enum member, a tensor) is written as the string
``"<object: REPR>"`` (``NOT_LITERAL`` marks the prefix), which no entry reads as a value.

    python scripts/generate_kornia_table.py > safeaug/libraries/_kornia_table.py
"""

from __future__ import annotations

import enum
import inspect
import pprint
from typing import Any

MODULES = ("kornia.augmentation", "kornia.augmentation.auto")


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        items = [_plain(v) for v in value]
        return tuple(items)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return f"<object: {type(value).__name__}.{value.name}>"
    return f"<object: {value!r}>"


def collect() -> tuple[str, dict[str, tuple[tuple[str, Any], ...]]]:
    import importlib

    import kornia
    import torch

    table: dict[str, tuple[tuple[str, Any], ...]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(dir(module)):
            cls = getattr(module, name)
            if name.startswith("_") or not (inspect.isclass(cls) and issubclass(cls, torch.nn.Module)):
                continue
            args: list[tuple[str, Any]] = []
            for pname, param in inspect.signature(cls.__init__).parameters.items():
                if pname == "self" or param.kind == param.VAR_KEYWORD:
                    continue
                if param.kind == param.VAR_POSITIONAL:
                    args.append((f"*{pname}", "<required>"))
                    continue
                default = "<required>" if param.default is inspect.Parameter.empty else _plain(param.default)
                args.append((pname, default))
            table[f"{module_name}.{name}"] = tuple(args)
    return kornia.__version__, table


def policies() -> dict[str, list[list[tuple[Any, ...]]]]:
    """The operation lists of ``kornia.augmentation.auto``: RandAugment's and TrivialAugment's default candidates
    (``(name, low, high)``), AutoAugment's named policies (``(name, probability, magnitude bin)``)."""
    from kornia.augmentation.auto.autoaugment import autoaugment
    from kornia.augmentation.auto.rand_augment import rand_augment
    from kornia.augmentation.auto.trivial_augment import trivial_augment

    def plain(policy: Any) -> list[list[tuple[Any, ...]]]:
        return [[tuple(_plain(v) for v in op) for op in sub] for sub in policy]

    return {
        "RandAugment": plain(rand_augment.default_policy),
        "TrivialAugment": plain(trivial_augment.default_policy),
        "imagenet": plain(autoaugment.imagenet_policy),
        "cifar10": plain(autoaugment.cifar10_policy),
        "svhn": plain(autoaugment.svhn_policy),
    }


def main() -> None:
    version, table = collect()
    body = pprint.pformat(table, width=120, sort_dicts=True)
    auto = pprint.pformat(policies(), width=120, sort_dicts=True)
    print(
        f'''"""Constructor arguments of Kornia {version} augmentation classes, by canonical name.

Generated; do not edit.

Regenerate with ``python scripts/generate_kornia_table.py > safeaug/libraries/_kornia_table.py``. A default
written ``"<object: ...>"`` is not a literal (an enum member, a tensor); ``REQUIRED`` marks no default.
"""

from __future__ import annotations

from typing import Any

from safeaug.catalog._signatures import REQUIRED

KORNIA_VERSION = "{version}"
NOT_LITERAL = "<object: "

SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {body.replace("'<required>'", "REQUIRED")}

# kornia.augmentation.auto's operation lists: the default candidates of RandAugment and TrivialAugment
# ((name, low, high) per operation) and AutoAugment's named policies ((name, probability, magnitude bin)).
AUTO_POLICIES: dict[str, list[list[tuple[Any, ...]]]] = {auto}'''
    )


if __name__ == "__main__":
    main()
