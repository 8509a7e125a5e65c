"""A treadmill that fails in every way, and a Home Assistant whose clocks a test drives.

`ChaosTreadmill` is a physical belt (does it move?) behind a treadmill adapter
whose commands succeed, raise any exception before or after acting, or hang
until cancelled, as a test plans them. It records every stop it was sent and
every start of the belt, and who asked for it (a person's command, or not).

`DrivenHass` runs a real Home Assistant (the test plugin's) on an event loop of
its own, with a wall clock and a monotonic clock the test moves separately: a
jump of the wall clock leaves the monotonic clock alone, as on a real machine.
Time moves from timer to timer, so that everything happens when it is due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
import contextlib
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import heapq
import time
from typing import Any, Self

import freezegun
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import frame
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed_exact,
    async_test_home_assistant,
    mock_storage,
)

from custom_components.retrowalk.treadmills import (
    Treadmill,
    TreadmillError,
    TreadmillStatus,
)


@dataclass
class Command:
    """A person's command: the belt may start for it only until it has returned."""

    returned: bool = False


#: The person's command being carried out, if any.
PERSON: ContextVar[Command | None] = ContextVar("person", default=None)

EXCEPTIONS: tuple[type[Exception], ...] = (
    TreadmillError,
    RuntimeError,
    TimeoutError,
    KeyError,
    ValueError,
    OSError,
    HomeAssistantError,
    ZeroDivisionError,
)

# How a planned command goes: acts or not, then answers, raises or hangs.
OK = "ok"
RAISE_BEFORE = "raise_before"
RAISE_AFTER = "raise_after"
HANG_BEFORE = "hang_before"
HANG_AFTER = "hang_after"
SLOW = "slow"  # acts after a few seconds
SLOW_SECONDS = 4.0
OUTCOMES = (OK, RAISE_BEFORE, RAISE_AFTER, HANG_BEFORE, HANG_AFTER, SLOW)


@dataclass
class StopAttempt:
    """One stop sent to the belt: when, and whether the belt confirmed it.

    `run` counts the belt's starts when the stop ended: a stop belongs to the
    stretch of running it ended in.
    """

    started: float
    ended: float | None = None
    ok: bool = False
    run: int = 0


@dataclass
class Plan:
    """The outcomes planned for the next commands of one kind."""

    outcomes: list[tuple[str, type[Exception]]] = field(default_factory=list)

    def next(self) -> tuple[str, type[Exception]]:
        return self.outcomes.pop(0) if self.outcomes else (OK, RuntimeError)


