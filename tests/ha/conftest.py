"""Fixtures for tests that run retrowalk in a real (in-process) Home Assistant."""

from __future__ import annotations

from collections.abc import Generator
import importlib

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.retrowalk.const import (
    BUS_EVENT,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .helpers import SPOTTER_SWITCH, setup_entry

# Home Assistant 2025.4 imports its hassio component lazily on the first diagnostics
# download; under a frozen clock that import fails in mashumaro (it meets freezegun's
# datetime class). Importing it now, before any test freezes time, avoids that.
importlib.import_module("homeassistant.components.hassio")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> Generator[None]:
    """Let Home Assistant load custom_components/retrowalk."""
    return


@pytest.fixture(autouse=True)
def whole_second_start(freezer: FrozenDateTimeFactory) -> None:
    """Start every test on a whole second, as timestamp states show seconds."""
    freezer.move_to("2026-11-21T07:00:00+00:00")


@pytest.fixture
async def spotter_switch(hass: HomeAssistant) -> str:
    """A real input_boolean standing in for the spotter's presence, switched on."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"spotter": {"initial": True}}}
    )
    return SPOTTER_SWITCH


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """A virtual treadmill in mph with the default 2.0 mph cap and one spotter."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Demo Treadmill",
        unique_id="virtual-demo_treadmill",
        data={
            CONF_NAME: "Demo Treadmill",
            CONF_TREADMILL_TYPE: "virtual",
            CONF_CLEARANCE_ACKNOWLEDGED: True,
        },
        options={
            CONF_SPEED_UNIT: "mph",
            CONF_MAX_SPEED_KMH: 3.218688,
            CONF_SPOTTERS: [SPOTTER_SWITCH],
        },
    )


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, spotter_switch: str
) -> MockConfigEntry:
    """The config entry, set up, with its spotter present."""
    await setup_entry(hass, config_entry)
    return config_entry


@pytest.fixture
def belt(loaded_entry: MockConfigEntry) -> VirtualTreadmill:
    """The virtual treadmill of the loaded entry."""
    treadmill = loaded_entry.runtime_data.controller.treadmill
    assert isinstance(treadmill, VirtualTreadmill)
    return treadmill


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[Event]:
    """Every retrowalk_event fired on the bus."""
    return async_capture_events(hass, BUS_EVENT)
