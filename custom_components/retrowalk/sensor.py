"""Sensors that show the session: phase, ends, speed, distance, backward time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfLength,
    UnitOfSpeed,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN, NOT_PAUSED, PAUSE_REASONS, unique_id
from .data import RetrowalkConfigEntry, RetrowalkData
from .entity import RetrowalkStateEntity
from .phase import Phase, phase_of
from .workout.session import Session, SessionStatus
from .workout.units import SpeedUnit

PARALLEL_UPDATES = 0

type SensorValue = str | float | datetime | None


@dataclass(frozen=True, kw_only=True)
class RetrowalkSensorDescription(SensorEntityDescription):
    """How a sensor reads its value from what the entry runs."""

    value_fn: Callable[[RetrowalkData], SensorValue]
    # Display unit that follows the entry's speed unit, if any.
    unit_fn: Callable[[SpeedUnit], str] | None = None
    # Whether the value can be read now (default: always).
    available_fn: Callable[[RetrowalkData], bool] = lambda _data: True
    attributes_fn: Callable[[RetrowalkData], Mapping[str, Any]] | None = None


def _level_attributes(data: RetrowalkData) -> Mapping[str, Any]:
    """The level's figures and what the next level changes (speeds in the entry's unit)."""
    info = data.planner.level_info()
    settings = data.settings

    def speed(kmh: float | None) -> float | None:
        return None if kmh is None else settings.display_speed(kmh)

    step = info.next_step
    return {
        "max_level": info.max_level,
        "backward_interval_minutes": info.backward_interval_minutes,
        "backward_intervals": info.backward_intervals,
        "backward_minutes_total": info.backward_minutes_total,
        "backward_speed": speed(info.backward_speed_kmh),
        "next_step": None if step is None else step.kind.value,
        "next_backward_interval_minutes": None
        if step is None
        else step.backward_interval_minutes,
        "next_backward_speed": None if step is None else speed(step.backward_speed_kmh),
        "speed_unit": settings.speed_unit.value,
    }


def _amount(value: float, digits: int) -> float | None:
    """A total as statistics take it: finite and not negative, else unknown."""
    if not (math.isfinite(value) and value >= 0):
        return None
    return round(value) if digits == 0 else round(value, digits)


def _week_attributes(data: RetrowalkData) -> Mapping[str, Any]:
    week = data.planner.this_week()
    return {"target": week.target, "week_start": week.week_start}


def _phase_attributes(data: RetrowalkData) -> Mapping[str, Any]:
    controller = data.controller
    session = controller.session
    if session is None:
        return {"program": controller.program_key}
    return {
        "program": session.program.key,
        "interval_index": session.index,
        "interval_count": len(session.program.intervals),
        "pause_reason": session.pause_reason,
        "end_reason": session.end_reason,
        **_interval_attributes(data, session),
    }


def _interval_attributes(data: RetrowalkData, session: Session) -> Mapping[str, Any]:
    """The current and next interval, for a dashboard that counts down by itself.

    Nothing here changes between transitions: while running, the time left is
    `interval_ends` / `session_ends`; only a paused session, whose ends are
    unknown, gives it here (in seconds).
    """
    intervals = session.program.intervals
    following = intervals[session.index + 1 :] if session.is_active else ()
    upcoming = following[0] if following else None
    left = (
        session.interval_remaining if session.status is SessionStatus.PAUSED else None
    )
    return {
        "interval_direction": session.interval.direction.value,
        "interval_duration": session.interval.duration.total_seconds(),
        "interval_remaining": None if left is None else _seconds(left),
        "session_remaining": None
        if left is None
        else _seconds(left + sum((i.duration for i in following), timedelta(0))),
        "program_duration": session.program.duration.total_seconds(),
        "next_direction": None if upcoming is None else upcoming.direction.value,
        "next_duration": None
        if upcoming is None
        else upcoming.duration.total_seconds(),
        "next_speed": None
        if upcoming is None
        else data.settings.display_speed(session.speed_for(upcoming)),
        "speed_unit": data.settings.speed_unit.value,
    }


def _seconds(duration: timedelta) -> float:
    return round(duration.total_seconds(), 3)


def _session(data: RetrowalkData) -> Session | None:
    return data.controller.session


def _belt_speed(data: RetrowalkData) -> float:
    session = data.controller.session
    return 0.0 if session is None else session.belt_speed_kmh


def _distance(data: RetrowalkData) -> float:
    session = data.controller.session
    return 0.0 if session is None else round(session.totals().distance_km, 4)


def _backward_seconds(data: RetrowalkData) -> float:
    session = data.controller.session
    if session is None:
        return 0.0
    return round(session.totals().backward.total_seconds())


def _progress(data: RetrowalkData) -> float:
    session = data.controller.session
    return 0.0 if session is None else round(session.progress(), 1)


PLAN_SENSORS: tuple[RetrowalkSensorDescription, ...] = (
    RetrowalkSensorDescription(
        key="next_session",
        translation_key="next_session",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda d: d.planner.next_session,
    ),
    RetrowalkSensorDescription(
        key="sessions_this_week",
        translation_key="sessions_this_week",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement="sessions",
        value_fn=lambda d: d.planner.this_week().sessions_done,
        attributes_fn=_week_attributes,
    ),
    RetrowalkSensorDescription(
        key="backward_minutes_this_week",
        translation_key="backward_minutes_this_week",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=lambda d: _amount(d.planner.this_week().backward_seconds, 0),
        attributes_fn=_week_attributes,
    ),
    RetrowalkSensorDescription(
        key="streak_weeks",
        translation_key="streak_weeks",
        native_unit_of_measurement="weeks",
        value_fn=lambda d: d.planner.streak_weeks(),
    ),
    RetrowalkSensorDescription(
        key="progression_level",
        translation_key="progression_level",
        value_fn=lambda d: d.planner.level,
        attributes_fn=_level_attributes,
    ),
    RetrowalkSensorDescription(
        key="lifetime_backward_time",
        translation_key="lifetime_backward_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        # Was in minutes: the recorder converts the new states into the minutes of
        # statistics compiled before (a duration), so long-term statistics go on.
        value_fn=lambda d: _amount(d.planner.lifetime()[0] * 60, 0),
    ),
    RetrowalkSensorDescription(
        key="lifetime_sessions",
        translation_key="lifetime_sessions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement="sessions",
        value_fn=lambda d: d.planner.lifetime()[1],
    ),
    RetrowalkSensorDescription(
        key="lifetime_distance",
        translation_key="lifetime_distance",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=2,
        value_fn=lambda d: _amount(d.planner.lifetime()[2], 4),
        unit_fn=lambda unit: unit.distance_unit,
    ),
)

SENSORS: tuple[RetrowalkSensorDescription, ...] = (
    RetrowalkSensorDescription(
        key="phase",
        translation_key="phase",
        device_class=SensorDeviceClass.ENUM,
        options=[phase.value for phase in Phase],
        value_fn=lambda d: phase_of(d.controller.session).value,
    ),
    RetrowalkSensorDescription(
        key="interval_ends",
        translation_key="interval_ends",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda d: None if (s := _session(d)) is None else s.interval_ends,
    ),
    RetrowalkSensorDescription(
        key="session_ends",
        translation_key="session_ends",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda d: None if (s := _session(d)) is None else s.session_ends,
    ),
    RetrowalkSensorDescription(
        key="speed",
        translation_key="speed",
        device_class=SensorDeviceClass.SPEED,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        suggested_display_precision=1,
        value_fn=_belt_speed,
        unit_fn=lambda unit: unit.value,
    ),
    RetrowalkSensorDescription(
        key="reported_speed",
        translation_key="reported_speed",
        device_class=SensorDeviceClass.SPEED,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda d: d.controller.treadmill.status.speed_kmh,
        unit_fn=lambda unit: unit.value,
        available_fn=lambda d: d.controller.treadmill.status.available,
    ),
    RetrowalkSensorDescription(
        key="distance",
        translation_key="distance",
        device_class=SensorDeviceClass.DISTANCE,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=2,
        value_fn=_distance,
        unit_fn=lambda unit: unit.distance_unit,
    ),
    RetrowalkSensorDescription(
        key="backward_time",
        translation_key="backward_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        value_fn=_backward_seconds,
    ),
    RetrowalkSensorDescription(
        key="pause_reason",
        translation_key="pause_reason",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=[NOT_PAUSED, *PAUSE_REASONS],
        value_fn=lambda d: ((s := _session(d)) and s.pause_reason) or NOT_PAUSED,
    ),
    RetrowalkSensorDescription(
        key="program_progress",
        translation_key="program_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=_progress,
    ),
    *PLAN_SENSORS,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the session sensors of a treadmill."""
    _suggest_entry_units(hass, entry)
    async_add_entities(RetrowalkSensor(entry, description) for description in SENSORS)


