"""Entities: speeds and their cap, the program select, restore, display units."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill
from custom_components.retrowalk.workout.units import SpeedUnit

from .helpers import (
    BACKWARD_SPEED,
    DISTANCE,
    FORWARD_SPEED,
    PAUSE_REASON,
    PHASE,
    PROGRAM,
    SPEED,
    call,
    change_options,
    press,
    restore_states,
    setup_entry,
    travel,
)


async def set_number(hass: HomeAssistant, entity_id: str, value: Any) -> None:
    """Set a number entity."""
    await hass.services.async_call(
        "number", "set_value", {"entity_id": entity_id, "value": value}, blocking=True
    )
    await hass.async_block_till_done()


async def test_speeds_start_at_half_mph_capped_at_the_maximum(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The seeds' 0.5 mph start, bounded by the configured 2.0 mph cap."""
    for entity_id in (BACKWARD_SPEED, FORWARD_SPEED):
        state = hass.states.get(entity_id)
        assert float(state.state) == 0.5
        assert state.attributes["max"] == 2.0
        assert state.attributes["min"] == 0.1
        assert state.attributes["unit_of_measurement"] == "mph"


async def test_speed_above_cap_is_refused(
    hass: HomeAssistant, belt: VirtualTreadmill
) -> None:
    """No number value above the cap reaches the controller."""
    with pytest.raises(ServiceValidationError):
        await set_number(hass, BACKWARD_SPEED, 2.1)
    assert float(hass.states.get(BACKWARD_SPEED).state) == 0.5


async def test_own_range_check_backs_up_the_number_bounds(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Even a direct call past Home Assistant's check is refused, translated."""
    number = hass.data["entity_components"]["number"].get_entity(BACKWARD_SPEED)
    with pytest.raises(ServiceValidationError) as err:
        await number.async_set_native_value(3.0)
    assert err.value.translation_key == "speed_out_of_range"
    assert err.value.translation_placeholders["field"] == "backward_speed"


@pytest.mark.parametrize("value", [float("nan"), "nan", "NaN"])
async def test_nan_speed_is_refused_before_it_is_stored(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    belt: VirtualTreadmill,
    value: Any,
) -> None:
    """NaN passes Home Assistant's range check; retrowalk refuses it, translated."""
    controller = loaded_entry.runtime_data.controller
    speeds_before = dict(controller.speeds_kmh)

    with pytest.raises(ServiceValidationError) as err:
        await set_number(hass, BACKWARD_SPEED, value)

    assert err.value.translation_key == "speed_out_of_range"
    assert controller.speeds_kmh == speeds_before
    assert float(hass.states.get(BACKWARD_SPEED).state) == 0.5
    # Every later state write still works: a session starts and shows its speed.
    await call(hass, "start_session")
    assert float(hass.states.get(SPEED).state) == 0.5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -0.0])
async def test_own_check_refuses_non_finite_speeds(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, value: float
) -> None:
    """A direct call with a value that is no speed is refused and changes nothing."""
    controller = loaded_entry.runtime_data.controller
    speeds_before = dict(controller.speeds_kmh)
    number = hass.data["entity_components"]["number"].get_entity(FORWARD_SPEED)

    with pytest.raises(ServiceValidationError) as err:
        await number.async_set_native_value(value)

    assert err.value.translation_key == "speed_out_of_range"
    assert controller.speeds_kmh == speeds_before


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), "inf", 1e308])
async def test_infinite_speed_is_refused_by_the_service(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, value: Any
) -> None:
    """Home Assistant's own translated range error; nothing is stored."""
    controller = loaded_entry.runtime_data.controller
    speeds_before = dict(controller.speeds_kmh)

    with pytest.raises(ServiceValidationError) as err:
        await set_number(hass, FORWARD_SPEED, value)

    assert err.value.translation_key is not None
    assert controller.speeds_kmh == speeds_before
    assert float(hass.states.get(FORWARD_SPEED).state) == 0.5


