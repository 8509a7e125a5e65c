"""What a finished (or missed) session leaves behind: a history record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import math
from typing import Any

from . import energy
from .errors import WorkoutError
from .session import Session, SessionStatus

_HOUR = timedelta(hours=1)
# No stored amount (seconds, km, km/h, MET-minutes, kcal) is larger: a bigger one
# is damage, and sums over any history stay finite.
MAX_AMOUNT = 1e9
# The least a session must walk backward to count toward the weekly target, the
# streak and the coach: a minute. "Even a minute or two a day" helps [000, 001], and
# the coach's first level walks backward one minute at a time; a few seconds (a quick
# demo, a start stopped at once) is not a session.
MIN_COUNTED_BACKWARD = timedelta(minutes=1)
# Stored times lie between these, so that arithmetic on them cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    """How a session ended, as the calendar and the export show it."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    MISSED = "missed"


@dataclass(frozen=True, kw_only=True)
class PauseRecord:
    """One pause: when, why, and how long (seconds)."""

    at: datetime
    reason: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values."""
        return {
            "at": self.at.isoformat(),
            "reason": self.reason,
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: Any) -> PauseRecord:
        """Read back what `to_dict` wrote; raises KeyError/TypeError/ValueError if damaged."""
        data = _mapping(data)
        return cls(
            at=read_moment(data["at"]),
            reason=_text(data["reason"]),
            seconds=_amount(data["seconds"]),
        )


@dataclass(frozen=True, kw_only=True)
class SessionRecord:
    """One session in the history. Speeds in km/h, distance in km.

    A missed session has `outcome` MISSED, `started_at` at the time it was
    scheduled for, no `ended_at` and zero times.
    """

    started_at: datetime
    ended_at: datetime | None
    program: str
    outcome: Outcome
    end_reason: str | None = None
    forward_seconds: float = 0.0
    backward_seconds: float = 0.0
    paused_seconds: float = 0.0
    distance_km: float = 0.0
    forward_speed_kmh: float | None = None
    backward_speed_kmh: float | None = None
    pauses: tuple[PauseRecord, ...] = field(default=())
    met_minutes: float = 0.0
    kcal: float | None = None
    scheduled_for: datetime | None = None

    @property
    def counts(self) -> bool:
        """Whether it counts toward the weekly target, the streak and the coach.

        It must have completed its program, with at least `MIN_COUNTED_BACKWARD`
        walked backward. (Its backward minutes count in any case.)
        """
        return (
            self.outcome is Outcome.COMPLETED
            and self.backward_seconds >= MIN_COUNTED_BACKWARD.total_seconds()
        )

    @property
    def key(self) -> str:
        """A stable identity: the moment the session started (or was due)."""
        return self.started_at.isoformat()

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values, as stored and exported."""
        return {
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "program": self.program,
            "outcome": self.outcome.value,
            "end_reason": self.end_reason,
            "forward_seconds": self.forward_seconds,
            "backward_seconds": self.backward_seconds,
            "paused_seconds": self.paused_seconds,
            "distance_km": self.distance_km,
            "forward_speed_kmh": self.forward_speed_kmh,
            "backward_speed_kmh": self.backward_speed_kmh,
            "pauses": [pause.to_dict() for pause in self.pauses],
            "met_minutes": self.met_minutes,
            "kcal": self.kcal,
            "scheduled_for": (
                None if self.scheduled_for is None else self.scheduled_for.isoformat()
            ),
        }

    @classmethod
    def from_dict(cls, data: Any) -> SessionRecord:
        """Read back what `to_dict` wrote; raises KeyError/TypeError/ValueError if damaged.

        Damaged means: a field of the wrong type, a time without a time zone or
        out of range, or an amount that is not a finite number from 0 to
        `MAX_AMOUNT` (NaN, infinity, 1.7e308, negative, a string, a bool).
        """
        data = _mapping(data)
        pauses = data.get("pauses", [])
        if not isinstance(pauses, list):
            raise TypeError(f"pauses is {type(pauses).__name__}")
        return cls(
            started_at=read_moment(data["started_at"]),
            ended_at=_optional(read_moment, data.get("ended_at")),
            program=_text(data["program"]),
            outcome=Outcome(_text(data["outcome"])),
            end_reason=_optional(_text, data.get("end_reason")),
            forward_seconds=_amount(data.get("forward_seconds", 0.0)),
            backward_seconds=_amount(data.get("backward_seconds", 0.0)),
            paused_seconds=_amount(data.get("paused_seconds", 0.0)),
            distance_km=_amount(data.get("distance_km", 0.0)),
            forward_speed_kmh=_optional(_amount, data.get("forward_speed_kmh")),
            backward_speed_kmh=_optional(_amount, data.get("backward_speed_kmh")),
            pauses=tuple(PauseRecord.from_dict(pause) for pause in pauses),
            met_minutes=_amount(data.get("met_minutes", 0.0)),
            kcal=_optional(_amount, data.get("kcal")),
            scheduled_for=_optional(read_moment, data.get("scheduled_for")),
        )


