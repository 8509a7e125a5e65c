"""The phase sensor's interval attributes, which the workout card counts down from."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .helpers import INTERVAL_ENDS, PHASE, SPOTTER_SWITCH, call, travel

PROGRAM = [
    {"direction": "forward", "duration": 10},
    {"direction": "backward", "duration": 20, "speed": 0.6},
    {"direction": "forward", "duration": 30},
]


async def test_running_session_names_the_next_interval(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """While running: the next interval in full, no time left (the ends give it)."""
    start = dt_util.utcnow()
    await call(hass, "start_session", intervals=PROGRAM)
    attributes = hass.states.get(PHASE).attributes
    assert {key: attributes[key] for key in attributes if key != "options"} == {
        "program": "custom",
        "interval_index": 0,
        "interval_count": 3,
        "pause_reason": None,
        "end_reason": None,
        "interval_direction": "forward",
        "interval_duration": 10.0,
        "interval_remaining": None,
        "session_remaining": None,
        "program_duration": 60.0,
        "next_direction": "backward",
        "next_duration": 20.0,
        "next_speed": 0.6,
        "speed_unit": "mph",
        "device_class": "enum",
        "friendly_name": "Demo Treadmill Phase",
    }
    assert (
        hass.states.get(INTERVAL_ENDS).state
        == (start + timedelta(seconds=10)).isoformat()
    )


async def test_paused_session_gives_the_time_left(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_entry: MockConfigEntry
) -> None:
    """A pause freezes the time left in the interval and in the session."""
    await call(hass, "start_session", intervals=PROGRAM)
    await travel(hass, freezer, timedelta(seconds=13.5))  # 3.5 s into the backward one
    await call(hass, "pause")
    await travel(hass, freezer, timedelta(minutes=3))
    attributes = hass.states.get(PHASE).attributes
    assert hass.states.get(PHASE).state == "paused"
    assert attributes["interval_direction"] == "backward"
    assert attributes["interval_remaining"] == 16.5
    assert attributes["session_remaining"] == 46.5
    assert attributes["next_direction"] == "forward"
    # The forward speed is the number entity's, 0.5 mph by default.
    assert attributes["next_speed"] == 0.5

    await call(hass, "skip_interval")
    attributes = hass.states.get(PHASE).attributes
    assert attributes["interval_remaining"] == 30.0
    assert attributes["session_remaining"] == 30.0
    assert attributes["next_direction"] is None
    assert attributes["next_duration"] is None
    assert attributes["next_speed"] is None

    await call(hass, "resume")
    attributes = hass.states.get(PHASE).attributes
    assert attributes["interval_remaining"] is None
    assert attributes["session_remaining"] is None


async def test_attributes_add_no_state_writes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_entry: MockConfigEntry
) -> None:
    """One phase write per transition; time passing or a spotter blink adds none."""
    writes: list[str] = []

    @callback
    def count(event: Event) -> None:
        if event.data["entity_id"] == PHASE:
            writes.append(event.data["new_state"].state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    await call(hass, "start_session", intervals=PROGRAM)
    await travel(hass, freezer, timedelta(seconds=4))
    # Off and on again within the grace: every entity is told, none changes.
    for service in ("turn_off", "turn_on"):
        await hass.services.async_call(
            "input_boolean", service, {"entity_id": SPOTTER_SWITCH}, blocking=True
        )
        await hass.async_block_till_done()
    for _ in range(60):
        await travel(hass, freezer, timedelta(seconds=1))
    assert writes == ["forward", "backward", "forward", "finished"]
