"""The virtual treadmill."""

from __future__ import annotations

import pytest

from custom_components.retrowalk.treadmills import TreadmillError, TreadmillStatus
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .clock import FakeClock


async def test_belt_counts_distance_at_its_speed() -> None:
    """Distance is speed times running time; a stopped belt adds nothing."""
    clock = FakeClock()
    belt = VirtualTreadmill(clock)
    seen: list[TreadmillStatus] = []
    unsubscribe = belt.add_listener(seen.append)
    await belt.async_start(2.0)
    clock.tick(minutes=30)
    await belt.async_set_speed(4.0)
    clock.tick(minutes=15)
    await belt.async_stop()
    clock.tick(hours=1)
    assert belt.status.distance_km == pytest.approx(2.0)
    assert [s.running for s in seen] == [True, True, False]
    unsubscribe()
    await belt.async_start(1.0)
    assert len(seen) == 3


async def test_speed_needs_a_running_belt_and_a_valid_value() -> None:
    """Setting speed on a stopped belt or beyond the machine's range fails."""
    belt = VirtualTreadmill(FakeClock())
    with pytest.raises(TreadmillError):
        await belt.async_set_speed(1.0)
    with pytest.raises(TreadmillError):
        await belt.async_start(belt.max_speed_kmh + 0.1)
    assert not belt.status.running