async def test_belt_follows_a_speed_change_in_its_direction(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, belt: VirtualTreadmill
) -> None:
    """Raising the backward speed changes a backward belt now, a forward one later."""
    await call(hass, "start_session", program="steady_10")
    await set_number(hass, BACKWARD_SPEED, 1.2)
    assert belt.status.speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(0.5))
    await travel(hass, freezer, timedelta(minutes=3))
    assert belt.status.speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(1.2))
    await set_number(hass, BACKWARD_SPEED, 1.5)
    assert belt.status.speed_kmh == pytest.approx(SpeedUnit.MPH.to_kmh(1.5))
    assert float(hass.states.get(SPEED).state) == 1.5
    await travel(hass, freezer, timedelta(minutes=2))
    # Figures are written at transitions, like this pause.
    await call(hass, "pause")
    # 3 min forward at 0.5 + 2 min backward at 1.5 mph = 0.075 mi
    assert float(hass.states.get(DISTANCE).state) == pytest.approx(0.075, abs=0.001)


async def test_program_select_chooses_what_start_runs(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The start button runs the selected program."""
    state = hass.states.get(PROGRAM)
    assert state.state == "beginner_alternating"
    assert state.attributes["options"] == [
        "beginner_alternating",
        "intervals_3_1",
        "steady_10",
        "progressive",
    ]
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": PROGRAM, "option": "steady_10"},
        blocking=True,
    )
    await press(hass, "start")
    assert hass.states.get(PHASE).attributes["program"] == "steady_10"
    assert hass.states.get(PHASE).attributes["interval_count"] == 2


async def test_choices_survive_a_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_entry: MockConfigEntry
) -> None:
    """Program and speeds come back; a speed saved in km/h is converted and capped."""
    await restore_states(
        hass,
        hass_storage,
        [
            (State(PROGRAM, "intervals_3_1"), {}),
            (
                State(BACKWARD_SPEED, "1.6"),
                {
                    "native_value": 1.6,
                    "native_unit_of_measurement": "km/h",
                    "native_min_value": 0.1,
                    "native_max_value": 3.2,
                    "native_step": 0.1,
                },
            ),
            (
                # Allowed by a higher cap before the options changed.
                State(FORWARD_SPEED, "4"),
                {
                    "native_value": 4.0,
                    "native_unit_of_measurement": "mph",
                    "native_min_value": 0.1,
                    "native_max_value": 4.9,
                    "native_step": 0.1,
                },
            ),
        ],
    )
    await setup_entry(hass, config_entry)
    assert hass.states.get(PROGRAM).state == "intervals_3_1"
    assert float(hass.states.get(BACKWARD_SPEED).state) == pytest.approx(0.99, abs=0.01)
    assert float(hass.states.get(FORWARD_SPEED).state) == 2.0


async def test_unknown_restored_program_falls_back(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_entry: MockConfigEntry
) -> None:
    """A program that no longer exists is not restored."""
    await restore_states(hass, hass_storage, [(State(PROGRAM, "retired_program"), {})])
    await setup_entry(hass, config_entry)
    assert hass.states.get(PROGRAM).state == "beginner_alternating"


async def test_sensors_show_the_entry_unit(
    hass: HomeAssistant, belt: VirtualTreadmill
) -> None:
    """Speed in mph and distance in miles for an mph treadmill."""
    await call(hass, "start_session")
    assert hass.states.get(SPEED).attributes["unit_of_measurement"] == "mph"
    assert hass.states.get(DISTANCE).attributes["unit_of_measurement"] == "mi"
    phase = hass.states.get(PHASE)
    assert phase.attributes["options"] == [
        "idle",
        "forward",
        "backward",
        "paused",
        "finished",
    ]
    assert phase.attributes["interval_index"] == 0
    assert phase.attributes["pause_reason"] is None


async def test_speed_set_while_idle_shows_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A speed set before the start is shown and used by the next session."""
    await set_number(hass, FORWARD_SPEED, 0.8)
    assert float(hass.states.get(FORWARD_SPEED).state) == 0.8
    await call(hass, "start_session")
    assert float(hass.states.get(SPEED).state) == 0.8


async def test_restored_speed_in_an_unknown_unit_is_ignored(
    hass: HomeAssistant, hass_storage: dict[str, Any], config_entry: MockConfigEntry
) -> None:
    """A saved speed whose unit retrowalk does not know keeps the default."""
    await restore_states(
        hass,
        hass_storage,
        [
            (
                State(BACKWARD_SPEED, "1"),
                {
                    "native_value": 1.0,
                    "native_unit_of_measurement": "m/s",
                    "native_min_value": 0.1,
                    "native_max_value": 3,
                    "native_step": 0.1,
                },
            )
        ],
    )
    await setup_entry(hass, config_entry)
    assert float(hass.states.get(BACKWARD_SPEED).state) == 0.5


@pytest.mark.parametrize(
    "restored",
    [float("nan"), float("inf"), float("-inf"), 1.7e308, 9.0, 0.0, -1.0, "fast", True],
)
async def test_restored_speed_that_is_no_speed_is_ignored(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    spotter_switch: str,
    restored: Any,
) -> None:
    """Not finite, not above zero, above any cap retrowalk allows, or not a number."""
    await restore_states(
        hass,
        hass_storage,
        [
            (
                State(BACKWARD_SPEED, str(restored)),
                {
                    "native_value": restored,
                    "native_unit_of_measurement": "mph",
                    "native_min_value": 0.1,
                    "native_max_value": 2.0,
                    "native_step": 0.1,
                },
            )
        ],
    )
    await setup_entry(hass, config_entry)

    assert float(hass.states.get(BACKWARD_SPEED).state) == 0.5
    await call(
        hass, "start_session", intervals=[{"direction": "backward", "duration": 5}]
    )
    assert float(hass.states.get(SPEED).state) == 0.5


async def test_sensor_units_follow_an_options_change(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Switching the treadmill to km/h shows speed and distance in km/h and km."""
    await change_options(hass, loaded_entry, "limits", {"speed_unit": "km/h"})
    await call(hass, "start_session")
    assert hass.states.get(SPEED).attributes["unit_of_measurement"] == "km/h"
    # The restored 0.5 mph is kept exactly: 0.8047 km/h.
    assert float(hass.states.get(SPEED).state) == pytest.approx(0.8047, abs=1e-4)
    assert hass.states.get(DISTANCE).attributes["unit_of_measurement"] == "km"


async def test_users_own_display_unit_survives_an_options_change(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A unit the user picked for the speed sensor is kept."""
    registry = er.async_get(hass)
    registry.async_update_entity_options(
        SPEED, "sensor", {"unit_of_measurement": "m/s"}
    )
    await change_options(hass, loaded_entry, "limits", {"speed_unit": "km/h"})
    assert hass.states.get(SPEED).attributes["unit_of_measurement"] == "m/s"
    assert hass.states.get(DISTANCE).attributes["unit_of_measurement"] == "km"


async def test_pause_reason_reads_none_unless_paused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The pause reason sensor says 'none' while idle or walking."""
    assert hass.states.get(PAUSE_REASON).state == "none"
    await call(hass, "start_session")
    assert hass.states.get(PAUSE_REASON).state == "none"
    await call(hass, "pause")
    assert hass.states.get(PAUSE_REASON).state == "user"
    assert hass.states.get(PAUSE_REASON).attributes["options"][0] == "none"


async def test_names_do_not_repeat_the_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Names follow the device's ("Demo Treadmill Connection"): no "Treadmill" twice."""
    registry = er.async_get(hass)
    names = [
        hass.states.get(entry.entity_id).name
        for entry in er.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if hass.states.get(entry.entity_id) is not None
    ]
    assert len(names) > 25
    assert "Demo Treadmill Connection" in names
    assert all(name.lower().count("treadmill") == 1 for name in names), names
