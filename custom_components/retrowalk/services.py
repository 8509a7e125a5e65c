"""Services: start a session, pause, resume, stop, skip; history and progression level.

Values are checked here rather than by the schema so that every bad input gets
a translated error that names the field, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
import math
from typing import Any

from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
import voluptuous as vol

from .const import DOMAIN
from .controller import WorkoutController
from .data import RetrowalkData
from .dates import MomentOutOfRangeError, parse_moment
from .errors import refusals_as_validation_errors, validation_error
from .settings import EntrySettings
from .workout.program import Direction, Interval, Program
from .workout.programs import custom_program

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_PROGRAM = "program"
ATTR_INTERVALS = "intervals"
ATTR_FORWARD_SPEED = "forward_speed"
ATTR_BACKWARD_SPEED = "backward_speed"
ATTR_DIRECTION = "direction"
ATTR_DURATION = "duration"
ATTR_SPEED = "speed"

SERVICE_START_SESSION = "start_session"
SERVICE_PAUSE = "pause"
SERVICE_RESUME = "resume"
SERVICE_STOP = "stop"
SERVICE_SKIP_INTERVAL = "skip_interval"
SERVICE_GET_HISTORY = "get_history"
SERVICE_SET_LEVEL = "set_progression_level"
ATTR_START = "start"
ATTR_END = "end"
ATTR_LEVEL = "level"

MAX_INTERVALS = 200
MAX_INTERVAL_DURATION = timedelta(hours=2)
INTERVAL_FIELDS = {ATTR_DIRECTION, ATTR_DURATION, ATTR_SPEED}

# A treadmill is named by its device or one of its entities (the call's target), or
# by its config entry. Areas, floors and labels are taken here only to be refused
# with a message that says how to name one.
TARGET_FIELDS = (ATTR_ENTITY_ID, ATTR_DEVICE_ID)
UNSUPPORTED_TARGET_FIELDS = (ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
ENTRY_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        **{
            vol.Optional(field): object
            for field in (*TARGET_FIELDS, *UNSUPPORTED_TARGET_FIELDS)
        },
    }
)
START_SESSION_SCHEMA = ENTRY_SCHEMA.extend(
    {
        vol.Optional(ATTR_PROGRAM): cv.string,
        vol.Optional(ATTR_INTERVALS): object,
        vol.Optional(ATTR_FORWARD_SPEED): object,
        vol.Optional(ATTR_BACKWARD_SPEED): object,
    }
)


HISTORY_SCHEMA = ENTRY_SCHEMA.extend(
    {vol.Optional(ATTR_START): object, vol.Optional(ATTR_END): object}
)
LEVEL_SCHEMA = ENTRY_SCHEMA.extend({vol.Optional(ATTR_LEVEL): object})


# The longest a value is shown in a message.
SHOWN_LENGTH = 40


def _shown(raw: Any) -> str:
    """A value as the user gave it, for a message: short, and never raising."""
    try:
        text = str(raw)
    except ValueError:  # an int with more digits than Python prints
        return "…"
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _moment(data: dict[str, Any], field: str) -> datetime | None:
    """A date (local midnight) or date and time from a service field, or None."""
    if (raw := data.get(field)) is None:
        return None
    if not isinstance(raw, str | datetime | date):
        raise validation_error("invalid_date", field=field, value=_shown(raw))
    try:
        return parse_moment(str(raw))
    except MomentOutOfRangeError:
        raise validation_error(
            "date_out_of_range", field=field, value=_shown(raw)
        ) from None
    except ValueError:
        raise validation_error("invalid_date", field=field, value=_shown(raw)) from None


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the retrowalk services."""

    def register(
        name: str, command: Callable[[WorkoutController], Awaitable[None]]
    ) -> None:
        async def handle(call: ServiceCall) -> None:
            await command(_entry_data(hass, call).controller)

        hass.services.async_register(DOMAIN, name, handle, schema=ENTRY_SCHEMA)

    async def handle_start_session(call: ServiceCall) -> None:
        data = _entry_data(hass, call)
        controller = data.controller
        program = _program(call.data, data)
        speeds = {
            direction: _speed(call.data[field], field, controller.settings)
            for direction, field in (
                (Direction.FORWARD, ATTR_FORWARD_SPEED),
                (Direction.BACKWARD, ATTR_BACKWARD_SPEED),
            )
            if field in call.data
        }
        await controller.async_start(program, speeds)

    hass.services.async_register(
        DOMAIN,
        SERVICE_START_SESSION,
        handle_start_session,
        schema=START_SESSION_SCHEMA,
    )

    async def handle_get_history(call: ServiceCall) -> ServiceResponse:
        planner = _entry_data(hass, call).planner
        start, end = (_moment(call.data, field) for field in (ATTR_START, ATTR_END))
        if start and end and end <= start:
            raise validation_error("invalid_range")
        records = planner.history.between(start, end)
        return {
            "records": [record.to_dict() for record in records],
            "units": {"speed": "km/h", "distance": "km", "time": "s"},
        }

    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_HISTORY,
        handle_get_history,
        schema=HISTORY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )

    async def handle_set_level(call: ServiceCall) -> None:
        planner = _entry_data(hass, call).planner
        raw = call.data.get(ATTR_LEVEL, 0)
        maximum = planner.max_level
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= maximum:
            raise validation_error(
                "invalid_level", level=_shown(raw), maximum=str(maximum)
            )
        await planner.async_set_level(raw)

    hass.services.async_register(
        DOMAIN, SERVICE_SET_LEVEL, handle_set_level, schema=LEVEL_SCHEMA
    )
    register(SERVICE_PAUSE, lambda c: c.async_pause())
    register(SERVICE_RESUME, lambda c: c.async_resume())
    register(SERVICE_STOP, lambda c: c.async_stop())
    register(SERVICE_SKIP_INTERVAL, lambda c: c.async_skip())


