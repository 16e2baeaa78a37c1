"""Training settings a Python file writes in code, for the readers of those libraries' settings: the keyword
arguments of Ultralytics' ``model.train(...)`` (``readers.ultralytics``) and of timm's ``create_transform(...,
is_training=True)`` (``readers.timm_settings``), and a detectron2 config built with ``get_cfg()``
(``readers.detectron2``). Each becomes the mapping that reader reads, its values read as the Python reader reads
any value (literals and module constants, never run), each at its line.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Hashable
from typing import Any

from safeaug.readers.detectron2 import CODE as D2_CODE
from safeaug.readers.detectron2 import UNREAD as D2_UNREAD
from safeaug.readers.timm_settings import CALL as TIMM_CALL
from safeaug.readers.timm_settings import POSITIONAL as TIMM_POSITIONAL
from safeaug.readers.ultralytics import CALL, trains
from safeaug.readers.unreadable import Opaque

Path = tuple[Hashable, ...]
Scopes = list[dict[str, list[ast.expr]]]


class SettingsInCode:
    """The settings of one Python file (``statements``: all of them, nested ones included; ``value``/``opaque``: the
    Python reader's, recording lines in ``lines``)."""

    def __init__(
        self,
        statements: list[ast.stmt],
        source: str,
        foreign: dict[str, str],
        lines: dict[Path, int],
        value: Callable[[ast.expr, Path, Scopes, int], Any],
        opaque: Callable[[ast.AST], Opaque],
    ) -> None:
        self.source = source
        self.lines = lines
        self.value = value
        self.opaque = opaque
        self.statements = statements
        imported = any(v == "ultralytics" or v.startswith("ultralytics.") for v in foreign.values())
        self.trained = [
            call
            for stmt in self.statements
            if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign))
            and isinstance(call := stmt.value, ast.Call)
            and trains(call, imported)
        ]
        timm = {local for local, path in foreign.items() if path == "timm" or path.startswith("timm.")}
        self.created = (  # (every expression walked: only in a file that imports timm)
            [call for stmt in self.statements for call in _calls_in(stmt) if _creates_training_transform(call, timm)]
            if timm
            else []
        )

    def unpacked(self) -> set[str]:
        """Names of dicts unpacked into ``model.train(**NAME)``: read with the call, not on their own."""
        return {
            kw.value.id
            for call in self.trained
            for kw in call.keywords
            if kw.arg is None and isinstance(kw.value, ast.Name)
        }

    def read(self, scopes: Scopes) -> dict[str, Any]:
        """Every ``model.train(...)``'s settings and every ``get_cfg()`` config, by a key naming it."""
        out: dict[str, Any] = {}
        for call in self.trained:  # `model.train(data=..., fliplr=0.0)`: Ultralytics' settings
            key = f"{ast.unparse(call.func)}(...) at line {call.lineno}"
            out[key] = self._trained(call, key, scopes)
        for call in self.created:  # `create_transform(224, is_training=True, hflip=0.0)`: timm's settings
            key = f"{ast.unparse(call.func)}(...) at line {call.lineno}"
            out[key] = self._created(call, key, scopes)
        out.update(self._detectron2(scopes))
        return out

    def _created(self, call: ast.Call, key: str, scopes: Scopes) -> dict[str, Any]:
        """The arguments of timm's ``create_transform(...)`` as its settings, each at its line: the first two
        positional ones are ``input_size`` and ``is_training``; any other positional argument, and ``**`` unpacking,
        are unreadable (refused under ``*`` and ``**``)."""
        self.lines[(key,)] = call.lineno
        settings: dict[str, Any] = {TIMM_CALL: True}
        for i, arg in enumerate(call.args):
            name = TIMM_POSITIONAL[i] if i < len(TIMM_POSITIONAL) and not isinstance(arg, ast.Starred) else "*"
            self.lines[(key, name)] = arg.lineno
            settings[name] = self.value(arg, (key, name), scopes, 0) if name != "*" else self.opaque(arg)
        for kw in call.keywords:
            name = kw.arg if kw.arg is not None else "**"
            self.lines[(key, name)] = kw.value.lineno
            read = self.value(kw.value, (key, name), scopes, 0) if kw.arg is not None else self.opaque(kw.value)
            settings[name] = read
        return settings

    def _detectron2(self, scopes: list[dict[str, list[ast.expr]]]) -> dict[str, Any]:
        """detectron2 configs built in code (``cfg = get_cfg()``, ``cfg.merge_from_file(...)``,
        ``cfg.INPUT.RANDOM_FLIP = "none"``), each as the mapping ``readers.detectron2`` reads, at its lines.

        ``merge_from_file`` of a literal path is read as that config's ``_BASE_`` (found from this file's folder
        up; the settings written in code win, as they do when they come after it); any other merge (a model zoo
        file, ``merge_from_list``, a path built in code) and an ``INPUT`` setting assigned in another way are
        unreadable, and refused by name."""
        configs: dict[str, dict[str, Any]] = {}  # local name -> its mapping
        out: dict[str, Any] = {}
        for stmt in self.statements:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
                if isinstance(target, ast.Name) and isinstance(value, ast.Call) and _callee(value.func) == "get_cfg":
                    key = f"{target.id} = get_cfg() at line {stmt.lineno}"
                    self.lines[(key,)] = stmt.lineno
                    configs[target.id] = out[key] = {D2_CODE: key, "INPUT": {}, D2_UNREAD: []}
                    continue
                dotted = _dotted(target)
                if len(dotted) == 2 and dotted[0] in configs and dotted[1] == "INPUT":  # the section replaced whole
                    self._unread(configs[dotted[0]], ast.unparse(target), stmt.lineno)
                elif len(dotted) >= 3 and dotted[0] in configs and dotted[1] == "INPUT":
                    config = configs[dotted[0]]
                    key = config[D2_CODE]
                    if len(dotted) == 3:
                        self.lines[(key, "INPUT", dotted[2])] = stmt.lineno
                        config["INPUT"][dotted[2]] = self.value(value, (key, "INPUT", dotted[2]), scopes, 0)
                    elif len(dotted) == 4 and dotted[2] == "CROP":
                        self.lines.setdefault((key, "INPUT", "CROP"), stmt.lineno)
                        crop = config["INPUT"].setdefault("CROP", {})
                        crop[dotted[3]] = self.value(value, (key, "INPUT", "CROP", dotted[3]), scopes, 0)
                    else:
                        self._unread(config, ast.unparse(target), stmt.lineno)
                continue
            if isinstance(stmt, ast.AugAssign):  # `cfg.INPUT.MIN_SIZE_TRAIN += (...)`
                dotted = _dotted(stmt.target)
                if len(dotted) >= 2 and dotted[0] in configs and dotted[1] == "INPUT":
                    self._unread(configs[dotted[0]], ast.unparse(stmt), stmt.lineno)
                continue
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            reached = _dotted(call.func.value)
            if len(reached) >= 2 and reached[0] in configs and reached[1] == "INPUT":
                self._unread(configs[reached[0]], ast.unparse(call), call.lineno)  # `cfg.INPUT.update(...)`
                continue
            owner_name = call.func.value.id if isinstance(call.func.value, ast.Name) else None
            if owner_name not in configs or not call.func.attr.startswith("merge_from"):
                continue
            config = configs[owner_name]
            given = call.args[0] if call.args else None
            path = given.value if isinstance(given, ast.Constant) and isinstance(given.value, str) else None
            found = _near(self.source, path) if call.func.attr == "merge_from_file" and path else None
            if found is not None and "_BASE_" not in config:
                config["_BASE_"] = found
                self.lines[(config[D2_CODE], "_BASE_")] = call.lineno
            else:
                self._unread(config, ast.unparse(call), call.lineno)
        return out

    def _unread(self, config: dict[str, Any], text: str, line: int) -> None:
        config[D2_UNREAD].append((text, line))
        self.lines[(config[D2_CODE], "__unread__", str(line))] = line

    def _trained(self, call: ast.Call, key: str, scopes: list[dict[str, list[ast.expr]]]) -> dict[str, Any]:
        """The keyword arguments of ``model.train(...)`` as Ultralytics settings, each at its line; ``**name`` of a
        dict the file writes out is read into them, anything else unpacked stays unreadable (under ``**``)."""
        self.lines[(key,)] = call.lineno
        settings: dict[str, Any] = {CALL: True}
        for kw in call.keywords:
            if kw.arg is not None:
                self.lines[(key, kw.arg)] = kw.value.lineno
                settings[kw.arg] = self.value(kw.value, (key, kw.arg), scopes, 0)
                continue
            unpacked = self.value(kw.value, (key, "**"), scopes, 0)
            if isinstance(unpacked, dict) and all(isinstance(k, str) for k in unpacked):
                for name in unpacked:
                    self.lines[(key, name)] = self.lines.get((key, "**", name), kw.value.lineno)
                settings.update(unpacked)
            else:
                self.lines[(key, "**")] = kw.value.lineno
                settings["**"] = self.opaque(kw.value)
        return settings


