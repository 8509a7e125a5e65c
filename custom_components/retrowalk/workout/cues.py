"""Spoken cues: which words to say for a workout moment, from translated templates.

Templates are plain strings with {placeholders}; this module fills them in. It
knows no language itself: every word comes from a cue file (see `cues/`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
import logging
from string import Formatter
from typing import Any

from .program import Direction, IntervalRole, Program
from .session import EventType, WorkoutEvent

_LOGGER = logging.getLogger(__name__)


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


# Values of the kind `say` fills in, to render a template with as the final check.
SAMPLE_VALUES = dict.fromkeys(PLACEHOLDERS, "sample") | {"speed": "0.5", "seconds": "3"}


class CueProblem(StrEnum):
    """Why a template cannot be spoken; each is an error of the options form."""

    BRACES = "message_braces"
    UNKNOWN = "message_unknown_placeholder"
    FORM = "message_placeholder_form"
    NOT_SPOKEN = "message_not_spoken"


class CueError(ValueError):
    """A template that cannot be filled in; `field` is the placeholder as written."""

    def __init__(self, problem: CueProblem, field: str = "") -> None:
        """Say what is wrong, and where."""
        super().__init__(f"{problem.value} {field}".strip())
        self.problem = problem
        self.field = field


def check_template(template: str) -> None:
    """Refuse a template that could fail when spoken.

    Only a placeholder name alone in single braces is allowed: no format spec
    (`{speed:.1f}`), conversion (`{reason!r}`), attribute or index access
    (`{speed.real}`, `{speed[0]}`) or position (`{}`, `{0}`). Finally the
    template is filled in with sample values, as `CueBook.say` would.
    """
    try:
        parts = list(Formatter().parse(template))
    except ValueError as err:
        raise CueError(CueProblem.BRACES) from err
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "")
        written += (f":{spec}" if spec else "") + "}"
        if spec or conversion or (name not in PLACEHOLDERS and _root(name)):
            raise CueError(CueProblem.FORM, written)
        if name not in PLACEHOLDERS:
            raise CueError(CueProblem.UNKNOWN, written)
    try:
        template.format_map(SAMPLE_VALUES)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as err:
        raise CueError(CueProblem.NOT_SPOKEN) from err


def _root(name: str) -> bool:
    """Whether a field reads an attribute or item of a real placeholder."""
    head = name.split(".", 1)[0].split("[", 1)[0]
    return head != name and head in PLACEHOLDERS


@dataclass(frozen=True, kw_only=True)
class Spoken:
    """The figures of a moment in the units the person thinks in."""

    speed: float
    speed_unit: str
    # The session's totals, said when it ends.
    backward: timedelta = timedelta(0)
    distance: float = 0.0
    distance_unit: str = "km"


class CueBook:
    """Fills in the templates of one language, with the user's overrides.

    Speaking never raises: an override that cannot be spoken (one stored before
    the options checked it) is replaced by the built-in sentence, logged once.
    """

    def __init__(
        self, words: Mapping[str, str], overrides: Mapping[str, Any] | None = None
    ) -> None:
        """Use `words` (a cue file) and `overrides` (cue name -> template)."""
        self._built_in = dict(words)
        self._words = dict(words)
        self._failed: set[str] = set()
        for cue, template in (overrides or {}).items():
            if template is None or template == "":
                continue
            try:
                if not isinstance(template, str):
                    raise TypeError(type(template).__name__)  # noqa: TRY301
                check_template(template)
            except (CueError, TypeError) as err:
                self._log_once(cue, template, err)
            else:
                self._words[cue] = template

    def say(self, cue: Cue, **values: str) -> str:
        """The sentence for a cue."""
        filled = dict.fromkeys(PLACEHOLDERS, "") | values
        for template in (self._words[cue.value], self._built_in[cue.value]):
            try:
                return template.format_map(filled)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError) as err:
                self._log_once(cue.value, template, err)
        return self._built_in[cue.value]

    def _log_once(self, cue: str, template: Any, err: Exception) -> None:
        if cue in self._failed:
            return
        self._failed.add(cue)
        _LOGGER.warning(
            "The message for %s (%r) cannot be spoken (%s); the built-in sentence "
            "is used instead. Correct it in the integration options",
            cue,
            template,
            err,
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

    def transition(self, event: WorkoutEvent, program: Program, spoken: Spoken) -> str:
        """The sentence for a session's transition."""
        index = event.interval_index
        interval = program.intervals[index]
        values = {
            "direction": self.direction(interval.direction),
            "speed": self.number(spoken.speed),
            "unit": self.unit(spoken.speed_unit),
            "duration": self.duration(interval.duration),
        }
        match event.type:
            case EventType.SESSION_STARTED | EventType.INTERVAL_SWITCHED:
                previous = program.intervals[index - 1] if index else None
                cue = self.interval_cue(
                    interval.role,
                    first=event.type is EventType.SESSION_STARTED,
                    same_direction=previous is not None
                    and previous.direction is interval.direction,
                )
                return self.say(cue, **values)
            case EventType.SESSION_PAUSED:
                return self.say(Cue.PAUSED, reason=self.reason(event.reason or ""))
            case EventType.SESSION_RESUMED:
                return self.say(Cue.RESUMED, **values)
        summary = {
            "backward_duration": self.duration(spoken.backward),
            "distance": self.number(spoken.distance),
            "distance_unit": self.distance_unit(spoken.distance_unit),
        }
        ended = (
            Cue.COMPLETED if event.type is EventType.SESSION_COMPLETED else Cue.STOPPED
        )
        return self.say(ended, **summary)

    def lead(self, upcoming: Direction, lead: timedelta, *, countdown: bool) -> str:
        """The cue said `lead` before a switch to `upcoming`."""
        seconds = round(lead.total_seconds())
        direction = self.direction(upcoming)
        if countdown:
            return self.say(
                Cue.LEAD_COUNTDOWN,
                direction=direction,
                countdown=self.countdown(seconds),
            )
        return self.say(Cue.LEAD, direction=direction, seconds=str(seconds))
