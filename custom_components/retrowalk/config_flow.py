"""Config, reconfigure and options flows: the forms, their steps and the checks that need hass.

The options format (keys, defaults, stored form) belongs to settings.py; a form asks
with the options' own keys and a step stores `Settings.from_options(answers)`.
Adding one option means editing its settings class and its form's schema here.

- Setup: name, type and unit; the bridge entities or the Bluetooth treadmill; the
  speed cap and the safety advice; the spotter; the announcements.
- Reconfigure: the name and the type, with the bridge entities or the Bluetooth
  treadmill that go with it.
- Options: a menu of sections, each saved alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, CONF_ADDRESS, CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowHandler, section
from homeassistant.helpers import entity_registry as er, translation
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
from .entity_bridge import (
    SENSOR_DOMAINS,
    SPEED_DOMAINS,
    START_STOP_DOMAINS,
    SWITCH_DOMAINS,
    SpeedScale,
)
from .settings import (
    AnnouncementSettings,
    BridgeSettings,
    LimitSettings,
    Options,
    OptionSection,
    PlanSettings,
    SpotterSettings,
    WalkerSettings,
    replace_section,
)
from .spotter import PRESENT_STATES
from .treadmills.ftms_protocol import FITNESS_MACHINE_SERVICE_UUID
from .workout.cues import OVERRIDABLE, CueError, check_template
from .workout.units import DEFAULT_MAX_SPEED_KMH, SpeedUnit

DEFAULT_NAME = "Treadmill"
# The options menu: one section per step, each saved alone.
OPTIONS_MENU = ["limits", "spotter", "announcements", "schedule", "walker"]
SPOTTER_DEVICE_CLASSES = ["occupancy", "presence", "motion"]
# A number out of range gets its own message where there is one.
_OUT_OF_RANGE = {CONF_MAX_SPEED: "max_speed_out_of_range"}
_TOLERANCE = 1e-9


# --- Checks shared by the steps ----------------------------------------------------


def _checked_name(raw: str) -> tuple[str, dict[str, str]]:
    """The name without surrounding spaces, and the error if it cannot name entities."""
    name = raw.strip()
    if any(char.isalnum() for char in name):
        return name, {}
    return name, {CONF_NAME: "invalid_name"}


def _session_active(entry: ConfigEntry) -> bool:
    """Whether a session runs or is paused on the treadmill.

    Changing the entry reloads it, which would end the walk: the flows refuse then.
    """
    runtime = getattr(entry, "runtime_data", None)
    return runtime is not None and bool(runtime.controller.is_active)


# --- Fields ------------------------------------------------------------------------


class NumberBox(NumberSelector):
    """A number box that shows its range and unit, and leaves the range to the step.

    Home Assistant's own check would refuse a number out of range before the step
    runs, with an untranslated message that names no range (and the form's earlier
    errors stay on screen). `_range_errors` refuses it with retrowalk's message.
    """

    def __call__(self, data: Any) -> float:
        """Accept any number; the step checks the range."""
        value: float = vol.Coerce(float)(data)
        return value


def _number_box(minimum: float, maximum: float, step: float, unit: str) -> NumberBox:
    return NumberBox(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


def _shown_range(box: NumberBox) -> tuple[str, str]:
    """A box's ends as people read them: 0.5 and 5.0 mph, 20 and 300 kg."""
    low, high = box.config["min"], box.config["max"]
    decimals = max(len(f"{end:g}".partition(".")[2]) for end in (low, high))
    return f"{low:.{decimals}f}", f"{high:.{decimals}f}"


def _range_errors(
    schema: vol.Schema, answers: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, str]]:
    """The first number out of its box's range: its error and the range to name."""
    for key, box in schema.schema.items():
        value = answers.get(str(key))
        if not isinstance(box, NumberBox) or value is None:
            continue
        if (
            not box.config["min"] - _TOLERANCE
            <= value
            <= box.config["max"] + _TOLERANCE
        ):
            low, high = _shown_range(box)
            return (
                {str(key): _OUT_OF_RANGE.get(str(key), "number_out_of_range")},
                {"min": low, "max": high, "unit": box.config["unit_of_measurement"]},
            )
    return {}, {}


