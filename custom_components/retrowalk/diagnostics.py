"""Diagnostics: what a bug report needs, without the user's names."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from .data import RetrowalkConfigEntry
from .phase import phase_of

TO_REDACT = {CONF_NAME, "title"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RetrowalkConfigEntry
) -> dict[str, Any]:
    """Configuration, session, treadmill, spotter and speaker health."""
    data = entry.runtime_data
    controller, planner, announcer = data.controller, data.planner, data.announcer
    session = controller.session
    gate = controller.spotter
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "session": None if session is None else session.snapshot(),
        "phase": phase_of(session).value,
        "treadmill": {
            "type": controller.settings.treadmill_type,
            "status": asdict(controller.treadmill.status),
            "last_error": controller.last_error,
        },
        "spotter": {
            "present": gate.present,
            "confirmed": gate.confirmed,
            "present_since": _iso(gate.present_since),
            "states": {
                entity_id: state.state
                if (state := hass.states.get(entity_id))
                else None
                for entity_id in gate.settings.entity_ids
            },
        },
        "history": {
            "records": len(planner.history.records),
            "damaged_records": planner.history.damaged_count,
            "read_only": planner.history.read_only,
            "progression_level": planner.level,
        },
        "announcements": None
        if announcer is None
        else asdict(announcer.health)
        | {"last_message_at": _iso(announcer.health.last_message_at)},
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
