"""Config and options flows: name the treadmill, pick its type, set the safety limits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, CONF_ADDRESS, CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowHandler, section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntityFilterSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TimeSelector,
)
from homeassistant.util import slugify
from homeassistant.util.unit_conversion import DistanceConverter, SpeedConverter
from homeassistant.util.unit_system import METRIC_SYSTEM
import voluptuous as vol

if TYPE_CHECKING:
    from homeassistant.components.bluetooth import BluetoothServiceInfoBleak

from .const import (
    AT_SESSION_TIME_AUTO_START,
    AT_SESSION_TIME_REMIND,
    CONF_ACTUAL_SPEED_ENTITY,
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_BRIDGE,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_CONTROL,
    CONF_COUNTDOWN,
    CONF_DISTANCE_ENTITY,
    CONF_INCLINE_ENTITY,
    CONF_LANGUAGE,
    CONF_LEAD_TIME,
    CONF_MAX_SPEED,
    CONF_MAX_SPEED_KMH,
    CONF_MESSAGES,
    CONF_MISSED_AFTER,
    CONF_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION,
    CONF_RESUME_POLICY,
    CONF_SESSION_TIME,
    CONF_SPEAKERS,
    CONF_SPEED_ENTITY,
    CONF_SPEED_UNIT,
    CONF_SPOTTER_MODE,
    CONF_SPOTTER_REQUIRED,
    CONF_SPOTTERS,
    CONF_START_ENTITY,
    CONF_STOP_ENTITY,
    CONF_SWITCH_ENTITY,
    CONF_TREADMILL_TYPE,
    CONF_TTS_ENTITY,
    CONF_VOLUME,
    CONF_WEEKDAYS,
    CONTROL_MODES,
    CONTROL_SPEED_ZERO,
    CONTROL_START_STOP,
    CONTROL_SWITCH,
    CUE_LANGUAGES,
    DEFAULT_LEAD_TIME,
    DEFAULT_MISSED_AFTER_MINUTES,
    DEFAULT_PAUSE_GRACE,
    DEFAULT_RESUME_CONFIRMATION,
    DEFAULT_SESSION_TIME,
    DOMAIN,
    RESUME_AUTO,
    RESUME_MANUAL,
    SPOTTER_MODE_ALL,
    SPOTTER_MODE_ANY,
    TREADMILL_ENTITY_BRIDGE,
    TREADMILL_FTMS,
    TREADMILL_TYPES,
    TREADMILL_VIRTUAL,
)
from .data import RetrowalkConfigEntry
from .entity_bridge import (
    SENSOR_DOMAINS,
    SPEED_DOMAINS,
    START_STOP_DOMAINS,
    SWITCH_DOMAINS,
    SpeedScale,
)
from .spotter import PRESENT_STATES
from .treadmills.ftms_protocol import FITNESS_MACHINE_SERVICE_UUID
from .workout.cues import OVERRIDABLE, CueError, check_template
from .workout.schedule import DEFAULT_WEEKDAYS
from .workout.units import (
    ABSOLUTE_MAX_SPEED_KMH,
    DEFAULT_MAX_SPEED_KMH,
    START_SPEED_KMH,
    SpeedUnit,
)

DEFAULT_NAME = "Treadmill"
# Defaults a person reads in their own unit: 2.0 mph or 3.2 km/h.
DEFAULT_MAX_SPEED = {SpeedUnit.MPH: 2.0, SpeedUnit.KMH: 3.2}


def _treadmill_type_selector(types: list[str] | None = None) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=types or TREADMILL_TYPES,
            translation_key=CONF_TREADMILL_TYPE,
            mode=SelectSelectorMode.LIST,
        )
    )


def _unit_selector() -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=[unit.value for unit in SpeedUnit],
            translation_key=CONF_SPEED_UNIT,
            mode=SelectSelectorMode.LIST,
        )
    )


def _max_speed_selector(unit: SpeedUnit | None = None) -> NumberSelector:
    """A box for the cap; its range is checked per unit by `_check_max_speed`."""
    return NumberSelector(
        NumberSelectorConfig(
            min=0.1,
            max=ABSOLUTE_MAX_SPEED_KMH,
            step=0.1,
            mode=NumberSelectorMode.BOX,
            **({"unit_of_measurement": unit.value} if unit else {}),
        )
    )


def _check_max_speed(value: float, unit: SpeedUnit) -> dict[str, str]:
    """Errors for a speed cap outside what retrowalk allows."""
    if not START_SPEED_KMH - 1e-9 <= unit.to_kmh(value) <= ABSOLUTE_MAX_SPEED_KMH:
        return {CONF_MAX_SPEED: "max_speed_out_of_range"}
    return {}


def _choice(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


def _entity_picker(*domains: str) -> EntitySelector:
    return EntitySelector(EntitySelectorConfig(domain=list(domains)))


BRIDGE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SPEED_ENTITY): _entity_picker(*SPEED_DOMAINS),
        vol.Required(CONF_CONTROL): _choice(CONTROL_MODES, CONF_CONTROL),
        vol.Optional(CONF_SWITCH_ENTITY): _entity_picker(*SWITCH_DOMAINS),
        vol.Optional(CONF_START_ENTITY): _entity_picker(*START_STOP_DOMAINS),
        vol.Optional(CONF_STOP_ENTITY): _entity_picker(*START_STOP_DOMAINS),
        vol.Optional(CONF_INCLINE_ENTITY): _entity_picker(*SPEED_DOMAINS),
        vol.Optional(CONF_ACTUAL_SPEED_ENTITY): _entity_picker(*SENSOR_DOMAINS),
        vol.Optional(CONF_DISTANCE_ENTITY): _entity_picker(*SENSOR_DOMAINS),
    }
)
BRIDGE_ENTITY_FIELDS = [str(key) for key in BRIDGE_SCHEMA.schema if key != CONF_CONTROL]
# What each control mode needs besides the speed entity.
_CONTROL_NEEDS = {
    CONTROL_SWITCH: ((CONF_SWITCH_ENTITY,), "switch_required"),
    CONTROL_START_STOP: ((CONF_START_ENTITY, CONF_STOP_ENTITY), "start_stop_required"),
    CONTROL_SPEED_ZERO: ((), ""),
}


def _check_bridge(
    hass: HomeAssistant, answers: dict[str, Any], cap_kmh: float | None
) -> tuple[dict[str, str], SpeedScale | None]:
    """Errors for the bridge's entities, and the speed entity's scale if usable."""
    for key in BRIDGE_ENTITY_FIELDS:
        if (entity_id := answers.get(key)) and hass.states.get(entity_id) is None:
            return {key: "entity_not_found"}, None
    needed, error = _CONTROL_NEEDS[answers[CONF_CONTROL]]
    if missing := [key for key in needed if not answers.get(key)]:
        return {missing[0]: error}, None
    speed_state = hass.states.get(answers[CONF_SPEED_ENTITY])
    assert speed_state is not None
    try:
        scale = SpeedScale.of(speed_state)
    except ValueError:
        return {CONF_SPEED_ENTITY: "speed_unit_unsupported"}, None
    if answers[CONF_CONTROL] == CONTROL_SPEED_ZERO and scale.minimum > 0:
        return {CONF_CONTROL: "speed_zero_unsupported"}, scale
    for key, units in (
        (CONF_ACTUAL_SPEED_ENTITY, SpeedConverter.VALID_UNITS),
        (CONF_DISTANCE_ENTITY, DistanceConverter.VALID_UNITS),
    ):
        sensor = hass.states.get(answers.get(key) or "")
        if sensor and sensor.attributes.get(ATTR_UNIT_OF_MEASUREMENT) not in units:
            return {key: "sensor_unit_unsupported"}, scale
    if cap_kmh is not None and cap_kmh > scale.max_kmh + 1e-6:
        return {"base": "max_speed_above_entity"}, scale
    return {}, scale


def _bridge_placeholders(scale: SpeedScale | None) -> dict[str, str]:
    if scale is None:
        return {"entity_max": "", "entity_unit": ""}
    return {"entity_max": f"{scale.maximum:g}", "entity_unit": scale.unit.value}


SPOTTER_DEVICE_CLASSES = ["occupancy", "presence", "motion"]
SPOTTER_DEFAULTS: dict[str, Any] = {
    CONF_SPOTTERS: [],
    CONF_SPOTTER_MODE: SPOTTER_MODE_ANY,
    CONF_SPOTTER_REQUIRED: True,
    CONF_PAUSE_GRACE: DEFAULT_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION: DEFAULT_RESUME_CONFIRMATION,
    CONF_RESUME_POLICY: RESUME_MANUAL,
}


def _number_box(
    minimum: float, maximum: float, step: float, unit: str
) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


def _seconds_selector(maximum: int) -> NumberSelector:
    return _number_box(0, maximum, 1, "s")


SPOTTER_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_SPOTTERS): EntitySelector(
            EntitySelectorConfig(
                multiple=True,
                filter=[
                    EntityFilterSelectorConfig(
                        domain="binary_sensor", device_class=SPOTTER_DEVICE_CLASSES
                    ),
                    EntityFilterSelectorConfig(
                        domain=["person", "device_tracker", "input_boolean"]
                    ),
                ],
            )
        ),
        vol.Required(CONF_SPOTTER_MODE): _choice(
            [SPOTTER_MODE_ANY, SPOTTER_MODE_ALL], CONF_SPOTTER_MODE
        ),
        vol.Required(CONF_SPOTTER_REQUIRED): BooleanSelector(),
        vol.Required(CONF_PAUSE_GRACE): _seconds_selector(60),
        vol.Required(CONF_RESUME_CONFIRMATION): _seconds_selector(300),
        vol.Required(CONF_RESUME_POLICY): _choice(
            [RESUME_MANUAL, RESUME_AUTO], CONF_RESUME_POLICY
        ),
    }
)


def _check_spotters(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, str]:
    """Errors for spotter entities that cannot show presence."""
    spotters: list[str] = user_input.get(CONF_SPOTTERS, [])
    if not spotters:
        return (
            {} if not user_input[CONF_SPOTTER_REQUIRED] else {"base": "spotter_needed"}
        )
    for entity_id in spotters:
        state = hass.states.get(entity_id)
        if state is None:
            return {CONF_SPOTTERS: "spotter_not_found"}
        if state.domain not in PRESENT_STATES or (
            state.domain == "binary_sensor"
            and state.attributes.get("device_class") not in SPOTTER_DEVICE_CLASSES
        ):
            return {CONF_SPOTTERS: "spotter_not_presence"}
    return {}


def _spotter_options(user_input: dict[str, Any]) -> dict[str, Any]:
    """The spotter step's answers as stored options (seconds as whole numbers)."""
    return SPOTTER_DEFAULTS | {
        key: int(value)
        if key in (CONF_PAUSE_GRACE, CONF_RESUME_CONFIRMATION)
        else value
        for key, value in user_input.items()
    }


