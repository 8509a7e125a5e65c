"""A session survives a restart as a paused session; nothing restarts by itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill
from custom_components.retrowalk.workout.programs import built_in_program
from custom_components.retrowalk.workout.session import Session

from .helpers import (
    BACKWARD_TIME,
    PAUSE_REASON,
    PHASE,
    call,
    setup_entry,
    travel,
    until,
)


def storage_key(entry: MockConfigEntry) -> str:
    """The .storage key of an entry's session."""
    return f"retrowalk.{entry.entry_id}.session"


def started(program: str, clock: Callable[[], datetime]) -> Session:
    """A session of a built-in program, started by `clock`."""
    session = Session(
        built_in_program(program),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=0.8,
    )
    session.start()
    return session


def saved(session: dict[str, Any] | None, saved_at: str) -> dict[str, Any]:
    """What the store file holds."""
    return {
        "version": 1,
        "minor_version": 1,
        "key": "retrowalk.session",
        "data": {"session": session, "saved_at": saved_at},
    }


async def test_reload_mid_session_comes_back_paused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
) -> None:
    """Unload and set up again: paused with reason restart, totals kept, resumable."""
    await call(hass, "start_session", program="steady_10")
    await travel(hass, freezer, timedelta(minutes=4))  # 1 min into backward
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    belt = loaded_entry.runtime_data.controller.treadmill
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PAUSE_REASON).state == "restart"
    assert float(hass.states.get(BACKWARD_TIME).state) == 1
    assert not belt.status.running
    await travel(hass, freezer, timedelta(minutes=1))
    assert not belt.status.running  # nothing restarts by itself
    await call(hass, "resume")
    assert hass.states.get(PHASE).state == "backward"
    assert belt.status.running
    assert (
        hass.states.get("sensor.demo_treadmill_interval_ends").state
        == (dt_util.utcnow() + timedelta(minutes=9)).isoformat()
    )


