"""Keeps every session of a treadmill on disk; nothing the user recorded is ever lost."""

from __future__ import annotations

from bisect import insort
from datetime import datetime
import logging
import os
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .workout.history import SessionRecord

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
SAVE_DELAY = 1.0  # seconds: one write for a burst of changes


class _NewerVersionError(Exception):
    """The file was written by a newer major version of retrowalk."""


class _HistoryFile(Store[dict[str, Any]]):
    """The history's Store: any minor version is kept as it is, a newer major refused."""

    async def _async_migrate_func(
        self,
        old_major_version: int,
        old_minor_version: int,
        old_data: dict[str, Any],
    ) -> dict[str, Any]:
        """Keep the data of the same major version; records are read tolerantly."""
        if old_major_version > STORAGE_VERSION:
            raise _NewerVersionError(f"{old_major_version}.{old_minor_version}")
        return old_data

    async def async_load(self) -> dict[str, Any] | None:
        """Read the file; a newer major version is refused the same on every version.

        From Home Assistant 2026.11, Store refuses it itself, before the migrate function.
        """
        try:
            return await super().async_load()
        except HomeAssistantError as err:
            if (found := getattr(err, "found_version", None)) is not None:
                raise _NewerVersionError(str(found)) from err
            raise


class HistoryStore:
    """The sessions of one treadmill, oldest first, in Home Assistant's .storage folder.

    What cannot be read is never overwritten: an unusable file is moved aside, damaged
    records are kept verbatim, and a file from a newer retrowalk is left alone.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Use the history file of one config entry."""
        self._hass = hass
        self._store = _HistoryFile(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}.history",
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )
        self._records: list[SessionRecord] = []
        self._damaged: list[Any] = []
        self._listeners: list[CALLBACK_TYPE] = []
        self._read_only = False

    @property
    def records(self) -> tuple[SessionRecord, ...]:
        """Every readable session, sorted by start."""
        return tuple(self._records)

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
            stored_records, self._damaged = _layout(await self._store.async_load())
        except _NewerVersionError as err:
            _LOGGER.warning(
                "%s was written by a newer retrowalk (storage version %s); it is left "
                "untouched and new sessions are kept in memory only",
                path,
                err,
            )
            self._make_read_only()
            return
        except HomeAssistantError as err:
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
                record = _read_record(raw)
            except (AttributeError, KeyError, TypeError, ValueError):
                self._damaged.append(raw)
            else:
                self._records.append(record)
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
            record
            for record in self._records
            if (start is None or start <= record.started_at)
            and (end is None or record.started_at < end)
        ]

    @callback
    def async_add(self, record: SessionRecord) -> None:
        """Add a session, or replace the one with the same key, and save soon."""
        for index, known in enumerate(self._records):
            if known.key == record.key:
                self._records[index] = record
                break
        else:
            insort(self._records, record, key=_started_at)
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
        return {
            "records": [record.to_dict() for record in self._records],
            "damaged": list(self._damaged),
        }

    def _make_read_only(self) -> None:
        self._read_only = True
        self._store.make_read_only()

    async def _async_move_aside(self, path: str, err: Exception) -> None:
        """Rename an unusable file, so that the next save cannot overwrite it."""
        aside = f"{path}.corrupt.{dt_util.utcnow().isoformat()}"
        try:
            await self._hass.async_add_executor_job(os.rename, path, aside)
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


def _layout(data: Any) -> tuple[list[Any], list[Any]]:
    """The stored records and damaged entries; TypeError if the layout is not ours."""
    if data is None:
        return [], []
    if not isinstance(data, dict):
        raise TypeError(f"expected an object, found {type(data).__name__}")
    records = data.get("records", [])
    damaged = data.get("damaged", [])
    if not isinstance(records, list) or not isinstance(damaged, list):
        raise TypeError("records and damaged must be lists")
    return records, damaged


def _read_record(raw: Any) -> SessionRecord:
    record = SessionRecord.from_dict(raw)
    if record.started_at.tzinfo is None:
        raise ValueError("started_at has no time zone")
    return record


def _started_at(record: SessionRecord) -> datetime:
    return record.started_at
