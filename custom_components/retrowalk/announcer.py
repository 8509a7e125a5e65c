"""Speaks the workout's cues on the configured speakers, in time.

Each workout event is spoken when it happens; the lead cue is started `lead time`
before each switch so that it is heard at the switch; the half-way cue when the
program is half done. Speaking runs in background tasks: the session never waits
for a speaker, and a failing speaker is logged once and counted, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import CUE_LANGUAGES
from .controller import WorkoutController
from .events import RetrowalkEvent, SessionDue, SessionMissed, SpotterReturned
from .issues import async_check_entities_exist, speaker_issue_id
from .settings import AnnouncementSettings
from .timers import async_run_at
from .workout.cues import Cue, CueBook, Spoken
from .workout.program import Interval
from .workout.session import EventType, SessionStatus

_LOGGER = logging.getLogger(__name__)

CUES_FOLDER = Path(__file__).parent / "cues"
HALFWAY_PERCENT = 50


def cue_language(settings: AnnouncementSettings, hass_language: str) -> str:
    """The cue file to use: the chosen language, else Home Assistant's, else English."""
    for language in (settings.language, hass_language):
        if language and (short := language.split("-")[0].lower()) in CUE_LANGUAGES:
            return short
    return "en"


def load_cue_words(language: str) -> dict[str, str]:
    """Read a cue file (blocking: run it in the executor)."""
    words: dict[str, str] = json.loads((CUES_FOLDER / f"{language}.json").read_text())
    return words


@dataclass
class AnnouncementHealth:
    """What diagnostics show about the speakers."""

    delivered: int = 0
    failed: int = 0
    last_message: str | None = None
    last_message_at: datetime | None = None
    last_error: str | None = None


