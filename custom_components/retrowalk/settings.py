"""The settings of one treadmill entry, read from its config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .const import CONF_MAX_SPEED_KMH, CONF_SPEED_UNIT, CONF_TREADMILL_TYPE
from .workout.units import DEFAULT_MAX_SPEED_KMH, SpeedUnit


@dataclass(frozen=True, kw_only=True)
class EntrySettings:
    """Treadmill type, display unit and the speed cap."""

    treadmill_type: str
    speed_unit: SpeedUnit
    max_speed_kmh: float

    @classmethod
    def from_entry(cls, data: dict[str, Any], options: dict[str, Any]) -> EntrySettings:
        """Read the settings from a config entry's data and options."""
        return cls(
            treadmill_type=data[CONF_TREADMILL_TYPE],
            speed_unit=SpeedUnit(options[CONF_SPEED_UNIT]),
            max_speed_kmh=options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH),
        )

    def display_speed(self, kmh: float) -> float:
        """A speed in the configured unit, rounded for people."""
        return round(self.speed_unit.from_kmh(kmh), 2)

    def display_distance(self, km: float) -> float:
        """A distance in the configured unit, rounded for people."""
        return round(self.speed_unit.distance_from_km(km), 3)