class ChaosTreadmill(Treadmill):
    """A belt whose commands fail as planned; what it does is recorded."""

    max_speed_kmh = 8.0

    def __init__(self, monotonic: Callable[[], float], *, reports: bool = True) -> None:
        super().__init__()
        self._monotonic = monotonic
        # A treadmill that reports only what it was told (no running state of its own).
        self.reports = reports
        self._told_running = False
        self.runs = 0
        self.open = False
        self.opened_at = 0.0
        self.available = True
        self.moving = False
        self.speed_kmh = 0.0
        self.plans = {"start": Plan(), "set_speed": Plan(), "stop": Plan()}
        self.stops: list[StopAttempt] = []
        self.unasked_starts: list[float] = []
        self.moving_since: float | None = None
        self._hangs: list[asyncio.Future[None]] = []

    async def async_open(self) -> None:
        """Retrowalk starts driving this treadmill (a controller sets up)."""
        self.opened_at = self._monotonic()
        self.open = True

    async def async_close(self) -> None:
        """Retrowalk lets go of it (a controller shut down)."""
        self.open = False

    @property
    def status(self) -> TreadmillStatus:
        running = self.moving if self.reports else self._told_running
        return TreadmillStatus(
            available=self.available,
            running=self.available and running,
            speed_kmh=self.speed_kmh if self.available else 0.0,
            distance_km=0.0,
            fault=None if self.available else "treadmill_unavailable",
        )

    # --- the belt itself ------------------------------------------------------

    def move(self, speed_kmh: float, *, asked: bool) -> None:
        """The belt starts (or changes speed).

        A start must be a person's doing: the console's, or a start or resume
        that has not returned yet (a start that failed must not move the belt later).
        """
        if not self.moving:
            command = PERSON.get()
            if not asked and (command is None or command.returned):
                self.unasked_starts.append(self._monotonic())
            self.moving_since = self._monotonic()
            self.runs += 1
        self.moving = True
        self.speed_kmh = speed_kmh
        self._notify()

    def halt(self) -> None:
        """The belt stops."""
        self.moving = False
        self.speed_kmh = 0.0
        self.moving_since = None
        self._notify()

    def set_available(self, available: bool) -> None:
        """The treadmill goes out of reach (its belt runs on) or comes back."""
        self.available = available
        self._notify()

    def release_hangs(self) -> None:
        """From now on every command works; the hanging ones return (end of a test)."""
        self.available = True
        for plan in self.plans.values():
            plan.outcomes.clear()
        for hang in self._hangs:
            if not hang.done():
                hang.set_result(None)

    # --- the adapter's commands -----------------------------------------------

    async def async_start(self, speed_kmh: float) -> None:
        outcome, error = self.plans["start"].next()
        await self._before(outcome, error)
        self._reachable()
        self.move(speed_kmh, asked=False)
        await self._after(outcome, error)
        self._told_running = True

    async def async_set_speed(self, speed_kmh: float) -> None:
        outcome, error = self.plans["set_speed"].next()
        await self._before(outcome, error)
        self._reachable()
        if not self.moving:
            raise TreadmillError("belt is not running")
        self.move(speed_kmh, asked=False)
        await self._after(outcome, error)

    async def async_stop(self) -> None:
        attempt = StopAttempt(started=self._monotonic())
        self.stops.append(attempt)
        outcome, error = self.plans["stop"].next()
        self._told_running = False
        try:
            await self._before(outcome, error)
            self._reachable()
            self.halt()
            await self._after(outcome, error)
        finally:
            attempt.ended = self._monotonic()
            attempt.run = self.runs
        attempt.ok = True

    def _reachable(self) -> None:
        if not self.available:
            raise TreadmillError("out of reach")

    async def _before(self, outcome: str, error: type[Exception]) -> None:
        if outcome == RAISE_BEFORE:
            raise error("failed before acting")
        if outcome == HANG_BEFORE:
            await self._hang()
        if outcome == SLOW:
            await asyncio.sleep(SLOW_SECONDS)  # say, a Bluetooth connect

    async def _after(self, outcome: str, error: type[Exception]) -> None:
        if outcome == RAISE_AFTER:
            raise error("failed after acting")
        if outcome == HANG_AFTER:
            await self._hang()

    async def _hang(self) -> None:
        hang: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._hangs.append(hang)
        await hang


class Clocks:
    """freezegun's wall clock, and a monotonic clock that only moves forward."""

    def __init__(self, start: datetime) -> None:
        self._freezer = freezegun.freeze_time(start)
        self._offset = 0.0
        self._frozen_monotonic: Callable[[], float] | None = None

    def __enter__(self) -> Self:
        self._factory = self._freezer.start()
        self._frozen_monotonic = time.monotonic
        time.monotonic = self.monotonic  # what the event loop and HA's runner read
        return self

    def __exit__(self, *_exc: object) -> None:
        self._freezer.stop()

    def monotonic(self) -> float:
        assert self._frozen_monotonic is not None
        return self._frozen_monotonic() - self._offset

    def tick(self, seconds: float) -> None:
        """Time passes: both clocks move."""
        self._factory.tick(timedelta(seconds=seconds))

    def jump_wall(self, seconds: float) -> None:
        """Somebody sets the wall clock: the monotonic clock does not move."""
        self._factory.tick(timedelta(seconds=seconds))
        self._offset += seconds


