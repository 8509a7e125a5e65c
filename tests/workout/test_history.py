"""History records: storage round trip, records of ended sessions, pauses, old snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import json
import math
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.retrowalk.workout.errors import WorkoutError
from custom_components.retrowalk.workout.history import (
    MAX_AMOUNT,
    Outcome,
    PauseRecord,
    SessionRecord,
    missed_record,
    record_from_session,
)
from custom_components.retrowalk.workout.program import Direction, Interval
from custom_components.retrowalk.workout.programs import (
    built_in_program,
    custom_program,
)
from custom_components.retrowalk.workout.session import (
    Session,
    SessionPause,
    SessionStatus,
)

from .clock import START, FakeClock

MINUTE = timedelta(minutes=1)
NEW_SNAPSHOT_KEYS = ("pauses", "distance_by_direction_km")

moments = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(8999, 12, 31),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
amounts = st.floats(0, 1e6, allow_nan=False)
optional_amounts = st.none() | amounts
records = st.builds(
    SessionRecord,
    started_at=moments,
    ended_at=st.none() | moments,
    program=st.text(max_size=20),
    outcome=st.sampled_from(Outcome),
    end_reason=st.none() | st.text(max_size=20),
    forward_seconds=amounts,
    backward_seconds=amounts,
    paused_seconds=amounts,
    distance_km=amounts,
    forward_speed_kmh=optional_amounts,
    backward_speed_kmh=optional_amounts,
    pauses=st.lists(
        st.builds(
            PauseRecord, at=moments, reason=st.text(max_size=20), seconds=amounts
        ),
        max_size=4,
    ).map(tuple),
    met_minutes=amounts,
    kcal=optional_amounts,
    scheduled_for=st.none() | moments,
)


@settings(max_examples=100, deadline=None)
@given(records)
def test_record_round_trip_through_json(record: SessionRecord) -> None:
    """What `to_dict` writes, through JSON, `from_dict` reads back unchanged."""
    data = json.loads(json.dumps(record.to_dict()))
    assert SessionRecord.from_dict(data) == record
    assert SessionRecord.from_dict(data).key == record.key


def steady_session(clock: FakeClock) -> Session:
    """steady_10 (3 min forward warm-up, 10 min backward) at 0.8 and 1.0 km/h."""
    return Session(
        built_in_program("steady_10"),
        clock,
        forward_speed_kmh=0.8,
        backward_speed_kmh=1.0,
    )


def test_completed_session_with_a_relabelled_pause() -> None:
    """A finished session: times, speeds, one pause under its last reason, energy."""
    clock = FakeClock()
    session = steady_session(clock)
    session.start()
    clock.tick(minutes=5)
    session.pause("no_spotter")
    clock.tick(seconds=40)
    session.interrupt("treadmill_fault")
    assert session.pause_reason == "treadmill_fault"
    assert session.pauses == (
        SessionPause(started_at=START + 5 * MINUTE, reason="treadmill_fault"),
    )
    clock.tick(seconds=20)
    session.resume()
    clock.tick(minutes=8)
    session.advance()
    assert session.status is SessionStatus.FINISHED
    scheduled = START - 2 * MINUTE

    record = record_from_session(session, body_mass_kg=70, scheduled_for=scheduled)

    assert record.outcome is Outcome.COMPLETED
    assert record.end_reason is None
    assert (record.started_at, record.ended_at) == (START, START + 14 * MINUTE)
    assert (record.forward_seconds, record.backward_seconds) == (180, 600)
    assert record.paused_seconds == 60
    assert record.pauses == (
        PauseRecord(at=START + 5 * MINUTE, reason="treadmill_fault", seconds=60),
    )
    assert record.forward_speed_kmh == pytest.approx(0.8)
    assert record.backward_speed_kmh == pytest.approx(1.0)
    assert record.distance_km == pytest.approx((3 * 0.8 + 10 * 1.0) / 60)
    assert record.met_minutes == pytest.approx(3 * 4.3 + 10 * 6.0)
    assert record.kcal == pytest.approx(72.9 * 70 / 60)
    assert (record.program, record.scheduled_for) == ("steady_10", scheduled)


def test_stopped_while_paused_closes_the_pause() -> None:
    """Stopping during a pause ends the pause at the stop; no mass, no kcal."""
    clock = FakeClock()
    session = steady_session(clock)
    session.start()
    clock.tick(minutes=1)
    session.pause("user")
    clock.tick(minutes=2)
    session.resume()
    clock.tick(minutes=1)
    session.pause("no_spotter")
    clock.tick(minutes=3)
    session.stop("user")
    assert session.pause_reason is None

    record = record_from_session(session, body_mass_kg=None)

    assert (record.outcome, record.end_reason) == (Outcome.STOPPED, "user")
    assert [(p.reason, p.seconds) for p in record.pauses] == [
        ("user", 120.0),
        ("no_spotter", 180.0),
    ]
    assert record.paused_seconds == 300
    assert record.backward_speed_kmh is None  # never walked backward
    assert record.kcal is None
    assert record.met_minutes == pytest.approx(2 * 4.3)


def test_average_speed_follows_speed_changes() -> None:
    """The average is distance over time: 2 min at 1.0 and 2 min at 2.0 is 1.5."""
    clock = FakeClock()
    program = custom_program(
        [Interval(direction=Direction.BACKWARD, duration=4 * MINUTE)]
    )
    session = Session(program, clock, forward_speed_kmh=0.8, backward_speed_kmh=1.0)
    session.start()
    clock.tick(minutes=2)
    session.set_speed(Direction.BACKWARD, 2.0)
    clock.tick(minutes=2)
    session.advance()
    record = record_from_session(session, body_mass_kg=None)
    assert record.backward_speed_kmh == pytest.approx(1.5)
    assert record.forward_speed_kmh is None


@pytest.mark.parametrize("steps", [(), ("start",), ("start", "pause")])
def test_a_session_that_has_not_ended_has_no_record(steps: tuple[str, ...]) -> None:
    """Idle, running and paused sessions are refused."""
    clock = FakeClock()
    session = steady_session(clock)
    for step in steps:
        getattr(session, step)(*(["user"] if step == "pause" else []))
    with pytest.raises(WorkoutError, match="not_ended"):
        record_from_session(session, body_mass_kg=70)


def test_missed_record() -> None:
    """A missed slot: started_at is when it was due, nothing was walked."""
    record = missed_record(START, "progressive")
    assert record == SessionRecord(
        started_at=START,
        ended_at=None,
        program="progressive",
        outcome=Outcome.MISSED,
        scheduled_for=START,
    )
    assert record.met_minutes == 0
    assert record.kcal is None


# --- snapshots with pauses and distance per direction ------------------------


def paused_session(clock: FakeClock) -> Session:
    """5 minutes walked (3 forward, 2 backward), one finished pause, paused again."""
    session = steady_session(clock)
    session.start()
    clock.tick(minutes=4)
    session.pause("user")
    clock.tick(minutes=1)
    session.resume()
    clock.tick(minutes=1)
    session.pause("no_spotter")
    clock.tick(minutes=1)
    return session


def test_snapshot_keeps_pauses_and_distance_per_direction() -> None:
    """Pauses and the split of distance survive a restart, through JSON."""
    clock = FakeClock()
    session = paused_session(clock)
    restored = Session.from_snapshot(json.loads(json.dumps(session.snapshot())), clock)
    assert restored.pauses == session.pauses
    assert len(restored.pauses) == 2
    assert restored.pause_reason == "no_spotter"
    totals = restored.totals()
    assert totals == session.totals()
    assert totals.forward_distance_km == pytest.approx(3 * 0.8 / 60)
    assert totals.backward_distance_km == pytest.approx(2 * 1.0 / 60)


def test_old_snapshot_while_paused_keeps_its_current_pause() -> None:
    """A snapshot without the new keys loads: the current pause comes back, the split is unknown."""
    clock = FakeClock()
    session = paused_session(clock)
    data = session.snapshot()
    for key in NEW_SNAPSHOT_KEYS:
        del data[key]
    restored = Session.from_snapshot(data, clock)
    assert restored.pauses == (
        SessionPause(started_at=START + 6 * MINUTE, reason="no_spotter"),
    )
    assert restored.pause_reason == "no_spotter"
    totals = restored.totals()
    assert totals.distance_km == pytest.approx(session.totals().distance_km)
    assert (totals.forward_distance_km, totals.backward_distance_km) == (None, None)
    assert restored.snapshot()["distance_by_direction_km"] is None
    clock.tick(minutes=1)
    restored.resume()
    restored.stop("user")
    record = record_from_session(restored, body_mass_kg=70)
    assert record.pauses == (
        PauseRecord(at=START + 6 * MINUTE, reason="no_spotter", seconds=120),
    )
    assert record.paused_seconds == 180  # the earlier pause still counts in the total
    assert (record.forward_speed_kmh, record.backward_speed_kmh) == (None, None)
    assert record.distance_km == pytest.approx(session.totals().distance_km)


def test_old_snapshot_while_running_has_no_pauses() -> None:
    """A running session from an old snapshot starts with an empty pause list."""
    clock = FakeClock()
    session = steady_session(clock)
    session.start()
    clock.tick(minutes=1)
    data = session.snapshot()
    for key in NEW_SNAPSHOT_KEYS:
        del data[key]
    restored = Session.from_snapshot(data, clock)
    assert restored.pauses == ()
    assert restored.pause_reason is None


@pytest.mark.parametrize(
    "damage",
    [
        "open_pause_while_running",
        "closed_pause_while_paused",
        "old_paused_without_reason",
    ],
)
def test_pauses_that_contradict_the_status_are_refused(damage: str) -> None:
    """A damaged snapshot raises invalid_snapshot instead of breaking later."""
    clock = FakeClock()
    session = paused_session(clock)
    data = session.snapshot()
    if damage == "open_pause_while_running":
        session.resume()
        data = session.snapshot()
        data["pauses"][-1]["ended_at"] = None
    elif damage == "closed_pause_while_paused":
        data["pauses"][-1]["ended_at"] = clock.now.isoformat()
    else:
        del data["pauses"]
        data["pause_reason"] = None
    with pytest.raises(WorkoutError, match="invalid_snapshot"):
        Session.from_snapshot(data, clock)


# --- damaged records ---------------------------------------------------------

GOOD = SessionRecord(
    started_at=START,
    ended_at=START + 20 * MINUTE,
    program="beginner",
    outcome=Outcome.STOPPED,
    end_reason="user",
    forward_seconds=540.0,
    backward_seconds=600.0,
    paused_seconds=30.0,
    distance_km=0.9,
    backward_speed_kmh=1.0,
    pauses=(PauseRecord(at=START + 5 * MINUTE, reason="user", seconds=30.0),),
    met_minutes=98.7,
    kcal=115.2,
    scheduled_for=START,
).to_dict()
AMOUNTS = [
    "forward_seconds",
    "backward_seconds",
    "paused_seconds",
    "distance_km",
    "met_minutes",
    "forward_speed_kmh",
    "backward_speed_kmh",
    "kcal",
]
NOT_AMOUNTS = [
    math.nan,
    math.inf,
    -math.inf,
    1.7e308,
    MAX_AMOUNT * 1.01,
    10**30,
    -1,
    -0.001,
    "NaN",
    "Infinity",
    "1.7e308",
    "600",
    True,
    [],
    {},
]


def damaged(**changes: Any) -> dict[str, Any]:
    """The good record with some fields changed."""
    return GOOD | changes


@pytest.mark.parametrize("field", AMOUNTS)
@pytest.mark.parametrize("value", NOT_AMOUNTS, ids=repr)
def test_amount_that_is_not_a_plausible_number_is_damage(
    field: str, value: Any
) -> None:
    """Not finite, negative, absurdly large or not a number: the record is damaged."""
    with pytest.raises((TypeError, ValueError)):
        SessionRecord.from_dict(damaged(**{field: value}))


@pytest.mark.parametrize(
    "data",
    [
        damaged(started_at="2026-11-21T07:00:00"),  # no time zone
        damaged(started_at=1763708400),
        damaged(started_at=None),
        damaged(started_at="9999-12-31T23:59:59+00:00"),
        damaged(started_at="0001-01-01T00:00:00+14:00"),
        damaged(ended_at="2026-11-21T07:20:00"),
        damaged(ended_at=12),
        damaged(scheduled_for="soon"),
        damaged(scheduled_for="2026-11-21T07:00:00"),
        damaged(program=5),
        damaged(program=None),
        damaged(outcome=["completed"]),
        damaged(outcome="abandoned"),
        damaged(end_reason=3),
        damaged(pauses={"at": START.isoformat()}),
        damaged(pauses="user"),
        damaged(pauses=[None]),
        damaged(pauses=[GOOD["pauses"][0] | {"seconds": math.nan}]),
        damaged(pauses=[GOOD["pauses"][0] | {"seconds": -4}]),
        damaged(pauses=[GOOD["pauses"][0] | {"at": "2026-11-21T07:05:00"}]),
        damaged(pauses=[GOOD["pauses"][0] | {"reason": None}]),
        ["not", "a", "record"],
        "a record",
        None,
    ],
    ids=lambda data: repr(data)[:60],
)
def test_record_of_the_wrong_shape_is_damage(data: Any) -> None:
    """Wrong types, naive or out-of-range times, unknown outcomes."""
    with pytest.raises((KeyError, TypeError, ValueError)):
        SessionRecord.from_dict(data)


def test_good_record_and_ints_are_read() -> None:
    """Whole numbers, None for optional amounts, and missing optional fields are fine."""
    record = SessionRecord.from_dict(
        damaged(forward_seconds=540, kcal=None, forward_speed_kmh=None)
    )
    assert record.forward_seconds == 540.0
    assert isinstance(record.forward_seconds, float)
    minimal = SessionRecord.from_dict(
        {"started_at": START.isoformat(), "program": "x", "outcome": "missed"}
    )
    assert minimal == SessionRecord(
        started_at=START, ended_at=None, program="x", outcome=Outcome.MISSED
    )


def test_backward_clock_jump_during_a_session_is_still_recorded() -> None:
    """Time that ran backward counts as none: never a negative amount, never lost."""
    clock = FakeClock()
    session = steady_session(clock)
    session.start()
    clock.tick(minutes=4)
    session.pause("user")
    clock.tick(hours=-2)
    session.resume()
    clock.tick(minutes=1)
    session.stop("user")

    record = record_from_session(session, body_mass_kg=70)

    assert record.outcome is Outcome.STOPPED
    for value in (
        record.forward_seconds,
        record.backward_seconds,
        record.paused_seconds,
        record.distance_km,
        record.met_minutes,
        record.kcal,
        *(pause.seconds for pause in record.pauses),
    ):
        assert value is not None
        assert 0 <= value < MAX_AMOUNT
    assert SessionRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record
