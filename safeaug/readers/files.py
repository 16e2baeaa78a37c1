"""Pipeline config files: ``A.save`` JSON and YAML. Files are parsed, never executed."""

from __future__ import annotations

import os
from pathlib import Path

from safeaug._yaml import load_with_lines
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers.dicts import read_dict

MAX_BYTES = 5 * 1024 * 1024


def read_file(path: str | os.PathLike[str]) -> Node:
    source = os.fspath(path)
    file = Path(source)
    if file.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise ConfigError("expected a .json, .yaml or .yml pipeline config", path=source)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise ConfigError(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; not a pipeline config", path=source)
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", path=source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file ({exc})", path=source) from None
    data, lines = load_with_lines(text, source)
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping with `transform` (as written by albumentations.save)", path=source, line=1
        )
    return read_dict(data, source=source, lines=lines)
