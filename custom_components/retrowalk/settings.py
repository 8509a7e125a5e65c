"""The settings of one treadmill entry, read from its config entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.const import CONF_ADDRESS

from .const import (
    CONF_ACTUAL_SPEED_ENTITY,
    CONF_BRIDGE,
    CONF_CONTROL,
    CONF_COUNTDOWN,
    CONF_DISTANCE_ENTITY,
    CONF_INCLINE_ENTITY,
    CONF_LANGUAGE,
    CONF_LEAD_TIME,
    CONF_MAX_SPEED_KMH,
    CONF_MESSAGES,
    CONF_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION,
    CONF_RESUME_POLICY,
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
    DEFAULT_LEAD_TIME,
    DEFAULT_PAUSE_GRACE,
    DEFAULT_RESUME_CONFIRMATION,
    RESUME_AUTO,
    RESUME_MANUAL,
    SPOTTER_MODE_ALL,
    SPOTTER_MODE_ANY,
)
from .workout.units import DEFAULT_MAX_SPEED_KMH, SpeedUnit


@dataclass(frozen=True, kw_only=True)
class SpotterSettings:
    """Who must be watching, and how strictly."""

    entity_ids: tuple[str, ...]
    require_all: bool = False
    required: bool = True
    pause_grace: timedelta = timedelta(seconds=DEFAULT_PAUSE_GRACE)
    resume_confirmation: timedelta = timedelta(seconds=DEFAULT_RESUME_CONFIRMATION)
    auto_resume: bool = False

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> SpotterSettings:
        """Read the spotter options (all optional, with safe defaults)."""
        return cls(
            entity_ids=tuple(options.get(CONF_SPOTTERS, ())),
            require_all=options.get(CONF_SPOTTER_MODE, SPOTTER_MODE_ANY)
            == SPOTTER_MODE_ALL,
            required=options.get(CONF_SPOTTER_REQUIRED, True),
            pause_grace=timedelta(
                seconds=options.get(CONF_PAUSE_GRACE, DEFAULT_PAUSE_GRACE)
            ),
            resume_confirmation=timedelta(
                seconds=options.get(
                    CONF_RESUME_CONFIRMATION, DEFAULT_RESUME_CONFIRMATION
                )
            ),
            auto_resume=options.get(CONF_RESUME_POLICY, RESUME_MANUAL) == RESUME_AUTO,
        )

    @property
    def resume_policy(self) -> str:
        """The resume policy's option value."""
        return RESUME_AUTO if self.auto_resume else RESUME_MANUAL


@dataclass(frozen=True, kw_only=True)
class AnnouncementSettings:
    """Which speakers say the cues, in which language, how early."""

    media_players: tuple[str, ...] = ()
    satellites: tuple[str, ...] = ()
    tts_entity: str | None = None
    language: str | None = None
    lead_time: timedelta = timedelta(seconds=DEFAULT_LEAD_TIME)
    countdown: bool = False
    messages: dict[str, str] = field(default_factory=dict)
    # Announcement volume for media players, 0..1; None keeps the player's own.
    volume: float | None = None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> AnnouncementSettings:
        """Read the announcement options (all optional; no speakers, no cues)."""
        speakers: list[str] = options.get(CONF_SPEAKERS, [])
        return cls(
            media_players=tuple(s for s in speakers if s.startswith("media_player.")),
            satellites=tuple(s for s in speakers if s.startswith("assist_satellite.")),
            tts_entity=options.get(CONF_TTS_ENTITY) or None,
            language=options.get(CONF_LANGUAGE) or None,
            lead_time=timedelta(seconds=options.get(CONF_LEAD_TIME, DEFAULT_LEAD_TIME)),
            countdown=options.get(CONF_COUNTDOWN, False),
            messages=dict(options.get(CONF_MESSAGES, {})),
            volume=None if (v := options.get(CONF_VOLUME)) is None else v / 100,
        )

    @property
    def enabled(self) -> bool:
        """Whether any speaker is configured."""
        return bool(self.media_players or self.satellites)


@dataclass(frozen=True, kw_only=True)
class BridgeSettings:
    """The entities that drive a treadmill already in Home Assistant."""

    speed_entity: str
    control: str
    switch_entity: str | None = None
    start_entity: str | None = None
    stop_entity: str | None = None
    incline_entity: str | None = None
    actual_speed_entity: str | None = None
    distance_entity: str | None = None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> BridgeSettings | None:
        """Read the bridge options; None for other treadmill types."""
        if not (bridge := options.get(CONF_BRIDGE)):
            return None
        return cls(
            speed_entity=bridge[CONF_SPEED_ENTITY],
            control=bridge[CONF_CONTROL],
            switch_entity=bridge.get(CONF_SWITCH_ENTITY),
            start_entity=bridge.get(CONF_START_ENTITY),
            stop_entity=bridge.get(CONF_STOP_ENTITY),
            incline_entity=bridge.get(CONF_INCLINE_ENTITY),
            actual_speed_entity=bridge.get(CONF_ACTUAL_SPEED_ENTITY),
            distance_entity=bridge.get(CONF_DISTANCE_ENTITY),
        )

    @property
    def controlled_entities(self) -> tuple[str, ...]:
        """The entities a session needs: without them the belt cannot be driven."""
        return tuple(
            entity_id
            for entity_id in (
                self.speed_entity,
                self.switch_entity,
                self.start_entity,
                self.stop_entity,
            )
            if entity_id
        )

    @property
    def all_entities(self) -> tuple[str, ...]:
        """Every entity the bridge reads or drives."""
        optional = (self.incline_entity, self.actual_speed_entity, self.distance_entity)
        return self.controlled_entities + tuple(e for e in optional if e)


@dataclass(frozen=True, kw_only=True)
class EntrySettings:
    """Treadmill type, display unit, the speed cap and the spotter gate."""

    treadmill_type: str
    speed_unit: SpeedUnit
    max_speed_kmh: float
    spotter: SpotterSettings
    announcements: AnnouncementSettings
    bridge: BridgeSettings | None = None
    # A Bluetooth FTMS treadmill's address.
    address: str | None = None

    @classmethod
    def from_entry(cls, data: dict[str, Any], options: dict[str, Any]) -> EntrySettings:
        """Read the settings from a config entry's data and options."""
        return cls(
            treadmill_type=data[CONF_TREADMILL_TYPE],
            speed_unit=SpeedUnit(options[CONF_SPEED_UNIT]),
            max_speed_kmh=options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH),
            spotter=SpotterSettings.from_options(options),
            announcements=AnnouncementSettings.from_options(options),
            bridge=BridgeSettings.from_options(options),
            address=data.get(CONF_ADDRESS),
        )

    def display_speed(self, kmh: float) -> float:
        """A speed in the configured unit, rounded for people."""
        return round(self.speed_unit.from_kmh(kmh), 2)

    def display_distance(self, km: float) -> float:
        """A distance in the configured unit, rounded for people."""
        return round(self.speed_unit.distance_from_km(km), 3)
