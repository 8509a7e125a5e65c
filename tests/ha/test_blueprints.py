"""The automation blueprints in blueprints/automation/retrowalk, run on real sessions."""

from __future__ import annotations

from collections.abc import Generator
import copy
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.yaml import extract_inputs, load_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.retrowalk.treadmills import TreadmillError
from custom_components.retrowalk.treadmills.virtual import VirtualTreadmill

from .bridge_setup import (
    ONLINE,
    SWITCH_BRIDGE,
    async_setup_bridge_entities,
    bridge_entry,
)
from .helpers import (
    PAUSE_REASON,
    PHASE,
    WORKOUT,
    call,
    setup_entry,
    spotter_off,
    spotter_on,
    travel,
)

SOURCE = Path(__file__).parents[2] / "blueprints" / "automation" / "retrowalk"
GYM = "gym_on_session_start.yaml"
NOTIFY = "notify_session_paused.yaml"
MUSIC = "music_during_backward.yaml"
REMIND = "remind_session_due.yaml"
FILES = sorted(path.name for path in SOURCE.glob("*.yaml"))
SOURCE_URL = (
    "https://github.com/retrowalk/retrowalk/blob/main/blueprints/automation/retrowalk/"
)

LIGHT = "light.gym_ceiling"
PLUG = "switch.gym_fan_plug"
FAN = "fan.gym"
SPEAKERS = ["media_player.gym_speaker", "media_player.kitchen"]

# A program that switches direction: 10 s forward, 10 s backward, 10 s forward.
THERE_AND_BACK = [
    {"direction": "forward", "duration": 10},
    {"direction": "backward", "duration": 10},
    {"direction": "forward", "duration": 10},
]
TEN_SECONDS = timedelta(seconds=10)


@pytest.fixture
def blueprints(hass: HomeAssistant) -> Generator[Path]:
    """The blueprints copied into the test configuration, removed afterwards."""
    target = Path(hass.config.path("blueprints", "automation", "retrowalk"))
    existed = target.exists()
    created = target  # the outermost folder this fixture creates
    while not created.parent.exists():
        created = created.parent
    target.mkdir(parents=True, exist_ok=True)
    copies = [Path(shutil.copy(SOURCE / name, target / name)) for name in FILES]
    yield target
    if existed:
        for copy in copies:
            copy.unlink(missing_ok=True)
    else:
        shutil.rmtree(created, ignore_errors=True)


async def use_blueprint(
    hass: HomeAssistant, file: str, alias: str, **inputs: Any
) -> None:
    """Set up one automation from a retrowalk blueprint and check that it is on."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": alias,
                    "use_blueprint": {"path": f"retrowalk/{file}", "input": inputs},
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{slugify(alias)}")
    assert state is not None
    assert state.state == "on", state


def entity_ids(calls: list[ServiceCall]) -> list[list[str]]:
    """The entity ids each call targeted."""
    return [call.data["entity_id"] for call in calls]


def volumes(calls: list[ServiceCall]) -> list[float]:
    """The volume each media_player.volume_set call set."""
    return [call.data["volume_level"] for call in calls]


def paused_message(reason: str) -> str:
    """The notification text for a pause of the test treadmill."""
    return f"Demo Treadmill paused: {reason}. The belt was told to stop."


# --- every blueprint file ---------------------------------------------------


def test_the_blueprints_are_there() -> None:
    """The folder holds exactly the blueprints these tests run."""
    assert sorted([GYM, MUSIC, NOTIFY, REMIND]) == FILES


@pytest.mark.parametrize("file", FILES)
def test_blueprint_file_is_valid(file: str) -> None:
    """Each file is a valid automation blueprint whose inputs are all used."""
    path = SOURCE / file
    raw = load_yaml(str(path))
    blueprint = Blueprint(
        copy.deepcopy(raw),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None  # the minimum version is met
    metadata = blueprint.metadata
    assert metadata["domain"] == "automation"
    assert metadata["name"].startswith("retrowalk: ")
    assert metadata["description"]
    assert metadata["source_url"] == SOURCE_URL + file
    assert metadata["homeassistant"]["min_version"] == "2025.4.0"
    # Every input is used by the automation and every !input is declared.
    assert extract_inputs(blueprint.data) == set(blueprint.inputs)
    assert raw["blueprint"]["input"]["workout_event"]["selector"] == {
        "entity": {"filter": [{"integration": "retrowalk", "domain": "event"}]}
    }
    for name, spec in blueprint.inputs.items():
        assert spec["name"], name
        assert spec["description"], name
        assert "selector" in spec, name
    # Modern syntax (Home Assistant 2024.10 and later).
    automation = blueprint.data
    assert "triggers" in automation
    assert "actions" in automation
    assert all("trigger" in trigger for trigger in automation["triggers"])
    assert automation["mode"] == "queued"


# --- gym lights and fan -----------------------------------------------------


@pytest.fixture
async def gym_services(hass: HomeAssistant) -> dict[str, list[ServiceCall]]:
    """Real homeassistant.turn_on/off over fake light, switch and fan services."""
    assert await async_setup_component(hass, "homeassistant", {})
    return {
        f"{domain}.{service}": async_mock_service(hass, domain, service)
        for domain in ("light", "switch", "fan")
        for service in ("turn_on", "turn_off")
    }


def gym_calls(
    calls: dict[str, list[ServiceCall]], service: str
) -> dict[str, list[list[str]]]:
    """The entities each domain's turn_on or turn_off was called for."""
    return {
        domain: entity_ids(calls[f"{domain}.{service}"])
        for domain in ("light", "switch", "fan")
    }


