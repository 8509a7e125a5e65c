"""The retrowalk integration: safe backward-walking workouts on a treadmill."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, REASON_SHUTDOWN
from .controller import WorkoutController
from .data import RetrowalkConfigEntry
from .services import async_setup_services
from .settings import EntrySettings
from .treadmill_factory import create_treadmill

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once for all entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> bool:
    """Set up one treadmill."""
    settings = EntrySettings.from_entry(dict(entry.data), dict(entry.options))
    controller = WorkoutController(
        hass, entry.entry_id, settings, create_treadmill(hass, settings)
    )
    entry.runtime_data = controller

    async def _async_on_hass_stop(_event: Event) -> None:
        await controller.async_shutdown(REASON_SHUTDOWN)

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_on_hass_stop)
    )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> bool:
    """Stop the belt and unload a treadmill."""
    await entry.runtime_data.async_shutdown(REASON_SHUTDOWN)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_update_listener(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> None:
    """Reload when the options change."""
    await hass.config_entries.async_reload(entry.entry_id)
