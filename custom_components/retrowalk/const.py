"""Constants for retrowalk."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "retrowalk"

CONF_TREADMILL_TYPE: Final = "treadmill_type"
CONF_SPEED_UNIT: Final = "speed_unit"
CONF_MAX_SPEED: Final = "max_speed"
CONF_MAX_SPEED_KMH: Final = "max_speed_kmh"
CONF_CLEARANCE_ACKNOWLEDGED: Final = "clearance_acknowledged"
CONF_SPOTTERS: Final = "spotters"
CONF_SPOTTER_MODE: Final = "spotter_mode"
CONF_SPOTTER_REQUIRED: Final = "spotter_required"
CONF_PAUSE_GRACE: Final = "pause_grace"
CONF_RESUME_CONFIRMATION: Final = "resume_confirmation"
CONF_RESUME_POLICY: Final = "resume_policy"

CONF_SPEAKERS: Final = "speakers"
CONF_TTS_ENTITY: Final = "tts_entity"
CONF_LANGUAGE: Final = "language"
CONF_LEAD_TIME: Final = "lead_time"
CONF_COUNTDOWN: Final = "countdown"
CONF_MESSAGES: Final = "messages"
CONF_VOLUME: Final = "volume"
# Seconds before a switch that the lead cue starts, so it is heard at the switch.
DEFAULT_LEAD_TIME: Final = 3
# Languages with a cue file in cues/.
CUE_LANGUAGES: Final = ["en", "de", "es"]

SPOTTER_MODE_ANY: Final = "any"
SPOTTER_MODE_ALL: Final = "all"
RESUME_MANUAL: Final = "manual"
RESUME_AUTO: Final = "auto_after_confirmation"
# Seconds a spotter may be missing before the belt stops, and must be back before a resume.
DEFAULT_PAUSE_GRACE: Final = 5
DEFAULT_RESUME_CONFIRMATION: Final = 10

TREADMILL_VIRTUAL: Final = "virtual"
TREADMILL_ENTITY_BRIDGE: Final = "entity_bridge"
TREADMILL_FTMS: Final = "ftms"
TREADMILL_TYPES: Final = [TREADMILL_VIRTUAL, TREADMILL_ENTITY_BRIDGE, TREADMILL_FTMS]

# A treadmill already in Home Assistant: the entities that drive it (options).
CONF_BRIDGE: Final = "bridge"
CONF_SPEED_ENTITY: Final = "speed_entity"
CONF_CONTROL: Final = "control"
CONF_SWITCH_ENTITY: Final = "switch_entity"
CONF_START_ENTITY: Final = "start_entity"
CONF_STOP_ENTITY: Final = "stop_entity"
CONF_INCLINE_ENTITY: Final = "incline_entity"
CONF_ACTUAL_SPEED_ENTITY: Final = "actual_speed_entity"
CONF_DISTANCE_ENTITY: Final = "distance_entity"
# How the belt is started and stopped.
CONTROL_SWITCH: Final = "switch"
CONTROL_START_STOP: Final = "start_stop"
CONTROL_SPEED_ZERO: Final = "speed_zero"
CONTROL_MODES: Final = [CONTROL_SWITCH, CONTROL_START_STOP, CONTROL_SPEED_ZERO]

# The schedule (options): weekdays as "0" (Monday) .. "6", a local time of day,
# what happens then, and when an unstarted session counts as missed (minutes).
CONF_WEEKDAYS: Final = "weekdays"
CONF_SESSION_TIME: Final = "session_time"
CONF_AT_SESSION_TIME: Final = "at_session_time"
CONF_MISSED_AFTER: Final = "missed_after"
CONF_BODY_MASS: Final = "body_mass"
AT_SESSION_TIME_REMIND: Final = "remind"
AT_SESSION_TIME_AUTO_START: Final = "auto_start"
DEFAULT_SESSION_TIME: Final = "18:00:00"
DEFAULT_MISSED_AFTER_MINUTES: Final = 120

# Bus event fired for every workout event, for automations.
BUS_EVENT: Final = "retrowalk_event"

# Pause and stop reasons.
REASON_USER: Final = "user"
REASON_TREADMILL_ERROR: Final = "treadmill_error"
REASON_TREADMILL_STOPPED: Final = "treadmill_stopped"
REASON_NO_SPOTTER: Final = "no_spotter"
REASON_RESTART: Final = "restart"
REASON_SPOTTER_CONFIRMED: Final = "spotter_confirmed"
# Reasons a treadmill gives itself (see treadmills.FAULT_*).
REASON_TREADMILL_UNAVAILABLE: Final = "treadmill_unavailable"
REASON_TREADMILL_CONSOLE: Final = "treadmill_console"
REASON_CONTROL_LOST: Final = "control_lost"
REASON_SAFETY_KEY: Final = "safety_key"
# The pause_reason sensor's state while nothing is paused.
NOT_PAUSED: Final = "none"
# Every reason a session can be paused for, as the pause_reason sensor shows them.
PAUSE_REASONS: Final = [
    REASON_USER,
    REASON_NO_SPOTTER,
    REASON_TREADMILL_STOPPED,
    REASON_TREADMILL_ERROR,
    REASON_TREADMILL_UNAVAILABLE,
    REASON_TREADMILL_CONSOLE,
    REASON_CONTROL_LOST,
    REASON_RESTART,
]


def unique_id(entry_id: str, key: str) -> str:
    """The unique id of a treadmill's entity: its entry and its translation key."""
    return f"{entry_id}_{key}"