class DrivenHass:
    """A real Home Assistant on a loop of its own, driven step by step."""

    def __init__(
        self, start: datetime = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self._stack = contextlib.ExitStack()
        self.clocks = self._stack.enter_context(Clocks(start))
        self.storage: dict[str, Any] = self._stack.enter_context(mock_storage())
        self.errors: list[BaseException] = []
        self.loop.set_exception_handler(self._on_loop_error)
        self._executor_jobs: set[asyncio.Future[Any]] = set()
        self._background: list[asyncio.Future[Any]] = []
        self._hass_context = async_test_home_assistant(load_registries=True)
        self.hass: HomeAssistant = self.run(self._hass_context.__aenter__())
        # As the `hass` fixture does: Home Assistant reports deprecated usage through it.
        frame.async_setup(self.hass)
        self._track_executor_jobs()

    # --- running --------------------------------------------------------------

    def run[T](self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the loop until it returns."""
        return self.loop.run_until_complete(awaitable)

    def in_background(
        self, factory: Callable[[], Awaitable[Any]], *, person: bool = False
    ) -> asyncio.Future[Any]:
        """Start a call that may hang; its outcome is looked at later (or never)."""
        context = copy_context()
        command = Command() if person else None
        context.run(PERSON.set, command)

        async def call() -> Any:
            try:
                return await factory()
            finally:
                if command is not None:
                    command.returned = True

        task = self.loop.create_task(call(), context=context)
        self._background.append(task)
        return task

    def settle(self) -> None:
        """Run until nothing is ready (hung commands stay hung)."""
        self.run(self._async_settle())

    async def _async_settle(self) -> None:
        quiet = 0
        for _ in range(20_000):
            await asyncio.sleep(0)
            if self.loop._ready or self._executor_jobs:  # type: ignore[attr-defined]
                quiet = 0
                if self._executor_jobs:
                    # A thread works for the loop; the test clock stands still, so
                    # only a real pause lets it finish.
                    time.sleep(0.0005)  # noqa: ASYNC251
                continue
            quiet += 1
            if quiet >= 3:
                return
        raise AssertionError("Home Assistant never came to rest")

    def advance(self, seconds: float, check: Callable[[], None]) -> None:
        """Let time pass, stopping at every timer that falls due, and `check` there."""
        end = self.clocks.monotonic() + seconds
        for _ in range(100_000):
            now = self.clocks.monotonic()
            due = self._next_timer()
            target = end if due is None or due > end else due
            # The clocks count whole microseconds: step by at least one.
            step = max(target - now, 0.0) + (1e-6 if target is due else 0.0)
            if step > 5e-7:
                self.clocks.tick(max(step, 1e-6))
            async_fire_time_changed_exact(self.hass)
            self.settle()
            check()
            if self.clocks.monotonic() >= end - 1e-6:
                return
        raise AssertionError(
            f"time could not pass: a timer keeps firing at {self._next_timer()}, "
            f"now {self.clocks.monotonic()}: {self._due_handles()}"
        )

    def _due_handles(self) -> list[str]:
        now = self.clocks.monotonic()
        return [
            repr(handle)
            for handle in self.loop._scheduled  # type: ignore[attr-defined]
            if not handle.cancelled() and handle.when() <= now + 1
        ]

    def _next_timer(self) -> float | None:
        scheduled = [
            handle
            for handle in self.loop._scheduled  # type: ignore[attr-defined]
            if not handle.cancelled()
        ]
        return heapq.nsmallest(1, scheduled)[0].when() if scheduled else None

    # --- ending ---------------------------------------------------------------

    def close(self, treadmill: ChaosTreadmill | None) -> None:
        """Let hung commands go, stop Home Assistant, and close the loop."""
        try:
            if treadmill is not None:
                treadmill.release_hangs()
            self.settle()
            self._run_with_time(self._async_background_done())
            self._run_with_time(self._async_stop())
        finally:
            self.loop.close()
            self._stack.close()

    async def _async_background_done(self) -> None:
        await asyncio.gather(*self._background, return_exceptions=True)

    def _run_with_time(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run until done, letting a second pass whenever everything waits."""
        future = self.loop.create_task(coroutine)
        for _ in range(600):
            self.settle()
            if future.done():
                future.result()
                return
            self.clocks.tick(1)
            async_fire_time_changed_exact(self.hass)
        raise AssertionError("Home Assistant did not stop within ten minutes")

    async def _async_stop(self) -> None:
        for entry in self.hass.config_entries.async_entries():
            with contextlib.suppress(Exception):
                await self.hass.config_entries.async_unload(entry.entry_id)
        await self.hass.async_stop(force=True)
        await self._hass_context.__aexit__(None, None, None)

    # --- internals ------------------------------------------------------------

    def _on_loop_error(
        self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        self.errors.append(context.get("exception") or RuntimeError(context["message"]))

    def _track_executor_jobs(self) -> None:
        hass = self.hass
        for name in ("async_add_executor_job", "async_add_import_executor_job"):
            original = getattr(hass, name)

            def tracked(*args: Any, _original: Any = original) -> asyncio.Future[Any]:
                future = _original(*args)
                self._executor_jobs.add(future)
                future.add_done_callback(self._executor_jobs.discard)
                return future

            setattr(hass, name, tracked)


@contextlib.contextmanager
def utc_default_zone() -> Iterator[None]:
    """Leave Home Assistant's default time zone as the test plugin expects it."""
    try:
        yield
    finally:
        dt_util.DEFAULT_TIME_ZONE = UTC
