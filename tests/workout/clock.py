"""A clock that moves only when a test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)


class FakeClock:
    """Callable clock for the workout core."""

    def __init__(self, now: datetime = START) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """Return the current time."""
        return self.now

    def tick(self, **delta: float) -> datetime:
        """Move forward by a timedelta given as keyword arguments."""
        self.now += timedelta(**delta)
        return self.now
