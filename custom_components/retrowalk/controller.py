"""Runs workout sessions on one treadmill.

The glue between the workout core, the belt, Home Assistant's timers and the
entities: a timer is set for the next interval boundary only (never a poll),
every change is published once as events and one state update, and every
fault leaves the belt stopped and the session paused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import (
    BUS_EVENT,
    DOMAIN,
    REASON_NO_SPOTTER,
    REASON_RESTART,
    REASON_SAFETY_KEY,
    REASON_SPOTTER_CONFIRMED,
    REASON_TREADMILL_ERROR,
    REASON_TREADMILL_STOPPED,
    REASON_USER,
)
from .errors import refusals_as_validation_errors
from .issues import async_treadmill_obeys, async_treadmill_refused
from .settings import EntrySettings
from .spotter import SpotterGate
from .store import SessionStore
from .treadmills import FAULT_SAFETY_KEY, Treadmill, TreadmillError, TreadmillStatus
from .workout.errors import WorkoutError
from .workout.program import Direction, Program
from .workout.programs import DEFAULT_PROGRAM, built_in_program
from .workout.progression import PROGRESSIVE_PROGRAM
from .workout.session import EventType, Session, SessionStatus, WorkoutEvent
from .workout.units import START_SPEED_KMH

if TYPE_CHECKING:
    from .announcer import Announcer
    from .planner import WorkoutPlanner

_LOGGER = logging.getLogger(__name__)

# How long after a treadmill comes into reach (setup, reconnect) a belt it reports
# running, with no session walking, is stopped. Later, a belt started on the
# console is the person's choice and is left alone.
RUNNING_BELT_WATCH = timedelta(seconds=30)

type EventListener = Callable[[EventType, dict[str, Any]], None]

_ENDING_EVENTS = (EventType.SESSION_COMPLETED, EventType.SESSION_STOPPED)


class Phase(StrEnum):
    """What the person on the belt is doing, as the phase sensor shows it."""

    IDLE = "idle"
    FORWARD = "forward"
    BACKWARD = "backward"
    PAUSED = "paused"
    FINISHED = "finished"


_PHASE_OF_STATUS = {
    SessionStatus.IDLE: Phase.IDLE,
    SessionStatus.PAUSED: Phase.PAUSED,
    SessionStatus.FINISHED: Phase.FINISHED,
    SessionStatus.STOPPED: Phase.IDLE,
}


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
    ) -> None:
        """Set up an idle controller for a treadmill."""
        self.hass = hass
        self.entry_id = entry_id
        self.settings = settings
        self.treadmill = treadmill
        self.session: Session | None = None
        self.program_key = DEFAULT_PROGRAM
        self.speeds_kmh = {
            direction: min(START_SPEED_KMH, settings.max_speed_kmh)
            for direction in Direction
        }
        self._lock = asyncio.Lock()
        self._state_listeners: list[CALLBACK_TYPE] = []
        self._event_listeners: list[EventListener] = []
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._unsubscribe_treadmill = treadmill.add_listener(self._on_treadmill_status)
        self._treadmill_available = treadmill.status.available
        self._shown_status = _shown(treadmill.status)
        # Until then, a belt found running with no session walking is stopped.
        self._watch_belt_until = dt_util.utcnow() + RUNNING_BELT_WATCH
        self._store = SessionStore(hass, entry_id)
        # Set by the entry when speakers are configured; diagnostics read its health.
        self.announcer: Announcer | None = None
        # Set by the entry: schedule, history and progression.
        self.planner: WorkoutPlanner | None = None
        self._shut_down = False
        self.title = title
        # The last command the belt refused (for diagnostics) and whether it still does.
        self.last_error: str | None = None
        self._refusing = False
        self.spotter = SpotterGate(
            hass,
            settings.spotter,
            entry_id=entry_id,
            title=title,
            session_running=self._is_running,
            on_lost=self._async_spotter_lost,
            on_returned=self._async_spotter_returned,
            on_confirmed=self._async_spotter_confirmed,
            on_change=self.async_notify_state,
        )

    async def async_setup(self) -> None:
        """Stop the belt, follow the spotters, and bring back a saved session paused.

        Nothing restarts: a session that was running when Home Assistant stopped
        (or crashed) comes back paused with reason `restart`.
        """
        await self.treadmill.async_open()
        await self._async_try_stop_belt()
        self.spotter.async_start()
        self.async_notify_state()  # the entities were written before the first reading
        saved = await self._store.async_load()
        if saved is None:
            return
        snapshot, saved_at = saved
        try:
            session = Session.from_snapshot(snapshot, dt_util.utcnow)
        except WorkoutError:
            _LOGGER.warning(
                "The saved session of %s is damaged; starting idle", self.entry_id
            )
            return
        if not session.is_active:
            return
        async with self._lock:
            self.session = session
            self._async_changed(
                session.interrupt(REASON_RESTART, at=min(saved_at, dt_util.utcnow()))
            )

    # --- what entities read --------------------------------------------------

    @property
    def phase(self) -> Phase:
        """The phase sensor's state."""
        session = self.session
        if session is None:
            return Phase.IDLE
        if session.status is SessionStatus.RUNNING:
            return Phase(session.interval.direction.value)
        return _PHASE_OF_STATUS[session.status]

    @property
    def is_active(self) -> bool:
        """Whether a session is running or paused."""
        return self.session is not None and self.session.is_active

    def _is_running(self) -> bool:
        return self.session is not None and self.session.status is SessionStatus.RUNNING

    # --- subscriptions -------------------------------------------------------

    @callback
    def async_add_state_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` once after every change; returns the unsubscriber."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` for every workout event; returns the unsubscriber."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

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
            await self._async_start_belt(session.speed_for(program.intervals[0]))
            self.session = session
            self._async_changed(session.start())

    async def async_pause(self, reason: str = REASON_USER) -> None:
        """Pause the session and stop the belt."""
        async with self._command():
            session = self._active_session()
            events = session.pause(reason)
            self._async_changed(events)
            await self._async_command_belt(self.treadmill.async_stop)

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
        await self._async_start_belt(session.speed_for(session.interval))
        self._async_changed(session.resume(reason))

    async def async_skip(self) -> None:
        """Move on to the next interval now."""
        async with self._command():
            session = self._active_session()
            self._async_changed(session.skip())
            await self._async_sync_belt()

    async def async_stop(self, reason: str = REASON_USER) -> None:
        """End the session, if any, and always stop the belt."""
        async with self._command():
            if self.is_active:
                assert self.session is not None
                self._async_changed(self.session.stop(reason))
            await self._async_command_belt(self.treadmill.async_stop)

    async def async_set_speed(self, direction: Direction, speed_kmh: float) -> None:
        """Set the speed for a direction; the belt follows if it applies now."""
        async with self._command():
            self.speeds_kmh[direction] = speed_kmh
            if self.is_active:
                assert self.session is not None
                self._async_changed(self.session.set_speed(direction, speed_kmh))
                await self._async_sync_belt()
            else:
                self.async_notify_state()

    def program_for(self, key: str) -> Program:
        """The program a key names: a built-in one, or the coach's progressive one."""
        if key == PROGRESSIVE_PROGRAM and self.planner is not None:
            return self.planner.progressive_program()
        return built_in_program(key)

    @callback
    def async_select_program(self, key: str) -> None:
        """Choose the program the start button runs."""
        self.program_key = key
        self.async_notify_state()

    async def async_shutdown(self) -> None:
        """Entry unloading or Home Assistant stopping: pause, stop the belt, save.

        The session is kept, paused with reason `restart`, for `async_setup` to
        bring back.
        """
        if self._shut_down:
            return
        self._shut_down = True
        self.spotter.async_stop()
        async with self._lock:
            self._async_cancel_timer()
            if self._is_running():
                assert self.session is not None
                self._async_changed(self.session.interrupt(REASON_RESTART))
            await self._async_try_stop_belt()
            self._unsubscribe_treadmill()
            await self._store.async_save(self._active_snapshot())
        await self.treadmill.async_close()

    # --- the spotter gate's callbacks ---------------------------------------

    async def _async_spotter_lost(self) -> None:
        """Nobody for longer than the grace period: pause and stop the belt."""
        async with self._lock:
            if self._is_running():
                assert self.session is not None
                self._async_changed(self.session.pause(REASON_NO_SPOTTER))
                await self._async_try_stop_belt()

    @callback
    def _async_spotter_returned(self, resumes_at: datetime | None) -> None:
        """Tell automations (and the person) that the spotter is back."""
        session = self.session
        if session is None or session.pause_reason != REASON_NO_SPOTTER:
            return
        self.async_publish(
            EventType.SPOTTER_RETURNED,
            self._interval_data(session.index)
            | {
                "resume_policy": self.settings.spotter.resume_policy,
                "resumes_at": resumes_at.isoformat() if resumes_at else None,
            },
        )

    async def _async_spotter_confirmed(self) -> None:
        """The spotter stayed: resume by itself only if the user chose that."""
        if not self.settings.spotter.auto_resume:
            return
        async with self._command():
            session = self.session
            if session is not None and session.pause_reason == REASON_NO_SPOTTER:
                await self._async_resume(reason=REASON_SPOTTER_CONFIRMED)

    @asynccontextmanager
    async def _command(self) -> AsyncIterator[None]:
        """Run one person's command at a time; refusals become translated errors."""
        async with self._lock:
            with refusals_as_validation_errors():
                yield

    # --- timers and the belt -------------------------------------------------

    async def _async_on_boundary(self, _now: datetime) -> None:
        """Enter the next interval at its planned boundary."""
        self._cancel_timer = None
        async with self._lock:
            assert self.session is not None  # the timer is only set for a session
            self._async_changed(self.session.advance())
            await self._async_sync_belt()

    async def _async_start_belt(self, speed_kmh: float) -> None:
        """Start the belt, capped; on failure try to stop it and say why."""
        speed = min(speed_kmh, self.settings.max_speed_kmh)
        try:
            await self._async_belt(self.treadmill.async_start, speed)
        except TreadmillError as err:
            await self._async_try_stop_belt()
            raise _treadmill_error(err) from err

    async def _async_command_belt(self, command: Callable[[], Awaitable[None]]) -> None:
        try:
            await self._async_belt(command)
        except TreadmillError as err:
            raise _treadmill_error(err) from err

    async def _async_belt(
        self, command: Callable[..., Awaitable[None]], *speed_kmh: float
    ) -> None:
        """Send one command to the belt; a refusal is remembered and reported.

        The report is withdrawn when the belt next accepts a speed (start or set
        speed); a stop that works says nothing about whether it can move again.
        """
        try:
            await command(*speed_kmh)
        except TreadmillError as err:
            self.last_error = f"{dt_util.utcnow().isoformat()} {err}"
            self._refusing = True
            async_treadmill_refused(self.hass, self.entry_id, self.title, str(err))
            raise
        if self._refusing and speed_kmh:
            self._refusing = False
            async_treadmill_obeys(self.hass, self.entry_id)

    async def _async_sync_belt(self) -> None:
        """Bring a running belt to the session's speed, or stop it.

        Never starts a stopped belt: only a person's start or resume does that.
        If the belt refuses, the session pauses and the belt is told to stop.
        """
        session = self.session
        target = 0.0 if session is None else session.belt_speed_kmh
        target = min(target, self.settings.max_speed_kmh)
        status = self.treadmill.status
        if target > 0 and not status.running:
            await self._async_fault_pause(REASON_TREADMILL_STOPPED)
            return
        try:
            if target == 0:
                if status.running:
                    await self._async_belt(self.treadmill.async_stop)
            elif status.speed_kmh != target:
                await self._async_belt(self.treadmill.async_set_speed, target)
        except TreadmillError as err:
            _LOGGER.error("Treadmill %s refused a command: %s", self.entry_id, err)
            await self._async_fault_pause(REASON_TREADMILL_ERROR)

    async def _async_fault_pause(self, reason: str) -> None:
        """Pause a running session because of a fault and make sure the belt stops."""
        session = self.session
        if session is not None and session.status is SessionStatus.RUNNING:
            self._async_changed(session.pause(reason))
        await self._async_try_stop_belt()

    async def _async_try_stop_belt(self) -> None:
        try:
            await self._async_belt(self.treadmill.async_stop)
        except TreadmillError:
            _LOGGER.exception("Treadmill %s did not stop", self.entry_id)

    @callback
    def _on_treadmill_status(self, status: TreadmillStatus) -> None:
        """Act when the belt stops under a running session, and show the belt's state.

        The safety key ends the session; anything else (console, lost link or
        entity, a belt that just stopped) pauses it with the treadmill's reason.
        """
        session = self.session
        running = session is not None and session.status is SessionStatus.RUNNING
        if running and not (status.available and status.running):
            self.hass.async_create_task(
                self._async_locked_fault(status.fault or REASON_TREADMILL_STOPPED),
                eager_start=False,
            )
        if status.available and not self._treadmill_available:
            self._watch_belt_until = dt_util.utcnow() + RUNNING_BELT_WATCH
        if (
            not running
            and status.available
            and status.running
            and not self._lock.locked()
            and dt_util.utcnow() < self._watch_belt_until
        ):
            # Just (back) in reach with its belt running and no session walking:
            # a stop sent meanwhile may not have arrived, or HA restarted.
            self.hass.async_create_task(self._async_stop_returned_belt())
        self._treadmill_available = status.available
        # Entities show availability, fault and speed; distance alone (an FTMS
        # treadmill reports it every second) changes nothing they show.
        shown = _shown(status)
        if shown != self._shown_status:
            self._shown_status = shown
            self.async_notify_state()

    async def _async_stop_returned_belt(self) -> None:
        async with self._lock:
            if not self._is_running() and self.treadmill.status.running:
                _LOGGER.warning(
                    "Treadmill %s came back with its belt running; stopping it",
                    self.entry_id,
                )
                await self._async_try_stop_belt()

    async def _async_locked_fault(self, reason: str) -> None:
        """Pause for the treadmill's reason; the safety key ends the session instead."""
        async with self._lock:
            if reason == FAULT_SAFETY_KEY and self._is_running():
                assert self.session is not None
                self._async_changed(self.session.stop(REASON_SAFETY_KEY))
            await self._async_fault_pause(reason)

    # --- publishing ----------------------------------------------------------

    def _active_session(self) -> Session:
        if self.session is None or not self.session.is_active:
            raise WorkoutError("not_active")
        return self.session

    @callback
    def _async_changed(self, events: list[WorkoutEvent]) -> None:
        """Publish events, re-arm the boundary timer, save, and update entities once."""
        for event in events:
            self.async_publish(event.type, self.event_data(event))
        self._async_cancel_timer()
        if self.session is not None and (ends := self.session.interval_ends):
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._async_on_boundary, ends
            )
        self._store.async_schedule_save(self._active_snapshot())
        self.async_notify_state()

    @callback
    def async_publish(self, event_type: EventType, data: dict[str, Any]) -> None:
        """Fire one event on the event entity and the bus."""
        for listener in list(self._event_listeners):
            listener(event_type, data)
        self.hass.bus.async_fire(
            BUS_EVENT,
            {"type": event_type.value, "config_entry_id": self.entry_id, **data},
        )

    def _active_snapshot(self) -> dict[str, Any] | None:
        return self.session.snapshot() if self.session and self.is_active else None

    @callback
    def async_notify_state(self) -> None:
        """Tell every entity to write its state."""
        for listener in list(self._state_listeners):
            listener()

    @callback
    def _async_cancel_timer(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    def _interval_data(self, index: int) -> dict[str, Any]:
        """What events say about the interval at `index` of the session."""
        assert self.session is not None
        program = self.session.program
        interval = program.intervals[index]
        return {
            "program": program.key,
            "direction": interval.direction.value,
            "interval_index": index,
            "interval_count": len(program.intervals),
            "interval_duration": interval.duration.total_seconds(),
            "interval_role": interval.role.value,
            "speed": self.settings.display_speed(self.session.speed_for(interval)),
            "speed_unit": self.settings.speed_unit.value,
        }

    def event_data(self, event: WorkoutEvent) -> dict[str, Any]:
        """The data automations get with a workout event."""
        assert self.session is not None
        settings = self.settings
        data = self._interval_data(event.interval_index)
        data["speed"] = settings.display_speed(event.speed_kmh)
        if event.reason is not None:
            data["reason"] = event.reason
        if event.type in _ENDING_EVENTS:
            totals = self.session.totals()
            data |= {
                "forward_seconds": totals.forward.total_seconds(),
                "backward_seconds": totals.backward.total_seconds(),
                "paused_seconds": totals.paused.total_seconds(),
                "distance": settings.display_distance(totals.distance_km),
                "distance_unit": settings.speed_unit.distance_unit,
            }
        return data


def _shown(status: TreadmillStatus) -> TreadmillStatus:
    """The part of a treadmill's status that entities show (not its distance)."""
    return replace(status, distance_km=0.0)


def _treadmill_error(err: TreadmillError) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="treadmill_error",
        translation_placeholders={"error": str(err)},
    )
