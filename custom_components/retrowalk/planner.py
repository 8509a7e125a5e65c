"""Three sessions a week: the schedule's timers, the history and the coach.

Thin glue around the pure `workout.schedule`, `workout.progression` and
`workout.history`: it records every session that ends, fires `session_due` at
the scheduled time (or starts the session, when asked and a spotter is there),
detects missed sessions (also those that passed while Home Assistant was down)
and keeps the progression level.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .controller import WorkoutController
from .events import RetrowalkEvent, SessionDue, SessionMissed
from .history_store import HistoryStore
from .settings import PlanSettings
from .stored_files import (
    NewerVersionError,
    VersionedStore,
    async_move_aside,
    async_read_data,
    newer_version,
)
from .timers import async_run_at
from .workout.errors import WorkoutError
from .workout.history import missed_record, record_from_session
from .workout.program import Direction, Program
from .workout.programs import built_in_program
from .workout.progression import (
    PROGRESSIVE_PROGRAM,
    LevelInfo,
    apply_weeks,
    describe_level,
    max_level_for,
    program_for_level,
    read_coach,
)
from .workout.schedule import (
    Schedule,
    WeekSummary,
    missed_occurrences,
    next_occurrence,
    occurrences,
    slot_kept_by,
    streak_weeks,
    summarize_week,
    summarize_weeks,
    week_start,
)
from .workout.session import EventType

_LOGGER = logging.getLogger(__name__)

# How far back missed sessions are looked for after a restart.
MISSED_LOOKBACK = timedelta(days=14)
_WEEK = timedelta(weeks=1)
# A timer at a slot may run a little after it; the slot still counts as now.
_SLOT_TOLERANCE = timedelta(seconds=1)


class CoachState(TypedDict):
    """The progression level set at the start of a week; later weeks move it."""

    level: int
    week_of: str


COACH_VERSION = 1


def coach_store(hass: HomeAssistant, entry_id: str) -> Store[Any]:
    """Where one treadmill's progression level is kept (any minor version is read)."""
    return VersionedStore(hass, COACH_VERSION, f"{DOMAIN}.{entry_id}.coach")


