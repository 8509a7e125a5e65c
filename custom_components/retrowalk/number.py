"""Forward and backward speeds, bounded by the configured cap."""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TypeGuard

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import RetrowalkConfigEntry
from .entity import RetrowalkStateEntity
from .errors import validation_error
from .workout.program import Direction
from .workout.units import ABSOLUTE_MAX_SPEED_KMH, SpeedUnit

PARALLEL_UPDATES = 0

SPEED_STEP = 0.1


@dataclass(frozen=True, kw_only=True)
class SpeedNumberDescription(NumberEntityDescription):
    """A speed setting for one direction."""

    direction: Direction


SPEEDS = tuple(
    SpeedNumberDescription(
        key=f"{direction.value}_speed",
        translation_key=f"{direction.value}_speed",
        device_class=NumberDeviceClass.SPEED,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        native_step=SPEED_STEP,
        native_min_value=SPEED_STEP,
        direction=direction,
    )
    for direction in (Direction.BACKWARD, Direction.FORWARD)
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the speed numbers of a treadmill."""
    async_add_entities(SpeedNumber(entry, description) for description in SPEEDS)


class SpeedNumber(RetrowalkStateEntity, RestoreNumber):
    """The speed programs use for one direction, in the entry's speed unit."""

    entity_description: SpeedNumberDescription

    def __init__(
        self, entry: RetrowalkConfigEntry, description: SpeedNumberDescription
    ) -> None:
        """Create the number, capped at the configured maximum."""
        super().__init__(entry, description.key)
        self.entity_description = description
        settings = self.controller.settings
        self._unit = settings.speed_unit
        self._attr_native_unit_of_measurement = self._unit.value
        self._attr_native_max_value = _round_down(
            self._unit.from_kmh(settings.max_speed_kmh)
        )

    async def async_added_to_hass(self) -> None:
        """Restore the last speed, converted if the unit changed, and capped.

        A saved value that is no speed retrowalk could have set (not a finite
        number above zero and within the highest cap there is) is ignored.
        """
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is None:
            return
        value: object = last.native_value
        try:
            unit = SpeedUnit(str(last.native_unit_of_measurement))
        except ValueError:
            return
        if not _is_number(value):
            return
        speed_kmh = unit.to_kmh(value)
        if not 0 < speed_kmh <= ABSOLUTE_MAX_SPEED_KMH + 1e-9:
            return
        self.controller.restore_choices(
            speeds_kmh={self.entity_description.direction: speed_kmh}
        )

    @property
    def native_value(self) -> float:
        """The speed in the entry's unit."""
        kmh = self.controller.speeds_kmh[self.entity_description.direction]
        return round(self._unit.from_kmh(kmh), 2)

    async def async_set_native_value(self, value: float) -> None:
        """Set the speed; above the cap is refused."""
        if not (math.isfinite(value) and 0 < value <= self.native_max_value):
            raise validation_error(
                "speed_out_of_range",
                speed=str(value),
                max_speed=str(self.native_max_value),
                unit=self._unit.value,
                field=self.entity_description.key,
            )
        await self.controller.async_set_speed(
            self.entity_description.direction, self._unit.to_kmh(value)
        )


def _is_number(value: object) -> TypeGuard[float]:
    """A finite int or float (not a bool, a string or None)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _round_down(value: float) -> float:
    """Round down to the number's step, so the maximum never exceeds the cap."""
    return round(int(value / SPEED_STEP + 1e-9) * SPEED_STEP, 1)
