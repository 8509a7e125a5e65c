"""The treadmill interface every belt retrowalk drives implements.

Pure Python: adapters that talk to Home Assistant live beside it, but this
interface and the virtual treadmill do not import Home Assistant.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass


class TreadmillError(Exception):
    """A command the treadmill did not carry out."""


@dataclass(frozen=True, kw_only=True)
class TreadmillStatus:
    """What the treadmill reports about itself."""

    available: bool
    running: bool
    speed_kmh: float
    distance_km: float
    #: Why the machine stopped or became unusable, when it says so itself: one of
    #: the FAULT_* reasons below (None when there is nothing to report).
    fault: str | None = None


# Faults an adapter may report in `TreadmillStatus.fault`. The controller pauses
# the session with the fault as reason, except SAFETY_KEY, which stops it.
FAULT_UNAVAILABLE = "treadmill_unavailable"
FAULT_SAFETY_KEY = "safety_key"
FAULT_CONSOLE = "treadmill_console"
FAULT_CONTROL_LOST = "control_lost"


type StatusListener = Callable[[TreadmillStatus], None]


class Treadmill(ABC):
    """A belt that can be started, stopped and given a speed."""

    #: The fastest speed the machine itself accepts, in km/h.
    max_speed_kmh: float

    def __init__(self) -> None:
        """Start with no listeners."""
        self._listeners: list[StatusListener] = []

    @property
    @abstractmethod
    def status(self) -> TreadmillStatus:
        """The latest known status."""

    @abstractmethod
    async def async_start(self, speed_kmh: float) -> None:
        """Start the belt at a speed."""

    @abstractmethod
    async def async_set_speed(self, speed_kmh: float) -> None:
        """Change the speed of the running belt."""

    @abstractmethod
    async def async_stop(self) -> None:
        """Stop the belt."""

    async def async_open(self) -> None:  # noqa: B027 - optional hook
        """Start following the machine; called once before the first command."""

    async def async_close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the belt has been stopped before this."""

    def add_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call `listener` on every status change; returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self) -> None:
        status = self.status
        for listener in list(self._listeners):
            listener(status)
