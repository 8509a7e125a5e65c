"""The options menu, each section saved alone, and how the forms refuse bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import NumberSelector
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.retrowalk.const import (
    CONF_BODY_MASS,
    CONF_COUNTDOWN,
    CONF_LANGUAGE,
    CONF_LEAD_TIME,
    CONF_MESSAGES,
    CONF_MISSED_AFTER,
    CONF_PAUSE_GRACE,
    CONF_RESUME_CONFIRMATION,
    CONF_SESSION_TIME,
    CONF_SPEAKERS,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_VOLUME,
    CONF_WEEKDAYS,
    DOMAIN,
)
from custom_components.retrowalk.options_flow import OPTIONS_MENU
from custom_components.retrowalk.settings import (
    AnnouncementSettings,
    LimitSettings,
    OptionSection,
    PlanSettings,
    SpotterSettings,
    WalkerSettings,
)

from .helpers import (
    PHASE,
    SPOTTER,
    SPOTTER_SWITCH,
    call,
    change_options,
    open_options,
    setup_entry,
    suggested,
)
from .test_config_flow import ANNOUNCEMENT_INPUT, SPOTTER_INPUT, USER_INPUT

PACKAGE = Path(__file__).parents[2] / "custom_components" / "retrowalk"
STRING_FILES = [PACKAGE / "strings.json", *sorted((PACKAGE / "translations").glob("*"))]
# Every section filled in, so that a section saving more than its own would show.
FULL_OPTIONS = {
    CONF_SPEAKERS: [],
    CONF_LANGUAGE: "de",
    CONF_LEAD_TIME: 4,
    CONF_COUNTDOWN: False,
    CONF_MESSAGES: {"switch": "Turn!"},
    CONF_WEEKDAYS: ["1", "3"],
    CONF_SESSION_TIME: "07:00:00",
    "at_session_time": "remind",
    CONF_MISSED_AFTER: 60,
    CONF_BODY_MASS: 70,
    "spotter_mode": "any",
    "spotter_required": True,
    CONF_PAUSE_GRACE: 5,
    CONF_RESUME_CONFIRMATION: 10,
    "resume_policy": "manual",
}


async def start_spotter_step(hass: HomeAssistant, name: str = "Second") -> str:
    """Add a treadmill up to its spotter step (the input_boolean spotter exists)."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    flow_id = result["flow_id"]
    await hass.config_entries.flow.async_configure(
        flow_id, USER_INPUT | {CONF_NAME: name, CONF_SPEED_UNIT: "mph"}
    )
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"max_speed": 2.0, "clearance_acknowledged": True}
    )
    assert result["step_id"] == "spotter", result
    return flow_id


async def fill_every_section(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Give the entry a value for every option (it reloads)."""
    hass.config_entries.async_update_entry(
        entry, options=dict(entry.options) | FULL_OPTIONS
    )
    await hass.async_block_till_done()


def number_boxes(result: Any) -> dict[str, dict[str, Any]]:
    """The number fields of a form and their selectors' settings."""
    return {
        str(key): dict(validator.config)
        for key, validator in result["data_schema"].schema.items()
        if isinstance(validator, NumberSelector)
    }


def messages_section(result: Any) -> section:
    """The form's own-messages section."""
    return result["data_schema"].schema[CONF_MESSAGES]


def strings(path: Path = PACKAGE / "strings.json") -> dict[str, Any]:
    """A strings or translation file."""
    return json.loads(path.read_text())


# --- the menu --------------------------------------------------------------------


async def test_options_open_as_a_menu(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Treadmill limits, spotter, announcements, schedule and walker."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    assert result["menu_options"] == [
        "limits",
        "spotter",
        "announcements",
        "schedule",
        "walker",
    ]


@pytest.mark.parametrize("path", STRING_FILES, ids=lambda path: path.name)
def test_menu_and_sections_are_translated(path: Path) -> None:
    """The menu names every section; each section has a title and a description."""
    steps = strings(path)["options"]["step"]
    assert list(steps["init"]["menu_options"]) == OPTIONS_MENU
    assert steps["init"]["title"]
    assert steps["init"]["description"]
    for step in OPTIONS_MENU:
        assert steps[step]["title"], step
        assert steps[step]["description"], step
    assert "bridge" not in steps


@pytest.mark.parametrize(
    ("step", "answers", "settings"),
    [
        ("limits", {CONF_SPEED_UNIT: "km/h"}, LimitSettings),
        ("spotter", {CONF_PAUSE_GRACE: 8.0}, SpotterSettings),
        ("announcements", {CONF_COUNTDOWN: True}, AnnouncementSettings),
        ("schedule", {CONF_SESSION_TIME: "06:45:00"}, PlanSettings),
        ("walker", {CONF_BODY_MASS: 80.0}, WalkerSettings),
    ],
)
async def test_each_section_saves_alone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    step: str,
    answers: dict[str, Any],
    settings: type[OptionSection],
) -> None:
    """A section changes its own options; every other option stays as it was."""
    await fill_every_section(hass, loaded_entry)
    before = dict(loaded_entry.options)
    await change_options(hass, loaded_entry, step, answers)
    after = dict(loaded_entry.options)
    for key, value in answers.items():
        assert after[key] == value
    changed = {
        key for key in before.keys() | after.keys() if before.get(key) != after.get(key)
    }
    assert changed == set(answers)
    assert changed <= set(settings.OPTION_KEYS)


