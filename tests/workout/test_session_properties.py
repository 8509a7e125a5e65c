"""Properties of the session that hold for any program and any command sequence."""

from __future__ import annotations

from datetime import timedelta
import itertools

from hypothesis import given, settings, strategies as st

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.program import Direction, Interval
from custom_components.retrowalk.workout.programs import custom_program
from custom_components.retrowalk.workout.session import (
    EventType,
    Session,
    SessionStatus,
)

from .clock import FakeClock

intervals = st.builds(
    Interval,
    direction=st.sampled_from(Direction),
    duration=st.integers(1, 600_000_000).map(lambda us: timedelta(microseconds=us)),
    speed_kmh=st.one_of(st.none(), st.floats(0.1, 8.0)),
)
commands = st.lists(
    st.tuples(
        st.sampled_from(["advance", "pause", "resume", "skip", "stop", "speed"]),
        st.integers(0, 900_000_000),
    ),
    max_size=40,
)


def run(program_intervals: list[Interval], steps: list[tuple[str, int]]):
    """Start a session, then apply commands at random times; collect events."""
    clock = FakeClock()
    session = Session(
        custom_program(program_intervals),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=0.8,
    )
    start = clock.now
    events = session.start()
    checkpoints = [(clock.now, session.totals())]
    for command, wait_us in steps:
        clock.tick(microseconds=wait_us)
        try:
            if command == "speed":
                events += session.set_speed(Direction.BACKWARD, 1.0 + wait_us % 5)
            elif command in ("pause", "stop"):
                events += getattr(session, command)("test")
            else:
                events += getattr(session, command)()
        except WorkoutError:
            pass
        # The HA layer catches up at every boundary; check the books after that.
        events += session.advance()
        checkpoints.append((clock.now, session.totals()))
    return session, start, events, checkpoints


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=8), commands)
def test_forward_backward_and_paused_add_up_to_wall_time(program_intervals, steps):
    """Not a microsecond is lost or counted twice, whatever happens."""
    session, start, _, checkpoints = run(program_intervals, steps)
    for now, totals in checkpoints:
        end = session.ended_at if session.ended_at and session.ended_at < now else now
        assert totals.forward + totals.backward + totals.paused == end - start


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=8), commands)
def test_events_are_ordered_and_totals_never_decrease(program_intervals, steps):
    """Event times never go back, and no running total ever shrinks."""
    _, _, events, checkpoints = run(program_intervals, steps)
    times = [event.at for event in events]
    assert times == sorted(times)
    for (_, before), (_, after) in itertools.pairwise(checkpoints):
        assert after.forward >= before.forward
        assert after.backward >= before.backward
        assert after.paused >= before.paused
        assert after.distance_km >= before.distance_km - 1e-12


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=8), commands)
def test_moving_time_never_exceeds_the_program(program_intervals, steps):
    """Walking time cannot exceed the planned program; ends come once."""
    session, _, events, _ = run(program_intervals, steps)
    assert session.totals().moving <= session.program.duration
    ends = [
        e
        for e in events
        if e.type in (EventType.SESSION_COMPLETED, EventType.SESSION_STOPPED)
    ]
    assert len(ends) == (0 if session.is_active else 1)
    assert 0 <= session.progress() <= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=8), st.integers(0, 10**10))
def test_uninterrupted_run_switches_exactly_at_planned_boundaries(
    program_intervals, wait_us
):
    """Without commands, boundary n is the start plus the first n durations."""
    clock = FakeClock()
    session = Session(
        custom_program(program_intervals),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=0.8,
    )
    start = clock.now
    session.start()
    clock.tick(microseconds=wait_us)
    events = session.advance()
    planned = [start]
    for interval in program_intervals:
        planned.append(planned[-1] + interval.duration)
    assert [e.at for e in events] == planned[1 : len(events) + 1]
    if session.status is SessionStatus.FINISHED:
        assert session.totals().moving == session.program.duration


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=8), st.integers(0, 10**10))
def test_queries_before_catch_up_stop_at_the_boundary(program_intervals, wait_us):
    """A late timer never makes the figures run past the current interval."""
    clock = FakeClock()
    session = Session(
        custom_program(program_intervals),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=0.8,
    )
    session.start()
    clock.tick(microseconds=wait_us)
    first = program_intervals[0].duration
    assert session.totals().moving == min(first, timedelta(microseconds=wait_us))
    assert session.progress() <= 100
