"""A Bluetooth FTMS treadmill in a real Home Assistant, down to the bytes.

Home Assistant's Bluetooth integration runs with its scanner mocked; the
treadmill is "seen" by feeding its advertisement to the manager, and
bleak-retry-connector's `establish_connection` hands out a `FakeFtmsMachine`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
import inspect
import logging
from typing import Any
from unittest.mock import patch

from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.bluetooth import (
    MONOTONIC_TIME,
    BluetoothServiceInfoBleak,
    async_get_advertisement_callback,
)
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER
from homeassistant.const import CONF_ADDRESS, CONF_NAME
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.const import (
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)
from custom_components.retrowalk.treadmills.ftms import FtmsTreadmill
from custom_components.retrowalk.treadmills.ftms_protocol import (
    FITNESS_MACHINE_SERVICE_UUID,
)
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill
from tests.treadmills.fake_ftms import (
    REQUEST_CONTROL,
    START,
    STOP,
    FakeFtmsMachine,
    set_speed,
)

from .helpers import (
    PAUSE_REASON,
    PHASE,
    PREFIX,
    SPOTTER_SWITCH,
    call,
    setup_entry,
    travel,
)
from .test_config_flow import ANNOUNCEMENT_INPUT, SPOTTER_INPUT, start_flow
from .test_entity_bridge import TWO_INTERVALS

ADDRESS = "AA:BB:CC:DD:EE:01"
DEVICE_NAME = "FS-5C1A2B"
CONNECTION = f"binary_sensor.{PREFIX}_connection"
REPORTED_SPEED = f"sensor.{PREFIX}_reported_speed"
BATTERY_SERVICE_UUID = "0000180f-0000-1000-8000-00805f9b34fb"
MPH_IN_KMH = 1.609344


def service_info(
    address: str = ADDRESS,
    name: str = DEVICE_NAME,
    service_uuids: tuple[str, ...] = (FITNESS_MACHINE_SERVICE_UUID,),
) -> BluetoothServiceInfoBleak:
    """A connectable advertisement, built for bleak 0.22 and 2.x alike."""
    # bleak 0.22's BLEDevice requires the RSSI; bleak 2.x warns when given it.
    extra = {"rssi": -60} if "rssi" in inspect.signature(BLEDevice).parameters else {}
    device = BLEDevice(address, name, {}, **extra)
    advertisement = AdvertisementData(
        local_name=name,
        manufacturer_data={},
        service_data={},
        service_uuids=list(service_uuids),
        tx_power=None,
        rssi=-60,
        platform_data=(),
    )
    return BluetoothServiceInfoBleak(
        name=name,
        address=address,
        rssi=-60,
        manufacturer_data={},
        service_data={},
        service_uuids=list(service_uuids),
        source="local",
        device=device,
        advertisement=advertisement,
        connectable=True,
        time=MONOTONIC_TIME(),
        tx_power=None,
    )


async def advertise(hass: HomeAssistant, info: BluetoothServiceInfoBleak) -> None:
    """Let Home Assistant's Bluetooth manager see an advertisement."""
    async_get_advertisement_callback(hass)(info)
    await hass.async_block_till_done()


async def settle(hass: HomeAssistant) -> None:
    """Wait for everything, the entry's background connect included."""
    await hass.async_block_till_done(wait_background_tasks=True)


