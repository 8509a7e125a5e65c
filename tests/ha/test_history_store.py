"""The session history store: nothing the user recorded is ever lost."""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed_exact

from custom_components.retrowalk.history_store import HistoryStore
from custom_components.retrowalk.workout.history import (
    Outcome,
    PauseRecord,
    SessionRecord,
)

KEY = "retrowalk.entry-1.history"

# The real file access of Store, taken before the hass fixture mocks it per test.
_REAL_LOAD = Store._async_load
_REAL_WRITE = Store._async_write_data
_REAL_REMOVE = Store.async_remove


def record(started_at: str, **changes: Any) -> SessionRecord:
    """A finished session that started at `started_at`."""
    start = datetime.fromisoformat(started_at)
    return SessionRecord(
        started_at=start,
        ended_at=start + timedelta(minutes=20),
        program="beginner",
        outcome=changes.pop("outcome", Outcome.COMPLETED),
        backward_seconds=600.0,
        forward_seconds=540.0,
        distance_km=0.9,
        pauses=(
            PauseRecord(at=start + timedelta(minutes=5), reason="user", seconds=30),
        ),
        **changes,
    )


FIRST = record("2026-11-19T07:00:00+00:00")
SECOND = record("2026-11-20T07:00:00+00:00")
THIRD = record("2026-11-21T06:00:00+00:00")


def stored(data: Any, version: int = 1, minor_version: int = 1) -> dict[str, Any]:
    """A history file as Store writes it."""
    return {
        "version": version,
        "minor_version": minor_version,
        "key": KEY,
        "data": data,
    }


async def loaded(hass: HomeAssistant) -> HistoryStore:
    """A history store that has read its file."""
    history = HistoryStore(hass, "entry-1")
    await history.async_load()
    return history


@pytest.fixture
def storage_dir(hass: HomeAssistant, tmp_path: Path) -> Generator[Path]:
    """Real files in a temporary config folder instead of the mocked storage."""
    hass.config.config_dir = str(tmp_path)
    with (
        patch.object(Store, "_async_load", _REAL_LOAD),
        patch.object(Store, "_async_write_data", _REAL_WRITE),
        patch.object(Store, "async_remove", _REAL_REMOVE),
    ):
        yield tmp_path / ".storage"


async def wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move the clock exactly and let due timers fire."""
    freezer.tick(seconds)
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()


def write_file(storage_dir: Path, content: str) -> Path:
    """Put a history file on disk."""
    storage_dir.mkdir(exist_ok=True)
    path = storage_dir / KEY
    path.write_text(content)
    return path


def set_aside(storage_dir: Path) -> list[Path]:
    """The files moved out of the way."""
    return sorted(storage_dir.glob(f"{KEY}.corrupt.*"))


async def test_missing_file_is_an_empty_history(hass: HomeAssistant) -> None:
    """A new treadmill has no sessions and a writable file."""
    history = await loaded(hass)

    assert history.records == ()
    assert history.damaged_count == 0
    assert not history.read_only


async def test_history_survives_a_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """What is saved is read back in order by the next store."""
    history = await loaded(hass)
    history.async_add(SECOND)
    history.async_add(FIRST)
    await history.async_save()

    assert hass_storage[KEY]["version"] == 1
    assert hass_storage[KEY]["minor_version"] == 1
    assert hass_storage[KEY]["data"] == {
        "records": [FIRST.to_dict(), SECOND.to_dict()],
        "damaged": [],
    }
    assert (await loaded(hass)).records == (FIRST, SECOND)


async def test_add_saves_a_second_later(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """A burst of adds is one write a second after the last; a replacement is saved too."""
    history = await loaded(hass)
    history.async_add(FIRST)
    await wait(hass, freezer, 0.9)
    history.async_add(SECOND)
    await wait(hass, freezer, 0.9)
    assert KEY not in hass_storage

    await wait(hass, freezer, 0.1)
    assert hass_storage[KEY]["data"]["records"] == [FIRST.to_dict(), SECOND.to_dict()]

    stopped = record(SECOND.key, outcome=Outcome.STOPPED)
    history.async_add(stopped)
    await wait(hass, freezer, 1)
    assert hass_storage[KEY]["data"]["records"] == [FIRST.to_dict(), stopped.to_dict()]


async def test_add_replaces_the_record_with_the_same_key(hass: HomeAssistant) -> None:
    """A session stored again (e.g. missed, then walked late) is updated in place."""
    history = await loaded(hass)
    for session in (FIRST, SECOND, THIRD):
        history.async_add(session)
    stopped = record(SECOND.key, outcome=Outcome.STOPPED, end_reason="user")

    history.async_add(stopped)

    assert history.records == (FIRST, stopped, THIRD)


async def test_between_is_start_inclusive_and_end_exclusive(
    hass: HomeAssistant,
) -> None:
    """Filtering by time, each bound optional."""
    history = await loaded(hass)
    for session in (THIRD, FIRST, SECOND):
        history.async_add(session)

    assert history.between(None, None) == [FIRST, SECOND, THIRD]
    assert history.between(SECOND.started_at, THIRD.started_at) == [SECOND]
    assert history.between(SECOND.started_at, None) == [SECOND, THIRD]
    assert history.between(None, SECOND.started_at) == [FIRST]


async def test_listeners_are_called_after_every_add(hass: HomeAssistant) -> None:
    """The calendar and sensors hear of new sessions until they unsubscribe."""
    history = await loaded(hass)
    seen: list[tuple[SessionRecord, ...]] = []
    unsubscribe = history.async_add_listener(lambda: seen.append(history.records))

    history.async_add(FIRST)
    history.async_add(SECOND)
    unsubscribe()
    history.async_add(THIRD)

    assert seen == [(FIRST,), (FIRST, SECOND)]


async def test_damaged_records_are_kept_and_saved_back(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A record that cannot be read is skipped, counted, and never dropped."""
    earlier = {"started_at": "yesterday", "program": "beginner"}
    broken = [
        {"started_at": FIRST.key},
        FIRST.to_dict() | {"outcome": "abandoned"},
        FIRST.to_dict() | {"started_at": "2026-11-19T07:00:00"},
        "not a record",
    ]
    hass_storage[KEY] = stored(
        {"records": [SECOND.to_dict(), *broken], "damaged": [earlier]}
    )

    history = await loaded(hass)
    history.async_add(THIRD)
    await history.async_save()

    assert history.records == (SECOND, THIRD)
    assert history.damaged_count == 5
    assert "holds 5 damaged session records" in caplog.text
    assert hass_storage[KEY]["data"] == {
        "records": [SECOND.to_dict(), THIRD.to_dict()],
        "damaged": [earlier, *broken],
    }


