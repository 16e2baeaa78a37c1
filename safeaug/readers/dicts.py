"""``albumentations.to_dict`` dicts (2.0.x short names and 1.x fully qualified names) into the tree."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers.dialects import NATIVE
from safeaug.readers.generic import Reader

Lines = Mapping[tuple[Hashable, ...], int]


def read_dict(data: Mapping[str, Any], *, source: str | None = None, lines: Lines | None = None) -> Node:
    """Read a ``to_dict`` document (``{"__version__": ..., "transform": {...}}``) or a bare node dict.

    Any other dialect the file readers know (Hydra ``_target_``, ``class_path``, ``class_name``, ...)
    is read too, when the dict is one transform or composition.
    """
    reader = Reader(source, lines)
    if "transform" in data and NATIVE not in data:
        node = data["transform"]
        if not isinstance(node, Mapping):
            raise ConfigError(
                f"`transform` must be a mapping with `{NATIVE}`", path=source, line=reader.line(("transform",))
            )
        return reader.build(node, ("transform",), "", albu=False)
    return reader.build(data, (), "", albu=False)
