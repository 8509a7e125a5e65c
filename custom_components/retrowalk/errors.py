"""Turning refusals of the workout core and the belt into translated errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .belt import BeltFaultError, BeltRefusedError
from .const import DOMAIN, REASON_NO_SPOTTER
from .workout.errors import WorkoutError


def validation_error(
    translation_key: str, **placeholders: str
) -> ServiceValidationError:
    """A translated error for input or a request the user can correct."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )


@contextmanager
def refusals_as_validation_errors() -> Iterator[None]:
    """Re-raise a `WorkoutError` as the matching translated validation error."""
    try:
        yield
    except WorkoutError as err:
        raise validation_error(err.code, **err.placeholders) from err


def treadmill_error(error: str | None) -> HomeAssistantError:
    """A translated error for a belt command the treadmill did not carry out."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="treadmill_error",
        translation_placeholders={"error": error or "no answer"},
    )


@contextmanager
def belt_errors() -> Iterator[None]:
    """The supervisor's refusals as workout refusals; faults as translated errors."""
    try:
        yield
    except BeltRefusedError as err:
        raise WorkoutError(err.code) from err
    except BeltFaultError as err:
        if err.reason == REASON_NO_SPOTTER:
            raise WorkoutError("no_spotter") from err
        raise treadmill_error(str(err)) from err
