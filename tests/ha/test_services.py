"""Service calls: every bad input is refused with a translated error and changes nothing."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import CONF_SPEED_UNIT, CONF_SPOTTERS, DOMAIN
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .helpers import PHASE, SPOTTER_SWITCH, call, setup_entry

SERVICES = ["start_session", "pause", "resume", "stop", "skip_interval"]


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
    assert "{" not in str(err.value)
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
            "speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "speed": 0}]},
            "speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "backward", "duration": 5, "speed": "fast"}]},
            "speed_out_of_range",
        ),
        (
            {"intervals": [{"direction": "forward", "duration": 5, "speed": True}]},
            "speed_out_of_range",
        ),
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


async def test_error_names_the_interval(
    hass: HomeAssistant, bus_events: list[Event], belt: VirtualTreadmill
) -> None:
    """The message says which interval is wrong, counting from 1."""
    err = await assert_refused(
        hass,
        bus_events,
        belt,
        "start_session",
        "invalid_direction",
        intervals=[
            {"direction": "forward", "duration": 5},
            {"direction": "up", "duration": 5},
        ],
    )
    assert err.translation_placeholders == {"index": "2", "direction": "up"}
    assert "Interval 2" in str(err)


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
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Garage",
        unique_id="virtual-garage",
        data={**loaded_entry.data, CONF_NAME: "Garage"},
        options={CONF_SPEED_UNIT: "km/h", CONF_SPOTTERS: [SPOTTER_SWITCH]},
    )
    await setup_entry(hass, second)
    await assert_refused(
        hass, bus_events, belt, "start_session", "config_entry_required"
    )
    await call(hass, "start_session", config_entry_id=second.entry_id)
    assert hass.states.get("sensor.garage_phase").state == "forward"
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events[-1].data["config_entry_id"] == second.entry_id
    assert bus_events[-1].data["speed_unit"] == "km/h"
    assert bus_events[-1].data["speed"] == 0.8


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
