"""The session state machine: one workout running one program.

idle -> running (interval i, forward or backward) <-> paused -> finished | stopped

Every command first catches up on boundaries that have passed, so a late timer
never shifts the plan: an interval always starts exactly where the previous one
planned to end. Time is split exactly (integer microseconds) between forward,
backward and paused, so they always add up to the wall time since the start.

Snapshots written before pauses and per-direction distance were kept still load:
such a session knows only its current pause (rebuilt from `paused_since`; the
paused total still holds the earlier ones), and its distance per direction is
unknown (None) for the rest of the session, since the distance walked before
the upgrade cannot be split after the fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
import math
from typing import Any

from .errors import WorkoutError
from .program import Direction, Interval, Program, program_from_dict, program_to_dict

type Clock = Callable[[], datetime]

_HOUR = timedelta(hours=1)
_ZERO = timedelta(0)


class SessionStatus(StrEnum):
    """Where a session is in its life."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


class EventType(StrEnum):
    """Things that happen in a workout, in the order people see them."""

    SESSION_STARTED = "session_started"
    INTERVAL_SWITCHED = "interval_switched"
    SESSION_PAUSED = "session_paused"
    SESSION_RESUMED = "session_resumed"
    SESSION_COMPLETED = "session_completed"
    SESSION_STOPPED = "session_stopped"


@dataclass(frozen=True, kw_only=True)
class WorkoutEvent:
    """A workout event, with the interval it concerns."""

    type: EventType
    at: datetime
    interval_index: int
    interval: Interval
    speed_kmh: float
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class SessionPause:
    """One pause: when it began, why, and when it ended (None while paused)."""

    started_at: datetime
    reason: str
    ended_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class SessionTotals:
    """What a session has done so far.

    The distance per direction is None for a session restored from a snapshot
    that did not keep it (see the module docstring).
    """

    forward: timedelta
    backward: timedelta
    paused: timedelta
    distance_km: float
    forward_distance_km: float | None
    backward_distance_km: float | None

    @property
    def moving(self) -> timedelta:
        """Time spent walking in either direction."""
        return self.forward + self.backward


