"""A treadmill "already in Home Assistant", built from real helper entities.

input_number.belt_speed (mph, 0..4, step 0.1) sets the speed; a template switch
runs the belt (stored in input_boolean.belt_running) and is available only while
input_boolean.belt_online is on; scripts and input buttons start and stop it too;
template sensors report speed and distance.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_BRIDGE,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)

from .helpers import SPOTTER_SWITCH

SPEED = "input_number.belt_speed"
RUNNING = "input_boolean.belt_running"
ONLINE = "input_boolean.belt_online"
SWITCH = "switch.belt"
START_SCRIPT = "script.belt_start"
STOP_SCRIPT = "script.belt_stop"
START_BUTTON = "input_button.belt_start"
STOP_BUTTON = "input_button.belt_stop"
REPORTED_SPEED = "sensor.belt_reported_speed"
REPORTED_DISTANCE = "sensor.belt_distance"
INCLINE = "input_number.belt_incline"


def _turn(service: str) -> list[dict[str, Any]]:
    return [{"action": f"input_boolean.{service}", "target": {"entity_id": RUNNING}}]


async def async_setup_bridge_entities(
    hass: HomeAssistant, *, speed_unit: str = "mph", speed_min: float = 0
) -> None:
    """Create the treadmill's entities, belt stopped and online, spotter present."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "spotter": {"initial": True},
                "belt_running": {"initial": False},
                "belt_online": {"initial": True},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                "belt_speed": {
                    "min": speed_min,
                    "max": 4 if speed_unit == "mph" else 6.4,
                    "step": 0.1,
                    "initial": speed_min,
                    "unit_of_measurement": speed_unit,
                    "mode": "box",
                },
                "belt_incline": {"min": 0, "max": 15, "step": 1, "initial": 5},
            }
        },
    )
    assert await async_setup_component(
        hass, "input_button", {"input_button": {"belt_start": {}, "belt_stop": {}}}
    )
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "belt_start": {"sequence": _turn("turn_on")},
                "belt_stop": {"sequence": _turn("turn_off")},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Belt",
                            "state": f"{{{{ is_state('{RUNNING}', 'on') }}}}",
                            "turn_on": _turn("turn_on"),
                            "turn_off": _turn("turn_off"),
                            "availability": f"{{{{ is_state('{ONLINE}', 'on') }}}}",
                        }
                    ],
                    "sensor": [
                        {
                            "name": "Belt reported speed",
                            "unit_of_measurement": speed_unit,
                            "state": (
                                f"{{{{ states('{SPEED}') | float "
                                f"if is_state('{RUNNING}', 'on') else 0 }}}}"
                            ),
                        },
                        {
                            "name": "Belt distance",
                            "unit_of_measurement": "m",
                            "state": "1250",
                        },
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()


def bridge_entry(
    bridge: dict[str, Any], *, unit: str = "mph", cap_kmh: float = 3.218688
) -> MockConfigEntry:
    """A config entry for the bridged treadmill with one spotter."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Demo Treadmill",
        unique_id="entity_bridge-demo_treadmill",
        data={
            CONF_NAME: "Demo Treadmill",
            CONF_TREADMILL_TYPE: "entity_bridge",
            CONF_CLEARANCE_ACKNOWLEDGED: True,
        },
        options={
            CONF_SPEED_UNIT: unit,
            CONF_MAX_SPEED_KMH: cap_kmh,
            CONF_SPOTTERS: [SPOTTER_SWITCH],
            CONF_BRIDGE: bridge,
        },
    )


SWITCH_BRIDGE = {
    "speed_entity": SPEED,
    "control": "switch",
    "switch_entity": SWITCH,
    "incline_entity": INCLINE,
    "actual_speed_entity": REPORTED_SPEED,
    "distance_entity": REPORTED_DISTANCE,
}
SCRIPT_BRIDGE = {
    "speed_entity": SPEED,
    "control": "start_stop",
    "start_entity": START_SCRIPT,
    "stop_entity": STOP_SCRIPT,
}
BUTTON_BRIDGE = {
    "speed_entity": SPEED,
    "control": "start_stop",
    "start_entity": START_BUTTON,
    "stop_entity": STOP_BUTTON,
}
SPEED_ZERO_BRIDGE = {"speed_entity": SPEED, "control": "speed_zero"}
