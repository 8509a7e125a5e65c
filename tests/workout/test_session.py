"""The session state machine, step by step."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.program import Direction, Interval
from custom_components.retrowalk.workout.programs import (
    built_in_program,
    custom_program,
)
from custom_components.retrowalk.workout.session import (
    EventType,
    Session,
    SessionStatus,
)

from .clock import START, FakeClock

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def three_by_five() -> Session:
    """Backward, forward, backward for 5 s each, 1 and 2 km/h defaults."""
    program = custom_program(
        [
            Interval(direction=Direction.BACKWARD, duration=5 * SECOND),
            Interval(direction=Direction.FORWARD, duration=5 * SECOND, speed_kmh=3.0),
            Interval(direction=Direction.BACKWARD, duration=5 * SECOND),
        ]
    )
    return Session(program, CLOCK, forward_speed_kmh=2.0, backward_speed_kmh=1.0)


CLOCK = FakeClock()


@pytest.fixture(autouse=True)
def reset_clock() -> None:
    """Every test starts at the same instant."""
    CLOCK.now = START


def test_new_session_is_idle_with_no_boundaries() -> None:
    """Nothing is planned before the start."""
    session = three_by_five()
    assert session.status is SessionStatus.IDLE
    assert session.interval_ends is None
    assert session.session_ends is None
    assert session.belt_speed_kmh == 0
    assert session.progress() == 0


def test_start_plans_boundaries_from_now() -> None:
    """Starting sets the interval and session ends from the program."""
    session = three_by_five()
    (event,) = session.start()
    assert event.type is EventType.SESSION_STARTED
    assert (event.interval_index, event.speed_kmh) == (0, 1.0)
    assert session.interval_ends == START + 5 * SECOND
    assert session.session_ends == START + 15 * SECOND
    assert session.belt_speed_kmh == 1.0


def test_start_twice_is_refused() -> None:
    """A running session cannot be started again."""
    session = three_by_five()
    session.start()
    with pytest.raises(WorkoutError, match="session_active"):
        session.start()


def test_advance_before_boundary_does_nothing() -> None:
    """No event until the boundary is reached."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=4.999)
    assert session.advance() == []
    assert session.index == 0


def test_boundaries_switch_at_planned_time_even_when_late() -> None:
    """A late catch-up books each switch at its planned boundary."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=11)
    events = session.advance()
    assert [(e.type, e.at, e.interval_index) for e in events] == [
        (EventType.INTERVAL_SWITCHED, START + 5 * SECOND, 1),
        (EventType.INTERVAL_SWITCHED, START + 10 * SECOND, 2),
    ]
    assert events[0].speed_kmh == 3.0
    assert session.interval_ends == START + 15 * SECOND


def test_completion_totals_are_exact() -> None:
    """A full run books 10 s backward, 5 s forward and the distance."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=20)
    events = session.advance()
    assert events[-1].type is EventType.SESSION_COMPLETED
    assert events[-1].at == START + 15 * SECOND
    assert session.status is SessionStatus.FINISHED
    assert session.end_reason == "completed"
    totals = session.totals()
    assert (totals.backward, totals.forward, totals.paused) == (
        10 * SECOND,
        5 * SECOND,
        timedelta(0),
    )
    assert totals.distance_km == pytest.approx((10 * 1.0 + 5 * 3.0) / 3600)
    assert session.progress() == 100
    assert session.belt_speed_kmh == 0
    assert session.advance() == []


def test_pause_shifts_every_remaining_boundary() -> None:
    """Pausing for 30 s moves the interval and session ends by 30 s."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=2)
    (paused,) = session.pause("user")
    assert (paused.type, paused.reason) == (EventType.SESSION_PAUSED, "user")
    assert session.interval_ends is None
    assert session.belt_speed_kmh == 0
    CLOCK.tick(seconds=30)
    (resumed,) = session.resume()
    assert resumed.type is EventType.SESSION_RESUMED
    assert session.interval_ends == START + 35 * SECOND
    assert session.session_ends == START + 45 * SECOND
    totals = session.totals()
    assert (totals.backward, totals.paused) == (2 * SECOND, 30 * SECOND)


def test_pause_catches_up_before_pausing() -> None:
    """A pause after a missed boundary first books the switch."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=6)
    events = session.pause("user")
    assert [e.type for e in events] == [
        EventType.INTERVAL_SWITCHED,
        EventType.SESSION_PAUSED,
    ]
    assert session.totals().forward == SECOND


