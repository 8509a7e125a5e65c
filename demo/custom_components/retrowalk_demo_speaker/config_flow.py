"""The demo speaker is added from configuration.yaml, never from the UI.

Its manifest says `config_flow: false` and `integration_type: system`, so it is not
offered under *Add integration*; this flow only imports the YAML.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult


class DemoSpeakerConfigFlow(ConfigFlow, domain="retrowalk_demo_speaker"):
    """One demo speaker."""

    VERSION = 1

    async def async_step_import(self, _data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry."""
        await self.async_set_unique_id("retrowalk_demo_speaker")
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title="Demo speaker", data={})
