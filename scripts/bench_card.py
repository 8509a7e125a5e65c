"""Benchmark of the workout card: browser CPU during a session, server writes per switch.

Starts a throwaway live Home Assistant (the demo configuration), then runs the same
session twice, of 5 s intervals (a switch every 5 s: far more than a real
program's, so an upper bound):
- without a browser: state writes per retrowalk entity per switch, and the
  server's CPU;
- with Chromium showing the card on the demo's Treadmill view: the same writes and
  server CPU, and the page's own CPU from Chromium's performance metrics
  (TaskDuration: all of the page's main-thread work; ScriptDuration: JavaScript).
The page's CPU is also measured with the card idle (no session), for comparison.
Prints a table. Run with `scripts/bench --card [--seconds N]`.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp
from bench import WRITTEN_ENTITIES, Websocket, call, connect, cpu_seconds, is_retrowalk
from demo_provision import DEMO_USER, Server
from live_server import live_server
from playwright.async_api import CDPSession, Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
INTERVAL_SECONDS = 5
CARD_VIEW = "/retrowalk-demo/treadmill"


def program(seconds: int) -> list[dict[str, Any]]:
    """Alternating 5 s intervals, `seconds` long."""
    return [
        {
            "direction": "forward" if i % 2 == 0 else "backward",
            "duration": INTERVAL_SECONDS,
        }
        for i in range(max(2, seconds // INTERVAL_SECONDS))
    ]


async def session_run(
    server: Server, ws: Websocket, seconds: int, page: Page | None
) -> dict[str, float]:
    """A whole session of `seconds`: writes per transition, server and page CPU."""
    await call(ws, "retrowalk", "start_session", intervals=program(seconds))
    await ws.wait_for(is_retrowalk("session_started"))
    metrics_before = await page_metrics(page)
    cpu_before = cpu_seconds(server.pid or 0)
    started = time.monotonic()
    writes: dict[str, int] = {}
    switches = 0
    while True:
        event = await ws.wait_for(
            lambda e: (
                (
                    e["event_type"] == "state_changed"
                    and e["data"]["entity_id"].startswith(WRITTEN_ENTITIES)
                )
                or is_retrowalk("interval_switched")(e)
                or is_retrowalk("session_completed")(e)
            )
        )
        if event["event_type"] == "state_changed":
            entity_id = event["data"]["entity_id"]
            writes[entity_id] = writes.get(entity_id, 0) + 1
        elif is_retrowalk("interval_switched")(event):
            switches += 1
        else:
            break
    await asyncio.sleep(0.5)  # the completion's writes
    while not ws.events.empty():
        event = ws.events.get_nowait()
        if event["event_type"] == "state_changed" and event["data"][
            "entity_id"
        ].startswith(WRITTEN_ENTITIES):
            entity_id = event["data"]["entity_id"]
            writes[entity_id] = writes.get(entity_id, 0) + 1
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds(server.pid or 0) - cpu_before
    metrics_after = await page_metrics(page)
    transitions = switches + 2  # the start, each switch, the completion
    result = {
        "switches": switches,
        "max state writes per entity per transition": max(writes.values())
        / transitions,
        "server CPU %": 100 * server_cpu / elapsed,
    }
    if page is not None:
        result |= page_cpu(metrics_before, metrics_after, elapsed)
    return result


# One DevTools session per page: its counters run from `Performance.enable` on.
_SESSIONS: dict[Page, CDPSession] = {}


async def page_metrics(page: Page | None) -> dict[str, float]:
    """Chromium's cumulative performance metrics of the page (seconds of work)."""
    if page is None:
        return {}
    if page not in _SESSIONS:
        _SESSIONS[page] = await page.context.new_cdp_session(page)
        await _SESSIONS[page].send("Performance.enable")
    raw = await _SESSIONS[page].send("Performance.getMetrics")
    return {m["name"]: m["value"] for m in raw["metrics"]}


def page_cpu(
    before: dict[str, float], after: dict[str, float], elapsed: float
) -> dict[str, float]:
    """The page's main-thread and script time, in % of one core."""
    return {
        f"page {name} %": 100 * (after[name] - before[name]) / elapsed
        for name in ("TaskDuration", "ScriptDuration")
    }


async def open_card(server: Server, page: Page) -> None:
    """Log in straight onto the card's view."""
    await page.goto(server.base + CARD_VIEW)
    await page.get_by_role("textbox", name="Username").fill(DEMO_USER["username"])
    await page.get_by_role("textbox", name="Password").fill(DEMO_USER["password"])
    await page.keyboard.press("Enter")
    await page.locator("retrowalk-workout-card .card").wait_for(state="attached")
    await page.wait_for_timeout(5000)  # past the first clock measurements


async def measure(server: Server, seconds: int) -> dict[str, dict[str, float]]:
    """The runs: without a browser, the card idle, the card during a session."""
    assert server.token
    results: dict[str, dict[str, float]] = {}
    async with aiohttp.ClientSession() as http:
        ws = await connect(server.base, server.token, http)
        pump = asyncio.create_task(ws.pump())
        try:
            results["session, no browser"] = await session_run(
                server, ws, seconds, None
            )
            async with async_playwright() as driver:
                browser = await driver.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
                )
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                await page_metrics(page)  # counting from here
                await open_card(server, page)
                before = await page_metrics(page)
                started = time.monotonic()
                await asyncio.sleep(seconds)
                results["card open, idle"] = page_cpu(
                    before, await page_metrics(page), time.monotonic() - started
                )
                results["session, card open"] = await session_run(
                    server, ws, seconds, page
                )
                await browser.close()
        finally:
            pump.cancel()
            await ws.ws.close()
    return results


def main() -> None:
    """Run the card benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit("Chromium is needed at /usr/bin/chromium (apt-get install chromium)")
    with live_server() as server:
        results = asyncio.run(measure(server, args.seconds))
    names = sorted({name for figures in results.values() for name in figures})
    print(
        f"\nWorkout card, {args.seconds} s per run, a switch every {INTERVAL_SECONDS} s"
    )
    print(f"{'':<44}" + "".join(f"{run:>22}" for run in results))
    for name in names:
        cells = "".join(
            f"{results[run][name]:>22.2f}" if name in results[run] else f"{'–':>22}"
            for run in results
        )
        print(f"{name:<44}{cells}")


if __name__ == "__main__":
    main()
