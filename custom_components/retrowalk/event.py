"""The workout event entity: one event per workout happening."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import RetrowalkConfigEntry
from .entity import RetrowalkEntity
from .workout.session import EventType

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the workout event entity of a treadmill."""
    async_add_entities([WorkoutEventEntity(entry)])


class WorkoutEventEntity(RetrowalkEntity, EventEntity):
    """Fires session_started, interval_switched, ... for automations."""

    def __init__(self, entry: RetrowalkConfigEntry) -> None:
        """Create the event entity."""
        super().__init__(entry, "workout")
        self._attr_event_types = [event_type.value for event_type in EventType]

    async def async_added_to_hass(self) -> None:
        """Listen to the controller's events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.controller.async_add_event_listener(self._async_on_event)
        )

    @callback
    def _async_on_event(self, event_type: EventType, data: dict[str, Any]) -> None:
        self._trigger_event(event_type.value, data)
        self.async_write_ha_state()
