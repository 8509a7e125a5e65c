"""A voice that makes a short silent clip (the demo machine has no loudspeaker)."""

from __future__ import annotations

import io
from typing import Any
import wave

from homeassistant.components.tts import TextToSpeechEntity, TtsAudioType
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the demo voice."""
    async_add_entities([DemoVoice()])


def _silence() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(16000)
        clip.writeframes(b"\0\0" * 1600)
    return buffer.getvalue()


class DemoVoice(TextToSpeechEntity):
    """Speaks every language in silence."""

    _attr_name = "Demo voice"
    _attr_unique_id = "retrowalk_demo_voice"
    _attr_default_language = "en"
    _attr_supported_languages = ("en", "de")  # type: ignore[assignment]

    def get_tts_audio(
        self, message: str, language: str, options: dict[str, Any]
    ) -> TtsAudioType:
        """A tenth of a second of silence."""
        return "wav", _silence()
