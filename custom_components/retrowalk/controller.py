"""Runs workout sessions on one treadmill.

The glue between the workout core, the belt supervisor, Home Assistant's timers
and the entities: a timer is set for the next interval boundary only (never a
poll). Each change is worked out in the pure session first, then the belt is
commanded, and only then is the change published (events and one state update);
every listener is isolated, so a failing entity or automation can neither block
nor undo a stop. Every fault leaves the belt stopped and the session paused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
import logging
import math
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .belt import BeltFaultError, BeltSupervisor
from .const import (
    REASON_NO_SPOTTER,
    REASON_RESTART,
    REASON_SAFETY_KEY,
    REASON_SPOTTER_CONFIRMED,
    REASON_TREADMILL_STOPPED,
    REASON_USER,
)
from .errors import belt_errors, refusals_as_validation_errors, treadmill_error
from .events import SpotterReturned
from .publisher import Publisher
from .settings import EntrySettings
from .spotter import SpotterGate
from .store import SessionStore
from .treadmills import FAULT_SAFETY_KEY, Treadmill, TreadmillStatus
from .workout.errors import WorkoutError
from .workout.program import Direction, Program
from .workout.programs import DEFAULT_PROGRAM
from .workout.session import Session, SessionStatus, WorkoutEvent
from .workout.units import START_SPEED_KMH

_LOGGER = logging.getLogger(__name__)


class WorkoutController:
    """Owns the session of one treadmill and keeps belt and entities in step."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        settings: EntrySettings,
        treadmill: Treadmill,
        *,
        title: str,
        store: SessionStore,
    ) -> None:
        """Set up an idle controller for a treadmill."""
        self.hass = hass
        self.entry_id = entry_id
        self.settings = settings
        self.treadmill = treadmill
        self.title = title
        self.session: Session | None = None
        self.program_key = DEFAULT_PROGRAM
        self.speeds_kmh = {
            direction: min(START_SPEED_KMH, settings.max_speed_kmh)
            for direction in Direction
        }
        self._lock = asyncio.Lock()
        self.publisher = Publisher(hass, entry_id, title, settings)
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._shown_status = _shown(treadmill.status)
        self._store = store
        self._owner = store.claim()
        self._closing = False
        self.spotter = SpotterGate(
            hass,
            settings.spotter,
            entry_id=entry_id,
            title=title,
            on_returned=self._async_spotter_returned,
            on_confirmed=self._async_spotter_confirmed,
            on_change=self.publisher.async_notify_state,
        )
        self.belt = BeltSupervisor(
            hass,
            treadmill,
            self.spotter,
            entry_id=entry_id,
            title=title,
            cap_kmh=settings.max_speed_kmh,
            on_safety_stop=self._async_on_safety_stop,
            on_status=self._on_treadmill_status,
            absent_since=store.spotter_absent_since,
        )

    async def async_setup(self) -> None:
        """Watch the spotter, stop the belt, and bring back a saved session paused.

        Nothing restarts: a session that was running when Home Assistant stopped
        (or crashed) comes back paused with reason `restart`; a stop asked for
        while the entry was shutting down is applied now.
        """
        await self.treadmill.async_open()
        self.spotter.async_start()
        self.belt.async_start_watching()
        await self._async_try_stop_belt()
        self.publisher.async_notify_state()  # the entities were written before the first reading
        if restored := await self._store.async_restore():
            async with self._lock:
                self.session, events = restored
                self._async_changed(events)

    # --- what entities read --------------------------------------------------

    @property
    def is_active(self) -> bool:
        """Whether a session is running or paused."""
        return self.session is not None and self.session.is_active

    @property
    def last_error(self) -> str | None:
        """The last command the belt did not carry out, with its time (diagnostics)."""
        return self.belt.last_error

    def _is_running(self) -> bool:
        return self.session is not None and self.session.status is SessionStatus.RUNNING

    # --- commands ------------------------------------------------------------

    async def async_start(
        self, program: Program, speeds_kmh: dict[Direction, float] | None = None
    ) -> None:
        """Start a session: the belt first, then the program's clock."""
        async with self._command():
            if self.is_active:
                raise WorkoutError("session_active")
            if refusal := self.spotter.start_refusal():
                raise WorkoutError(refusal)
            speeds = self.speeds_kmh | (speeds_kmh or {})
            session = Session(
                program,
                dt_util.utcnow,
                forward_speed_kmh=speeds[Direction.FORWARD],
                backward_speed_kmh=speeds[Direction.BACKWARD],
            )
            await self.belt.async_start(session.speed_for(program.intervals[0]))
            self.session = session
            self._async_changed(session.start())

    async def async_pause(self, reason: str = REASON_USER) -> None:
        """Stop the belt at once (cutting any command in flight short) and pause."""
        with refusals_as_validation_errors():
            if not self._is_running():
                self._refuse_when_closing()
                self._active_session()
                raise WorkoutError("not_running")
        stopping = self.belt.async_begin_stop()
        async with self._lock:
            events: list[WorkoutEvent] = []
            if self._is_running():
                assert self.session is not None
                events = self.session.pause(reason)
            stopped = await stopping
            self._async_changed(events)
        if not stopped:
            raise treadmill_error(self.belt.last_error)

    async def async_resume(self) -> None:
        """Start the belt again and continue the paused interval (a person's action)."""
        async with self._command():
            await self._async_resume(reason=None)

    async def _async_resume(self, reason: str | None) -> None:
        session = self._active_session()
        if session.status is not SessionStatus.PAUSED:
            raise WorkoutError("not_paused")
        if refusal := self.spotter.resume_refusal():
            raise WorkoutError(refusal)
        await self.belt.async_start(session.speed_for(session.interval))
        self._async_changed(session.resume(reason))

    async def async_skip(self) -> None:
        """Move on to the next interval now."""
        async with self._command():
            session = self._active_session()
            events = session.skip()
            events += await self._async_follow_belt()
            self._async_changed(events)

    async def async_stop(self, reason: str = REASON_USER) -> None:
        """Stop the belt at once (cutting any command in flight short); end the session.

        Never refused. While the entry shuts down the stop is recorded, and the
        entry's next controller (after a reload or restart) applies it.
        """
        stopping = self.belt.async_begin_stop()
        if self._closing:
            self._store.request_stop(reason, dt_util.utcnow())
            _LOGGER.info("Stop of %s recorded while it shuts down", self.title)
            stopped = await stopping
        else:
            async with self._lock:
                events: list[WorkoutEvent] = []
                if self.is_active:
                    assert self.session is not None
                    events = self.session.stop(reason)
                stopped = await stopping
                self._async_changed(events)
        if not stopped:
            raise treadmill_error(self.belt.last_error)

    async def async_set_speed(self, direction: Direction, speed_kmh: float) -> None:
        """Set the speed for a direction; the belt follows if it applies now."""
        async with self._command():
            if not (math.isfinite(speed_kmh) and speed_kmh > 0):
                raise WorkoutError("invalid_speed")
            speed_kmh = min(speed_kmh, self.settings.max_speed_kmh)
            self.speeds_kmh[direction] = speed_kmh
            if self.is_active:
                assert self.session is not None
                events = self.session.set_speed(direction, speed_kmh)
                events += await self._async_follow_belt()
                self._async_changed(events)
            else:
                self.publisher.async_notify_state()

    @callback
    def async_select_program(self, key: str) -> None:
        """Choose the program the start button runs."""
        self.program_key = key
        self.publisher.async_notify_state()

    @callback
    def restore_choices(
        self,
        *,
        program_key: str | None = None,
        speeds_kmh: dict[Direction, float] | None = None,
    ) -> None:
        """Take back the program and speeds chosen before a restart (capped)."""
        if program_key is not None:
            self.program_key = program_key
        for direction, kmh in (speeds_kmh or {}).items():
            self.speeds_kmh[direction] = min(kmh, self.settings.max_speed_kmh)

    async def async_shutdown(self) -> None:
        """Entry unloading, failed setup or Home Assistant stopping: stop, pause, save.

        From the first line on every start and resume is refused. The belt is
        stopped before anything else; the session is kept, paused with reason
        `restart`, for `async_setup` to bring back.
        """
        if self._closing:
            return
        self._closing = True
        self.belt.async_close()
        async with self._lock:
            self._async_cancel_timer()
            events: list[WorkoutEvent] = []
            if self._is_running():
                assert self.session is not None
                events = self.session.interrupt(REASON_RESTART)
            await self.belt.async_shutdown()
            self._store.spotter_absent_since = self.belt.absent_since
            self.spotter.async_stop()
            if self.is_active and (request := self._store.take_stop_request()):
                assert self.session is not None
                events += self.session.stop(request.reason, at=request.at)
            self._async_publish_events(events)
            await self._store.async_save(self._owner, self._active_snapshot())
            self._store.release(self._owner)
        try:
            await self.treadmill.async_close()
        except Exception:
            _LOGGER.exception("Closing the treadmill %s failed", self.title)

    # --- what the belt supervisor and the spotter gate report ----------------

    @callback
    def _async_on_safety_stop(self, reason: str) -> None:
        """The supervisor stopped the belt: pause the running session for `reason`."""
        self.hass.async_create_task(self._async_pause_for(reason), eager_start=True)

    async def _async_pause_for(self, reason: str) -> None:
        async with self._lock:
            if self._is_running() and not self._closing:
                assert self.session is not None
                self._async_changed(self.session.pause(reason))

    @callback
    def _async_spotter_returned(self, resumes_at: datetime | None) -> None:
        """Tell automations (and the person) that the spotter is back."""
        session = self.session
        if session is None or session.pause_reason != REASON_NO_SPOTTER:
            return
        returned = SpotterReturned(
            interval_index=session.index,
            resume_policy=self.settings.spotter.resume_policy,
            resumes_at=resumes_at,
        )
        self.publisher.async_publish(returned, session)

    async def _async_spotter_confirmed(self) -> None:
        """The spotter stayed: resume by itself only if the user chose that."""
        if not self.settings.spotter.auto_resume:
            return
        async with self._command():
            session = self.session
            if session is not None and session.pause_reason == REASON_NO_SPOTTER:
                await self._async_resume(reason=REASON_SPOTTER_CONFIRMED)

    @callback
    def _on_treadmill_status(self, status: TreadmillStatus) -> None:
        """Pause when the belt stops under a running session; show the belt's state.

        The safety key ends the session; anything else (console, lost link or
        entity, a belt that just stopped) pauses it with the treadmill's reason.
        """
        if (
            self._is_running()
            and not self._closing
            and not (status.available and status.running)
        ):
            self.hass.async_create_task(
                self._async_locked_fault(status.fault or REASON_TREADMILL_STOPPED),
                eager_start=False,
            )
        # Entities show availability, fault and speed; distance alone (an FTMS
        # treadmill reports it every second) changes nothing they show.
        shown = _shown(status)
        if shown != self._shown_status:
            self._shown_status = shown
            self.publisher.async_notify_state()

    async def _async_locked_fault(self, reason: str) -> None:
        """Pause for the treadmill's reason; the safety key ends the session instead."""
        async with self._lock:
            if not self._is_running() or self._closing:
                return
            assert self.session is not None
            if reason == FAULT_SAFETY_KEY:
                events = self.session.stop(REASON_SAFETY_KEY)
                await self._async_try_stop_belt()
            else:
                events = await self._async_fault_pause(reason)
            self._async_changed(events)

    # --- the belt ------------------------------------------------------------

    @asynccontextmanager
    async def _command(self) -> AsyncIterator[None]:
        """One person's command at a time; refusals become translated errors."""
        with refusals_as_validation_errors():
            self._refuse_when_closing()
            async with self._lock:
                self._refuse_when_closing()
                with belt_errors():
                    yield

    def _refuse_when_closing(self) -> None:
        if self._closing or self.hass.is_stopping:
            raise WorkoutError("shutting_down")

    async def _async_on_boundary(self, _now: datetime) -> None:
        """Enter the next interval at its planned boundary."""
        self._cancel_timer = None
        async with self._lock:
            if self.session is None or self._closing:
                return
            events = self.session.advance()
            events += await self._async_follow_belt()
            self._async_changed(events)

    async def _async_follow_belt(self) -> list[WorkoutEvent]:
        """Bring the belt to the session's speed, or stop it; returns any fault's events.

        Never starts a stopped belt: only a person's start or resume does that.
        """
        target = 0.0 if self.session is None else self.session.belt_speed_kmh
        if reason := await self.belt.async_follow(target):
            return await self._async_fault_pause(reason)
        return []

    async def _async_fault_pause(self, reason: str) -> list[WorkoutEvent]:
        """Pause a running session because of a fault and make sure the belt stops."""
        events: list[WorkoutEvent] = []
        session = self.session
        if session is not None and session.status is SessionStatus.RUNNING:
            events = session.pause(reason)
        await self._async_try_stop_belt()
        return events

    async def _async_try_stop_belt(self) -> bool:
        """Stop the belt; whether it confirmed (if not, the supervisor keeps trying)."""
        try:
            await self.belt.async_stop()
        except BeltFaultError:
            return False
        return True

    # --- publishing ----------------------------------------------------------

    def _active_session(self) -> Session:
        if self.session is None or not self.session.is_active:
            raise WorkoutError("not_active")
        return self.session

    @callback
    def _async_changed(self, events: list[WorkoutEvent]) -> None:
        """Re-arm the boundary timer and save, then publish events and update entities.

        The timer and the save come first: nothing a listener does can stop the
        intervals switching or the session being saved.
        """
        self._async_cancel_timer()
        if self.session is not None and (ends := self.session.interval_ends):
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_on_boundary, ends
            )
        with self.publisher.isolated("session store"):
            self._store.async_schedule_save(self._owner, self._active_snapshot())
        self._async_publish_events(events)
        self.publisher.async_notify_state()

    @callback
    def _async_publish_events(self, events: list[WorkoutEvent]) -> None:
        for event in events:
            self.publisher.async_publish(event, self.session)

    def _active_snapshot(self) -> dict[str, Any] | None:
        return self.session.snapshot() if self.session and self.is_active else None

    @callback
    def _async_cancel_timer(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None


def _shown(status: TreadmillStatus) -> TreadmillStatus:
    """The part of a treadmill's status that entities show (not its distance)."""
    return replace(status, distance_km=0.0)
