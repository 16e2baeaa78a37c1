"""Config files in every dialect: JSON, YAML and Python. Files are parsed, never executed."""

from __future__ import annotations

import os
from pathlib import Path

from safeaug._files import NotReadable, read_bytes
from safeaug._yaml import json_lines, load_json, load_with_lines
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers import monai_bundle
from safeaug.readers.generic import Reader
from safeaug.readers.python_source import read_python

MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".json", ".yaml", ".yml", ".py")


# Words every dialect but a bare `name` list uses; a large file without any is data, not a pipeline.
_MARKERS = (b"albumentations", b"__class_fullname__", b"_target_", b"class_path", b"class_name", b"Albu")


def read_text(source: str) -> str | None:
    """The file's text; None for a file too large to be a pipeline config that mentions none."""
    data = read_source_bytes(source)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is accepted in every format
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read the file ({exc})", path=source) from None


def read_source_bytes(source: str) -> bytes | None:
    """The bytes of a config file (a regular file of at most ``MAX_BYTES``); None for a larger file that
    mentions no pipeline (a dataset's annotation JSON next to the configs)."""
    file = Path(source)
    if file.suffix.lower() not in SUFFIXES:
        raise ConfigError("expected a .json, .yaml, .yml or .py pipeline config", path=source)
    try:
        return read_bytes(source, MAX_BYTES)
    except NotReadable as exc:
        if exc.too_large and not _mentions_a_pipeline(file):
            return None
        if exc.too_large:
            raise ConfigError(
                f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; no augmentation config is this large, so it is "
                "not read",
                path=source,
            ) from None
        raise ConfigError(f"cannot read it: {exc}", path=source) from None
    except FileNotFoundError:
        raise ConfigError("no such file", path=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror or exc})", path=source) from None


def _mentions_a_pipeline(file: Path) -> bool:
    tail = b""
    with file.open("rb") as handle:  # a regular file: read_bytes checked it
        while chunk := handle.read(1 << 20):
            block = tail + chunk
            if any(marker in block for marker in _MARKERS):
                return True
            tail = chunk[-32:]
    return False


def read_pipelines(path: str | os.PathLike[str]) -> list[Node]:
    """Every pipeline in a config file, in file order (``[]`` when it holds none)."""
    source = os.fspath(path)
    text = read_text(source)
    if text is None:
        return []
    return pipelines_in_text(source, text)


def pipelines_in_text(source: str, text: str) -> list[Node]:
    """Every pipeline in the text of a config file named ``source`` (its suffix says the format)."""
    if source.lower().endswith(".py"):
        return read_python(text, source)
    if source.lower().endswith(".json"):
        data = load_json(text, source)
        if not any(marker.decode() in text for marker in _MARKERS):
            # Most JSON without these words holds no pipeline: look before finding lines.
            try:
                if not Reader(source, None).find(data):
                    return []
            except ConfigError:
                pass  # read again with lines, for a message that points at one
        lines = json_lines(text, source)
        data, opaque = monai_bundle.prepare(data, lines, source)  # MONAI bundles: `@` references, `$` expressions
        return Reader(source, lines, opaque=opaque).find(data)
    data, lines = load_with_lines(text, source)
    opaque = False
    if "${" in text:  # Hydra / OmegaConf interpolations: resolved inside the file, never evaluated
        from safeaug.readers.interpolation import resolve

        data, opaque = resolve(data, lines, source)
    data, bundle_opaque = monai_bundle.prepare(data, lines, source)
    return Reader(source, lines, opaque=opaque or bundle_opaque).find(data)


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
