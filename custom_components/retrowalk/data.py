"""Runtime data kept on each retrowalk config entry."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry

from .controller import WorkoutController

type RetrowalkConfigEntry = ConfigEntry[WorkoutController]
