"""The therapist export: a treadmill's session history as a CSV or JSON download."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from http import HTTPStatus

from aiohttp import web
from homeassistant.auth.models import User
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util, slugify
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .dates import MomentOutOfRangeError, parse_moment
from .export import history_csv, history_json
from .history_store import HistoryStore
from .workout.units import SpeedUnit

VIEWS_REGISTERED: HassKey[bool] = HassKey(f"{DOMAIN}_views_registered")
FORMATS = ("csv", "json")


@callback
def async_register_views(hass: HomeAssistant) -> None:
    """Register the export view, once for all treadmills."""
    if VIEWS_REGISTERED in hass.data:
        return
    hass.data[VIEWS_REGISTERED] = True
    hass.http.register_view(HistoryView())


class HistoryView(HomeAssistantView):
    """Download the sessions of one treadmill, optionally between two dates."""

    url = "/api/retrowalk/history/{config_entry_id}"
    name = "api:retrowalk:history"
    requires_auth = True

    async def get(self, request: web.Request, config_entry_id: str) -> web.Response:
        """Answer ?format=csv|json&start=…&end=… (ISO dates or date and times).

        Health data: only an administrator may download it.
        """
        user: User | None = request.get(KEY_HASS_USER)
        if user is None or not user.is_admin:
            return self.json_message(
                "Only administrators can download the session history",
                HTTPStatus.FORBIDDEN,
            )
        hass = request.app[KEY_HASS]
        entry = hass.config_entries.async_get_entry(config_entry_id)
        if entry is None or entry.domain != DOMAIN:
            return self.json_message("Unknown treadmill", HTTPStatus.NOT_FOUND)
        if entry.state is not ConfigEntryState.LOADED:
            return self.json_message(
                "The treadmill is not loaded", HTTPStatus.NOT_FOUND
            )
        export_format = request.query.get("format", "csv")
        if export_format not in FORMATS:
            return self.json_message(
                f"Unknown format {export_format!r}; use csv or json",
                HTTPStatus.BAD_REQUEST,
            )
        try:
            start = _moment(request.query, "start")
            end = _moment(request.query, "end")
        except ValueError as err:
            return self.json_message(str(err), HTTPStatus.BAD_REQUEST)

        history: HistoryStore = entry.runtime_data.planner.history
        records = history.between(start, end)
        if export_format == "json":
            return self.json(history_json(records))
        speed_unit: SpeedUnit = entry.runtime_data.settings.speed_unit
        filename = f"retrowalk-history-{slugify(entry.title)}.csv"
        return web.Response(
            text=history_csv(
                records,
                speed_unit=speed_unit,
                time_zone=dt_util.get_default_time_zone(),
            ),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _moment(query: Mapping[str, str], name: str) -> datetime | None:
    """A query parameter as a moment: a date is local midnight, a naive time is local."""
    if (value := query.get(name)) is None:
        return None
    try:
        return parse_moment(value)
    except MomentOutOfRangeError:
        raise ValueError(
            f"{name} {value!r} is too far in the past or future to convert to UTC"
        ) from None
    except ValueError:
        raise ValueError(
            f"Invalid {name} {value!r}; use an ISO date or date and time"
        ) from None
