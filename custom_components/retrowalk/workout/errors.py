"""Errors raised by the workout core, each with a stable code."""

from __future__ import annotations


class WorkoutError(ValueError):
    """A request the workout core refuses; `code` names the reason."""

    def __init__(self, code: str, **placeholders: str) -> None:
        """Store the reason code and the values that explain it."""
        super().__init__(code)
        self.code = code
        self.placeholders = placeholders
