"""Keeps the active session on disk, so a restart can bring it back paused.

One store per treadmill outlives reloads of its entry (it is kept in
`hass.data`): a controller claims it when it sets up, and saves of a controller
that has let go are ignored, so an old controller can never overwrite what a
newer one wrote. A stop asked for while the entry is shutting down is recorded
at once, in memory and on disk, and the next controller of the entry applies it;
so is, in memory, since when the spotter has been away (its grace runs on).
A file it cannot read is never a setup error: a damaged one is moved aside, one
from a newer retrowalk is left untouched (sessions are then kept in memory only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, REASON_RESTART
from .stored_files import VersionedStore, async_move_aside, newer_version
from .workout.errors import WorkoutError
from .workout.history import read_moment
from .workout.session import Session, WorkoutEvent

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 1.0  # seconds: one write for a burst of changes

SESSION_STORES: HassKey[dict[str, SessionStore]] = HassKey(f"{DOMAIN}_session_stores")


@dataclass(frozen=True, kw_only=True)
class StopRequest:
    """A stop a person asked for while the entry was shutting down."""

    reason: str
    at: datetime

    def to_dict(self) -> dict[str, str]:
        """As stored."""
        return {"reason": self.reason, "at": self.at.isoformat()}


@dataclass(frozen=True, kw_only=True)
class SavedSession:
    """What was saved: the session's snapshot, when, and a stop still to apply."""

    snapshot: dict[str, Any] | None
    saved_at: datetime
    stop_request: StopRequest | None = None


def session_store(hass: HomeAssistant, entry_id: str) -> SessionStore:
    """The session store of one treadmill, shared by every controller of its entry."""
    stores = hass.data.setdefault(SESSION_STORES, {})
    if (store := stores.get(entry_id)) is None:
        store = stores[entry_id] = SessionStore(hass, entry_id)
    return store


async def async_remove_session_store(hass: HomeAssistant, entry_id: str) -> None:
    """Delete the file of a treadmill that was removed."""
    store = hass.data.get(SESSION_STORES, {}).pop(entry_id, None)
    await (store or SessionStore(hass, entry_id)).async_remove()


class SessionStore:
    """One file per treadmill in Home Assistant's .storage folder."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the store of one config entry."""
        self._hass = hass
        self._store = VersionedStore(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.session", atomic_writes=True
        )
        self._owner = 0
        self._snapshot: dict[str, Any] | None = None
        self._stop_request: StopRequest | None = None
        self._read_only = False
        # Since when nobody was at the treadmill when the last controller shut down
        # (event loop clock; kept in memory for the next one, after a reload).
        self.spotter_absent_since: float | None = None

    @property
    def read_only(self) -> bool:
        """Whether the file is left untouched (it came from a newer retrowalk)."""
        return self._read_only

    @callback
    def claim(self) -> int:
        """Become the only controller whose saves count; returns its token."""
        self._owner += 1
        return self._owner

    @callback
    def release(self, owner: int) -> None:
        """Let go: later saves with `owner` are ignored."""
        if owner == self._owner:
            self._owner += 1

    async def async_load(self) -> SavedSession | None:
        """What was saved, or None if nothing (usable) was."""
        try:
            data = await self._store.async_load()
        except Exception as err:  # noqa: BLE001 - an unreadable file must not stop setup
            if (version := newer_version(err)) is not None:
                self._keep_untouched(
                    f"it was written by a newer retrowalk (storage version {version})"
                )
            else:
                await self._async_move_aside(repr(err))
            return None
        try:
            saved = _read(data)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            await self._async_move_aside(repr(err))
            return None
        if saved is None:
            return None
        self._snapshot = saved.snapshot
        if self._stop_request is None:
            self._stop_request = saved.stop_request
        return SavedSession(
            snapshot=saved.snapshot,
            saved_at=saved.saved_at,
            stop_request=self._stop_request,
        )

    async def async_restore(self) -> tuple[Session, list[WorkoutEvent]] | None:
        """The saved active session, paused with reason `restart`, and its events.

        Nothing restarts: a session that was running when Home Assistant stopped
        (or crashed) comes back paused; a stop asked for while the entry was
        shutting down is applied now.
        """
        saved = await self.async_load()
        stop_request = self.take_stop_request()
        if saved is None or saved.snapshot is None:
            return None
        try:
            session = Session.from_snapshot(saved.snapshot, dt_util.utcnow)
        except WorkoutError:
            _LOGGER.warning("The saved session %s is damaged; idle", self._store.path)
            return None
        if not session.is_active:
            return None
        now = dt_util.utcnow()
        events = session.interrupt(REASON_RESTART, at=min(saved.saved_at, now))
        if stop_request is not None:
            at = min(max(stop_request.at, saved.saved_at), now)
            events += session.stop(stop_request.reason, at=at)
        return session, events

    @callback
    def async_schedule_save(self, owner: int, snapshot: dict[str, Any] | None) -> None:
        """Save soon, if `owner` still holds the store; a later call replaces this one."""
        if owner != self._owner:
            return
        self._snapshot = snapshot
        data = self._data()
        self._store.async_delay_save(lambda: data, SAVE_DELAY)

    async def async_save(self, owner: int, snapshot: dict[str, Any] | None) -> None:
        """Save now, if `owner` still holds the store."""
        if owner != self._owner:
            return
        self._snapshot = snapshot
        await self._store.async_save(self._data())

    @callback
    def request_stop(self, reason: str, at: datetime) -> None:
        """Record a stop for the next controller to apply; written to disk at once."""
        self._stop_request = StopRequest(reason=reason, at=at)
        data = self._data()
        self._store.async_delay_save(lambda: data, 0)

    @callback
    def take_stop_request(self) -> StopRequest | None:
        """The stop still to apply, if any; it is then forgotten (saved with the next save)."""
        request, self._stop_request = self._stop_request, None
        return request

    async def async_remove(self) -> None:
        """Delete the file."""
        await self._store.async_remove()

    def _data(self) -> dict[str, Any]:
        return {
            "session": self._snapshot,
            "saved_at": dt_util.utcnow().isoformat(),
            "stop_requested": None
            if self._stop_request is None
            else self._stop_request.to_dict(),
        }

    def _keep_untouched(self, why: str) -> None:
        _LOGGER.warning(
            "The saved retrowalk session %s is left untouched because %s; "
            "sessions are kept in memory only",
            self._store.path,
            why,
        )
        self._read_only = True
        self._store.make_read_only()

    async def _async_move_aside(self, error: str) -> None:
        path = self._store.path
        try:
            aside = await async_move_aside(self._hass, path)
        except OSError as move_error:
            self._keep_untouched(
                f"it could not be read ({error}) nor moved ({move_error})"
            )
            return
        _LOGGER.warning(
            "The saved retrowalk session could not be read (%s); it was moved to %s",
            error,
            aside,
        )


def _read(data: Any) -> SavedSession | None:
    """The saved session; raises for a layout that is not ours."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, found {type(data).__name__}")
    snapshot = data["session"]
    if snapshot is not None and not isinstance(snapshot, dict):
        raise TypeError("session must be an object")
    saved_at = read_moment(data["saved_at"])
    request = data.get("stop_requested")
    stop_request = (
        None
        if request is None
        else StopRequest(reason=str(request["reason"]), at=read_moment(request["at"]))
    )
    if snapshot is None and stop_request is None:
        return None
    return SavedSession(snapshot=snapshot, saved_at=saved_at, stop_request=stop_request)
