"""The coach's file: whatever is in it, the treadmill sets up and nothing is overwritten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import CONF_MAX_SPEED_KMH, DOMAIN

from .helpers import PREFIX, call, setup_entry
from .test_history_store import storage_dir  # noqa: F401 - a fixture

LEVEL = f"sensor.{PREFIX}_progression_level"
# Monday 00:00 in US/Pacific (the test zone) of the week holding 2026-11-21.
THIS_MONDAY = "2026-11-16T08:00:00+00:00"


def coach_path(storage: Path, entry: MockConfigEntry) -> Path:
    """The coach file of an entry."""
    return storage / f"{DOMAIN}.{entry.entry_id}.coach"


def write(storage: Path, entry: MockConfigEntry, content: str) -> Path:
    """Put a coach file on disk."""
    storage.mkdir(exist_ok=True)
    path = coach_path(storage, entry)
    path.write_text(content)
    return path


def stored(data: Any, version: Any = 1, minor_version: int = 1) -> str:
    """A coach file as Store writes it."""
    return json.dumps(
        {"version": version, "minor_version": minor_version, "key": "k", "data": data}
    )


def set_aside(storage: Path, entry: MockConfigEntry) -> list[Path]:
    """The coach files moved out of the way."""
    return sorted(storage.glob(f"{DOMAIN}.{entry.entry_id}.coach.corrupt.*"))


def level(hass: HomeAssistant) -> str:
    """The level sensor's state."""
    state = hass.states.get(LEVEL)
    assert state is not None
    return state.state


def saved(storage: Path, entry: MockConfigEntry) -> dict[str, Any]:
    """The data of the coach file now."""
    data: dict[str, Any] = json.loads(coach_path(storage, entry).read_text())["data"]
    return data


@pytest.mark.parametrize(
    "content",
    [
        "null",
        "[1, 2]",
        '"level 3"',
        "3",
        # Unversioned: the coach's fields without Store's envelope.
        json.dumps({"level": 3, "week_of": THIS_MONDAY}),
        stored([3, THIS_MONDAY]),
        stored("level 3"),
        stored({"level": "3", "week_of": THIS_MONDAY}),
        stored({"level": True, "week_of": THIS_MONDAY}),
        stored({"level": -3, "week_of": THIS_MONDAY}),
        stored({"level": 3}),
        stored({"level": 3, "week_of": "monday"}),
        stored({"level": 3, "week_of": "2026-11-16T00:00:00"}),
        stored({"level": 3, "week_of": THIS_MONDAY}, version="1"),  # a string
    ],
)
async def test_damaged_coach_file_is_moved_aside(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
    content: str,
) -> None:
    """The treadmill sets up; the file is renamed as it was; the coach starts at 0."""
    write(storage_dir, config_entry, content)

    await setup_entry(hass, config_entry)

    assert config_entry.state is ConfigEntryState.LOADED
    assert level(hass) == "0"
    [aside] = set_aside(storage_dir, config_entry)
    assert aside.read_text() == content
    assert f"it was moved to {aside}" in caplog.text
    assert saved(storage_dir, config_entry) == {"level": 0, "week_of": THIS_MONDAY}
    await call(hass, "set_progression_level", level=2)
    assert saved(storage_dir, config_entry)["level"] == 2


