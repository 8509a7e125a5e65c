"""Builds the treadmill adapter a config entry asks for."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import TREADMILL_VIRTUAL
from .settings import EntrySettings
from .treadmills import Treadmill
from .treadmills.virtual import VirtualTreadmill


def create_treadmill(hass: HomeAssistant, settings: EntrySettings) -> Treadmill:
    """Return the treadmill for an entry's settings."""
    if settings.treadmill_type == TREADMILL_VIRTUAL:
        return VirtualTreadmill(dt_util.utcnow)
    raise ValueError(f"Unknown treadmill type {settings.treadmill_type}")
