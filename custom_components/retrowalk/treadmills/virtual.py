"""A simulated treadmill, for trying retrowalk without a machine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from . import Treadmill, TreadmillError, TreadmillStatus

_HOUR = timedelta(hours=1)


class VirtualTreadmill(Treadmill):
    """An in-process belt whose speed changes instantly and counts distance."""

    max_speed_kmh = 6.0

    def __init__(self, clock: Callable[[], datetime]) -> None:
        """Create a stopped belt."""
        super().__init__()
        self._clock = clock
        self._speed_kmh = 0.0
        self._distance_km = 0.0
        self._since = clock()

    @property
    def status(self) -> TreadmillStatus:
        """Running state, speed and distance up to now."""
        return TreadmillStatus(
            available=True,
            running=self._speed_kmh > 0,
            speed_kmh=self._speed_kmh,
            distance_km=self._distance_km
            + self._speed_kmh * ((self._clock() - self._since) / _HOUR),
        )

    async def async_start(self, speed_kmh: float) -> None:
        """Start the belt."""
        self._change_speed(speed_kmh)

    async def async_set_speed(self, speed_kmh: float) -> None:
        """Change speed; the belt must be running."""
        if self._speed_kmh == 0:
            raise TreadmillError("belt is not running")
        self._change_speed(speed_kmh)

    async def async_stop(self) -> None:
        """Stop the belt at once."""
        self._change_speed(0.0)

    def _change_speed(self, speed_kmh: float) -> None:
        if not 0 <= speed_kmh <= self.max_speed_kmh:
            raise TreadmillError(f"speed {speed_kmh} km/h out of range")
        self._distance_km = self.status.distance_km
        self._since = self._clock()
        self._speed_kmh = speed_kmh
        self._notify()
