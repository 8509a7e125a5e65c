"""The workout calendar never shows an event Home Assistant refuses.

Home Assistant compares an event's end and start on the local wall clock, so on
the night clocks fall back an event from 01:50 to 01:10 (forty minutes later in
real time) is refused, and so is one that ends before it starts after the clock
was set back. Every state write (and so every command) would then fail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.calendar import CalendarEvent
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.calendar import (
    planned_event,
    session_event,
    walked_event,
)
from custom_components.retrowalk.const import (
    CONF_MISSED_AFTER,
    CONF_SESSION_TIME,
    CONF_WEEKDAYS,
)
from custom_components.retrowalk.workout.history import (
    Outcome,
    SessionRecord,
    missed_record,
)
from custom_components.retrowalk.workout.schedule import Schedule, occurrences
from custom_components.retrowalk.workout.units import SpeedUnit

from .helpers import PHASE, PREFIX, call, setup_entry, travel
from .test_planner import with_options

CALENDAR = f"calendar.{PREFIX}_workouts"
NEW_YORK = "America/New_York"
# 2026-11-01 01:00-02:00 happens twice in New York: 05:00-06:00Z (EDT), 06:00-07:00Z (EST).
FALL_BACK_DAY = "2026-11-01"
EVERY_DAY = [str(day) for day in range(7)]
DAY = timedelta(days=1)
DST_ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a half-hour change
    "Pacific/Chatham",
]


async def new_york_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, session_time: str
) -> MockConfigEntry:
    """Set the zone to New York, then set up an entry with a session every day."""
    await hass.config.async_set_time_zone(NEW_YORK)
    entry = with_options(
        config_entry,
        **{
            CONF_WEEKDAYS: EVERY_DAY,
            CONF_SESSION_TIME: session_time,
            CONF_MISSED_AFTER: 30,
        },
    )
    await setup_entry(hass, entry)
    return entry


def shown(hass: HomeAssistant) -> tuple[datetime, datetime]:
    """The calendar entity's event as it shows it (local wall times, parsed)."""
    state = hass.states.get(CALENDAR)
    assert state is not None
    attributes = state.attributes
    return (
        datetime.fromisoformat(attributes["start_time"]),
        datetime.fromisoformat(attributes["end_time"]),
    )


async def events(
    hass: HomeAssistant, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """calendar.get_events for the workout calendar."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    found: list[dict[str, Any]] = response[CALENDAR]["events"]
    for event in found:
        assert dt_util.parse_datetime(event["start"]) < dt_util.parse_datetime(
            event["end"]
        )
    return found


@pytest.mark.parametrize("session_time", ["01:30:00", "01:45:00", "01:59:00"])
async def test_slot_in_the_repeated_hour_all_day_before(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    session_time: str,
) -> None:
    """The next session is in the hour that happens twice: the calendar still shows it."""
    freezer.move_to("2026-10-31T16:00:00+00:00")  # Saturday noon in New York
    entry = await new_york_entry(hass, config_entry, session_time)

    assert entry.state is ConfigEntryState.LOADED
    start, end = shown(hass)
    assert start == datetime.fromisoformat(f"{FALL_BACK_DAY} {session_time}")
    assert end > start
    # Every command writes the entities: one works all day.
    await call(hass, "start_session")
    assert hass.states.get(PHASE).state == "forward"
    found = await events(hass, dt_util.utcnow(), dt_util.utcnow() + timedelta(days=2))
    assert [e["summary"] for e in found].count("Demo Treadmill: backward walk") == 2


async def test_session_across_the_fall_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Started at 01:55 EDT, it runs past 01:00 EST: shown, paused, recorded, listed."""
    freezer.move_to("2026-11-01T05:55:00+00:00")  # 01:55 EDT
    await new_york_entry(hass, config_entry, "18:00:00")

    await call(hass, "start_session", program="steady_10")  # 13 minutes
    start, end = shown(hass)
    assert end > start
    await travel(hass, freezer, timedelta(minutes=10))  # 01:05 EST
    await call(hass, "pause")
    await call(hass, "stop")

    (walked,) = [
        e
        for e in await events(
            hass,
            datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
            datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        )
        if "stopped" in e["summary"]
    ]
    assert dt_util.parse_datetime(walked["start"]) == datetime(
        2026, 11, 1, 5, 55, tzinfo=UTC
    )


async def test_missed_slots_in_the_repeated_hour_are_listed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """The 01:45 slot of the fall-back day, missed, and the slots ahead."""
    freezer.move_to("2026-10-31T16:00:00+00:00")
    entry = await new_york_entry(hass, config_entry, "01:45:00")
    await travel(hass, freezer, timedelta(days=1))

    records = entry.runtime_data.planner.history.records
    assert [r.outcome for r in records] == [Outcome.MISSED]
    found = await events(
        hass,
        datetime(2026, 10, 31, tzinfo=UTC),
        datetime(2026, 11, 4, tzinfo=UTC),
    )
    missed = found[0]
    assert missed["summary"] == "Demo Treadmill: missed"
    # 01:45 EDT, the first of the two 01:45s.
    assert dt_util.parse_datetime(missed["start"]) == datetime(
        2026, 11, 1, 5, 45, tzinfo=UTC
    )


async def test_clock_set_back_during_a_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
) -> None:
    """A session that started 'in the future' is still shown and can be paused."""
    await call(hass, "start_session")
    freezer.move_to(dt_util.utcnow() - timedelta(hours=2))

    await call(hass, "pause")

    assert hass.states.get(PHASE).state == "paused"
    start, end = shown(hass)
    assert end > start
    await call(hass, "stop")
    found = await events(
        hass, dt_util.utcnow() - timedelta(days=1), dt_util.utcnow() + timedelta(days=1)
    )
    assert any("stopped" in e["summary"] for e in found)


