"""The planner in Home Assistant: history, schedule timers, missed sessions, coach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_MISSED_AFTER,
    CONF_SESSION_TIME,
    CONF_WEEKDAYS,
    DOMAIN,
)
from custom_components.retrowalk.workout.history import Outcome, SessionRecord

from .helpers import PHASE, PREFIX, WORKOUT, call, setup_entry, spotter_off, travel

NEXT_SESSION = f"sensor.{PREFIX}_next_session"
THIS_WEEK = f"sensor.{PREFIX}_sessions_this_week"
MINUTES_THIS_WEEK = f"sensor.{PREFIX}_backward_minutes_this_week"
STREAK = f"sensor.{PREFIX}_streak"
LEVEL = f"sensor.{PREFIX}_progression_level"
LIFETIME_TIME = f"sensor.{PREFIX}_lifetime_backward_time"
LIFETIME_SESSIONS = f"sensor.{PREFIX}_lifetime_sessions"
LIFETIME_DISTANCE = f"sensor.{PREFIX}_lifetime_distance"
CALENDAR = f"calendar.{PREFIX}_workouts"

# One minute forward, two backward: a complete session in three minutes.
SHORT = [
    {"direction": "forward", "duration": "00:01:00"},
    {"direction": "backward", "duration": "00:02:00"},
]
# Now (2026-11-21T07:00Z) is Saturday 08:00 in Berlin; Monday's 18:00 slot is 17:00Z.
MONDAY_SLOT = datetime.fromisoformat("2026-11-23T17:00:00+00:00")
WEDNESDAY_SLOT = datetime.fromisoformat("2026-11-25T17:00:00+00:00")


def with_options(entry: MockConfigEntry, **options: Any) -> MockConfigEntry:
    """The fixture's entry with schedule options added (not yet set up)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options=dict(entry.options) | options,
    )


async def berlin_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, **options: Any
) -> MockConfigEntry:
    """Set the zone to Europe/Berlin, then set up an entry with a schedule."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = with_options(
        config_entry,
        **{
            CONF_WEEKDAYS: ["0", "2", "4"],
            CONF_SESSION_TIME: "18:00:00",
            CONF_MISSED_AFTER: 30,
        }
        | options,
    )
    await setup_entry(hass, entry)
    return entry


def of_type(events: list[Event], kind: str) -> list[dict[str, Any]]:
    """The data of the bus events of one type."""
    return [e.data for e in events if e.data["type"] == kind]


async def walk_short_session(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Walk SHORT to the end."""
    await call(hass, "start_session", intervals=SHORT)
    for _ in range(3):
        await travel(hass, freezer, timedelta(minutes=1))


def records(entry: MockConfigEntry) -> tuple[SessionRecord, ...]:
    """The entry's history."""
    return entry.runtime_data.planner.history.records


