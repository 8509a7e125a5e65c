"""Cue templates: what the options accept is always speakable; stored ones never raise."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.retrowalk.workout.cues import (
    PLACEHOLDERS,
    Cue,
    CueBook,
    CueError,
    CueProblem,
    check_template,
)

CUES = Path(__file__).parents[2] / "custom_components" / "retrowalk" / "cues"
ENGLISH: dict[str, str] = json.loads((CUES / "en.json").read_text())
VALUES = {
    "direction": "backward",
    "reason": "you paused",
    "speed": "0.5",
    "unit": "miles per hour",
}


@pytest.mark.parametrize(
    "template",
    [
        "",
        "Walk {direction} now.",
        "{direction} {speed} {unit} {duration} {seconds} {countdown} {reason}",
        "{backward_duration}, {distance} {distance_unit}",
        "Braces {{like this}} are literal.",
        "An empty spec {speed:} is harmless.",
    ],
)
def test_speakable_templates_are_accepted(template: str) -> None:
    """Placeholder names alone, in single braces, and doubled literal braces."""
    check_template(template)


@pytest.mark.parametrize(
    ("template", "problem", "field"),
    [
        ("Paused: {reason:d}.", CueProblem.FORM, "{reason:d}"),
        ("At {speed:.1f} {unit}.", CueProblem.FORM, "{speed:.1f}"),
        ("Paused: {reason!x}.", CueProblem.FORM, "{reason!x}"),
        ("{direction!r}", CueProblem.FORM, "{direction!r}"),
        ("{speed!s:>5}", CueProblem.FORM, "{speed!s:>5}"),
        ("{speed:{unit}}", CueProblem.FORM, "{speed:{unit}}"),
        ("{speed.real}", CueProblem.FORM, "{speed.real}"),
        ("{speed[0]}", CueProblem.FORM, "{speed[0]}"),
        ("{reason.__class__}", CueProblem.FORM, "{reason.__class__}"),
        ("Go {}", CueProblem.UNKNOWN, "{}"),
        ("Go {0}", CueProblem.UNKNOWN, "{0}"),
        ("Go {sideways}", CueProblem.UNKNOWN, "{sideways}"),
        ("Go { direction}", CueProblem.UNKNOWN, "{ direction}"),
        ("Go {direction", CueProblem.BRACES, ""),
        ("Go direction}", CueProblem.BRACES, ""),
        ("Go {direction!}", CueProblem.BRACES, ""),
    ],
)
def test_unspeakable_templates_are_refused(
    template: str, problem: CueProblem, field: str
) -> None:
    """Format specs, conversions, attribute or index access, positions, stray braces."""
    with pytest.raises(CueError) as err:
        check_template(template)
    assert err.value.problem is problem
    assert err.value.field == field


def test_rendering_is_the_last_check() -> None:
    """A template that parses but still cannot be filled in is refused as unspeakable."""

    class Odd(str):
        __slots__ = ()

        def format_map(self, _mapping: Any) -> str:
            raise ValueError("cannot")

    with pytest.raises(CueError) as err:
        check_template(Odd("{speed}"))
    assert err.value.problem is CueProblem.NOT_SPOKEN


@settings(max_examples=500, deadline=None)
@given(
    template=st.text(alphabet=st.sampled_from("{}!:.[]0ds x_" + "abcdeinoprstuvw")),
    values=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(PLACEHOLDERS, st.text(max_size=5))
    ),
)
def test_every_accepted_template_can_be_spoken(
    template: str, values: dict[str, str]
) -> None:
    """Whatever passes the check is spoken with any values, never raising."""
    try:
        check_template(template)
    except CueError:
        return
    book = CueBook(ENGLISH, {Cue.START.value: template})
    assert isinstance(book.say(Cue.START, **values), str)


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_built_in_cues_pass_the_check(language: str) -> None:
    """Every sentence retrowalk ships is speakable by the same rule."""
    words = json.loads((CUES / f"{language}.json").read_text())
    for cue in Cue:
        check_template(words[cue.value])


@pytest.mark.parametrize(
    "stored", ["Paused: {reason:d}.", "Paused: {reason!x}.", "{reason", "{0}", 5, None]
)
def test_stored_bad_override_falls_back_to_the_built_in_sentence(
    stored: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An override saved before the check existed is replaced, and said once in the log."""
    with caplog.at_level(logging.WARNING):
        book = CueBook(ENGLISH, {Cue.PAUSED.value: stored})
        first = book.say(Cue.PAUSED, **VALUES)
        second = book.say(Cue.PAUSED, **VALUES)

    assert first == second == "Paused: you paused."
    if stored is not None:  # None is "no override", not a bad one
        assert caplog.text.count("paused") == 1
    else:
        assert caplog.text == ""


def test_good_overrides_are_used_and_bad_ones_leave_the_others_alone() -> None:
    """Only the unusable override is dropped."""
    book = CueBook(
        ENGLISH,
        {
            Cue.PAUSED.value: "Stop: {reason:>9}",
            Cue.RESUMED.value: "Off we go {direction}!",
        },
    )

    assert book.say(Cue.PAUSED, **VALUES) == "Paused: you paused."
    assert book.say(Cue.RESUMED, **VALUES) == "Off we go backward!"


def test_a_sentence_that_fails_when_spoken_falls_back_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even a built-in sentence that cannot be filled in never raises; logged once."""
    broken = ENGLISH | {Cue.HALFWAY.value: "Half {way"}
    book = CueBook(broken)

    with caplog.at_level(logging.WARNING):
        said = [book.say(Cue.HALFWAY), book.say(Cue.HALFWAY)]

    assert said == ["Half {way", "Half {way"]
    assert caplog.text.count("halfway") == 1
