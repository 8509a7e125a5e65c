"""What a finished (or missed) session leaves behind: a history record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from . import energy
from .errors import WorkoutError
from .session import Session, SessionStatus

_HOUR = timedelta(hours=1)


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
    def from_dict(cls, data: dict[str, Any]) -> PauseRecord:
        """Read back what `to_dict` wrote."""
        return cls(
            at=datetime.fromisoformat(data["at"]),
            reason=str(data["reason"]),
            seconds=float(data["seconds"]),
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
    def from_dict(cls, data: dict[str, Any]) -> SessionRecord:
        """Read back what `to_dict` wrote; raises KeyError/ValueError/TypeError if damaged."""
        ended = data.get("ended_at")
        scheduled = data.get("scheduled_for")
        return cls(
            started_at=datetime.fromisoformat(data["started_at"]),
            ended_at=None if ended is None else datetime.fromisoformat(ended),
            program=str(data["program"]),
            outcome=Outcome(data["outcome"]),
            end_reason=data.get("end_reason"),
            forward_seconds=float(data.get("forward_seconds", 0.0)),
            backward_seconds=float(data.get("backward_seconds", 0.0)),
            paused_seconds=float(data.get("paused_seconds", 0.0)),
            distance_km=float(data.get("distance_km", 0.0)),
            forward_speed_kmh=_optional_float(data.get("forward_speed_kmh")),
            backward_speed_kmh=_optional_float(data.get("backward_speed_kmh")),
            pauses=tuple(PauseRecord.from_dict(p) for p in data.get("pauses", ())),
            met_minutes=float(data.get("met_minutes", 0.0)),
            kcal=_optional_float(data.get("kcal")),
            scheduled_for=None
            if scheduled is None
            else datetime.fromisoformat(scheduled),
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
    met_minutes = energy.met_minutes(totals.forward, totals.backward)
    return SessionRecord(
        started_at=session.started_at,
        ended_at=ended_at,
        program=session.program.key,
        outcome=outcome,
        end_reason=session.end_reason if outcome is Outcome.STOPPED else None,
        forward_seconds=totals.forward.total_seconds(),
        backward_seconds=totals.backward.total_seconds(),
        paused_seconds=totals.paused.total_seconds(),
        distance_km=totals.distance_km,
        forward_speed_kmh=_average_speed(totals.forward_distance_km, totals.forward),
        backward_speed_kmh=_average_speed(totals.backward_distance_km, totals.backward),
        pauses=tuple(
            PauseRecord(
                at=pause.started_at,
                reason=pause.reason,
                seconds=(
                    (pause.ended_at or ended_at) - pause.started_at
                ).total_seconds(),
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
    if distance_km is None or not time:
        return None
    return distance_km / (time / _HOUR)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
