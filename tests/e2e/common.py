"""What the browser tests share: Chromium, where screenshots go, the REST helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import sys
import time
from typing import Any

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from demo_provision import DEMO_USER, Server  # noqa: E402
from live_server import _websocket_command, live_server  # noqa: E402

__all__ = ["DEMO_USER", "Server", "_websocket_command", "live_server"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
# artifacts/e2e for the default version, artifacts/e2e-<version> for the newest.
ARTIFACTS = ROOT / "artifacts" / os.environ.get("RETROWALK_E2E_ARTIFACTS", "e2e")
SECONDS = 1000


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (screenshots' folder made first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def state(server: Server, entity_id: str) -> dict[str, Any]:
    """An entity's state over the REST API."""
    result: dict[str, Any] = server.request("GET", f"/api/states/{entity_id}")
    return result


def wait_for_state(
    server: Server, entity_id: str, wanted: str, timeout: float = 10
) -> dict[str, Any]:
    """Poll an entity until it has a state (`timeout` seconds at most)."""
    deadline = time.monotonic() + timeout
    while (current := state(server, entity_id))["state"] != wanted:
        assert time.monotonic() < deadline, f"{entity_id} is {current['state']}"
        time.sleep(0.1)
    return current
