"""Fault paths: whatever the treadmill does, the belt ends stopped and the session paused."""

from __future__ import annotations

from datetime import timedelta
import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.treadmills import TreadmillError
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .helpers import PHASE, call, travel


def refuse(*_args: object) -> None:
    """A treadmill command that fails."""
    raise TreadmillError("no answer from the belt")


async def test_belt_that_will_not_start_changes_nothing(
    hass: HomeAssistant, belt: VirtualTreadmill, bus_events: list[Event]
) -> None:
    """A failed start raises a translated error; no session, belt told to stop."""
    with (
        patch.object(belt, "async_start", side_effect=refuse),
        patch.object(belt, "async_stop", wraps=belt.async_stop) as stop,
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "start_session")
    assert err.value.translation_key == "treadmill_error"
    assert "no answer from the belt" in str(err.value)
    stop.assert_awaited_once()
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events == []


async def test_refused_speed_change_at_a_switch_pauses(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """If the belt refuses the new interval's speed, the session pauses and the belt stops."""
    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 5},
            {"direction": "backward", "duration": 5, "speed": 1.0},
        ],
    )
    with patch.object(belt, "async_set_speed", side_effect=refuse):
        await travel(hass, freezer, timedelta(seconds=5))
    assert [e.data["type"] for e in bus_events] == [
        "session_started",
        "interval_switched",
        "session_paused",
    ]
    assert bus_events[-1].data["reason"] == "treadmill_error"
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PHASE).attributes["pause_reason"] == "treadmill_error"
    assert not belt.status.running
    assert "did not carry out the set speed: no answer from the belt" in caplog.text
    # Nothing restarts by itself.
    await travel(hass, freezer, timedelta(minutes=5))
    assert not belt.status.running
    assert hass.states.get(PHASE).state == "paused"


async def test_belt_stopped_at_the_console_pauses(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """A belt that stops by itself (console, safety clip) pauses the session."""
    await call(hass, "start_session")
    await belt.async_stop()
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "paused"
    assert bus_events[-1].data["reason"] == "treadmill_stopped"
    await travel(hass, freezer, timedelta(minutes=5))
    assert not belt.status.running
    await call(hass, "resume")
    assert belt.status.running


async def test_pause_when_the_belt_will_not_stop_still_pauses(
    hass: HomeAssistant, belt: VirtualTreadmill, bus_events: list[Event]
) -> None:
    """The session pauses and the user is told the belt did not stop."""
    await call(hass, "start_session")
    with (
        patch.object(belt, "async_stop", side_effect=refuse),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "pause")
    assert err.value.translation_key == "treadmill_error"
    assert hass.states.get(PHASE).state == "paused"


async def test_resume_when_the_belt_will_not_start_stays_paused(
    hass: HomeAssistant, belt: VirtualTreadmill, bus_events: list[Event]
) -> None:
    """A failed resume leaves the session paused, no resumed event."""
    await call(hass, "start_session")
    await call(hass, "pause")
    with (
        patch.object(belt, "async_start", side_effect=refuse),
        pytest.raises(HomeAssistantError),
    ):
        await call(hass, "resume")
    assert hass.states.get(PHASE).state == "paused"
    assert bus_events[-1].data["type"] == "session_paused"


async def test_stop_failure_at_shutdown_is_logged(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    belt: VirtualTreadmill,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant stopping with a belt that will not stop logs it loudly."""
    await call(hass, "start_session")
    with (
        patch.object(belt, "async_stop", side_effect=refuse),
        caplog.at_level(logging.ERROR),
    ):
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
    assert "did not carry out the stop: no answer from the belt" in caplog.text
    assert "did not confirm it stopped while retrowalk shut down" in caplog.text


async def test_belt_found_stopped_at_a_switch_pauses_without_restarting(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """A belt that stopped without telling anyone is never restarted at a switch."""
    await call(hass, "start_session", program="steady_10")
    belt._speed_kmh = 0.0  # the stop notification was lost
    await travel(hass, freezer, timedelta(minutes=3))
    assert bus_events[-1].data["type"] == "session_paused"
    assert bus_events[-1].data["reason"] == "treadmill_stopped"
    assert not belt.status.running


async def test_failed_start_with_a_belt_that_will_not_stop_is_logged(
    hass: HomeAssistant, belt: VirtualTreadmill, caplog: pytest.LogCaptureFixture
) -> None:
    """Both commands failing: the error is raised and the failed stop logged."""
    with (
        patch.object(belt, "async_start", side_effect=refuse),
        patch.object(belt, "async_stop", side_effect=refuse),
        pytest.raises(HomeAssistantError),
    ):
        await call(hass, "start_session")
    assert "did not carry out the start: no answer from the belt" in caplog.text
    assert "did not carry out the stop: no answer from the belt" in caplog.text
    assert hass.states.get(PHASE).state == "idle"


async def test_unknown_treadmill_type_fails_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """An entry from a newer retrowalk with an unknown type does not load."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "treadmill_type": "warp_drive"}
    )
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR


async def test_refusing_treadmill_raises_a_repair_issue_until_it_obeys(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    belt: VirtualTreadmill,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A refused command raises an issue with the error; the next success clears it."""
    issue_id = f"treadmill_error_{loaded_entry.entry_id}"
    with (
        patch.object(belt, "async_start", side_effect=refuse),
        pytest.raises(HomeAssistantError),
    ):
        await call(hass, "start_session")
    issue = issue_registry.async_get_issue("retrowalk", issue_id)
    assert issue is not None
    assert issue.translation_key == "treadmill_error"
    assert issue.translation_placeholders == {
        "treadmill": "Demo Treadmill",
        "error": "start: no answer from the belt",
    }
    assert "no answer from the belt" in loaded_entry.runtime_data.controller.last_error
    await call(hass, "start_session")
    assert issue_registry.async_get_issue("retrowalk", issue_id) is None
    assert "no answer from the belt" in loaded_entry.runtime_data.controller.last_error
