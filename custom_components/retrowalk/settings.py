"""The options format of one treadmill entry: each section's defaults and stored form.

Each settings class owns a part of the entry's options: the keys it stores
(`OPTION_KEYS`), their defaults, `from_options` (a missing key takes its default, so
entries saved by older versions load unchanged) and `to_options` (the stored form).
The flows ask with the same keys the options use, so what a form section saves is
`from_options(answers).to_options()`, put in place by `replace_section`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any, ClassVar, Protocol

from homeassistant.const import CONF_ADDRESS

from .const import (
    AT_SESSION_TIME_AUTO_START,
    AT_SESSION_TIME_REMIND,
    CONF_ACTUAL_SPEED_ENTITY,
    CONF_AT_SESSION_TIME,
    CONF_BODY_MASS,
    CONF_BRIDGE,
    CONF_CONTROL,
    CONF_COUNTDOWN,
    CONF_DISTANCE_ENTITY,
    CONF_INCLINE_ENTITY,
    CONF_LANGUAGE,
    CONF_LEAD_TIME,
    CONF_MAX_SPEED_KMH,
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
    DEFAULT_LEAD_TIME,
    DEFAULT_MISSED_AFTER_MINUTES,
    DEFAULT_PAUSE_GRACE,
    DEFAULT_RESUME_CONFIRMATION,
    DEFAULT_SESSION_TIME,
    RESUME_AUTO,
    RESUME_MANUAL,
    SPOTTER_MODE_ALL,
    SPOTTER_MODE_ANY,
)
from .workout.schedule import DEFAULT_WEEKDAYS
from .workout.units import (
    ABSOLUTE_MAX_SPEED_KMH,
    DEFAULT_MAX_SPEED_KMH,
    START_SPEED_KMH,
    SpeedUnit,
)

type Options = Mapping[str, Any]

_DEFAULT_TIME = time.fromisoformat(DEFAULT_SESSION_TIME)


class OptionSection(Protocol):
    """A settings class that owns some of the options."""

    OPTION_KEYS: ClassVar[tuple[str, ...]]

    def to_options(self) -> dict[str, Any]:
        """The stored form of these settings."""


def replace_section(options: Options, section: OptionSection) -> dict[str, Any]:
    """The options with one section's keys replaced: an unset optional key is removed."""
    kept = {
        key: value for key, value in options.items() if key not in section.OPTION_KEYS
    }
    return kept | section.to_options()


@dataclass(frozen=True, kw_only=True)
class LimitSettings:
    """The unit a person reads speeds in, and the cap on every speed."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (CONF_SPEED_UNIT, CONF_MAX_SPEED_KMH)

    # Every treadmill has one: the setup asks for it (no default).
    speed_unit: SpeedUnit
    max_speed_kmh: float = DEFAULT_MAX_SPEED_KMH

    @classmethod
    def from_options(cls, options: Options) -> LimitSettings:
        """Read the unit and the cap (2.0 mph if none is stored)."""
        return cls(
            speed_unit=SpeedUnit(options[CONF_SPEED_UNIT]),
            max_speed_kmh=options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH),
        )

    @classmethod
    def from_max_speed(cls, speed_unit: SpeedUnit, max_speed: float) -> LimitSettings:
        """A cap a person entered in `speed_unit`, within `max_speed_range`.

        The range is rounded to a tenth, so its ends are kept within the absolute
        limits here: 5.0 mph is stored as 8.0 km/h, 0.8 km/h as 0.5 mph.
        """
        kmh = speed_unit.to_kmh(max_speed)
        return cls(
            speed_unit=speed_unit,
            max_speed_kmh=min(max(kmh, START_SPEED_KMH), ABSOLUTE_MAX_SPEED_KMH),
        )

    def with_max_speed(self, max_speed: float) -> LimitSettings:
        """The cap a person entered in this unit; the stored one if left as shown.

        The shown cap is rounded to a tenth: saving it unchanged keeps the cap exact.
        """
        if max_speed == self.max_speed:
            return self
        return self.from_max_speed(self.speed_unit, max_speed)

    @staticmethod
    def max_speed_range(speed_unit: SpeedUnit) -> tuple[float, float]:
        """The caps a person may enter in `speed_unit`, to a tenth: 0.5-5.0 mph."""
        return (
            round(speed_unit.from_kmh(START_SPEED_KMH), 1),
            round(speed_unit.from_kmh(ABSOLUTE_MAX_SPEED_KMH), 1),
        )

    @property
    def max_speed(self) -> float:
        """The cap in the treadmill's unit, to a tenth, as a person enters it."""
        return round(self.speed_unit.from_kmh(self.max_speed_kmh), 1)

    def to_options(self) -> dict[str, Any]:
        """The stored unit and cap (in km/h)."""
        return {
            CONF_SPEED_UNIT: self.speed_unit.value,
            CONF_MAX_SPEED_KMH: self.max_speed_kmh,
        }


