"""The spotter gate, on Home Assistant's real state machine with a moving clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION,
    CONF_RESUME_POLICY,
    CONF_SPOTTER_MODE,
    CONF_SPOTTER_REQUIRED,
    CONF_SPOTTERS,
    DOMAIN,
)
from custom_components.retrowalk.treadmills import TreadmillError
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill
from custom_components.retrowalk.workout.program import Direction, Interval
from custom_components.retrowalk.workout.programs import custom_program

from .helpers import (
    PAUSE_REASON,
    PHASE,
    SPOTTER,
    SPOTTER_SWITCH,
    call,
    setup_entry,
    spotter_off,
    spotter_on,
    travel,
)

SECOND = timedelta(seconds=1)


def types(events: list[Event]) -> list[str]:
    """The type of each retrowalk event."""
    return [e.data["type"] for e in events]


async def entry_with(
    hass: HomeAssistant, config_entry: MockConfigEntry, **options: Any
) -> MockConfigEntry:
    """Set up the test treadmill with changed spotter options."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, **options}
    )
    await setup_entry(hass, config_entry)
    return config_entry


async def test_flapping_shorter_than_grace_never_pauses(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """Absences of 4.9 s with the default 5 s grace leave the session running."""
    await call(hass, "start_session")
    for _ in range(5):
        await spotter_off(hass)
        assert hass.states.get(SPOTTER).state == "off"
        await travel(hass, freezer, timedelta(seconds=4.9))
        await spotter_on(hass)
        await travel(hass, freezer, SECOND)
    await travel(hass, freezer, timedelta(seconds=30))
    assert types(bus_events) == ["session_started"]
    assert belt.status.running


async def test_absence_longer_than_grace_pauses_exactly_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """After 5 s without a spotter: one pause, reason no_spotter, belt stopped."""
    await call(hass, "start_session")
    await spotter_off(hass)
    left_at = dt_util.utcnow()
    await travel(hass, freezer, timedelta(seconds=4.999))
    assert belt.status.running
    await travel(hass, freezer, timedelta(milliseconds=1))
    assert not belt.status.running
    assert types(bus_events) == ["session_started", "session_paused"]
    assert bus_events[-1].data["reason"] == "no_spotter"
    assert bus_events[-1].time_fired == left_at + 5 * SECOND
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PAUSE_REASON).state == "no_spotter"
    await travel(hass, freezer, timedelta(minutes=10))
    assert types(bus_events) == ["session_started", "session_paused"]
    assert not belt.status.running


@pytest.mark.parametrize(
    "state", [STATE_UNAVAILABLE, STATE_UNKNOWN, None, "not_home", "work"]
)
async def test_anything_but_presence_counts_as_no_spotter(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    bus_events: list[Event],
    state: str | None,
) -> None:
    """Unavailable, unknown, a removed entity or a person away all pause the belt."""
    hass.states.async_set("person.coach", "home")
    entry = await entry_with(hass, config_entry, **{CONF_SPOTTERS: ["person.coach"]})
    await call(hass, "start_session")
    if state is None:
        hass.states.async_remove("person.coach")
    else:
        hass.states.async_set("person.coach", state)
    await hass.async_block_till_done()
    await travel(hass, freezer, 5 * SECOND)
    assert types(bus_events)[-1] == "session_paused"
    assert bus_events[-1].data["reason"] == "no_spotter"
    assert not entry.runtime_data.controller.treadmill.status.running


async def test_start_without_spotter_is_refused(
    hass: HomeAssistant, belt: VirtualTreadmill, bus_events: list[Event]
) -> None:
    """No spotter, no start: a translated error, nothing changes."""
    await spotter_off(hass)
    for start in (
        call(hass, "start_session"),
        hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.demo_treadmill_start"},
            blocking=True,
        ),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await start
        assert err.value.translation_key == "no_spotter"
        assert "No spotter is present" in str(err.value)
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events == []
    assert not belt.status.running