class Announcer:
    """Turns the controller's events into spoken cues."""

    def __init__(
        self,
        hass: HomeAssistant,
        controller: WorkoutController,
        settings: AnnouncementSettings,
        book: CueBook,
    ) -> None:
        """Speak `book`'s cues for `controller`'s sessions."""
        self.hass = hass
        self.controller = controller
        self.settings = settings
        self.book = book
        self.health = AnnouncementHealth()
        self._failing: set[str] = set()
        self._cancel_lead: CALLBACK_TYPE | None = None
        self._cancel_halfway: CALLBACK_TYPE | None = None
        self._halfway_said = False

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the controller; returns the callback that stops it."""
        unsubscribers = [
            self.controller.publisher.async_add_event_listener(self._async_on_event),
            self.controller.publisher.async_add_state_listener(
                self._async_plan_timed_cues
            ),
            # Other integrations' speakers may appear only once Home Assistant started.
            async_at_started(self.hass, self._async_check_speakers_exist),
        ]

        @callback
        def stop() -> None:
            for unsubscribe in unsubscribers:
                unsubscribe()
            self._cancel_timed_cues()

        return stop

    @callback
    def _async_check_speakers_exist(self, _hass: HomeAssistant) -> None:
        """Raise a repair issue for a configured speaker or TTS entity that is gone."""
        settings = self.settings
        tts = (settings.tts_entity,) if settings.tts_entity else ()
        async_check_entities_exist(
            self.hass,
            speaker_issue_id(self.controller.entry_id),
            "speaker_missing",
            self.controller.title,
            (*settings.media_players, *settings.satellites, *tts),
        )

    # --- what to say ---------------------------------------------------------

    def message_for(self, event: RetrowalkEvent) -> str | None:
        """The sentence for an event (None for events that are not spoken)."""
        book = self.book
        match event:
            case SessionDue():
                return None if event.auto_start else book.say(Cue.SESSION_DUE)
            case SpotterReturned():
                return book.say(Cue.SPOTTER_RETURNED)
            case SessionMissed():
                return None
        session = self.controller.session
        if session is None:
            return None
        settings = self.controller.settings
        unit = settings.speed_unit
        totals = session.totals()
        spoken = Spoken(
            speed=settings.display_speed(event.speed_kmh),
            speed_unit=unit.value,
            backward=totals.backward,
            distance=settings.display_distance(totals.distance_km),
            distance_unit=unit.distance_unit,
        )
        return book.transition(event, session.program, spoken)

    def lead_message(self, upcoming: Interval) -> str:
        """The cue said `lead time` before a switch."""
        return self.book.lead(
            upcoming.direction,
            self.settings.lead_time,
            countdown=self.settings.countdown,
        )

    # --- when to say it ------------------------------------------------------

    @callback
    def _async_on_event(self, event: RetrowalkEvent) -> None:
        if event.type is EventType.SESSION_STARTED:
            self._halfway_said = False
        if (message := self.message_for(event)) is not None:
            self.async_say(message)

    @callback
    def _async_plan_timed_cues(self) -> None:
        """Re-plan the lead and half-way cues after any change."""
        self._cancel_timed_cues()
        session = self.controller.session
        if session is None or session.status is not SessionStatus.RUNNING:
            return
        now = dt_util.utcnow()
        intervals = session.program.intervals
        ends = session.interval_ends
        if ends is not None and session.index + 1 < len(intervals):
            upcoming = intervals[session.index + 1]
            lead_at = ends - self.settings.lead_time
            if lead_at > now:
                self._cancel_lead = async_run_at(
                    self.hass,
                    lambda: self.async_say(self.lead_message(upcoming)),
                    lead_at,
                )
        left = session.time_to_progress(HALFWAY_PERCENT)
        if self._halfway_said or left is None:
            return
        if left <= timedelta(0):  # reached at a boundary or by a skip: say it now
            self._async_halfway()
        else:
            self._cancel_halfway = async_run_at(
                self.hass, self._async_halfway, now + left
            )

    @callback
    def _async_halfway(self) -> None:
        self._halfway_said = True
        self.async_say(self.book.say(Cue.HALFWAY))

    @callback
    def _cancel_timed_cues(self) -> None:
        for cancel in (self._cancel_lead, self._cancel_halfway):
            if cancel is not None:
                cancel()
        self._cancel_lead = self._cancel_halfway = None

    # --- saying it -----------------------------------------------------------

    @callback
    def async_say(self, message: str) -> None:
        """Speak `message` on every speaker, in the background."""
        self.health.last_message = message
        self.health.last_message_at = dt_util.utcnow()
        self.hass.async_create_background_task(
            self._async_deliver(message), "retrowalk announcement"
        )

    async def _async_deliver(self, message: str) -> None:
        settings = self.settings
        if players := [p for p in settings.media_players if self._usable(p)]:
            tts = settings.tts_entity
            if tts is None or not self._usable(tts):
                self._failed("tts", f"text-to-speech entity {tts} is unavailable")
            elif settings.volume is None:
                await self._async_call(
                    "tts",
                    "speak",
                    {
                        "entity_id": tts,
                        "media_player_entity_id": players,
                        "message": message,
                    },
                )
            else:
                # tts.speak has no volume: play the TTS clip as an announcement with one.
                await self._async_call(
                    "media_player",
                    "play_media",
                    {
                        "entity_id": players,
                        "media_content_id": f"media-source://tts/{tts}?"
                        + urlencode({"message": message}),
                        "media_content_type": "music",
                        "announce": True,
                        "extra": {"volume": settings.volume},
                    },
                )
        if satellites := [s for s in settings.satellites if self._usable(s)]:
            await self._async_call(
                "assist_satellite",
                "announce",
                {"entity_id": satellites, "message": message},
            )

    def _usable(self, entity_id: str) -> bool:
        # Not 'unknown': a TTS entity is unknown until it first speaks.
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            self._failed(entity_id, f"{entity_id} is unavailable")
            return False
        self._recovered(entity_id)
        return True

    async def _async_call(
        self, domain: str, service: str, data: dict[str, Any]
    ) -> None:
        key = f"{domain}.{service}"
        if not self.hass.services.has_service(domain, service):
            self._failed(key, f"the action {key} does not exist")
            return
        try:
            await self.hass.services.async_call(domain, service, data, blocking=True)
        except Exception as err:  # noqa: BLE001 - a speaker must never break a workout
            self._failed(key, f"{key} failed: {err!r}")
            return
        self.health.delivered += 1
        self._recovered(key)

    def _failed(self, key: str, error: str) -> None:
        """Count a failure; log it once until it works again."""
        self.health.failed += 1
        self.health.last_error = error
        if key not in self._failing:
            self._failing.add(key)
            _LOGGER.warning("Announcement not delivered: %s", error)

    def _recovered(self, key: str) -> None:
        if key in self._failing:
            self._failing.discard(key)
            _LOGGER.info("Announcements work again: %s", key)
