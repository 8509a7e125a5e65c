"""A treadmill that speaks the Bluetooth Fitness Machine Service (FTMS).

Pure Python: the Home Assistant glue passes in a function that opens the
Bluetooth link (with bleak-retry-connector) and returns a bleak client, of which
this adapter uses only what `GattLink` describes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from typing import Any, Protocol

from . import (
    FAULT_CONSOLE,
    FAULT_CONTROL_LOST,
    FAULT_SAFETY_KEY,
    FAULT_UNAVAILABLE,
    Treadmill,
    TreadmillError,
    TreadmillStatus,
)
from .ftms_protocol import (
    CONTROL_POINT_UUID,
    MACHINE_STATUS_UUID,
    SUPPORTED_SPEED_RANGE_UUID,
    TREADMILL_DATA_UUID,
    ControlOpCode,
    ControlResult,
    FtmsProtocolError,
    MachineStatusKind,
    SpeedRange,
    encode_request_control,
    encode_set_target_speed,
    encode_start_or_resume,
    encode_stop,
    parse_control_response,
    parse_machine_status,
    parse_speed_range,
    parse_treadmill_data,
)

_LOGGER = logging.getLogger(__name__)


class GattLink(Protocol):
    """The part of bleak's `BleakClient` this adapter uses."""

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""

    async def start_notify(
        self, char_specifier: str, callback: Callable[[Any, bytearray], None], /
    ) -> None:
        """Call `callback` with every notification or indication of a characteristic."""

    async def write_gatt_char(
        self, char_specifier: str, data: bytes, /, response: bool
    ) -> None:
        """Write a characteristic's value."""

    async def read_gatt_char(self, char_specifier: str, /) -> bytearray:
        """Read a characteristic's value."""

    async def disconnect(self) -> None:
        """Close the link."""


#: Opens the link; its argument is to be called when the link goes down.
type ConnectFunction = Callable[[Callable[[], None]], Awaitable[GattLink]]


