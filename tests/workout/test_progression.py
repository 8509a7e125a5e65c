"""The progression coach: the ladder and the weekly rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.program import Direction, IntervalRole
from custom_components.retrowalk.workout.progression import (
    CONTINUOUS_LEVEL,
    PROGRESSIVE_PROGRAM,
    SPEED_STEP_KMH,
    LevelStep,
    StepKind,
    apply_weeks,
    describe_level,
    max_level_for,
    next_level,
    program_for_level,
    read_coach,
)
from custom_components.retrowalk.workout.schedule import WeekSummary
from custom_components.retrowalk.workout.units import (
    DEFAULT_MAX_SPEED_KMH,
    START_SPEED_KMH,
    SpeedUnit,
)

SPEEDS = {"base_speed_kmh": START_SPEED_KMH, "max_speed_kmh": DEFAULT_MAX_SPEED_KMH}
TOP = 18  # 0.5 mph to 2.0 mph in 15 steps of 0.1 mph, after levels 0-3


def week(done: int, target: int = 3) -> WeekSummary:
    """A finished week with `done` completed sessions."""
    return WeekSummary(
        week_start=datetime(2026, 11, 16, tzinfo=UTC),
        sessions_done=done,
        backward_seconds=600.0 * done,
        target=target,
    )


def check_ladder(base_speed_kmh: float, max_speed_kmh: float) -> int:
    """Check every level's program and figures; return the top level."""
    speeds = {"base_speed_kmh": base_speed_kmh, "max_speed_kmh": max_speed_kmh}
    top = max_level_for(**speeds)
    assert top >= CONTINUOUS_LEVEL
    infos = [describe_level(level, **speeds) for level in range(top + 1)]
    for level, info in enumerate(infos):
        program = program_for_level(level, **speeds)
        first, *_, last = program.intervals
        assert program.key == PROGRESSIVE_PROGRAM
        assert (first.direction, first.role) == (
            Direction.FORWARD,
            IntervalRole.WARM_UP,
        )
        assert first.duration >= timedelta(minutes=2)
        assert (last.direction, last.role) == (
            Direction.FORWARD,
            IntervalRole.COOL_DOWN,
        )
        for one, other in itertools.pairwise(program.intervals):
            assert Direction.FORWARD in (one.direction, other.direction)
        backward = [i for i in program.intervals if i.direction is Direction.BACKWARD]
        assert len(backward) == info.backward_intervals
        assert {i.duration for i in backward} == {
            timedelta(minutes=info.backward_interval_minutes)
        }
        assert program.time_in(Direction.BACKWARD) == timedelta(
            minutes=info.backward_minutes_total
        )
        assert {i.speed_kmh for i in backward} == {info.backward_speed_kmh}
        assert all(
            i.speed_kmh is None
            for i in program.intervals
            if i.direction is Direction.FORWARD
        )
        assert (info.level, info.max_level) == (level, top)
        assert (info.backward_speed_kmh is None) == (level <= CONTINUOUS_LEVEL)
        assert (info.backward_speed_kmh or base_speed_kmh) <= max_speed_kmh
    # Monotonic: longer intervals first, then faster; never the same level twice.
    order = [
        (
            info.backward_interval_minutes,
            info.backward_minutes_total,
            info.backward_speed_kmh or base_speed_kmh,
        )
        for info in infos
    ]
    assert all(a < b for a, b in itertools.pairwise(order))
    # One more step would pass the cap (give or take float rounding).
    top_speed = infos[-1].backward_speed_kmh or base_speed_kmh
    assert top_speed + SPEED_STEP_KMH > max_speed_kmh - 1e-6
    return top


def test_default_ladder() -> None:
    """From 1-minute intervals to 10 straight minutes, then 0.1 mph steps to 2.0 mph."""
    assert check_ladder(START_SPEED_KMH, DEFAULT_MAX_SPEED_KMH) == TOP
    figures = [
        (info.backward_interval_minutes, info.backward_intervals)
        for info in (describe_level(level, **SPEEDS) for level in range(5))
    ]
    assert figures == [(1, 10), (2, 5), (5, 2), (10, 1), (10, 1)]
    top = describe_level(TOP, **SPEEDS)
    assert top.backward_speed_kmh == pytest.approx(DEFAULT_MAX_SPEED_KMH)
    assert top.next_step is None


@settings(max_examples=60, deadline=None)
@given(st.floats(0.1, 8.0), st.floats(0.0, 8.0))
def test_any_ladder_keeps_its_promises(base: float, headroom: float) -> None:
    """Whatever the base speed and cap, every level is safe and a step up."""
    check_ladder(base, min(8.0, base + headroom))


