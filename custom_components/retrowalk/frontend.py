"""The workout card: served by the integration and loaded into every dashboard.

The card's JavaScript modules live in `frontend/`. They are served under a path
that carries a hash of their contents, so browsers may cache them for good and
still get a changed card after an update, and are added as a frontend module, so
nobody adds a dashboard resource by hand. A small websocket command tells the
card the server's time, which it counts down against.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import DOMAIN

FRONTEND_DIR = Path(__file__).parent / "frontend"
CARD_MODULE = "retrowalk-workout-card.js"
URL_BASE = f"/{DOMAIN}_frontend"


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card and load it into the frontend (skipped without a frontend)."""
    if "frontend" not in hass.config.components:
        return
    version = await hass.async_add_executor_job(_contents_hash)
    url = f"{URL_BASE}/{version}"
    await hass.http.async_register_static_paths(
        [StaticPathConfig(url, str(FRONTEND_DIR), cache_headers=True)]
    )
    add_extra_js_url(hass, f"{url}/{CARD_MODULE}")
    async_register_command(hass, websocket_server_time)


def _contents_hash() -> str:
    """A short hash of every file the card is made of."""
    digest = hashlib.sha256()
    for path in sorted(FRONTEND_DIR.glob("*.js")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@websocket_command({vol.Required("type"): f"{DOMAIN}/server_time"})
@callback
def websocket_server_time(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """The server's time (POSIX seconds), for the card's countdown."""
    connection.send_result(msg["id"], {"now": dt_util.utcnow().timestamp()})
