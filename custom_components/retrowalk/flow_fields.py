"""The flows' fields and checks: schemas, number boxes, selectors, answer checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntityFilterSelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TimeSelector,
)
from homeassistant.util.unit_conversion import DistanceConverter, SpeedConverter
import voluptuous as vol

from .const import (
    AT_SESSION_TIME_AUTO_START,
    AT_SESSION_TIME_REMIND,
    CONF_ACTUAL_SPEED_ENTITY,
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_CONTROL,
    CONF_COUNTDOWN,
    CONF_DISTANCE_ENTITY,
    CONF_INCLINE_ENTITY,
    CONF_LANGUAGE,
    CONF_LEAD_TIME,
    CONF_MAX_SPEED,
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
    TREADMILL_TYPES,
)
from .entity_bridge import (
    SENSOR_DOMAINS,
    SPEED_DOMAINS,
    START_STOP_DOMAINS,
    SWITCH_DOMAINS,
    SpeedScale,
)
from .settings import AnnouncementSettings, BridgeSettings, LimitSettings, Options
from .spotter import PRESENT_STATES
from .workout.cues import OVERRIDABLE, CueError, check_template
from .workout.units import SpeedUnit

SPOTTER_DEVICE_CLASSES = ["occupancy", "presence", "motion"]
# A number out of range gets its own message where there is one.
_OUT_OF_RANGE = {CONF_MAX_SPEED: "max_speed_out_of_range"}
_TOLERANCE = 1e-9


# --- Checks shared by the steps ----------------------------------------------------


def checked_name(raw: str) -> tuple[str, dict[str, str]]:
    """The name without surrounding spaces, and the error if it cannot name entities."""
    name = raw.strip()
    if any(char.isalnum() for char in name):
        return name, {}
    return name, {CONF_NAME: "invalid_name"}


def session_active(entry: ConfigEntry) -> bool:
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
    errors stay on screen). `range_errors` refuses it with retrowalk's message.
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


def range_errors(
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


def range_placeholders(schema: vol.Schema) -> dict[str, str]:
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


def treadmill_type_selector() -> SelectSelector:
    """The treadmill types to choose from."""
    return _choice(TREADMILL_TYPES, CONF_TREADMILL_TYPE)


def unit_selector() -> SelectSelector:
    """The speed unit."""
    return _choice([unit.value for unit in SpeedUnit], CONF_SPEED_UNIT)


def _entity_picker(*domains: str) -> EntitySelector:
    return EntitySelector(EntitySelectorConfig(domain=list(domains)))


# --- The speed cap -------------------------------------------------------------------


def max_speed_box(unit: SpeedUnit) -> NumberBox:
    """The speed cap's box, in `unit`."""
    low, high = LimitSettings.max_speed_range(unit)
    return _number_box(low, high, 0.1, unit.value)


def speed_range_placeholders(unit: SpeedUnit) -> dict[str, str]:
    """The cap's range in `unit`, for the form's description."""
    low, high = LimitSettings.max_speed_range(unit)
    return {"min_speed": f"{low:.1f}", "max_speed": f"{high:.1f}", "unit": unit.value}


def limits_schema(unit: SpeedUnit) -> vol.Schema:
    """The options' limits: the cap is entered in the treadmill's current unit."""
    return vol.Schema(
        {
            vol.Required(CONF_MAX_SPEED): max_speed_box(unit),
            vol.Required(CONF_SPEED_UNIT): unit_selector(),
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


def check_bridge(
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


def bridge_scale(hass: HomeAssistant, options: Options) -> SpeedScale | None:
    """The bridge's speed entity's scale, for a treadmill already in Home Assistant."""
    if (bridge := BridgeSettings.from_options(options)) is None:
        return None
    if (state := hass.states.get(bridge.speed_entity)) is None:
        return None
    try:
        return SpeedScale.of(state)
    except ValueError:
        return None


def bridge_placeholders(scale: SpeedScale | None) -> dict[str, str]:
    """The bridge speed entity's maximum and unit, empty without one."""
    if scale is None:
        return {"entity_max": "", "entity_unit": ""}
    return {"entity_max": f"{scale.maximum:g}", "entity_unit": scale.unit.value}


# --- Spotter -------------------------------------------------------------------------


def spotter_schema(exclude: list[str]) -> vol.Schema:
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


def own_entities(hass: HomeAssistant) -> set[str]:
    """Retrowalk's own entities: none of them can show a spotter."""
    return {
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        if entry.platform == DOMAIN
    }


def check_spotters(hass: HomeAssistant, spotters: tuple[str, ...]) -> dict[str, str]:
    """Errors for spotter entities that cannot show presence."""
    own = own_entities(hass)
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


def announcement_schema(*, messages_open: bool = False) -> vol.Schema:
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


def check_speakers(
    hass: HomeAssistant, settings: AnnouncementSettings
) -> dict[str, str]:
    """Errors for speakers that do not exist, or media players without TTS."""
    if any(hass.states.get(entity_id) is None for entity_id in settings.speakers):
        return {CONF_SPEAKERS: "speaker_not_found"}
    if settings.media_players and not settings.tts_entity:
        return {CONF_TTS_ENTITY: "tts_required"}
    return {}


def message_error(settings: AnnouncementSettings) -> tuple[str, CueError] | None:
    """The first own message that cannot be spoken, and why."""
    for cue, template in settings.messages.items():
        try:
            check_template(template)
        except CueError as err:
            return cue, err
    return None


# --- Schedule and walker (options) --------------------------------------------------


def schedule_schema() -> vol.Schema:
    """The schedule form: weekdays, time, what happens then, when it is missed."""
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


def walker_schema() -> vol.Schema:
    """The walker form: the body mass."""
    return vol.Schema({vol.Optional(CONF_BODY_MASS): _number_box(20, 300, 0.5, "kg")})
