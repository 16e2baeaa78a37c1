"""Python source that builds albumentations pipelines, or holds mmengine config dicts, read with ``ast``.

The file is parsed, never imported or run. Two forms are read:

* code that calls albumentations (``A.Compose([...])``, ``albumentations.Rotate(limit=10)``, names
  imported from albumentations): each call that is not inside another albumentations call is a
  pipeline, named by the variable it is assigned to or by its line;
* mmengine / mmdet configs: module-level ``dict(type='Albu', transforms=[dict(type='Rotate', ...)])``,
  with module-level variables referenced by name.

Literal arguments are read (numbers, strings, tuples, lists, dicts, ``None``/``True``/``False``, negative
numbers, simple arithmetic on numbers, OpenCV border and interpolation constants); a name is read
through a single literal assignment in the same function or at module level. Anything else is an
:class:`~safeaug.readers.unreadable.Opaque` value, which the reader reports instead of guessing.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Hashable
from pathlib import Path as FilePath
from typing import Any

from safeaug._yaml import huge_number
from safeaug.catalog._auto_names import POSITIONAL as AUTO_POSITIONAL
from safeaug.catalog._registry import known_names
from safeaug.errors import ConfigError
from safeaug.ir import Node
from safeaug.libraries import owner
from safeaug.libraries.reading import is_library_class
from safeaug.readers.dialects import NATIVE, SAFEAUG_COMPOSITIONS, resolve_class
from safeaug.readers.generic import Reader
from safeaug.readers.python_ast import (
    LINE_BREAK,
    any_within,
    assignments,
    changed_in_place,
    mutated_names,
    nested_bodies,
    own_nodes,
    parameters,
    rebinding_line,
    root_name,
    target_names,
    value_children,
    walk_statements,
)
from safeaug.readers.python_settings import SettingsInCode
from safeaug.readers.unreadable import Opaque, changed_after_built, unfollowed
from safeaug.readers.vocabulary import OLD_ORDER, is_albumentations_name, positional_order

Path = tuple[Hashable, ...]
MAX_DEPTH = 100
# Arithmetic is folded only when its result is provably small: an integer of at most this many bits (a
# 39-digit number; no augmentation argument is larger). `10**10**10` is left unread instead of computed.
MAX_FOLDED_BITS = 128
# Values read per file, names followed included: `b = [a, a]; c = [b, b]; ...` doubles at each step, so a
# short file could otherwise ask for more work than any machine can do.
MAX_VALUES = 200_000
# Names bound to albumentations beyond which statements are not filtered by text (see _Source._needles).
_MAX_NEEDLES = 64

# OpenCV constants that pipelines pass as arguments (cv2.BORDER_REFLECT_101, cv2.INTER_LINEAR, ...).
CV2_CONSTANTS: dict[str, int] = {
    "BORDER_CONSTANT": 0,
    "BORDER_REPLICATE": 1,
    "BORDER_REFLECT": 2,
    "BORDER_WRAP": 3,
    "BORDER_REFLECT_101": 4,
    "BORDER_REFLECT101": 4,
    "BORDER_DEFAULT": 4,
    "INTER_NEAREST": 0,
    "INTER_LINEAR": 1,
    "INTER_CUBIC": 2,
    "INTER_AREA": 3,
    "INTER_LANCZOS4": 4,
    "INTER_LINEAR_EXACT": 5,
    "INTER_NEAREST_EXACT": 6,
}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}


class _TooDeep(Exception):
    def __init__(self, line: int | None = None) -> None:
        super().__init__(line)
        self.line = line


class _TooLarge(Exception):
    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


def _fold(op: ast.operator, left: Any, right: Any) -> Any:
    """``left op right`` for numbers, or None when the result could be large (or is not a number)."""
    if isinstance(left, int) and isinstance(right, int):
        bits = max(left.bit_length(), right.bit_length())
        if isinstance(op, ast.Pow):
            if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_FOLDED_BITS + left.bit_length():
                return None  # 2**129 and beyond: never folded
        elif isinstance(op, ast.Mult):
            bits = left.bit_length() + right.bit_length()
        if bits > MAX_FOLDED_BITS:
            return None
    elif isinstance(op, ast.Pow) and isinstance(right, int) and abs(right) > 4096:
        return None  # a float to a huge integer power: OverflowError at best, a long loop at worst
    try:
        result = _BINARY[type(op)](left, right)
    except (ArithmeticError, ValueError):
        return None
    if not _number(result) or (isinstance(result, int) and result.bit_length() > MAX_FOLDED_BITS):
        return None
    return result


# The most items a list comprehension in a config is read for (one value per item): more is unreadable.
_MAX_COMPREHENDED = 64

# Words without which a Python file holds no pipeline: albumentations itself, mmdet's wrapper, a wrapper of
# one's own (`type=..., transforms=[...]`), `name`/`class_name` + `params` dicts, an mmengine data pipeline of
# mmcv's own steps (`train_pipeline = [dict(type='LoadImageFromFile'), ...]`, `dataset=dict(pipeline=...)`).
_PYTHON_MARKERS = (
    "albumentations",
    "Albu",
    "transforms",
    "params",
    "pipeline",
    "fliplr",
    "mosaic",
    "hsv_",
    "get_cfg",
    "create_transform",
)
# Other libraries' modules that hold transforms (``torchvision.transforms`` and ``monai.transforms`` contain
# "transforms" already).
_LIBRARY_MARKERS = ("kornia", "torchio")


def might_hold_pipeline(text: str) -> bool:
    """A cheap test before parsing: ordinary Python files never mention albumentations."""
    return any(marker in text for marker in _PYTHON_MARKERS) or any(marker in text for marker in _LIBRARY_MARKERS)


def parse(text: str, source: str) -> ast.Module:
    """The syntax tree of Python source (never compiled to code, never run).

    Raises :class:`~safeaug.ConfigError` (with the line) for text that is not Python.
    """
    try:
        return ast.parse(text, filename=source)
    except SyntaxError as exc:
        huge = huge_number(text, source) if "digits" in exc.msg else None
        if huge is not None:
            raise huge from None
        raise ConfigError(
            f"invalid Python: {exc.msg}; the file is parsed (never run) to find pipelines",
            path=source,
            line=exc.lineno,
        ) from None
    except (RecursionError, MemoryError):
        raise ConfigError(
            "nesting too deep to parse; no augmentation config is nested this deeply", path=source
        ) from None
    except ValueError as exc:  # null bytes, or an integer longer than Python converts
        raise huge_number(text, source) or ConfigError(f"invalid Python: {exc}", path=source) from None


def read_python(text: str, source: str, *, tree: ast.Module | None = None) -> list[Node]:
    """Every pipeline the file builds, in file order; ``[]`` for Python that builds none.

    ``tree``: the file's syntax tree when the caller has parsed it already (see :func:`parse`).
    """
    if not might_hold_pipeline(text):
        return []
    if tree is None:
        tree = parse(text, source)
    try:
        return _Source(tree, source, text).pipelines(text)
    except (_TooDeep, RecursionError) as exc:
        raise ConfigError(
            f"values nested deeper than {MAX_DEPTH} levels; no augmentation config is nested this deeply",
            path=source,
            line=exc.line if isinstance(exc, _TooDeep) else None,
        ) from None
    except _TooLarge as exc:
        raise ConfigError(
            f"the values this file builds (names followed) amount to more than {MAX_VALUES:,} items; no "
            "augmentation config is this large, so it is not read further",
            path=source,
            line=exc.line,
        ) from None


def python_comments(text: str, tree: ast.Module, needle: str = "") -> list[tuple[int, str, bool]]:
    """The comments that contain ``needle``: (line, text from the ``#``, nothing but space before it).

    Found with the file's syntax tree rather than by tokenizing it again: on a line that holds a ``#``,
    the first ``#`` outside every string literal starts the comment.
    """
    lines = LINE_BREAK.split(text)
    candidates = [n for n, line in enumerate(lines, start=1) if "#" in line and needle in line]
    if not candidates:
        return []
    strings: list[tuple[tuple[int, int], tuple[int, int]]] = []  # (line, byte column) where each one starts, ends
    for stmt in walk_statements(tree.body):
        decorators = getattr(stmt, "decorator_list", None) or []
        first = min([stmt.lineno, *(d.lineno for d in decorators)])
        if not any_within(candidates, first, getattr(stmt, "end_lineno", None) or stmt.lineno):
            continue
        for node in own_nodes(stmt):
            if isinstance(node, ast.JoinedStr) or (
                isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
            ):
                end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
                strings.append(((node.lineno, node.col_offset), end))
    out = []
    for number in candidates:
        line = lines[number - 1]
        col = line.find("#")
        while col >= 0:
            at = (number, len(line[:col].encode("utf-8")))  # the tree counts columns in UTF-8 bytes
            if not any(start <= at < end for start, end in strings):
                if needle in line[col:]:
                    out.append((number, line[col:], not line[:col].strip()))
                break
            col = line.find("#", col + 1)
    return out


class _Source:
    def __init__(self, tree: ast.Module, source: str, text: str) -> None:
        self.tree = tree
        self.source = source
        self.modules: set[str] = set()  # names bound to albumentations (or a submodule)
        self.classes: dict[str, str] = {}  # local name -> albumentations class
        self.foreign: dict[str, str] = {}  # local name -> dotted path of a non-albumentations import
        self.safeaug: set[str] = set()  # names bound to the safeaug package
        self.star = False
        self.library_names: set[str] = set()  # local names bound to another library's module or class
        self.library_star: list[str] = []  # library modules imported with `*`
        self.lines: dict[Path, int] = {}
        self.consumed: set[int] = set()  # id() of albumentations calls read through a variable
        self.current: ast.Call | None = None  # the pipeline call being read
        self.found: list[ast.Call] = []  # the albumentations calls not inside another, in the order found
        self.changes: list[tuple[str, int, bool]] | None = None  # what the file changes in place, when needed
        self.budget = MAX_VALUES  # values left to read (see MAX_VALUES)
        statements = self.statements = list(walk_statements(tree.body))  # every statement, walked once
        self._imports(statements)
        self.followed: set[int] = set()  # id() of the values of alias assignments (`T = A`) that were bound
        # Names whose value changes after it is assigned (`LIM[1] = 120`, `t.limit = 5`, `d.update(...)`,
        # `global X` in a function): the literal assigned is stale, so they are unreadable.
        self.mutated = mutated_names(statements, text)
        self.needles: re.Pattern[str] | None = None  # the names bound to albumentations, as words
        self.text = ""
        self.line_starts: list[int] = []  # where each line of the text starts
        self.module_scope = assignments(tree.body)
        rebound = rebinding_line(statements, text)
        if rebound:  # `from settings import *`, `globals()[...] = ...`: module constants may be rebound there
            self.mutated = self.mutated | {
                name for name, values in self.module_scope.items() if any(v.lineno < rebound for v in values)
            }
        self.stem = FilePath(source).stem
        self._aliases(statements)
        # Names whose value changes after it is assigned (`LIM[1] = 120`, `t.limit = 5`, `d.update(...)`,
        # `global X` in a function): the literal assigned is stale, so they are unreadable.
        self.partials: dict[str, ast.Call] = {}  # `Compose = functools.partial(A.Compose, ...)`
        for name, values in self.module_scope.items():
            call = values[0] if len(values) == 1 else None
            if isinstance(call, ast.Call) and call.args and self._is_partial(call.func):
                cls = self.albumentations_class(call.args[0])
                if cls is not None:
                    self.classes[name] = cls
                    self.partials[name] = call
                    self.followed.add(id(call.args[0]))

    # ------------------------------------------------------------------ imports

    def _imports(self, statements: list[ast.stmt]) -> None:
        for node in statements:  # imports are statements: expressions need not be walked
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_albu_module(alias.name):
                        self.modules.add(alias.asname or alias.name.split(".", 1)[0])
                    elif alias.name == "safeaug":
                        self.safeaug.add(alias.asname or alias.name)
                    else:
                        self.foreign[alias.asname or alias.name] = alias.name
                        if owner(alias.name) is not None:
                            self.library_names.add(alias.asname or alias.name.split(".", 1)[0])
                            if alias.asname is None:  # `import torchvision.transforms` binds `torchvision`
                                self.foreign[alias.name.split(".", 1)[0]] = alias.name.split(".", 1)[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                albu = _is_albu_module(node.module)
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name == "*":
                        self.star = self.star or albu
                        if not albu and owner(node.module) is not None:
                            self.library_star.append(node.module)
                    elif albu and is_albumentations_name(alias.name):
                        self.classes[local] = alias.name
                    elif albu:
                        self.modules.add(local)  # a submodule, or a helper such as BboxParams
                    elif node.module == "safeaug" and _is_safeaug_transform(alias.name):
                        self.classes[local] = f"safeaug.{alias.name}"
                    else:
                        self.foreign[local] = f"{node.module}.{alias.name}"
                        if owner(node.module) is not None:
                            self.library_names.add(local)

    def _aliases(self, statements: list[ast.stmt]) -> None:
        """Names assigned albumentations under another name (``T = A``, ``Flip = A.HorizontalFlip``,
        ``A = importlib.import_module("albumentations")``), followed until no new name is bound.

        A class body's assignments are not names of the module (``Cfg.aug = A`` is reached as ``Cfg.aug``):
        they are left to :meth:`_escapes`, which reports them.
        """
        in_class = {id(s) for c in statements if isinstance(c, ast.ClassDef) for s in c.body}
        pairs: list[tuple[ast.expr, ast.expr]] = []
        for stmt in statements:
            if id(stmt) in in_class:
                continue
            if isinstance(stmt, ast.Assign):
                pairs += [(target, stmt.value) for target in stmt.targets]
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                pairs.append((stmt.target, stmt.value))
        flat: list[tuple[str, ast.expr]] = []
        while pairs:
            target, value = pairs.pop()
            if isinstance(target, ast.Name):
                flat.append((target.id, value))
            elif (
                isinstance(target, (ast.Tuple, ast.List))
                and isinstance(value, (ast.Tuple, ast.List))
                and len(target.elts) == len(value.elts)
                and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
            ):
                pairs += zip(target.elts, value.elts, strict=True)
        waiting: dict[str, list[tuple[str, ast.expr]]] = {}  # by the name they refer to, till it is bound
        while flat:
            name, value = flat.pop()
            if id(value) in self.followed:
                continue
            if self._bind_alias(name, value):
                self.followed.add(id(value))
                flat += waiting.pop(name, [])
            else:
                root = root_name(value)
                if root is not None:
                    waiting.setdefault(root, []).append((name, value))

    def _bind_alias(self, name: str, value: ast.expr) -> bool:
        """Bind ``name`` to what ``value`` names when that is albumentations, safeaug or a library's module or
        class; False when it names none of them."""
        if self._albu_module(value):
            self.modules.add(name)
            return True
        if isinstance(value, ast.Name) and value.id in self.safeaug:
            self.safeaug.add(name)
            return True
        if isinstance(value, ast.Name) and value.id in self.library_names and value.id in self.foreign:
            self.library_names.add(name)
            self.foreign[name] = self.foreign[value.id]
            return True
        if (isinstance(value, ast.Name) and value.id in self.classes) or isinstance(value, ast.Attribute):
            cls = self.albumentations_class(value)
            if cls is not None:
                self.classes[name] = cls
                return True
        return False

    def _albu_module(self, value: ast.expr) -> bool:
        """``A``, ``A.augmentations.geometric`` or ``importlib.import_module("albumentations")``."""
        if isinstance(value, ast.Call):
            func = value.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = value.args[0] if value.args else None
            return (
                called in ("import_module", "__import__")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _is_albu_module(first.value)
            )
        parts = []
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        return (
            isinstance(value, ast.Name)
            and value.id in self.modules
            and not any(is_albumentations_name(part) for part in parts)
        )

    def _escapes(self, inside: list[ast.Call]) -> list[ast.expr]:
        """Albumentations passed on as a value where it cannot be followed: the module itself (``lib=A``,
        ``getattr(A, name)``, a class attribute ``aug = A``) or a transform class not called
        (``{"flip": A.HorizontalFlip}``). Transforms built through these cannot be read without running the
        code. Not counted: tests (``isinstance(t, A.HorizontalFlip)``, ``A is None``), annotations, base
        classes, the aliases :meth:`_aliases` followed, and what lies inside a call that is read anyway."""
        read = {id(call) for call in inside}
        out: list[ast.expr] = []
        for stmt in self.statements:
            if not self._mentions(stmt):
                continue
            stack: list[ast.AST] = [stmt]
            while stack:
                node = stack.pop()
                for child in value_children(node):
                    if id(child) in self.followed or id(child) in read:
                        continue
                    if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id in self.modules:
                        out.append(child)
                    elif (
                        isinstance(child, (ast.Name, ast.Attribute))
                        and isinstance(child.ctx, ast.Load)
                        and not (isinstance(node, ast.Call) and child is node.func)
                        and self._albu_transform_class(child)
                    ):
                        out.append(child)
                        continue
                    if not isinstance(child, ast.stmt):
                        stack.append(child)
        return out

    def _albu_transform_class(self, node: ast.Name | ast.Attribute) -> bool:
        if isinstance(node, ast.Name) and node.id not in self.classes:
            return False
        if isinstance(node, ast.Attribute) and not self._albu_module(node.value):
            return False
        cls = self.albumentations_class(node)
        return cls is not None and not is_library_class(cls)

    def _is_partial(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return self.foreign.get(func.id) == "functools.partial"
        return (
            isinstance(func, ast.Attribute)
            and func.attr == "partial"
            and isinstance(func.value, ast.Name)
            and self.foreign.get(func.value.id) == "functools"
        )

    @property
    def uses_albumentations(self) -> bool:
        return bool(
            self.modules or self.classes or self.star or self.safeaug or self.library_names or self.library_star
        )

    def albumentations_class(self, func: ast.expr) -> str | None:
        """The albumentations class a call's function refers to, if any (or another library's class path)."""
        library = self._library_class(func)
        if library is not None:
            return library
        if isinstance(func, ast.Name):
            if func.id in self.classes:
                return self.classes[func.id]
            if self.star and is_albumentations_name(func.id):
                return func.id
        elif isinstance(func, ast.Attribute):
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.modules and is_albumentations_name(func.attr):
                return func.attr
            if isinstance(func.value, ast.Name) and func.value.id in self.safeaug and _is_safeaug_transform(func.attr):
                return f"safeaug.{func.attr}"  # safeaug.Compose, or one of its label-aware transforms
        dotted = self.dotted(func)
        # safeaug.auto.RandAugment, auto.TrivialAugment, or a class the readers resolve by its dotted name
        return dotted if dotted in AUTO_POSITIONAL or resolve_class(dotted) is not None else None

    def _library_class(self, func: ast.expr) -> str | None:
        """The class path of a call of torchvision, MONAI, Kornia or TorchIO (``T.RandomRotation``), if it is one."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        if root.id in self.library_names:
            path = self.dotted(func)
            # a class (`T.RandomRotation`), not a function of the library (`F.hflip`, `T.functional.to_tensor`),
            # which a training script calls on its own and which is no pipeline
            return path if is_library_class(path) and path.rpartition(".")[2][:1].isupper() else None
        if isinstance(func, ast.Name) and func.id not in self.foreign:
            return next((f"{m}.{func.id}" for m in self.library_star if is_library_class(f"{m}.{func.id}")), None)
        return None

    def dotted(self, func: ast.expr) -> str:
        """A readable dotted name for a called function or class that is not albumentations."""
        text = ast.unparse(func)
        head, _, rest = text.partition(".")
        if head in self.foreign:
            return f"{self.foreign[head]}.{rest}" if rest else self.foreign[head]
        if text.isidentifier():  # a class of the file's own (`MyAug`), named by its module
            return f"{self.stem}.{text}"
        return text

    # ------------------------------------------------------------------ pipelines

    def pipelines(self, text: str) -> list[Node]:
        self.text = text
        self.needles = self._needles(text)
        self.line_starts = [0, *(m.end() for m in LINE_BREAK.finditer(text))] if self.needles else []
        roots = self._calls() if self.uses_albumentations else []
        if self.modules or self.classes:
            first = {e.lineno: e for e in reversed(self._escapes(self.found))}  # one finding per line
            roots += [unfollowed(Opaque(ast.unparse(e), line), f"line {line}") for line, e in sorted(first.items())]
        if any(marker in text for marker in _PYTHON_MARKERS[1:]):  # config dicts, maybe beside albumentations calls
            seen = {root.line for root in roots}
            roots += [root for root in self._mmengine() if root.line not in seen]
        return roots

    def _calls(self) -> list[Node]:
        found: list[tuple[ast.Call, str, list[dict[str, list[ast.expr]]]]] = []
        self._collect(self.tree.body, [self.module_scope], found)
        self.found = [call for call, _, _ in found]
        converted = []
        for index, (call, name, scopes) in enumerate(found):
            self.current = call
            converted.append((call, name, self.value(call, (index,), scopes, 0)))
        reader = Reader(self.source, self.lines, opaque=True)
        roots = []
        for index, (call, name, data) in enumerate(converted):
            if id(call) in self.consumed:
                continue  # read as part of the pipeline that uses it
            root = reader.build(data, (index,), name, albu=False)
            change = self._changed_after(name)
            if change is not None:
                root.notes = (*root.notes, changed_after_built(name, *change))
            roots.append(root)
        return roots

    def _changed_after(self, name: str) -> tuple[str, int] | None:
        """What changes the pipeline named ``name`` in place after it is built (``train.transforms[0].p = 1``,
        ``setattr(flip, "p", 1)``), and the line; None when nothing does."""
        root = root_name(ast.parse(name, mode="eval").body) if name.isidentifier() or "." in name else None
        if root is None or root not in self.mutated:
            return None
        if self.changes is None:
            self.changes = changed_in_place(self.statements)
        for written, line, assigned in self.changes:
            if (written == name and not assigned) or written.startswith((f"{name}.", f"{name}[")):
                return written, line
        return None

    def _collect(
        self,
        body: list[ast.stmt],
        scopes: list[dict[str, list[ast.expr]]],
        found: list[tuple[ast.Call, str, list[dict[str, list[ast.expr]]]]],
    ) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not self._mentions(stmt):
                continue  # a function or class that never names albumentations builds no pipeline
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                local = assignments(stmt.body)
                for param in parameters(stmt.args):
                    local[param] = []  # a parameter: its value is whatever the caller passes
                self._collect(stmt.body, [local, *scopes], found)
                continue
            if isinstance(stmt, ast.ClassDef):
                self._collect(stmt.body, scopes, found)
                continue
            name = None
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if len(targets) == 1 and isinstance(targets[0], (ast.Name, ast.Attribute)):
                    name = ast.unparse(targets[0])
            for call, shadowed in self._outer_calls(stmt):
                label = name if name is not None and call is getattr(stmt, "value", None) else f"line {call.lineno}"
                found.append((call, label, [{key: [] for key in shadowed}, *scopes] if shadowed else scopes))
            for child in nested_bodies(stmt):
                self._collect(child, scopes, found)

    def _needles(self, text: str) -> re.Pattern[str] | None:
        """A pattern any statement that calls albumentations matches: one of the names bound to it, as a word.

        None (no filter) after a star import, where any name may be albumentations', and for non-ASCII
        source, where Python reads identifiers after NFKC normalisation (a bold 𝐀 is the name ``A``).
        """
        if self.star or not text.isascii():
            return None
        if self.library_star:
            return None  # any name may be a library's
        names = sorted({*self.classes, *self.modules, *self.safeaug, *self.library_names})
        if len(names) > _MAX_NEEDLES:
            return None  # a search through thousands of alternatives costs more than reading every statement
        return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None

    def _mentions(self, stmt: ast.stmt) -> bool:
        """False only when the statement's text provably names nothing bound to albumentations."""
        if self.needles is None:
            return True
        starts = self.line_starts
        end = getattr(stmt, "end_lineno", None) or stmt.lineno
        stop = starts[end] if end < len(starts) else len(self.text)
        return self.needles.search(self.text, starts[stmt.lineno - 1], stop) is not None

    def _outer_calls(self, stmt: ast.stmt) -> list[tuple[ast.Call, frozenset[str]]]:
        """Albumentations calls in a statement (not its nested blocks) that are not inside another, each with
        the names a lambda or comprehension around it binds (they shadow any constant of that name)."""
        if not self._mentions(stmt):
            return []  # most statements of a training script never mention albumentations
        out: list[tuple[ast.Call, frozenset[str]]] = []
        none: frozenset[str] = frozenset()
        stack: list[tuple[ast.AST, frozenset[str]]] = [
            (c, none) for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt)
        ]
        while stack:
            node, shadowed = stack.pop()
            if isinstance(node, ast.Call) and self.albumentations_class(node.func) is not None:
                out.append((node, shadowed))
                continue
            if isinstance(node, ast.Lambda):
                shadowed = shadowed | parameters(node.args)
            elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                shadowed = shadowed | {n for g in node.generators for n in target_names(g.target)}
            stack.extend((c, shadowed) for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt))
        return sorted(out, key=lambda item: (item[0].lineno, item[0].col_offset))

    def _mmengine(self) -> list[Node]:
        doc: dict[str, Any] = {}
        scopes = [self.module_scope]
        settings = SettingsInCode(self.statements, self.source, self.foreign, self.lines, self.value, self._opaque)
        unpacked = settings.unpacked()  # `model.train(**HYP)`: HYP is read there, with the call's other settings
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                key = stmt.targets[0].id
                if key in unpacked:
                    continue
                # A name changed after this assignment is skipped: whatever reads it gets an unreadable value.
                if _may_hold_dicts(stmt.value) and key not in self.mutated:
                    self.lines[(key,)] = stmt.value.lineno
                    doc[key] = self.value(stmt.value, (key,), scopes, 0)
        doc.update(settings.read(scopes))
        roots = Reader(self.source, self.lines, opaque=True).find(doc)
        seen: set[tuple[tuple[str, int | None], ...]] = set()
        out = []
        for root in roots:  # a pipeline variable referenced again (`dataset=dict(pipeline=train_pipeline)`)
            written = _lines_of(root)
            if written in seen:
                continue
            seen.add(written)
            out.append(root)
        return out

    # ------------------------------------------------------------------ values

    def value(self, node: ast.expr, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _TooDeep(getattr(node, "lineno", None))
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge(getattr(node, "lineno", None))
        self.lines.setdefault(path, node.lineno)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float, str, bool)) or node.value is None:
                return node.value
            return self._opaque(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.value(node.operand, path, scopes, depth + 1)
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return -inner if isinstance(node.op, ast.USub) else inner
            return self._opaque(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            joined = self._joined(node, scopes, depth)
            if joined is not None:  # `[A.Rotate(...)] + [A.HorizontalFlip()]`: one list, each item at its index
                node = ast.List(elts=joined, ctx=ast.Load(), lineno=node.lineno, col_offset=node.col_offset)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self.value(node.left, path, scopes, depth + 1)
            right = self.value(node.right, path, scopes, depth + 1)
            if isinstance(node.op, ast.Add) and isinstance(left, list) and isinstance(right, list):
                return left + right
            if _number(left) and _number(right):
                result = _fold(node.op, left, right)
                return self._opaque(node) if result is None else result
            return self._opaque(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            items: list[Any] = []
            for element in self._elements(node.elts, scopes, depth):
                items.append(self.value(element, (*path, len(items)), scopes, depth + 1))
            if isinstance(node, ast.Tuple):
                return self._opaque(node) if any(isinstance(i, Opaque) for i in items) else tuple(items)
            return items
        if isinstance(node, ast.Dict):
            out: dict[str, Any] = {}
            for key, val in zip(node.keys, node.values, strict=True):
                if key is None or not isinstance(key, ast.Constant) or not isinstance(key.value, (str, int)):
                    return self._opaque(node)
                self._mark((*path, key.value), key.lineno)
                out[key.value] = self._type_or_value(key.value, val, (*path, key.value), scopes, depth + 1)  # type: ignore[index]
            return out
        if isinstance(node, ast.Name):
            return self._name(node, path, scopes, depth)
        if isinstance(node, ast.Subscript):
            return self._item(node, scopes)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "cv2" and node.attr in CV2_CONSTANTS:
                return CV2_CONSTANTS[node.attr]
            return self._opaque(node)
        if isinstance(node, ast.Call):
            return self._call(node, path, scopes, depth)
        if isinstance(node, ast.IfExp):
            return self._either(node, path, scopes, depth)
        if isinstance(node, ast.ListComp):
            return self._comprehension(node, path, scopes, depth)
        return self._opaque(node)

    def _comprehension(
        self, node: ast.ListComp, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int
    ) -> Any:
        """``[dict(type='Resize', scale_factor=r) for r in ratios]`` over a literal list (or a name assigned one
        once): the element read once per item, the loop name bound to that item's expression. Nothing is run;
        any other comprehension (a condition, two loops, an unpacked target, a computed iterable) is unreadable."""
        if len(node.generators) != 1:
            return self._opaque(node)
        loop = node.generators[0]
        if loop.ifs or loop.is_async or not isinstance(loop.target, ast.Name):
            return self._opaque(node)
        items = loop.iter.elts if isinstance(loop.iter, ast.Tuple) else self._joined(loop.iter, scopes, depth + 1)
        if items is None or len(items) > _MAX_COMPREHENDED or any(isinstance(i, ast.Starred) for i in items):
            return self._opaque(node)
        name = loop.target.id
        return [self.value(node.elt, (*path, i), [{name: [item]}, *scopes], depth + 1) for i, item in enumerate(items)]

    def _type_or_value(
        self, key: object, node: ast.expr, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int
    ) -> Any:
        """A value of a config dict; ``type=Albu`` naming an imported class (mmengine's pure-Python configs:
        ``from mmdet.datasets.transforms import Albu``) is the class's dotted path, as a registry name is."""
        if key == "type" and isinstance(node, (ast.Name, ast.Attribute)):
            root = root_name(node)
            bound = self.module_scope.get(root or "", [])
            if root in self.foreign and all(isinstance(b, (ast.Import, ast.ImportFrom)) for b in bound):
                return self.dotted(node)
        return self.value(node, path, scopes, depth)

    def _either(self, node: ast.IfExp, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int) -> Any:
        """``A.X() if cond else A.Y()``: either branch may run, so both are judged (as a ``OneOf`` of the two)."""
        branches = []
        for i, branch in enumerate((node.body, node.orelse)):
            if isinstance(branch, ast.Constant) and branch.value is None:
                value: Any = {NATIVE: "NoOp"}  # `A.X() if cond else None`: nothing in that case
            else:
                value = self.value(branch, (*path, "transforms", i), scopes, depth + 1)
            if not (isinstance(value, dict) and NATIVE in value) and not isinstance(value, Opaque):
                return self._opaque(node)  # not a transform: an argument that depends on the code
            branches.append(value)
        if all(isinstance(b, Opaque) for b in branches):
            return self._opaque(node)
        self._mark((*path, NATIVE), node.lineno)
        return {NATIVE: "OneOf", "transforms": branches, "p": 1.0}

    def _elements(self, elts: list[ast.expr], scopes: list[dict[str, list[ast.expr]]], depth: int) -> list[ast.expr]:
        """List elements with ``*name`` spliced in when ``name`` is assigned a literal list once."""
        if depth > MAX_DEPTH:
            raise _TooDeep(elts[0].lineno if elts else None)
        out: list[ast.expr] = []
        for element in elts:
            self.budget -= 1
            if self.budget < 0:
                raise _TooLarge(element.lineno)
            if not isinstance(element, ast.Starred):
                out.append(element)
                continue
            target = self._assigned(element.value, scopes) if isinstance(element.value, ast.Name) else None
            if isinstance(target, (ast.List, ast.Tuple)):
                out.extend(self._elements(target.elts, scopes, depth + 1))
            else:
                out.append(element)  # read as an unreadable value
        return out

    def _joined(self, node: ast.expr, scopes: list[dict[str, list[ast.expr]]], depth: int) -> list[ast.expr] | None:
        """The elements of lists joined with ``+`` (literal lists, or names assigned one once); None for
        anything else."""
        if depth > MAX_DEPTH:
            raise _TooDeep(getattr(node, "lineno", None))
        if isinstance(node, ast.Name):
            assigned = self._assigned(node, scopes)
            return assigned.elts if isinstance(assigned, ast.List) else None
        if isinstance(node, ast.List):
            return node.elts
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._joined(node.left, scopes, depth + 1)
            right = self._joined(node.right, scopes, depth + 1) if left is not None else None
            return None if left is None or right is None else [*left, *right]
        return None

    def _assigned(self, node: ast.Name, scopes: list[dict[str, list[ast.expr]]]) -> ast.expr | None:
        if node.id in self.mutated:
            return None
        for scope in scopes:
            assigned = scope.get(node.id)
            if assigned is not None:
                return assigned[0] if len(assigned) == 1 else None
        return None

    def _name(self, node: ast.Name, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int) -> Any:
        if node.id in self.mutated:
            return self._opaque(node)  # changed after it was assigned: the literal is stale
        for scope in scopes:
            assigned = scope.get(node.id)
            if assigned is None:
                continue
            if len(assigned) != 1 or not isinstance(assigned[0], ast.expr):
                return self._opaque(node)  # assigned more than once, imported, a loop variable, ...
            return self.value(assigned[0], path, scopes, depth + 1)
        return self._opaque(node)

    def _call(self, node: ast.Call, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int) -> Any:
        cls = self.albumentations_class(node.func)
        if cls is not None and is_library_class(cls):
            if node is not self.current:
                self.consumed.add(id(node))
            return self._library_call(node, cls, path, scopes, depth)
        if cls is not None:
            if node is not self.current:
                self.consumed.add(id(node))  # reached through a variable: part of the pipeline being read
            self._mark((*path, NATIVE), node.lineno)
            out: dict[str, Any] = {NATIVE: cls}
            args, keywords = list(node.args), list(node.keywords)
            partial = self.partials.get(node.func.id) if isinstance(node.func, ast.Name) else None
            if partial is not None:  # the arguments bound by functools.partial come first
                args, keywords = [*partial.args[1:], *args], [*partial.keywords, *keywords]
            # Literal positional values tell a 1.x call from a 2.0 one; read without evaluating anything else
            # (evaluating nested calls twice per level would take time exponential in the nesting).
            plain = [self._literal(a, scopes) for a in args if not isinstance(a, ast.Starred)]
            order, old = positional_order(resolve_class(cls) or cls, plain)
            order = order or AUTO_POSITIONAL.get(cls, ())
            if old:
                out[OLD_ORDER] = True
            for i, arg in enumerate(args):
                if isinstance(arg, ast.Starred) or i >= len(order):
                    out["**"] = self._opaque(arg)
                    continue
                out[order[i]] = self.value(arg, (*path, order[i]), scopes, depth + 1)
            for kw in keywords:
                if kw.arg is None:
                    out["**"] = self._opaque(kw.value)
                    continue
                self._mark((*path, kw.arg), kw.value.lineno)
                out[kw.arg] = self.value(kw.value, (*path, kw.arg), scopes, depth + 1)
            return out
        if isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
            data: dict[str, Any] = {}
            for kw in node.keywords:
                if kw.arg is None:
                    return self._opaque(node)
                self._mark((*path, kw.arg), kw.value.lineno)
                data[kw.arg] = self._type_or_value(kw.arg, kw.value, (*path, kw.arg), scopes, depth + 1)
            return data
        return Opaque(ast.unparse(node), node.lineno, call=self.dotted(node.func))

    def _library_call(
        self, node: ast.Call, cls: str, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int
    ) -> dict[str, Any]:
        """Another library's class called: read as a Hydra ``_target_`` with ``_args_``, which the reader resolves."""
        self._mark((*path, "_target_"), node.lineno)
        out: dict[str, Any] = {"_target_": cls}
        weighted = cls in _WEIGHTED_BY_KEY
        positional: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                out["**"] = self._opaque(arg)  # where the later ones land cannot be known
                break
            at = (*path, "_args_", len(positional))
            if weighted and not positional and isinstance(arg, ast.Dict):
                positional.append(self._weighted(arg, at, scopes, depth + 1))
                continue
            positional.append(self.value(arg, at, scopes, depth + 1))
        if positional:
            out["_args_"] = positional
        for kw in node.keywords:
            if kw.arg is None:
                out["**"] = self._opaque(kw.value)
                continue
            self._mark((*path, kw.arg), kw.value.lineno)
            if weighted and kw.arg == "transforms" and isinstance(kw.value, ast.Dict):
                out[kw.arg] = self._weighted(kw.value, (*path, kw.arg), scopes, depth + 1)
                continue
            out[kw.arg] = self.value(kw.value, (*path, kw.arg), scopes, depth + 1)
        return out

    def _weighted(self, node: ast.Dict, path: Path, scopes: list[dict[str, list[ast.expr]]], depth: int) -> Any:
        """``tio.OneOf({tio.RandomAffine(): 0.8, tio.RandomFlip(): 0.0})``: the transforms that can be drawn, in
        order; one whose weight is a literal 0 never is. A weight that cannot be read may be anything but 0."""
        drawn: list[Any] = []
        for key, weight in zip(node.keys, node.values, strict=True):
            if key is None:  # `{**other}`: what it holds cannot be known
                return self._opaque(node)
            if self._literal(weight, scopes) == 0:
                continue
            drawn.append(self.value(key, (*path, len(drawn)), scopes, depth))
        return drawn

    def _literal(self, node: ast.expr, scopes: list[dict[str, list[ast.expr]]]) -> Any:
        """A literal argument (or a name assigned one literal once), else None."""
        if isinstance(node, ast.Name):
            assigned = self._assigned(node, scopes)
            if assigned is None:
                return None
            node = assigned
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None

    def _mark(self, path: Path, line: int) -> None:
        self.lines[path] = line

    def _item(self, node: ast.Subscript, scopes: list[dict[str, list[ast.expr]]]) -> Any:
        """``img_scale[0]``, ``sizes[-1]``, ``cfg["scale"]``: a number, string, flag or None picked out of a tuple,
        list or dict written out as a literal, or a name assigned one once (mmengine configs size their steps
        this way). Anything else, a slice or a list of transforms included, is not read (and nothing in it is
        read as part of the pipeline)."""
        if isinstance(node.slice, ast.Slice):
            return self._opaque(node)
        container = self._literal(node.value, scopes)
        key = self._literal(node.slice, scopes)
        indexed = isinstance(container, (tuple, list)) and type(key) is int and -len(container) <= key < len(container)
        keyed = isinstance(container, dict) and type(key) in (str, int) and key in container
        found = container[key] if indexed or keyed else _NOTHING
        if found is None or type(found) in (int, float, str, bool):
            return found
        return self._opaque(node)

    def _opaque(self, node: ast.AST) -> Opaque:
        return Opaque(ast.unparse(node), getattr(node, "lineno", None))


_NOTHING = object()  # (an item a subscript does not find)


# Library compositions that take their children as the keys of a ``{transform: weight}`` dict.
_WEIGHTED_BY_KEY = frozenset({"torchio.OneOf"})


def _is_safeaug_transform(name: str) -> bool:
    """``Compose``/``ReplayCompose`` and the transforms safeaug's catalog knows as ``safeaug.<name>``."""
    return f"safeaug.{name}" in SAFEAUG_COMPOSITIONS or f"safeaug.{name}" in known_names()


def _lines_of(root: Node) -> tuple[tuple[str, int | None], ...]:
    """The transforms of a pipeline and their lines: the same for every reference to one variable (the root's
    own line is where it is referenced), different for any two pipelines written apart."""
    if not root.children:
        return ((root.name, root.line),)
    out: list[tuple[str, int | None]] = []
    stack = list(reversed(root.children))
    while stack:
        node = stack.pop()
        out.append((node.name, node.line))
        stack.extend(reversed(node.children))
    return tuple(out)


def _is_albu_module(name: str) -> bool:
    return name in ("albumentations", "albumentationsx") or name.startswith(("albumentations.", "albumentationsx."))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _may_hold_dicts(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Call, ast.Name))
