"""The config and options flows."""

from __future__ import annotations

import logging
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util.unit_system import METRIC_SYSTEM, US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED,
    CONF_MAX_SPEED_KMH,
    CONF_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION,
    CONF_RESUME_POLICY,
    CONF_SPEED_UNIT,
    CONF_SPOTTER_MODE,
    CONF_SPOTTER_REQUIRED,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)

from .helpers import SPOTTER_SWITCH, call, open_options, suggested

USER_INPUT = {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "virtual"}
ANNOUNCEMENT_INPUT = {"lead_time": 3.0, "countdown": False, "messages": {}}
SPOTTER_INPUT = {
    CONF_SPOTTERS: [SPOTTER_SWITCH],
    CONF_SPOTTER_MODE: "any",
    CONF_SPOTTER_REQUIRED: True,
    CONF_PAUSE_GRACE: 5.0,
    CONF_RESUME_CONFIRMATION: 10.0,
    CONF_RESUME_POLICY: "manual",
}


async def start_flow(hass: HomeAssistant) -> str:
    """Start a config flow and return its id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result["flow_id"]


@pytest.mark.parametrize(
    ("units", "unit", "cap", "cap_kmh"),
    [(US_CUSTOMARY_SYSTEM, "mph", 2.0, 3.218688), (METRIC_SYSTEM, "km/h", 3.2, 3.2)],
)
async def test_user_flow_creates_entry(
    hass: HomeAssistant,
    spotter_switch: str,
    units,
    unit: str,
    cap: float,
    cap_kmh: float,
) -> None:
    """Name, type and unit, then the safety step with the unit's default cap."""
    hass.config.units = units
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_SPEED_UNIT: unit}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "safety"
    schema = result["data_schema"].schema
    defaults = {str(key): key.default() for key in schema}
    assert defaults == {CONF_MAX_SPEED: cap, CONF_CLEARANCE_ACKNOWLEDGED: False}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: cap, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "spotter"
    result = await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    assert result["step_id"] == "announcements"
    result = await hass.config_entries.flow.async_configure(flow_id, ANNOUNCEMENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo Treadmill"
    assert result["data"] == {
        CONF_NAME: "Demo Treadmill",
        CONF_TREADMILL_TYPE: "virtual",
        CONF_CLEARANCE_ACKNOWLEDGED: True,
    }
    assert result["options"][CONF_SPEED_UNIT] == unit
    assert result["options"][CONF_MAX_SPEED_KMH] == pytest.approx(cap_kmh)
    assert result["options"][CONF_SPOTTERS] == [SPOTTER_SWITCH]
    assert result["options"][CONF_PAUSE_GRACE] == 5
    assert result["options"][CONF_RESUME_CONFIRMATION] == 10
    assert result["options"][CONF_RESUME_POLICY] == "manual"
    assert result["result"].unique_id == "virtual-demo_treadmill"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.demo_treadmill_phase").state == "idle"


async def test_unit_default_follows_home_assistant(hass: HomeAssistant) -> None:
    """A metric Home Assistant suggests km/h, a US one mph."""
    for units, unit in ((METRIC_SYSTEM, "km/h"), (US_CUSTOMARY_SYSTEM, "mph")):
        hass.config.units = units
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        defaults = {str(key): key.default() for key in result["data_schema"].schema}
        assert defaults[CONF_SPEED_UNIT] == unit


async def test_blank_name_is_refused(hass: HomeAssistant) -> None:
    """A name with no letters or digits cannot name entities."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_NAME: " -- ", CONF_SPEED_UNIT: "mph"}
    )
    assert result["errors"] == {CONF_NAME: "invalid_name"}


async def test_safety_step_requires_acknowledgement_and_sane_cap(
    hass: HomeAssistant,
) -> None:
    """Without the acknowledgement, or with a cap out of range, no entry is made."""
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_SPEED_UNIT: "mph"}
    )
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: False}
    )
    assert result["errors"] == {CONF_CLEARANCE_ACKNOWLEDGED: "clearance_required"}
    for too_fast_or_slow in (5.1, 0.4):
        result = await hass.config_entries.flow.async_configure(
            flow_id,
            {CONF_MAX_SPEED: too_fast_or_slow, CONF_CLEARANCE_ACKNOWLEDGED: True},
        )
        assert result["errors"] == {CONF_MAX_SPEED: "max_speed_out_of_range"}
        assert result["description_placeholders"] == {
            "min_speed": "0.5",
            "max_speed": "5.0",
            "unit": "mph",
            "entity_max": "",
            "entity_unit": "",
            "max_speed_range": "0.5–5.0 mph",
            "min": "0.5",
            "max": "5.0",
        }
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 0.5, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["step_id"] == "spotter"


async def test_same_treadmill_twice_aborts(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The same name and type is one treadmill."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_NAME: " demo treadmill ", CONF_SPEED_UNIT: "mph"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options_limits_change_unit_and_cap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The cap is entered in the treadmill's unit, within its range; a new unit keeps it."""
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "limits")
    assert suggested(result) == {CONF_MAX_SPEED: 2.0, CONF_SPEED_UNIT: "mph"}
    box = result["data_schema"].schema[CONF_MAX_SPEED].config
    assert (box["min"], box["max"], box["unit_of_measurement"]) == (0.5, 5.0, "mph")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "km/h", CONF_MAX_SPEED: 5.1}
    )
    assert result["errors"] == {CONF_MAX_SPEED: "max_speed_out_of_range"}
    assert result["description_placeholders"]["max_speed"] == "5.0"
    assert result["description_placeholders"]["unit"] == "mph"
    assert loaded_entry.options == options_before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "km/h", CONF_MAX_SPEED: 2.5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == options_before | {
        CONF_SPEED_UNIT: "km/h",
        CONF_MAX_SPEED_KMH: pytest.approx(4.02336),
    }
    number = hass.states.get("number.demo_treadmill_backward_speed")
    assert number.attributes["max"] == 4.0
    assert number.attributes["unit_of_measurement"] == "km/h"
    assert float(number.state) == 0.8

    # Now in km/h; saved unchanged, the cap stays exactly what it was.
    result = await open_options(hass, loaded_entry, "limits")
    assert suggested(result) == {CONF_MAX_SPEED: 4.0, CONF_SPEED_UNIT: "km/h"}
    box = result["data_schema"].schema[CONF_MAX_SPEED].config
    assert (box["min"], box["max"], box["unit_of_measurement"]) == (0.8, 8.0, "km/h")
    await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result)
    )
    await hass.async_block_till_done()
    assert loaded_entry.options[CONF_MAX_SPEED_KMH] == pytest.approx(4.02336)