def test_pause_after_overdue_completion_returns_completion() -> None:
    """Pausing a session whose time ran out completes it instead."""
    session = three_by_five()
    session.start()
    CLOCK.tick(minutes=1)
    events = session.pause("user")
    assert events[-1].type is EventType.SESSION_COMPLETED


@pytest.mark.parametrize("command", ["pause", "resume", "skip", "stop"])
def test_commands_on_an_idle_session_are_refused(command: str) -> None:
    """Nothing but start works before the start."""
    session = three_by_five()
    with pytest.raises(WorkoutError):
        getattr(session, command)(*(["user"] if command in ("pause", "stop") else []))
    assert session.status is SessionStatus.IDLE


def test_resume_while_running_and_pause_while_paused_are_refused() -> None:
    """Resume needs a pause; pause needs a run."""
    session = three_by_five()
    session.start()
    with pytest.raises(WorkoutError, match="not_paused"):
        session.resume()
    session.pause("user")
    with pytest.raises(WorkoutError, match="not_running"):
        session.pause("user")


def test_skip_starts_next_interval_now() -> None:
    """Skipping moves on immediately and re-plans from now."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=1)
    (event,) = session.skip()
    assert (event.type, event.at, event.interval_index) == (
        EventType.INTERVAL_SWITCHED,
        START + SECOND,
        1,
    )
    assert session.interval_ends == START + 6 * SECOND
    assert session.progress() == pytest.approx(100 * 5 / 15)


def test_skip_while_paused_stays_paused() -> None:
    """Skipping a paused interval moves on but keeps the belt stopped."""
    session = three_by_five()
    session.start()
    session.pause("user")
    session.skip()
    assert (session.status, session.index) == (SessionStatus.PAUSED, 1)
    session.resume()
    assert session.interval_ends == START + 5 * SECOND


def test_skip_last_interval_completes() -> None:
    """Skipping the last interval completes the session."""
    session = three_by_five()
    session.start()
    session.skip()
    session.skip()
    (event,) = session.skip()
    assert event.type is EventType.SESSION_COMPLETED
    assert session.status is SessionStatus.FINISHED


def test_stop_ends_with_reason_and_freezes_totals() -> None:
    """Stopping books the time so far and nothing after."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=3)
    (event,) = session.stop("user")
    assert (event.type, event.reason) == (EventType.SESSION_STOPPED, "user")
    assert session.status is SessionStatus.STOPPED
    CLOCK.tick(minutes=5)
    assert session.totals().backward == 3 * SECOND
    assert session.progress() == pytest.approx(20)
    with pytest.raises(WorkoutError, match="not_active"):
        session.stop("user")


def test_stop_while_paused_books_the_pause() -> None:
    """A stop during a pause counts the pause up to the stop."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=1)
    session.pause("user")
    CLOCK.tick(seconds=4)
    session.stop("user")
    assert session.totals().paused == 4 * SECOND
    assert session.ended_at == START + 5 * SECOND


def test_speed_change_applies_from_now_to_default_speed_intervals() -> None:
    """Raising the backward speed mid-interval splits the distance there."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=2)
    assert session.set_speed(Direction.BACKWARD, 2.0) == []
    assert session.belt_speed_kmh == 2.0
    CLOCK.tick(seconds=3)
    session.advance()
    assert session.belt_speed_kmh == 3.0  # explicit speed of interval 1
    assert session.totals().distance_km == pytest.approx((2 * 1.0 + 3 * 2.0) / 3600)


