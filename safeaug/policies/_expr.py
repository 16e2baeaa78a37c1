"""A tiny, safe evaluator for policy expressions: bounds, ``when:`` conditions and ``{...}`` in texts.

Only this is understood: numbers, parameter names, ``+ - * /``, unary minus, ``min(...)``, ``max(...)``
and parentheses in numbers; comparisons (``== != < <= > >=``), ``and``, ``or``, ``not``, ``true`` /
``false`` and quoted strings in conditions. Anything else (attributes, calls of other functions,
subscripts, ``**``, lambdas, ...) is refused with :class:`ExpressionError`. Nothing is ever passed to
``eval``: the text is parsed with :mod:`ast` and walked node by node.

>>> evaluate_number("min(1, min_visible_px / smallest_object_px)", {"min_visible_px": 8, "smallest_object_px": 16})
0.5
>>> evaluate_condition("not laterality_in_label", {"laterality_in_label": True})
False
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping

Value = bool | int | float | str

MAX_LENGTH = 300  # policy expressions are one-liners; longer text is refused before parsing
MAX_DEPTH = 30

_ARITHMETIC: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_ALLOWED = "numbers, parameter names, + - * /, min(...), max(...) and parentheses"
_ALLOWED_CONDITIONS = "comparisons (== != < <= > >=), and, or, not, true/false, parameter names and constants"


class ExpressionError(ValueError):
    """An expression the evaluator refuses, with the reason."""


def _parse(text: str) -> ast.expr:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    # YAML's true/false read naturally in conditions; Python spells them True/False.
    source = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text.strip()))
    try:
        return ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"cannot read {text.strip()!r} as an expression") from None


def _names_help(names: Mapping[str, Value]) -> str:
    if not names:
        return "this policy declares no parameters"
    return "parameters: " + ", ".join(sorted(names))


def _lookup(node: ast.Name, names: Mapping[str, Value]) -> Value:
    if node.id not in names:
        raise ExpressionError(f"unknown name `{node.id}`; {_names_help(names)}")
    return names[node.id]


def _number(node: ast.expr, names: Mapping[str, Value], depth: int = 0) -> float:
    if depth > MAX_DEPTH:
        raise ExpressionError("expression nested too deeply")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"expected a number, got {node.value!r}")
        return float(node.value)
    if isinstance(node, ast.Name):
        value = _lookup(node, names)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"`{node.id}` is {value!r}, not a number; use it in a `when:` condition instead")
        return float(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand, names, depth + 1)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left = _number(node.left, names, depth + 1)
        right = _number(node.right, names, depth + 1)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise ExpressionError("division by zero")
        return left / right
    if isinstance(node, ast.Call):
        func = node.func.id if isinstance(node.func, ast.Name) else None
        if func not in ("min", "max") or node.keywords or not node.args:
            raise ExpressionError(f"only min(...) and max(...) may be called; allowed: {_ALLOWED}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"`*` arguments are not allowed; allowed: {_ALLOWED}")
        values = [_number(a, names, depth + 1) for a in node.args]
        return min(values) if func == "min" else max(values)
    if isinstance(node, ast.BinOp):
        raise ExpressionError(f"operator `{ast.unparse(node)}` not allowed; allowed: {_ALLOWED}")
    raise ExpressionError(f"`{ast.unparse(node)}` not allowed; allowed: {_ALLOWED}")


def evaluate_number(text: str, names: Mapping[str, Value]) -> float:
    """The value of an arithmetic expression over ``names``; raises :class:`ExpressionError`."""
    value = _number(_parse(text), names)
    if not math.isfinite(value):
        raise ExpressionError(f"{text.strip()!r} is not a finite number")
    return value


def _operand(node: ast.expr, names: Mapping[str, Value], depth: int) -> Value:
    """A value that may be compared: a number, a string, a bool or a parameter of any type."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool)):
        return node.value
    if isinstance(node, ast.Name):
        value = _lookup(node, names)
        if isinstance(value, (str, bool)):
            return value
    return _number(node, names, depth + 1)


def _condition(node: ast.expr, names: Mapping[str, Value], depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        raise ExpressionError("condition nested too deeply")
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        value = _lookup(node, names)
        if not isinstance(value, bool):
            raise ExpressionError(f"`{node.id}` is {value!r}, not true/false; compare it (e.g. `{node.id} == ...`)")
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _condition(node.operand, names, depth + 1)
    if isinstance(node, ast.BoolOp):
        parts = [_condition(v, names, depth + 1) for v in node.values]
        return all(parts) if isinstance(node.op, ast.And) else any(parts)
    if isinstance(node, ast.Compare):
        left = _operand(node.left, names, depth)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _COMPARE:
                raise ExpressionError(f"comparison `{ast.unparse(node)}` not allowed; allowed: {_ALLOWED_CONDITIONS}")
            right = _operand(comparator, names, depth)
            if not _ok(type(op), left, right):
                return False
            left = right
        return True
    raise ExpressionError(f"`{ast.unparse(node)}` is not a condition; allowed: {_ALLOWED_CONDITIONS}")


def _ok(op: type[ast.cmpop], left: Value, right: Value) -> bool:
    def kind(v: Value) -> str:
        return "bool" if isinstance(v, bool) else "str" if isinstance(v, str) else "number"

    if kind(left) != kind(right):
        raise ExpressionError(f"cannot compare {left!r} with {right!r}")
    if op is ast.Eq:
        return left == right
    if op is ast.NotEq:
        return left != right
    if kind(left) != "number":
        raise ExpressionError(f"{_COMPARE[op]} compares numbers, not {left!r} and {right!r}")
    a, b = float(left), float(right)
    if op is ast.Lt:
        return a < b
    if op is ast.LtE:
        return a <= b
    if op is ast.Gt:
        return a > b
    return a >= b


def evaluate_condition(text: str, names: Mapping[str, Value]) -> bool:
    """The truth of a ``when:`` condition over ``names``; raises :class:`ExpressionError`."""
    return _condition(_parse(text), names)


_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def render_text(text: str, names: Mapping[str, Value]) -> str:
    """``text`` with every ``{expression}`` replaced by its value; ``{{`` and ``}}`` are literal braces."""
    if "{" not in text and "}" not in text:
        return text

    def field(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        inner = match.group(1).strip()
        value = names.get(inner) if inner in names else None
        if isinstance(value, (bool, str)):
            return ("true" if value else "false") if isinstance(value, bool) else value
        number = evaluate_number(inner, names)
        return f"{number:.3g}"

    out = _FIELD.sub(field, text)
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        raise ExpressionError("unbalanced brace in text; write {{ or }} for a literal brace")
    return out
