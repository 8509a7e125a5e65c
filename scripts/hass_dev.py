"""Start Home Assistant for development on this machine's Python 3.13.0.

Home Assistant 2026.2 declares Python >= 3.13.2 and its CLI refuses 3.13.0,
although it runs on it. This launcher skips only that version check.
"""

import sys

from homeassistant import __main__ as ha_main

ha_main.validate_python = lambda: None  # type: ignore[attr-defined]
sys.exit(ha_main.main())
