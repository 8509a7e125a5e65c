"""Built-in and custom programs."""

from __future__ import annotations

from datetime import timedelta
import itertools

import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.program import (
    Direction,
    Interval,
    IntervalRole,
    Program,
)
from custom_components.retrowalk.workout.programs import (
    BUILT_IN_PROGRAMS,
    built_in_program,
    custom_program,
)

MINUTE = timedelta(minutes=1)


def test_beginner_alternating_is_holland_30_minutes_of_2_minute_switches() -> None:
    """Seed 001: 30 minutes alternating 2 minutes backward and forward."""
    program = built_in_program("beginner_alternating")
    assert program.duration == 30 * MINUTE
    assert {i.duration for i in program.intervals} == {2 * MINUTE}
    directions = [i.direction for i in program.intervals]
    assert all(a is not b for a, b in itertools.pairwise(directions))
    assert program.intervals[0].role is IntervalRole.WARM_UP
    assert program.intervals[-1].role is IntervalRole.COOL_DOWN
    assert program.time_in(Direction.BACKWARD) == 14 * MINUTE


def test_intervals_3_1_repeats_3_forward_1_backward() -> None:
    """Seed 003: forward 3 minutes then backward 1 minute, with a cool-down."""
    program = built_in_program("intervals_3_1")
    pairs = program.intervals[:-1]
    assert [(i.direction, i.duration) for i in pairs] == [
        (Direction.FORWARD, 3 * MINUTE),
        (Direction.BACKWARD, MINUTE),
    ] * 5
    assert program.intervals[-1].role is IntervalRole.COOL_DOWN
    assert program.duration == 22 * MINUTE


def test_steady_10_is_warm_up_then_ten_backward_minutes() -> None:
    """Seeds 001/003: warm up, then 10 straight backward minutes."""
    warm_up, main = built_in_program("steady_10").intervals
    assert (warm_up.direction, warm_up.duration, warm_up.role) == (
        Direction.FORWARD,
        3 * MINUTE,
        IntervalRole.WARM_UP,
    )
    assert (main.direction, main.duration) == (Direction.BACKWARD, 10 * MINUTE)


def test_built_ins_use_session_speeds() -> None:
    """Built-in programs walk at the speeds the person sets."""
    for program in BUILT_IN_PROGRAMS.values():
        assert all(i.speed_kmh is None for i in program.intervals)


def test_unknown_program_is_refused() -> None:
    """An unknown key names itself in the error."""
    with pytest.raises(WorkoutError) as err:
        built_in_program("moonwalk")
    assert err.value.code == "unknown_program"
    assert err.value.placeholders == {"program": "moonwalk"}


def test_custom_program_keeps_order_and_speeds() -> None:
    """A custom program is the given intervals, in order."""
    intervals = [
        Interval(
            direction=Direction.BACKWARD, duration=timedelta(seconds=5), speed_kmh=1.0
        ),
        Interval(direction=Direction.FORWARD, duration=timedelta(seconds=5)),
    ]
    program = custom_program(intervals)
    assert program.key == "custom"
    assert list(program.intervals) == intervals


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"duration": timedelta(0)}, "invalid_duration"),
        ({"duration": timedelta(seconds=-1)}, "invalid_duration"),
        ({"speed_kmh": 0.0}, "invalid_speed"),
        ({"speed_kmh": -1.0}, "invalid_speed"),
        ({"role": IntervalRole.WARM_UP}, "backward_warm_up"),
    ],
)
def test_unwalkable_intervals_are_refused(kwargs: dict[str, object], code: str) -> None:
    """Zero or negative durations and speeds, and backward warm-ups, are refused."""
    fields: dict[str, object] = {
        "direction": Direction.BACKWARD,
        "duration": timedelta(seconds=5),
    } | kwargs
    with pytest.raises(WorkoutError) as err:
        Interval(**fields)  # type: ignore[arg-type]
    assert err.value.code == code


def test_empty_program_is_refused() -> None:
    """A program needs at least one interval."""
    with pytest.raises(WorkoutError) as err:
        Program(key="custom", intervals=())
    assert err.value.code == "empty_program"
