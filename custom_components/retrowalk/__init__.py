"""The retrowalk integration: safe backward-walking workouts on a treadmill."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .announcer import Announcer, cue_language, load_cue_words
from .const import DOMAIN
from .controller import WorkoutController
from .data import RetrowalkConfigEntry
from .issues import issue_ids
from .services import async_setup_services
from .settings import EntrySettings
from .store import SessionStore
from .treadmill_factory import create_treadmill
from .workout.cues import CueBook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
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
        hass,
        entry.entry_id,
        settings,
        create_treadmill(hass, settings, name=entry.title),
        title=entry.title,
    )
    entry.runtime_data = controller

    async def _async_on_hass_stop(_event: Event) -> None:
        await controller.async_shutdown()

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_on_hass_stop)
    )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    announcements = settings.announcements
    if announcements.enabled:
        language = cue_language(announcements, hass.config.language)
        words = await hass.async_add_executor_job(load_cue_words, language)
        controller.announcer = Announcer(
            hass, controller, announcements, CueBook(words, announcements.messages)
        )
        entry.async_on_unload(controller.announcer.async_start())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await controller.async_setup()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> bool:
    """Pause the session, stop the belt and unload a treadmill."""
    await entry.runtime_data.async_shutdown()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> None:
    """Forget the saved session and the repair issues of a deleted treadmill."""
    await SessionStore(hass, entry.entry_id).async_remove()
    for issue_id in issue_ids(entry.entry_id):
        ir.async_delete_issue(hass, DOMAIN, issue_id)


async def _async_update_listener(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> None:
    """Reload when the options change."""
    await hass.config_entries.async_reload(entry.entry_id)