async def test_damaged_coach_file_that_cannot_be_moved_is_left_alone(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """If renaming fails, the level changes in memory only."""
    path = write(storage_dir, config_entry, "[1, 2]")

    with patch(
        "custom_components.retrowalk.stored_files.os.rename",
        side_effect=PermissionError("read-only file system"),
    ):
        await setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    assert level(hass) == "0"
    await call(hass, "set_progression_level", level=2)
    assert level(hass) == "2"
    await hass.config_entries.async_unload(config_entry.entry_id)

    assert path.read_text() == "[1, 2]"
    assert "nor moved aside (read-only file system)" in caplog.text


async def test_unreadable_coach_file_is_left_alone(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A file the system cannot read (here: a folder) is neither moved nor replaced."""
    path = coach_path(storage_dir, config_entry)
    path.mkdir(parents=True)

    await setup_entry(hass, config_entry)
    await call(hass, "set_progression_level", level=2)

    assert config_entry.state is ConfigEntryState.LOADED
    assert level(hass) == "2"
    assert path.is_dir()
    assert set_aside(storage_dir, config_entry) == []
    assert f"{path} could not be read" in caplog.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"level": 3, "week_of": THIS_MONDAY, "goal": "run"}, "3"),
        ({"coach": {"level": 3}}, "0"),
        (None, "0"),
    ],
)
async def test_newer_coach_file_is_read_but_never_written(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
    data: Any,
    expected: str,
) -> None:
    """After a downgrade: the level if it can be read, else 0; the file stays as it is."""
    content = stored(data, version=2)
    path = write(storage_dir, config_entry, content)

    await setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    assert level(hass) == expected
    await call(hass, "set_progression_level", level=1)
    assert level(hass) == "1"
    await hass.config_entries.async_unload(config_entry.entry_id)

    assert path.read_text() == content
    assert set_aside(storage_dir, config_entry) == []
    assert "written by a newer retrowalk (storage version 2)" in caplog.text


class UnsupportedStorageVersionError(HomeAssistantError):
    """What Home Assistant 2026.11's Store raises for a newer major version."""

    def __init__(self, key: str, found_version: int, max_supported: int) -> None:
        super().__init__(f"Storage file {key} has version {found_version}")
        self.found_version = found_version


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (stored({"level": 3, "week_of": THIS_MONDAY}, version=2), "3"),
        (stored({"level": "three"}, version=2), "0"),
        ('{"version": 2, "data": ', "0"),  # gone bad since the Store looked at it
    ],
)
async def test_store_that_refuses_a_newer_coach_file_itself(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
    content: str,
    expected: str,
) -> None:
    """Home Assistant 2026.11 refuses it before migrating: the level is still read."""
    path = write(storage_dir, config_entry, content)
    original = Store._async_load_data

    async def refuse(store: Store, *args: Any) -> Any:
        if store.key.endswith(".coach"):
            raise UnsupportedStorageVersionError(store.key, 2, store.version)
        return await original(store, *args)

    with patch.object(Store, "_async_load_data", refuse):
        await setup_entry(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    assert level(hass) == expected
    await call(hass, "set_progression_level", level=1)
    assert level(hass) == "1"
    assert path.read_text() == content
    assert "written by a newer retrowalk (storage version 2)" in caplog.text


async def test_newer_minor_coach_file_keeps_its_fields(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """A minor version adds fields: the level is read and a new one saved beside them."""
    write(
        storage_dir,
        config_entry,
        stored({"level": 2, "week_of": THIS_MONDAY, "goal": "run"}, minor_version=2),
    )

    await setup_entry(hass, config_entry)
    assert level(hass) == "2"
    await call(hass, "set_progression_level", level=1)

    assert saved(storage_dir, config_entry) == {
        "level": 1,
        "week_of": THIS_MONDAY,
        "goal": "run",
    }


async def test_level_above_a_lowered_cap_is_the_top_level(
    hass: HomeAssistant,
    storage_dir: Path,  # noqa: F811
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """Lowering the cap in the week the level was set lowers the level, never raises."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        data=dict(config_entry.data),
        options=dict(config_entry.options) | {CONF_MAX_SPEED_KMH: 1.609344},
    )
    write(storage_dir, entry, stored({"level": 18, "week_of": THIS_MONDAY}))

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    state = hass.states.get(LEVEL)
    assert state is not None
    assert state.state == "8"  # 0.5 to 1.0 mph: five speed steps above level 3
    assert state.attributes["max_level"] == 8
