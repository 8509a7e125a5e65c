"""Timers that trust the clock, not the timer: they never run early."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

type Action = Callable[[], Awaitable[None] | None]


@callback
def async_run_at(hass: HomeAssistant, action: Action, due: datetime) -> CALLBACK_TYPE:
    """Run `action` once at `due`; never before `due` by Home Assistant's clock.

    A timer may fire a little early; then it is armed again for the rest.
    Returns a callback that cancels it.
    """
    cancel: CALLBACK_TYPE | None = None

    async def _async_fire(_now: datetime) -> None:
        nonlocal cancel
        if dt_util.utcnow() < due:
            cancel = async_track_point_in_utc_time(hass, _async_fire, due)
            return
        cancel = None
        if (result := action()) is not None:
            await result

    @callback
    def _cancel() -> None:
        if cancel is not None:
            cancel()

    cancel = async_track_point_in_utc_time(hass, _async_fire, due)
    return _cancel


@callback
def async_run_later(
    hass: HomeAssistant, action: Callable[[], None], delay: float
) -> CALLBACK_TYPE:
    """Run the callback `action` once, `delay` seconds from now on the monotonic clock.

    A jump of the wall clock changes nothing. Never runs early: a timer that
    fires a little early is armed again for the rest. Returns a callback that
    cancels it.
    """
    loop = hass.loop
    due = loop.time() + delay
    handle: asyncio.TimerHandle | None = None

    @callback
    def _fire() -> None:
        nonlocal handle
        if loop.time() < due:
            handle = loop.call_at(due, _fire)
            return
        handle = None
        action()

    @callback
    def _cancel() -> None:
        if handle is not None:
            handle.cancel()

    handle = loop.call_at(due, _fire)
    return _cancel
