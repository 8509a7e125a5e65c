"""The logbook describes each workout event in words, in Home Assistant's language."""

from __future__ import annotations

from datetime import timedelta
import math
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_component
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.retrowalk.const import BUS_EVENT, DOMAIN
from custom_components.retrowalk.logbook import describe

from .helpers import WORKOUT, call, setup_entry, spotter_off, spotter_on, travel

ENGLISH = {
    "event.workout.state_attributes.event_type.state.interval_switched": (
        "Interval switched"
    ),
    "event.workout.state_attributes.event_type.state.session_stopped": (
        "Session stopped"
    ),
    "event.workout.state_attributes.direction.state.backward": "Backward",
    "event.workout.state_attributes.reason.state.safety_key": "Safety key pulled",
}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "type": "interval_switched",
                "direction": "backward",
                "speed": 0.5,
                "speed_unit": "mph",
                "interval_duration": 120.0,
            },
            "Interval switched: Backward, 0.5 mph, 2:00",
        ),
        (
            {
                "type": "session_stopped",
                "reason": "safety_key",
                "backward_seconds": 3725.4,
                "distance": 0.5,
                "distance_unit": "km",
            },
            "Session stopped (Safety key pulled): Backward 1:02:05, 0.5 km",
        ),
        (
            {
                "type": "session_completed",
                "backward_seconds": 10,
                "distance": 0.006,
                "distance_unit": "mi",
            },
            "Session completed: Backward 0:10, 30 ft",
        ),
        (
            {"type": "session_completed", "distance": 0.012, "distance_unit": "km"},
            "Session completed: 12 m",
        ),
        # Words it has no translation for are the key made readable.
        ({"type": "session_due"}, "Session due"),
        (
            {"type": "session_due", "scheduled_for": "2026-11-23T17:00:00"},
            "Session due",
        ),
        ({"type": "session_missed", "scheduled_for": "soon"}, "Session missed"),
        ({}, ""),
        # Damaged or odd data never raises.
        (
            {
                "type": "interval_switched",
                "direction": None,
                "speed": math.nan,
                "interval_duration": "long",
            },
            "Interval switched: None",
        ),
        (
            {
                "type": "session_stopped",
                "backward_seconds": -1,
                "distance": True,
                "reason": "user",
            },
            "Session stopped",
        ),
    ],
)
def test_messages(data: dict[str, Any], message: str) -> None:
    """Each event type's words, from translations; never an error."""
    assert describe(data, ENGLISH.get) == message


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(async_setup_recorder_instance: Any) -> None:
    """Prepare the recorder before Home Assistant starts (the `hass` fixture)."""


async def setup_logbook(hass: HomeAssistant) -> None:
    """The logbook, without the frontend build the test environment does not have.

    Set up after retrowalk, which would otherwise add its card to that frontend.
    """
    mock_component(hass, "frontend")
    assert await async_setup_component(hass, "logbook", {})


async def logbook_messages(
    hass: HomeAssistant, ws: WebSocketGenerator, entity_id: str | None = None
) -> list[dict[str, Any]]:
    """The logbook's retrowalk rows of the last hour, as the frontend asks for them."""
    await async_wait_recording_done(hass)
    client = await ws()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
            # The clock is frozen: what happened just now is not before now.
            "end_time": (dt_util.utcnow() + timedelta(minutes=1)).isoformat(),
            **({"entity_ids": [entity_id]} if entity_id else {}),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [row for row in response["result"] if row.get("domain") == DOMAIN]


async def walk_with_a_pause(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """10 s forward, the spotter leaves in the backward interval and comes back."""
    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 10},
            {"direction": "backward", "duration": 30},
        ],
    )
    await travel(hass, freezer, timedelta(seconds=10))
    await spotter_off(hass)
    await travel(hass, freezer, timedelta(seconds=6))
    await spotter_on(hass)
    await travel(hass, freezer, timedelta(seconds=11))
    await call(hass, "resume")
    await travel(hass, freezer, timedelta(seconds=30))


async def test_the_logbook_tells_the_session(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Each event is a row of the workout entity: what happened, in words."""
    await setup_entry(hass, config_entry)
    await setup_logbook(hass)
    await walk_with_a_pause(hass, freezer)

    rows = await logbook_messages(hass, hass_ws_client, WORKOUT)
    assert [row["message"] for row in rows] == [
        "Session started (Custom): Forward, 0.5 mph",
        "Interval switched: Backward, 0.5 mph, 0:30",
        "Session paused: No spotter",
        "Spotter returned",
        "Session resumed: Backward, 0.5 mph",
        "Session completed: Backward 0:30, 30 ft",
    ]
    assert {row["entity_id"] for row in rows} == {WORKOUT}
    # The Activity panel (no entity asked for) lists them too.
    everything = await logbook_messages(hass, hass_ws_client)
    assert [row["message"] for row in everything] == [row["message"] for row in rows]


async def test_the_logbook_speaks_home_assistants_language(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """With Home Assistant in German the rows are German."""
    await hass.config.async_update(language="de")
    await setup_entry(hass, config_entry)
    await setup_logbook(hass)
    await walk_with_a_pause(hass, freezer)

    messages = [row["message"] for row in await logbook_messages(hass, hass_ws_client)]
    assert messages[1] == "Intervall gewechselt: Rückwärts, 0.5 mph, 0:30"
    assert messages[2] == "Training pausiert: Keine Aufsicht"


async def test_events_of_a_removed_treadmill_are_still_described(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Rows from before a treadmill was deleted keep their words."""
    await setup_entry(hass, config_entry)
    await setup_logbook(hass)
    hass.bus.async_fire(
        BUS_EVENT,
        {"type": "session_paused", "config_entry_id": "gone", "reason": "user"},
    )
    await hass.async_block_till_done()
    (row,) = await logbook_messages(hass, hass_ws_client)
    assert row["message"] == "Session paused: Paused by you"
    assert row["name"] == DOMAIN
    assert "entity_id" not in row or row["entity_id"] is None