def ftms_entry(address: str = ADDRESS) -> MockConfigEntry:
    """An FTMS treadmill in mph with a 2.0 mph cap and one spotter."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Demo Treadmill",
        unique_id=f"ftms-{address.lower()}",
        data={
            CONF_NAME: "Demo Treadmill",
            CONF_TREADMILL_TYPE: "ftms",
            CONF_CLEARANCE_ACKNOWLEDGED: True,
            CONF_ADDRESS: address,
        },
        options={
            CONF_SPEED_UNIT: "mph",
            CONF_MAX_SPEED_KMH: 3.218688,
            CONF_SPOTTERS: [SPOTTER_SWITCH],
        },
    )


@dataclass
class BluetoothLink:
    """Stands in for bleak-retry-connector: every connection reaches one machine."""

    machine: FakeFtmsMachine
    #: The client class name, device address and name of every connection attempt.
    attempts: list[tuple[str, str, str]] = field(default_factory=list)

    async def establish_connection(
        self,
        client_class: type,
        device: BLEDevice,
        name: str,
        *,
        disconnected_callback: Callable[[Any], None],
        **_kwargs: Any,
    ) -> FakeFtmsMachine:
        """Connect to the machine; its drops reach the glue as bleak reports them."""
        self.attempts.append((client_class.__name__, device.address, name))
        return await self.machine.connect(lambda: disconnected_callback(self.machine))


@contextmanager
def bluetooth_link(machine: FakeFtmsMachine) -> Iterator[BluetoothLink]:
    """Patch bleak-retry-connector so that every connection reaches `machine`."""
    link = BluetoothLink(machine)
    with patch(
        "custom_components.retrowalk.ftms_link.establish_connection",
        link.establish_connection,
    ):
        yield link


@pytest.fixture
def link() -> Iterator[BluetoothLink]:
    """A fake FTMS treadmill behind a patched `establish_connection`."""
    with bluetooth_link(FakeFtmsMachine()) as patched:
        yield patched


@pytest.fixture
def machine(link: BluetoothLink) -> FakeFtmsMachine:
    """The treadmill at the other end of the link."""
    return link.machine


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    link: BluetoothLink,
) -> MockConfigEntry:
    """The FTMS entry, set up, its treadmill in range and connected."""
    ftms = ftms_entry()
    ftms.add_to_hass(hass)
    # Seen once the entry exists, as after a restart: discovery knows it.
    await advertise(hass, service_info())
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert await hass.config_entries.async_setup(ftms.entry_id)
    await settle(hass)
    return ftms


def writes_after(machine: FakeFtmsMachine, count: int) -> list[bytes]:
    """The control point requests the machine got after its first `count`."""
    return machine.writes[count:]


# --- discovery and the config flow -------------------------------------------


async def test_bluetooth_discovery_creates_an_ftms_entry(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    link: BluetoothLink,
) -> None:
    """Discovery names the treadmill, then the usual safety steps create the entry."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info()
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "bluetooth_confirm"
    assert result["description_placeholders"] == {
        "name": DEVICE_NAME,
        "address": ADDRESS,
    }
    (progress,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert progress["context"]["title_placeholders"] == {"name": DEVICE_NAME}
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_NAME] == DEVICE_NAME
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_NAME: " Demo Treadmill ", CONF_SPEED_UNIT: "mph"}
    )
    assert result["step_id"] == "safety"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    assert result["step_id"] == "spotter"
    result = await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    assert result["step_id"] == "announcements"
    result = await hass.config_entries.flow.async_configure(flow_id, ANNOUNCEMENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo Treadmill"
    assert result["data"] == {
        CONF_NAME: "Demo Treadmill",
        CONF_TREADMILL_TYPE: "ftms",
        CONF_CLEARANCE_ACKNOWLEDGED: True,
        CONF_ADDRESS: ADDRESS,
    }
    assert result["options"][CONF_MAX_SPEED_KMH] == pytest.approx(3.218688)
    assert result["result"].unique_id == f"ftms-{ADDRESS.lower()}"
    await settle(hass)
    # Not advertised yet: set up all the same, waiting for the treadmill.
    assert hass.states.get(PHASE).state == "idle"
    assert hass.states.get(CONNECTION).state == "off"
    assert link.attempts == []

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info()
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_discovered_treadmill_needs_a_usable_name(hass: HomeAssistant) -> None:
    """A name without letters or digits is refused on the confirm step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info()
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: " -- ", CONF_SPEED_UNIT: "mph"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "bluetooth_confirm"
    assert result["errors"] == {CONF_NAME: "invalid_name"}


async def test_advertising_treadmill_is_discovered_by_the_manifest_matcher(
    hass: HomeAssistant, enable_bluetooth: None
) -> None:
    """Home Assistant starts retrowalk's discovery for 0x1826, not for other devices."""
    await advertise(
        hass,
        service_info("AA:BB:CC:DD:EE:02", "Battery", (BATTERY_SERVICE_UUID,)),
    )
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    await advertise(hass, service_info())
    (progress,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert progress["context"]["source"] == SOURCE_BLUETOOTH
    assert progress["step_id"] == "bluetooth_confirm"


async def test_renaming_keeps_the_treadmill_known_by_its_address(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """After a rename, discovery of the same treadmill still finds it configured."""
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Garage Treadmill", CONF_TREADMILL_TYPE: "ftms"},
    )
    assert result["reason"] == "reconfigure_successful"
    await settle(hass)
    assert entry.title == "Garage Treadmill"
    assert entry.data[CONF_ADDRESS] == ADDRESS
    assert entry.unique_id == f"ftms-{ADDRESS.lower()}"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info()
    )
    assert result["reason"] == "already_configured"


async def test_reconfigure_turns_a_virtual_treadmill_into_an_ftms_one(
    hass: HomeAssistant,
    enable_bluetooth: None,
    loaded_entry: MockConfigEntry,
    link: BluetoothLink,
) -> None:
    """Reconfigure offers Bluetooth FTMS and the treadmills seen; the options stay."""
    options_before = dict(loaded_entry.options)
    await advertise(hass, service_info())
    result = await loaded_entry.start_reconfigure_flow(hass)
    types = result["data_schema"].schema[CONF_TREADMILL_TYPE].config["options"]
    assert types == ["virtual", "entity_bridge", "ftms"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "ftms"}
    )
    assert result["step_id"] == "ftms_device"
    selector = result["data_schema"].schema[CONF_ADDRESS]
    assert selector.config["options"] == [
        {"value": ADDRESS, "label": f"{DEVICE_NAME} ({ADDRESS})"}
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADDRESS: ADDRESS}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await settle(hass)
    assert loaded_entry.data == {
        CONF_NAME: "Demo Treadmill",
        CONF_TREADMILL_TYPE: "ftms",
        CONF_CLEARANCE_ACKNOWLEDGED: True,
        CONF_ADDRESS: ADDRESS,
    }
    assert loaded_entry.unique_id == f"ftms-{ADDRESS.lower()}"
    assert loaded_entry.options == options_before
    assert hass.states.get(CONNECTION).state == "on"
    # The treadmill is now configured: its discovery is over, and not offered again.
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=service_info()
    )
    assert result["reason"] == "already_configured"


