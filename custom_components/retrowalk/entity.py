"""The base of every retrowalk entity: one device per treadmill."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN, unique_id
from .controller import WorkoutController
from .data import RetrowalkConfigEntry, RetrowalkData


class RetrowalkEntity(Entity):
    """An entity of a treadmill's device, updated only when the workout changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: RetrowalkConfigEntry, key: str) -> None:
        """Name the entity by its translation key, on the treadmill's device."""
        self.data: RetrowalkData = entry.runtime_data
        self.controller: WorkoutController = self.data.controller
        self._attr_translation_key = key
        self._attr_unique_id = unique_id(entry.entry_id, key)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="retrowalk",
            model=f"{self.controller.settings.treadmill_type.capitalize()} treadmill",
        )


class RetrowalkStateEntity(RetrowalkEntity):
    """An entity whose state follows the session, written once per change."""

    async def async_added_to_hass(self) -> None:
        """Follow the controller's changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.controller.publisher.async_add_state_listener(
                self.async_write_ha_state
            )
        )