async def test_a_section_is_not_saved_once_a_session_runs(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A session started while the form was open: saving would end it, so nothing is."""
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, "spotter")
    await call(hass, "start_session")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result) | {CONF_PAUSE_GRACE: 8}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "session_active"
    assert loaded_entry.options == options_before
    assert hass.states.get(PHASE).state == "forward"


async def test_reconfigure_is_not_applied_once_a_session_runs(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The same guard when the treadmill is renamed."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    await call(hass, "start_session")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Basement", "treadmill_type": "virtual"}
    )
    assert result["reason"] == "session_active"
    assert loaded_entry.title == "Demo Treadmill"
    assert hass.states.get(PHASE).state == "forward"


# --- numbers: their range and unit, and retrowalk's message ------------------------


async def test_every_number_shows_its_range_and_unit(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Each number box has a range and a unit, and its description names the range."""
    text = strings()
    forms = [await open_options(hass, loaded_entry, step) for step in OPTIONS_MENU]
    flow_id = await start_spotter_step(hass)
    forms.append(await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT))
    seen = set()
    for result in forms:
        form = "options" if result["handler"] == loaded_entry.entry_id else "config"
        descriptions = text[form]["step"][result["step_id"]]["data_description"]
        for key, box in number_boxes(result).items():
            assert {"min", "max", "unit_of_measurement"} <= box.keys(), key
            assert box["mode"] == "box", key
            placeholder = "{min_speed}" if key == "max_speed" else f"{{{key}_range}}"
            assert placeholder in descriptions[key], key
            assert f"{key}_range" in result["description_placeholders"]
            seen.add(key)
    assert seen == {
        "max_speed",
        CONF_PAUSE_GRACE,
        CONF_RESUME_CONFIRMATION,
        CONF_LEAD_TIME,
        CONF_VOLUME,
        CONF_MISSED_AFTER,
        CONF_BODY_MASS,
    }


@pytest.mark.parametrize(
    ("step", "field", "value", "shown"),
    [
        ("spotter", CONF_PAUSE_GRACE, 61, ("0", "60", "s")),
        ("spotter", CONF_RESUME_CONFIRMATION, -1, ("0", "300", "s")),
        ("announcements", CONF_LEAD_TIME, 11, ("0", "10", "s")),
        ("announcements", CONF_VOLUME, 120, ("0", "100", "%")),
        ("schedule", CONF_MISSED_AFTER, 5, ("10", "1440", "min")),
        ("walker", CONF_BODY_MASS, 400, ("20", "300", "kg")),
    ],
)
async def test_a_number_out_of_range_gets_retrowalks_message(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    step: str,
    field: str,
    value: float,
    shown: tuple[str, str, str],
) -> None:
    """The step refuses it with a translated message naming the range; nothing changes."""
    options_before = dict(loaded_entry.options)
    result = await open_options(hass, loaded_entry, step)
    placeholders = result["description_placeholders"]
    assert placeholders[f"{field}_range"] == f"{shown[0]}–{shown[1]} {shown[2]}"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result) | {field: value}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: "number_out_of_range"}
    placeholders = result["description_placeholders"]
    assert (placeholders["min"], placeholders["max"], placeholders["unit"]) == shown
    assert loaded_entry.options == options_before


@pytest.mark.parametrize("path", STRING_FILES, ids=lambda path: path.name)
def test_the_range_message_is_translated(path: Path) -> None:
    """Both forms name the range in every language."""
    for form in ("config", "options"):
        message = strings(path)[form]["error"]["number_out_of_range"]
        for placeholder in ("{min}", "{max}", "{unit}"):
            assert placeholder in message, (path.name, form)


async def test_an_earlier_error_does_not_stay(
    hass: HomeAssistant, spotter_switch: str
) -> None:
    """After choosing the spotter, only the new problem is shown, by retrowalk.

    Home Assistant's own range check would refuse the form before the step runs, and
    the frontend would keep showing the earlier, fixed error next to its message.
    """
    flow_id = await start_spotter_step(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | {CONF_SPOTTERS: []}
    )
    assert result["errors"] == {CONF_SPOTTERS: "spotter_needed"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | {CONF_PAUSE_GRACE: 90}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PAUSE_GRACE: "number_out_of_range"}
    result = await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    assert result["step_id"] == "announcements"
    assert result["errors"] == {}


# --- the spotter picker -------------------------------------------------------------


