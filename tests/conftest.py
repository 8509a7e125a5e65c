"""Shared test setup."""

import importlib.util

# The browser test runs in the demo environment (scripts/test --e2e), which has
# Playwright; the unit and Home Assistant test environments do not collect it.
collect_ignore_glob = [] if importlib.util.find_spec("playwright") else ["e2e/*"]