async def test_manual_policy_needs_confirmation_then_a_person(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    bus_events: list[Event],
) -> None:
    """The spotter returns: announced, no resume for 10 s, then only by a press."""
    await call(hass, "start_session")
    await spotter_off(hass)
    await travel(hass, freezer, 5 * SECOND)
    await spotter_on(hass)
    returned = bus_events[-1]
    assert returned.data["type"] == "spotter_returned"
    assert returned.data["resume_policy"] == "manual"
    assert returned.data["resumes_at"] is None
    assert hass.states.get(SPOTTER).attributes["confirmed"] is False
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resume")
    assert err.value.translation_key == "spotter_not_confirmed"
    await travel(hass, freezer, 10 * SECOND)
    assert hass.states.get(SPOTTER).attributes["confirmed"] is True
    await travel(hass, freezer, timedelta(minutes=5))
    assert not belt.status.running  # nothing restarts by itself
    await call(hass, "resume")
    assert belt.status.running
    assert types(bus_events)[-1] == "session_resumed"
    assert "reason" not in bus_events[-1].data


async def test_resume_while_spotter_absent_is_refused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, belt: VirtualTreadmill
) -> None:
    """Even a user pause cannot be resumed without a spotter."""
    await call(hass, "start_session")
    await call(hass, "pause")
    await spotter_off(hass)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resume")
    assert err.value.translation_key == "no_spotter"
    assert not belt.status.running


