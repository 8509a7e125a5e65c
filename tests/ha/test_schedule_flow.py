"""The options' schedule and walker sections."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_MISSED_AFTER,
    CONF_SESSION_TIME,
    CONF_SPOTTER_REQUIRED,
    CONF_SPOTTERS,
    CONF_WEEKDAYS,
)

from .helpers import change_options, open_options, suggested

SCHEDULE = {
    CONF_WEEKDAYS: ["1", "3", "5"],
    CONF_SESSION_TIME: "07:30:00",
    CONF_AT_SESSION_TIME: "remind",
    CONF_MISSED_AFTER: 90,
}


async def test_schedule_saved(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The schedule section saves weekdays, time, action and window, and no more."""
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "schedule")
    assert suggested(result) == {
        CONF_WEEKDAYS: ["0", "2", "4"],
        CONF_SESSION_TIME: "18:00:00",
        CONF_AT_SESSION_TIME: "remind",
        CONF_MISSED_AFTER: 120,
    }
    assert CONF_BODY_MASS not in {str(key) for key in result["data_schema"].schema}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    assert loaded_entry.options == options_before | SCHEDULE
    next_session = dt_util.as_local(loaded_entry.runtime_data.planner.next_session)
    assert next_session.strftime("%a %H:%M") == "Sat 07:30"


async def test_schedule_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """No weekdays, or auto_start without a spotter entity, is refused."""
    result = await open_options(hass, loaded_entry, "schedule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE | {CONF_WEEKDAYS: []}
    )
    assert result["errors"] == {CONF_WEEKDAYS: "weekdays_required"}

    await change_options(
        hass,
        loaded_entry,
        "spotter",
        {CONF_SPOTTERS: [], CONF_SPOTTER_REQUIRED: False},
    )
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "schedule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SCHEDULE | {CONF_AT_SESSION_TIME: "auto_start"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_AT_SESSION_TIME: "auto_start_needs_spotter"}
    assert loaded_entry.options == options_before


async def test_auto_start_keeps_a_spotter_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """With sessions started automatically, the spotter section keeps an entity."""
    await change_options(
        hass, loaded_entry, "schedule", {CONF_AT_SESSION_TIME: "auto_start"}
    )
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "spotter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        suggested(result) | {CONF_SPOTTERS: [], CONF_SPOTTER_REQUIRED: False},
    )
    assert result["errors"] == {CONF_SPOTTERS: "spotter_needed_for_auto_start"}
    assert loaded_entry.options == options_before


async def test_body_mass_is_the_walkers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The walker section saves the body mass alone, and can clear it."""
    result = await open_options(hass, loaded_entry, "walker")
    assert suggested(result) == {}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_BODY_MASS: 72.5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options[CONF_BODY_MASS] == 72.5
    assert loaded_entry.runtime_data.settings.walker.body_mass_kg == 72.5

    result = await open_options(hass, loaded_entry, "walker")
    assert suggested(result) == {CONF_BODY_MASS: 72.5}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert CONF_BODY_MASS not in loaded_entry.options


async def test_body_mass_out_of_range_names_the_range(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A body mass outside 20-300 kg is refused with the range; nothing is saved."""
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "walker")
    assert result["description_placeholders"]["body_mass_range"] == "20–300 kg"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_BODY_MASS: 12}
    )
    assert result["errors"] == {CONF_BODY_MASS: "number_out_of_range"}
    placeholders = result["description_placeholders"]
    assert (placeholders["min"], placeholders["max"], placeholders["unit"]) == (
        "20",
        "300",
        "kg",
    )
    assert loaded_entry.options == options_before
