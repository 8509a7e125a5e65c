"""The options flow's schedule step (after announcements)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_MISSED_AFTER,
    CONF_SESSION_TIME,
    CONF_SPOTTERS,
    CONF_WEEKDAYS,
)

from .helpers import suggested

SCHEDULE = {
    CONF_WEEKDAYS: ["1", "3", "5"],
    CONF_SESSION_TIME: "07:30:00",
    CONF_AT_SESSION_TIME: "remind",
    CONF_MISSED_AFTER: 90,
    CONF_BODY_MASS: 72.5,
}


async def to_schedule(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    spotters: list[str] | None = None,
    *,
    required: bool = True,
) -> dict[str, Any]:
    """Walk the options flow to the schedule step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result)
    )
    spotter = suggested(result)
    if spotters is not None:
        spotter[CONF_SPOTTERS] = spotters
    spotter["spotter_required"] = required
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], spotter
    )
    assert result["step_id"] == "announcements", result
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"messages": {}} | suggested(result)
    )
    assert result["type"] is FlowResultType.FORM, result
    assert result["step_id"] == "schedule"
    return result


async def test_schedule_saved(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The schedule step saves weekdays, time, action, window and body mass."""
    result = await to_schedule(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    for key, value in SCHEDULE.items():
        assert loaded_entry.options[key] == value


async def test_schedule_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """No weekdays, or auto_start without a spotter, is refused."""
    result = await to_schedule(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE | {CONF_WEEKDAYS: []}
    )
    assert result["errors"] == {CONF_WEEKDAYS: "weekdays_required"}

    result = await to_schedule(hass, loaded_entry, spotters=[], required=False)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE | {CONF_AT_SESSION_TIME: "auto_start"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_AT_SESSION_TIME: "auto_start_needs_spotter"}
