"""The spotter gate: whether somebody is watching the treadmill.

Follows the spotter entities' states (no polling) and tells its listeners when
presence changes; the belt supervisor (`belt.py`) stops the belt when nobody has
been there for the grace period. A spotter who comes back must stay for the
confirmation time before a resume is allowed; only the `auto_after_confirmation`
policy resumes by itself. Anything but a clear "present" state (unknown,
unavailable, a missing entity, a person away) counts as no spotter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
import logging

from homeassistant.const import STATE_HOME, STATE_ON
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .issues import async_check_entities_exist, spotter_issue_id
from .settings import SpotterSettings
from .timers import async_run_later

_LOGGER = logging.getLogger(__name__)

# The state that means "somebody is there", per domain; anything else means nobody.
PRESENT_STATES = {
    "binary_sensor": STATE_ON,
    "input_boolean": STATE_ON,
    "person": STATE_HOME,
    "device_tracker": STATE_HOME,
}


def is_present(state: State | None) -> bool:
    """Whether one spotter entity's state shows somebody there."""
    if state is None:
        return False
    return PRESENT_STATES.get(state.domain) == state.state


type PresenceListener = Callable[[bool], None]


class SpotterGate:
    """Tracks whether a spotter is there, and tells its listeners when that changes."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: SpotterSettings,
        *,
        entry_id: str,
        title: str,
        on_returned: Callable[[datetime | None], None],
        on_confirmed: Callable[[], Awaitable[None]],
        on_change: CALLBACK_TYPE,
    ) -> None:
        """Watch the configured entities; the callbacks are the controller's."""
        self.hass = hass
        self.settings = settings
        self._entry_id = entry_id
        self._title = title
        self._on_returned = on_returned
        self._on_confirmed = on_confirmed
        self._on_change = on_change
        self.present = False
        self.confirmed = False
        self.present_since: datetime | None = None
        self._cancel_confirmation: CALLBACK_TYPE | None = None
        self._unsubscribers: list[CALLBACK_TYPE] = []
        self._listeners: list[PresenceListener] = []

    @property
    def enforced(self) -> bool:
        """Whether the gate pauses sessions and refuses starts and resumes."""
        return self.settings.required

    @callback
    def async_start(self) -> None:
        """Read the current states and follow every change."""
        self.present = self._evaluate()
        self.confirmed = self.present
        self.present_since = dt_util.utcnow() if self.present else None
        if not self.settings.entity_ids:
            return
        self._unsubscribers += [
            async_track_state_change_event(
                self.hass, list(self.settings.entity_ids), self._async_on_state_change
            ),
            self.hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_on_registry_update
            ),
        ]
        # Other integrations' entities may appear only once Home Assistant has started.
        self._unsubscribers.append(async_at_started(self.hass, self._async_on_started))

    @callback
    def async_stop(self) -> None:
        """Stop following the entities and cancel the confirmation timer."""
        while self._unsubscribers:
            self._unsubscribers.pop()()
        self._cancel_confirmation_timer()

    @callback
    def add_listener(self, listener: PresenceListener) -> CALLBACK_TYPE:
        """Call `listener(present)` whenever presence changes; returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _async_on_started(self, _hass: HomeAssistant) -> None:
        self._async_check_entities()

    @callback
    def _async_check_entities(self) -> None:
        """Raise or clear the repair issue for spotter entities that do not exist."""
        async_check_entities_exist(
            self.hass,
            spotter_issue_id(self._entry_id),
            "spotter_missing",
            self._title,
            self.settings.entity_ids,
        )

    @callback
    def _async_on_registry_update(
        self, event: Event[er.EventEntityRegistryUpdatedData]
    ) -> None:
        """A spotter entity was removed or renamed: check the configuration."""
        changed = {event.data["entity_id"], event.data.get("old_entity_id")}
        if changed & set(self.settings.entity_ids):
            self._async_check_entities()

    def start_refusal(self) -> str | None:
        """Why a session may not start now, if it may not."""
        if not self.enforced:
            return None
        if not self.settings.entity_ids:
            return "no_spotter_configured"
        return None if self.present else "no_spotter"

    def resume_refusal(self) -> str | None:
        """Why the belt may not restart now, if it may not."""
        if (refusal := self.start_refusal()) is not None:
            return refusal
        if self.enforced and not self.confirmed:
            return "spotter_not_confirmed"
        return None

    def _evaluate(self) -> bool:
        presences = [
            is_present(self.hass.states.get(e)) for e in self.settings.entity_ids
        ]
        if not presences:
            return False
        return all(presences) if self.settings.require_all else any(presences)

    @callback
    def _async_on_state_change(self, event: Event[EventStateChangedData]) -> None:
        if event.data["new_state"] is None or event.data["old_state"] is None:
            self._async_check_entities()  # removed or (re)created
        present = self._evaluate()
        if present == self.present:
            return
        self.present = present
        self._cancel_confirmation_timer()
        if not present:
            self.confirmed = False
            self.present_since = None
            _LOGGER.info("No spotter at the treadmill")
        # The belt supervisor first: it stops the belt; the rest only tells people.
        for listener in list(self._listeners):
            listener(present)
        if present:
            self._async_spotter_back()
        self._on_change()

    @callback
    def _async_spotter_back(self) -> None:
        now = dt_util.utcnow()
        self.present_since = now
        confirm_at = now + self.settings.resume_confirmation
        _LOGGER.info("Spotter back at the treadmill")
        self._on_returned(confirm_at if self.settings.auto_resume else None)
        if self.settings.resume_confirmation.total_seconds() <= 0:
            self._confirm()
        else:
            # On the monotonic clock: a jump of the wall clock cannot shorten it.
            self._cancel_confirmation = async_run_later(
                self.hass,
                self._async_on_confirmation,
                self.settings.resume_confirmation.total_seconds(),
            )

    @callback
    def _async_on_confirmation(self) -> None:
        self._cancel_confirmation = None
        self._confirm()

    @callback
    def _confirm(self) -> None:
        self.confirmed = True
        self._on_change()
        self.hass.async_create_task(self._async_confirmed(), eager_start=True)

    async def _async_confirmed(self) -> None:
        try:
            await self._on_confirmed()
        except ServiceValidationError as err:
            # Refused, as a person's resume would be now (say, shutting down).
            _LOGGER.info("Not resumed after the spotter came back: %s", err)
        except HomeAssistantError as err:
            # The treadmill failed; the belt supervisor has logged and raised it.
            _LOGGER.warning("Could not resume after the spotter came back: %s", err)

    @callback
    def _cancel_confirmation_timer(self) -> None:
        if self._cancel_confirmation is not None:
            self._cancel_confirmation()
            self._cancel_confirmation = None
