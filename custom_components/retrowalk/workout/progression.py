"""The progression coach: a ladder of levels, one step per good week.

The ladder follows the sources (README, Sources). Start with backward intervals of a minute or two
and build up, over about four weeks, to 10 straight minutes of backward walking
three times a week [001, 003]; 5 minutes comes before 10 [004]. Then raise the
speed gradually, in small steps [002, 004], never above the speed cap. Every
session warms up forward first and cools down forward [003]; forward recovery
of 2 minutes, as in Holland's beginner walk [001], separates backward intervals.

Levels 0 to `CONTINUOUS_LEVEL` lengthen the backward intervals at about 10
backward minutes a session, at the session's own speed. Each level above raises
the backward speed by 0.1 mph over the base speed; the ladder ends where the
next step would pass the cap, so the top level depends on base speed and cap.

Weekly rule (`next_level`), from "three times a week" [001]: a week that meets
the schedule's target moves up one level; a week without a session that counts
(a completed program with at least a minute backward, `SessionRecord.counts`)
moves down one (the break undid some of the adaptation); any other week holds.
The level never leaves 0..max_level, so lowering the cap lowers the level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import math
from typing import Any

from .errors import WorkoutError
from .history import read_moment
from .program import Direction, Interval, IntervalRole, Program
from .schedule import WeekSummary
from .units import SpeedUnit

PROGRESSIVE_PROGRAM = "progressive"
WARM_UP = timedelta(minutes=3)
COOL_DOWN = timedelta(minutes=2)
RECOVERY = timedelta(minutes=2)
SPEED_STEP_KMH = SpeedUnit.MPH.to_kmh(0.1)
# Floating-point slack when asking whether one more speed step fits under the cap.
_CAP_TOLERANCE = 1e-9


@dataclass(frozen=True, kw_only=True)
class IntervalRung:
    """One rung of the interval ladder: `repeats` backward intervals of some minutes."""

    backward_interval_minutes: int
    repeats: int

    @property
    def backward_minutes_total(self) -> int:
        """Backward minutes in a session at this rung."""
        return self.backward_interval_minutes * self.repeats


INTERVAL_LADDER = (
    IntervalRung(backward_interval_minutes=1, repeats=10),
    IntervalRung(backward_interval_minutes=2, repeats=5),
    IntervalRung(backward_interval_minutes=5, repeats=2),
    IntervalRung(backward_interval_minutes=10, repeats=1),
)
CONTINUOUS_LEVEL = len(INTERVAL_LADDER) - 1


class StepKind(StrEnum):
    """What the next level changes."""

    LONGER_INTERVALS = "longer_intervals"
    FASTER = "faster"


@dataclass(frozen=True, kw_only=True)
class LevelStep:
    """The next level: what changes and its new figures."""

    kind: StepKind
    backward_interval_minutes: int
    backward_minutes_total: int
    backward_speed_kmh: float | None


@dataclass(frozen=True, kw_only=True)
class LevelInfo:
    """A level as the UI shows it; `backward_speed_kmh` None is the session's speed."""

    level: int
    max_level: int
    backward_interval_minutes: int
    backward_intervals: int
    backward_minutes_total: int
    backward_speed_kmh: float | None
    next_step: LevelStep | None


def max_level_for(*, base_speed_kmh: float, max_speed_kmh: float) -> int:
    """The top level: the last speed step that stays within the cap."""
    if not 0 < base_speed_kmh <= max_speed_kmh:
        raise WorkoutError("invalid_speed")
    steps = (max_speed_kmh - base_speed_kmh) / SPEED_STEP_KMH
    return CONTINUOUS_LEVEL + math.floor(steps + _CAP_TOLERANCE)