def _range_placeholders(schema: vol.Schema) -> dict[str, str]:
    """Each number's range for its description: `{pause_grace_range}` is 0–60 s."""
    placeholders: dict[str, str] = {}
    for key, box in schema.schema.items():
        if isinstance(box, NumberBox):
            low, high = _shown_range(box)
            unit = box.config["unit_of_measurement"]
            placeholders[f"{key}_range"] = f"{low}–{high} {unit}"
    return placeholders


def _choice(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.LIST
        )
    )


def _treadmill_type_selector() -> SelectSelector:
    return _choice(TREADMILL_TYPES, CONF_TREADMILL_TYPE)


def _unit_selector() -> SelectSelector:
    return _choice([unit.value for unit in SpeedUnit], CONF_SPEED_UNIT)


def _entity_picker(*domains: str) -> EntitySelector:
    return EntitySelector(EntitySelectorConfig(domain=list(domains)))


# --- The speed cap -------------------------------------------------------------------


def _max_speed_box(unit: SpeedUnit) -> NumberBox:
    low, high = LimitSettings.max_speed_range(unit)
    return _number_box(low, high, 0.1, unit.value)


def _speed_range_placeholders(unit: SpeedUnit) -> dict[str, str]:
    low, high = LimitSettings.max_speed_range(unit)
    return {"min_speed": f"{low:.1f}", "max_speed": f"{high:.1f}", "unit": unit.value}


def _limits_schema(unit: SpeedUnit) -> vol.Schema:
    """The options' limits: the cap is entered in the treadmill's current unit."""
    return vol.Schema(
        {
            vol.Required(CONF_MAX_SPEED): _max_speed_box(unit),
            vol.Required(CONF_SPEED_UNIT): _unit_selector(),
        }
    )


# --- A treadmill already in Home Assistant --------------------------------------------

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


def _bridge_scale(hass: HomeAssistant, options: Options) -> SpeedScale | None:
    """The bridge's speed entity's scale, for a treadmill already in Home Assistant."""
    if (bridge := BridgeSettings.from_options(options)) is None:
        return None
    if (state := hass.states.get(bridge.speed_entity)) is None:
        return None
    try:
        return SpeedScale.of(state)
    except ValueError:
        return None


def _bridge_placeholders(scale: SpeedScale | None) -> dict[str, str]:
    if scale is None:
        return {"entity_max": "", "entity_unit": ""}
    return {"entity_max": f"{scale.maximum:g}", "entity_unit": scale.unit.value}


# --- Spotter -------------------------------------------------------------------------


def _spotter_schema(exclude: list[str]) -> vol.Schema:
    """The spotter form; `exclude` are entities the picker does not offer."""
    return vol.Schema(
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
                    exclude_entities=exclude,
                )
            ),
            vol.Required(CONF_SPOTTER_MODE): _choice(
                [SPOTTER_MODE_ANY, SPOTTER_MODE_ALL], CONF_SPOTTER_MODE
            ),
            vol.Required(CONF_SPOTTER_REQUIRED): BooleanSelector(),
            vol.Required(CONF_PAUSE_GRACE): _number_box(0, 60, 1, "s"),
            vol.Required(CONF_RESUME_CONFIRMATION): _number_box(0, 300, 1, "s"),
            vol.Required(CONF_RESUME_POLICY): _choice(
                [RESUME_MANUAL, RESUME_AUTO], CONF_RESUME_POLICY
            ),
        }
    )


def _own_entities(hass: HomeAssistant) -> set[str]:
    """Retrowalk's own entities: none of them can show a spotter."""
    return {
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN
    }


def _check_spotters(hass: HomeAssistant, spotters: tuple[str, ...]) -> dict[str, str]:
    """Errors for spotter entities that cannot show presence."""
    own = _own_entities(hass)
    for entity_id in spotters:
        state = hass.states.get(entity_id)
        if state is None:
            return {CONF_SPOTTERS: "spotter_not_found"}
        if entity_id in own:
            return {CONF_SPOTTERS: "spotter_own_entity"}
        if state.domain not in PRESENT_STATES or (
            state.domain == "binary_sensor"
            and state.attributes.get("device_class") not in SPOTTER_DEVICE_CLASSES
        ):
            return {CONF_SPOTTERS: "spotter_not_presence"}
    return {}


