"""Config files in every dialect: JSON, YAML and Python. Files are parsed, never executed."""

from __future__ import annotations

import os

from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers.source import Source


def read_pipelines(path: str | os.PathLike[str]) -> list[Node]:
    """Every pipeline in a config file, in file order (``[]`` when it holds none)."""
    return Source.read(path).pipelines()


def pipelines_in_text(source: str, text: str) -> list[Node]:
    """Every pipeline in the text of a config file named ``source`` (its suffix says the format)."""
    return Source(source, text).pipelines()


def read_file(path: str | os.PathLike[str]) -> Node:
    """The one pipeline in a config file; an error when it holds none or several."""
    source = os.fspath(path)
    roots = read_pipelines(source)
    if len(roots) == 1:
        return roots[0]
    if not roots:
        raise ConfigError(
            "no augmentation pipeline found (expected `albumentations.save` output, Hydra `_target_`, "
            "`class_path`, `class_name`/`name` + `params`, mmdet `Albu` or Python building `A.Compose`)",
            path=source,
            line=1,
        )
    where = ", ".join(r.location or "the document" for r in roots)
    raise ConfigError(f"the file holds {len(roots)} pipelines ({where}); read them with read_config", path=source)