def program_for_level(
    level: int, *, base_speed_kmh: float, max_speed_kmh: float
) -> Program:
    """The session to walk at `level`."""
    _check_level(level, base_speed_kmh=base_speed_kmh, max_speed_kmh=max_speed_kmh)
    rung = _rung(level)
    backward = Interval(
        direction=Direction.BACKWARD,
        duration=timedelta(minutes=rung.backward_interval_minutes),
        speed_kmh=_backward_speed(level, base_speed_kmh, max_speed_kmh),
    )
    recovery = Interval(direction=Direction.FORWARD, duration=RECOVERY)
    main = [backward]
    for _ in range(rung.repeats - 1):
        main += [recovery, backward]
    return Program(
        key=PROGRESSIVE_PROGRAM,
        intervals=(
            Interval(
                direction=Direction.FORWARD, duration=WARM_UP, role=IntervalRole.WARM_UP
            ),
            *main,
            Interval(
                direction=Direction.FORWARD,
                duration=COOL_DOWN,
                role=IntervalRole.COOL_DOWN,
            ),
        ),
    )


def describe_level(
    level: int, *, base_speed_kmh: float, max_speed_kmh: float
) -> LevelInfo:
    """The figures of `level` and of the step after it (None at the top)."""
    top = _check_level(
        level, base_speed_kmh=base_speed_kmh, max_speed_kmh=max_speed_kmh
    )
    rung = _rung(level)
    next_step = None
    if level < top:
        next_rung = _rung(level + 1)
        next_step = LevelStep(
            kind=(
                StepKind.LONGER_INTERVALS
                if level < CONTINUOUS_LEVEL
                else StepKind.FASTER
            ),
            backward_interval_minutes=next_rung.backward_interval_minutes,
            backward_minutes_total=next_rung.backward_minutes_total,
            backward_speed_kmh=_backward_speed(
                level + 1, base_speed_kmh, max_speed_kmh
            ),
        )
    return LevelInfo(
        level=level,
        max_level=top,
        backward_interval_minutes=rung.backward_interval_minutes,
        backward_intervals=rung.repeats,
        backward_minutes_total=rung.backward_minutes_total,
        backward_speed_kmh=_backward_speed(level, base_speed_kmh, max_speed_kmh),
        next_step=next_step,
    )


def next_level(level: int, week: WeekSummary, *, max_level: int) -> int:
    """The level after a finished week (see the module docstring)."""
    if week.target_met:
        level += 1
    elif week.sessions_done == 0:
        level -= 1
    return max(0, min(level, max_level))


def apply_weeks(level: int, weeks: Iterable[WeekSummary], *, max_level: int) -> int:
    """The level after finished weeks, applied oldest first."""
    for week in weeks:
        level = next_level(level, week, max_level=max_level)
    return level


def read_coach(data: Any) -> tuple[int, datetime]:
    """The level and the start of the week it was set in, as the coach's file holds them.

    Raises KeyError, TypeError or ValueError for a file that is not one: the
    level must be a whole number from 0, the week start an ISO time with a time
    zone. Other fields (of a newer version) are ignored.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"expected an object, found {type(data).__name__}")
    level = data["level"]
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level is {type(level).__name__}")
    if level < 0:
        raise ValueError(f"level {level} is below 0")
    return level, read_moment(data["week_of"])


def _check_level(level: int, *, base_speed_kmh: float, max_speed_kmh: float) -> int:
    """Refuse a level off the ladder; return the top level."""
    top = max_level_for(base_speed_kmh=base_speed_kmh, max_speed_kmh=max_speed_kmh)
    if not 0 <= level <= top:
        raise WorkoutError("invalid_level", level=str(level))
    return top


def _rung(level: int) -> IntervalRung:
    return INTERVAL_LADDER[min(level, CONTINUOUS_LEVEL)]


def _backward_speed(
    level: int, base_speed_kmh: float, max_speed_kmh: float
) -> float | None:
    """None (the session's speed) up to the continuous level, then base + steps."""
    if level <= CONTINUOUS_LEVEL:
        return None
    steps = level - CONTINUOUS_LEVEL
    return min(max_speed_kmh, base_speed_kmh + steps * SPEED_STEP_KMH)
