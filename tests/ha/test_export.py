"""The therapist export: CSV and JSON rendering and the download view."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from http import HTTPStatus
import io
from types import SimpleNamespace
from unittest.mock import patch
from zoneinfo import ZoneInfo

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.retrowalk.const import DOMAIN
from custom_components.retrowalk.export import history_csv, history_json
from custom_components.retrowalk.history_store import HistoryStore
from custom_components.retrowalk.http import async_register_views
from custom_components.retrowalk.workout.history import (
    Outcome,
    PauseRecord,
    SessionRecord,
)
from custom_components.retrowalk.workout.units import KM_PER_MILE, SpeedUnit

PACIFIC = ZoneInfo("US/Pacific")  # the time zone of Home Assistant's test config

WALKED = SessionRecord(
    started_at=datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
    ended_at=datetime(2026, 11, 20, 16, 25, tzinfo=UTC),
    program="beginner",
    outcome=Outcome.STOPPED,
    end_reason="user",
    forward_seconds=630.0,
    backward_seconds=720.0,
    paused_seconds=42.4,
    distance_km=KM_PER_MILE * 0.75,
    forward_speed_kmh=KM_PER_MILE * 1.5,
    backward_speed_kmh=KM_PER_MILE * 0.8,
    pauses=(
        PauseRecord(
            at=datetime(2026, 11, 20, 16, 5, tzinfo=UTC),
            reason="no_spotter",
            seconds=12.4,
        ),
        PauseRecord(
            at=datetime(2026, 11, 20, 16, 9, tzinfo=UTC),
            reason="user",
            seconds=30.0,
        ),
    ),
    met_minutes=47.25,
    kcal=61.6,
    scheduled_for=datetime(2026, 11, 20, 15, 45, tzinfo=UTC),
)
MISSED_EARLIER = SessionRecord(
    started_at=datetime(2026, 11, 19, 16, 0, tzinfo=UTC),
    ended_at=None,
    program="beginner",
    outcome=Outcome.MISSED,
    scheduled_for=datetime(2026, 11, 19, 16, 0, tzinfo=UTC),
)
LATE_EVENING = SessionRecord(
    started_at=datetime(2026, 11, 21, 6, 30, tzinfo=UTC),  # 22:30 on the 20th locally
    ended_at=datetime(2026, 11, 21, 6, 40, tzinfo=UTC),
    program="steady",
    outcome=Outcome.COMPLETED,
    backward_seconds=600.0,
    distance_km=0.5,
    backward_speed_kmh=3.0,
)
HEADER = [
    "Started",
    "Program",
    "Outcome",
    "End reason",
    "Forward (min)",
    "Backward (min)",
    "Paused (min)",
    "Distance (mi)",
    "Forward speed (mph)",
    "Backward speed (mph)",
    "Pauses (reason:seconds)",
    "MET-minutes",
    "kcal",
    "Scheduled for",
]


def rows(text: str) -> list[list[str]]:
    """The cells of a CSV text."""
    return list(csv.reader(io.StringIO(text)))


def test_csv_in_miles() -> None:
    """Local times, minutes, miles and mph, pauses in one cell, blanks for nothing."""
    text = history_csv(
        [MISSED_EARLIER, WALKED], speed_unit=SpeedUnit.MPH, time_zone=PACIFIC
    )

    assert rows(text) == [
        HEADER,
        [
            "2026-11-19T08:00:00-08:00",
            "beginner",
            "missed",
            "",
            "0.0",
            "0.0",
            "0.0",
            "0.0",
            "",
            "",
            "",
            "0.0",
            "",
            "2026-11-19T08:00:00-08:00",
        ],
        [
            "2026-11-20T08:00:00-08:00",
            "beginner",
            "stopped",
            "user",
            "10.5",
            "12.0",
            "0.7",
            "0.75",
            "1.5",
            "0.8",
            "no_spotter:12;user:30",
            "47.2",
            "62",
            "2026-11-20T07:45:00-08:00",
        ],
    ]


def test_csv_in_kilometres() -> None:
    """The units of the header follow the speed unit."""
    [header, row] = rows(
        history_csv([LATE_EVENING], speed_unit=SpeedUnit.KMH, time_zone=UTC)
    )

    assert header[7:10] == [
        "Distance (km)",
        "Forward speed (km/h)",
        "Backward speed (km/h)",
    ]
    assert row[0] == "2026-11-21T06:30:00+00:00"
    assert row[7:10] == ["0.5", "", "3.0"]


def test_json_keeps_records_as_stored() -> None:
    """The JSON export is the stored records, in km, km/h and seconds."""
    assert history_json([WALKED]) == {
        "units": {"speed": "km/h", "distance": "km", "time": "s"},
        "records": [WALKED.to_dict()],
    }


@pytest.fixture
async def history(hass: HomeAssistant) -> HistoryStore:
    """A loaded history with three sessions."""
    store = HistoryStore(hass, "treadmill")
    await store.async_load()
    for record in (WALKED, LATE_EVENING, MISSED_EARLIER):
        store.async_add(record)
    return store


@pytest.fixture
async def entry(hass: HomeAssistant, history: HistoryStore) -> MockConfigEntry:
    """A loaded treadmill whose runtime data has the history and the speed unit.

    Stands in for the controller until it carries the history itself.
    """
    assert await async_setup_component(hass, "http", {})
    async_register_views(hass)
    entry = MockConfigEntry(domain=DOMAIN, title="Demo Treadmill", entry_id="treadmill")
    entry.add_to_hass(hass)
    entry.mock_state(hass, ConfigEntryState.LOADED)
    entry.runtime_data = SimpleNamespace(
        planner=SimpleNamespace(history=history),
        settings=SimpleNamespace(speed_unit=SpeedUnit.MPH),
    )
    return entry


URL = "/api/retrowalk/history/treadmill"
TOO_FAR = "is too far in the past or future to convert to UTC"


async def test_needs_authentication(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a token the history is not served."""
    client = await hass_client_no_auth()

    response = await client.get(URL)

    assert response.status == HTTPStatus.UNAUTHORIZED


