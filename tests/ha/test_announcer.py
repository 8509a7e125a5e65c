"""Spoken cues: what is said, when, on which speakers, and what happens when they fail."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import json
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.retrowalk.const import (
    CONF_COUNTDOWN,
    CONF_LANGUAGE,
    CONF_MESSAGES,
    CONF_SPEAKERS,
    CONF_TTS_ENTITY,
)
from custom_components.retrowalk.workout.cues import CueProblem

from .helpers import (
    PHASE,
    call,
    change_options,
    open_options,
    setup_entry,
    spotter_off,
    spotter_on,
    suggested,
    travel,
)

PLAYER = "media_player.gym_speaker"
SATELLITE = "assist_satellite.hallway"
TTS = "tts.piper"
SECOND = timedelta(seconds=1)
TEN_SECOND_PROGRAM = [
    {"direction": "forward", "duration": 10},
    {"direction": "backward", "duration": 10},
    {"direction": "forward", "duration": 10},
]

type Spoken = list[tuple[datetime, str, dict[str, Any]]]


@pytest.fixture
def spoken(hass: HomeAssistant) -> Spoken:
    """Real tts.speak and assist_satellite.announce services that record each call."""
    calls: Spoken = []

    def recorder(name: str):
        async def handle(call: ServiceCall) -> None:
            calls.append((dt_util.utcnow(), name, dict(call.data)))

        return handle

    hass.services.async_register("tts", "speak", recorder("tts.speak"))
    hass.services.async_register(
        "assist_satellite", "announce", recorder("assist_satellite.announce")
    )
    hass.states.async_set(PLAYER, "playing", {"supported_features": 1 << 20})
    hass.states.async_set(SATELLITE, "idle")
    hass.states.async_set(TTS, "unknown")
    return calls


async def speaking_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, **options: Any
) -> MockConfigEntry:
    """Set up the test treadmill with a media player and a satellite."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            **config_entry.options,
            CONF_SPEAKERS: [PLAYER, SATELLITE],
            CONF_TTS_ENTITY: TTS,
            **options,
        },
    )
    await setup_entry(hass, config_entry)
    return config_entry


def messages(spoken: Spoken, service: str = "tts.speak") -> list[str]:
    """What one service was asked to say, in order."""
    return [data["message"] for _, name, data in spoken if name == service]


async def test_cues_are_said_at_the_right_moments(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """Start, lead 3 s before each switch, switch, half-way and completion, on time."""
    await speaking_entry(hass, config_entry)
    start = dt_util.utcnow()
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    for _ in range(30):
        await travel(hass, freezer, SECOND)
    said = [
        (when - start, data["message"])
        for when, name, data in spoken
        if name == "tts.speak"
    ]
    assert said == [
        (0 * SECOND, "Let's go: walk forward at 0.5 miles per hour for 10 seconds."),
        (7 * SECOND, "Switching to backward in 3 seconds."),
        (10 * SECOND, "Turn around: walk backward for 10 seconds."),
        (15 * SECOND, "Half-way there. Keep going."),
        (17 * SECOND, "Switching to forward in 3 seconds."),
        (20 * SECOND, "Turn around: walk forward for 10 seconds."),
        (
            30 * SECOND,
            "Well done! You walked backward for 10 seconds and covered 22 feet.",
        ),
    ]
    # Every cue goes to every speaker: the player through TTS, the satellite directly.
    assert messages(spoken, "assist_satellite.announce") == [m for _, m in said]
    tts_calls = [data for _, name, data in spoken if name == "tts.speak"]
    assert {
        (d["entity_id"], tuple(d["media_player_entity_id"])) for d in tts_calls
    } == {(TTS, (PLAYER,))}
    satellite_calls = [d for _, n, d in spoken if n == "assist_satellite.announce"]
    assert {tuple(d["entity_id"]) for d in satellite_calls} == {(SATELLITE,)}


async def test_warm_up_and_minutes_are_spoken_naturally(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """The steady program opens with the warm-up sentence in minutes."""
    await speaking_entry(hass, config_entry)
    await call(hass, "start_session", program="steady_10")
    await travel(hass, freezer, timedelta(minutes=3))
    assert messages(spoken)[0] == (
        "Warm up: walk forward at 0.5 miles per hour for 3 minutes."
    )
    assert messages(spoken)[-1] == "Turn around: walk backward for 10 minutes."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            [
                "Los geht's: vorwärts gehen mit 0,8 Kilometer pro Stunde, 10 Sekunden lang.",
                "Wechsel auf rückwärts in 3 Sekunden.",
                "Umdrehen: rückwärts gehen, 10 Sekunden lang.",
            ],
        ),
        (
            "es",
            [
                "¡Vamos! Camina hacia adelante a 0,8 kilómetros por hora durante 10 segundos.",
                "En 3 segundos, a caminar hacia atrás.",
                "Date la vuelta: camina hacia atrás durante 10 segundos.",
            ],
        ),
    ],
)
async def test_cues_in_other_languages(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
    language: str,
    expected: list[str],
) -> None:
    """German and Spanish, with a decimal comma and kilometers per hour."""
    await speaking_entry(
        hass, config_entry, **{CONF_LANGUAGE: language, "speed_unit": "km/h"}
    )
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await travel(hass, freezer, 7 * SECOND)  # the lead cue
    await travel(hass, freezer, 3 * SECOND)  # the switch
    assert messages(spoken) == expected