class Session:
    """One workout: a program walked against an injected clock."""

    def __init__(
        self,
        program: Program,
        clock: Clock,
        *,
        forward_speed_kmh: float,
        backward_speed_kmh: float,
    ) -> None:
        """Prepare a session; nothing moves until `start`."""
        if not all(
            isinstance(speed, int | float)
            and not isinstance(speed, bool)
            and 0 < speed < math.inf
            for speed in (forward_speed_kmh, backward_speed_kmh)
        ):
            raise WorkoutError("invalid_speed")
        self.program = program
        self._clock = clock
        self._speeds = {
            Direction.FORWARD: forward_speed_kmh,
            Direction.BACKWARD: backward_speed_kmh,
        }
        self.status = SessionStatus.IDLE
        self.index = 0
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.end_reason: str | None = None
        # The running stretch in progress starts here; None while not running.
        self._segment_start: datetime | None = None
        self._paused_since: datetime | None = None
        # Running time already spent in the current interval before this stretch.
        self._interval_done = timedelta(0)
        # Planned time of the intervals left behind (walked or skipped).
        self._program_done = timedelta(0)
        self._forward = timedelta(0)
        self._backward = timedelta(0)
        self._paused = timedelta(0)
        self._distance_km = 0.0
        # Distance per direction; None when restored from a snapshot without it.
        self._direction_km: dict[Direction, float] | None = dict.fromkeys(
            Direction, 0.0
        )
        self._pauses: list[SessionPause] = []

    # --- what the session looks like now -------------------------------------

    @property
    def interval(self) -> Interval:
        """The current interval (the last one once the session is over)."""
        return self.program.intervals[self.index]

    @property
    def pauses(self) -> tuple[SessionPause, ...]:
        """Every pause so far, the current one (if paused) last."""
        return tuple(self._pauses)

    @property
    def pause_reason(self) -> str | None:
        """Why the session is paused; None unless paused."""
        if self.status is not SessionStatus.PAUSED:
            return None
        return self._pauses[-1].reason

    @property
    def is_active(self) -> bool:
        """Whether the session is running or paused."""
        return self.status in (SessionStatus.RUNNING, SessionStatus.PAUSED)

    def speed_for(self, interval: Interval) -> float:
        """The belt speed for an interval, in km/h."""
        return interval.speed_kmh or self._speeds[interval.direction]

    @property
    def belt_speed_kmh(self) -> float:
        """The speed the belt should have now: zero unless running."""
        if self.status is not SessionStatus.RUNNING:
            return 0.0
        return self.speed_for(self.interval)

    @property
    def interval_ends(self) -> datetime | None:
        """When the current interval ends; None unless running."""
        if self._segment_start is None:
            return None
        return self._segment_start + self.interval.duration - self._interval_done

    @property
    def interval_remaining(self) -> timedelta:
        """Walking time left in the current interval; it stands still while paused."""
        return self.interval.duration - self._interval_done - self._live_stretch()

    @property
    def session_ends(self) -> datetime | None:
        """When the whole program ends if nothing pauses it; None unless running."""
        interval_ends = self.interval_ends
        if interval_ends is None:
            return None
        later = self.program.intervals[self.index + 1 :]
        return interval_ends + sum((i.duration for i in later), timedelta(0))

    def totals(self) -> SessionTotals:
        """Forward, backward and paused time and distance, up to now."""
        forward, backward, paused = self._forward, self._backward, self._paused
        stretch = self._live_stretch()
        if self.interval.direction is Direction.FORWARD:
            forward += stretch
        else:
            backward += stretch
        stretch_km = self.speed_for(self.interval) * (stretch / _HOUR)
        forward_km = backward_km = None
        if self._direction_km is not None:
            split = dict(self._direction_km)
            split[self.interval.direction] += stretch_km
            forward_km, backward_km = (
                split[Direction.FORWARD],
                split[Direction.BACKWARD],
            )
        if self._paused_since is not None:
            paused += max((self.ended_at or self._clock()) - self._paused_since, _ZERO)
        return SessionTotals(
            forward=forward,
            backward=backward,
            paused=paused,
            distance_km=self._distance_km + stretch_km,
            forward_distance_km=forward_km,
            backward_distance_km=backward_km,
        )

    def progress(self) -> float:
        """How much of the program is behind, in percent of its planned time."""
        done = self._program_done + self._interval_done + self._live_stretch()
        return 100 * (done / self.program.duration)

    def time_to_progress(self, percent: float) -> timedelta | None:
        """Walking time until the program reaches `percent` (zero or less once it has).

        None unless running.
        """
        if self.status is not SessionStatus.RUNNING:
            return None
        done = self._program_done + self._interval_done + self._live_stretch()
        return self.program.duration * (percent / 100) - done

    def _live_stretch(self) -> timedelta:
        """Running time since the stretch began, never past the interval's end.

        Time beyond an unprocessed boundary belongs to the next interval, which
        only `advance` can enter.
        """
        interval_ends = self.interval_ends
        if self._segment_start is None or interval_ends is None:
            return timedelta(0)
        # Never negative, even after the wall clock was set back.
        return max(min(self._clock(), interval_ends) - self._segment_start, _ZERO)

    # --- commands ------------------------------------------------------------

    def start(self) -> list[WorkoutEvent]:
        """Start the first interval now."""
        if self.status is not SessionStatus.IDLE:
            raise WorkoutError("session_active")
        now = self._clock()
        self.started_at = now
        self.status = SessionStatus.RUNNING
        self._segment_start = now
        return [self._event(EventType.SESSION_STARTED, now)]

    def advance(self, until: datetime | None = None) -> list[WorkoutEvent]:
        """Catch up on every interval boundary that has passed (by `until`)."""
        events: list[WorkoutEvent] = []
        now = self._clock() if until is None else until
        while (boundary := self.interval_ends) is not None and boundary <= now:
            events += self._next_interval(boundary)
        return events

    def pause(self, reason: str, at: datetime | None = None) -> list[WorkoutEvent]:
        """Stop the clock of the program (now, or at the past instant `at`)."""
        events = self.advance(at)
        if self.status is not SessionStatus.RUNNING:
            if events:
                return events
            raise WorkoutError("not_running")
        now = self._clock() if at is None else at
        self._close_stretch(now)
        self._paused_since = now
        self.status = SessionStatus.PAUSED
        self._pauses.append(SessionPause(started_at=now, reason=reason))
        return [*events, self._event(EventType.SESSION_PAUSED, now, reason=reason)]

    def interrupt(self, reason: str, at: datetime | None = None) -> list[WorkoutEvent]:
        """Pause for a reason beyond the person's control, even if already paused.

        A running session pauses (at `at`, if given); a paused one takes on the new
        reason. Either way a `session_paused` event tells why it is paused now.
        """
        if self.status is SessionStatus.PAUSED:
            self._pauses[-1] = replace(self._pauses[-1], reason=reason)
            return [self._event(EventType.SESSION_PAUSED, self._clock(), reason=reason)]
        return self.pause(reason, at)

    def resume(self, reason: str | None = None) -> list[WorkoutEvent]:
        """Continue the current interval where it was paused."""
        if self.status is not SessionStatus.PAUSED or self._paused_since is None:
            raise WorkoutError("not_paused")
        now = self._clock()
        self._close_pause(now)
        self._segment_start = now
        self.status = SessionStatus.RUNNING
        return [self._event(EventType.SESSION_RESUMED, now, reason=reason)]

    def skip(self) -> list[WorkoutEvent]:
        """End the current interval now and go on with the next one."""
        events = self.advance()
        if not self.is_active:
            if events:
                return events
            raise WorkoutError("not_active")
        return [*events, *self._next_interval(self._clock())]

    def stop(self, reason: str, at: datetime | None = None) -> list[WorkoutEvent]:
        """End the session early (now, or at the past instant `at`)."""
        events = self.advance(at)
        if not self.is_active:
            if events:
                return events
            raise WorkoutError("not_active")
        now = self._clock() if at is None else at
        self._end(now, SessionStatus.STOPPED)
        self.end_reason = reason
        return [*events, self._event(EventType.SESSION_STOPPED, now, reason=reason)]

    def set_speed(self, direction: Direction, speed_kmh: float) -> list[WorkoutEvent]:
        """Change the session speed for a direction, from now on.

        The belt follows at once when the current interval uses that speed; see
        `belt_speed_kmh`. Returns the events of boundaries caught up on first.
        """
        if not 0 < speed_kmh < math.inf:
            raise WorkoutError("invalid_speed")
        events = self.advance()
        if self._segment_start is not None:
            now = self._clock()
            self._close_stretch(now)
            self._segment_start = now
        self._speeds[direction] = speed_kmh
        return events

    # --- persistence ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to rebuild this session, as JSON-friendly values."""
        return {
            "program": program_to_dict(self.program),
            "speeds_kmh": {d.value: speed for d, speed in self._speeds.items()},
            "status": self.status.value,
            "index": self.index,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "pause_reason": self.pause_reason,
            "end_reason": self.end_reason,
            "segment_start": _iso(self._segment_start),
            "paused_since": _iso(self._paused_since),
            "interval_done_us": _us(self._interval_done),
            "program_done_us": _us(self._program_done),
            "forward_us": _us(self._forward),
            "backward_us": _us(self._backward),
            "paused_us": _us(self._paused),
            "distance_km": self._distance_km,
            "distance_by_direction_km": (
                None
                if self._direction_km is None
                else {d.value: km for d, km in self._direction_km.items()}
            ),
            "pauses": [
                {
                    "started_at": pause.started_at.isoformat(),
                    "reason": pause.reason,
                    "ended_at": _iso(pause.ended_at),
                }
                for pause in self._pauses
            ],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], clock: Clock) -> Session:
        """Rebuild a session exactly as `snapshot` saw it."""
        try:
            speeds = data["speeds_kmh"]
            session = cls(
                program_from_dict(data["program"]),
                clock,
                forward_speed_kmh=speeds[Direction.FORWARD],
                backward_speed_kmh=speeds[Direction.BACKWARD],
            )
            session.status = SessionStatus(data["status"])
            session.index = data["index"]
            session.interval  # noqa: B018 - raises IndexError for a bad index
            session.started_at = _from_iso(data["started_at"])
            session.ended_at = _from_iso(data["ended_at"])
            session.end_reason = data["end_reason"]
            session._segment_start = _from_iso(data["segment_start"])
            session._paused_since = _from_iso(data["paused_since"])
            session._interval_done = timedelta(microseconds=data["interval_done_us"])
            session._program_done = timedelta(microseconds=data["program_done_us"])
            session._forward = timedelta(microseconds=data["forward_us"])
            session._backward = timedelta(microseconds=data["backward_us"])
            session._paused = timedelta(microseconds=data["paused_us"])
            session._distance_km = _distance(data["distance_km"])
            session._direction_km = _direction_km_from(data)
            session._pauses = _pauses_from(data)
            session._check_pauses()
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as err:
            raise WorkoutError("invalid_snapshot") from err
        return session

    # --- internals -----------------------------------------------------------

    def _next_interval(self, at: datetime) -> list[WorkoutEvent]:
        """Leave the current interval at `at` and enter the next (or finish)."""
        running = self.status is SessionStatus.RUNNING
        if running:
            self._close_stretch(at)
        self._program_done += self.interval.duration
        self._interval_done = timedelta(0)
        if self.index + 1 == len(self.program.intervals):
            self._end(at, SessionStatus.FINISHED)
            self.end_reason = "completed"
            return [self._event(EventType.SESSION_COMPLETED, at)]
        self.index += 1
        if running:
            self._segment_start = at
        return [self._event(EventType.INTERVAL_SWITCHED, at)]

    def _close_stretch(self, until: datetime) -> None:
        """Book the running stretch up to `until` to the current interval."""
        assert self._segment_start is not None
        stretch = max(until - self._segment_start, _ZERO)
        if self.interval.direction is Direction.FORWARD:
            self._forward += stretch
        else:
            self._backward += stretch
        stretch_km = self.speed_for(self.interval) * (stretch / _HOUR)
        self._distance_km += stretch_km
        if self._direction_km is not None:
            self._direction_km[self.interval.direction] += stretch_km
        self._interval_done += stretch
        self._segment_start = None

    def _end(self, at: datetime, status: SessionStatus) -> None:
        if self._segment_start is not None:
            self._close_stretch(at)
        if self._paused_since is not None:
            self._close_pause(at)
        self.status = status
        self.ended_at = at

    def _check_pauses(self) -> None:
        """Refuse pauses that contradict the status: only a paused session has an open one."""
        open_pause = bool(self._pauses) and self._pauses[-1].ended_at is None
        if open_pause != (self.status is SessionStatus.PAUSED) or open_pause != (
            self._paused_since is not None
        ):
            raise ValueError("pauses_do_not_match_status")

    def _close_pause(self, at: datetime) -> None:
        assert self._paused_since is not None
        self._paused += max(at - self._paused_since, _ZERO)
        self._paused_since = None
        self._pauses[-1] = replace(self._pauses[-1], ended_at=at)

    def _event(
        self, type_: EventType, at: datetime, *, reason: str | None = None
    ) -> WorkoutEvent:
        interval = self.interval
        return WorkoutEvent(
            type=type_,
            at=at,
            interval_index=self.index,
            interval=interval,
            speed_kmh=self.speed_for(interval),
            reason=reason,
        )


def _direction_km_from(data: dict[str, Any]) -> dict[Direction, float] | None:
    """The distance per direction, None if the snapshot predates it."""
    saved = data.get("distance_by_direction_km")
    if saved is None:
        return None
    return {direction: _distance(saved[direction]) for direction in Direction}


def _distance(value: Any) -> float:
    """A stored distance: a finite number of km, not below zero."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"distance {value!r}")
    if not 0 <= value < 1e9:
        raise ValueError(f"distance {value!r}")
    return float(value)


def _pauses_from(data: dict[str, Any]) -> list[SessionPause]:
    """The pauses; an older snapshot yields only the pause it was saved in."""
    if "pauses" in data:
        return [
            SessionPause(
                started_at=datetime.fromisoformat(item["started_at"]),
                reason=str(item["reason"]),
                ended_at=_from_iso(item["ended_at"]),
            )
            for item in data["pauses"]
        ]
    paused_since = _from_iso(data["paused_since"])
    if paused_since is None:
        return []
    reason = data["pause_reason"]
    if not isinstance(reason, str):
        raise TypeError("pause_reason")
    return [SessionPause(started_at=paused_since, reason=reason)]


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
