"""What is said at each transition and before each switch, worked out without Home Assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path

import pytest

from custom_components.retrowalk.workout.cues import CueBook, Spoken
from custom_components.retrowalk.workout.program import (
    Direction,
    Interval,
    IntervalRole,
    Program,
)
from custom_components.retrowalk.workout.session import EventType, WorkoutEvent

CUES = Path(__file__).parents[2] / "custom_components" / "retrowalk" / "cues"
ENGLISH: dict[str, str] = json.loads((CUES / "en.json").read_text())
GERMAN: dict[str, str] = json.loads((CUES / "de.json").read_text())
AT = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)

PROGRAM = Program(
    key="test",
    intervals=(
        Interval(
            direction=Direction.FORWARD,
            duration=timedelta(minutes=2),
            role=IntervalRole.WARM_UP,
        ),
        Interval(direction=Direction.BACKWARD, duration=timedelta(minutes=1)),
        Interval(direction=Direction.BACKWARD, duration=timedelta(seconds=90)),
        Interval(
            direction=Direction.FORWARD,
            duration=timedelta(minutes=1),
            role=IntervalRole.COOL_DOWN,
        ),
    ),
)
SPOKEN = Spoken(speed=0.5, speed_unit="mph")


def event(kind: EventType, index: int, reason: str | None = None) -> WorkoutEvent:
    """A transition into the interval at `index` of PROGRAM."""
    return WorkoutEvent(
        type=kind,
        at=AT,
        interval_index=index,
        interval=PROGRAM.intervals[index],
        speed_kmh=0.8,
        reason=reason,
    )


@pytest.mark.parametrize(
    ("kind", "index", "expected"),
    [
        (
            EventType.SESSION_STARTED,
            0,
            "Warm up: walk forward at 0.5 miles per hour for 2 minutes.",
        ),
        (EventType.INTERVAL_SWITCHED, 1, "Turn around: walk backward for 1 minute."),
        (
            EventType.INTERVAL_SWITCHED,
            2,
            "Keep walking backward for 1 minute 30 seconds.",
        ),
        (
            EventType.INTERVAL_SWITCHED,
            3,
            "Cool down: turn around and walk forward for 1 minute.",
        ),
        (
            EventType.SESSION_RESUMED,
            1,
            "Resuming: walk backward at 0.5 miles per hour.",
        ),
    ],
)
def test_each_interval_is_announced_with_its_words(
    kind: EventType, index: int, expected: str
) -> None:
    """Start, switch (turning or not), cool-down and resume name what to do next."""
    book = CueBook(ENGLISH)
    assert book.transition(event(kind, index), PROGRAM, SPOKEN) == expected


def test_a_pause_says_why() -> None:
    """The reason is spoken in words, not as its key."""
    book = CueBook(ENGLISH)
    paused = event(EventType.SESSION_PAUSED, 1, reason="no_spotter")
    assert book.transition(paused, PROGRAM, SPOKEN) == (
        "Paused: no spotter at the treadmill, the belt has stopped."
    )


def test_the_end_sums_the_session_up() -> None:
    """Completed and stopped sessions say the backward time (and the distance)."""
    book = CueBook(ENGLISH)
    totals = Spoken(
        speed=0.5,
        speed_unit="mph",
        backward=timedelta(minutes=2, seconds=30),
        distance=0.25,
        distance_unit="mi",
    )
    completed = book.transition(event(EventType.SESSION_COMPLETED, 3), PROGRAM, totals)
    stopped = book.transition(event(EventType.SESSION_STOPPED, 3), PROGRAM, totals)
    assert completed == (
        "Well done! You walked backward for 2 minutes 30 seconds "
        "and covered 0.25 miles."
    )
    assert stopped == "Session stopped. You walked backward for 2 minutes 30 seconds."


def test_numbers_use_the_languages_decimal_mark() -> None:
    """German says 0,5 Meilen pro Stunde."""
    book = CueBook(GERMAN)
    started = book.transition(event(EventType.SESSION_STARTED, 0), PROGRAM, SPOKEN)
    assert "0,5" in started
    assert "0.5" not in started


def test_the_lead_cue_counts_down_or_names_the_seconds() -> None:
    """Before a switch: 'in 3 seconds', or '3, 2, 1' when the countdown is chosen."""
    book = CueBook(ENGLISH)
    lead = timedelta(seconds=3)
    assert (
        book.lead(Direction.BACKWARD, lead, countdown=False)
        == "Switching to backward in 3 seconds."
    )
    assert (
        book.lead(Direction.BACKWARD, lead, countdown=True)
        == "Turning backward in 3, 2, 1."
    )


def test_a_users_message_is_used_for_its_transition() -> None:
    """An override replaces the built-in sentence and gets the same values."""
    book = CueBook(ENGLISH, {"switch": "Now {direction}!"})
    switched = event(EventType.INTERVAL_SWITCHED, 1)
    assert book.transition(switched, PROGRAM, SPOKEN) == "Now backward!"
