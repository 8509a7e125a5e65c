"""End to end: the workout card on a live Home Assistant, in a real browser.

The demo configuration with the demo treadmill, and nothing added to the
dashboard's resources: retrowalk loads its card itself. The card starts, pauses,
resumes, skips and stops a session; its countdown ticks once a second and matches
`interval_ends` (also with a tablet clock that is 7 s off, and after the tab was
frozen); a refused start shows retrowalk's message in the user's language; the
browser logs no error. Screenshots (phone, tablet portrait and landscape, dark
theme) go to artifacts/e2e/. Runs against whichever Home Assistant the live
server runs; `scripts/test --e2e` runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
import itertools
import math
import time
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed"
)

from .common import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    DEMO_USER,
    SECONDS,
    Server,
    chromium,
    live_server,
    state,
    wait_for_state,
)

PHASE = "sensor.demo_treadmill_phase"
INTERVAL_ENDS = "sensor.demo_treadmill_interval_ends"
PROGRAM = "select.demo_treadmill_program"
SPOTTER = "input_boolean.spotter"
CARD_VIEW = "/retrowalk-demo/treadmill"
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
# How far a tick may be from the server's whole second: timer and clock-measurement
# slack on a shared, busy machine.
TICK_TOLERANCE_MS = 250
LAUNCH_RACE = (
    "page error: Transition was skipped",
    (
        "Failure writing unhandled promise rejection to system log: "
        "Error: Cannot parse given Error object"
    ),
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A live Home Assistant with the demo configuration and the demo treadmill."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with live_server() as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module."""
    with chromium() as launched:
        yield launched


class Browsing:
    """A logged-in page with the card, and what the browser logged as errors."""

    def __init__(self, page: Any, server: Server) -> None:
        """Watch the page's console."""
        self.page = page
        self.server = server
        self.errors: list[str] = []
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def errors_but_the_launch_race(self) -> list[str]:
        """What the browser logged as errors, less Home Assistant's launch-screen race.

        Home Assistant's frontend takes its launch screen away in a view transition;
        when two of its start-up steps do so in the same frame, the first transition
        is skipped and its promise rejected unhandled ("Transition was skipped"),
        which it then fails to send to the system log. Seen now and then on a busy
        machine right after the page loads, before anything is tapped; nothing of
        the card's. Every other error counts.
        """
        if not any(LAUNCH_RACE[0] in error for error in self.errors):
            return self.errors
        return [e for e in self.errors if not e.startswith(LAUNCH_RACE)]

    @property
    def card(self) -> Any:
        """The workout card (Playwright's locators look into its shadow root)."""
        return self.page.locator("retrowalk-workout-card")

    def button(self, name: str) -> Any:
        """One of the card's buttons."""
        return self.card.get_by_role("button", name=name, exact=True)

    def log_in(self, language: str | None = None) -> None:
        """Log in as the demo user, optionally choosing the frontend's language."""
        page = self.page
        # The login page sends the browser on to the card's view: one navigation.
        page.goto(self.server.base + CARD_VIEW)
        page.get_by_role("textbox", name="Username").fill(DEMO_USER["username"])
        page.get_by_role("textbox", name="Password").fill(DEMO_USER["password"])
        page.keyboard.press("Enter")
        # The first load of the frontend's modules (and the card's) after a log-in can
        # take seconds on a busy machine; meanwhile the view shows a placeholder.
        card = self.card.locator(".card")
        try:
            playwright.expect(card).to_be_attached(timeout=20_000)
        except AssertionError:
            # Now and then on this busy two-core machine, right after the log-in
            # redirect, the card's module is never defined in the new page and the
            # view shows "Configuration error" (not understood yet; a reload shows
            # the card). Reload once, and say so in the test's output.
            print(f"card not defined after the log-in; reloading {page.url}")  # noqa: T201
            page.reload()
            playwright.expect(card).to_be_attached(timeout=20_000)
        if language:
            # The frontend's language, as its profile page stores it in this browser.
            page.evaluate(
                "(language) => localStorage.setItem("
                "'selectedLanguage', JSON.stringify(language))",
                language,
            )
            page.reload()
            playwright.expect(self.card.locator(".card")).to_be_attached()

    def countdown(self) -> int:
        """The card's countdown in seconds."""
        text = self.card.locator(".countdown").inner_text()
        minutes, seconds = text.split(":")
        return int(minutes) * 60 + int(seconds)

    def shot(self, name: str) -> None:
        """Save a screenshot as an artifact."""
        self.page.screenshot(path=str(ARTIFACTS / f"card-{name}.png"))


