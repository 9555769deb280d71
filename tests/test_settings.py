"""Operators' view of the settings: safe defaults, production checks clean, secrets from the env."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


DROPPED = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in DROPPED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="portal.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    result = manage("check", DEBUG="False", ALLOWED_HOSTS="portal.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_chinese_and_local(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }


PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "portal.example.com",
}
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


def test_proxy_header_and_hsts_for_the_whole_domain_are_opt_in():
    result = manage("shell", "--no-imports", "-c", SHOW, **PRODUCTION)
    assert result.stdout.split() == ["None", "False", "False"], result.stderr


def test_operators_opt_in_to_the_proxy_header_and_hsts_preload():
    env = {
        **PRODUCTION,
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True",
    }
    result = manage("shell", "--no-imports", "-c", SHOW, **env)
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True"]
    check = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert check.returncode == 0, check.stderr
