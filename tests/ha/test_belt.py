"""The belt supervisor: no spotter, no moving belt, whatever fails.

One regression test for each way the belt used to keep running without a
spotter (issue letters in the docstrings), on the virtual, entity-bridge and
Bluetooth FTMS treadmills where it applies. "Moving" is what the belt itself
does: the virtual belt's speed, the bridged treadmill's switch, the FTMS
machine's own state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.retrowalk.belt import SPEED_TIMEOUT
from custom_components.retrowalk.calendar import WorkoutCalendar
from custom_components.retrowalk.const import DOMAIN
from custom_components.retrowalk.controller import WorkoutController
from custom_components.retrowalk.treadmills import Treadmill
from tests.treadmills.fake_ftms import FakeFtmsMachine

from .bridge_setup import RUNNING, SPEED
from .helpers import (
    PAUSE_REASON,
    PHASE,
    SPOTTER_SWITCH,
    button,
    call,
    setup_entry,
    spotter_off,
    spotter_on,
    travel,
    until,
)
from .test_entity_bridge import TWO_INTERVALS
from .test_ftms import bluetooth_link
from .test_treadmill_types import TREADMILLS, settle

GRACE = timedelta(seconds=5)
# A switch after 5 s, then a minute backward at 1 mph.
LONG_SECOND_INTERVAL = [
    {"direction": "forward", "duration": 5},
    {"direction": "backward", "duration": 60, "speed": 1.0},
]


@dataclass
class Walker:
    """A loaded treadmill entry and a way to see whether its belt moves."""

    hass: HomeAssistant
    entry: MockConfigEntry
    kind: str
    machine: FakeFtmsMachine

    @property
    def controller(self) -> WorkoutController:
        """The entry's controller."""
        controller: WorkoutController = self.entry.runtime_data.controller
        return controller

    @property
    def treadmill(self) -> Treadmill:
        """The entry's treadmill adapter."""
        return self.controller.treadmill

    virtual_belt: Treadmill

    @property
    def moving(self) -> bool:
        """Whether the belt itself moves (not what retrowalk believes)."""
        if self.kind == "entity_bridge":
            return self.hass.states.get(RUNNING).state == "on"
        if self.kind == "ftms":
            return self.machine.started
        return self.virtual_belt.status.running


@pytest.fixture(params=list(TREADMILLS))
async def walker(
    request: pytest.FixtureRequest, hass: HomeAssistant, enable_bluetooth: None
) -> AsyncIterator[Walker]:
    """Each treadmill type, set up with its spotter present and its belt stopped."""
    machine = FakeFtmsMachine()
    with bluetooth_link(machine):
        entry = await TREADMILLS[request.param](hass)
        await setup_entry(hass, entry)
        await settle(hass)
        yield Walker(
            hass, entry, request.param, machine, entry.runtime_data.controller.treadmill
        )


def hang(
    original: Callable[..., Awaitable[None]] | None = None,
) -> tuple[Callable[..., Awaitable[None]], asyncio.Event]:
    """A command that never answers (after doing `original`, if given)."""
    release = asyncio.Event()

    async def command(*args: Any, **_kwargs: Any) -> None:
        if original is not None:
            await original(*args)
        await release.wait()

    return command, release


def in_background(
    hass: HomeAssistant, service: str, **data: Any
) -> asyncio.Future[Any]:
    """A retrowalk service call that may not return for a while."""
    return asyncio.ensure_future(
        hass.services.async_call(DOMAIN, service, data, blocking=True)
    )


async def settled_travel(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock, then let background work (a belt stop) finish."""
    await travel(hass, freezer, delta)
    await settle(hass)


async def spin() -> None:
    """Let the event loop run a while without waiting for every task.

    While a command hangs, `async_block_till_done` would wait for it forever (the
    test clock does not move by itself), so the hanging tests only spin.
    """
    for _ in range(50):
        await asyncio.sleep(0)


async def loose_travel(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    """Move the clock and let due timers fire, without waiting for hung tasks."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await spin()


async def loose_spotter_off(hass: HomeAssistant) -> None:
    """The spotter walks away, while a command hangs."""
    await hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": SPOTTER_SWITCH}, blocking=True
    )
    await spin()


