"""Keeps the active session on disk, so a restart can bring it back paused."""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 1.0  # seconds: one write for a burst of changes


class SavedSession(TypedDict):
    """What is stored: the session's snapshot and when it was taken."""

    session: dict[str, Any] | None
    saved_at: str


class SessionStore:
    """One file per treadmill in Home Assistant's .storage folder."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the store of one config entry."""
        self._store: Store[SavedSession] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.session"
        )

    async def async_load(self) -> tuple[dict[str, Any], datetime] | None:
        """The saved snapshot and its time, or None if there is none or it is unreadable."""
        try:
            data = await self._store.async_load()
            if data is None or data["session"] is None:
                return None
            saved_at = dt_util.parse_datetime(data["saved_at"])
            if saved_at is None:
                raise ValueError(data["saved_at"])  # noqa: TRY301
        except (HomeAssistantError, KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("The saved retrowalk session could not be read: %r", err)
            return None
        return data["session"], saved_at

    def async_schedule_save(self, snapshot: dict[str, Any] | None) -> None:
        """Save soon; a later call within the delay replaces this one."""
        data = _saved(snapshot)
        self._store.async_delay_save(lambda: data, SAVE_DELAY)

    async def async_save(self, snapshot: dict[str, Any] | None) -> None:
        """Save now."""
        await self._store.async_save(_saved(snapshot))

    async def async_remove(self) -> None:
        """Delete the file."""
        await self._store.async_remove()


def _saved(snapshot: dict[str, Any] | None) -> SavedSession:
    return {"session": snapshot, "saved_at": dt_util.utcnow().isoformat()}
