"""The lifetime sensors feed Home Assistant's long-term statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.components.recorder.statistics import list_statistic_ids
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
    statistics_during_period,
)

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
    assert hass.states.get(LIFETIME_BACKWARD).state == "1.5"
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
    assert metadata[LIFETIME_BACKWARD]["statistics_unit_of_measurement"] == "min"
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
    assert stats[LIFETIME_BACKWARD][-1]["state"] == 1.5
    assert stats[LIFETIME_SESSIONS][-1]["state"] == 1