def state(hass: HomeAssistant, entity_id: str) -> str:
    """An entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


# --- history ------------------------------------------------------------------


async def test_completed_session_is_recorded(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """A finished session: one COMPLETED record with energy, sensors, kept on reload."""
    entry = with_options(config_entry, **{CONF_BODY_MASS: 70})
    await setup_entry(hass, entry)
    assert state(hass, LIFETIME_SESSIONS) == "0"
    start = dt_util.utcnow()

    await walk_short_session(hass, freezer)

    (record,) = records(entry)
    assert record.outcome is Outcome.COMPLETED
    assert record.started_at == start
    assert record.ended_at == start + timedelta(minutes=3)
    assert record.backward_seconds == 120
    assert record.forward_seconds == 60
    assert record.met_minutes > 0
    assert record.kcal == pytest.approx(record.met_minutes * 70 / 60)
    assert state(hass, THIS_WEEK) == "1"
    assert float(state(hass, MINUTES_THIS_WEEK)) == 2.0
    assert state(hass, LIFETIME_SESSIONS) == "1"
    assert float(state(hass, LIFETIME_TIME)) == 2.0
    # 0.5 mph for three minutes, shown in miles.
    assert float(state(hass, LIFETIME_DISTANCE)) == pytest.approx(0.025, abs=1e-3)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert records(entry) == (record,)
    assert state(hass, LIFETIME_SESSIONS) == "1"


async def test_stopped_session_is_recorded_without_kcal(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_entry: MockConfigEntry
) -> None:
    """A stopped session is STOPPED, counts its minutes but not toward the target."""
    await call(hass, "start_session", intervals=SHORT)
    await travel(hass, freezer, timedelta(minutes=2))
    await call(hass, "stop")

    (record,) = records(loaded_entry)
    assert record.outcome is Outcome.STOPPED
    assert record.end_reason is not None
    assert record.backward_seconds == 60
    assert record.kcal is None
    assert state(hass, THIS_WEEK) == "0"
    assert float(state(hass, MINUTES_THIS_WEEK)) == 1.0
    assert state(hass, LIFETIME_SESSIONS) == "1"


async def test_damaged_history_never_reaches_the_sensors(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Implausible records are kept but not used: setup works, sums stay finite."""
    good = SessionRecord(
        started_at=datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
        ended_at=datetime(2026, 11, 20, 7, 20, tzinfo=UTC),
        program="beginner_alternating",
        outcome=Outcome.COMPLETED,
        backward_seconds=600.0,
        distance_km=1.0,
    ).to_dict()
    damaged = [
        good | {"started_at": "2026-11-19T07:00:00+00:00", "backward_seconds": bad}
        for bad in ("Infinity", "NaN", 1.7e308, -600)
    ] + [good | {"started_at": "2026-11-18T07:00:00+00:00", "distance_km": 1.7e308}]
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}.history"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}.history",
        "data": {"records": [*damaged, good], "damaged": []},
    }

    await setup_entry(hass, config_entry)

    assert config_entry.state is ConfigEntryState.LOADED
    assert float(state(hass, LIFETIME_TIME)) == 10.0
    assert state(hass, LIFETIME_SESSIONS) == "1"
    assert float(state(hass, LIFETIME_DISTANCE)) == pytest.approx(1 / 1.609344)
    assert float(state(hass, MINUTES_THIS_WEEK)) == 10.0
    assert config_entry.runtime_data.planner.history.damaged_count == 5


@pytest.mark.parametrize("bad", [-600.0, float("inf"), float("nan")])
async def test_totals_are_never_negative_or_infinite(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, bad: float
) -> None:
    """A record made in code with an impossible amount makes a total unknown, no more."""
    started = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    loaded_entry.runtime_data.planner.history.async_add(
        SessionRecord(
            started_at=started,
            ended_at=started + timedelta(minutes=20),
            program="beginner_alternating",
            outcome=Outcome.COMPLETED,
            backward_seconds=bad,
            distance_km=bad,
        )
    )
    await hass.async_block_till_done()

    for entity_id in (LIFETIME_TIME, LIFETIME_DISTANCE, MINUTES_THIS_WEEK):
        assert state(hass, entity_id) == "unknown"
    assert state(hass, LIFETIME_SESSIONS) == "1"


# --- the schedule -------------------------------------------------------------


async def test_session_due_at_local_time_then_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """Monday 18:00 Berlin: session_due; 30 minutes later without a session: missed."""
    entry = await berlin_entry(hass, config_entry)
    assert state(hass, NEXT_SESSION) == MONDAY_SLOT.isoformat()
    idle = state(hass, PHASE)

    await travel(hass, freezer, MONDAY_SLOT - dt_util.utcnow() - timedelta(seconds=1))
    assert not of_type(bus_events, "session_due")
    await travel(hass, freezer, timedelta(seconds=1))

    (due,) = of_type(bus_events, "session_due")
    assert due["scheduled_for"] == MONDAY_SLOT.isoformat()
    assert due["auto_start"] is False
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_due"
    assert state(hass, PHASE) == idle
    assert state(hass, NEXT_SESSION) == WEDNESDAY_SLOT.isoformat()

    await travel(hass, freezer, timedelta(minutes=29, seconds=59))
    assert not of_type(bus_events, "session_missed")
    await travel(hass, freezer, timedelta(seconds=1))
    (missed,) = of_type(bus_events, "session_missed")
    assert missed["scheduled_for"] == MONDAY_SLOT.isoformat()
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_missed"
    (record,) = records(entry)
    assert record.outcome is Outcome.MISSED
    assert record.scheduled_for == MONDAY_SLOT


