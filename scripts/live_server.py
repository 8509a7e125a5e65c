"""A throwaway live Home Assistant with the demo configuration, for benchmarks and e2e.

Runs with the Python of the demo environment (scripts/develop's), on a copy of
config/ in a temporary folder, on its own port; onboarded with the demo user.
Set RETROWALK_KEEP_LIVE_CONFIG=1 to keep that folder (and its server.log) afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import tempfile

from demo_provision import Server

ROOT = Path(__file__).resolve().parents[1]
CONFIG_FILES = ("configuration.yaml", "automations.yaml", "dashboards")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
    log = (config / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "hass_dev.py"),
            "--config",
            str(config),
        ],
        env=os.environ | {"PYTHONPATH": f"{ROOT}:{ROOT / 'demo'}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        server = Server(f"http://127.0.0.1:{port}")
        server.wait_until_up(180)
        server.onboard()
        if add_treadmill:
            server.add_demo_treadmill()
        server.pid = process.pid
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
        if not os.environ.get("RETROWALK_KEEP_LIVE_CONFIG"):
            shutil.rmtree(config, ignore_errors=True)