# --- Announcements -------------------------------------------------------------------


def _announcement_schema(*, messages_open: bool = False) -> vol.Schema:
    """The announcement form; `messages_open` shows the own messages expanded.

    Built for each form: Home Assistant writes suggested values into a section.
    """
    return vol.Schema(
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
            # No default: empty keeps the speaker's own volume.
            vol.Optional(CONF_VOLUME): _number_box(0, 100, 5, "%"),
            vol.Required(CONF_LEAD_TIME): _number_box(0, 10, 1, "s"),
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
                {"collapsed": not messages_open},
            ),
        }
    )


def _check_speakers(
    hass: HomeAssistant, settings: AnnouncementSettings
) -> dict[str, str]:
    """Errors for speakers that do not exist, or media players without TTS."""
    if any(hass.states.get(entity_id) is None for entity_id in settings.speakers):
        return {CONF_SPEAKERS: "speaker_not_found"}
    if settings.media_players and not settings.tts_entity:
        return {CONF_TTS_ENTITY: "tts_required"}
    return {}


def _message_error(settings: AnnouncementSettings) -> tuple[str, CueError] | None:
    """The first own message that cannot be spoken, and why."""
    for cue, template in settings.messages.items():
        try:
            check_template(template)
        except CueError as err:
            return cue, err
    return None


# --- Schedule and walker (options) --------------------------------------------------


def _schedule_schema() -> vol.Schema:
    return vol.Schema(
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
                [AT_SESSION_TIME_REMIND, AT_SESSION_TIME_AUTO_START],
                CONF_AT_SESSION_TIME,
            ),
            vol.Required(CONF_MISSED_AFTER): _number_box(10, 1440, 5, "min"),
        }
    )


def _walker_schema() -> vol.Schema:
    return vol.Schema({vol.Optional(CONF_BODY_MASS): _number_box(20, 300, 0.5, "kg")})


# --- The steps both flows share ------------------------------------------------------


class SectionSteps(FlowHandler[Any, ConfigFlowResult]):
    """The spotter and announcement forms, in the setup and in the options.

    A flow says which options the forms start from and what follows each one.
    """

    def _stored(self) -> Options:
        """The options the forms start from."""
        raise NotImplementedError

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        """Keep one form's settings and go on."""
        raise NotImplementedError

    def _announcement_suggestions(self) -> dict[str, Any]:
        return AnnouncementSettings.from_options(self._stored()).to_options()

    def _form(
        self,
        *,
        step_id: str,
        schema: vol.Schema,
        suggested: Mapping[str, Any],
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Show a form with suggested values, its numbers' ranges and any errors."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors or {},
            description_placeholders=_range_placeholders(schema) | (placeholders or {}),
        )

    async def async_step_spotter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose who must be watching, and what happens when nobody is."""
        stored = SpotterSettings.from_options(self._stored())
        # The picker leaves out retrowalk's own entities, except those already
        # chosen: they are shown, so that they can be removed.
        chosen = set(
            stored.entity_ids
            if user_input is None
            else user_input.get(CONF_SPOTTERS, ())
        )
        schema = _spotter_schema(sorted(_own_entities(self.hass) - chosen))
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            spotter = SpotterSettings.from_options(user_input)
            errors, placeholders = _range_errors(schema, user_input)
            if not errors:
                errors = _check_spotters(self.hass, spotter.entity_ids)
            if not errors and not spotter.entity_ids:
                errors = self._missing_spotter_errors(spotter)
            if not errors:
                return await self._async_section_done("spotter", spotter)
        return self._form(
            step_id="spotter",
            schema=schema,
            suggested=user_input or stored.to_options(),
            errors=errors,
            placeholders=placeholders,
        )

    def _missing_spotter_errors(self, spotter: SpotterSettings) -> dict[str, str]:
        """Errors for a spotter gate with no entity."""
        if spotter.required:
            return {CONF_SPOTTERS: "spotter_needed"}
        if PlanSettings.from_options(self._stored()).auto_start:
            return {CONF_SPOTTERS: "spotter_needed_for_auto_start"}
        return {}

    async def async_step_announcements(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the speakers that call out the switches (optional)."""
        errors: dict[str, str] = {}
        placeholders = {"cue": "", "field": ""}
        messages_open = False
        if user_input is not None:
            announcements = AnnouncementSettings.from_options(user_input)
            errors, ranges = _range_errors(_announcement_schema(), user_input)
            placeholders |= ranges
            if not errors:
                errors = _check_speakers(self.hass, announcements)
            if not errors and (problem := _message_error(announcements)):
                cue, err = problem
                # The error key is the problem: message_braces,
                # message_unknown_placeholder, message_placeholder_form or
                # message_not_spoken.
                errors = {CONF_MESSAGES: err.problem.value}
                placeholders |= {
                    "cue": await self._async_cue_label(cue),
                    "field": err.field,
                }
                messages_open = True
            if not errors:
                return await self._async_section_done("announcements", announcements)
        return self._form(
            step_id="announcements",
            schema=_announcement_schema(messages_open=messages_open),
            suggested=user_input or self._announcement_suggestions(),
            errors=errors,
            placeholders=placeholders,
        )

    async def _async_cue_label(self, cue: str) -> str:
        """The label of a message's field (as "Turn around"), in the server's language.

        A flow does not know the language of the person's browser; the server's is
        the best guess, or its base language ("de" for "de-CH") where only that is
        translated. Without a translation, the cue's key.
        """
        category = "options" if isinstance(self, OptionsFlow) else "config"
        key = (
            f"component.{DOMAIN}.{category}.step.announcements"
            f".sections.{CONF_MESSAGES}.data.{cue}"
        )

        async def label(language: str) -> str:
            strings = await translation.async_get_translations(
                self.hass, language, category, [DOMAIN]
            )
            return strings.get(key, cue)

        language = self.hass.config.language
        found = await label(language)
        base = language.partition("-")[0]
        # Home Assistant falls back to English only.
        if base != language and found == await label("en"):
            found = await label(base)
        return found