def phase(hass: HomeAssistant) -> tuple[str, str]:
    """The phase and pause reason sensors."""
    return hass.states.get(PHASE).state, hass.states.get(PAUSE_REASON).state


# --- A: publishing can neither block nor undo a stop -------------------------


async def test_a_failing_listener_cannot_block_or_undo_the_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    walker: Walker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A: an automation and an entity whose writes raise; the belt still stops."""

    def broken_automation(*_args: Any) -> None:
        raise RuntimeError("automation broke")

    walker.controller.publisher.async_add_event_listener(broken_automation)
    with patch.object(
        WorkoutCalendar,
        "event",
        new_callable=PropertyMock,
        side_effect=ValueError("end before start"),
    ):
        await call(hass, "start_session", intervals=TWO_INTERVALS)
        await spotter_off(hass)
        await settled_travel(hass, freezer, GRACE)
    assert not walker.moving
    assert phase(hass) == ("paused", "no_spotter")
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    # Each failing listener is logged once, not once per event.
    assert sum("broken_automation failed" in m for m in failures) == 1
    assert sum("calendar.demo_treadmill_workouts failed" in m for m in failures) == 1


async def test_a_failing_listener_cannot_stop_the_intervals_switching(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, walker: Walker
) -> None:
    """A: the boundary timer is armed before anybody hears of the change."""

    def broken_automation(*_args: Any) -> None:
        raise RuntimeError("automation broke")

    walker.controller.publisher.async_add_event_listener(broken_automation)
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    await settled_travel(hass, freezer, timedelta(seconds=5))
    assert phase(hass) == ("backward", "none")
    await settled_travel(hass, freezer, timedelta(seconds=5))
    assert phase(hass) == ("finished", "none")
    assert not walker.moving


# --- B: the spotter leaves while the belt starts -----------------------------


async def test_spotter_leaving_while_the_belt_starts_stops_it(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, walker: Walker
) -> None:
    """B: the belt is moving, the start has not returned; grace, then stop."""
    slow_start, _release = hang(walker.treadmill.async_start)
    with patch.object(walker.treadmill, "async_start", slow_start):
        starting = in_background(hass, "start_session")
        await spin()
        assert walker.moving
        await loose_spotter_off(hass)
        await loose_travel(hass, freezer, GRACE - timedelta(milliseconds=100))
        assert walker.moving
        await loose_travel(hass, freezer, timedelta(milliseconds=100))
        await settle(hass)
        assert not walker.moving
    with pytest.raises(ServiceValidationError) as err:
        await starting
    assert err.value.translation_key == "no_spotter"
    assert phase(hass) == ("idle", "none")


async def test_spotter_leaving_during_a_bluetooth_connect_cancels_the_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, enable_bluetooth: None
) -> None:
    """B: a connect of seconds; the belt never starts and nothing waits for it."""
    machine = FakeFtmsMachine()
    with bluetooth_link(machine):
        entry = await TREADMILLS["ftms"](hass)
        await setup_entry(hass, entry)
        await settle(hass)
        await entry.runtime_data.controller.treadmill.async_close()
        connecting, _release = hang()
        with patch(
            "custom_components.retrowalk.ftms_link.establish_connection", connecting
        ):
            starting = in_background(hass, "start_session")
            await spin()
            await loose_spotter_off(hass)
            await loose_travel(hass, freezer, GRACE)
            await settle(hass)
        with pytest.raises(ServiceValidationError):
            await starting
        assert not machine.started
        assert phase(hass) == ("idle", "none")


# --- C: a command that hangs --------------------------------------------------


async def test_a_hung_speed_change_cannot_hold_back_the_safety_stop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, walker: Walker
) -> None:
    """C: the switch's speed change never answers; the spotter leaves; stop on time."""
    await call(hass, "start_session", intervals=LONG_SECOND_INTERVAL)
    stuck, _release = hang()
    with patch.object(walker.treadmill, "async_set_speed", stuck):
        await loose_travel(hass, freezer, timedelta(seconds=5))  # the switch
        await loose_spotter_off(hass)
        await loose_travel(hass, freezer, GRACE - timedelta(milliseconds=100))
        assert walker.moving
        await loose_travel(hass, freezer, timedelta(milliseconds=100))
        await settle(hass)
    assert not walker.moving
    assert phase(hass) == ("paused", "no_spotter")


