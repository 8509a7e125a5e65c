"""What a finished (or missed) session leaves behind: a history record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


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
        return {"at": self.at.isoformat(), "reason": self.reason, "seconds": self.seconds}

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
            scheduled_for=None if scheduled is None else datetime.fromisoformat(scheduled),
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
