"""Programs: ordered lists of forward and backward intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from .errors import WorkoutError


class Direction(StrEnum):
    """Which way the person faces on the belt."""

    FORWARD = "forward"
    BACKWARD = "backward"


class IntervalRole(StrEnum):
    """What an interval is for within its program."""

    WARM_UP = "warm_up"
    MAIN = "main"
    COOL_DOWN = "cool_down"


@dataclass(frozen=True, kw_only=True)
class Interval:
    """One stretch of walking in one direction.

    `speed_kmh` of None means "the session's speed for this direction", which the
    person sets on the dashboard.
    """

    direction: Direction
    duration: timedelta
    speed_kmh: float | None = None
    role: IntervalRole = IntervalRole.MAIN

    def __post_init__(self) -> None:
        """Refuse intervals that cannot be walked."""
        if self.duration <= timedelta(0):
            raise WorkoutError("invalid_duration")
        if self.speed_kmh is not None and not self.speed_kmh > 0:
            raise WorkoutError("invalid_speed")
        if (
            self.role is not IntervalRole.MAIN
            and self.direction is not Direction.FORWARD
        ):
            raise WorkoutError("backward_warm_up")


@dataclass(frozen=True, kw_only=True)
class Program:
    """A named, non-empty sequence of intervals."""

    key: str
    intervals: tuple[Interval, ...]

    def __post_init__(self) -> None:
        """Refuse an empty program."""
        if not self.intervals:
            raise WorkoutError("empty_program")

    @property
    def duration(self) -> timedelta:
        """The planned length of the whole program."""
        return sum((interval.duration for interval in self.intervals), timedelta(0))

    def time_in(self, direction: Direction) -> timedelta:
        """The planned time spent walking in one direction."""
        return sum(
            (i.duration for i in self.intervals if i.direction is direction),
            timedelta(0),
        )


def program_to_dict(program: Program) -> dict[str, Any]:
    """A program as JSON-friendly values."""
    return {
        "key": program.key,
        "intervals": [
            {
                "direction": interval.direction.value,
                "duration_us": interval.duration // timedelta(microseconds=1),
                "speed_kmh": interval.speed_kmh,
                "role": interval.role.value,
            }
            for interval in program.intervals
        ],
    }


def program_from_dict(data: dict[str, Any]) -> Program:
    """Rebuild a program saved by `program_to_dict`."""
    return Program(
        key=data["key"],
        intervals=tuple(
            Interval(
                direction=Direction(item["direction"]),
                duration=timedelta(microseconds=item["duration_us"]),
                speed_kmh=item["speed_kmh"],
                role=IntervalRole(item["role"]),
            )
            for item in data["intervals"]
        ),
    )