def _entry_data(hass: HomeAssistant, call: ServiceCall) -> RetrowalkData:
    """What the treadmill the call names runs, or the only loaded one's.

    A call names a treadmill by its device or one of its entities (its target), by
    `config_entry_id`, or both if they agree; without either, the only treadmill
    that is loaded is meant.
    """
    named = _named_entry_ids(hass, call.data)
    if len(named) > 1:
        raise validation_error("several_treadmills")
    if not named:
        loaded = hass.config_entries.async_loaded_entries(DOMAIN)
        if len(loaded) != 1:
            raise validation_error("config_entry_required")
        entry = loaded[0]
    else:
        (entry_id,) = named
        found = hass.config_entries.async_get_entry(entry_id)
        if found is None or found.domain != DOMAIN:
            raise validation_error("config_entry_not_found", entry_id=entry_id)
        if found not in hass.config_entries.async_loaded_entries(DOMAIN):
            raise validation_error("config_entry_not_loaded", entry_id=entry_id)
        entry = found
    data: RetrowalkData = entry.runtime_data
    return data


def _named_entry_ids(hass: HomeAssistant, data: dict[str, Any]) -> set[str]:
    """The config entries a call names by config_entry_id, devices and entities."""
    for field in UNSUPPORTED_TARGET_FIELDS:
        if data.get(field):
            raise validation_error("unsupported_target", field=field)
    named: set[str] = set()
    if (entry_id := data.get(ATTR_CONFIG_ENTRY_ID)) is not None:
        named.add(entry_id)
    entities = er.async_get(hass)
    for entity_id in _target_ids(data, ATTR_ENTITY_ID):
        entity = entities.async_get(entity_id)
        if entity is None or entity.platform != DOMAIN or not entity.config_entry_id:
            raise validation_error("not_a_treadmill", target=_shown(entity_id))
        named.add(entity.config_entry_id)
    # Each treadmill's device, found from its entry (DeviceEntry.config_entries is
    # deprecated from 2026.11, and config_entry_id is new there).
    devices = dr.async_get(hass)
    treadmill_devices = {
        device.id: entry.entry_id
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(devices, entry.entry_id)
    }
    for device_id in _target_ids(data, ATTR_DEVICE_ID):
        if (treadmill := treadmill_devices.get(device_id)) is None:
            raise validation_error("not_a_treadmill", target=_shown(device_id))
        named.add(treadmill)
    return named


