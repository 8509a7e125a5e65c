"""Speed units. The core works in km/h; users may think in mph."""

from __future__ import annotations

from enum import StrEnum

KM_PER_MILE = 1.609344


class SpeedUnit(StrEnum):
    """A unit a person reads and enters speeds in."""

    KMH = "km/h"
    MPH = "mph"

    @property
    def distance_unit(self) -> str:
        """The distance unit that goes with this speed unit."""
        return "km" if self is SpeedUnit.KMH else "mi"

    def to_kmh(self, value: float) -> float:
        """Convert a speed in this unit to km/h."""
        return value * KM_PER_MILE if self is SpeedUnit.MPH else value

    def from_kmh(self, kmh: float) -> float:
        """Convert a speed in km/h to this unit."""
        return kmh / KM_PER_MILE if self is SpeedUnit.MPH else kmh

    def distance_from_km(self, km: float) -> float:
        """Convert a distance in km to this unit's distance unit."""
        return km / KM_PER_MILE if self is SpeedUnit.MPH else km


# 0.5 mph is where the sources tell most people to start [000, 001].
START_SPEED_KMH = SpeedUnit.MPH.to_kmh(0.5)
# Default cap on every speed: 2.0 mph (3.2 km/h), a brisk backward walk.
DEFAULT_MAX_SPEED_KMH = SpeedUnit.MPH.to_kmh(2.0)
# No configuration may raise the cap above this: beyond it backward walking becomes running.
ABSOLUTE_MAX_SPEED_KMH = 8.0


# A distance under a tenth of a mile or kilometre reads better in feet or metres: a
# short walk did not cover "0 miles".
SMALL_DISTANCE = 0.1
_SMALLER_UNIT = {"mi": ("ft", 5280.0), "km": ("m", 1000.0)}


def readable_distance(value: float, unit: str) -> tuple[float, str]:
    """A distance in `unit` ("mi" or "km"); in feet or metres below a tenth."""
    if 0 <= value < SMALL_DISTANCE and unit in _SMALLER_UNIT:
        smaller, factor = _SMALLER_UNIT[unit]
        return value * factor, smaller
    return value, unit
