"""What Python source does with names, read from its syntax tree: the statements of a block, simple
assignments, and the names and objects it changes after assigning them. Nothing here runs the source."""

from __future__ import annotations

import ast
import bisect
import re
import sys
from collections.abc import Iterator

_TESTS = frozenset({"isinstance", "issubclass"})


def value_children(node: ast.AST) -> Iterator[ast.AST]:
    """The children of ``node`` where a name is used as a value: not an attribute's owner (``A`` of
    ``A.Rotate``), nor a test (``isinstance(t, A.Rotate)``, ``A is None``, ``if A:``, ``case A.Rotate():``), an
    annotation or a base class, where naming albumentations builds nothing."""
    if isinstance(node, ast.Attribute):
        if not isinstance(node.value, (ast.Name, ast.Attribute)):
            yield node.value
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _TESTS:
        return
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return
    skip: set[str] = set()
    if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
        skip = {"test"}
    elif isinstance(node, ast.arg):
        skip = {"annotation"}
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        skip = {"returns"}
    elif isinstance(node, ast.AnnAssign):
        skip = {"annotation"}
    elif isinstance(node, ast.ClassDef):
        skip = {"bases", "keywords"}
    elif isinstance(node, ast.match_case):
        skip = {"pattern"}  # `case A.HorizontalFlip():` tests a transform's class
    for field, value in ast.iter_fields(node):
        if field in skip:
            continue
        if isinstance(value, ast.AST):
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, ast.AST))


def assignments(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """Simple ``name = value`` assignments in a block and the blocks nested in it (not in functions)."""
    out: dict[str, list[ast.expr]] = {}
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for name in target_names(target):
                    out.setdefault(name, []).append(stmt.value if isinstance(target, ast.Name) else stmt)  # type: ignore[arg-type]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            out.setdefault(stmt.target.id, []).append(stmt.value)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):  # `from settings import LIMIT` binds LIMIT too
            for alias in stmt.names:
                if alias.name != "*":
                    out.setdefault(alias.asname or alias.name.split(".", 1)[0], []).append(stmt)  # type: ignore[arg-type]
        elif isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            bound = stmt.target if isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)) else None
            if bound is not None:
                for name in target_names(bound):
                    out.setdefault(name, []).append(stmt)  # type: ignore[arg-type]
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in nested_bodies(stmt):
                stack.extend(child)
    return out


_SETTERS = frozenset({"setattr", "delattr"})
_MUTATING_METHODS = frozenset(
    {
        *("append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort"),
        *("reverse", "__setattr__", "__delattr__", "__setitem__", "__delitem__", "__iadd__", "__imul__"),
    }
)
# Types whose methods, called on the type, change their first argument (`object.__setattr__(t, "p", 1)`).
_BUILTIN_TYPES = frozenset({"object", "type", "list", "dict", "set"})


