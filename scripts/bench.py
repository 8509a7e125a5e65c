"""Benchmarks on a live Home Assistant: switch timing, cue timing, spotter stop.

Starts a throwaway Home Assistant (a copy of config/ on another port) with the
demo treadmill and demo speaker, then measures with the server's own event times:
- interval switches: `interval_switched` time minus the planned boundary;
- cues: when `tts.speak` is called, against the boundary (switch cue) and against
  boundary - lead time (lead cue);
- spotter: the `session_paused` (no_spotter) time minus the moment the grace ran
  out; that event is fired in the same event-loop step that sends the belt its
  stop command.
- baseline: Home Assistant's own timer helper's lateness on the same server;
- state writes per retrowalk entity per switch, over the switch run;
- integration setup: reloading the entry over REST;
- CPU time of the server process, idle and with 1, 5 and 20 sessions running.
Prints tables.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
import os
from pathlib import Path
import statistics
import time
from typing import Any

import aiohttp
from demo_provision import Server
from live_server import live_server

CPU_WINDOW_SECONDS = 30
# The live server gets a timer helper, the baseline for switch lateness.
BENCH_YAML = "\ntimer:\n  bench:\n    name: Bench timer\n"
# Entities whose state writes are counted during the switch run.
WRITTEN_ENTITIES = ("sensor.demo_treadmill_", "event.demo_treadmill_")
GRACE_SECONDS = 5.0
LEAD_SECONDS = 3.0
INTERVAL_SECONDS = 5.0


class Websocket:
    """A minimal Home Assistant websocket client."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated websocket."""
        self.ws = ws
        self.next_id = 1
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def command(self, **message: Any) -> int:
        """Send a command; returns its id."""
        message_id = self.next_id
        self.next_id += 1
        await self.ws.send_json({"id": message_id, **message})
        return message_id

    async def pump(self) -> None:
        """Queue every event that arrives."""
        async for message in self.ws:
            data = message.json()
            if data.get("type") == "event":
                await self.events.put(data["event"])

    async def wait_for(self, predicate: Any) -> dict[str, Any]:
        """The next event that matches `predicate` (30 s at most)."""
        async with asyncio.timeout(30):
            while True:
                event = await self.events.get()
                if predicate(event):
                    return event


def fired(event: dict[str, Any]) -> float:
    """An event's time as a POSIX timestamp."""
    return datetime.fromisoformat(event["time_fired"]).timestamp()


async def connect(url: str, token: str, http: aiohttp.ClientSession) -> Websocket:
    """An authenticated websocket subscribed to retrowalk, state and service events."""
    raw = await http.ws_connect(url.replace("http", "ws", 1) + "/api/websocket")
    await raw.receive_json()
    await raw.send_json({"type": "auth", "access_token": token})
    assert (await raw.receive_json())["type"] == "auth_ok"
    ws = Websocket(raw)
    for event_type in (
        "retrowalk_event",
        "state_changed",
        "call_service",
        "timer.finished",
    ):
        await ws.command(type="subscribe_events", event_type=event_type)
    return ws


async def call(ws: Websocket, domain: str, service: str, **data: Any) -> None:
    """Call a service without waiting for it."""
    await ws.command(
        type="call_service", domain=domain, service=service, service_data=data
    )


def is_retrowalk(kind: str) -> Any:
    """A predicate for one retrowalk event type."""
    return lambda e: e["event_type"] == "retrowalk_event" and e["data"]["type"] == kind


