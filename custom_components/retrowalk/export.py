"""The session history as a therapist reads it: CSV in the user's units, or JSON."""

from __future__ import annotations

from collections.abc import Iterable
import csv
from datetime import datetime, tzinfo
import io
from typing import Any

from .workout.history import SessionRecord
from .workout.units import SpeedUnit


def history_csv(
    records: Iterable[SessionRecord], *, speed_unit: SpeedUnit, time_zone: tzinfo
) -> str:
    """One row per session: local times, minutes, and distance and speeds in `speed_unit`."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            "Started",
            "Program",
            "Outcome",
            "End reason",
            "Forward (min)",
            "Backward (min)",
            "Paused (min)",
            f"Distance ({speed_unit.distance_unit})",
            f"Forward speed ({speed_unit})",
            f"Backward speed ({speed_unit})",
            "Pauses (reason:seconds)",
            "MET-minutes",
            "kcal",
            "Scheduled for",
        ]
    )
    writer.writerows(_row(record, speed_unit, time_zone) for record in records)
    return output.getvalue()


def history_json(records: Iterable[SessionRecord]) -> dict[str, Any]:
    """Every session as stored, with the units of its numbers."""
    return {
        "units": {
            "speed": SpeedUnit.KMH.value,
            "distance": SpeedUnit.KMH.distance_unit,
            "time": "s",
        },
        "records": [record.to_dict() for record in records],
    }


def _row(record: SessionRecord, unit: SpeedUnit, time_zone: tzinfo) -> list[Any]:
    """The CSV cells of one session; None is written as an empty cell."""
    return [
        _local(record.started_at, time_zone),
        record.program,
        record.outcome.value,
        record.end_reason,
        _minutes(record.forward_seconds),
        _minutes(record.backward_seconds),
        _minutes(record.paused_seconds),
        round(unit.distance_from_km(record.distance_km), 3),
        _speed(record.forward_speed_kmh, unit),
        _speed(record.backward_speed_kmh, unit),
        ";".join(f"{pause.reason}:{round(pause.seconds)}" for pause in record.pauses),
        round(record.met_minutes, 1),
        None if record.kcal is None else round(record.kcal),
        None
        if record.scheduled_for is None
        else _local(record.scheduled_for, time_zone),
    ]


def _local(moment: datetime, time_zone: tzinfo) -> str:
    return moment.astimezone(time_zone).isoformat(timespec="seconds")


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _speed(kmh: float | None, unit: SpeedUnit) -> float | None:
    return None if kmh is None else round(unit.from_kmh(kmh), 2)
