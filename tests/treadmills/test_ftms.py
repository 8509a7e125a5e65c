"""The FTMS treadmill adapter, against a fake machine that speaks the bytes."""

from __future__ import annotations

import ast
import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from custom_components.retrowalk.treadmills import (
    FAULT_CONSOLE,
    FAULT_CONTROL_LOST,
    FAULT_SAFETY_KEY,
    FAULT_UNAVAILABLE,
    TreadmillError,
    TreadmillStatus,
    ftms,
)
from custom_components.retrowalk.treadmills.ftms import FtmsTreadmill
from custom_components.retrowalk.treadmills.ftms_protocol import (
    CONTROL_POINT_UUID,
    MACHINE_STATUS_UUID,
    TREADMILL_DATA_UUID,
    SpeedRange,
)

from .fake_ftms import REQUEST_CONTROL, START, STOP, FakeFtmsMachine, set_speed

FTMS_LOGGER = "custom_components.retrowalk.treadmills.ftms"


class Seen:
    """Collects the statuses a treadmill tells its listeners."""

    def __init__(self, treadmill: FtmsTreadmill) -> None:
        self.statuses: list[TreadmillStatus] = []
        treadmill.add_listener(self.statuses.append)

    @property
    def last(self) -> TreadmillStatus:
        return self.statuses[-1]


def make_treadmill(
    machine: FakeFtmsMachine, response_timeout: float = 3.0
) -> FtmsTreadmill:
    return FtmsTreadmill(
        machine.connect, name="Test treadmill", response_timeout=response_timeout
    )


async def test_connect_reads_the_speed_range_and_takes_control() -> None:
    """The range comes from the machine; connecting twice opens one link."""
    machine = FakeFtmsMachine(speed_range=bytes.fromhex("5000 5203 0500"))
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    assert (treadmill.speed_range, treadmill.max_speed_kmh) == (None, 0.0)
    await asyncio.gather(treadmill.async_connect(), treadmill.async_connect())
    await treadmill.async_connect()
    assert machine.connects == 1
    assert machine.writes == [REQUEST_CONTROL]
    assert treadmill.speed_range == SpeedRange(
        min_kmh=0.8, max_kmh=8.5, increment_kmh=0.05
    )
    assert treadmill.max_speed_kmh == 8.5
    assert seen.statuses == [
        TreadmillStatus(available=True, running=False, speed_kmh=0.0, distance_km=0.0)
    ]


async def test_start_sends_start_before_the_speed() -> None:
    """Start or Resume first: this machine refuses a speed while standing."""
    machine = FakeFtmsMachine(refuses_speed_until_started=True)
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    assert machine.writes == [REQUEST_CONTROL, START, set_speed(3.0)]
    assert seen.last.running
    machine.tick(seconds=3600)
    assert seen.last == TreadmillStatus(
        available=True, running=True, speed_kmh=3.0, distance_km=3.0
    )


@pytest.mark.parametrize(
    ("speed_range", "asked_kmh", "sent_kmh"),
    [
        ("3200 5802 0a00", 10.0, 6.0),  # above the maximum: the maximum
        ("3200 5802 0a00", 2.34, 2.3),  # onto the 0.1 km/h steps
        ("6400 5802 3200", 2.3, 2.5),  # 1.0 + 0.5 km/h steps
        ("6400 1202 3200", 5.4, 5.3),  # a maximum off the steps is kept
        ("3200 5802 0000", 2.347, 2.35),  # no increment: 0.01 km/h
        ("3200 5802 0a00", 0.5, 0.5),  # the minimum itself
    ],
)
async def test_speeds_are_fitted_to_the_machine_range(
    speed_range: str, asked_kmh: float, sent_kmh: float
) -> None:
    """Clamped to the maximum and rounded to the machine's increment."""
    machine = FakeFtmsMachine(speed_range=bytes.fromhex(speed_range))
    treadmill = make_treadmill(machine)
    await treadmill.async_start(asked_kmh)
    assert machine.writes[-1] == set_speed(sent_kmh)


async def test_a_speed_below_the_minimum_is_refused_without_sending() -> None:
    """Below the machine's minimum nothing moves."""
    machine = FakeFtmsMachine()  # minimum 0.5 km/h
    treadmill = make_treadmill(machine)
    with pytest.raises(TreadmillError, match=r"slower than Test treadmill goes"):
        await treadmill.async_start(0.4)
    assert machine.writes == [REQUEST_CONTROL]
    assert not machine.started