ANNOUNCEMENT_DEFAULTS: dict[str, Any] = {
    CONF_SPEAKERS: [],
    CONF_LEAD_TIME: DEFAULT_LEAD_TIME,
    CONF_COUNTDOWN: False,
    CONF_MESSAGES: {},
}

ANNOUNCEMENT_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_SPEAKERS): EntitySelector(
            EntitySelectorConfig(
                multiple=True, domain=["media_player", "assist_satellite"]
            )
        ),
        vol.Optional(CONF_TTS_ENTITY): EntitySelector(
            EntitySelectorConfig(domain="tts")
        ),
        vol.Optional(CONF_LANGUAGE): _choice(CUE_LANGUAGES, CONF_LANGUAGE),
        vol.Optional(CONF_VOLUME): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=100,
                step=5,
                unit_of_measurement="%",
                mode=NumberSelectorMode.SLIDER,
            )
        ),
        vol.Required(CONF_LEAD_TIME): _seconds_selector(10),
        vol.Required(CONF_COUNTDOWN): BooleanSelector(),
        vol.Required(CONF_MESSAGES): section(
            vol.Schema(
                {
                    vol.Optional(cue.value): TextSelector(
                        TextSelectorConfig(multiline=False)
                    )
                    for cue in OVERRIDABLE
                }
            ),
            {"collapsed": True},
        ),
    }
)


