"""A session runs identically on the virtual, entity-bridge and FTMS treadmill types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)
from tests.treadmills.fake_ftms import FakeFtmsMachine

from .bridge_setup import SWITCH_BRIDGE, async_setup_bridge_entities, bridge_entry
from .helpers import PAUSE_REASON, PHASE, SPOTTER_SWITCH, call, setup_entry, travel
from .test_entity_bridge import TWO_INTERVALS
from .test_ftms import advertise, bluetooth_link, ftms_entry, service_info


async def spotter_present(hass: HomeAssistant) -> None:
    """The spotter's input_boolean, switched on."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"spotter": {"initial": True}}}
    )


async def virtual_treadmill(hass: HomeAssistant) -> MockConfigEntry:
    """A virtual treadmill in mph with a 2.0 mph cap."""
    await spotter_present(hass)
    return MockConfigEntry(
        domain=DOMAIN,
        title="Demo Treadmill",
        unique_id="virtual-demo_treadmill",
        data={
            CONF_NAME: "Demo Treadmill",
            CONF_TREADMILL_TYPE: "virtual",
            CONF_CLEARANCE_ACKNOWLEDGED: True,
        },
        options={
            CONF_SPEED_UNIT: "mph",
            CONF_MAX_SPEED_KMH: 3.218688,
            CONF_SPOTTERS: [SPOTTER_SWITCH],
        },
    )


async def bridged_treadmill(hass: HomeAssistant) -> MockConfigEntry:
    """A treadmill driven through helper entities (their setup adds the spotter)."""
    await async_setup_bridge_entities(hass)
    return bridge_entry(SWITCH_BRIDGE)


async def bluetooth_treadmill(hass: HomeAssistant) -> MockConfigEntry:
    """An FTMS treadmill in range of Home Assistant's Bluetooth."""
    await spotter_present(hass)
    await advertise(hass, service_info())
    return ftms_entry()


TREADMILLS: dict[str, Callable[[HomeAssistant], Awaitable[MockConfigEntry]]] = {
    "virtual": virtual_treadmill,
    "entity_bridge": bridged_treadmill,
    "ftms": bluetooth_treadmill,
}


def interval_data(index: int) -> dict[str, Any]:
    """What every event says about an interval of TWO_INTERVALS."""
    return {
        "program": "custom",
        "direction": ("forward", "backward")[index],
        "interval_index": index,
        "interval_count": 2,
        "interval_duration": 5.0,
        "interval_role": "main",
        "speed": (0.5, 1.0)[index],
        "speed_unit": "mph",
    }


EXPECTED_EVENTS = [
    {"type": "session_started"} | interval_data(0),
    {"type": "session_paused"} | interval_data(0) | {"reason": "user"},
    {"type": "session_resumed"} | interval_data(0),
    {"type": "interval_switched"} | interval_data(1),
    {"type": "session_completed"}
    | interval_data(1)
    | {
        "forward_seconds": 5.0,
        "backward_seconds": 5.0,
        "paused_seconds": 3.0,
        "distance": 0.002,
        "distance_unit": "mi",
    },
]
# Phase and pause reason after each step of the scenario below.
EXPECTED_STATES = [
    ("forward", "none"),  # started
    ("forward", "none"),  # 2 s later
    ("paused", "user"),
    ("paused", "user"),  # 3 s later
    ("forward", "none"),  # resumed
    ("backward", "none"),  # the 3 s left of the forward interval
    ("finished", "none"),  # 5 s backward
]


async def settle(hass: HomeAssistant) -> None:
    """Let template chains, background connects and retrowalk's reactions finish."""
    for _ in range(3):
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("treadmill_type", list(TREADMILLS))
async def test_session_runs_identically_on_every_treadmill_type(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    enable_bluetooth: None,
    bus_events: list[Event],
    treadmill_type: str,
) -> None:
    """Same program, same clock moves: same events, same phases, belt stopped."""
    with bluetooth_link(FakeFtmsMachine()):
        entry = await TREADMILLS[treadmill_type](hass)
        await setup_entry(hass, entry)
        await settle(hass)
        assert entry.data[CONF_TREADMILL_TYPE] == treadmill_type
        states: list[tuple[str, str]] = []

        async def step(action: Awaitable[None]) -> None:
            await action
            await settle(hass)
            states.append(
                (hass.states.get(PHASE).state, hass.states.get(PAUSE_REASON).state)
            )

        await step(call(hass, "start_session", intervals=TWO_INTERVALS))
        await step(travel(hass, freezer, timedelta(seconds=2)))
        await step(call(hass, "pause"))
        await step(travel(hass, freezer, timedelta(seconds=3)))
        await step(call(hass, "resume"))
        await step(travel(hass, freezer, timedelta(seconds=3)))
        await step(travel(hass, freezer, timedelta(seconds=5)))

    assert states == EXPECTED_STATES
    events = [dict(event.data) for event in bus_events]
    assert {event.pop("config_entry_id") for event in events} == {entry.entry_id}
    assert events == EXPECTED_EVENTS
    assert not entry.runtime_data.controller.treadmill.status.running
