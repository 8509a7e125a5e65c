"""The FTMS codec, against byte vectors built by hand from the specification."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.retrowalk.treadmills.ftms_protocol import (
    CONTROL_POINT_UUID,
    FITNESS_MACHINE_SERVICE_UUID,
    MACHINE_STATUS_UUID,
    SUPPORTED_SPEED_RANGE_UUID,
    TREADMILL_DATA_UUID,
    ControlResponse,
    ControlResult,
    FtmsProtocolError,
    MachineStatus,
    MachineStatusKind,
    SpeedRange,
    StopOrPause,
    TreadmillData,
    encode_pause,
    encode_request_control,
    encode_reset,
    encode_set_target_speed,
    encode_start_or_resume,
    encode_stop,
    parse_control_response,
    parse_machine_status,
    parse_speed_range,
    parse_treadmill_data,
)

# Size in bytes of the fields each Treadmill Data flag bit adds, in spec order
# (bit 0 is inverted: the speed is there when it is clear).
FIELD_SIZES = {
    0: 2,  # Instantaneous Speed
    1: 2,  # Average Speed
    2: 3,  # Total Distance
    3: 4,  # Inclination + Ramp Angle Setting
    4: 4,  # Positive + Negative Elevation Gain
    5: 1,  # Instantaneous Pace
    6: 1,  # Average Pace
    7: 5,  # Total Energy + Energy per Hour + Energy per Minute
    8: 1,  # Heart Rate
    9: 1,  # Metabolic Equivalent
    10: 2,  # Elapsed Time
    11: 2,  # Remaining Time
    12: 4,  # Force on Belt + Power Output
}


def payload_size(flags: int) -> int:
    """How many bytes follow the flags for a Treadmill Data value."""
    size = 0 if flags & 1 else FIELD_SIZES[0]
    return size + sum(FIELD_SIZES[bit] for bit in range(1, 13) if flags & (1 << bit))


def test_uuids_are_the_sig_assigned_numbers() -> None:
    """16-bit assigned numbers expanded on the Bluetooth base UUID."""
    assert FITNESS_MACHINE_SERVICE_UUID == "00001826-0000-1000-8000-00805f9b34fb"
    assert TREADMILL_DATA_UUID == "00002acd-0000-1000-8000-00805f9b34fb"
    assert SUPPORTED_SPEED_RANGE_UUID == "00002ad4-0000-1000-8000-00805f9b34fb"
    assert CONTROL_POINT_UUID == "00002ad9-0000-1000-8000-00805f9b34fb"
    assert MACHINE_STATUS_UUID == "00002ada-0000-1000-8000-00805f9b34fb"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            # flags 0x0000: only Instantaneous Speed, 350 × 0.01 = 3.50 km/h
            bytes.fromhex("0000 5e01"),
            TreadmillData(speed_kmh=3.5),
            id="speed only",
        ),
        pytest.param(
            # flags 0x0404: distance (bit 2) + elapsed time (bit 10);
            # speed 200 = 2.00 km/h, distance 0x0004d2 = 1234 m, elapsed 0x0258 = 600 s
            bytes.fromhex("0404 c800 d20400 5802"),
            TreadmillData(speed_kmh=2.0, distance_m=1234, elapsed_s=600),
            id="distance and elapsed time",
        ),
        pytest.param(
            # flags 0x1ffe: every field but More Data. speed 500 = 5.00 km/h,
            # average speed 450, distance 0x011170 = 70000 m, inclination -15 =
            # -1.5 %, ramp 0x7fff, elevation +12 -3, pace 0x64, average pace
            # 0x5a, energy 100 kcal, 400 kcal/h, 7 kcal/min, heart rate 120,
            # MET 4.5, elapsed 0x0e4d = 3661 s, remaining 300 s, force 50 N,
            # power 80 W
            bytes.fromhex(
                "fe1f f401 c201 701101 f1ff ff7f 0c00 0300 64 5a"
                "6400 9001 07 78 2d 4d0e 2c01 3200 5000"
            ),
            TreadmillData(
                speed_kmh=5.0,
                distance_m=70000,
                inclination_percent=-1.5,
                elapsed_s=3661,
            ),
            id="every field",
        ),
        pytest.param(
            # flags 0x0580: energy (bit 7) + heart rate (bit 8) + elapsed (bit 10),
            # speed 0x012c = 3.00 km/h, energy 0x0010 / 0xffff / 0xff, heart
            # rate 0x5a, elapsed 0x003c = 60 s: the skipped fields place it
            bytes.fromhex("8005 2c01 1000 ffff ff 5a 3c00"),
            TreadmillData(speed_kmh=3.0, elapsed_s=60),
            id="elapsed time after skipped fields",
        ),
        pytest.param(
            # flags 0x0405: More Data set (no speed) + distance + elapsed, the
            # first notification of a Data Record split in two
            bytes.fromhex("0504 d20400 5802"),
            TreadmillData(distance_m=1234, elapsed_s=600),
            id="more data",
        ),
        pytest.param(
            # flags 0x0009: More Data + inclination; inclination 0x7fff means
            # "Data Not Available", ramp 0x0000
            bytes.fromhex("0900 ff7f 0000"),
            TreadmillData(),
            id="inclination not available",
        ),
        pytest.param(
            # flags 0x2000: a reserved bit, then a trailing byte: both ignored
            bytes.fromhex("0020 e803 07"),
            TreadmillData(speed_kmh=10.0),
            id="reserved bit and trailing byte",
        ),
    ],
)
def test_treadmill_data_follows_the_flags(data: bytes, expected: TreadmillData) -> None:
    """Each flag adds its field in spec order; More Data drops the speed."""
    assert parse_treadmill_data(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",  # no flags
        bytes.fromhex("00"),  # half the flags
        bytes.fromhex("0000 5e"),  # speed cut short
        bytes.fromhex("0400 5e01 d204"),  # distance cut short
        bytes.fromhex("0004 5e01 58"),  # elapsed time cut short
        bytes.fromhex("0110"),  # force and power announced, absent
    ],
)
def test_truncated_treadmill_data_is_an_error(data: bytes) -> None:
    """A field the flags announce but the bytes do not hold raises."""
    with pytest.raises(FtmsProtocolError, match="Treadmill Data too short"):
        parse_treadmill_data(data)


@given(flags=st.integers(0, 0xFFFF), filler=st.binary(min_size=32, max_size=32))
def test_every_flags_value_parses_with_enough_bytes(flags: int, filler: bytes) -> None:
    """Any flags with exactly the bytes they announce parse; one byte less does not."""
    payload = filler[: payload_size(flags)]
    data = flags.to_bytes(2, "little") + payload
    record = parse_treadmill_data(data)
    assert (record.speed_kmh is None) == bool(flags & 1)
    assert (record.elapsed_s is None) == (not flags & 1 << 10)
    if payload:
        with pytest.raises(FtmsProtocolError):
            parse_treadmill_data(data[:-1])


@given(units=st.integers(0, 0xFFFF))
def test_speed_round_trips_through_the_codec(units: int) -> None:
    """A Set Target Speed parameter decodes back to the same speed."""
    speed_kmh = units / 100
    request = encode_set_target_speed(speed_kmh)
    assert request == b"\x02" + units.to_bytes(2, "little")
    assert parse_treadmill_data(b"\x00\x00" + request[1:]).speed_kmh == speed_kmh


@given(speed_kmh=st.floats(0, 655.35))
def test_any_speed_encodes_to_the_nearest_hundredth(speed_kmh: float) -> None:
    """Encoding rounds to 0.01 km/h: the decoded speed is at most half a step off."""
    request = encode_set_target_speed(speed_kmh)
    decoded = parse_treadmill_data(b"\x00\x00" + request[1:]).speed_kmh
    assert decoded == pytest.approx(speed_kmh, abs=0.005 + 1e-9)


def test_speed_range() -> None:
    """Minimum 0x0064 = 1.00, maximum 0x0258 = 6.00, increment 0x000a = 0.10 km/h."""
    assert parse_speed_range(bytes.fromhex("6400 5802 0a00")) == SpeedRange(
        min_kmh=1.0, max_kmh=6.0, increment_kmh=0.1
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes.fromhex("6400 5802 0a"), "too short"),  # increment cut short
        (bytes.fromhex("5802 6400 0a00"), "upside down"),  # 6.00 to 1.00 km/h
    ],
)
def test_malformed_speed_range_is_an_error(data: bytes, message: str) -> None:
    """A short or inverted range raises."""
    with pytest.raises(FtmsProtocolError, match=message):
        parse_speed_range(data)


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (encode_request_control(), "00"),
        (encode_reset(), "01"),
        (encode_start_or_resume(), "07"),
        (encode_stop(), "0801"),
        (encode_pause(), "0802"),
        (encode_set_target_speed(3.2), "024001"),  # 320 = 0x0140
        (encode_set_target_speed(2.344), "02ea00"),  # 234.4 rounds to 234
        (encode_set_target_speed(2.346), "02eb00"),  # 234.6 rounds to 235
        (encode_set_target_speed(655.35), "02ffff"),  # the largest uint16
    ],
)
def test_control_point_requests(request_bytes: bytes, expected: str) -> None:
    """Op code, then the parameter little-endian."""
    assert request_bytes.hex() == expected


@pytest.mark.parametrize("speed_kmh", [-0.01, 655.36])
def test_speed_outside_uint16_is_an_error(speed_kmh: float) -> None:
    """Negative speeds and speeds beyond 655.35 km/h cannot be encoded."""
    with pytest.raises(FtmsProtocolError, match="does not fit"):
        encode_set_target_speed(speed_kmh)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # 0x80, request op code, result code
        ("800201", ControlResponse(request_op=0x02, result=ControlResult.SUCCESS)),
        (
            "800702",
            ControlResponse(
                request_op=0x07, result=ControlResult.OP_CODE_NOT_SUPPORTED
            ),
        ),
        (
            "800203",
            ControlResponse(request_op=0x02, result=ControlResult.INVALID_PARAMETER),
        ),
        (
            "800804",
            ControlResponse(request_op=0x08, result=ControlResult.OPERATION_FAILED),
        ),
        (
            "800005",
            ControlResponse(
                request_op=0x00, result=ControlResult.CONTROL_NOT_PERMITTED
            ),
        ),
        # a response parameter after the result is allowed and ignored
        ("80020100", ControlResponse(request_op=0x02, result=ControlResult.SUCCESS)),
    ],
)
def test_control_point_responses(data: str, expected: ControlResponse) -> None:
    """Every result code of Procedure Complete."""
    assert parse_control_response(bytes.fromhex(data)) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("8002", "too short"),  # no result code
        ("810201", "op code 0x81"),  # not a response
        ("800209", "Unknown control point result 0x09"),  # reserved result
    ],
)
def test_malformed_control_point_response_is_an_error(data: str, message: str) -> None:
    """Short answers, other op codes and reserved results raise."""
    with pytest.raises(FtmsProtocolError, match=message):
        parse_control_response(bytes.fromhex(data))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("01", MachineStatus(kind=MachineStatusKind.RESET, code=0x01)),
        (
            "0201",
            MachineStatus(
                kind=MachineStatusKind.STOPPED_OR_PAUSED_BY_USER,
                code=0x02,
                stop_or_pause=StopOrPause.STOP,
            ),
        ),
        (
            "0202",
            MachineStatus(
                kind=MachineStatusKind.STOPPED_OR_PAUSED_BY_USER,
                code=0x02,
                stop_or_pause=StopOrPause.PAUSE,
            ),
        ),
        ("03", MachineStatus(kind=MachineStatusKind.STOPPED_BY_SAFETY_KEY, code=0x03)),
        (
            "04",
            MachineStatus(kind=MachineStatusKind.STARTED_OR_RESUMED_BY_USER, code=0x04),
        ),
        (
            # 0x012c = 3.00 km/h
            "052c01",
            MachineStatus(
                kind=MachineStatusKind.TARGET_SPEED_CHANGED,
                code=0x05,
                target_speed_kmh=3.0,
            ),
        ),
        (
            "ff",
            MachineStatus(kind=MachineStatusKind.CONTROL_PERMISSION_LOST, code=0xFF),
        ),
        # Target Incline Changed (0x06, -1.0 %): not used, reported as other
        ("06f6ff", MachineStatus(kind=MachineStatusKind.OTHER, code=0x06)),
        # 0x00 is reserved for future use
        ("00", MachineStatus(kind=MachineStatusKind.OTHER, code=0x00)),
    ],
)
def test_machine_status(data: str, expected: MachineStatus) -> None:
    """Known statuses with their parameters; unknown codes as OTHER."""
    assert parse_machine_status(bytes.fromhex(data)) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "too short"),  # no op code
        ("02", "too short"),  # stopped or paused without its parameter
        ("0203", "Unknown stop or pause 0x03"),  # reserved parameter
        ("052c", "too short"),  # target speed cut short
    ],
)
def test_malformed_machine_status_is_an_error(data: str, message: str) -> None:
    """Missing parameters and reserved stop values raise."""
    with pytest.raises(FtmsProtocolError, match=message):
        parse_machine_status(bytes.fromhex(data))


def test_protocol_error_is_a_value_error() -> None:
    """Callers that expect ValueError from parsing keep working."""
    assert issubclass(FtmsProtocolError, ValueError)
