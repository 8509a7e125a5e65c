"""The options flow: a menu of sections, each saved alone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

from .const import CONF_AT_SESSION_TIME, CONF_MAX_SPEED, CONF_SPEED_UNIT, CONF_WEEKDAYS
from .flow_fields import (
    bridge_placeholders,
    bridge_scale,
    limits_schema,
    range_errors,
    schedule_schema,
    session_active,
    speed_range_placeholders,
    walker_schema,
)
from .flow_sections import SectionSteps
from .settings import (
    LimitSettings,
    Options,
    OptionSection,
    PlanSettings,
    SpotterSettings,
    WalkerSettings,
    replace_section,
)
from .workout.units import SpeedUnit

# The options menu: one section per step, each saved alone.
OPTIONS_MENU = ["limits", "spotter", "announcements", "schedule", "walker"]


class RetrowalkOptionsFlow(SectionSteps, OptionsFlow):
    """A menu of the options' sections; each one is saved alone."""

    def _stored(self) -> Options:
        return self.config_entry.options

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        return self._async_save(settings)

    def _async_save(self, settings: OptionSection) -> ConfigFlowResult:
        """Store one section; the entry then reloads. Refused during a session."""
        if session_active(self.config_entry):
            return self.async_abort(reason="session_active")
        return self.async_create_entry(
            data=replace_section(self.config_entry.options, settings)
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The menu of sections; refused while a session is active."""
        if session_active(self.config_entry):
            return self.async_abort(reason="session_active")
        return self.async_show_menu(step_id="init", menu_options=OPTIONS_MENU)

    async def async_step_limits(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The speed unit and the cap, entered in the unit the treadmill has now."""
        limits = LimitSettings.from_options(self._stored())
        unit = limits.speed_unit
        schema = limits_schema(unit)
        scale = bridge_scale(self.hass, self._stored())
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = range_errors(schema, user_input)
            new = replace(
                limits.with_max_speed(user_input[CONF_MAX_SPEED]),
                speed_unit=SpeedUnit(user_input[CONF_SPEED_UNIT]),
            )
            if not errors and scale and new.max_speed_kmh > scale.max_kmh + 1e-6:
                errors[CONF_MAX_SPEED] = "max_speed_above_entity"
            if not errors:
                return self._async_save(new)
        return self._form(
            step_id="limits",
            schema=schema,
            suggested=user_input
            or {CONF_MAX_SPEED: limits.max_speed, CONF_SPEED_UNIT: unit.value},
            errors=errors,
            placeholders=speed_range_placeholders(unit)
            | bridge_placeholders(scale)
            | placeholders,
        )

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """When sessions are due and what happens then."""
        schema = schedule_schema()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = range_errors(schema, user_input)
            plan = PlanSettings.from_options(user_input)
            if not errors and not user_input.get(CONF_WEEKDAYS):
                errors[CONF_WEEKDAYS] = "weekdays_required"
            if (
                not errors
                and plan.auto_start
                and not SpotterSettings.from_options(self._stored()).entity_ids
            ):
                errors[CONF_AT_SESSION_TIME] = "auto_start_needs_spotter"
            if not errors:
                return self._async_save(plan)
        return self._form(
            step_id="schedule",
            schema=schema,
            suggested=user_input
            or PlanSettings.from_options(self._stored()).to_options(),
            errors=errors,
            placeholders=placeholders,
        )

    async def async_step_walker(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The walker's body mass, for the energy in kcal (optional)."""
        schema = walker_schema()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = range_errors(schema, user_input)
            if not errors:
                return self._async_save(WalkerSettings.from_options(user_input))
        return self._form(
            step_id="walker",
            schema=schema,
            suggested=user_input
            or WalkerSettings.from_options(self._stored()).to_options(),
            errors=errors,
            placeholders=placeholders,
        )
