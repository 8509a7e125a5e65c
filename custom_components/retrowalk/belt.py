"""The belt supervisor: no spotter, no moving belt.

Every command to the treadmill goes through this class, and it keeps the safety
invariant on its own, whatever the session does: while the belt may move (a
start in flight, a belt it set running, a belt the treadmill reports running, or
a stop that has not succeeded yet) it watches the spotter gate. Once nobody has
been there for the grace period, timed on the event loop's monotonic clock (a
jump of the wall clock changes nothing), it stops the belt at once, cancelling
any command in flight, and only then tells the controller.

Every command has a timeout and any exception counts as a fault; a stop that
fails is tried again until one succeeds. The belt starts only through
`async_start`, which the controller calls for a person's start or resume, never
while the spotter gate refuses and never once the entry is shutting down.
Speeds are capped, a refusing treadmill raises a repair issue, and for a while
after the treadmill comes into reach a belt found running unbidden is stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
import math

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import REASON_NO_SPOTTER, REASON_TREADMILL_ERROR, REASON_TREADMILL_STOPPED
from .issues import async_treadmill_obeys, async_treadmill_refused
from .spotter import SpotterGate
from .timers import async_run_later
from .treadmills import Treadmill, TreadmillStatus

_LOGGER = logging.getLogger(__name__)

# Seconds a command may take. A start may have to connect first (Bluetooth).
START_TIMEOUT = 30.0
SPEED_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
# Seconds between tries of a stop that did not succeed (the last one repeats).
STOP_RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
# Seconds after the treadmill comes into reach (setup, reconnect) during which a
# belt it reports running, that retrowalk did not start, is stopped. Later, a belt
# started on the console is the person's choice (if a spotter is there).
RUNNING_BELT_WATCH = 30.0
# The reason a command in flight fails with when a person's stop (or the entry
# shutting down) cut it short: whoever stopped the belt does the bookkeeping.
STOP_REQUESTED = "stop_requested"

type SafetyStopListener = Callable[[str], None]
type StatusListener = Callable[[TreadmillStatus], None]


class BeltRefusedError(Exception):
    """The supervisor will not move the belt now; `code` is a translation key."""

    def __init__(self, code: str) -> None:
        """Refuse for the reason `code`."""
        super().__init__(code)
        self.code = code


class BeltFaultError(Exception):
    """A belt command did not succeed; `reason` is the pause reason it calls for."""

    def __init__(self, message: str, *, reason: str = REASON_TREADMILL_ERROR) -> None:
        """Describe the fault."""
        super().__init__(message)
        self.reason = reason


class BeltSupervisor:
    """Drives one treadmill and stops its belt whenever no spotter is there."""

    def __init__(
        self,
        hass: HomeAssistant,
        treadmill: Treadmill,
        spotter: SpotterGate,
        *,
        entry_id: str,
        title: str,
        cap_kmh: float,
        on_safety_stop: SafetyStopListener,
        on_status: StatusListener,
        absent_since: float | None = None,
    ) -> None:
        """Supervise `treadmill`; `async_start_watching` begins the watch.

        `absent_since` is when the entry's previous supervisor (before a reload)
        last saw the spotter go, on the event loop's clock: the grace is not
        started afresh for a belt that has been unwatched meanwhile.
        """
        self._hass = hass
        self.treadmill = treadmill
        self._spotter = spotter
        self._entry_id = entry_id
        self._title = title
        self._cap_kmh = cap_kmh
        self._on_safety_stop = on_safety_stop
        self._on_status = on_status
        # Retrowalk set the belt running and has not stopped it since.
        self._commanded = False
        self._starting = False
        self._move_lock = asyncio.Lock()
        self._move_task: asyncio.Future[None] | None = None
        # Why the command in flight was cancelled, if a stop cancelled it.
        self._preempted: str | None = None
        self._stop_task: asyncio.Task[bool] | None = None
        # The last stop did not succeed: the belt may still be moving.
        self._stop_failed = False
        self._stop_retry: Callable[[], None] | None = None
        self._retries = 0
        self._absent_since: float | None = absent_since
        self._grace_timer: asyncio.TimerHandle | None = None
        self._grace_deadline = 0.0
        # The grace ran out and the belt was told to stop; until the spotter is back
        # or the belt is known to stand still, failed stops are tried again on the
        # retry schedule rather than at once.
        self._grace_spent = False
        self._closed = False
        status = treadmill.status
        self._available = status.available
        self._reported_running = status.available and status.running
        self._watch_until = self._now() + RUNNING_BELT_WATCH
        self._unsubscribers: list[Callable[[], None]] = []
        # The last command the belt refused (for diagnostics) and whether it still does.
        self.last_error: str | None = None
        self._refusing: set[str] = set()
        self._failing_listeners: set[str] = set()

    # --- what the controller reads -------------------------------------------

    @property
    def may_move(self) -> bool:
        """Whether the belt may be moving: started, starting, running or not stopped."""
        return (
            self._commanded
            or self._starting
            or self._stop_failed
            or self._reported_running
        )

    @property
    def commanded(self) -> bool:
        """Whether retrowalk set the belt running and has not stopped it since."""
        return self._commanded

    @property
    def absent_since(self) -> float | None:
        """Since when (event loop clock) nobody is at the treadmill; None if somebody is."""
        return self._absent_since

    @property
    def closed(self) -> bool:
        """Whether the entry is shutting down: the belt will not start again."""
        return self._closed

    # --- life cycle ----------------------------------------------------------

    @callback
    def async_start_watching(self) -> None:
        """Follow the treadmill and the spotter gate (after the gate has started)."""
        if self._spotter.present:
            self._absent_since = None
        elif self._absent_since is None:
            self._absent_since = self._now()
        self._unsubscribers += [
            self.treadmill.add_listener(self._on_treadmill_status),
            self._spotter.add_listener(self._on_presence),
        ]
        self._reconcile()

    @callback
    def async_close(self) -> None:
        """Refuse every start from now on; cut a start or speed change in flight short."""
        self._closed = True
        self._cancel_move(STOP_REQUESTED)

    async def async_shutdown(self) -> None:
        """Refuse every start, stop the belt, and stop watching."""
        self.async_close()
        if not await self.async_begin_stop():
            _LOGGER.error(
                "The belt of %s did not confirm it stopped while retrowalk shut down",
                self._title,
            )
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        self._cancel_grace()
        self._cancel_stop_retry()

    # --- commands ------------------------------------------------------------

    async def async_start(self, speed_kmh: float) -> None:
        """Start the belt for a person's start or resume, at a capped speed.

        Refused without a spotter or while shutting down. On any failure the belt
        is told to stop before the fault is raised.
        """
        self._check_may_start()
        speed = self._capped(speed_kmh)
        if (stop := self._stop_task) is not None and not stop.done():
            await asyncio.shield(stop)  # a stop under way goes first
            self._check_may_start()
        self._cancel_stop_retry()
        self._starting = True
        self._reconcile()
        try:
            await self._async_move("start", self.treadmill.async_start, speed)
        except BeltFaultError:
            self._starting = False
            await self._begin_stop(REASON_TREADMILL_ERROR)
            raise
        self._starting = False
        self._commanded = True
        self._stop_failed = False
        self._reconcile()

    async def async_set_speed(self, speed_kmh: float) -> None:
        """Change the speed of the belt retrowalk started; never starts a stopped belt."""
        if not self._commanded:
            raise BeltFaultError("The belt is not running under retrowalk's control")
        await self._async_move(
            "set speed", self.treadmill.async_set_speed, self._capped(speed_kmh)
        )

    async def async_follow(self, target_kmh: float) -> str | None:
        """Bring the belt to a session's speed, or stop it at 0; a fault's reason if any.

        Never starts a stopped belt: one that should be running but is not is a
        fault for the caller to pause on. A stop asked for meanwhile is no fault.
        """
        if target_kmh == 0:
            if self.may_move:
                await self.async_begin_stop()
            return None
        status = self.treadmill.status
        if not (self._commanded and status.available and status.running):
            return REASON_TREADMILL_STOPPED
        try:
            if status.speed_kmh != self._capped(target_kmh):
                await self.async_set_speed(target_kmh)
        except BeltFaultError as err:
            return None if err.reason == STOP_REQUESTED else err.reason
        return None

    @callback
    def async_begin_stop(self) -> asyncio.Future[bool]:
        """Start stopping the belt now, cutting any start or speed change short.

        Never refused. Await the result: whether the treadmill confirmed (if
        not, the supervisor keeps trying).
        """
        return self._begin_stop(STOP_REQUESTED)

    async def async_stop(self) -> None:
        """Stop the belt now; raises `BeltFaultError` if the treadmill did not confirm."""
        if not await self.async_begin_stop():
            raise BeltFaultError(self.last_error or "The belt did not stop")

    # --- running commands ----------------------------------------------------

    def _check_may_start(self) -> None:
        if self._closed or self._hass.is_stopping:
            raise BeltRefusedError("shutting_down")
        if refusal := self._spotter.start_refusal():
            raise BeltRefusedError(refusal)

    def _capped(self, speed_kmh: float) -> float:
        if not (math.isfinite(speed_kmh) and speed_kmh > 0):
            raise BeltFaultError(f"Invalid belt speed {speed_kmh!r}")
        return min(speed_kmh, self._cap_kmh)

    async def _async_move(
        self, label: str, command: Callable[[float], Awaitable[None]], speed: float
    ) -> None:
        """Run a start or speed change in its own task, so that a stop can cancel it."""
        timeout = START_TIMEOUT if label == "start" else SPEED_TIMEOUT
        async with self._move_lock:
            self._preempted = None
            task = asyncio.ensure_future(command(speed))
            self._move_task = task
            try:
                done, _ = await asyncio.wait({task}, timeout=timeout)
            finally:
                self._move_task = None
            if (reason := self._take_preemption()) is not None:
                task.cancel()
                raise BeltFaultError(
                    f"The {label} was cut short to stop the belt", reason=reason
                )
            if not done:
                task.cancel()
                raise self._refused(label, f"no answer within {timeout:g} s")
            if task.cancelled():
                raise self._refused(label, "cancelled")
            if (err := task.exception()) is not None:
                raise self._refused(label, str(err) or type(err).__name__) from err
        if self._refusing:
            self._refusing.clear()
            async_treadmill_obeys(self._hass, self._entry_id)

    def _take_preemption(self) -> str | None:
        """Why the command in flight was cancelled, if a stop cancelled it."""
        reason, self._preempted = self._preempted, None
        return reason

    @callback
    def _cancel_move(self, reason: str) -> None:
        """Cut a start or speed change in flight short; it fails with `reason`."""
        if (move := self._move_task) is not None and not move.done():
            self._preempted = reason
            move.cancel()

    @callback
    def _begin_stop(self, reason: str) -> asyncio.Future[bool]:
        """Cancel what is in flight and send a stop (or join the one under way)."""
        self._commanded = False
        self._cancel_stop_retry()
        self._cancel_move(reason)
        if self._stop_task is None or self._stop_task.done():
            self._stop_task = self._hass.async_create_background_task(
                self._async_send_stop(), f"retrowalk stop {self._title}"
            )
        return asyncio.shield(self._stop_task)

    async def _async_send_stop(self) -> bool:
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await self.treadmill.async_stop()
        except Exception as err:  # noqa: BLE001 - any failure leaves the belt in doubt
            self._refused("stop", str(err) or type(err).__name__)
            self._stop_failed = True
            self._schedule_stop_retry()
            self._reconcile()
            return False
        self._stop_failed = False
        self._reported_running = False  # until the treadmill says otherwise
        self._retries = 0
        self._reconcile()
        return True

    def _refused(self, command: str, error: str) -> BeltFaultError:
        """Remember and report a command the belt did not carry out (logged once)."""
        message = f"{command}: {error}"
        self.last_error = f"{dt_util.utcnow().isoformat()} {message}"
        if command not in self._refusing:
            self._refusing.add(command)
            _LOGGER.error(
                "Treadmill %s did not carry out the %s: %s", self._title, command, error
            )
        async_treadmill_refused(self._hass, self._entry_id, self._title, message)
        return BeltFaultError(message)

    @callback
    def _schedule_stop_retry(self) -> None:
        if self._stop_retry is not None or (self._closed and not self._unsubscribers):
            return
        delay = STOP_RETRY_DELAYS[min(self._retries, len(STOP_RETRY_DELAYS) - 1)]
        self._retries += 1
        self._stop_retry = async_run_later(self._hass, self._retry_stop, delay)

    @callback
    def _retry_stop(self) -> None:
        self._stop_retry = None
        if not self._commanded and self._stop_failed:
            self._begin_stop(REASON_TREADMILL_ERROR)

    @callback
    def _cancel_stop_retry(self) -> None:
        if self._stop_retry is not None:
            self._stop_retry()
            self._stop_retry = None

    # --- the watch -----------------------------------------------------------

    def _now(self) -> float:
        return self._hass.loop.time()

    @callback
    def _on_presence(self, present: bool) -> None:
        self._absent_since = None if present else self._now()
        self._reconcile()

    @callback
    def _reconcile(self) -> None:
        """Arm the grace while the belt may move without a spotter; disarm otherwise."""
        if (
            self._spotter.present
            or not self._spotter.enforced
            or not self.may_move
            or not self._unsubscribers
        ):
            self._cancel_grace()
            self._grace_spent = False
            return
        if self._grace_timer is not None or self._grace_spent:
            return
        absent_since = self._absent_since
        if absent_since is None:
            absent_since = self._absent_since = self._now()
        self._grace_deadline = (
            absent_since + self._spotter.settings.pause_grace.total_seconds()
        )
        self._grace_timer = self._hass.loop.call_at(
            self._grace_deadline, self._on_grace_expired
        )

    @callback
    def _cancel_grace(self) -> None:
        if self._grace_timer is not None:
            self._grace_timer.cancel()
            self._grace_timer = None

    @callback
    def _on_grace_expired(self) -> None:
        if self._now() < self._grace_deadline:  # a timer may fire a little early
            self._grace_timer = self._hass.loop.call_at(
                self._grace_deadline, self._on_grace_expired
            )
            return
        self._grace_timer = None
        if self._spotter.present or not self.may_move:
            return
        # Even if stops have been failing: try again now, not at the next retry.
        self._grace_spent = True
        self._hass.async_create_background_task(
            self._async_safety_stop(), "retrowalk safety stop"
        )

    async def _async_safety_stop(self) -> None:
        """Stop first; then the controller pauses the session and says why."""
        # What the spotter gate is for, not a fault: the logbook and the cues say it.
        _LOGGER.info("No spotter at %s: stopping the belt", self._title)
        await self._begin_stop(REASON_NO_SPOTTER)
        self._notify("safety stop", self._on_safety_stop, REASON_NO_SPOTTER)

    @callback
    def _on_treadmill_status(self, status: TreadmillStatus) -> None:
        """Keep track of the belt; stop one that runs unbidden; then tell the controller.

        A treadmill out of reach keeps the belt's last known state: a belt that
        was running may still run, so it is watched (and stopped) all the same.
        """
        running = status.running if status.available else self._reported_running
        if self._commanded and self._reported_running and not running:
            self._commanded = False  # stopped by itself: never restarted unasked
        if status.available and not self._available:
            self._watch_until = self._now() + RUNNING_BELT_WATCH
        if running and not self._reported_running:
            self._grace_spent = False  # a new stretch of running: watched afresh
        self._available = status.available
        self._reported_running = running
        if (
            running
            and not self._commanded
            and not self._starting
            and not self._move_lock.locked()
            and (self._stop_task is None or self._stop_task.done())
            and self._now() < self._watch_until
        ):
            # Just (back) in reach with its belt running and no session walking:
            # a stop sent meanwhile may not have arrived, or HA restarted.
            _LOGGER.warning(
                "Treadmill %s came back with its belt running; stopping it", self._title
            )
            self._begin_stop(REASON_TREADMILL_ERROR)
        self._reconcile()
        self._notify("status", self._on_status, status)

    def _notify[T](self, name: str, listener: Callable[[T], None], value: T) -> None:
        """Call a listener; its failure is logged once and changes nothing here."""
        try:
            listener(value)
        except Exception:
            if name not in self._failing_listeners:
                self._failing_listeners.add(name)
                _LOGGER.exception(
                    "retrowalk: the %s listener of %s failed", name, self._title
                )