GYM_DEVICES = {"entity_id": [LIGHT, PLUG, FAN]}
ONCE_EACH = {"light": [[LIGHT]], "switch": [[PLUG]], "fan": [[FAN]]}
NONE = {"light": [], "switch": [], "fan": []}


async def test_gym_on_at_start_off_at_completion(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
    gym_services: dict[str, list[ServiceCall]],
) -> None:
    """Lights, plug and fan go on at the start and off when the program completes."""
    await use_blueprint(
        hass, GYM, "Gym", workout_event=WORKOUT, gym_devices=GYM_DEVICES
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    assert gym_calls(gym_services, "turn_on") == ONCE_EACH
    assert gym_calls(gym_services, "turn_off") == NONE

    # Switches, a pause and a resume change nothing.
    await travel(hass, freezer, TEN_SECONDS)
    await call(hass, "pause")
    await call(hass, "resume")
    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(WORKOUT).attributes["event_type"] == "interval_switched"
    assert gym_calls(gym_services, "turn_on") == ONCE_EACH
    assert gym_calls(gym_services, "turn_off") == NONE

    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(PHASE).state == "finished"
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_completed"
    assert gym_calls(gym_services, "turn_on") == ONCE_EACH
    assert gym_calls(gym_services, "turn_off") == ONCE_EACH


async def test_gym_off_when_stopped(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
    gym_services: dict[str, list[ServiceCall]],
) -> None:
    """Stopping the session turns everything off too (the default)."""
    await use_blueprint(
        hass, GYM, "Gym", workout_event=WORKOUT, gym_devices=GYM_DEVICES
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    await call(hass, "stop")
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_stopped"
    assert gym_calls(gym_services, "turn_on") == ONCE_EACH
    assert gym_calls(gym_services, "turn_off") == ONCE_EACH


async def test_gym_stays_on_when_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
    gym_services: dict[str, list[ServiceCall]],
) -> None:
    """With turn_off_at_end off, neither the end nor a stop turns anything off."""
    await use_blueprint(
        hass,
        GYM,
        "Gym",
        workout_event=WORKOUT,
        gym_devices={"entity_id": [LIGHT]},
        turn_off_at_end=False,
    )
    await call(
        hass, "start_session", intervals=[{"direction": "forward", "duration": 5}]
    )
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PHASE).state == "finished"
    await call(
        hass, "start_session", intervals=[{"direction": "forward", "duration": 5}]
    )
    await call(hass, "stop")
    assert gym_calls(gym_services, "turn_on") == {
        "light": [[LIGHT], [LIGHT]],
        "switch": [],
        "fan": [],
    }
    assert gym_calls(gym_services, "turn_off") == NONE


