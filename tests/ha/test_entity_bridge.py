"""A treadmill already in Home Assistant, driven through real helper entities."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.retrowalk.entity_bridge import SpeedScale
from custom_components.retrowalk.workout.units import SpeedUnit

from .bridge_setup import (
    BUTTON_BRIDGE,
    INCLINE,
    ONLINE,
    REPORTED_DISTANCE,
    REPORTED_SPEED,
    RUNNING,
    SCRIPT_BRIDGE,
    SPEED,
    SPEED_ZERO_BRIDGE,
    START_BUTTON,
    STOP_BUTTON,
    SWITCH,
    SWITCH_BRIDGE,
    async_setup_bridge_entities,
    bridge_entry,
)
from .helpers import PAUSE_REASON, PHASE, PREFIX, call, setup_entry, travel

CONNECTED = f"binary_sensor.{PREFIX}_treadmill_connection"
REPORTED = f"sensor.{PREFIX}_reported_speed"
TWO_INTERVALS = [
    {"direction": "forward", "duration": 5},
    {"direction": "backward", "duration": 5, "speed": 1.0},
]


def speed(hass: HomeAssistant) -> float:
    """The speed entity's value."""
    return float(hass.states.get(SPEED).state)


async def switch_helper(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn an input boolean on or off, as another integration or a person would."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id},
        blocking=True,
    )
    await settle(hass)


async def settle(hass: HomeAssistant) -> None:
    """Let a chain of template re-renders and retrowalk's reactions finish.

    Template entities re-render in callbacks scheduled one after another, each
    of which may start the next; one wait does not see the end of the chain.
    """
    for _ in range(3):
        await hass.async_block_till_done()


@pytest.fixture(autouse=True)
async def bridged_entities(hass: HomeAssistant, request: pytest.FixtureRequest) -> None:
    """The bridged treadmill's entities, in mph unless a test marks another unit."""
    marker = request.node.get_closest_marker("speed_unit")
    await async_setup_bridge_entities(
        hass, speed_unit=marker.args[0] if marker else "mph"
    )