def _suggest_entry_units(hass: HomeAssistant, entry: RetrowalkConfigEntry) -> None:
    """Make already registered sensors follow a changed speed unit.

    Home Assistant stores an integration's suggested unit once, when the entity is
    first registered; refresh it so an options change takes effect. A unit the user
    picked in the entity settings still wins.
    """
    registry = er.async_get(hass)
    unit = entry.runtime_data.settings.speed_unit
    for description in SENSORS:
        if description.unit_fn is None:
            continue
        entity_unique_id = unique_id(entry.entry_id, description.key)
        if entity_id := registry.async_get_entity_id(
            SENSOR_DOMAIN, DOMAIN, entity_unique_id
        ):
            registry.async_update_entity_options(
                entity_id,
                f"{SENSOR_DOMAIN}.private",
                {"suggested_unit_of_measurement": description.unit_fn(unit)},
            )


class RetrowalkSensor(RetrowalkStateEntity, SensorEntity):
    """A sensor of the session, written on transitions only."""

    entity_description: RetrowalkSensorDescription

    def __init__(
        self, entry: RetrowalkConfigEntry, description: RetrowalkSensorDescription
    ) -> None:
        """Create the sensor; display units follow the entry's speed unit."""
        super().__init__(entry, description.key)
        self.entity_description = description
        if description.unit_fn is not None:
            self._attr_suggested_unit_of_measurement = description.unit_fn(
                self.controller.settings.speed_unit
            )

    @property
    def available(self) -> bool:
        """Sensors that read the treadmill are unavailable while it is."""
        return self.entity_description.available_fn(self.data)

    @property
    def native_value(self) -> SensorValue:
        """The value, read from what the entry runs."""
        return self.entity_description.value_fn(self.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The phase sensor explains where in the program the session is."""
        if self.entity_description.key == "phase":
            return _phase_attributes(self.data)
        if (attributes_fn := self.entity_description.attributes_fn) is not None:
            return attributes_fn(self.data)
        return None
