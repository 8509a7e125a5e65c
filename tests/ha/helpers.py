"""Helpers for Home Assistant tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import section
from homeassistant.helpers import restore_state as rs
from homeassistant.helpers.json import JSONEncoder
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
import voluptuous as vol

from custom_components.retrowalk.const import DOMAIN

PREFIX = "demo_treadmill"
PHASE = f"sensor.{PREFIX}_phase"
INTERVAL_ENDS = f"sensor.{PREFIX}_interval_ends"
SESSION_ENDS = f"sensor.{PREFIX}_session_ends"
SPEED = f"sensor.{PREFIX}_speed"
DISTANCE = f"sensor.{PREFIX}_distance"
BACKWARD_TIME = f"sensor.{PREFIX}_backward_time"
PROGRESS = f"sensor.{PREFIX}_program_progress"
PROGRAM = f"select.{PREFIX}_program"
BACKWARD_SPEED = f"number.{PREFIX}_backward_speed"
FORWARD_SPEED = f"number.{PREFIX}_forward_speed"
WORKOUT = f"event.{PREFIX}_workout"
SPOTTER = f"binary_sensor.{PREFIX}_spotter"
PAUSE_REASON = f"sensor.{PREFIX}_pause_reason"
SPOTTER_SWITCH = "input_boolean.spotter"


def button(name: str) -> str:
    """The entity id of a session button."""
    return f"button.{PREFIX}_{name}"


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up a config entry."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def restore_states(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    states: Sequence[tuple[State, Mapping[str, Any]]],
) -> None:
    """Make `states` (with their extra data) the ones saved before a restart.

    Saved as Home Assistant saves them and loaded by its own code, so that each version
    indexes them its way (2026.11+ by entity registry id, once the entity registers).
    The test plugin's mock_restore_cache fills an index 2026.11 no longer reads.
    """
    hass_storage[rs.STORAGE_KEY] = {
        "version": rs.STORAGE_VERSION,
        "key": rs.STORAGE_KEY,
        "data": [
            {
                "state": json.loads(json.dumps(state.as_dict(), cls=JSONEncoder)),
                "extra_data": dict(extra_data),
                "last_seen": dt_util.utcnow().isoformat(),
            }
            for state, extra_data in states
        ],
    }
    await rs.async_get(hass).async_load()


async def call(hass: HomeAssistant, service: str, **data: Any) -> None:
    """Call a retrowalk service and wait for it."""
    await hass.services.async_call(DOMAIN, service, data, blocking=True)
    await hass.async_block_till_done()


async def press(hass: HomeAssistant, name: str) -> None:
    """Press a session button."""
    await hass.services.async_call(
        "button", "press", {"entity_id": button(name)}, blocking=True
    )
    await hass.async_block_till_done()


async def travel(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock and let due timers fire."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def suggested(result: Any) -> dict[str, Any]:
    """The values a form suggests (what submitting it unchanged sends).

    A section's fields are sent together under the section's key, as the frontend does.
    """
    return _suggested_in(result["data_schema"])


def _suggested_in(schema: vol.Schema) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, validator in schema.schema.items():
        if isinstance(validator, section):
            values[str(key)] = _suggested_in(validator.schema)
        elif key.description and "suggested_value" in key.description:
            values[str(key)] = key.description["suggested_value"]
    return values


async def open_options(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> dict[str, Any]:
    """Open the options menu and choose one of its sections."""
    flow = hass.config_entries.options
    result = await flow.async_init(entry.entry_id)
    assert result["type"] == "menu", result
    result = await flow.async_configure(result["flow_id"], {"next_step_id": step})
    assert result["type"] == "form", result
    assert result["step_id"] == step
    return result


async def change_options(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    step: str,
    answers: dict[str, Any] | None = None,
) -> None:
    """Save one section of the options: its current values, changed by `answers`."""
    result = await open_options(hass, entry, step)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result) | (answers or {})
    )
    assert result["type"] == "create_entry", result
    await hass.async_block_till_done()


async def spotter_off(hass: HomeAssistant) -> None:
    """The spotter walks away."""
    await hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": SPOTTER_SWITCH}, blocking=True
    )
    await hass.async_block_till_done()


async def spotter_on(hass: HomeAssistant) -> None:
    """The spotter comes back."""
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": SPOTTER_SWITCH}, blocking=True
    )
    await hass.async_block_till_done()


async def until(condition: Callable[[], bool], rounds: int = 1000) -> None:
    """Let the event loop run until `condition` holds (a bounded number of rounds)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")
