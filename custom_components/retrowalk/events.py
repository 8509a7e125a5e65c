"""What retrowalk tells its listeners, and the one place it becomes automation data.

Listeners (planner, announcer) receive typed events: the workout core's
`WorkoutEvent` for session transitions, and the notices of this layer below
(the spotter is back, a scheduled session is due or was missed), which are not
session transitions. `automation_payload` turns any of them into the data of
the `retrowalk_event` bus event, which the workout event entity shows too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN, unique_id
from .settings import EntrySettings
from .workout.session import EventType, Session, WorkoutEvent


class NoticeType(StrEnum):
    """What happens around a session, rather than to it."""

    SPOTTER_RETURNED = "spotter_returned"
    SESSION_DUE = "session_due"
    SESSION_MISSED = "session_missed"


@dataclass(frozen=True, kw_only=True)
class SpotterReturned:
    """The spotter is back while a session is paused for want of one."""

    interval_index: int
    resume_policy: str
    # When the session resumes by itself; None if it waits for a person.
    resumes_at: datetime | None

    type = NoticeType.SPOTTER_RETURNED


@dataclass(frozen=True, kw_only=True)
class SessionDue:
    """A scheduled session's time: a reminder, or the session started by itself."""

    scheduled_for: datetime
    auto_start: bool

    type = NoticeType.SESSION_DUE


@dataclass(frozen=True, kw_only=True)
class SessionMissed:
    """A scheduled session nobody walked."""

    scheduled_for: datetime

    type = NoticeType.SESSION_MISSED


type Notice = SpotterReturned | SessionDue | SessionMissed
type RetrowalkEvent = WorkoutEvent | Notice

#: Every event type automations can see, in the order people meet them.
EVENT_TYPES: tuple[str, ...] = (*EventType, *NoticeType)

_ENDING = (EventType.SESSION_COMPLETED, EventType.SESSION_STOPPED)


def workout_event_entity_id(hass: HomeAssistant, entry_id: str) -> str | None:
    """The id of a treadmill's workout event entity: the logbook files events under it."""
    return er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, unique_id(entry_id, "workout")
    )


def automation_payload(
    event: RetrowalkEvent, session: Session | None, settings: EntrySettings
) -> dict[str, Any]:
    """The data automations get with an event (speeds and distances in the user's unit)."""
    match event:
        case SessionDue():
            return {
                "scheduled_for": event.scheduled_for.isoformat(),
                "auto_start": event.auto_start,
            }
        case SessionMissed():
            return {"scheduled_for": event.scheduled_for.isoformat()}
        case SpotterReturned():
            assert session is not None  # only said about a paused session
            return interval_payload(session, event.interval_index, settings) | {
                "resume_policy": event.resume_policy,
                "resumes_at": event.resumes_at.isoformat()
                if event.resumes_at
                else None,
            }
    assert session is not None  # a transition belongs to the session
    data = interval_payload(session, event.interval_index, settings)
    data["speed"] = settings.display_speed(event.speed_kmh)
    if event.reason is not None:
        data["reason"] = event.reason
    if event.type in _ENDING:
        totals = session.totals()
        data |= {
            "forward_seconds": totals.forward.total_seconds(),
            "backward_seconds": totals.backward.total_seconds(),
            "paused_seconds": totals.paused.total_seconds(),
            "distance": settings.display_distance(totals.distance_km),
            "distance_unit": settings.speed_unit.distance_unit,
        }
    return data


def interval_payload(
    session: Session, index: int, settings: EntrySettings
) -> dict[str, Any]:
    """What an event says about the interval at `index` of the session."""
    program = session.program
    interval = program.intervals[index]
    return {
        "program": program.key,
        "direction": interval.direction.value,
        "interval_index": index,
        "interval_count": len(program.intervals),
        "interval_duration": interval.duration.total_seconds(),
        "interval_role": interval.role.value,
        "speed": settings.display_speed(session.speed_for(interval)),
        "speed_unit": settings.speed_unit.value,
    }
