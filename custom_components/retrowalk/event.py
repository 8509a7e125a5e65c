"""The workout event entity: one event per workout happening."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import BUS_EVENT
from .data import RetrowalkConfigEntry
from .entity import RetrowalkEntity
from .events import EVENT_TYPES

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
        self._entry_id = entry.entry_id
        self._attr_event_types = list(EVENT_TYPES)

    async def async_added_to_hass(self) -> None:
        """Show this treadmill's `retrowalk_event`s, with the automations' payload."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hass.bus.async_listen(
                BUS_EVENT, self._async_on_event, event_filter=self._is_ours
            )
        )

    @callback
    def _is_ours(self, event_data: Mapping[str, Any]) -> bool:
        return event_data.get("config_entry_id") == self._entry_id

    @callback
    def _async_on_event(self, event: Event) -> None:
        data = dict(event.data)
        event_type = data.pop("type")
        data.pop("config_entry_id")
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
