"""Start pytest the way every tested Home Assistant accepts (used by scripts/test).

Two workarounds let the newest Home Assistant (2026.11) run with the newest test plugin
(made for 2026.10); on older versions both change nothing:

- Home Assistant 2026.11 aliases `httpx` to `httpx2` when `homeassistant` is first
  imported, and refuses if `httpx` was imported before; respx's pytest plugin imports
  `httpx`, so `homeassistant` is imported here, before pytest loads any plugin. (The test
  plugin imports it early too: nothing else of Home Assistant is imported here, as the
  plugin must patch the clock before other modules bind `utcnow`.)
- The plugin imports `_clear_logger_overwrites` from `homeassistant.components.logger`;
  2026.11 moved it to `homeassistant.components.logger.helpers`. When the plugin imports
  that module, the name is added back if it moved (2025.4 has it nowhere, and its
  plugin does not need it).

Arguments are pytest's.
"""

from __future__ import annotations

from collections.abc import Sequence
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

import homeassistant  # noqa: F401 - before pytest's plugins, see above
import pytest

LOGGER = "homeassistant.components.logger"
MOVED = "_clear_logger_overwrites"


class _AddMovedName(importlib.abc.MetaPathFinder):
    """Once `LOGGER` is imported, give it `MOVED` from its helpers if it lacks it."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != LOGGER:
            return None
        sys.meta_path.remove(self)  # the real finders do the finding
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            helpers = importlib.import_module(f"{LOGGER}.helpers")
            if not hasattr(module, MOVED) and hasattr(helpers, MOVED):
                setattr(module, MOVED, getattr(helpers, MOVED))

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _AddMovedName())
# Importing homeassistant first imports anyio, which is also a pytest plugin: too early
# for pytest to rewrite its asserts, which does not matter here.
ANYIO = "Module already imported so cannot be rewritten; anyio"
sys.argv[1:1] = ["-W", f"ignore:{ANYIO}:pytest.PytestAssertRewriteWarning"]
sys.exit(pytest.console_main())
