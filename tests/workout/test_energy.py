"""Energy: MET-minutes per direction and kcal from body mass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.retrowalk.workout.energy import (
    BACKWARD_MET,
    FORWARD_MET,
    kcal,
    met_minutes,
)
from custom_components.retrowalk.workout.errors import WorkoutError


def test_backward_costs_about_forty_percent_more() -> None:
    """6.0 METs backward against 4.3 forward [004]."""
    assert (BACKWARD_MET, FORWARD_MET) == (6.0, 4.3)
    assert 1.39 < BACKWARD_MET / FORWARD_MET < 1.41


def test_met_minutes_add_both_directions() -> None:
    """5 minutes forward and 10 backward: 21.5 + 60 MET-minutes."""
    assert met_minutes(timedelta(minutes=5), timedelta(minutes=10)) == pytest.approx(
        81.5
    )
    assert met_minutes(timedelta(0), timedelta(seconds=30)) == pytest.approx(3.0)


def test_an_hour_backward_at_70_kg() -> None:
    """kcal = METs x kg x hours: 6.0 x 70 x 1 = 420."""
    assert kcal(met_minutes(timedelta(0), timedelta(hours=1)), 70) == pytest.approx(420)


def test_no_body_mass_no_kcal() -> None:
    """Without a body mass only MET-minutes can be reported."""
    assert kcal(81.5, None) is None


@pytest.mark.parametrize("mass", [0.0, -70.0])
def test_body_mass_must_be_positive(mass: float) -> None:
    """A body mass of zero or less is refused."""
    with pytest.raises(WorkoutError, match="invalid_body_mass"):
        kcal(81.5, mass)


def test_negative_time_is_refused() -> None:
    """Walking time cannot be negative."""
    with pytest.raises(WorkoutError, match="invalid_duration"):
        met_minutes(timedelta(minutes=-1), timedelta(0))
