"""Safe YAML/JSON loading that remembers the line of every value, for messages that point at a line.

Only plain data is ever constructed (``yaml.SafeLoader``): tags such as ``!!python/object`` are refused.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

import yaml

from safeaug.errors import ConfigError

Path = tuple[Hashable, ...]

# Limits that keep hostile files (alias bombs, absurd nesting) from hanging the reader.
MAX_DEPTH = 200
MAX_NODES = 200_000


class _LineLoader(yaml.SafeLoader):
    pass


def load_with_lines(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML (or JSON, which YAML reads too) and map each value's path to its 1-based line."""
    try:
        return _load(text, source)
    except RecursionError:
        raise ConfigError(
            "nesting too deep to read; no augmentation pipeline is nested this deeply", path=source
        ) from None


def _load(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    if source.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=source, line=exc.lineno) from None
        try:
            node = yaml.compose(text, Loader=_LineLoader)
        except yaml.YAMLError:
            return data, {}
        return data, _lines(node) if node is not None else {}
    try:
        node = yaml.compose(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", path=source, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=source) from None
    if node is None:
        return None, {}
    _check_size(node, source)
    try:
        data = _LineLoader(text).get_single_data()
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(
            f"YAML tag not allowed here: {exc.problem}; only plain data is read", path=source, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=source) from None
    return data, _lines(node)


def _check_size(root: yaml.Node, source: str) -> None:
    """Refuse documents that would expand into enormous or absurdly deep data (aliases share nodes)."""
    seen = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise ConfigError(
                f"nesting deeper than {MAX_DEPTH} levels; no augmentation pipeline is this deep",
                path=source,
                line=node.start_mark.line + 1,
            )
        if seen > MAX_NODES:
            raise ConfigError(
                f"more than {MAX_NODES} values once aliases are expanded; refusing to read further",
                path=source,
                line=node.start_mark.line + 1,
            )
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)


def _lines(root: yaml.Node) -> dict[Path, int]:
    out: dict[Path, int] = {}
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                if key is not None:
                    out.setdefault((*path, key), k.start_mark.line + 1)
                    stack.append((v, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((v, (*path, i)))
    return out
