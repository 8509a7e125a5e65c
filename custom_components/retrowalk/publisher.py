"""Tells the rest of Home Assistant what a treadmill's session did.

Entities ask to be told after every change (they write their state); the planner
and the announcer receive each typed event; automations get the `retrowalk_event`
bus event with the event's automation payload (and the workout event entity's id,
under which the logbook lists it). Every listener is isolated: its
failure is logged once (until it works again) and can neither block nor undo
what the controller did before publishing, such as stopping the belt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
import logging
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .const import BUS_EVENT
from .events import RetrowalkEvent, automation_payload, workout_event_entity_id
from .settings import EntrySettings
from .workout.session import Session

_LOGGER = logging.getLogger(__name__)

type EventListener = Callable[[RetrowalkEvent], None]


class Publisher:
    """The listeners of one treadmill's session, each isolated from the others."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, title: str, settings: EntrySettings
    ) -> None:
        """Publish for the treadmill of entry `entry_id`."""
        self._hass = hass
        self._entry_id = entry_id
        self._title = title
        self._settings = settings
        self._state_listeners: list[CALLBACK_TYPE] = []
        self._event_listeners: list[EventListener] = []
        self._failing: set[str] = set()

    @callback
    def async_add_state_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` once after every change; returns the unsubscriber."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` with every event; returns the unsubscriber."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    @callback
    def async_notify_state(self) -> None:
        """Tell every entity to write its state; one that fails does not stop the rest."""
        for listener in list(self._state_listeners):
            with self.isolated(_name_of(listener)):
                listener()

    @callback
    def async_publish(self, event: RetrowalkEvent, session: Session | None) -> None:
        """Give `event` to every listener, then fire it on the bus for automations."""
        for listener in list(self._event_listeners):
            with self.isolated(_name_of(listener)):
                listener(event)
        with self.isolated(f"{event.type} event"):
            payload = automation_payload(event, session, self._settings)
            entity_id = workout_event_entity_id(self._hass, self._entry_id)
            self._hass.bus.async_fire(
                BUS_EVENT,
                {
                    "type": event.type.value,
                    "config_entry_id": self._entry_id,
                    **({ATTR_ENTITY_ID: entity_id} if entity_id else {}),
                    **payload,
                },
            )

    @contextmanager
    def isolated(self, name: str) -> Iterator[None]:
        """Run a listener: its failure is logged once (until it works again), never raised."""
        try:
            yield
        except Exception:
            if name not in self._failing:
                self._failing.add(name)
                _LOGGER.exception("retrowalk %s: %s failed", self._title, name)
        else:
            self._failing.discard(name)


def _name_of(listener: Callable[..., Any]) -> str:
    """A listener's name for the log: its entity's id, or its qualified name."""
    owner = getattr(listener, "__self__", None)
    if (entity_id := getattr(owner, "entity_id", None)) is not None:
        return str(entity_id)
    return getattr(listener, "__qualname__", repr(listener))
