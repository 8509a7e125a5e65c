"""Whole sessions in Home Assistant, with a frozen clock moved by the test."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill
from custom_components.retrowalk.workout.units import SpeedUnit

from .helpers import (
    BACKWARD_TIME,
    DISTANCE,
    INTERVAL_ENDS,
    PHASE,
    PROGRESS,
    SESSION_ENDS,
    SPEED,
    WORKOUT,
    call,
    press,
    travel,
)

TWO_MINUTES = timedelta(minutes=2)
HALF_MPH_KMH = SpeedUnit.MPH.to_kmh(0.5)


def switch_times(events: list[Event]) -> list[str]:
    """The `direction` of each interval_switched bus event."""
    return [
        e.data["direction"] for e in events if e.data["type"] == "interval_switched"
    ]


async def test_full_beginner_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """30 minutes of 2/2: one switch event per boundary, at the boundary, then done."""
    phases: list[str] = []
    writes: dict[str, int] = {}

    @callback
    def count(event: Event) -> None:
        entity_id = event.data["entity_id"]
        if entity_id.startswith(("sensor.demo_treadmill", "event.demo_treadmill")):
            writes[entity_id] = writes.get(entity_id, 0) + 1
        if entity_id == PHASE:
            phases.append(event.data["new_state"].state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    start = dt_util.utcnow()
    await press(hass, "start")

    assert hass.states.get(PHASE).state == "forward"
    assert hass.states.get(INTERVAL_ENDS).state == (start + TWO_MINUTES).isoformat()
    assert hass.states.get(SESSION_ENDS).state == (start + 15 * TWO_MINUTES).isoformat()
    assert float(hass.states.get(SPEED).state) == pytest.approx(0.5, abs=0.01)
    assert belt.status.running
    assert belt.status.speed_kmh == pytest.approx(HALF_MPH_KMH)

    # Just before each boundary nothing happens; at the boundary exactly one switch.
    for boundary in range(1, 15):
        await travel(hass, freezer, TWO_MINUTES - timedelta(milliseconds=1))
        assert len(switch_times(bus_events)) == boundary - 1
        await travel(hass, freezer, timedelta(milliseconds=1))
        switches = [e for e in bus_events if e.data["type"] == "interval_switched"]
        assert len(switches) == boundary
        assert switches[-1].time_fired == start + boundary * TWO_MINUTES
        assert switches[-1].data["interval_index"] == boundary
        assert switches[-1].data["interval_duration"] == 120
        assert switches[-1].data["speed"] == 0.5
        assert switches[-1].data["speed_unit"] == "mph"

    await travel(hass, freezer, TWO_MINUTES)

    assert switch_times(bus_events) == ["backward", "forward"] * 7
    assert phases == ["forward", *["backward", "forward"] * 7, "finished"]
    completed = bus_events[-1]
    assert completed.data["type"] == "session_completed"
    assert completed.data["backward_seconds"] == 14 * 60
    assert completed.data["forward_seconds"] == 16 * 60
    assert completed.data["paused_seconds"] == 0
    assert completed.data["distance"] == pytest.approx(0.25, abs=0.001)
    assert completed.data["config_entry_id"] == belt_entry_id(hass)
    assert hass.states.get(PHASE).state == "finished"
    assert hass.states.get(BACKWARD_TIME).state == "840"
    assert float(hass.states.get(PROGRESS).state) == 100
    assert float(hass.states.get(DISTANCE).state) == pytest.approx(0.25, abs=0.001)
    assert hass.states.get(INTERVAL_ENDS).state == "unknown"
    assert not belt.status.running
    # 1 start + 14 switches + 1 completion: one write per entity per transition.
    assert writes[PHASE] == 16
    assert writes[WORKOUT] == 16
    assert max(writes.values()) <= 16


def belt_entry_id(hass: HomeAssistant) -> str:
    """The entry id of the only retrowalk entry."""
    (entry,) = hass.config_entries.async_entries("retrowalk")
    return entry.entry_id


async def test_pause_resume_skip_and_stop_mid_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """Pause shifts boundaries, skip moves on now, stop ends and stops the belt."""
    start = dt_util.utcnow()
    await press(hass, "start")
    await travel(hass, freezer, timedelta(minutes=3))  # 1 min into backward interval 1

    await press(hass, "pause")
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PHASE).attributes["pause_reason"] == "user"
    assert hass.states.get(INTERVAL_ENDS).state == "unknown"
    assert not belt.status.running
    assert float(hass.states.get(SPEED).state) == 0

    # A long pause: no boundary fires while paused.
    await travel(hass, freezer, timedelta(minutes=10))
    assert switch_times(bus_events) == ["backward"]

    await press(hass, "resume")
    assert belt.status.running
    assert hass.states.get(PHASE).state == "backward"
    resumed_at = dt_util.utcnow()
    assert (
        hass.states.get(INTERVAL_ENDS).state
        == (resumed_at + timedelta(minutes=1)).isoformat()
    )
    assert (
        hass.states.get(SESSION_ENDS).state
        == (start + timedelta(minutes=40)).isoformat()
    )

    await travel(hass, freezer, timedelta(seconds=30))
    await press(hass, "skip_interval")
    assert hass.states.get(PHASE).state == "forward"
    assert bus_events[-1].data["type"] == "interval_switched"
    assert bus_events[-1].time_fired == dt_util.utcnow()
    assert (
        hass.states.get(INTERVAL_ENDS).state
        == (dt_util.utcnow() + TWO_MINUTES).isoformat()
    )

    await travel(hass, freezer, timedelta(seconds=20))
    await press(hass, "stop")
    stopped = bus_events[-1]
    assert stopped.data["type"] == "session_stopped"
    assert stopped.data["reason"] == "user"
    assert stopped.data["backward_seconds"] == 90
    assert stopped.data["forward_seconds"] == 140
    assert stopped.data["paused_seconds"] == 600
    assert hass.states.get(PHASE).state == "idle"
    assert hass.states.get(PHASE).attributes["end_reason"] == "user"
    assert not belt.status.running

    # Nothing fires after the stop.
    count = len(bus_events)
    await travel(hass, freezer, timedelta(hours=1))
    assert len(bus_events) == count
    assert [e.data["type"] for e in bus_events] == [
        "session_started",
        "interval_switched",
        "session_paused",
        "session_resumed",
        "interval_switched",
        "session_stopped",
    ]


async def test_custom_seconds_program_by_service(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """A 3 x 5 s program with its own speeds runs and switches every 5 s."""
    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 5, "speed": 1.0},
            {"direction": "backward", "duration": "00:00:05"},
            {"direction": "forward", "duration": {"seconds": 5}},
        ],
        backward_speed=0.7,
    )
    assert belt.status.speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(1.0))
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "backward"
    assert belt.status.speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(0.7))
    await travel(hass, freezer, timedelta(seconds=5))
    assert belt.status.speed_kmh == pytest.approx(HALF_MPH_KMH)
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "finished"
    assert [e.data["type"] for e in bus_events] == [
        "session_started",
        "interval_switched",
        "interval_switched",
        "session_completed",
    ]
    assert bus_events[0].data["program"] == "custom"
    # Seconds, as walked (in minutes to two places this was 0.08).
    assert hass.states.get(BACKWARD_TIME).state == "5"
    assert hass.states.get(BACKWARD_TIME).attributes["unit_of_measurement"] == "s"


async def test_event_entity_carries_the_workout_events(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
) -> None:
    """The workout event entity shows the last event type and its data."""
    await call(hass, "start_session", program="steady_10")
    state = hass.states.get(WORKOUT)
    assert state.attributes["event_type"] == "session_started"
    assert state.attributes["direction"] == "forward"
    assert state.attributes["interval_role"] == "warm_up"
    assert state.attributes["program"] == "steady_10"
    await travel(hass, freezer, timedelta(minutes=3))
    state = hass.states.get(WORKOUT)
    assert state.attributes["event_type"] == "interval_switched"
    assert state.attributes["direction"] == "backward"
    assert state.attributes["interval_duration"] == 600
    assert state.attributes["event_types"] == [
        "session_started",
        "interval_switched",
        "session_paused",
        "session_resumed",
        "session_completed",
        "session_stopped",
        "spotter_returned",
        "session_due",
        "session_missed",
    ]


async def test_late_timer_keeps_the_plan(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """If Home Assistant was busy past several boundaries, each switch keeps its time."""
    await call(
        hass,
        "start_session",
        intervals=[{"direction": "forward", "duration": 5}] * 2
        + [{"direction": "backward", "duration": 60}],
    )
    start = bus_events[0].data
    assert start["interval_count"] == 3
    await travel(hass, freezer, timedelta(seconds=12))
    assert switch_times(bus_events) == ["forward", "backward"]
    assert (
        hass.states.get(INTERVAL_ENDS).state
        == (dt_util.utcnow() - timedelta(seconds=2) + timedelta(seconds=60)).isoformat()
    )