async def test_missed_when_timer_fires_late(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """With the timer a second late, the slot is missed at its deadline."""
    entry = await berlin_entry(hass, config_entry)
    await travel(hass, freezer, MONDAY_SLOT - dt_util.utcnow() + timedelta(seconds=1))
    assert len(of_type(bus_events, "session_due")) == 1
    await travel(hass, freezer, timedelta(minutes=29, seconds=58))
    assert not of_type(bus_events, "session_missed")
    await travel(hass, freezer, timedelta(seconds=1))
    (missed,) = of_type(bus_events, "session_missed")
    assert missed["scheduled_for"] == MONDAY_SLOT.isoformat()
    assert [r.outcome for r in records(entry)] == [Outcome.MISSED]


async def test_session_in_window_keeps_slot(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A session started late within the window keeps the slot: nothing missed."""
    entry = await berlin_entry(hass, config_entry)
    await travel(hass, freezer, MONDAY_SLOT - dt_util.utcnow() + timedelta(minutes=10))
    await walk_short_session(hass, freezer)
    await travel(hass, freezer, timedelta(hours=1))

    assert not of_type(bus_events, "session_missed")
    (record,) = records(entry)
    assert record.outcome is Outcome.COMPLETED
    assert record.scheduled_for == MONDAY_SLOT


async def test_missed_while_down_booked_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A slot that passed while unloaded is booked once, silently; none before creation."""
    entry = await berlin_entry(hass, config_entry)
    # Friday 2026-11-20 was a slot, but before the entry was created.
    assert records(entry) == ()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    freezer.move_to("2026-11-24T09:00:00+00:00")  # Tuesday
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    (record,) = records(entry)
    assert record.outcome is Outcome.MISSED
    assert record.started_at == MONDAY_SLOT
    assert not of_type(bus_events, "session_missed")

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [r.started_at for r in records(entry)] == [MONDAY_SLOT]


async def test_auto_start_with_spotter(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """auto_start with the spotter there starts the selected program at the slot."""
    entry = await berlin_entry(
        hass, config_entry, **{CONF_AT_SESSION_TIME: "auto_start"}
    )
    idle = state(hass, PHASE)
    await travel(hass, freezer, MONDAY_SLOT - dt_util.utcnow())

    (due,) = of_type(bus_events, "session_due")
    assert due["auto_start"] is True
    assert state(hass, PHASE) != idle
    assert entry.runtime_data.controller.is_active
    assert of_type(bus_events, "session_started")
    await call(hass, "stop")
    assert not entry.runtime_data.controller.is_active


async def test_auto_start_without_spotter_reminds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """auto_start with the spotter away only reminds."""
    entry = await berlin_entry(
        hass, config_entry, **{CONF_AT_SESSION_TIME: "auto_start"}
    )
    idle = state(hass, PHASE)
    await spotter_off(hass)
    await travel(hass, freezer, MONDAY_SLOT - dt_util.utcnow())

    (due,) = of_type(bus_events, "session_due")
    assert due["auto_start"] is False
    assert state(hass, PHASE) == idle
    assert not entry.runtime_data.controller.is_active


# --- calendar -----------------------------------------------------------------


async def test_calendar_shows_sessions_and_slots(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """get_events lists the walked session with its summary and the slots ahead."""
    await berlin_entry(hass, config_entry)
    start = dt_util.utcnow()
    await walk_short_session(hass, freezer)
    assert hass.states.get(CALENDAR).attributes["start_time"] == "2026-11-23 18:00:00"

    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": CALENDAR,
            "start_date_time": start - timedelta(hours=1),
            "end_date_time": start + timedelta(days=5),
        },
        blocking=True,
        return_response=True,
    )
    events = response[CALENDAR]["events"]
    assert [e["summary"] for e in events] == [
        "Demo Treadmill: completed, 2.0 min backward",
        "Demo Treadmill: backward walk",
        "Demo Treadmill: backward walk",
    ]
    assert dt_util.parse_datetime(events[0]["start"]) == start
    assert "custom" in events[0]["description"]
    assert dt_util.parse_datetime(events[1]["start"]) == MONDAY_SLOT
    assert dt_util.parse_datetime(events[2]["start"]) == WEDNESDAY_SLOT


# --- services -----------------------------------------------------------------


async def get_history(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call get_history and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "get_history", data, blocking=True, return_response=True
    )
    assert response is not None
    return response


async def test_get_history(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_entry: MockConfigEntry
) -> None:
    """get_history returns the records, filtered by date; bad input is refused."""
    await walk_short_session(hass, freezer)
    today = dt_util.now().date()

    response = await get_history(hass)
    (record,) = response["records"]
    assert record["outcome"] == "completed"
    assert record["backward_seconds"] == 120
    assert response["units"]["distance"] == "km"
    assert len((await get_history(hass, start=str(today)))["records"]) == 1
    tomorrow = today + timedelta(days=1)
    assert (await get_history(hass, start=str(tomorrow)))["records"] == []
    assert (await get_history(hass, end=str(today)))["records"] == []

    with pytest.raises(ServiceValidationError) as err:
        await get_history(hass, start=str(tomorrow), end=str(today))
    assert err.value.translation_key == "invalid_range"
    with pytest.raises(ServiceValidationError) as err:
        await get_history(hass, start="yesterday")
    assert err.value.translation_key == "invalid_date"


async def test_set_level_and_progressive_program(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """set_progression_level moves the level sensor and the progressive program."""
    assert state(hass, LEVEL) == "0"
    await call(hass, "set_progression_level", level=2)
    assert state(hass, LEVEL) == "2"
    attributes = hass.states.get(LEVEL).attributes
    assert attributes["backward_interval_minutes"] == 5
    assert attributes["backward_intervals"] == 2
    assert attributes["next_backward_interval_minutes"] == 10

    maximum = attributes["max_level"]
    for bad in (maximum + 1, -1, "two"):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, "set_progression_level", level=bad)
        assert err.value.translation_key == "invalid_level"
    assert state(hass, LEVEL) == "2"

    await call(hass, "start_session", program="progressive")
    session = loaded_entry.runtime_data.controller.session
    assert session is not None
    assert session.program.key == "progressive"
    backward = [i for i in session.program.intervals if i.direction.value == "backward"]
    assert [i.duration for i in backward] == [timedelta(minutes=5)] * 2


async def test_progression_follows_the_weeks(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_entry: MockConfigEntry
) -> None:
    """A week with the target met moves up a level; a week without sessions down."""
    history = loaded_entry.runtime_data.planner.history
    # Now is Friday 2026-11-20 23:00 in US/Pacific; this week began Monday 11-16.
    for day in ("2026-11-17", "2026-11-19", "2026-11-21"):
        started = datetime.fromisoformat(f"{day}T03:00:00+00:00")
        history.async_add(
            SessionRecord(
                started_at=started,
                ended_at=started + timedelta(minutes=20),
                program="progressive",
                outcome=Outcome.COMPLETED,
                backward_seconds=600,
            )
        )
    await hass.async_block_till_done()
    assert state(hass, THIS_WEEK) == "3"
    assert state(hass, STREAK) == "1"
    assert state(hass, LEVEL) == "0"

    # Monday 2026-11-23 00:00 Pacific is 08:00Z.
    await travel(hass, freezer, timedelta(days=2, hours=1))
    assert state(hass, LEVEL) == "1"
    assert state(hass, THIS_WEEK) == "0"
    assert state(hass, STREAK) == "1"

    for _ in range(7):
        await travel(hass, freezer, timedelta(days=1))
    assert state(hass, LEVEL) == "0"
    assert state(hass, STREAK) == "0"
    assert [r.outcome for r in records(loaded_entry)].count(Outcome.MISSED) == 3


# --- the download -------------------------------------------------------------


async def test_history_download(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    hass_client: Any,
    hass_client_no_auth: Any,
) -> None:
    """The history view serves the recorded session as JSON, only when signed in."""
    await walk_short_session(hass, freezer)
    url = f"/api/retrowalk/history/{loaded_entry.entry_id}?format=json"

    client = await hass_client()
    response = await client.get(url)
    assert response.status == HTTPStatus.OK, await response.text()
    body = await response.json()
    assert "completed" in str(body)

    anonymous = await hass_client_no_auth()
    response = await anonymous.get(url)
    assert response.status == HTTPStatus.UNAUTHORIZED


async def test_schedule_follows_a_time_zone_change(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Moving Home Assistant to another zone keeps sessions at 18:00 local time."""
    entry = await berlin_entry(hass, config_entry)
    planner = entry.runtime_data.planner
    assert planner.next_session == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    await hass.config.async_update(time_zone="America/New_York")
    await hass.async_block_till_done()
    assert planner.next_session == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert state(hass, NEXT_SESSION) == "2026-11-23T23:00:00+00:00"


async def test_session_ended_just_before_a_reload_is_kept(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The history is written during unload, before the reload reads it again."""
    await call(hass, "start_session", intervals=SHORT)
    await call(hass, "stop")
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert [r.outcome.value for r in records(loaded_entry)] == ["stopped"]