@pytest.fixture
def browsing(server: Server, browser: Any) -> Iterator[Browsing]:
    """A fresh logged-in tablet page, with the treadmill idle and a spotter present."""
    call(server, "input_boolean", "turn_on", entity_id=SPOTTER)
    call(server, "retrowalk", "stop")
    context = browser.new_context(viewport=TABLET_LANDSCAPE)
    page = context.new_page()
    page.set_default_timeout(30 * SECONDS)
    session = Browsing(page, server)
    try:
        yield session
    finally:
        session.shot("last")
        context.close()


def call(server: Server, domain: str, service: str, **data: Any) -> None:
    """Call an action over the REST API."""
    server.request("POST", f"/api/services/{domain}/{service}", data)


def seconds_left(server: Server) -> float:
    """Seconds until `interval_ends`, by this machine's clock (the server's too)."""
    ends = datetime.fromisoformat(state(server, INTERVAL_ENDS)["state"])
    return ends.timestamp() - time.time()


# Records every change of the countdown's text with the browser's time, for `ms`.
RECORD_TICKS = """async (countdown, ms) => {
  const seen = [[countdown.textContent, Date.now()]];
  const observer = new MutationObserver(() => seen.push([countdown.textContent, Date.now()]));
  observer.observe(countdown, { childList: true, characterData: true, subtree: true });
  await new Promise((resolve) => setTimeout(resolve, ms));
  observer.disconnect();
  return seen;
}"""


def record_ticks(browsing: Browsing, ms: int) -> list[list[Any]]:
    """The countdown's texts over `ms`, each with the browser's time it appeared."""
    ticks: list[list[Any]] = browsing.card.locator(".countdown").evaluate(
        RECORD_TICKS, ms
    )
    return ticks


def as_seconds(text: str) -> int:
    """m:ss as seconds."""
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def assert_shows_time_left(browsing: Browsing) -> None:
    """The countdown shows the whole seconds left to interval_ends now."""
    before = seconds_left(browsing.server)
    shown = browsing.countdown()
    after = seconds_left(browsing.server)
    slack = TICK_TOLERANCE_MS / 1000
    assert math.ceil(after - slack) <= shown <= math.ceil(before + slack), (
        before,
        shown,
        after,
    )


def assert_ticks_match(
    server: Server, ticks: list[list[Any]], offset_ms: float
) -> None:
    """One change per second, each showing the whole seconds left to interval_ends.

    `offset_ms` is what the browser's clock shows more than the server's.
    """
    ends_ms = datetime.fromisoformat(state(server, INTERVAL_ENDS)["state"]).timestamp()
    ends_ms *= 1000
    shown = [as_seconds(text) for text, _ in ticks]
    assert len(shown) >= 4, ticks
    assert shown == list(range(shown[0], shown[0] - len(shown), -1)), shown
    changes = [browser_ms for _, browser_ms in ticks[1:]]
    assert all(
        abs(later - earlier - 1000) <= TICK_TOLERANCE_MS
        for earlier, later in itertools.pairwise(changes)
    ), changes
    for text, browser_ms in ticks[1:]:
        # Each change lands just after a whole second of what is left (by the
        # server's clock), so it shows ceil() of it, within the tolerance.
        left = ends_ms - (browser_ms - offset_ms)
        assert (
            math.ceil((left - TICK_TOLERANCE_MS) / 1000)
            <= as_seconds(text)
            <= math.ceil((left + TICK_TOLERANCE_MS) / 1000)
        ), (text, left)
        assert abs(as_seconds(text) * 1000 - left) < 1000 + TICK_TOLERANCE_MS


