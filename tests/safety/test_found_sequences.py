"""Sequences the property test found that broke the belt invariant, replayed as they were.

Each is the shrunk failing case hypothesis printed, kept so the fix stays in place
whatever the random search of a later run happens to try.
"""

from __future__ import annotations

from custom_components.retrowalk.treadmills import TreadmillError

from .test_belt_invariant import BeltSafety


def test_a_reload_does_not_start_the_grace_afresh() -> None:
    """The spotter leaves while a reload waits for a slow stop of an unreachable belt.

    The new controller's supervisor used to time the grace from its own start, so
    with every stop failing (out of reach) no stop was tried at the end of the grace
    that began when the spotter left; now the grace runs on across the reload.
    """
    state = BeltSafety()
    try:
        state.set_up(grace=6, reports=True)
        state.fault_then_nobody(
            command="stop", error=TreadmillError, outcome="slow", seconds=5.0
        )
        state.check()
        state.console(start=True)
        state.check()
        state.entry_action(action="reload")
        state.check()
        state.reach(available=False)
        state.check()
        state.spotter(state="on")
        state.check()
        state.fault_then_nobody(
            command="set_speed", error=TreadmillError, outcome="ok", seconds=31.0
        )
        state.check()
    finally:
        state.teardown()
