"""A treadmill already in Home Assistant, driven through its entities.

The speed is a `number` or `input_number` (km/h or mph); the belt starts and stops
through a switch, start and stop buttons or scripts, or by setting the speed to
zero. Optional sensors report the actual speed and distance. Controlled entities
that become `unavailable` (or `unknown`, except buttons, which are `unknown` until
first pressed) make the treadmill unavailable, which pauses a running session.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
import math

from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfLength,
    UnitOfSpeed,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.unit_conversion import (
    BaseUnitConverter,
    DistanceConverter,
    SpeedConverter,
)
import voluptuous as vol

from .const import CONTROL_SPEED_ZERO, CONTROL_START_STOP, CONTROL_SWITCH
from .settings import BridgeSettings
from .treadmills import FAULT_UNAVAILABLE, Treadmill, TreadmillError, TreadmillStatus
from .workout.units import SpeedUnit

_LOGGER = logging.getLogger(__name__)

SPEED_DOMAINS = ("number", "input_number")
SWITCH_DOMAINS = ("switch", "input_boolean")
START_STOP_DOMAINS = ("button", "input_button", "script")
SENSOR_DOMAINS = ("sensor",)
# Domains whose state is a last-pressed time: `unknown` until first pressed.
_PRESS_DOMAINS = ("button", "input_button")
_LOST_STATES = (STATE_UNAVAILABLE, STATE_UNKNOWN)


@dataclass(frozen=True, kw_only=True)
class SpeedScale:
    """A number entity's speed unit, range and step."""

    unit: SpeedUnit
    minimum: float
    maximum: float
    step: float

    @classmethod
    def of(cls, state: State) -> SpeedScale:
        """Read the scale from a number or input_number state.

        Raises ValueError when the unit is not km/h or mph or the range is unusable.
        """
        unit = SpeedUnit(str(state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)))
        minimum = float(state.attributes.get("min", 0))
        maximum = float(state.attributes.get("max", 0))
        step = float(state.attributes.get("step", 0) or 0)
        if not maximum > max(minimum, 0) or step < 0:
            raise ValueError(f"unusable speed range {minimum}..{maximum} step {step}")
        return cls(unit=unit, minimum=minimum, maximum=maximum, step=step)

    @property
    def max_kmh(self) -> float:
        """The fastest setting, in km/h."""
        return self.unit.to_kmh(self.maximum)

    def value_for(self, speed_kmh: float, cap_kmh: float) -> float:
        """The entity value for a speed: on the step grid, in range, never over the cap.

        Rounds to the nearest step; if that lands above the cap, takes the step
        below. A speed under the entity's minimum becomes the minimum.
        """
        wanted = self.unit.from_kmh(speed_kmh)
        cap = min(self.unit.from_kmh(cap_kmh), self.maximum)
        if self.step > 0:
            steps = round((wanted - self.minimum) / self.step)
            value = self.minimum + steps * self.step
            if value > cap + 1e-9:
                value = (
                    self.minimum
                    + math.floor((cap - self.minimum) / self.step + 1e-9) * self.step
                )
            value = round(value, 6)
        else:
            value = min(wanted, cap)
        return min(max(value, self.minimum), self.maximum)


