"""Settings refuse unsafe production values; production settings pass Django's deploy checks;
static files build; .env.example lists every setting; Celery is configured not to lose tasks."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
LOAD = (
    "import django; django.setup(); from django.conf import settings as s; print('DEBUG', s.DEBUG)"
)


def _env(**overrides: str) -> dict[str, str]:
    """A clean environment: no DEBUG/SECRET_KEY/ALLOWED_HOSTS/REQUIRE_2FA unless given, and
    URLs that keep the embedded servers from starting (loading settings connects to nothing)."""
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest; production never has it.
        if k
        not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "organizer.settings"
    env.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/organizer_settings")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    env.update(overrides)
    return env


def _production(**overrides: str) -> dict[str, str]:
    values = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.org"}
    return _env(**(values | overrides))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_to_start_naming_it():
    result = _run(["-c", LOAD], _env(DEBUG="0", ALLOWED_HOSTS="example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_defaults_to_off_so_a_bare_environment_is_refused():
    result = _run(["-c", LOAD], _env(ALLOWED_HOSTS="example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_the_development_secret_key_is_refused():
    from organizer.settings import DEV_SECRET_KEY

    result = _run(["-c", LOAD], _production(SECRET_KEY=DEV_SECRET_KEY))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_empty_allowed_hosts_is_refused():
    result = _run(["-c", LOAD], _production(ALLOWED_HOSTS=""))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_cannot_switch_off_the_second_factor():
    result = _run(["-c", LOAD], _production(REQUIRE_2FA="0"))
    assert result.returncode != 0
    assert "REQUIRE_2FA" in result.stderr


def test_an_unreadable_boolean_names_the_variable():
    result = _run(["-c", LOAD], _production(DEBUG="perhaps"))
    assert result.returncode != 0
    assert "DEBUG" in result.stderr and "EnvError" in result.stderr


def test_production_with_proper_values_loads():
    result = _run(["-c", LOAD], _production())
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_production_settings_pass_the_deploy_checks_without_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


COLLECT = """
import sys, django
django.setup()
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
"""


def test_static_files_collect_with_hashed_compressed_names_in_production(tmp_path):
    result = _run(["-c", COLLECT, str(tmp_path)], _production())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()  # the manifest whitenoise serves from
    assert list(tmp_path.rglob("admin/css/base.*.css.gz"))  # hashed and compressed


def test_env_example_lists_every_setting_the_settings_read():
    source = (BASE_DIR / "organizer" / "settings.py").read_text()
    names = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))
    example = (BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "EMAIL_BACKEND"} <= names
    assert names - listed == set(), "add these to .env.example"


def test_celery_is_configured_not_to_lose_or_duplicate_tasks():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    # Redis hands an unacknowledged task to another worker after the visibility timeout.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT


def test_every_beat_schedule_entry_names_a_task_the_worker_registers():
    from organizer.celery import app

    app.loader.import_default_modules()  # what a worker does at start
    assert settings.CELERY_BEAT_SCHEDULE
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r}: {entry['task']} not registered"


def test_every_task_can_be_sent_its_soft_time_limit_is_within_its_hard_limit():
    # Celery refuses to send a task whose soft limit (default from settings) exceeds its own
    # hard limit: beat would fail to send it every time.
    from organizer.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours
    for task in ours:
        if task.soft_time_limit and task.time_limit:
            assert task.soft_time_limit <= task.time_limit, task.name


# --- a weak SECRET_KEY is refused with DEBUG off (issue #9, finding 9) -------------------------


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "a" * 60,
        "abcd" * 20,
        "django-insecure-" + secrets.token_urlsafe(50),
        "changeme",
        "your-secret-key" + "-" * 40,
        " " * 60,
    ],
    ids=["short", "one-char", "repeated", "django-insecure", "example", "example-padded", "blank"],
)
def test_production_with_a_weak_secret_key_is_refused(key):
    result = _run(["-c", LOAD], _production(SECRET_KEY=key))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_random_key_is_not_weak():
    from organizer.settings import weak_secret_key

    assert not weak_secret_key(secrets.token_urlsafe(50))
    assert weak_secret_key("x" * 49)
