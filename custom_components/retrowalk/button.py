"""Buttons to start, pause, resume, stop and skip from a dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import RetrowalkConfigEntry, RetrowalkData
from .entity import RetrowalkEntity
from .errors import refusals_as_validation_errors

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class RetrowalkButtonDescription(ButtonEntityDescription):
    """What pressing a button does."""

    press_fn: Callable[[RetrowalkData], Awaitable[None]]


async def _start_selected_program(data: RetrowalkData) -> None:
    controller = data.controller
    with refusals_as_validation_errors():
        program = data.planner.program_for(controller.program_key)
    await controller.async_start(program)


BUTTONS: tuple[RetrowalkButtonDescription, ...] = (
    RetrowalkButtonDescription(
        key="start", translation_key="start", press_fn=_start_selected_program
    ),
    RetrowalkButtonDescription(
        key="pause",
        translation_key="pause",
        press_fn=lambda d: d.controller.async_pause(),
    ),
    RetrowalkButtonDescription(
        key="resume",
        translation_key="resume",
        press_fn=lambda d: d.controller.async_resume(),
    ),
    RetrowalkButtonDescription(
        key="stop", translation_key="stop", press_fn=lambda d: d.controller.async_stop()
    ),
    RetrowalkButtonDescription(
        key="skip_interval",
        translation_key="skip_interval",
        press_fn=lambda d: d.controller.async_skip(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the session buttons of a treadmill."""
    async_add_entities(RetrowalkButton(entry, description) for description in BUTTONS)


class RetrowalkButton(RetrowalkEntity, ButtonEntity):
    """A session control; a refused press shows a translated reason."""

    entity_description: RetrowalkButtonDescription

    def __init__(
        self, entry: RetrowalkConfigEntry, description: RetrowalkButtonDescription
    ) -> None:
        """Create the button."""
        super().__init__(entry, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Carry out the command."""
        await self.entity_description.press_fn(self.data)