class EntityBridgeTreadmill(Treadmill):
    """Drives a treadmill through the entities another integration provides."""

    def __init__(
        self,
        hass: HomeAssistant,
        bridge: BridgeSettings,
        *,
        name: str,
        cap_kmh: float,
    ) -> None:
        """Use the entities of `bridge`; `async_start_tracking` follows them."""
        super().__init__()
        self.hass = hass
        self.bridge = bridge
        self._name = name
        self._cap_kmh = cap_kmh
        # What retrowalk last asked for, for belts that do not report running.
        self._commanded_running = False
        self._lost: tuple[str, ...] = ()
        self._unsubscribe: CALLBACK_TYPE | None = None
        self.max_speed_kmh = 0.0
        self._last_status = self.status

    # --- following the entities ---------------------------------------------

    async def async_open(self) -> None:
        """Follow the bridge's entities."""
        self._async_refresh()
        self._unsubscribe = async_track_state_change_event(
            self.hass, list(self.bridge.all_entities), self._async_entity_changed
        )

    async def async_close(self) -> None:
        """Stop following the entities."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _async_entity_changed(self, _event: Event[EventStateChangedData]) -> None:
        self._async_refresh()

    @callback
    def _async_refresh(self) -> None:
        """Re-read the entities; tell listeners if the status changed."""
        self._update_lost()
        if (scale := self._scale_or_none()) is not None:
            self.max_speed_kmh = scale.max_kmh
        status = self.status
        if status != self._last_status:
            self._last_status = status
            self._notify()

    def _update_lost(self) -> None:
        """Log once when a controlled entity is lost, and once when all are back."""
        lost = tuple(
            entity_id
            for entity_id in self.bridge.controlled_entities
            if not _usable(self.hass.states.get(entity_id))
        )
        if lost and not self._lost:
            _LOGGER.warning(
                "Treadmill %s is unavailable: %s cannot be used",
                self._name,
                ", ".join(lost),
            )
        elif self._lost and not lost:
            _LOGGER.info("Treadmill %s is available again", self._name)
        self._lost = lost

    # --- what the treadmill reports ------------------------------------------

    @property
    def status(self) -> TreadmillStatus:
        """Availability, running state, speed and distance read from the entities."""
        available = not self._lost
        speed_kmh = self._reported_speed_kmh()
        return TreadmillStatus(
            available=available,
            running=available and self._running(speed_kmh),
            speed_kmh=speed_kmh if available else 0.0,
            distance_km=self._distance_km(),
            fault=None if available else FAULT_UNAVAILABLE,
        )

    def _running(self, speed_kmh: float) -> bool:
        if self.bridge.control == CONTROL_SWITCH:
            switch = self.hass.states.get(self._required(self.bridge.switch_entity))
            return switch is not None and switch.state == STATE_ON
        if self.bridge.control == CONTROL_SPEED_ZERO:
            return speed_kmh > 0
        if self.bridge.actual_speed_entity is not None:
            return self._commanded_running and speed_kmh > 0
        return self._commanded_running

    def _reported_speed_kmh(self) -> float:
        """The actual speed sensor if there is one, else the speed setting."""
        if (sensor_id := self.bridge.actual_speed_entity) is not None:
            return _converted(
                self.hass.states.get(sensor_id),
                SpeedConverter,
                UnitOfSpeed.KILOMETERS_PER_HOUR,
            )
        state = self.hass.states.get(self.bridge.speed_entity)
        scale = self._scale_or_none()
        if state is None or scale is None:
            return 0.0
        try:
            return max(scale.unit.to_kmh(float(state.state)), 0.0)
        except ValueError:
            return 0.0

    def _distance_km(self) -> float:
        if (sensor_id := self.bridge.distance_entity) is None:
            return 0.0
        return _converted(
            self.hass.states.get(sensor_id), DistanceConverter, UnitOfLength.KILOMETERS
        )

    def _scale_or_none(self) -> SpeedScale | None:
        state = self.hass.states.get(self.bridge.speed_entity)
        if state is None or state.state in _LOST_STATES:
            return None
        try:
            return SpeedScale.of(state)
        except ValueError:
            return None

    # --- commands ------------------------------------------------------------

    async def async_start(self, speed_kmh: float) -> None:
        """Level the belt, start it and set the speed."""
        self._check_available()
        await self._async_level_incline()
        if self.bridge.control == CONTROL_SWITCH:
            await self._async_call("turn_on", self._required(self.bridge.switch_entity))
        elif self.bridge.control == CONTROL_START_STOP:
            await self._async_press(self._required(self.bridge.start_entity))
        self._commanded_running = True
        await self._async_apply_speed(speed_kmh)

    async def async_set_speed(self, speed_kmh: float) -> None:
        """Set the speed of the running belt."""
        self._check_available()
        if not self.status.running:
            raise TreadmillError("belt is not running")
        await self._async_apply_speed(speed_kmh)

    async def async_stop(self) -> None:
        """Stop the belt the way the user chose."""
        self._commanded_running = False
        if self.bridge.control == CONTROL_SWITCH:
            await self._async_call(
                "turn_off", self._required(self.bridge.switch_entity)
            )
        elif self.bridge.control == CONTROL_START_STOP:
            await self._async_press(self._required(self.bridge.stop_entity))
        else:
            await self._async_set_value(self.bridge.speed_entity, 0.0)

    async def _async_apply_speed(self, speed_kmh: float) -> None:
        scale = self._scale_or_none()
        if scale is None:
            raise TreadmillError(
                f"{self.bridge.speed_entity} has no usable speed range"
            )
        await self._async_set_value(
            self.bridge.speed_entity, scale.value_for(speed_kmh, self._cap_kmh)
        )

    async def _async_level_incline(self) -> None:
        """Put the belt flat (0 %, or the lowest setting) before a session starts."""
        if (incline_id := self.bridge.incline_entity) is None:
            return
        state = self.hass.states.get(incline_id)
        if state is None or state.state in _LOST_STATES:
            return
        flat = max(float(state.attributes.get("min", 0)), 0.0)
        await self._async_set_value(incline_id, flat)

    def _check_available(self) -> None:
        if self._lost:
            raise TreadmillError(f"{', '.join(self._lost)} unavailable")

    # --- service calls -------------------------------------------------------

    async def _async_set_value(self, entity_id: str, value: float) -> None:
        await self._async_call("set_value", entity_id, {"value": value})

    async def _async_press(self, entity_id: str) -> None:
        domain = entity_id.split(".", 1)[0]
        await self._async_call("turn_on" if domain == "script" else "press", entity_id)

    async def _async_call(
        self, service: str, entity_id: str, data: dict[str, float] | None = None
    ) -> None:
        """Call a service on an entity; failures become TreadmillError."""
        domain = entity_id.split(".", 1)[0]
        try:
            await self.hass.services.async_call(
                domain,
                service,
                {ATTR_ENTITY_ID: entity_id, **(data or {})},
                blocking=True,
            )
        except (HomeAssistantError, ValueError, vol.Invalid) as err:
            raise TreadmillError(f"{domain}.{service} on {entity_id}: {err}") from err

    @staticmethod
    def _required(entity_id: str | None) -> str:
        assert entity_id is not None  # the config flow requires it for the mode
        return entity_id


def _usable(state: State | None) -> bool:
    """Whether an entity can be used now."""
    if state is None or state.state == STATE_UNAVAILABLE:
        return False
    return state.state != STATE_UNKNOWN or state.domain in _PRESS_DOMAINS


def _converted(
    state: State | None, converter: type[BaseUnitConverter], unit: str
) -> float:
    """A sensor's value in `unit`, or 0 when it has none or cannot be converted."""
    if state is None:
        return 0.0
    try:
        return converter.convert(
            float(state.state), state.attributes.get(ATTR_UNIT_OF_MEASUREMENT), unit
        )
    except (ValueError, HomeAssistantError):
        return 0.0
