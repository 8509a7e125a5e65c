"""The integration's modules import each other without a circle.

Every import between retrowalk's own modules counts, also those under
`if TYPE_CHECKING:` and inside functions: a circle there is still a circle in
the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "custom_components" / "retrowalk"
ROOT_NAME = "custom_components.retrowalk"


def module_name(path: Path) -> str:
    """The dotted name of a module file of the package."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT_NAME, *parts])


def imports_of(path: Path) -> set[str]:
    """The package's modules that a module imports (relative imports resolved)."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    package.rsplit(".", node.level - 1)[0]
                    if node.level > 1
                    else package
                )
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found.update([target, *names])
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {
        name: {target for target in imports_of(path) if target in modules} - {name}
        for name, path in modules.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_integration_has_no_import_circle() -> None:
    """No module imports, directly or through others, a module that imports it."""
    graph = import_graph()
    assert len(graph) > 40  # the whole package was read
    assert circles(graph) == []


def test_a_circle_would_be_found() -> None:
    """The check itself: a made-up circle of three is reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_the_workout_core_and_treadmills_import_no_glue() -> None:
    """The pure layers import only themselves (and treadmills the core's units)."""
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith(f"{ROOT_NAME}.workout"):
            assert all(t.startswith(f"{ROOT_NAME}.workout") for t in targets), name
        if name.startswith(f"{ROOT_NAME}.treadmills"):
            assert all(
                t.startswith((f"{ROOT_NAME}.treadmills", f"{ROOT_NAME}.workout"))
                for t in targets
            ), name