async def test_newer_minor_version_is_read(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A minor version only adds fields, which reading ignores."""
    hass_storage[KEY] = stored(
        {"records": [FIRST.to_dict() | {"heart_rate": 96}]}, minor_version=2
    )

    history = await loaded(hass)

    assert history.records == (FIRST,)
    assert not history.read_only


async def test_newer_major_version_is_left_untouched(
    hass: HomeAssistant,
    storage_dir: Path,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a downgrade, sessions are kept in memory and the file is not rewritten."""
    content = json.dumps(stored({"sessions": [FIRST.to_dict()]}, version=2))
    path = write_file(storage_dir, content)

    history = await loaded(hass)
    history.async_add(SECOND)
    await wait(hass, freezer, 1)
    await history.async_save()

    assert history.read_only
    assert history.records == (SECOND,)
    assert path.read_text() == content
    # The minor version is known only where retrowalk refuses the file itself (before
    # 2026.11); from 2026.11 Home Assistant's Store refuses it first.
    assert "written by a newer retrowalk (storage version 2" in caplog.text


async def test_corrupt_json_is_moved_aside_by_home_assistant(
    hass: HomeAssistant, storage_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Home Assistant renames a file it cannot parse, logs where to, and we start empty."""
    path = write_file(storage_dir, '{"version": 1, "data": {"records": [')

    history = await loaded(hass)
    history.async_add(FIRST)
    await history.async_save()

    assert history.records == (FIRST,)
    assert not history.read_only
    [aside] = set_aside(storage_dir)
    assert aside.read_text() == '{"version": 1, "data": {"records": ['
    assert str(aside) in caplog.text
    assert json.loads(path.read_text())["data"]["records"] == [FIRST.to_dict()]


@pytest.mark.parametrize(
    "content",
    [
        "[1, 2]",
        "null",
        '{"data": {"records": []}}',
        json.dumps(stored("garbage")),
        json.dumps(stored({"records": {"a": 1}})),
    ],
)
async def test_file_of_another_layout_is_moved_aside(
    hass: HomeAssistant,
    storage_dir: Path,
    caplog: pytest.LogCaptureFixture,
    content: str,
) -> None:
    """Valid JSON that is not a history is renamed before anything is saved."""
    path = write_file(storage_dir, content)

    history = await loaded(hass)
    await history.async_save()

    assert history.records == ()
    assert not history.read_only
    [aside] = set_aside(storage_dir)
    assert aside.read_text() == content
    assert f"it was moved to {aside}" in caplog.text
    assert json.loads(path.read_text())["data"] == {"records": [], "damaged": []}


async def test_file_that_cannot_be_moved_aside_is_left_alone(
    hass: HomeAssistant, storage_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """If renaming fails, the store goes read-only rather than overwrite."""
    path = write_file(storage_dir, "[1, 2]")

    with patch(
        "custom_components.retrowalk.history_store.os.rename",
        side_effect=PermissionError("read-only file system"),
    ):
        history = await loaded(hass)
    history.async_add(FIRST)
    await history.async_save()

    assert history.read_only
    assert history.records == (FIRST,)
    assert path.read_text() == "[1, 2]"
    assert "nor moved aside (read-only file system)" in caplog.text


async def test_unreadable_file_is_left_alone(
    hass: HomeAssistant, storage_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file the system cannot read (here: a folder) is neither moved nor replaced."""
    path = storage_dir / KEY
    path.mkdir(parents=True)

    history = await loaded(hass)
    history.async_add(FIRST)
    await history.async_save()

    assert history.read_only
    assert path.is_dir()
    assert set_aside(storage_dir) == []
    assert f"{path} could not be read" in caplog.text


async def test_remove_deletes_the_file(hass: HomeAssistant, storage_dir: Path) -> None:
    """A deleted treadmill leaves no history file behind."""
    history = await loaded(hass)
    history.async_add(FIRST)
    await history.async_save()
    assert (storage_dir / KEY).is_file()

    await history.async_remove()

    assert not (storage_dir / KEY).exists()