def test_card_drives_a_session_and_counts_down(browsing: Browsing) -> None:
    """No resource added by hand; start, watch, pause, resume, skip and stop."""
    expect = playwright.expect
    server, page = browsing.server, browsing.page
    browsing.log_in()
    resources = page.evaluate(
        "() => document.querySelector('home-assistant').hass"
        ".callWS({type: 'lovelace/resources'})"
    )
    assert resources == []
    assert page.evaluate(
        "() => window.customCards.some((c) => c.type === 'retrowalk-workout-card')"
    )

    # Idle: the program picker and Start; Stop is always there.
    expect(browsing.card.locator(".word")).to_have_text("Ready")
    expect(browsing.button("Start")).to_be_enabled()
    expect(browsing.button("Stop")).to_be_enabled()
    expect(browsing.button("Pause")).to_be_hidden()
    expect(browsing.card.locator(".spotter-value")).to_have_text("Present")
    browsing.card.locator("select").select_option("intervals_3_1")
    wait_for_state(server, PROGRAM, "intervals_3_1")
    browsing.shot("idle")

    browsing.button("Start").click()
    wait_for_state(server, PHASE, "forward")
    expect(browsing.card.locator(".word")).to_have_text("Forward")
    expect(browsing.button("Start")).to_be_hidden()
    expect(browsing.button("Pause")).to_be_enabled()
    expect(browsing.button("Skip")).to_be_enabled()
    expect(browsing.card.locator(".next-value")).to_have_text("↓ Backward")
    expect(browsing.card.locator(".next-detail")).to_have_text("1:00 · 0.5 mph")
    expect(browsing.card.locator(".sub")).to_have_text("Interval 1 of 11")
    assert_ticks_match(server, record_ticks(browsing, 4500), 0)
    browsing.shot("forward")

    # A tab frozen for 4 s (as a sleeping tablet's) shows the right time at once.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    time.sleep(4)
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    page.wait_for_timeout(300)
    assert_shows_time_left(browsing)

    browsing.button("Pause").click()
    paused = wait_for_state(server, PHASE, "paused")
    expect(browsing.card.locator(".reason")).to_have_text("Paused by you")
    expect(browsing.button("Resume")).to_be_enabled()
    frozen = browsing.countdown()
    assert frozen == math.ceil(paused["attributes"]["interval_remaining"])
    page.wait_for_timeout(2500)
    assert browsing.countdown() == frozen
    browsing.shot("paused")

    browsing.button("Resume").click()
    wait_for_state(server, PHASE, "forward")
    expect(browsing.button("Pause")).to_be_visible()
    assert_ticks_match(server, record_ticks(browsing, 3500), 0)

    browsing.button("Skip").click()
    wait_for_state(server, PHASE, "backward")
    expect(browsing.card.locator(".word")).to_have_text("Backward")
    expect(browsing.card.locator(".next-value")).to_have_text("↑ Forward")
    expect(browsing.card.locator(".sub")).to_have_text("Interval 2 of 11")
    assert_shows_time_left(browsing)
    assert browsing.countdown() in (59, 60)
    shots(browsing, "backward")

    browsing.button("Stop").click()
    wait_for_state(server, PHASE, "idle")
    expect(browsing.button("Start")).to_be_visible()
    expect(browsing.card.locator(".countdown")).to_be_hidden()
    assert browsing.errors_but_the_launch_race() == []


def shots(browsing: Browsing, name: str) -> None:
    """Screenshots on a phone, a tablet upright and on its side, and in the dark."""
    page = browsing.page
    for layout, size in (
        ("phone", {"width": 390, "height": 844}),
        ("tablet-portrait", {"width": 800, "height": 1280}),
        ("tablet-landscape", TABLET_LANDSCAPE),
    ):
        page.set_viewport_size(size)
        page.wait_for_timeout(500)
        browsing.shot(f"{name}-{layout}")
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(500)
    browsing.shot(f"{name}-dark")
    page.emulate_media(color_scheme="light")


