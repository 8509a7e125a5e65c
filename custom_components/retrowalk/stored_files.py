"""What the history and coach files share: newer versions left alone, damage set aside.

Nothing a user recorded is overwritten: a file from a newer retrowalk is read (if
it can be) but never written, and a file that is not ours is renamed before
anything new is saved.
"""

from __future__ import annotations

import os
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.json import load_json


class NewerVersionError(Exception):
    """The file was written by a newer major version of retrowalk."""

    def __init__(self, version: int, data: Any = None) -> None:
        """Name the file's major version and keep what it holds."""
        super().__init__(str(version))
        self.version = version
        self.data = data


def newer_version(err: Exception) -> int | None:
    """The file's major version if `err` says it is newer than this retrowalk's.

    Our own migrate function raises `NewerVersionError`; from 2026.11 Home
    Assistant's `Store` refuses such a file itself, before migrating, with an
    `UnsupportedStorageVersionError` that carries `found_version`.
    """
    if isinstance(err, NewerVersionError):
        return err.version
    found = getattr(err, "found_version", None)
    return found if isinstance(found, int) and not isinstance(found, bool) else None


class VersionedStore(Store[Any]):
    """A Store that keeps any minor version as it is and refuses a newer major one."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> Any:
        """Keep the data of the same major version; readers check what they read."""
        if old_major_version > self.version:
            raise NewerVersionError(old_major_version, old_data)
        return old_data


async def async_read_data(hass: HomeAssistant, path: str) -> Any:
    """The `data` of a storage file read directly, or None if it cannot be read.

    For a file `Store` refuses to load (a newer major version on 2026.11).
    """
    try:
        content = await hass.async_add_executor_job(load_json, path)
    except (HomeAssistantError, OSError):
        return None
    return content.get("data") if isinstance(content, dict) else None


async def async_move_aside(hass: HomeAssistant, path: str) -> str:
    """Rename an unusable file so that the next save cannot overwrite it.

    Returns the new path; raises OSError if the file cannot be renamed.
    """
    aside = f"{path}.corrupt.{dt_util.utcnow().isoformat()}"
    await hass.async_add_executor_job(os.rename, path, aside)
    return aside
