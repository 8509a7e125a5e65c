"""The weekly schedule: which days, at what time, and what counts as missed.

Three sessions a week is the dosage the sources recommend [000, 001], so the
default days are Monday, Wednesday and Friday.

Everything is computed in the local wall time of the schedule's time zone and
returned as aware UTC datetimes. Daylight saving time:

- A wall time that falls in a spring-forward gap moves forward by the length of
  the gap (02:30 on 2026-03-29 in Europe/Berlin is 03:30 CEST).
- A wall time that occurs twice when clocks fall back means its first
  occurrence (fold=0).

Both follow from reading the wall time with fold=0, so every selected local date
has exactly one occurrence. Weeks run from local Monday 00:00; where midnight
itself falls in a gap, the week starts when the gap ends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .errors import WorkoutError
from .history import Outcome, SessionRecord

MONDAY, WEDNESDAY, FRIDAY = 0, 2, 4
DEFAULT_WEEKDAYS = frozenset({MONDAY, WEDNESDAY, FRIDAY})

_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """Sessions on some weekdays (0 = Monday) at one local time of day.

    A slot counts as missed once `missed_after` has passed without a session.
    """

    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    time_of_day: time
    missed_after: timedelta
    time_zone: tzinfo

    def __post_init__(self) -> None:
        """Refuse a schedule that cannot be kept."""
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise WorkoutError("invalid_weekdays")
        if self.time_of_day.tzinfo is not None:
            raise WorkoutError("invalid_time_of_day")
        if self.missed_after <= timedelta(0):
            raise WorkoutError("invalid_missed_after")

    @property
    def weekly_target(self) -> int:
        """How many sessions a week the schedule asks for."""
        return len(self.weekdays)

    def occurrence_on(self, day: date) -> datetime:
        """The UTC instant of the session on a local date, selected or not."""
        wall = datetime.combine(day, self.time_of_day)
        return _utc_of_wall_time(wall, self.time_zone)


def occurrences(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """The scheduled sessions with `start` <= t < `end`, in order."""
    first = local_date(start, schedule.time_zone) - _DAY
    last = local_date(end, schedule.time_zone) + _DAY
    found: list[datetime] = []
    day = first
    while day <= last:
        if day.weekday() in schedule.weekdays:
            moment = schedule.occurrence_on(day)
            if start <= moment < end:
                found.append(moment)
        day += _DAY
    return found


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first scheduled session strictly after `after`."""
    later = after + timedelta(microseconds=1)
    # Any 8 consecutive local dates hold every weekday at least once.
    return occurrences(schedule, later, later + 8 * _DAY)[0]


def local_date(moment: datetime, time_zone: tzinfo) -> date:
    """The date on the wall calendar in `time_zone` at an aware instant."""
    if moment.tzinfo is None:
        raise WorkoutError("naive_datetime")
    return moment.astimezone(time_zone).date()


def week_start(moment: datetime, time_zone: tzinfo) -> datetime:
    """The UTC instant of local Monday 00:00 of the week holding `moment`.

    Where midnight falls in a gap, this is the end of the gap.
    """
    return _utc_of_wall_time(
        datetime.combine(_monday_of(moment, time_zone), time()), time_zone
    )


def missed_occurrences(
    schedule: Schedule,
    *,
    since: datetime,
    now: datetime,
    started: Iterable[datetime],
) -> list[datetime]:
    """Slots from `since` on whose window has closed by `now` without a session.

    A slot at t is kept by a session started on the same local date no later
    than t + `missed_after`: early that day, or late within the window.
    """
    first_start_by_date: dict[date, datetime] = {}
    for start in started:
        day = local_date(start, schedule.time_zone)
        first_start_by_date[day] = min(start, first_start_by_date.get(day, start))
    missed: list[datetime] = []
    for slot in occurrences(schedule, since, now):
        if slot + schedule.missed_after > now:
            continue
        first_start = first_start_by_date.get(local_date(slot, schedule.time_zone))
        if first_start is None or not keeps(schedule, slot, first_start):
            missed.append(slot)
    return missed


def keeps(schedule: Schedule, slot: datetime, start: datetime) -> bool:
    """Whether a session started at `start` keeps the slot at `slot`.

    It must start on the slot's local date, no later than `missed_after` past it.
    """
    zone = schedule.time_zone
    return (
        local_date(start, zone) == local_date(slot, zone)
        and start <= slot + schedule.missed_after
    )


def slot_kept_by(schedule: Schedule, start: datetime) -> datetime | None:
    """The scheduled slot a session started at `start` keeps, if any."""
    day = local_date(start, schedule.time_zone)
    if day.weekday() not in schedule.weekdays:
        return None
    slot = schedule.occurrence_on(day)
    return slot if keeps(schedule, slot, start) else None


