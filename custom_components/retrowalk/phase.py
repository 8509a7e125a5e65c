"""The phase the person on the belt is in, as the phase sensor shows it."""

from __future__ import annotations

from enum import StrEnum

from .workout.session import Session, SessionStatus


class Phase(StrEnum):
    """Idle, walking forward or backward, paused, or finished."""

    IDLE = "idle"
    FORWARD = "forward"
    BACKWARD = "backward"
    PAUSED = "paused"
    FINISHED = "finished"


_PHASE_OF_STATUS = {
    SessionStatus.IDLE: Phase.IDLE,
    SessionStatus.PAUSED: Phase.PAUSED,
    SessionStatus.FINISHED: Phase.FINISHED,
    SessionStatus.STOPPED: Phase.IDLE,
}


def phase_of(session: Session | None) -> Phase:
    """The phase of a session (idle without one)."""
    if session is None:
        return Phase.IDLE
    if session.status is SessionStatus.RUNNING:
        return Phase(session.interval.direction.value)
    return _PHASE_OF_STATUS[session.status]