async def test_gym_ignores_a_restored_or_renamed_event_entity(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
    gym_services: dict[str, list[ServiceCall]],
) -> None:
    """The last event coming back after a reload, or a new name, is no new event."""
    await use_blueprint(
        hass, GYM, "Gym", workout_event=WORKOUT, gym_devices=GYM_DEVICES
    )
    await call(
        hass, "start_session", intervals=[{"direction": "forward", "duration": 5}]
    )
    await travel(hass, freezer, timedelta(seconds=5))
    assert gym_calls(gym_services, "turn_off") == ONCE_EACH

    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    restored = hass.states.get(WORKOUT)
    assert restored.attributes["event_type"] == "session_completed"

    er.async_get(hass).async_update_entity(WORKOUT, name="Gym workout")
    await hass.async_block_till_done()
    # Home Assistant 2026.11+ shows the device name in front of a name the user set.
    assert hass.states.get(WORKOUT).name.endswith("Gym workout")

    assert gym_calls(gym_services, "turn_on") == ONCE_EACH
    assert gym_calls(gym_services, "turn_off") == ONCE_EACH

    # The automation still reacts to new events.
    await call(
        hass, "start_session", intervals=[{"direction": "forward", "duration": 5}]
    )
    assert gym_calls(gym_services, "turn_on") == {
        "light": [[LIGHT], [LIGHT]],
        "switch": [[PLUG], [PLUG]],
        "fan": [[FAN], [FAN]],
    }


# --- notification on a safety pause -----------------------------------------


async def test_notify_when_the_spotter_leaves(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
) -> None:
    """A no-spotter pause notifies the phone once, with the reason; nothing else does."""
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    await use_blueprint(
        hass,
        NOTIFY,
        "Treadmill paused",
        workout_event=WORKOUT,
        notify_action="notify.mobile_app_phone",
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    await spotter_off(hass)
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PAUSE_REASON).state == "no_spotter"
    assert [c.data for c in phone] == [
        {
            "title": "Demo Treadmill paused",
            "message": paused_message("no spotter at the treadmill"),
        }
    ]

    # The spotter coming back, a resume, a pause by hand and a stop are no news.
    await spotter_on(hass)
    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(WORKOUT).attributes["event_type"] == "spotter_returned"
    await call(hass, "resume")
    await call(hass, "pause")
    assert hass.states.get(WORKOUT).attributes["reason"] == "user"
    await call(hass, "stop")
    assert len(phone) == 1


async def test_notify_defaults_on_a_belt_stop_and_an_error(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    belt: VirtualTreadmill,
    blueprints: Path,
) -> None:
    """With the defaults, notify.notify hears of a stopped belt and of a belt error."""
    notify = async_mock_service(hass, "notify", "notify")
    await use_blueprint(hass, NOTIFY, "Treadmill paused", workout_event=WORKOUT)

    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 10},
            {"direction": "backward", "duration": 10, "speed": 1.0},
        ],
    )
    await belt.async_stop()  # the console or the safety key
    await hass.async_block_till_done()
    assert hass.states.get(PAUSE_REASON).state == "treadmill_stopped"
    await call(hass, "resume")

    def refuse(*_args: object) -> None:
        raise TreadmillError("no answer from the belt")

    # The belt refuses the backward interval's new speed.
    with patch.object(belt, "async_set_speed", side_effect=refuse):
        await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(PAUSE_REASON).state == "treadmill_error"

    assert [c.data["title"] for c in notify] == ["Demo Treadmill paused"] * 2
    assert [c.data["message"] for c in notify] == [
        paused_message("the belt stopped by itself (console or safety key)"),
        paused_message("the treadmill reported an error"),
    ]


