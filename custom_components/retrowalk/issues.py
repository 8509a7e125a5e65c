"""Repair issues: problems the user has to fix in the configuration."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .const import DOMAIN


def spotter_issue_id(entry_id: str) -> str:
    """The repair issue of one treadmill's missing spotters."""
    return f"spotter_missing_{entry_id}"


@callback
def async_check_spotters(
    hass: HomeAssistant, entry_id: str, title: str, entity_ids: tuple[str, ...]
) -> None:
    """Raise a repair issue while a configured spotter entity does not exist."""
    registry = er.async_get(hass)
    missing = [
        entity_id
        for entity_id in entity_ids
        if hass.states.get(entity_id) is None and registry.async_get(entity_id) is None
    ]
    issue_id = spotter_issue_id(entry_id)
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
        translation_key="spotter_missing",
        translation_placeholders={"treadmill": title, "entities": ", ".join(missing)},
    )