class FtmsTreadmill(Treadmill):
    """A treadmill driven through its FTMS control point.

    It connects when asked to (or lazily, on a start), and never starts the belt
    by itself: after a dropped link only a person's start moves it again.
    """

    def __init__(
        self, connect: ConnectFunction, *, name: str, response_timeout: float = 3.0
    ) -> None:
        """Prepare the adapter; nothing is sent until it connects."""
        super().__init__()
        self._connect = connect
        self._name = name
        self._response_timeout = response_timeout
        #: 0 until the machine has told its Supported Speed Range.
        self.max_speed_kmh = 0.0
        self._speed_range: SpeedRange | None = None
        self._connect_lock = asyncio.Lock()
        self._command_lock = asyncio.Lock()
        # The link, set once it is subscribed and in control. Each attempt to
        # connect has a generation, so that a late disconnect callback of an
        # earlier link is ignored.
        self._link: GattLink | None = None
        self._link_generation = 0
        self._has_control = False
        self._answers_control_point = True
        self._started_on_link = False
        # The link went down while the belt may have been running.
        self._lost_while_running = False
        self._pending: tuple[int, asyncio.Future[ControlResult | None]] | None = None
        # What the status reports.
        self._running = False
        self._speed_kmh = 0.0
        self._distance_km = 0.0
        self._fault: str | None = None
        # After a stop the belt slows down: a speed above zero does not mean it
        # runs again until it has come to rest.
        self._coming_to_rest = False
        self._published = self.status

    @property
    def status(self) -> TreadmillStatus:
        """Availability, running state, belt speed and distance as last reported."""
        return TreadmillStatus(
            available=self._link is not None,
            running=self._running,
            speed_kmh=self._speed_kmh,
            distance_km=self._distance_km,
            fault=self._fault,
        )

    @property
    def speed_range(self) -> SpeedRange | None:
        """The speeds the machine accepts; None until it has connected."""
        return self._speed_range

    async def async_connect(self) -> None:
        """Connect, subscribe, read the speed range and request control.

        Does nothing when already connected.
        """
        async with self._connect_lock:
            if self._link is not None:
                if self._link.is_connected:
                    return
                self._forget_link(FAULT_UNAVAILABLE)  # down, not yet reported
            await self._async_open_link()

    async def async_start(self, speed_kmh: float) -> None:
        """Start the belt, connecting first if needed, then set its speed.

        Start or Resume goes first because some machines refuse a speed while
        the belt stands still. The speed is sent on every start, so it is
        applied again after a reconnect.
        """
        await self.async_connect()
        link = self._require_link()
        speed_kmh = self._fit_speed(speed_kmh)
        await self._async_ensure_control(link)
        self._started_on_link = True
        await self._async_send(link, encode_start_or_resume())
        await self._async_send(link, encode_set_target_speed(speed_kmh))
        self._running = True
        self._lost_while_running = False
        self._coming_to_rest = False
        self._fault = None
        self._publish()

    async def async_set_speed(self, speed_kmh: float) -> None:
        """Change the speed of the running belt."""
        if not self._running:
            raise TreadmillError(f"The belt of {self._name} is not running")
        link = self._require_link()
        if not self._has_control:
            raise TreadmillError(
                f"{self._name} gave control away; start it again to take it back"
            )
        await self._async_send(
            link, encode_set_target_speed(self._fit_speed(speed_kmh))
        )

    async def async_stop(self) -> None:
        """Stop the belt.

        A machine keeps its belt going when the app disappears, so if the link
        went down while the belt may have been running (started on that link, or
        reported running), this connects again to send the stop, and raises
        `TreadmillError` when that fails (the caller tries again later). With
        nothing running when the link went down there is nothing to send.
        """
        link = self._link
        if link is None or not link.is_connected:
            if not (self._started_on_link or self._lost_while_running):
                return
            await self.async_connect()
            link = self._require_link()
        await self._async_ensure_control(link)
        await self._async_send(link, encode_stop())
        self._started_on_link = False
        self._lost_while_running = False
        self._halt(fault=None)
        self._publish()

    async def async_close(self) -> None:
        """Disconnect quietly."""
        async with self._connect_lock:
            if (link := self._link) is not None:
                self._forget_link(fault=None)
                await _async_disconnect_quietly(link)

    # --- the link --------------------------------------------------------------

    async def _async_open_link(self) -> None:
        self._link_generation += 1
        generation = self._link_generation
        try:
            link = await self._connect(lambda: self._on_disconnect(generation))
        except Exception as err:
            raise TreadmillError(f"Could not connect to {self._name}: {err}") from err
        self._answers_control_point = True
        try:
            speed_range = await self._async_set_up(link, generation)
        except TreadmillError:
            await self._async_abandon(link)
            raise
        except Exception as err:
            await self._async_abandon(link)
            raise TreadmillError(f"Could not set up {self._name}: {err}") from err
        self._link = link
        self._speed_range = speed_range
        self.max_speed_kmh = speed_range.max_kmh
        if self._fault == FAULT_UNAVAILABLE:
            self._fault = None
        self._publish()

    async def _async_set_up(self, link: GattLink, generation: int) -> SpeedRange:
        """Subscribe, read the Supported Speed Range and take control."""
        await link.start_notify(CONTROL_POINT_UUID, self._on_control_point)
        await link.start_notify(TREADMILL_DATA_UUID, self._on_treadmill_data)
        await link.start_notify(MACHINE_STATUS_UUID, self._on_machine_status)
        speed_range = parse_speed_range(
            await link.read_gatt_char(SUPPORTED_SPEED_RANGE_UUID)
        )
        await self._async_ensure_control(link)
        if generation != self._link_generation:
            raise TreadmillError(f"{self._name} disconnected while connecting")
        return speed_range

    async def _async_abandon(self, link: GattLink) -> None:
        self._forget_link(fault=None)
        await _async_disconnect_quietly(link)

    def _on_disconnect(self, generation: int) -> None:
        if generation == self._link_generation:
            self._forget_link(FAULT_UNAVAILABLE)

    def _forget_link(self, fault: str | None) -> None:
        """The link is gone: nothing runs under our control any more."""
        if fault == FAULT_UNAVAILABLE and (self._running or self._started_on_link):
            self._lost_while_running = True
        self._link_generation += 1
        self._link = None
        self._has_control = False
        self._started_on_link = False
        self._running = False
        self._speed_kmh = 0.0
        self._coming_to_rest = False
        if fault is not None:
            self._fault = fault
        if self._pending is not None and not self._pending[1].done():
            self._pending[1].set_result(None)
        self._publish()

    def _require_link(self) -> GattLink:
        link = self._link
        if link is None or not link.is_connected:
            raise TreadmillError(f"{self._name} is not connected")
        return link

    # --- the control point -----------------------------------------------------

    async def _async_ensure_control(self, link: GattLink) -> None:
        if not self._has_control:
            await self._async_send(link, encode_request_control())
            self._has_control = True

    async def _async_send(self, link: GattLink, request: bytes) -> None:
        """Write one control point request; raise unless the machine accepts it."""
        async with self._command_lock:
            try:
                result = await self._async_request(link, request)
            finally:
                self._pending = None
        if result is ControlResult.SUCCESS:
            return
        if result is ControlResult.CONTROL_NOT_PERMITTED:
            self._has_control = False
        raise TreadmillError(
            f"{self._name} refused {_describe(ControlOpCode(request[0]))}: "
            f"{_describe(result)}"
        )

    async def _async_request(self, link: GattLink, request: bytes) -> ControlResult:
        """Write a request and wait for its answer; silence counts as success."""
        answer: asyncio.Future[ControlResult | None] | None = None
        if self._answers_control_point:
            answer = asyncio.get_running_loop().create_future()
            self._pending = (request[0], answer)  # set before the answer can arrive
        try:
            await link.write_gatt_char(CONTROL_POINT_UUID, request, response=True)
        except Exception as err:
            raise TreadmillError(f"Could not send to {self._name}: {err}") from err
        if answer is None:
            return ControlResult.SUCCESS
        try:
            async with asyncio.timeout(self._response_timeout):
                result = await answer
        except TimeoutError:
            self._answers_control_point = False
            _LOGGER.warning(
                "%s does not answer on its control point; its commands are taken "
                "as accepted until it reconnects",
                self._name,
            )
            return ControlResult.SUCCESS
        if result is None:
            raise TreadmillError(f"{self._name} disconnected before it answered")
        return result

    def _on_control_point(self, _characteristic: Any, data: bytearray) -> None:
        try:
            response = parse_control_response(data)
        except FtmsProtocolError as err:
            _LOGGER.debug("%s sent an unreadable answer: %s", self._name, err)
            return
        pending = self._pending
        if pending is None or pending[0] != response.request_op or pending[1].done():
            _LOGGER.debug("%s sent an unexpected answer: %s", self._name, response)
            return
        pending[1].set_result(response.result)

    # --- what the machine reports ----------------------------------------------

    def _on_treadmill_data(self, _characteristic: Any, data: bytearray) -> None:
        try:
            record = parse_treadmill_data(data)
        except FtmsProtocolError as err:
            _LOGGER.debug("%s sent unreadable treadmill data: %s", self._name, err)
            return
        if record.distance_m is not None:
            self._distance_km = record.distance_m / 1000
        if record.speed_kmh is not None:
            self._follow_belt(record.speed_kmh)
        self._publish()

    def _follow_belt(self, speed_kmh: float) -> None:
        """Running follows the belt: moving means running, coming to rest stopped.

        A belt standing still right after a start (some machines count down
        first) does not count as stopped.
        """
        was_moving = self._speed_kmh > 0
        self._speed_kmh = speed_kmh
        if speed_kmh > 0:
            if not self._coming_to_rest:
                self._running = True
        elif was_moving:
            self._running = False
            self._coming_to_rest = False

    def _on_machine_status(self, _characteristic: Any, data: bytearray) -> None:
        try:
            status = parse_machine_status(data)
        except FtmsProtocolError as err:
            _LOGGER.debug("%s sent an unreadable status: %s", self._name, err)
            return
        match status.kind:
            case MachineStatusKind.STOPPED_BY_SAFETY_KEY:
                self._halt(FAULT_SAFETY_KEY)
            case MachineStatusKind.STOPPED_OR_PAUSED_BY_USER:
                self._halt(FAULT_CONSOLE)
            case MachineStatusKind.RESET:
                self._halt(fault=None)
                self._has_control = False  # a reset ends control permission
            case MachineStatusKind.STARTED_OR_RESUMED_BY_USER:
                self._running = True
                self._coming_to_rest = False
            case MachineStatusKind.CONTROL_PERMISSION_LOST:
                self._has_control = False
                self._fault = FAULT_CONTROL_LOST
        self._publish()

    def _halt(self, fault: str | None) -> None:
        self._running = False
        self._coming_to_rest = self._speed_kmh > 0
        if fault is not None:
            self._fault = fault

    def _publish(self) -> None:
        """Tell the listeners, if the status changed."""
        if (status := self.status) != self._published:
            self._published = status
            self._notify()

    def _fit_speed(self, speed_kmh: float) -> float:
        """Clamp a speed into the machine's range, on a step of its increment."""
        speed_range = self._speed_range
        assert speed_range is not None  # read when connecting
        if round(speed_kmh, 2) < speed_range.min_kmh:
            raise TreadmillError(
                f"{speed_kmh} km/h is slower than {self._name} goes "
                f"(at least {speed_range.min_kmh} km/h)"
            )
        speed_kmh = min(speed_kmh, speed_range.max_kmh)
        if speed_range.increment_kmh > 0:
            steps = round((speed_kmh - speed_range.min_kmh) / speed_range.increment_kmh)
            speed_kmh = min(
                speed_range.min_kmh + steps * speed_range.increment_kmh,
                speed_range.max_kmh,
            )
        return round(speed_kmh, 2)


async def _async_disconnect_quietly(link: GattLink) -> None:
    try:
        await link.disconnect()
    except Exception:
        _LOGGER.debug("Disconnecting failed", exc_info=True)


def _describe(code: ControlOpCode | ControlResult) -> str:
    """'SET_TARGET_SPEED' as 'set target speed'."""
    return code.name.lower().replace("_", " ")
