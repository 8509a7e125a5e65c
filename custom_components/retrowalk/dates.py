"""Reading the dates people give for a history range."""

from __future__ import annotations

from datetime import datetime

from homeassistant.util import dt as dt_util


class MomentOutOfRangeError(ValueError):
    """A date or time that exists but cannot be converted to UTC (year 1 or 9999)."""


def parse_moment(text: str) -> datetime:
    """An ISO date (local midnight) or date and time (local if it has no offset), in UTC.

    Raises MomentOutOfRangeError for one that cannot be converted to UTC, and
    ValueError for anything else.
    """
    try:
        if (day := dt_util.parse_date(text)) is not None:
            return dt_util.as_utc(dt_util.start_of_local_day(day))
        moment = dt_util.parse_datetime(text)
        if moment is None:
            raise ValueError(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt_util.get_default_time_zone())
        return dt_util.as_utc(moment)
    except OverflowError as err:
        raise MomentOutOfRangeError(text) from err
