"""Keeps every session of a treadmill on disk; nothing the user recorded is ever lost."""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .stored_files import (
    NewerVersionError,
    VersionedStore,
    async_move_aside,
    newer_version,
)
from .workout.history import SessionRecord

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
SAVE_DELAY = 1.0  # seconds: one write for a burst of changes


@dataclass(slots=True)
class _Kept:
    """A readable record and, if it came from the file unchanged, what was stored."""

    record: SessionRecord
    stored: Any = None


class HistoryStore:
    """The sessions of one treadmill, oldest first, in Home Assistant's .storage folder.

    What cannot be read is never overwritten: an unusable file is moved aside, damaged
    records are kept verbatim, and a file from a newer retrowalk is left alone.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the history file of one config entry."""
        self._hass = hass
        self._store = VersionedStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}.history",
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )
        self._records: list[_Kept] = []
        self._damaged: list[Any] = []
        # Top-level keys of a newer file that this version does not know.
        self._other: dict[str, Any] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._read_only = False

    @property
    def records(self) -> tuple[SessionRecord, ...]:
        """Every readable session, sorted by start."""
        return tuple(kept.record for kept in self._records)

    @property
    def damaged_count(self) -> int:
        """How many stored records could not be read (they stay in the file)."""
        return len(self._damaged)

    @property
    def read_only(self) -> bool:
        """Whether new sessions are kept in memory only, leaving the file untouched."""
        return self._read_only

    async def async_load(self) -> None:
        """Read the file; an unusable one is moved aside or, if it cannot be, left alone."""
        path = self._store.path
        try:
            stored_records, self._damaged, self._other = _layout(
                await self._store.async_load()
            )
        except (HomeAssistantError, NewerVersionError) as err:
            if (version := newer_version(err)) is not None:
                self._newer(path, version)
            else:
                _LOGGER.warning(
                    "%s could not be read (%s); it is left untouched and new sessions "
                    "are kept in memory only",
                    path,
                    err,
                )
                self._make_read_only()
            return
        except (KeyError, TypeError, ValueError) as err:
            await self._async_move_aside(path, err)
            return
        for raw in stored_records:
            try:
                record = SessionRecord.from_dict(raw)
            except (KeyError, TypeError, ValueError):
                self._damaged.append(raw)
            else:
                # Written back as it was, with any fields a newer version added.
                self._records.append(_Kept(record, raw))
        self._records.sort(key=_started_at)
        if self._damaged:
            _LOGGER.warning(
                "%s holds %d damaged session records; they are kept but not used",
                path,
                len(self._damaged),
            )

    def between(
        self, start: datetime | None, end: datetime | None
    ) -> list[SessionRecord]:
        """The sessions that started at or after `start` and before `end`."""
        return [
            kept.record
            for kept in self._records
            if (start is None or start <= kept.record.started_at)
            and (end is None or kept.record.started_at < end)
        ]

    @callback
    def async_add(self, record: SessionRecord) -> None:
        """Add a session, or replace the one with the same key, and save soon."""
        for index, known in enumerate(self._records):
            if known.record.key == record.key:
                self._records[index] = _Kept(record)
                break
        else:
            insort(self._records, _Kept(record), key=_started_at)
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for listener in list(self._listeners):
            listener()

    @callback
    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update_callback` after every add; returns a function that stops it."""
        self._listeners.append(update_callback)

        @callback
        def remove_listener() -> None:
            self._listeners.remove(update_callback)

        return remove_listener

    async def async_save(self) -> None:
        """Save now, e.g. at shutdown."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the file."""
        await self._store.async_remove()

    def _data(self) -> dict[str, Any]:
        return self._other | {
            "records": [
                kept.record.to_dict() if kept.stored is None else kept.stored
                for kept in self._records
            ],
            "damaged": list(self._damaged),
        }

    def _newer(self, path: str, version: int) -> None:
        _LOGGER.warning(
            "%s was written by a newer retrowalk (storage version %s); it is left "
            "untouched and new sessions are kept in memory only",
            path,
            version,
        )
        self._make_read_only()

    def _make_read_only(self) -> None:
        self._read_only = True
        self._store.make_read_only()

    async def _async_move_aside(self, path: str, err: Exception) -> None:
        """Rename an unusable file, so that the next save cannot overwrite it."""
        try:
            aside = await async_move_aside(self._hass, path)
        except OSError as move_err:
            _LOGGER.warning(
                "%s could not be read (%s) nor moved aside (%s); it is left untouched "
                "and new sessions are kept in memory only",
                path,
                err,
                move_err,
            )
            self._make_read_only()
            return
        _LOGGER.warning(
            "%s could not be read (%s); it was moved to %s and the history starts empty",
            path,
            err,
            aside,
        )


def _layout(data: Any) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """The stored records, damaged entries and other keys; TypeError if not ours."""
    if data is None:
        return [], [], {}
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, found {type(data).__name__}")
    records = data.get("records", [])
    damaged = data.get("damaged", [])
    if not isinstance(records, list) or not isinstance(damaged, list):
        raise TypeError("records and damaged must be lists")
    other = {k: v for k, v in data.items() if k not in ("records", "damaged")}
    return records, list(damaged), other


def _started_at(kept: _Kept) -> datetime:
    return kept.record.started_at
