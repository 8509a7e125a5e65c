"""Connects a Bluetooth FTMS treadmill through Home Assistant's Bluetooth stack.

Uses whatever adapter or Bluetooth proxy sees the treadmill, with
bleak-retry-connector (which Home Assistant's Bluetooth integration ships) for
reliable connections. Imported only for FTMS treadmills, so retrowalk loads on
systems without Bluetooth.
"""

from __future__ import annotations

from collections.abc import Callable

from bleak_retry_connector import BleakClientWithServiceCache, establish_connection
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant

from .treadmills import TreadmillError
from .treadmills.ftms import FtmsTreadmill, GattLink


def create_ftms_treadmill(
    hass: HomeAssistant, address: str, name: str
) -> FtmsTreadmill:
    """An FTMS treadmill that connects on demand, through any adapter or proxy."""

    async def connect(on_disconnect: Callable[[], None]) -> GattLink:
        device = bluetooth.async_ble_device_from_address(
            hass, address, connectable=True
        )
        if device is None:
            raise TreadmillError(
                f"{name} ({address}) is not in range of a Bluetooth adapter or proxy"
            )
        client: GattLink = await establish_connection(
            BleakClientWithServiceCache,
            device,
            name,
            disconnected_callback=lambda _client: on_disconnect(),
        )
        return client

    return FtmsTreadmill(connect, name=name)