def _target_ids(data: dict[str, Any], field: str) -> list[str]:
    """The ids of a target field: one, a comma-separated list or a list of them."""
    raw = data.get(field)
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise validation_error("not_a_treadmill", target=_shown(raw))
    return [item.strip() for item in items if item.strip()]


def _program(data: dict[str, Any], entry_data: RetrowalkData) -> Program:
    """The program a start call asks for: built-in, custom, or the selected one."""
    if ATTR_INTERVALS in data:
        if ATTR_PROGRAM in data:
            raise validation_error("program_and_intervals")
        return _custom_program(data[ATTR_INTERVALS], entry_data.settings)
    selected = entry_data.controller.program_key
    with refusals_as_validation_errors():
        return entry_data.planner.program_for(data.get(ATTR_PROGRAM, selected))


def _custom_program(raw: Any, settings: EntrySettings) -> Program:
    if not isinstance(raw, list) or not raw:
        raise validation_error("empty_program")
    if len(raw) > MAX_INTERVALS:
        raise validation_error("too_many_intervals", maximum=str(MAX_INTERVALS))
    return custom_program(
        [_interval(item, number, settings) for number, item in enumerate(raw, 1)]
    )


def _interval(item: Any, number: int, settings: EntrySettings) -> Interval:
    """One interval of a custom program; `number` counts from 1 for messages."""
    index = str(number)
    if not isinstance(item, dict):
        raise validation_error("invalid_interval", index=index)
    if unknown := set(item) - INTERVAL_FIELDS:
        raise validation_error(
            "unknown_interval_field",
            index=index,
            fields=_shown(", ".join(sorted(map(str, unknown)))),
        )
    raw_direction = item.get(ATTR_DIRECTION)
    if raw_direction not in tuple(Direction):
        raise validation_error(
            "invalid_direction", index=index, direction=_shown(raw_direction)
        )
    direction = Direction(raw_direction)
    duration = _duration(item.get(ATTR_DURATION))
    if duration is None or not timedelta(0) < duration <= MAX_INTERVAL_DURATION:
        raise validation_error(
            "invalid_duration", index=index, duration=_shown(item.get(ATTR_DURATION))
        )
    speed_kmh = None
    if ATTR_SPEED in item:
        speed_kmh = _speed_kmh(item[ATTR_SPEED], settings)
        if speed_kmh is None:
            raise validation_error(
                "interval_speed_out_of_range",
                index=index,
                speed=_shown(item[ATTR_SPEED]),
                **_speed_limits(settings),
            )
    return Interval(direction=direction, duration=duration, speed_kmh=speed_kmh)


def _duration(raw: Any) -> timedelta | None:
    """A duration in seconds, "HH:MM:SS" or {minutes: …}; None if it is none.

    Home Assistant's parser takes `true` for a second and overflows on huge or
    infinite values; both are refused here.
    """
    values = raw.values() if isinstance(raw, dict) else (raw,)
    if any(isinstance(value, bool) for value in values):
        return None
    try:
        duration: timedelta = cv.time_period(raw)
    except (vol.Invalid, OverflowError, TypeError, ValueError):
        return None
    return duration


def _speed(raw: Any, field: str, settings: EntrySettings) -> float:
    """A speed in the entry's unit, checked against the cap; returns km/h."""
    speed_kmh = _speed_kmh(raw, settings)
    if speed_kmh is None:
        raise validation_error(
            "speed_out_of_range",
            speed=_shown(raw),
            field=field,
            **_speed_limits(settings),
        )
    return speed_kmh


def _speed_kmh(raw: Any, settings: EntrySettings) -> float | None:
    """A speed in the entry's unit in km/h, or None unless above 0 and within the cap."""
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except (OverflowError, TypeError, ValueError):
        return None
    if not (math.isfinite(value) and 0 < value <= _max_speed(settings)):
        return None
    return settings.speed_unit.to_kmh(value)


def _max_speed(settings: EntrySettings) -> float:
    return settings.display_speed(settings.max_speed_kmh)


def _speed_limits(settings: EntrySettings) -> dict[str, str]:
    return {"max_speed": str(_max_speed(settings)), "unit": settings.speed_unit.value}