def record_from_session(
    session: Session,
    *,
    body_mass_kg: float | None,
    scheduled_for: datetime | None = None,
) -> SessionRecord:
    """The history record of a session that has ended.

    Average speeds are distance over time in each direction: None without time
    in that direction, or when the session was restored from a snapshot that
    did not keep its distance per direction.
    """
    outcomes = {
        SessionStatus.FINISHED: Outcome.COMPLETED,
        SessionStatus.STOPPED: Outcome.STOPPED,
    }
    outcome = outcomes.get(session.status)
    if outcome is None or session.started_at is None or session.ended_at is None:
        raise WorkoutError("not_ended")
    ended_at = session.ended_at
    totals = session.totals()
    # A clock set back during the session can make a stretch negative: it is none.
    forward, backward, paused = (
        max(time, timedelta(0))
        for time in (totals.forward, totals.backward, totals.paused)
    )
    met_minutes = energy.met_minutes(forward, backward)
    return SessionRecord(
        started_at=session.started_at,
        ended_at=ended_at,
        program=session.program.key,
        outcome=outcome,
        end_reason=session.end_reason if outcome is Outcome.STOPPED else None,
        forward_seconds=forward.total_seconds(),
        backward_seconds=backward.total_seconds(),
        paused_seconds=paused.total_seconds(),
        distance_km=max(totals.distance_km, 0.0),
        forward_speed_kmh=_average_speed(totals.forward_distance_km, forward),
        backward_speed_kmh=_average_speed(totals.backward_distance_km, backward),
        pauses=tuple(
            PauseRecord(
                at=pause.started_at,
                reason=pause.reason,
                seconds=max(
                    ((pause.ended_at or ended_at) - pause.started_at).total_seconds(),
                    0.0,
                ),
            )
            for pause in session.pauses
        ),
        met_minutes=met_minutes,
        kcal=energy.kcal(met_minutes, body_mass_kg),
        scheduled_for=scheduled_for,
    )


def missed_record(scheduled_for: datetime, program: str) -> SessionRecord:
    """The record of a scheduled session nobody walked."""
    return SessionRecord(
        started_at=scheduled_for,
        ended_at=None,
        program=program,
        outcome=Outcome.MISSED,
        scheduled_for=scheduled_for,
    )


def _average_speed(distance_km: float | None, time: timedelta) -> float | None:
    if distance_km is None or not time or distance_km < 0:
        return None
    return distance_km / (time / _HOUR)


def _mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object, found {type(data).__name__}")
    return data


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _amount(value: Any) -> float:
    """A finite number from 0 to MAX_AMOUNT (an int or a float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, found {type(value).__name__}")
    if not (0 <= value <= MAX_AMOUNT and math.isfinite(value)):
        raise ValueError(f"{value!r} is out of range")
    return float(value)


def read_moment(value: Any) -> datetime:
    """A stored ISO time with a time zone, between EARLIEST and LATEST.

    Raises TypeError or ValueError for anything else.
    """
    moment = datetime.fromisoformat(_text(value))
    if moment.utcoffset() is None:
        raise ValueError(f"{value} has no time zone")
    # Compared as timestamps: converting a time at the edge to UTC can overflow.
    if not EARLIEST.timestamp() <= moment.timestamp() < LATEST.timestamp():
        raise ValueError(f"{value} is out of range")
    return moment


def _optional[T](read: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else read(value)
