#!/usr/bin/env python
from __future__ import annotations

import os
import sys
from pathlib import Path

# The demo's settings for commands run from a development checkout: with neither DATABASE_URL
# nor DEBUG set, `manage.py shell` (or any command) uses the embedded PostgreSQL and Redis under
# .data/ with the same settings as `make run`, as the README says. A deployed copy has no .git
# (.dockerignore) and sets DATABASE_URL; with DEBUG off and no DATABASE_URL, settings refuse.
DEMO = {"DEBUG": "1", "REQUIRE_2FA": "0", "DEMO_MODE": "1"}
CHECKOUT = Path(__file__).resolve().parent


def use_demo_defaults(environ=os.environ, checkout: Path = CHECKOUT) -> bool:
    if environ.get("DATABASE_URL") or "DEBUG" in environ or not (checkout / ".git").exists():
        return False
    for name, value in DEMO.items():
        environ.setdefault(name, value)
    return True


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer.settings")
    use_demo_defaults()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