async def measure_spotter(ws: Websocket, samples: int) -> list[float]:
    """Milliseconds from grace expiry to the no-spotter pause (and belt stop)."""
    delays = []
    for _ in range(samples):
        await call(ws, "input_boolean", "turn_on", entity_id="input_boolean.spotter")
        await asyncio.sleep(0.3)
        await call(
            ws,
            "retrowalk",
            "start_session",
            intervals=[{"direction": "backward", "duration": 600}],
        )
        await ws.wait_for(is_retrowalk("session_started"))
        await call(ws, "input_boolean", "turn_off", entity_id="input_boolean.spotter")
        off = await ws.wait_for(
            lambda e: (
                e["event_type"] == "state_changed"
                and e["data"]["entity_id"] == "input_boolean.spotter"
                and e["data"]["new_state"]["state"] == "off"
            )
        )
        paused = await ws.wait_for(is_retrowalk("session_paused"))
        assert paused["data"]["reason"] == "no_spotter"
        delays.append((fired(paused) - fired(off) - GRACE_SECONDS) * 1000)
        await call(ws, "retrowalk", "stop")
        await ws.wait_for(is_retrowalk("session_stopped"))
    await call(ws, "input_boolean", "turn_on", entity_id="input_boolean.spotter")
    return delays


async def measure_switches(
    ws: Websocket, intervals: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Per boundary, in ms: switch lateness, switch cue call, lead cue call vs its plan.

    Also the state writes per retrowalk entity per switch over the whole run.
    """
    program = [
        {
            "direction": "forward" if i % 2 == 0 else "backward",
            "duration": INTERVAL_SECONDS,
        }
        for i in range(intervals)
    ]
    await asyncio.sleep(0.5)
    await call(ws, "retrowalk", "start_session", intervals=program)
    started = await ws.wait_for(is_retrowalk("session_started"))
    start = fired(started)
    switches, speaks = [], []
    writes: dict[str, int] = {}
    while True:
        event = await ws.wait_for(
            lambda e: (
                (
                    e["event_type"] == "retrowalk_event"
                    and e["data"]["type"] in ("interval_switched", "session_completed")
                )
                or (
                    e["event_type"] == "call_service"
                    and (e["data"]["domain"], e["data"]["service"]) == ("tts", "speak")
                )
                or (
                    e["event_type"] == "state_changed"
                    and e["data"]["entity_id"].startswith(WRITTEN_ENTITIES)
                )
            )
        )
        if event["event_type"] == "state_changed":
            entity_id = event["data"]["entity_id"]
            writes[entity_id] = writes.get(entity_id, 0) + 1
        elif event["event_type"] == "call_service":
            speaks.append(fired(event))
        elif event["data"]["type"] == "interval_switched":
            switches.append(fired(event))
        else:
            break
    planned = [start + INTERVAL_SECONDS * i for i in range(1, intervals)]
    lateness = [(s - p) * 1000 for s, p in zip(switches, planned, strict=True)]
    # The cue closest to each boundary is its switch cue; the one closest to
    # boundary - lead time is its lead cue.
    switch_cues = [min(abs(t - p) for t in speaks) * 1000 for p in planned]
    lead_cues = [
        min(abs(t - (p - LEAD_SECONDS)) for t in speaks) * 1000 for p in planned
    ]
    # Writes per entity per switch (the start's and the end's writes included).
    per_switch = [count / (intervals - 1) for count in writes.values()]
    return lateness, switch_cues, lead_cues, per_switch


async def measure_timer_helper(ws: Websocket, samples: int) -> list[float]:
    """Baseline: Home Assistant's own timer helper, ms late at `timer.finished`."""
    lateness = []
    for _ in range(samples):
        await call(ws, "timer", "start", entity_id="timer.bench", duration="00:00:05")
        started = await ws.wait_for(
            lambda e: (
                e["event_type"] == "state_changed"
                and e["data"]["entity_id"] == "timer.bench"
                and e["data"]["new_state"]["state"] == "active"
            )
        )
        finished = await ws.wait_for(lambda e: e["event_type"] == "timer.finished")
        planned = datetime.fromisoformat(
            started["data"]["new_state"]["attributes"]["finishes_at"]
        ).timestamp()
        lateness.append((fired(finished) - planned) * 1000)
    return lateness


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure_cpu(server: Server, ws: Websocket) -> dict[str, float]:
    """CPU % of one core used by the server, idle and with 1, 5 and 20 sessions."""
    for number in range(2, 21):  # the demo treadmill is the first
        await asyncio.to_thread(server.add_treadmill, f"Bench {number}")
    entries = [
        entry["entry_id"]
        for entry in await asyncio.to_thread(
            server.request, "GET", "/api/config/config_entries/entry?domain=retrowalk"
        )
    ]
    program = [
        {
            "direction": "forward" if i % 2 == 0 else "backward",
            "duration": INTERVAL_SECONDS,
        }
        for i in range(100)
    ]
    usage = {}
    for sessions in (0, 1, 5, 20):
        for entry_id in entries[:sessions]:
            await call(
                ws,
                "retrowalk",
                "start_session",
                config_entry_id=entry_id,
                intervals=program,
            )
        await asyncio.sleep(2)
        before = cpu_seconds(server.pid or 0)
        await asyncio.sleep(CPU_WINDOW_SECONDS)
        used = cpu_seconds(server.pid or 0) - before
        label = {0: "idle", 1: "1 session"}.get(sessions, f"{sessions} sessions")
        usage[label] = 100 * used / CPU_WINDOW_SECONDS
        for entry_id in entries[:sessions]:
            await call(ws, "retrowalk", "stop", config_entry_id=entry_id)
    return usage


def measure_setup(server: Server, samples: int) -> list[float]:
    """Milliseconds to reload (unload and set up) the demo treadmill's entry."""
    entries = server.request("GET", "/api/config/config_entries/entry?domain=retrowalk")
    entry_id = entries[0]["entry_id"]
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        server.request("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(
    server: Server, samples: int, intervals: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Run every measurement on one connection: timings (ms) and CPU use (%)."""
    assert server.token
    async with aiohttp.ClientSession() as http:
        ws = await connect(server.base, server.token, http)
        pump = asyncio.create_task(ws.pump())
        try:
            lateness, switch_cues, lead_cues, writes = await measure_switches(
                ws, intervals
            )
            timer_lateness = await measure_timer_helper(ws, samples)
            spotter = await measure_spotter(ws, samples)
            setup = await asyncio.to_thread(measure_setup, server, samples)
            cpu = await measure_cpu(server, ws)
        finally:
            pump.cancel()
            await ws.ws.close()
    timings = {
        "interval switch lateness (event time - planned boundary)": lateness,
        "baseline: HA timer helper lateness (finished - finishes_at)": timer_lateness,
        "switch cue: |tts.speak call - boundary|": switch_cues,
        f"lead cue: |tts.speak call - (boundary - {LEAD_SECONDS:.0f} s)|": lead_cues,
        f"spotter loss -> belt stop, after the {GRACE_SECONDS:.0f} s grace": spotter,
        "integration setup (entry reload over REST)": setup,
        "state writes per entity per switch (a count, not ms)": writes,
    }
    return timings, cpu


def percentile(values: list[float], fraction: float) -> float:
    """The value at `fraction` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20, help="samples per timing")
    parser.add_argument("--intervals", type=int, default=21, help="intervals of 5 s")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    args = parser.parse_args()
    with live_server(args.port, extra_yaml=BENCH_YAML) as server:
        timings, cpu = asyncio.run(measure(server, args.samples, args.intervals))
    print(f"{'measurement (ms)':<66} {'n':>3} {'median':>7} {'p99':>7} {'max':>7}")
    for name, values in timings.items():
        print(
            f"{name:<66} {len(values):>3} {statistics.median(values):>7.1f}"
            f" {percentile(values, 0.99):>7.1f} {max(values):>7.1f}"
        )
    print(
        f"\nCPU of the Home Assistant process, % of one core over {CPU_WINDOW_SECONDS} s"
    )
    for name, percent in cpu.items():
        print(f"{name:<14} {percent:6.2f} %")


if __name__ == "__main__":
    main()
