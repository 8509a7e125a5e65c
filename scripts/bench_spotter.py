"""Benchmark: from grace expiry to the belt stop, on a live Home Assistant.

Starts a throwaway Home Assistant (a copy of config/ on another port), sets up
the demo treadmill, then repeats: start a session, switch the spotter off, and
time the `session_paused` (no_spotter) event against the moment the grace period
ran out (spotter-off state change + grace). The event is fired in the same
event-loop step that sends the belt its stop command. Prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
import os
from pathlib import Path
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Any

import aiohttp
from demo_provision import Server

ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 5.0


def start_server(port: int) -> tuple[subprocess.Popen[bytes], Path]:
    """Start Home Assistant on a copy of config/ listening on `port`."""
    config = Path(tempfile.mkdtemp(prefix="retrowalk-bench-"))
    for name in ("configuration.yaml", "automations.yaml", "dashboards"):
        source = ROOT / "config" / name
        if source.is_dir():
            shutil.copytree(source, config / name)
        else:
            shutil.copy(source, config / name)
    yaml = (config / "configuration.yaml").read_text()
    (config / "configuration.yaml").write_text(
        yaml.replace("server_port: 8123", f"server_port: {port}")
    )
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "hass_dev.py"),
            "--config",
            str(config),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, config


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


async def measure(url: str, token: str, samples: int) -> list[float]:
    """Delays in milliseconds from grace expiry to the pause."""
    ws_url = url.replace("http", "ws", 1) + "/api/websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as raw:
        await raw.receive_json()
        await raw.send_json({"type": "auth", "access_token": token})
        assert (await raw.receive_json())["type"] == "auth_ok"
        ws = Websocket(raw)
        pump = asyncio.create_task(ws.pump())
        await ws.command(type="subscribe_events", event_type="retrowalk_event")
        await ws.command(type="subscribe_events", event_type="state_changed")

        async def call(domain: str, service: str, **data: Any) -> None:
            await ws.command(
                type="call_service", domain=domain, service=service, service_data=data
            )

        def fired(event: dict[str, Any]) -> datetime:
            return datetime.fromisoformat(event["time_fired"])

        delays = []
        for _ in range(samples):
            await call("input_boolean", "turn_on", entity_id="input_boolean.spotter")
            await asyncio.sleep(0.3)
            await call(
                "retrowalk",
                "start_session",
                intervals=[{"direction": "backward", "duration": 600}],
            )
            await ws.wait_for(lambda e: e["data"].get("type") == "session_started")
            await call("input_boolean", "turn_off", entity_id="input_boolean.spotter")
            off = await ws.wait_for(
                lambda e: (
                    e["event_type"] == "state_changed"
                    and e["data"]["entity_id"] == "input_boolean.spotter"
                    and e["data"]["new_state"]["state"] == "off"
                )
            )
            paused = await ws.wait_for(
                lambda e: e["data"].get("type") == "session_paused"
            )
            assert paused["data"]["reason"] == "no_spotter"
            grace_expiry = fired(off).timestamp() + GRACE_SECONDS
            delays.append((fired(paused).timestamp() - grace_expiry) * 1000)
            await call("retrowalk", "stop")
            await ws.wait_for(lambda e: e["data"].get("type") == "session_stopped")
        pump.cancel()
        return delays


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--port", type=int, default=8125)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    process, config = start_server(args.port)
    try:
        server = Server(url)
        server.wait_until_up(180)
        server.onboard()
        server.add_demo_treadmill()
        assert server.token
        delays = sorted(asyncio.run(measure(url, server.token, args.samples)))
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(config, ignore_errors=True)
    p99 = delays[min(len(delays) - 1, round(0.99 * (len(delays) - 1)))]
    print(
        f"Spotter loss -> belt stop after the {GRACE_SECONDS:.0f} s grace, live Home Assistant"
    )
    print(f"{'samples':>8} {'median ms':>10} {'p99 ms':>8} {'min ms':>8} {'max ms':>8}")
    print(
        f"{len(delays):>8} {statistics.median(delays):>10.1f} {p99:>8.1f}"
        f" {delays[0]:>8.1f} {delays[-1]:>8.1f}"
    )


if __name__ == "__main__":
    main()
