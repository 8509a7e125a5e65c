"""Constants for retrowalk."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "retrowalk"

CONF_TREADMILL_TYPE: Final = "treadmill_type"
CONF_SPEED_UNIT: Final = "speed_unit"
CONF_MAX_SPEED: Final = "max_speed"
CONF_MAX_SPEED_KMH: Final = "max_speed_kmh"
CONF_CLEARANCE_ACKNOWLEDGED: Final = "clearance_acknowledged"

TREADMILL_VIRTUAL: Final = "virtual"
TREADMILL_TYPES: Final = [TREADMILL_VIRTUAL]

# Bus event fired for every workout event, for automations.
BUS_EVENT: Final = "retrowalk_event"

# Pause and stop reasons.
REASON_USER: Final = "user"
REASON_TREADMILL_ERROR: Final = "treadmill_error"
REASON_TREADMILL_STOPPED: Final = "treadmill_stopped"
REASON_SHUTDOWN: Final = "shutdown"
