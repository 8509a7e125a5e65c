"""The spotter binary sensor: whether the spotter gate sees somebody."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import RetrowalkConfigEntry
from .entity import RetrowalkStateEntity

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the spotter sensor of a treadmill that has spotters configured."""
    if entry.runtime_data.settings.spotter.entity_ids:
        async_add_entities([SpotterBinarySensor(entry)])


class SpotterBinarySensor(RetrowalkStateEntity, BinarySensorEntity):
    """On while a spotter is there, as the gate judges it (unknown counts as absent)."""

    _attr_device_class = BinarySensorDeviceClass.PRESENCE

    def __init__(self, entry: RetrowalkConfigEntry) -> None:
        """Create the sensor."""
        super().__init__(entry, "spotter")

    @property
    def is_on(self) -> bool:
        """Whether a spotter is there."""
        return self.controller.spotter.present

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Whether the spotter has been back long enough to allow a resume."""
        gate = self.controller.spotter
        return {
            "confirmed": gate.confirmed,
            "present_since": gate.present_since,
            "entities": list(gate.settings.entity_ids),
        }
