"""Repair issues: problems the user has to fix in the configuration or the treadmill."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .const import DOMAIN


def spotter_issue_id(entry_id: str) -> str:
    """The repair issue of one treadmill's missing spotters."""
    return f"spotter_missing_{entry_id}"


def speaker_issue_id(entry_id: str) -> str:
    """The repair issue of one treadmill's missing speakers or TTS entity."""
    return f"speaker_missing_{entry_id}"


def treadmill_issue_id(entry_id: str) -> str:
    """The repair issue of a treadmill that refuses commands."""
    return f"treadmill_error_{entry_id}"


def issue_ids(entry_id: str) -> tuple[str, ...]:
    """Every repair issue one treadmill can raise."""
    return (
        spotter_issue_id(entry_id),
        speaker_issue_id(entry_id),
        treadmill_issue_id(entry_id),
    )


@callback
def async_check_entities_exist(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    title: str,
    entity_ids: tuple[str, ...],
) -> None:
    """Raise a repair issue while a configured entity does not exist; clear it after."""
    registry = er.async_get(hass)
    missing = [
        entity_id
        for entity_id in entity_ids
        if hass.states.get(entity_id) is None and registry.async_get(entity_id) is None
    ]
    if not missing:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=translation_key,
        translation_placeholders={"treadmill": title, "entities": ", ".join(missing)},
    )


@callback
def async_treadmill_refused(
    hass: HomeAssistant, entry_id: str, title: str, error: str
) -> None:
    """The treadmill refused a command: tell the user what to check."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        treadmill_issue_id(entry_id),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="treadmill_error",
        translation_placeholders={"treadmill": title, "error": error},
    )


@callback
def async_treadmill_obeys(hass: HomeAssistant, entry_id: str) -> None:
    """The treadmill carried out a command again."""
    ir.async_delete_issue(hass, DOMAIN, treadmill_issue_id(entry_id))
