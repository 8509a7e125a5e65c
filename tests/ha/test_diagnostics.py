"""Diagnostics."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .helpers import call


async def test_diagnostics_show_state_and_hide_names(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
) -> None:
    """Session, treadmill and spotter are shown; the treadmill's name is not."""
    assert await async_setup_component(hass, "diagnostics", {})
    await call(hass, "start_session", program="steady_10")
    result = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    assert result["entry"]["title"] == "**REDACTED**"
    assert result["entry"]["data"]["name"] == "**REDACTED**"
    assert result["entry"]["options"]["spotters"] == ["input_boolean.spotter"]
    assert result["phase"] == "forward"
    assert result["session"]["program"]["key"] == "steady_10"
    assert result["treadmill"]["status"]["running"] is True
    assert result["spotter"]["states"] == {"input_boolean.spotter": "on"}
    assert result["spotter"]["present"] is True
    assert result["announcements"] is None
    assert "Demo Treadmill" not in str(result)