async def test_auto_policy_resumes_after_confirmation(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """With auto resume the belt restarts 10 s after the spotter is back, evented."""
    entry = await entry_with(
        hass, config_entry, **{CONF_RESUME_POLICY: "auto_after_confirmation"}
    )
    belt = entry.runtime_data.controller.treadmill
    await call(hass, "start_session")
    await spotter_off(hass)
    await travel(hass, freezer, 5 * SECOND)
    await spotter_on(hass)
    back_at = dt_util.utcnow()
    assert bus_events[-1].data["resumes_at"] == (back_at + 10 * SECOND).isoformat()
    await travel(hass, freezer, timedelta(seconds=9.9))
    assert not belt.status.running
    await travel(hass, freezer, timedelta(seconds=0.1))
    assert belt.status.running
    assert types(bus_events)[-1] == "session_resumed"
    assert bus_events[-1].data["reason"] == "spotter_confirmed"


async def test_auto_policy_waits_for_a_spotter_who_stays(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A spotter who leaves again before confirmation does not restart the belt."""
    entry = await entry_with(
        hass, config_entry, **{CONF_RESUME_POLICY: "auto_after_confirmation"}
    )
    await call(hass, "start_session")
    await spotter_off(hass)
    await travel(hass, freezer, 5 * SECOND)
    await spotter_on(hass)
    await travel(hass, freezer, 5 * SECOND)
    await spotter_off(hass)
    await travel(hass, freezer, timedelta(minutes=1))
    assert not entry.runtime_data.controller.treadmill.status.running
    assert "session_resumed" not in types(bus_events)


async def test_auto_policy_never_resumes_other_pauses(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """Auto resume is only for no-spotter pauses: a user pause stays paused."""
    entry = await entry_with(
        hass, config_entry, **{CONF_RESUME_POLICY: "auto_after_confirmation"}
    )
    await call(hass, "start_session")
    await call(hass, "pause")
    await spotter_off(hass)
    await spotter_on(hass)
    await travel(hass, freezer, timedelta(minutes=1))
    assert not entry.runtime_data.controller.treadmill.status.running
    assert types(bus_events) == ["session_started", "session_paused"]


async def test_not_required_only_shows_the_spotter(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """With the requirement off, a session runs without a spotter."""
    entry = await entry_with(hass, config_entry, **{CONF_SPOTTER_REQUIRED: False})
    await spotter_off(hass)
    await call(hass, "start_session")
    await travel(hass, freezer, timedelta(minutes=1))
    assert entry.runtime_data.controller.treadmill.status.running
    assert hass.states.get(SPOTTER).state == "off"


async def test_required_without_entities_refuses_to_start(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """An entry that requires a spotter but names none cannot start."""
    await entry_with(hass, config_entry, **{CONF_SPOTTERS: []})
    assert hass.states.get(SPOTTER) is None
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_session")
    assert err.value.translation_key == "no_spotter_configured"


@pytest.mark.parametrize(("mode", "pauses"), [("any", False), ("all", True)])
async def test_several_spotters_combine_by_mode(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    bus_events: list[Event],
    mode: str,
    pauses: bool,
) -> None:
    """One of two spotters leaving pauses only when all are required."""
    hass.states.async_set("binary_sensor.gym", "on", {"device_class": "occupancy"})
    hass.states.async_set("person.coach", "home")
    await entry_with(
        hass,
        config_entry,
        **{
            CONF_SPOTTERS: ["binary_sensor.gym", "person.coach"],
            CONF_SPOTTER_MODE: mode,
        },
    )
    await call(hass, "start_session")
    hass.states.async_set("person.coach", "not_home")
    await hass.async_block_till_done()
    await travel(hass, freezer, timedelta(seconds=30))
    assert ("session_paused" in types(bus_events)) is pauses


async def test_grace_and_confirmation_are_configurable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A 2 s grace pauses after 2 s; a 0 s confirmation allows resume at once."""
    await entry_with(
        hass, config_entry, **{CONF_PAUSE_GRACE: 2, CONF_RESUME_CONFIRMATION: 0}
    )
    await call(hass, "start_session")
    await spotter_off(hass)
    await travel(hass, freezer, 2 * SECOND)
    assert types(bus_events)[-1] == "session_paused"
    await spotter_on(hass)
    await call(hass, "resume")
    assert types(bus_events)[-1] == "session_resumed"


async def test_deleted_spotter_raises_a_repair_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Deleting the spotter entity raises an issue; bringing it back clears it."""
    issue_id = f"spotter_missing_{loaded_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    entity_registry.async_remove(SPOTTER_SWITCH)
    hass.states.async_remove(SPOTTER_SWITCH)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "spotter_missing"
    assert issue.translation_placeholders == {
        "treadmill": "Demo Treadmill",
        "entities": SPOTTER_SWITCH,
    }
    hass.states.async_set(SPOTTER_SWITCH, "on")
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_renamed_spotter_raises_a_repair_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Renaming the spotter's entity ID leaves the old ID missing: an issue."""
    entity_registry.async_update_entity(
        SPOTTER_SWITCH, new_entity_id="input_boolean.helper"
    )
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(
        DOMAIN, f"spotter_missing_{loaded_entry.entry_id}"
    )
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    assert not issue_registry.async_get_issue(
        DOMAIN, f"spotter_missing_{loaded_entry.entry_id}"
    )


async def test_speed_cap_holds_on_every_path(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    belt: VirtualTreadmill,
) -> None:
    """Even a program that reaches the controller directly is capped at 2.0 mph."""
    cap_kmh = 3.218688
    controller = loaded_entry.runtime_data.controller
    fast = custom_program(
        [
            Interval(direction=Direction.FORWARD, duration=5 * SECOND, speed_kmh=9.0),
            Interval(direction=Direction.BACKWARD, duration=5 * SECOND, speed_kmh=7.0),
        ]
    )
    await controller.async_start(fast)
    assert belt.status.speed_kmh == pytest.approx(cap_kmh)
    await travel(hass, freezer, 5 * SECOND)
    assert belt.status.speed_kmh == pytest.approx(cap_kmh)
    await controller.async_pause()
    await controller.async_resume()
    assert belt.status.speed_kmh == pytest.approx(cap_kmh)
    await controller.async_set_speed(Direction.BACKWARD, 50.0)
    assert belt.status.speed_kmh <= cap_kmh + 1e-9


async def test_auto_resume_with_a_belt_that_will_not_start_is_logged(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failed automatic resume leaves the session paused and says so in the log."""
    entry = await entry_with(
        hass, config_entry, **{CONF_RESUME_POLICY: "auto_after_confirmation"}
    )
    await call(hass, "start_session")
    await spotter_off(hass)
    await travel(hass, freezer, 5 * SECOND)
    belt = entry.runtime_data.controller.treadmill
    with patch.object(belt, "async_start", side_effect=TreadmillError("no answer")):
        await spotter_on(hass)
        await travel(hass, freezer, 10 * SECOND)
    assert not belt.status.running
    assert hass.states.get(PHASE).state == "paused"
    assert "Could not resume after the spotter came back" in caplog.text


async def test_spotter_sensor_shows_presence_right_after_setup(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The spotter sensor is on at once when the spotter is there at setup."""
    state = hass.states.get(SPOTTER)
    assert state.state == "on"
    assert state.attributes["confirmed"] is True
