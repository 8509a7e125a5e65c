"""Service calls: every bad input is refused with a translated error and changes nothing."""

from __future__ import annotations

from datetime import timedelta
import logging
import math
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import CONF_SPEED_UNIT, CONF_SPOTTERS, DOMAIN
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .helpers import PHASE, SPOTTER_SWITCH, call, setup_entry, spotter_off, travel

SERVICES = ["start_session", "pause", "resume", "stop", "skip_interval"]
# Durations Home Assistant's own parser overflows on, or takes for something else.
BAD_DURATIONS = [
    math.inf,
    -math.inf,
    math.nan,
    1e20,
    "1e400",
    10**30,
    10**5000,
    "99999999999:00:00",
    "00:00:1e400",
    {"days": math.inf},
    {"hours": 10**30},
    {"minutes": True},
    True,
    False,
    None,
    [5],
]
BAD_SPEEDS = [10**400, 10**5000, math.nan, "nan", math.inf, "inf", "-inf", "1e400"]


def snapshot(hass: HomeAssistant) -> dict[str, State | None]:
    """Every retrowalk entity's state, to compare before and after."""
    return {
        state.entity_id: state
        for state in hass.states.async_all()
        if "demo_treadmill" in state.entity_id
    }


async def assert_refused(
    hass: HomeAssistant,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    service: str,
    translation_key: str,
    **data: Any,
) -> ServiceValidationError:
    """Call a service, expect the translated refusal, and check nothing changed."""
    before = snapshot(hass)
    events_before = len(bus_events)
    belt_before = belt.status
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, **data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    # The message is the translated text with placeholders filled in.
    assert not re.search(r"\{\w+\}", str(err.value))
    assert str(err.value) != translation_key
    assert snapshot(hass) == before
    assert len(bus_events) == events_before
    assert belt.status == belt_before
    return err.value


