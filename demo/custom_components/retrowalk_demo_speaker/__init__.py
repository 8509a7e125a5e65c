"""A pretend speaker for the retrowalk demo: shows what it is asked to say.

Only for scripts/develop: a text-to-speech entity that makes a short silent clip,
and a media player whose title is the last sentence it was given.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_IMPORT, ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "retrowalk_demo_speaker"
PLATFORMS = [Platform.MEDIA_PLAYER, Platform.TTS]
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """`retrowalk_demo_speaker:` in configuration.yaml adds the speaker."""
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}
            )
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Add the voice and the speaker."""
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Remove them."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
