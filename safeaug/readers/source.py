"""A config file read once: its bytes checked and decoded, its format, and (for Python) its syntax tree.

The linter reads each file through one :class:`Source`: the readers find the pipelines in its text, and
the suppression comments are found in the same text (for Python, with the syntax tree the reader
parsed, so the file is neither read nor parsed twice). Only regular files are opened, and none larger
than :data:`MAX_BYTES`.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import tokenize
from pathlib import Path
from typing import Literal, NamedTuple

from safeaug._files import NotReadable, read_bytes
from safeaug._yaml import json_lines, load_json, load_lenient, yaml_comments
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.readers import monai_bundle
from safeaug.readers.generic import Reader
from safeaug.readers.python_source import might_hold_pipeline, parse, python_comments, read_python

MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = (".json", ".yaml", ".yml", ".py")
Format = Literal["json", "yaml", "python"]

# Words every dialect but a bare `name` list uses; a large file without any is data, not a pipeline.
_MARKERS = (b"albumentations", b"__class_fullname__", b"_target_", b"class_path", b"class_name", b"Albu")
_TEXT_MARKERS = tuple(marker.decode() for marker in _MARKERS)


class Comment(NamedTuple):
    """A comment of a YAML or Python file."""

    line: int
    text: str  # from the `#`
    alone: bool  # nothing but whitespace before it on its line


class Source:
    """The text of one config file (None for a file too large to be a config that mentions none)."""

    __slots__ = ("_tree", "format", "path", "text")

    def __init__(self, path: str | os.PathLike[str], text: str | None) -> None:
        self.path = os.fspath(path)
        self.text = text
        self.format = format_of(self.path)
        self._tree: ast.Module | None = None

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Source:
        """Read a config file. Raises :class:`~safeaug.ConfigError` for one that cannot be read as text."""
        source = os.fspath(path)
        data = read_source_bytes(source)
        if data is None:
            return cls(source, None)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 or UTF-32, by its byte-order mark
            raise ConfigError(
                "UTF-16/UTF-32 text; albumentations' `A.load` and Hydra read configs as UTF-8, so "
                "save the file as UTF-8",
                path=source,
                line=1,
            )
        if data.find(b"\x00", 0, 8192) >= 0:
            raise ConfigError("binary file (it holds NUL bytes), not a pipeline config", path=source)
        encoding = "utf-8-sig"  # a byte-order mark is accepted in every format
        if format_of(source) == "python" and b"coding" in data[:1024]:
            with contextlib.suppress(SyntaxError):  # Python source may declare its encoding (PEP 263)
                encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        try:
            return cls(source, data.decode(encoding))
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot start or continue a character); "
                "configs are read as UTF-8, so save the file as UTF-8",
                path=source,
                line=data.count(b"\n", 0, exc.start) + 1,
            ) from None

    @property
    def tree(self) -> ast.Module:
        """A Python file's syntax tree, parsed once (raises :class:`~safeaug.ConfigError` for invalid Python)."""
        if self._tree is None:
            self._tree = parse(self.text or "", self.path)
        return self._tree

    def pipelines(self) -> list[Node]:
        """Every pipeline in the file, in file order (``[]`` when it holds none)."""
        text = self.text
        if text is None:
            return []
        if self.format == "python":
            return read_python(text, self.path, tree=self.tree) if might_hold_pipeline(text) else []
        if self.format == "json":
            data = load_json(text, self.path)
            if not any(marker in text for marker in _TEXT_MARKERS):
                # Most JSON without these words holds no pipeline: look before finding lines.
                try:
                    if not Reader(self.path, None).find(data):
                        return []
                except ConfigError:
                    pass  # read again with lines, for a message that points at one
            lines = json_lines(text, self.path)
            opaque = False
            if _may_be_bundle(text):  # MONAI bundles: `@` references, `$` code
                data, opaque = monai_bundle.prepare(data, lines, self.path)
            return Reader(self.path, lines, opaque=opaque).find(data)
        data, lines, twice = load_lenient(text, self.path)
        opaque = False
        if "${" in text:  # Hydra / OmegaConf interpolations: resolved inside the file, never evaluated
            from safeaug.readers.interpolation import resolve

            data, opaque = resolve(data, lines, self.path)
        bundle_opaque = False
        if _may_be_bundle(text):
            data, bundle_opaque = monai_bundle.prepare(data, lines, self.path)
        roots = Reader(self.path, lines, opaque=opaque or bundle_opaque).find(data)
        if roots and twice is not None:
            raise twice  # which of the two values a loader keeps is not known: the pipeline cannot be judged
        return roots

    def comments(self, needle: str = "") -> list[Comment]:
        """The comments of a YAML or Python file that contain ``needle`` (JSON has none)."""
        text = self.text
        if text is None or needle not in text or self.format == "json":
            return []
        if self.format == "python":
            try:
                tree = self.tree
            except ConfigError:
                return []  # not Python: no comment can count (fail closed: nothing is suppressed)
            return [Comment(*found) for found in python_comments(text, tree, needle)]
        return [Comment(*found) for found in yaml_comments(text, needle)]


def _may_be_bundle(text: str) -> bool:
    """Whether a JSON or YAML text may be a MONAI bundle, which names its classes under ``_target_``: a key is
    written out as it reads unless a quoted string escapes its characters (``"\\x5ftarget_"``), so without a
    backslash and without the word the document holds no ``_target_`` (and the walk over it is skipped)."""
    return "_target_" in text or "\\" in text


def format_of(path: str) -> Format:
    """The format a config file's suffix says it is in (YAML for any suffix but ``.json`` and ``.py``)."""
    lowered = path.lower()
    if lowered.endswith(".py"):
        return "python"
    if lowered.endswith(".json"):
        return "json"
    return "yaml"


def read_source_bytes(source: str) -> bytes | None:
    """The bytes of a config file (a regular file of at most ``MAX_BYTES``); None for a larger file that
    mentions no pipeline (a dataset's annotation JSON next to the configs)."""
    if not source.lower().endswith(SUFFIXES):
        raise ConfigError("expected a .json, .yaml, .yml or .py pipeline config", path=source)
    try:
        return read_bytes(source, MAX_BYTES)
    except NotReadable as exc:
        if exc.too_large and not _mentions_a_pipeline(Path(source)):
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
