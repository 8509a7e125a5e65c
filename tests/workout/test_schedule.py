"""The weekly schedule: occurrences across DST, missed slots, weeks and streaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.history import Outcome, SessionRecord
from custom_components.retrowalk.workout.progression import next_level
from custom_components.retrowalk.workout.schedule import (
    DEFAULT_WEEKDAYS,
    Schedule,
    local_date,
    missed_occurrences,
    next_occurrence,
    occurrences,
    shown_end,
    slot_kept_by,
    streak_weeks,
    summarize_week,
    summarize_weeks,
    week_start,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    BERLIN,
    NEW_YORK,
    ZoneInfo("America/Santiago"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
]
EVERY_DAY = frozenset(range(7))
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def schedule(
    weekdays: frozenset[int] = DEFAULT_WEEKDAYS,
    at: time = time(18, 0),
    zone: tzinfo = BERLIN,
    missed_after: timedelta = 2 * HOUR,
) -> Schedule:
    """A schedule with test defaults."""
    return Schedule(
        weekdays=weekdays, time_of_day=at, missed_after=missed_after, time_zone=zone
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall_time(moment: datetime, zone: tzinfo) -> datetime:
    """The naive local wall time of an instant."""
    return moment.astimezone(zone).replace(tzinfo=None)


def dst_changes(zone: ZoneInfo) -> list[tuple[datetime, time]]:
    """The zone's offset changes in 2025–2027: the instant and the wall time it skips from.

    A zone without DST gets dates spread over the year instead.
    """

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(zone).utcoffset()

    def first_change(start: datetime, step: timedelta, count: int) -> datetime:
        return next(
            start + n * step
            for n in range(1, count + 1)
            if offset(start + n * step) != offset(start)
        )

    days = [utc(2025, 1, 1) + n * DAY for n in range(3 * 365)]
    changes = []
    for day, next_day in itertools.pairwise(days):
        if offset(day) != offset(next_day):
            hour = first_change(day, HOUR, 24) - HOUR
            instant = first_change(hour, MINUTE, 60)
            changes.append(
                (instant, (wall_time(instant - MINUTE, zone) + MINUTE).time())
            )
    return changes or [(day, time(2)) for day in days[::30]]


CHANGES = {zone.key: dst_changes(zone) for zone in ZONES}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Schedule, datetime, datetime]:
    """A random schedule and a date range around one of its zone's DST changes.

    Half of the times of day fall within 90 minutes of the wall time where the
    clocks change, so gaps and repeated hours come up often.
    """
    zone = draw(st.sampled_from(ZONES))
    change, wall_clock = draw(st.sampled_from(CHANGES[zone.key]))
    near_change = datetime.combine(date(2026, 1, 1), wall_clock) + timedelta(
        minutes=draw(st.integers(-90, 90))
    )
    time_of_day = draw(
        st.one_of(
            st.just(near_change.time()),
            st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
        )
    )
    plan = schedule(
        weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        at=time_of_day,
        zone=zone,
        missed_after=timedelta(minutes=draw(st.integers(1, 12 * 60))),
    )
    start = change - timedelta(minutes=draw(st.integers(0, 10 * 24 * 60)))
    end = start + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    return plan, start, end


def exists(wall: datetime, zone: tzinfo) -> bool:
    """Whether a naive wall time is shown by clocks in `zone` (not in a gap)."""
    return wall_time(wall.replace(tzinfo=zone).astimezone(UTC), zone) == wall


# --- validation --------------------------------------------------------------


def test_default_schedule_is_three_days_a_week() -> None:
    """Monday, Wednesday and Friday: the seeds' three sessions a week."""
    plan = Schedule(time_of_day=time(7), missed_after=HOUR, time_zone=BERLIN)
    assert plan.weekdays == {0, 2, 4}
    assert plan.weekly_target == 3


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"weekdays": frozenset()}, "invalid_weekdays"),
        ({"weekdays": frozenset({1, 7})}, "invalid_weekdays"),
        ({"weekdays": frozenset({-1})}, "invalid_weekdays"),
        ({"time_of_day": time(7, tzinfo=UTC)}, "invalid_time_of_day"),
        ({"missed_after": timedelta(0)}, "invalid_missed_after"),
    ],
)
def test_invalid_schedules_are_refused(changes: dict[str, Any], code: str) -> None:
    """Each broken field raises its own code."""
    fields: dict[str, Any] = {
        "weekdays": EVERY_DAY,
        "time_of_day": time(7),
        "missed_after": HOUR,
        "time_zone": BERLIN,
    } | changes
    with pytest.raises(WorkoutError) as caught:
        Schedule(**fields)
    assert caught.value.code == code


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime has no instant; the schedule refuses to guess one."""
    with pytest.raises(WorkoutError, match="naive_datetime"):
        occurrences(schedule(), datetime(2026, 3, 1), utc(2026, 3, 9))


# --- concrete DST examples ---------------------------------------------------


def test_berlin_spring_forward_moves_a_gap_time_forward() -> None:
    """02:30 does not exist on 2026-03-29 in Berlin: the session is at 03:30 CEST."""
    plan = schedule(EVERY_DAY, time(2, 30))
    found = occurrences(plan, utc(2026, 3, 28), utc(2026, 3, 31))
    assert found == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ]
    assert wall_time(found[1], BERLIN) == datetime(2026, 3, 29, 3, 30)


def test_berlin_fall_back_uses_the_first_of_two_times() -> None:
    """02:30 happens twice on 2026-10-25 in Berlin: the session is the CEST one."""
    plan = schedule(EVERY_DAY, time(2, 30))
    found = occurrences(plan, utc(2026, 10, 24), utc(2026, 10, 27))
    assert found == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]


def test_an_evening_session_keeps_its_wall_time_across_both_changes() -> None:
    """18:00 in Berlin is 17:00 UTC in winter and 16:00 UTC in summer."""
    plan = schedule(frozenset({6}))  # Sundays
    assert occurrences(plan, utc(2026, 3, 22), utc(2026, 4, 1)) == [
        utc(2026, 3, 22, 17),
        utc(2026, 3, 29, 16),
    ]
    assert occurrences(plan, utc(2026, 10, 18), utc(2026, 10, 26)) == [
        utc(2026, 10, 18, 16),
        utc(2026, 10, 25, 17),
    ]


def test_new_york_changes() -> None:
    """New York: 02:30 on 2026-03-08 is 03:30 EDT; 01:30 on 2026-11-01 is the EDT one."""
    spring = schedule(frozenset({6}), time(2, 30), NEW_YORK)
    assert occurrences(spring, utc(2026, 3, 8), utc(2026, 3, 9)) == [
        utc(2026, 3, 8, 7, 30)
    ]
    fall = schedule(frozenset({6}), time(1, 30), NEW_YORK)
    assert occurrences(fall, utc(2026, 11, 1), utc(2026, 11, 2)) == [
        utc(2026, 11, 1, 5, 30)
    ]


def test_santiago_midnight_gap() -> None:
    """Santiago skips from 00:00 to 01:00 on 2026-09-06: a 00:30 session is at 01:30."""
    santiago = ZoneInfo("America/Santiago")
    plan = schedule(frozenset({6}), time(0, 30), santiago)
    (found,) = occurrences(plan, utc(2026, 9, 5), utc(2026, 9, 8))
    assert wall_time(found, santiago) == datetime(2026, 9, 6, 1, 30)


def test_range_is_half_open() -> None:
    """An occurrence at `start` is included, one at `end` is not."""
    plan = schedule(EVERY_DAY, time(12), ZoneInfo("UTC"))
    assert occurrences(plan, utc(2026, 5, 1, 12), utc(2026, 5, 3, 12)) == [
        utc(2026, 5, 1, 12),
        utc(2026, 5, 2, 12),
    ]


def test_next_occurrence_is_strictly_after() -> None:
    """From the moment of a session, the next one is the following scheduled day."""
    plan = schedule()  # Mon/Wed/Fri 18:00 Berlin
    friday = utc(2026, 11, 20, 17)
    assert next_occurrence(plan, friday) == utc(2026, 11, 23, 17)
    assert next_occurrence(plan, friday - timedelta(microseconds=1)) == friday


# --- weeks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        # Sunday evening CET, the week of the spring change: Monday was still CET.
        (utc(2026, 3, 29, 20), utc(2026, 3, 22, 23)),
        # Sunday 22:30 UTC is Monday 00:30 CEST: a new week.
        (utc(2026, 3, 29, 22, 30), utc(2026, 3, 29, 22)),
        (utc(2026, 10, 28), utc(2026, 10, 25, 23)),
    ],
)
def test_week_start_is_local_monday_midnight(
    moment: datetime, monday: datetime
) -> None:
    """Weeks start at Monday 00:00 Berlin time, whatever the UTC offset."""
    assert week_start(moment, BERLIN) == monday


def test_week_start_where_monday_midnight_is_in_a_gap() -> None:
    """Tehran went from Monday 00:00 to 01:00 on 2021-03-22: the week starts at 01:00."""
    tehran = ZoneInfo("Asia/Tehran")
    start = week_start(utc(2021, 3, 24, 12), tehran)
    assert wall_time(start, tehran) == datetime(2021, 3, 22, 1)


def record(
    started: datetime,
    outcome: Outcome = Outcome.COMPLETED,
    backward_minutes: float = 10,
) -> SessionRecord:
    """A history record with test defaults."""
    return SessionRecord(
        started_at=started,
        ended_at=None
        if outcome is Outcome.MISSED
        else started + 20 * timedelta(minutes=1),
        program="steady_10",
        outcome=outcome,
        backward_seconds=0 if outcome is Outcome.MISSED else backward_minutes * 60,
    )


def test_summarize_week_counts_completed_and_backward_minutes() -> None:
    """Only completed sessions count; stopped ones add their backward minutes."""
    plan = schedule()
    records = [
        record(utc(2026, 11, 15, 22, 30)),  # Sunday 23:30 Berlin: the week before
        record(utc(2026, 11, 15, 23, 30)),  # Monday 00:30 Berlin
        record(utc(2026, 11, 18, 17), Outcome.STOPPED, backward_minutes=4),
        record(utc(2026, 11, 20, 17), Outcome.MISSED),
        record(utc(2026, 11, 21, 9), backward_minutes=10.5),
    ]
    summary = summarize_week(plan, records, utc(2026, 11, 19))
    assert summary.week_start == utc(2026, 11, 15, 23)
    assert summary.sessions_done == 2
    assert summary.backward_minutes == pytest.approx(24.5)
    assert summary.target == 3
    assert not summary.target_met
    records.append(record(utc(2026, 11, 22, 9)))
    assert summarize_week(plan, records, utc(2026, 11, 19)).target_met


def test_a_session_counts_from_a_completed_backward_minute() -> None:
    """A completed program with a minute backward counts; a quick demo does not."""
    plan = schedule()
    monday = utc(2026, 11, 16, 12)
    short = [
        record(monday, backward_minutes=10 / 60),  # the 30-second demo
        record(monday + HOUR, backward_minutes=59.999 / 60),
        record(monday + 2 * HOUR, Outcome.STOPPED, backward_minutes=20),
    ]
    assert not any(item.counts for item in short)
    week = summarize_week(plan, short, monday)
    assert week.sessions_done == 0
    # Their backward time is still walked time.
    assert week.backward_minutes == pytest.approx(20 + 70 / 60, abs=1e-3)
    enough = record(monday + 3 * HOUR, backward_minutes=1)
    assert enough.counts
    assert summarize_week(plan, [*short, enough], monday).sessions_done == 1
    # Three quick demos a week are no streak, and the coach sees an empty week.
    demos = [record(monday + n * DAY, backward_minutes=0.5) for n in (0, 2, 4)]
    assert streak_weeks(plan, demos, monday + 6 * DAY) == 0
    assert next_level(2, summarize_week(plan, demos, monday), max_level=5) == 1
    full = [record(monday + n * DAY, backward_minutes=1) for n in (0, 2, 4)]
    assert streak_weeks(plan, full, monday + 6 * DAY) == 1
    assert next_level(2, summarize_week(plan, full, monday), max_level=5) == 3


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.lists(st.integers(0, 70 * 24), max_size=12),
    st.integers(0, 8),
)
def test_summarize_weeks_agrees_with_each_week(
    zone: tzinfo, hours: list[int], weeks: int
) -> None:
    """The one-pass summaries are the weekly summaries, week by week (DST included)."""
    plan = schedule(zone=zone)
    origin = utc(2026, 2, 20)  # the range crosses spring DST changes
    records = [record(origin + h * HOUR) for h in hours]
    since = origin + 3 * DAY
    until = since + weeks * 7 * DAY
    found = summarize_weeks(plan, records, since, until)
    assert len(found) == weeks
    for n, week in enumerate(found):
        assert week == summarize_week(plan, records, since + n * 7 * DAY)


def full_week(monday: datetime) -> list[SessionRecord]:
    """Three completed sessions in the week starting at (UTC) `monday` noon."""
    return [record(monday + n * DAY + 12 * HOUR) for n in (0, 2, 4)]


MONDAY = utc(2026, 11, 16)  # Monday; Berlin's week starts an hour earlier


@pytest.mark.parametrize(
    ("met_weeks_ago", "now", "streak"),
    [
        ((1, 2, 3), MONDAY + 2 * DAY, 3),
        ((1, 2, 3, 5), MONDAY + 2 * DAY, 3),
        ((0, 1, 2, 3), MONDAY + 6 * DAY, 4),
        ((0, 2), MONDAY + 6 * DAY, 1),
        ((), MONDAY, 0),
    ],
)
def test_streak_counts_consecutive_weeks(
    met_weeks_ago: tuple[int, ...], now: datetime, streak: int
) -> None:
    """Finished weeks back from the last one, plus this week once it is met."""
    records = [
        item for weeks in met_weeks_ago for item in full_week(MONDAY - weeks * 7 * DAY)
    ]
    records += [record(MONDAY - 4 * 7 * DAY + 12 * HOUR)]  # one short week in between
    assert streak_weeks(schedule(), records, now) == streak


# --- missed sessions ---------------------------------------------------------


def test_missed_sessions_after_a_long_restart() -> None:
    """Days after the last check every closed slot without a session is missed."""
    plan = schedule()  # Mon/Wed/Fri 18:00 Berlin = 17:00 UTC, two hours to start
    monday, wednesday, friday = (
        utc(2026, 11, 16, 17),
        utc(2026, 11, 18, 17),
        utc(2026, 11, 20, 17),
    )
    started = [
        utc(2026, 11, 16, 7),  # Monday morning: walked early, slot kept
        utc(2026, 11, 18, 19, 30),  # Wednesday, 2.5 hours late: past the window
        utc(2026, 11, 19, 17),  # Thursday does not keep Wednesday's slot
    ]
    found = missed_occurrences(
        plan, since=utc(2026, 11, 14), now=utc(2026, 11, 20, 18), started=started
    )
    assert found == [wednesday]
    later = missed_occurrences(
        plan, since=monday, now=friday + 2 * HOUR, started=started
    )
    assert later == [wednesday, friday]


def test_late_start_within_the_window_keeps_the_slot() -> None:
    """A session starting before the window closes counts for its slot."""
    plan = schedule()
    slot = utc(2026, 11, 18, 17)
    deadline = slot + plan.missed_after
    kept = missed_occurrences(plan, since=slot, now=deadline, started=[deadline])
    assert kept == []
    assert missed_occurrences(plan, since=slot, now=deadline, started=[]) == [slot]
    assert missed_occurrences(plan, since=slot, now=deadline - HOUR, started=[]) == []


def test_slot_kept_by_a_session_that_day() -> None:
    """Early the same day or late within the window keeps the slot; later does not."""
    plan = schedule()
    slot = utc(2026, 11, 18, 17)  # Wednesday 18:00 in Berlin
    assert slot_kept_by(plan, utc(2026, 11, 18, 7)) == slot
    assert slot_kept_by(plan, slot + plan.missed_after) == slot
    assert slot_kept_by(plan, slot + plan.missed_after + MINUTE) is None
    assert slot_kept_by(plan, utc(2026, 11, 19, 17)) is None  # Thursday: no slot


# --- properties across DST changes ------------------------------------------


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_occurrences_properties(scenario: tuple[Schedule, datetime, datetime]) -> None:
    """Selected days only, one per day, in order, at the wall time or after a gap."""
    plan, start, end = scenario
    zone = plan.time_zone
    found = occurrences(plan, start, end)
    assert all(start <= moment < end and moment.tzinfo is UTC for moment in found)
    assert all(a < b for a, b in itertools.pairwise(found))
    days = [local_date(moment, zone) for moment in found]
    assert all(day.weekday() in plan.weekdays for day in days)
    assert len(set(days)) == len(days)
    first_day, last_day = local_date(start, zone), local_date(end, zone)
    inner_days = {
        first_day + n * DAY
        for n in range(1, (last_day - first_day).days)
        if (first_day + n * DAY).weekday() in plan.weekdays
    }
    assert inner_days <= set(days)
    for moment, day in zip(found, days, strict=True):
        wall = datetime.combine(day, plan.time_of_day)
        shown = wall_time(moment, zone)
        if exists(wall, zone):
            assert shown == wall
            first = min(
                wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)
            )
            assert moment == first
        else:
            assert wall < shown <= wall + HOUR


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_next_occurrence_agrees_with_occurrences(
    scenario: tuple[Schedule, datetime, datetime],
) -> None:
    """The next occurrence after any instant, and after each occurrence, is the next in the list."""
    plan, start, end = scenario
    following = next_occurrence(plan, start)
    assert following > start
    assert occurrences(plan, start + timedelta(microseconds=1), following) == []
    found = occurrences(plan, start, end + 8 * DAY)
    for earlier, later in itertools.pairwise(found):
        assert next_occurrence(plan, earlier) == later


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.lists(st.integers(-36 * 60, 36 * 60), max_size=8), st.data())
def test_missed_occurrences_are_exactly_the_unkept_slots(
    scenario: tuple[Schedule, datetime, datetime],
    offsets: list[int],
    data: st.DataObject,
) -> None:
    """A slot is missed once its window closed, unless a session that day kept it."""
    plan, since, now = scenario
    zone = plan.time_zone
    # Sessions near slots (before, on time, late, on other days), around the range.
    slots = occurrences(plan, since - 2 * DAY, now + 2 * DAY)
    started = (
        [data.draw(st.sampled_from(slots)) + timedelta(minutes=m) for m in offsets]
        if slots
        else []
    )
    missed = missed_occurrences(plan, since=since, now=now, started=started)

    def kept(slot: datetime) -> bool:
        deadline = slot + plan.missed_after
        same_day = [s for s in started if local_date(s, zone) == local_date(slot, zone)]
        return any(s <= deadline for s in same_day)

    expected = [
        slot
        for slot in occurrences(plan, since, now)
        if slot + plan.missed_after <= now and not kept(slot)
    ]
    assert missed == expected
    assert not any(kept(slot) for slot in missed)
    # A session keeps exactly the slot whose missing it prevents.
    for start in started:
        slot = slot_kept_by(plan, start)
        alone = occurrences(plan, start - 2 * DAY, start + 2 * DAY)
        unkept = missed_occurrences(
            plan,
            since=alone[0] if alone else start,
            now=start + 3 * DAY,
            started=[start],
        )
        assert (slot is not None) == (slot in alone and slot not in unkept)
        assert set(alone) - set(unkept) == ({slot} if slot is not None else set())


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_week_start_is_the_latest_local_monday_midnight(
    scenario: tuple[Schedule, datetime, datetime],
) -> None:
    """The week start is a Monday in local time, at most a week before the moment."""
    plan, moment, _ = scenario
    zone = plan.time_zone
    start = week_start(moment, zone)
    assert start <= moment < start + 7 * DAY + HOUR
    assert local_date(start, zone).weekday() == 0
    assert wall_time(start, zone).time() == time(0)
    assert local_date(start, zone) + 7 * DAY > local_date(moment, zone)


def test_local_date() -> None:
    """Just before midnight UTC is already the next day in Berlin."""
    assert local_date(utc(2026, 6, 30, 22, 30), BERLIN) == date(2026, 7, 1)


# --- how long an event shows -------------------------------------------------


def wall(moment: datetime, zone: tzinfo) -> datetime:
    """The local wall time, as a calendar compares it."""
    return moment.astimezone(zone).replace(tzinfo=None)


def test_shown_end_across_the_fall_back() -> None:
    """01:45 EDT plus 30 minutes is 01:15 EST: shown until 02:15 EST instead."""
    start = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)  # 01:45 EDT

    end = shown_end(start, start + 30 * MINUTE, NEW_YORK, 30 * MINUTE)

    assert end == datetime(2026, 11, 1, 7, 15, tzinfo=UTC)  # 02:15 EST
    assert wall(end, NEW_YORK) - wall(start, NEW_YORK) == 30 * MINUTE


def test_shown_end_elsewhere_is_the_end() -> None:
    """An ordinary evening, or across the spring gap: the end as it is."""
    for start in (
        datetime(2026, 11, 20, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 6, 45, tzinfo=UTC),  # 01:45 EST, before the gap
    ):
        assert shown_end(start, start + 30 * MINUTE, NEW_YORK, MINUTE) == (
            start + 30 * MINUTE
        )


def test_shown_end_before_the_start() -> None:
    """After the clock was set back an end can precede the start: minimum after it."""
    start = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)

    assert shown_end(start, start - 2 * HOUR, BERLIN, MINUTE) == start + MINUTE


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2030, 12, 31),
        timezones=st.just(UTC),
    ),
    length=st.timedeltas(min_value=-3 * HOUR, max_value=3 * HOUR),
    minimum=st.sampled_from([MINUTE, 30 * MINUTE]),
)
def test_shown_end_is_later_in_real_and_wall_time(
    zone: tzinfo, start: datetime, length: timedelta, minimum: timedelta
) -> None:
    """Never before the real end, at least `minimum` past the start on both clocks."""
    end = shown_end(start, start + length, zone, minimum)

    assert end >= start + length
    assert end - start >= minimum
    assert wall(end, zone) - wall(start, zone) >= minimum
