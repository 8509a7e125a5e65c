"""Shared test setup, and the check that nothing tells retrowalk it will stop working.

Home Assistant reports code that uses what it is about to remove: its frame helper logs
"Detected that custom integration 'retrowalk' ... This will stop working in Home
Assistant X", its deprecation helpers log "... deprecated ...", and Python warns with
DeprecationWarning. Every such report that names retrowalk (or comes from its code) is
collected during the run, written to artifacts/ha-reports/<version>.json (read by
scripts/validate) and fails the run, on every tested version.
"""

from __future__ import annotations

from collections.abc import Iterator
import importlib.util
import json
import logging
import os
from pathlib import Path
import platform
import re
from typing import Any
import warnings

import pytest

# The browser test runs in the demo environment (scripts/test --e2e), which has
# Playwright; the unit and Home Assistant test environments do not collect it.
collect_ignore_glob = [] if importlib.util.find_spec("playwright") else ["e2e/*"]

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "artifacts" / "ha-reports"
# What a report says; it counts when it also names retrowalk.
REPORT = re.compile(r"will stop working|deprecat|Detected (that|code that)", re.I)
OUR_CODE = f"custom_components{os.sep}retrowalk{os.sep}"
DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


class _Reports(logging.Handler):
    """Log records that report retrowalk's use of something going away."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[dict[str, Any]] = []
        self.test = ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "retrowalk" in message and REPORT.search(message):
            self.add("log", f"{record.name}: {message}")

    def add(self, kind: str, message: str) -> None:
        self.found.append({"kind": kind, "test": self.test, "message": message})


_reports = _Reports()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Listen to every logger from the start."""
    logging.getLogger().addHandler(_reports)


@pytest.fixture(autouse=True)
def _report_per_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Name the test in each report; let Home Assistant report again in each test.

    Its frame helper reports an integration once per process; forgetting that between
    tests makes every test that triggers a report show up.
    """
    _reports.test = request.node.nodeid
    try:
        from homeassistant.helpers import frame
    except ImportError:
        pass
    else:
        getattr(frame, "_REPORTED_INTEGRATIONS", set()).clear()
    yield
    _reports.test = ""


def pytest_warning_recorded(
    warning_message: warnings.WarningMessage,
    when: str,
    nodeid: str,
    location: tuple[str, int, str] | None,
) -> None:
    """Deprecation warnings raised by retrowalk's code, or about it."""
    if not issubclass(warning_message.category, DEPRECATIONS):
        return
    text = str(warning_message.message)
    if OUR_CODE in warning_message.filename or "retrowalk" in text:
        _reports.add(
            "warning",
            f"{warning_message.category.__name__}: {text} "
            f"({warning_message.filename}:{warning_message.lineno})",
        )


def _home_assistant_version() -> str | None:
    try:
        from homeassistant.const import __version__
    except ImportError:
        return None
    return __version__


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the reports down; any report fails the run."""
    logging.getLogger().removeHandler(_reports)
    if (
        (version := _home_assistant_version()) is None
        or hasattr(session.config, "workerinput")
        # The browser test drives a server in another process (it checks that log).
        or all(item.get_closest_marker("e2e") for item in session.items)
    ):
        return
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{version}.json").write_text(
        json.dumps(
            {
                "home_assistant": version,
                "python": platform.python_version(),
                "tests": session.testscollected,
                "reports": _reports.found,
            },
            indent=2,
        )
        + "\n"
    )
    if _reports.found and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the reports at the end of the run."""
    if not _reports.found:
        return
    terminalreporter.section("Home Assistant reports about retrowalk", red=True)
    for report in _reports.found:
        terminalreporter.line(f"{report['test']}: {report['message']}")
    terminalreporter.line(
        f"{len(_reports.found)} reports: retrowalk uses something Home Assistant "
        "is removing (this fails the run)"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    """How many random sequences the belt invariant's property test runs."""
    parser.addoption(
        "--safety-examples",
        type=int,
        default=None,
        help="sequences for tests/safety (default: its own, over 10,000 steps)",
    )