async def test_stop_cuts_a_hung_command_short(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    walker: Walker,
    bus_events: list[Event],
) -> None:
    """C: retrowalk.stop does not wait for the command in flight."""
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    stuck, _release = hang()
    with patch.object(walker.treadmill, "async_set_speed", stuck):
        await loose_travel(hass, freezer, timedelta(seconds=5))
        await hass.services.async_call(DOMAIN, "stop", {}, blocking=True)
        await settle(hass)
    assert not walker.moving
    assert phase(hass) == ("idle", "none")
    assert [e.data["type"] for e in bus_events] == [
        "session_started",
        "interval_switched",
        "session_stopped",
    ]
    assert bus_events[-1].data["reason"] == "user"


async def test_a_command_that_never_answers_times_out_as_a_fault(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    walker: Walker,
    issue_registry: ir.IssueRegistry,
) -> None:
    """C: with the spotter there, a silent treadmill is a fault after the timeout."""
    await call(hass, "start_session", intervals=LONG_SECOND_INTERVAL)
    stuck, _release = hang()
    with patch.object(walker.treadmill, "async_set_speed", stuck):
        await loose_travel(hass, freezer, timedelta(seconds=5))
        assert walker.moving
        await loose_travel(hass, freezer, timedelta(seconds=SPEED_TIMEOUT))
        await settle(hass)
    assert not walker.moving
    assert phase(hass) == ("paused", "treadmill_error")
    issue = issue_registry.async_get_issue(
        DOMAIN, f"treadmill_error_{walker.entry.entry_id}"
    )
    assert issue is not None
    assert "no answer within 10 s" in issue.translation_placeholders["error"]


# --- D: any exception is a treadmill fault ------------------------------------

ERRORS = [
    RuntimeError("boom"),
    TimeoutError(),
    KeyError("speed"),
    ValueError("no such speed"),
    HomeAssistantError("entity refused"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
async def test_any_exception_at_a_switch_pauses_and_stops(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    walker: Walker,
    error: Exception,
) -> None:
    """D: not only the treadmill's own error type."""
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    with patch.object(walker.treadmill, "async_set_speed", side_effect=error):
        await settled_travel(hass, freezer, timedelta(seconds=5))
    assert not walker.moving
    assert phase(hass) == ("paused", "treadmill_error")
    await settled_travel(hass, freezer, timedelta(minutes=5))
    assert not walker.moving  # never restarted by itself


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
async def test_a_start_that_fails_halfway_leaves_the_belt_stopped(
    hass: HomeAssistant, walker: Walker, error: Exception
) -> None:
    """D: the belt got going, then the start raised: stopped, no session."""
    original = walker.treadmill.async_start

    async def start_then_fail(speed_kmh: float) -> None:
        await original(speed_kmh)
        raise error

    with (
        patch.object(walker.treadmill, "async_start", start_then_fail),
        pytest.raises(HomeAssistantError) as err,
    ):
        await call(hass, "start_session")
    assert err.value.translation_key == "treadmill_error"
    await settle(hass)
    assert not walker.moving
    assert phase(hass) == ("idle", "none")


async def test_a_speed_entity_that_raises_on_start_leaves_the_switch_off(
    hass: HomeAssistant, enable_bluetooth: None
) -> None:
    """D, as found: the switch turns on, the speed call raises a RuntimeError."""
    entry = await TREADMILLS["entity_bridge"](hass)
    await setup_entry(hass, entry)

    async def broken_set_value(_call: ServiceCall) -> None:
        raise RuntimeError("integration bug")

    hass.services.async_register("input_number", "set_value", broken_set_value)
    with pytest.raises(HomeAssistantError):
        await call(hass, "start_session")
    await settle(hass)
    assert hass.states.get(RUNNING).state == "off"
    assert hass.states.get(SPEED) is not None
    assert phase(hass) == ("idle", "none")


# --- E: nothing starts while the entry goes away -------------------------------


async def test_no_start_while_the_entry_unloads(
    hass: HomeAssistant, walker: Walker
) -> None:
    """E: a button pressed during the unload is refused; the belt stays stopped."""
    await call(hass, "start_session")
    slow_stop, release = hang(walker.treadmill.async_stop)
    with patch.object(walker.treadmill, "async_stop", slow_stop):
        unloading = asyncio.ensure_future(
            hass.config_entries.async_unload(walker.entry.entry_id)
        )
        await until(lambda: walker.controller.belt.closed)
        for name in ("start", "resume"):
            with pytest.raises(ServiceValidationError) as err:
                await hass.services.async_call(
                    "button", "press", {"entity_id": button(name)}, blocking=True
                )
            assert err.value.translation_key == "shutting_down"
        release.set()
        assert await unloading
    assert not walker.moving


async def test_no_start_once_home_assistant_stops(
    hass: HomeAssistant, walker: Walker
) -> None:
    """E: after the stop event the controller refuses to start the belt."""
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await settle(hass)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": button("start")}, blocking=True
        )
    assert err.value.translation_key == "shutting_down"
    assert not walker.moving


async def test_a_failed_setup_leaves_no_button_that_moves_the_belt(
    hass: HomeAssistant, config_entry: MockConfigEntry, spotter_switch: str
) -> None:
    """E: setup fails after the entities exist; their presses cannot start the belt."""
    real_setup = WorkoutController.async_setup

    async def setup_then_fail(controller: WorkoutController) -> None:
        await real_setup(controller)
        raise RuntimeError("damaged file")

    with patch.object(WorkoutController, "async_setup", setup_then_fail):
        config_entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    # The entities (and their timers) went with the failed setup.
    state = hass.states.get(button("start"))
    assert state is None or state.state == STATE_UNAVAILABLE
    with contextlib.suppress(HomeAssistantError):
        await hass.services.async_call(
            "button", "press", {"entity_id": button("start")}, blocking=True
        )
    assert not config_entry.runtime_data.controller.treadmill.status.running


# --- J: the wall clock does not time the grace ----------------------------------


async def test_a_backward_clock_jump_does_not_delay_the_stop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, walker: Walker
) -> None:
    """J: the wall clock goes back an hour during the grace; the stop is on time."""
    if walker.kind != "virtual":
        pytest.skip("the clock is the same for every treadmill")
    await call(hass, "start_session", program="steady_10")
    await spotter_off(hass)
    freezer.tick(GRACE)
    really = dt_util.utcnow()
    an_hour_back = really - timedelta(hours=1)
    with patch("homeassistant.util.dt.utcnow", return_value=an_hour_back):
        async_fire_time_changed(hass, really)
        await settle(hass)
        assert not walker.moving
        assert phase(hass) == ("paused", "no_spotter")