# --- Setup and reconfigure ----------------------------------------------------------


class RetrowalkConfigFlow(SectionSteps, ConfigFlow, domain=DOMAIN):
    """Add a treadmill: identity first, then the safety settings."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        # Name, type, unit and (Bluetooth) address.
        self._user_input: dict[str, Any] = {}
        # The options so far (for a reconfiguration, the entry's).
        self._options: dict[str, Any] = {}
        # Address and name of a treadmill found by Bluetooth discovery.
        self._discovered: dict[str, str] = {}

    def _stored(self) -> Options:
        return self._options

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        self._options = replace_section(self._options, settings)
        if step_id == "spotter":
            return await self.async_step_announcements()
        return self._async_finish()

    def _announcement_suggestions(self) -> dict[str, Any]:
        """New treadmills start from the defaults, in Home Assistant's language."""
        language = self.hass.config.language.split("-")[0]
        return super()._announcement_suggestions() | {
            CONF_LANGUAGE: language if language in CUE_LANGUAGES else "en"
        }

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the treadmill, choose its type and speed unit."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name, errors = _checked_name(user_input[CONF_NAME])
            if not errors:
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
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME, default=DEFAULT_NAME): TextSelector(),
                vol.Required(
                    CONF_TREADMILL_TYPE, default=TREADMILL_VIRTUAL
                ): _treadmill_type_selector(),
                vol.Required(CONF_SPEED_UNIT, default=self._default_unit().value): (
                    _unit_selector()
                ),
            }
        )
        return self._form(
            step_id="user", schema=schema, suggested=user_input or {}, errors=errors
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
            name, errors = _checked_name(user_input[CONF_NAME])
            if not errors:
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
        return self._form(
            step_id="bluetooth_confirm",
            schema=schema,
            suggested=user_input or {},
            errors=errors,
            placeholders={"name": device_name, "address": address},
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
            if self.source == SOURCE_RECONFIGURE:
                return self._async_reconfigured()
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

    async def async_step_bridge(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the entities of a treadmill that is already in Home Assistant."""
        errors: dict[str, str] = {}
        scale: SpeedScale | None = None
        if user_input is not None:
            # A new treadmill's cap is checked against the entity at the safety step.
            cap_kmh = (
                self._options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH)
                if self.source == SOURCE_RECONFIGURE
                else None
            )
            errors, scale = _check_bridge(self.hass, user_input, cap_kmh)
            if not errors:
                bridge = BridgeSettings.from_options({CONF_BRIDGE: user_input})
                assert bridge is not None
                self._options = replace_section(self._options, bridge)
                if self.source == SOURCE_RECONFIGURE:
                    return self._async_reconfigured()
                return await self.async_step_safety()
        return self._form(
            step_id="bridge",
            schema=BRIDGE_SCHEMA,
            suggested=user_input
            or self._options.get(CONF_BRIDGE)
            or {CONF_CONTROL: CONTROL_SWITCH},
            errors=errors,
            placeholders=_bridge_placeholders(scale),
        )

    async def async_step_safety(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Cap the speed and acknowledge the medical clearance advice."""
        unit = SpeedUnit(self._user_input[CONF_SPEED_UNIT])
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_SPEED, default=LimitSettings(speed_unit=unit).max_speed
                ): _max_speed_box(unit),
                vol.Required(CONF_CLEARANCE_ACKNOWLEDGED, default=False): (
                    BooleanSelector()
                ),
            }
        )
        scale = _bridge_scale(self.hass, self._options)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = _range_errors(schema, user_input)
            limits = LimitSettings.from_max_speed(unit, user_input[CONF_MAX_SPEED])
            if not errors and scale and limits.max_speed_kmh > scale.max_kmh + 1e-6:
                errors[CONF_MAX_SPEED] = "max_speed_above_entity"
            if not user_input.get(CONF_CLEARANCE_ACKNOWLEDGED):
                errors[CONF_CLEARANCE_ACKNOWLEDGED] = "clearance_required"
            if not errors:
                self._options = replace_section(self._options, limits)
                return await self.async_step_spotter()
        return self._form(
            step_id="safety",
            schema=schema,
            suggested=user_input or {},
            errors=errors,
            placeholders=_speed_range_placeholders(unit)
            | _bridge_placeholders(scale)
            | placeholders,
        )

    def _async_finish(self) -> ConfigFlowResult:
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
        """Rename the treadmill or change its type, keeping everything else.

        A treadmill already in Home Assistant then shows its entities, a Bluetooth
        treadmill new to the entry its device; the rest of the options stay.
        """
        entry = self._get_reconfigure_entry()
        if _session_active(entry):
            return self.async_abort(reason="session_active")
        errors: dict[str, str] = {}
        if user_input is not None:
            name, errors = _checked_name(user_input[CONF_NAME])
            treadmill_type = user_input[CONF_TREADMILL_TYPE]
            if not errors:
                self._user_input = {
                    CONF_NAME: name,
                    CONF_TREADMILL_TYPE: treadmill_type,
                }
                self._options = dict(entry.options)
                address = entry.data.get(CONF_ADDRESS)
                if treadmill_type == TREADMILL_FTMS:
                    if entry.data[CONF_TREADMILL_TYPE] != TREADMILL_FTMS or not address:
                        return await self.async_step_ftms_device()
                    self._user_input[CONF_ADDRESS] = address
                else:
                    unique_id = _unique_id(treadmill_type, name, None)
                    if unique_id != entry.unique_id:
                        await self.async_set_unique_id(unique_id)
                        self._abort_if_unique_id_configured()
                if treadmill_type == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                return self._async_reconfigured()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): TextSelector(),
                vol.Required(CONF_TREADMILL_TYPE): _treadmill_type_selector(),
            }
        )
        return self._form(
            step_id="reconfigure",
            schema=schema,
            suggested=user_input or dict(entry.data),
            errors=errors,
        )

    def _async_reconfigured(self) -> ConfigFlowResult:
        """Apply a reconfiguration: name, type, and the bridge or address with it."""
        entry = self._get_reconfigure_entry()
        if _session_active(entry):
            return self.async_abort(reason="session_active")
        name = self._user_input[CONF_NAME]
        treadmill_type = self._user_input[CONF_TREADMILL_TYPE]
        address = self._user_input.get(CONF_ADDRESS)
        data = {key: value for key, value in entry.data.items() if key != CONF_ADDRESS}
        data |= {CONF_NAME: name, CONF_TREADMILL_TYPE: treadmill_type}
        if address:
            data[CONF_ADDRESS] = address
        options = self._options
        if treadmill_type != TREADMILL_ENTITY_BRIDGE:
            options = {k: v for k, v in options.items() if k != CONF_BRIDGE}
        unique_id = _unique_id(treadmill_type, name, address)
        # The entry's update listener reloads it (only when something changed); a reload
        # helper as well is refused from Home Assistant 2026.12.
        self.hass.config_entries.async_update_entry(
            entry, unique_id=unique_id, title=name, data=data, options=options
        )
        # A discovery of the Bluetooth treadmill this entry now drives is done.
        for flow in self._async_in_progress(include_uninitialized=True):
            if flow["context"].get("unique_id") == unique_id:
                self.hass.config_entries.flow.async_abort(flow["flow_id"])
        return self.async_abort(reason="reconfigure_successful")

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return RetrowalkOptionsFlow()