@pytest.mark.parametrize(
    ("language", "start", "message"),
    [
        ("en", "Start", "No spotter is present. A spotter must be at the treadmill"),
        ("de", "Start", "Keine Aufsicht anwesend. Eine Aufsicht muss am Laufband sein"),
        ("es", "Empezar", "No hay ningún acompañante presente."),
    ],
)
def test_refused_start_shows_the_reason(
    browsing: Browsing, language: str, start: str, message: str
) -> None:
    """With nobody at the treadmill, Start is refused in the user's language."""
    expect = playwright.expect
    server = browsing.server
    browsing.log_in(language)
    call(server, "input_boolean", "turn_off", entity_id=SPOTTER)
    wait_for_state(server, "binary_sensor.demo_treadmill_spotter", "off")
    expect(browsing.card.locator(".spotter-off")).to_be_visible()
    browsing.button(start).click()
    expect(browsing.card.locator(".message")).to_contain_text(message)
    browsing.shot(f"refused-{language}")
    assert state(server, PHASE)["state"] == "idle"
    assert browsing.errors_but_the_launch_race() == []


def test_countdown_follows_the_server_with_a_tablet_clock_off_by_seconds(
    server: Server, browser: Any
) -> None:
    """The browser's clock 7 s ahead: the card still counts to interval_ends."""
    call(server, "input_boolean", "turn_on", entity_id=SPOTTER)
    call(server, "retrowalk", "stop")
    context = browser.new_context(viewport=TABLET_LANDSCAPE)
    page = context.new_page()
    page.set_default_timeout(30 * SECONDS)
    offset_ms = 7000
    page.clock.install(time=datetime.fromtimestamp(time.time() + offset_ms / 1000, UTC))
    browsing = Browsing(page, server)
    try:
        browsing.log_in()
        call(
            server,
            "retrowalk",
            "start_session",
            intervals=[{"direction": "backward", "duration": 90}],
        )
        playwright.expect(browsing.card.locator(".word")).to_have_text("Backward")
        ticks = record_ticks(browsing, 4500)
        assert_ticks_match(server, ticks, offset_ms)
        assert browsing.errors_but_the_launch_race() == []
    finally:
        browsing.shot("clock-ahead")
        context.close()
        call(server, "retrowalk", "stop")


# In the page: the card's editor with Home Assistant's `hass`, its treadmill
# choices, the config it sends when one is picked, and the card's stub config.
EDITOR = """async () => {
  const hass = document.querySelector("home-assistant").hass;
  const Card = customElements.get("retrowalk-workout-card");
  const editor = await Card.getConfigElement();
  editor.hass = hass;
  editor.setConfig({ type: "custom:retrowalk-workout-card" });
  const select = editor.shadowRoot.querySelector("select");
  const choices = [...select.options].map((o) => o.textContent);
  const sent = new Promise((resolve) =>
    editor.addEventListener("config-changed", (e) => resolve(e.detail.config)));
  select.value = select.options[select.options.length - 1].value;
  select.dispatchEvent(new Event("change"));
  const device = hass.devices[(await sent).device_id];
  // A card with no option does not guess which treadmill.
  const bare = document.createElement("retrowalk-workout-card");
  bare.setConfig({ type: "custom:retrowalk-workout-card" });
  bare.hass = hass;
  document.body.append(bare);
  await new Promise((resolve) => requestAnimationFrame(resolve));
  const problem = bare.shadowRoot.querySelector(".problem").textContent;
  bare.remove();
  return { choices, picked: device.name, stub: Card.getStubConfig(hass), problem };
}"""


def test_with_two_treadmills_the_editor_picks_one(browsing: Browsing) -> None:
    """A second treadmill: a card without a choice asks for one, its editor makes it.

    The demo dashboard's card names its treadmill by an entity, so it stays on it.
    """
    server = browsing.server
    server.add_treadmill("Attic Treadmill")
    try:
        browsing.log_in()
        playwright.expect(browsing.card.locator(".problem")).to_be_hidden()
        playwright.expect(browsing.button("Start")).to_be_visible()
        result = browsing.page.evaluate(EDITOR)
        assert result["problem"] == (
            "Several treadmills are set up: choose one in the card's settings."
        )
        assert result["choices"] == ["–", "Attic Treadmill", "Demo Treadmill"]
        assert result["picked"] == "Demo Treadmill"
        assert set(result["stub"]) == {"device_id"}
        assert browsing.errors_but_the_launch_race() == []
    finally:
        (attic,) = [
            entry
            for entry in server.request(
                "GET", "/api/config/config_entries/entry?domain=retrowalk"
            )
            if entry["title"] == "Attic Treadmill"
        ]
        server.request(
            "DELETE", f"/api/config/config_entries/entry/{attic['entry_id']}"
        )
