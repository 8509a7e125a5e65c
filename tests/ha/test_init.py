"""Setting up, unloading and reloading a treadmill, and Home Assistant stopping."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import DOMAIN
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .helpers import PHASE, call

ENTITY_KEYS = {
    "sensor": [
        "phase",
        "interval_ends",
        "session_ends",
        "speed",
        "distance",
        "backward_time",
        "program_progress",
        "pause_reason",
        "reported_speed",
        "next_session",
        "sessions_this_week",
        "backward_minutes_this_week",
        "streak_weeks",
        "progression_level",
        "lifetime_backward_time",
        "lifetime_sessions",
        "lifetime_distance",
    ],
    "calendar": ["workouts"],
    "binary_sensor": ["spotter", "treadmill"],
    "button": ["start", "pause", "resume", "stop", "skip_interval"],
    "select": ["program"],
    "number": ["backward_speed", "forward_speed"],
    "event": ["workout"],
}


async def test_setup_creates_one_device_with_all_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every entity hangs off one device; unique ids end in the translation keys."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    # (device_registry.async_get_device is deprecated from 2026.11; this works on all.)
    [device] = dr.async_entries_for_config_entry(device_registry, loaded_entry.entry_id)
    assert device.identifiers == {(DOMAIN, loaded_entry.entry_id)}
    assert device.name == "Demo Treadmill"
    entries = er.async_entries_for_config_entry(entity_registry, loaded_entry.entry_id)
    found = {(e.domain, e.translation_key, e.unique_id) for e in entries}
    expected = {
        (domain, key, f"{loaded_entry.entry_id}_{key}")
        for domain, keys in ENTITY_KEYS.items()
        for key in keys
    }
    assert found == expected
    assert {e.device_id for e in entries} == {device.id}


async def test_unload_pauses_session_and_stops_belt(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """Unloading mid-session pauses it (to come back) and stops the belt."""
    await call(hass, "start_session")
    assert belt.status.running
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert not belt.status.running
    assert bus_events[-1].data["type"] == "session_paused"
    assert bus_events[-1].data["reason"] == "restart"
    assert hass.states.get(PHASE).state == "unavailable"


async def test_reload_without_a_session_is_idle(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """After a reload with no session the treadmill is idle and works."""
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "idle"
    await call(hass, "start_session")
    assert hass.states.get(PHASE).state == "forward"


async def test_home_assistant_stop_stops_the_belt(
    hass: HomeAssistant,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """When Home Assistant stops, no belt is left running; the session pauses."""
    await call(hass, "start_session")
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert not belt.status.running
    assert bus_events[-1].data["type"] == "session_paused"
    assert bus_events[-1].data["reason"] == "restart"