async def test_notify_only_the_chosen_reasons(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
) -> None:
    """Only restart chosen: a no-spotter pause is quiet, the reload's restart is not."""
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    await use_blueprint(
        hass,
        NOTIFY,
        "Treadmill paused",
        workout_event=WORKOUT,
        notify_action="notify.mobile_app_phone",
        reasons=["restart"],
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    await spotter_off(hass)
    await travel(hass, freezer, timedelta(seconds=5))
    assert hass.states.get(PAUSE_REASON).state == "no_spotter"
    assert phone == []

    # The session comes back from a reload paused, with reason restart.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PAUSE_REASON).state == "restart"
    assert [c.data["message"] for c in phone] == [
        paused_message("Home Assistant restarted or the treadmill was reloaded")
    ]


# --- music volume -----------------------------------------------------------


async def test_music_follows_the_direction(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
) -> None:
    """Default volumes: 0.5 forward, 0.2 backward, 0.5 again at the end."""
    volume_set = async_mock_service(hass, "media_player", "volume_set")
    await use_blueprint(
        hass, MUSIC, "Music", workout_event=WORKOUT, media_players=SPEAKERS
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    assert volumes(volume_set) == [0.5]

    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(PHASE).state == "backward"
    assert volumes(volume_set) == [0.5, 0.2]

    # A pause leaves the volume alone; the resume sets it for the direction again.
    await call(hass, "pause")
    assert volumes(volume_set) == [0.5, 0.2]
    await call(hass, "resume")
    assert volumes(volume_set) == [0.5, 0.2, 0.2]

    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(PHASE).state == "forward"
    await travel(hass, freezer, TEN_SECONDS)
    assert hass.states.get(PHASE).state == "finished"
    assert volumes(volume_set) == [0.5, 0.2, 0.2, 0.5, 0.5]
    assert entity_ids(volume_set) == [SPEAKERS] * 5


async def test_music_back_up_when_stopped(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
) -> None:
    """Own volumes: a backward start is quiet, a stop brings the forward volume back."""
    volume_set = async_mock_service(hass, "media_player", "volume_set")
    await use_blueprint(
        hass,
        MUSIC,
        "Music",
        workout_event=WORKOUT,
        media_players=SPEAKERS[:1],
        backward_volume=0.1,
        forward_volume=0.7,
    )
    await call(
        hass, "start_session", intervals=[{"direction": "backward", "duration": 60}]
    )
    assert volumes(volume_set) == [0.1]
    await call(hass, "stop")
    assert volumes(volume_set) == [0.1, 0.7]
    assert entity_ids(volume_set) == [SPEAKERS[:1]] * 2


async def test_notify_when_the_treadmill_cannot_be_reached(
    hass: HomeAssistant, blueprints: Path
) -> None:
    """A treadmill already in Home Assistant going unavailable notifies, with the reason."""
    await async_setup_bridge_entities(hass)
    await setup_entry(hass, bridge_entry(SWITCH_BRIDGE))
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    await use_blueprint(
        hass,
        NOTIFY,
        "Treadmill paused",
        workout_event=WORKOUT,
        notify_action="notify.mobile_app_phone",
    )
    await call(hass, "start_session", intervals=THERE_AND_BACK)
    await hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": ONLINE}, blocking=True
    )
    for _ in range(3):  # the template switch, then retrowalk, then the automation
        await hass.async_block_till_done()
    assert [c.data for c in phone] == [
        {
            "title": "Demo Treadmill paused",
            "message": paused_message("the treadmill could not be reached"),
        }
    ]


# --- reminder at the scheduled time ------------------------------------------


@pytest.mark.parametrize(
    ("tell_missed", "messages"),
    [
        (
            True,
            ["Time for your backward walk.", "A scheduled backward walk was missed."],
        ),
        (False, ["Time for your backward walk."]),
    ],
)
async def test_remind_when_due_and_when_missed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    loaded_entry: MockConfigEntry,
    blueprints: Path,
    tell_missed: bool,
    messages: list[str],
) -> None:
    """At the scheduled time the phone is reminded; two hours later, told of the miss."""
    phone = async_mock_service(hass, "notify", "mobile_app_phone")
    await use_blueprint(
        hass,
        REMIND,
        "Walk reminder",
        workout_event=WORKOUT,
        notify_action="notify.mobile_app_phone",
        tell_missed=tell_missed,
    )
    due = loaded_entry.runtime_data.planner.next_session
    await travel(hass, freezer, due - dt_util.utcnow())
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_due"
    await travel(hass, freezer, timedelta(hours=2))
    assert hass.states.get(WORKOUT).attributes["event_type"] == "session_missed"
    assert [c.data["message"] for c in phone] == messages
    assert {c.data["title"] for c in phone} == {"Demo Treadmill"}