def test_all_services_registered(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Every service exists."""
    assert sorted(hass.services.async_services_for_domain(DOMAIN)) == sorted(
        [*SERVICES, "get_history", "set_progression_level"]
    )


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({"program": "moonwalk"}, "unknown_program"),
        ({"intervals": []}, "empty_program"),
        ({"intervals": "backward"}, "empty_program"),
        ({"intervals": [{"direction": "backward", "duration": 0}]}, "invalid_duration"),
        (
            {"intervals": [{"direction": "backward", "duration": -5}]},
            "invalid_duration",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": "soon"}]},
            "invalid_duration",
        ),
        ({"intervals": [{"direction": "backward"}]}, "invalid_duration"),
        (
            {"intervals": [{"direction": "backward", "duration": 7201}]},
            "invalid_duration",
        ),
        (
            {"intervals": [{"direction": "sideways", "duration": 5}]},
            "invalid_direction",
        ),
        ({"intervals": [{"duration": 5}]}, "invalid_direction"),
        ({"intervals": ["backward"]}, "invalid_interval"),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "incline": 3}]},
            "unknown_interval_field",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "speed": 2.1}]},
            "interval_speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "speed": 0}]},
            "interval_speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "speed": "fast"}]},
            "interval_speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "forward", "duration": 5, "speed": True}]},
            "interval_speed_out_of_range",
        ),
        *(
            (
                {"intervals": [{"direction": "backward", "duration": bad}]},
                "invalid_duration",
            )
            for bad in BAD_DURATIONS
        ),
        *(
            (
                {"intervals": [{"direction": "backward", "duration": 5, "speed": bad}]},
                "interval_speed_out_of_range",
            )
            for bad in BAD_SPEEDS
        ),
        *(({"backward_speed": bad}, "speed_out_of_range") for bad in BAD_SPEEDS),
        ({"backward_speed": 2.5}, "speed_out_of_range"),
        ({"forward_speed": -1}, "speed_out_of_range"),
        (
            {"intervals": [{"direction": "forward", "duration": 1}] * 201},
            "too_many_intervals",
        ),
        (
            {
                "program": "steady_10",
                "intervals": [{"direction": "forward", "duration": 5}],
            },
            "program_and_intervals",
        ),
        ({"config_entry_id": "nope"}, "config_entry_not_found"),
    ],
)
async def test_bad_start_is_refused(
    hass: HomeAssistant,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Each bad start_session input gets its own translated error."""
    await assert_refused(
        hass, bus_events, belt, "start_session", translation_key, **data
    )
    assert hass.states.get(PHASE).state == "idle"


@pytest.mark.parametrize(
    ("second", "translation_key"),
    [
        ({"direction": "up", "duration": 5}, "invalid_direction"),
        ({"direction": "forward", "duration": math.inf}, "invalid_duration"),
        (
            {"direction": "forward", "duration": 5, "speed": 10**400},
            "interval_speed_out_of_range",
        ),
        ({"direction": "forward", "duration": 5, "pace": 1}, "unknown_interval_field"),
        ("forward", "invalid_interval"),
    ],
)
async def test_error_names_the_interval(
    hass: HomeAssistant,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    second: Any,
    translation_key: str,
) -> None:
    """Every message says which interval is wrong, counting from 1."""
    err = await assert_refused(
        hass,
        bus_events,
        belt,
        "start_session",
        translation_key,
        intervals=[{"direction": "forward", "duration": 5}, second],
    )
    assert err.translation_placeholders["index"] == "2"
    assert "Interval 2 " in str(err)


async def test_unknown_program_lists_every_program(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """The refusal names every program the program select offers, progressive too."""
    err = await assert_refused(
        hass, bus_events, belt, "start_session", "unknown_program", program="moonwalk"
    )
    options = hass.states.get("select.demo_treadmill_program").attributes["options"]
    assert "progressive" in options
    for option in options:
        assert option in str(err)


async def test_unknown_fields_are_listed(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """Each unknown field once, by name, whatever its type."""
    err = await assert_refused(
        hass,
        bus_events,
        belt,
        "start_session",
        "unknown_interval_field",
        intervals=[{"direction": "forward", "duration": 5, "pace": 1, 3: "x"}],
    )
    assert err.translation_placeholders["fields"] == "3, pace"


async def test_huge_values_are_shown_shortened(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """A number too long to print whole is shortened in the message."""
    err = await assert_refused(
        hass,
        bus_events,
        belt,
        "start_session",
        "speed_out_of_range",
        forward_speed=10**5000,
    )
    assert len(err.translation_placeholders["speed"]) <= 40


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({"start": "9999-12-31T23:59:59"}, "date_out_of_range"),
        ({"end": "9999-12-31T23:00:00-05:00"}, "date_out_of_range"),
        ({"start": "0001-01-01T00:00:00+14:00"}, "date_out_of_range"),
        ({"start": "yesterday"}, "invalid_date"),
        ({"start": 10**5000}, "invalid_date"),
        ({"start": "2026-11-21", "end": "2026-11-20"}, "invalid_range"),
    ],
)
async def test_bad_history_range_is_refused(
    hass: HomeAssistant,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Dates that cannot be converted to UTC are refused, translated, not raised."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "get_history", data, blocking=True, return_response=True
        )
    assert err.value.translation_key == translation_key
    assert not re.search(r"\{\w+\}", str(err.value))


async def test_first_day_east_of_utc_is_out_of_range(
    hass: HomeAssistant, belt: VirtualTreadmill
) -> None:
    """Midnight of 0001-01-01 in Tokyo is before the first moment Python has in UTC."""
    await hass.config.async_set_time_zone("Asia/Tokyo")
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_history",
            {"start": "0001-01-01"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "date_out_of_range"
    assert err.value.translation_placeholders == {
        "field": "start",
        "value": "0001-01-01",
    }


async def test_far_but_convertible_dates_are_accepted(
    hass: HomeAssistant, belt: VirtualTreadmill
) -> None:
    """The widest range there is still answers."""
    response = await hass.services.async_call(
        DOMAIN,
        "get_history",
        {"start": "0001-01-01T00:00:00+00:00", "end": "9999-12-31T23:59:59+00:00"},
        blocking=True,
        return_response=True,
    )
    assert response == {
        "records": [],
        "units": {"speed": "km/h", "distance": "km", "time": "s"},
    }


@pytest.mark.parametrize(
    "level",
    [
        2.0,
        "2",
        True,
        None,
        -1,
        10**400,
        pytest.param(10**5000, id="10**5000"),
        math.nan,
        math.inf,
        [2],
        {"level": 2},
    ],
)
async def test_odd_level_is_refused(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill, level: Any
) -> None:
    """Only a whole number from 0 to the top level is a level."""
    err = await assert_refused(
        hass, bus_events, belt, "set_progression_level", "invalid_level", level=level
    )
    assert len(err.translation_placeholders["level"]) <= 40


async def test_start_while_running_is_refused(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """A second start leaves the running session alone."""
    await call(hass, "start_session")
    await assert_refused(hass, bus_events, belt, "start_session", "session_active")
    await call(hass, "pause")
    await assert_refused(hass, bus_events, belt, "start_session", "session_active")


@pytest.mark.parametrize(
    ("service", "translation_key"),
    [
        ("pause", "not_active"),
        ("resume", "not_active"),
        ("skip_interval", "not_active"),
    ],
)
async def test_commands_without_a_session_are_refused(
    hass: HomeAssistant,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    service: str,
    translation_key: str,
) -> None:
    """Pause, resume and skip need a session."""
    await assert_refused(hass, bus_events, belt, service, translation_key)


async def test_resume_while_running_and_pause_while_paused_are_refused(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """Resume needs a pause, pause needs a run."""
    await call(hass, "start_session")
    await assert_refused(hass, bus_events, belt, "resume", "not_paused")
    await call(hass, "pause")
    await assert_refused(hass, bus_events, belt, "pause", "not_running")


async def test_stop_always_stops_the_belt(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """Stop is never refused: with no session it still stops a moving belt."""
    await belt.async_start(1.0)
    await call(hass, "stop")
    assert not belt.status.running
    assert bus_events == []


async def test_button_refusal_is_translated(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """Pressing pause on the dashboard with no session says why."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.demo_treadmill_pause"},
            blocking=True,
        )
    assert err.value.translation_key == "not_active"


async def test_entry_is_required_with_two_treadmills(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
    belt: VirtualTreadmill,
) -> None:
    """With two treadmills a call must say which; naming it works."""
    second = await _second_treadmill(hass, loaded_entry)
    await assert_refused(
        hass, bus_events, belt, "start_session", "config_entry_required"
    )
    await call(hass, "start_session", config_entry_id=second.entry_id)
    assert hass.states.get("sensor.garage_phase").state == "forward"
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events[-1].data["config_entry_id"] == second.entry_id
    assert bus_events[-1].data["speed_unit"] == "km/h"
    assert bus_events[-1].data["speed"] == 0.8


async def _second_treadmill(
    hass: HomeAssistant, first: MockConfigEntry
) -> MockConfigEntry:
    """A second virtual treadmill, "Garage", in km/h."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Garage",
        unique_id="virtual-garage",
        data={**first.data, CONF_NAME: "Garage"},
        options={CONF_SPEED_UNIT: "km/h", CONF_SPOTTERS: [SPOTTER_SWITCH]},
    )
    await setup_entry(hass, second)
    return second


@pytest.mark.parametrize(
    "target",
    [
        {"entity_id": "select.garage_program"},
        {"entity_id": ["sensor.garage_phase", "button.garage_start"]},
        {"entity_id": "sensor.garage_phase, event.garage_workout"},
        "device",
    ],
)
async def test_a_target_names_the_treadmill(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
    target: dict[str, Any] | str,
) -> None:
    """With two treadmills, the target (any entity of one, or its device) picks it."""
    second = await _second_treadmill(hass, loaded_entry)
    if target == "device":
        # (device_registry.async_get_device is deprecated from 2026.11; this works on all.)
        [device] = dr.async_entries_for_config_entry(
            dr.async_get(hass), second.entry_id
        )
        target = {"device_id": device.id}
    assert isinstance(target, dict)
    await call(hass, "start_session", program="steady_10", **target)
    assert hass.states.get("sensor.garage_phase").state == "forward"
    assert hass.states.get(PHASE).state == "idle"
    await call(hass, "stop", **target)
    assert hass.states.get("sensor.garage_phase").state == "idle"
    # Naming the entry as well is fine when it is the same treadmill.
    await call(hass, "start_session", config_entry_id=second.entry_id, **target)
    await call(hass, "stop", **target)
    assert {e.data["config_entry_id"] for e in bus_events} == {second.entry_id}


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({"entity_id": ["sensor.garage_phase", PHASE]}, "several_treadmills"),
        (
            {"entity_id": "sensor.garage_phase", "config_entry_id": "first"},
            "several_treadmills",
        ),
        ({"entity_id": "input_boolean.spotter"}, "not_a_treadmill"),
        ({"entity_id": "sensor.nowhere"}, "not_a_treadmill"),
        ({"entity_id": "all"}, "not_a_treadmill"),
        ({"entity_id": 5}, "not_a_treadmill"),
        ({"entity_id": [["sensor.garage_phase"]]}, "not_a_treadmill"),
        ({"device_id": "no-such-device"}, "not_a_treadmill"),
        ({"area_id": "gym"}, "unsupported_target"),
        ({"label_id": ["treadmills"]}, "unsupported_target"),
        ({"floor_id": "basement"}, "unsupported_target"),
    ],
)
async def test_a_bad_target_is_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """A target that names no treadmill, or two, is refused and says how to choose."""
    await _second_treadmill(hass, loaded_entry)
    if data.get("config_entry_id") == "first":
        data = {**data, "config_entry_id": loaded_entry.entry_id}
    for service in ("start_session", "pause", "stop"):
        await assert_refused(hass, bus_events, belt, service, translation_key, **data)


async def test_a_device_of_another_integration_is_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
    belt: VirtualTreadmill,
) -> None:
    """A device that is not a treadmill is named in the refusal."""
    other = MockConfigEntry(domain="demo")
    other.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("demo", "lamp")}
    )
    err = await assert_refused(
        hass, bus_events, belt, "pause", "not_a_treadmill", device_id=device.id
    )
    assert device.id in str(err)


async def test_unloaded_entry_is_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    bus_events: list[Event],
    belt: VirtualTreadmill,
) -> None:
    """A call for an unloaded treadmill says so."""
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "pause", config_entry_id=loaded_entry.entry_id)
    assert err.value.translation_key == "config_entry_not_loaded"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "pause")
    assert err.value.translation_key == "config_entry_required"


