"""The time left in the current interval: runs down while walking, stands while paused."""

from __future__ import annotations

from datetime import timedelta

from custom_components.retrowalk.workout.program import Direction, Interval
from custom_components.retrowalk.workout.programs import custom_program
from custom_components.retrowalk.workout.session import Session

from .clock import FakeClock

SECOND = timedelta(seconds=1)


def two_intervals(clock: FakeClock) -> Session:
    """Forward 10 s, then backward 20 s."""
    program = custom_program(
        [
            Interval(direction=Direction.FORWARD, duration=10 * SECOND),
            Interval(direction=Direction.BACKWARD, duration=20 * SECOND),
        ]
    )
    return Session(program, clock, forward_speed_kmh=1.0, backward_speed_kmh=1.0)


def test_remaining_runs_down_while_walking() -> None:
    """Whole interval before the start; the clock's time is taken off while running."""
    clock = FakeClock()
    session = two_intervals(clock)
    assert session.interval_remaining == 10 * SECOND
    session.start()
    clock.tick(seconds=3.5)
    assert session.interval_remaining == timedelta(seconds=6.5)
    assert session.interval_ends == clock.now + session.interval_remaining


def test_remaining_stands_still_while_paused_and_continues_after_resume() -> None:
    """A pause freezes what is left; the resume plans the end from it."""
    clock = FakeClock()
    session = two_intervals(clock)
    session.start()
    clock.tick(seconds=4)
    session.pause("user")
    clock.tick(minutes=5)
    assert session.interval_remaining == 6 * SECOND
    session.resume()
    clock.tick(seconds=1)
    assert session.interval_remaining == 5 * SECOND
    assert session.interval_ends == clock.now + 5 * SECOND


def test_skip_while_paused_leaves_the_whole_next_interval() -> None:
    """Skipping a paused interval shows all of the next one, still paused."""
    clock = FakeClock()
    session = two_intervals(clock)
    session.start()
    clock.tick(seconds=2)
    session.pause("user")
    session.skip()
    clock.tick(seconds=30)
    assert session.interval.direction is Direction.BACKWARD
    assert session.interval_remaining == 20 * SECOND
