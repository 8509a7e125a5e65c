"""The config and options flows."""

from __future__ import annotations

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
    CONF_SPEED_UNIT,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)

from .helpers import call

USER_INPUT = {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "virtual"}


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
    hass: HomeAssistant, units, unit: str, cap: float, cap_kmh: float
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
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo Treadmill"
    assert result["data"] == {
        CONF_NAME: "Demo Treadmill",
        CONF_TREADMILL_TYPE: "virtual",
        CONF_CLEARANCE_ACKNOWLEDGED: True,
    }
    assert result["options"][CONF_SPEED_UNIT] == unit
    assert result["options"][CONF_MAX_SPEED_KMH] == pytest.approx(cap_kmh)
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
        }
    assert hass.config_entries.async_entries(DOMAIN) == []
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 0.5, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


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


async def test_options_flow_changes_unit_and_cap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """New unit and cap reload the entry: numbers follow."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
    }
    assert suggested == {CONF_SPEED_UNIT: "mph", CONF_MAX_SPEED: 2.0}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "km/h", CONF_MAX_SPEED: 0.5}
    )
    assert result["errors"] == {CONF_MAX_SPEED: "max_speed_out_of_range"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "km/h", CONF_MAX_SPEED: 4.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options == {CONF_SPEED_UNIT: "km/h", CONF_MAX_SPEED_KMH: 4.0}
    number = hass.states.get("number.demo_treadmill_backward_speed")
    assert number.attributes["max"] == 4.0
    assert number.attributes["unit_of_measurement"] == "km/h"
    assert float(number.state) == 0.8


async def test_options_refused_during_a_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Changing options would reload the entry and end the walk: refused."""
    await call(hass, "start_session")
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "session_active"
    assert hass.states.get("sensor.demo_treadmill_phase").state == "forward"
