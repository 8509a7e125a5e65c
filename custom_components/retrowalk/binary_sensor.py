"""The spotter binary sensor: whether the spotter gate sees somebody."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
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
    """Add the treadmill's connection sensor, and the spotter sensor if configured."""
    entities: list[BinarySensorEntity] = [TreadmillConnectedBinarySensor(entry)]
    if entry.runtime_data.settings.spotter.entity_ids:
        entities.append(SpotterBinarySensor(entry))
    async_add_entities(entities)


class TreadmillConnectedBinarySensor(RetrowalkStateEntity, BinarySensorEntity):
    """On while retrowalk can drive the treadmill; the fault says why not."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: RetrowalkConfigEntry) -> None:
        """Create the sensor."""
        super().__init__(entry, "treadmill")

    @property
    def is_on(self) -> bool:
        """Whether the treadmill is available."""
        return self.controller.treadmill.status.available

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """What the treadmill last reported as the reason it stopped, if anything."""
        return {"fault": self.controller.treadmill.status.fault}


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
