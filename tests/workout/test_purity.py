"""The workout core and the virtual treadmill never import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "custom_components" / "retrowalk"
PURE_MODULES = sorted(
    [
        *(PACKAGE / "workout").glob("*.py"),
        PACKAGE / "treadmills" / "__init__.py",
        PACKAGE / "treadmills" / "virtual.py",
        PACKAGE / "treadmills" / "ftms_protocol.py",
        PACKAGE / "treadmills" / "ftms.py",
    ]
)


@pytest.mark.parametrize("module", PURE_MODULES, ids=lambda path: path.name)
def test_module_does_not_import_homeassistant(module: Path) -> None:
    """Every import in the pure packages stays outside homeassistant."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.append(node.module)
    assert PURE_MODULES
    assert not [name for name in imported if name.split(".")[0] == "homeassistant"]
