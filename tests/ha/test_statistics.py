"""The lifetime sensors feed Home Assistant's long-term statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.statistics import (
    list_statistic_ids,
    validate_statistics,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
    statistics_during_period,
)

from custom_components.retrowalk.const import DOMAIN
from custom_components.retrowalk.workout.history import Outcome, SessionRecord

from .helpers import PREFIX, call, setup_entry, travel


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(async_setup_recorder_instance: Any) -> None:
    """Prepare the recorder before Home Assistant starts (the `hass` fixture)."""


LIFETIME_BACKWARD = f"sensor.{PREFIX}_lifetime_backward_time"
LIFETIME_SESSIONS = f"sensor.{PREFIX}_lifetime_sessions"
LIFETIME_DISTANCE = f"sensor.{PREFIX}_lifetime_distance"


async def test_lifetime_sensors_are_long_term_statistics(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Backward minutes, sessions and distance are total_increasing sums with units."""
    await setup_entry(hass, config_entry)
    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 30},
            {"direction": "backward", "duration": 90},
        ],
    )
    await travel(hass, freezer, timedelta(minutes=2))
    assert hass.states.get(LIFETIME_BACKWARD).state == "90"
    for entity_id in (LIFETIME_BACKWARD, LIFETIME_SESSIONS, LIFETIME_DISTANCE):
        assert (
            hass.states.get(entity_id).attributes["state_class"] == "total_increasing"
        )
    await travel(hass, freezer, timedelta(minutes=4))
    await async_wait_recording_done(hass)
    start = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    do_adhoc_statistics(hass, start=start)
    await async_wait_recording_done(hass)

    metadata = {
        item["statistic_id"]: item
        for item in await get_instance(hass).async_add_executor_job(
            list_statistic_ids, hass
        )
    }
    assert metadata[LIFETIME_BACKWARD]["statistics_unit_of_measurement"] == "s"
    assert metadata[LIFETIME_BACKWARD]["has_sum"] is True
    assert metadata[LIFETIME_SESSIONS]["has_sum"] is True
    # In the treadmill's unit: this one is set up in mph.
    assert metadata[LIFETIME_DISTANCE]["statistics_unit_of_measurement"] == "mi"
    stats = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        None,
        {LIFETIME_BACKWARD, LIFETIME_SESSIONS},
        "5minute",
        None,
        {"sum", "state"},
    )
    assert stats[LIFETIME_BACKWARD][-1]["state"] == 90
    assert stats[LIFETIME_SESSIONS][-1]["state"] == 1


async def test_statistics_kept_in_minutes_go_on_after_the_change_to_seconds(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Statistics compiled while the sensor was in minutes stay in minutes.

    Backward time was in minutes before it was in seconds. The recorder converts
    the new states into the unit of the statistics already compiled (a duration
    converts), so the sums go on without a gap, a reset or a repair issue.
    """
    # Before: the sensor in minutes, 1.5 minutes walked, compiled.
    old = {
        "unit_of_measurement": "min",
        "device_class": "duration",
        "state_class": "total_increasing",
    }
    # (The sensor integration compiles sensor statistics: load it as retrowalk did.)
    assert await async_setup_component(hass, "sensor", {})
    hass.states.async_set(LIFETIME_BACKWARD, "0", old)
    await travel(hass, freezer, timedelta(minutes=2))
    hass.states.async_set(LIFETIME_BACKWARD, "1.5", old)
    await travel(hass, freezer, timedelta(minutes=4))
    await async_wait_recording_done(hass)
    first = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    do_adhoc_statistics(hass, start=first)
    await async_wait_recording_done(hass)

    # The upgrade: the same history, the sensor now in seconds; then 60 s more.
    hass.states.async_remove(LIFETIME_BACKWARD)
    walked = SessionRecord(
        started_at=first,
        ended_at=first + timedelta(minutes=2),
        program="custom",
        outcome=Outcome.COMPLETED,
        backward_seconds=90.0,
    )
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}.history"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}.history",
        "data": {"records": [walked.to_dict()], "damaged": []},
    }
    await setup_entry(hass, config_entry)
    assert hass.states.get(LIFETIME_BACKWARD).state == "90"
    await call(
        hass, "start_session", intervals=[{"direction": "backward", "duration": 60}]
    )
    await travel(hass, freezer, timedelta(minutes=1))
    assert hass.states.get(LIFETIME_BACKWARD).state == "150"
    await travel(hass, freezer, timedelta(minutes=3))
    await async_wait_recording_done(hass)
    do_adhoc_statistics(hass, start=first + timedelta(minutes=5))
    await async_wait_recording_done(hass)

    metadata = {
        item["statistic_id"]: item
        for item in await get_instance(hass).async_add_executor_job(
            list_statistic_ids, hass
        )
    }
    assert metadata[LIFETIME_BACKWARD]["statistics_unit_of_measurement"] == "min"
    stats = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        first,
        None,
        {LIFETIME_BACKWARD},
        "5minute",
        {"duration": "min"},
        {"sum", "state"},
    )
    # In minutes as kept (asked for in the unit the sensor shows, they would be seconds).
    assert [row["state"] for row in stats[LIFETIME_BACKWARD]] == [1.5, 2.5]
    assert [row["sum"] for row in stats[LIFETIME_BACKWARD]] == [1.5, 2.5]
    # Nothing for the user to fix.
    issues = await get_instance(hass).async_add_executor_job(validate_statistics, hass)
    assert LIFETIME_BACKWARD not in issues