# --- every event, in every zone with daylight saving --------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.just(UTC),
)


def valid(event: CalendarEvent, zone: ZoneInfo) -> None:
    """What Home Assistant checks, and strictly: later in real and wall-clock time."""
    assert event.start < event.end
    local_start = event.start_datetime_local.replace(tzinfo=None)
    local_end = event.end_datetime_local.replace(tzinfo=None)
    assert local_start < local_end, (zone, event.start, event.end)


@pytest.fixture
def default_zone() -> Any:
    """Set Home Assistant's time zone for plain code, and put it back afterwards."""
    before = dt_util.get_default_time_zone()
    yield lambda name: dt_util.set_default_time_zone(ZoneInfo(name))
    dt_util.set_default_time_zone(before)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    zone_name=st.sampled_from(DST_ZONES),
    start=moments,
    length=st.timedeltas(min_value=timedelta(hours=-3), max_value=timedelta(hours=3)),
    now_offset=st.timedeltas(
        min_value=timedelta(hours=-3), max_value=timedelta(hours=3)
    ),
    outcome=st.sampled_from(Outcome),
)
def test_every_event_ends_after_it_starts(
    default_zone: Any,
    zone_name: str,
    start: datetime,
    length: timedelta,
    now_offset: timedelta,
    outcome: Outcome,
) -> None:
    """Walked, missed, running and planned events, across every clock change."""
    default_zone(zone_name)
    zone = ZoneInfo(zone_name)
    record = SessionRecord(
        started_at=start,
        ended_at=None if outcome is Outcome.MISSED else start + length,
        program="steady_10",
        outcome=outcome,
    )
    valid(walked_event("T", record), zone)
    valid(walked_event("T", missed_record(start, "steady_10")), zone)
    valid(session_event("T", start, start + length, now=start + now_offset), zone)
    valid(session_event("T", start, None, now=start + now_offset), zone)
    valid(planned_event("T", start), zone)


def clock_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """Noon UTC of each day of `year` after which the zone's offset is different."""
    days = [
        datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(366)
    ]
    return [
        day
        for day, after in itertools.pairwise(days)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset()
    ]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    zone_name=st.sampled_from(DST_ZONES),
    minute_of_day=st.integers(0, 24 * 60 - 1),
    year=st.integers(2025, 2030),
)
def test_every_scheduled_slot_around_a_clock_change_is_a_valid_event(
    default_zone: Any, zone_name: str, minute_of_day: int, year: int
) -> None:
    """Any time of day, on the days around each clock change of a year."""
    default_zone(zone_name)
    zone = ZoneInfo(zone_name)
    schedule = Schedule(
        weekdays=frozenset(range(7)),
        time_of_day=(datetime(2000, 1, 1) + timedelta(minutes=minute_of_day)).time(),
        missed_after=timedelta(minutes=30),
        time_zone=zone,
    )
    changes = clock_changes(zone, year)
    assert len(changes) == 2
    for change in changes:
        for slot in occurrences(schedule, change - DAY, change + 2 * DAY):
            valid(planned_event("T", slot), zone)
            valid(walked_event("T", missed_record(slot, "steady_10")), zone)


@pytest.mark.parametrize(
    ("unit", "distance_km", "summary", "description"),
    [
        (
            SpeedUnit.MPH,
            1.609344 * 0.25,
            "T: completed, 14 min backward",
            "Program steady_10; forward 16 min, backward 14 min, paused 10 s; 0.25 mi",
        ),
        (
            SpeedUnit.KMH,
            0.4,
            "T: completed, 14 min backward",
            "Program steady_10; forward 16 min, backward 14 min, paused 10 s; 0.40 km",
        ),
        (
            SpeedUnit.MPH,
            0.0067,
            "T: completed, 14 min backward",
            "Program steady_10; forward 16 min, backward 14 min, paused 10 s; 22 ft",
        ),
    ],
)
def test_a_walked_session_in_the_treadmills_unit(
    unit: SpeedUnit, distance_km: float, summary: str, description: str
) -> None:
    """Distances in the treadmill's unit (feet or metres when short), times to the second."""
    start = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    record = SessionRecord(
        started_at=start,
        ended_at=start + timedelta(minutes=30, seconds=10),
        program="steady_10",
        outcome=Outcome.COMPLETED,
        forward_seconds=960,
        backward_seconds=840,
        paused_seconds=10,
        distance_km=distance_km,
    )
    event = walked_event("T", record, unit)
    assert event.summary == summary
    assert event.description == description
    short = SessionRecord(
        started_at=start,
        ended_at=start + timedelta(seconds=30),
        program="custom",
        outcome=Outcome.COMPLETED,
        forward_seconds=20,
        backward_seconds=10,
    )
    assert walked_event("T", short, unit).summary == "T: completed, 10 s backward"
    long = SessionRecord(
        started_at=start,
        ended_at=start + timedelta(minutes=4),
        program="custom",
        outcome=Outcome.STOPPED,
        backward_seconds=150.4,
    )
    assert walked_event("T", long, unit).summary == "T: stopped, 2 min 30 s backward"
