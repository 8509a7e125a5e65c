"""Spoken cues: which words to say for a workout moment, from translated templates.

Templates are plain strings with {placeholders}; this module fills them in. It
knows no language itself: every word comes from a cue file (see `cues/`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from string import Formatter

from .program import Direction, IntervalRole


class Cue(StrEnum):
    """The moments that are announced; each has a template of the same name."""

    START = "start"
    START_WARM_UP = "start_warm_up"
    SWITCH = "switch"
    SWITCH_SAME = "switch_same"
    COOL_DOWN = "cool_down"
    LEAD = "lead"
    LEAD_COUNTDOWN = "lead_countdown"
    PAUSED = "paused"
    RESUMED = "resumed"
    HALFWAY = "halfway"
    COMPLETED = "completed"
    STOPPED = "stopped"
    SPOTTER_RETURNED = "spotter_returned"
    SESSION_DUE = "session_due"


# The cues a user may override, and every placeholder any cue may use.
OVERRIDABLE = (
    Cue.START,
    Cue.SWITCH,
    Cue.LEAD,
    Cue.PAUSED,
    Cue.RESUMED,
    Cue.HALFWAY,
    Cue.COMPLETED,
)
PLACEHOLDERS = (
    "direction",
    "speed",
    "unit",
    "duration",
    "seconds",
    "countdown",
    "reason",
    "backward_duration",
    "distance",
    "distance_unit",
)


class CueError(ValueError):
    """A template that cannot be filled in."""


def check_template(template: str) -> None:
    """Refuse a template with unknown placeholders or broken braces."""
    try:
        fields = {
            name for _, name, _, _ in Formatter().parse(template) if name is not None
        }
    except ValueError as err:
        raise CueError(str(err)) from err
    if unknown := fields - set(PLACEHOLDERS):
        raise CueError(", ".join(sorted(unknown)))


class CueBook:
    """Fills in the templates of one language, with the user's overrides."""

    def __init__(
        self, words: Mapping[str, str], overrides: Mapping[str, str] | None = None
    ) -> None:
        """Use `words` (a cue file) and `overrides` (cue name -> template)."""
        self._words = dict(words) | {k: v for k, v in (overrides or {}).items() if v}

    def say(self, cue: Cue, **values: str) -> str:
        """The sentence for a cue."""
        return self._words[cue.value].format_map(
            dict.fromkeys(PLACEHOLDERS, "") | values
        )

    def direction(self, direction: Direction) -> str:
        """'forward' or 'backward' in this language."""
        return self._words[f"direction_{direction.value}"]

    def reason(self, reason: str) -> str:
        """Why a session paused, in words."""
        return self._words.get(f"reason_{reason}", reason)

    def distance_unit(self, unit: str) -> str:
        """A distance unit spelled out ('miles')."""
        return self._words[f"distance_{unit}"]

    def number(self, value: float) -> str:
        """A number as people say it: no trailing zeros, local decimal mark."""
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", self._words.get("decimal_mark", "."))

    def unit(self, unit: str) -> str:
        """A unit spelled out ('miles per hour')."""
        return self._words[f"unit_{unit.replace('/', '_')}"]

    def duration(self, length: timedelta) -> str:
        """A duration as people say it: '2 minutes', '30 seconds', '1 minute 30 seconds'."""
        total = round(length.total_seconds())
        minutes, seconds = divmod(total, 60)
        parts = []
        if minutes:
            parts.append(self._plural("minute", minutes))
        if seconds or not minutes:
            parts.append(self._plural("second", seconds))
        return " ".join(parts)

    def _plural(self, word: str, count: int) -> str:
        key = f"{word}_one" if count == 1 else f"{word}_other"
        return self._words[key].format(count=count)

    def countdown(self, seconds: int) -> str:
        """'3, 2, 1' for a 3-second lead."""
        return ", ".join(str(n) for n in range(min(seconds, 10), 0, -1))

    def interval_cue(
        self, role: IntervalRole, *, first: bool, same_direction: bool
    ) -> Cue:
        """Which cue opens an interval."""
        if first:
            return Cue.START_WARM_UP if role is IntervalRole.WARM_UP else Cue.START
        if role is IntervalRole.COOL_DOWN:
            return Cue.COOL_DOWN
        return Cue.SWITCH_SAME if same_direction else Cue.SWITCH