# --- Options ------------------------------------------------------------------------


class RetrowalkOptionsFlow(SectionSteps, OptionsFlow):
    """A menu of the options' sections; each one is saved alone."""

    def _stored(self) -> Options:
        return self.config_entry.options

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        return self._async_save(settings)

    def _async_save(self, settings: OptionSection) -> ConfigFlowResult:
        """Store one section; the entry then reloads. Refused during a session."""
        if _session_active(self.config_entry):
            return self.async_abort(reason="session_active")
        return self.async_create_entry(
            data=replace_section(self.config_entry.options, settings)
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The menu of sections; refused while a session is active."""
        if _session_active(self.config_entry):
            return self.async_abort(reason="session_active")
        return self.async_show_menu(step_id="init", menu_options=OPTIONS_MENU)

    async def async_step_limits(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The speed unit and the cap, entered in the unit the treadmill has now."""
        limits = LimitSettings.from_options(self._stored())
        unit = limits.speed_unit
        schema = _limits_schema(unit)
        scale = _bridge_scale(self.hass, self._stored())
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = _range_errors(schema, user_input)
            new = replace(
                limits.with_max_speed(user_input[CONF_MAX_SPEED]),
                speed_unit=SpeedUnit(user_input[CONF_SPEED_UNIT]),
            )
            if not errors and scale and new.max_speed_kmh > scale.max_kmh + 1e-6:
                errors[CONF_MAX_SPEED] = "max_speed_above_entity"
            if not errors:
                return self._async_save(new)
        return self._form(
            step_id="limits",
            schema=schema,
            suggested=user_input
            or {CONF_MAX_SPEED: limits.max_speed, CONF_SPEED_UNIT: unit.value},
            errors=errors,
            placeholders=_speed_range_placeholders(unit)
            | _bridge_placeholders(scale)
            | placeholders,
        )

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """When sessions are due and what happens then."""
        schema = _schedule_schema()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = _range_errors(schema, user_input)
            plan = PlanSettings.from_options(user_input)
            if not errors and not user_input.get(CONF_WEEKDAYS):
                errors[CONF_WEEKDAYS] = "weekdays_required"
            if (
                not errors
                and plan.auto_start
                and not SpotterSettings.from_options(self._stored()).entity_ids
            ):
                errors[CONF_AT_SESSION_TIME] = "auto_start_needs_spotter"
            if not errors:
                return self._async_save(plan)
        return self._form(
            step_id="schedule",
            schema=schema,
            suggested=user_input
            or PlanSettings.from_options(self._stored()).to_options(),
            errors=errors,
            placeholders=placeholders,
        )

    async def async_step_walker(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The walker's body mass, for the energy in kcal (optional)."""
        schema = _walker_schema()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = _range_errors(schema, user_input)
            if not errors:
                return self._async_save(WalkerSettings.from_options(user_input))
        return self._form(
            step_id="walker",
            schema=schema,
            suggested=user_input
            or WalkerSettings.from_options(self._stored()).to_options(),
            errors=errors,
            placeholders=placeholders,
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
