"""The options format: defaults, reading, writing, and options saved by older versions."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from custom_components.retrowalk.settings import (
    AnnouncementSettings,
    BridgeSettings,
    EntrySettings,
    LimitSettings,
    PlanSettings,
    SpotterSettings,
    WalkerSettings,
    replace_section,
)
from custom_components.retrowalk.workout.units import SpeedUnit

# Options as the versions before the options menu stored them (every section filled in).
STORED = {
    "speed_unit": "km/h",
    "max_speed_kmh": 4.0,
    "spotters": ["input_boolean.spotter"],
    "spotter_mode": "all",
    "spotter_required": True,
    "pause_grace": 5,
    "resume_confirmation": 10,
    "resume_policy": "auto_after_confirmation",
    "speakers": ["assist_satellite.kitchen", "media_player.gym"],
    "tts_entity": "tts.piper",
    "language": "de",
    "lead_time": 3,
    "countdown": True,
    "messages": {"switch": "Umdrehen!"},
    "volume": 40,
    "weekdays": ["1", "3", "5"],
    "session_time": "07:30:00",
    "at_session_time": "auto_start",
    "missed_after": 90,
    "body_mass": 72.5,
}
SECTIONS = (
    LimitSettings,
    SpotterSettings,
    AnnouncementSettings,
    PlanSettings,
    WalkerSettings,
)


def test_stored_options_load_and_are_written_back_unchanged() -> None:
    """Every section reads the stored options and writes back exactly its own keys."""
    written: dict[str, Any] = {}
    for section in SECTIONS:
        options = section.from_options(STORED).to_options()
        assert set(options) == set(section.OPTION_KEYS)
        written |= options
    assert written == STORED


def test_settings_read_from_stored_options() -> None:
    """The typed settings of one entry."""
    settings = EntrySettings.from_entry({"treadmill_type": "virtual"}, STORED)
    assert settings.speed_unit is SpeedUnit.KMH
    assert settings.max_speed_kmh == 4.0
    assert settings.spotter.require_all
    assert settings.spotter.auto_resume
    assert settings.announcements.media_players == ("media_player.gym",)
    assert settings.announcements.satellites == ("assist_satellite.kitchen",)
    assert settings.announcements.volume == 0.4
    assert settings.plan.weekdays == frozenset({1, 3, 5})
    assert settings.plan.session_time == time(7, 30)
    assert settings.plan.auto_start
    assert settings.plan.missed_after == timedelta(minutes=90)
    assert settings.walker.body_mass_kg == 72.5
    assert settings.bridge is None
    assert settings.address is None


def test_defaults_fill_what_is_not_stored() -> None:
    """A first entry stores only the unit and cap; the rest are the defaults."""
    settings = EntrySettings.from_entry(
        {"treadmill_type": "virtual"}, {"speed_unit": "mph"}
    )
    assert settings.limits == LimitSettings(speed_unit=SpeedUnit.MPH)
    assert settings.limits.max_speed == 2.0
    assert settings.spotter == SpotterSettings()
    assert settings.announcements == AnnouncementSettings()
    assert settings.plan == PlanSettings()
    assert settings.walker == WalkerSettings()
    assert AnnouncementSettings().to_options() == {
        "speakers": [],
        "lead_time": 3,
        "countdown": False,
        "messages": {},
    }
    assert PlanSettings().to_options() == {
        "weekdays": ["0", "2", "4"],
        "session_time": "18:00:00",
        "at_session_time": "remind",
        "missed_after": 120,
    }
    assert WalkerSettings().to_options() == {}


def test_form_answers_are_stored_in_whole_units() -> None:
    """Seconds, minutes and percent from a form's number boxes are stored as integers."""
    spotter = SpotterSettings.from_options(
        {"pause_grace": 5.0, "resume_confirmation": 12.0}
    )
    assert spotter.to_options()["pause_grace"] == 5
    assert spotter.to_options()["resume_confirmation"] == 12
    announcements = AnnouncementSettings.from_options(
        {"lead_time": 4.0, "volume": 35.0, "messages": {"switch": "", "lead": "Soon"}}
    )
    assert announcements.to_options() == {
        "speakers": [],
        "lead_time": 4,
        "countdown": False,
        "messages": {"lead": "Soon"},
        "volume": 35,
    }
    assert (
        PlanSettings.from_options({"missed_after": 45.0}).to_options()["missed_after"]
        == 45
    )


def test_replacing_a_section_removes_what_was_cleared() -> None:
    """A volume or body mass emptied in a form is removed; other sections stay."""
    cleared = AnnouncementSettings.from_options(STORED | {"volume": None})
    options = replace_section(STORED, cleared)
    assert "volume" not in options
    assert options["body_mass"] == 72.5
    options = replace_section(options, WalkerSettings())
    assert "body_mass" not in options
    assert options["speakers"] == STORED["speakers"]


@pytest.mark.parametrize(
    ("unit", "entered", "stored_kmh", "shown"),
    [
        (SpeedUnit.MPH, 2.0, 3.218688, 2.0),
        # The range's ends, rounded to a tenth, stay within the absolute limits.
        (SpeedUnit.MPH, 5.0, 8.0, 5.0),
        (SpeedUnit.KMH, 0.8, 0.804672, 0.8),
        (SpeedUnit.KMH, 8.0, 8.0, 8.0),
    ],
)
def test_the_cap_a_person_enters(
    unit: SpeedUnit, entered: float, stored_kmh: float, shown: float
) -> None:
    """The cap is entered in the treadmill's unit and kept within the limits."""
    limits = LimitSettings.from_max_speed(unit, entered)
    assert limits.max_speed_kmh == pytest.approx(stored_kmh)
    assert limits.max_speed == shown


def test_the_caps_a_person_may_enter() -> None:
    """0.5 to 5.0 mph, 0.8 to 8.0 km/h."""
    assert LimitSettings.max_speed_range(SpeedUnit.MPH) == (0.5, 5.0)
    assert LimitSettings.max_speed_range(SpeedUnit.KMH) == (0.8, 8.0)


def test_bridge_options() -> None:
    """The bridge's entities are stored under one key, empty choices left out."""
    options = {
        "bridge": {
            "speed_entity": "number.speed",
            "control": "switch",
            "switch_entity": "switch.belt",
        }
    }
    bridge = BridgeSettings.from_options(options)
    assert bridge is not None
    assert bridge.controlled_entities == ("number.speed", "switch.belt")
    assert bridge.to_options() == options
    assert BridgeSettings.from_options({}) is None
