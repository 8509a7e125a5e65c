"""A stateful property test: no spotter, no moving belt, whatever fails.

Hypothesis drives the real integration in Home Assistant's test harness through
random steps: a person's start, pause, resume, skip and stop; a spotter who
comes, goes, or whose sensor turns unknown or unavailable; a treadmill whose
commands succeed, raise any exception before or after acting, or hang, and that
goes out of reach; somebody at the console; options changes, reloads, unloads;
time passing and the wall clock being set. After every step, and at every
timer in between, it checks:

- the belt never moves while nobody has been there for longer than the grace
  period plus 250 ms, unless every stop sent since then failed (a belt that
  will not stop) and retrowalk keeps trying;
- the belt never starts except by a person's start or resume (or the console);
- nothing recorded disappears: the history only grows.

`RETROWALK_SAFETY_EXAMPLES` and `RETROWALK_SAFETY_STEPS` set how much to run (CI:
the defaults, over 10,000 steps; `scripts/bench --safety` runs far more).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import os
from typing import Any
from unittest.mock import patch

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.retrowalk.belt import STOP_RETRY_DELAYS
from custom_components.retrowalk.const import (
    BUS_EVENT,
    CONF_CLEARANCE_ACKNOWLEDGED,
    CONF_MAX_SPEED_KMH,
    CONF_PAUSE_GRACE,
    CONF_SPEED_UNIT,
    CONF_SPOTTERS,
    CONF_TREADMILL_TYPE,
    DOMAIN,
)

from .chaos import EXCEPTIONS, OUTCOMES, ChaosTreadmill, DrivenHass

SPOTTER = "binary_sensor.spotter"
# Tolerance for the stop after the grace: the event loop's own latency.
LATENCY = 0.25
# The longest a failed stop waits for its next try.
RETRY_LIMIT = max(STOP_RETRY_DELAYS) + LATENCY

EXAMPLES = int(os.environ.get("RETROWALK_SAFETY_EXAMPLES", "300"))
STEPS = int(os.environ.get("RETROWALK_SAFETY_STEPS", "60"))

# Counted across the run, for the closing report.
TOTALS = {"examples": 0, "steps": 0, "checks": 0, "faults": 0}

INTERVAL = st.fixed_dictionaries(
    {
        "direction": st.sampled_from(["forward", "backward"]),
        "duration": st.integers(min_value=1, max_value=40),
    }
)


class BeltSafety(RuleBasedStateMachine):
    """retrowalk with a chaos treadmill, a flaky spotter and people pressing buttons."""

    def __init__(self) -> None:
        super().__init__()
        TOTALS["examples"] += 1
        self.driven = DrivenHass()
        self.hass = self.driven.hass
        self.hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # allow custom_components
        self.treadmill = ChaosTreadmill(self.driven.clocks.monotonic)
        self._patch = patch(
            "custom_components.retrowalk.create_treadmill",
            lambda *_args, **_kwargs: self.treadmill,
        )
        self._patch.start()
        self.entry: MockConfigEntry | None = None
        self.grace = 5.0
        self.absent_since: float | None = None
        # A belt started while out of reach, not seen by retrowalk since.
        self.unseen_start = False
        self.seen_at = 0.0
        self.history_keys: set[str] = set()
        self.ended_events = 0
        self.hass.bus.async_listen(BUS_EVENT, self._count_endings)

    def _count_endings(self, event: Any) -> None:
        if event.data["type"] in ("session_completed", "session_stopped"):
            self.ended_events += 1

    # --- set up ---------------------------------------------------------------

    @initialize(grace=st.integers(min_value=1, max_value=8), reports=st.booleans())
    def set_up(self, grace: int, reports: bool) -> None:
        """A treadmill with one spotter, who is there.

        Half the treadmills report their belt's state; the others only echo what
        they were told (a console start is then invisible to retrowalk).
        """
        self.grace = float(grace)
        self.treadmill.reports = reports
        self._set_spotter("on")
        self.entry = MockConfigEntry(
            domain=DOMAIN,
            title="Chaos Treadmill",
            data={
                CONF_NAME: "Chaos Treadmill",
                CONF_TREADMILL_TYPE: "virtual",
                CONF_CLEARANCE_ACKNOWLEDGED: True,
            },
            options={
                CONF_SPEED_UNIT: "km/h",
                CONF_MAX_SPEED_KMH: 3.2,
                CONF_SPOTTERS: [SPOTTER],
                CONF_PAUSE_GRACE: grace,
            },
        )
        self.entry.add_to_hass(self.hass)
        assert self.driven.run(
            self.hass.config_entries.async_setup(self.entry.entry_id)
        )
        self.driven.run(self.hass.async_block_till_done())

    def teardown(self) -> None:
        """Stop everything, whatever state it is in."""
        try:
            self.driven.close(self.treadmill)
        finally:
            self._patch.stop()
        assert not self.driven.errors, self.driven.errors

    # --- people ---------------------------------------------------------------

    @rule(intervals=st.lists(INTERVAL, min_size=1, max_size=4))
    def start(self, intervals: list[dict[str, Any]]) -> None:
        """A person starts a session."""
        self._person("start_session", intervals=intervals)

    @rule(
        outcome=st.sampled_from(OUTCOMES),
        error=st.sampled_from(EXCEPTIONS),
        leaves=st.sampled_from(["off", "unknown", "unavailable"]),
        after=st.sampled_from([0.0, 0.5, 2.0]),
    )
    def start_then_spotter_leaves(
        self, outcome: str, error: type[Exception], leaves: str, after: float
    ) -> None:
        """The dangerous moment: a start that fails or hangs, and the spotter goes."""
        TOTALS["faults"] += 1
        self.treadmill.plans["start"].outcomes.insert(0, (outcome, error))
        self._person(
            "start_session", intervals=[{"direction": "forward", "duration": 30}]
        )
        if after:
            self.driven.advance(after, self.check)
        self._set_spotter(leaves)
        self._settle()
        self.driven.advance(self.grace + 1, self.check)

    @rule(command=st.sampled_from(["pause", "resume", "skip_interval", "stop"]))
    def command(self, command: str) -> None:
        """A person pauses, resumes, skips or stops."""
        self._person(command)

    @rule(state=st.sampled_from(["on", "off", "unknown", "unavailable"]))
    def spotter(self, state: str) -> None:
        """The spotter's sensor changes (only "on" means somebody is there)."""
        self._set_spotter(state)
        self._settle()

    @rule(start=st.booleans())
    def console(self, start: bool) -> None:
        """Somebody uses the treadmill's own console."""
        if start:
            if not (self.treadmill.available and self.treadmill.reports):
                self.unseen_start = True
            self.treadmill.move(2.0, asked=True)
        else:
            self.treadmill.halt()
        self._settle()

    # --- the treadmill --------------------------------------------------------

    @precondition(
        lambda self: sum(len(p.outcomes) for p in self.treadmill.plans.values()) < 4
    )
    @rule(
        command=st.sampled_from(["start", "set_speed", "stop"]),
        outcome=st.sampled_from(OUTCOMES),
        error=st.sampled_from(EXCEPTIONS),
    )
    def plan_fault(self, command: str, outcome: str, error: type[Exception]) -> None:
        """The treadmill's next command of a kind will go this way."""
        TOTALS["faults"] += 1
        self.treadmill.plans[command].outcomes.append((outcome, error))

    @rule(available=st.booleans())
    def reach(self, available: bool) -> None:
        """The treadmill goes out of reach (its belt runs on) or comes back."""
        if available and self.treadmill.reports and self.unseen_start:
            self.unseen_start = False
            self.seen_at = self.driven.clocks.monotonic()  # retrowalk sees it run now
        self.treadmill.set_available(available)
        self._settle()

    # --- the entry --------------------------------------------------------------

    @rule(action=st.sampled_from(["reload", "unload", "setup", "options"]))
    def entry_action(self, action: str) -> None:
        """Reload, unload, set up again, or change an option (which reloads)."""
        assert self.entry is not None
        entries = self.hass.config_entries
        entry_id = self.entry.entry_id
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "reload": lambda: entries.async_reload(entry_id),
            "unload": lambda: entries.async_unload(entry_id),
            "setup": lambda: entries.async_setup(entry_id),
        }
        if action == "options":
            options = dict(self.entry.options)
            options[CONF_MAX_SPEED_KMH] = (
                4.0 if options[CONF_MAX_SPEED_KMH] < 4 else 3.2
            )
            entries.async_update_entry(self.entry, options=options)
        else:
            self.driven.in_background(calls[action])
        self._settle()

    # --- time -------------------------------------------------------------------

    @rule(
        command=st.sampled_from(["set_speed", "stop"]),
        outcome=st.sampled_from(OUTCOMES),
        error=st.sampled_from(EXCEPTIONS),
        seconds=st.sampled_from([5.0, 31.0, 120.0]),
    )
    def fault_then_nobody(
        self, command: str, outcome: str, error: type[Exception], seconds: float
    ) -> None:
        """A command fails or hangs, the spotter goes, and time passes."""
        TOTALS["faults"] += 1
        self.treadmill.plans[command].outcomes.insert(0, (outcome, error))
        self._set_spotter("off")
        self._settle()
        self.driven.advance(seconds, self.check)

    @rule(seconds=st.sampled_from([0.1, 0.5, 1, 2, 4.9, 5.2, 10, 31, 120, 600]))
    def wait(self, seconds: float) -> None:
        """Time passes (every timer fires when it is due)."""
        TOTALS["steps"] += 1
        self.driven.advance(seconds, self.check)
        self._collect_history()

    @rule(seconds=st.sampled_from([-7200, -600, -61, -1, 1, 61, 600, 7200]))
    def set_wall_clock(self, seconds: int) -> None:
        """Somebody sets the clock (or NTP corrects it); the monotonic clock runs on."""
        self.driven.clocks.jump_wall(seconds)
        self._settle()

    # --- the invariants -----------------------------------------------------------

    @invariant()
    def check(self) -> None:
        """The belt never moves without a spotter past the grace; nothing lost."""
        TOTALS["checks"] += 1
        treadmill = self.treadmill
        if not treadmill.moving:
            self.unseen_start = False
        assert not treadmill.unasked_starts, "the belt started without a person"
        state = self.entry.state if self.entry is not None else None
        # Retrowalk drives the treadmill from a controller's setup to its shutdown.
        supervised = treadmill.open and state in (
            ConfigEntryState.LOADED,
            ConfigEntryState.SETUP_IN_PROGRESS,
            ConfigEntryState.UNLOAD_IN_PROGRESS,
        )
        if not (treadmill.moving and supervised and self.absent_since is not None):
            return
        if self.unseen_start:
            return  # started on the console out of reach: nothing can know
        now = self.driven.clocks.monotonic()
        assert treadmill.moving_since is not None
        # Nobody there and the belt moving: from the end of the grace, or at once
        # for a belt that starts, comes into reach, or gets a controller when it is
        # long over.
        deadline = max(
            self.absent_since + self.grace,
            treadmill.moving_since,
            treadmill.opened_at,
            self.seen_at,
        )
        if now <= deadline + LATENCY:
            return
        # The stops of this stretch of running: ended since it began, or in flight.
        stretch = [
            s for s in treadmill.stops if s.ended is None or s.run == treadmill.runs
        ]
        sent = [
            s
            for s in stretch
            if s.started <= deadline + LATENCY
            and (s.ended is None or s.ended >= deadline - 1e-6)
        ]
        assert sent, (
            f"belt moving {now - deadline:.2f} s after the grace and no stop sent"
        )
        later = [s for s in stretch if s.ended is None or s.ended >= deadline]
        assert not any(s.ok for s in later), "a stop succeeded, yet the belt moves"
        if state is ConfigEntryState.LOADED and all(s.ended is not None for s in later):
            last = max(s.ended for s in later if s.ended is not None)
            assert now - last <= RETRY_LIMIT, "a failed stop was not tried again"

    # --- helpers ----------------------------------------------------------------

    def _person(self, service: str, **data: Any) -> None:
        TOTALS["steps"] += 1
        self.driven.in_background(
            lambda: self.hass.services.async_call(DOMAIN, service, data, blocking=True),
            person=True,
        )
        self._settle()

    def _set_spotter(self, state: str) -> None:
        self.hass.states.async_set(SPOTTER, state, {"device_class": "presence"})
        present = state == "on"
        if present:
            self.absent_since = None
        elif self.absent_since is None:
            self.absent_since = self.driven.clocks.monotonic()

    def _settle(self) -> None:
        TOTALS["steps"] += 1
        self.driven.settle()
        self.check()
        self._collect_history()

    def _collect_history(self) -> None:
        """The history's keys only ever grow (while the entry is loaded)."""
        if self.entry is None or self.entry.state is not ConfigEntryState.LOADED:
            return
        planner = self.entry.runtime_data.planner
        keys = {record.key for record in planner.history.records}
        lost = self.history_keys - keys
        assert not lost, f"recorded sessions disappeared: {lost}"
        self.history_keys = keys


def test_no_spotter_no_moving_belt_under_faults(request: pytest.FixtureRequest) -> None:
    """Thousands of random steps with faults; the invariants hold after each."""
    examples = request.config.getoption("--safety-examples") or EXAMPLES
    run_state_machine_as_test(
        BeltSafety,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=os.environ.get("RETROWALK_SAFETY_RANDOM") is None,
        ),
    )
    print(  # noqa: T201 - the figures the closing report quotes
        f"\nbelt invariant: {TOTALS['examples']} sequences, {TOTALS['steps']} steps, "
        f"{TOTALS['checks']} checks, {TOTALS['faults']} planned faults"
    )