def _check_announcements(
    hass: HomeAssistant, user_input: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """Errors (and their placeholders) for speakers, TTS entity and messages."""
    speakers: list[str] = user_input.get(CONF_SPEAKERS, [])
    if any(hass.states.get(entity_id) is None for entity_id in speakers):
        return {CONF_SPEAKERS: "speaker_not_found"}, {}
    if any(s.startswith("media_player.") for s in speakers) and not user_input.get(
        CONF_TTS_ENTITY
    ):
        return {CONF_TTS_ENTITY: "tts_required"}, {}
    for cue, template in user_input.get(CONF_MESSAGES, {}).items():
        try:
            check_template(template)
        except CueError as err:
            # The error key is the problem: message_braces, message_unknown_placeholder,
            # message_placeholder_form or message_not_spoken.
            return {CONF_MESSAGES: err.problem.value}, {"cue": cue, "field": err.field}
    return {}, {}


def _announcement_options(user_input: dict[str, Any]) -> dict[str, Any]:
    """The announcement step's answers as stored options (volume only if chosen)."""
    answers = ANNOUNCEMENT_DEFAULTS | user_input
    answers[CONF_LEAD_TIME] = int(user_input[CONF_LEAD_TIME])
    answers[CONF_MESSAGES] = {
        key: text for key, text in user_input.get(CONF_MESSAGES, {}).items() if text
    }
    if (volume := user_input.get(CONF_VOLUME)) is not None:
        answers[CONF_VOLUME] = int(volume)
    return answers


SCHEDULE_DEFAULTS: dict[str, Any] = {
    CONF_WEEKDAYS: [str(day) for day in sorted(DEFAULT_WEEKDAYS)],
    CONF_SESSION_TIME: DEFAULT_SESSION_TIME,
    CONF_AT_SESSION_TIME: AT_SESSION_TIME_REMIND,
    CONF_MISSED_AFTER: DEFAULT_MISSED_AFTER_MINUTES,
}
SCHEDULE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_WEEKDAYS): SelectSelector(
            SelectSelectorConfig(
                options=[str(day) for day in range(7)],
                multiple=True,
                translation_key=CONF_WEEKDAYS,
                mode=SelectSelectorMode.LIST,
            )
        ),
        vol.Required(CONF_SESSION_TIME): TimeSelector(),
        vol.Required(CONF_AT_SESSION_TIME): _choice(
            [AT_SESSION_TIME_REMIND, AT_SESSION_TIME_AUTO_START], CONF_AT_SESSION_TIME
        ),
        vol.Required(CONF_MISSED_AFTER): _number_box(10, 1440, 5, "min"),
        vol.Optional(CONF_BODY_MASS): _number_box(20, 300, 0.5, "kg"),
    }
)


