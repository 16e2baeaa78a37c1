"""``albumentations.to_dict`` dicts (2.0.x short names and 1.x fully qualified names) into the tree."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.catalog import defaults_for, known_names, short_name
from safeaug.catalog._defaults import BASES, DEFAULTS
from safeaug.errors import ConfigError
from safeaug.ir import COMPOSE_MODES, Node, child_location

Lines = Mapping[tuple[Hashable, ...], int]
_CLASS_KEY = "__class_fullname__"
# Keys of a node that are not init arguments (ReplayCompose records add `id`, `params`, `applied`).
_STRUCTURE_KEYS = {_CLASS_KEY, "transforms", "p", "id", "params", "applied"}


def read_dict(data: Mapping[str, Any], *, source: str | None = None, lines: Lines | None = None) -> Node:
    """Read a ``to_dict`` document (``{"__version__": ..., "transform": {...}}``) or a bare node dict."""
    lines = lines or {}
    path: tuple[Hashable, ...] = ()
    if "transform" in data and _CLASS_KEY not in data:
        node = data["transform"]
        path = ("transform",)
        if not isinstance(node, Mapping):
            raise ConfigError(
                "`transform` must be a mapping with `__class_fullname__`", path=source, line=lines.get(path)
            )
        return _read_node(node, "", path, source, lines)
    return _read_node(data, "", path, source, lines)


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(known_names() | set(COMPOSE_MODES)), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _read_node(
    data: Mapping[str, Any], location: str, path: tuple[Hashable, ...], source: str | None, lines: Lines
) -> Node:
    line = lines.get((*path, _CLASS_KEY), lines.get(path))
    where = f" at {location}" if location else ""
    if not isinstance(data, Mapping):
        raise ConfigError(f"expected a transform (a mapping){where}, got {type(data).__name__}", path=source, line=line)
    if _CLASS_KEY not in data:
        keys = ", ".join(sorted(map(str, data))) or "none"
        raise ConfigError(f"transform{where} has no `{_CLASS_KEY}` (keys found: {keys})", path=source, line=line)
    full = data[_CLASS_KEY]
    if not isinstance(full, str) or not full:
        raise ConfigError(f"`{_CLASS_KEY}`{where} must be a class name, got {full!r}", path=source, line=line)
    name = short_name(full)
    p = data.get("p")
    if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1):
        raise ConfigError(f"{name}.p{where} must be a probability between 0 and 1, got {p!r}", path=source, line=line)
    p_value = float(p) if p is not None else None

    if name in COMPOSE_MODES:
        children = data.get("transforms")
        if name == "OneOrOther" and children is None:
            children = [c for c in (data.get("first"), data.get("second")) if c is not None]
        if not isinstance(children, list):
            raise ConfigError(
                f"{name}{where}: `transforms` must be a list of transforms, got {type(children).__name__}",
                path=source,
                line=line,
            )
        params = {k: v for k, v in data.items() if k in ("n", "replace")}
        for key, value in params.items():
            if key == "n" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(f"{name}.n{where} must be a whole number >= 0, got {value!r}", path=source, line=line)
            if key == "replace" and not isinstance(value, bool):
                raise ConfigError(f"{name}.replace{where} must be true or false, got {value!r}", path=source, line=line)
        kids = tuple(
            _read_node(c, child_location(location, i), (*path, "transforms", i), source, lines)
            for i, c in enumerate(children)
        )
        return Node(
            name=name, params=params, p=p_value, children=kids, mode=COMPOSE_MODES[name], location=location, line=line
        )

    if name not in known_names() and name not in DEFAULTS and "." not in name:
        raise ConfigError(
            f"unknown transform {full!r}{where}: albumentations has no such class and none was registered"
            + _suggest(name),
            path=source,
            line=line,
        )
    params = {k: v for k, v in data.items() if k not in _STRUCTURE_KEYS}
    defaults = defaults_for(name)
    if p_value is None and "p" in defaults and isinstance(defaults["p"], (int, float)):
        p_value = float(defaults["p"])
    # Dicts carry no class hierarchy: albumentations' own comes from the checked-in table, so that
    # TimeReverse inherits HorizontalFlip's entry here exactly as it does for a live object.
    mro = (name, *BASES.get(name, ()))
    return Node(name=name, params=params, p=p_value, location=location, line=line, mro=mro)