def test_next_step_describes_the_next_level() -> None:
    """The step names what changes and carries the next level's figures."""
    steps = [describe_level(level, **SPEEDS).next_step for level in range(TOP + 1)]
    assert [s.kind for s in steps[:CONTINUOUS_LEVEL] if s] == [
        StepKind.LONGER_INTERVALS
    ] * 3
    faster = steps[CONTINUOUS_LEVEL]
    assert isinstance(faster, LevelStep)
    assert (faster.kind, faster.backward_minutes_total) == (StepKind.FASTER, 10)
    assert faster.backward_speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(0.6))
    for level, step in enumerate(steps[:-1]):
        after = describe_level(level + 1, **SPEEDS)
        assert step is not None
        assert (step.backward_interval_minutes, step.backward_speed_kmh) == (
            after.backward_interval_minutes,
            after.backward_speed_kmh,
        )


def test_base_speed_at_the_cap_stops_at_ten_straight_minutes() -> None:
    """No room to speed up: the ladder ends at the continuous level."""
    assert max_level_for(base_speed_kmh=3.0, max_speed_kmh=3.0) == CONTINUOUS_LEVEL


@pytest.mark.parametrize(("base", "cap"), [(0.0, 3.0), (-1.0, 3.0), (3.5, 3.0)])
def test_impossible_speeds_are_refused(base: float, cap: float) -> None:
    """The base speed must be positive and within the cap."""
    with pytest.raises(WorkoutError, match="invalid_speed"):
        max_level_for(base_speed_kmh=base, max_speed_kmh=cap)


@pytest.mark.parametrize("level", [-1, TOP + 1])
def test_levels_off_the_ladder_are_refused(level: int) -> None:
    """Programs and descriptions exist only for levels 0..max_level."""
    with pytest.raises(WorkoutError, match="invalid_level"):
        program_for_level(level, **SPEEDS)
    with pytest.raises(WorkoutError, match="invalid_level"):
        describe_level(level, **SPEEDS)


@pytest.mark.parametrize(
    ("level", "done", "expected"),
    [
        (0, 3, 1),  # target met: up
        (5, 4, 6),  # more than the target: still one step
        (TOP, 3, TOP),  # at the top: stays
        (5, 2, 5),  # some sessions: hold
        (5, 0, 4),  # a missed week: down
        (0, 0, 0),  # never below 0
        (TOP + 3, 1, TOP),  # the cap was lowered: back on the ladder
    ],
)
def test_next_level(level: int, done: int, expected: int) -> None:
    """Up on a met target, down on an empty week, otherwise hold."""
    assert next_level(level, week(done), max_level=TOP) == expected


def test_apply_weeks_in_order() -> None:
    """Weeks apply oldest first."""
    weeks = [week(3), week(3), week(1), week(0), week(3), week(3)]
    assert apply_weeks(0, weeks, max_level=TOP) == 3
    assert apply_weeks(2, [], max_level=TOP) == 2
    assert apply_weeks(0, [week(3)] * 30, max_level=TOP) == TOP


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, TOP),
    st.lists(st.tuples(st.integers(0, 7), st.integers(1, 7)), max_size=20),
)
def test_level_moves_one_step_at_most_and_stays_on_the_ladder(
    level: int, weeks: list[tuple[int, int]]
) -> None:
    """Each week changes the level by at most one, in the direction the rule says."""
    for done, target in weeks:
        after = next_level(level, week(done, target), max_level=TOP)
        assert 0 <= after <= TOP
        assert abs(after - level) <= 1
        assert (after > level) == (done >= target and level < TOP)
        assert (after < level) == (done == 0 and level > 0)
        level = after


# --- the coach's file ---------------------------------------------------------

MONDAY = "2026-11-16T08:00:00+00:00"


def test_coach_file_is_read() -> None:
    """A level and the start of the week it was set in."""
    assert read_coach({"level": 4, "week_of": MONDAY}) == (
        4,
        datetime(2026, 11, 16, 8, tzinfo=UTC),
    )
    # Fields a newer version added are ignored.
    assert read_coach({"level": 0, "week_of": MONDAY, "goal": "10 min"})[0] == 0


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        [4, MONDAY],
        "level 4",
        4,
        {},
        {"level": 4},
        {"week_of": MONDAY},
        {"level": "4", "week_of": MONDAY},
        {"level": 4.0, "week_of": MONDAY},
        {"level": True, "week_of": MONDAY},
        {"level": -1, "week_of": MONDAY},
        {"level": None, "week_of": MONDAY},
        {"level": 4, "week_of": "monday"},
        {"level": 4, "week_of": "2026-11-16T08:00:00"},
        {"level": 4, "week_of": 1763280000},
        {"level": 4, "week_of": "0001-01-01T00:00:00+14:00"},
        {"level": 4, "week_of": "9999-12-31T23:59:59+00:00"},
    ],
    ids=repr,
)
def test_damaged_coach_file_is_refused(data: Any) -> None:
    """Anything else than a whole level from 0 and an aware, sane week start."""
    with pytest.raises((KeyError, TypeError, ValueError)):
        read_coach(data)
