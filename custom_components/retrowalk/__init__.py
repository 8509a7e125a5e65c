"""The retrowalk integration: safe backward-walking workouts on a treadmill."""

from __future__ import annotations

import logging

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.typing import ConfigType

from .announcer import Announcer, cue_language, load_cue_words
from .const import DOMAIN
from .controller import WorkoutController
from .data import RetrowalkConfigEntry, RetrowalkData
from .frontend import async_register_card
from .history_store import HistoryStore
from .http import async_register_views
from .issues import issue_ids
from .planner import WorkoutPlanner, coach_store
from .services import async_setup_services
from .settings import EntrySettings
from .store import async_remove_session_store, session_store
from .treadmill_factory import create_treadmill
from .treadmills import TreadmillError
from .treadmills.ftms import FtmsTreadmill
from .workout.cues import CueBook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

_LOGGER = logging.getLogger(__name__)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services, the history download and the workout card once."""
    async_setup_services(hass)
    async_register_views(hass)
    await async_register_card(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> bool:
    """Set up one treadmill.

    If anything fails, the controller is shut down before the error is raised:
    the belt is stopped and no button of a failed entry can move it.
    """
    data = await _async_build(hass, entry)
    entry.runtime_data = data
    try:
        await _async_set_up(hass, entry, data)
    except Exception:
        await data.controller.async_shutdown()
        data.planner.async_stop_timers()
        # Entities already added (their timers too) go with the failed setup.
        await _async_unload_platforms_if_loaded(hass, entry)
        raise
    return True


async def _async_build(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> RetrowalkData:
    """Make what the entry runs; nothing is started yet."""
    settings = EntrySettings.from_entry(dict(entry.data), dict(entry.options))
    controller = WorkoutController(
        hass,
        entry.entry_id,
        settings,
        create_treadmill(hass, settings, name=entry.title),
        title=entry.title,
        store=session_store(hass, entry.entry_id),
    )
    planner = WorkoutPlanner(
        hass, controller, settings.plan, created_at=entry.created_at
    )
    announcer = None
    if (announcements := settings.announcements).enabled:
        language = cue_language(announcements, hass.config.language)
        words = await hass.async_add_executor_job(load_cue_words, language)
        book = CueBook(words, announcements.messages)
        announcer = Announcer(hass, controller, announcements, book)
    return RetrowalkData(
        settings=settings, controller=controller, planner=planner, announcer=announcer
    )


async def _async_set_up(
    hass: HomeAssistant, entry: RetrowalkConfigEntry, data: RetrowalkData
) -> None:
    controller, planner = data.controller, data.planner

    async def _async_on_hass_stop(_event: Event) -> None:
        await controller.async_shutdown()
        await planner.async_shutdown()

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_on_hass_stop)
    )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    if data.announcer is not None:
        entry.async_on_unload(data.announcer.async_start())
    await planner.async_setup()
    entry.async_on_unload(planner.async_stop_timers)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await controller.async_setup()
    if isinstance(controller.treadmill, FtmsTreadmill):
        # Connect in the background: if the belt still runs (say, after a crash),
        # the controller stops it as soon as the treadmill reports in.
        entry.async_create_background_task(
            hass, _async_try_connect(controller.treadmill), f"{DOMAIN} connect"
        )


async def _async_unload_platforms_if_loaded(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> None:
    try:
        await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    except Exception:
        _LOGGER.debug("Platforms of a failed setup not unloaded", exc_info=True)


async def _async_try_connect(treadmill: FtmsTreadmill) -> None:
    try:
        await treadmill.async_connect()
    except TreadmillError as err:
        _LOGGER.debug("Treadmill not reachable yet: %s", err)


async def async_unload_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> bool:
    """Pause the session, stop the belt, save the history and unload a treadmill."""
    data = entry.runtime_data
    await data.controller.async_shutdown()
    await data.planner.async_shutdown()  # saved before a reload reads it again
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> None:
    """Forget the saved session, history and repair issues of a deleted treadmill."""
    await async_remove_session_store(hass, entry.entry_id)
    await HistoryStore(hass, entry.entry_id).async_remove()
    await coach_store(hass, entry.entry_id).async_remove()
    for issue_id in issue_ids(entry.entry_id):
        ir.async_delete_issue(hass, DOMAIN, issue_id)


async def _async_update_listener(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> None:
    """Reload when the options change."""
    await hass.config_entries.async_reload(entry.entry_id)
