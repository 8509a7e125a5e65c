"""The config flow: setup, Bluetooth discovery and Reconfigure of a treadmill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_ADDRESS, CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import slugify
from homeassistant.util.unit_system import METRIC_SYSTEM
import voluptuous as vol

if TYPE_CHECKING:
    from homeassistant.components.bluetooth import BluetoothServiceInfoBleak

from .const import (
    CONF_BRIDGE,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_CONTROL,
    CONF_LANGUAGE,
    CONF_MAX_SPEED,
    CONF_MAX_SPEED_KMH,
    CONF_SPEED_UNIT,
    CONF_TREADMILL_TYPE,
    CONTROL_SWITCH,
    CUE_LANGUAGES,
    DOMAIN,
    TREADMILL_ENTITY_BRIDGE,
    TREADMILL_FTMS,
    TREADMILL_VIRTUAL,
)
from .entity_bridge import SpeedScale
from .flow_fields import (
    BRIDGE_SCHEMA,
    bridge_placeholders,
    bridge_scale,
    check_bridge,
    checked_name,
    max_speed_box,
    range_errors,
    session_active,
    speed_range_placeholders,
    treadmill_type_selector,
    unit_selector,
)
from .flow_sections import SectionSteps
from .options_flow import RetrowalkOptionsFlow
from .settings import (
    BridgeSettings,
    LimitSettings,
    Options,
    OptionSection,
    replace_section,
)
from .treadmills.ftms_protocol import FITNESS_MACHINE_SERVICE_UUID
from .workout.units import DEFAULT_MAX_SPEED_KMH, SpeedUnit

DEFAULT_NAME = "Treadmill"


class RetrowalkConfigFlow(SectionSteps, ConfigFlow, domain=DOMAIN):
    """Add a treadmill: identity first, then the safety settings."""

    VERSION = 1

    def __init__(self) -> None:
        """Start an empty flow."""
        # Name, type, unit and (Bluetooth) address.
        self._user_input: dict[str, Any] = {}
        # The options so far (for a reconfiguration, the entry's).
        self._options: dict[str, Any] = {}
        # Address and name of a treadmill found by Bluetooth discovery.
        self._discovered: dict[str, str] = {}

    def _stored(self) -> Options:
        return self._options

    async def _async_section_done(
        self, step_id: str, settings: OptionSection
    ) -> ConfigFlowResult:
        self._options = replace_section(self._options, settings)
        if step_id == "spotter":
            return await self.async_step_announcements()
        return self._async_finish()

    def _announcement_suggestions(self) -> dict[str, Any]:
        """New treadmills start from the defaults, in Home Assistant's language."""
        language = self.hass.config.language.split("-")[0]
        return super()._announcement_suggestions() | {
            CONF_LANGUAGE: language if language in CUE_LANGUAGES else "en"
        }

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the treadmill, choose its type and speed unit."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name, errors = checked_name(user_input[CONF_NAME])
            if not errors:
                await self.async_set_unique_id(
                    _unique_id(user_input[CONF_TREADMILL_TYPE], name, None)
                )
                self._abort_if_unique_id_configured()
                self._user_input = user_input | {CONF_NAME: name}
                if user_input[CONF_TREADMILL_TYPE] == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                if user_input[CONF_TREADMILL_TYPE] == TREADMILL_FTMS:
                    return await self.async_step_ftms_device()
                return await self.async_step_safety()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME, default=DEFAULT_NAME): TextSelector(),
                vol.Required(
                    CONF_TREADMILL_TYPE, default=TREADMILL_VIRTUAL
                ): treadmill_type_selector(),
                vol.Required(CONF_SPEED_UNIT, default=self._default_unit().value): (
                    unit_selector()
                ),
            }
        )
        return self._form(
            step_id="user", schema=schema, suggested=user_input or {}, errors=errors
        )

    def _default_unit(self) -> SpeedUnit:
        return (
            SpeedUnit.KMH if self.hass.config.units is METRIC_SYSTEM else SpeedUnit.MPH
        )

    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """A treadmill advertising the Fitness Machine Service was found."""
        await self.async_set_unique_id(_ftms_unique_id(discovery_info.address))
        self._abort_if_unique_id_configured()
        self._discovered = {discovery_info.address: discovery_info.name}
        self.context["title_placeholders"] = {"name": discovery_info.name}
        return await self.async_step_bluetooth_confirm()

    async def async_step_bluetooth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the discovered treadmill and choose the speed unit."""
        address, device_name = next(iter(self._discovered.items()))
        errors: dict[str, str] = {}
        if user_input is not None:
            name, errors = checked_name(user_input[CONF_NAME])
            if not errors:
                self._user_input = user_input | {
                    CONF_NAME: name,
                    CONF_TREADMILL_TYPE: TREADMILL_FTMS,
                    CONF_ADDRESS: address,
                }
                return await self.async_step_safety()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME, default=device_name): TextSelector(),
                vol.Required(CONF_SPEED_UNIT, default=self._default_unit().value): (
                    unit_selector()
                ),
            }
        )
        return self._form(
            step_id="bluetooth_confirm",
            schema=schema,
            suggested=user_input or {},
            errors=errors,
            placeholders={"name": device_name, "address": address},
        )

    async def async_step_ftms_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose one of the Bluetooth FTMS treadmills Home Assistant has seen."""
        if user_input is not None:
            address = user_input[CONF_ADDRESS]
            await self.async_set_unique_id(
                _ftms_unique_id(address), raise_on_progress=False
            )
            self._abort_if_unique_id_configured()
            self._user_input[CONF_ADDRESS] = address
            if self.source == SOURCE_RECONFIGURE:
                return self._async_reconfigured()
            return await self.async_step_safety()
        configured = self._async_current_ids(include_ignore=False)
        found = {
            info.address: f"{info.name} ({info.address})"
            for info in _discovered_ftms_devices(self.hass)
            if _ftms_unique_id(info.address) not in configured
        }
        if not found:
            return self.async_abort(reason="no_devices_found")
        return self.async_show_form(
            step_id="ftms_device",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_ADDRESS): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=address, label=label)
                                for address, label in found.items()
                            ],
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_bridge(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the entities of a treadmill that is already in Home Assistant."""
        errors: dict[str, str] = {}
        scale: SpeedScale | None = None
        if user_input is not None:
            # A new treadmill's cap is checked against the entity at the safety step.
            cap_kmh = (
                self._options.get(CONF_MAX_SPEED_KMH, DEFAULT_MAX_SPEED_KMH)
                if self.source == SOURCE_RECONFIGURE
                else None
            )
            errors, scale = check_bridge(self.hass, user_input, cap_kmh)
            if not errors:
                bridge = BridgeSettings.from_options({CONF_BRIDGE: user_input})
                assert bridge is not None
                self._options = replace_section(self._options, bridge)
                if self.source == SOURCE_RECONFIGURE:
                    return self._async_reconfigured()
                return await self.async_step_safety()
        return self._form(
            step_id="bridge",
            schema=BRIDGE_SCHEMA,
            suggested=user_input
            or self._options.get(CONF_BRIDGE)
            or {CONF_CONTROL: CONTROL_SWITCH},
            errors=errors,
            placeholders=bridge_placeholders(scale),
        )

    async def async_step_safety(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Cap the speed and acknowledge the medical clearance advice."""
        unit = SpeedUnit(self._user_input[CONF_SPEED_UNIT])
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_SPEED, default=LimitSettings(speed_unit=unit).max_speed
                ): max_speed_box(unit),
                vol.Required(CONF_CLEARANCE_ACKNOWLEDGED, default=False): (
                    BooleanSelector()
                ),
            }
        )
        scale = bridge_scale(self.hass, self._options)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = range_errors(schema, user_input)
            limits = LimitSettings.from_max_speed(unit, user_input[CONF_MAX_SPEED])
            if not errors and scale and limits.max_speed_kmh > scale.max_kmh + 1e-6:
                errors[CONF_MAX_SPEED] = "max_speed_above_entity"
            if not user_input.get(CONF_CLEARANCE_ACKNOWLEDGED):
                errors[CONF_CLEARANCE_ACKNOWLEDGED] = "clearance_required"
            if not errors:
                self._options = replace_section(self._options, limits)
                return await self.async_step_spotter()
        return self._form(
            step_id="safety",
            schema=schema,
            suggested=user_input or {},
            errors=errors,
            placeholders=speed_range_placeholders(unit)
            | bridge_placeholders(scale)
            | placeholders,
        )

    def _async_finish(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._user_input[CONF_NAME],
            data={
                CONF_NAME: self._user_input[CONF_NAME],
                CONF_TREADMILL_TYPE: self._user_input[CONF_TREADMILL_TYPE],
                CONF_CLEARANCE_ACKNOWLEDGED: True,
                **(
                    {CONF_ADDRESS: self._user_input[CONF_ADDRESS]}
                    if CONF_ADDRESS in self._user_input
                    else {}
                ),
            },
            options=self._options,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename the treadmill or change its type, keeping everything else.

        A treadmill already in Home Assistant then shows its entities, a Bluetooth
        treadmill new to the entry its device; the rest of the options stay.
        """
        entry = self._get_reconfigure_entry()
        if session_active(entry):
            return self.async_abort(reason="session_active")
        errors: dict[str, str] = {}
        if user_input is not None:
            name, errors = checked_name(user_input[CONF_NAME])
            treadmill_type = user_input[CONF_TREADMILL_TYPE]
            if not errors:
                self._user_input = {
                    CONF_NAME: name,
                    CONF_TREADMILL_TYPE: treadmill_type,
                }
                self._options = dict(entry.options)
                address = entry.data.get(CONF_ADDRESS)
                if treadmill_type == TREADMILL_FTMS:
                    if entry.data[CONF_TREADMILL_TYPE] != TREADMILL_FTMS or not address:
                        return await self.async_step_ftms_device()
                    self._user_input[CONF_ADDRESS] = address
                else:
                    unique_id = _unique_id(treadmill_type, name, None)
                    if unique_id != entry.unique_id:
                        await self.async_set_unique_id(unique_id)
                        self._abort_if_unique_id_configured()
                if treadmill_type == TREADMILL_ENTITY_BRIDGE:
                    return await self.async_step_bridge()
                return self._async_reconfigured()
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): TextSelector(),
                vol.Required(CONF_TREADMILL_TYPE): treadmill_type_selector(),
            }
        )
        return self._form(
            step_id="reconfigure",
            schema=schema,
            suggested=user_input or dict(entry.data),
            errors=errors,
        )

    def _async_reconfigured(self) -> ConfigFlowResult:
        """Apply a reconfiguration: name, type, and the bridge or address with it."""
        entry = self._get_reconfigure_entry()
        if session_active(entry):
            return self.async_abort(reason="session_active")
        name = self._user_input[CONF_NAME]
        treadmill_type = self._user_input[CONF_TREADMILL_TYPE]
        address = self._user_input.get(CONF_ADDRESS)
        data = {key: value for key, value in entry.data.items() if key != CONF_ADDRESS}
        data |= {CONF_NAME: name, CONF_TREADMILL_TYPE: treadmill_type}
        if address:
            data[CONF_ADDRESS] = address
        options = self._options
        if treadmill_type != TREADMILL_ENTITY_BRIDGE:
            options = {k: v for k, v in options.items() if k != CONF_BRIDGE}
        unique_id = _unique_id(treadmill_type, name, address)
        # The entry's update listener reloads it (only when something changed); a reload
        # helper as well is refused from Home Assistant 2026.12.
        self.hass.config_entries.async_update_entry(
            entry, unique_id=unique_id, title=name, data=data, options=options
        )
        # A discovery of the Bluetooth treadmill this entry now drives is done.
        for flow in self._async_in_progress(include_uninitialized=True):
            if flow["context"].get("unique_id") == unique_id:
                self.hass.config_entries.flow.async_abort(flow["flow_id"])
        return self.async_abort(reason="reconfigure_successful")

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return RetrowalkOptionsFlow()


def _ftms_unique_id(address: str) -> str:
    return f"{TREADMILL_FTMS}-{address.lower()}"


def _discovered_ftms_devices(hass: HomeAssistant) -> list[BluetoothServiceInfoBleak]:
    """The connectable devices advertising the Fitness Machine Service."""
    if "bluetooth" not in hass.config.components:
        return []
    from homeassistant.components.bluetooth import async_discovered_service_info  # noqa: PLC0415 - only with Bluetooth

    return [
        info
        for info in async_discovered_service_info(hass, connectable=True)
        if FITNESS_MACHINE_SERVICE_UUID in info.service_uuids
    ]


def _unique_id(treadmill_type: str, name: str, address: str | None) -> str:
    """Bluetooth treadmills are known by their address, others by type and name."""
    if treadmill_type == TREADMILL_FTMS and address:
        return _ftms_unique_id(address)
    return f"{treadmill_type}-{slugify(name)}"