def _calls_in(stmt: ast.stmt) -> list[ast.Call]:
    """The calls in a statement's own expressions (not in the statements nested in it, which are read apart)."""
    found: list[ast.Call] = []
    stack = [c for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt))
    return found


def _creates_training_transform(call: ast.Call, timm: set[str]) -> bool:
    """Whether a call is timm's ``create_transform`` (named through a timm import) that may build the training
    pipeline, whose augmentation its arguments set: ``is_training`` (a keyword, or the second positional argument)
    given and not ``False`` as written (a value only running the code tells may be ``True``)."""
    head = _dotted(call.func)
    if not (head and head[0] in timm and head[-1] == "create_transform"):
        return False
    training = [kw.value for kw in call.keywords if kw.arg == "is_training"] or call.args[1:2]
    return bool(training) and not (isinstance(training[0], ast.Constant) and training[0].value is False)


def _callee(func: ast.expr) -> str | None:
    """The name a call calls: ``get_cfg`` for ``get_cfg()`` and ``detectron2.config.get_cfg()``."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _dotted(node: ast.expr) -> list[str]:
    """``cfg.INPUT.RANDOM_FLIP`` as ``["cfg", "INPUT", "RANDOM_FLIP"]``; ``[]`` for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return []
    return [node.id, *reversed(parts)]


def _near(source: str, path: str) -> str | None:
    """A config file a script names (relative to where it runs, which is not known): looked for from the script's
    folder up to three folders above; None when it is not found."""
    if os.path.isabs(path):
        return path if os.path.isfile(path) else None
    folder = os.path.dirname(os.path.abspath(source))
    for _ in range(4):
        candidate = os.path.join(folder, path)
        if os.path.isfile(candidate):
            return candidate
        folder = os.path.dirname(folder)
    return None


__all__ = ["SettingsInCode"]
