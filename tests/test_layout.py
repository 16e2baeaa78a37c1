"""The package's shape: no module too long to read, no import cycle between modules.

Imports inside functions count: a cycle broken only by importing lazily still ties two modules together
(neither can be understood, tested or moved without the other). Imports under ``if TYPE_CHECKING:`` do
not run and do not count. Importing a submodule also runs its parents' ``__init__``; those implicit edges
are left out (every module would otherwise depend on ``safeaug/__init__.py``), explicit imports of a
package (``from safeaug import __version__``, ``from safeaug.catalog import resolve``) are kept.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "safeaug"
MAX_LINES = 1000

# Modules allowed past MAX_LINES for now, each with why. Entries must name files that exist and are still
# too long, so that an entry is removed as soon as its file is split.
LONG_ALLOWED: dict[str, str] = {
    "safeaug/catalog/_signatures.py": "a generated table (scripts/generate_signatures.py), data rather than code",
    "safeaug/libraries/_monai_table.py": "a generated table (scripts/generate_monai_table.py), data rather than code",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph() -> dict[str, set[str]]:
    """Module -> the safeaug modules it imports (statically, at any depth)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                source = _resolve(name, is_package, node)
                # `from safeaug.x import y` with y a submodule imports safeaug.x.y; the package itself only
                # when a name that is not a submodule is taken from it (its __init__ then counts)
                subs = [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [source, *subs]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path of modules) per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (the graph may be deep)
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    components.append(sorted(members))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return [_a_cycle(graph, set(c)) for c in components]


def _a_cycle(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """A shortest closed path through the component's first module (breadth-first within the component)."""
    start = min(members)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    return sorted(members)


def test_no_module_is_longer_than_the_limit() -> None:
    root = PACKAGE.parent
    lengths = {
        p.relative_to(root).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")
    }
    too_long = {path: n for path, n in lengths.items() if n > MAX_LINES and path not in LONG_ALLOWED}
    assert not too_long, f"modules over {MAX_LINES} lines (split them by what they do): {too_long}"
    stale = [path for path in LONG_ALLOWED if lengths.get(path, 0) <= MAX_LINES]
    assert not stale, f"allowed to be long but no longer are (remove them from LONG_ALLOWED): {stale}"


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle_and_reads_lazy_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from safeaug.policy import Policy\n"
        "def f():\n    from safeaug.probing import probe\n    import safeaug.effects\n"
    )
    found = [ast.unparse(n) for n in _imports(tree)]
    assert "from safeaug.probing import probe" in found and "import safeaug.effects" in found
    assert not any("safeaug.policy" in f for f in found)


def test_inside_the_package_the_catalog_is_reached_through_its_registry() -> None:
    """Only the package root imports ``safeaug.catalog`` itself, which imports every family module; the
    families include ``catalog.auto``, which needs the validator, so a module the validator reaches that
    imported the package would close a cycle."""
    graph = import_graph()
    through_the_package = sorted(
        name
        for name, imported in graph.items()
        if "safeaug.catalog" in imported and name != "safeaug" and not name.startswith("safeaug.catalog")
    )
    assert not through_the_package, (
        f"import from safeaug.catalog._registry instead of safeaug.catalog in: {through_the_package}"
    )