@dataclass(frozen=True, kw_only=True)
class SpotterSettings:
    """Who must be watching, and how strictly."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (
        CONF_SPOTTERS,
        CONF_SPOTTER_MODE,
        CONF_SPOTTER_REQUIRED,
        CONF_PAUSE_GRACE,
        CONF_RESUME_CONFIRMATION,
        CONF_RESUME_POLICY,
    )

    entity_ids: tuple[str, ...] = ()
    require_all: bool = False
    required: bool = True
    pause_grace: timedelta = timedelta(seconds=DEFAULT_PAUSE_GRACE)
    resume_confirmation: timedelta = timedelta(seconds=DEFAULT_RESUME_CONFIRMATION)
    auto_resume: bool = False

    @classmethod
    def from_options(cls, options: Options) -> SpotterSettings:
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

    def to_options(self) -> dict[str, Any]:
        """The stored spotter options (times in whole seconds)."""
        return {
            CONF_SPOTTERS: list(self.entity_ids),
            CONF_SPOTTER_MODE: SPOTTER_MODE_ALL
            if self.require_all
            else SPOTTER_MODE_ANY,
            CONF_SPOTTER_REQUIRED: self.required,
            CONF_PAUSE_GRACE: int(self.pause_grace.total_seconds()),
            CONF_RESUME_CONFIRMATION: int(self.resume_confirmation.total_seconds()),
            CONF_RESUME_POLICY: self.resume_policy,
        }


@dataclass(frozen=True, kw_only=True)
class AnnouncementSettings:
    """Which speakers say the cues, in which language, how early."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (
        CONF_SPEAKERS,
        CONF_TTS_ENTITY,
        CONF_LANGUAGE,
        CONF_LEAD_TIME,
        CONF_COUNTDOWN,
        CONF_MESSAGES,
        CONF_VOLUME,
    )

    # Media players and Assist satellites, in the order chosen.
    speakers: tuple[str, ...] = ()
    tts_entity: str | None = None
    language: str | None = None
    lead_time: timedelta = timedelta(seconds=DEFAULT_LEAD_TIME)
    countdown: bool = False
    messages: dict[str, str] = field(default_factory=dict)
    # Announcement volume for media players, 0..1; None keeps the player's own.
    volume: float | None = None

    @classmethod
    def from_options(cls, options: Options) -> AnnouncementSettings:
        """Read the announcement options (all optional; no speakers, no cues)."""
        return cls(
            speakers=tuple(options.get(CONF_SPEAKERS, ())),
            tts_entity=options.get(CONF_TTS_ENTITY) or None,
            language=options.get(CONF_LANGUAGE) or None,
            lead_time=timedelta(seconds=options.get(CONF_LEAD_TIME, DEFAULT_LEAD_TIME)),
            countdown=options.get(CONF_COUNTDOWN, False),
            messages={
                cue: text
                for cue, text in options.get(CONF_MESSAGES, {}).items()
                if text
            },
            # Stored in percent.
            volume=None if (v := options.get(CONF_VOLUME)) is None else v / 100,
        )

    @property
    def media_players(self) -> tuple[str, ...]:
        """The speakers that are media players (they need the TTS entity)."""
        return tuple(s for s in self.speakers if s.startswith("media_player."))

    @property
    def satellites(self) -> tuple[str, ...]:
        """The speakers that are Assist satellites (they speak themselves)."""
        return tuple(s for s in self.speakers if s.startswith("assist_satellite."))

    @property
    def enabled(self) -> bool:
        """Whether any speaker is configured."""
        return bool(self.media_players or self.satellites)

    def to_options(self) -> dict[str, Any]:
        """The stored announcement options; TTS entity, language, volume only if set."""
        optional = {
            CONF_TTS_ENTITY: self.tts_entity,
            CONF_LANGUAGE: self.language,
            CONF_VOLUME: None if self.volume is None else round(self.volume * 100),
        }
        return {
            CONF_SPEAKERS: list(self.speakers),
            CONF_LEAD_TIME: int(self.lead_time.total_seconds()),
            CONF_COUNTDOWN: self.countdown,
            CONF_MESSAGES: dict(self.messages),
        } | {key: value for key, value in optional.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class PlanSettings:
    """The schedule of one treadmill."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (
        CONF_WEEKDAYS,
        CONF_SESSION_TIME,
        CONF_AT_SESSION_TIME,
        CONF_MISSED_AFTER,
    )

    weekdays: frozenset[int] = DEFAULT_WEEKDAYS
    session_time: time = _DEFAULT_TIME
    auto_start: bool = False
    missed_after: timedelta = timedelta(minutes=DEFAULT_MISSED_AFTER_MINUTES)

    @classmethod
    def from_options(cls, options: Options) -> PlanSettings:
        """Read the schedule options (all optional: Monday, Wednesday, Friday)."""
        weekdays = options.get(CONF_WEEKDAYS)
        return cls(
            weekdays=frozenset(int(day) for day in weekdays)
            if weekdays
            else DEFAULT_WEEKDAYS,
            session_time=time.fromisoformat(
                options.get(CONF_SESSION_TIME, DEFAULT_SESSION_TIME)
            ),
            auto_start=options.get(CONF_AT_SESSION_TIME) == AT_SESSION_TIME_AUTO_START,
            missed_after=timedelta(
                minutes=options.get(CONF_MISSED_AFTER, DEFAULT_MISSED_AFTER_MINUTES)
            ),
        )

    def to_options(self) -> dict[str, Any]:
        """The stored schedule: weekdays "0" (Monday) to "6", whole minutes."""
        return {
            CONF_WEEKDAYS: [str(day) for day in sorted(self.weekdays)],
            CONF_SESSION_TIME: self.session_time.isoformat(),
            CONF_AT_SESSION_TIME: AT_SESSION_TIME_AUTO_START
            if self.auto_start
            else AT_SESSION_TIME_REMIND,
            CONF_MISSED_AFTER: int(self.missed_after.total_seconds() // 60),
        }


@dataclass(frozen=True, kw_only=True)
class WalkerSettings:
    """The person on the belt: body mass, for the energy in kcal."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (CONF_BODY_MASS,)

    # None: energy is given in MET-minutes only.
    body_mass_kg: float | None = None

    @classmethod
    def from_options(cls, options: Options) -> WalkerSettings:
        """Read the walker options (all optional)."""
        return cls(body_mass_kg=options.get(CONF_BODY_MASS) or None)

    def to_options(self) -> dict[str, Any]:
        """The stored body mass, if set."""
        return {} if self.body_mass_kg is None else {CONF_BODY_MASS: self.body_mass_kg}


@dataclass(frozen=True, kw_only=True)
class BridgeSettings:
    """The entities that drive a treadmill already in Home Assistant."""

    OPTION_KEYS: ClassVar[tuple[str, ...]] = (CONF_BRIDGE,)

    speed_entity: str
    control: str
    switch_entity: str | None = None
    start_entity: str | None = None
    stop_entity: str | None = None
    incline_entity: str | None = None
    actual_speed_entity: str | None = None
    distance_entity: str | None = None

    @classmethod
    def from_options(cls, options: Options) -> BridgeSettings | None:
        """Read the bridge options; None for other treadmill types."""
        if not (bridge := options.get(CONF_BRIDGE)):
            return None
        return cls(
            speed_entity=bridge[CONF_SPEED_ENTITY],
            control=bridge[CONF_CONTROL],
            switch_entity=bridge.get(CONF_SWITCH_ENTITY) or None,
            start_entity=bridge.get(CONF_START_ENTITY) or None,
            stop_entity=bridge.get(CONF_STOP_ENTITY) or None,
            incline_entity=bridge.get(CONF_INCLINE_ENTITY) or None,
            actual_speed_entity=bridge.get(CONF_ACTUAL_SPEED_ENTITY) or None,
            distance_entity=bridge.get(CONF_DISTANCE_ENTITY) or None,
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

    def to_options(self) -> dict[str, Any]:
        """The stored bridge: the chosen entities under one key."""
        bridge = {
            CONF_SPEED_ENTITY: self.speed_entity,
            CONF_CONTROL: self.control,
            CONF_SWITCH_ENTITY: self.switch_entity,
            CONF_START_ENTITY: self.start_entity,
            CONF_STOP_ENTITY: self.stop_entity,
            CONF_INCLINE_ENTITY: self.incline_entity,
            CONF_ACTUAL_SPEED_ENTITY: self.actual_speed_entity,
            CONF_DISTANCE_ENTITY: self.distance_entity,
        }
        return {CONF_BRIDGE: {key: value for key, value in bridge.items() if value}}


@dataclass(frozen=True, kw_only=True)
class EntrySettings:
    """Everything one treadmill entry is set to: its type and every options section."""

    treadmill_type: str
    limits: LimitSettings
    spotter: SpotterSettings
    announcements: AnnouncementSettings
    plan: PlanSettings = PlanSettings()
    walker: WalkerSettings = WalkerSettings()
    bridge: BridgeSettings | None = None
    # A Bluetooth FTMS treadmill's address.
    address: str | None = None

    @classmethod
    def from_entry(cls, data: Options, options: Options) -> EntrySettings:
        """Read the settings from a config entry's data and options."""
        return cls(
            treadmill_type=data[CONF_TREADMILL_TYPE],
            limits=LimitSettings.from_options(options),
            spotter=SpotterSettings.from_options(options),
            announcements=AnnouncementSettings.from_options(options),
            plan=PlanSettings.from_options(options),
            walker=WalkerSettings.from_options(options),
            bridge=BridgeSettings.from_options(options),
            address=data.get(CONF_ADDRESS),
        )

    @property
    def speed_unit(self) -> SpeedUnit:
        """The unit speeds are shown and entered in."""
        return self.limits.speed_unit

    @property
    def max_speed_kmh(self) -> float:
        """The cap on every speed."""
        return self.limits.max_speed_kmh

    def display_speed(self, kmh: float) -> float:
        """A speed in the configured unit, rounded for people."""
        return round(self.speed_unit.from_kmh(kmh), 2)

    def display_distance(self, km: float) -> float:
        """A distance in the configured unit, rounded for people."""
        return round(self.speed_unit.distance_from_km(km), 3)