async def test_reconfigure_to_ftms_with_no_treadmill_in_range_changes_nothing(
    hass: HomeAssistant, enable_bluetooth: None, loaded_entry: MockConfigEntry
) -> None:
    """No Bluetooth treadmill seen: the reconfiguration stops, the entry stays."""
    data_before = dict(loaded_entry.data)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Basement", CONF_TREADMILL_TYPE: "ftms"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices_found"
    assert loaded_entry.data == data_before
    assert loaded_entry.title == "Demo Treadmill"


async def test_reconfigure_an_ftms_treadmill_into_a_virtual_one(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The Bluetooth address goes with the type; the name makes the unique ID."""
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Demo Treadmill", CONF_TREADMILL_TYPE: "virtual"}
    )
    assert result["reason"] == "reconfigure_successful"
    await settle(hass)
    assert CONF_ADDRESS not in entry.data
    assert entry.data[CONF_TREADMILL_TYPE] == "virtual"
    assert entry.unique_id == "virtual-demo_treadmill"
    assert isinstance(entry.runtime_data.controller.treadmill, VirtualTreadmill)


async def start_manual_ftms_flow(hass: HomeAssistant) -> dict[str, Any]:
    """Name a new treadmill and choose the FTMS type."""
    flow_id = await start_flow(hass)
    return await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_NAME: "Demo Treadmill",
            CONF_TREADMILL_TYPE: "ftms",
            CONF_SPEED_UNIT: "mph",
        },
    )


async def test_manual_setup_offers_only_seen_ftms_treadmills(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    link: BluetoothLink,
) -> None:
    """The device step lists the treadmill, not the other device; choosing it goes on."""
    await advertise(hass, service_info())
    await advertise(
        hass, service_info("AA:BB:CC:DD:EE:02", "Battery", (BATTERY_SERVICE_UUID,))
    )
    result = await start_manual_ftms_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "ftms_device"
    selector = result["data_schema"].schema[CONF_ADDRESS]
    assert selector.config["options"] == [
        {"value": ADDRESS, "label": f"{DEVICE_NAME} ({ADDRESS})"}
    ]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ADDRESS: ADDRESS}
    )
    assert result["step_id"] == "safety"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MAX_SPEED: 2.0, CONF_CLEARANCE_ACKNOWLEDGED: True}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], SPOTTER_INPUT
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ANNOUNCEMENT_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ADDRESS] == ADDRESS
    assert result["result"].unique_id == f"ftms-{ADDRESS.lower()}"
    await settle(hass)
    # The discovery Home Assistant started for the same treadmill is gone.
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert hass.states.get(CONNECTION).state == "on"


async def test_manual_setup_without_a_treadmill_in_range_aborts(
    hass: HomeAssistant, enable_bluetooth: None
) -> None:
    """Only a non-FTMS device is seen: nothing to choose."""
    await advertise(
        hass, service_info("AA:BB:CC:DD:EE:02", "Battery", (BATTERY_SERVICE_UUID,))
    )
    result = await start_manual_ftms_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices_found"


async def test_manual_setup_skips_configured_treadmills(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The only treadmill in range already has an entry: nothing to choose."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: "Second", CONF_TREADMILL_TYPE: "ftms", CONF_SPEED_UNIT: "mph"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices_found"


async def test_manual_setup_without_bluetooth_aborts(hass: HomeAssistant) -> None:
    """Without Home Assistant's Bluetooth integration there is nothing to choose."""
    result = await start_manual_ftms_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_devices_found"


# --- sessions ----------------------------------------------------------------


def reported_mph(hass: HomeAssistant) -> float:
    """The reported speed sensor, shown in mph."""
    state = hass.states.get(REPORTED_SPEED)
    assert state.attributes["unit_of_measurement"] == "mph"
    return float(state.state)


async def test_session_drives_the_machine_over_bluetooth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    link: BluetoothLink,
    machine: FakeFtmsMachine,
    bus_events: list[Event],
) -> None:
    """Start, speed at the switch and stop reach the control point; data comes back."""
    assert isinstance(entry.runtime_data.controller.treadmill, FtmsTreadmill)
    ((client_class, address, name),) = link.attempts
    # Home Assistant's Bluetooth integration swaps in its own subclass.
    assert client_class.endswith("BleakClientWithServiceCache")
    assert (address, name) == (ADDRESS, "Demo Treadmill")
    assert machine.writes == [REQUEST_CONTROL]
    assert hass.states.get(CONNECTION).state == "on"

    await call(hass, "start_session", intervals=TWO_INTERVALS)
    # 0.5 mph is 0.80 km/h, on the machine's 0.1 km/h steps.
    assert writes_after(machine, 1) == [START, set_speed(0.8)]
    assert machine.started
    machine.tick()
    await hass.async_block_till_done()
    assert reported_mph(hass) == pytest.approx(0.8 / MPH_IN_KMH, abs=0.01)

    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "backward"
    assert machine.writes[-1] == set_speed(1.6)  # 1.0 mph
    machine.tick()
    await hass.async_block_till_done()
    assert reported_mph(hass) == pytest.approx(1.6 / MPH_IN_KMH, abs=0.01)

    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "finished"
    assert machine.writes[-1] == STOP
    machine.tick()
    assert machine.belt_kmh == 0
    assert [event.data["type"] for event in bus_events] == [
        "session_started",
        "interval_switched",
        "session_completed",
    ]


