"""A Bluetooth FTMS treadmill at the byte level, for the adapter's and HA's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from custom_components.retrowalk.treadmills.ftms_protocol import (
    CONTROL_POINT_UUID,
    MACHINE_STATUS_UUID,
    SUPPORTED_SPEED_RANGE_UUID,
    TREADMILL_DATA_UUID,
)

REQUEST_CONTROL = bytes.fromhex("00")
START = bytes.fromhex("07")
STOP = bytes.fromhex("0801")

SUCCESS = 0x01
OP_CODE_NOT_SUPPORTED = 0x02
INVALID_PARAMETER = 0x03
OPERATION_FAILED = 0x04
CONTROL_NOT_PERMITTED = 0x05


def set_speed(kmh: float) -> bytes:
    """Set Target Speed as the machine receives it."""
    return b"\x02" + round(kmh * 100).to_bytes(2, "little")


class FakeFtmsMachine:
    """A treadmill at the byte level that implements `GattLink`.

    It answers control point writes with indications, sends Treadmill Data on
    `tick()`, and has switches for the quirks of real machines.
    """

    def __init__(
        self,
        *,
        speed_range: bytes = bytes.fromhex("3200 5802 0a00"),  # 0.5-6.0, 0.1 km/h
        silent: bool = False,
        refuses_speed_until_started: bool = False,
        countdown_ticks: int = 0,
        split_records: bool = False,
        answers_before_write_returns: bool = False,
        reports_when_subscribed: bool = False,
    ) -> None:
        self.speed_range = speed_range
        self.silent = silent
        self.refuses_speed_until_started = refuses_speed_until_started
        self.countdown_ticks = countdown_ticks
        self.split_records = split_records
        self.answers_before_write_returns = answers_before_write_returns
        # Sends a Data Record as soon as Treadmill Data is subscribed, as a machine
        # that reports all the time may do while the link is still being set up.
        self.reports_when_subscribed = reports_when_subscribed
        self.connect_error: Exception | None = None
        self.notify_error: Exception | None = None
        self.write_error: Exception | None = None
        self.disconnect_error: Exception | None = None
        self.refuses_control = False
        self.drops_when_asked_for_control = False
        self.safety_key_out = False
        self.connects = 0
        self.connected = False
        self.writes: list[bytes] = []
        self.controlled = False
        self.started = False
        self.target_kmh = 0.0
        self.belt_kmh = 0.0
        self.distance_m = 0.0
        self.elapsed_s = 0
        self._countdown = 0
        self._subscriptions: dict[str, Callable[[Any, bytearray], None]] = {}
        self.on_disconnect: Callable[[], None] | None = None

    # --- GattLink and the connect function -----------------------------------

    async def connect(self, on_disconnect: Callable[[], None]) -> FakeFtmsMachine:
        """What the Home Assistant glue's connect function does."""
        self.connects += 1
        await asyncio.sleep(0)
        if self.connect_error is not None:
            raise self.connect_error
        self.connected = True
        self.controlled = False
        self._subscriptions = {}
        self.on_disconnect = on_disconnect
        return self

    @property
    def is_connected(self) -> bool:
        return self.connected

    async def start_notify(
        self, char_specifier: str, callback: Callable[[Any, bytearray], None], /
    ) -> None:
        if self.notify_error is not None:
            raise self.notify_error
        self._subscriptions[char_specifier] = callback
        if self.reports_when_subscribed and char_specifier == TREADMILL_DATA_UUID:
            self.tick(0)

    async def read_gatt_char(self, char_specifier: str, /) -> bytearray:
        assert char_specifier == SUPPORTED_SPEED_RANGE_UUID
        return bytearray(self.speed_range)

    async def write_gatt_char(
        self, char_specifier: str, data: bytes, /, response: bool
    ) -> None:
        assert char_specifier == CONTROL_POINT_UUID
        assert response
        if self.write_error is not None:
            raise self.write_error
        self.writes.append(bytes(data))
        answer = bytearray([0x80, data[0], self._carry_out(bytes(data))])
        if self.silent:
            return
        if self.answers_before_write_returns:
            self.send(CONTROL_POINT_UUID, answer)
        else:
            asyncio.get_running_loop().call_soon(self.send, CONTROL_POINT_UUID, answer)
        if self.drops_when_asked_for_control and data[0] == 0x00:
            self.drop_link()

    async def disconnect(self) -> None:
        if self.disconnect_error is not None:
            raise self.disconnect_error
        self.drop_link()

    # --- the machine ---------------------------------------------------------

    def _carry_out(self, request: bytes) -> int:
        """Do what a request asks; return the result code."""
        op = request[0]
        if op == 0x00:
            self.controlled = not self.refuses_control
            return SUCCESS if self.controlled else CONTROL_NOT_PERMITTED
        if not self.controlled:
            return CONTROL_NOT_PERMITTED
        if op == 0x07:
            if self.safety_key_out:
                return OPERATION_FAILED
            self.started = True
            self._countdown = self.countdown_ticks
            return SUCCESS
        if op == 0x02:
            if self.refuses_speed_until_started and not self.started:
                return OPERATION_FAILED
            minimum, maximum = (
                int.from_bytes(self.speed_range[i : i + 2], "little") for i in (0, 2)
            )
            units = int.from_bytes(request[1:3], "little")
            if not minimum <= units <= maximum:
                return INVALID_PARAMETER
            self.target_kmh = units / 100
            return SUCCESS
        if op == 0x08:
            self.started = False
            return SUCCESS
        return OP_CODE_NOT_SUPPORTED

    def tick(self, seconds: int = 1) -> None:
        """Let time pass and send a Data Record: distance, elapsed time, speed."""
        if self._countdown:
            self._countdown -= 1
        elif self.started:
            self.belt_kmh = self.target_kmh
        else:
            self.belt_kmh = 0.0
        self.distance_m += self.belt_kmh * seconds / 3.6
        self.elapsed_s += seconds
        speed = round(self.belt_kmh * 100).to_bytes(2, "little")
        fields = round(self.distance_m).to_bytes(3, "little") + self.elapsed_s.to_bytes(
            2, "little"
        )
        if self.split_records:
            # flags 0x0405: More Data, distance, elapsed time; then 0x0000: speed
            self.send(TREADMILL_DATA_UUID, bytes.fromhex("0504") + fields)
            self.send(TREADMILL_DATA_UUID, bytes.fromhex("0000") + speed)
        else:
            # flags 0x0404: speed, distance, elapsed time
            self.send(TREADMILL_DATA_UUID, bytes.fromhex("0404") + speed + fields)

    def send(self, char_specifier: str, data: bytes | bytearray) -> None:
        """Notify or indicate a subscribed characteristic."""
        if self.connected and char_specifier in self._subscriptions:
            self._subscriptions[char_specifier](None, bytearray(data))

    def pull_safety_key(self) -> None:
        self.started = False
        self.safety_key_out = True
        self.send(MACHINE_STATUS_UUID, bytes.fromhex("03"))

    def press_console(self, stop_or_pause: int) -> None:
        self.started = False
        self.send(MACHINE_STATUS_UUID, bytes([0x02, stop_or_pause]))

    def start_on_console(self) -> None:
        self.started = True
        self.send(MACHINE_STATUS_UUID, bytes.fromhex("04"))

    def run_without_app(self, kmh: float) -> None:
        """The belt runs, started earlier by someone or something else."""
        self.started = True
        self.target_kmh = self.belt_kmh = kmh

    def reset_on_console(self) -> None:
        self.started = False
        self.controlled = False
        self.send(MACHINE_STATUS_UUID, bytes.fromhex("01"))

    def give_control_to_another_app(self) -> None:
        self.controlled = False
        self.send(MACHINE_STATUS_UUID, bytes.fromhex("ff"))

    def drop_link(self, *, report: bool = True) -> None:
        """The link goes down; bleak reports it unless `report` is False."""
        self.connected = False
        if report:
            self.report_drop()

    def report_drop(self) -> None:
        assert self.on_disconnect is not None
        self.on_disconnect()
