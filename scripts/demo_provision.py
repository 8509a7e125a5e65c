"""Prepare the local demo Home Assistant over its REST API.

Before the first start (`--prepare-config DIR`): mark the onboarding steps after the
user's done, so that onboarding sets up no integration that needs the network. On
first start: create the local demo user. Every start: log in, and add the demo
virtual treadmill through the retrowalk config flow if missing. The demo credentials
are for this local server only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

DEMO_USER = {"name": "Demo", "username": "demo", "password": "retrowalk-demo"}
TREADMILL = {"name": "Demo Treadmill", "treadmill_type": "virtual", "speed_unit": "mph"}
SAFETY = {"max_speed": 2.0, "clearance_acknowledged": True}
SPOTTER = {
    "spotters": ["input_boolean.spotter"],
    "spotter_mode": "any",
    "spotter_required": True,
    "pause_grace": 5,
    "resume_confirmation": 10,
    "resume_policy": "manual",
}
SPEAKERS = ["media_player.demo_speaker"]
ANNOUNCEMENTS = {
    "speakers": SPEAKERS,
    "tts_entity": "tts.demo_voice",
    "language": "en",
    "lead_time": 3,
    "countdown": False,
    "messages": {},
}


# Onboarding's core configuration step sets up Google Translate, Met, Radio Browser
# and the shopping list. The demo needs none of them, and without a network Radio
# Browser fails (a red "Failed setup" card) while their requirements are installed
# in the way of retrowalk's config flow. So the demo's onboarding file is written
# before Home Assistant first starts, with every step but the user's done: then only
# the user is created, over the API, and nothing else is set up.
ONBOARDING_DONE_BEFORE_START = ["core_config", "analytics", "integration"]


def prepare_config(config: Path) -> None:
    """Skip the onboarding steps after the user's in a configuration never started."""
    onboarding = config / ".storage" / "onboarding"
    if onboarding.exists():
        return
    onboarding.parent.mkdir(parents=True, exist_ok=True)
    onboarding.write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ONBOARDING_DONE_BEFORE_START},
            }
        )
    )


class Server:
    """A small client for the Home Assistant REST API."""

    def __init__(self, base: str) -> None:
        """Talk to the server at `base`."""
        self.base = base.rstrip("/")
        self.client_id = f"{self.base}/"
        self.token: str | None = None
        self.pid: int | None = (
            None  # of the server process, when this script started it
        )
        self.log: Path | None = None  # its log, when this script started it

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        form: bool = False,
    ) -> Any:
        """Send a request (JSON or form body) and return the decoded JSON answer."""
        headers = {}
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data, headers, method=method)
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def wait_until_up(self, timeout: float) -> None:
        """Wait until the HTTP API answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.request("GET", "/api/onboarding")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    sys.exit(
                        f"Home Assistant did not answer at {self.base} in {timeout:.0f} s"
                    )
                time.sleep(1)
            else:
                return

    def onboard(self) -> None:
        """Create the demo owner and finish every onboarding step not yet done."""
        done = {
            step["step"]
            for step in self.request("GET", "/api/onboarding")
            if step["done"]
        }
        if "user" not in done:
            result = self.request(
                "POST",
                "/api/onboarding/users",
                {"client_id": self.client_id, "language": "en", **DEMO_USER},
            )
            self.exchange(result["auth_code"])
        else:
            self.login()
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            (
                "integration",
                {"client_id": self.client_id, "redirect_uri": self.client_id},
            ),
        ):
            if step not in done:
                self.request("POST", f"/api/onboarding/{step}", body)

    def login(self) -> None:
        """Log in as the demo user through the login flow."""
        flow = self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {
                "client_id": self.client_id,
                "username": DEMO_USER["username"],
                "password": DEMO_USER["password"],
            },
        )
        if result.get("type") != "create_entry":
            sys.exit(
                "Could not log in as the demo user; delete config/.storage to start over."
            )
        self.exchange(result["result"])

    def exchange(self, code: str) -> None:
        """Trade an authorization code for an access token."""
        tokens = self.request(
            "POST",
            "/auth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
            form=True,
        )
        self.token = tokens["access_token"]

    def wait_for_entities(self, entity_ids: list[str], timeout: float) -> None:
        """Wait until the entities exist (the demo speaker is set up in the background)."""
        deadline = time.monotonic() + timeout
        for entity_id in entity_ids:
            while True:
                try:
                    self.request("GET", f"/api/states/{entity_id}")
                    break
                except urllib.error.HTTPError as err:
                    if err.code != 404 or time.monotonic() > deadline:
                        raise
                time.sleep(0.5)

    def add_demo_treadmill(self) -> None:
        """Run the retrowalk config flow for the demo treadmill if it is missing."""
        self.add_treadmill(TREADMILL["name"])

    def add_treadmill(self, name: str) -> None:
        """Add a virtual treadmill through the config flow, unless it exists."""
        entries = self.request(
            "GET", "/api/config/config_entries/entry?domain=retrowalk"
        )
        if any(entry["title"] == name for entry in entries):
            return
        self.wait_for_entities(SPEAKERS, timeout=60)
        flow = self.request(
            "POST", "/api/config/config_entries/flow", {"handler": "retrowalk"}
        )
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        for answers in (TREADMILL | {"name": name}, SAFETY, SPOTTER):
            step = self.request("POST", path, answers)
            if step.get("type") != "form" or step.get("errors"):
                sys.exit(f"The retrowalk config flow stopped: {step}")
        result = self.request("POST", path, ANNOUNCEMENTS)
        if result.get("type") != "create_entry":
            sys.exit(f"The retrowalk config flow did not finish: {result}")


def main() -> None:
    """Onboard, log in and add the demo treadmill (or only prepare the config)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument(
        "--prepare-config",
        type=Path,
        metavar="DIR",
        help="only prepare a configuration folder before the server's first start",
    )
    args = parser.parse_args()
    if args.prepare_config:
        prepare_config(args.prepare_config)
        return
    server = Server(args.url)
    server.wait_until_up(args.timeout)
    server.onboard()
    server.add_demo_treadmill()


if __name__ == "__main__":
    main()
