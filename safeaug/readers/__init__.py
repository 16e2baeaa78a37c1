"""Readers: every input form becomes the same :class:`~safeaug.ir.Node` tree."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers.dicts import read_dict
from safeaug.readers.files import read_file, read_pipelines
from safeaug.readers.objects import read_object, read_transform_list


def read_config(path: str | os.PathLike[str]) -> list[Node]:
    """Every augmentation pipeline in a config file, in file order; an empty list when it holds none.

    Raises :class:`~safeaug.ConfigError` (with file and line) for a file that cannot be parsed.
    """
    return read_pipelines(path)


def read_pipeline(pipeline: Any) -> Node:
    """An albumentations transform or composition, a list of transforms, a ``to_dict`` dict, or a path."""
    if isinstance(pipeline, Node):
        return pipeline
    if isinstance(pipeline, (str, os.PathLike)):
        return read_file(pipeline)
    if isinstance(pipeline, Mapping):
        return read_dict(pipeline)
    if isinstance(pipeline, Sequence) and not isinstance(pipeline, (bytes, bytearray)):
        return read_transform_list(list(pipeline))
    if pipeline is None:
        raise ConfigError("no pipeline given (got None)")
    return read_object(pipeline)


__all__ = ["read_config", "read_dict", "read_file", "read_object", "read_pipeline", "read_transform_list"]