# --- stops that fail are tried again ------------------------------------------


async def test_a_stop_that_fails_is_tried_again_until_it_works(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    walker: Walker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The belt refuses two stops; the supervisor keeps trying (after 1 s, 2 s)."""
    await call(hass, "start_session", program="steady_10")
    original = walker.treadmill.async_stop
    failures = [RuntimeError("busy"), OSError("link")]

    async def flaky_stop() -> None:
        if failures:
            raise failures.pop(0)
        await original()

    with (
        patch.object(walker.treadmill, "async_stop", flaky_stop),
        caplog.at_level(logging.ERROR),
    ):
        await spotter_off(hass)
        await settled_travel(hass, freezer, GRACE)
        assert walker.moving
        assert phase(hass) == ("paused", "no_spotter")
        await settled_travel(hass, freezer, timedelta(seconds=1))
        assert walker.moving
        await settled_travel(hass, freezer, timedelta(seconds=2))
        assert not walker.moving
    assert caplog.text.count("did not carry out the stop") == 1


async def test_a_belt_started_on_the_console_without_a_spotter_is_stopped(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, walker: Walker
) -> None:
    """No session at all: a belt that runs with nobody watching stops after the grace."""
    if walker.kind != "virtual":
        pytest.skip("the virtual belt stands in for a console start")
    await settled_travel(hass, freezer, timedelta(minutes=1))  # past the startup watch
    await spotter_off(hass)
    await settled_travel(hass, freezer, timedelta(minutes=1))
    await walker.treadmill.async_start(0.8)  # somebody on the console
    await settle(hass)
    assert not walker.moving
    await spotter_on(hass)
    await walker.treadmill.async_start(0.8)
    await settled_travel(hass, freezer, timedelta(minutes=1))
    assert walker.moving  # with a spotter there, the console is the person's choice
