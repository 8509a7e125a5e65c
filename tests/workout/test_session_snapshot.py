"""Saving and rebuilding a session, as a restart needs."""

from __future__ import annotations

from datetime import timedelta
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.program import (
    Direction,
    Interval,
    IntervalRole,
)
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
from .test_session_properties import commands, intervals, run


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=6), commands)
def test_snapshot_round_trip_is_exact(program_intervals, steps):
    """A rebuilt session is indistinguishable from the original, through JSON."""
    session, _, _, _ = run(program_intervals, steps)
    data = json.loads(json.dumps(session.snapshot()))
    rebuilt = Session.from_snapshot(data, session._clock)
    assert rebuilt.snapshot() == session.snapshot()
    assert rebuilt.totals() == session.totals()
    assert rebuilt.progress() == session.progress()
    assert rebuilt.interval_ends == session.interval_ends
    assert rebuilt.program == session.program


def test_restored_running_session_pauses_when_it_was_saved() -> None:
    """A session saved while running is paused at the save time, not later."""
    clock = FakeClock()
    session = Session(
        built_in_program("steady_10"),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=1.0,
    )
    session.start()
    clock.tick(minutes=4)
    saved_at = clock.now
    data = session.snapshot()
    clock.tick(minutes=30)  # Home Assistant was down for half an hour
    restored = Session.from_snapshot(data, clock)
    events = restored.pause("restart", at=saved_at)
    assert [e.type for e in events] == [
        EventType.INTERVAL_SWITCHED,
        EventType.SESSION_PAUSED,
    ]
    assert events[-1].at == saved_at
    totals = restored.totals()
    assert (totals.forward, totals.backward) == (
        timedelta(minutes=3),
        timedelta(minutes=1),
    )
    assert totals.paused == timedelta(minutes=30)
    assert restored.status is SessionStatus.PAUSED
    assert restored.pause_reason == "restart"


@pytest.mark.parametrize(
    "corrupt",
    [
        {},
        {"program": {"key": "x", "intervals": []}},
        "missing_field",
        "bad_index",
        "bad_status",
    ],
)
def test_corrupt_snapshot_is_refused(corrupt) -> None:
    """A damaged snapshot raises a WorkoutError, never something else."""
    clock = FakeClock()
    session = Session(
        built_in_program("steady_10"),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=1.0,
    )
    session.start()
    data = session.snapshot()
    if corrupt == "missing_field":
        del data["forward_us"]
    elif corrupt == "bad_index":
        data["index"] = 7
    elif corrupt == "bad_status":
        data["status"] = "dancing"
    else:
        data = corrupt
    with pytest.raises(WorkoutError, match="invalid_snapshot"):
        Session.from_snapshot(data, clock)


def test_custom_program_with_speeds_survives() -> None:
    """Explicit speeds and roles come back."""
    clock = FakeClock(START)
    program = custom_program(
        [
            Interval(
                direction=Direction.FORWARD,
                duration=timedelta(seconds=5),
                role=IntervalRole.WARM_UP,
            ),
            Interval(
                direction=Direction.BACKWARD,
                duration=timedelta(seconds=5),
                speed_kmh=1.5,
            ),
        ]
    )
    session = Session(program, clock, forward_speed_kmh=0.8, backward_speed_kmh=0.8)
    assert Session.from_snapshot(session.snapshot(), clock).program == program


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distance_km", float("inf")),
        ("distance_km", float("nan")),
        ("distance_km", -1.0),
        ("distance_km", "1"),
        ("forward_us", 10**30),
        ("paused_us", float("inf")),
    ],
)
def test_values_no_session_can_have_are_a_damaged_snapshot(
    field: str, value: object
) -> None:
    """Non-finite, negative or overflowing values: refused, never raised otherwise."""
    clock = FakeClock(START)
    session = Session(
        built_in_program("steady_10"), clock, forward_speed_kmh=1, backward_speed_kmh=1
    )
    session.start()
    data = session.snapshot() | {field: value}
    with pytest.raises(WorkoutError, match="invalid_snapshot"):
        Session.from_snapshot(data, clock)