# --- faults -------------------------------------------------------------------


async def start_walking(hass: HomeAssistant, machine: FakeFtmsMachine) -> int:
    """Start a session and let the belt move; return the writes so far."""
    await call(hass, "start_session", intervals=TWO_INTERVALS)
    machine.tick()
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "forward"
    return len(machine.writes)


async def test_pulled_safety_key_stops_the_session(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    machine: FakeFtmsMachine,
    bus_events: list[Event],
) -> None:
    """The safety key ends the session (not a pause) and the belt is told to stop."""
    sent = await start_walking(hass, machine)
    machine.pull_safety_key()
    await hass.async_block_till_done()
    assert bus_events[-1].data["type"] == "session_stopped"
    assert bus_events[-1].data["reason"] == "safety_key"
    assert hass.states.get(PHASE).state == "idle"
    assert writes_after(machine, sent) == [STOP]
    machine.tick()
    assert machine.belt_kmh == 0
    # The key is still out: the machine refuses to start, so no session starts.
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert err.value.translation_key == "treadmill_error"
    assert hass.states.get(PHASE).state == "idle"
    assert not machine.started


async def test_console_stop_pauses(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    machine: FakeFtmsMachine,
    bus_events: list[Event],
) -> None:
    """Stop on the console pauses (treadmill_console); resume starts the belt again."""
    sent = await start_walking(hass, machine)
    machine.press_console(1)
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PAUSE_REASON).state == "treadmill_console"
    assert bus_events[-1].data["type"] == "session_paused"
    assert bus_events[-1].data["reason"] == "treadmill_console"
    assert writes_after(machine, sent) == [STOP]
    machine.tick()
    await call(hass, "resume")
    assert writes_after(machine, sent) == [STOP, START, set_speed(0.8)]
    machine.tick()
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "forward"
    assert reported_mph(hass) == pytest.approx(0.8 / MPH_IN_KMH, abs=0.01)