async def test_set_speed_needs_a_running_belt() -> None:
    """A stopped belt refuses speeds; a running one gets them fitted."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    with pytest.raises(TreadmillError, match="not running"):
        await treadmill.async_set_speed(2.0)
    await treadmill.async_start(2.0)
    await treadmill.async_set_speed(4.04)
    assert machine.writes[-1] == set_speed(4.0)
    await treadmill.async_stop()
    with pytest.raises(TreadmillError, match="not running"):
        await treadmill.async_set_speed(2.0)


async def test_stop_stops_and_ignores_the_belt_slowing_down() -> None:
    """After a stop, speeds above zero while slowing down do not mean running."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    machine.tick()
    await treadmill.async_stop()
    assert machine.writes[-1] == STOP
    assert not seen.last.running
    machine.send(TREADMILL_DATA_UUID, bytes.fromhex("0000 9600"))  # 1.50 km/h
    assert seen.last == TreadmillStatus(
        available=True, running=False, speed_kmh=1.5, distance_km=0.001
    )
    machine.tick()  # at rest
    machine.send(TREADMILL_DATA_UUID, bytes.fromhex("0000 9600"))  # moving again
    assert seen.last.running


async def test_a_countdown_is_not_a_stop_but_a_belt_coming_to_rest_is() -> None:
    """Zero speed right after a start keeps running; zero after moving stops."""
    machine = FakeFtmsMachine(countdown_ticks=2)
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(2.0)
    machine.tick()
    machine.tick()
    assert seen.last.running
    assert seen.last.speed_kmh == 0.0
    machine.tick()
    assert seen.last.speed_kmh == 2.0
    machine.started = False  # stopped on a console that sends no status
    machine.tick()
    assert (seen.last.running, seen.last.fault) == (False, None)


async def test_split_records_update_distance_and_speed() -> None:
    """A More Data packet brings the distance, the next one the speed."""
    machine = FakeFtmsMachine(split_records=True)
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.6)
    machine.tick(seconds=10)
    machine.tick(seconds=10)
    assert seen.last.speed_kmh == 3.6
    assert seen.last.distance_km == pytest.approx(0.02)


async def test_stop_without_a_link_is_quiet_unless_the_belt_may_run() -> None:
    """Never connected, or stopped before the drop: nothing to stop, no error."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_stop()
    assert machine.connects == 0
    await treadmill.async_start(3.0)
    await treadmill.async_stop()
    machine.drop_link()
    machine.writes.clear()
    await treadmill.async_stop()
    assert machine.connects == 1
    assert machine.writes == []


@pytest.mark.parametrize("reported", [True, False])
async def test_a_belt_that_may_run_after_a_drop_is_stopped_over_a_new_link(
    reported: bool,
) -> None:
    """The machine keeps running without its app: reconnect and send the stop."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.drop_link(report=reported)
    machine.connect_error = OSError("out of range")
    with pytest.raises(TreadmillError, match="out of range"):
        await treadmill.async_stop()
    assert machine.started
    machine.connect_error = None
    machine.writes.clear()
    await treadmill.async_stop()
    assert machine.connects == 3  # the first, the failed one, the one that stops it
    assert machine.writes == [REQUEST_CONTROL, STOP]
    assert not machine.started
    assert not treadmill.status.running
    await treadmill.async_close()
    await treadmill.async_stop()  # stopped before this drop: nothing to send
    assert machine.connects == 3


async def test_a_drop_makes_it_unavailable_and_the_next_start_reconnects() -> None:
    """The drop is a fault; a person's start reconnects and sends the speed again."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    machine.tick()
    machine.drop_link()
    assert seen.last == TreadmillStatus(
        available=False,
        running=False,
        speed_kmh=0.0,
        distance_km=0.001,
        fault=FAULT_UNAVAILABLE,
    )
    await treadmill.async_stop()  # the controller's pause: over a new link
    assert machine.connects == 2
    machine.writes.clear()
    await treadmill.async_start(3.0)
    assert machine.connects == 2
    assert machine.writes == [START, set_speed(3.0)]
    assert seen.last.available
    assert seen.last.running
    assert seen.last.fault is None


async def test_a_reconnect_clears_only_the_unavailable_fault() -> None:
    """Connecting again ends unavailability; other faults wait for a start."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_connect()
    machine.drop_link()
    await treadmill.async_connect()
    assert treadmill.status.fault is None
    machine.pull_safety_key()
    await treadmill.async_close()
    await treadmill.async_connect()
    assert treadmill.status.fault == FAULT_SAFETY_KEY


