"""What one retrowalk config entry runs, kept as its runtime data."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .announcer import Announcer
from .controller import WorkoutController
from .planner import WorkoutPlanner
from .settings import EntrySettings


@dataclass(frozen=True, kw_only=True)
class RetrowalkData:
    """One treadmill's parts, built together in `async_setup_entry`.

    The controller runs sessions and owns the belt supervisor; the planner keeps
    the schedule, history and coach; the announcer (None without speakers) speaks
    the cues. Planner and announcer follow the controller; it knows neither.
    """

    settings: EntrySettings
    controller: WorkoutController
    planner: WorkoutPlanner
    announcer: Announcer | None


type RetrowalkConfigEntry = ConfigEntry[RetrowalkData]