async def test_dropped_link_pauses_and_resume_reconnects(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    link: BluetoothLink,
    machine: FakeFtmsMachine,
    bus_events: list[Event],
) -> None:
    """A lost link pauses; retrowalk connects again to stop the belt; resume restarts it."""
    sent = await start_walking(hass, machine)
    machine.connect_error = OSError("out of range")
    machine.drop_link()
    await hass.async_block_till_done()
    assert hass.states.get(PHASE).state == "paused"
    assert hass.states.get(PAUSE_REASON).state == "treadmill_unavailable"
    assert bus_events[-1].data["reason"] == "treadmill_unavailable"
    connection = hass.states.get(CONNECTION)
    assert connection.state == "off"
    assert connection.attributes["fault"] == "treadmill_unavailable"
    assert hass.states.get(REPORTED_SPEED).state == "unavailable"
    assert writes_after(machine, sent) == []  # nothing can be sent
    assert machine.started  # the machine runs on without its app

    machine.connect_error = None
    await travel(hass, freezer, timedelta(seconds=1))  # the stop is tried again
    await settle(hass)
    assert writes_after(machine, sent) == [REQUEST_CONTROL, STOP]
    assert not machine.started
    assert hass.states.get(PHASE).state == "paused"

    await call(hass, "resume")
    assert writes_after(machine, sent) == [
        REQUEST_CONTROL,
        STOP,
        START,
        set_speed(0.8),
    ]
    assert hass.states.get(PHASE).state == "forward"
    assert hass.states.get(CONNECTION).state == "on"
    assert bus_events[-1].data["type"] == "session_resumed"


async def test_unloading_mid_session_stops_the_belt_and_disconnects(
    hass: HomeAssistant, entry: MockConfigEntry, machine: FakeFtmsMachine
) -> None:
    """Unloading the entry stops the belt first, then closes the link."""
    sent = await start_walking(hass, machine)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert writes_after(machine, sent) == [STOP]
    assert not machine.connected
    assert not machine.started


async def test_treadmill_out_of_range_refuses_the_start(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    link: BluetoothLink,
    bus_events: list[Event],
) -> None:
    """An address no adapter or proxy sees: a translated error and no session."""
    await advertise(hass, service_info())  # a treadmill, but another one
    await setup_entry(hass, ftms_entry("AA:BB:CC:DD:EE:99"))
    await settle(hass)
    assert hass.states.get(CONNECTION).state == "off"
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "start_session", intervals=TWO_INTERVALS)
    assert err.value.translation_key == "treadmill_error"
    assert "not in range" in str(err.value)
    assert link.attempts == []
    assert hass.states.get(PHASE).state == "idle"
    assert bus_events == []


async def set_up_with_belt_running(
    hass: HomeAssistant, machine: FakeFtmsMachine
) -> None:
    """Set up the entry while the belt runs, started before Home Assistant."""
    machine.run_without_app(1.2)
    await advertise(hass, service_info())
    await setup_entry(hass, ftms_entry())
    await settle(hass)


def warned_of_running_belt(caplog: pytest.LogCaptureFixture) -> bool:
    """Whether the controller logged the warning for a belt found running."""
    return any(
        record.levelno == logging.WARNING
        and "came back with its belt running" in record.getMessage()
        for record in caplog.records
    )


async def test_belt_running_before_home_assistant_is_stopped(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    machine: FakeFtmsMachine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A belt reported running while the link is set up is stopped, with a warning."""
    machine.reports_when_subscribed = True
    await set_up_with_belt_running(hass, machine)
    assert machine.writes == [REQUEST_CONTROL, STOP]
    assert not machine.started
    assert hass.states.get(PHASE).state == "idle"
    assert warned_of_running_belt(caplog)


async def test_belt_reported_running_after_connecting_is_stopped(
    hass: HomeAssistant,
    enable_bluetooth: None,
    spotter_switch: str,
    machine: FakeFtmsMachine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The usual case: the first Data Record arrives after the link is set up."""
    await set_up_with_belt_running(hass, machine)
    machine.tick()  # the machine's first report of its moving belt
    await settle(hass)
    assert machine.writes[-1] == STOP
    assert not machine.started
    assert warned_of_running_belt(caplog)