async def test_the_belt_is_never_restarted_by_a_reconnect() -> None:
    """Reconnecting after a drop sends no start."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.drop_link()
    machine.writes.clear()
    await treadmill.async_connect()
    assert machine.writes == [REQUEST_CONTROL]
    assert not treadmill.status.running


async def test_an_unreported_drop_is_noticed_on_the_next_start() -> None:
    """A link that went down without a callback is replaced."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.drop_link(report=False)
    report_old_drop = machine.on_disconnect
    assert report_old_drop is not None
    with pytest.raises(TreadmillError, match="is not connected"):
        await treadmill.async_set_speed(2.0)
    await treadmill.async_start(2.0)
    assert machine.connects == 2
    report_old_drop()  # the old link's late callback
    assert treadmill.status.available


async def test_a_silent_control_point_is_waited_for_once_per_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No answer: commands count as accepted and are not waited for again."""
    machine = FakeFtmsMachine(silent=True)
    treadmill = make_treadmill(machine, response_timeout=0.01)
    with caplog.at_level(logging.WARNING, logger=FTMS_LOGGER):
        await treadmill.async_start(3.0)
        await treadmill.async_set_speed(4.0)
        await treadmill.async_stop()
        (warning,) = caplog.records
        assert "Test treadmill does not answer" in warning.getMessage()
        assert machine.writes == [
            REQUEST_CONTROL,
            START,
            set_speed(3.0),
            set_speed(4.0),
            STOP,
        ]
        machine.drop_link()
        await treadmill.async_start(3.0)
    assert len(caplog.records) == 2


async def test_an_answer_before_the_write_returns_is_not_missed() -> None:
    """Machines may indicate before the write response arrives."""
    machine = FakeFtmsMachine(answers_before_write_returns=True)
    treadmill = make_treadmill(machine, response_timeout=60)
    await asyncio.wait_for(treadmill.async_start(3.0), timeout=5)
    assert treadmill.status.running


async def test_a_refused_command_names_the_result() -> None:
    """A non-success answer is an error saying what was refused and why."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_connect()
    machine.safety_key_out = True
    with pytest.raises(
        TreadmillError, match="refused start or resume: operation failed"
    ):
        await treadmill.async_start(3.0)
    assert not treadmill.status.running


async def test_control_refused_at_connect_fails_and_disconnects() -> None:
    """Without control the machine is of no use: the link is closed."""
    machine = FakeFtmsMachine()
    machine.refuses_control = True
    treadmill = make_treadmill(machine)
    with pytest.raises(
        TreadmillError, match="refused request control: control not permitted"
    ):
        await treadmill.async_connect()
    assert not machine.connected
    assert not treadmill.status.available


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            {"connect_error": TimeoutError("no reply")},
            "Could not connect to Test treadmill: no reply",
        ),
        (
            {"notify_error": OSError("no such characteristic")},
            "Could not set up Test treadmill: no such characteristic",
        ),
        (
            {"speed_range": bytes.fromhex("3200")},
            "Could not set up Test treadmill: Supported Speed Range too short",
        ),
        (
            {"drops_when_asked_for_control": True},
            "disconnected before it answered",
        ),
        (
            {
                "drops_when_asked_for_control": True,
                "answers_before_write_returns": True,
            },
            "disconnected while connecting",
        ),
    ],
)
async def test_a_failing_connection_is_a_treadmill_error(
    breakage: dict[str, Any], message: str
) -> None:
    """Every way connecting fails becomes a clear TreadmillError."""
    machine = FakeFtmsMachine()
    for attribute, value in breakage.items():
        setattr(machine, attribute, value)
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    with pytest.raises(TreadmillError, match=message):
        await treadmill.async_start(3.0)
    assert not machine.connected
    assert not treadmill.status.available
    assert not machine.started
    assert not any(status.available for status in seen.statuses)


async def test_a_failing_write_is_a_treadmill_error() -> None:
    """Bluetooth errors while writing become TreadmillErrors."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.write_error = OSError("write failed")
    with pytest.raises(TreadmillError, match="Could not send to Test treadmill"):
        await treadmill.async_stop()


async def test_a_drop_while_waiting_for_an_answer_fails_the_command() -> None:
    """The command does not wait for the timeout once the link is gone."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine, response_timeout=60)
    await treadmill.async_start(3.0)
    machine.silent = True
    stopping = asyncio.create_task(treadmill.async_stop())
    await asyncio.sleep(0.01)
    machine.drop_link()
    with pytest.raises(TreadmillError, match="disconnected before it answered"):
        await asyncio.wait_for(stopping, timeout=5)


