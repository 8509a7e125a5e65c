"""The bytes of the Bluetooth Fitness Machine Service (FTMS 1.0) for treadmills.

A pure codec: it turns characteristic values into dataclasses and control point
requests into bytes, and does no input or output. All values are little-endian.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

FITNESS_MACHINE_SERVICE_UUID = "00001826-0000-1000-8000-00805f9b34fb"
FITNESS_MACHINE_FEATURE_UUID = "00002acc-0000-1000-8000-00805f9b34fb"
TREADMILL_DATA_UUID = "00002acd-0000-1000-8000-00805f9b34fb"
TRAINING_STATUS_UUID = "00002ad3-0000-1000-8000-00805f9b34fb"
SUPPORTED_SPEED_RANGE_UUID = "00002ad4-0000-1000-8000-00805f9b34fb"
SUPPORTED_INCLINATION_RANGE_UUID = "00002ad5-0000-1000-8000-00805f9b34fb"
CONTROL_POINT_UUID = "00002ad9-0000-1000-8000-00805f9b34fb"
MACHINE_STATUS_UUID = "00002ada-0000-1000-8000-00805f9b34fb"

_KMH_PER_UNIT = 0.01  # speeds are uint16 in 0.01 km/h
_PERCENT_PER_UNIT = 0.1  # inclination is sint16 in 0.1 %
_SINT16_NOT_AVAILABLE = 0x7FFF  # "Data Not Available" (4.4.1.5)
_MAX_SPEED_UNITS = 0xFFFF


class FtmsProtocolError(ValueError):
    """Bytes that do not form a valid FTMS value."""


class ControlOpCode(IntEnum):
    """Fitness Machine Control Point op codes this client uses (Table 4.15)."""

    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    RESPONSE_CODE = 0x80


class ControlResult(IntEnum):
    """Result codes of a control point response (4.16.2.22)."""

    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


class StopOrPause(IntEnum):
    """Parameter of Stop or Pause requests and statuses (4.16.2.9)."""

    STOP = 0x01
    PAUSE = 0x02


class MachineStatusKind(IntEnum):
    """Fitness Machine Status op codes (4.17); OTHER stands for any other code.

    OTHER uses 0x00, which the specification reserves, so no real status has it.
    """

    OTHER = 0x00
    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    CONTROL_PERMISSION_LOST = 0xFF


@dataclass(frozen=True, kw_only=True)
class TreadmillData:
    """The Treadmill Data fields retrowalk uses (4.4); None when not sent."""

    #: Instantaneous Speed; None in a More Data packet of a split record.
    speed_kmh: float | None = None
    #: Total Distance since the machine's training session started.
    distance_m: int | None = None
    inclination_percent: float | None = None
    elapsed_s: int | None = None


@dataclass(frozen=True, kw_only=True)
class SpeedRange:
    """Supported Speed Range (4.11)."""

    min_kmh: float
    max_kmh: float
    increment_kmh: float


@dataclass(frozen=True, kw_only=True)
class ControlResponse:
    """A control point indication answering one request (4.16.2.22)."""

    request_op: int
    result: ControlResult


@dataclass(frozen=True, kw_only=True)
class MachineStatus:
    """A Fitness Machine Status notification (4.17)."""

    kind: MachineStatusKind
    #: The op code as sent, which tells unknown (OTHER) statuses apart.
    code: int
    stop_or_pause: StopOrPause | None = None
    target_speed_kmh: float | None = None


class _Reader:
    """Takes little-endian integers off the front of a characteristic value."""

    def __init__(self, data: bytes | bytearray, what: str) -> None:
        self._data = bytes(data)
        self._offset = 0
        self._what = what

    def unsigned(self, size: int) -> int:
        return int.from_bytes(self._take(size), "little")

    def signed(self, size: int) -> int:
        return int.from_bytes(self._take(size), "little", signed=True)

    def skip(self, size: int) -> None:
        self._take(size)

    def _take(self, size: int) -> bytes:
        end = self._offset + size
        if end > len(self._data):
            raise FtmsProtocolError(
                f"{self._what} too short: needs {end} bytes, got {len(self._data)}"
            )
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk


# Treadmill Data flags (4.4.1.1). Bit 0, More Data, is inverted: when it is 0 the
# Instantaneous Speed field is present.
_MORE_DATA = 1 << 0
_AVERAGE_SPEED = 1 << 1
_TOTAL_DISTANCE = 1 << 2
_INCLINATION_AND_RAMP = 1 << 3
_ELEVATION_GAIN = 1 << 4
_INSTANTANEOUS_PACE = 1 << 5
_AVERAGE_PACE = 1 << 6
_EXPENDED_ENERGY = 1 << 7
_HEART_RATE = 1 << 8
_METABOLIC_EQUIVALENT = 1 << 9
_ELAPSED_TIME = 1 << 10
_REMAINING_TIME = 1 << 11
_FORCE_AND_POWER = 1 << 12


def parse_treadmill_data(data: bytes | bytearray) -> TreadmillData:
    """Decode a Treadmill Data notification (4.4), fields in flag order.

    Fields retrowalk does not use are skipped by size so that the later ones are
    read from the right place. Reserved flag bits and trailing bytes are ignored.
    """
    reader = _Reader(data, "Treadmill Data")
    flags = reader.unsigned(2)
    speed_kmh = None
    if not flags & _MORE_DATA:
        speed_kmh = _speed(reader.unsigned(2))
    if flags & _AVERAGE_SPEED:
        reader.skip(2)  # uint16, 0.01 km/h
    distance_m = reader.unsigned(3) if flags & _TOTAL_DISTANCE else None
    inclination_percent = None
    if flags & _INCLINATION_AND_RAMP:
        if (inclination := reader.signed(2)) != _SINT16_NOT_AVAILABLE:
            inclination_percent = round(inclination * _PERCENT_PER_UNIT, 1)
        reader.skip(2)  # Ramp Angle Setting, sint16, 0.1 degree
    if flags & _ELEVATION_GAIN:
        reader.skip(4)  # Positive and Negative Elevation Gain, uint16 each, 0.1 m
    if flags & _INSTANTANEOUS_PACE:
        reader.skip(1)  # uint8, 0.1 km/min
    if flags & _AVERAGE_PACE:
        reader.skip(1)  # uint8, 0.1 km/min
    if flags & _EXPENDED_ENERGY:
        reader.skip(5)  # Total Energy and Energy per Hour uint16, per Minute uint8
    if flags & _HEART_RATE:
        reader.skip(1)  # uint8, beats per minute
    if flags & _METABOLIC_EQUIVALENT:
        reader.skip(1)  # uint8, 0.1 MET
    elapsed_s = reader.unsigned(2) if flags & _ELAPSED_TIME else None
    if flags & _REMAINING_TIME:
        reader.skip(2)  # uint16, seconds
    if flags & _FORCE_AND_POWER:
        reader.skip(4)  # Force on Belt (N) and Power Output (W), sint16 each
    return TreadmillData(
        speed_kmh=speed_kmh,
        distance_m=distance_m,
        inclination_percent=inclination_percent,
        elapsed_s=elapsed_s,
    )


def parse_speed_range(data: bytes | bytearray) -> SpeedRange:
    """Decode Supported Speed Range (4.11): minimum, maximum, minimum increment."""
    reader = _Reader(data, "Supported Speed Range")
    speed_range = SpeedRange(
        min_kmh=_speed(reader.unsigned(2)),
        max_kmh=_speed(reader.unsigned(2)),
        increment_kmh=_speed(reader.unsigned(2)),
    )
    if speed_range.min_kmh > speed_range.max_kmh:
        raise FtmsProtocolError(f"Supported Speed Range upside down: {speed_range}")
    return speed_range


def encode_request_control() -> bytes:
    """Request Control (4.16.2.1): must be granted before any other request."""
    return bytes([ControlOpCode.REQUEST_CONTROL])


def encode_reset() -> bytes:
    """Reset (4.16.2.2)."""
    return bytes([ControlOpCode.RESET])


def encode_set_target_speed(speed_kmh: float) -> bytes:
    """Set Target Speed (4.16.2.3): uint16 in 0.01 km/h, rounded to the nearest."""
    units = round(speed_kmh / _KMH_PER_UNIT)
    if not 0 <= units <= _MAX_SPEED_UNITS:
        raise FtmsProtocolError(f"speed {speed_kmh} km/h does not fit a uint16")
    return bytes([ControlOpCode.SET_TARGET_SPEED]) + units.to_bytes(2, "little")


def encode_start_or_resume() -> bytes:
    """Start or Resume (4.16.2.8)."""
    return bytes([ControlOpCode.START_OR_RESUME])


def encode_stop() -> bytes:
    """Stop or Pause (4.16.2.9) with parameter Stop."""
    return bytes([ControlOpCode.STOP_OR_PAUSE, StopOrPause.STOP])


def encode_pause() -> bytes:
    """Stop or Pause (4.16.2.9) with parameter Pause."""
    return bytes([ControlOpCode.STOP_OR_PAUSE, StopOrPause.PAUSE])


def parse_control_response(data: bytes | bytearray) -> ControlResponse:
    """Decode a control point indication: 0x80, request op code, result (4.16.2.22)."""
    reader = _Reader(data, "Control point response")
    if (op := reader.unsigned(1)) != ControlOpCode.RESPONSE_CODE:
        raise FtmsProtocolError(f"Control point indication op code {op:#04x}")
    request_op = reader.unsigned(1)
    result = reader.unsigned(1)
    try:
        return ControlResponse(request_op=request_op, result=ControlResult(result))
    except ValueError as err:
        raise FtmsProtocolError(f"Unknown control point result {result:#04x}") from err


def parse_machine_status(data: bytes | bytearray) -> MachineStatus:
    """Decode a Fitness Machine Status notification (4.17)."""
    reader = _Reader(data, "Fitness Machine Status")
    code = reader.unsigned(1)
    try:
        kind = MachineStatusKind(code)
    except ValueError:
        kind = MachineStatusKind.OTHER
    if kind is MachineStatusKind.STOPPED_OR_PAUSED_BY_USER:
        parameter = reader.unsigned(1)
        try:
            stop_or_pause = StopOrPause(parameter)
        except ValueError as err:
            raise FtmsProtocolError(f"Unknown stop or pause {parameter:#04x}") from err
        return MachineStatus(kind=kind, code=code, stop_or_pause=stop_or_pause)
    if kind is MachineStatusKind.TARGET_SPEED_CHANGED:
        target_speed_kmh = _speed(reader.unsigned(2))
        return MachineStatus(kind=kind, code=code, target_speed_kmh=target_speed_kmh)
    return MachineStatus(kind=kind, code=code)


def _speed(units: int) -> float:
    """A uint16 in 0.01 km/h, as km/h without binary noise."""
    return round(units * _KMH_PER_UNIT, 2)