async def test_pause_and_resume_are_announced_with_the_reason(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """A no-spotter pause says why; the return and the resume are spoken too."""
    await speaking_entry(hass, config_entry)
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await spotter_off(hass)
    await travel(hass, freezer, 5 * SECOND)
    await spotter_on(hass)
    await travel(hass, freezer, 10 * SECOND)
    await call(hass, "resume")
    await hass.async_block_till_done()
    assert messages(spoken)[1:] == [
        "Paused: no spotter at the treadmill, the belt has stopped.",
        "Your spotter is back.",
        "Resuming: walk forward at 0.5 miles per hour.",
    ]


async def test_countdown_and_own_messages(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """A countdown lead cue, and the user's own switch message with placeholders."""
    await speaking_entry(
        hass,
        config_entry,
        **{
            CONF_COUNTDOWN: True,
            CONF_MESSAGES: {"switch": "Flip! Now {direction} for {duration}."},
        },
    )
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await travel(hass, freezer, 7 * SECOND)
    await travel(hass, freezer, 3 * SECOND)
    assert messages(spoken)[1:] == [
        "Turning backward in 3, 2, 1.",
        "Flip! Now backward for 10 seconds.",
    ]


async def test_a_failing_speaker_never_touches_the_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """TTS raising every time: logged once, counted, the session switches on time."""

    async def broken(call: ServiceCall) -> None:
        raise RuntimeError("speaker on fire")

    hass.services.async_register("tts", "speak", broken)
    hass.states.async_set(PLAYER, "idle")
    hass.states.async_set(TTS, "unknown")
    entry = await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    switched: list[Event] = []
    hass.bus.async_listen(
        "retrowalk_event",
        lambda event: switched.append(event),  # noqa: PLW0108
    )
    with caplog.at_level(logging.WARNING):
        await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
        for _ in range(20):
            await travel(hass, freezer, SECOND)
    assert caplog.text.count("speaker on fire") == 1
    health = entry.runtime_data.announcer.health
    assert health.failed >= 5
    assert health.delivered == 0
    assert "speaker on fire" in health.last_error
    assert hass.states.get(PHASE).state == "forward"


async def test_a_hanging_speaker_never_delays_a_switch(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    bus_events: list[Event],
) -> None:
    """A speaker that never answers: the switch still happens at the boundary."""
    never = asyncio.Event()

    async def hanging(call: ServiceCall) -> None:
        await never.wait()

    hass.services.async_register("tts", "speak", hanging)
    hass.states.async_set(PLAYER, "idle")
    hass.states.async_set(TTS, "unknown")
    await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    start = dt_util.utcnow()
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await travel(hass, freezer, 10 * SECOND)
    switch = bus_events[-1]
    assert switch.data["type"] == "interval_switched"
    assert switch.time_fired == start + 10 * SECOND
    never.set()


async def test_missing_services_and_unavailable_speakers_are_skipped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No assist_satellite service, a player unavailable: logged once each, no crash."""
    hass.states.async_set(PLAYER, "unavailable")
    hass.states.async_set(SATELLITE, "idle")
    hass.states.async_set(TTS, "unknown")
    entry = await speaking_entry(hass, config_entry)
    with caplog.at_level(logging.WARNING):
        await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
        await travel(hass, freezer, 10 * SECOND)
    assert caplog.text.count(f"{PLAYER} is unavailable") == 1
    assert caplog.text.count("assist_satellite.announce does not exist") == 1
    assert entry.runtime_data.announcer.health.failed >= 4
    assert hass.states.get(PHASE).state == "backward"


async def test_unavailable_tts_engine_is_reported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the TTS entity unavailable nothing is sent to media players."""
    hass.states.async_set(TTS, "unavailable")
    await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await hass.async_block_till_done()
    assert messages(spoken) == []
    assert "text-to-speech entity tts.piper is unavailable" in caplog.text


async def test_no_speakers_no_announcer(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Without speakers nothing listens for cues."""
    assert loaded_entry.runtime_data.announcer is None


async def test_options_check_speakers_and_messages(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, spoken: Spoken
) -> None:
    """Media players need TTS; unknown placeholders are refused; a fix is accepted."""
    result = await open_options(hass, loaded_entry, "announcements")
    base = {"lead_time": 3, "countdown": False, "messages": {}}
    for answers, errors in (
        (
            {CONF_SPEAKERS: ["media_player.nowhere"]},
            {CONF_SPEAKERS: "speaker_not_found"},
        ),
        ({CONF_SPEAKERS: [PLAYER]}, {CONF_TTS_ENTITY: "tts_required"}),
        (
            {CONF_SPEAKERS: [SATELLITE], CONF_MESSAGES: {"switch": "Go {sideways}"}},
            {CONF_MESSAGES: "message_unknown_placeholder"},
        ),
        (
            {CONF_SPEAKERS: [SATELLITE], CONF_MESSAGES: {"switch": "Go {direction"}},
            {CONF_MESSAGES: "message_braces"},
        ),
    ):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], base | answers
        )
        assert result["errors"] == errors
    # The message's field is named by its label.
    assert result["description_placeholders"]["cue"] == "Turn around"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        base | {CONF_SPEAKERS: [PLAYER], CONF_TTS_ENTITY: TTS, CONF_LANGUAGE: "de"},
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert loaded_entry.runtime_data.announcer is not None


@pytest.mark.parametrize(
    ("cue", "label", "template", "error", "field"),
    [
        (
            "paused",
            "Paused",
            "Paused: {reason:d}.",
            "message_placeholder_form",
            "{reason:d}",
        ),
        (
            "start",
            "Session start",
            "Go at {speed:.1f}",
            "message_placeholder_form",
            "{speed:.1f}",
        ),
        (
            "paused",
            "Paused",
            "Paused: {reason!x}",
            "message_placeholder_form",
            "{reason!x}",
        ),
        (
            "start",
            "Session start",
            "Go at {speed.real}",
            "message_placeholder_form",
            "{speed.real}",
        ),
        (
            "switch",
            "Turn around",
            "Go {direction[0]}",
            "message_placeholder_form",
            "{direction[0]}",
        ),
        ("switch", "Turn around", "Go {}", "message_unknown_placeholder", "{}"),
        ("switch", "Turn around", "Go {0}", "message_unknown_placeholder", "{0}"),
    ],
)
async def test_options_refuse_messages_that_cannot_be_spoken(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
    cue: str,
    label: str,
    template: str,
    error: str,
    field: str,
) -> None:
    """A format spec, conversion, attribute, index or position is refused; nothing changes."""
    entry = await speaking_entry(hass, config_entry)
    options_before = dict(entry.options)
    flow = hass.config_entries.options
    result = await open_options(hass, entry, "announcements")
    answers = suggested(result) | {CONF_MESSAGES: {cue: template}}

    result = await flow.async_configure(result["flow_id"], answers)

    assert result["step_id"] == "announcements"
    assert result["errors"] == {CONF_MESSAGES: error}
    assert result["description_placeholders"]["cue"] == label
    assert result["description_placeholders"]["field"] == field
    flow.async_abort(result["flow_id"])
    assert dict(entry.options) == options_before


def test_every_message_problem_is_translated() -> None:
    """Each refusal of a message is an error of both forms, in every language."""
    folder = Path(__file__).parents[2] / "custom_components" / "retrowalk"
    for path in [folder / "strings.json", *(folder / "translations").glob("*.json")]:
        strings = json.loads(path.read_text())
        for form in ("config", "options"):
            errors = strings[form]["error"]
            for problem in CueProblem:
                assert "{cue}" in errors[problem.value], (path.name, problem)


async def test_stored_message_that_cannot_be_spoken_never_stops_a_pause(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """Messages saved before the check: the built-in words are said, the belt stops."""
    entry = await speaking_entry(
        hass,
        config_entry,
        **{
            CONF_MESSAGES: {
                "start": "Go at {speed:.1f}",
                "switch": "Now {direction!x}",
                "paused": "Paused: {reason:d}.",
            }
        },
    )
    belt = entry.runtime_data.controller.treadmill
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await travel(hass, freezer, 7 * SECOND)  # the lead cue
    await travel(hass, freezer, 3 * SECOND)  # the switch
    assert hass.states.get(PHASE).state == "backward"
    await travel(hass, freezer, 2 * SECOND)
    await spotter_off(hass)
    await travel(hass, freezer, 3 * SECOND)  # half-way
    await travel(hass, freezer, 2 * SECOND)  # the grace is over

    assert hass.states.get(PHASE).state == "paused"
    assert not belt.status.running
    assert messages(spoken) == [
        "Let's go: walk forward at 0.5 miles per hour for 10 seconds.",
        "Switching to backward in 3 seconds.",
        "Turn around: walk backward for 10 seconds.",
        "Half-way there. Keep going.",
        "Paused: no spotter at the treadmill, the belt has stopped.",
    ]


async def test_options_keep_announcements(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """Saving another section, or this one unchanged, keeps the speakers."""
    entry = await speaking_entry(hass, config_entry)
    await change_options(hass, entry, "limits")
    assert entry.options[CONF_SPEAKERS] == [PLAYER, SATELLITE]
    await change_options(hass, entry, "announcements")
    assert entry.options[CONF_SPEAKERS] == [PLAYER, SATELLITE]
    assert entry.runtime_data.announcer is not None


async def test_halfway_on_a_boundary_is_said_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """Half-way falling exactly on a switch is still said, and only once."""
    await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    await call(
        hass,
        "start_session",
        intervals=[
            {"direction": "forward", "duration": 6},
            {"direction": "backward", "duration": 6},
        ],
    )
    for _ in range(12):
        await travel(hass, freezer, SECOND)
    assert messages(spoken).count("Half-way there. Keep going.") == 1


async def test_skipping_past_halfway_says_it_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """A skip over the half-way point says it when it happens."""
    await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await call(hass, "skip_interval")
    await call(hass, "skip_interval")
    await hass.async_block_till_done()
    assert messages(spoken).count("Half-way there. Keep going.") == 1


async def test_speaker_health_is_in_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    config_entry: MockConfigEntry,
    spotter_switch: str,
) -> None:
    """A failing speaker shows up in the diagnostics download."""
    assert await async_setup_component(hass, "diagnostics", {})
    hass.states.async_set(PLAYER, "unavailable")
    hass.states.async_set(TTS, "unknown")
    entry = await speaking_entry(hass, config_entry, **{CONF_SPEAKERS: [PLAYER]})
    await call(hass, "start_session")
    await hass.async_block_till_done()
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    health = result["announcements"]
    assert health["failed"] == 1
    assert health["last_error"] == f"{PLAYER} is unavailable"
    assert health["last_message"].startswith("Warm up")


async def test_missing_speaker_raises_a_repair_issue(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A speaker that no longer exists is a repair issue naming it."""
    hass.states.async_set(TTS, "unknown")
    entry = await speaking_entry(
        hass, config_entry, **{CONF_SPEAKERS: ["media_player.attic", SATELLITE]}
    )
    issue = issue_registry.async_get_issue(
        "retrowalk", f"speaker_missing_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "speaker_missing"
    assert issue.translation_placeholders["entities"] == (
        f"media_player.attic, {SATELLITE}"
    )
    hass.states.async_set("media_player.attic", "idle")
    hass.states.async_set(SATELLITE, "idle")
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert not issue_registry.async_get_issue(
        "retrowalk", f"speaker_missing_{entry.entry_id}"
    )


async def test_cue_language_follows_home_assistant(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """Without a chosen language, Home Assistant's is used (German here)."""
    hass.config.language = "de-CH"
    await speaking_entry(hass, config_entry)
    await call(hass, "start_session", program="steady_10")
    await hass.async_block_till_done()
    assert messages(spoken)[0].startswith("Aufwärmen: vorwärts gehen")


async def test_announcement_volume_plays_the_clip_as_an_announcement(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """With a volume, media players get play_media with announce and the volume."""
    played: list[dict[str, Any]] = []

    async def play_media(call: ServiceCall) -> None:
        played.append(dict(call.data))

    hass.services.async_register("media_player", "play_media", play_media)
    await speaking_entry(
        hass, config_entry, **{CONF_SPEAKERS: [PLAYER, SATELLITE], "volume": 30}
    )
    await call(hass, "start_session", intervals=TEN_SECOND_PROGRAM)
    await hass.async_block_till_done()
    assert messages(spoken) == []  # not through tts.speak
    (clip,) = played
    assert clip["entity_id"] == [PLAYER]
    assert clip["announce"] is True
    assert clip["extra"] == {"volume": 0.3}
    assert clip["media_content_id"] == (
        "media-source://tts/tts.piper?message=Let%27s+go%3A+walk+forward+at+0.5"
        "+miles+per+hour+for+10+seconds."
    )
    assert messages(spoken, "assist_satellite.announce") == [
        "Let's go: walk forward at 0.5 miles per hour for 10 seconds."
    ]


async def test_options_store_the_volume_only_when_chosen(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """The volume box is empty until chosen; a chosen volume is stored in percent."""
    entry = await speaking_entry(hass, config_entry)
    result = await open_options(hass, entry, "announcements")
    assert "volume" not in suggested(result)
    hass.config_entries.options.async_abort(result["flow_id"])
    await change_options(hass, entry, "announcements")
    assert "volume" not in entry.options
    assert entry.runtime_data.announcer.settings.volume is None
    await change_options(hass, entry, "announcements", {"volume": 40.0})
    assert entry.options["volume"] == 40
    assert entry.runtime_data.announcer.settings.volume == 0.4
    # Emptied again: the speaker's own volume.
    result = await open_options(hass, entry, "announcements")
    assert suggested(result)["volume"] == 40
    answers = {k: v for k, v in suggested(result).items() if k != "volume"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answers
    )
    await hass.async_block_till_done()
    assert "volume" not in entry.options
    assert entry.runtime_data.announcer.settings.volume is None


async def test_scheduled_session_is_announced(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    spotter_switch: str,
    spoken: Spoken,
) -> None:
    """At the scheduled time (Monday 18:00 local) the speakers remind; a miss is silent."""
    entry = await speaking_entry(hass, config_entry)
    due = entry.runtime_data.planner.next_session
    assert dt_util.as_local(due).strftime("%a %H:%M") == "Mon 18:00"
    await travel(hass, freezer, due - dt_util.utcnow())
    await hass.async_block_till_done()
    assert messages(spoken) == ["Time for your backward walk."]
    await travel(hass, freezer, timedelta(hours=2))
    await hass.async_block_till_done()
    assert messages(spoken) == ["Time for your backward walk."]