def root_name(node: ast.expr) -> str | None:
    """``X`` of ``X[1]``, ``X.a.b``, ``X["k"][0]``."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _mutations(node: ast.AST) -> list[str]:
    """The names one node changes after their assignment: item or attribute assignment (plain, augmented,
    annotated or ``del``), a mutating method call, ``setattr``/``delattr``, augmented assignment, or rebinding
    under ``global``."""
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    return [name for name in map(root_name, _changed(node)) if name is not None]


def _changed(node: ast.AST) -> list[ast.expr]:
    """What one node changes in place (see :func:`_mutations`): ``t.transforms[0].p`` of ``t.transforms[0].p = 1``."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = [t for t in node.targets if not isinstance(t, ast.Name)]
        for target in node.targets:
            if isinstance(target, (ast.Tuple, ast.List)):
                targets += [t for t in target.elts if not isinstance(t, ast.Name)]
    elif isinstance(node, ast.AugAssign) or (isinstance(node, ast.AnnAssign) and not isinstance(node.target, ast.Name)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATING_METHODS:
        # `t.__setattr__("p", 1)` changes `t`; `object.__setattr__(t, "p", 1)` and `list.append(L, x)` change
        # their first argument
        unbound = isinstance(node.func.value, ast.Name) and node.func.value.id in _BUILTIN_TYPES and node.args
        targets = [node.args[0] if unbound else node.func.value]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _SETTERS and node.args:
        targets = [node.args[0]]
    return targets


def changed_in_place(statements: list[ast.stmt]) -> list[tuple[str, int, bool]]:
    """What the file changes in place through an attribute, an item or a method (``train.transforms[0].p``,
    ``train.transforms``, ``setattr(flip, ...)``), as written, with the line and whether it is the target of a
    plain assignment (``self.train = ...`` builds ``self.train``; ``self.train.p = ...`` changes it)."""
    out: list[tuple[str, int, bool]] = []
    for stmt in statements:
        for node in own_nodes(stmt):
            assigned = isinstance(node, (ast.Assign, ast.AnnAssign))
            out.extend((ast.unparse(t), getattr(node, "lineno", stmt.lineno), assigned) for t in _changed(node))
    return out


def mutated_names(statements: list[ast.stmt], text: str) -> frozenset[str]:
    """Every name changed anywhere after its assignment (see :func:`_mutations`), given every statement.

    Statements are cheap to look at; their expressions are walked only where a mutating method could be
    called: on lines that spell one (in ASCII source a method is spelt as it is read; other source is
    walked whole, since Python reads identifiers after NFKC normalisation).
    """
    out = {name for stmt in statements for name in _mutations(stmt)}
    if text.isascii():
        words = [word for word in (*_MUTATING_METHODS, *_SETTERS) if word in text]
        if not words:
            return frozenset(out)
        calling = _match_lines(re.compile(r"\b(?:" + "|".join(words) + r")\b"), text)
        if not calling:
            return frozenset(out)
    else:
        calling = []
    for stmt in statements:
        if calling:
            decorators = getattr(stmt, "decorator_list", None) or []
            first = min([stmt.lineno, *(d.lineno for d in decorators)])
            if not any_within(calling, first, getattr(stmt, "end_lineno", None) or stmt.lineno):
                continue
        out.update(name for node in own_nodes(stmt) if isinstance(node, ast.Call) for name in _mutations(node))
    return frozenset(out)


def _match_lines(pattern: re.Pattern[str], text: str) -> list[int]:
    """The numbers of the lines (as Python counts them: ``\\n``, ``\\r\\n`` or ``\\r`` end one) where ``pattern``
    matches, in order."""
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    return sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(text)})


LINE_BREAK = re.compile(r"\r\n?|\n")  # the line breaks Python counts (not \f, \x1c, ...)


def any_within(lines: list[int], first: int, last: int) -> bool:
    """Whether a sorted list of line numbers holds one in ``first..last``."""
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last


def own_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """A statement and the expressions it holds itself (not the statements nested in its blocks)."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt))


def parameters(args: ast.arguments) -> frozenset[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return frozenset(a.arg for a in every if a is not None)


def walk_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of a block and of the blocks nested in it, functions and classes included."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        for child in reversed(nested_bodies(stmt)):
            stack.extend(reversed(child))


def target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in target_names(t)]
    return []


# Statements that hold blocks of statements; every other statement holds none.
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


def nested_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if not isinstance(stmt, _COMPOUND):
        return []
    out = []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            out.append(block)
    for handler in getattr(stmt, "handlers", []) or []:
        out.append(handler.body)
    for case in getattr(stmt, "cases", []) or []:
        out.append(case.body)
    return out


# Calls through which code rebinds any module name: `globals()["LIMIT"] = 170`, `exec("LIMIT = 170")`.
_REBINDERS = frozenset({"globals", "vars", "locals", "exec"})


def rebinding_line(statements: list[ast.stmt], text: str) -> int:
    """The line after which any module constant may hold another value than the one assigned: the last
    ``from module import *`` of a module other than albumentations (``from local_settings import *`` after
    the defaults), or anywhere in the file (``sys.maxsize``) when it calls ``globals()``, ``vars()``,
    ``locals()`` or ``exec``. 0 when there is none."""
    line = 0
    for stmt in statements:
        if (
            isinstance(stmt, ast.ImportFrom)
            and any(alias.name == "*" for alias in stmt.names)
            and not (stmt.module or "").split(".", 1)[0].startswith("albumentations")
        ):
            line = max(line, stmt.lineno)
    if not any(word in text for word in _REBINDERS):
        return line
    calling = _match_lines(re.compile(r"\b(?:" + "|".join(_REBINDERS) + r")\b"), text)
    for stmt in statements:
        if not any_within(calling, stmt.lineno, getattr(stmt, "end_lineno", None) or stmt.lineno):
            continue
        for node in own_nodes(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _REBINDERS:
                return sys.maxsize
    return line