@pytest.mark.parametrize("speed", [0, -1, float("nan"), float("inf")])
def test_speed_change_must_be_positive_and_finite(speed: float) -> None:
    """Zero, negative and non-finite speeds are refused."""
    session = three_by_five()
    with pytest.raises(WorkoutError, match="invalid_speed"):
        session.set_speed(Direction.FORWARD, speed)


@pytest.mark.parametrize("speed", [0, float("nan"), float("inf"), True, "1"])
def test_session_needs_positive_finite_speeds(speed: float) -> None:
    """Default speeds must be positive, finite numbers."""
    with pytest.raises(WorkoutError, match="invalid_speed"):
        Session(
            built_in_program("steady_10"),
            CLOCK,
            forward_speed_kmh=speed,
            backward_speed_kmh=1,
        )


def test_a_clock_set_back_never_makes_time_or_distance_negative() -> None:
    """The wall clock jumps back an hour mid-interval and mid-pause."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=2)
    CLOCK.tick(hours=-1)
    totals = session.totals()
    assert totals.backward >= timedelta(0)
    assert totals.distance_km >= 0
    assert session.progress() >= 0
    session.pause("user")
    CLOCK.tick(hours=-1)
    assert session.totals().paused >= timedelta(0)
    session.stop("user")
    totals = session.totals()
    assert min(totals.forward, totals.backward, totals.paused) >= timedelta(0)
    assert totals.distance_km >= 0


def test_beginner_session_switches_fourteen_times() -> None:
    """The 30-minute beginner walk has 14 switches, then completes."""
    session = Session(
        built_in_program("beginner_alternating"),
        CLOCK,
        forward_speed_kmh=0.8,
        backward_speed_kmh=0.8,
    )
    session.start()
    CLOCK.tick(minutes=30)
    events = session.advance()
    assert [e.type for e in events] == [EventType.INTERVAL_SWITCHED] * 14 + [
        EventType.SESSION_COMPLETED
    ]
    assert [e.at - START for e in events] == [n * 2 * MINUTE for n in range(1, 16)]
    assert session.totals().backward == 14 * MINUTE


def test_interrupt_pauses_a_running_session() -> None:
    """An interruption pauses like a pause, with its reason."""
    session = three_by_five()
    session.start()
    CLOCK.tick(seconds=1)
    (event,) = session.interrupt("restart")
    assert (event.type, event.reason) == (EventType.SESSION_PAUSED, "restart")
    assert session.status is SessionStatus.PAUSED


def test_interrupt_relabels_a_paused_session() -> None:
    """An interruption of a paused session says why it is paused now."""
    session = three_by_five()
    session.start()
    session.pause("user")
    CLOCK.tick(seconds=3)
    (event,) = session.interrupt("restart")
    assert (event.type, event.reason, event.at) == (
        EventType.SESSION_PAUSED,
        "restart",
        START + 3 * SECOND,
    )
    assert session.pause_reason == "restart"
    assert session.totals().paused == 3 * SECOND


def test_interrupt_of_an_idle_session_is_refused() -> None:
    """Nothing to interrupt before the start."""
    with pytest.raises(WorkoutError, match="not_running"):
        three_by_five().interrupt("restart")


def test_resume_carries_its_reason() -> None:
    """An automatic resume says why it resumed."""
    session = three_by_five()
    session.start()
    session.pause("no_spotter")
    (event,) = session.resume("spotter_confirmed")
    assert event.reason == "spotter_confirmed"


def test_time_to_progress_counts_walking_time_only() -> None:
    """Half of 15 s is 7.5 s of walking away; pauses do not count; past is negative."""
    session = three_by_five()
    assert session.time_to_progress(50) is None
    session.start()
    assert session.time_to_progress(50) == timedelta(seconds=7.5)
    CLOCK.tick(seconds=2)
    session.pause("user")
    assert session.time_to_progress(50) is None
    CLOCK.tick(seconds=60)
    session.resume()
    assert session.time_to_progress(50) == timedelta(seconds=5.5)
    session.skip()
    session.skip()
    assert session.time_to_progress(50) == -2.5 * SECOND
