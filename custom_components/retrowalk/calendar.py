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

PARALLEL_UPDATES = 0

# How long a scheduled session shows on the calendar before it is walked.
PLANNED_LENGTH = timedelta(minutes=30)
# How far ahead `event` (the entity's state) looks for the next session.
LOOK_AHEAD = timedelta(days=8)


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
        assert self.controller.planner is not None
        self.planner: WorkoutPlanner = self.controller.planner

    @property
    def event(self) -> CalendarEvent | None:
        """The session under way or the next scheduled one."""
        now = dt_util.utcnow()
        session = self.controller.session
        if session is not None and session.is_active and session.started_at:
            return CalendarEvent(
                start=session.started_at,
                end=max(session.session_ends or now, now),
                summary=f"{self._title}: {session.program.key}",
            )
        upcoming = self.planner.upcoming(now, now + LOOK_AHEAD)
        return self._planned(upcoming[0]) if upcoming else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Sessions walked, stopped or missed, and scheduled ones still ahead."""
        now = dt_util.utcnow()
        past = [
            self._walked(record)
            for record in self.planner.history.between(
                start_date - PLANNED_LENGTH, end_date
            )
        ]
        ahead = [
            self._planned(slot)
            for slot in self.planner.upcoming(max(start_date, now), end_date)
        ]
        return [event for event in past if event.end > start_date] + ahead

    @property
    def _title(self) -> str:
        return self.controller.title

    def _planned(self, slot: datetime) -> CalendarEvent:
        return CalendarEvent(
            start=slot,
            end=slot + PLANNED_LENGTH,
            summary=f"{self._title}: backward walk",
            description="Scheduled session",
        )

    def _walked(self, record: SessionRecord) -> CalendarEvent:
        """A past session with its summary (missed ones keep their planned slot)."""
        if record.outcome is Outcome.MISSED or record.ended_at is None:
            return CalendarEvent(
                start=record.started_at,
                end=record.started_at + PLANNED_LENGTH,
                summary=f"{self._title}: missed",
                description=f"Scheduled session not walked ({record.program})",
            )
        minutes = record.backward_seconds / 60
        return CalendarEvent(
            start=record.started_at,
            end=max(record.ended_at, record.started_at + timedelta(minutes=1)),
            summary=f"{self._title}: {record.outcome.value}, {minutes:.1f} min backward",
            description=(
                f"Program {record.program}; forward {record.forward_seconds / 60:.1f} min, "
                f"backward {minutes:.1f} min, paused {record.paused_seconds / 60:.1f} min; "
                f"{record.distance_km:.2f} km"
                + (f"; {record.kcal:.0f} kcal" if record.kcal is not None else "")
                + (f"; ended: {record.end_reason}" if record.end_reason else "")
            ),
        )
