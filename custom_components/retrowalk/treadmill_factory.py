"""Builds the treadmill adapter a config entry asks for."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import TREADMILL_ENTITY_BRIDGE, TREADMILL_FTMS, TREADMILL_VIRTUAL
from .entity_bridge import EntityBridgeTreadmill
from .settings import EntrySettings
from .treadmills import Treadmill
from .treadmills.virtual import VirtualTreadmill


def create_treadmill(
    hass: HomeAssistant, settings: EntrySettings, *, name: str
) -> Treadmill:
    """Return the treadmill for an entry's settings."""
    if settings.treadmill_type == TREADMILL_VIRTUAL:
        return VirtualTreadmill(dt_util.utcnow)
    if settings.treadmill_type == TREADMILL_ENTITY_BRIDGE and settings.bridge:
        return EntityBridgeTreadmill(
            hass, settings.bridge, name=name, cap_kmh=settings.max_speed_kmh
        )
    if settings.treadmill_type == TREADMILL_FTMS and settings.address:
        from .ftms_link import create_ftms_treadmill  # noqa: PLC0415 - needs Bluetooth

        return create_ftms_treadmill(hass, settings.address, name)
    raise ValueError(f"Unknown treadmill type {settings.treadmill_type}")
