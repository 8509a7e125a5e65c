"""A speaker that shows, as its media title, the last sentence it was asked to say."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from homeassistant.components.media_player import (
    MediaPlayerEntity,
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the demo speaker."""
    async_add_entities([DemoSpeaker()])


class DemoSpeaker(MediaPlayerEntity):
    """Plays announcements by showing them."""

    _attr_name = "Demo speaker"
    _attr_unique_id = "retrowalk_demo_speaker"
    _attr_supported_features = (
        MediaPlayerEntityFeature.PLAY_MEDIA | MediaPlayerEntityFeature.MEDIA_ANNOUNCE
    )
    _attr_state = MediaPlayerState.IDLE
    _attr_media_content_type = MediaType.MUSIC

    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Show the sentence a TTS clip was made from."""
        message = parse_qs(urlparse(media_id).query).get("message", [media_id])[0]
        self._attr_media_title = message
        self._attr_state = MediaPlayerState.PLAYING
        self.async_write_ha_state()