async def test_options_refused_during_a_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Changing options would reload the entry and end the walk: refused."""
    await call(hass, "start_session")
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "session_active"
    assert hass.states.get("sensor.demo_treadmill_phase").state == "forward"


async def start_spotter_step(hass: HomeAssistant) -> str:
    """Run a config flow up to its spotter step."""
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_SPEED_UNIT: "mph"}
    )
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["step_id"] == "spotter"
    return flow_id


@pytest.mark.parametrize(
    ("spotter_input", "errors"),
    [
        ({CONF_SPOTTERS: []}, {CONF_SPOTTERS: "spotter_needed"}),
        (
            {CONF_SPOTTERS: ["input_boolean.nobody"]},
            {CONF_SPOTTERS: "spotter_not_found"},
        ),
        ({CONF_SPOTTERS: ["sensor.hallway"]}, {CONF_SPOTTERS: "spotter_not_presence"}),
        (
            {CONF_SPOTTERS: ["binary_sensor.door"]},
            {CONF_SPOTTERS: "spotter_not_presence"},
        ),
    ],
)
async def test_spotter_step_refuses_what_cannot_show_presence(
    hass: HomeAssistant, spotter_switch: str, spotter_input, errors
) -> None:
    """A required spotter needs an entity that can show somebody is there."""
    hass.states.async_set("sensor.hallway", "21")
    hass.states.async_set("binary_sensor.door", "on", {"device_class": "door"})
    flow_id = await start_spotter_step(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | spotter_input
    )
    assert result["errors"] == errors
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_spotter_can_be_optional_and_a_motion_sensor(hass: HomeAssistant) -> None:
    """Turning off the requirement allows no entity; motion sensors qualify."""
    hass.states.async_set("binary_sensor.gym_motion", "off", {"device_class": "motion"})
    flow_id = await start_spotter_step(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | {CONF_SPOTTERS: [], CONF_SPOTTER_REQUIRED: False}
    )
    result = await hass.config_entries.flow.async_configure(flow_id, ANNOUNCEMENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"][CONF_SPOTTER_REQUIRED] is False
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, {**USER_INPUT, CONF_NAME: "Second", CONF_SPEED_UNIT: "mph"}
    )
    await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | {CONF_SPOTTERS: ["binary_sensor.gym_motion"]}
    )
    result = await hass.config_entries.flow.async_configure(flow_id, ANNOUNCEMENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_options_spotter_step_checks_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The options flow refuses a spotter that does not exist, then accepts a fix."""
    result = await open_options(hass, loaded_entry, "spotter")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SPOTTER_INPUT | {CONF_SPOTTERS: ["person.gone"]}
    )
    assert result["errors"] == {CONF_SPOTTERS: "spotter_not_found"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], SPOTTER_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reconfigure_renames_the_treadmill(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The name and type change; options and entities stay."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "  ", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["errors"] == {CONF_NAME: "invalid_name"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Basement", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.title == "Basement"
    assert loaded_entry.unique_id == "virtual-basement"
    assert loaded_entry.data[CONF_NAME] == "Basement"
    assert loaded_entry.options[CONF_SPOTTERS] == [SPOTTER_SWITCH]
    assert hass.states.get("sensor.demo_treadmill_phase").state == "idle"


async def test_reconfigure_reloads_once_and_logs_nothing(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """The update listener alone reloads the entry, and nothing warns about retrowalk.

    Home Assistant 2026.6-2026.11 warn when an entry with an update listener also uses
    a reload helper, and 2026.12 refuses it.
    """
    result = await loaded_entry.start_reconfigure_flow(hass)
    caplog.clear()
    config_entries = hass.config_entries
    with patch.object(
        config_entries, "async_reload", wraps=config_entries.async_reload
    ) as reload:
        result = await config_entries.flow.async_configure(
            result["flow_id"], {CONF_NAME: "Basement", CONF_TREADMILL_TYPE: "virtual"}
        )
        await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    reload.assert_called_once_with(loaded_entry.entry_id)
    assert loaded_entry.title == "Basement"
    assert not [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and "retrowalk" in record.getMessage()
    ]


async def test_reconfigure_keeps_the_name_or_refuses_a_taken_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Keeping the name works; taking another treadmill's name is refused."""
    other = MockConfigEntry(domain=DOMAIN, title="Garage", unique_id="virtual-garage")
    other.add_to_hass(hass)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Garage", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["reason"] == "already_configured"
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["reason"] == "reconfigure_successful"


async def test_reconfigure_refused_during_a_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Changing the treadmill under a walking person is refused."""
    await call(hass, "start_session")
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "session_active"