async def test_safety_key_stops_with_its_fault_until_the_next_start() -> None:
    """The safety key fault stays until a successful start clears it."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    machine.tick()
    machine.pull_safety_key()
    assert seen.last == TreadmillStatus(
        available=True,
        running=False,
        speed_kmh=3.0,
        distance_km=0.001,
        fault=FAULT_SAFETY_KEY,
    )
    machine.tick()  # the belt comes to rest
    assert seen.last.fault == FAULT_SAFETY_KEY
    machine.safety_key_out = False
    await treadmill.async_start(3.0)
    assert seen.last.running
    assert seen.last.fault is None


@pytest.mark.parametrize("stop_or_pause", [0x01, 0x02])
async def test_console_stop_or_pause_is_a_console_fault(stop_or_pause: int) -> None:
    """Stopped or paused by the user: not running, fault console."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    machine.press_console(stop_or_pause)
    assert not seen.last.running
    assert seen.last.fault == FAULT_CONSOLE


async def test_a_console_start_shows_as_running() -> None:
    """Started or resumed by the user: running, the fault kept."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.press_console(0x02)
    machine.start_on_console()
    assert treadmill.status.running
    assert treadmill.status.fault == FAULT_CONSOLE


async def test_lost_control_is_a_fault_and_is_taken_back_to_stop_or_start() -> None:
    """Control lost: still running, no speeds; a stop or start asks again."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    seen = Seen(treadmill)
    await treadmill.async_start(3.0)
    machine.give_control_to_another_app()
    assert seen.last.running
    assert seen.last.fault == FAULT_CONTROL_LOST
    with pytest.raises(TreadmillError, match="gave control away"):
        await treadmill.async_set_speed(2.0)
    machine.writes.clear()
    await treadmill.async_stop()
    assert machine.writes == [REQUEST_CONTROL, STOP]
    machine.give_control_to_another_app()
    machine.writes.clear()
    await treadmill.async_start(2.0)
    assert machine.writes == [REQUEST_CONTROL, START, set_speed(2.0)]
    assert seen.last.fault is None


async def test_control_not_permitted_asks_for_control_on_the_next_start() -> None:
    """Control withdrawn without a status: the refusal is remembered."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.controlled = False
    with pytest.raises(TreadmillError, match="control not permitted"):
        await treadmill.async_set_speed(2.0)
    machine.writes.clear()
    await treadmill.async_start(2.0)
    assert machine.writes == [REQUEST_CONTROL, START, set_speed(2.0)]


async def test_a_reset_stops_and_ends_control() -> None:
    """After a reset the belt stands and control is requested again."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    machine.reset_on_console()
    assert not treadmill.status.running
    assert treadmill.status.fault is None
    machine.writes.clear()
    await treadmill.async_start(3.0)
    assert machine.writes == [REQUEST_CONTROL, START, set_speed(3.0)]


@pytest.mark.parametrize(
    ("characteristic", "data"),
    [
        (TREADMILL_DATA_UUID, "0400 2c01"),  # distance announced, missing
        (MACHINE_STATUS_UUID, "02"),  # stopped or paused without parameter
        (MACHINE_STATUS_UUID, "052c01"),  # target speed changed: no news
        (MACHINE_STATUS_UUID, "06f6ff"),  # target incline changed: other
        (CONTROL_POINT_UUID, "80"),  # unreadable answer
        (CONTROL_POINT_UUID, "800701"),  # an answer nobody waits for
    ],
)
async def test_unreadable_or_irrelevant_notifications_change_nothing(
    characteristic: str, data: str
) -> None:
    """Malformed bytes are ignored, not raised into bleak's callback."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_start(3.0)
    seen = Seen(treadmill)
    machine.send(characteristic, bytes.fromhex(data))
    assert seen.statuses == []
    assert treadmill.status.running


async def test_close_disconnects_quietly() -> None:
    """Closing drops the link without a fault, even if disconnecting fails."""
    machine = FakeFtmsMachine()
    treadmill = make_treadmill(machine)
    await treadmill.async_close()
    await treadmill.async_connect()
    await treadmill.async_close()
    assert not machine.connected
    assert treadmill.status == TreadmillStatus(
        available=False, running=False, speed_kmh=0.0, distance_km=0.0
    )
    await treadmill.async_connect()
    machine.disconnect_error = OSError("already gone")
    await treadmill.async_close()
    assert not treadmill.status.available


def test_the_adapter_imports_no_bluetooth_library() -> None:
    """bleak stays in the Home Assistant glue; the adapter only knows GattLink."""
    source = Path(ftms.__file__).read_text()
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name and name.startswith("bleak")}