async def test_session_drives_the_belt_through_its_entities(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, bus_events: list[Event]
) -> None:
    """Start levels the belt, switches it on and sets the speed; switches and stop follow."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    assert hass.states.get(CONNECTED).state == "on"
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert hass.states.get(SWITCH).state == "on"
    assert speed(hass) == 0.5
    assert float(hass.states.get(INCLINE).state) == 0
    assert float(hass.states.get(REPORTED).state) == pytest.approx(0.5)
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "backward"
    assert speed(hass) == 1.0
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "finished"
    assert hass.states.get(SWITCH).state == "off"
    assert [e.data["type"] for e in bus_events] == [
        "session_started",
        "interval_switched",
        "session_completed",
    ]
    # The treadmill's own distance sensor (1250 m) is read in km.
    assert entry.runtime_data.controller.treadmill.status.distance_km == 1.25


@pytest.mark.speed_unit("km/h")
async def test_speed_entity_in_kmh_is_converted_and_rounded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A km/h entity gets mph speeds converted and rounded to its 0.1 step."""
    await setup_entry(hass, bridge_entry(SPEED_ZERO_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert hass.states.get(SPEED).state == "0.8"  # 0.5 mph = 0.80 km/h
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(SPEED).state == "1.6"  # 1.0 mph = 1.61 km/h


@pytest.mark.parametrize(
    ("unit", "step", "wanted_kmh", "cap_kmh", "expected"),
    [
        (SpeedUnit.KMH, 0.1, 0.8047, 3.2, 0.8),
        (SpeedUnit.KMH, 0.5, 3.2, 3.2, 3.0),
        (SpeedUnit.KMH, 0.5, 3.3, 3.3, 3.0),  # nearest step 3.5 is over the cap
        (SpeedUnit.MPH, 0.1, 1.609344, 3.3, 1.0),
        (SpeedUnit.KMH, 0.0, 2.345, 3.0, 2.345),  # no step: exact
        (SpeedUnit.KMH, 0.1, 9.0, 3.2, 3.2),  # capped
        (SpeedUnit.KMH, 0.1, 0.2, 3.2, 0.5),  # raised to the minimum
    ],
)
def test_speed_scale_respects_step_range_and_cap(
    unit: SpeedUnit, step: float, wanted_kmh: float, cap_kmh: float, expected: float
) -> None:
    """Speeds land on the step grid, inside the range and never over the cap."""
    scale = SpeedScale(unit=unit, minimum=0.5, maximum=6.0, step=step)
    assert scale.value_for(wanted_kmh, cap_kmh) == pytest.approx(expected)


async def test_unavailable_entity_pauses_and_is_logged_once(
    hass: HomeAssistant,
    bus_events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The belt switch going unavailable pauses the session; lost and back log once each."""
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await switch_helper(hass, ONLINE, False)
        hass.states.async_set(REPORTED_SPEED, "0.3", {"unit_of_measurement": "mph"})
        await hass.async_block_till_done()
        assert hass.states.get(PHASE).state == "paused"
        assert hass.states.get(PAUSE_REASON).state == "treadmill_unavailable"
        assert bus_events[-1].data["type"] == "session_paused"
        assert bus_events[-1].data["reason"] == "treadmill_unavailable"
        assert hass.states.get(CONNECTED).state == "off"
        assert hass.states.get(CONNECTED).attributes["fault"] == "treadmill_unavailable"
        assert hass.states.get(REPORTED).state == "unavailable"
        with pytest.raises(HomeAssistantError) as err:
            await call(hass, "resume")
        assert err.value.translation_key == "treadmill_error"
        await switch_helper(hass, ONLINE, True)
    lost = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "available again" in r.getMessage()]
    assert len(lost) == 1
    assert lost[0].levelno == logging.WARNING
    assert SWITCH in lost[0].getMessage()
    assert len(back) == 1
    assert hass.states.get(CONNECTED).state == "on"
    # Back with its belt still running (the stop could not reach it): stopped now,
    # and nothing restarts by itself; a person resumes.
    await settle(hass)
    assert any(
        "came back with its belt running" in r.getMessage() for r in caplog.records
    )
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(SWITCH).state == "off"
    await call(hass, "resume")
    assert hass.states.get(PHASE).state == "forward"
    assert hass.states.get(SWITCH).state == "on"


async def test_unknown_speed_entity_pauses(hass: HomeAssistant) -> None:
    """A speed entity whose state turns `unknown` mid-session pauses it."""
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    hass.states.async_set(SPEED, "unknown")
    await hass.async_block_till_done()
    assert hass.states.get(PAUSE_REASON).state == "treadmill_unavailable"


async def test_belt_switched_off_elsewhere_pauses(hass: HomeAssistant) -> None:
    """The belt stopped on its console (switch off) pauses with treadmill_stopped."""
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    await switch_helper(hass, RUNNING, False)
    assert hass.states.get(PAUSE_REASON).state == "treadmill_stopped"


async def test_start_refused_while_unavailable(
    hass: HomeAssistant, bus_events: list[Event]
) -> None:
    """No session starts on a treadmill whose entities are unavailable."""
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    await switch_helper(hass, ONLINE, False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "start_session")
    assert err.value.translation_key == "treadmill_error"
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events == []


async def test_scripts_start_and_stop_the_belt(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Start and stop scripts run the belt; the speed is set after the start."""
    await setup_entry(hass, bridge_entry(SCRIPT_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert hass.states.get(RUNNING).state == "on"
    assert speed(hass) == 0.5
    await call(hass, "stop")
    assert hass.states.get(RUNNING).state == "off"
    assert hass.states.get(PHASE).state == "idle"


async def test_buttons_start_and_stop_the_belt(hass: HomeAssistant) -> None:
    """Input buttons (state `unknown` until pressed) are pressed to start and stop."""
    await setup_entry(hass, bridge_entry(BUTTON_BRIDGE))
    assert hass.states.get(CONNECTED).state == "on"
    assert hass.states.get(START_BUTTON).state == "unknown"
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert hass.states.get(START_BUTTON).state != "unknown"
    assert hass.states.get(PHASE).state == "forward"
    await call(hass, "pause")
    assert hass.states.get(STOP_BUTTON).state != "unknown"


async def test_speed_zero_stops_the_belt(hass: HomeAssistant) -> None:
    """With no switch, a speed of 0 stops the belt and the speed starts it."""
    await setup_entry(hass, bridge_entry(SPEED_ZERO_BRIDGE))
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert speed(hass) == 0.5
    await call(hass, "pause")
    assert speed(hass) == 0.0
    await call(hass, "resume")
    assert speed(hass) == 0.5


async def test_entity_refusing_the_value_refuses_the_start(hass: HomeAssistant) -> None:
    """A speed entity that refuses the value makes the start fail, translated."""
    await setup_entry(hass, bridge_entry(SPEED_ZERO_BRIDGE, cap_kmh=8.0))
    # Its attributes now claim 0..10 mph, but the real input_number only takes 0..4.
    hass.states.async_set(
        SPEED, "0.0", {"min": 0, "max": 10, "step": 0.5, "unit_of_measurement": "mph"}
    )
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "start_session", backward_speed=4.8, forward_speed=4.8)
    assert err.value.translation_key == "treadmill_error"
    assert hass.states.get(PHASE).state == "idle"


async def test_belt_running_at_setup_is_stopped_but_later_use_is_left_alone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Just in reach, a running belt is stopped; later a console start is the person's."""
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    await switch_helper(hass, RUNNING, True)  # someone starts it right away
    assert hass.states.get(SWITCH).state == "off"
    freezer.tick(timedelta(seconds=31))
    await switch_helper(hass, RUNNING, True)  # walking forward without retrowalk
    assert hass.states.get(SWITCH).state == "on"
    assert hass.states.get(PHASE).state == "idle"


async def test_entities_are_written_only_when_what_they_show_changes(
    hass: HomeAssistant,
) -> None:
    """A new distance reading alone writes nothing; a new reported speed does."""
    entry = bridge_entry(SWITCH_BRIDGE)
    await setup_entry(hass, entry)
    writes: list[None] = []
    entry.runtime_data.controller.publisher.async_add_state_listener(
        lambda: writes.append(None)
    )
    hass.states.async_set(REPORTED_DISTANCE, "1300", {"unit_of_measurement": "m"})
    await hass.async_block_till_done()
    assert entry.runtime_data.controller.treadmill.status.distance_km == 1.3
    assert writes == []
    hass.states.async_set(REPORTED_SPEED, "1.0", {"unit_of_measurement": "mph"})
    await hass.async_block_till_done()
    assert len(writes) == 1
    assert float(hass.states.get(REPORTED).state) == pytest.approx(1.0)
