"""The workout calendar: scheduled sessions ahead, walked and missed ones behind."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .data import RetrowalkConfigEntry
from .entity import RetrowalkStateEntity
from .planner import WorkoutPlanner
from .workout.history import Outcome, SessionRecord
from .workout.schedule import shown_end

PARALLEL_UPDATES = 0

# How long a scheduled session shows on the calendar before it is walked.
PLANNED_LENGTH = timedelta(minutes=30)
# How far ahead `event` (the entity's state) looks for the next session.
LOOK_AHEAD = timedelta(days=8)
# The shortest a walked or running session shows (it may have ended at once, or
# seem to end before it started after the clock was set back).
SHORTEST = timedelta(minutes=1)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the workout calendar of a treadmill."""
    async_add_entities([WorkoutCalendar(entry)])


class WorkoutCalendar(RetrowalkStateEntity, CalendarEntity):
    """Upcoming scheduled sessions, and the history with each session's summary."""

    def __init__(self, entry: RetrowalkConfigEntry) -> None:
        """Create the calendar."""
        super().__init__(entry, "workouts")
        self.planner: WorkoutPlanner = self.data.planner

    @property
    def event(self) -> CalendarEvent | None:
        """The session under way or the next scheduled one."""
        now = dt_util.utcnow()
        session = self.controller.session
        if session is not None and session.is_active and session.started_at:
            return session_event(
                f"{self._title}: {session.program.key}",
                session.started_at,
                session.session_ends,
                now=now,
            )
        upcoming = self.planner.upcoming(now, now + LOOK_AHEAD)
        return planned_event(self._title, upcoming[0]) if upcoming else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Sessions walked, stopped or missed, and scheduled ones still ahead."""
        now = dt_util.utcnow()
        past = [
            walked_event(self._title, record)
            for record in self.planner.history.between(
                start_date - PLANNED_LENGTH, end_date
            )
        ]
        ahead = [
            planned_event(self._title, slot)
            for slot in self.planner.upcoming(max(start_date, now), end_date)
        ]
        return [event for event in past if event.end > start_date] + ahead

    @property
    def _title(self) -> str:
        return self.controller.title


def planned_event(title: str, slot: datetime) -> CalendarEvent:
    """A scheduled session, shown for `PLANNED_LENGTH` from its slot."""
    return CalendarEvent(
        start=slot,
        end=_end(slot, slot + PLANNED_LENGTH, PLANNED_LENGTH),
        summary=f"{title}: backward walk",
        description="Scheduled session",
    )


def session_event(
    summary: str, started_at: datetime, ends: datetime | None, *, now: datetime
) -> CalendarEvent:
    """The session under way: from its start until it ends (or now, if later)."""
    return CalendarEvent(
        start=started_at,
        end=_end(started_at, max(ends or now, now), SHORTEST),
        summary=summary,
    )


def walked_event(title: str, record: SessionRecord) -> CalendarEvent:
    """A past session with its summary (missed ones keep their planned slot)."""
    start = record.started_at
    if record.outcome is Outcome.MISSED or record.ended_at is None:
        return CalendarEvent(
            start=start,
            end=_end(start, start + PLANNED_LENGTH, PLANNED_LENGTH),
            summary=f"{title}: missed",
            description=f"Scheduled session not walked ({record.program})",
        )
    minutes = record.backward_seconds / 60
    return CalendarEvent(
        start=start,
        end=_end(start, record.ended_at, SHORTEST),
        summary=f"{title}: {record.outcome.value}, {minutes:.1f} min backward",
        description=(
            f"Program {record.program}; forward {record.forward_seconds / 60:.1f} min, "
            f"backward {minutes:.1f} min, paused {record.paused_seconds / 60:.1f} min; "
            f"{record.distance_km:.2f} km"
            + (f"; {record.kcal:.0f} kcal" if record.kcal is not None else "")
            + (f"; ended: {record.end_reason}" if record.end_reason else "")
        ),
    )


def _end(start: datetime, end: datetime, minimum: timedelta) -> datetime:
    """An end Home Assistant accepts, in its time zone (see `shown_end`).

    It is of the same class as `start`, which Home Assistant also checks: the
    current time may come from another one (a test's fake clock).
    """
    return start + (
        shown_end(start, end, dt_util.get_default_time_zone(), minimum) - start
    )
