"""A throwaway live Home Assistant with the demo configuration, for benchmarks and e2e.

Runs with the Python of the demo environment (scripts/develop's), on a copy of
config/ in a temporary folder, on its own port; onboarded with the demo user.
Set RETROWALK_KEEP_LIVE_CONFIG=1 to keep that folder (and its server.log) afterwards.
RETROWALK_LIVE_PYTHON, a command line, starts the server with another Python (e.g. the
newest Home Assistant's, through scripts/with-python314).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

import aiohttp
from demo_provision import Server, prepare_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG_FILES = ("configuration.yaml", "automations.yaml", "dashboards")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _websocket_command(server: Server, command: dict[str, str]) -> bool:
    """Send one websocket command as the logged-in user; whether it succeeded."""
    url = server.base.replace("http", "ws", 1) + "/api/websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": server.token})
        if (await socket.receive_json())["type"] != "auth_ok":
            return False
        await socket.send_json({"id": 1, **command})
        return bool((await socket.receive_json())["success"])


def confirm_http_config(server: Server) -> None:
    """Keep the port and address of configuration.yaml's `http:`.

    From Home Assistant 2026.11 they move into its storage as a trial that the user must
    confirm (a dialog), or it reverts them after five minutes and restarts. Older
    versions do not know the command: nothing to do there.
    """
    asyncio.run(_websocket_command(server, {"type": "http/config/promote"}))


@contextmanager
def live_server(
    port: int | None = None, *, add_treadmill: bool = True, extra_yaml: str = ""
) -> Iterator[Server]:
    """A running, onboarded server; with the demo treadmill unless told otherwise.

    Without a `port`, a free one is picked, so that several servers can run at once.
    `extra_yaml` is appended to configuration.yaml.
    """
    port = port or free_port()
    config = Path(tempfile.mkdtemp(prefix="retrowalk-live-"))
    for name in CONFIG_FILES:
        source = ROOT / "config" / name
        if source.is_dir():
            shutil.copytree(source, config / name)
        else:
            shutil.copy(source, config / name)
    yaml = (config / "configuration.yaml").read_text()
    (config / "configuration.yaml").write_text(
        yaml.replace("server_port: 8123", f"server_port: {port}") + extra_yaml
    )
    prepare_config(config)
    log = (config / "server.log").open("wb")
    python = shlex.split(os.environ.get("RETROWALK_LIVE_PYTHON", ""))
    process = subprocess.Popen(
        [
            *(python or [sys.executable]),
            str(ROOT / "scripts" / "hass_dev.py"),
            "--config",
            str(config),
            # Everything it needs is installed up front (the frontend requirement files);
            # nothing at run time. (The newest Home Assistant would try to install what
            # the integrations after retrowalk's Bluetooth dependency need, whether
            # configured or not.)
            "--skip-pip",
        ],
        env=os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'demo'}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        server = Server(f"http://127.0.0.1:{port}")
        server.wait_until_up(180)
        server.onboard()
        confirm_http_config(server)
        if add_treadmill:
            server.add_demo_treadmill()
        server.pid = process.pid
        server.log = config / "server.log"
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
        if not os.environ.get("RETROWALK_KEEP_LIVE_CONFIG"):
            shutil.rmtree(config, ignore_errors=True)
