"""The program select: which built-in program the start button runs."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .data import RetrowalkConfigEntry
from .entity import RetrowalkStateEntity
from .workout.programs import BUILT_IN_PROGRAMS
from .workout.progression import PROGRESSIVE_PROGRAM

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RetrowalkConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the program select of a treadmill."""
    async_add_entities([ProgramSelect(entry)])


class ProgramSelect(RetrowalkStateEntity, SelectEntity, RestoreEntity):
    """Chooses the program; the choice survives restarts."""

    def __init__(self, entry: RetrowalkConfigEntry) -> None:
        """Create the select."""
        super().__init__(entry, "program")
        self._attr_options = [*BUILT_IN_PROGRAMS, PROGRESSIVE_PROGRAM]
        self._attr_entity_category = EntityCategory.CONFIG

    async def async_added_to_hass(self) -> None:
        """Restore the last choice."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) and last.state in self.options:
            self.controller.restore_choices(program_key=last.state)

    @property
    def current_option(self) -> str:
        """The chosen program."""
        return self.controller.program_key

    async def async_select_option(self, option: str) -> None:
        """Choose a program."""
        self.controller.async_select_program(option)
