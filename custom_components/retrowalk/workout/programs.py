"""The built-in programs, each taken from a source article (README, Sources)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from .errors import WorkoutError
from .program import Direction, Interval, IntervalRole, Program

FORWARD = Direction.FORWARD
BACKWARD = Direction.BACKWARD


def _walk(
    direction: Direction, minutes: float, role: IntervalRole = IntervalRole.MAIN
) -> Interval:
    return Interval(direction=direction, duration=timedelta(minutes=minutes), role=role)


def beginner_alternating() -> Program:
    """Holland's beginner walk: 30 minutes alternating 2 minutes each way [source 001].

    Starts and ends forward, so the first and last two minutes are the warm-up and
    cool-down that source 003 recommends; 7 backward intervals, 14 backward minutes.
    """
    middle = [_walk(BACKWARD if i % 2 == 0 else FORWARD, 2) for i in range(13)]
    return Program(
        key="beginner_alternating",
        intervals=(
            _walk(FORWARD, 2, IntervalRole.WARM_UP),
            *middle,
            _walk(FORWARD, 2, IntervalRole.COOL_DOWN),
        ),
    )


def intervals_3_1() -> Program:
    """Forward 3 minutes, backward 1 minute, repeated five times [source 003].

    The first forward stretch is the warm-up; a 2-minute forward cool-down ends it
    so the belt never stops under someone walking backward (22 minutes).
    """
    cycles: list[Interval] = []
    for cycle in range(5):
        role = IntervalRole.WARM_UP if cycle == 0 else IntervalRole.MAIN
        cycles += [_walk(FORWARD, 3, role), _walk(BACKWARD, 1)]
    return Program(
        key="intervals_3_1",
        intervals=(*cycles, _walk(FORWARD, 2, IntervalRole.COOL_DOWN)),
    )


def steady_10() -> Program:
    """A 3-minute forward warm-up, then 10 straight minutes backward [sources 001, 003].

    Ten continuous backward minutes, three times a week, is the level the sources
    build up to.
    """
    return Program(
        key="steady_10",
        intervals=(_walk(FORWARD, 3, IntervalRole.WARM_UP), _walk(BACKWARD, 10)),
    )


BUILT_IN_PROGRAMS = {
    program.key: program
    for program in (beginner_alternating(), intervals_3_1(), steady_10())
}
DEFAULT_PROGRAM = "beginner_alternating"
CUSTOM_PROGRAM = "custom"


def built_in_program(key: str) -> Program:
    """Return a built-in program by key."""
    try:
        return BUILT_IN_PROGRAMS[key]
    except KeyError:
        raise WorkoutError("unknown_program", program=key) from None


def custom_program(intervals: Sequence[Interval]) -> Program:
    """A program made of the person's own intervals, in order."""
    return Program(key=CUSTOM_PROGRAM, intervals=tuple(intervals))
