"""Setting up a treadmill that is already in Home Assistant: the bridge step."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_BRIDGE,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)

from .bridge_setup import (
    REPORTED_DISTANCE,
    REPORTED_SPEED,
    SPEED,
    START_SCRIPT,
    STOP_SCRIPT,
    SWITCH,
    SWITCH_BRIDGE,
    async_setup_bridge_entities,
    bridge_entry,
)
from .helpers import call, open_options, setup_entry, suggested
from .test_config_flow import ANNOUNCEMENT_INPUT, SPOTTER_INPUT, start_flow

BRIDGE_USER_INPUT = {
    CONF_NAME: "Demo Treadmill",
    CONF_TREADMILL_TYPE: "entity_bridge",
    CONF_SPEED_UNIT: "mph",
}


@pytest.fixture(autouse=True)
async def bridged_entities(hass: HomeAssistant) -> None:
    """The bridged treadmill's entities (speed in mph, up to 4 mph)."""
    await async_setup_bridge_entities(hass)


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"speed_entity": "input_number.nope"}, {"speed_entity": "entity_not_found"}),
        ({"switch_entity": None}, {"switch_entity": "switch_required"}),
        (
            {"control": "start_stop", "start_entity": START_SCRIPT},
            {"stop_entity": "start_stop_required"},
        ),
        (
            {"actual_speed_entity": REPORTED_DISTANCE},
            {"actual_speed_entity": "sensor_unit_unsupported"},
        ),
        (
            {"distance_entity": REPORTED_SPEED},
            {"distance_entity": "sensor_unit_unsupported"},
        ),
    ],
)
async def test_bridge_step_refuses_unusable_entities(
    hass: HomeAssistant, answers: dict[str, Any], errors: dict[str, str]
) -> None:
    """Each unusable choice is named on its field; nothing is created."""
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, BRIDGE_USER_INPUT)
    assert result["step_id"] == "bridge"
    bridge = {k: v for k, v in (SWITCH_BRIDGE | answers).items() if v is not None}
    result = await hass.config_entries.flow.async_configure(flow_id, bridge)
    assert result["errors"] == errors
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_speed_entity_needs_a_speed_unit_and_zero_for_speed_zero(
    hass: HomeAssistant,
) -> None:
    """A speed entity in % is refused; so is speed_zero on an entity that cannot reach 0."""
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(flow_id, BRIDGE_USER_INPUT)
    attributes = dict(hass.states.get(SPEED).attributes)
    hass.states.async_set(SPEED, "0", attributes | {"unit_of_measurement": "%"})
    result = await hass.config_entries.flow.async_configure(flow_id, SWITCH_BRIDGE)
    assert result["errors"] == {"speed_entity": "speed_unit_unsupported"}
    hass.states.async_set(SPEED, "0.5", attributes | {"min": 0.5})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"speed_entity": SPEED, "control": "speed_zero"}
    )
    assert result["errors"] == {"control": "speed_zero_unsupported"}
    assert result["description_placeholders"] == {
        "entity_max": "4",
        "entity_unit": "mph",
    }


async def test_bridge_flow_creates_entry_with_cap_within_the_entity(
    hass: HomeAssistant,
) -> None:
    """The cap may not exceed the speed entity's maximum (4 mph)."""
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(flow_id, BRIDGE_USER_INPUT)
    result = await hass.config_entries.flow.async_configure(flow_id, SWITCH_BRIDGE)
    assert result["step_id"] == "safety"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 4.5, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["errors"] == {CONF_MAX_SPEED: "max_speed_above_entity"}
    assert result["description_placeholders"]["entity_max"] == "4"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    result = await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    result = await hass.config_entries.flow.async_configure(flow_id, ANNOUNCEMENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TREADMILL_TYPE] == "entity_bridge"
    assert result["options"][CONF_BRIDGE] == SWITCH_BRIDGE
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.runtime_data.controller.treadmill.max_speed_kmh == pytest.approx(
        6.437376
    )