async def test_crash_mid_session_is_restored_paused_at_the_last_save(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A running session saved 10 minutes before a crash comes back paused, belt stopped."""
    crash_clock = dt_util.utcnow() - timedelta(minutes=12)
    session = started("steady_10", lambda: crash_clock)
    saved_at = crash_clock + timedelta(minutes=2)
    hass_storage[storage_key(config_entry)] = saved(
        session.snapshot(), saved_at.isoformat()
    )
    with patch.object(VirtualTreadmill, "async_stop", autospec=True) as stop:
        await setup_entry(hass, config_entry)
    stop.assert_awaited()  # the belt is told to stop at startup
    assert hass.states.get(PHASE).state == "paused"
    paused = bus_events[-1]
    assert (paused.data["type"], paused.data["reason"]) == ("session_paused", "restart")
    controller = config_entry.runtime_data.controller
    totals = controller.session.totals()
    assert totals.forward == timedelta(minutes=2)
    assert totals.paused == timedelta(minutes=10)


async def test_paused_session_keeps_paused_with_reason_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A session paused before the restart is paused after it, reason restart."""
    now = dt_util.utcnow()
    session = started("intervals_3_1", lambda: now)
    session.pause("user")
    hass_storage[storage_key(config_entry)] = saved(session.snapshot(), now.isoformat())
    await setup_entry(hass, config_entry)
    assert hass.states.get(PAUSE_REASON).state == "restart"
    assert bus_events[-1].data["reason"] == "restart"


@pytest.mark.parametrize(
    "stored",
    [
        saved({"status": "running"}, "2026-11-21T06:00:00+00:00"),
        saved({}, "not a time"),
        {"version": 1, "key": "x", "data": "garbage"},
        saved(None, "2026-11-21T06:00:00+00:00"),
    ],
)
async def test_damaged_or_empty_store_starts_idle(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    stored: dict[str, Any],
) -> None:
    """An unreadable or empty saved session is ignored; the treadmill works."""
    hass_storage[storage_key(config_entry)] = stored
    await setup_entry(hass, config_entry)
    assert hass.states.get(PHASE).state == "idle"
    await call(hass, "start_session")
    assert hass.states.get(PHASE).state == "forward"


async def test_stored_session_that_had_ended_is_not_brought_back(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """A stopped session found in the store (edited by hand) is not restored."""
    now = dt_util.utcnow()
    session = started("steady_10", lambda: now)
    session.stop("user")
    hass_storage[storage_key(config_entry)] = saved(session.snapshot(), now.isoformat())
    await setup_entry(hass, config_entry)
    assert hass.states.get(PHASE).state == "idle"


async def test_finished_session_is_not_brought_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a completed session the store holds nothing to restore."""
    await call(
        hass, "start_session", intervals=[{"direction": "forward", "duration": 5}]
    )
    await travel(hass, freezer, timedelta(seconds=5))
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[storage_key(loaded_entry)]["data"]["session"] is None
    assert hass.states.get(PHASE).state == "idle"


async def test_changes_are_saved_while_running(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Each transition is written to the store shortly after."""
    await call(hass, "start_session")
    await travel(hass, freezer, timedelta(seconds=2))
    data = hass_storage[storage_key(loaded_entry)]["data"]
    assert data["session"]["status"] == "running"


async def test_removing_the_entry_deletes_its_saved_session(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A deleted treadmill leaves no session, history or coach file behind."""
    await call(hass, "start_session")
    await call(hass, "stop")  # recorded in the history
    await call(hass, "start_session")
    await call(hass, "pause")
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    files = [
        storage_key(loaded_entry),
        f"retrowalk.{loaded_entry.entry_id}.history",
        f"retrowalk.{loaded_entry.entry_id}.coach",
    ]
    assert all(key in hass_storage for key in files)
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert not [key for key in files if key in hass_storage]


async def _press_stop_while(
    hass: HomeAssistant, entry: MockConfigEntry, blocked: asyncio.Event
) -> None:
    """Reload the entry, press the old Stop button while `blocked`, then let go."""
    old = entry.runtime_data.controller
    reloading = asyncio.ensure_future(hass.config_entries.async_reload(entry.entry_id))
    await until(lambda: old.belt.closed)
    for _ in range(20):
        await asyncio.sleep(0)
    pressing = asyncio.ensure_future(
        hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.demo_treadmill_stop"},
            blocking=True,
        )
    )
    for _ in range(20):
        await asyncio.sleep(0)
    blocked.set()
    await pressing
    assert await reloading
    await hass.async_block_till_done()
    assert entry.runtime_data.controller is not old


def _history(entry: MockConfigEntry) -> list[tuple[str, str | None]]:
    return [
        (record.outcome.value, record.end_reason)
        for record in entry.runtime_data.planner.history.records
    ]


async def test_a_stop_while_the_old_controller_shuts_down_is_recorded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """F: Stop pressed while a reload waits for the belt: the session ends, recorded."""
    await call(hass, "start_session", program="steady_10")
    await travel(hass, freezer, timedelta(minutes=1))
    belt = loaded_entry.runtime_data.controller.treadmill
    original, let_go = belt.async_stop, asyncio.Event()

    async def slow_stop() -> None:
        await original()
        await let_go.wait()

    with patch.object(belt, "async_stop", slow_stop):
        await _press_stop_while(hass, loaded_entry, let_go)
    assert hass.states.get(PHASE).state == "idle"
    assert _history(loaded_entry) == [("stopped", "user")]
    await travel(hass, freezer, timedelta(seconds=10))  # any delayed save
    assert hass_storage[storage_key(loaded_entry)]["data"]["session"] is None
    assert not belt.status.running


async def test_a_stop_after_the_old_controller_let_go_is_applied_by_the_new_one(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    bus_events: list[Event],
) -> None:
    """F: Stop pressed after the session was saved paused: the next controller ends it."""
    await call(hass, "start_session", program="steady_10")
    await travel(hass, freezer, timedelta(minutes=1))
    planner = loaded_entry.runtime_data.planner
    original, let_go = planner.async_shutdown, asyncio.Event()

    async def slow_shutdown() -> None:
        await original()
        await let_go.wait()

    with patch.object(planner, "async_shutdown", slow_shutdown):
        await _press_stop_while(hass, loaded_entry, let_go)
    assert hass.states.get(PHASE).state == "idle"
    assert _history(loaded_entry) == [("stopped", "user")]
    assert bus_events[-1].data["type"] == "session_stopped"
    await travel(hass, freezer, timedelta(seconds=10))  # any delayed save
    data = hass_storage[storage_key(loaded_entry)]["data"]
    assert data["session"] is None
    assert data["stop_requested"] is None


async def test_saves_of_a_controller_that_let_go_are_ignored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """F: the old controller can never write over what the new one keeps."""
    await call(hass, "start_session", program="steady_10")
    old = loaded_entry.runtime_data.controller
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    old._store.async_schedule_save(old._owner, None)
    await old._store.async_save(old._owner, None)
    await travel(hass, freezer, timedelta(seconds=10))
    assert hass_storage[storage_key(loaded_entry)]["data"]["session"]["status"] == (
        "paused"
    )


@pytest.mark.parametrize(
    "stored",
    [
        {"version": 2, "minor_version": 1, "key": "x", "data": {"anything": 1}},
        {"version": 9, "key": "x", "data": None},
        {"version": 1, "minor_version": 1, "key": "x", "data": [1, 2]},
        {"version": 1, "minor_version": 1, "key": "x", "data": {"session": 3}},
        {"version": 1, "minor_version": 1, "key": "x", "data": {"saved_at": 1}},
        {"data": {"session": None}},
        [],
    ],
)
async def test_a_session_file_it_cannot_use_is_never_a_setup_error(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    stored: Any,
) -> None:
    """G: newer versions and other layouts: set up idle, the treadmill works."""
    hass_storage[storage_key(config_entry)] = stored
    await setup_entry(hass, config_entry)
    assert hass.states.get(PHASE).state == "idle"
    await call(hass, "start_session")
    await call(hass, "stop")
    assert hass.states.get(PHASE).state == "idle"


async def test_a_session_file_from_a_newer_retrowalk_is_left_untouched(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """G: a newer major version is kept as it is; sessions live in memory only."""
    newer = {"version": 2, "minor_version": 1, "key": "x", "data": {"future": True}}
    hass_storage[storage_key(config_entry)] = dict(newer)
    await setup_entry(hass, config_entry)
    await call(hass, "start_session")
    await travel(hass, freezer, timedelta(seconds=10))
    assert hass_storage[storage_key(config_entry)] == newer
    assert "written by a newer retrowalk" in caplog.text