async def test_expected_refusals_are_not_logged_as_problems(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    bus_events: list[Event],
    belt: VirtualTreadmill,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Refusals and the spotter's stop are what retrowalk is for: nothing at WARNING.

    (Home Assistant's websocket layer logs a refused button press at ERROR itself,
    for every integration; that is not retrowalk's line.)
    """
    caplog.set_level(logging.DEBUG)
    for service in ("pause", "resume", "skip_interval"):
        await assert_refused(hass, bus_events, belt, service, "not_active")
    await assert_refused(
        hass, bus_events, belt, "start_session", "unknown_program", program="moonwalk"
    )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.demo_treadmill_pause"},
            blocking=True,
        )
    await call(hass, "start_session")
    await assert_refused(hass, bus_events, belt, "start_session", "session_active")
    await assert_refused(hass, bus_events, belt, "resume", "not_paused")
    # The spotter walks away: the belt stops after the grace, the session pauses.
    await spotter_off(hass)
    await travel(hass, freezer, timedelta(seconds=6))
    assert hass.states.get(PHASE).state == "paused"
    await assert_refused(hass, bus_events, belt, "resume", "no_spotter")
    await assert_refused(hass, bus_events, belt, "pause", "not_running")
    await call(hass, "stop")
    await assert_refused(hass, bus_events, belt, "start_session", "no_spotter")

    problems = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.retrowalk")
        and record.levelno >= logging.WARNING
    ]
    assert problems == []
    assert "No spotter at Demo Treadmill: stopping the belt" in caplog.text