async def test_csv_download(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """CSV is the default: an attachment named after the treadmill, in its unit."""
    client = await hass_client()

    response = await client.get(URL)

    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="retrowalk-history-demo_treadmill.csv"'
    )
    assert await response.text() == history_csv(
        [MISSED_EARLIER, WALKED, LATE_EVENING],
        speed_unit=SpeedUnit.MPH,
        time_zone=PACIFIC,
    )


async def test_json_download(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """format=json gives the stored records."""
    client = await hass_client()

    response = await client.get(URL, params={"format": "json"})

    assert response.status == HTTPStatus.OK
    assert await response.json() == history_json([MISSED_EARLIER, WALKED, LATE_EVENING])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Dates are local midnight (US/Pacific): the 20th starts at 08:00 UTC.
        ({"start": "2026-11-20"}, [WALKED, LATE_EVENING]),
        ({"end": "2026-11-20"}, [MISSED_EARLIER]),
        ({"start": "2026-11-20", "end": "2026-11-21"}, [WALKED, LATE_EVENING]),
        # A time with an offset is exact; the start is included, the end is not.
        ({"start": "2026-11-20T16:00:00+00:00"}, [WALKED, LATE_EVENING]),
        ({"end": "2026-11-20T16:00:00Z"}, [MISSED_EARLIER]),
        # A time without an offset is local: 20:00 on the 20th is 04:00 UTC on the 21st.
        ({"start": "2026-11-20T20:00:00"}, [LATE_EVENING]),
    ],
)
async def test_date_filters(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    params: dict[str, str],
    expected: list[SessionRecord],
) -> None:
    """start and end take ISO dates or date and times."""
    client = await hass_client()

    response = await client.get(URL, params={"format": "json"} | params)

    assert (await response.json())["records"] == [r.to_dict() for r in expected]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "xlsx"}, "Unknown format 'xlsx'; use csv or json"),
        (
            {"start": "last week"},
            "Invalid start 'last week'; use an ISO date or date and time",
        ),
        (
            {"end": "2026-13-01"},
            "Invalid end '2026-13-01'; use an ISO date or date and time",
        ),
        (
            # Local (US/Pacific) time: eight hours past the last moment in UTC.
            {"start": "9999-12-31T23:59:59"},
            f"start '9999-12-31T23:59:59' {TOO_FAR}",
        ),
        (
            {"end": "0001-01-01T00:00:00+14:00"},
            f"end '0001-01-01T00:00:00+14:00' {TOO_FAR}",
        ),
    ],
)
async def test_bad_query_is_400(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    params: dict[str, str],
    message: str,
) -> None:
    """A format or date the view does not understand is explained."""
    client = await hass_client()

    response = await client.get(URL, params=params)

    assert response.status == HTTPStatus.BAD_REQUEST
    assert await response.json() == {"message": message}


async def test_the_widest_range_is_served(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The first and last moments there are, in UTC, are fine."""
    client = await hass_client()

    response = await client.get(
        URL,
        params={
            "format": "json",
            "start": "0001-01-01T00:00:00+00:00",
            "end": "9999-12-31T23:59:59+00:00",
        },
    )

    assert response.status == HTTPStatus.OK
    assert len((await response.json())["records"]) == 3


async def test_needs_an_administrator(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Health data: a user who is not an administrator gets 403 and no records."""
    client = await hass_client(hass_read_only_access_token)

    for params in ({}, {"format": "json"}, {"start": "9999-12-31T23:59:59"}):
        response = await client.get(URL, params=params)
        assert response.status == HTTPStatus.FORBIDDEN
        assert await response.json() == {
            "message": "Only administrators can download the session history"
        }


async def test_unknown_entry_is_404(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """An id that is no config entry, or not a retrowalk one, is not found."""
    other = MockConfigEntry(domain="input_boolean", entry_id="other")
    other.add_to_hass(hass)
    client = await hass_client()

    for entry_id in ("nonexistent", "other"):
        response = await client.get(f"/api/retrowalk/history/{entry_id}")
        assert response.status == HTTPStatus.NOT_FOUND
        assert await response.json() == {"message": "Unknown treadmill"}


async def test_entry_not_loaded_is_404(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """A treadmill that is not set up has no history to serve."""
    entry.mock_state(hass, ConfigEntryState.NOT_LOADED)
    client = await hass_client()

    response = await client.get(URL)

    assert response.status == HTTPStatus.NOT_FOUND
    assert await response.json() == {"message": "The treadmill is not loaded"}


async def test_view_is_registered_once(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Setting up a second treadmill does not register the view again."""
    with patch.object(hass.http, "register_view") as register_view:
        async_register_views(hass)

    register_view.assert_not_called()
