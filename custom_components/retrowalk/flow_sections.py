"""The spotter and announcement steps that the setup and the options share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.data_entry_flow import FlowHandler
from homeassistant.helpers import translation
import voluptuous as vol

from .const import CONF_MESSAGES, CONF_SPOTTERS, DOMAIN
from .flow_fields import (
    announcement_schema,
    check_speakers,
    check_spotters,
    message_error,
    own_entities,
    range_errors,
    range_placeholders,
    spotter_schema,
)
from .settings import (
    AnnouncementSettings,
    Options,
    OptionSection,
    PlanSettings,
    SpotterSettings,
)


class SectionSteps(FlowHandler[Any, ConfigFlowResult]):
    """The spotter and announcement forms, in the setup and in the options.

    A flow says which options the forms start from and what follows each one.
    """

    def _stored(self) -> Options:
        """The options the forms start from."""
        raise NotImplementedError

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        """Keep one form's settings and go on."""
        raise NotImplementedError

    def _announcement_suggestions(self) -> dict[str, Any]:
        return AnnouncementSettings.from_options(self._stored()).to_options()

    def _form(
        self,
        *,
        step_id: str,
        schema: vol.Schema,
        suggested: Mapping[str, Any],
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Show a form with suggested values, its numbers' ranges and any errors."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors or {},
            description_placeholders=range_placeholders(schema) | (placeholders or {}),
        )

    async def async_step_spotter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose who must be watching, and what happens when nobody is."""
        stored = SpotterSettings.from_options(self._stored())
        # The picker leaves out retrowalk's own entities, except those already
        # chosen: they are shown, so that they can be removed.
        chosen = set(
            stored.entity_ids
            if user_input is None
            else user_input.get(CONF_SPOTTERS, ())
        )
        schema = spotter_schema(sorted(own_entities(self.hass) - chosen))
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            spotter = SpotterSettings.from_options(user_input)
            errors, placeholders = range_errors(schema, user_input)
            if not errors:
                errors = check_spotters(self.hass, spotter.entity_ids)
            if not errors and not spotter.entity_ids:
                errors = self._missing_spotter_errors(spotter)
            if not errors:
                return await self._async_section_done("spotter", spotter)
        return self._form(
            step_id="spotter",
            schema=schema,
            suggested=user_input or stored.to_options(),
            errors=errors,
            placeholders=placeholders,
        )

    def _missing_spotter_errors(self, spotter: SpotterSettings) -> dict[str, str]:
        """Errors for a spotter gate with no entity."""
        if spotter.required:
            return {CONF_SPOTTERS: "spotter_needed"}
        if PlanSettings.from_options(self._stored()).auto_start:
            return {CONF_SPOTTERS: "spotter_needed_for_auto_start"}
        return {}

    async def async_step_announcements(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the speakers that call out the switches (optional)."""
        errors: dict[str, str] = {}
        placeholders = {"cue": "", "field": ""}
        messages_open = False
        if user_input is not None:
            announcements = AnnouncementSettings.from_options(user_input)
            errors, ranges = range_errors(announcement_schema(), user_input)
            placeholders |= ranges
            if not errors:
                errors = check_speakers(self.hass, announcements)
            if not errors and (problem := message_error(announcements)):
                cue, err = problem
                # The error key is the problem: message_braces,
                # message_unknown_placeholder, message_placeholder_form or
                # message_not_spoken.
                errors = {CONF_MESSAGES: err.problem.value}
                placeholders |= {
                    "cue": await self._async_cue_label(cue),
                    "field": err.field,
                }
                messages_open = True
            if not errors:
                return await self._async_section_done("announcements", announcements)
        return self._form(
            step_id="announcements",
            schema=announcement_schema(messages_open=messages_open),
            suggested=user_input or self._announcement_suggestions(),
            errors=errors,
            placeholders=placeholders,
        )

    async def _async_cue_label(self, cue: str) -> str:
        """The label of a message's field (as "Turn around"), in the server's language.

        A flow does not know the language of the person's browser; the server's is
        the best guess, or its base language ("de" for "de-CH") where only that is
        translated. Without a translation, the cue's key.
        """
        category = "options" if isinstance(self, OptionsFlow) else "config"
        key = (
            f"component.{DOMAIN}.{category}.step.announcements"
            f".sections.{CONF_MESSAGES}.data.{cue}"
        )

        async def label(language: str) -> str:
            strings = await translation.async_get_translations(
                self.hass, language, category, [DOMAIN]
            )
            return strings.get(key, cue)

        language = self.hass.config.language
        found = await label(language)
        base = language.partition("-")[0]
        # Home Assistant falls back to English only.
        if base != language and found == await label("en"):
            found = await label(base)
        return found