class WorkoutPlanner:
    """Schedule, history and progression of one treadmill."""

    def __init__(
        self,
        hass: HomeAssistant,
        controller: WorkoutController,
        settings: PlanSettings,
        *,
        created_at: datetime,
    ) -> None:
        """Plan for one treadmill's controller; `async_setup` starts it."""
        self.hass = hass
        self.controller = controller
        self.settings = settings
        self.history = HistoryStore(hass, controller.entry_id)
        self.schedule = self._schedule_in(hass.config.time_zone)
        self._created_at = created_at
        self._coach_store = coach_store(hass, controller.entry_id)
        self._coach: CoachState | None = None
        # The coach file as read, so fields of a newer minor version are kept.
        self._coach_stored: dict[str, Any] = {}
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._unsubscribes: list[CALLBACK_TYPE] = []
        # The scheduled time the running session was started for, if any.
        self._due: datetime | None = None

    # --- life cycle ----------------------------------------------------------

    async def async_setup(self) -> None:
        """Load the history and the level, book missed sessions, arm the timer."""
        await self.history.async_load()
        await self._async_load_coach()
        self._unsubscribes += [
            self.controller.publisher.async_add_event_listener(
                self._async_on_workout_event
            ),
            self.history.async_add_listener(
                self.controller.publisher.async_notify_state
            ),
            self.hass.bus.async_listen(
                EVENT_CORE_CONFIG_UPDATE, self._async_on_core_config_update
            ),
        ]
        self._async_book_missed(publish=False)
        self._async_arm()

    @callback
    def async_stop_timers(self) -> None:
        """Stop the timer and stop following the controller."""
        self._async_cancel()
        for unsubscribe in self._unsubscribes:
            unsubscribe()
        self._unsubscribes.clear()

    async def async_shutdown(self) -> None:
        """Stop the timer and save the history now."""
        self.async_stop_timers()
        await self.history.async_save()

    # --- what entities read --------------------------------------------------

    @property
    def next_session(self) -> datetime:
        """When the next scheduled session is due."""
        return next_occurrence(self.schedule, dt_util.utcnow())

    def upcoming(self, start: datetime, end: datetime) -> list[datetime]:
        """Scheduled sessions between `start` and `end`."""
        return occurrences(self.schedule, start, end)

    def this_week(self) -> WeekSummary:
        """Sessions done and backward minutes in the current week."""
        return summarize_week(self.schedule, self.history.records, dt_util.utcnow())

    def streak_weeks(self) -> int:
        """Weeks in a row with the target met."""
        return streak_weeks(self.schedule, self.history.records, dt_util.utcnow())

    def lifetime(self) -> tuple[float, int, float]:
        """Backward minutes, sessions walked (completed or stopped) and km, ever."""
        walked = [r for r in self.history.records if r.ended_at is not None]
        return (
            sum(r.backward_seconds for r in walked) / 60,
            len(walked),
            sum(r.distance_km for r in walked),
        )

    @property
    def level(self) -> int:
        """The progression level: the level set, moved by each finished week since."""
        assert self._coach is not None
        weeks = summarize_weeks(
            self.schedule,
            self.history.records,
            datetime.fromisoformat(self._coach["week_of"]),
            dt_util.utcnow(),
        )
        # The cap may have been lowered since the level was set.
        maximum = self.max_level
        return min(apply_weeks(self._coach["level"], weeks, max_level=maximum), maximum)

    @property
    def max_level(self) -> int:
        """The top level within the speed cap."""
        return max_level_for(
            base_speed_kmh=self._base_speed_kmh, max_speed_kmh=self._cap_kmh
        )

    def level_info(self) -> LevelInfo:
        """The current level's figures and the next step."""
        return describe_level(
            self.level, base_speed_kmh=self._base_speed_kmh, max_speed_kmh=self._cap_kmh
        )

    def progressive_program(self) -> Program:
        """The session the coach prescribes now."""
        return program_for_level(
            self.level, base_speed_kmh=self._base_speed_kmh, max_speed_kmh=self._cap_kmh
        )

    # --- commands ------------------------------------------------------------

    async def async_set_level(self, level: int) -> None:
        """Set the progression level from this week on."""
        if not 0 <= level <= self.max_level:
            raise WorkoutError("invalid_level", maximum=str(self.max_level))
        self._coach = self._coach_at(level)
        await self._async_save_coach()
        self.controller.publisher.async_notify_state()

    # --- internals -----------------------------------------------------------

    def _schedule_in(self, time_zone: str) -> Schedule:
        return Schedule(
            weekdays=self.settings.weekdays,
            time_of_day=self.settings.session_time,
            missed_after=self.settings.missed_after,
            time_zone=ZoneInfo(time_zone),
        )

    @callback
    def _async_on_core_config_update(self, _event: Event) -> None:
        """Home Assistant's time zone changed: sessions follow the new local time."""
        if str(self.schedule.time_zone) == self.hass.config.time_zone:
            return
        self.schedule = self._schedule_in(self.hass.config.time_zone)
        self._async_arm()
        self.controller.publisher.async_notify_state()

    @property
    def _base_speed_kmh(self) -> float:
        return min(self.controller.speeds_kmh[Direction.BACKWARD], self._cap_kmh)

    @property
    def _cap_kmh(self) -> float:
        return self.controller.settings.max_speed_kmh

    def _coach_at(self, level: int) -> CoachState:
        monday = week_start(dt_util.utcnow(), self.schedule.time_zone)
        return {"level": level, "week_of": monday.isoformat()}

    async def _async_load_coach(self) -> None:
        """Read the level; never a setup error.

        A file that is not a coach file is moved aside and the coach starts at
        level 0; one from a newer retrowalk is read if it can be (else level 0)
        and never written.
        """
        store = self._coach_store
        path = store.path
        try:
            data = await store.async_load()
        except (HomeAssistantError, NewerVersionError) as err:
            if (version := newer_version(err)) is None:
                _LOGGER.warning(
                    "%s could not be read (%s); it is left untouched, the coach "
                    "starts at level 0 and level changes are not saved",
                    path,
                    err,
                )
                self._coach_read_only(None)
            elif isinstance(err, NewerVersionError):
                self._coach_newer(path, version, err.data)
            else:  # refused by the Store itself (2026.11): read the file directly
                self._coach_newer(path, version, await async_read_data(self.hass, path))
            return
        except (KeyError, TypeError, ValueError) as err:
            await self._async_coach_damaged(path, err)
            return
        if data is None:
            self._coach = self._coach_at(0)
            await self._async_save_coach()
            return
        try:
            level, week_of = read_coach(data)
        except (KeyError, TypeError, ValueError) as err:
            await self._async_coach_damaged(path, err)
            return
        self._coach = {"level": level, "week_of": week_of.isoformat()}
        self._coach_stored = dict(data)

    def _coach_newer(self, path: str, version: int, data: Any) -> None:
        _LOGGER.warning(
            "%s was written by a newer retrowalk (storage version %s); it is left "
            "untouched and level changes are not saved",
            path,
            version,
        )
        self._coach_read_only(data)

    def _coach_read_only(self, data: Any) -> None:
        """Never write the file again; take the level from `data` if it has one."""
        self._coach_store.make_read_only()
        try:
            level, week_of = read_coach(data)
        except (KeyError, TypeError, ValueError):
            self._coach = self._coach_at(0)
        else:
            self._coach = {"level": level, "week_of": week_of.isoformat()}

    async def _async_coach_damaged(self, path: str, err: Exception) -> None:
        """Move a file that is not a coach file aside and start at level 0."""
        try:
            aside = await async_move_aside(self.hass, path)
        except OSError as move_err:
            _LOGGER.warning(
                "%s could not be read (%s) nor moved aside (%s); it is left "
                "untouched, the coach starts at level 0 and level changes are not saved",
                path,
                err,
                move_err,
            )
            self._coach_read_only(None)
            return
        _LOGGER.warning(
            "%s could not be read (%s); it was moved to %s and the coach starts at "
            "level 0",
            path,
            err,
            aside,
        )
        self._coach = self._coach_at(0)
        await self._async_save_coach()

    async def _async_save_coach(self) -> None:
        assert self._coach is not None
        await self._coach_store.async_save(self._coach_stored | dict(self._coach))

    @callback
    def _async_on_workout_event(self, event: RetrowalkEvent) -> None:
        """Record every session that ends."""
        session = self.controller.session
        if session is None or event.type not in (
            EventType.SESSION_COMPLETED,
            EventType.SESSION_STOPPED,
        ):
            return
        try:
            record = record_from_session(
                session,
                body_mass_kg=self.controller.settings.walker.body_mass_kg,
                scheduled_for=None
                if session.started_at is None
                else slot_kept_by(self.schedule, session.started_at),
            )
        except (
            WorkoutError
        ):  # pragma: no cover - ending events come from ended sessions
            _LOGGER.exception(
                "Session of %s could not be recorded", self.controller.entry_id
            )
            return
        self.history.async_add(record)

    @callback
    def _async_book_missed(self, *, publish: bool) -> None:
        """Record (and announce) scheduled sessions nobody walked."""
        now = dt_util.utcnow()
        since = max(self._created_at, now - MISSED_LOOKBACK)
        recorded = {record.key for record in self.history.records}
        started = [r.started_at for r in self.history.records if r.ended_at is not None]
        session = self.controller.session
        if session is not None and session.started_at is not None:
            started.append(session.started_at)
        for slot in missed_occurrences(
            self.schedule, since=since, now=now, started=started
        ):
            record = missed_record(slot, self.controller.program_key)
            if record.key in recorded:
                continue
            self.history.async_add(record)
            if publish:
                self.controller.publisher.async_publish(
                    SessionMissed(scheduled_for=slot), self.controller.session
                )

    @callback
    def _async_arm(self) -> None:
        """Wake at the next scheduled time or missed-session deadline."""
        self._async_cancel()
        now = dt_util.utcnow()
        due = next_occurrence(self.schedule, now)
        deadlines = [
            slot + self.schedule.missed_after
            for slot in occurrences(
                self.schedule, now - self.schedule.missed_after, now + _SLOT_TOLERANCE
            )
        ]
        next_week = week_start(now + _WEEK, self.schedule.time_zone)
        wake = min([due, next_week, *[d for d in deadlines if d > now]])
        self._cancel_timer = async_run_at(self.hass, self._async_on_timer, wake)

    @callback
    def _async_cancel(self) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    async def _async_on_timer(self) -> None:
        self._cancel_timer = None
        now = dt_util.utcnow()
        slots = occurrences(self.schedule, now - _SLOT_TOLERANCE, now + _SLOT_TOLERANCE)
        for slot in slots:
            if slot <= now:
                await self._async_session_due(slot)
        self._async_book_missed(publish=True)
        self._async_arm()
        self.controller.publisher.async_notify_state()  # next session, this week's figures

    async def _async_session_due(self, slot: datetime) -> None:
        """The scheduled time: remind, or start when asked and it is safe."""
        auto_started = False
        controller = self.controller
        # Only with a spotter configured and there; otherwise a reminder.
        if (
            self.settings.auto_start
            and controller.settings.spotter.entity_ids
            and controller.spotter.present
            and not controller.is_active
        ):
            try:
                await controller.async_start(self._program_to_run())
            except (WorkoutError, HomeAssistantError) as err:
                # No spotter or a belt that will not start: fall back to a reminder.
                _LOGGER.info("Scheduled session not started automatically: %s", err)
            else:
                auto_started = True
        due = SessionDue(scheduled_for=slot, auto_start=auto_started)
        controller.publisher.async_publish(due, controller.session)

    def program_for(self, key: str) -> Program:
        """The program a key names: a built-in one, or the coach's progressive one."""
        if key == PROGRESSIVE_PROGRAM:
            return self.progressive_program()
        return built_in_program(key)

    def _program_to_run(self) -> Program:
        return self.program_for(self.controller.program_key)
