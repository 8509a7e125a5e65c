"""The workout card: served by the integration, added to the frontend, told the time."""

from __future__ import annotations

from http import HTTPStatus
import re
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.retrowalk.frontend import FRONTEND_DIR

from .helpers import setup_entry

CARD_MODULES = sorted(path.name for path in FRONTEND_DIR.glob("*.js"))


async def _setup_with_frontend(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> list[str]:
    """Set up retrowalk as if the frontend were loaded; returns the modules added."""
    added: list[str] = []
    assert await async_setup_component(hass, "websocket_api", {})
    # The test environment has no frontend build; what retrowalk needs of the
    # frontend is that it is loaded and takes module URLs.
    hass.config.components.add("frontend")
    with patch(
        "custom_components.retrowalk.frontend.add_extra_js_url",
        side_effect=lambda _hass, url: added.append(url),
    ):
        await setup_entry(hass, config_entry)
    return added


async def test_card_is_served_and_added_as_a_frontend_module(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    hass_client: ClientSessionGenerator,
) -> None:
    """One module URL, with a content hash in its path; every module it imports is served."""
    (url,) = await _setup_with_frontend(hass, config_entry)
    assert re.fullmatch(
        r"/retrowalk_frontend/[0-9a-f]{12}/retrowalk-workout-card\.js", url
    )
    assert "countdown.js" in CARD_MODULES
    client = await hass_client()
    base = url.rsplit("/", 1)[0]
    for name in CARD_MODULES:
        response = await client.get(f"{base}/{name}")
        assert response.status == HTTPStatus.OK, name
        assert "javascript" in response.headers["Content-Type"]
        assert (await response.text()) == (FRONTEND_DIR / name).read_text()
    card = (FRONTEND_DIR / "retrowalk-workout-card.js").read_text()
    for imported in re.findall(r'from "\./([\w-]+\.js)"', card):
        assert imported in CARD_MODULES


async def test_server_time_for_the_countdown(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The card asks the server's clock over the websocket (any logged-in user)."""
    await _setup_with_frontend(hass, config_entry)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "retrowalk/server_time"})
    response = await client.receive_json()
    assert response["success"]
    assert response["result"] == {"now": dt_util.utcnow().timestamp()}


async def test_nothing_to_serve_without_a_frontend(
    hass: HomeAssistant, config_entry: MockConfigEntry, spotter_switch: str
) -> None:
    """A Home Assistant without its frontend gets no card, and sets up all the same."""
    with patch("custom_components.retrowalk.frontend.add_extra_js_url") as add:
        await setup_entry(hass, config_entry)
    add.assert_not_called()