async def test_spotter_picker_leaves_out_retrowalks_own_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The treadmill's own spotter sensor (and the rest of its entities) are not offered."""
    own = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), loaded_entry.entry_id
        )
    }
    assert SPOTTER in own
    result = await open_options(hass, loaded_entry, "spotter")
    picker = result["data_schema"].schema[CONF_SPOTTERS].config
    assert set(picker["exclude_entities"]) == own
    # Nor when a second treadmill is added.
    flow_id = await start_spotter_step(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, SPOTTER_INPUT | {CONF_SPOTTERS: []}
    )
    picker = result["data_schema"].schema[CONF_SPOTTERS].config
    assert set(picker["exclude_entities"]) == own


async def test_own_entity_chosen_before_is_shown_and_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Chosen by an older version: shown, so that it can be removed, and refused."""
    hass.config_entries.async_update_entry(
        loaded_entry, options=loaded_entry.options | {CONF_SPOTTERS: [SPOTTER]}
    )
    await hass.async_block_till_done()
    result = await open_options(hass, loaded_entry, "spotter")
    assert (
        SPOTTER
        not in result["data_schema"].schema[CONF_SPOTTERS].config["exclude_entities"]
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["errors"] == {CONF_SPOTTERS: "spotter_own_entity"}
    assert loaded_entry.options[CONF_SPOTTERS] == [SPOTTER]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], suggested(result) | {CONF_SPOTTERS: [SPOTTER_SWITCH]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_entry.options[CONF_SPOTTERS] == [SPOTTER_SWITCH]


# --- announcements ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "Turn around"),
        ("en-GB", "Turn around"),
        ("de", "Umdrehen"),
        ("de-CH", "Umdrehen"),
        ("es-419", "Date la vuelta"),
    ],
)
async def test_a_message_in_error_is_named_by_its_label_and_shown(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, language: str, label: str
) -> None:
    """The error names the field as the form does, and opens the section holding it."""
    hass.config.language = language
    result = await open_options(hass, loaded_entry, "announcements")
    assert messages_section(result).options["collapsed"] is True
    answers = suggested(result) | {CONF_MESSAGES: {"switch": "Go {sideways}"}}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answers
    )
    assert result["errors"] == {CONF_MESSAGES: "message_unknown_placeholder"}
    assert result["description_placeholders"]["cue"] == label
    assert result["description_placeholders"]["field"] == "{sideways}"
    assert messages_section(result).options["collapsed"] is False
    assert suggested(result)[CONF_MESSAGES] == {"switch": "Go {sideways}"}


async def test_setup_names_a_message_in_error_by_its_label(
    hass: HomeAssistant, spotter_switch: str
) -> None:
    """The setup's announcement step does the same."""
    flow_id = await start_spotter_step(hass)
    await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    result = await hass.config_entries.flow.async_configure(
        flow_id, ANNOUNCEMENT_INPUT | {CONF_MESSAGES: {"halfway": "Half {way"}}
    )
    assert result["errors"] == {CONF_MESSAGES: "message_braces"}
    assert result["description_placeholders"]["cue"] == "Half-way"
    assert messages_section(result).options["collapsed"] is False


async def test_volume_is_empty_until_chosen(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """No default and a box, not a slider at 0: empty keeps the speaker's volume."""
    result = await open_options(hass, loaded_entry, "announcements")
    (key,) = [key for key in result["data_schema"].schema if str(key) == CONF_VOLUME]
    assert isinstance(key, vol.Optional)
    assert key.default is vol.UNDEFINED
    assert "suggested_value" not in (key.description or {})
    assert number_boxes(result)[CONF_VOLUME]["mode"] == "box"


async def test_setup_suggests_the_language_and_leaves_the_volume_out(
    hass: HomeAssistant, spotter_switch: str
) -> None:
    """Cues in Home Assistant's language; no volume is stored until one is chosen."""
    hass.config.language = "es-ES"
    flow_id = await start_spotter_step(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, SPOTTER_INPUT)
    assert suggested(result)[CONF_LANGUAGE] == "es"
    assert CONF_VOLUME not in suggested(result)
    result = await hass.config_entries.flow.async_configure(
        flow_id, suggested(result) | ANNOUNCEMENT_INPUT
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_VOLUME not in result["options"]
    assert result["options"][CONF_LANGUAGE] == "es"


async def test_one_treadmills_messages_are_not_suggested_to_another(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Each form has its own schema: suggestions do not carry over between forms."""
    await change_options(
        hass, loaded_entry, "announcements", {CONF_MESSAGES: {"switch": "Turn!"}}
    )
    result = await open_options(hass, loaded_entry, "announcements")
    assert suggested(result)[CONF_MESSAGES] == {"switch": "Turn!"}
    hass.config_entries.options.async_abort(result["flow_id"])
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Garage",
        unique_id="virtual-garage",
        data={"name": "Garage", "treadmill_type": "virtual"},
        options={CONF_SPEED_UNIT: "mph", CONF_SPOTTERS: [SPOTTER_SWITCH]},
    )
    await setup_entry(hass, other)
    result = await open_options(hass, other, "announcements")
    assert suggested(result)[CONF_MESSAGES] == {}