@dataclass(frozen=True, kw_only=True)
class WeekSummary:
    """One local week of sessions against the schedule's weekly target.

    `sessions_done` are the sessions that count (`SessionRecord.counts`).
    """

    week_start: datetime
    sessions_done: int
    backward_seconds: float
    target: int

    @property
    def backward_minutes(self) -> float:
        """The backward time in minutes."""
        return self.backward_seconds / 60

    @property
    def target_met(self) -> bool:
        """Whether enough sessions were completed this week."""
        return self.sessions_done >= self.target


def summarize_week(
    schedule: Schedule, records: Iterable[SessionRecord], week_of: datetime
) -> WeekSummary:
    """The week holding `week_of`: sessions that count and backward minutes.

    A session counts toward the target when it completed its program with at
    least a minute walked backward (`SessionRecord.counts`); backward minutes come
    from completed and stopped sessions alike.
    """
    (week,) = _summaries(schedule, records, [_monday_of(week_of, schedule.time_zone)])
    return week


def summarize_weeks(
    schedule: Schedule,
    records: Iterable[SessionRecord],
    since: datetime,
    until: datetime,
) -> list[WeekSummary]:
    """Each local week from the one holding `since` up to the one holding `until`.

    The week holding `until` is left out. One pass over the records, however
    many weeks.
    """
    zone = schedule.time_zone
    first, last = _monday_of(since, zone), _monday_of(until, zone)
    weeks = (last - first).days // 7
    return _summaries(schedule, records, [first + n * _WEEK for n in range(weeks)])


def _summaries(
    schedule: Schedule, records: Iterable[SessionRecord], mondays: list[date]
) -> list[WeekSummary]:
    zone = schedule.time_zone
    wanted = set(mondays)
    done: Counter[date] = Counter()
    backward_seconds: dict[date, float] = dict.fromkeys(wanted, 0.0)
    for record in records:
        monday = _monday_of(record.started_at, zone)
        if monday not in wanted:
            continue
        if record.counts:
            done[monday] += 1
        if record.outcome in (Outcome.COMPLETED, Outcome.STOPPED):
            backward_seconds[monday] += record.backward_seconds
    return [
        WeekSummary(
            week_start=_utc_of_wall_time(datetime.combine(monday, time()), zone),
            sessions_done=done[monday],
            backward_seconds=backward_seconds[monday],
            target=schedule.weekly_target,
        )
        for monday in mondays
    ]


def streak_weeks(
    schedule: Schedule, records: Iterable[SessionRecord], now: datetime
) -> int:
    """Weeks in a row with the target met, up to the last finished week.

    Only sessions that count (`SessionRecord.counts`) meet it.

    The current week adds one as soon as its target is met, and breaks nothing
    while it is still under way.
    """
    completed = Counter(
        _monday_of(record.started_at, schedule.time_zone)
        for record in records
        if record.counts
    )
    target = schedule.weekly_target
    this_monday = _monday_of(now, schedule.time_zone)
    streak = 1 if completed[this_monday] >= target else 0
    monday = this_monday - _WEEK
    while completed[monday] >= target:
        streak += 1
        monday -= _WEEK
    return streak


def shown_end(
    start: datetime, end: datetime, time_zone: tzinfo, minimum: timedelta
) -> datetime:
    """An end for a calendar: at least `minimum` after `start`, also on the wall clock.

    Calendars compare local wall times. Where clocks fall back the wall clock
    repeats an hour, so an end in the repeated hour can read earlier than the
    start (01:50 EDT to 01:10 EST). Such an end moves to where the wall clock
    reads as far past the start as the event lasts; an end at or before the
    start (a clock set back) becomes `minimum` after it.
    """
    end = max(end, start + minimum)
    wall_start = start.astimezone(time_zone).replace(tzinfo=None)
    if end.astimezone(time_zone).replace(tzinfo=None) - wall_start >= minimum:
        return end
    # The later of the two times the wall clock shows `wall` (fold=1).
    wall = wall_start + (end - start)
    return max(end, wall.replace(tzinfo=time_zone, fold=1).astimezone(UTC))


def _monday_of(moment: datetime, time_zone: tzinfo) -> date:
    day = local_date(moment, time_zone)
    return day - timedelta(days=day.weekday())


def _utc_of_wall_time(wall: datetime, time_zone: tzinfo) -> datetime:
    """A naive wall time read with fold=0 in `time_zone`, as a UTC instant.

    With fold=0 a time in a gap uses the offset from before the gap, which moves
    it forward by the gap; an ambiguous time is its first occurrence.
    """
    return wall.replace(tzinfo=time_zone, fold=0).astimezone(UTC)
