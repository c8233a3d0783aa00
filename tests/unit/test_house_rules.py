"""House rules a newcomer can rely on, read from the source with ``ast`` (nothing is imported or run):

- no import cycle among the modules of ``src/ca_editor``;
- no module in ``src/`` longer than 500 lines;
- no function or method in ``src/ca_editor/ui/`` longer than 60 lines.

What counts as an import: every ``import``/``from … import`` that runs, at module level or inside a
function (a lazy import inside a function only hides a cycle until the function is called). Imports
under ``if TYPE_CHECKING:`` never run and are left out. ``from pkg import name`` counts as importing the
submodule ``pkg.name`` when there is one, else the package ``pkg`` itself. The parent packages Python
runs on the way to a module are not counted (as import-linter does not count them).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "ca_editor"
UI = SRC / PACKAGE / "ui"
MAX_MODULE_LINES = 500
MAX_UI_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int

    def text(self) -> str:
        return f"{self.importer} (line {self.line}) imports {self.imported}"


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module and package of src/ca_editor."""
    found: dict[str, Path] = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: walks everything except the body of ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def import_edges(known: dict[str, Path]) -> list[Edge]:
    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    edges: list[Edge] = []
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [resolve(alias.name) for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.append(submodule if submodule in known else resolve(base))
            for target in targets:
                if target is not None and target != module:
                    edges.append(Edge(module, target, node.lineno))
    return edges


def import_cycles(edges: list[Edge]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan's components)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:  # iterative, so a deep import chain cannot hit the recursion limit
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
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
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def one_circle(group: list[str], edges: list[Edge]) -> list[Edge]:
    """A shortest circle through the group's first member, as the import lines that make it."""
    members = set(group)
    start = group[0]
    inside = [e for e in edges if e.importer in members and e.imported in members]
    came_by: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for edge in inside:
                if edge.importer != node:
                    continue
                if edge.imported == start:
                    path = [edge]
                    while path[0].importer != start:
                        path.insert(0, came_by[path[0].importer])
                    return path
                if edge.imported not in came_by:
                    came_by[edge.imported] = edge
                    following.append(edge.imported)
        frontier = following
    return []  # unreachable for a strongly connected group


def test_no_import_cycles() -> None:
    edges = import_edges(modules())
    groups = import_cycles(edges)
    report = []
    for group in groups:
        circle = "\n    ".join(edge.text() for edge in one_circle(group, edges))
        report.append(f"- modules {', '.join(group)} import each other, e.g.:\n    {circle}")
    assert not groups, (
        "Import cycles in src/ca_editor:\n"
        + "\n".join(report)
        + "\nFix: move what both sides need into a module of its own that imports neither (or down into "
        "the layer it belongs to), or pass it in as an argument. Moving the import into a function does "
        "not fix it (it still runs); an import needed only for annotations may go under "
        "`if TYPE_CHECKING:`."
    )


def test_cycle_finder_sees_lazy_imports_and_skips_type_checking(tmp_path: Path) -> None:
    """The rules above, on three made-up modules: a lazy import closes a cycle; TYPE_CHECKING does not."""
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def later():\n    from pkg import c\n")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n")
    known = {"a": tmp_path / "a.py", "b": tmp_path / "b.py", "pkg.c": tmp_path / "c.py"}
    assert import_cycles(import_edges(known)) == []
    (tmp_path / "c.py").write_text("import a\n")
    edges = import_edges(known)
    assert import_cycles(edges) == [["a", "b", "pkg.c"]]
    assert [e.text() for e in one_circle(["a", "b", "pkg.c"], edges)] == [
        "a (line 1) imports b",
        "b (line 2) imports pkg.c",
        "pkg.c (line 1) imports a",
    ]


def test_no_module_over_500_lines() -> None:
    long = []
    for path in sorted(SRC.rglob("*.py")):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_MODULE_LINES:
            long.append(f"- {path.relative_to(SRC.parent)}: {count} lines")
    assert not long, (
        f"Modules over {MAX_MODULE_LINES} lines:\n"
        + "\n".join(long)
        + "\nFix: split each along a real seam into modules whose names say what they hold, and update "
        "the callers' imports (no re-export shims)."
    )


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, Function):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def test_no_ui_function_over_60_lines() -> None:
    long = []
    for path in sorted(UI.rglob("*.py")):
        for name, node in _functions(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_UI_FUNCTION_LINES:
                where = f"{path.relative_to(SRC.parent)}:{name}"
                long.append(f"- {where}: {length} lines (from line {node.lineno})")
    assert not long, (
        f"Functions in src/ca_editor/ui over {MAX_UI_FUNCTION_LINES} lines (def line to last line):\n"
        + "\n".join(long)
        + "\nFix: split each into named steps (e.g. one helper per group of widgets, menu or layout "
        "row) so the function reads as a short list of what it does."
    )