def _speed_range_placeholders(unit: SpeedUnit) -> dict[str, str]:
    return {
        "min_speed": f"{unit.from_kmh(START_SPEED_KMH):.1f}",
        "max_speed": f"{unit.from_kmh(ABSOLUTE_MAX_SPEED_KMH):.1f}",
        "unit": unit.value,
    }


class SharedSteps(FlowHandler[Any, ConfigFlowResult]):
    """The bridge, spotter and announcement steps, shared by setup and the options.

    A flow provides the values it suggests and what it does with the answers.
    """

    _options: dict[str, Any]

    async def _async_after_bridge(self) -> ConfigFlowResult:
        raise NotImplementedError

    def _bridge_cap_kmh(self) -> float | None:
        """The speed cap the bridge's speed entity must reach, if already chosen."""
        return self._options.get(CONF_MAX_SPEED_KMH)

    async def async_step_bridge(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the entities of a treadmill that is already in Home Assistant."""
        errors: dict[str, str] = {}
        scale: SpeedScale | None = None
        if user_input is not None:
            errors, scale = _check_bridge(self.hass, user_input, self._bridge_cap_kmh())
            if not errors:
                self._options[CONF_BRIDGE] = {k: v for k, v in user_input.items() if v}
                return await self._async_after_bridge()
        return self.async_show_form(
            step_id="bridge",
            data_schema=self.add_suggested_values_to_schema(
                BRIDGE_SCHEMA,
                user_input
                or self._options.get(CONF_BRIDGE)
                or self._suggested(BRIDGE_SCHEMA, {CONF_CONTROL: CONTROL_SWITCH}),
            ),
            errors=errors,
            description_placeholders=_bridge_placeholders(scale),
        )

    def _suggested(
        self, schema: vol.Schema, defaults: dict[str, Any]
    ) -> dict[str, Any]:
        raise NotImplementedError

    async def _async_finish(self) -> ConfigFlowResult:
        raise NotImplementedError

    async def async_step_spotter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose who must be watching, and what happens when nobody is."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _check_spotters(self.hass, user_input)
            if not errors:
                self._options |= _spotter_options(user_input)
                return await self.async_step_announcements()
        return self.async_show_form(
            step_id="spotter",
            data_schema=self.add_suggested_values_to_schema(
                SPOTTER_SCHEMA,
                user_input or self._suggested(SPOTTER_SCHEMA, SPOTTER_DEFAULTS),
            ),
            errors=errors,
        )

    async def async_step_announcements(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the speakers that call out the switches (optional)."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = _check_announcements(self.hass, user_input)
            if not errors:
                self._options |= _announcement_options(user_input)
                return await self._async_finish()
        return self.async_show_form(
            step_id="announcements",
            data_schema=self.add_suggested_values_to_schema(
                ANNOUNCEMENT_SCHEMA,
                user_input
                or self._suggested(ANNOUNCEMENT_SCHEMA, ANNOUNCEMENT_DEFAULTS),
            ),
            errors=errors,
            description_placeholders=placeholders or {"cue": "", "field": ""},
        )


class RetrowalkConfigFlow(SharedSteps, ConfigFlow, domain=DOMAIN):
    """Add a treadmill: identity first, then the safety settings."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        self._user_input: dict[str, Any] = {}
        self._options: dict[str, Any] = {}
        # Address and name of a treadmill found by Bluetooth discovery.
        self._discovered: dict[str, str] = {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the treadmill, choose its type and speed unit."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            else:
                await self.async_set_unique_id(
                    _unique_id(user_input[CONF_TREADMILL_TYPE], name, None)
                )
                self._abort_if_unique_id_configured()
                self._user_input = user_input | {CONF_NAME: name}
                if user_input[CONF_TREADMILL_TYPE] == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                if user_input[CONF_TREADMILL_TYPE] == TREADMILL_FTMS:
                    return await self.async_step_ftms_device()
                return await self.async_step_safety()
        default_unit = self._default_unit()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME, default=DEFAULT_NAME): TextSelector(),
                vol.Required(
                    CONF_TREADMILL_TYPE, default=TREADMILL_VIRTUAL
                ): _treadmill_type_selector(),
                vol.Required(CONF_SPEED_UNIT, default=default_unit.value): (
                    _unit_selector()
                ),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    def _default_unit(self) -> SpeedUnit:
        return (
            SpeedUnit.KMH if self.hass.config.units is METRIC_SYSTEM else SpeedUnit.MPH
        )

    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """A treadmill advertising the Fitness Machine Service was found."""
        await self.async_set_unique_id(_ftms_unique_id(discovery_info.address))
        self._abort_if_unique_id_configured()
        self._discovered = {discovery_info.address: discovery_info.name}
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_bluetooth_confirm()

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the discovered treadmill and choose the speed unit."""
        address, device_name = next(iter(self._discovered.items()))
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            else:
                self._user_input = user_input | {
                    CONF_NAME: name,
                    CONF_TREADMILL_TYPE: TREADMILL_FTMS,
                    CONF_ADDRESS: address,
                }
                return await self.async_step_safety()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME, default=device_name): TextSelector(),
                vol.Required(CONF_SPEED_UNIT, default=self._default_unit().value): (
                    _unit_selector()
                ),
            }
        )
        return self.async_show_form(
            step_id="bluetooth_confirm",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders={"name": device_name, "address": address},
        )

    async def async_step_ftms_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose one of the Bluetooth FTMS treadmills Home Assistant has seen."""
        if user_input is not None:
            address = user_input[CONF_ADDRESS]
            await self.async_set_unique_id(
                _ftms_unique_id(address), raise_on_progress=False
            )
            self._abort_if_unique_id_configured()
            self._user_input[CONF_ADDRESS] = address
            return await self.async_step_safety()
        configured = self._async_current_ids(include_ignore=False)
        found = {
            info.address: f"{info.name} ({info.address})"
            for info in _discovered_ftms_devices(self.hass)
            if _ftms_unique_id(info.address) not in configured
        }
        if not found:
            return self.async_abort(reason="no_devices_found")
        return self.async_show_form(
            step_id="ftms_device",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_ADDRESS): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=address, label=label)
                                for address, label in found.items()
                            ],
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_safety(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Cap the speed and acknowledge the medical clearance advice."""
        unit = SpeedUnit(self._user_input[CONF_SPEED_UNIT])
        errors: dict[str, str] = {}
        bridge_scale = self._bridge_scale()
        if user_input is not None:
            errors = _check_max_speed(user_input[CONF_MAX_SPEED], unit)
            cap_kmh = unit.to_kmh(user_input[CONF_MAX_SPEED])
            if bridge_scale and not errors and cap_kmh > bridge_scale.max_kmh + 1e-6:
                errors[CONF_MAX_SPEED] = "max_speed_above_entity"
            if not user_input.get(CONF_CLEARANCE_ACKNOWLEDGED):
                errors[CONF_CLEARANCE_ACKNOWLEDGED] = "clearance_required"
            if not errors:
                self._options |= {
                    CONF_SPEED_UNIT: unit.value,
                    CONF_MAX_SPEED_KMH: cap_kmh,
                }
                return await self.async_step_spotter()
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_SPEED, default=DEFAULT_MAX_SPEED[unit]
                ): _max_speed_selector(unit),
                vol.Required(CONF_CLEARANCE_ACKNOWLEDGED, default=False): (
                    BooleanSelector()
                ),
            }
        )
        return self.async_show_form(
            step_id="safety",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=_speed_range_placeholders(unit)
            | _bridge_placeholders(bridge_scale),
        )

    def _bridge_scale(self) -> SpeedScale | None:
        """The chosen speed entity's scale, for a treadmill already in HA."""
        if not (bridge := self._options.get(CONF_BRIDGE)):
            return None
        state = self.hass.states.get(bridge[CONF_SPEED_ENTITY])
        return SpeedScale.of(state) if state else None

    async def _async_after_bridge(self) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            return self._async_reconfigured()
        return await self.async_step_safety()

    def _bridge_cap_kmh(self) -> float | None:
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry().options.get(CONF_MAX_SPEED_KMH)
        return None

    def _suggested(
        self, schema: vol.Schema, defaults: dict[str, Any]
    ) -> dict[str, Any]:
        """New treadmills start from the defaults, in Home Assistant's language."""
        language = self.hass.config.language.split("-")[0]
        return defaults | {
            CONF_LANGUAGE: language if language in CUE_LANGUAGES else "en"
        }

    async def _async_finish(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._user_input[CONF_NAME],
            data={
                CONF_NAME: self._user_input[CONF_NAME],
                CONF_TREADMILL_TYPE: self._user_input[CONF_TREADMILL_TYPE],
                CONF_CLEARANCE_ACKNOWLEDGED: True,
                **(
                    {CONF_ADDRESS: self._user_input[CONF_ADDRESS]}
                    if CONF_ADDRESS in self._user_input
                    else {}
                ),
            },
            options=self._options,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename the treadmill or change its type, keeping everything else."""
        entry: RetrowalkConfigEntry = self._get_reconfigure_entry()
        if (
            getattr(entry, "runtime_data", None)
            and entry.runtime_data.controller.is_active
        ):
            return self.async_abort(reason="session_active")
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            unique_id = _unique_id(
                user_input[CONF_TREADMILL_TYPE], name, entry.data.get(CONF_ADDRESS)
            )
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            else:
                if unique_id != entry.unique_id:
                    await self.async_set_unique_id(unique_id)
                    self._abort_if_unique_id_configured()
                self._user_input = user_input | {CONF_NAME: name}
                self._options = dict(entry.options)
                if user_input[CONF_TREADMILL_TYPE] == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                self._options.pop(CONF_BRIDGE, None)
                return self._async_reconfigured()
        types = [TREADMILL_VIRTUAL, TREADMILL_ENTITY_BRIDGE]
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): TextSelector(),
                vol.Required(CONF_TREADMILL_TYPE): _treadmill_type_selector(
                    types if entry.data[CONF_TREADMILL_TYPE] in types else None
                ),
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or dict(entry.data)
            ),
            errors=errors,
        )

    def _async_reconfigured(self) -> ConfigFlowResult:
        """Apply a reconfiguration: new name and type, bridge options if any."""
        name = self._user_input[CONF_NAME]
        treadmill_type = self._user_input[CONF_TREADMILL_TYPE]
        entry = self._get_reconfigure_entry()
        # The entry's update listener reloads it (only when something changed); a reload
        # helper as well is refused from Home Assistant 2026.12.
        self.hass.config_entries.async_update_entry(
            entry,
            unique_id=_unique_id(treadmill_type, name, entry.data.get(CONF_ADDRESS)),
            title=name,
            data={**entry.data, CONF_NAME: name, CONF_TREADMILL_TYPE: treadmill_type},
            options=self._options,
        )
        return self.async_abort(reason="reconfigure_successful")

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: RetrowalkConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return RetrowalkOptionsFlow()


class RetrowalkOptionsFlow(SharedSteps, OptionsFlow):
    """Change the speed unit, the speed cap and the spotter gate."""

    def __init__(self) -> None:
        """Start with nothing changed."""
        self._options: dict[str, Any] = {}

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and check the options; refused while a session is active."""
        entry: RetrowalkConfigEntry = self.config_entry
        if (
            getattr(entry, "runtime_data", None)
            and entry.runtime_data.controller.is_active
        ):
            return self.async_abort(reason="session_active")
        errors: dict[str, str] = {}
        current_unit = SpeedUnit(entry.options[CONF_SPEED_UNIT])
        if user_input is not None:
            unit = SpeedUnit(user_input[CONF_SPEED_UNIT])
            errors = _check_max_speed(user_input[CONF_MAX_SPEED], unit)
            if not errors:
                self._options = {
                    CONF_SPEED_UNIT: unit.value,
                    CONF_MAX_SPEED_KMH: unit.to_kmh(user_input[CONF_MAX_SPEED]),
                }
                if entry.data[CONF_TREADMILL_TYPE] == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                return await self.async_step_spotter()
        max_speed = round(
            current_unit.from_kmh(
                entry.options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH)
            ),
            1,
        )
        schema = vol.Schema(
            {
                vol.Required(CONF_SPEED_UNIT): _unit_selector(),
                vol.Required(CONF_MAX_SPEED): _max_speed_selector(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                user_input
                or {CONF_SPEED_UNIT: current_unit.value, CONF_MAX_SPEED: max_speed},
            ),
            errors=errors,
            description_placeholders=_speed_range_placeholders(current_unit),
        )

    def _suggested(
        self, schema: vol.Schema, defaults: dict[str, Any]
    ) -> dict[str, Any]:
        """The treadmill's current options for the step's fields, else the defaults."""
        options = self.config_entry.options
        current = {**options, **options.get(CONF_BRIDGE, {})}
        return defaults | {key: current[key] for key in current if key in schema.schema}

    async def _async_after_bridge(self) -> ConfigFlowResult:
        return await self.async_step_spotter()

    async def _async_finish(self) -> ConfigFlowResult:
        return await self.async_step_schedule()

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """When sessions are due, what happens then, and the body mass for kcal."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_WEEKDAYS):
                errors[CONF_WEEKDAYS] = "weekdays_required"
            elif user_input[
                CONF_AT_SESSION_TIME
            ] == AT_SESSION_TIME_AUTO_START and not (self._options.get(CONF_SPOTTERS)):
                errors[CONF_AT_SESSION_TIME] = "auto_start_needs_spotter"
            else:
                self._options |= user_input | {
                    CONF_MISSED_AFTER: int(user_input[CONF_MISSED_AFTER])
                }
                return self.async_create_entry(data=self._options)
        return self.async_show_form(
            step_id="schedule",
            data_schema=self.add_suggested_values_to_schema(
                SCHEDULE_SCHEMA,
                user_input or self._suggested(SCHEDULE_SCHEMA, SCHEDULE_DEFAULTS),
            ),
            errors=errors,
        )


def _ftms_unique_id(address: str) -> str:
    return f"{TREADMILL_FTMS}-{address.lower()}"


def _discovered_ftms_devices(hass: HomeAssistant) -> list[BluetoothServiceInfoBleak]:
    """The connectable devices advertising the Fitness Machine Service."""
    if "bluetooth" not in hass.config.components:
        return []
    from homeassistant.components.bluetooth import async_discovered_service_info  # noqa: PLC0415 - only with Bluetooth

    return [
        info
        for info in async_discovered_service_info(hass, connectable=True)
        if FITNESS_MACHINE_SERVICE_UUID in info.service_uuids
    ]


def _unique_id(treadmill_type: str, name: str, address: str | None) -> str:
    """Bluetooth treadmills are known by their address, others by type and name."""
    if treadmill_type == TREADMILL_FTMS and address:
        return _ftms_unique_id(address)
    return f"{treadmill_type}-{slugify(name)}"
