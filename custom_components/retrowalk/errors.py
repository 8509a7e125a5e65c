"""Turning refusals of the workout core into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
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