async def test_options_limits_check_the_cap_against_the_entity(
    hass: HomeAssistant,
) -> None:
    """Options: a cap above the speed entity's maximum (4 mph) is refused."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    options_before = dict(entry.options)
    result = await open_options(hass, entry, "limits")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "mph", CONF_MAX_SPEED: 4.5}
    )
    assert result["errors"] == {CONF_MAX_SPEED: "max_speed_above_entity"}
    assert result["description_placeholders"]["entity_max"] == "4"
    assert result["description_placeholders"]["entity_unit"] == "mph"
    assert entry.options == options_before
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "mph", CONF_MAX_SPEED: 4.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == options_before | {CONF_MAX_SPEED_KMH: 6.437376}


async def test_options_offer_no_bridge_step(hass: HomeAssistant) -> None:
    """The entities that drive the treadmill are changed in Reconfigure only."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert "bridge" not in result["menu_options"]


async def test_reconfigure_turns_a_virtual_treadmill_into_a_bridge(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Reconfigure to the bridge type asks for the entities, then reloads."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "entity_bridge"},
    )
    assert result["step_id"] == "bridge"
    assert suggested(result) == {"control": "switch"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SWITCH_BRIDGE
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.data[CONF_TREADMILL_TYPE] == "entity_bridge"
    assert loaded_entry.options[CONF_BRIDGE] == SWITCH_BRIDGE
    assert loaded_entry.unique_id == "entity_bridge-demo_treadmill"
    assert hass.states.get(SWITCH).state == "off"


async def test_reconfigure_changes_the_bridge_entities(hass: HomeAssistant) -> None:
    """A bridged treadmill's entities are shown and changed in Reconfigure."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    options_before = dict(entry.options)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "entity_bridge"},
    )
    assert result["step_id"] == "bridge"
    assert suggested(result) == SWITCH_BRIDGE
    # A wrong choice is named and changes nothing.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SWITCH_BRIDGE | {"control": "start_stop"}
    )
    assert result["errors"] == {"start_entity": "start_stop_required"}
    assert entry.options == options_before
    start_stop = {
        "speed_entity": SPEED,
        "control": "start_stop",
        "start_entity": START_SCRIPT,
        "stop_entity": STOP_SCRIPT,
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], start_stop
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.options == options_before | {CONF_BRIDGE: start_stop}
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_checks_the_cap_against_a_new_speed_entity(
    hass: HomeAssistant,
) -> None:
    """A speed entity slower than the cap is refused: lower the cap first."""
    entry = bridge_entry(SWITCH_BRIDGE, cap_kmh=8.0)
    await setup_entry(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "entity_bridge"},
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SWITCH_BRIDGE
    )
    assert result["errors"] == {"base": "max_speed_above_entity"}
    assert result["description_placeholders"] == {
        "entity_max": "4",
        "entity_unit": "mph",
    }


async def test_reconfigure_from_a_bridge_forgets_its_entities(
    hass: HomeAssistant,
) -> None:
    """A bridged treadmill made virtual keeps its options but not its entities."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert CONF_BRIDGE not in entry.options
    assert entry.options[CONF_MAX_SPEED_KMH] == 3.218688
    assert entry.unique_id == "virtual-demo_treadmill"


async def test_reconfigure_is_not_applied_once_a_session_runs(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A session started while the entities were being chosen: nothing changes."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "entity_bridge"},
    )
    assert result["step_id"] == "bridge"
    await call(hass, "start_session")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SWITCH_BRIDGE
    )
    assert result["reason"] == "session_active"
    assert loaded_entry.data[CONF_TREADMILL_TYPE] == "virtual"
    assert CONF_BRIDGE not in loaded_entry.options


@pytest.mark.parametrize("speed_state", [None, "percent"])
async def test_options_limits_without_a_usable_speed_entity(
    hass: HomeAssistant, speed_state: str | None
) -> None:
    """The speed entity gone or not in a speed unit: the cap is checked as usual."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    if speed_state is None:
        hass.states.async_remove(SPEED)
    else:
        attributes = dict(hass.states.get(SPEED).attributes)
        hass.states.async_set(SPEED, "0", attributes | {"unit_of_measurement": "%"})
    result = await open_options(hass, entry, "limits")
    assert result["description_placeholders"]["entity_max"] == ""
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SPEED_UNIT: "mph", CONF_MAX_SPEED: 4.5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_MAX_SPEED_KMH] == pytest.approx(7.242048)
