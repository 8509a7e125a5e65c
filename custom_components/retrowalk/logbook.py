"""The logbook's words for workout events: "Interval switched: Backward, 0.5 mph, 2:00".

Home Assistant's logbook (the Activity panel, logbook cards) lists every
`retrowalk_event` with the message made here, under the treadmill's workout event
entity. The logbook is written on the server, so the words are the integration's
own translations (the workout event entity's attribute states, the pause reasons)
in Home Assistant's language, English where that language's are not loaded.

The workout event entity's own rows stay as the frontend words them ("detected an
event"): Home Assistant's frontend decides that for every event entity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
import math
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations
from homeassistant.util import dt as dt_util

from .const import BUS_EVENT, DOMAIN, REASON_USER
from .events import workout_event_entity_id
from .workout.units import readable_distance

type Translate = Callable[[str], str | None]

_PREFIX = f"component.{DOMAIN}.entity."
_EVENT = "event.workout.state_attributes."
_MOVING = ("session_started", "interval_switched", "session_resumed")
_ENDED = ("session_completed", "session_stopped")


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[Event], dict[str, str | None]]], None
    ],
) -> None:
    """Teach the logbook to describe `retrowalk_event`."""

    @callback
    def async_describe(event: Event) -> dict[str, str | None]:
        data = event.data
        entry_id = data.get("config_entry_id")
        entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
        entity_id = data.get(ATTR_ENTITY_ID) or (
            workout_event_entity_id(hass, entry_id) if entry_id else None
        )
        return {
            LOGBOOK_ENTRY_NAME: entry.title if entry else DOMAIN,
            LOGBOOK_ENTRY_MESSAGE: describe(data, _translations(hass)),
            LOGBOOK_ENTRY_ENTITY_ID: entity_id,
        }

    async_describe_event(DOMAIN, BUS_EVENT, async_describe)


def _translations(hass: HomeAssistant) -> Translate:
    """Look up entity translations in Home Assistant's language, else in English."""
    tables = [
        async_get_cached_translations(hass, language, "entity", DOMAIN)
        for language in dict.fromkeys((hass.config.language, "en"))
    ]

    def translate(key: str) -> str | None:
        for table in tables:
            if text := table.get(_PREFIX + key):
                return text
        return None

    return translate


def describe(data: Mapping[str, Any], translate: Translate) -> str:
    """The logbook message of a workout event's data (any of its fields may be missing)."""
    kind = str(data.get("type", ""))

    def word(key: str, value: Any) -> str:
        text = str(value)
        return translate(f"{key}.state.{text}") or text.replace("_", " ").capitalize()

    title = word(_EVENT + "event_type", kind)
    reason = data.get("reason")
    qualifier: str | None = None
    details: list[str] = []
    if kind in _MOVING:
        details += [word(_EVENT + "direction", data.get("direction", ""))]
        details += _speed(data)
        if kind == "interval_switched":
            details += _clock(data.get("interval_duration"))
        if kind == "session_started" and data.get("program"):
            qualifier = word(_EVENT + "program", data["program"])
    elif kind == "session_paused" and reason:
        details += [word("sensor.pause_reason", reason)]
    elif kind in _ENDED:
        backward = word(_EVENT + "direction", "backward")
        details += [
            f"{backward} {time}" for time in _clock(data.get("backward_seconds"))
        ]
        details += _distance(data)
    elif kind in ("session_due", "session_missed"):
        details += _local_time(data.get("scheduled_for"))
    if reason and reason != REASON_USER and kind != "session_paused":
        qualifier = word(_EVENT + "reason", reason)
    head = f"{title} ({qualifier})" if qualifier else title
    return f"{head}: {', '.join(details)}" if details else head


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _speed(data: Mapping[str, Any]) -> list[str]:
    speed = _finite(data.get("speed"))
    return [] if speed is None else [f"{_number(speed)} {data.get('speed_unit', '')}"]


def _clock(seconds: Any) -> list[str]:
    """A duration as m:ss (h:mm:ss from an hour)."""
    value = _finite(seconds)
    if value is None:
        return []
    minutes, secs = divmod(round(value), 60)
    hours, minutes = divmod(minutes, 60)
    return [f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"]


def _distance(data: Mapping[str, Any]) -> list[str]:
    """The distance walked; under a tenth of a mile or km in feet or metres."""
    distance = _finite(data.get("distance"))
    unit = str(data.get("distance_unit", ""))
    if distance is None:
        return []
    amount, shown = readable_distance(distance, unit)
    if shown == unit:
        return [f"{_number(amount)} {unit}"]
    # The event's distance has three decimals: a thousandth of a mile is 5.28 ft,
    # so feet are given to ten.
    return [f"{round(amount, -1 if shown == 'ft' else 0):.0f} {shown}"]


def _local_time(moment: Any) -> list[str]:
    """A scheduled time as the local HH:MM."""
    try:
        when = datetime.fromisoformat(str(moment))
        if when.tzinfo is None:
            return []
        return [dt_util.as_local(when).strftime("%H:%M")]
    except (OverflowError, ValueError):
        return []
